"""Measured costs of the stages: single-core seconds and peak memory per unit of work, from which
the plan sizes its shards and requests resources.

Every number comes from ``benchmarks/`` or from the Snakemake benchmark records of real runs on
this project's 2-core machine (one BLAS thread per job); a cluster node of another speed is
covered by the runtime margin and by the retries, which scale the requests with the attempt.

Shard sizes depend only on the per-realization cost at a given size L (never on how many
realizations are requested), so raising a realization count adds shards and never relabels the
finished ones. One knob sets them all: ``shards.job_minutes``, the single-core minutes one job
should take (``shards.stage_minutes`` overrides it per stage); results never depend on it.
"""

from __future__ import annotations

import math

#: runtime request = RUNTIME_MARGIN x the estimate + RUNTIME_FLOOR_MIN minutes (first attempt)
RUNTIME_MARGIN = 2.0
RUNTIME_FLOOR_MIN = 5
#: every retry multiplies both requests by this factor, up to the caps below
RETRY_FACTOR = 2.0
MEM_CAP_MB = 256_000
RUNTIME_CAP_MIN = 7 * 24 * 60
#: SFS summaries cost ~3.2 kB per (realization, alpha) pair in memory; a shard keeps at most this
#: many pairs (about 0.8 GB)
SFS_MAX_ROWS = 250_000


def job_minutes(cfg: dict, stage: str) -> float:
    """Target single-core minutes per job of ``stage``: ``shards.stage_minutes.<stage>`` if set,
    else ``shards.job_minutes``."""
    sh = cfg["shards"]
    return float((sh.get("stage_minutes") or {}).get(stage, sh["job_minutes"]))


def per_job(seconds_each: float, minutes: float, cap: int | None = None) -> int:
    """Realizations per job: as many as fit in ``minutes`` single-core minutes (at least 1, at
    most ``cap``)."""
    n = max(1, int(minutes * 60.0 // max(seconds_each, 1e-12)))
    return min(n, cap) if cap else n


def runtime_minutes(seconds: float) -> int:
    """Runtime request (minutes) of a job estimated at ``seconds`` single-core seconds."""
    return RUNTIME_FLOOR_MIN + int(math.ceil(RUNTIME_MARGIN * seconds / 60.0))


def runtime_scale() -> float:
    """Factor on every runtime request, from the environment variable ``KASGLASS_RUNTIME_SCALE``
    (default 1): for nodes slower (or faster) than the machine the costs were measured on. It
    changes requests only, never results."""
    import os

    v = os.environ.get("KASGLASS_RUNTIME_SCALE", "")
    try:
        f = float(v) if v else 1.0
    except ValueError:
        raise ValueError(f"KASGLASS_RUNTIME_SCALE must be a positive number; got {v!r}") from None
    if not (f > 0 and math.isfinite(f)):
        raise ValueError(f"KASGLASS_RUNTIME_SCALE must be a positive number; got {v!r}")
    return f


def scaled(mem_mb: int, runtime: int, attempt: int) -> dict:
    """Requests of attempt ``attempt`` (1 = first): times RETRY_FACTOR^(attempt - 1), capped;
    runtimes also times :func:`runtime_scale` (at least one minute)."""
    f = RETRY_FACTOR ** max(int(attempt) - 1, 0)
    rt = max(1, int(math.ceil(runtime * runtime_scale())))
    return {
        "mem_mb": int(min(mem_mb * f, MEM_CAP_MB)),
        "runtime": int(min(rt * f, RUNTIME_CAP_MIN)),
    }


# ---------------------------------------------------------------------------------------------
# SFS stage (disorder manifest + relaxation; benchmarks/bench_sfs.py, bench_matrix_free.py): at
# L = 3000 one realization takes 36-55 ms in the shard loop depending on the machine (couplings
# and the fused fields of the random state, then per alpha the random-order relaxation and the
# exact fields); 5900-7700 realizations/s at L = 200 with one alpha.


# The matrix-free path (sfs.matrix_free_from_L) regenerates the couplings: two pair passes of
# L^2 / 2 normals shared by every alpha, then per alpha the accumulation of those passes and one
# row of L normals per flip (about 0.8 L flips); measured 0.73-0.84 s per realization at
# L = 10^4 and 85-94 s at L = 10^5 with one alpha, 2.84 s at 10^4 with four
# (benchmarks/bench_matrix_free.py; the dense path: 0.75-0.90 s and 1.68 s at 10^4).


def sfs_seconds(L: int, n_alpha: int, matrix_free: bool = False) -> float:
    """Seconds per realization at size L with ``n_alpha`` alphas (common couplings)."""
    if matrix_free:
        return 1.5e-5 + 3.0e-9 * L * L + 6.3e-9 * L * L * max(n_alpha, 1)
    return 1.5e-5 + 2.5e-9 * L * L + 1.6e-9 * L * L * max(n_alpha, 1)


def sfs_mem_mb(L: int, rows: int, matrix_free: bool = False, n_alpha: int = 1) -> int:
    """Peak memory (MB) of an SFS job: interpreter and kernels, the raw-J matrix 8 L^2 bytes
    x 1.5 (none on the matrix-free path: three L-vectors per alpha), and ~3.2 kB per
    (realization, alpha) summary row pair (measured 261 MB at L = 200 with 5000 realizations,
    274 MB at L = 3000, 967 MB at L = 10^4)."""
    J = 24 * L * max(n_alpha, 1) / 1e6 if matrix_free else 12 * L * L / 1e6
    return 400 + int(J) + int(3.2e-3 * rows)


# ---------------------------------------------------------------------------------------------
# Avalanche stage (benchmarks/bench_resonances.py: 0.90 M steps/s at L = 1000, one O(L) field
# update per step; regenerating the couplings costs about one SFS coupling draw).


def avalanche_seconds(L: int, n_runs_per_state: int, n_steps: int) -> float:
    """Seconds per stored state: ``n_runs_per_state`` = alphas x ensembles x h_x runs."""
    return 2.5e-9 * L * L + n_runs_per_state * (1.1e-9 * L * n_steps + 1e-3)


def avalanche_mem_mb(L: int) -> int:
    return 300 + int(3 * 8 * L * L / 1e6)


# ---------------------------------------------------------------------------------------------
# Two-spin resonance stage (bench_resonances.py: 105-173 M pairs/s in the pair scan).


def resonances_seconds(L: int, n_alpha: int) -> float:
    """Seconds per realization: couplings, then per alpha and ensemble fields and the pair scan."""
    return 2.5e-9 * L * L + n_alpha * 2 * (L * L / 2) * 1.5e-8


def resonances_mem_mb(L: int) -> int:
    return 300 + int(8 * L * L / 1e6)


# ---------------------------------------------------------------------------------------------
# 2FS stage (benchmarks/bench_twoflip.py, alpha = 0.6): the relaxation of an SFS state takes
# 0.09-0.15 s at L = 4000 (pruned pair scans, effectively O(L) each; ~60 pair moves), the
# coupling bounds 0.04 s, the couplings and fields of the stored state ~0.05 s more.


def twoflip_seconds(L: int, n_alpha: int) -> float:
    """Seconds per realization: couplings, then per alpha the fields and the 2FS relaxation."""
    return 1e-3 + 2.5e-9 * L * L + n_alpha * 1e-8 * L * L


def twoflip_mem_mb(L: int) -> int:
    return 300 + int(2 * 8 * L * L / 1e6)


# ---------------------------------------------------------------------------------------------
# ED stage (benchmarks/bench_ed.py: L = 12, both sectors with vectors, r, eps and m_EA,
# 1.7-2.0 s on one idle core, dsyevd dominates, x8 per spin). Shift-invert windows (32 levels per
# sector, both sectors; benchmarks/bench_ed_cost.py and the paper_fss run): about 17 CPU-s per
# target at L = 14 (the paper_fss jobs, 3 targets: 37-63 s per realization) and 1000 CPU-s at
# L = 16 (one target, h_x = 0.3), i.e. x7.7 per spin from 14 to 16 (SuperLU's fill-in; x5.6 per
# spin from 12 to 14); SuperLU factors 1.8e7 nonzeros at L = 14, 8e7 at 15.


#: float32 against float64 dense ED, whole realization (benchmarks/bench_ed_precision.py)
FLOAT32_ED_FACTOR = 0.6


#: dense ED with ``ed.device: gpu`` against the CPU, whole realization, host seconds: the
#: eigensolver moves to the GPU, the observables and the Ritz step stay on the host. Measured
#: at L = 12 on an H200 (docs/ed_gpu.md): 0.28 with one job alone on the GPU, 0.32 with 16 jobs
#: sharing it (benchmarks/bench_ed_gpu.py and the paper_fig3 run). Kept at the planning value
#: 0.25 because it sets the shard size (realizations per job), so that presets/paper_fig3.yaml
#: plans exactly the shards of its published run.
GPU_ED_FACTOR = 0.25


def ed_seconds(
    L: int, method: str, n_targets: int, precision: str = "float64", device: str = "cpu"
) -> float:
    """Seconds per realization and h_x (dense ED: with the entanglement observables,
    FLOAT32_ED_FACTOR of that in single precision, GPU_ED_FACTOR of that on a GPU; shift-invert
    windows always run on the CPU)."""
    if method == "full":
        t = 0.05 + 3.0 * 8.0 ** (L - 12)
        t *= FLOAT32_ED_FACTOR if precision == "float32" else 1.0
        return t * (GPU_ED_FACTOR if device == "gpu" else 1.0)
    return n_targets * SHIFT_INVERT_TARGET_S * SHIFT_INVERT_GROWTH ** (L - 14)


#: shift-invert: CPU seconds per target energy at L = 14 (both sectors) and the growth per spin
SHIFT_INVERT_TARGET_S = 17.0
SHIFT_INVERT_GROWTH = 7.7


def ed_mem_mb(L: int, method: str) -> int:
    if method == "full":
        return 300 + int(4 * 8 * 4 ** (L - 1) / 1e6)
    return 600 + int(1.5 * 12 * 1.8e7 * 4.5 ** (L - 14) / 1e6)


# ---------------------------------------------------------------------------------------------
# Resonant-cluster stage (benchmarks/bench_dynamics.py: dense eigh with vectors ~15 s at
# dim 4096; Chebyshev averaging ~3e-4 2^l l s per 10^4 time units).


#: ssyevd plus its float64 refinement against dsyevd, with eigenvectors (both sectors at L = 12:
#: 1.81 s against 2.53 s, docs/ed_precision.md)
FLOAT32_EIGH_FACTOR = 0.72


def eigh_seconds(dim: int, precision: str = "float64") -> float:
    return 2.2e-10 * float(dim) ** 3 * (FLOAT32_EIGH_FACTOR if precision == "float32" else 1.0)


def cluster_seconds(
    L: int, L_R: list[int], chebyshev_from: int | None, t_avg: float, precision: str = "float64"
) -> float:
    """Seconds per SFS state: every L_R of it (dense ED in ``precision``, or the Chebyshev
    route)."""
    s = 2.5e-9 * L * L
    for l in L_R:
        if chebyshev_from is not None and l >= chebyshev_from:
            s += 3e-4 * 2**l * l * t_avg / 1e4
        else:
            s += eigh_seconds(2**l, precision)
    return s


def cluster_mem_mb(
    L: int, L_R: list[int], chebyshev_from: int | None, dense_too: list[int] = ()
) -> int:
    """Peak memory of a polarization job: the couplings, the largest dense H_R with its
    eigenvectors (the polarization's dense L_R and ``dense_too``, the entanglement L_R, which
    are always dense) and the Chebyshev vectors."""
    dense = [l for l in L_R if chebyshev_from is None or l < chebyshev_from] + list(dense_too)
    dense = dense or [1]
    return (
        400
        + int(16 * L * L / 1e6)
        + int(5 * 8 * 4 ** max(dense) / 1e6)
        + int(100 * 2 ** max(L_R) / 1e6)
    )


# ---------------------------------------------------------------------------------------------
# Quench stage: one parity-sector diagonalization per (realization, h_x), then the time grid.


def quench_seconds(
    L: int, n_h: int, n_times: int, n_initial: int, precision: str = "float64"
) -> float:
    """Seconds per realization (every h_x)."""
    eig = 2 * eigh_seconds(2 ** (L - 1), precision)
    return n_h * (eig + 4e-10 * 4**L * (n_times + 1) * 2 * n_initial)


def quench_mem_mb(L: int) -> int:
    return 500 + int(5 * 8 * 4**L / 1e6)
