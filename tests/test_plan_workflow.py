"""Parameters reach the jobs by value: float values that a path label would round run at exactly
the configured value, read back from the figure tables (tiny preset through Snakemake)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_workdir, run_workflow


@pytest.mark.slow
def test_float_parameters_run_at_exactly_the_configured_values(tmp_path):
    third2 = 2 / 3  # 0.6666666666666666: a label shows 0.666667
    wd = make_workdir(
        tmp_path / "wd",
        {
            "dynamics": {"alpha": third2, "polarization": {"h_x": 0.0125}},
            "ed": {"alpha": third2, "fig3": {"h_x": [0.00125, 0.3]}},
        },
    )
    data = "results/tiny/data"
    run_workflow(
        wd, [f"{data}/fig2_polarization.parquet", f"{data}/fig3_phase_diagram.parquet"], cores=2
    )
    pol = pd.read_parquet(wd / data / "fig2_polarization.parquet")
    assert set(pol["h_x"]) == {0.0125} and set(pol["alpha"]) == {third2}
    assert pol["P"].notna().all()
    f3 = pd.read_parquet(wd / data / "fig3_phase_diagram.parquet")
    assert sorted(set(f3["h_x"])) == [0.00125, 0.3] and set(f3["alpha"]) == {third2}
    n_bins = len(f3[f3["h_x"] == 0.3])
    assert len(f3[f3["h_x"] == 0.00125]) == n_bins > 0  # no row dropped
    # the labels in the paths are readable, never read back
    assert (wd / "results/tiny/ed/L8/alpha0.666667/hx0.00125").is_dir()
