"""Stage ``sfs``: disorder realizations and their random and SFS states, for every later stage.

Rules
-----
- ``disorder`` (one job per shard of realizations at size L): the seed manifest of realizations
  [lo, hi): ``derive_seed(seed, "couplings", L, r)`` and ``derive_seed(seed, "initial_state",
  L, r)``; the couplings themselves are regenerated from the seed where they are needed.
- ``sfs`` (same shards): for every alpha any stage needs at L, the random product state and its
  SFS relaxation (one draw of J serves every alpha: common random numbers), the field
  histograms and per-realization summaries of Fig. 1, and the spin configurations the avalanche,
  two-spin and resonant-cluster stages start from (:func:`kasglass.sampling.run_shard`).
  From ``sfs.matrix_free_from_L`` on the couplings are regenerated from their stream instead of
  stored (the same tables bit for bit, O(L) memory; the job's memory request follows the path);
  stages that start from stored states need smaller L (checked with the configuration).

Realization r at size L lives in shard r // n, n realizations per shard from the cost model
(:func:`kasglass.stages.costs.sfs_seconds`, knob ``shards.job_minutes``). A stage that starts from
stored states declares ``sfs_demand(cfg) -> [(L, alpha, n_states)]``; Fig. 1 asks for histograms.
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Job, Step
from . import costs as C
from .common import (
    ALPHA,
    ENSEMBLE,
    HIST_COLS,
    L_COL,
    REALIZATION,
    STATE_COL,
    models_dict,
    ranges,
    shard_label,
)

SEED_COLS = (
    Col("seed_couplings", "int64", "", "seed of the couplings J_ij (kasglass.couplings.draw_J)"),
    Col("seed_initial", "int64", "", "seed of the random initial product state"),
)

TABLES = register(
    Schema(
        "disorder_seeds",
        "Seed manifest of one shard: one row per realization.",
        (L_COL, REALIZATION) + SEED_COLS,
        figure=False,
    ),
    Schema(
        "sfs_hist",
        "Integer counts of |phi_i| per histogram bin, realization block (r mod fields.n_blocks) "
        "and ensemble; only non-zero counts.",
        (
            L_COL,
            ALPHA,
            ENSEMBLE,
        )
        + HIST_COLS,
        figure=False,
    ),
    Schema(
        "sfs_summary",
        "One row per (realization, alpha, ensemble): energies, flips, field moments and resonant "
        "counts of the state.",
        (
            L_COL,
            ALPHA,
            REALIZATION,
            ENSEMBLE,
            Col("block", "int64", "", "realization block r mod fields.n_blocks"),
            Col("in_hist", "bool", "", "the realization enters the Fig. 1 histograms"),
        )
        + SEED_COLS
        + (
            Col("seed_order", "int64", "", "seed of the random SFS flip order (per alpha)"),
            Col(
                "energy_per_spin",
                "float64",
                "std(J)",
                "classical energy E/L = sum_i Z_i phi_i/(2L)",
            ),
            Col("n_flips", "int64", "", "spin flips of the SFS relaxation (0 for random)"),
            Col("min_abs_phi", "float64", "std(J)", "smallest |phi_i| of the state"),
            Col("n_unstable", "int64", "", "spins with Z_i phi_i >= 0 (0 for an SFS state)"),
            Col("s1", "float64", "std(J)", "sum_i phi_i"),
            Col("s2", "float64", "std(J)^2", "sum_i phi_i^2"),
            Col("s4", "float64", "std(J)^4", "sum_i phi_i^4"),
            Col("c_nn", "float64", "std(J)^2", "sum_i phi_i phi_{i+1}"),
            Col("c_half", "float64", "std(J)^2", "sum_i phi_i phi_{i+L/2}"),
        ),
        families=(
            Col(
                "n_res_h{h}",
                "int64",
                "",
                "spins with |phi_i| < h, one column per h in fields.h_x_res",
            ),
        ),
        figure=False,
    ),
    Schema(
        "sfs_states",
        "Stored spin configurations: one row per (alpha, realization, ensemble).",
        (
            ALPHA,
            REALIZATION,
            ENSEMBLE,
            L_COL,
            STATE_COL,
        ),
        figure=False,
    ),
)


def run_disorder(params: dict, inputs: dict) -> dict:
    from ..seeds import seed_table

    return {"seeds": seed_table(params["seed"], params["L"], params["lo"], params["hi"])}


def run_sfs(params: dict, inputs: dict) -> dict:
    from ..io import read_columns
    from ..model import Model
    from ..sampling import Demand, run_shard

    p = params
    plan = [Demand(Model.from_dict(d["model"]), d["n_hist"], d["n_states"]) for d in p["demands"]]
    out = run_shard(
        p["seed"],
        p["L"],
        p["lo"],
        p["hi"],
        plan,
        order=p["order"],
        phi_min=p["hist"]["phi_min"],
        phi_max=p["hist"]["phi_max"],
        bins_per_decade=p["hist"]["bins_per_decade"],
        n_blocks=p["n_blocks"],
        h_x_res=tuple(p["h_x_res"]),
        seeds=read_columns(inputs["seeds"][0], ["realization", "seed_couplings", "seed_initial"]),
        matrix_free=bool(p["matrix_free"]),
    )
    return out


STEPS = {
    "disorder": Step(run_disorder, {"seeds": ("disorder_seeds", "disorder/{label}.parquet")}),
    "sfs": Step(
        run_sfs,
        {
            "hist": ("sfs_hist", "sfs/{label}.hist.parquet"),
            "summary": ("sfs_summary", "sfs/{label}.summary.parquet"),
            "states": ("sfs_states", "sfs/{label}.states.parquet"),
        },
    ),
}


def fields_demand(cfg: dict) -> dict:
    """{L: {alpha: n_hist}} of Fig. 1: the main alpha and every inset alpha at every L."""
    fc = cfg["fields"]
    out = {}
    for i, L in enumerate(fc["L"]):
        d = out.setdefault(int(L), {})
        d[float(fc["alpha"])] = int(fc["n_realizations"][i])
        for a in fc["inset"]["alphas"]:
            d[float(a)] = max(d.get(float(a), 0), int(fc["inset"]["n_realizations"][i]))
    return out


def state_demand(ctx) -> dict:
    """{L: {alpha: n_states}} collected from every stage's ``sfs_demand(cfg)``."""
    out = {}
    for L, a, n in ctx.shared["sfs_demand"]:
        d = out.setdefault(int(L), {})
        d[float(a)] = max(d.get(float(a), 0), int(n))
    return out


def plan(ctx) -> list[Job]:
    cfg = ctx.cfg
    hist, states = fields_demand(cfg), state_demand(ctx)
    jobs = []
    ctx.shared["sfs_shards"] = shards = {}
    for L in sorted(set(hist) | set(states)):
        h, s = hist.get(L, {}), states.get(L, {})
        alphas = sorted(set(h) | set(s))
        n_max = max(max(h.values(), default=0), max(s.values(), default=0))
        mf = L >= int(cfg["sfs"]["matrix_free_from_L"])
        per = C.per_job(
            C.sfs_seconds(L, len(alphas), mf),
            C.job_minutes(cfg, "sfs"),
            cap=max(1, C.SFS_MAX_ROWS // len(alphas)),
        )
        shards[L] = []
        for k, (lo, hi) in enumerate(ranges(n_max, per)):
            label = shard_label(f"L{L}", k)
            demands = []
            for a in alphas:  # counts clipped to [lo, hi): more realizations only add shards
                nh = min(max(h.get(a, 0) - lo, 0), hi - lo)
                ns = min(max(s.get(a, 0) - lo, 0), hi - lo)
                if nh or ns:
                    demands.append(
                        {"model": models_dict(cfg, a), "n_hist": lo + nh, "n_states": lo + ns}
                    )
            rows = sum(max(d["n_hist"], d["n_states"]) - lo for d in demands)
            seeds = {"seed": int(cfg["seed"]), "L": L, "lo": lo, "hi": hi}
            jobs.append(
                Job(
                    "disorder",
                    label,
                    seeds,
                    {},
                    {},
                    mem_mb=500,
                    seconds=1e-4 * (hi - lo),
                )
            )
            params = dict(
                seeds,
                order=cfg["sfs"]["order"],
                matrix_free=mf,
                demands=demands,
                hist=cfg["fields"]["hist"],
                n_blocks=int(cfg["fields"]["n_blocks"]),
                h_x_res=list(cfg["fields"]["h_x_res"]),
            )
            jobs.append(
                Job(
                    "sfs",
                    label,
                    params,
                    {"seeds": [ctx.path("disorder/{label}.parquet", label)]},
                    {},
                    mem_mb=C.sfs_mem_mb(L, rows, mf, len(demands)),
                    seconds=(hi - lo) * C.sfs_seconds(L, len(demands), mf),
                )
            )
            shards[L].append((lo, hi, label))
    return jobs


def state_files(ctx, L: int, lo: int, hi: int) -> list[str]:
    """State files of the SFS shards at size L that hold realizations [lo, hi)."""
    return [
        ctx.path("sfs/{label}.states.parquet", label)
        for a, b, label in ctx.shared["sfs_shards"][int(L)]
        if a < hi and b > lo
    ]


def shard_files(ctx, kind: str, Ls) -> list[str]:
    """``kind`` (hist | summary | states) files of every SFS shard at the sizes ``Ls``."""
    return [
        ctx.path(f"sfs/{{label}}.{kind}.parquet", label)
        for L in Ls
        for _, _, label in ctx.shared["sfs_shards"].get(int(L), [])
    ]
