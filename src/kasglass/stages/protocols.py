"""Stage ``protocols``: the soft-gap exponent x(alpha) for every SFS flip order on the same
disorder (beyond the paper, which does not say in which order it flipped unstable spins).

Rules
-----
- ``protocols`` (one job per (L, shard of realizations)): the random states of the SFS stage
  (same couplings, same initial states: the seeds are derived identically) relaxed with every
  order of ``fields.protocols.orders`` (random | sweep | greedy), for every alpha of Fig. 1's
  inset; histograms and per-realization summaries per order (:func:`kasglass.sampling.run_shard`);
- ``protocols_aggregate``: x by the four estimators of Fig. S9 (:mod:`kasglass.estimators`) per
  (order, alpha), with the same bootstrap replicas for every order, and the energies and flips
  per (order, alpha, L) (Fig. S10).
"""

from __future__ import annotations

from ..tables import Col, Schema, register
from . import Figure, Job, Step
from . import costs as C
from .common import ALPHA, L_COL, MODEL_PARAMS, N_REAL, model, ranges, shard_label
from .fields import TABLES as FIELD_TABLES
from .sfs import TABLES as SFS_TABLES

#: first spawn key of this stage's bootstrap streams (Fig. 1 uses the alpha code alone)
_BOOT_KEY = 10
ORDER = Col("order", "str", "", "SFS flip order: random | sweep | greedy (kasglass.sfs)")
_SUMMARY_COLS = ("alpha", "realization", "block", "energy_per_spin", "n_flips", "min_abs_phi")

TABLES = register(
    Schema(
        "protocols_hist",
        "SFS-state |phi| counts of one shard per flip order (only non-zero counts).",
        (ORDER,) + tuple(c for c in SFS_TABLES["sfs_hist"].columns if c.name != "ensemble"),
        figure=False,
    ),
    Schema(
        "protocols_summary",
        "One row per (order, alpha, realization) of one shard: the SFS state's energy, flips and "
        "smallest field.",
        (ORDER, L_COL)
        + tuple(c for c in SFS_TABLES["sfs_summary"].columns if c.name in _SUMMARY_COLS),
        figure=False,
    ),
    Schema(
        "figS10_protocols",
        "Fig. S10: the exponent x per SFS flip order and alpha by the estimators of Fig. S9 "
        "(rows as in fig1_estimators, with the flip order), on the same disorder.",
        (ORDER,) + tuple(c for c in FIELD_TABLES["fig1_estimators"].columns if c.name != "main"),
        params=MODEL_PARAMS,
    ),
    Schema(
        "figS10_states",
        "Fig. S10: energy and flips of the SFS states per (order, alpha, L).",
        (
            ORDER,
            ALPHA,
            L_COL,
            N_REAL,
            Col("energy_per_spin", "float64", "std(J)", "mean classical energy per spin E/L"),
            Col("energy_per_spin_err", "float64", "std(J)", "its standard error"),
            Col("n_flips_per_spin", "float64", "", "mean relaxation flips per spin"),
            Col("min_abs_phi_mean", "float64", "std(J)", "mean smallest |phi_i| of a state"),
        ),
        params=MODEL_PARAMS,
    ),
)


def run_shard_orders(params: dict, inputs: dict) -> dict:
    import pandas as pd

    from ..model import Model
    from ..sampling import Demand, run_shard

    p = params
    hists, summs = [], []
    for order in p["orders"]:
        plan = [Demand(Model.from_dict(d["model"]), d["n_hist"], 0) for d in p["demands"]]
        out = run_shard(
            p["seed"],
            p["L"],
            p["lo"],
            p["hi"],
            plan,
            order=order,
            phi_min=p["hist"]["phi_min"],
            phi_max=p["hist"]["phi_max"],
            bins_per_decade=p["hist"]["bins_per_decade"],
            n_blocks=p["n_blocks"],
            h_x_res=(),
            matrix_free=bool(p["matrix_free"]),
        )
        h = out["hist"]
        h = h[h["ensemble"] == "sfs"].drop(columns=["ensemble"])
        h.insert(0, "order", order)
        s = out["summary"]
        s = s[s["ensemble"] == "sfs"][["L", *_SUMMARY_COLS]]
        s.insert(0, "order", order)
        hists.append(h)
        summs.append(s)
    return {
        "hist": pd.concat(hists, ignore_index=True),
        "summary": pd.concat(summs, ignore_index=True),
    }


def run_aggregate(params: dict, inputs: dict) -> dict:
    import numpy as np
    import pandas as pd

    from ..estimators import estimate_table
    from ..io import read_tables
    from ..sampling import hist_edges
    from ..seeds import rng_for

    p = params
    hist = read_tables(inputs["hist"])
    summ = read_tables(inputs["summary"])
    h = p["hist"]
    edges = hist_edges(h["phi_min"], h["phi_max"], h["bins_per_decade"])
    n_bins = len(edges) - 1
    lo, hi = float(p["fit"]["lo"]), float(p["fit"]["hi"])
    est_rows, state_rows = [], []
    for alpha in sorted(float(a) for a in p["alphas"]):
        per_order = {}
        for order in p["orders"]:
            blocks = per_order[order] = {}
            for L in p["L"]:
                s = summ[
                    (summ["order"] == order) & np.isclose(summ["alpha"], alpha) & (summ["L"] == L)
                ]
                if s.empty:
                    continue
                bl = np.sort(s["block"].unique())
                pos = {b: i for i, b in enumerate(bl)}
                g = s.groupby("block")
                n = g.size().reindex(bl).to_numpy(np.int64)
                S = g["min_abs_phi"].sum().reindex(bl).to_numpy(np.float64)
                c = hist[
                    (hist["order"] == order) & np.isclose(hist["alpha"], alpha) & (hist["L"] == L)
                ]
                C = np.zeros((len(bl), n_bins), np.int64)
                np.add.at(C, (c["block"].map(pos).to_numpy(), c["bin"].to_numpy()), c["count"])
                blocks[int(L)] = (C, n, S)
                e = s["energy_per_spin"].to_numpy()
                state_rows.append(
                    {
                        "order": order,
                        "alpha": alpha,
                        "L": int(L),
                        "n_realizations": len(s),
                        "energy_per_spin": float(e.mean()),
                        "energy_per_spin_err": float(e.std(ddof=1) / np.sqrt(len(e)))
                        if len(e) > 1
                        else np.nan,
                        "n_flips_per_spin": float(s["n_flips"].mean() / L),
                        "min_abs_phi_mean": float(s["min_abs_phi"].mean()),
                    }
                )
        # the same bootstrap replicas for every order: the orders share their realizations
        sizes = sorted({L for b in per_order.values() for L in b})
        nb = {L: {len(b[L][1]) for b in per_order.values() if L in b} for L in sizes}
        if any(len(v) != 1 for v in nb.values()):
            raise ValueError(f"flip orders hold different realization blocks: {nb}")
        rng = rng_for(p["seed"], "bootstrap", _BOOT_KEY, int(round(alpha * 1e6)))
        reps = {L: rng.integers(0, B, (int(p["n_bootstrap"]), B)) for L in sizes for B in nb[L]}
        for order, blocks in per_order.items():
            Ls = sorted(blocks)
            if len(Ls) < 2:
                continue
            table, _ = estimate_table(Ls, blocks, edges, alpha, fit_lo=lo, fit_hi=hi, reps=reps)
            table.insert(0, "order", order)
            est_rows.append(table)
    cols = [c.name for c in TABLES["figS10_protocols"].columns]
    out = pd.concat(est_rows, ignore_index=True) if est_rows else pd.DataFrame(columns=cols)
    return {
        "protocols": out[cols].reset_index(drop=True),
        "states": pd.DataFrame(
            state_rows, columns=[c.name for c in TABLES["figS10_states"].columns]
        ),
    }


STEPS = {
    "protocols": Step(
        run_shard_orders,
        {
            "hist": ("protocols_hist", "protocols/{label}.hist.parquet"),
            "summary": ("protocols_summary", "protocols/{label}.summary.parquet"),
        },
    ),
    "protocols_aggregate": Step(
        run_aggregate,
        {
            "protocols": ("figS10_protocols", "data/figS10_protocols.parquet"),
            "states": ("figS10_states", "data/figS10_states.parquet"),
        },
        sharded=False,
    ),
}


def plan(ctx) -> list[Job]:
    cfg = ctx.cfg
    fc = cfg["fields"]
    pc = fc["protocols"]
    orders = list(pc["orders"])
    if not orders or not pc["L"]:
        return []
    alphas = sorted({float(fc["alpha"])} | {float(a) for a in fc["inset"]["alphas"]})
    jobs, hist, summ = [], [], []
    for L, n in zip(pc["L"], pc["n_realizations"], strict=True):
        L, n = int(L), int(n)
        mf = L >= int(cfg["sfs"]["matrix_free_from_L"])
        each = len(orders) * C.sfs_seconds(L, len(alphas), mf)
        rows_each = 2 * len(alphas) * len(orders)  # summary rows held per realization
        per = C.per_job(
            each, C.job_minutes(cfg, "sfs"), cap=max(1, 2 * C.SFS_MAX_ROWS // rows_each)
        )
        for k, (lo, hi) in enumerate(ranges(n, per)):
            label = shard_label(f"L{L}", k)
            params = {
                "seed": int(cfg["seed"]),
                "L": L,
                "lo": lo,
                "hi": hi,
                "orders": orders,
                "matrix_free": mf,
                "demands": [{"model": model(cfg, a).as_dict(), "n_hist": hi} for a in alphas],
                "hist": fc["hist"],
                "n_blocks": int(fc["n_blocks"]),
            }
            jobs.append(
                Job(
                    "protocols",
                    label,
                    params,
                    {},
                    {},
                    mem_mb=C.sfs_mem_mb(L, rows_each * (hi - lo), mf, len(alphas)),
                    seconds=(hi - lo) * each,
                )
            )
            hist.append(ctx.path("protocols/{label}.hist.parquet", label))
            summ.append(ctx.path("protocols/{label}.summary.parquet", label))
    jobs.append(
        Job(
            "protocols_aggregate",
            "",
            {
                "seed": int(cfg["seed"]),
                "orders": orders,
                "alphas": alphas,
                "L": [int(L) for L in pc["L"]],
                "fit": {"lo": fc["fit"]["lo"], "hi": fc["fit"]["hi"]},
                "n_bootstrap": int(fc["n_bootstrap"]),
                "hist": fc["hist"],
            },
            {"hist": hist, "summary": summ},
            {},
            mem_mb=4000,
            runtime=30,
            provenance=ctx.provenance("fields"),
        )
    )
    return jobs


def figures(ctx) -> list[Figure]:
    if not ctx.cfg["fields"]["protocols"]["orders"] or not ctx.cfg["fields"]["protocols"]["L"]:
        return []
    d = f"{ctx.root}/data"
    return [
        Figure(
            "figS10",
            {
                "protocols": f"{d}/figS10_protocols.parquet",
                "states": f"{d}/figS10_states.parquet",
            },
            {"alpha": float(ctx.cfg["fields"]["alpha"])},
        )
    ]
