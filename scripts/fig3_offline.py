#!/usr/bin/env python3
"""Finish a Fig. 3 run whose ED shards were made by scripts/run_jobs.py (no Snakemake), on the
machine that holds them: how many realizations are complete, the Fig. 3 tables, and the claims
they decide (the per-realization tables are too large to move; the small ones travel).

    python scripts/fig3_offline.py complete --configfile presets/paper_fig3.yaml
    python scripts/fig3_offline.py finish --configfile presets/paper_fig3.yaml --n 520 \\
        --claims claims_fig3.parquet

``complete`` prints N, the number of leading realizations whose shards exist at every h_x of
Fig. 3 (shard boundaries do not depend on the realization count, so the preset with
``ed.fig3.n_realizations: N`` plans exactly these shards). ``finish`` runs the plan's ``ed_fig3``
job at that N (the tables ``fig3_phase_diagram`` and ``fig3_realizations``, each input checked
against the job the plan expects, as in the workflow) and evaluates the scorecard on the run's
tables (claims 10, 11 and 13 from these), writing the readings as a Parquet table that
scripts/paper_scale_report.py takes with ``--claims``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def _plan(configfile, n=None):
    from kasglass.config import load_config
    from kasglass.stages import build_plan

    over = {"ed": {"fig3": {"n_realizations": int(n)}}} if n else None
    return build_plan(load_config(*configfile, root=REPO, overrides=over))


def complete(plan) -> int:
    """Leading realizations whose ED shards exist at every h_x of Fig. 3."""
    f3 = plan.cfg["ed"]["fig3"]
    L, hs = int(f3["L"]), [float(h) for h in f3["h_x"]]
    n = int(f3["n_realizations"])
    ends = []
    for h in hs:
        shards = sorted(
            (j.params["lo"], j.params["hi"], j)
            for j in (plan.job("ed", lab) for lab in plan.labels("ed"))
            if j.params["L"] == L and abs(j.params["h_x"] - h) <= 1e-12 * max(1.0, h)
        )
        end = 0
        for lo, hi, j in shards:
            if lo != end or not all(Path(p).exists() for p in j.outputs.values()):
                break
            end = hi
        ends.append(min(end, n))
    return min(ends)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("complete")
    c.add_argument("--configfile", nargs="+", required=True)
    f = sub.add_parser("finish")
    f.add_argument("--configfile", nargs="+", required=True)
    f.add_argument("--n", type=int, required=True)
    f.add_argument("--claims", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "complete":
        print(complete(_plan(args.configfile)))
        return 0

    import pandas as pd

    from kasglass.claims import evaluate
    from kasglass.io import setup_logging
    from kasglass.stages import execute

    plan = _plan(args.configfile, args.n)
    job = plan.job("ed_fig3")
    setup_logging(plan.log_pattern("ed_fig3"), console=True)
    execute(job, write=True)
    data = Path(plan.root) / "data"
    tables = {p.stem: pd.read_parquet(p) for p in sorted(data.glob("*.parquet"))}
    claims = evaluate(tables, plan.jobs["claims"][""].params["context"])
    claims = claims[~claims["detail"].str.startswith("not computed in this run")]
    claims.to_parquet(args.claims)
    for r in claims.itertuples():
        print(f"claim {r.claim} [{r.reading}] {r.value:.4g} +- {r.error:.2g}: {r.verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
