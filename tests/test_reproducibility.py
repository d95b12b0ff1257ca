"""Reproducibility guarantees of the whole tiny DAG (issue 6).

- A run killed with SIGKILL mid-way and resumed with --rerun-incomplete gives the same figure
  tables as an uninterrupted run (it also uses other shard sizes for the avalanche, resonance
  and dynamics stages, so every stage's sharding invariance is checked in the same run; the SFS
  stage's is in tests/test_pipeline_fields.py).
- A truncated or corrupted Parquet intermediate is reported (the job reading it fails, naming the
  file), never read as a result; deleting it and rerunning rebuilds identical tables.
- Changing one physics parameter makes `snakemake -n` list exactly the stages that depend on it;
  restyling a figure (editing its plot script) reruns only that plot.
- Every figure table records preset, base seed, package version and git revision.

Tables are compared by content (pandas, exact), ignoring only the git_revision column (other
engineers commit while the tests run).
"""

from __future__ import annotations

import base64
import collections
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, SMALL_SHARDS, make_workdir, run_workflow, snakemake_exe

import kasglass
from kasglass import io as kio

DATA = Path("results/tiny/data")
PROVENANCE = ["preset", "base_seed", "kasglass_version", "git_revision"]
FIELD_TABLES = [
    "fig1_fields",
    "fig1_exponents",
    "figS1_random_fields",
    "fields_moments",
    "fields_resonant",
]
# Other shard sizes for every stage (the killed run uses them; results must not change).
ALT_SHARDS = SMALL_SHARDS


def _tables(wd: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted((wd / DATA).glob("*.parquet"))}


def _content(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in ("git_revision",) if c in df.columns])


def _assert_same_tables(wd: Path, ref: Path, names=None, what=""):
    got, exp = _tables(wd), _tables(ref)
    names = sorted(exp) if names is None else names
    assert set(names) <= set(got), f"{what}: missing tables {set(names) - set(got)}"
    for name in names:
        pd.testing.assert_frame_equal(
            _content(got[name]), _content(exp[name]), check_exact=True, obj=f"{what}: {name}"
        )


def _copy_done_run(src: Path, dest: Path) -> Path:
    """A copy of a finished run (outputs with their mtimes and Snakemake's metadata)."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def _write_overrides(wd: Path, overrides: dict) -> None:
    (wd / "overrides.yaml").write_text(yaml.safe_dump(overrides))


def planned_jobs(wd: Path, targets=()) -> collections.Counter:
    """Rule -> number of jobs that `snakemake -n` would run (the `all` target rule excluded)."""
    proc = run_workflow(wd, targets, cores=1, extra_args=["-n"], timeout=300)
    text = proc.stdout + proc.stderr
    jobs = collections.Counter(re.findall(r"^(?:local)?rule (\w+):", text, re.M))
    jobs.pop("all", None)
    return jobs


@pytest.fixture
def done(tiny_run, tmp_path):
    """A private copy of the finished tiny run; `snakemake -n` has nothing to do in it."""
    wd = _copy_done_run(tiny_run, tmp_path / "done")
    assert planned_jobs(wd) == collections.Counter(), "a finished run must be up to date"
    return wd


# ----------------------------------------------------------------------------------------------
# Provenance (cheap: reads the session's tiny run)


@pytest.mark.slow
def test_every_figure_table_records_provenance(tiny_run):
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    tiny = yaml.safe_load((REPO / "presets" / "tiny.yaml").read_text())
    seed = int(tiny.get("seed", cfg["seed"]))
    tables = sorted((tiny_run / DATA).glob("*.parquet"))
    assert len(tables) >= 6, tables
    for path in tables:
        df = pd.read_parquet(path)
        missing = set(PROVENANCE) - set(df.columns)
        assert not missing, f"{path.name} lacks provenance columns {missing}"
        assert len(df) > 0, path.name
        assert set(df["preset"]) == {"tiny"}, path.name
        assert set(df["base_seed"]) == {seed}, path.name
        assert set(df["kasglass_version"]) == {kasglass.__version__}, path.name
        rev = set(df["git_revision"])
        assert len(rev) == 1 and re.fullmatch(r"([0-9a-f]{40}(-dirty)?|unknown)", rev.pop())
        meta = kio.read_provenance(path)
        assert meta.get("preset") == "tiny" and meta.get("base_seed") == seed, path.name


# ----------------------------------------------------------------------------------------------
# Kill and resume


def _kill_leftovers(wd: Path) -> None:
    """SIGKILL, by PID, any job process of the killed run that left its process group."""
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(wd) in cmd and int(proc_dir.name) != os.getpid():
            try:
                os.kill(int(proc_dir.name), signal.SIGKILL)
            except OSError:
                pass


def _incomplete(wd: Path) -> set[str]:
    """Output paths Snakemake marks as incomplete (jobs started but not finished)."""
    d = wd / ".snakemake" / "incomplete"
    if not d.is_dir():
        return set()
    out = set()
    for p in d.iterdir():
        if p.is_file() and not p.name.startswith("@") and p.name != "migration_underway":
            try:
                out.add(base64.urlsafe_b64decode(p.name).decode())
            except ValueError:
                continue
    return out


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_incomplete_gives_identical_tables(tiny_run, tmp_path):
    wd = make_workdir(tmp_path / "killed", ALT_SHARDS)
    cmd = snakemake_exe() + [
        "--cores",
        "2",
        "--configfile",
        "presets/tiny.yaml",
        "overrides.yaml",
        "--nolock",
    ]
    env = dict(os.environ)
    env.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "kasglass" / "numba"))
    log = open(tmp_path / "killed.log", "w")
    proc = subprocess.Popen(
        ["timeout", "-s", "INT", "600", *cmd],
        cwd=wd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    logfile = tmp_path / "killed.log"
    done_before: dict[Path, float] = {}
    t0 = time.time()
    try:
        # Kill once an SFS job has finished and other jobs are running (marked incomplete);
        # the snapshot of finished outputs is taken right before the kill.
        while time.time() - t0 < 300 and proc.poll() is None:
            running = _incomplete(wd)
            if running and "(Rule: sfs)" in logfile.read_text():
                done_before = {
                    p: p.stat().st_mtime
                    for p in (wd / "results").rglob("*.parquet")
                    if p.relative_to(wd).as_posix() not in running
                }
                os.killpg(proc.pid, signal.SIGKILL)  # snakemake and every job it started
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()
        _kill_leftovers(wd)
    assert done_before, (
        "the run ended before it could be killed mid-way:\n" + (logfile.read_text()[-3000:])
    )
    assert not (wd / DATA / "claims.parquet").exists(), "killed too late"
    interrupted = _incomplete(wd)
    assert interrupted, "Snakemake's metadata must mark the interrupted jobs' outputs"
    run_workflow(wd, cores=2, extra_args=["--rerun-incomplete"], timeout=900)
    assert planned_jobs(wd) == collections.Counter()
    assert not _incomplete(wd)
    redone = [p for p, t in done_before.items() if p.stat().st_mtime != t]
    assert not redone, f"outputs finished before the kill were recomputed: {redone}"
    _assert_same_tables(wd, tiny_run, what="killed + resumed (other shard sizes)")


# ----------------------------------------------------------------------------------------------
# Damaged intermediates


def _truncate(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


@pytest.mark.slow
def test_truncated_intermediate_is_reported_not_read_then_rebuilt(done, tiny_run):
    bad = done / "results/tiny/sfs/L32/shard0000.hist.parquet"
    _truncate(bad)
    targets = [str(DATA / f"{t}.parquet") for t in FIELD_TABLES]
    before = {t: (done / DATA / f"{t}.parquet").stat().st_mtime for t in FIELD_TABLES}
    proc = run_workflow(done, targets, cores=1, check=False, timeout=600)
    text = proc.stdout + proc.stderr
    log = done / "results/tiny/logs/fields_aggregate.log"
    text += log.read_text() if log.exists() else ""
    assert proc.returncode != 0, "a truncated intermediate must stop the workflow"
    assert "DamagedTableError" in text and "shard0000.hist.parquet" in text, text[-4000:]
    assert "is not a readable Parquet file" in text
    # Nothing downstream was written from the damaged file.
    assert not (done / "results/tiny/fields/counts.parquet").exists()
    for t in FIELD_TABLES:
        assert (done / DATA / f"{t}.parquet").stat().st_mtime == before[t], t
    # Following the message (delete it, rerun) rebuilds exactly the same tables.
    bad.unlink()
    run_workflow(done, targets, cores=1, timeout=600)
    _assert_same_tables(done, tiny_run, FIELD_TABLES, what="rebuilt after truncation")


@pytest.mark.slow
def test_truncated_figure_table_fails_its_consumers(done):
    bad = done / DATA / "fig1_exponents.parquet"
    _truncate(bad)
    proc = run_workflow(done, [str(DATA / "claims.parquet")], cores=1, check=False, timeout=300)
    text = proc.stdout + proc.stderr + (done / "results/tiny/logs/claims.log").read_text()
    assert proc.returncode != 0
    assert "DamagedTableError" in text and "fig1_exponents.parquet" in text, text[-4000:]
    assert not (done / DATA / "claims.parquet").exists(), "no scorecard from a damaged table"


def test_corrupted_bytes_are_detected(tmp_path):
    """A flipped byte inside a data page must raise DamagedTableError, never return wrong values.

    Parquet checks only its footer; without page checksums most single-byte corruptions read
    back as silently wrong numbers. kasglass.io must write and verify page CRCs.
    """
    import numpy as np

    df = pd.DataFrame(
        {"x": np.arange(3000, dtype=np.int64), "y": np.random.default_rng(1).normal(size=3000)}
    )
    path = tmp_path / "t.parquet"
    kio.write_table(df, path, prov=kio.provenance("tiny", 1))
    raw = bytearray(path.read_bytes())
    silent = []
    for pos in range(64, len(raw) // 2, 97):  # inside the column chunks
        b = raw.copy()
        b[pos] ^= 0x5A
        path.write_bytes(b)
        try:
            got = kio.read_table(path)
        except kio.DamagedTableError:
            continue
        if not got[["x", "y"]].equals(df):
            silent.append(pos)
    assert not silent, f"corruption at byte offsets {silent[:5]} read back as wrong values"


# ----------------------------------------------------------------------------------------------
# What a change reruns


@pytest.mark.slow
@pytest.mark.parametrize(
    "override, expected",
    [
        # Fit window of Fig. 1: the analysis, its two figures, the estimators of x (Fig. S9),
        # the flip-order comparison (Fig. S10), the 2FS summary (its finite-L exponents use the
        # same window) and Fig. S6, and the scorecard; never SFS.
        (
            {"fields": {"fit": {"lo": 0.05}}},
            {
                "fields_tables": 1,
                "fields_estimators": 1,
                "protocols_aggregate": 1,
                "twoflip_aggregate": 1,
                "plot": 5,
                "claims": 1,
            },
        ),
        # Avalanche length: the avalanche shards, their aggregate, Figs. 2 and S5 and the
        # scorecard.
        (
            {"avalanche": {"n_steps": 900}},
            {"avalanche": None, "avalanche_aggregate": 1, "plot": 2, "claims": 1},
        ),
    ],
    ids=["fields.fit.lo", "avalanche.n_steps"],
)
def test_parameter_change_reruns_exactly_dependent_stages(done, override, expected):
    _write_overrides(done, override)
    jobs = planned_jobs(done)
    assert set(jobs) == set(expected), dict(jobs)
    for rule, n in expected.items():
        if n is not None:
            assert jobs[rule] == n, (rule, dict(jobs))


@pytest.mark.slow
def test_sfs_order_reruns_from_sfs_on_but_not_disorder_or_ed(done):
    _write_overrides(done, {"sfs": {"order": "sweep"}})
    jobs = planned_jobs(done)
    assert jobs["sfs"] == len(list((done / "results/tiny/sfs").rglob("*.hist.parquet")))
    assert {"fields_aggregate", "fields_tables", "plot", "claims"} <= set(jobs)
    assert "disorder" not in jobs, dict(jobs)
    assert not any(r.startswith("ed") for r in jobs), dict(jobs)


@pytest.mark.slow
def test_restyling_a_figure_reruns_only_its_plot(done):
    script = done / "scripts" / "plot_fig1.py"
    script.write_text(script.read_text() + "\n# restyled: thicker lines\n")
    assert planned_jobs(done) == collections.Counter({"plot": 1})
    tables = {p: p.stat().st_mtime for p in (done / "results/tiny").rglob("*.parquet")}
    png = done / "results/tiny/figures/fig1.png"
    t_png = png.stat().st_mtime
    run_workflow(done, cores=1, timeout=300)
    assert png.stat().st_mtime > t_png
    changed = [p for p, t in tables.items() if p.stat().st_mtime != t]
    assert not changed, f"restyling rewrote data: {changed}"


# ----------------------------------------------------------------------------------------------
# Runs that never collide


def _checksums(root: Path) -> dict[str, str]:
    import hashlib

    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_an_exploration_run_leaves_other_runs_untouched(done):
    before = _checksums(done / "results" / "tiny")
    run_workflow(
        done,
        ["fig1"],
        cores=2,
        extra_args=["--config", "run=explore", "sfs={order: sweep}"],
        timeout=600,
    )
    assert _checksums(done / "results" / "tiny") == before, "an exploration changed another run"
    explore = done / "results" / "explore"
    assert (explore / "figures" / "fig1.png").exists()
    ex = pd.read_parquet(explore / "data" / "fig1_exponents.parquet")
    assert set(ex["run"]) == {"explore"} and set(ex["preset"]) == {"tiny"}
    assert set(ex["sfs_order"]) == {"sweep"}
    # the default run is still complete and up to date
    assert planned_jobs(done) == collections.Counter()


# ----------------------------------------------------------------------------------------------
# Inputs checked on read


def test_an_input_from_another_job_is_rejected_naming_the_file(tmp_path, monkeypatch):
    """A state file written by an SFS job with other parameters (another seed here) is refused
    by the job that reads it, with the file and the differing parameter in the message."""
    import dataclasses

    from kasglass.config import load_config
    from kasglass.stages import build_plan, execute

    monkeypatch.chdir(tmp_path)
    plan = build_plan(load_config("presets/tiny.yaml", overrides={"shards": {"job_minutes": 1}}))
    av = plan.job("avalanche", plan.labels("avalanche")[0])
    states = av.inputs["states"][0]
    sfs = next(j for j in plan.jobs["sfs"].values() if j.outputs["states"] == states)
    execute(plan.job("disorder", sfs.label), write=True)
    execute(
        dataclasses.replace(sfs, params={**sfs.params, "seed": sfs.params["seed"] + 1}), write=True
    )
    with pytest.raises(kio.ProvenanceError, match=r"states\.parquet.*seed = \d+ \(expected \d+\)"):
        execute(av)
    execute(sfs, write=True)  # the file this run expects: accepted
    assert len(execute(av)["runs"]) > 0


@pytest.mark.slow
def test_a_changed_configuration_with_mtime_triggers_is_caught_on_read(done):
    """`--rerun-triggers mtime` ignores a changed sfs.order; a job rerun anyway (-R) then reads
    state files of the old order and fails, naming the file and the parameter."""
    _write_overrides(done, {"sfs": {"order": "sweep"}})
    proc = run_workflow(
        done,
        [str(DATA / "fig2_avalanche.parquet")],
        cores=1,
        check=False,
        extra_args=["--rerun-triggers", "mtime", "-R", "avalanche"],
        timeout=300,
    )
    logs = "".join(p.read_text() for p in (done / "results/tiny/logs/avalanche").rglob("*.log"))
    assert proc.returncode != 0
    assert "ProvenanceError" in logs and "states.parquet" in logs, logs[-3000:]
    assert 'order = "random" (expected "sweep")' in logs
