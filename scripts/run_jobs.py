#!/usr/bin/env python3
"""Run planned jobs of one rule without Snakemake: for a machine that has the numerical stack but
not the workflow (a GPU box, say), so its outputs can join a Snakemake run elsewhere.

    # here: write the jobs of the plan (the same plan Snakemake builds from these config files)
    python scripts/run_jobs.py plan --configfile presets/paper_fig3.yaml \
        --config ed.fig3.n_realizations=2000 --rule ed -o jobs.json
    # there (PYTHONPATH=src; numpy, scipy, pandas, pyarrow, numba, pyyaml; CuPy for ed.device gpu)
    python scripts/run_jobs.py run jobs.json --workers 16 --deadline 400
    # here again: Snakemake takes the shard files as they are and runs the rest
    snakemake --cores 2 fig3 --configfile presets/paper_fig3.yaml

``run`` executes each job exactly as the workflow's adapter does (:func:`kasglass.stages.execute`:
the same parameters, the same tables with the producing job recorded in them), one BLAS thread per
worker process, and writes each job's log and a benchmark record in Snakemake's format (wall and
CPU seconds of the job, the worker's peak resident memory so far) at the plan's paths. Jobs whose
outputs exist are skipped (an interrupted run resumes); outputs are written atomically, so a job
killed midway leaves nothing. Jobs run in order of their first realization, then label, so that
``--deadline`` (seconds after which no job is started) leaves the first realizations of every
parameter point complete: shard boundaries do not depend on the realization count, so a preset
whose count is cut to the completed blocks plans exactly the shards that exist.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time"


def cmd_plan(args) -> None:
    from kasglass.config import load_config
    from kasglass.stages import build_plan

    over: dict = {}
    for item in args.config:  # dotted.key=value (value read as YAML)
        import yaml

        key, _, value = item.partition("=")
        node = over
        *parents, last = key.split(".")
        for k in parents:
            node = node.setdefault(k, {})
        node[last] = yaml.safe_load(value)
    plan = build_plan(load_config(*args.configfile, overrides=over or None))
    jobs = []
    for label in plan.labels(args.rule):
        job = plan.job(args.rule, label)
        d = dataclasses.asdict(job)
        d["log"] = plan.log_pattern(args.rule).format(label=label)
        d["benchmark"] = plan.benchmark_pattern(args.rule).format(label=label)
        jobs.append(d)
    Path(args.output).write_text(json.dumps({"rule": args.rule, "jobs": jobs}, indent=1))
    print(f"{len(jobs)} jobs of rule {args.rule} -> {args.output}")


def _done(d: dict) -> bool:
    return all(Path(p).exists() for p in d["outputs"].values())


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _run_one(d: dict) -> tuple[str, float, float]:
    from kasglass.io import setup_logging
    from kasglass.runtime import configure_threads
    from kasglass.stages import Job, execute

    configure_threads(1)
    setup_logging(d["log"])
    job = Job(**{k: v for k, v in d.items() if k in {f.name for f in dataclasses.fields(Job)}})
    job.expect = {k: tuple(v) for k, v in job.expect.items()}
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    execute(job, write=True)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    rss_mb = r1.ru_maxrss / 1024.0
    Path(d["benchmark"]).parent.mkdir(parents=True, exist_ok=True)
    row = f"{wall:.4f}\t{_hms(wall)}\t{rss_mb:.2f}\t-\t-\t-\t-\t-\t-\t{cpu:.2f}"
    Path(d["benchmark"]).write_text(BENCH_HEADER + "\n" + row + "\n")
    return d["label"], wall, cpu


def _warm() -> None:
    """Compile the numba kernels the jobs use before the workers fork (they inherit them)."""
    from kasglass.couplings import draw_J

    draw_J(0, 8)


def cmd_run(args) -> int:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    spec = json.loads(Path(args.jobs).read_text())
    jobs = [d for d in spec["jobs"] if not _done(d)]
    jobs.sort(key=lambda d: (d["params"].get("lo", 0), d["label"]))
    n_all = len(spec["jobs"])
    print(f"{n_all - len(jobs)} of {n_all} jobs already done; {len(jobs)} to run", flush=True)
    _warm()
    t_start = time.monotonic()
    deadline = t_start + args.deadline if args.deadline > 0 else float("inf")
    ctx = mp.get_context("fork")  # workers inherit the compiled kernels; no CUDA before the fork
    done = cpu_total = 0
    failed: list[tuple[str, str]] = []
    queue = list(jobs)
    # a job that raises is reported and the others go on; a worker that dies (out of memory, a
    # crashed driver) breaks the pool, which raises here instead of waiting forever
    with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
        pending = {}
        while queue or pending:
            while queue and len(pending) < args.workers and time.monotonic() < deadline:
                d = queue.pop(0)
                pending[pool.submit(_run_one, d)] = d["label"]
            if not pending:
                break
            finished, _ = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            for fut in finished:
                label = pending.pop(fut)
                try:
                    _, wall, cpu = fut.result()
                except Exception as e:  # noqa: BLE001 - reported, and the run exits non-zero
                    failed.append((label, f"{type(e).__name__}: {e}"))
                    print(f"FAILED {label}: {type(e).__name__}: {e}", flush=True)
                    continue
                done += 1
                cpu_total += cpu
                el = time.monotonic() - t_start
                print(
                    f"[{el:7.1f} s] {done}/{len(jobs)} {label}: {wall:.1f} s wall, {cpu:.1f} s "
                    f"CPU; {done / el * 60:.1f} jobs/min, about "
                    f"{(len(jobs) - done) * el / done:.0f} s left",
                    flush=True,
                )
    el = time.monotonic() - t_start
    left = len(queue)
    print(
        f"ran {done} jobs in {el:.1f} s ({cpu_total:.0f} CPU-s); {len(failed)} failed; {left} not "
        "started" + (" (deadline)" if left else ""),
        flush=True,
    )
    return 1 if failed else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan", help="write the jobs of one rule of the plan to a JSON file")
    p.add_argument("--configfile", nargs="+", default=[], help="presets over config.yaml")
    p.add_argument(
        "--config",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="overrides, e.g. ed.fig3.n_realizations=2000 (dotted keys, YAML values)",
    )
    p.add_argument("--rule", required=True)
    p.add_argument("-o", "--output", required=True)
    r = sub.add_parser("run", help="run the jobs of a JSON file written by 'plan'")
    r.add_argument("jobs")
    r.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    r.add_argument(
        "--deadline", type=float, default=0.0, help="seconds after which no job starts; 0: none"
    )
    args = ap.parse_args(argv)
    return {"plan": cmd_plan, "run": cmd_run}[args.cmd](args) or 0


if __name__ == "__main__":
    raise SystemExit(main())
