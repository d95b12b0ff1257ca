"""Stage ``fields``: the Fig. 1 and Fig. S1 statistics of the SFS stage's histograms.

Rules
-----
- ``fields_aggregate``: the SFS shards' histograms summed (exact integers) and their summaries
  in realization order, for every L of Fig. 1;
- ``fields_tables``: densities with block errors, the L -> infinity extrapolation, the power-law
  exponents x(alpha) with bootstrap and systematic errors, the random-state check against the
  exact Gaussian, and the field moments (:mod:`kasglass.field_statistics`).
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Figure, Job, Step
from .common import ALPHA, ENSEMBLE, L_COL, N_REAL, SFS_PARAMS, model
from .sfs import TABLES as SFS_TABLES
from .sfs import shard_files

_BIN = (
    Col("phi_lo", "float64", "std(J)", "lower edge of the |phi| bin"),
    Col("phi_hi", "float64", "std(J)", "upper edge of the |phi| bin"),
    Col("phi_mid", "float64", "std(J)", "geometric bin centre (arithmetic for the first bin)"),
    Col(
        "density",
        "float64",
        "1/std(J)",
        "two-sided density p(phi) on the real line: count / (2 n_realizations L width), so that "
        "sum(density x width) over the |phi| bins is 1/2",
    ),
    Col(
        "density_err",
        "float64",
        "1/std(J)",
        "standard error: max(block error over realization blocks, Poisson); 1/norm for empty bins",
    ),
)

TABLES = register(
    Schema(
        "fields_counts",
        "SFS histograms summed over shards: one row per (alpha, L, ensemble, block, bin).",
        SFS_TABLES["sfs_hist"].columns,
        figure=False,
    ),
    Schema(
        "fields_summary",
        "The Fig. 1 realizations' summaries (in_hist), in realization order.",
        SFS_TABLES["sfs_summary"].columns,
        families=SFS_TABLES["sfs_summary"].families,
        figure=False,
    ),
    Schema(
        "fig1_fields",
        "Fig. 1 (a): field densities p(phi) per |phi| bin for every (alpha, L, ensemble), and the "
        "L -> infinity extrapolations of the SFS densities (L null, extrapolation named).",
        (
            ALPHA,
            Col("L", "Int64", "", "number of spins (null: extrapolated to L -> infinity)"),
            ENSEMBLE,
            Col(
                "extrapolation",
                "str",
                "",
                "null for finite L; paper (p_inf + b/L + c/L^2) or longrange "
                "(p_inf + b L^(1-2 alpha) + c/L)",
            ),
        )
        + _BIN
        + (
            Col(
                "n_realizations",
                "int64",
                "",
                "realizations (for extrapolated rows: the smallest over L)",
            ),
        ),
        params=SFS_PARAMS,
    ),
    Schema(
        "fig1_exponents",
        "Fig. 1 (b): the soft-gap exponent x of p_inf(phi) ~ |phi|^x for every alpha, from a "
        "weighted log-log fit of the extrapolated density on the fit window.",
        (
            ALPHA,
            Col("main", "bool", "", "the main panel's alpha (fields.alpha)"),
            Col("x", "float64", "", "exponent x of p_inf ~ A |phi|^x"),
            Col("log_A", "float64", "", "ln A of the fit (A in units 1/std(J)^(1+x))"),
            Col("x_err", "float64", "", "total error sqrt(x_err_stat^2 + x_err_sys^2)"),
            Col(
                "x_err_stat",
                "float64",
                "",
                "statistical: bootstrap over realization blocks (at least the formal fit error)",
            ),
            Col(
                "x_err_sys",
                "float64",
                "",
                "systematic: largest shift of x over the other extrapolation form and the "
                "alternative fit windows",
            ),
            Col("bound", "float64", "", "avalanche-stability bound 1/alpha - 1"),
            Col("fit_lo", "float64", "std(J)", "lower edge of the fit window in |phi|"),
            Col("fit_hi", "float64", "std(J)", "upper edge of the fit window in |phi|"),
            Col("extrapolation", "str", "", "extrapolation form of the main fit"),
            Col("chi2", "float64", "", "chi^2 of the main fit"),
            Col("dof", "int64", "", "degrees of freedom of the main fit"),
            Col("n_bins_fit", "int64", "", "bins in the fit"),
            Col("L_min", "int64", "", "smallest L in the extrapolation"),
            Col("L_max", "int64", "", "largest L in the extrapolation"),
            Col("n_L", "int64", "", "sizes in the extrapolation"),
            Col("n_realizations_min", "int64", "", "smallest number of realizations over L"),
            Col("n_bootstrap_used", "int64", "", "bootstrap replicas with a valid fit"),
        ),
        params=SFS_PARAMS,
    ),
    Schema(
        "fig1_estimators",
        "Fig. S9: the soft-gap exponent x by four independent estimators (density: the Fig. 1 "
        "fit; phi_min: <min |phi|>(L) ~ L^(-1/(1+x)); n_res: the fraction of spins with "
        "|phi| < h ~ h^(1+x); drift: the raw exponents x_L = x + c g(L)), each with the paper "
        "and longrange finite-size forms, their combination per estimator and over estimators "
        "(estimator all), against the bound 1/alpha - 1.",
        (
            ALPHA,
            Col("main", "bool", "", "the main panel's alpha (fields.alpha)"),
            Col("estimator", "str", "", "density | phi_min | n_res | drift | all"),
            Col(
                "form",
                "str",
                "",
                "finite-size correction form: paper (1/L, 1/L^2) | longrange (L^(1-2 alpha), "
                "1/L) | combined (the forms averaged; for all: the estimators combined)",
            ),
            Col("x", "float64", "", "exponent x of p_inf(phi) ~ |phi|^x"),
            Col(
                "x_err",
                "float64",
                "",
                "total error: x_err_stat (per form); for combined rows the quadrature sum of "
                "x_err_stat, x_err_sys and x_err_between",
            ),
            Col(
                "x_err_stat",
                "float64",
                "",
                "statistical: bootstrap over realization blocks (in fig1_estimators the "
                "replicas of Fig. 1), at least the formal fit error; for all: the estimators' "
                "weighted mean",
            ),
            Col(
                "x_err_sys",
                "float64",
                "",
                "systematic of the forms: half their spread (combined rows; NaN per form, and "
                "where a form gave no estimate)",
            ),
            Col(
                "x_err_between",
                "float64",
                "",
                "systematic between estimators: weighted spread of their x (all; NaN otherwise)",
            ),
            Col("x_err_fit", "float64", "", "formal error of the fit (NaN for combined rows)"),
            Col("chi2", "float64", "", "chi^2 of the fit (NaN for combined rows)"),
            Col("dof", "Int64", "", "degrees of freedom of the fit (null for combined rows)"),
            Col("n_points", "Int64", "", "points in the fit (null for combined rows)"),
            Col("bound", "float64", "", "avalanche-stability bound 1/alpha - 1"),
            Col(
                "fit_lo",
                "float64",
                "std(J)",
                "lower edge of the |phi| window (density, n_res, drift)",
            ),
            Col("fit_hi", "float64", "std(J)", "upper edge of the |phi| window"),
            Col("L_min", "int64", "", "smallest L"),
            Col("L_max", "int64", "", "largest L"),
            Col("n_L", "int64", "", "sizes"),
            Col("n_realizations_min", "int64", "", "smallest number of realizations over L"),
            Col("n_bootstrap_used", "Int64", "", "replicas with a finite estimate (per form)"),
            Col(
                "combined_from",
                "str",
                "",
                "for all: the estimators combined (those whose every form gave an estimate); "
                "null otherwise",
            ),
        ),
        params=SFS_PARAMS,
    ),
    Schema(
        "fig1_estimator_sizes",
        "Fig. S9: the per-size inputs of the phi_min and drift estimators.",
        (
            ALPHA,
            L_COL,
            Col(
                "x_L", "float64", "", "power-law exponent of the finite-L SFS density on the window"
            ),
            Col("x_L_err", "float64", "", "its bootstrap error (at least the formal fit error)"),
            Col("phi_min_mean", "float64", "std(J)", "mean over SFS states of min_i |phi_i|"),
            Col("phi_min_err", "float64", "std(J)", "its standard error over realization blocks"),
            N_REAL,
        ),
        params=SFS_PARAMS,
    ),
    Schema(
        "figS1_random_fields",
        "Fig. S1: random-state densities against the Gaussian of the exact finite-L variance.",
        (ALPHA, L_COL, ENSEMBLE)
        + _BIN
        + (
            N_REAL,
            Col(
                "sigma_L", "float64", "std(J)", "exact sigma_L = sqrt(sum_{j != i} K_ij^2 / J_ij^2)"
            ),
            Col("gaussian", "float64", "1/std(J)", "bin average of N(0, sigma_L^2)"),
        ),
        params=SFS_PARAMS,
    ),
    Schema(
        "fields_moments",
        "Field moments per (alpha, L, ensemble): variance against sigma_L^2, kurtosis, "
        "correlations, energies and SFS checks; errors over realization blocks.",
        (
            ALPHA,
            L_COL,
            ENSEMBLE,
            N_REAL,
            Col("n_spins", "int64", "", "spins in the statistics (n_realizations x L)"),
            Col("mean", "float64", "std(J)", "mean field"),
            Col("var", "float64", "std(J)^2", "field variance"),
            Col("var_err", "float64", "std(J)^2", "its block standard error"),
            Col("sigma_L", "float64", "std(J)", "exact infinite-temperature field std"),
            Col("var_ratio", "float64", "", "var / sigma_L^2 (1 for random states)"),
            Col("var_ratio_err", "float64", "", "its error"),
            Col("kurtosis", "float64", "", "<phi^4> / <phi^2>^2 (3 for a Gaussian)"),
            Col("kurtosis_err", "float64", "", "its error (numerator only)"),
            Col("corr_nn", "float64", "", "correlation of neighbouring fields"),
            Col("corr_nn_err", "float64", "", "its error"),
            Col("corr_half", "float64", "", "correlation of fields L/2 apart"),
            Col("corr_half_err", "float64", "", "its error"),
            Col("energy_per_spin", "float64", "std(J)", "mean classical energy per spin"),
            Col("energy_per_spin_err", "float64", "std(J)", "its standard error"),
            Col("n_flips_mean", "float64", "", "mean SFS relaxation flips"),
            Col("min_abs_phi_mean", "float64", "std(J)", "mean over realizations of min |phi_i|"),
            Col("n_unstable_max", "int64", "", "largest number of unstable spins of a state"),
            Col("fraction_sfs", "float64", "", "fraction of states with no unstable spin"),
        ),
        params=SFS_PARAMS,
    ),
    Schema(
        "fields_resonant",
        "Resonant spins |phi_i| < h per state, per (alpha, L, ensemble, h) of fields.h_x_res.",
        (
            ALPHA,
            L_COL,
            ENSEMBLE,
            Col("h", "float64", "std(J)", "resonance threshold h (fields.h_x_res)"),
            Col("n_res_mean", "float64", "", "mean number of spins with |phi_i| < h per state"),
            Col("n_res_err", "float64", "", "its standard error over realizations"),
            N_REAL,
        ),
        params=SFS_PARAMS,
    ),
)


def run_aggregate(params: dict, inputs: dict) -> dict:
    from ..io import read_tables

    hist = read_tables(inputs["hist"])
    keys = ["alpha", "L", "ensemble", "block", "bin"]
    counts = (
        hist.groupby(keys, sort=True)
        .agg(count=("count", "sum"), phi_lo=("phi_lo", "first"), phi_hi=("phi_hi", "first"))
        .reset_index()
    )
    summary = read_tables(inputs["summary"])
    summary = summary[summary["in_hist"]] if len(summary) else summary
    summary = summary.sort_values(["alpha", "L", "ensemble", "realization"])
    return {"counts": counts, "summary": summary.reset_index(drop=True)}


def run_tables(params: dict, inputs: dict) -> dict:
    import numpy as np

    from ..field_statistics import (
        analyse_fields,
        moments_table,
        random_fields_table,
        resonant_table,
    )
    from ..io import read_table
    from ..model import Model
    from ..sampling import hist_edges

    p = params
    counts = read_table(inputs["counts"][0])
    summary = read_table(inputs["summary"][0])
    h = p["hist"]
    edges = hist_edges(h["phi_min"], h["phi_max"], h["bins_per_decade"])
    models = [Model.from_dict(m) for m in p["models"]]
    alphas = sorted({float(a) for a in summary["alpha"].unique()})
    fields, exponents = analyse_fields(
        counts,
        summary,
        edges,
        list(p["L"]),
        alphas,
        fit_lo=p["fit"]["lo"],
        fit_hi=p["fit"]["hi"],
        alt_windows=[tuple(w) for w in p["fit"]["alt_windows"]],
        main_form=p["extrapolation"],
        n_bootstrap=p["n_bootstrap"],
        base_seed=p["seed"],
        main_alpha=p["alpha"],
    )
    figS1 = [m for m in models if np.any(np.isclose(m.alpha, p["figS1_alphas"]))]
    return {
        "fields": fields,
        "exponents": exponents,
        "random": random_fields_table(fields, figS1),
        "moments": moments_table(summary, models),
        "resonant": resonant_table(summary),
    }


def run_estimators(params: dict, inputs: dict) -> dict:
    import numpy as np
    import pandas as pd

    from ..estimators import estimate_table
    from ..field_statistics import block_arrays
    from ..io import read_table
    from ..sampling import hist_edges
    from ..seeds import rng_for

    p = params
    counts = read_table(inputs["counts"][0])
    summary = read_table(inputs["summary"][0])
    h = p["hist"]
    edges = hist_edges(h["phi_min"], h["phi_max"], h["bins_per_decade"])
    n_bins = len(edges) - 1
    lo, hi = float(p["fit"]["lo"]), float(p["fit"]["hi"])
    rows, sizes = [], []
    for alpha in sorted(float(a) for a in p["alphas"]):
        blocks = {}
        for L in p["L"]:
            C, n = block_arrays(counts, summary, alpha, L, "sfs", n_bins)
            if len(n) == 0:
                continue
            s = summary[
                np.isclose(summary["alpha"], alpha)
                & (summary["L"] == L)
                & (summary["ensemble"] == "sfs")
                & summary["in_hist"]
            ]
            S = s.groupby("block")["min_abs_phi"].sum().sort_index().to_numpy(np.float64)
            blocks[int(L)] = (C, n, S)
        Ls = sorted(blocks)
        if len(Ls) < 2:
            continue
        # the Fig. 1 analysis's replicas (same stream, same order of draws)
        rng = rng_for(p["seed"], "bootstrap", int(round(alpha * 1e6)))
        reps = {
            L: rng.integers(0, len(blocks[L][1]), (p["n_bootstrap"], len(blocks[L][1]))) for L in Ls
        }
        table, diag = estimate_table(Ls, blocks, edges, alpha, fit_lo=lo, fit_hi=hi, reps=reps)
        rows.append(table)
        sizes.append(
            pd.DataFrame(
                {
                    "alpha": alpha,
                    "L": diag["L"],
                    "x_L": diag["x_L"],
                    "x_L_err": diag["x_L_err"],
                    "phi_min_mean": diag["phi_min"],
                    "phi_min_err": diag["phi_min_err"],
                    "n_realizations": [int(blocks[L][1].sum()) for L in Ls],
                }
            )
        )
    cols = [c.name for c in TABLES["fig1_estimators"].columns]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out["main"] = np.isclose(out["alpha"].astype(float), float(p["alpha"]))
    order = {e: i for i, e in enumerate(("density", "phi_min", "n_res", "drift", "all"))}
    out = out.sort_values(
        ["alpha", "estimator", "form"], key=lambda c: c.map(order) if c.name == "estimator" else c
    )
    sz = (
        pd.concat(sizes, ignore_index=True)
        if sizes
        else pd.DataFrame(columns=[c.name for c in TABLES["fig1_estimator_sizes"].columns])
    )
    return {"estimators": out[cols].reset_index(drop=True), "sizes": sz}


STEPS = {
    "fields_aggregate": Step(
        run_aggregate,
        {
            "counts": ("fields_counts", "fields/counts.parquet"),
            "summary": ("fields_summary", "fields/summary.parquet"),
        },
        sharded=False,
    ),
    "fields_tables": Step(
        run_tables,
        {
            "fields": ("fig1_fields", "data/fig1_fields.parquet"),
            "exponents": ("fig1_exponents", "data/fig1_exponents.parquet"),
            "random": ("figS1_random_fields", "data/figS1_random_fields.parquet"),
            "moments": ("fields_moments", "data/fields_moments.parquet"),
            "resonant": ("fields_resonant", "data/fields_resonant.parquet"),
        },
        sharded=False,
    ),
    "fields_estimators": Step(
        run_estimators,
        {
            "estimators": ("fig1_estimators", "data/fig1_estimators.parquet"),
            "sizes": ("fig1_estimator_sizes", "data/fig1_estimator_sizes.parquet"),
        },
        sharded=False,
    ),
}


def plan(ctx) -> list[Job]:
    cfg = ctx.cfg
    fc = cfg["fields"]
    Ls = [int(L) for L in fc["L"]]
    agg = Job(
        "fields_aggregate",
        "",
        {"L": Ls},
        {"hist": shard_files(ctx, "hist", Ls), "summary": shard_files(ctx, "summary", Ls)},
        {},
        mem_mb=8000,
        runtime=60,
    )
    alphas = sorted({float(fc["alpha"])} | {float(a) for a in fc["inset"]["alphas"]})
    params = {
        "seed": int(cfg["seed"]),
        "alpha": float(fc["alpha"]),
        "L": Ls,
        "models": [model(cfg, a).as_dict() for a in alphas],
        "figS1_alphas": [float(a) for a in fc["figS1"]["alphas"]],
        "fit": fc["fit"],
        "extrapolation": fc["extrapolation"],
        "n_bootstrap": int(fc["n_bootstrap"]),
        "hist": fc["hist"],
    }
    tables = Job(
        "fields_tables",
        "",
        params,
        {
            "counts": [ctx.path("fields/counts.parquet")],
            "summary": [ctx.path("fields/summary.parquet")],
        },
        {},
        mem_mb=8000,
        runtime=60,
        provenance=ctx.provenance("sfs", "fields"),
    )
    estimators = Job(
        "fields_estimators",
        "",
        {
            "seed": int(cfg["seed"]),
            "alpha": float(fc["alpha"]),
            "alphas": alphas,
            "L": Ls,
            "fit": {"lo": fc["fit"]["lo"], "hi": fc["fit"]["hi"]},
            "n_bootstrap": int(fc["n_bootstrap"]),
            "hist": fc["hist"],
        },
        {
            "counts": [ctx.path("fields/counts.parquet")],
            "summary": [ctx.path("fields/summary.parquet")],
        },
        {},
        mem_mb=8000,
        runtime=60,
        provenance=ctx.provenance("sfs", "fields"),
    )
    return [agg, tables, estimators]


def figures(ctx) -> list[Figure]:
    d = f"{ctx.root}/data"
    return [
        Figure(
            "fig1",
            {"fields": f"{d}/fig1_fields.parquet", "exponents": f"{d}/fig1_exponents.parquet"},
        ),
        Figure(
            "figS9",
            {
                "estimators": f"{d}/fig1_estimators.parquet",
                "sizes": f"{d}/fig1_estimator_sizes.parquet",
            },
        ),
        Figure(
            "figS1",
            {
                "random": f"{d}/figS1_random_fields.parquet",
                "moments": f"{d}/fields_moments.parquet",
            },
        ),
    ]
