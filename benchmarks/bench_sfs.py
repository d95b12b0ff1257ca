"""SFS stage throughput, memory and the paper preset's Fig. 1 cost.

Run: .venv/bin/python benchmarks/bench_sfs.py [--quick]

Measures, in one run and one BLAS thread:
- realizations/s of the disorder + SFS stages as the workflow runs them (the disorder manifest of
  derived seeds, then the shard runner: couplings drawn, relaxation for one alpha, histograms,
  summaries) at L = 200 and L = 3000;
- the Gaussian source alone: kasglass's counter-based stream (splitmix64 + ziggurat) against
  numpy's ``default_rng(seed).standard_normal`` for the L(L-1)/2 couplings of one realization;
- the same relaxation by a naive numpy implementation (phi = K @ Z recomputed after every flip),
  from the same states, and the ratio;
- the peak resident memory of a shard job at L = 3000 (a subprocess doing what the workflow's
  script does, two alphas) for two realization counts (it must not grow with them);
- the extrapolated wall time of the paper preset's Fig. 1 main panel on this machine's cores.
Numbers are printed and written to benchmarks/out/bench_sfs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from kasglass import couplings as c  # noqa: E402
from kasglass.model import Model  # noqa: E402
from kasglass.rng import normals  # noqa: E402
from kasglass.runtime import configure_threads  # noqa: E402
from kasglass.sampling import Demand, initial_state, run_shard  # noqa: E402
from kasglass.seeds import derive_seed, seed_table  # noqa: E402
from kasglass.sfs import relax  # noqa: E402

PAPER = {200: 1_000_000, 400: 300_000, 800: 80_000, 1500: 30_000, 3000: 10_000}


def shard_rate(L, n, seed=1):
    """Realizations/s of manifest + shard runner (as the workflow's disorder and sfs jobs)."""
    plan = [Demand(Model(0.7), n, 0)]
    run_shard(seed, L, 10_000, 10_001, plan)  # compile / warm caches outside the timing
    t = time.perf_counter()
    seeds = seed_table(seed, L, 0, n)
    t_manifest = time.perf_counter() - t
    t = time.perf_counter()
    run_shard(seed, L, 0, n, plan, seeds=seeds)
    return n / (time.perf_counter() - t + t_manifest)


def gaussian_ratio(L, n):
    """Seconds per realization's couplings: numpy default_rng vs the kasglass stream."""
    m = L * (L - 1) // 2
    normals(0, m)
    t = time.perf_counter()
    for r in range(n):
        np.random.default_rng(r).standard_normal(m)
    t_np = (time.perf_counter() - t) / n
    t = time.perf_counter()
    for r in range(n):
        normals(r, m)
    t_k = (time.perf_counter() - t) / n
    return t_np, t_k


def naive_relax(K, Z, rng):
    """Naive numpy relaxation: all fields recomputed (O(L^2)) after every flip, random order."""
    while True:
        phi = K @ Z
        unstable = np.flatnonzero(Z * phi > 0)
        if len(unstable) == 0:
            return Z
        k = unstable[rng.integers(len(unstable))]
        Z[k] = -Z[k]


def relax_ratio(L, n):
    Ks, Zs = [], []
    for r in range(n):
        Ks.append(c.coupling_matrix(c.draw_J_pairs(2, L, r), L, 0.7))
        Zs.append(initial_state(derive_seed(2, "initial_state", L, r), L))
    relax(Ks[0], Zs[0].copy(), 0, 1, np.empty(0, np.int64))
    t = time.perf_counter()
    for K, Z in zip(Ks, Zs, strict=True):
        relax(K, Z.copy(), 0, 1, np.empty(0, np.int64))
    t_numba = (time.perf_counter() - t) / n
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for K, Z in zip(Ks, Zs, strict=True):
        naive_relax(K, Z.copy(), rng)
    t_naive = (time.perf_counter() - t) / n
    # full naive realization = numpy couplings (default_rng Gaussians, K by broadcasting) + naive
    # relaxation
    t = time.perf_counter()
    for r in range(n):
        J = np.random.default_rng(derive_seed(2, "couplings", L, r)).standard_normal(c.n_pairs(L))
        K = c.coupling_matrix_reference(J, L, 0.7)
        naive_relax(K, Zs[r].copy(), rng)
    t_naive_full = (time.perf_counter() - t) / n
    return t_numba, t_naive, t_naive_full


def peak_rss_mb(L, n, tmp):
    """Peak RSS of a process doing what scripts/sfs_shard.py does: read the disorder manifest,
    simulate n realizations (two alphas, states stored), write the three Parquet outputs."""
    # the manifest is written by another job (rule disorder), as in the workflow
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from kasglass.io import write_table; from kasglass.seeds import seed_table; "
            f"write_table(seed_table(1, {L}, 0, {n}), '{tmp}/seeds.parquet')",
        ],
        check=True,
    )
    code = (
        "from kasglass.runtime import configure_threads; configure_threads(1)\n"
        "from kasglass.model import Model\n"
        "from kasglass.sampling import Demand, run_shard\n"
        "from kasglass.io import read_columns, write_table\n"
        f"s = read_columns('{tmp}/seeds.parquet',"
        " ['realization', 'seed_couplings', 'seed_initial'])\n"
        f"plan = [Demand(Model(0.7), {n}, {n}), Demand(Model(0.8), {n}, 0)]\n"
        f"out = run_shard(1, {L}, 0, {n}, plan, seeds=s)\n"
        f"[write_table(out[k], '{tmp}/' + k + '.parquet') for k in out]\n"
        # VmHWM (peak RSS of this image): unlike ru_maxrss it does not inherit the parent's peak
        # through fork + exec
        "print([int(x.split()[1]) / 1024 for x in open('/proc/self/status')"
        " if x.startswith('VmHWM')][0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer realizations (CI smoke)")
    args = ap.parse_args()
    configure_threads(1)
    q = args.quick
    res = {}
    res["rate_L200"] = shard_rate(200, 300 if q else 3000)
    res["rate_L3000"] = shard_rate(3000, 3 if q else 20)
    t_np, t_k = gaussian_ratio(200, 200 if q else 3000)
    res["gauss_numpy_us_L200"], res["gauss_kasglass_us_L200"] = 1e6 * t_np, 1e6 * t_k
    res["gauss_speedup"] = t_np / t_k
    for L, n in ((200, 20 if q else 100), (1000, 3 if q else 10)):
        tn, tv, tf = relax_ratio(L, n)
        res[f"relax_numba_s_L{L}"] = tn
        res[f"relax_naive_s_L{L}"] = tv
        res[f"relax_speedup_L{L}"] = tv / tn
        res[f"naive_realization_s_L{L}"] = tf
    res["speedup_full_L200"] = res["naive_realization_s_L200"] * res["rate_L200"]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for n in (2, 6):
            res[f"peak_rss_mb_L3000_n{n}"] = peak_rss_mb(3000, n, tmp)
    # paper preset, Fig. 1 main panel: cost per realization scales ~ L^2 (couplings dominate)
    rates = {}
    for L in PAPER:
        if L == 200:
            rates[L] = res["rate_L200"]
        elif L == 3000:
            rates[L] = res["rate_L3000"]
        else:
            rates[L] = shard_rate(L, 3 if q else max(4, int(3e6 / L**2)))
    core_s = sum(PAPER[L] / rates[L] for L in PAPER)
    res["paper_fig1_main_core_hours"] = core_s / 3600
    res["paper_fig1_main_wall_min_2cores"] = core_s / 2 / 60
    res["rates_per_L"] = rates
    out = Path(__file__).with_name("out")
    out.mkdir(exist_ok=True)
    (out / "bench_sfs.json").write_text(json.dumps(res, indent=2))
    print(
        f"disorder + SFS stages, 1 core: {res['rate_L200']:.0f} realizations/s at L=200 "
        f"(target 5000), {res['rate_L3000']:.2f}/s at L=3000 (target 10)"
    )
    print(
        "couplings of one L=200 realization: numpy default_rng "
        f"{res['gauss_numpy_us_L200']:.0f} us, "
        f"kasglass stream {res['gauss_kasglass_us_L200']:.0f} us -> {res['gauss_speedup']:.1f}x"
    )
    for L in (200, 1000):
        print(
            f"relaxation only, L={L}: numba {1e3 * res[f'relax_numba_s_L{L}']:.2f} ms, "
            f"naive numpy (K@Z per flip) {1e3 * res[f'relax_naive_s_L{L}']:.2f} ms "
            f"-> {res[f'relax_speedup_L{L}']:.0f}x"
        )
    print(f"whole realization at L=200 vs naive numpy: {res['speedup_full_L200']:.1f}x")
    print(
        "peak RSS of an L=3000 shard job: "
        f"{res['peak_rss_mb_L3000_n2']:.0f} MB (2 realizations), "
        f"{res['peak_rss_mb_L3000_n6']:.0f} MB (6 realizations)"
    )
    print("per-L rates (1 core): " + ", ".join(f"L={L}: {r:.1f}/s" for L, r in rates.items()))
    print(
        f"paper preset Fig. 1 main panel: {res['paper_fig1_main_core_hours']:.2f} core-hours "
        f"= {res['paper_fig1_main_wall_min_2cores']:.0f} min on 2 cores"
    )


if __name__ == "__main__":
    main()
