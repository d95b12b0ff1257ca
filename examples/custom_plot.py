#!/usr/bin/env python3
"""Load a run's figure tables with pandas and draw a plot of your own.

    .venv/bin/python examples/custom_plot.py                      # results/quick/
    .venv/bin/python examples/custom_plot.py results/tiny out.png

The plot: the probability that an SFS spin is resonant, P(|phi| < h) = N_res(h)/L, against h for
every L of Fig. 1 (from ``fields_resonant``), on log-log axes, with the law h^(1 + x) that the
soft gap p(phi) ~ |phi|^x implies (x from ``fig1_exponents``, the main alpha). Every column used
here is documented in docs/tables.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def main(run: Path, out: Path) -> None:
    data = run / "data"
    res = pd.read_parquet(data / "fields_resonant.parquet")
    ex = pd.read_parquet(data / "fig1_exponents.parquet")
    main_row = ex[ex["main"]].iloc[0]
    alpha, x, x_err = main_row["alpha"], main_row["x"], main_row["x_err"]
    sfs = res[(res["ensemble"] == "sfs") & np.isclose(res["alpha"], alpha)]

    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    for L, g in sfs.groupby("L"):
        g = g.sort_values("h")
        ax.errorbar(
            g["h"],
            g["n_res_mean"] / L,
            yerr=g["n_res_err"] / L,
            marker="o",
            ms=4,
            label=f"L = {L} ({int(g['n_realizations'].iloc[0])} real.)",
        )
    h = np.geomspace(sfs["h"].min(), sfs["h"].max(), 50)
    ref = sfs[sfs["L"] == sfs["L"].max()].sort_values("h").iloc[-1]
    ax.plot(
        h,
        ref["n_res_mean"] / ref["L"] * (h / ref["h"]) ** (1 + x),
        "k--",
        lw=1,
        label=rf"$\propto h^{{1+x}}$, $x = {x:.2f} \pm {x_err:.2f}$ (Fig. 1)",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"threshold $h$ (units of std $J$)")
    ax.set_ylabel(r"resonant fraction $P(|\phi| < h)$ in SFS states")
    name = res["run"].iloc[0] if "run" in res else res["preset"].iloc[0]
    ax.set_title(rf"SFS states, $\alpha = {alpha:g}$, run {name}", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"{out}: {len(sfs)} points from {data}")


if __name__ == "__main__":
    run = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/quick")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else run / "figures" / "custom_resonant.png"
    main(run, out)
