"""`snakemake --report` and the generated docs (results, claims, README block), on the session's
tiny run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO, run_workflow

BEGIN = "<!-- BEGIN CLAIMS -->"
END = "<!-- END CLAIMS -->"


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
def test_update_docs_generates_results_claims_and_readme_block(tiny_run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n\n{BEGIN}\nold text\n{END}\n\nafter\n")
    docs = tmp_path / "docs"
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "update_docs.py"),
        "--preset",
        "tiny",
        "--readme",
        str(readme),
        "--results",
        str(tiny_run / "results"),
        "--docs",
        str(docs),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = readme.read_text()
    assert text.startswith("# x\n\nbefore\n\n") and text.endswith(f"{END}\n\nafter\n")
    assert "old text" not in text and " claims: " in text
    pngs = sorted(p.name for p in (tiny_run / "results/tiny/figures").glob("*.png"))
    assert sorted(p.name for p in (docs / "figures").glob("*.png")) == pngs
    results = (docs / "results.md").read_text()
    for name in pngs:
        assert f"](figures/{name})" in results, name
    assert "## Reproduction scorecard" in results and "#### 1. " in results
    assert "# The claims and their readings" in (docs / "claims.md").read_text()
    # Table cells never contain a bare `|` (it would split the row on GitHub): every row of a
    # table has as many cell separators as its header.
    for doc in (text, results):
        tables, cur = [], []
        for ln in doc.splitlines():
            if ln.startswith("|"):
                cur.append(re.sub(r"\\\|", "", ln).count("|"))
            elif cur:
                tables.append(cur)
                cur = []
        tables += [cur] if cur else []
        assert tables
        for t in tables:
            assert len(set(t)) == 1, t
    check = subprocess.run(cmd + ["--check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    (docs / "results.md").write_text("stale")
    check = subprocess.run(cmd + ["--check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and "results.md" in check.stdout


def test_paper_scale_report_on_the_tiny_run(tiny_run, tmp_path):
    """scripts/paper_scale_report.py on the tiny run: statistics, figures, the claims its tables
    decide, the measured cost per rule next to the model, the paper preset's projection, and the
    README block between its markers (the rest of the README untouched)."""
    begin, end = "<!-- BEGIN PAPER COST -->", "<!-- END PAPER COST -->"
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{begin}\nold\n{end}\n\nafter\n")
    out = tmp_path / "docs" / "tiny.md"
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "paper_scale_report.py"),
        "--preset",
        "tiny",
        "--results",
        str(tiny_run / "results"),
        "--out",
        str(out),
        "--readme",
        str(readme),
        "--calibration",
        str(tmp_path / "other.json"),
    ]
    other = {"preset": "other", "overhead_s": 1.0, "ratios": {"ed": {"full": 3.0}}}
    (tmp_path / "other.json").write_text(json.dumps(other))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    for head in ("## Statistics", "## Claims whose tables this run produced", "## Cost of this"):
        assert head in text, head
    assert "- Fig. 3: L = " in text and "- Fig. S3: alpha = " in text
    assert "## Fig. S3 by system size" in text and "| h_x | r, L = " in text
    pngs = sorted(p.name for p in (tiny_run / "results/tiny/figures").glob("*.png"))
    assert sorted(p.name for p in (tmp_path / "docs" / "tiny").glob("*.png")) == pngs
    rows = [ln for ln in text.splitlines() if ln.startswith("| ed |")]
    assert len(rows) == 1 and int(rows[0].split("|")[2]) > 0, rows  # ED jobs measured
    # the tiny run measures too little to calibrate ED: the other run's ratio fills in, named
    assert "3.00 (full, other)" in rows[0], rows
    calib = json.loads((tmp_path / "docs" / "tiny" / "calibration.json").read_text())
    assert calib["preset"] == "tiny" and calib["overhead_s"] > 0 and "ed" not in calib["ratios"]
    total = next(ln for ln in text.splitlines() if ln.startswith("| **total** |"))
    assert float(total.split("|")[-3]) > 0  # the paper preset's float64 core-hours
    block = readme.read_text()
    assert block.startswith("# x\n\n") and block.endswith(f"{end}\n\nafter\n")
    assert "old" not in block and "| **all** |" in block and "those of `other`" in block
