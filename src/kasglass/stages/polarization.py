"""Stage ``polarization``: remnant polarization of the most resonant spins of stored SFS states
(Fig. 2 right; :mod:`kasglass.cluster`).

Rules
-----
- ``polarization`` (one job per (L, shard of stored SFS states)): P(n, L_R) for every L_R of a
  state in the same job (:func:`kasglass.cluster.polarization_rows`);
- ``polarization_aggregate``: means over realizations, the L_R -> infinity extrapolations
  (every form, the main one marked) and the measured cost per (L, L_R).

The same jobs measure the entanglement of the resonant cluster and of a control cluster (the
L_R spins with the largest |phi|) in the diagonal ensemble of the SFS state, for the first
``dynamics.polarization.entanglement.n_realizations`` states of each L at the cluster sizes
``dynamics.polarization.entanglement.L_R`` (:func:`kasglass.cluster.entanglement_rows`), and
the aggregation writes ``fig2_entanglement``.
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Figure, Job, Step
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
_CLUSTER = Col(
    "cluster",
    "str",
    "",
    "resonant (the L_R smallest |phi|, Fig. 2 right) or control (the L_R largest |phi|)",
)
_QUANTITY = Col(
    "quantity",
    "str",
    "",
    "s_spin (entropy of one ranked spin with the rest of the cluster), s_half (half-cluster "
    "entropy: the cluster spins first along the chain), mi (pair mutual information of the "
    "n_spins first-ranked spins)",
)
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
            ("precision", "dynamics.polarization.precision", "str"),
            ("device", "dynamics.polarization.device", "str"),
            ("chebyshev_from_L_R", "dynamics.polarization.chebyshev_from_L_R", "Int64"),
            ("chebyshev_t_avg", "dynamics.polarization.chebyshev_t_avg", "float64"),
        ),
    ),
    Schema(
        "cluster_entanglement_rows",
        "One row per (realization, cluster, L_R, quantity, spin or pair) of one shard.",
        (
            L_COL,
            ALPHA,
            H_X,
            REALIZATION,
            _CLUSTER,
            Col("L_R", "int64", "", "spins of the cluster"),
            _QUANTITY,
            Col(
                "n", "int64", "", "s_spin: rank of the spin; s_half: spins in the half; mi: rank a"
            ),
            Col("m", "int64", "", "mi: rank b of the pair (-1 otherwise)"),
            Col("site", "int64", "", "s_spin: site of the spin (-1 otherwise)"),
            Col("distance", "int64", "", "mi: ring distance of the pair's sites (-1 otherwise)"),
            Col("abs_phi", "float64", "std(J)", "s_spin: |phi| of the spin (null otherwise)"),
            Col(
                "value", "float64", "", "the diagonal-ensemble mean sum_k w_k S(|k>) (natural log)"
            ),
            Col("weight", "float64", "", "diagonal-ensemble weight of the eigenstates kept"),
        ),
        figure=False,
    ),
    Schema(
        "fig2_entanglement",
        "Entanglement of the resonant spins (beyond the paper's Fig. 2): diagonal-ensemble "
        "entropies of the resonant cluster and of a control cluster of the same SFS states, one "
        "row per (L, cluster, L_R, quantity, rank or distance bin).",
        (
            ALPHA,
            H_X,
            L_COL,
            _CLUSTER,
            Col("L_R", "Int64", "", "spins of the cluster (null: extrapolated L_R -> inf)"),
            Col(
                "extrapolation",
                "str",
                "",
                "null for finite L_R; linear: a + b/L_R over every L_R, per state (s_spin and "
                "the all-pairs mi only)",
            ),
            _QUANTITY,
            Col("n", "Int64", "", "s_spin: rank; s_half: spins in the half; null for mi"),
            Col("d_lo", "Int64", "", "mi: lower edge of the ring-distance bin (null: all pairs)"),
            Col("d_hi", "Int64", "", "mi: upper edge (exclusive) of the bin (null: all pairs)"),
            Col("d_mean", "float64", "", "mi: mean ring distance of the pairs in the bin"),
            Col("value", "float64", "", "mean over states (mi: over the pairs of every state)"),
            Col("err", "float64", "", "standard error over states (cluster error for mi)"),
            Col(
                "page",
                "float64",
                "",
                "s_half: Page value (Haar-random complex state of L_R spins); null otherwise",
            ),
            Col(
                "random",
                "float64",
                "",
                "s_half: mean over sampled random real states of L_R spins; null otherwise",
            ),
            Col("n_pairs", "int64", "", "mi: pairs in the bin over all states (0 otherwise)"),
            N_REAL,
        ),
        params=SFS_PARAMS
        + (
            ("n_spins", "dynamics.polarization.n_spins", "int64"),
            (
                "entanglement_n_realizations",
                "dynamics.polarization.entanglement.n_realizations",
                "int64",
            ),
            ("precision", "dynamics.polarization.precision", "str"),
            ("device", "dynamics.polarization.device", "str"),
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
    from ..cluster import entanglement_rows, polarization_rows
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
        precision=p["precision"],
        device=p["device"],
    )
    ent = p["entanglement"]
    k = max(0, min(len(reals), int(ent["n_realizations"]) - p["lo"]))
    erows = entanglement_rows(
        p["seed"],
        p["L"],
        reals[:k],
        Z[:k],
        m,
        p["h_x"],
        ent["L_R"],
        p["n_spins"],
        p["precision"],
        p["device"],
    )
    return {"rows": rows, "entanglement": erows}


def run_aggregate(params: dict, inputs: dict) -> dict:
    import logging

    from ..cluster import aggregate_entanglement, aggregate_polarization
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
    ent = aggregate_entanglement(read_tables(inputs["entanglement"]), params["seed"])
    return {"table": table, "cost": cost, "entanglement": ent}


STEPS = {
    "polarization": Step(
        run,
        {
            "rows": ("cluster_rows", "polarization/{label}.parquet"),
            "entanglement": ("cluster_entanglement_rows", "polarization/{label}.ent.parquet"),
        },
    ),
    "polarization_aggregate": Step(
        run_aggregate,
        {
            "table": ("fig2_polarization", "data/fig2_polarization.parquet"),
            "cost": ("polarization_cost", "benchmarks/polarization_cost.parquet"),
            "entanglement": ("fig2_entanglement", "data/fig2_entanglement.parquet"),
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
    jobs, files, efiles = [], [], []
    for L, n in zip(pol["L"], pol["n_realizations"], strict=True):
        L = int(L)
        each = C.cluster_seconds(L, L_R, cf, float(pol["chebyshev_t_avg"]), pol["precision"])
        ent_L_R = [int(x) for x in pol["entanglement"]["L_R"]]
        n_ent = int(pol["entanglement"]["n_realizations"])
        # two clusters per L_R
        ent_each = 2 * sum(C.eigh_seconds(2**l, pol["precision"]) for l in ent_L_R)
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
                "precision": pol["precision"],
                "device": pol["device"],
                "chebyshev_from": None if cf is None else int(cf),
                "t_avg": float(pol["chebyshev_t_avg"]),
                # only the shards holding the first n_ent states measure the entanglement (its
                # settings never rerun the others)
                "entanglement": (
                    {"L_R": ent_L_R, "n_realizations": n_ent}
                    if lo < n_ent
                    else {"L_R": [], "n_realizations": 0}
                ),
            }
            n_here = max(0, min(hi, n_ent) - lo)
            jobs.append(
                Job(
                    "polarization",
                    label,
                    params,
                    {"states": state_files(ctx, L, lo, hi)},
                    {},
                    mem_mb=C.cluster_mem_mb(L, L_R, cf, ent_L_R if n_here else []),
                    seconds=(hi - lo) * each + n_here * ent_each,
                )
            )
            files.append(ctx.path("polarization/{label}.parquet", label))
            efiles.append(ctx.path("polarization/{label}.ent.parquet", label))
    jobs.append(
        Job(
            "polarization_aggregate",
            "",
            {
                "extrapolation": pol["extrapolation"],
                "alternatives": list(pol["alt_extrapolations"]),
                "seed": int(cfg["seed"]),
            },
            {"rows": files, "entanglement": efiles},
            {},
            mem_mb=2000,
            runtime=30,
            provenance=ctx.provenance("sfs", "dynamics.alpha", "dynamics.polarization"),
        )
    )
    return jobs


def figures(ctx) -> list[Figure]:
    return [Figure("figS8", {"table": f"{ctx.root}/data/fig2_entanglement.parquet"})]
