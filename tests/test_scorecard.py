"""The scorecard's structure: one primary reading per claim, a summary row per claim whose counts
add up, the headline counting claims, and verdicts in colour in the HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from kasglass import claims
from kasglass.claims import REGISTRY, evaluate, summary, to_html, to_markdown


def _check(df):
    summ = summary(df)
    claims._load_modules()
    assert list(summ["claim"]) == sorted(REGISTRY), "one summary row per registered claim"
    for cid, g in df.groupby("claim"):
        assert g["primary"].sum() == 1, f"claim {cid}: exactly one primary reading"
        s = summ[summ["claim"] == cid].iloc[0]
        assert s["verdict"] == g.loc[g["primary"], "verdict"].item()
        assert s["n_readings"] == len(g) - 1 and 0 <= s["n_agree"] <= s["n_readings"]
        assert (g.loc[~g["primary"], "adds"] != "").all(), (
            f"claim {cid}: readings say what they add"
        )
        assert s["paper"] and s["title"]
    counts = summ["verdict"].value_counts()
    assert counts.sum() == len(REGISTRY)
    md = to_markdown(df, "x")
    assert f"**{len(REGISTRY)} claims: " in md
    head = md.split("## Readings")[0]
    assert head.count("\n| ") == len(REGISTRY) + 1  # header row + one per claim
    for cid in REGISTRY:  # readings grouped by claim, each title once
        assert md.count(f"### {cid}. ") == 1
    html = to_html(df, "x", 1)
    for v in set(df["verdict"]):
        assert f"background:{claims._COLOURS[v]}'><b>{v}</b>" in html


def test_scorecard_structure_without_tables():
    df = evaluate({})
    assert (df["verdict"] == "inconclusive").all()
    _check(df)


def test_every_claim_declares_the_paper_statement_and_a_justified_primary():
    claims._load_modules()
    for cid, c in REGISTRY.items():
        assert len(c.paper) > 20, cid
        multi = c.primary.reading is not None or c.primary.all_of is not None
        assert not multi or len(c.primary.why) > 20, f"claim {cid}: say why this reading decides"


@pytest.mark.slow
def test_scorecard_of_the_tiny_run(tiny_run):
    data = tiny_run / "results" / "tiny" / "data"
    df = pd.read_parquet(data / "claims.parquet")
    _check(df)
    summ = pd.read_parquet(data / "claims_summary.parquet")
    assert list(summ["claim"]) == sorted(REGISTRY)
    assert (summ["verdict"] == summary(df)["verdict"]).all()
