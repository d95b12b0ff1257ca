"""Fig. 1: (a) p(phi) in SFS states for several L, the L -> infinity extrapolation and the
power-law fit; (b) (the paper's inset) x(alpha) against the avalanche-stability bound
1/alpha - 1."""

import numpy as np

from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402

use_style()
f = read_table(sm.input.fields)
ex = read_table(sm.input.exponents)
prov_alpha = float(ex.loc[ex["main"], "alpha"].iloc[0])  # the main panel's alpha (fields.alpha)
order = f["sfs_order"].iloc[0]
a_mask = np.isclose(f["alpha"], prov_alpha)

fig, (ax, ins) = plt.subplots(1, 2, figsize=(10.5, 4.6), gridspec_kw={"width_ratios": [1.7, 1]})
sfs = f[a_mask & (f["ensemble"] == "sfs") & f["L"].notna()]
Ls = sorted(sfs["L"].unique())
cmap = plt.get_cmap("viridis")
for i, L in enumerate(Ls):
    d = sfs[(sfs["L"] == L) & (sfs["density"] > 0)]
    d = d[d["density_err"] < d["density"]]  # significant points only (log axes)
    ylo = np.minimum(d["density_err"], 0.9 * d["density"])
    ax.errorbar(
        d["phi_mid"],
        d["density"],
        yerr=[ylo, d["density_err"]],
        fmt="o",
        ms=3,
        lw=0.8,
        color=cmap(i / max(len(Ls) - 1, 1)) if len(Ls) > 1 else "C0",
        label=f"L = {int(L)} ({int(d['n_realizations'].iloc[0])} real.)",
    )
main = ex[np.isclose(ex["alpha"], prov_alpha)].iloc[0]
for form, style in (
    ("paper", dict(color="k", lw=1.8)),
    ("longrange", dict(color="0.5", lw=1.0, ls=":")),
):
    d = f[a_mask & (f["extrapolation"] == form)]
    d = d[(d["density"] > 0) & (d["density_err"] < d["density"])]
    if len(d):
        lab = {
            "paper": r"$L\to\infty$ ($1/L$, $1/L^2$)",
            "longrange": r"$L\to\infty$ ($L^{1-2\alpha}$, $1/L$)",
        }[form]
        if form == main["extrapolation"]:
            lab += " [main]"
        ax.plot(d["phi_mid"], d["density"], label=lab, **style)
xx = np.logspace(np.log10(main["fit_lo"]), np.log10(main["fit_hi"]), 50)
ax.plot(
    xx,
    np.exp(main["log_A"]) * xx ** main["x"],
    "--",
    color="C3",
    lw=1.5,
    label=rf"fit $|\phi|^{{x}}$, $x = {main['x']:.2f} \pm {main['x_err']:.2f}$",
)
rnd = f[a_mask & (f["ensemble"] == "random") & (f["L"] == max(Ls))]
rnd = rnd[rnd["density"] > 0]
ax.plot(
    rnd["phi_mid"],
    rnd["density"],
    color="C1",
    lw=1,
    alpha=0.7,
    label=f"random states, L = {int(max(Ls))}",
)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel(r"local field $|\phi|$")
ax.set_ylabel(r"$p(\phi)$")
ax.set_title(rf"(a) field distribution in SFS states, $\alpha = {prov_alpha:g}$")
# axes follow the plotted data (significant SFS points and the random-state curve); the lower
# left corner, below the small-|phi| plateau, is empty and holds the legend
sig = sfs[(sfs["density"] > 0) & (sfs["density_err"] < sfs["density"])]
x_lo = max(sig["phi_mid"].min() / 1.5, 1e-5)
x_hi = 1.5 * max(sig["phi_mid"].max(), rnd["phi_mid"].max() if len(rnd) else 0)
y_lo = max(sig["density"].min() / 3, 1e-7)
y_hi = 3 * max(sig["density"].max(), rnd["density"].max() if len(rnd) else 0)
ax.set_xlim(x_lo, x_hi)
ax.set_ylim(y_lo, y_hi)
ax.legend(loc="lower left", fontsize=7, ncol=2)

ins.errorbar(
    ex["alpha"],
    ex["x"],
    yerr=ex["x_err"],
    fmt="o",
    color="C0",
    ms=4,
    label=r"$x$ (fit of $p_\infty$; stat. + syst. error)",
)
aa = np.linspace(0.51, 1.0, 100)
ins.plot(aa, 1 / aa - 1, "k--", lw=1, label=r"$1/\alpha - 1$")
ins.set_xlabel(r"interaction exponent $\alpha$")
ins.set_ylabel(r"soft-gap exponent $x$ of $p_\infty(\phi) \sim |\phi|^x$")
ins.set_title("(b) exponent vs avalanche-stability bound")
ins.set_xlim(0.5, 1.0)
# the axis follows the exponents and the bound; an error bar of an ill-conditioned
# extrapolation (several times the exponent) runs off it and is printed instead
y0 = min(0.0, float(np.nanmin(ex["x"])) - 0.3)
y1 = max(1.05, float(np.nanmax(ex["x"])) + 0.3)
ins.set_ylim(y0, y1)
big = ex[(ex["x"] - ex["x_err"] < y0) | (ex["x"] + ex["x_err"] > y1)]
if len(big):
    ins.text(
        0.03,
        0.03,
        "off the axis: "
        + "; ".join(f"α={r.alpha:g}: {r.x:.2f} ± {r.x_err:.2f}" for r in big.itertuples()),
        transform=ins.transAxes,
        fontsize=7,
    )
ins.legend(loc="upper right")
footer(
    fig,
    (
        f"SFS order: {order}; fit window {main['fit_lo']:g} ≤ |φ| ≤ {main['fit_hi']:g}; "
        f"x_err = bootstrap ({int(main['n_bootstrap_used'])} replicas over realization blocks) "
        "+ spread over extrapolation forms and windows; panel (b) from "
        f"L = {int(ex['L_min'].min())}-{int(ex['L_max'].max())}, "
        f"≥ {int(ex['n_realizations_min'].min())} realizations per L."
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
