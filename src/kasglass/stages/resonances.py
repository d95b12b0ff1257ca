"""Stage ``resonances``: genuine two-spin-flip resonances (paper Eq. 6) in the SFS stage's stored
SFS and random states, vs L (Fig. S2), and in the 2FS states of the same realizations (stage
``twoflip``, with ``twoflip.resonances: true``).

Rules
-----
- ``resonances`` (one job per (L, shard of realizations)): every alpha (one draw of J, shared)
  and both ensembles; the O(L^2) pair scan streams the flat pair vector
  (:func:`kasglass.resonances.shard_counts`);
- ``resonances_aggregate``: integer sums over realizations and the fitted growth exponents.
"""

from __future__ import annotations

from ..model import ENSEMBLES
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
    model,
    ranges,
    shard_label,
)
from .sfs import state_files
from .twoflip import twoflip_state_files

_ENS = Col(
    "ensemble",
    "str",
    "",
    "initial product states: random (infinite temperature), sfs (single-spin-flip stable) or "
    "2fs (two-spin-flip stable, stage twoflip)",
)
_PARAMS = (
    ("two_spin_prefactor", "resonances.two_spin_prefactor", "float64"),
    ("pair_order", "twoflip.pair_order", "str"),  # of the 2fs rows
) + SFS_PARAMS

TABLES = register(
    Schema(
        "resonance_counts",
        "One row per (alpha, ensemble, h_x, realization) of one shard.",
        (
            L_COL,
            ALPHA,
            _ENS,
            H_X,
            REALIZATION,
            Col("seed_couplings", "int64", "", "seed of the couplings"),
            Col(
                "n_res",
                "int64",
                "",
                "genuine two-spin resonances: pairs with |A_12| > 1, "
                "neither spin single-spin resonant",
            ),
            Col("n_single", "int64", "", "single-spin resonant spins, |phi_i| < h_x"),
        ),
        figure=False,
    ),
    Schema(
        "two_spin_resonances",
        "Fig. S2: genuine two-spin resonances per state, one row per (alpha, ensemble, h_x, L).",
        (
            ALPHA,
            _ENS,
            H_X,
            L_COL,
            Col("n_res_mean", "float64", "", "mean genuine two-spin resonances per state"),
            Col("n_res_err", "float64", "", "its standard error over realizations"),
            Col("n_res_max", "int64", "", "largest count of a state"),
            Col("n_single_mean", "float64", "", "mean single-spin resonant spins per state"),
            N_REAL,
        ),
        params=_PARAMS,
    ),
    Schema(
        "two_spin_exponents",
        "Fig. S2 fits: growth exponent of the mean count with L, per (alpha, ensemble, h_x).",
        (
            ALPHA,
            _ENS,
            H_X,
            Col(
                "exponent", "float64", "", "x of n_res_mean ~ amplitude L^x (weighted log-log fit)"
            ),
            Col(
                "exponent_err",
                "float64",
                "",
                "fit error, scaled by sqrt(chi2/dof) when that exceeds 1",
            ),
            Col("amplitude", "float64", "", "amplitude of the fit"),
            Col(
                "reference",
                "float64",
                "",
                "the paper's reference slope: 2 - alpha (random), "
                "1 (SFS: the claim is slower than L)",
            ),
            Col("L_min", "Int64", "", "smallest L with a non-zero mean (null: none)"),
            Col("L_max", "Int64", "", "largest L with a non-zero mean (null: none)"),
            Col("n_points", "int64", "", "sizes in the fit"),
        ),
        params=_PARAMS,
    ),
)


def run(params: dict, inputs: dict) -> dict:
    from ..model import Model
    from ..resonances import shard_counts
    from ..sfs import load_state_range

    p = params
    models = [Model.from_dict(m) for m in p["models"]]
    alphas = [m.alpha for m in models]
    states = load_state_range(inputs["states"], alphas, ENSEMBLES, p["lo"], p["hi"], p["L"])
    if inputs.get("twoflip_states"):  # the 2FS states of the same realizations (stage twoflip)
        states.update(
            load_state_range(inputs["twoflip_states"], alphas, ["2fs"], p["lo"], p["hi"], p["L"])
        )
    return {"counts": shard_counts(p["seed"], p["L"], states, models, p["h_x"], p["prefactor"])}


def run_aggregate(params: dict, inputs: dict) -> dict:
    from ..io import read_tables
    from ..resonances import aggregate, exponents

    table = aggregate(read_tables(inputs["counts"]))
    return {"table": table, "exponents": exponents(table)}


STEPS = {
    "resonances": Step(run, {"counts": ("resonance_counts", "resonances/{label}.parquet")}),
    "resonances_aggregate": Step(
        run_aggregate,
        {
            "table": ("two_spin_resonances", "data/two_spin_resonances.parquet"),
            "exponents": ("two_spin_exponents", "data/two_spin_exponents.parquet"),
        },
        sharded=False,
    ),
}


def sfs_demand(cfg: dict) -> list:
    rs = cfg["resonances"]
    return [
        (int(L), float(a), int(n))
        for L, n in zip(rs["L"], rs["n_realizations"], strict=True)
        for a in rs["alphas"]
    ]


def plan(ctx) -> list[Job]:
    cfg, rs = ctx.cfg, ctx.cfg["resonances"]
    jobs, files = [], []
    for L, n in zip(rs["L"], rs["n_realizations"], strict=True):
        L = int(L)
        each = C.resonances_seconds(L, len(rs["alphas"]))
        per = C.per_job(each, C.job_minutes(cfg, "resonances"))
        for k, (lo, hi) in enumerate(ranges(int(n), per)):
            label = shard_label(f"L{L}", k)
            params = {
                "seed": int(cfg["seed"]),
                "L": L,
                "lo": lo,
                "hi": hi,
                "models": [model(cfg, a).as_dict() for a in rs["alphas"]],
                "h_x": sorted(float(h) for h in rs["h_x"]),
                "prefactor": float(rs["two_spin_prefactor"]),
            }
            inputs = {"states": state_files(ctx, L, lo, hi)}
            if cfg["twoflip"]["resonances"]:
                inputs["twoflip_states"] = twoflip_state_files(ctx, L, lo, hi)
            jobs.append(
                Job(
                    "resonances",
                    label,
                    params,
                    inputs,
                    {},
                    mem_mb=C.resonances_mem_mb(L),
                    seconds=(hi - lo) * each,
                )
            )
            files.append(ctx.path("resonances/{label}.parquet", label))
    jobs.append(
        Job(
            "resonances_aggregate",
            "",
            {},
            {"counts": files},
            {},
            mem_mb=2000,
            runtime=30,
            provenance=ctx.provenance("sfs", "resonances", "twoflip"),
        )
    )
    return jobs


def figures(ctx) -> list[Figure]:
    d = f"{ctx.root}/data"
    return [
        Figure(
            "figS2",
            {
                "table": f"{d}/two_spin_resonances.parquet",
                "exponents": f"{d}/two_spin_exponents.parquet",
            },
        )
    ]
