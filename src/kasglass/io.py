"""Parquet I/O with provenance, atomic writes and clear errors for damaged files."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    import pandas as pd

# pandas / pyarrow are imported inside the functions: a simulation job then loads them only when
# it reads or writes a table, which keeps its peak memory down (see benchmarks/bench_sfs.py).


class DamagedTableError(RuntimeError):
    """A Parquet file exists but cannot be read (truncated, corrupted, or not Parquet)."""


def _damaged(path, exc) -> DamagedTableError:
    return DamagedTableError(
        f"{path} is not a readable Parquet file ({exc}); delete it and rerun the workflow "
        "(snakemake --rerun-incomplete) to rebuild it"
    )


def git_revision(start: str | os.PathLike | None = None) -> str:
    """Git revision of the checkout containing ``start`` (``"unknown"`` outside a git checkout)."""
    cwd = Path(start) if start else Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
        rev = out.stdout.strip()
        if out.returncode != 0 or not rev:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(preset: str, base_seed: int, config: dict | None = None, **extra) -> dict:
    """Provenance record of a figure table: run name, base seed, package version, git revision,
    and the configuration sections that produced the table (``config``, nested dicts)."""
    rec = {
        "preset": str(preset),
        "base_seed": int(base_seed),
        "kasglass_version": __version__,
        "git_revision": git_revision(),
    }
    if config is not None:
        rec["config"] = config
    rec.update(extra)
    return rec


def config_value(config: dict, key: str):
    """Value of the dotted key ``key`` (e.g. ``"sfs.order"``) in a nested configuration dict."""
    node = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"configuration has no key {key!r}")
        node = node[part]
    return node


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike,
    schema=None,
    prov: dict | None = None,
    job: dict | None = None,
) -> None:
    """Write ``df`` to Parquet atomically (temporary file + rename) with page checksums (so that
    corrupted bytes are detected on reading).

    Parameters
    ----------
    schema : kasglass.tables.Schema, optional
        The frame is conformed to it first (exactly the declared columns, in order, with their
        dtypes; anything else is an error naming the table).
    prov : dict, optional
        Provenance (:func:`provenance`). Its run entries
        (:data:`kasglass.tables.PROVENANCE_COLUMNS`) and the schema's parameter columns (looked
        up in ``prov["config"]``) are appended as constant columns, and the whole record is
        stored as JSON in the file's metadata under ``kasglass``.
    job : dict, optional
        The producing job (``{"rule": ..., "params": ...}``), stored as JSON under
        ``kasglass_job``: consumers check it against the plan before reading
        (:func:`check_producer`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .tables import PROVENANCE_COLUMNS, cast

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df = schema.conform(df) if schema is not None else df.copy()
    if prov:
        cols = [c for c in PROVENANCE_COLUMNS if c.name in prov]
        for c in cols:
            df[c.name] = prov[c.name]
        if schema is not None:
            from .tables import Col

            for col, key, dtype in schema.params:
                v = config_value(prov.get("config", {}), key)
                df[col] = v
                cols.append(Col(col, dtype, "", key))
        df = df.assign(**cast(df, cols)) if len(df) else df
    table = pa.Table.from_pandas(df, preserve_index=False)
    if prov or job:
        meta = dict(table.schema.metadata or {})
        if prov:
            meta[b"kasglass"] = json.dumps(prov, sort_keys=True, default=str).encode()
        if job:
            meta[b"kasglass_job"] = json.dumps(job, sort_keys=True, default=str).encode()
        table = table.replace_schema_metadata(meta)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, write_page_checksum=True)
    os.replace(tmp, path)


def read_table(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a Parquet table; a damaged file raises :class:`DamagedTableError` naming the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns, page_checksum_verification=True).to_pandas()
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _damaged(path, exc) from exc


def read_columns(path: str | os.PathLike, columns: list[str]) -> dict:
    """Columns of a Parquet table as numpy arrays, without pandas (damaged files raise
    :class:`DamagedTableError`)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(path, page_checksum_verification=True)
        t = f.read(columns=columns, use_pandas_metadata=False)
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _damaged(path, exc) from exc
    kinds = {pa.int64(): np.int64, pa.float64(): np.float64, pa.int32(): np.int32}
    out = {}
    for c in columns:
        col = t.column(c)
        dt = kinds.get(col.type)
        if dt is None or col.null_count:
            out[c] = col.to_numpy()  # general path (may import pandas)
            continue
        # numeric columns without nulls straight from the Arrow buffers: pyarrow's to_numpy
        # imports pandas, which costs a simulation job ~45 MB of memory
        parts = [
            np.frombuffer(
                ch.buffers()[1], dtype=dt, count=len(ch), offset=ch.offset * np.dtype(dt).itemsize
            )
            for ch in col.chunks
        ]
        out[c] = np.concatenate(parts) if parts else np.empty(0, dt)
    return out


def read_tables(paths, columns=None) -> pd.DataFrame:
    """Concatenate several Parquet tables in the given order."""
    import pandas as pd

    frames = [read_table(p, columns) for p in paths]
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _metadata(path) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(path).metadata or {}
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _damaged(path, exc) from exc


def read_provenance(path: str | os.PathLike) -> dict:
    """The provenance record stored by :func:`write_table` (empty dict if none)."""
    raw = _metadata(path).get(b"kasglass")
    return json.loads(raw) if raw else {}


class ProvenanceError(RuntimeError):
    """An input file was produced by another job than the one the plan expects (another seed,
    L, alpha, model setting or realization range): a copied folder, or a configuration changed
    without rerunning (e.g. with ``--rerun-triggers mtime``)."""


def check_producer(path: str | os.PathLike, rule: str, params: dict) -> None:
    """Raise :class:`ProvenanceError` unless ``path`` was written by a job of ``rule`` with
    exactly ``params`` (as recorded by :func:`write_table`); the message names the file and
    every differing parameter."""
    raw = _metadata(path).get(b"kasglass_job")
    if not raw:
        raise ProvenanceError(
            f"{path} records no producing job; it was not written by this version of the "
            "workflow: delete it and rerun"
        )
    got = json.loads(raw)
    want = json.loads(json.dumps({"rule": rule, "params": params}, sort_keys=True, default=str))
    if got == want:
        return
    diffs = []
    if got.get("rule") != rule:
        diffs.append(f"rule {got.get('rule')!r} (expected {rule!r})")
    gp, wp = got.get("params", {}), want["params"]
    for k in sorted(set(gp) | set(wp)):
        if gp.get(k) != wp.get(k):
            diffs.append(f"{k} = {_short(gp.get(k))} (expected {_short(wp.get(k))})")
    raise ProvenanceError(
        f"{path} was produced by another job than this run expects: {'; '.join(diffs)}. It "
        "belongs to another seed, size, model or configuration (a copied folder, or a changed "
        "configuration run with --rerun-triggers mtime): delete it, or rerun with the default "
        "rerun triggers"
    )


def _short(v) -> str:
    s = json.dumps(v, sort_keys=True, default=str)
    return s if len(s) <= 120 else s[:117] + "..."


def setup_logging(log_path: str | os.PathLike | None, console: bool = False) -> logging.Logger:
    """Send logging to ``log_path`` with timestamps (and to stderr only with ``console``, or when
    there is no log file); return the root logger. Workflow jobs log to their log file only."""
    root = logging.getLogger()
    root.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers = []
    if console or not log_path:
        handlers.append(logging.StreamHandler(sys.stderr))
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    for h in handlers:
        h.setFormatter(fmt)
        root.addHandler(h)
    root.setLevel(logging.INFO)
    if log_path:  # an uncaught exception also lands in the log file, not only on stderr

        def hook(*exc, _root=root, _prev=sys.excepthook):
            _root.error("uncaught exception", exc_info=exc)
            _prev(*exc)

        sys.excepthook = hook
    return root
