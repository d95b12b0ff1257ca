"""Fig. 2. Left: resonance avalanche, number of ever-resonant spins vs step for SFS and random
initial states and several alpha (fig2_avalanche.parquet). Right (only when the dynamics stage
provides fig2_polarization.parquet): remnant polarization P(n, L) of the most resonant spins
vs L."""

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
av = read_table(sm.input.avalanche)
if "protocol" in av.columns:  # the paper's protocol (the energy-conserving variant: Fig. S5)
    av = av[av["protocol"] == "literal"]
# the right panel's table (the workflow always provides it; without it the left panel alone)
pol = read_table(sm.input.polarization) if "polarization" in sm.input.keys() else None
h_main = float(sm.params.fig["h_x_main"])

d_h = av[np.isclose(av["h_x"], h_main)]
if d_h.empty:
    raise ValueError(
        f"h_x_main = {h_main} is not in fig2_avalanche.parquet (h_x = {sorted(av['h_x'].unique())})"
    )
L = int(d_h["L"].iloc[0])
alphas = sorted(d_h["alpha"].unique())

if pol is not None:
    fig, (ax, axr) = plt.subplots(1, 2, figsize=(11.5, 4.8))
else:
    fig, ax = plt.subplots(figsize=(6.6, 4.8))
    axr = None

cmap = plt.get_cmap("viridis")
colors = {a: cmap(0.85 * i / max(len(alphas) - 1, 1)) for i, a in enumerate(alphas)}
styles = {"random": dict(ls="--", marker="^"), "sfs": dict(ls="-", marker="o")}
names = {"random": r"random ($T=\infty$)", "sfs": "SFS"}
for a in alphas:
    for e in ("random", "sfs"):
        d = d_h[(d_h["alpha"] == a) & (d_h["ensemble"] == e) & (d_h["step"] > 0)].sort_values(
            "step"
        )
        if d.empty:
            continue
        err = d["n_ever_err"].fillna(0.0).to_numpy()
        y = d["n_ever_mean"].to_numpy()
        ax.errorbar(
            d["step"],
            y,
            yerr=[np.minimum(err, 0.7 * y), err],
            color=colors[a],
            ms=3,
            lw=1.2,
            **styles[e],
        )
        if e == "sfs":
            ax.plot(d["step"], d["n_ever_max"], color=colors[a], lw=0.7, ls=":")
# reference slope 1/2, anchored on the random curve of the middle alpha at the geometric mid-step
ref = d_h[
    (d_h["alpha"] == alphas[len(alphas) // 2]) & (d_h["ensemble"] == "random") & (d_h["step"] > 0)
]
if len(ref):
    ref = ref.sort_values("step")
    t = ref["step"].to_numpy(float)
    t_mid = t[len(t) // 3]
    y_mid = float(ref["n_ever_mean"].to_numpy()[len(t) // 3])
    tt = np.logspace(0, np.log10(t.max()), 50)
    ax.plot(
        tt,
        y_mid * np.sqrt(tt / t_mid),
        color="0.4",
        lw=1,
        ls="-.",
        label=r"$\propto \sqrt{\mathrm{step}}$",
    )
ax.axhline(0.02 * L, color="C3", lw=0.8, ls=(0, (1, 2)), label=rf"2% of $L$ ({0.02 * L:g} spins)")
ax.axhline(L, color="0.3", lw=0.8, ls="-", alpha=0.5, label=rf"$N_\mathrm{{ever}} = L = {L}$")
ax.plot([], [], color="0.3", lw=0.7, ls=":", label="SFS: max over states")
# two compact legends: the reference lines in the empty upper left, the curves (colour: alpha,
# line and marker: ensemble) in the empty lower right
ref_legend = ax.legend(loc="upper left", fontsize=7)
ax.add_artist(ref_legend)
n_st = int(d_h["n_states"].max())
handles = [Line2D([], [], color=colors[a], lw=2, label=rf"$\alpha = {a:g}$") for a in alphas]
handles += [
    Line2D([], [], color="0.2", label=f"{names[e]}, {n_st} states", **styles[e], ms=4)
    for e in ("sfs", "random")
]
ax.legend(handles=handles, loc="lower right", fontsize=7)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("avalanche step $t$ (resonant spins flipped)")
ax.set_ylabel(r"spins ever resonant, $N_\mathrm{ever}(t)$")
ax.set_title(
    f"(a) resonance avalanche, $L = {L}$, $h_x = {h_main:g}$ (resonant: $|\\phi_i| < h_x$)"
    + ("" if pol is not None else "\n(no remnant-polarization table: left panel only)")
)

if axr is not None:
    p = pol.copy()
    ext = p[p["L_R"].isna() & p["main"]]
    if ext.empty:  # no extrapolated values: show the largest L_R
        lr = p["L_R"].max()
        ext = p[p["L_R"] == lr]
        what = f"$L_R = {int(lr)}$"
    else:
        what = r"extrapolated $L_R\to\infty$"
    groups = list(ext.groupby(["alpha", "h_x"], sort=True))
    ns = sorted(ext["n"].unique())
    markers = ["o", "s", "D", "^"]
    for gi, ((a, h), g) in enumerate(groups):
        for k, n in enumerate(ns):
            d = g[g["n"] == n].sort_values("L")
            if d.empty:
                continue
            lab = f"$n = {int(n)}$"
            if len(groups) > 1:
                lab += rf", $\alpha={a:g}$, $h_x={h:g}$"
            axr.errorbar(
                d["L"],
                d["P"],
                yerr=d["P_err"].fillna(0.0),
                marker=markers[gi % 4],
                color=plt.get_cmap("plasma")(0.85 * k / max(len(ns) - 1, 1)),
                ms=4,
                lw=1,
                label=lab,
            )
    axr.set_xscale("log")
    axr.xaxis.set_major_formatter(ScalarFormatter())
    axr.xaxis.set_minor_formatter(NullFormatter())
    axr.set_xticks(sorted(ext["L"].unique()))
    axr.set_xlabel("system size $L$")
    axr.set_ylabel(r"remnant polarization $P(n, L)$")
    a0, h0 = groups[0][0] if groups else (np.nan, np.nan)
    nreal = int(ext["n_realizations"].min()) if len(ext) else 0
    axr.set_title(
        f"(b) remnant polarization, {what}, $\\alpha = {a0:g}$, $h_x = {h0:g}$,\n"
        f"$\\geq {nreal}$ SFS states per $L$ ($n$-th most resonant spin)"
    )
    axr.legend(fontsize=7)

order = av["sfs_order"].iloc[0] if "sfs_order" in av.columns else "?"
n_steps = int(av["n_steps"].iloc[0]) if "n_steps" in av.columns else int(av["step"].max())
other_h = [f"{h:g}" for h in sorted(av["h_x"].unique()) if not np.isclose(h, h_main)]
stopped = d_h.sort_values("step").groupby(["alpha", "ensemble"])["n_stopped"].last()
stop_txt = ", ".join(f"{e} α={a:g}: {int(v)}" for (a, e), v in stopped.items() if v > 0) or "none"
footer(
    fig,
    textwrap.fill(
        (
            "(a) Each step flips one resonant spin chosen uniformly at random and updates all "
            f"fields; up to {n_steps} steps; SFS order: {order}; mean ± standard error over states "
            "(dotted: max over states). Runs without any resonant spin (stopped at step 0): "
            f"{stop_txt}. Other hₓ in fig2_avalanche.parquet: {', '.join(other_h) or 'none'}."
            + (
                " (b) The L_R most resonant spins of each SFS state evolve exactly in the frozen "
                "fields of the others; P = infinite-time average of Z_n(t) Z_n(0), extrapolated "
                "in 1/L_R (fig2_polarization.parquet); "
                f"{pol['precision'].iloc[0] if 'precision' in pol else 'float64'} dense ED."
                if pol is not None
                else ""
            )
        ),
        150 if pol is not None else 110,
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
log.info("fig2 drawn (%s)", "both panels" if pol is not None else "left panel only")
