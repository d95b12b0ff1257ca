"""Fig. S2: genuine two-spin-flip resonances per state vs L (log-log) for random, SFS and (when
computed) two-spin-flip-stable (2FS) states, with fitted exponents and the reference slopes
2 - alpha (random) and 1 (SFS, 2FS)."""

import textwrap

import numpy as np

from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter, ScalarFormatter  # noqa: E402

use_style()
t = read_table(sm.input.table)
ex = read_table(sm.input.exponents)
hs = sorted(t["h_x"].unique())
alphas = sorted(t["alpha"].unique())
fig, axes = plt.subplots(1, len(hs), figsize=(5.4 * len(hs), 4.8), squeeze=False)
cmap = plt.get_cmap("viridis")
colors = {a: cmap(0.85 * i / max(len(alphas) - 1, 1)) for i, a in enumerate(alphas)}
mk = {"random": "^", "sfs": "o", "2fs": "s"}
names = {"random": r"random ($T=\infty$)", "sfs": "SFS", "2fs": "2FS"}
fit_ls = {"random": "--", "sfs": "-", "2fs": "-."}
n_zero = 0
for ax, h in zip(axes[0], hs, strict=True):
    for a in alphas:
        for e in ("random", "sfs", "2fs"):
            d = t[(t["h_x"] == h) & (t["alpha"] == a) & (t["ensemble"] == e)].sort_values("L")
            if d.empty:
                continue
            pos = d[d["n_res_mean"] > 0]
            n_zero += len(d) - len(pos)
            x = ex[(ex["h_x"] == h) & (ex["alpha"] == a) & (ex["ensemble"] == e)]
            lab = rf"{names[e]}, $\alpha={a:g}$"
            if len(x) and np.isfinite(x["exponent"].iloc[0]):
                r = x.iloc[0]
                err = f" \\pm {r['exponent_err']:.2f}" if np.isfinite(r["exponent_err"]) else ""
                ref = rf"$2-\alpha = {r['reference']:.2g}$" if e == "random" else "1"
                lab += rf": $L^{{{r['exponent']:.2f}{err}}}$ (ref. slope {ref})"
                LL = np.geomspace(r["L_min"], r["L_max"], 20)
                ax.plot(
                    LL,
                    r["amplitude"] * LL ** r["exponent"],
                    color=colors[a],
                    ls=fit_ls[e],
                    lw=1,
                )
                # reference slope through the fitted line's geometric midpoint
                Lm = np.sqrt(r["L_min"] * r["L_max"])
                ym = r["amplitude"] * Lm ** r["exponent"]
                ax.plot(
                    LL, ym * (LL / Lm) ** r["reference"], color=colors[a], lw=0.9, ls=":", alpha=0.8
                )
            ax.errorbar(
                pos["L"],
                pos["n_res_mean"],
                # lower bars clipped on log axes (a bar below zero would stretch the axis)
                yerr=[
                    np.minimum(pos["n_res_err"].fillna(0.0), 0.7 * pos["n_res_mean"]),
                    pos["n_res_err"].fillna(0.0),
                ],
                marker=mk[e],
                ls="none",
                color=colors[a],
                ms=5,
                label=lab,
            )
    ax.plot(
        [],
        [],
        color="0.3",
        lw=0.9,
        ls=":",
        label=r"dotted: reference slope ($2-\alpha$ random, 1 SFS and 2FS) through each fit",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sorted(t["L"].unique()))
    ax.set_xlabel("system size $L$")
    ax.set_ylabel(r"genuine two-spin resonances per state, $N_2(L)$")
    ax.set_title(rf"$h_x = {h:g}$: pairs with $|A_{{12}}| > 1$, neither $|\phi| < h_x$")
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi * (hi / lo) ** 0.45)  # headroom above the data for the legend
    ax.legend(fontsize=7, loc="upper left")
c = float(t["two_spin_prefactor"].iloc[0]) if "two_spin_prefactor" in t.columns else float("nan")
order = t["sfs_order"].iloc[0] if "sfs_order" in t.columns else "?"
nreal = ", ".join(
    f"L={int(L)}: {int(n)}" for L, n in t.groupby("L")["n_realizations"].min().items()
)
footer(
    fig,
    textwrap.fill(
        (
            "A_12 = c hₓ² (1/f_1 + 1/f_2)/(−f_1 − f_2 + 2 g_12) with "
            f"c = {c:g} (knob two_spin_prefactor), "
            f"f_i = Z_i φ_i, g_12 = K_12 Z_1 Z_2; SFS order: {order}; mean ± standard "
            f"error over realizations ({nreal}); lines: weighted log-log fits (zero means "
            f"omitted: {n_zero} points)."
            + (
                " 2FS: the SFS states relaxed further until no pair flip lowers the energy "
                "(same realizations; Fig. S6)."
                if "2fs" in set(t["ensemble"])
                else ""
            )
        ),
        95 * len(hs),
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
log.info("figS2 drawn")
