"""The workflow end to end on the tiny preset: figures, tables, invariance, config errors."""

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_SHARDS, make_workdir, plan_for, run_workflow

FIELD_TABLES = [
    "fig1_fields",
    "fig1_exponents",
    "figS1_random_fields",
    "fields_moments",
    "fields_resonant",
    "fig1_estimators",
    "fig1_estimator_sizes",
]
PROVENANCE = ["preset", "base_seed", "kasglass_version", "git_revision"]
COLUMNS = {
    "fig1_fields": [
        "alpha",
        "L",
        "ensemble",
        "phi_lo",
        "phi_hi",
        "density",
        "density_err",
        "n_realizations",
        "extrapolation",
        "sfs_order",
    ],
    "fig1_exponents": [
        "alpha",
        "x",
        "x_err",
        "bound",
        "fit_lo",
        "fit_hi",
        "extrapolation",
        "x_err_stat",
        "x_err_sys",
        "sfs_order",
    ],
    "figS1_random_fields": [
        "alpha",
        "L",
        "phi_lo",
        "phi_hi",
        "density",
        "density_err",
        "gaussian",
        "sigma_L",
    ],
    "claims": ["claim", "statistic", "value", "error", "threshold", "verdict"],
}


def _table(wd, name):
    return pd.read_parquet(wd / "results" / "tiny" / "data" / f"{name}.parquet")


def _content(df):
    return df.drop(columns=[c for c in ("git_revision",) if c in df.columns])


@pytest.mark.slow
def test_tiny_preset_builds_fig1_figS1_and_tables(tiny_run):
    res = tiny_run / "results" / "tiny"
    for stem in ("fig1", "figS1"):
        for ext in ("pdf", "png"):
            f = res / "figures" / f"{stem}.{ext}"
            assert f.exists() and f.stat().st_size > 5000, f
    for name, cols in COLUMNS.items():
        df = _table(tiny_run, name)
        assert len(df) > 0
        missing = set(cols + PROVENANCE) - set(df.columns)
        assert not missing, f"{name} lacks {missing}"
    f = _table(tiny_run, "fig1_fields")
    assert f["L"].isna().any(), "extrapolated rows have L = null"
    assert set(f["ensemble"]) == {"sfs", "random"}
    ex = _table(tiny_run, "fig1_exponents")
    assert sorted(ex["alpha"]) == [0.6, 0.7, 0.8]
    assert (ex["bound"] - (1 / ex["alpha"] - 1)).abs().max() < 1e-12
    claims = _table(tiny_run, "claims")
    assert set(range(1, 7)) <= set(claims["claim"])
    assert set(claims["verdict"]) <= {"reproduced", "not reproduced", "inconclusive"}
    assert claims.loc[claims["claim"] == 2, "verdict"].item() == "reproduced"
    md = (res / "data" / "claims.md").read_text()
    assert "Reproduction scorecard" in md and "| 6 |" in md


@pytest.mark.slow
def test_tables_identical_across_cores_and_shard_sizes(tiny_run, tmp_path):
    """1 core with more SFS shards gives the same table content as 2 cores with the default."""
    wd = make_workdir(tmp_path / "alt", SMALL_SHARDS)
    targets = [f"results/tiny/data/{t}.parquet" for t in FIELD_TABLES]
    run_workflow(wd, targets, cores=1)
    n_alt = len(list((wd / "results/tiny/sfs/L32").glob("shard*.hist.parquet")))
    n_ref = len(list((tiny_run / "results/tiny/sfs/L32").glob("shard*.hist.parquet")))
    assert n_alt > n_ref, (n_alt, n_ref)
    assert n_alt == sum(1 for lab in plan_for(wd).labels("sfs") if lab.startswith("L32/"))
    for t in FIELD_TABLES:
        pd.testing.assert_frame_equal(
            _content(_table(wd, t)), _content(_table(tiny_run, t)), check_exact=True
        )


@pytest.mark.parametrize(
    "override, message",
    [
        (
            {"fields": {"alpha": 0.4}},
            "config key 'fields.alpha': 0.4 is out of range: must be > 0.5",
        ),
        (
            {"fields": {"L": [2, 48, 64]}},
            "config key 'fields.L[0]': 2 is out of range: must be >= 4",
        ),
        ({"fields": {"n_realizations": [0, 10, 10]}}, "config key 'fields.n_realizations[0]'"),
        ({"sfs": {"order": "fastest"}}, "config key 'sfs.order': 'fastest' is not allowed"),
        ({"fields": {"alhpa": 0.7}}, "unknown key(s) 'alhpa'"),
        ({"fields": {"n_realizations": [10, 10]}}, "needs one entry per size in fields.L"),
    ],
)
def test_bad_config_fails_before_any_job(tmp_path, override, message):
    wd = make_workdir(tmp_path / "bad", override)
    proc = run_workflow(wd, cores=1, check=False, timeout=300)
    assert proc.returncode != 0
    assert message in proc.stderr + proc.stdout
    assert not (wd / "results").exists(), "no job may run with an invalid config"


def test_numbers_from_the_command_line_are_accepted(tmp_path):
    """`--config key='{a: 1}'` delivers nested values as strings; where the schema wants a number
    the string is converted (and still range-checked) before any job runs."""
    wd = make_workdir(tmp_path / "cli", {})
    ok = run_workflow(
        wd,
        cores=1,
        check=False,
        timeout=300,
        extra_args=["-n", "--config", "shards={job_minutes: 3}", "fields={n_bootstrap: 17}"],
    )
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "sfs" in ok.stdout
    bad = run_workflow(
        wd, cores=1, check=False, timeout=300, extra_args=["-n", "--config", "fields={alpha: 0.3}"]
    )
    assert bad.returncode != 0
    msg = "config key 'fields.alpha': 0.3 is out of range: must be > 0.5"
    assert msg in bad.stderr + bad.stdout


@pytest.mark.slow
def test_estimator_table_of_the_workflow(tiny_run):
    """The density estimator with the paper form is the Fig. 1 exponent exactly (same replicas,
    same weights); every alpha has every estimator, form and the combinations, and x_L / phi_min
    per size come from the same realizations as Fig. 1."""
    ex = _table(tiny_run, "fig1_exponents").set_index("alpha")
    es = _table(tiny_run, "fig1_estimators")
    sz = _table(tiny_run, "fig1_estimator_sizes")
    d = es[(es["estimator"] == "density") & (es["form"] == "paper")].set_index("alpha")
    assert (d["x"] == ex.loc[d.index, "x"]).all()
    assert set(es["alpha"]) == set(ex.index)
    for _a, g in es.groupby("alpha"):
        assert set(zip(g["estimator"], g["form"], strict=True)) == {
            (e, f)
            for e in ("density", "phi_min", "n_res", "drift")
            for f in ("paper", "longrange", "combined")
        } | {("all", "combined")}
        allrow = g[g["estimator"] == "all"].iloc[0]
        assert allrow["x_err"] >= allrow["x_err_stat"] and np.isfinite(allrow["x_err_between"])
    fs = _table(tiny_run, "fields_moments")
    fs = fs[fs["ensemble"] == "sfs"].set_index(["alpha", "L"])
    m = sz.set_index(["alpha", "L"])
    assert np.allclose(m["phi_min_mean"], fs.loc[m.index, "min_abs_phi_mean"], rtol=1e-12)
    assert (m["n_realizations"] == fs.loc[m.index, "n_realizations"]).all()
