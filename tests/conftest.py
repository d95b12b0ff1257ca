"""Shared fixtures: run the workflow in an isolated copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COPY = ["Snakefile", "config.yaml", "presets", "workflow", "scripts", "envs"]


def snakemake_exe() -> list[str]:
    return [sys.executable, "-m", "snakemake"]


def make_workdir(dest: Path, overrides: dict | None = None) -> Path:
    """Copy the workflow files into ``dest``; ``overrides`` is written as an extra config file."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COPY:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest / name)
    if overrides:
        (dest / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    return dest


def run_workflow(
    workdir: Path,
    targets=(),
    cores: int = 2,
    preset: str = "presets/tiny.yaml",
    extra_args=(),
    timeout: int = 900,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run snakemake in ``workdir`` with the preset (and overrides.yaml if present)."""
    cfg = [preset] + (["overrides.yaml"] if (workdir / "overrides.yaml").exists() else [])
    # targets first: --configfile and --config each take several values
    cmd = snakemake_exe() + [*targets, "--cores", str(cores), "--nolock", *extra_args]
    cmd += ["--configfile", *cfg]
    env = dict(os.environ)
    env.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "kasglass" / "numba"))
    proc = subprocess.run(
        cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}):\n{' '.join(cmd)}\n"
            f"--- stdout ---\n{proc.stdout[-5000:]}\n--- stderr ---\n{proc.stderr[-8000:]}"
        )
    return proc


def plan_for(workdir: Path, preset: str = "presets/tiny.yaml"):
    """The plan (kasglass.stages.build_plan) that a run in ``workdir`` executes."""
    from kasglass.config import load_config
    from kasglass.stages import build_plan

    extra = ["overrides.yaml"] if (workdir / "overrides.yaml").exists() else []
    cfg = load_config(preset, *extra, root=workdir)
    return build_plan(cfg)


#: shard sizes that give several jobs in every stage of the tiny preset (results must not change)
SMALL_SHARDS = {
    "shards": {
        "job_minutes": 0.01,
        "stage_minutes": {
            "sfs": 5e-5,
            "avalanche": 2e-4,
            "resonances": 3e-6,
            "twoflip": 2e-4,
            "polarization": 1e-4,
            "quench": 1e-6,
            "ed": 2e-3,
        },
    }
}


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """The tiny preset run once, end to end, with 2 cores; returns the work directory."""
    wd = make_workdir(tmp_path_factory.mktemp("tiny"))
    run_workflow(wd, cores=2)
    return wd
