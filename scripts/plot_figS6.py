"""Fig. S6 (beyond the paper): two-spin-flip-stable (2FS) states against the SFS states they
relax from, on the same realizations. (a) field density p(phi) at finite L; (b) the raw finite-L
exponent x_L of p(phi) ~ |phi|^x on the Fig. 1 fit window; (c) the energy per spin the pair
moves gain, and how many pair moves a state needs."""

import textwrap

import numpy as np

from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import NullFormatter, ScalarFormatter  # noqa: E402

use_style()
f = read_table(sm.input.fields)
s = read_table(sm.input.summary)
alpha = float(sm.params.fig["alpha"])
a0 = min(f["alpha"].unique(), key=lambda a: abs(a - alpha))
f = f[np.isclose(f["alpha"], a0)]
s = s[np.isclose(s["alpha"], a0)].sort_values("L")
Ls = sorted(f["L"].unique())
cmap = plt.get_cmap("viridis")
col = {L: cmap(0.85 * i / max(len(Ls) - 1, 1)) for i, L in enumerate(Ls)}
style = {"sfs": dict(marker="o", mfc="none", ls="--"), "2fs": dict(marker="s", ls="-")}
names = {"sfs": "SFS", "2fs": "2FS"}
fit_lo, fit_hi = float(s["fit_lo"].iloc[0]), float(s["fit_hi"].iloc[0])

fig, (ax, axx, axe) = plt.subplots(1, 3, figsize=(15.5, 4.6))
for L in Ls:
    for e in ("sfs", "2fs"):
        d = f[(f["L"] == L) & (f["ensemble"] == e) & (f["density"] > 0)].sort_values("phi_mid")
        y, err = d["density"].to_numpy(), d["density_err"].to_numpy()
        ax.errorbar(
            d["phi_mid"],
            y,
            yerr=[np.minimum(err, 0.7 * y), err],
            color=col[L],
            ms=3,
            lw=0.9,
            **style[e],
        )
ax.axvspan(fit_lo, fit_hi, color="0.9", zorder=0)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel(r"local field $|\phi|$ (units of std $J$)")
ax.set_ylabel(r"field density $p(\phi)$")
ax.set_title(rf"(a) SFS vs 2FS fields, $\alpha = {a0:g}$ (grey: fit window)")
handles = [Line2D([], [], color=col[L], lw=1.5, label=f"L = {L}") for L in Ls]
handles += [Line2D([], [], color="0.3", ms=4, label=names[e], **style[e]) for e in style]
ax.legend(handles=handles, fontsize=7, loc="lower right")

for e in ("sfs", "2fs"):
    d = s[s["ensemble"] == e]
    axx.errorbar(d["L"], d["x_L"], yerr=d["x_L_err"], color="0.2", ms=5, label=names[e], **style[e])
axx.axhline(1.0 / a0 - 1.0, color="C3", lw=0.9, ls=":")
axx.text(Ls[0], 1.0 / a0 - 1.0, r" bound $1/\alpha - 1$", color="C3", fontsize=7, va="bottom")
axx.set_xlabel("system size $L$")
axx.set_ylabel(r"finite-$L$ exponent $x_L$ of $p(\phi) \sim |\phi|^{x}$")
axx.set_title(rf"(b) raw exponent on ${fit_lo:g} \leq |\phi| \leq {fit_hi:g}$ (no extrapolation)")
axx.legend(fontsize=8)

d = s[s["ensemble"] == "2fs"]
axe.errorbar(
    d["L"],
    -d["energy_gain_mean"],
    yerr=d["energy_gain_err"],
    color="C0",
    marker="s",
    label=r"energy gained, $-(E_\mathrm{2FS} - E_\mathrm{SFS})/L$",
)
axe.plot(d["L"], d["n_pair_mean"] / d["L"], color="C1", marker="^", ls="--", label="pair moves / L")
axe.plot(
    d["L"], d["n_single_mean"] / d["L"], color="C2", marker="v", ls=":", label="single flips / L"
)
axe.set_ylim(bottom=0)
axe.set_xlabel("system size $L$")
axe.set_ylabel("per spin (energy in units of std $J$)")
axe.set_title("(c) what the pair moves change, per spin")
axe.legend(fontsize=7, loc="best")
for a_ in (axx, axe):
    a_.set_xscale("log")
    a_.xaxis.set_major_formatter(ScalarFormatter())
    a_.xaxis.set_minor_formatter(NullFormatter())
    a_.set_xticks(Ls)

order = s["sfs_order"].iloc[0] if "sfs_order" in s.columns else "?"
porder = s["pair_order"].iloc[0] if "pair_order" in s.columns else "?"
nreal = ", ".join(f"L={int(r.L)}: {int(r.n_realizations)}" for r in d.itertuples())
moved = ", ".join(f"L={int(r.L)}: {r.frac_moved:.2f}" for r in d.itertuples())
es = s.pivot(index="L", columns="ensemble", values="energy_per_spin_mean")
footer(
    fig,
    textwrap.fill(
        "2FS: stable against every single and pair flip (pair move ΔE_ij = −2f_i − 2f_j + "
        f"4g_ij, f_i = Z_i φ_i, g_ij = K_ij Z_i Z_j), relaxed from the stored SFS state of the "
        f"same realization (SFS order: {order}; pair order: {porder}). Realizations: {nreal}; "
        f"fraction of SFS states that are not 2FS: {moved}. "
        f"E/L at L = {int(es.index[-1])}: SFS {es['sfs'].iloc[-1]:.4f}, 2FS "
        f"{es['2fs'].iloc[-1]:.4f}. Errors: block standard errors (densities), standard errors "
        "over realizations (paired for the energy gain), formal fit errors (x_L).",
        260,
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
log.info("figS6 drawn")
