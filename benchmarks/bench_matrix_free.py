"""The SFS stage's two coupling paths: dense (the L x L matrix of raw Gaussians) and matrix-free
(rows and field passes regenerated from the counter-based stream), and the stage's throughput.

Run: .venv/bin/python benchmarks/bench_matrix_free.py [--quick] [--baseline SRC]

Measured in one run, one thread, each point in a fresh subprocess (its own peak memory):
- seconds per realization (one alpha, random order, the shard runner as the workflow calls it)
  and the process's peak resident memory (VmHWM) together with the resident memory just before
  the run (interpreter, numpy, numba, pandas and the compiled kernels), at L = 10^3, 10^4,
  3 x 10^4 and 10^5 for both paths where they fit (dense: up to 3 x 10^4, 7.2 GB);
- the shard runner's realizations/s at L = 200 and L = 3000 (one alpha, seed manifest, as the
  workflow's sfs job), and, with ``--baseline SRC`` (the ``src`` folder of another checkout, e.g.
  a ``git worktree`` of the previous release), the same for that code in the same run: the ratio
  is the speed-up of this checkout (the seconds per realization of every point above, too).
- the Gaussian stream's cost per draw (ns, long blocks from L1, best of 5), and from it the
  floor of each stage target: a realization at size L needs L(L-1)/2 draws (dense path) before
  any other work, so the stream alone caps the SFS stage at 1 / (L(L-1)/2 x ns) realizations/s.
``--repeat K`` takes the best of K runs of each stage rate (this checkout and the baseline
alternating), for machines whose speed varies from run to run.
Numbers are printed and written to benchmarks/out/bench_matrix_free.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

POINT = """
import os, time
os.environ["OMP_NUM_THREADS"] = "1"
from kasglass.model import Model
from kasglass.sampling import Demand, run_shard

def rss(key):
    return [int(x.split()[1]) / 1024 for x in open("/proc/self/status") if x.startswith(key)][0]

mf = {mf}
run_shard(1, 64, 0, 1, [Demand(Model(0.6), 1, 0)], matrix_free=mf)  # compile outside the timing
before = rss("VmRSS")
t = time.perf_counter()
out = run_shard(7, {L}, 0, {n}, [Demand(Model(0.6), {n}, 0)], matrix_free=mf)
dt = time.perf_counter() - t
s = out["summary"]
flips = float(s[s["ensemble"] == "sfs"]["n_flips"].mean())
print(dt / {n}, before, rss("VmHWM"), flips)
"""

RATE = """
import os, time
os.environ["OMP_NUM_THREADS"] = "1"
from kasglass.model import Model
from kasglass.sampling import Demand, run_shard
from kasglass.seeds import seed_table
plan = [Demand(Model(0.7), {n}, 0)]
run_shard(1, {L}, 10_000, 10_001, plan)
t = time.perf_counter()
seeds = seed_table(1, {L}, 0, {n})
run_shard(1, {L}, 0, {n}, plan, seeds=seeds)
print({n} / (time.perf_counter() - t))
"""

DRAW = """
import time, numpy as np
from kasglass.rng import normals_block
out, miss = np.empty(4096), np.empty(256, np.int64)
normals_block(np.uint64(1), 0, out, miss)
best = 1e9
for rep in range(5):
    t = time.perf_counter()
    for k in range(1000):
        normals_block(np.uint64(k), 4096 * k, out, miss)
    best = min(best, (time.perf_counter() - t) / 4096e3)
print(best * 1e9)
"""


def _run(code: str, src: Path) -> list[float]:
    env = dict(os.environ, PYTHONPATH=str(src), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI smoke)")
    ap.add_argument("--baseline", type=Path, help="src folder of another checkout to compare")
    ap.add_argument("--repeat", type=int, default=1, help="best of K runs of each stage rate")
    ap.add_argument("--stage-only", action="store_true", help="skip the per-path points")
    args = ap.parse_args(argv)
    sizes = (
        [(1000, 20), (3000, 3)] if args.quick else [(1000, 50), (10000, 3), (30000, 1), (100000, 1)]
    )
    res = {"paths": [], "stage": {}}
    for L, n in [] if args.stage_only else sizes:
        for mf in (False, True):
            if not mf and L > 30000:
                continue  # 80 GB
            sec, before, peak, flips = _run(POINT.format(L=L, n=n, mf=mf), SRC)
            row = {
                "L": L,
                "path": "matrix_free" if mf else "dense",
                "s_per_realization": sec,
                "rss_before_mb": before,
                "peak_rss_mb": peak,
                "flips_per_spin": flips / L,
            }
            msg = (
                f"L={L:>6} {row['path']:>11}: {sec:8.3f} s/realization, peak {peak:7.0f} MB "
                f"(before the run {before:.0f} MB, the run itself {peak - before:.0f} MB), "
                f"flips/L {flips / L:.3f}"
            )
            if args.baseline:
                b = _run(POINT.format(L=L, n=n, mf=mf), args.baseline)
                row.update(baseline_s=b[0], baseline_peak_rss_mb=b[2], speedup=b[0] / sec)
                msg += f"; baseline {b[0]:.3f} s ({b[0] / sec:.2f}x), peak {b[2]:.0f} MB"
            res["paths"].append(row)
            print(msg, flush=True)
    ns = _run(DRAW, SRC)[0]
    res["draw_ns"] = {"this": ns}
    msg = f"Gaussian stream: {ns:.2f} ns per draw"
    if args.baseline:
        b = _run(DRAW, args.baseline)[0]
        res["draw_ns"].update(baseline=b, ratio=b / ns)
        msg += f" (baseline {b:.2f} ns, {b / ns:.2f}x)"
    print(msg, flush=True)
    for L, n in ((200, 300 if args.quick else 3000), (3000, 3 if args.quick else 30)):
        floor = 1e9 / (L * (L - 1) / 2 * ns)
        runs, base = [], []
        for _ in range(args.repeat):
            runs.append(_run(RATE.format(L=L, n=n), SRC)[0])
            if args.baseline:
                base.append(_run(RATE.format(L=L, n=n), args.baseline)[0])
        r = max(runs)
        res["stage"][f"L{L}"] = {"this": r, "runs": runs, "stream_floor": floor}
        msg = (
            f"SFS stage L={L}: {r:.1f} realizations/s (best of {len(runs)}; the stream alone "
            f"allows at most {floor:.1f}/s here)"
        )
        if args.baseline:
            b = max(base)
            res["stage"][f"L{L}"].update(baseline=b, baseline_runs=base, ratio=r / b)
            msg += f" (baseline {b:.1f}/s, ratio {r / b:.2f})"
        print(msg, flush=True)
    out = HERE / "out" / "bench_matrix_free.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(res, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
