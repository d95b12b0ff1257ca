"""Fig. S1: random-state (infinite-temperature) field distribution against the Gaussian of exact
variance sigma_L^2 = sum_j d_ij^(-2 alpha)."""

import numpy as np

from kasglass.couplings import sigma_inf
from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

use_style()
r = read_table(sm.input.random)
m = read_table(sm.input.moments)
m = m[m["ensemble"] == "random"]
alphas = sorted(r["alpha"].unique())
fig, axes = plt.subplots(
    1, len(alphas), figsize=(4.0 * len(alphas), 3.8), squeeze=False, sharey=True
)
for ax, a in zip(axes[0], alphas, strict=True):
    d = r[np.isclose(r["alpha"], a)]
    Ls = sorted(d["L"].unique())
    for i, L in enumerate(Ls):
        g = d[(d["L"] == L) & (d["density"] > 0) & (d["density_err"] < 0.5 * d["density"])]
        mm = m[np.isclose(m["alpha"], a) & (m["L"] == L)].iloc[0]
        ax.errorbar(
            g["phi_mid"],
            g["density"],
            yerr=g["density_err"],
            fmt="o",
            ms=3,
            color=f"C{i}",
            label=(
                f"L = {L}: $\\sigma_L$ = {d[d['L'] == L]['sigma_L'].iloc[0]:.3f}, "
                f"var/$\\sigma_L^2$ = {mm['var_ratio']:.4f} $\\pm$ {mm['var_ratio_err']:.4f}"
                f" ({int(g['n_realizations'].iloc[0])} real.)"
            ),
        )
        gg = d[d["L"] == L].sort_values("phi_mid")
        sig = gg["sigma_L"].iloc[0]
        xx = np.linspace(0, 5 * sig, 300)
        gauss = np.exp(-(xx**2) / (2 * sig**2)) / np.sqrt(2 * np.pi * sig**2)
        ax.plot(xx, gauss, color=f"C{i}", lw=1)
    ax.set_yscale("log")
    ax.set_xlim(0, None)
    ax.set_ylim(1e-5, 10 ** (0.5 + 0.3 * len(Ls)))  # head room: the legend sits above the data
    ax.set_xlabel(r"$|\phi|$")
    ax.set_title(rf"random states, $\alpha = {a:g}$ ($\sigma_\infty = {sigma_inf(a):.3f}$)")
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="0.4", lw=1, label=r"lines: Gaussian N(0, $\sigma_L^2$)"))
    ax.legend(handles=handles, fontsize=6.5, loc="upper right")
fig.subplots_adjust(bottom=0.17)  # room for the caption under the x labels
axes[0][0].set_ylabel(r"$p(\phi)$ (two-sided density)")
footer(
    fig,
    "Infinite-temperature product states; lines: N(0, σ_L²) with the exact finite-L "
    "σ_L² = Σ_{j≠i} d_ij^(−2α) (periodic minimum image). Error bars: block errors.",
)
save(fig, [sm.output.pdf, sm.output.png])
