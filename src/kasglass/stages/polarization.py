"""Stage ``polarization``: remnant polarization of the most resonant spins of stored SFS states
(Fig. 2 right; :mod:`kasglass.cluster`).

Rules
-----
- ``polarization`` (one job per (L, shard of stored SFS states)): P(n, L_R) for every L_R of a
  state in the same job (:func:`kasglass.cluster.polarization_rows`);
- ``polarization_aggregate``: means over realizations, the L_R -> infinity extrapolations
  (every form, the main one marked) and the measured cost per (L, L_R).
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Job, Step
from . import costs as C
from .common import (
    ALPHA,
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
from .sfs import state_files

_N = Col("n", "int64", "", "rank of the spin by |phi| (1 = most resonant)")
_L_R = Col("L_R", "Int64", "", "quantum spins kept in the cluster (null: extrapolated L_R -> inf)")

TABLES = register(
    Schema(
        "cluster_rows",
        "One row per (realization, L_R, n) of one shard of SFS states.",
        (
            L_COL,
            ALPHA,
            H_X,
            REALIZATION,
            Col("seed_couplings", "int64", "", "seed of the couplings"),
            Col("L_R", "int64", "", "quantum spins kept in the cluster"),
            _N,
            Col("site", "int64", "", "site index of the n-th most resonant spin"),
            Col("abs_phi", "float64", "std(J)", "its |phi| in the SFS state"),
            Col("P", "float64", "", "remnant polarization Z_n(0) <Z_n>_(t -> inf)"),
            Col("seconds", "float64", "s", "wall time of this (realization, L_R)"),
        ),
        figure=False,
    ),
    Schema(
        "fig2_polarization",
        "Fig. 2 right: remnant polarization P(n, L) per (L, n): one row per L_R (means over SFS "
        "states), then one row per extrapolation form (L_R null).",
        (
            ALPHA,
            H_X,
            L_COL,
            _N,
            _L_R,
            Col(
                "extrapolation",
                "str",
                "",
                "null for finite L_R; linear, linear_upper, quadratic or largest "
                "(kasglass.extrapolation.cluster_weights)",
            ),
            Col(
                "main",
                "bool",
                "",
                "the headline extrapolation "
                "(dynamics.polarization.extrapolation when the L_R values allow it)",
            ),
            Col("P", "float64", "", "mean remnant polarization"),
            Col("P_err", "float64", "", "standard error; main row: sqrt(stat^2 + sys^2)"),
            Col(
                "P_err_stat",
                "float64",
                "",
                "statistical error over realizations (the extrapolation applied per realization)",
            ),
            Col(
                "P_err_sys",
                "float64",
                "",
                "main row: largest deviation of the other forms (null on other rows)",
            ),
            Col("L_R_min", "Int64", "", "smallest L_R of the extrapolation (null: finite L_R)"),
            Col("L_R_max", "Int64", "", "largest L_R of the extrapolation (null: finite L_R)"),
            N_REAL,
            Col("abs_phi_mean", "float64", "std(J)", "mean |phi| of the n-th most resonant spin"),
            Col("abs_phi_median", "float64", "std(J)", "its median"),
        ),
        params=SFS_PARAMS
        + (
            ("degenerate_tol", "dynamics.polarization.degenerate_tol", "float64"),
            ("chebyshev_from_L_R", "dynamics.polarization.chebyshev_from_L_R", "Int64"),
            ("chebyshev_t_avg", "dynamics.polarization.chebyshev_t_avg", "float64"),
        ),
    ),
    Schema(
        "polarization_cost",
        "Measured cost of the cluster dynamics per (L, L_R): wall seconds per SFS state (a "
        "timing, so it differs between runs; beside the Snakemake benchmark records).",
        (
            L_COL,
            Col("L_R", "int64", "", "quantum spins kept"),
            Col("seconds_mean", "float64", "s", "mean wall time per state"),
            Col("seconds_max", "float64", "s", "largest wall time of a state"),
            N_REAL,
        ),
        params=SFS_PARAMS,
    ),
)


def run(params: dict, inputs: dict) -> dict:
    from ..cluster import polarization_rows
    from ..model import Model
    from ..sfs import load_state_range

    p = params
    m = Model.from_dict(p["model"])
    states = load_state_range(inputs["states"], [m.alpha], ["sfs"], p["lo"], p["hi"], p["L"])
    reals, Z = states[(m.alpha, "sfs")]
    rows = polarization_rows(
        p["seed"],
        p["L"],
        reals,
        Z,
        m,
        p["h_x"],
        p["L_R"],
        p["n_spins"],
        tol=p["degenerate_tol"],
        chebyshev_from=p["chebyshev_from"],
        t_avg=p["t_avg"],
    )
    return {"rows": rows}


def run_aggregate(params: dict, inputs: dict) -> dict:
    import logging

    from ..cluster import aggregate_polarization
    from ..io import read_tables

    rows = read_tables(inputs["rows"])
    table = aggregate_polarization(rows, params["extrapolation"], tuple(params["alternatives"]))
    cost = (
        rows.drop_duplicates(["L", "realization", "L_R"])
        .groupby(["L", "L_R"], sort=True)["seconds"]
        .agg(seconds_mean="mean", seconds_max="max", n_realizations="count")
        .reset_index()
    )
    log = logging.getLogger(__name__)
    for _, r in cost.iterrows():
        log.info(
            "cost L=%d L_R=%d: %.3g s per state (max %.3g s)",
            r["L"],
            r["L_R"],
            r["seconds_mean"],
            r["seconds_max"],
        )
    return {"table": table, "cost": cost}


STEPS = {
    "polarization": Step(run, {"rows": ("cluster_rows", "polarization/{label}.parquet")}),
    "polarization_aggregate": Step(
        run_aggregate,
        {
            "table": ("fig2_polarization", "data/fig2_polarization.parquet"),
            "cost": ("polarization_cost", "benchmarks/polarization_cost.parquet"),
        },
        sharded=False,
    ),
}


def sfs_demand(cfg: dict) -> list:
    dyn = cfg["dynamics"]
    pol = dyn["polarization"]
    return [
        (int(L), float(dyn["alpha"]), int(n))
        for L, n in zip(pol["L"], pol["n_realizations"], strict=True)
    ]


def plan(ctx) -> list[Job]:
    cfg, dyn = ctx.cfg, ctx.cfg["dynamics"]
    pol = dyn["polarization"]
    L_R = [int(x) for x in pol["L_R"]]
    cf = pol["chebyshev_from_L_R"]
    jobs, files = [], []
    for L, n in zip(pol["L"], pol["n_realizations"], strict=True):
        L = int(L)
        each = C.cluster_seconds(L, L_R, cf, float(pol["chebyshev_t_avg"]))
        per = C.per_job(each, C.job_minutes(cfg, "polarization"))
        prefix = f"alpha{fmt(dyn['alpha'])}/hx{fmt(pol['h_x'])}/L{L}"
        for k, (lo, hi) in enumerate(ranges(int(n), per)):
            label = shard_label(prefix, k)
            params = {
                "seed": int(cfg["seed"]),
                "L": L,
                "lo": lo,
                "hi": hi,
                "model": model(cfg, dyn["alpha"]).as_dict(),
                "h_x": float(pol["h_x"]),
                "L_R": L_R,
                "n_spins": int(pol["n_spins"]),
                "degenerate_tol": float(pol["degenerate_tol"]),
                "chebyshev_from": None if cf is None else int(cf),
                "t_avg": float(pol["chebyshev_t_avg"]),
            }
            jobs.append(
                Job(
                    "polarization",
                    label,
                    params,
                    {"states": state_files(ctx, L, lo, hi)},
                    {},
                    mem_mb=C.cluster_mem_mb(L, L_R, cf),
                    runtime=C.runtime_minutes((hi - lo) * each),
                )
            )
            files.append(ctx.path("polarization/{label}.parquet", label))
    jobs.append(
        Job(
            "polarization_aggregate",
            "",
            {
                "extrapolation": pol["extrapolation"],
                "alternatives": list(pol["alt_extrapolations"]),
            },
            {"rows": files},
            {},
            mem_mb=2000,
            runtime=30,
            provenance=ctx.provenance("sfs", "dynamics.alpha", "dynamics.polarization"),
        )
    )
    return jobs
