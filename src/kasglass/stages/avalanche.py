"""Stage ``avalanche``: resonance avalanches from the SFS stage's stored states (Fig. 2 left).

Rules
-----
- ``avalanche`` (one job per shard of stored states at ``avalanche.L``): every alpha, h_x and
  both ensembles of those states (one draw of J per realization;
  :func:`kasglass.avalanche.run_shard`); one record per (run, record step);
- ``avalanche_aggregate``: integer sums over states per step (:func:`kasglass.avalanche.aggregate`),
  so the table does not depend on the sharding.
"""

from __future__ import annotations

from ..model import ENSEMBLES
from ..tables import Col, Schema, register
from . import Job, Step
from . import costs as C
from .common import ALPHA, ENSEMBLE, H_X, L_COL, REALIZATION, SFS_PARAMS, model, ranges, shard_label
from .sfs import state_files

_STEP = Col("step", "int64", "", "avalanche step t (resonant spins flipped so far)")
_PROTOCOL = (
    Col(
        "protocol",
        "str",
        "",
        "literal (the paper's: any resonant spin flips) or conserving "
        "(only flips keeping |E(t) - E(0)| <= energy_window)",
    ),
    Col(
        "energy_window",
        "float64",
        "std(J)",
        "window W of the conserving protocol (null for literal)",
    ),
)

TABLES = register(
    Schema(
        "avalanche_runs",
        "One row per (protocol, alpha, ensemble, h_x, realization, record step) of one shard's "
        "runs.",
        (L_COL,)
        + _PROTOCOL
        + (
            ALPHA,
            ENSEMBLE,
            H_X,
            REALIZATION,
            Col("seed", "int64", "", "seed of the run's choice stream (avalanche_seed)"),
            _STEP,
            Col(
                "n_ever",
                "int64",
                "",
                "spins resonant (|phi_i| < h_x) in at least one of the states 0..t",
            ),
            Col("n_now", "int64", "", "spins resonant in state t"),
            Col("n_now_peak", "int64", "", "max over s <= t of n_now(s)"),
            Col("de", "float64", "std(J)", "classical energy change E(t) - E(0)"),
            Col("stopped", "bool", "", "the run had stopped (no spin could flip) at or before t"),
            Col("stop_step", "Int64", "", "step at which the run stopped (null: never)"),
            Col("n_flips", "int64", "", "flips the run made in total"),
        ),
        figure=False,
    ),
    Schema(
        "fig2_avalanche",
        "Fig. 2 left: resonance avalanches, one row per (protocol, alpha, ensemble, h_x, L, record "
        "step); means and standard errors over the initial states, and the classical energy "
        "drift.",
        _PROTOCOL
        + (
            ALPHA,
            ENSEMBLE,
            H_X,
            L_COL,
            _STEP,
            Col("n_ever_mean", "float64", "", "mean number of spins ever resonant, N_ever(t)"),
            Col("n_ever_err", "float64", "", "its standard error over states"),
            Col("n_ever_max", "int64", "", "largest N_ever(t) of any state"),
            Col("n_now_mean", "float64", "", "mean number of spins resonant at step t"),
            Col("n_now_err", "float64", "", "its standard error"),
            Col("n_now_max", "int64", "", "largest instantaneous count at step t"),
            Col(
                "n_now_peak_max",
                "int64",
                "",
                "largest instantaneous count of any state at any step <= t",
            ),
            Col("de_mean", "float64", "std(J)", "mean energy drift E(t) - E(0) over states"),
            Col("de_err", "float64", "std(J)", "its standard error"),
            Col("de_min", "float64", "std(J)", "smallest E(t) - E(0) of any state"),
            Col("de_max", "float64", "std(J)", "largest E(t) - E(0) of any state"),
            Col("n_stopped", "int64", "", "states whose run had stopped (no spin could flip)"),
            Col(
                "n_at_final",
                "int64",
                "",
                "states whose N_ever had reached its final value (saturated from this step on)",
            ),
            Col("n_states", "int64", "", "initial states"),
        ),
        params=(("n_steps", "avalanche.n_steps", "int64"),) + SFS_PARAMS,
    ),
)


def run(params: dict, inputs: dict) -> dict:
    from ..avalanche import run_shard
    from ..model import Model
    from ..sfs import load_state_range

    p = params
    models = [Model.from_dict(m) for m in p["models"]]
    states = load_state_range(
        inputs["states"], [m.alpha for m in models], ENSEMBLES, p["lo"], p["hi"], p["L"]
    )
    runs = run_shard(
        p["seed"],
        p["L"],
        states,
        models,
        p["h_x"],
        p["n_steps"],
        p["record_per_decade"],
        protocols=p["protocols"],
        energy_window=p["energy_window"],
    )
    return {"runs": runs}


def run_aggregate(params: dict, inputs: dict) -> dict:
    from ..avalanche import aggregate
    from ..io import read_tables

    return {"table": aggregate(read_tables(inputs["runs"]))}


STEPS = {
    "avalanche": Step(run, {"runs": ("avalanche_runs", "avalanche/{label}.parquet")}),
    "avalanche_aggregate": Step(
        run_aggregate, {"table": ("fig2_avalanche", "data/fig2_avalanche.parquet")}, sharded=False
    ),
}


def sfs_demand(cfg: dict) -> list:
    av = cfg["avalanche"]
    return [(int(av["L"]), float(a), int(av["n_states"])) for a in av["alphas"]]


def plan(ctx) -> list[Job]:
    cfg, av = ctx.cfg, ctx.cfg["avalanche"]
    L = int(av["L"])
    runs = len(av["alphas"]) * len(av["h_x"]) * len(ENSEMBLES) * len(av["protocols"])
    each = C.avalanche_seconds(L, runs, int(av["n_steps"]))
    per = C.per_job(each, C.job_minutes(cfg, "avalanche"))
    jobs, files = [], []
    for k, (lo, hi) in enumerate(ranges(int(av["n_states"]), per)):
        label = shard_label(f"L{L}", k)
        params = {
            "seed": int(cfg["seed"]),
            "L": L,
            "lo": lo,
            "hi": hi,
            "models": [model(cfg, a).as_dict() for a in av["alphas"]],
            "h_x": [float(h) for h in av["h_x"]],
            "n_steps": int(av["n_steps"]),
            "record_per_decade": int(av["record_per_decade"]),
            "protocols": list(av["protocols"]),
            "energy_window": None if av["energy_window"] is None else float(av["energy_window"]),
        }
        jobs.append(
            Job(
                "avalanche",
                label,
                params,
                {"states": state_files(ctx, L, lo, hi)},
                {},
                mem_mb=C.avalanche_mem_mb(L),
                seconds=(hi - lo) * each,
            )
        )
        files.append(ctx.path("avalanche/{label}.parquet", label))
    jobs.append(
        Job(
            "avalanche_aggregate",
            "",
            {},
            {"runs": files},
            {},
            mem_mb=2000,
            runtime=30,
            provenance=ctx.provenance("sfs", "avalanche"),
        )
    )
    return jobs


def figures(ctx) -> list:
    from . import Figure

    d = f"{ctx.root}/data"
    return [
        Figure(
            "fig2",
            {
                "avalanche": f"{d}/fig2_avalanche.parquet",
                "polarization": f"{d}/fig2_polarization.parquet",
            },
            {"h_x_main": float(ctx.cfg["avalanche"]["h_x_main"])},
        ),
        Figure(
            "figS5",
            {"avalanche": f"{d}/fig2_avalanche.parquet"},
            {
                "h_x_main": float(ctx.cfg["avalanche"]["h_x_main"]),
                "alpha": float(ctx.cfg["fields"]["alpha"]),
            },
        ),
    ]
