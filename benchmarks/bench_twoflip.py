"""2FS relaxation throughput: the numba kernel against the numpy reference, in one run.

Run: .venv/bin/python benchmarks/bench_twoflip.py [--quick]

Measures, on one core (one BLAS thread), starting from the SFS state (random single-flip order)
of a random initial state at alpha = 0.6, periodic distances:
- realizations/s of the 2FS relaxation at L = 1000 (random SFS and pair orders) for
  :func:`kasglass.twoflip.relax2_from` and for :func:`kasglass.twoflip.relax2_reference` (on the
  first few of the same realizations), and the ratio on the realizations both ran; both must
  reach the same state;
- seconds per realization at L = 4000 for the kernel (bounds pass included), with the pair moves
  and single flips per realization and the energy per spin gained over the SFS state, for each
  pair order.
Numbers are printed and written to benchmarks/out/bench_twoflip.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from kasglass import couplings as c  # noqa: E402
from kasglass import sfs  # noqa: E402
from kasglass import twoflip as tf  # noqa: E402
from kasglass.runtime import configure_threads  # noqa: E402
from kasglass.sampling import initial_state  # noqa: E402
from kasglass.seeds import derive_seed  # noqa: E402

ALPHA = 0.6
BASE_SEED = 3


def sfs_start(L, r):
    """(M, wf, Z_sfs, phi): couplings of realization r and the SFS state of its random start."""
    M = c.raw_coupling_matrix(derive_seed(BASE_SEED, "couplings", L, r), L)
    wf = c.offset_weights(L, ALPHA)
    Z = initial_state(derive_seed(BASE_SEED, "initial_state", L, r), L)
    phi, _ = sfs.relax_w(M, wf, Z, 0, r, np.empty(0, np.int64))
    return M, wf, Z, phi


def run_kernel(M, wf, Z, phi, pair_order, seed):
    """(seconds, n_single, n_pair, energy per spin gained) of one kernel relaxation."""
    Zc = Z.copy()
    t = time.perf_counter()
    phi2, n1, n2 = tf.relax2_from(M, wf, Zc, phi.copy(), 0, pair_order, seed)
    dt = time.perf_counter() - t
    return dt, n1, n2, (0.5 * Zc @ phi2 - 0.5 * Z @ phi) / len(Z), Zc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer realizations (smoke test)")
    args = ap.parse_args()
    configure_threads(1)
    q = args.quick
    n_fast, n_ref, n_big = (5, 1, 2) if q else (20, 3, 5)
    res = {}

    # compile outside the timing
    M, wf, Z, phi = sfs_start(50, 0)
    for po in tf.PAIR_ORDERS.values():
        tf.relax2_from(M, wf, Z.copy(), phi.copy(), 0, po, 0)

    # --- L = 1000: kernel vs reference ------------------------------------------------------
    L = 1000
    starts = [sfs_start(L, r) for r in range(n_fast)]
    rows = [run_kernel(M, wf, Z, phi, 0, 100 + r) for r, (M, wf, Z, phi) in enumerate(starts)]
    t_fast = sum(x[0] for x in rows) / n_fast
    t_ref = 0.0
    for r in range(n_ref):
        M, wf, Z, phi = starts[r]
        K = c.coupling_matrix(c.draw_J_pairs(BASE_SEED, L, r), L, ALPHA)
        t = time.perf_counter()
        Zr, _, n1r, n2r, _ = tf.relax2_reference(K, Z, "random", "random", 100 + r)
        t_ref += time.perf_counter() - t
        if not (np.array_equal(Zr, rows[r][4]) and (n1r, n2r) == rows[r][1:3]):
            raise RuntimeError(f"kernel and reference differ at L={L}, realization {r}")
    t_ref /= n_ref
    t_same = sum(x[0] for x in rows[:n_ref]) / n_ref  # kernel on the reference's realizations
    res["L1000"] = {
        "kernel_realizations_per_s": 1.0 / t_fast,
        "reference_realizations_per_s": 1.0 / t_ref,
        "speedup": t_ref / t_same,
        "pair_moves_mean": float(np.mean([x[2] for x in rows])),
        "single_flips_mean": float(np.mean([x[1] for x in rows])),
        "energy_gain_per_spin_mean": float(np.mean([x[3] for x in rows])),
        "n_kernel": n_fast,
        "n_reference": n_ref,
    }

    # --- L = 4000: kernel, every pair order -------------------------------------------------
    L = 4000
    big = {}
    t = time.perf_counter()
    starts = [sfs_start(L, r) for r in range(n_big)]
    t_setup = (time.perf_counter() - t) / n_big
    for name, po in tf.PAIR_ORDERS.items():
        rows = [run_kernel(M, wf, Z, phi, po, 100 + r) for r, (M, wf, Z, phi) in enumerate(starts)]
        big[name] = {
            "seconds_per_realization": float(np.mean([x[0] for x in rows])),
            "seconds_max": float(np.max([x[0] for x in rows])),
            "pair_moves_mean": float(np.mean([x[2] for x in rows])),
            "single_flips_mean": float(np.mean([x[1] for x in rows])),
            "energy_gain_per_spin_mean": float(np.mean([x[3] for x in rows])),
            "energy_sfs_per_spin_mean": float(np.mean([0.5 * s[2] @ s[3] / L for s in starts])),
        }
    res["L4000"] = big
    res["L4000_setup_seconds_per_realization"] = t_setup
    res["n_L4000"] = n_big

    out = Path(__file__).with_name("out")
    out.mkdir(exist_ok=True)
    (out / "bench_twoflip.json").write_text(json.dumps(res, indent=2))

    a = res["L1000"]
    print(f"2FS relaxation from SFS states, alpha = {ALPHA}, 1 core (random SFS and pair orders)")
    print(f"L = 1000 ({n_fast} kernel / {n_ref} reference realizations, same states):")
    print(f"  numba kernel   {a['kernel_realizations_per_s']:10.1f} realizations/s")
    print(f"  numpy reference{a['reference_realizations_per_s']:10.3f} realizations/s")
    print(f"  speed-up       {a['speedup']:10.0f}x (on the reference's {n_ref} realizations)")
    print(
        f"  per realization: {a['pair_moves_mean']:.1f} pair moves, "
        f"{a['single_flips_mean']:.1f} single flips, "
        f"energy per spin {a['energy_gain_per_spin_mean']:+.4f}"
    )
    print(
        f"L = 4000 ({n_big} realizations; couplings + SFS start {t_setup:.2f} s each, not timed):"
    )
    print("  pair order   s/realization (max)   pair moves   single flips   dE/L     E_SFS/L")
    for name, b in big.items():
        print(
            f"  {name:<10} {b['seconds_per_realization']:8.3f} ({b['seconds_max']:.3f})"
            f"      {b['pair_moves_mean']:8.1f}   {b['single_flips_mean']:11.1f}"
            f"   {b['energy_gain_per_spin_mean']:+.4f}  {b['energy_sfs_per_spin_mean']:.4f}"
        )


if __name__ == "__main__":
    main()
