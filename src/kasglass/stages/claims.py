"""Stage ``claims``: the reproduction scorecard, every claim of the paper evaluated on the figure
tables (:mod:`kasglass.claims`)."""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Job, Step

_VERDICT = Col("verdict", "str", "", "reproduced, not reproduced or inconclusive")
_VALUE = (
    Col("statistic", "str", "", "the statistic computed"),
    Col("value", "float64", "", "its value"),
    Col(
        "error",
        "float64",
        "",
        "its error (null where the statistic has none: a count, a maximum, an exact p-value)",
    ),
    Col("threshold", "str", "", "the threshold, fixed in code before the data were read"),
)

TABLES = register(
    Schema(
        "claims",
        "The scorecard's readings: one row per (claim, reading); each claim has exactly one "
        "primary reading, which decides its verdict.",
        (
            Col("claim", "int64", "", "claim number (docs/claims.md)"),
            Col("reading", "str", "", "which interpretation or parameter point this row tests"),
            Col("primary", "bool", "", "the claim's primary reading"),
            Col("adds", "str", "", "what a non-primary reading adds (empty for the primary)"),
        )
        + _VALUE
        + (_VERDICT, Col("detail", "str", "", "numbers behind the verdict")),
    ),
    Schema(
        "claims_summary",
        "The scorecard per claim: the paper's statement, the primary reading and its verdict.",
        (
            Col("claim", "int64", "", "claim number (docs/claims.md)"),
            Col("title", "str", "", "the claim"),
            Col("paper", "str", "", "what the paper says"),
            Col("primary_reading", "str", "", "the primary reading (empty: the claim's only one)"),
            Col("why", "str", "", "why the physics makes it the deciding reading"),
        )
        + _VALUE
        + (
            _VERDICT,
            Col("n_readings", "int64", "", "the claim's other readings"),
            Col("n_agree", "int64", "", "of those, readings with the primary's verdict"),
        ),
    ),
)

#: the figure tables the scorecard reads
CLAIM_TABLES = (
    "fig1_fields",
    "fig1_exponents",
    "fig1_estimators",
    "figS1_random_fields",
    "fields_moments",
    "fig2_avalanche",
    "two_spin_resonances",
    "two_spin_exponents",
    "fig3_phase_diagram",
    "fig3_realizations",
    "figS3_fss",
    "fig2_polarization",
    "fig2_entanglement",
)


def run(params: dict, inputs: dict) -> dict:
    from ..claims import evaluate, summary, to_html, to_markdown
    from ..io import read_table

    tables = {name: read_table(paths[0]) for name, paths in inputs.items()}
    df = evaluate(tables, params["context"])
    preset, seed = params["preset"], params["seed"]
    return {
        "table": df,
        "summary": summary(df),
        "md": to_markdown(df, preset),
        "html": to_html(df, preset, seed),
    }


STEPS = {
    "claims": Step(
        run,
        {
            "table": ("claims", "data/claims.parquet"),
            "summary": ("claims_summary", "data/claims_summary.parquet"),
            "md": (None, "data/claims.md"),
            "html": (None, "data/claims.html"),
        },
        sharded=False,
    ),
}


def plan(ctx) -> list[Job]:
    inputs = {t: [ctx.path(f"data/{t}.parquet")] for t in CLAIM_TABLES}
    cfg = ctx.cfg
    if cfg["fields"]["protocols"]["orders"] and cfg["fields"]["protocols"]["L"]:
        inputs["figS10_protocols"] = [ctx.path("data/figS10_protocols.parquet")]  # optional
    context = {  # the run's main parameters, which name the primary readings
        "alpha": float(cfg["fields"]["alpha"]),
        "h_x": float(cfg["avalanche"]["h_x_main"]),
        "h_x_two_spin": float(min(cfg["resonances"]["h_x"])),
    }
    from . import run_name

    params = {"preset": run_name(cfg), "seed": int(cfg["seed"]), "context": context}
    return [
        Job(
            "claims",
            "",
            params,
            inputs,
            {},
            mem_mb=2000,
            runtime=10,
            provenance={
                "preset": ctx.cfg["preset"],
                "run": run_name(ctx.cfg),
                "base_seed": int(ctx.cfg["seed"]),
                "config": ctx.cfg,
            },
        )
    ]
