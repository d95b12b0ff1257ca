"""Benchmark: one realization of the ED sweep in float64 against float32 (knob ed.precision).

Per realization (same disorder, one BLAS thread): build both parity sectors, dense
diagonalization with eigenvectors, and every observable of the sweep (r, eps, m_EA, the
entanglement) in eps bins and target windows (:func:`kasglass.ed.sweep.analyze_realization`),
interleaved so that drifts of the machine cancel; min over repetitions. Accuracy: see
scripts/ed_precision_report.py and docs/ed_precision.md.

    .venv/bin/python benchmarks/bench_ed_precision.py              # L = 8, 10, 12 (~1-2 minutes)
    .venv/bin/python benchmarks/bench_ed_precision.py --L 12 13 --reps 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from kasglass.ed.sweep import analyze_realization, ed_couplings
from kasglass.model import Model


def one(K, h_x, precision):
    t0 = time.perf_counter()
    analyze_realization(
        K, h_x, np.linspace(0, 1, 21), [0.1, 0.5, 0.9], 24, 0.125, "full", 16, precision
    )
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, nargs="+", default=[8, 10, 12])
    ap.add_argument("--h-x", type=float, default=0.3)
    ap.add_argument(
        "--reps", type=int, default=0, help="repetitions (default: 5 at L <= 10, else 2)"
    )
    a = ap.parse_args()
    print(f"{'L':>3} {'float64':>9} {'float32':>9} {'speed-up':>9}")
    with threadpool_limits(1):
        for L in a.L:
            K, _ = ed_couplings(20201221, L, 0, Model(0.7))
            reps = a.reps or (5 if L <= 10 else 2)
            one(K, a.h_x, "float32")  # warm-up
            t = {"float64": [], "float32": []}
            for _ in range(reps):
                for p in t:
                    t[p].append(one(K, a.h_x, p))
            t64, t32 = min(t["float64"]), min(t["float32"])
            print(f"{L:>3} {t64:>8.3f}s {t32:>8.3f}s {t64 / t32:>8.2f}x")


if __name__ == "__main__":
    main()
