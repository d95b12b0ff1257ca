"""Table regression: compare two versions of the figure tables value by value.

Integer and string columns must be equal; float columns equal to a relative 1e-12 (NaN matching
NaN): the proof of a refactor on one machine. Across machines (the committed reference of the tiny
preset, checked on whatever CPU runs the tests) BLAS kernels, vector widths and fused multiply-adds
change the last bits: measured between the machine that recorded the reference and an AMD EPYC one,
at most 2e-10 relative to a value and 1.1e-11 relative to its column's largest magnitude (values
that are zero in exact arithmetic, such as energy changes of 1e-17, differ relative to themselves),
so :data:`CROSS_MACHINE` allows 1e-9 of the value or 1e-10 of the column's scale. Provenance and
parameter columns are skipped (they name the run, not its results); rows are matched by each
table's key columns, so row order does not matter. Used by the reference test of the tiny preset
(tests/test_reference_tables.py) and by ``scripts/compare_tables.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

RTOL = 1e-12
#: tolerances of the committed reference, whatever machine runs the tests (module docstring)
CROSS_MACHINE = {"rtol": 1e-9, "col_atol": 1e-10}
SKIP = {
    "preset",
    "run",
    "base_seed",
    "kasglass_version",
    "git_revision",
    "sfs_order",
    "distance",
    "pair_sum",
    "n_steps",
    "two_spin_prefactor",
    "n_eps_bins",
    "n_eigs",
    "max_fraction",
    "shift_invert_min_L",
    "n_initial",
    "degenerate_tol",
    "chebyshev_from_L_R",
    "chebyshev_t_avg",
}
#: key columns per table (rows are sorted by them before comparing)
KEYS = {
    "fig1_fields": ["alpha", "L", "ensemble", "extrapolation", "phi_lo"],
    "fig1_exponents": ["alpha"],
    "figS1_random_fields": ["alpha", "L", "phi_lo"],
    "fields_moments": ["alpha", "L", "ensemble"],
    "fields_resonant": ["alpha", "L", "ensemble", "h"],
    "fig2_avalanche": ["alpha", "ensemble", "h_x", "L", "step"],
    "fig2_polarization": ["L", "n", "L_R", "extrapolation"],
    "two_spin_resonances": ["alpha", "ensemble", "h_x", "L"],
    "two_spin_exponents": ["alpha", "ensemble", "h_x"],
    "fig3_phase_diagram": ["L", "h_x", "eps_lo"],
    "fig3_realizations": ["L", "h_x", "idx", "realization"],
    "figS3_fss": ["L", "h_x", "eps_target"],
    "figS4_quench": ["L", "h_x", "ensemble", "t"],
    "figS4_memory": ["L", "h_x", "ensemble", "q_lo"],
    "claims": ["claim", "reading"],
}


def _sorted(df, keys):
    keys = [k for k in keys if k in df.columns]
    return df.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


def compare_frames(
    name: str, old: pd.DataFrame, new: pd.DataFrame, rtol: float = RTOL, col_atol: float = 0.0
) -> list[str]:
    """Differences between two versions of one table (empty list: the same): floats within
    ``rtol`` of the value or ``col_atol`` times the column's largest finite magnitude."""
    problems = []
    cols = [c for c in old.columns if c not in SKIP]
    missing = [c for c in cols if c not in new.columns]
    if missing:
        problems.append(f"{name}: columns {missing} missing in the new table")
        cols = [c for c in cols if c in new.columns]
    keys = KEYS.get(name, [])
    if name == "fig2_polarization" and "main" in new.columns and "main" not in old.columns:
        new = new[new["L_R"].notna() | new["main"]]
    if name == "claims":
        cols = [c for c in ("claim", "reading", "verdict", "value", "error") if c in cols]
    a, b = _sorted(old[cols], keys), _sorted(new[cols], keys)
    if len(a) != len(b):
        return problems + [f"{name}: {len(a)} rows before, {len(b)} after"]
    for c in cols:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            xv, yv = x.to_numpy(float), y.to_numpy(float)
            same_nan = np.isnan(xv) == np.isnan(yv)
            fin = np.abs(xv[np.isfinite(xv)])
            atol = col_atol * (fin.max() if len(fin) else 0.0)
            ok = same_nan & (np.isnan(xv) | np.isclose(xv, yv, rtol=rtol, atol=atol) | (xv == yv))
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                problems.append(
                    f"{name}.{c}: {int((~ok).sum())} values differ "
                    f"(first: row {i}: {xv[i]!r} vs {yv[i]!r})"
                )
        else:
            xs = x.astype(object).where(x.notna(), None).tolist()
            ys = y.astype(object).where(y.notna(), None).tolist()
            if xs != ys:
                i = next(k for k in range(len(xs)) if xs[k] != ys[k])
                problems.append(
                    f"{name}.{c}: values differ (first: row {i}: {xs[i]!r} vs {ys[i]!r})"
                )
    return problems


def compare_dirs(
    old_dir, new_dir, translate=None, rtol: float = RTOL, col_atol: float = 0.0
) -> list[str]:
    """Differences between the tables of two folders (every table of ``old_dir``).

    ``translate(tables) -> tables`` may first map the old tables to the current layout;
    ``rtol``, ``col_atol``: see :func:`compare_frames` (:data:`CROSS_MACHINE` for a reference
    recorded on another machine).
    """
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    problems = []
    names = sorted(p.stem for p in old_dir.glob("*.parquet"))
    old_tables = {n: pd.read_parquet(old_dir / f"{n}.parquet") for n in names}
    if translate is not None:
        old_tables = translate(old_tables)
    for n, old in old_tables.items():
        p = new_dir / f"{n}.parquet"
        if not p.exists():
            problems.append(f"{n}: missing in {new_dir}")
            continue
        problems += compare_frames(n, old, pd.read_parquet(p), rtol, col_atol)
    return problems
