"""Stage ``ed``: exact diagonalization in the two parity sectors P = prod X_i (Fig. 3, Fig. S3).

Rules
-----
- ``ed`` (one job per (L, h_x, shard of realizations)): per-realization partial sums of every
  observable of :data:`kasglass.ed.observables.OBSERVABLES` per eps bin and per target window
  (:func:`kasglass.ed.sweep.run_shard`); realization r uses ``derive_seed(seed, "ed", L, r)``.
  L < ``ed.shift_invert_min_L``: dense dsyevd of both sectors (every eps bin and every target
  window; on a CUDA GPU with ``ed.device: gpu``); otherwise shift-invert windows only.
- ``ed_fig3``: the L = ``ed.fig3.L`` phase diagram over (eps bin, h_x) and its per-realization sums;
- ``ed_figS3``: the target windows for every L of ``ed.fss``.

Fig. 3 and Fig. S3 share the jobs at the (L, h_x) points they have in common; each reads the first
n realizations of the shards, sorted by realization (shard-invariant aggregation).
"""

from __future__ import annotations

from ..ed.observables import OBSERVABLES
from ..tables import Col, Schema, register
from . import Figure, Job, Step
from . import costs as C
from .common import (
    ALPHA,
    H_X,
    L_COL,
    MODEL_PARAMS,
    N_REAL,
    REALIZATION,
    check_labels,
    fmt,
    model,
    ranges,
    shard_label,
)

_METHOD = Col("method", "str", "", "full (dense diagonalization) or shift-invert (windows)")
_EPS_BIN = (
    Col("eps_lo", "float64", "", "lower edge of the energy-density bin (null for targets)"),
    Col("eps_hi", "float64", "", "upper edge of the energy-density bin (null for targets)"),
)
_TARGET = Col("eps_target", "float64", "", "target energy density of the window (null for bins)")
_SUMS = tuple(
    Col(c, "int64" if c.endswith("_n") else "float64", "", f"{what} of {o.name} ({o.meaning})")
    for o in OBSERVABLES
    for c, what in zip(o.sum_columns, ("finite values", "sum", "sum of squares"), strict=True)
)
_AVERAGES = tuple(
    col
    for o in OBSERVABLES
    for col in (
        Col(o.mean, "float64", o.unit, f"disorder average (all levels pooled) of {o.meaning}"),
        Col(o.err, "float64", o.unit, f"cluster standard error over realizations of {o.mean}"),
    )
)
_PAGE = (
    Col(
        "s_half_page",
        "float64",
        "",
        "Page value of s_half: mean half-ring entropy of a Haar-random complex state of L spins",
    ),
    Col(
        "s_half_random",
        "float64",
        "",
        "mean half-ring entropy of random real states of one parity sector (sampled, "
        "kasglass.ed.sweep.PAGE_SAMPLES states): the reference of s_half",
    ),
    Col(
        "s_half_pinned_page",
        "float64",
        "",
        "Page value of s_half_pinned (L - 1 free spins, L/2 of them in A)",
    ),
    Col(
        "s_half_pinned_random",
        "float64",
        "",
        "mean half-ring entropy of random real states of L - 1 spins (sampled): the reference "
        "of s_half_pinned",
    ),
)
_COUNTS = (
    Col("n_levels", "int64", "", "gap ratios pooled in the window"),
    Col("n_states", "int64", "", "eigenstates pooled in the window"),
    N_REAL,
)

TABLES = register(
    Schema(
        "ed_parts",
        "Per-realization partial sums of one shard: one row per (realization, window).",
        (
            REALIZATION,
            Col("seed", "int64", "", "seed of the realization's couplings"),
            L_COL,
            ALPHA,
            H_X,
            _METHOD,
            Col("kind", "str", "", "bin (equal-width eps bins) or target (windows)"),
            Col("idx", "int64", "", "bin or target index"),
        )
        + _EPS_BIN
        + (_TARGET,)
        + _SUMS
        + (
            Col("E_min", "float64", "std(J)", "ground-state energy of the realization"),
            Col("E_max", "float64", "std(J)", "highest energy of the realization"),
        ),
        figure=False,
    ),
    Schema(
        "fig3_phase_diagram",
        "Fig. 3: disorder averages over (h_x, eps bin) at L = ed.fig3.L; gap ratios within each "
        "parity sector.",
        (ALPHA, L_COL, H_X) + _EPS_BIN + _AVERAGES + _PAGE + _COUNTS + (_METHOD,),
        params=(
            ("n_eps_bins", "ed.n_eps_bins", "int64"),
            ("entanglement_stride", "ed.entanglement.stride", "int64"),
            ("precision", "ed.precision", "str"),
            ("device", "ed.device", "str"),
        )
        + MODEL_PARAMS,
    ),
    Schema(
        "fig3_realizations",
        "The per-realization sums behind fig3_phase_diagram: one row per (h_x, eps bin, "
        "realization) (for the eps -> 1 - eps swap test and other disorder statistics).",
        (ALPHA, L_COL, H_X, Col("idx", "int64", "", "eps bin index"))
        + _EPS_BIN
        + (REALIZATION, Col("seed", "int64", "", "seed of the couplings"))
        + _SUMS
        + (_METHOD,),
        params=(("n_eps_bins", "ed.n_eps_bins", "int64"),) + MODEL_PARAMS,
    ),
    Schema(
        "figS3_fss",
        "Fig. S3: disorder averages in windows of ed.fss.n_eigs levels per sector around target "
        "energy densities, for every L of ed.fss.",
        (ALPHA, L_COL, H_X, _TARGET)
        + _AVERAGES
        + (Col("m_ea_baseline", "float64", "", "ergodic baseline 1/L of m_ea"),)
        + _PAGE
        + _COUNTS
        + (_METHOD,),
        params=(
            ("n_eigs", "ed.fss.n_eigs", "int64"),
            ("max_fraction", "ed.fss.max_fraction", "float64"),
            ("shift_invert_min_L", "ed.shift_invert_min_L", "int64"),
            ("entanglement_stride", "ed.entanglement.stride", "int64"),
            ("precision", "ed.precision", "str"),
            ("device", "ed.device", "str"),
        )
        + MODEL_PARAMS,
    ),
)


def run(params: dict, inputs: dict) -> dict:
    from ..ed.sweep import run_shard
    from ..model import Model

    p = params
    parts = run_shard(
        p["seed"],
        p["L"],
        Model.from_dict(p["model"]),
        p["h_x"],
        range(p["lo"], p["hi"]),
        n_eps_bins=p["n_eps_bins"],
        eps_targets=p["eps_targets"],
        n_eigs=p["n_eigs"],
        max_fraction=p["max_fraction"],
        method=p["method"],
        mi_stride=p["mi_stride"],
        precision=p["precision"],
        device=p["device"],
    )
    return {"parts": parts}


def _n_real(params):
    return {int(L): int(n) for L, n in zip(params["L"], params["n_realizations"], strict=True)}


def run_fig3(params: dict, inputs: dict) -> dict:
    from ..ed.sweep import figure_table, realization_table
    from ..io import read_tables

    parts = read_tables(inputs["parts"])
    n = _n_real(params)
    return {
        "table": TABLES["fig3_phase_diagram"].select(
            figure_table(parts, "fig3", n, params["h_x"], params["seed"])
        ),
        "realizations": TABLES["fig3_realizations"].select(
            realization_table(parts, n, params["h_x"])
        ),
    }


def run_figS3(params: dict, inputs: dict) -> dict:
    from ..ed.sweep import figure_table
    from ..io import read_tables

    table = figure_table(
        read_tables(inputs["parts"]), "figS3", _n_real(params), params["h_x"], params["seed"]
    )
    return {"table": TABLES["figS3_fss"].select(table)}


STEPS = {
    "ed": Step(run, {"parts": ("ed_parts", "ed/{label}.parquet")}),
    "ed_fig3": Step(
        run_fig3,
        {
            "table": ("fig3_phase_diagram", "data/fig3_phase_diagram.parquet"),
            "realizations": ("fig3_realizations", "data/fig3_realizations.parquet"),
        },
        sharded=False,
    ),
    "ed_figS3": Step(run_figS3, {"table": ("figS3_fss", "data/figS3_fss.parquet")}, sharded=False),
}


def method(cfg: dict, L: int) -> str:
    return "shift-invert" if int(L) >= int(cfg["ed"]["shift_invert_min_L"]) else "full"


def plan(ctx) -> list[Job]:
    cfg, ed = ctx.cfg, ctx.cfg["ed"]
    fig3, fss = ed["fig3"], ed["fss"]
    check_labels(fig3["h_x"], "ed.fig3.h_x")
    check_labels(fss["h_x"], "ed.fss.h_x")
    check_labels(list(fig3["h_x"]) + list(fss["h_x"]), "ed.fig3.h_x and ed.fss.h_x")
    demand = {}  # (L, h_x) -> realizations needed by Fig. 3 and/or Fig. S3
    for h in fig3["h_x"]:
        k = (int(fig3["L"]), float(h))
        demand[k] = max(demand.get(k, 0), int(fig3["n_realizations"]))
    for L, n in zip(fss["L"], fss["n_realizations"], strict=True):
        for h in fss["h_x"]:
            demand[(int(L), float(h))] = max(demand.get((int(L), float(h)), 0), int(n))
    n_targets = len(fss["eps_targets"])
    jobs, files = [], {}
    for (L, h), n in sorted(demand.items()):
        m = method(cfg, L)
        each = C.ed_seconds(L, m, n_targets, ed["precision"], ed["device"])
        per = C.per_job(each, C.job_minutes(cfg, "ed"))
        prefix = f"L{L}/alpha{fmt(ed['alpha'])}/hx{fmt(h)}"
        for k, (lo, hi) in enumerate(ranges(n, per)):
            label = shard_label(prefix, k)
            params = {
                "seed": int(cfg["seed"]),
                "L": L,
                "model": model(cfg, ed["alpha"]).as_dict(),
                "h_x": h,
                "lo": lo,
                "hi": hi,
                "method": m,
                "n_eps_bins": int(ed["n_eps_bins"]),
                "eps_targets": [float(e) for e in fss["eps_targets"]],
                "n_eigs": int(fss["n_eigs"]),
                "max_fraction": float(fss["max_fraction"]),
                "mi_stride": int(ed["entanglement"]["stride"]),
                "precision": ed["precision"],
                "device": ed["device"],
            }
            jobs.append(
                Job(
                    "ed",
                    label,
                    params,
                    {},
                    {},
                    mem_mb=C.ed_mem_mb(L, m),
                    seconds=(hi - lo) * each,
                )
            )
            files.setdefault((L, h), []).append((lo, ctx.path("ed/{label}.parquet", label)))

    def needed(L, hs, n):  # shard files holding realizations 0..n-1 at (L, h) for every h
        return [f for h in hs for lo, f in files[(int(L), float(h))] if lo < int(n)]

    p3 = {
        "seed": int(cfg["seed"]),
        "L": [int(fig3["L"])],
        "n_realizations": [int(fig3["n_realizations"])],
        "h_x": [float(h) for h in fig3["h_x"]],
    }
    jobs.append(
        Job(
            "ed_fig3",
            "",
            p3,
            {"parts": needed(fig3["L"], fig3["h_x"], fig3["n_realizations"])},
            {},
            mem_mb=4000,
            runtime=30,
            provenance=ctx.provenance(
                "ed.alpha",
                "ed.n_eps_bins",
                "ed.precision",
                "ed.device",
                "ed.entanglement",
                "ed.fig3",
            ),
        )
    )
    pS3 = {
        "seed": int(cfg["seed"]),
        "L": [int(L) for L in fss["L"]],
        "n_realizations": [int(n) for n in fss["n_realizations"]],
        "h_x": [float(h) for h in fss["h_x"]],
    }
    parts = [
        f
        for L, n in zip(fss["L"], fss["n_realizations"], strict=True)
        for f in needed(L, fss["h_x"], n)
    ]
    jobs.append(
        Job(
            "ed_figS3",
            "",
            pS3,
            {"parts": parts},
            {},
            mem_mb=4000,
            runtime=30,
            provenance=ctx.provenance(
                "ed.alpha",
                "ed.shift_invert_min_L",
                "ed.precision",
                "ed.device",
                "ed.entanglement",
                "ed.fss",
            ),
        )
    )
    return jobs


def figures(ctx) -> list[Figure]:
    d = f"{ctx.root}/data"
    return [
        Figure("fig3", {"table": f"{d}/fig3_phase_diagram.parquet"}),
        Figure("figS3", {"table": f"{d}/figS3_fss.parquet"}),
        Figure(
            "figS7",
            {"fig3": f"{d}/fig3_phase_diagram.parquet", "fss": f"{d}/figS3_fss.parquet"},
        ),
    ]
