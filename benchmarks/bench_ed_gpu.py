"""Benchmark: the GPU path of the dense diagonalizations (``ed.device: gpu``) against the CPU, in
one run on one machine (the GPU machine's own CPU: one core, one BLAS thread).

Two measurements, each on the same disorder for every device and precision:

- the eigensolver alone (:func:`kasglass.ed.spectra.eigh_sector` of the even parity sector,
  eigenvectors included, results on the host; float32 includes its float64 refinement), at
  sector dimension 2^(L-1) for each L (the CPU up to ``--cpu-max-L``);
- one whole ED-sweep realization at L = 12 (:func:`kasglass.ed.sweep.analyze_realization`: both
  sectors, every observable of the sweep, 20 eps bins, three target windows), wall and CPU time of
  the process: on the GPU the observables stay on the host, so this is the speed-up a job sees.

Times are medians over ``--reps`` runs after one warm-up (the GPU's first call initializes
cuSOLVER). Writes a JSON record with a Markdown summary (``summary_md``) that
scripts/ed_gpu_report.py puts into docs/ed_gpu.md.

    python benchmarks/bench_ed_gpu.py -o bench_ed_gpu.json       # needs CuPy and a CUDA device
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from kasglass.ed import gpu
from kasglass.ed.hamiltonian import sector_hamiltonian
from kasglass.ed.spectra import eigh_sector
from kasglass.ed.sweep import analyze_realization, ed_couplings
from kasglass.model import Model


def _time(fn, reps):
    fn()  # warm-up
    walls, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def _dump(rec: dict, path: str) -> None:
    """Write the record so far (a run cut short keeps what it measured)."""
    with open(path, "w") as f:
        json.dump(rec, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, nargs="+", default=[10, 12, 13, 14])
    ap.add_argument("--cpu-max-L", type=int, default=12)
    ap.add_argument("--h-x", type=float, default=0.3)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("-o", "--output", default="bench_ed_gpu.json")
    args = ap.parse_args()
    if not gpu.available():
        raise SystemExit("bench_ed_gpu.py needs CuPy and a CUDA device")
    rec = {
        "gpu": gpu.device_name(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "h_x": args.h_x,
        "eigh": [],
        "realization": [],
    }
    print(f"GPU {rec['gpu']}; CPU one core of {rec['cpu_count']}", flush=True)
    with threadpool_limits(limits=1):
        for L in args.L:
            K, _ = ed_couplings(0, L, 0, Model(0.7))
            H = sector_hamiltonian(K, args.h_x, 1)
            for dev in ("cpu", "gpu"):
                if dev == "cpu" and L > args.cpu_max_L:
                    continue
                for prec in ("float64", "float32"):
                    reps = args.reps if (dev == "gpu" or L <= 10) else 1
                    wall, cpu = _time(
                        lambda dev=dev, prec=prec, H=H: eigh_sector(
                            H.copy(), precision=prec, device=dev
                        ),
                        reps,
                    )
                    rec["eigh"].append(
                        {
                            "L": L,
                            "dim": H.shape[0],
                            "device": dev,
                            "precision": prec,
                            "wall_s": wall,
                            "cpu_s": cpu,
                        }  # fmt: skip
                    )
                    print(f"eigh L={L} dim={H.shape[0]} {dev} {prec}: {wall:.4f} s", flush=True)
                    _dump(rec, args.output)
        K, _ = ed_couplings(0, 12, 0, Model(0.7))
        edges = np.linspace(0, 1, 21)
        for dev in ("cpu", "gpu"):
            for prec in ("float64", "float32"):
                wall, cpu = _time(
                    lambda dev=dev, prec=prec: analyze_realization(
                        K, args.h_x, edges, [0.1, 0.5, 0.9], 24, 0.125, "full", 16, prec,
                        device=dev,
                    ),
                    1 if dev == "cpu" else args.reps,
                )  # fmt: skip
                rec["realization"].append(
                    {"L": 12, "device": dev, "precision": prec, "wall_s": wall, "cpu_s": cpu}
                )
                print(f"realization L=12 {dev} {prec}: {wall:.3f} s wall, {cpu:.3f} s CPU")
                _dump(rec, args.output)
    rec["summary_md"] = summary(rec)
    _dump(rec, args.output)
    print(rec["summary_md"])


def summary(rec: dict) -> str:
    def get(rows, **kw):
        for r in rows:
            if all(r[k] == v for k, v in kw.items()):
                return r
        return None

    out = [
        f"Measured by benchmarks/bench_ed_gpu.py on the GPU machine ({rec['gpu']}; its CPU "
        f"has {rec['cpu_count']} cores, one used, one BLAS thread), h_x = {rec['h_x']}, medians "
        "after a warm-up.",
        "",
        "Eigensolver alone (one parity sector, eigenvectors, results on the host; float32 with "
        "its float64 refinement), seconds:",
        "",
        "| L | sector dim | CPU float64 | CPU float32 | GPU float64 | GPU float32 | "
        "GPU64 vs CPU64 | GPU32 vs CPU32 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for L in sorted({r["L"] for r in rec["eigh"]}):
        c = {
            (d, p): get(rec["eigh"], L=L, device=d, precision=p)
            for d in ("cpu", "gpu")
            for p in ("float64", "float32")
        }
        dim = next(r["dim"] for r in rec["eigh"] if r["L"] == L)

        def cell(k, c=c):
            return f"{c[k]['wall_s']:.4f}" if c[k] else "–"

        def ratio(a, b, c=c):
            return f"{c[a]['wall_s'] / c[b]['wall_s']:.1f}x" if c[a] and c[b] else "–"

        out.append(
            f"| {L} | {dim} | {cell(('cpu', 'float64'))} | {cell(('cpu', 'float32'))} | "
            f"{cell(('gpu', 'float64'))} | {cell(('gpu', 'float32'))} | "
            f"{ratio(('cpu', 'float64'), ('gpu', 'float64'))} | "
            f"{ratio(('cpu', 'float32'), ('gpu', 'float32'))} |"
        )
    out += [
        "",
        "One whole ED-sweep realization at L = 12 (both sectors, every observable, 20 eps bins, "
        "3 target windows): wall seconds (CPU seconds of the process) and the speed-up over the "
        "CPU in float64:",
        "",
        "| device | float64 | float32 |",
        "|---|---|---|",
    ]
    base = get(rec["realization"], device="cpu", precision="float64")["wall_s"]
    for d in ("cpu", "gpu"):
        cells = []
        for p in ("float64", "float32"):
            r = get(rec["realization"], device=d, precision=p)
            cells.append(f"{r['wall_s']:.3f} ({r['cpu_s']:.3f}); {base / r['wall_s']:.1f}x")
        out.append(f"| {d.upper()} | " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
