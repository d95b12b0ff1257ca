"""Benchmark: entanglement of all eigenvectors of one parity sector at L = 10, 12, one BLAS thread.

Eigenvectors V of a random real symmetric matrix of the sector's size 2^(L-1) stand in for ED
eigenvectors (delocalized, real). Timed in the same run, best of --reps, interleaved:
  - eigh: numpy.linalg.eigh of that matrix, the diagonalization the entropies ride on;
  - sector: sector_half_entropy(V, L, +1, L // 2) for all 2^(L-1) eigenvectors, with V as
    numpy.linalg.eigh returns it (C order: one transposed copy inside) and as a Fortran-order
    array (the layout of scipy's eigh, kasglass.ed.spectra.eigh_sector: no copy);
  - full: the full-basis route, sector_to_full + entanglement_entropy(range(L // 2));
  - sector MI: sector_pair_mutual_information of the first --n-mi eigenvectors, all L(L-1)/2
    pairs, against the full-basis pair_mutual_information of sector_to_full of the same vectors.
The routes are checked to agree. Targets at L = 12: sector half-cut <= 0.15 s and <= 10% of eigh;
sector MI for 256 vectors <= 0.2 s.

    .venv/bin/python benchmarks/bench_entanglement.py            # L = 10, 12 (about 1 minute)
    .venv/bin/python benchmarks/bench_entanglement.py --L 12 --reps 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from kasglass.ed.basis import sector_to_full
from kasglass.quantum.entanglement import (
    entanglement_entropy,
    pair_mutual_information,
    sector_half_entropy,
    sector_pair_mutual_information,
)


def timed(f, *args):
    t0 = time.perf_counter()
    out = f(*args)
    return time.perf_counter() - t0, out


def full_half(V, L, n_A):
    return entanglement_entropy(sector_to_full(V, L, 1), L, range(n_A))


def full_mi(V, L):
    return pair_mutual_information(sector_to_full(V, L, 1), L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, nargs="+", default=[10, 12])
    ap.add_argument("--reps", type=int, default=3, help="repetitions (best of)")
    ap.add_argument("--n-mi", type=int, default=256, help="eigenvectors for the pair MI")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    threadpool_limits(1)
    print(
        f"{'L':>3} {'dim':>5} {'eigh s':>7} {'sector s':>8} {'sec(F) s':>8} {'full s':>7} "
        f"{'full/sec':>8} {'sec/eigh':>8} {'MI sec s':>8} {'MI full s':>9} {'full/sec':>8}"
    )
    for L in args.L:
        n = 2 ** (L - 1)
        n_A = L // 2
        rng = np.random.default_rng(args.seed + L)
        A = rng.standard_normal((n, n))
        A = A + A.T
        k = min(args.n_mi, n)
        sector_half_entropy(A[:, :4] / np.linalg.norm(A[:, :4], axis=0), L, 1, n_A)  # warm-up
        t_e = t_s = t_F = t_f = t_ms = t_mf = np.inf
        for _ in range(args.reps):
            t, (_, V) = timed(np.linalg.eigh, A)
            t_e = min(t_e, t)
            t, S_s = timed(sector_half_entropy, V, L, 1, n_A)
            t_s = min(t_s, t)
            VF = np.asfortranarray(V)
            t, S_F = timed(sector_half_entropy, VF, L, 1, n_A)
            t_F = min(t_F, t)
            t, S_f = timed(full_half, V, L, n_A)
            t_f = min(t_f, t)
            t, I_s = timed(sector_pair_mutual_information, V[:, :k], L, 1)
            t_ms = min(t_ms, t)
            t, I_f = timed(full_mi, V[:, :k], L)
            t_mf = min(t_mf, t)
        assert np.allclose(S_s, S_f, atol=1e-10), "sector and full half-cut entropies differ"
        assert np.allclose(S_F, S_f, atol=1e-10), "Fortran-order input differs"
        assert np.allclose(I_s, I_f, atol=1e-10), "sector and full mutual information differ"
        print(
            f"{L:>3} {n:>5} {t_e:>7.3f} {t_s:>8.3f} {t_F:>8.3f} {t_f:>7.3f} {t_f / t_s:>8.2f} "
            f"{t_s / t_e:>8.3f} {t_ms:>8.3f} {t_mf:>9.3f} {t_mf / t_ms:>8.2f}",
            flush=True,
        )
        print(
            f"    mean half-cut S = {S_s.mean():.4f} (n_A = {n_A}); mean pair MI = {I_s.mean():.2e}"
            f" over {k} vectors x {L * (L - 1) // 2} pairs"
        )
    print(
        "dim: sector size (all its eigenvectors for the half cut); sec/eigh: C-order sector time"
        " / eigh, target <= 0.10"
    )


if __name__ == "__main__":
    main()
