#!/usr/bin/env python3
"""Validate single-precision ED (knob ``ed.precision: float32``) against float64 on the same
realizations, and write docs/ed_precision.md.

For realizations r = 0..n-1 at size L and transverse field h_x (the ED sweep's disorder,
``derive_seed(seed, "ed", L, r)``), both parity sectors are diagonalized densely in float64
(dsyevd) and in float32 (ssyevd). Compared level by level (the spectra sorted, same index):
the energies, the gap ratios r, the eigenstate m_EA and the half-ring entropy; and bin by bin
(eps bins, as in Fig. 3): the disorder averages against their statistical errors. Near-degenerate
levels are where float32 differs: the report counts the levels whose spacing to a neighbour is
below the single-precision resolution and how much their r and m_EA change.

    .venv/bin/python scripts/ed_precision_report.py --n 128 --jobs 2     # L = 12, ~10 min
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def one(args):
    seed, L, h_x, r = args
    from threadpoolctl import threadpool_limits

    from kasglass.ed.basis import pair_products, z_eigenvalues
    from kasglass.ed.observables import m_ea
    from kasglass.ed.spectra import diagonalize_sectors, gap_ratios
    from kasglass.ed.sweep import ed_couplings
    from kasglass.model import Model
    from kasglass.quantum.entanglement import sector_half_entropy

    K, _ = ed_couplings(seed, L, r, Model(0.7))
    Zp = pair_products(z_eigenvalues(L)[: 2 ** (L - 1)])
    out = {}
    with threadpool_limits(1):
        for prec in ("float64", "float32"):
            t0 = time.perf_counter()
            secs = diagonalize_sectors(K, h_x, vectors=True, precision=prec)
            t_diag = time.perf_counter() - t0
            per = []
            for p, E, V in secs:
                per.append(
                    dict(
                        E=E,
                        r=gap_ratios(E),
                        m=m_ea(V, Zp, L)[0],
                        s=sector_half_entropy(V, L, p, L // 2),
                    )
                )
            out[prec] = (per, t_diag)
    return r, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, default=12)
    ap.add_argument("--h-x", type=float, default=0.3)
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20201221)
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--out", default=str(REPO / "docs" / "ed_precision.md"))
    a = ap.parse_args()
    t0 = time.time()
    with ProcessPoolExecutor(a.jobs) as ex:
        res = dict(ex.map(one, [(a.seed, a.L, a.h_x, r) for r in range(a.n)]))
    wall = time.time() - t0
    edges = np.linspace(0, 1, a.bins + 1)
    # level-by-level differences and per-realization bin sums (for cluster errors)
    dE, dr, dm, ds, near, dr_near, dm_near = [], [], [], [], 0, [], []
    n_levels = 0
    sums = {prec: np.zeros((a.n, a.bins, 3, 2)) for prec in ("float64", "float32")}  # (n, s)
    t_diag = {"float64": 0.0, "float32": 0.0}
    for i, r in enumerate(sorted(res)):
        o = res[r]
        for prec in t_diag:
            t_diag[prec] += o[prec][1]
        E_all = np.concatenate([s["E"] for s in o["float64"][0]])
        e_min, e_max = E_all.min(), E_all.max()
        scale = np.abs(E_all).max()
        for s64, s32 in zip(o["float64"][0], o["float32"][0], strict=True):
            dE.append(np.abs(s64["E"] - s32["E"]).max() / scale)
            dr.append(np.abs(s64["r"] - s32["r"]))
            dm.append(np.abs(s64["m"] - s32["m"]))
            ds.append(np.abs(s64["s"] - s32["s"]))
            gaps = np.diff(s64["E"])
            close = np.zeros(len(s64["E"]), bool)
            tight = gaps < 1e-6 * scale  # below float32 resolution of the energies
            close[:-1] |= tight
            close[1:] |= tight
            near += int(close.sum())
            n_levels += len(s64["E"])
            dm_near.append(np.abs(s64["m"] - s32["m"])[close])
            dr_near.append(np.abs(s64["r"] - s32["r"])[close[1:-1]])
            for prec, sec in (("float64", s64), ("float32", s32)):
                eps = (sec["E"] - e_min) / (e_max - e_min)
                b = np.clip(np.searchsorted(edges, eps, side="right") - 1, 0, a.bins - 1)
                for q, (key, bb) in enumerate((("r", b[1:-1]), ("m", b), ("s", b))):
                    x = sec[key]
                    ok = np.isfinite(x)
                    sums[prec][i, :, q, 0] += np.bincount(bb[ok], minlength=a.bins)
                    sums[prec][i, :, q, 1] += np.bincount(bb[ok], weights=x[ok], minlength=a.bins)
    from kasglass.stats import ratio_mean

    rows = []
    for q, name in enumerate(("r", "m_EA", "S_half")):
        for k in range(a.bins):
            m64, e64 = ratio_mean(sums["float64"][:, k, q, 1], sums["float64"][:, k, q, 0])
            m32, _ = ratio_mean(sums["float32"][:, k, q, 1], sums["float32"][:, k, q, 0])
            rows.append((name, k, m64, e64, m32, abs(m32 - m64) / e64 if e64 > 0 else np.nan))
    dr, dm, ds = np.concatenate(dr), np.concatenate(dm), np.concatenate(ds)
    dr_near, dm_near = np.concatenate(dr_near), np.concatenate(dm_near)
    worst = {
        name: max(x[5] for x in rows if x[0] == name and np.isfinite(x[5]))
        for name in ("r", "m_EA", "S_half")
    }
    lines = [
        "# Single-precision ED, validated against float64",
        "",
        "Generated by `scripts/ed_precision_report.py` "
        f"(`--L {a.L} --h-x {a.h_x:g} --n {a.n}`; {wall / 60:.1f} min on {a.jobs} cores). "
        f"Both parity sectors of {a.n} realizations of the ED sweep (alpha = 0.7, seed "
        f"{a.seed}) are diagonalized densely in float64 (dsyevd) and in float32 (ssyevd, "
        "`ed.precision: float32`), and compared level by level and bin by bin.",
        "",
        "## Cost",
        "",
        f"Dense diagonalization of both sectors, one thread, mean per realization: float64 "
        f"{t_diag['float64'] / a.n:.2f} s, float32 {t_diag['float32'] / a.n:.2f} s "
        f"(ratio {t_diag['float64'] / t_diag['float32']:.2f}).",
        "",
        "## Level by level",
        "",
        f"- energies: largest |E_32 - E_64| / max|E| over all levels {max(dE):.1e};",
        f"- gap ratios r ({len(dr)} levels): median |dr| {np.median(dr):.1e}, 99.9th percentile "
        f"{np.quantile(dr, 0.999):.1e}, largest {dr.max():.2f}; |dr| > 0.01 for "
        f"{np.mean(dr > 0.01):.2e} of the levels;",
        f"- m_EA: median |d m_EA| {np.median(dm):.1e}, largest {dm.max():.2e}; S_half: median "
        f"{np.median(ds):.1e}, largest {ds.max():.2e};",
        f"- near-degenerate levels (a neighbour closer than 1e-6 max|E|, the float32 resolution): "
        f"{near} of {n_levels} ({near / n_levels:.1e}); on them the largest |dr| is "
        f"{dr_near.max() if len(dr_near) else 0:.2f} and the largest |d m_EA| "
        f"{dm_near.max() if len(dm_near) else 0:.2e} (their eigenvectors mix within the pair).",
        "",
        "## Bin by bin (the disorder averages of Fig. 3)",
        "",
        "| quantity | eps bin | float64 | error | float32 | abs. difference / error |",
        "|---|---|---|---|---|---|",
    ]
    for name, k, m64, e64, m32, dev in rows:
        lines.append(
            f"| {name} | [{edges[k]:.1f}, {edges[k + 1]:.1f}) | {m64:.5f} | {e64:.1e} | "
            f"{m32:.5f} | {dev:.1e} |"
        )
    lines += [
        "",
        "## Verdict",
        "",
        f"The largest difference of a bin average is {worst['r']:.1e} (r), {worst['m_EA']:.1e} "
        f"(m_EA) and {worst['S_half']:.1e} (S_half) of its statistical error over {a.n} "
        "realizations. "
        + (
            "float32 is accurate enough for every disorder average of the sweep. float64 stays "
            "the default: with float32 the values of individual near-degenerate levels change "
            "and the tables would carry single-precision rounding, which differs between "
            "LAPACK builds at the 1e-6 level, so a run would no longer reproduce to 1e-12; "
            "`ed.precision: float32` is the knob for the paper's statistics, at the cost above."
            if max(worst.values()) < 0.1
            else "float32 differs by more than a tenth of an error somewhere: keep float64."
        ),
        "",
    ]
    Path(a.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
