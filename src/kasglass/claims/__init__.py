"""The reproduction scorecard: each claim of the paper becomes a computed verdict.

A claim is a function registered with :func:`claim` that receives the figure tables (a dict of
DataFrames keyed by table name, e.g. ``"fig1_exponents"``) and returns one or more verdict rows
(dicts with keys ``statistic``, ``value``, ``error``, ``threshold``, ``verdict`` and ``detail``;
an optional ``reading`` names the interpretation when a claim is ambiguous). Verdicts are
``reproduced``, ``not reproduced`` or ``inconclusive``. A claim whose tables were not produced by
the preset is reported as ``inconclusive`` with the reason; nothing is ever hidden.

Stage modules in this package (``fields``, ``resonances``, ``ed``, ``dynamics``, ...) are imported
automatically.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass

import pandas as pd

VERDICTS = ("reproduced", "not reproduced", "inconclusive")
COLUMNS = [
    "claim",
    "title",
    "reading",
    "statistic",
    "value",
    "error",
    "threshold",
    "verdict",
    "detail",
]


@dataclass(frozen=True)
class _Claim:
    id: int
    title: str
    needs: tuple
    fn: object


REGISTRY: dict[int, _Claim] = {}


def claim(id: int, title: str, needs: tuple | list):
    """Register a claim evaluator ``fn(tables) -> dict | list[dict]`` under its number (the
    numbering of the scorecard)."""

    def deco(fn):
        if id in REGISTRY and REGISTRY[id].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"claim {id} registered twice")
        REGISTRY[id] = _Claim(id, title, tuple(needs), fn)
        return fn

    return deco


def verdict_from(value: float, error: float, threshold: float, *, greater: bool, n_sigma=2.0):
    """Verdict for 'value > threshold' (greater=True) or 'value < threshold' at n_sigma.

    reproduced if the inequality holds by more than n_sigma * error, not reproduced if the opposite
    holds by more than n_sigma * error, inconclusive otherwise (or if value/error are not finite).
    """
    if not (math.isfinite(value) and math.isfinite(error)):
        return "inconclusive"
    margin = (value - threshold) if greater else (threshold - value)
    if margin > n_sigma * error:
        return "reproduced"
    if margin < -n_sigma * error:
        return "not reproduced"
    return "inconclusive"


def _load_modules():
    for m in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{m.name}")


def evaluate(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Evaluate every registered claim on ``tables``; one row per claim and reading."""
    _load_modules()
    rows = []
    for cid in sorted(REGISTRY):
        c = REGISTRY[cid]
        missing = [t for t in c.needs if t not in tables]
        if missing:
            out = [
                {
                    "statistic": "",
                    "value": float("nan"),
                    "error": float("nan"),
                    "threshold": "",
                    "verdict": "inconclusive",
                    "detail": f"not computed in this preset (needs table(s) {', '.join(missing)})",
                }
            ]
        else:
            try:
                out = c.fn(tables)
            except Exception as exc:  # a broken evaluator is reported, never hidden
                out = [
                    {
                        "statistic": "",
                        "value": float("nan"),
                        "error": float("nan"),
                        "threshold": "",
                        "verdict": "inconclusive",
                        "detail": f"evaluation failed: {type(exc).__name__}: {exc}",
                    }
                ]
        if isinstance(out, dict):
            out = [out]
        for r in out:
            if r["verdict"] not in VERDICTS:
                raise ValueError(f"claim {cid}: unknown verdict {r['verdict']!r}")
            rows.append(
                {
                    "claim": cid,
                    "title": c.title,
                    "reading": r.get("reading", ""),
                    "statistic": r["statistic"],
                    "value": float(r["value"]),
                    "error": float(r["error"]),
                    "threshold": str(r["threshold"]),
                    "verdict": r["verdict"],
                    "detail": r.get("detail", ""),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _esc(s) -> str:
    """Escape '|' so that a cell like 'max |z|' does not break a Markdown table row."""
    return str(s).replace("|", "\\|")


def _fmt(x):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{x:.4g}"


def to_markdown(df: pd.DataFrame, preset: str = "") -> str:
    """Human-readable scorecard (Markdown table plus counts)."""
    lines = [f"# Reproduction scorecard{f' (preset `{preset}`)' if preset else ''}", ""]
    counts = df["verdict"].value_counts()
    lines.append(", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICTS))
    lines += [
        "",
        "| # | claim | reading | statistic | value | error | threshold | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in df.iterrows():
        lines.append(
            f"| {r['claim']} | {_esc(r['title'])} | {_esc(r['reading'])} | "
            f"{_esc(r['statistic'])} | {_fmt(r['value'])} | {_fmt(r['error'])} | "
            f"{_esc(r['threshold'])} | **{r['verdict']}** |"
        )
    lines += ["", "## Details", ""]
    for _, r in df.iterrows():
        rd = f" [{r['reading']}]" if r["reading"] else ""
        lines.append(f"- **{r['claim']}{rd}** {r['verdict']}: {r['detail']}")
    return "\n".join(lines) + "\n"


def to_html(df: pd.DataFrame, preset: str = "", seed=None) -> str:
    """The scorecard as an HTML table (for ``snakemake --report``)."""
    drop = [c for c in ("preset", "base_seed", "kasglass_version", "git_revision") if c in df]
    return (
        f"<html><head><meta charset='utf-8'><title>Scorecard ({preset})</title>"
        "<style>table{border-collapse:collapse;font:13px sans-serif}"
        "td,th{border:1px solid #bbb;padding:3px 6px;text-align:left}</style></head><body>"
        f"<h3>Reproduction scorecard (preset {preset}, base seed {seed})</h3>"
        + df.drop(columns=drop).to_html(index=False, na_rep="–", float_format=lambda v: f"{v:.4g}")
        + "</body></html>\n"
    )
