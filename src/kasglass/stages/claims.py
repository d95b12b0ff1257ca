"""Stage ``claims``: the reproduction scorecard, every claim of the paper evaluated on the figure
tables (:mod:`kasglass.claims`)."""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Job, Step

TABLES = register(
    Schema(
        "claims",
        "The scorecard: one row per (claim, reading).",
        (
            Col("claim", "int64", "", "claim number (docs/claims.md)"),
            Col("title", "str", "", "the claim"),
            Col("reading", "str", "", "which interpretation or parameter point this row tests"),
            Col("statistic", "str", "", "the statistic computed"),
            Col("value", "float64", "", "its value"),
            Col("error", "float64", "", "its error"),
            Col("threshold", "str", "", "the threshold, fixed before the data were read"),
            Col("verdict", "str", "", "reproduced, not reproduced or inconclusive"),
            Col("detail", "str", "", "numbers behind the verdict"),
        ),
    ),
)

#: the figure tables the scorecard reads
CLAIM_TABLES = (
    "fig1_fields",
    "fig1_exponents",
    "figS1_random_fields",
    "fields_moments",
    "fig2_avalanche",
    "two_spin_resonances",
    "two_spin_exponents",
    "fig3_phase_diagram",
    "fig3_realizations",
    "figS3_fss",
    "fig2_polarization",
)


def run(params: dict, inputs: dict) -> dict:
    from ..claims import evaluate, to_html, to_markdown
    from ..io import read_table

    tables = {name: read_table(paths[0]) for name, paths in inputs.items()}
    df = evaluate(tables)
    preset, seed = params["preset"], params["seed"]
    return {"table": df, "md": to_markdown(df, preset), "html": to_html(df, preset, seed)}


STEPS = {
    "claims": Step(
        run,
        {
            "table": ("claims", "data/claims.parquet"),
            "md": (None, "data/claims.md"),
            "html": (None, "data/claims.html"),
        },
        sharded=False,
    ),
}


def plan(ctx) -> list[Job]:
    inputs = {t: [ctx.path(f"data/{t}.parquet")] for t in CLAIM_TABLES}
    params = {"preset": ctx.cfg["preset"], "seed": int(ctx.cfg["seed"])}
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
                "base_seed": int(ctx.cfg["seed"]),
                "config": ctx.cfg,
            },
        )
    ]
