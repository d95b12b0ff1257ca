"""The 2FS stage: shard kernel against brute force and across shardings, and end to end on the
tiny preset (Fig. S6, the third ensemble of Fig. S2, claim 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_SHARDS, make_workdir, plan_for, run_workflow

from kasglass.couplings import draw_J_pairs
from kasglass.model import Model
from kasglass.sampling import Demand, hist_edges
from kasglass.sampling import run_shard as sfs_shard
from kasglass.sfs import unpack_spins
from kasglass.twoflip import is_two_flip_stable
from kasglass.twoflip_states import fields_table, run_shard, summary_table

L = 40
SEED = 9


def _sfs_states(model, n):
    st = sfs_shard(SEED, L, 0, n, [Demand(model, 0, n)])["states"]
    st = st[st["ensemble"] == "sfs"].sort_values("realization")
    return st["realization"].to_numpy(), np.stack([unpack_spins(b, L) for b in st["state"]])


def test_shard_states_are_2fs_lower_in_energy_and_shard_invariant():
    m = Model(0.7)
    reals, Z = _sfs_states(m, 24)
    out = run_shard(SEED, L, {0.7: (reals, Z)}, [m], h_x_res=(0.05, 0.1))
    s = out["summary"]
    assert len(out["states"]) == 24 and set(s["ensemble"]) == {"sfs", "2fs"}
    for r, b in zip(out["states"]["realization"], out["states"]["state"], strict=True):
        K = m.coupling_matrix(draw_J_pairs(SEED, L, int(r)), L)
        Z2 = unpack_spins(b, L)
        assert is_two_flip_stable(K, Z2)
        e2 = 0.5 * Z2 @ K @ Z2 / L
        row = s[(s["realization"] == r) & (s["ensemble"] == "2fs")].iloc[0]
        assert row["energy_per_spin"] == pytest.approx(e2, abs=1e-12)
    e = s.pivot(index="realization", columns="ensemble", values="energy_per_spin")
    assert (e["2fs"] <= e["sfs"] + 1e-12).all() and (e["2fs"] < e["sfs"]).any()
    moved = s[s["ensemble"] == "2fs"].set_index("realization")
    assert ((moved["n_pair"] > 0) == (e["2fs"] < e["sfs"] - 1e-12)).all()
    assert (s["n_unstable"] == 0).all()
    # every spin of every state is in the histogram, once per ensemble
    h = out["hist"]
    assert (h.groupby("ensemble")["count"].sum() == 24 * L).all()
    # two shards give the same rows as one
    a = run_shard(SEED, L, {0.7: (reals[:10], Z[:10])}, [m], h_x_res=(0.05, 0.1))
    b = run_shard(SEED, L, {0.7: (reals[10:], Z[10:])}, [m], h_x_res=(0.05, 0.1))
    both = pd.concat([a["summary"], b["summary"]], ignore_index=True)
    pd.testing.assert_frame_equal(both, s)
    edges = hist_edges(1e-4, 100.0, 10)
    hh = pd.concat([a["hist"], b["hist"]], ignore_index=True)
    f1, f2 = fields_table(h, s, edges), fields_table(hh, both, edges)
    pd.testing.assert_frame_equal(f1, f2)
    t = summary_table(s, f1, 0.03, 1.0)
    g = t.set_index("ensemble")
    assert g.loc["sfs", "energy_gain_mean"] == 0.0
    assert g.loc["2fs", "energy_gain_mean"] == pytest.approx((e["2fs"] - e["sfs"]).mean())
    assert g.loc["2fs", "frac_moved"] == pytest.approx((moved["n_pair"] > 0).mean())


def test_stored_state_from_another_seed_is_refused():
    m = Model(0.7)
    reals, Z = _sfs_states(m, 4)
    with pytest.raises(ValueError, match="not single-spin-flip stable"):
        run_shard(SEED + 1, L, {0.7: (reals, Z)}, [m])


@pytest.mark.slow
def test_tiny_preset_builds_figS6_and_the_third_ensemble_of_figS2(tiny_run, tmp_path):
    wd = tiny_run  # the tiny preset run end to end once per session (read only here)
    targets = [
        "results/tiny/data/figS6_fields.parquet",
        "results/tiny/data/figS6_summary.parquet",
        "results/tiny/data/two_spin_resonances.parquet",
    ]
    res = wd / "results" / "tiny"
    assert (res / "figures" / "figS6.png").stat().st_size > 5000
    summ = pd.read_parquet(res / "data" / "figS6_summary.parquet")
    assert set(summ["ensemble"]) == {"sfs", "2fs"} and {"pair_order", "sfs_order"} <= set(summ)
    two = summ[summ["ensemble"] == "2fs"]
    assert (two["energy_gain_mean"] < 0).all() and (two["frac_moved"] > 0).all()
    rs = pd.read_parquet(res / "data" / "two_spin_resonances.parquet")
    assert set(rs["ensemble"]) == {"random", "sfs", "2fs"}
    n = rs.groupby("ensemble")["n_realizations"].sum()
    assert n["2fs"] == n["sfs"]
    # other shardings give the same tables
    alt = make_workdir(tmp_path / "alt", SMALL_SHARDS)
    run_workflow(alt, targets, cores=1)
    for t in targets:
        a, b = pd.read_parquet(wd / t), pd.read_parquet(alt / t)
        cols = [c for c in a.columns if c != "git_revision"]
        pd.testing.assert_frame_equal(a[cols], b[cols])
    assert len(plan_for(alt).labels("twoflip")) > len(plan_for(wd).labels("twoflip"))
