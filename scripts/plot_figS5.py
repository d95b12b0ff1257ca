"""Fig. S5 (beyond the paper): the avalanche protocol and energy. (a) N_ever(t) of the paper's
literal protocol against the energy-conserving variant, SFS and random states; (b) the classical
energy drift E(t) - E(0) of the literal protocol (and the conserving window)."""

import textwrap

import numpy as np

from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

use_style()
av = read_table(sm.input.avalanche)
h_main = float(sm.params.fig["h_x_main"])
alpha_main = float(sm.params.fig["alpha"])
d = av[np.isclose(av["h_x"], h_main) & (av["step"] > 0)]
alphas = sorted(d["alpha"].unique())
a0 = min(alphas, key=lambda a: abs(a - alpha_main))
L = int(d["L"].iloc[0])
n_states = int(d["n_states"].max())
protocols = [p for p in ("literal", "conserving") if p in set(d["protocol"])]
ens_style = {"sfs": dict(marker="o", color="C0"), "random": dict(marker="^", color="C1")}
names = {"sfs": "SFS", "random": r"random ($T=\infty$)"}
proto_ls = {"literal": "-", "conserving": "--"}

fig, (ax, axe) = plt.subplots(1, 2, figsize=(11.5, 4.6))
for e in ("sfs", "random"):
    for p in protocols:
        g = d[(d["alpha"] == a0) & (d["ensemble"] == e) & (d["protocol"] == p)].sort_values("step")
        if g.empty:
            continue
        y, err = g["n_ever_mean"].to_numpy(), g["n_ever_err"].fillna(0.0).to_numpy()
        ax.errorbar(
            g["step"],
            y,
            yerr=[np.minimum(err, 0.7 * y), err],
            ls=proto_ls[p],
            ms=3,
            lw=1.2,
            **ens_style[e],
        )
ax.axhline(0.02 * L, color="C3", lw=0.8, ls=(0, (1, 2)))
ax.text(1.2, 0.02 * L * 1.08, "2% of L", color="C3", fontsize=7)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("avalanche step $t$")
ax.set_ylabel(r"spins ever resonant, $N_\mathrm{ever}(t)$")
ax.set_title(
    rf"(a) literal vs energy-conserving protocol, $L = {L}$, $\alpha = {a0:g}$, "
    rf"$h_x = {h_main:g}$"
)
handles = [Line2D([], [], ls="none", label=names[e], ms=5, **ens_style[e]) for e in ens_style]
handles += [Line2D([], [], color="0.3", ls=proto_ls[p], label=f"{p} protocol") for p in protocols]
ax.legend(handles=handles, fontsize=7, loc="upper left")

cmap = plt.get_cmap("viridis")
colors = {a: cmap(0.85 * i / max(len(alphas) - 1, 1)) for i, a in enumerate(alphas)}
lit = d[d["protocol"] == "literal"]
for a in alphas:
    for e in ("sfs", "random"):
        g = lit[(lit["alpha"] == a) & (lit["ensemble"] == e)].sort_values("step")
        if g.empty:
            continue
        axe.plot(
            g["step"],
            g["de_mean"],
            ls="-" if e == "sfs" else "--",
            color=colors[a],
            marker=ens_style[e]["marker"],
            ms=3,
            lw=1.2,
        )
        axe.fill_between(
            g["step"],
            g["de_mean"] - g["de_err"],
            g["de_mean"] + g["de_err"],
            color=colors[a],
            alpha=0.2,
            lw=0,
        )
window_handles = []
if "conserving" in protocols:
    w = float(d.loc[d["protocol"] == "conserving", "energy_window"].iloc[0])
    axe.axhspan(-w, w, color="0.88", zorder=0)
    window_handles = [Patch(color="0.88", label=f"window of the conserving protocol, ±{w:g}")]
axe.axhline(0, color="0.5", lw=0.6)
axe.set_xscale("log")
axe.set_yscale("symlog", linthresh=max(h_main, 1e-3))
axe.set_xlabel("avalanche step $t$")
axe.set_ylabel(r"energy drift $E(t) - E(0)$ (std $J$)")
axe.set_title(rf"(b) literal protocol: classical energy, $h_x = {h_main:g}$")
handles = [Line2D([], [], color=colors[a], lw=2, label=rf"$\alpha = {a:g}$") for a in alphas]
handles += [
    Line2D(
        [],
        [],
        color="0.3",
        ls="-" if e == "sfs" else "--",
        marker=ens_style[e]["marker"],
        label=names[e],
    )
    for e in ("sfs", "random")
]
axe.legend(handles=handles + window_handles, fontsize=7, loc="upper left")
last = d[d["step"] == d["step"].max()]
sfs_last = last[(last["alpha"] == a0) & (last["ensemble"] == "sfs")].set_index("protocol")
shows = "; ".join(
    f"{p}: mean N_ever {sfs_last.at[p, 'n_ever_mean']:.3g} ± {sfs_last.at[p, 'n_ever_err']:.2g}, "
    f"max over states {int(sfs_last.at[p, 'n_ever_max'])} ({sfs_last.at[p, 'n_ever_max'] / L:.1%} "
    "of L)"
    for p in protocols
    if p in sfs_last.index
)
stopped = d[d["step"] == d["step"].max()].groupby(["protocol", "ensemble"])["n_stopped"].max()
stop_txt = ", ".join(f"{p} {e}: {int(v)}" for (p, e), v in stopped.items())
footer(
    fig,
    textwrap.fill(
        "Each step flips one resonant spin (|φ_i| < hₓ) chosen uniformly at random; the literal "
        "protocol (the paper's) allows every resonant spin, so the classical energy changes by "
        "−2 Z_k φ_k per flip; the conserving protocol allows only flips keeping |E(t) − E(0)| ≤ W "
        "(W = hₓ unless set) and stops when none is left. Same stored states and seeds for both; "
        "(b) mean ± standard error over states; "
        f"{n_states} states per ensemble; runs stopped by the last step: {stop_txt}. "
        f"SFS states at the last step (α = {a0:g}): {shows}. "
        "Table: fig2_avalanche.parquet (column protocol).",
        160,
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
log.info("figS5 drawn")
