#!/usr/bin/env python3
"""Write a Markdown report of a run's figures, the claims its tables decide, what each stage
cost, and the cost of the whole paper preset scaled from those records.

    .venv/bin/snakemake --cores 2 fig2 fig3 figS2 figS5 figS8 --configfile presets/paper_slice.yaml
    .venv/bin/python scripts/paper_scale_report.py --preset paper_slice   # -> docs/paper_slice.md

For presets whose whole DAG does not fit the machine at hand: only the figures that were run
appear, and only the claims whose tables exist are evaluated (the scorecard's own evaluators, with
the run's primary parameter point). Costs come from the Snakemake benchmark record of every job
(wall and CPU seconds, peak resident memory) next to the cost model's estimate of the same job
(:mod:`kasglass.stages.costs`); their ratio per rule and method calibrates the model, and the
paper preset's core-hours per rule are its model estimate times that ratio (rules and methods
this run did not measure keep the bare model). With Fig. S3 in the run, its windows are also
tabulated by L. Everything is computed from results/<run>/; rerun the script instead of editing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cell(v) -> str:
    if isinstance(v, float):
        return "–" if v != v else f"{v:.4g}"
    return str(v).replace("|", "\\|")


def _statistics(cfg: dict, figures: list[str]) -> list[str]:
    """One line per figure run: the parameters and counts that set its statistics."""
    av, rs, pol = cfg["avalanche"], cfg["resonances"], cfg["dynamics"]["polarization"]
    ed, tf = cfg["ed"], cfg["twoflip"]["fields"]
    pairs = ", ".join(f"L = {L}: {n}" for L, n in zip(rs["L"], rs["n_realizations"], strict=True))
    tfp = ", ".join(f"L = {L}: {n}" for L, n in zip(tf["L"], tf["n_realizations"], strict=True))
    pl = ", ".join(f"L = {L}: {n}" for L, n in zip(pol["L"], pol["n_realizations"], strict=True))
    text = {
        "fig2": (
            f"Fig. 2 left: L = {av['L']}, {av['n_states']} initial states per ensemble, alpha in "
            f"{av['alphas']}, h_x in {av['h_x']} (main {av['h_x_main']}), {av['n_steps']} steps. "
            f"Fig. 2 right: alpha = {cfg['dynamics']['alpha']}, h_x = {pol['h_x']}, L_R = "
            f"{pol['L_R'][0]}..{pol['L_R'][-1]} ({pol['precision']} dense ED), SFS states per "
            f"size: {pl}."
        ),
        "figS2": (
            f"Fig. S2: alpha in {rs['alphas']}, h_x in {rs['h_x']}, realizations per size: "
            f"{pairs}; 2FS states: {tfp}."
        ),
        "figS5": "Fig. S5: the avalanche runs of Fig. 2 left, by alpha and h_x.",
        "fig3": (
            f"Fig. 3: L = {ed['fig3']['L']}, alpha = {ed['alpha']}, "
            f"{ed['fig3']['n_realizations']} realizations per h_x, {len(ed['fig3']['h_x'])} "
            f"h_x in {ed['fig3']['h_x']}, {ed['n_eps_bins']} eps bins, {ed['precision']} dense "
            "ED"
            + (
                " (validated in [ed_precision.md](ed_precision.md))."
                if ed["precision"] == "float32"
                else "."
            )
        ),
        "figS3": (
            f"Fig. S3: alpha = {ed['alpha']}, h_x in {ed['fss']['h_x']}, realizations per size: "
            + ", ".join(
                f"L = {L}: {n}"
                for L, n in zip(ed["fss"]["L"], ed["fss"]["n_realizations"], strict=True)
            )
            + f"; windows of {ed['fss']['n_eigs']} levels per sector (at most "
            f"{ed['fss']['max_fraction']:g} of it) at eps in {ed['fss']['eps_targets']}, dense "
            f"ED below L = {ed['shift_invert_min_L']}, shift-invert (float64) from it."
        ),
        "figS8": (
            f"Fig. S8: cluster entanglement at L_R = {pol['entanglement']['L_R']}, the first "
            f"{pol['entanglement']['n_realizations']} SFS states of every size of Fig. 2 right."
        ),
    }
    return [f"- {text[f]}" for f in figures if f in text]


def _fss_tables(d) -> list[str]:
    """Fig. S3's windows as tables a reader scans for the finite-size trend: r and m_EA by h_x
    (rows) and L (columns), one table per target energy density."""
    out = [
        "## Fig. S3 by system size",
        "",
        "Gap ratio r (Poisson 0.386, GOE 0.531) and m_EA (ergodic baseline 1/L) in the windows "
        "around each target energy density, disorder averages +- their standard errors "
        "(`figS3_fss`).",
        "",
    ]
    Ls = sorted(d["L"].unique())
    for eps in sorted(d["eps_target"].dropna().unique()):
        g = d[d["eps_target"] == eps]
        out += [
            f"**eps = {eps:g}**",
            "",
            "| h_x | "
            + " | ".join(f"r, L = {L}" for L in Ls)
            + " | "
            + " | ".join(f"m_EA, L = {L}" for L in Ls)
            + " |",
            "|---|" + "---|" * (2 * len(Ls)),
        ]
        for h in sorted(g["h_x"].unique()):
            row = g[g["h_x"] == h].set_index("L")

            def cell(col, err, L, row=row):
                if L not in row.index:
                    return "–"
                v, e = row.loc[L, col], row.loc[L, err]
                return f"{v:.3f} +- {e:.3f}"

            out.append(
                f"| {h:g} | "
                + " | ".join(cell("r_mean", "r_err", L) for L in Ls)
                + " | "
                + " | ".join(cell("m_ea", "m_ea_err", L) for L in Ls)
                + " |"
            )
        out.append("")
    return out


def _ratio_cells(ratios: dict, source: dict, preset: str) -> str:
    """measured/model per method, with the run it comes from where that is another one."""
    parts = []
    for m, r in ratios.items():
        tags = [t for t in (m, source[m] if source[m] != preset else "") if t]
        parts.append(f"{r:.2f}" + (f" ({', '.join(tags)})" if tags else ""))
    return ", ".join(parts)


def _shard_size(plan, rule: str, label: str, res: Path) -> int | None:
    """Realizations of the shard ``label`` as it ran: hi - lo from the job parameters recorded in
    its first output file (None where that is not a realization range)."""
    import pyarrow.parquet as pq

    if not label or not plan.step(rule).sharded:
        return None
    for pattern in plan.output_patterns(rule).values():
        f = Path(pattern.format(label=label))
        f = f if f.is_absolute() else res.parent / f.relative_to(f.parts[0])
        if f.suffix == ".parquet" and f.exists():
            md = pq.read_schema(f).metadata or {}
            par = json.loads(md.get(b"kasglass_job", b"{}")).get("params", {})
            if "lo" in par and "hi" in par:
                return int(par["hi"]) - int(par["lo"])
            return None
    return None


def _records(res: Path, plan) -> list[dict]:
    """Every benchmark record of the run, with the planned job's model estimate."""
    import pandas as pd

    out = []
    for rule in plan.jobs:
        base = res / "benchmarks" / rule
        files = (
            sorted(base.rglob("*.tsv")) if plan.step(rule).sharded else [base.with_suffix(".tsv")]
        )
        for f in files:
            if not f.exists():
                continue
            label = (
                f.relative_to(base).with_suffix("").as_posix() if plan.step(rule).sharded else ""
            )
            job = plan.jobs[rule].get(label)
            n_run = _shard_size(plan, rule, label, res)
            model = None
            if n_run is not None:
                # the shard as it ran (the plan's sharding may have changed with the cost model
                # since): the per-realization model of its group times its realizations
                group = label.rsplit("/", 1)[0]
                peers = [
                    j
                    for lb, j in plan.jobs[rule].items()
                    if lb.rsplit("/", 1)[0] == group
                    and j.params.get("hi", 0) > j.params.get("lo", 0)
                ]
                if peers:
                    j = peers[0]
                    model = j.seconds / (j.params["hi"] - j.params["lo"]) * n_run
                    job = job or j
            if job is None:
                continue
            if model is None:
                model = float(job.seconds)
            b = pd.read_csv(f, sep="\t").apply(pd.to_numeric, errors="coerce").iloc[-1]
            if not b["cpu_time"] == b["cpu_time"]:
                continue
            out.append(
                {
                    "rule": rule,
                    "wall": float(b["s"]),
                    "cpu": float(b["cpu_time"]),
                    "rss": float(b["max_rss"]) if b["max_rss"] == b["max_rss"] else 0.0,
                    "model": model,
                    "method": str(job.params.get("method", "")),
                }
            )
    return out


BEGIN, END = "<!-- BEGIN PAPER COST -->", "<!-- END PAPER COST -->"
VERDICTS = ("reproduced", "not reproduced", "inconclusive")
#: the ``adds`` of the readings that make up a compound primary reading (kasglass.claims)
MEMBER = "part of the primary reading"
#: model seconds of a rule below which this run does not calibrate it (fixed costs dominate)
MIN_MODEL_S = 60.0


def _write_readme_block(
    readme: Path, by_stage: dict, tot: list, args, report: Path, calibrated_by: list
) -> None:
    """The paper preset's cost per stage, between the README's markers."""
    readme, report = readme.resolve(), report.resolve()
    text = readme.read_text()
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        print(f"warning: {readme} needs one {BEGIN} ... {END} block; not written", file=sys.stderr)
        return
    rel = (
        report.relative_to(readme.parent).as_posix()
        if report.is_relative_to(readme.parent)
        else report
    )
    block = [
        BEGIN,
        f"<!-- generated by scripts/paper_scale_report.py --preset {args.preset}; do not edit by "
        "hand -->",
        "",
        "| stage | jobs | core-hours (float64) | core-hours (float32 knobs) | peak memory/job |",
        "|---|---|---|---|---|",
    ]
    for stage, (n, c64, c32, mem) in by_stage.items():
        block.append(f"| {stage} | {n} | {c64:.1f} | {c32:.1f} | {mem / 1000:.1f} GB |")
    block += [
        f"| **all** | | **{tot[2]:.0f}** | **{tot[3]:.0f}** | |",
        "",
        f"(The `{args.scale_to}` preset's cost model, calibrated per rule and method by the "
        f"benchmark records of the `{args.preset}` run on this project's 2-core development "
        f"machine: [{rel}]({rel})"
        + (
            "; rules and methods it did not measure by those of "
            + ", ".join(f"`{o}`" for o in calibrated_by)
            if calibrated_by
            else ""
        )
        + ".)",
        END,
    ]
    a, b = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:a] + "\n".join(block) + text[b:])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="paper_slice")
    ap.add_argument("--results", type=Path, default=REPO / "results")
    ap.add_argument("--scale-to", default="paper", help="preset whose cost is projected")
    ap.add_argument("--out", type=Path, default=None, help="default: docs/<preset>.md")
    ap.add_argument("--note", default="", help="a sentence on how the run was made, printed")
    ap.add_argument(
        "--calibration",
        type=Path,
        action="append",
        default=[],
        help="calibration.json of another published run: its measured/model ratios fill the "
        "rules and methods this run did not calibrate (repeatable; the first file wins)",
    )
    ap.add_argument(
        "--readme",
        type=Path,
        default=REPO / "README.md",
        help="README whose paper-cost block (between its markers) is rewritten ('' to skip)",
    )
    args = ap.parse_args(argv)

    import pandas as pd

    from kasglass.claims import REGISTRY, evaluate
    from kasglass.config import load_config
    from kasglass.stages import build_plan, run_name, steps

    cfg = load_config(f"presets/{args.preset}.yaml", root=REPO)
    plan = build_plan(cfg)
    res = args.results / run_name(cfg)
    out = args.out or REPO / "docs" / f"{args.preset}.md"
    figdir = out.parent / args.preset
    tables = {p.stem: pd.read_parquet(p) for p in sorted((res / "data").glob("*.parquet"))}
    if not tables:
        print(f"error: no tables in {res}/data; run the workflow first", file=sys.stderr)
        return 2
    context = plan.jobs["claims"][""].params["context"]
    claims = evaluate(tables, context)
    claims = claims[~claims["detail"].str.startswith("not computed in this run")]
    claims["title"] = [REGISTRY[int(c)].title for c in claims["claim"]]

    figdir.mkdir(parents=True, exist_ok=True)
    figs = []
    for name in plan.figures:
        src = res / "figures" / f"{name}.png"
        if src.exists():
            shutil.copy2(src, figdir / src.name)
            figs.append(name)
    rel = figdir.relative_to(out.parent).as_posix()
    prov = next(
        t.iloc[0] for t in tables.values() if len(t) and {"base_seed", "git_revision"} <= set(t)
    )

    rec = pd.DataFrame(_records(res, plan))
    # a job's fixed cost (interpreter, imports, reading inputs): the cheapest job of the run
    # (or of the runs whose calibrations fill in, where one of those had a cheaper job)
    other_runs = [json.loads(f.read_text()) for f in args.calibration]
    overhead = min(
        [float(rec["cpu"].min())] * bool(len(rec)) + [float(o["overhead_s"]) for o in other_runs]
        or [0.0]
    )
    paper = build_plan(load_config(f"presets/{args.scale_to}.yaml", root=REPO))
    paper32 = build_plan(
        load_config(
            f"presets/{args.scale_to}.yaml",
            root=REPO,
            overrides={
                "ed": {"precision": "float32"},
                "dynamics": {
                    "polarization": {"precision": "float32"},
                    "quench": {"precision": "float32"},
                },
            },
        )
    )

    lines = [
        f"# Paper-scale results: the `{args.preset}` run",
        "",
        f"<!-- generated by scripts/paper_scale_report.py --preset {args.preset}"
        + (" --note '...'" if args.note else "")
        + "; do not edit by hand -->",
        "",
        f"From `results/{run_name(cfg)}/` (base seed {prov['base_seed']}, kasglass "
        f"{prov['kasglass_version']}, git revision `{str(prov['git_revision'])[:12]}`), run with "
        f"`snakemake --cores 2 {' '.join(figs)} --configfile presets/{args.preset}.yaml`"
        + (
            " from a working tree outside git (its revision is not recorded)."
            if str(prov["git_revision"]) == "unknown"
            else "."
        )
        + (f" {args.note}" if args.note else ""),
        "",
        "## Statistics",
        "",
        *_statistics(cfg, figs),
        "",
    ]
    for name in figs:
        lines += [f"![{name}]({rel}/{name}.png)", ""]
    if "figS3_fss" in tables and "figS3" in figs:
        lines += _fss_tables(tables["figS3_fss"])
    prim = claims[claims["primary"]]
    counts = prim["verdict"].value_counts()
    lines += [
        "## Claims whose tables this run produced",
        "",
        f"**{len(prim)} claims: "
        + ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
        + "** (each judged by its primary reading, fixed in code before the data were read; "
        "the other readings below).",
        "",
        "| # | claim | primary reading | value | error | threshold | verdict | readings agreeing |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in prim.itertuples():
        others = claims[(claims["claim"] == r.claim) & ~claims["primary"]]
        agree = (
            f"{int((others['verdict'] == r.verdict).sum())} of {len(others)}"
            if len(others)
            else "–"
        )
        cells = [r.claim, r.title, r.reading, r.value, r.error, r.threshold]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + f" | **{r.verdict}** | {agree} |")
    lines += [""]
    for r in prim.itertuples():
        lines.append(f"- **{r.claim}** {r.verdict}: {r.detail}")
        members = claims[(claims["claim"] == r.claim) & (claims["adds"] == MEMBER)]
        for m in members.itertuples():
            lines.append(f"  - [{m.reading}] {m.verdict}: {m.detail}")
    lines += [
        "",
        f"<details><summary>All {len(claims)} readings</summary>",
        "",
        "| # | reading | statistic | value | error | threshold | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in claims.itertuples():
        cells = [r.claim, r.reading, r.statistic, r.value, r.error, r.threshold]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + f" | {r.verdict} |")
    lines += ["", "</details>"]
    lines += [
        "",
        "## Cost of this run and of the paper preset",
        "",
        "Measured: the Snakemake benchmark records of this run's jobs (one core each, 2 cores "
        "busy). Model: the cost model's single-core estimate of the same jobs; measured/model "
        "(less a fixed cost per job, the CPU time of the cheapest job of this run or of the "
        "runs named below: "
        f"{overhead:.1f} s) calibrates it per rule and method (ED: dense or shift-invert) where "
        f"the model expects at least {MIN_MODEL_S:.0f} s of them. `{args.scale_to}` preset: its "
        "model estimate per job times that ratio plus the fixed cost (where this run measured too "
        "little or not at all, the ratio of another published run, named in the cell, else 1: "
        "the bare model, from benchmarks/; polarization: the ratio measured on dense L_R <= 12 "
        "jobs "
        "also scales the paper's L_R 13-14, which take the Chebyshev route), in float64 as "
        "configured "
        "and with the "
        "float32 knobs (`ed.precision`, `dynamics.*.precision`); peak memory: the largest "
        "request of its jobs (the cost model's peak).",
        "",
        "| rule | jobs here | wall h | CPU h | peak MB | model h | measured/model | "
        f"{args.scale_to}: jobs | core-h (float64) | core-h (float32) | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    own: dict[str, dict[str, float]] = {}
    tot = [0.0, 0.0, 0.0, 0.0]
    by_stage: dict[str, list] = {}
    for rule in paper.jobs:
        g = rec[rec["rule"] == rule] if len(rec) else rec
        # one ratio per method of the rule (ED: dense "full" and "shift-invert" jobs), where
        # this run measured at least MIN_MODEL_S of it; other methods keep the bare model
        ratios = {}
        for method, gm in g.groupby("method") if len(g) else []:
            if gm["model"].sum() >= MIN_MODEL_S:
                ratios[str(method)] = (
                    max(gm["cpu"].sum() - overhead * len(gm), 0.0) / gm["model"].sum()
                )
        if ratios:
            own[rule] = dict(ratios)
        # methods this run did not calibrate: the first other run that did
        source = {m: args.preset for m in ratios}
        for o in other_runs:
            for m, r in o["ratios"].get(rule, {}).items():
                if m not in ratios:
                    ratios[m], source[m] = float(r), o["preset"]

        def cost(pl, rule=rule, ratios=ratios):
            return (
                sum(
                    ratios.get(str(j.params.get("method", "")), 1.0) * j.seconds + overhead
                    for j in pl.jobs[rule].values()
                )
                / 3600
            )

        p64, p32 = cost(paper), cost(paper32)
        pmem = max(j.mem_mb for j in paper.jobs[rule].values())
        if len(g):
            here = (
                f"{len(g)} | {g['wall'].sum() / 3600:.3f} | {g['cpu'].sum() / 3600:.3f} | "
                f"{g['rss'].max():.0f} | {g['model'].sum() / 3600:.3f} | "
                + (_ratio_cells(ratios, source, args.preset) or "–")
            )
            tot[0] += g["wall"].sum() / 3600
            tot[1] += g["cpu"].sum() / 3600
        else:
            here = "0 | | | | | " + (_ratio_cells(ratios, source, args.preset) or "–")
        tot[2] += p64
        tot[3] += p32
        stage = steps()[rule][0].__name__.rsplit(".", 1)[-1]
        st = by_stage.setdefault(stage, [0, 0.0, 0.0, 0])
        st[0] += len(paper.jobs[rule])
        st[1] += p64
        st[2] += p32
        st[3] = max(st[3], pmem)
        lines.append(
            f"| {rule} | {here} | {len(paper.jobs[rule])} | {p64:.2f} | {p32:.2f} | {pmem} |"
        )
    lines += [
        f"| **total** | | {tot[0]:.2f} | {tot[1]:.2f} | | | | | {tot[2]:.1f} | {tot[3]:.1f} | |",
        "",
        "Aggregations and plots have no model estimate (a fixed request): the projection counts "
        "only their fixed cost per job.",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    (figdir / "calibration.json").write_text(
        json.dumps(
            {
                "preset": args.preset,
                "kasglass_version": str(prov["kasglass_version"]),
                "overhead_s": overhead,
                "ratios": own,
            },
            indent=1,
            sort_keys=True,
        )
        + "\n"
    )
    if str(args.readme) and args.readme.is_file():
        _write_readme_block(
            args.readme, by_stage, tot, args, out, sorted({o["preset"] for o in other_runs})
        )
    print(f"{out}: {len(claims)} claim rows, {len(figs)} figures in {figdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
