"""Stage ``twoflip``: two-spin-flip-stable (2FS) states, the stored SFS states relaxed further
by energy-lowering pair flips (beyond the paper, which expects them to have even fewer two-spin
resonances than SFS states).

Rules
-----
- ``twoflip`` (one job per (L, shard of realizations)): every alpha that needs 2FS states at L,
  from the SFS stage's stored states (:func:`kasglass.twoflip_states.run_shard`); writes the
  2FS states (for the two-spin resonance stage), and the field histograms and summaries of both
  ensembles on the same realizations;
- ``twoflip_aggregate``: Fig. S6 tables (densities, and a summary per (L, alpha, ensemble)).

Which states: the sizes of ``twoflip.fields`` (L and realizations) at the main alpha
``fields.alpha``, and, with ``twoflip.resonances: true``, every (L, alpha) of the two-spin
resonance stage, whose counts then gain a third ensemble ``2fs``. Fig. S6 shows every (L, alpha)
with 2FS states.
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Figure, Job, Step
from . import costs as C
from .common import (
    ALPHA,
    HIST_COLS,
    L_COL,
    N_REAL,
    REALIZATION,
    SFS_PARAMS,
    STATE_COL,
    model,
    ranges,
    shard_label,
)
from .sfs import state_files

TWOFLIP = "2fs"
_ENS = Col("ensemble", "str", "", "sfs (the stored SFS state) or 2fs (its 2FS relaxation)")
_PARAMS = (("pair_order", "twoflip.pair_order", "str"),) + SFS_PARAMS

TABLES = register(
    Schema(
        "twoflip_hist",
        "Integer counts of |phi_i| per histogram bin, block and ensemble (sfs, 2fs) of one shard; "
        "only non-zero counts.",
        (
            L_COL,
            ALPHA,
            _ENS,
        )
        + HIST_COLS,
        figure=False,
    ),
    Schema(
        "twoflip_summary",
        "One row per (realization, alpha, ensemble) of one shard: the SFS state and its 2FS "
        "relaxation.",
        (
            L_COL,
            ALPHA,
            REALIZATION,
            _ENS,
            Col("block", "int64", "", "realization block r mod fields.n_blocks"),
            Col("seed_couplings", "int64", "", "seed of the couplings"),
            Col("seed_order", "int64", "", "seed of the random single and pair flip orders"),
            Col("energy_per_spin", "float64", "std(J)", "classical energy E/L"),
            Col("n_single", "int64", "", "single flips of the 2FS relaxation (0 for sfs)"),
            Col("n_pair", "int64", "", "pair flips of the 2FS relaxation (0 for sfs)"),
            Col("min_abs_phi", "float64", "std(J)", "smallest |phi_i| of the state"),
            Col("n_unstable", "int64", "", "spins with Z_i phi_i >= 0 (0: single-flip stable)"),
            Col("s2", "float64", "std(J)^2", "sum_i phi_i^2"),
        ),
        families=(
            Col("n_res_h{h}", "int64", "", "spins with |phi_i| < h, one per h in fields.h_x_res"),
        ),
        figure=False,
    ),
    Schema(
        "twoflip_states",
        "Stored 2FS spin configurations: one row per (alpha, realization).",
        (
            ALPHA,
            REALIZATION,
            Col("ensemble", "str", "", "2fs"),
            L_COL,
            STATE_COL,
        ),
        figure=False,
    ),
    Schema(
        "figS6_fields",
        "Fig. S6: field density p(phi) of SFS and 2FS states of the same realizations, per "
        "(L, alpha, ensemble, |phi| bin) at finite L.",
        (
            L_COL,
            ALPHA,
            _ENS,
            Col("bin", "int64", "", "index of the |phi| bin"),
            Col("phi_lo", "float64", "std(J)", "lower edge of the |phi| bin"),
            Col("phi_hi", "float64", "std(J)", "upper edge of the |phi| bin"),
            Col("phi_mid", "float64", "std(J)", "geometric bin centre"),
            Col("density", "float64", "1/std(J)", "two-sided density p(phi) on the real line"),
            Col("density_err", "float64", "1/std(J)", "block standard error (at least Poisson)"),
            N_REAL,
        ),
        params=_PARAMS,
    ),
    Schema(
        "figS6_summary",
        "Fig. S6: SFS vs 2FS states of the same realizations, one row per (L, alpha, ensemble).",
        (
            L_COL,
            ALPHA,
            _ENS,
            Col("energy_per_spin_mean", "float64", "std(J)", "mean classical energy per spin"),
            Col("energy_per_spin_err", "float64", "std(J)", "its standard error"),
            Col(
                "energy_gain_mean",
                "float64",
                "std(J)",
                "mean (E_2fs - E_sfs)/L of the same realization (0 for sfs)",
            ),
            Col("energy_gain_err", "float64", "std(J)", "its standard error (paired)"),
            Col("n_pair_mean", "float64", "", "mean pair flips of the 2FS relaxation"),
            Col("n_pair_max", "int64", "", "largest number of pair flips"),
            Col("n_single_mean", "float64", "", "mean single flips between pair flips"),
            Col("frac_moved", "float64", "", "fraction of SFS states that were not 2FS"),
            Col("min_abs_phi_mean", "float64", "std(J)", "mean smallest |phi_i|"),
            Col("min_abs_phi_err", "float64", "std(J)", "its standard error"),
            Col(
                "x_L",
                "float64",
                "",
                "finite-L exponent of p(phi) ~ |phi|^x on the fields.fit window "
                "(weighted log-log fit, no extrapolation)",
            ),
            Col("x_L_err", "float64", "", "its formal fit error"),
            N_REAL,
        ),
        params=_PARAMS
        + (("fit_lo", "fields.fit.lo", "float64"), ("fit_hi", "fields.fit.hi", "float64")),
    ),
)


def run(params: dict, inputs: dict) -> dict:
    from ..model import Model
    from ..sfs import load_state_range
    from ..twoflip_states import run_shard

    p = params
    models = [Model.from_dict(m) for m in p["models"]]
    states = {}
    for m in models:
        hi = min(p["hi"], int(p["n"][f"{m.alpha:.6g}"]))
        got = load_state_range(inputs["states"], [m.alpha], ["sfs"], p["lo"], hi, p["L"])
        states[m.alpha] = got[(m.alpha, "sfs")]
    return run_shard(
        p["seed"],
        p["L"],
        states,
        models,
        sfs_order=p["sfs_order"],
        pair_order=p["pair_order"],
        phi_min=p["hist"]["phi_min"],
        phi_max=p["hist"]["phi_max"],
        bins_per_decade=p["hist"]["bins_per_decade"],
        n_blocks=p["n_blocks"],
        h_x_res=tuple(p["h_x_res"]),
    )


def run_aggregate(params: dict, inputs: dict) -> dict:
    from ..io import read_tables
    from ..sampling import hist_edges
    from ..twoflip_states import fields_table, summary_table

    h = params["hist"]
    edges = hist_edges(h["phi_min"], h["phi_max"], h["bins_per_decade"])
    summary = read_tables(inputs["summary"])
    fields = fields_table(read_tables(inputs["hist"]), summary, edges)
    return {
        "fields": fields,
        "summary": summary_table(summary, fields, params["fit_lo"], params["fit_hi"]),
    }


STEPS = {
    "twoflip": Step(
        run,
        {
            "hist": ("twoflip_hist", "twoflip/{label}.hist.parquet"),
            "summary": ("twoflip_summary", "twoflip/{label}.summary.parquet"),
            "states": ("twoflip_states", "twoflip/{label}.states.parquet"),
        },
    ),
    "twoflip_aggregate": Step(
        run_aggregate,
        {
            "fields": ("figS6_fields", "data/figS6_fields.parquet"),
            "summary": ("figS6_summary", "data/figS6_summary.parquet"),
        },
        sharded=False,
    ),
}


def demand(cfg: dict) -> dict:
    """{L: {alpha: n}}: the 2FS states the run needs (Fig. S6 and, optionally, Fig. S2)."""
    tf = cfg["twoflip"]
    out = {}
    for L, n in zip(tf["fields"]["L"], tf["fields"]["n_realizations"], strict=True):
        d = out.setdefault(int(L), {})
        a = float(cfg["fields"]["alpha"])
        d[a] = max(d.get(a, 0), int(n))
    if tf["resonances"]:
        rs = cfg["resonances"]
        for L, n in zip(rs["L"], rs["n_realizations"], strict=True):
            d = out.setdefault(int(L), {})
            for a in rs["alphas"]:
                d[float(a)] = max(d.get(float(a), 0), int(n))
    return out


def sfs_demand(cfg: dict) -> list:
    return [(L, a, n) for L, d in demand(cfg).items() for a, n in d.items()]


def plan(ctx) -> list[Job]:
    cfg, tf = ctx.cfg, ctx.cfg["twoflip"]
    jobs, hist, summ = [], [], []
    ctx.shared["twoflip_shards"] = shards = {}
    for L, d in sorted(demand(cfg).items()):
        alphas = sorted(d)
        n_max = max(d.values())
        each = C.twoflip_seconds(L, len(alphas))
        per = C.per_job(each, C.job_minutes(cfg, "twoflip"))
        shards[L] = []
        for k, (lo, hi) in enumerate(ranges(n_max, per)):
            label = shard_label(f"L{L}", k)
            used = [a for a in alphas if d[a] > lo]
            params = {
                "seed": int(cfg["seed"]),
                "L": L,
                "lo": lo,
                "hi": hi,
                "models": [model(cfg, a).as_dict() for a in used],
                "n": {f"{a:.6g}": min(int(d[a]), hi) for a in used},
                "sfs_order": cfg["sfs"]["order"],
                "pair_order": tf["pair_order"],
                "hist": cfg["fields"]["hist"],
                "n_blocks": int(cfg["fields"]["n_blocks"]),
                "h_x_res": list(cfg["fields"]["h_x_res"]),
            }
            jobs.append(
                Job(
                    "twoflip",
                    label,
                    params,
                    {"states": state_files(ctx, L, lo, hi)},
                    {},
                    mem_mb=C.twoflip_mem_mb(L),
                    seconds=(hi - lo) * each,
                )
            )
            hist.append(ctx.path("twoflip/{label}.hist.parquet", label))
            summ.append(ctx.path("twoflip/{label}.summary.parquet", label))
            shards[L].append((lo, hi, label))
    jobs.append(
        Job(
            "twoflip_aggregate",
            "",
            {
                "hist": cfg["fields"]["hist"],
                "fit_lo": float(cfg["fields"]["fit"]["lo"]),
                "fit_hi": float(cfg["fields"]["fit"]["hi"]),
            },
            {"hist": hist, "summary": summ},
            {},
            mem_mb=2000,
            runtime=30,
            provenance=ctx.provenance("sfs", "fields.fit", "twoflip"),
        )
    )
    return jobs


def twoflip_state_files(ctx, L: int, lo: int, hi: int) -> list[str]:
    """2FS state files at size L that hold realizations [lo, hi)."""
    return [
        ctx.path("twoflip/{label}.states.parquet", label)
        for a, b, label in ctx.shared["twoflip_shards"].get(int(L), [])
        if a < hi and b > lo
    ]


def figures(ctx) -> list[Figure]:
    d = f"{ctx.root}/data"
    return [
        Figure(
            "figS6",
            {"fields": f"{d}/figS6_fields.parquet", "summary": f"{d}/figS6_summary.parquet"},
            {"alpha": float(ctx.cfg["fields"]["alpha"])},
        )
    ]
