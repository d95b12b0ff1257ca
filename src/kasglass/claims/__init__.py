"""The reproduction scorecard: each claim of the paper becomes a computed verdict.

A claim is a function registered with :func:`claim`. It receives the figure tables (a dict of
DataFrames keyed by table name, e.g. ``"fig1_exponents"``) and returns its *readings*: dicts with
keys ``reading`` (which interpretation or parameter point), ``statistic``, ``value``, ``error``
(NaN where the statistic has none, e.g. a count or an exact p-value), ``threshold``, ``verdict``
and ``detail``. Verdicts are ``reproduced``, ``not reproduced`` or ``inconclusive``.

Every claim declares, before any data are read, its **primary reading** (:class:`Primary`) and
why the physics makes it the one that decides the claim; the claim's verdict is the primary
reading's. It is either one reading (named by a template filled with the run's main parameters,
:data:`CONTEXT_KEYS`: e.g. the growth exponent at the main alpha and h_x) or the conjunction of
several readings (all must be reproduced; any "not reproduced" fails it). Every other reading
states what it adds (``adds``). The headline counts claims, not readings. Thresholds are fixed in
the claim modules and never moved to make a claim pass. A claim whose tables are missing, or whose
primary parameter point is not in the run, is ``inconclusive`` with the reason.

Claim modules in this package (``fields``, ``resonances``, ``ed``, ``dynamics``) are imported
automatically.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from dataclasses import dataclass, field

import pandas as pd

VERDICTS = ("reproduced", "not reproduced", "inconclusive")
#: columns of the readings table (claims.parquet)
COLUMNS = [
    "claim",
    "reading",
    "primary",
    "adds",
    "statistic",
    "value",
    "error",
    "threshold",
    "verdict",
    "detail",
]
#: columns of the per-claim summary (claims_summary.parquet)
SUMMARY_COLUMNS = [
    "claim",
    "title",
    "paper",
    "primary_reading",
    "why",
    "statistic",
    "value",
    "error",
    "threshold",
    "verdict",
    "n_readings",
    "n_agree",
]
#: parameters of the run that primary-reading templates may use
CONTEXT_KEYS = ("alpha", "h_x", "h_x_two_spin")
#: defaults when the run does not say (the paper's main point)
DEFAULT_CONTEXT = {"alpha": 0.7, "h_x": 0.05, "h_x_two_spin": 0.05}


@dataclass(frozen=True)
class Primary:
    """The reading that decides a claim.

    Parameters
    ----------
    reading : str, optional
        Template of one reading's name, filled with the run's context (``{alpha:g}``, ``{h_x:g}``,
        ``{h_x_two_spin:g}``); the first reading whose name is it, or continues it after a
        comma, is primary.
    all_of : tuple of str, optional
        Templates of several readings whose conjunction decides the claim (``()``: every reading).
    why : str
        Why the physics makes this the deciding reading.
    """

    reading: str | None = None
    all_of: tuple | None = None
    why: str = ""


@dataclass(frozen=True)
class _Claim:
    id: int
    title: str
    needs: tuple
    fn: object
    paper: str
    primary: Primary
    adds: dict = field(default_factory=dict)


REGISTRY: dict[int, _Claim] = {}


def claim(
    id: int,
    title: str,
    needs,
    *,
    paper: str,
    primary: Primary | None = None,
    adds: dict | None = None,
):
    """Register a claim evaluator ``fn(tables) -> dict | list[dict]`` under its number.

    Parameters
    ----------
    paper : str
        What the paper says (quoted or closely paraphrased).
    primary : Primary
        The deciding reading (default: the claim's only reading).
    adds : dict
        Reading-name prefix -> what that (non-primary) reading adds.
    """

    def deco(fn):
        if id in REGISTRY and REGISTRY[id].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"claim {id} registered twice")
        REGISTRY[id] = _Claim(
            id, title, tuple(needs), fn, paper, primary or Primary(), dict(adds or {})
        )
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


def conjunction(verdicts) -> str:
    """All reproduced -> reproduced; any not reproduced -> not reproduced; else inconclusive."""
    verdicts = list(verdicts)
    if verdicts and all(v == "reproduced" for v in verdicts):
        return "reproduced"
    if any(v == "not reproduced" for v in verdicts):
        return "not reproduced"
    return "inconclusive"


def _load_modules():
    for m in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{m.name}")


def _row(reading, verdict, detail, statistic="", threshold="", value=math.nan, error=math.nan):
    return {
        "reading": reading,
        "statistic": statistic,
        "value": value,
        "error": error,
        "threshold": threshold,
        "verdict": verdict,
        "detail": detail,
    }


def _matches(reading: str, name: str) -> bool:
    """``reading`` is ``name`` or continues it after a comma (``h_x=0.05`` never matches
    ``h_x=0.055``)."""
    return reading == name or reading.startswith(name + ",")


def _mark_primary(c: _Claim, out: list[dict], ctx: dict) -> list[dict]:
    """Mark (or add) the primary reading of claim ``c`` among its readings ``out``."""
    p = c.primary
    for r in out:
        r["primary"] = False
    if p.all_of is not None:
        names = [t.format(**ctx) for t in p.all_of]
        members = [r for r in out if not names or any(_matches(r["reading"], n) for n in names)]
        label = "all of: " + "; ".join(names) if names else "all readings"
        missing = [n for n in names if not any(_matches(r["reading"], n) for r in out)]
        verdict = conjunction([r["verdict"] for r in members])
        if missing:
            verdict = "inconclusive" if verdict != "not reproduced" else verdict
        detail = ", ".join(f"{r['reading']}: {r['verdict']}" for r in members)
        if missing:
            detail += f"; not in this run: {', '.join(missing)}"
        row = _row(label, verdict, detail, statistic="conjunction of the readings")
        row["primary"] = True
        for r in members:
            r["adds"] = "part of the primary reading"
        return [row] + out
    if p.reading is None:
        if len(out) != 1:
            raise ValueError(f"claim {c.id} has {len(out)} readings but no primary reading")
        out[0]["primary"] = True
        return out
    name = p.reading.format(**ctx)
    hit = next((r for r in out if _matches(r["reading"], name)), None)
    if hit is None:
        row = _row(
            f"{name} (primary)",
            "inconclusive",
            f"the primary reading's parameter point ({name}) is not in this run",
        )
        row["primary"] = True
        return [row] + out
    hit["primary"] = True
    return out


def _adds(c: _Claim, r: dict) -> str:
    if r["primary"]:
        return ""
    if r.get("adds"):
        return r["adds"]
    for prefix, text in c.adds.items():
        if r["reading"].startswith(prefix):
            return text
    return "the same test at another parameter point"


def evaluate(tables: dict[str, pd.DataFrame], context: dict | None = None) -> pd.DataFrame:
    """Evaluate every registered claim on ``tables``: one row per claim and reading.

    ``context`` holds the run's main parameters (:data:`CONTEXT_KEYS`) that name primary
    readings; missing keys take :data:`DEFAULT_CONTEXT`.
    """
    _load_modules()
    ctx = {**DEFAULT_CONTEXT, **{k: v for k, v in (context or {}).items() if v is not None}}
    rows = []
    for cid in sorted(REGISTRY):
        c = REGISTRY[cid]
        missing = [t for t in c.needs if t not in tables]
        if missing:
            out = [
                _row(
                    "",
                    "inconclusive",
                    f"not computed in this run (needs table(s) {', '.join(missing)})",
                )
            ]
            out[0]["primary"] = True
        else:
            try:
                out = c.fn(tables)
                out = [out] if isinstance(out, dict) else list(out)
                for r in out:
                    r.setdefault("reading", "")
                out = _mark_primary(c, out, ctx)
            except Exception as exc:  # a broken evaluator is reported, never hidden
                out = [_row("", "inconclusive", f"evaluation failed: {type(exc).__name__}: {exc}")]
                out[0]["primary"] = True
        for r in out:
            if r["verdict"] not in VERDICTS:
                raise ValueError(f"claim {cid}: unknown verdict {r['verdict']!r}")
            rows.append(
                {
                    "claim": cid,
                    "reading": r.get("reading", ""),
                    "primary": bool(r["primary"]),
                    "adds": _adds(c, r),
                    "statistic": r["statistic"],
                    "value": float(r["value"]),
                    "error": float(r["error"]),
                    "threshold": str(r["threshold"]),
                    "verdict": r["verdict"],
                    "detail": r.get("detail", ""),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(readings: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: the paper's statement, the primary reading and its verdict, and how
    many of the other readings agree with it."""
    _load_modules()
    out = []
    for cid, g in readings.groupby("claim", sort=True):
        c = REGISTRY[int(cid)]
        p = g[g["primary"]].iloc[0]
        others = g[~g["primary"] & (g["adds"] != "part of the primary reading")]
        parts = g[g["adds"] == "part of the primary reading"]
        rest = pd.concat([parts, others])
        out.append(
            {
                "claim": int(cid),
                "title": c.title,
                "paper": c.paper,
                "primary_reading": p["reading"],
                "why": c.primary.why,
                "statistic": p["statistic"],
                "value": p["value"],
                "error": p["error"],
                "threshold": p["threshold"],
                "verdict": p["verdict"],
                "n_readings": int(len(rest)),
                "n_agree": int((rest["verdict"] == p["verdict"]).sum()),
            }
        )
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


def _esc(s) -> str:
    """Escape '|' so that a cell like 'max |z|' does not break a Markdown table row."""
    return " ".join(str(s).split()).replace("|", "\\|")


def fmt_value(v, e=math.nan) -> str:
    """``0.562 ± 0.071`` (3 significant digits), ``0.562`` without an error, ``–`` for NaN."""
    if v is None or not math.isfinite(float(v)):
        return "–"
    s = f"{float(v):.3g}"
    if e is not None and math.isfinite(float(e)):
        s += f" ± {float(e):.2g}"
    return s


def headline(summ: pd.DataFrame) -> str:
    counts = summ["verdict"].value_counts()
    return f"{len(summ)} claims: " + ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICTS)


def summary_markdown(summ: pd.DataFrame) -> list[str]:
    """The per-claim summary as Markdown table lines."""
    lines = [
        "| # | claim | the paper says | primary reading | value | threshold | verdict "
        "| readings agreeing |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, s in summ.iterrows():
        agree = f"{s['n_agree']} of {s['n_readings']}" if s["n_readings"] else "–"
        lines.append(
            f"| {s['claim']} | {_esc(s['title'])} | {_esc(s['paper'])} | "
            f"{_esc(s['primary_reading']) or 'the only reading'} | "
            f"{_esc(fmt_value(s['value'], s['error']))} | {_esc(s['threshold'])} | "
            f"**{s['verdict']}** | {agree} |"
        )
    return lines


def to_markdown(df: pd.DataFrame, preset: str = "") -> str:
    """Human-readable scorecard: the headline (claims), the per-claim summary, then the readings
    grouped by claim."""
    _load_modules()
    summ = summary(df)
    lines = [
        f"# Reproduction scorecard{f' (run `{preset}`)' if preset else ''}",
        "",
        f"**{headline(summ)}** (each claim judged by its primary reading; "
        f"{len(df)} readings in all).",
        "",
    ]
    lines += summary_markdown(summ)
    lines += ["", "## Readings by claim", ""]
    for cid, g in df.groupby("claim", sort=True):
        c = REGISTRY[int(cid)]
        lines += [f"### {cid}. {_esc(c.title)}", "", f"The paper: {c.paper}", ""]
        if c.primary.why:
            lines += [f"Primary reading: {c.primary.why}", ""]
        lines += [
            "| reading | role | statistic | value | threshold | verdict | detail |",
            "|---|---|---|---|---|---|---|",
        ]
        for _, r in g.iterrows():
            role = "**primary**" if r["primary"] else _esc(r["adds"])
            lines.append(
                f"| {_esc(r['reading']) or '–'} | {role} | {_esc(r['statistic'])} | "
                f"{_esc(fmt_value(r['value'], r['error']))} | {_esc(r['threshold'])} | "
                f"{r['verdict']} | {_esc(r['detail'])} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


_COLOURS = {"reproduced": "#cdeccd", "not reproduced": "#f6c9c4", "inconclusive": "#f3e7b6"}


def to_html(df: pd.DataFrame, preset: str = "", seed=None) -> str:
    """The scorecard as HTML (for ``snakemake --report``): summary then readings, verdicts in
    colour."""
    import html

    _load_modules()
    summ = summary(df)

    def cell(v):
        return f"<td>{html.escape(str(v))}</td>"

    def verdict(v):
        return f"<td style='background:{_COLOURS.get(v, '#fff')}'><b>{html.escape(v)}</b></td>"

    parts = [
        f"<html><head><meta charset='utf-8'><title>Scorecard ({html.escape(preset)})</title>"
        "<style>table{border-collapse:collapse;font:13px sans-serif;margin-bottom:1em}"
        "td,th{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}"
        "</style></head><body>",
        f"<h3>Reproduction scorecard (run {html.escape(preset)}, base seed {seed}): "
        f"{html.escape(headline(summ))}</h3>",
        "<table><tr><th>#</th><th>claim</th><th>the paper says</th><th>primary reading</th>"
        "<th>value</th><th>threshold</th><th>verdict</th><th>readings agreeing</th></tr>",
    ]
    for _, s in summ.iterrows():
        parts.append(
            "<tr>"
            + cell(s["claim"])
            + cell(s["title"])
            + cell(s["paper"])
            + cell(s["primary_reading"] or "the only reading")
            + cell(fmt_value(s["value"], s["error"]))
            + cell(s["threshold"])
            + verdict(s["verdict"])
            + cell(f"{s['n_agree']} of {s['n_readings']}")
            + "</tr>"
        )
    parts.append(
        "</table><h4>Readings</h4><table><tr><th>#</th><th>reading</th><th>role</th>"
        "<th>statistic</th><th>value</th><th>threshold</th><th>verdict</th>"
        "<th>detail</th></tr>"
    )
    for _, r in df.iterrows():
        parts.append(
            "<tr>"
            + cell(r["claim"])
            + cell(r["reading"])
            + cell("primary" if r["primary"] else r["adds"])
            + cell(r["statistic"])
            + cell(fmt_value(r["value"], r["error"]))
            + cell(r["threshold"])
            + verdict(r["verdict"])
            + cell(r["detail"])
            + "</tr>"
        )
    parts.append("</table></body></html>\n")
    return "".join(parts)
