"""Benchmark: ED of one realization (both parity sectors, all eigenpairs) at L = 10, 12 (14).

Per realization: build the two sector Hamiltonians and diagonalize them with eigenvectors, with
one BLAS thread. Compared in the same run against
  - a naive reference: the full 2^L basis (no parity sectors), numpy.linalg.eigh;
  - QuSpin (optional: ``pip install quspin``): spin_basis_1d(L, zblock=+-1, pauli=1) with the same
    static ZZ + X terms, hamiltonian(...).eigh() per sector.
The spectra of the three are checked to agree. Also reported: seconds per realization at L = 12
and the achieved fraction of the machine's single-thread dgemm rate, counting a nominal
(4/3 + 4/3 + 2) n^3 = 14/3 n^3 flops per dense eigendecomposition with vectors (tridiagonal
reduction, divide and conquer, back-transformation).

    .venv/bin/python benchmarks/bench_ed.py            # L = 10, 12 (about 1-2 minutes)
    .venv/bin/python benchmarks/bench_ed.py --L 10 12 14
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from kasglass.ed.hamiltonian import full_hamiltonian, sector_hamiltonian
from kasglass.ed.spectra import eigh_sector
from kasglass.ed.sweep import ed_couplings
from kasglass.model import Model


def ours(K, h_x):
    t0 = time.perf_counter()
    Es = []
    for p in (1, -1):
        E, V = eigh_sector(sector_hamiltonian(K, h_x, p))
        Es.append(E)
    return time.perf_counter() - t0, Es


def naive(K, h_x):
    t0 = time.perf_counter()
    E, V = np.linalg.eigh(full_hamiltonian(K, h_x))
    return time.perf_counter() - t0, E


def quspin_available():
    try:
        import quspin  # noqa: F401

        return True
    except ImportError:
        return False


def quspin_terms(K, h_x):
    """QuSpin's static ZZ and X coupling lists of H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i."""
    L = K.shape[0]
    zz = [[K[i, j], i, j] for i in range(L) for j in range(i + 1, L)]
    xx = [[-h_x, i] for i in range(L)]
    return zz, xx


def quspin_sector_hamiltonian(L, z, zz, xx):
    """QuSpin's Hamiltonian in the spin-reversal sector zblock = z (Pauli matrices)."""
    from quspin.basis import spin_basis_1d
    from quspin.operators import hamiltonian

    return hamiltonian(
        [["zz", zz], ["x", xx]],
        [],
        basis=spin_basis_1d(L, zblock=z, pauli=1),
        dtype=np.float64,
        check_symm=False,
        check_herm=False,
        check_pcon=False,
    )


def quspin_eigh(K, h_x):
    zz, xx = quspin_terms(K, h_x)
    t0 = time.perf_counter()
    Es = []
    for z in (1, -1):
        E, V = quspin_sector_hamiltonian(K.shape[0], z, zz, xx).eigh()
        Es.append(E)
    return time.perf_counter() - t0, Es


def dgemm_rate(n=2048, reps=3):
    a = np.random.default_rng(0).random((n, n))
    b = a.copy()
    best = np.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, nargs="+", default=[10, 12])
    ap.add_argument("--h-x", type=float, default=0.3)
    ap.add_argument(
        "--naive-max-L",
        type=int,
        default=11,
        help="largest L for the full-basis reference (cost 8x the sectors)",
    )
    ap.add_argument("--reps", type=int, default=0, help="repetitions (default: 5, 2, 1 by L)")
    args = ap.parse_args()
    threadpool_limits(1)
    rate = dgemm_rate()
    print(f"single-thread dgemm: {rate / 1e9:.1f} GFLOP/s")
    have_qs = quspin_available()
    if not have_qs:
        print("QuSpin not installed (pip install quspin): QuSpin column skipped")
    print(
        f"{'L':>3} {'dim/sector':>10} {'ours s':>8} {'quspin s':>9} {'quspin/ours':>11} "
        f"{'naive s':>8} {'naive/ours':>10} {'dgemm frac':>10}"
    )
    for L in args.L:
        K, _ = ed_couplings(1, L, 0, Model(0.7))
        reps = args.reps if args.reps else (5 if L <= 10 else 2 if L <= 12 else 1)
        if L <= 10:
            ours(K, args.h_x)  # warm-up
        # interleave the contenders rep by rep, so machine-load drifts hit both alike; best of reps
        t_o = t_q = t_n = np.inf
        for _ in range(reps):
            t, E_o = ours(K, args.h_x)
            t_o = min(t_o, t)
            if have_qs:
                t, E_q = quspin_eigh(K, args.h_x)
                t_q = min(t_q, t)
            if L <= args.naive_max_L:
                t, E_n = naive(K, args.h_x)
                t_n = min(t_n, t)
        a = np.sort(np.concatenate(E_o))
        if have_qs:
            assert np.allclose(a, np.sort(np.concatenate(E_q)), atol=1e-9), "QuSpin differs"
        if L <= args.naive_max_L:
            assert np.allclose(a, E_n, atol=1e-9), "full-basis spectrum differs"
        n = 2 ** (L - 1)
        frac = (2 * 14.0 / 3.0 * n**3 / t_o) / rate
        t_q = t_q if np.isfinite(t_q) else float("nan")
        t_n = t_n if np.isfinite(t_n) else float("nan")
        print(
            f"{L:>3} {n:>10} {t_o:>8.3f} {t_q:>9.3f} {t_q / t_o:>11.2f} {t_n:>8.3f} "
            f"{t_n / t_o:>10.2f} {frac:>10.2f}",
            flush=True,
        )
        if L == 12:
            print(f"    L = 12: {t_o:.2f} s per realization (both sectors, eigenvectors, 1 core)")
    print("ratios > 1: ours faster; dgemm frac: nominal 14/3 n^3 flops per sector / time / rate")


if __name__ == "__main__":
    main()
