"""scripts/run_jobs.py: planned jobs run without Snakemake write the same tables as the plan's
step, resume, stop starting jobs at a deadline, and survive a failing job; scripts/fig3_offline.py
counts the complete realizations and refuses shards of another plan."""

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # the worker processes unpickle its functions by module name
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The tiny preset's ED jobs, run by run_jobs.py in a scratch folder (2 workers)."""
    import os

    rj = _load("run_jobs")
    work = tmp_path_factory.mktemp("runjobs")
    old = os.getcwd()
    os.chdir(work)
    try:
        assert (
            rj.main(["plan", "--configfile", "presets/tiny.yaml", "--rule", "ed", "-o", "j.json"])
            == 0
        )
        assert rj.main(["run", "j.json", "--workers", "2"]) == 0
    finally:
        os.chdir(old)
    return rj, work, json.loads((work / "j.json").read_text())["jobs"]


def test_outputs_equal_the_step_and_records_exist(tiny_run):
    from kasglass.stages import Job, execute

    _, work, jobs = tiny_run
    assert len(jobs) > 3
    for d in jobs[:3]:
        got = pd.read_parquet(work / d["outputs"]["parts"])
        job = Job(**{k: v for k, v in d.items() if k not in ("log", "benchmark")})
        want = execute(job)["parts"]
        pd.testing.assert_frame_equal(got[want.columns].reset_index(drop=True), want)
        bench = pd.read_csv(work / d["benchmark"], sep="\t")
        assert (
            list(bench.columns)[:3] == ["s", "h:m:s", "max_rss"] and bench["cpu_time"].iloc[0] > 0
        )
        assert "done" in (work / d["log"]).read_text()


def test_resume_deadline_and_a_failing_job(tiny_run, tmp_path, capsys, monkeypatch):
    rj, work, jobs = tiny_run
    monkeypatch.chdir(work)
    assert rj.main(["run", "j.json", "--workers", "2"]) == 0  # everything done: nothing runs
    assert f"{len(jobs)} of {len(jobs)} jobs already done" in capsys.readouterr().out
    # a fresh folder: a job that raises is reported while the others finish
    monkeypatch.chdir(tmp_path)
    spec = json.loads((work / "j.json").read_text())
    spec["jobs"][0]["params"]["L"] = -4  # this job raises
    (tmp_path / "j.json").write_text(json.dumps(spec))
    assert rj.main(["run", "j.json", "--workers", "2"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "1 failed" in out
    assert len(list(tmp_path.glob("results/**/ed/**/*.parquet"))) == len(jobs) - 1
    # past the deadline no job starts (and none is half-written)
    shutil.rmtree(tmp_path / "results")
    assert rj.main(["run", "j.json", "--workers", "2", "--deadline", "1e-9"]) == 0
    assert f"{len(jobs)} not started (deadline)" in capsys.readouterr().out
    assert not list(tmp_path.glob("results/**/*.parquet"))


def test_fig3_offline_counts_complete_realizations(tiny_run, monkeypatch):
    from kasglass.io import ProvenanceError

    _, work, _ = tiny_run
    f3 = _load("fig3_offline")
    monkeypatch.chdir(work)
    plan = f3._plan(["presets/tiny.yaml"])
    n = f3.complete(plan)
    assert n == plan.cfg["ed"]["fig3"]["n_realizations"]
    # a plan asking for fewer realizations expects shorter shards: the shards on disk are refused
    with pytest.raises(ProvenanceError):
        f3.main(
            ["finish", "--configfile", "presets/tiny.yaml", "--n", "3", "--claims", "c.parquet"]
        )
    assert (
        f3.main(
            ["finish", "--configfile", "presets/tiny.yaml", "--n", str(n), "--claims", "c.parquet"]
        )
        == 0
    )
    claims = pd.read_parquet(work / "c.parquet")
    assert {10, 11, 13} <= set(claims["claim"])
