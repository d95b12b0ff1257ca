"""The worked example of loading the tables and drawing a new plot runs on a finished run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.slow
def test_custom_plot_example_runs(tiny_run, tmp_path):
    out = tmp_path / "custom.png"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "examples" / "custom_plot.py"),
            str(tiny_run / "results" / "tiny"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert out.stat().st_size > 10_000
