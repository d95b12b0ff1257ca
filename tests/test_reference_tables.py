"""The tiny preset's figure tables against a committed reference (tests/reference/tiny/).

Every figure table of the session's tiny run must equal the reference: integer and string columns
exactly, floats to a relative 1e-12 (kasglass.compare; provenance and parameter columns are not
compared). A change of any number, or a table added or removed, fails here.

When a change of the results is deliberate (new physics, a fixed bug, a new table), regenerate the
reference and say why in the commit:

    KASGLASS_UPDATE_REFERENCE=1 .venv/bin/python -m pytest tests/test_reference_tables.py

(the test then copies the run's tables over the reference and skips). The reference was first
recorded at the stage-contract redesign and checked equal to the tables of the revision before it
(scripts/compare_tables.py --legacy).
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO

from kasglass.compare import compare_dirs

REFERENCE = REPO / "tests" / "reference" / "tiny"


@pytest.mark.slow
def test_tiny_tables_equal_the_committed_reference(tiny_run):
    data = tiny_run / "results" / "tiny" / "data"
    if os.environ.get("KASGLASS_UPDATE_REFERENCE"):
        shutil.rmtree(REFERENCE, ignore_errors=True)
        REFERENCE.mkdir(parents=True)
        for p in sorted(data.glob("*.parquet")):
            shutil.copy2(p, REFERENCE / p.name)
        pytest.skip(f"reference regenerated in {REFERENCE}; commit it with the reason")
    got = sorted(p.name for p in data.glob("*.parquet"))
    want = sorted(p.name for p in REFERENCE.glob("*.parquet"))
    assert got == want, f"tables added or removed: run {got}, reference {want}"
    problems = compare_dirs(REFERENCE, data)
    assert not problems, "\n".join(problems)
