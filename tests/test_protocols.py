"""The flip-order stage (Fig. S10): the same disorder for every order, the random order equal to
the SFS stage's, tables independent of the sharding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass.config import load_config
from kasglass.io import write_table
from kasglass.seeds import seed_table
from kasglass.stages import build_plan
from kasglass.stages.protocols import run_aggregate, run_shard_orders
from kasglass.stages.sfs import run_sfs


@pytest.fixture(scope="module")
def plan():
    return build_plan(load_config("presets/tiny.yaml"))


def _job(plan, rule, L):
    return next(j for j in plan.jobs[rule].values() if j.params["L"] == L)


def test_random_order_equals_the_sfs_stage(plan, tmp_path):
    """The random-order relaxation of this stage is the SFS stage's, realization by realization:
    the same couplings, initial states and flip-order streams."""
    pj = _job(plan, "protocols", 32)
    sj = _job(plan, "sfs", 32)
    p = sj.params
    f = tmp_path / "seeds.parquet"
    write_table(seed_table(p["seed"], p["L"], p["lo"], p["hi"]), f)
    sfs = run_sfs(p, {"seeds": [str(f)]})["summary"]
    sfs = sfs[sfs["ensemble"] == "sfs"]
    out = run_shard_orders(pj.params, {})["summary"]
    assert set(out["order"]) == {"random", "sweep", "greedy"}
    rnd = out[out["order"] == "random"]
    m = rnd.merge(sfs, on=["alpha", "realization"], suffixes=("", "_sfs"))
    assert len(m) == len(rnd) > 0
    for c in ("energy_per_spin", "n_flips", "min_abs_phi", "block"):
        assert np.array_equal(m[c].to_numpy(), m[c + "_sfs"].to_numpy()), c
    # every order relaxed the same realizations (and reached different states)
    per = out.groupby("order")["realization"].apply(lambda r: tuple(sorted(r)))
    assert per.nunique() == 1
    e = out.pivot_table(index=["alpha", "realization"], columns="order", values="energy_per_spin")
    assert (e["greedy"] != e["random"]).any() and (e["sweep"] != e["random"]).any()


def test_tables_do_not_depend_on_the_sharding(plan, tmp_path):
    agg = plan.jobs["protocols_aggregate"][""]
    whole, split = {"hist": [], "summary": []}, {"hist": [], "summary": []}
    for j in plan.jobs["protocols"].values():
        p = j.params
        for name, ranges in (("w", [(p["lo"], p["hi"])]), ("s", None)):
            if ranges is None:
                mid = (p["lo"] + p["hi"]) // 2
                ranges = [(p["lo"], mid), (mid, p["hi"])]
            for lo, hi in ranges:
                out = run_shard_orders({**p, "lo": lo, "hi": hi}, {})
                for k in ("hist", "summary"):
                    f = tmp_path / f"{name}_{p['L']}_{lo}_{k}.parquet"
                    write_table(out[k], f)
                    (whole if name == "w" else split)[k].append(str(f))
    a = run_aggregate(agg.params, whole)
    b = run_aggregate(agg.params, split)
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True)
    t = a["protocols"]
    assert set(t["order"]) == {"random", "sweep", "greedy"}
    assert set(t["estimator"]) == {"density", "phi_min", "n_res", "drift", "all"}


def test_stage_off():
    cfg = load_config(overrides={"fields": {"protocols": {"orders": []}}})
    p = build_plan(cfg)
    assert not p.jobs.get("protocols") and "figS10" not in p.figures
    assert "figS10_protocols" not in p.jobs["claims"][""].inputs
