"""`snakemake --report` and the generated README block, on the session's tiny run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, run_workflow

BEGIN = "<!-- BEGIN GENERATED RESULTS -->"
END = "<!-- END GENERATED RESULTS -->"


def _report_results(html: str) -> dict:
    m = re.search(r"var results = (\{.*?\});\s*</script>", html, re.S)
    assert m, "no results index in the report"
    return json.loads(m.group(1))


@pytest.mark.slow
def test_report_is_self_contained_with_every_figure_caption_and_scorecard(tiny_run, tmp_path):
    wd = tmp_path / "done"
    shutil.copytree(tiny_run, wd, symlinks=True)
    run_workflow(wd, cores=1, extra_args=["--report", "report.html"], timeout=300)
    html = (wd / "report.html").read_text()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert not external, f"report loads external resources: {external[:5]}"
    results = _report_results(html)
    pngs = sorted(p.name for p in (wd / "results/tiny/figures").glob("*.png"))
    assert len(pngs) >= 2
    for name in pngs:
        key = f"results/tiny/figures/{name}"
        assert key in results, f"{name} is not in the report (wrap its output in report(...))"
        entry = results[key]
        assert entry["data_uri"].startswith("data:image/png"), name
        cap = entry["caption"]
        assert "claim" in cap.lower(), f"{name}: the caption must name the paper claim it tests"
        assert "Preset" in cap and "tiny" in cap, f"{name}: the caption must state the preset"
        assert re.search(r"\d", cap), f"{name}: the caption must state parameters"
    score = [v for k, v in results.items() if k.endswith("claims.html")]
    assert score, "the scorecard table is not in the report"
    assert score[0]["mime_type"] == "text/html"
    assert "verdict" in score[0]["caption"].lower()


@pytest.mark.slow
def test_update_readme_generates_figures_and_scorecard(tiny_run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n\n{BEGIN}\nold text\n{END}\n\nafter\n")
    dest = tmp_path / "docs" / "figures"
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "update_readme.py"),
        "--preset",
        "tiny",
        "--readme",
        str(readme),
        "--results",
        str(tiny_run / "results"),
        "--dest",
        str(dest),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = readme.read_text()
    assert text.startswith("# x\n\nbefore\n\n") and text.endswith(f"{END}\n\nafter\n")
    assert "old text" not in text
    pngs = sorted(p.name for p in (tiny_run / "results/tiny/figures").glob("*.png"))
    assert sorted(p.name for p in dest.glob("*.png")) == pngs
    for name in pngs:
        assert f"](docs/figures/{name})" in text, name
    assert "Reproduction scorecard" in text and "| # | claim |" in text
    # Table cells never contain a bare `|` (it would split the row on GitHub).
    rows = [ln for ln in text.splitlines() if ln.startswith("| ")]
    ncol = rows[0].count(" | ")
    assert all(re.sub(r"\\\|", "", r).count(" | ") == ncol for r in rows), "unescaped | in a cell"
    check = subprocess.run(cmd + ["--check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    (dest / pngs[0]).write_bytes(b"stale")
    check = subprocess.run(cmd + ["--check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 1
