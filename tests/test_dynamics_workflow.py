"""End to end on the tiny preset: Fig. 2 right table (and fig2 itself), figS4, and claim 12."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_workdir, run_workflow


@pytest.mark.slow
def test_tiny_dynamics_targets(tiny_run):
    res = tiny_run / "results" / "tiny"  # the session's end-to-end tiny run (read only here)
    for stem in ("figS4", "fig2"):
        for ext in ("pdf", "png"):
            assert (res / "figures" / f"{stem}.{ext}").stat().st_size > 1000
    import pandas as pd

    pol = pd.read_parquet(res / "data" / "fig2_polarization.parquet")
    for col in ("alpha", "h_x", "L", "n", "L_R", "P", "P_err", "n_realizations"):
        assert col in pol.columns
    ext = pol[pol["L_R"].isna() & pol["main"]]
    assert sorted(ext["n"].unique()) == [1, 2, 3, 4, 5, 6]
    assert np.all(np.abs(pol["P"]) <= 1 + 1e-9)
    qu = pd.read_parquet(res / "data" / "figS4_quench.parquet")
    assert np.allclose(qu[qu["t"] == 0]["C_mean"], 1.0)
    mem = pd.read_parquet(res / "data" / "figS4_memory.parquet")
    assert set(mem["ensemble"]) == {"sfs", "random"}

    from kasglass.claims import evaluate

    card = evaluate({"fig2_polarization": pol})
    rows = card[card["claim"] == 12]
    assert set(rows["reading"]) == {"all readings", "sizeable", "decays", "slowly"}
    assert not rows["detail"].str.contains("evaluation failed").any()


def test_a_figure_named_as_the_target_plans_its_plot_and_no_other(tmp_path):
    """`snakemake fig2 figS4 ...` (a figure by name) plans exactly those figures' plot jobs and
    what they need (a dry run: the figures themselves are built by the session's tiny run)."""
    import re

    wd = make_workdir(tmp_path / "wd")
    named = ["fig2", "figS2", "figS4", "figS6"]
    proc = run_workflow(wd, targets=named, cores=1, extra_args=["-n"], timeout=300)
    planned = set(re.findall(r"wildcards: figure=(\w+)", proc.stdout + proc.stderr))
    assert planned == set(named), planned
