"""The tiny preset through a real single-node SLURM cluster (slurm-wlm + munge on localhost).

The test starts munged, slurmctld and slurmd itself (as root), runs the workflow with
``--profile workflow/profiles/slurm`` plus the site flags a cluster without an accounting
database needs, compares every figure table with a local run of the same targets (identical
content; only ``git_revision`` may differ), and stops the daemons it started by PID.

It is skipped, with the reason, unless it runs as root with Debian's slurm-wlm and munge
installed (``.ci/run`` installs them when root and apt are available; set
``KASGLASS_SLURM_INSTALL=1`` to let the test run ``apt-get install`` itself). It never touches
a SLURM installation it did not configure: an existing /etc/slurm/slurm.conf not written by this
test, or a running slurmctld/slurmd, makes it skip.

Facts behind the setup (verified on Debian 12, slurm-wlm 22.05): slurm.conf must live at
/etc/slurm/slurm.conf because the job-side plugin clears SLURM_CONF; without accounting, sacct
fails, so status comes from squeue, which needs MinJobAge >= 3x the status-check interval.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_workdir, snakemake_exe

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

SLURM_CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# written by kasglass tests/test_slurm.py"
MUNGE_KEY = Path("/etc/munge/munge.key")
MUNGE_SOCKET_DIR = Path("/run/munge")
BINARIES = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel", "srun"]
# Site flags of this test cluster (no accounting database, no accounts); everything else comes
# from the profile unchanged.
SITE_FLAGS = [
    "--slurm-no-account",
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "2",
]
# Every figure table of the tiny DAG is compared (the targets are the whole DAG: `rule all`).
TIMEOUT_SLURM = 600


def _sbin(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )


def _missing() -> list[str]:
    return [b for b in BINARIES if _sbin(b) is None]


def _maybe_install() -> None:
    if not _missing() or os.environ.get("KASGLASS_SLURM_INSTALL") != "1":
        return
    if shutil.which("apt-get") is None:
        return
    subprocess.run(["apt-get", "update", "-qq"], check=False, timeout=300)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"],
        check=False,
        timeout=600,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def _running(name: str) -> bool:
    out = subprocess.run(["ps", "-eo", "comm="], capture_output=True, text=True).stdout.split()
    return name in out


def _skip_reason() -> str | None:
    if os.name != "posix" or os.geteuid() != 0:
        return (
            "SLURM test skipped: needs root to start munged/slurmctld/slurmd on localhost "
            "(CI runs it as root via .ci/run)"
        )
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        return (
            "SLURM test skipped: snakemake-executor-plugin-slurm is not installed "
            "(pip install -e '.[slurm]')"
        )
    _maybe_install()
    missing = _missing()
    if missing:
        return (
            f"SLURM test skipped: {', '.join(missing)} not found; install Debian's slurm-wlm "
            "and munge (apt-get install -y slurm-wlm munge, as .ci/run does), or set "
            "KASGLASS_SLURM_INSTALL=1 to let the test install them"
        )
    if SLURM_CONF.exists() and MARKER not in SLURM_CONF.read_text():
        return (
            f"SLURM test skipped: {SLURM_CONF} exists and was not written by this test; "
            "refusing to reconfigure an existing SLURM installation"
        )
    for d in ("slurmctld", "slurmd"):
        if _running(d):
            return f"SLURM test skipped: a {d} is already running on this machine (not ours)"
    return None


def _munge_works() -> bool:
    if shutil.which("munge") is None or shutil.which("unmunge") is None:
        return False
    try:
        cred = subprocess.run(["munge", "-n"], capture_output=True, timeout=10)
        if cred.returncode != 0:
            return False
        return (
            subprocess.run(
                ["unmunge"], input=cred.stdout, capture_output=True, timeout=10
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def _stop(proc: subprocess.Popen, name: str) -> None:
    """Stop one daemon we started, by its PID: SIGTERM, then SIGKILL after 15 s."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class LocalSlurm:
    """munged + slurmctld + slurmd on localhost, one node, one default partition."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.host = socket.gethostname().split(".")[0]
        self.wrote_conf = False

    def _spawn(self, name, cmd):
        log = open(self.scratch / f"{name}.out", "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, p))
        return p

    def start(self) -> None:
        s = self.scratch
        for d in ("state", "spool", "log"):
            (s / d).mkdir(parents=True, exist_ok=True)
        # munge: reuse a working daemon (not ours, left alone), otherwise start one.
        if not _munge_works():
            if not MUNGE_KEY.exists():
                subprocess.run(["mungekey", "--create", f"--keyfile={MUNGE_KEY}"], check=True)
                shutil.chown(MUNGE_KEY, "munge", "munge")
                MUNGE_KEY.chmod(0o400)
            MUNGE_SOCKET_DIR.mkdir(parents=True, exist_ok=True)
            shutil.chown(MUNGE_SOCKET_DIR, "munge", "munge")
            MUNGE_SOCKET_DIR.chmod(0o755)
            self._spawn(
                "munged",
                [
                    "setpriv",
                    "--reuid=munge",
                    "--regid=munge",
                    "--init-groups",
                    _sbin("munged"),
                    "-F",
                    "--force",
                ],
            )
            self._wait(_munge_works, 20, "munged did not answer")
        node = (
            subprocess.run([_sbin("slurmd"), "-C"], capture_output=True, text=True, check=True)
            .stdout.splitlines()[0]
            .strip()
        )
        conf = f"""{MARKER} (scratch {s}); removed at the end of the test
ClusterName=kasglass-test
SlurmctldHost={self.host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
MinJobAge=300
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
StateSaveLocation={s}/state
SlurmdSpoolDir={s}/spool
SlurmctldLogFile={s}/log/slurmctld.log
SlurmdLogFile={s}/log/slurmd.log
SlurmctldPidFile={s}/slurmctld.pid
SlurmdPidFile={s}/slurmd.pid
{node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
"""
        SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
        SLURM_CONF.write_text(conf)
        self.wrote_conf = True
        self._spawn("slurmctld", [_sbin("slurmctld"), "-D", "-c"])
        time.sleep(1)
        self._spawn("slurmd", [_sbin("slurmd"), "-D"])
        self._wait(self._idle, 60, "the node did not become idle")

    def _idle(self) -> bool:
        for name, p in self.procs:
            if p.poll() is not None:
                raise RuntimeError(f"{name} exited ({p.returncode}):\n{self.logs()}")
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
        return out.returncode == 0 and out.stdout.strip() == "idle"

    def _wait(self, ok, seconds, what):
        t0 = time.time()
        while time.time() - t0 < seconds:
            if ok():
                return
            time.sleep(0.5)
        raise RuntimeError(f"{what} within {seconds} s:\n{self.logs()}")

    def logs(self) -> str:
        out = []
        for f in sorted(self.scratch.rglob("*.log")) + sorted(self.scratch.glob("*.out")):
            out.append(f"--- {f.name} ---\n" + f.read_text(errors="replace")[-3000:])
        return "\n".join(out)

    def stop(self) -> None:
        # Cancel whatever is left in our own cluster's queue, then stop our daemons by PID.
        if any(p.poll() is None for n, p in self.procs if n == "slurmctld"):
            subprocess.run(
                ["scancel", "--full", "--partition=debug"], capture_output=True, timeout=20
            )
            time.sleep(1)
        for name, p in reversed(self.procs):
            _stop(p, name)
        if self.wrote_conf and SLURM_CONF.exists() and MARKER in SLURM_CONF.read_text():
            SLURM_CONF.unlink()


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    cluster = LocalSlurm(tmp_path_factory.mktemp("slurm_cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _snakemake(workdir: Path, args: list[str], limit: int) -> subprocess.CompletedProcess:
    """Snakemake under ``timeout -s INT`` (a hung SLURM status loop ignores SIGTERM)."""
    cmd = [
        "timeout",
        "-s",
        "INT",
        "-k",
        "30",
        str(limit),
        *snakemake_exe(),
        "--configfile",
        "presets/tiny.yaml",
        "--nolock",
        *args,
    ]
    env = dict(os.environ)
    env.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "kasglass" / "numba"))
    return subprocess.run(
        cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=limit + 60
    )


def _check(proc, what, cluster=None):
    if proc.returncode != 0:
        raise AssertionError(
            f"{what} failed ({proc.returncode})\n--- stdout ---\n{proc.stdout[-4000:]}\n"
            f"--- stderr ---\n{proc.stderr[-8000:]}"
            + (f"\n--- cluster logs ---\n{cluster.logs()}" if cluster else "")
        )


def _tables(wd: Path) -> dict[str, pd.DataFrame]:
    data = wd / "results" / "tiny" / "data"
    return {p.stem: pd.read_parquet(p) for p in sorted(data.glob("*.parquet"))}


def _content(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in ("git_revision",) if c in df.columns])


def test_tiny_preset_on_slurm_matches_local_run(tiny_run, slurm_cluster, tmp_path):
    """Every figure table of a SLURM run of the whole tiny DAG equals the local run's (the
    session's `tiny_run`, 2 cores): identical content, only git_revision may differ."""
    local = tiny_run
    cluster = make_workdir(tmp_path / "slurm")
    t0 = time.time()
    proc = _snakemake(cluster, ["--profile", "workflow/profiles/slurm", *SITE_FLAGS], TIMEOUT_SLURM)
    t_slurm = time.time() - t0
    _check(proc, f"SLURM run ({t_slurm:.0f} s)", slurm_cluster)
    err = proc.stderr
    # The remote rules really went through sbatch (group jobs for the disorder + sfs shards).
    assert "has been submitted with SLURM jobid" in err, err[-3000:]
    assert "group_sfs_shard" in err, "disorder + sfs shards are bundled into group jobs"
    print(f"SLURM run of the tiny DAG: {t_slurm:.0f} s")
    loc, slu = _tables(local), _tables(cluster)
    assert len(loc) >= 5 and sorted(loc) == sorted(slu), (sorted(loc), sorted(slu))
    for name in loc:
        pd.testing.assert_frame_equal(
            _content(slu[name]), _content(loc[name]), check_exact=True, obj=name
        )
    figs = sorted(p.name for p in (cluster / "results/tiny/figures").glob("*.png"))
    assert figs == sorted(p.name for p in (local / "results/tiny/figures").glob("*.png"))


# ----------------------------------------------------------------------------------------------
# Faults on the scheduler: each scenario is bounded in time and cleans up by PID.

FIG3 = "results/tiny/data/fig3_phase_diagram.parquet"
QUENCH = "results/tiny/data/figS4_quench.parquet"


def _start(workdir: Path, targets: list[str], extra_env: dict | None = None) -> subprocess.Popen:
    """Snakemake on the test cluster in the background (its own session, so it can be killed
    alone: SLURM jobs are not its children)."""
    cmd = [
        "timeout",
        "-s",
        "INT",
        "-k",
        "30",
        str(TIMEOUT_SLURM),
        *snakemake_exe(),
        *targets,
        "--profile",
        "workflow/profiles/slurm",
        *SITE_FLAGS,
        "--nolock",
        "--configfile",
        "presets/tiny.yaml",
    ]
    env = dict(os.environ)
    env.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "kasglass" / "numba"))
    env.update(extra_env or {})
    log = open(workdir / "controller.log", "a")
    return subprocess.Popen(
        cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _queue() -> list[tuple[str, str, str]]:
    """(job id, state, name) of every job in the test cluster's queue."""
    out = subprocess.run(["squeue", "-h", "-o", "%i|%T|%j"], capture_output=True, text=True)
    return [tuple(ln.split("|")) for ln in out.stdout.split("\n") if ln.count("|") == 2]


def _wait_for(ok, seconds: float, what: str, proc=None, cluster=None):
    t0 = time.time()
    while time.time() - t0 < seconds:
        v = ok()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s" + (f"\n{cluster.logs()}" if cluster else ""))


def _finish(proc: subprocess.Popen, limit: float) -> int:
    try:
        return proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        return proc.wait(timeout=60)


def _same_table(wd: Path, ref: Path, rel: str):
    a, b = pd.read_parquet(wd / rel), pd.read_parquet(ref / rel)
    pd.testing.assert_frame_equal(_content(a), _content(b), check_exact=True, obj=rel)


def test_a_cancelled_job_is_retried_and_the_tables_equal_the_local_run(
    tiny_run, slurm_cluster, tmp_path
):
    wd = make_workdir(tmp_path / "scancel")
    proc = _start(wd, [FIG3])
    try:
        running = _wait_for(
            lambda: [j for j in _queue() if j[1] == "RUNNING"],
            180,
            "a job running",
            proc,
            slurm_cluster,
        )
        subprocess.run(["scancel", running[0][0]], check=True, timeout=20)
        rc = _finish(proc, TIMEOUT_SLURM)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    log = (wd / "controller.log").read_text()
    assert rc == 0, log[-6000:] + slurm_cluster.logs()
    assert re.search(r"Error in (group job|rule)", log), "the cancelled job failed once"
    _same_table(wd, tiny_run, FIG3)


def test_a_job_over_its_time_limit_is_killed_and_succeeds_with_the_larger_request(
    tiny_run, slurm_cluster, tmp_path
):
    """The quench job is made to need 100 s (KASGLASS_TEST_HOLD) while its first runtime request
    is 1 minute (KASGLASS_RUNTIME_SCALE): SLURM kills it at its time limit; the retry requests
    twice the runtime (kasglass.stages.costs.RETRY_FACTOR) and succeeds."""
    wd = make_workdir(tmp_path / "timelimit")
    env = {"KASGLASS_TEST_HOLD": "quench:100", "KASGLASS_RUNTIME_SCALE": "0.01"}
    proc = _start(wd, [QUENCH], env)
    rc = _finish(proc, TIMEOUT_SLURM)
    log = (wd / "controller.log").read_text()
    ctld = (slurm_cluster.scratch / "log" / "slurmctld.log").read_text(errors="replace")
    assert rc == 0, log[-6000:] + slurm_cluster.logs()
    assert "time limit" in ctld.lower() or "TIMEOUT" in log, "the first attempt hit its limit"
    assert re.search(r"runtime=1\b", log), "first request: 1 minute"
    assert re.search(r"runtime=2\b", log), "the retry requested twice the runtime"
    _same_table(wd, tiny_run, QUENCH)


def _finished_outputs(log: str) -> dict[str, str]:
    """Output path -> rule of every job the controller's log reports as finished (for rules that
    are not grouped: a group job's members finish with their SLURM job)."""
    outputs, rules = {}, {}
    for m in re.finditer(r"\nrule (\w+):\n(.*?)\n    jobid: (\d+)", log, re.S):
        out = re.search(r"    output: (.*)", m.group(2))
        if out:
            outputs[m.group(3)] = [p.strip() for p in out.group(1).split(",")]
            rules[m.group(3)] = m.group(1)
    done = set(re.findall(r"Finished jobid: (\d+) \(Rule: \w+\)", log))
    return {p: rules[j] for j in done if j in outputs for p in outputs[j]}


def test_a_killed_controller_resumes_with_the_same_command(tiny_run, slurm_cluster, tmp_path):
    """SIGKILL the Snakemake controller while jobs are queued or running; the same command
    again finishes the run without redoing the jobs that had finished (jobs still running are
    waited for or resubmitted), and the tables equal the local run's."""
    wd = make_workdir(tmp_path / "controller")
    targets = ["fig2"]
    log_path = wd / "controller.log"
    # The first run's avalanche job (one job, one of the cluster's two slots) waits 120 s before
    # working (KASGLASS_TEST_HOLD), so that the controller has seen the polarization jobs (the
    # other slot) finish while it is still running, whatever the machine's speed: the
    # controller polls SLURM at growing intervals (2, 12, 22, ... s after the last poll that
    # found a finished job), and a cold numba cache makes a job take 30-60 s.
    proc = _start(wd, targets, {"KASGLASS_TEST_HOLD": "avalanche:120"})
    orphans = []
    try:

        def a_job_finished_and_more_queued():
            # avalanche and polarization jobs are not grouped (one SLURM job each) and start
            # once every grouped disorder + SFS job has finished
            done = _finished_outputs(log_path.read_text() if log_path.exists() else "")
            dyn = [p for p, r in done.items() if r in ("avalanche", "polarization")]
            return dyn and _queue()

        _wait_for(
            a_job_finished_and_more_queued,
            300,
            "a finished job and jobs in the queue",
            proc,
            slurm_cluster,
        )
        os.killpg(proc.pid, signal.SIGKILL)  # the controller only: SLURM jobs run on
        proc.wait(timeout=30)
        orphans = [job_id for job_id, _, _ in _queue()]
        first = log_path.read_text()
        finished = {p: (wd / p).stat().st_mtime for p in _finished_outputs(first)}
        assert finished and "Finished jobid: 0 " not in first, "killed mid-run"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    again = _start(wd, targets)  # the same command (without the hold)
    try:
        rc = _finish(again, TIMEOUT_SLURM)
    finally:
        # the first run's held jobs may outlive the second run: they would only rewrite the
        # same tables, but must not hold the cluster's slots for the next test
        if orphans:
            subprocess.run(["scancel", *orphans], capture_output=True)
    log = log_path.read_text()
    assert rc == 0, log[-6000:] + slurm_cluster.logs()
    redone = [p for p, t in finished.items() if (wd / p).stat().st_mtime != t]
    assert not redone, f"jobs finished before the kill were redone: {redone}"
    for rel in (
        "results/tiny/data/fig2_avalanche.parquet",
        "results/tiny/data/fig2_polarization.parquet",
    ):
        _same_table(wd, tiny_run, rel)


def test_memory_limits_need_a_cgroup_cluster(slurm_cluster):
    """A job over its memory request is killed only where SLURM enforces memory (the cgroup
    task plugin with cgroup v2 and systemd); this test cluster runs TaskPlugin=task/none on a
    machine without systemd, so it cannot enforce memory: the scenario is skipped, saying so."""
    conf = SLURM_CONF.read_text()
    if "task/cgroup" not in conf:
        pytest.skip(
            "memory is not enforced on this test cluster (TaskPlugin=task/none, no "
            "systemd for cgroup v2); the retry with twice the memory is exercised by "
            "the time-limit scenario's request scaling (tests/test_plan.py)"
        )
