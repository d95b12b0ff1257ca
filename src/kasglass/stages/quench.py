"""Stage ``quench``: quench dynamics of full chains from random and SFS product states (Fig. S4,
beyond the paper; :mod:`kasglass.quench`).

Rules
-----
- ``quench`` (one job per (L, shard of realizations)): every h_x in the same job, one
  diagonalization per (realization, h_x) serving every initial state and time;
- ``quench_aggregate``: C(t) means over realizations and the distribution over spins of the
  infinite-time memory.
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Figure, Job, Step
from . import costs as C
from .common import (
    ALPHA,
    ENSEMBLE,
    H_X,
    L_COL,
    N_REAL,
    REALIZATION,
    SFS_PARAMS,
    fmt,
    model,
    ranges,
    shard_label,
)

_PARAMS = SFS_PARAMS + (
    ("n_initial", "dynamics.quench.n_initial", "int64"),
    ("degenerate_tol", "dynamics.quench.degenerate_tol", "float64"),
    ("precision", "dynamics.quench.precision", "str"),
    ("device", "dynamics.quench.device", "str"),
)
_T = Col(
    "t",
    "float64",
    "hbar/std(J)",
    "time (inf: the infinite-time value at resolution dynamics.quench.degenerate_tol)",
)

TABLES = register(
    Schema(
        "quench_series",
        "One row per (h_x, ensemble, realization, time) of one shard.",
        (
            L_COL,
            ALPHA,
            H_X,
            ENSEMBLE,
            REALIZATION,
            Col("seed", "int64", "", "seed of the couplings"),
            Col("t_index", "int64", "", "index of the time (the last one: infinite time)"),
            _T,
            Col("C", "float64", "", "C(t) averaged over the realization's initial states"),
            Col("eps", "float64", "", "their mean scaled energy density"),
        ),
        figure=False,
    ),
    Schema(
        "quench_spins",
        "One row per (h_x, ensemble, realization, initial state, site) of one shard.",
        (
            L_COL,
            ALPHA,
            H_X,
            ENSEMBLE,
            REALIZATION,
            Col("state", "int64", "", "initial state index"),
            Col("site", "int64", "", "site i"),
            Col("q", "float64", "", "infinite-time memory Z_i(0) <Z_i>_inf"),
        ),
        figure=False,
    ),
    Schema(
        "figS4_quench",
        "Fig. S4 (a, b): C(t) = (1/L) sum_i <Z_i(t)> Z_i(0) per (L, h_x, ensemble, t).",
        (
            ALPHA,
            L_COL,
            H_X,
            ENSEMBLE,
            _T,
            Col("C_mean", "float64", "", "mean over realizations (each averaged over its states)"),
            Col("C_err", "float64", "", "standard error over realizations"),
            Col("eps_mean", "float64", "", "mean scaled energy density of the initial states"),
            Col("n_states", "int64", "", "initial states"),
            N_REAL,
        ),
        params=_PARAMS,
    ),
    Schema(
        "figS4_memory",
        "Fig. S4 (c): distribution over spins of q = Z_i(0) <Z_i>_inf per (L, h_x, ensemble).",
        (
            ALPHA,
            L_COL,
            H_X,
            ENSEMBLE,
            Col("q_lo", "float64", "", "lower bin edge"),
            Col("q_hi", "float64", "", "upper edge"),
            Col("count", "int64", "", "spins in the bin"),
            Col("density", "float64", "", "count / (n_spins x width), normalised on [-1, 1]"),
            Col("q_mean", "float64", "", "mean q over the spins"),
            Col("n_spins", "int64", "", "spins (all states of all realizations)"),
            N_REAL,
        ),
        params=_PARAMS,
    ),
)


def run(params: dict, inputs: dict) -> dict:
    from ..model import Model
    from ..quantum import log_time_grid
    from ..quench import quench_shard

    p = params
    times = log_time_grid(p["t_min"], p["t_max"], p["n_times"])
    series, spins = quench_shard(
        p["seed"],
        p["L"],
        p["lo"],
        p["hi"],
        Model.from_dict(p["model"]),
        p["h_x"],
        p["n_initial"],
        times,
        order=p["order"],
        degenerate_tol=p["degenerate_tol"],
        precision=p["precision"],
        device=p["device"],
    )
    return {"series": series, "spins": spins}


def run_aggregate(params: dict, inputs: dict) -> dict:
    from ..io import read_tables
    from ..quench import aggregate_quench

    quench, memory = aggregate_quench(
        read_tables(inputs["series"]), read_tables(inputs["spins"]), params["q_bins"]
    )
    return {"quench": quench, "memory": memory}


STEPS = {
    "quench": Step(
        run,
        {
            "series": ("quench_series", "quench/{label}.series.parquet"),
            "spins": ("quench_spins", "quench/{label}.spins.parquet"),
        },
    ),
    "quench_aggregate": Step(
        run_aggregate,
        {
            "quench": ("figS4_quench", "data/figS4_quench.parquet"),
            "memory": ("figS4_memory", "data/figS4_memory.parquet"),
        },
        sharded=False,
    ),
}


def plan(ctx) -> list[Job]:
    cfg, dyn = ctx.cfg, ctx.cfg["dynamics"]
    qu = dyn["quench"]
    jobs, series, spins = [], [], []
    for L, n in zip(qu["L"], qu["n_realizations"], strict=True):
        L = int(L)
        each = C.quench_seconds(
            L, len(qu["h_x"]), int(qu["n_times"]), int(qu["n_initial"]), qu["precision"]
        )
        per = C.per_job(each, C.job_minutes(cfg, "quench"))
        for k, (lo, hi) in enumerate(ranges(int(n), per)):
            label = shard_label(f"alpha{fmt(dyn['alpha'])}/L{L}", k)
            params = {
                "seed": int(cfg["seed"]),
                "L": L,
                "lo": lo,
                "hi": hi,
                "model": model(cfg, dyn["alpha"]).as_dict(),
                "h_x": [float(h) for h in qu["h_x"]],
                "n_initial": int(qu["n_initial"]),
                "t_min": float(qu["t_min"]),
                "t_max": float(qu["t_max"]),
                "n_times": int(qu["n_times"]),
                "degenerate_tol": float(qu["degenerate_tol"]),
                "precision": qu["precision"],
                "device": qu["device"],
                "order": cfg["sfs"]["order"],
            }
            jobs.append(
                Job(
                    "quench",
                    label,
                    params,
                    {},
                    {},
                    mem_mb=C.quench_mem_mb(L),
                    seconds=(hi - lo) * each,
                )
            )
            series.append(ctx.path("quench/{label}.series.parquet", label))
            spins.append(ctx.path("quench/{label}.spins.parquet", label))
    jobs.append(
        Job(
            "quench_aggregate",
            "",
            {"q_bins": int(qu["q_bins"])},
            {"series": series, "spins": spins},
            {},
            mem_mb=2000,
            runtime=30,
            provenance=ctx.provenance("sfs", "dynamics.alpha", "dynamics.quench"),
        )
    )
    return jobs


def figures(ctx) -> list[Figure]:
    d = f"{ctx.root}/data"
    return [
        Figure(
            "figS4",
            {"quench": f"{d}/figS4_quench.parquet", "memory": f"{d}/figS4_memory.parquet"},
            {"h_x_distribution": float(ctx.cfg["dynamics"]["quench"]["h_x_distribution"])},
        )
    ]
