#!/usr/bin/env python3
"""Compare the figure tables of two runs: integer columns exactly, floats to a relative 1e-12.

    .venv/bin/python scripts/compare_tables.py OLD/results/quick/data results/quick/data

Provenance and parameter columns are not compared (they name the run, not its results); rows
are matched by the table's key columns (:mod:`kasglass.compare`). With ``--legacy`` the old side
is first translated from the layout before the stage-contract redesign (the tables of kasglass
0.1.0 up to git revision 4ee246d), documented in :data:`LEGACY` below, so the redesign can be
checked against tables recorded at that revision. Exit status 1 if any compared value differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from kasglass.compare import compare_dirs


def _legacy_fields(df):
    df = df.copy()
    df["extrapolation"] = df["extrapolation"].where(df["extrapolation"] != "none", None)
    return df


def _legacy_moments(df):
    """0.1.0 kept the resonant counts as columns n_res_mean_h<h> of fields_moments; they are now
    the long table fields_resonant (with errors)."""
    return df.drop(columns=[c for c in df.columns if c.startswith("n_res_mean_h")])


def _legacy_resonant(old_moments):
    rows = []
    for c in [c for c in old_moments.columns if c.startswith("n_res_mean_h")]:
        d = old_moments[["alpha", "L", "ensemble", "n_realizations", c]].rename(
            columns={c: "n_res_mean"}
        )
        d["h"] = float(c.removeprefix("n_res_mean_h"))
        rows.append(d)
    return pd.concat(rows, ignore_index=True) if rows else None


def _legacy_polarization(df):
    """0.1.0: extrapolation "" on finite-L_R rows with P_err_sys 0; one extrapolated row per
    (L, n) with the other forms packed into the string column ``alternatives``. Now: null and
    null, and one row per form (``main`` marks the headline one); only the main rows and the
    finite rows exist in the old table, the alternatives are compared to their packed values."""
    df = df.copy()
    finite = df["L_R"].notna()
    df.loc[finite, "extrapolation"] = None
    df.loc[finite, "P_err_sys"] = np.nan
    return df.drop(columns=["alternatives"])


def _legacy_realizations(df):
    return df.rename(columns={"m_n": "m_ea_n", "m_sum": "m_ea_sum", "mo_sum": "m_ea_offdiag_sum"})


def _legacy_exponents2(df):
    df = df.copy()
    for c in ("L_min", "L_max"):
        df[c] = df[c].astype("Int64").where(df[c] >= 0, pd.NA)
    return df


#: translation of each 0.1.0 table to the current layout (tables not named are unchanged)
LEGACY = {
    "fig1_fields": _legacy_fields,
    "fields_moments": _legacy_moments,
    "fig2_polarization": _legacy_polarization,
    "fig3_realizations": _legacy_realizations,
    "two_spin_exponents": _legacy_exponents2,
}


def translate_legacy(tables: dict) -> dict:
    out = dict(tables)
    if "fields_moments" in tables:
        res = _legacy_resonant(tables["fields_moments"])
        if res is not None:
            out["fields_resonant"] = res
    for n, fn in LEGACY.items():
        if n in out:
            out[n] = fn(out[n])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument(
        "--legacy",
        action="store_true",
        help="translate the old side from the 0.1.0 table layout first",
    )
    args = ap.parse_args(argv)
    problems = compare_dirs(args.old, args.new, translate_legacy if args.legacy else None)
    for p in problems:
        print(p)
    n = len(list(args.old.glob("*.parquet")))
    print(f"{n} tables compared: " + ("the same" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
