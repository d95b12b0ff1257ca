"""Throughput of the resonance kernels against naive numpy versions, in one run.

- Avalanche steps per second at L = 1000 (numba O(L) incremental update vs a from-scratch
  mat-vec per step).
- Two-spin pair-scan rate (pairs per second) at L = 4000 (numba streaming scan over the flat pair
  vector vs a vectorised numpy scan with L x L temporaries).
Then the projected single-core time of the paper preset of both analyses.

    .venv/bin/python benchmarks/bench_resonances.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import yaml

from kasglass import avalanche as av
from kasglass import couplings as c
from kasglass import resonances as rs
from kasglass.sfs import relax


def best_of(fn, n=3):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke test)")
    args = ap.parse_args()
    L_av, L_pair = (300, 800) if args.quick else (1000, 4000)
    steps_fast, steps_naive = (2000, 200) if args.quick else (20000, 500)

    # --- avalanche ---------------------------------------------------------------------------
    J = c.draw_J_pairs(1, L_av, 0)
    K = c.coupling_matrix(J, L_av, 0.7)
    Z = np.random.default_rng(0).integers(0, 2, L_av) * 2.0 - 1
    h = 0.1
    rec = np.array([0, steps_fast], dtype=np.int64)
    av.run_avalanche(K, Z, h, np.array([0, 10], dtype=np.int64), 1)  # compile
    t_fast, out = best_of(lambda: av.run_avalanche(K, Z, h, rec, 1))
    t_naive, n_naive = best_of(lambda: av.naive_avalanche(K, Z, h, steps_naive, 1), 2)
    r_fast = out["n_flips"] / t_fast
    r_naive = n_naive / t_naive
    print(f"avalanche, L = {L_av}, h_x = {h} (random state):")
    print(f"  numba incremental: {r_fast:12.0f} steps/s ({out['n_flips']} steps)")
    print(f"  numpy from scratch: {r_naive:11.0f} steps/s ({n_naive} steps)")
    print(f"  speed-up: {r_fast / r_naive:.1f}x")
    # the energy-conserving protocol against the literal kernel (same random state, same seed),
    # interleaved in one run
    lit, cons = [], []
    for _ in range(3):
        t, o = best_of(lambda: av.run_avalanche(K, Z, h, rec, 1), 1)
        lit.append(o["n_flips"] / t)
        t, o = best_of(lambda: av.run_avalanche(K, Z, h, rec, 1, window=h), 1)
        cons.append(o["n_flips"] / max(t, 1e-12))
    print(
        f"avalanche protocols, L = {L_av}, h_x = {h}: literal {np.median(lit):.0f} "
        f"steps/s, conserving (window {h}) {np.median(cons):.0f} steps/s "
        f"(ratio {np.median(cons) / np.median(lit):.2f}; runs stopping early count their steps)"
    )

    # --- pair scan ---------------------------------------------------------------------------
    Jp = c.draw_J_pairs(1, L_pair, 0)
    w = c.distance_weights(L_pair, 0.7)
    Kp = c.coupling_matrix(Jp, L_pair, 0.7)
    Zr = np.random.default_rng(0).integers(0, 2, L_pair) * 2.0 - 1
    Zs = Zr.copy()
    relax(Kp, Zs, 0, 3, np.empty(0, np.int64))
    hs = [0.02, 0.05, 0.1]
    n_pairs = L_pair * (L_pair - 1) // 2
    rs.pair_counts(Jp[:45], w[:10], Zr[:10], hs)  # compile
    rates = {}
    for name, Zx in (("random", Zr), ("sfs", Zs)):
        t, (cnt, _) = best_of(lambda Zx=Zx: rs.pair_counts(Jp, w, Zx, hs))
        rates[name] = n_pairs / t
        print(
            f"pair scan, L = {L_pair}, {name} state, {len(hs)} h_x at once: "
            f"{rates[name] / 1e6:8.1f} Mpairs/s (counts {[int(x) for x in cnt]})"
        )
    t_n, cnt_n = best_of(lambda: rs.naive_pair_counts(Kp, Zr, hs[-1]), 1)
    r_n = n_pairs / t_n
    print(
        f"naive numpy scan (one h_x, L x L temporaries): {r_n / 1e6:8.1f} Mpairs/s "
        f"(count {cnt_n}); speed-up {rates['random'] / r_n:.1f}x per h_x value, "
        f"{len(hs) * rates['random'] / r_n:.1f}x for {len(hs)} h_x"
    )

    # --- paper preset projection -------------------------------------------------------------
    cfg = yaml.safe_load(open("presets/paper.yaml"))
    A, R = cfg["avalanche"], cfg["resonances"]
    # the default protocols (literal and conserving), the conserving one at its measured rate
    base = yaml.safe_load(open("config.yaml"))["avalanche"]
    protocols = A.get("protocols", base["protocols"])
    runs_each = A["n_states"] * len(A["alphas"]) * len(A["h_x"]) * 2
    runs = runs_each * len(protocols)
    speed = {"literal": 1.0, "conserving": np.median(cons) / np.median(lit)}
    t_av = sum(runs_each * A["n_steps"] / (r_fast * speed[p]) for p in protocols)
    t_av *= A["L"] / L_av
    pairs = sum(n * L * (L - 1) / 2 for L, n in zip(R["L"], R["n_realizations"], strict=True))
    # per pair: the scan of both ensembles and every alpha, the fields from pairs (about one more
    # pass) and drawing J (shared by the alphas), measured here
    t_draw, _ = best_of(lambda: c.draw_J_pairs(1, L_pair, 1), 2)
    r_draw = n_pairs / t_draw
    t_rs = pairs * (len(R["alphas"]) * 2 * 2 / min(rates.values()) + 1 / r_draw)
    print(f"drawing J: {r_draw / 1e6:.1f} Mpairs/s")
    print(
        f"paper preset projection (this stage's kernels and J draws, one core; the SFS "
        f"relaxation of the stored states is the SFS stage's): avalanche {runs} runs "
        f"({', '.join(protocols)}) x {A['n_steps']} steps at L = {A['L']}: "
        f"{t_av / 60:.1f} min; two-spin counts (L up to {max(R['L'])}, "
        f"{len(R['alphas'])} alphas, 2 ensembles): {t_rs / 60:.1f} min; "
        f"on 2 cores: {(t_av + t_rs) / 120:.1f} min"
    )


if __name__ == "__main__":
    main()
