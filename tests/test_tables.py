"""Table schemas: declared once, enforced by the writer, documented by the data dictionary."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, plan_for

from kasglass import io as kio
from kasglass.tables import PROVENANCE_COLUMNS, Col, Schema, all_schemas, data_dictionary


def test_writer_conforms_frames_and_rejects_undeclared_columns(tmp_path):
    s = Schema(
        "t_test_writer",
        "a test table",
        (Col("a", "int64", "", "a"), Col("L", "Int64", "", "null: extrapolated")),
        params=(("distance", "model.distance", "str"),),
    )
    df = pd.DataFrame({"L": [1, None], "a": [3.0, 4.0]})
    prov = kio.provenance("tiny", 7, {"model": {"distance": "open"}})
    kio.write_table(df, tmp_path / "t.parquet", s, prov)
    got = pd.read_parquet(tmp_path / "t.parquet")
    assert list(got.columns) == [
        "a",
        "L",
        "preset",
        "base_seed",
        "kasglass_version",
        "git_revision",
        "distance",
    ]
    assert got["a"].dtype == np.int64 and got["L"].isna().tolist() == [False, True]
    assert set(got["distance"]) == {"open"} and set(got["base_seed"]) == {7}
    assert kio.read_provenance(tmp_path / "t.parquet")["config"] == {"model": {"distance": "open"}}
    with pytest.raises(ValueError, match=r"t_test_writer.*not declared \['b'\]"):
        kio.write_table(df.assign(b=1), tmp_path / "u.parquet", s)
    with pytest.raises(ValueError, match=r"missing \['L'\]"):
        kio.write_table(df.drop(columns="L"), tmp_path / "u.parquet", s)
    assert not (tmp_path / "u.parquet").exists()


@pytest.mark.slow
def test_every_table_of_the_tiny_run_matches_its_schema_and_the_dictionary(tiny_run):
    """Every Parquet file the tiny run writes is an output of a planned job with a declared
    schema: its columns are the schema's (plus provenance and parameter columns for figure
    tables), and the data dictionary lists every one of them."""
    schemas = all_schemas()
    plan = plan_for(tiny_run)
    declared = {}
    for rule, jobs in plan.jobs.items():
        st = plan.step(rule)
        for job in jobs.values():
            for key, (name, _) in st.outputs.items():
                if name is not None:
                    declared[job.outputs[key]] = name
    doc = data_dictionary()
    files = sorted((tiny_run / "results" / "tiny").rglob("*.parquet"))
    assert len(files) > 30
    for path in files:
        rel = path.relative_to(tiny_run).as_posix()
        assert rel in declared, f"{rel} is not the output of a planned job"
        s = schemas[declared[rel]]
        df = pd.read_parquet(path)
        expected = s.names + [c.name for c in s.family_columns(df)]
        if s.figure:
            expected += [c.name for c in PROVENANCE_COLUMNS]
            expected += [p[0] for p in s.params]
        assert list(df.columns) == expected, rel
        assert f"### `{s.name}`" in doc
        for c in s.names + [p[0] for p in s.params]:
            assert f"| `{c}` |" in doc, (s.name, c)


def test_data_dictionary_is_current():
    out = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "data_dictionary.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
