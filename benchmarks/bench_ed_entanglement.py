"""Benchmark: what the eigenstate entanglement adds to one realization of the ED sweep.

One realization at L (both parity sectors, dense eigenvectors, every observable of the sweep,
eps bins and target windows: :func:`kasglass.ed.sweep.analyze_realization`) with one BLAS
thread, against the same call with the entanglement observables switched off (their values
replaced by nulls), in the same run, for several ``ed.entanglement.stride`` values. The overhead
is (t_with - t_without) / t_without.

    .venv/bin/python benchmarks/bench_ed_entanglement.py             # L = 10, 12 (~1-2 minutes)
    .venv/bin/python benchmarks/bench_ed_entanglement.py --L 12 --reps 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import kasglass.ed.observables as obs
from kasglass.ed.sweep import analyze_realization, ed_couplings
from kasglass.model import Model

_REAL = obs._entanglement


def _nulls(d):
    n = d.V.shape[1]
    return {o.name: np.full(n, np.nan) for o in obs.OBSERVABLES if o.name.startswith(("s_", "mi"))}


def one(K, h_x, stride, entanglement):
    obs._entanglement = _REAL if entanglement else _nulls
    try:
        t0 = time.perf_counter()
        analyze_realization(
            K, h_x, np.linspace(0, 1, 21), [0.1, 0.5, 0.9], 24, 0.125, "full", stride
        )
        return time.perf_counter() - t0
    finally:
        obs._entanglement = _REAL


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, nargs="+", default=[10, 12])
    ap.add_argument("--h-x", type=float, default=0.3)
    ap.add_argument("--strides", type=int, nargs="+", default=[8, 16])
    ap.add_argument(
        "--reps", type=int, default=0, help="repetitions (default: 5 at L <= 10, else 2)"
    )
    a = ap.parse_args()
    print(f"{'L':>3} {'stride':>6} {'without s':>10} {'with s':>10} {'overhead':>9}")
    with threadpool_limits(1):
        for L in a.L:
            K, _ = ed_couplings(20201221, L, 0, Model(0.7))
            reps = a.reps or (5 if L <= 10 else 2)
            one(K, a.h_x, 8, True)  # warm-up (numba, caches)
            for stride in a.strides:
                t_off, t_on = [], []
                for _ in range(reps):  # interleaved, so that drifts of the machine cancel
                    t_off.append(one(K, a.h_x, stride, False))
                    t_on.append(one(K, a.h_x, stride, True))
                off, on = min(t_off), min(t_on)
                print(
                    f"{L:>3} {stride:>6} {off:>9.3f}s {on:>9.3f}s {100 * (on - off) / off:>8.1f}%"
                )


if __name__ == "__main__":
    main()
