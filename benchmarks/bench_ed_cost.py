"""Benchmark: single-core cost of one ED-sweep realization (one h_x) from L = 8 to 16, by method
and precision: the per-realization costs behind the paper preset's ED sizing.

Each realization is :func:`kasglass.ed.sweep.analyze_realization` with the sweep's observables
(r, eps, m_EA, entanglement), as an ED job runs it: dense diagonalization of both parity sectors
("full", float64 and float32) or shift-invert windows of 32 levels per sector around each target
energy density (float64 sparse LU). One BLAS thread, one repetition per cell at L >= 12 (these
take seconds to minutes), min of 3 below. Dense ED stops at --max-full-L (its memory is
2 x 8 x 4^(L-1) bytes: 4.3 GB at L = 14, 69 GB at L = 16).

    .venv/bin/python benchmarks/bench_ed_cost.py                     # L = 8..14 (~10 min)
    .venv/bin/python benchmarks/bench_ed_cost.py --L 16 --targets 0.5 --methods shift-invert
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from kasglass.ed.sweep import analyze_realization, ed_couplings
from kasglass.model import Model


def one(K, h_x, method, precision, targets):
    """CPU seconds of one realization (equal to the wall time on an idle core with one BLAS
    thread; the CPU time stays meaningful where other jobs share the machine)."""
    t0 = time.process_time()
    analyze_realization(K, h_x, np.linspace(0, 1, 21), targets, 32, 0.125, method, 16, precision)
    return time.process_time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, nargs="+", default=[8, 10, 12, 13, 14])
    ap.add_argument("--h-x", type=float, default=0.3)
    ap.add_argument("--targets", type=float, nargs="+", default=[0.1, 0.5, 0.9])
    ap.add_argument("--methods", nargs="+", default=["full", "shift-invert"])
    ap.add_argument("--max-full-L", type=int, default=14)
    ap.add_argument("--min-shift-invert-L", type=int, default=12)
    a = ap.parse_args()
    print(f"targets {a.targets}, h_x = {a.h_x}; CPU seconds per realization, one core")
    print(f"{'L':>3} {'full float64':>13} {'full float32':>13} {'ratio':>6} {'shift-invert':>13}")
    with threadpool_limits(1):
        for L in a.L:
            K, _ = ed_couplings(20201221, L, 0, Model(0.7))
            reps = 3 if L < 12 else 1
            cells = {}
            if "full" in a.methods and L <= a.max_full_L:
                for prec in ("float64", "float32"):
                    cells[prec] = min(one(K, a.h_x, "full", prec, a.targets) for _ in range(reps))
            if "shift-invert" in a.methods and L >= a.min_shift_invert_L:
                cells["si"] = min(
                    one(K, a.h_x, "shift-invert", "float64", a.targets) for _ in range(reps)
                )
            f = {k: f"{v:13.2f}" if k in cells else f"{'–':>13}" for k, v in cells.items()}
            ratio = (
                f"{cells['float64'] / cells['float32']:6.2f}"
                if "float64" in cells and "float32" in cells
                else f"{'–':>6}"
            )
            print(
                f"{L:>3} {f.get('float64', f'{chr(8211):>13}')} "
                f"{f.get('float32', f'{chr(8211):>13}')} {ratio} {f.get('si', f'{chr(8211):>13}')}",
                flush=True,
            )


if __name__ == "__main__":
    main()
