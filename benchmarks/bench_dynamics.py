"""Cost of the quantum-dynamics stage against naive references and alternative routes, in one run.

1. Remnant polarization of one SFS state (L = 1000) per L_R: dense route (build H_R + LAPACK evd
   + diagonal ensemble) vs the matrix-free Chebyshev time average up to t_max (numba), with the
   difference of the two P(n) (the Chebyshev value is a finite-time average; the dense value is
   the exact infinite-time one).
2. Diagonal ensemble from given eigenvectors: vectorized (one product) vs a Python loop over
   eigenstates (naive reference).
3. Quench of a full chain: parity sectors + batched evolution of every initial state and time vs
   a full-basis diagonalization with a loop over states and times (naive reference).
4. Projected single-core cost of the paper preset (Fig. 2 right and Fig. S4) from the measured
   (and, beyond the measured sizes, n^3-extrapolated) per-point times.

    .venv/bin/python benchmarks/bench_dynamics.py [--quick] [--sizes 10 11 12 13 14] [--threads 1]

Single BLAS thread by default (the pipeline runs one thread per job).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import yaml
from threadpoolctl import threadpool_limits

from kasglass import cluster, quench
from kasglass import quantum as qn
from kasglass.couplings import coupling_matrix, draw_J_pairs
from kasglass.model import Model
from kasglass.sfs import relax

ROOT = Path(__file__).resolve().parents[1]


def sfs_state(L, alpha=0.7, seed=1, r=0):
    K = coupling_matrix(draw_J_pairs(seed, L, r), L, alpha)
    Z = np.random.default_rng(r).choice([-1.0, 1.0], L)
    relax(K, Z, 0, 7 + r, np.empty(0, dtype=np.int64))
    return K, Z


def dense_point(K, Z, idx, l, h_x, n_spins=6):
    t0 = time.perf_counter()
    H, s0, _ = cluster.resonant_hamiltonian(K, Z, idx[:l], h_x)
    E, V = qn.eigh(H)
    del H
    q = qn.diagonal_ensemble_z(E, V, [s0], l)[:, 0]
    return time.perf_counter() - t0, Z[idx[:n_spins]] * q[:n_spins]


def cheb_point(K, Z, idx, l, h_x, t_max, n_spins=6):
    t0 = time.perf_counter()
    hz = cluster.frozen_fields(K, Z, idx[:l])
    Kr = np.ascontiguousarray(K[np.ix_(idx[:l], idx[:l])])
    diag = qn.classical_diagonal(Kr, hz)
    s0 = int(qn.basis_index(Z[idx[:l]]))
    zbar, nmv = qn.chebyshev_time_average_z(diag, h_x, l, s0, t_max)
    return time.perf_counter() - t0, Z[idx[:n_spins]] * zbar[:n_spins], nmv


def naive_de(E, V, s0, l):
    z = qn.z_table(l)
    out = np.zeros(l)
    for k in range(len(E)):
        out += V[s0, k] ** 2 * (z.T @ (V[:, k] ** 2))
    return out


def naive_quench(K, h_x, Z0, times):
    from kasglass.ed.hamiltonian import full_hamiltonian

    L = K.shape[0]
    E, V = np.linalg.eigh(full_hamiltonian(K, h_x))
    z = qn.z_table(L)
    C = np.empty((len(Z0), len(times)))
    for m, Zm in enumerate(Z0):
        c = V[int(qn.basis_index(Zm))]
        for a, t in enumerate(times):
            psi = V @ (np.exp(-1j * E * t) * c)
            C[m, a] = np.mean(Zm * (z.T @ np.abs(psi) ** 2))
    return C


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    ap.add_argument("--sizes", type=int, nargs="*", help="L_R values for part 1 (default 9-12)")
    ap.add_argument("--t-max", type=float, default=1e4, help="Chebyshev averaging window")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quench-L", type=int, nargs="*", default=None)
    args = ap.parse_args()
    sizes = args.sizes or ([8, 9, 10] if args.quick else [9, 10, 11, 12])
    qLs = args.quench_L or ([8] if args.quick else [10, 12])
    h_x = 0.1
    threadpool_limits(args.threads)
    print(f"BLAS threads: {args.threads}")

    # --- 1. dense vs Chebyshev ------------------------------------------------------------
    L = 1000
    K, Z = sfs_state(L)
    phi = K @ Z
    idx = cluster.select_resonant(phi, max(sizes))
    print(f"\n1. remnant polarization, one SFS state L = {L}, alpha = 0.7, h_x = {h_x}")
    print(
        f"   |phi| of the {max(sizes)} most resonant spins: "
        f"{np.round(np.abs(phi[idx]), 3).tolist()}"
    )
    qn.chebyshev_time_average_z(np.zeros(4), 0.1, 2, 0, 1.0)  # compile
    dense_t, cheb_t = {}, {}
    print(
        f"   {'L_R':>4} {'dense s':>9} {'Chebyshev s':>12} {'ratio':>7} {'matvecs':>9} "
        f"{'max|dP|':>8}  P(n) dense"
    )
    for l in sizes:
        td, Pd = dense_point(K, Z, idx, l, h_x)
        tc, Pc, nmv = cheb_point(K, Z, idx, l, h_x, args.t_max)
        dense_t[l] = td
        cheb_t[l] = tc
        print(
            f"   {l:4d} {td:9.3f} {tc:12.3f} {td / tc:7.2f} {nmv:9d} {np.abs(Pd - Pc).max():8.4f}  "
            f"{np.round(Pd, 3).tolist()}"
        )
    print(f"   (ratio = dense / Chebyshev time; Chebyshev = time average over [0, {args.t_max:g}])")

    # --- 2. diagonal ensemble: vectorized vs loop -----------------------------------------
    l = min(10, max(sizes))
    H, s0, _ = cluster.resonant_hamiltonian(K, Z, idx[:l], h_x)
    E, V = qn.eigh(H)
    t0 = time.perf_counter()
    q = qn.diagonal_ensemble_z(E, V, [s0], l)[:, 0]
    tv = time.perf_counter() - t0
    t0 = time.perf_counter()
    q_naive = naive_de(E, V, s0, l)
    tn = time.perf_counter() - t0
    print(
        f"\n2. diagonal ensemble at L_R = {l}: vectorized {tv * 1e3:.1f} ms, loop over eigenstates "
        f"{tn * 1e3:.1f} ms, speed-up {tn / tv:.1f}x, max diff {np.abs(q - q_naive).max():.1e}"
    )

    # --- 3. quench: parity sectors + batched evolution vs full basis + loops ---------------
    print("\n3. quench (8 initial states, 42 times, one h_x)")
    times = qn.log_time_grid(0.1, 1e4, 41)
    quench_t = {}
    for Lq in qLs:
        Kq = quench.quench_couplings(1, Lq, 0, Model(0.7))
        Zs, Zr = quench.quench_initial_states(1, Lq, 0, Kq, 4)
        Z0 = np.concatenate([Zs, Zr])
        t0 = time.perf_counter()
        C, _, _ = quench.quench_realization(Kq, h_x, Z0, times)
        tf = time.perf_counter() - t0
        quench_t[Lq] = tf
        if Lq <= 10:
            t0 = time.perf_counter()
            Cn = naive_quench(Kq, h_x, Z0, times)
            tn = time.perf_counter() - t0
            print(
                f"   L = {Lq}: sectors + batched {tf:.2f} s, full basis + loops {tn:.2f} s, "
                f"speed-up {tn / tf:.1f}x, max diff {np.abs(C - Cn).max():.1e}"
            )
        else:
            print(
                f"   L = {Lq}: sectors + batched {tf:.2f} s (naive reference skipped above L = 10)"
            )

    # --- 4. projection of the paper preset -------------------------------------------------
    cfg = yaml.safe_load((ROOT / "presets" / "paper.yaml").read_text())["dynamics"]
    pol, qu = cfg["polarization"], cfg["quench"]
    lmax = max(dense_t)

    def t_dense(l):
        return dense_t[l] if l in dense_t else dense_t[lmax] * 8.0 ** (l - lmax)

    def t_cheb(l):  # matvec cost ~ 2^l l, times the bandwidth (~ linear in l)
        return cheb_t[l] if l in cheb_t else cheb_t[lmax] * 2.0 ** (l - lmax) * (l / lmax) ** 2

    cf = pol.get("chebyshev_from_L_R")

    def t_route(l):
        return t_cheb(l) if cf is not None and l >= cf else t_dense(l)

    n_states = sum(pol["n_realizations"])
    print(
        f"\n4. paper preset, single core (beyond L_R = {lmax}: dense extrapolated as (2^L_R)^3, "
        f"Chebyshev as 2^L_R L_R^2; paper route: Chebyshev from L_R = {cf}):"
    )
    for l in pol["L_R"]:
        print(
            f"   L_R = {l:2d}: dense {t_dense(l):9.1f} s, Chebyshev {t_cheb(l):8.1f} s "
            "per (L, state)" + ("  [extrapolated]" if l not in dense_t else "")
        )
    for name, fn in (("all dense", t_dense), ("paper route", t_route)):
        per_state = sum(fn(l) for l in pol["L_R"])
        print(
            f"   Fig. 2 right, {name}: {per_state:.0f} s per state x {n_states} states = "
            f"{per_state * n_states / 3600:.0f} core-hours"
        )
    qmax = max(quench_t)
    tq = sum(
        quench_t.get(Lq, quench_t[qmax] * 8.0 ** (Lq - qmax)) * nr * len(qu["h_x"])
        for Lq, nr in zip(qu["L"], qu["n_realizations"], strict=True)
    )
    print(
        f"   Fig. S4: {tq / 3600:.1f} core-hours (L > {qmax} extrapolated as 8^(L - {qmax}); "
        f"8 initial states and 42 times per point as measured)"
    )


if __name__ == "__main__":
    main()
