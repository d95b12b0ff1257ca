# Shared helpers for every stage: config validation, result paths, shard plans, target registry.
import math
import os
from pathlib import Path

from snakemake.utils import validate

from kasglass.config import validate_config

# Fail before any job runs, naming the key and the allowed range.
validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
validate(config, "../schemas/config.schema.yaml")

# Jobs import the library from this checkout even in an environment where it is not installed
# (e.g. --software-deployment-method conda with envs/kasglass.yaml).
_SRC = str(Path(workflow.basedir) / "src")
_PP = dict(os.environ).get("PYTHONPATH", "")
os.environ.update(PYTHONPATH=os.pathsep.join([_SRC] + [p for p in _PP.split(os.pathsep) if p]))
ENV = "../../envs/kasglass.yaml"

# Concurrent jobs must not race on numba's on-disk cache next to the sources.
if "NUMBA_CACHE_DIR" not in dict(os.environ):
    os.environ.update(NUMBA_CACHE_DIR=str(Path("~/.cache/kasglass/numba").expanduser()))

PRESET = config["preset"]
RES = f"results/{PRESET}"
SEED = int(config["seed"])
MODEL = config["model"]


wildcard_constraints:
    L=r"\d+",
    shard=r"\d{4}",
    alpha=r"\d\.\d{2,4}",


def fmt_alpha(a):
    """Canonical alpha string in paths: 0.70, 0.55, 0.625."""
    s = f"{float(a):.4f}".rstrip("0")
    return s if len(s.split(".")[1]) >= 2 else f"{float(a):.2f}"


# ---------------------------------------------------------------------------------------------
# Registries filled by the stage files (read lazily when the DAG is built, never at parse time
# of another stage): figure targets per figure name, tables the scorecard reads, and the SFS
# states other stages need.
FIGURES = {}  # name -> list of files (PDF + PNG) built by `snakemake <name>`
CLAIM_TABLES = {}  # table name -> path, inputs of the scorecard
SFS_DEMAND = {}  # L -> {alpha: number of stored SFS/random states needed by later stages}


def register_figure(name, *stems):
    files = []
    for stem in stems:
        files += [f"{RES}/figures/{stem}.pdf", f"{RES}/figures/{stem}.png"]
    FIGURES.setdefault(name, [])
    FIGURES[name] += files
    return files


def all_targets():
    targets = [f for files in FIGURES.values() for f in files]
    targets += [f"{RES}/data/claims.parquet", f"{RES}/data/claims.md"]
    return targets


# ---------------------------------------------------------------------------------------------
# SFS shards: realization r of size L lives in shard r // shard_size(L).
def shard_size(L):
    """Realizations per SFS job: shards.sfs_realizations_at_L1000 scaled as (1000/L)^2."""
    s = config["shards"]["sfs_realizations_at_L1000"] * (1000.0 / int(L)) ** 2
    return max(1, int(round(s)))


def n_shards(L, n):
    return math.ceil(int(n) / shard_size(L))


def demand_sfs_states(L, alpha, n):
    """Declare (at parse time) that a stage needs the first n stored states at (L, alpha)."""
    d = SFS_DEMAND.setdefault(int(L), {})
    d[float(alpha)] = max(d.get(float(alpha), 0), int(n))


def sfs_state_files(L, n):
    """State files of the SFS shards holding realizations 0..n-1 at size L."""
    return [
        f"{RES}/sfs/L{int(L)}/shard{s:04d}.states.parquet" for s in range(n_shards(L, n))
    ]


def fields_demand(L):
    """{alpha: n_hist} wanted by Fig. 1 (main alpha and inset alphas) at size L."""
    fc = config["fields"]
    out = {}
    if int(L) in fc["L"]:
        i = fc["L"].index(int(L))
        out[float(fc["alpha"])] = int(fc["n_realizations"][i])
        for a in fc["inset"]["alphas"]:
            out[float(a)] = max(out.get(float(a), 0), int(fc["inset"]["n_realizations"][i]))
    return out


def sfs_sizes():
    return sorted(set(config["fields"]["L"]) | set(SFS_DEMAND))


def sfs_n_max(L):
    hist = fields_demand(L)
    st = SFS_DEMAND.get(int(L), {})
    return max(list(hist.values()) + list(st.values()) + [0])


def sfs_plan(L, shard):
    """Per-alpha realization counts *within* this shard (clipped to its range), so growing a
    realization count only adds shards and never reruns completed ones."""
    L, shard = int(L), int(shard)
    lo = shard * shard_size(L)
    hi = lo + shard_size(L)
    hist = fields_demand(L)
    st = SFS_DEMAND.get(L, {})
    plan = []
    for a in sorted(set(hist) | set(st)):
        nh = min(max(hist.get(a, 0) - lo, 0), hi - lo)
        ns = min(max(st.get(a, 0) - lo, 0), hi - lo)
        if nh or ns:
            plan.append({"alpha": a, "n_hist": lo + nh, "n_states": lo + ns})
    return plan


def sfs_mem_mb(L, shard):
    """Memory request of an SFS job (MB), from measured peaks (benchmarks/bench_sfs.py and the
    paper / extended runs: 261 MB at L = 200 with 5000 realizations, 274 MB at L = 3000, 967 MB
    at L = 10000): 400 MB for the interpreter and compiled kernels, the raw-J matrix 8 L^2 bytes
    x 1.5, and ~1.6 kB per (realization, alpha) summary row pair x 2."""
    L = int(L)
    lo = int(shard) * shard_size(L)
    rows = sum(max(p["n_hist"], p["n_states"]) - lo for p in sfs_plan(L, shard))
    return 400 + int(12 * L * L / 1e6) + int(3.2e-3 * rows)


def sfs_files(kind, L):
    return [
        f"{RES}/sfs/L{int(L)}/shard{s:04d}.{kind}.parquet"
        for s in range(n_shards(L, sfs_n_max(L)))
    ]
