"""Benchmark: single-core cost of one SFS state's resonant cluster at large L_R, by route: the
cost of Fig. 2 right beyond the dense limit (the paper preset's L_R 13-14 take the Chebyshev
route, ``dynamics.polarization.chebyshev_from_L_R``).

For one SFS state (L = 1000, alpha = 0.7, h_x = 0.1) and each L_R: the matrix-free Chebyshev
time average of the cluster's Z_i up to t_max (numba) and, up to --dense-max, the dense route
(build H_R, LAPACK evd in float64 and float32, diagonal ensemble). CPU seconds, one BLAS thread
(on an idle core they equal the wall time), with the peak resident memory of the process after
each L_R.

    .venv/bin/python benchmarks/bench_cluster_cost.py                    # L_R = 12, 13, 14
    .venv/bin/python benchmarks/bench_cluster_cost.py --sizes 12 13 --dense-max 13
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dynamics import sfs_state  # noqa: E402

from kasglass import cluster  # noqa: E402
from kasglass import quantum as qn  # noqa: E402


def peak_mb() -> float:
    return [int(x.split()[1]) / 1024 for x in open("/proc/self/status") if "VmHWM" in x][0]


def chebyshev(K, Z, idx, h_x, t_max):
    t0 = time.process_time()
    hz = cluster.frozen_fields(K, Z, idx)
    Kr = np.ascontiguousarray(K[np.ix_(idx, idx)])
    diag = qn.classical_diagonal(Kr, hz)
    s0 = int(qn.basis_index(Z[idx]))
    zbar, nmv = qn.chebyshev_time_average_z(diag, h_x, len(idx), s0, t_max)
    return time.process_time() - t0, Z[idx] * zbar, nmv


def dense(K, Z, idx, h_x, precision):
    t0 = time.process_time()
    H, s0, _ = cluster.resonant_hamiltonian(K, Z, idx, h_x)
    E, V = qn.eigh(H, precision=precision)
    del H
    q = qn.diagonal_ensemble_z(E, V, [s0], len(idx))[:, 0]
    return time.process_time() - t0, Z[idx] * q


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 13, 14])
    ap.add_argument("--dense-max", type=int, default=12, help="largest L_R of the dense route")
    ap.add_argument("--t-max", type=float, default=1e4, help="Chebyshev averaging window")
    ap.add_argument("--h-x", type=float, default=0.1)
    a = ap.parse_args()
    threadpool_limits(1)
    K, Z = sfs_state(1000)
    idx_all = cluster.select_resonant(K @ Z, max(a.sizes))
    qn.chebyshev_time_average_z(np.zeros(4), 0.1, 2, 0, 1.0)  # compile
    print(f"one SFS state, L = 1000, alpha = 0.7, h_x = {a.h_x}; CPU seconds, one core")
    print(
        f"{'L_R':>4} {'Chebyshev':>10} {'matvecs':>8} {'dense f64':>10} {'dense f32':>10} "
        f"{'max|dP| f64':>12} {'peak MB':>8}"
    )
    for l in a.sizes:
        idx = idx_all[:l]
        tc, Pc, nmv = chebyshev(K, Z, idx, a.h_x, a.t_max)
        cells = [f"{l:4d}", f"{tc:10.2f}", f"{nmv:8d}"]
        if l <= a.dense_max:
            t64, P64 = dense(K, Z, idx, a.h_x, "float64")
            t32, _ = dense(K, Z, idx, a.h_x, "float32")
            cells += [f"{t64:10.2f}", f"{t32:10.2f}", f"{np.abs(P64 - Pc).max():12.4f}"]
        else:
            cells += [f"{'–':>10}", f"{'–':>10}", f"{'–':>12}"]
        print(" ".join(cells), f"{peak_mb():8.0f}", flush=True)
    print(f"(Chebyshev: time average over [0, {a.t_max:g}]; dense: the infinite-time average)")


if __name__ == "__main__":
    main()
