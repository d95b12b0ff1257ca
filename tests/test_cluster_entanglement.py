"""Entanglement of the resonant cluster (claim 14) and the 2FS reading of Fig. S2 (claim 15):
the diagonal-ensemble entropies against explicit partial traces, exact limits, the aggregation,
and both claims on synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass import cluster
from kasglass.claims import evaluate
from kasglass.couplings import draw_J_pairs
from kasglass.model import Model
from kasglass.quantum import eigh
from kasglass.quantum.entanglement import reduced_density_matrices, von_neumann
from kasglass.sampling import Demand
from kasglass.sampling import run_shard as sfs_shard
from kasglass.sfs import unpack_spins

L, SEED = 60, 4
MODEL = Model(0.7)


def _states(n):
    st = sfs_shard(SEED, L, 0, n, [Demand(MODEL, 0, n)])["states"]
    st = st[st["ensemble"] == "sfs"].sort_values("realization")
    return st["realization"].to_numpy(), np.stack([unpack_spins(b, L) for b in st["state"]])


def _entropy(V, l, sites):
    rho = reduced_density_matrices(V, l, sites)
    return von_neumann(np.linalg.eigvalsh(rho))


@pytest.mark.parametrize("which", cluster.CLUSTERS)
def test_cluster_entanglement_equals_explicit_partial_traces(which):
    reals, Z = _states(2)
    K = MODEL.coupling_matrix(draw_J_pairs(SEED, L, int(reals[0])), L)
    z = Z[0]
    phi = K @ z
    l, n = 6, 4
    got = cluster.cluster_entanglement(K, z, phi, 0.3, l, n, which, L)
    sites = cluster.select_cluster(phi, l, which)
    order = np.argsort(np.abs(phi), kind="stable")
    want_sites = order[:l] if which == "resonant" else np.argsort(-np.abs(phi), kind="stable")[:l]
    np.testing.assert_array_equal(got["sites"], want_sites)
    H, s0, _ = cluster.resonant_hamiltonian(K, z, sites, 0.3)
    E, V = eigh(H)
    w = V[s0] ** 2
    assert got["weight"] == pytest.approx(1.0, abs=1e-9)
    for a in range(n):
        assert got["s_spin"][a] == pytest.approx(w @ _entropy(V, l, [a]), abs=1e-10)
    half = np.argsort(sites)[: l // 2]
    assert got["s_half"] == pytest.approx(w @ _entropy(V, l, list(half)), abs=1e-10)
    for (a, b), d, v in zip(got["pairs"], got["distance"], got["mi"], strict=True):
        I = _entropy(V, l, [a]) + _entropy(V, l, [b]) - _entropy(V, l, [a, b])
        assert v == pytest.approx(w @ I, abs=1e-10)
        dd = abs(int(sites[a]) - int(sites[b]))
        assert d == min(dd, L - dd)


def test_no_transverse_field_no_entanglement():
    reals, Z = _states(2)
    rows = cluster.entanglement_rows(SEED, L, reals, Z, MODEL, 0.0, [5], 4)
    assert np.abs(rows["value"]).max() < 1e-12
    assert set(rows["cluster"]) == set(cluster.CLUSTERS)
    assert (rows["weight"] > 1 - 1e-9).all()


def test_aggregation_is_shard_invariant_and_has_references():
    reals, Z = _states(4)
    rows = cluster.entanglement_rows(SEED, L, reals, Z, MODEL, 0.2, [6], 6)
    parts = [
        cluster.entanglement_rows(SEED, L, reals[a:b], Z[a:b], MODEL, 0.2, [6], 6)
        for a, b in ((0, 1), (1, 4))
    ]
    a = cluster.aggregate_entanglement(rows, 3)
    b = cluster.aggregate_entanglement(pd.concat(parts[::-1], ignore_index=True), 3)
    pd.testing.assert_frame_equal(a, b)
    h = a[(a["quantity"] == "s_half")]
    assert (h["page"] > h["random"]).all() and (h["random"] > 0.8 * h["page"]).all()
    allp = a[(a["quantity"] == "mi") & a["d_lo"].isna()]
    assert (allp["n_pairs"] == 4 * 15).all()  # 15 pairs of 6 spins per state
    bins = a[(a["quantity"] == "mi") & a["d_lo"].notna()]
    assert bins.groupby("cluster")["n_pairs"].sum().eq(60).all()


def _ent_table(b_res, ratio, control=1e-6):
    rows = []
    for L_ in (100, 200, 400, 800):
        d = 0.2 * L_
        for c in cluster.CLUSTERS:
            v = 0.05 * (d / 20.0) ** b_res if c == "resonant" else control
            base = dict(alpha=0.7, h_x=0.1, L=L_, cluster=c, L_R=8, n_realizations=50)
            none = dict(n=None, d_lo=None, d_hi=None, page=np.nan, random=np.nan, n_pairs=0)
            rows.append(
                {**base, **none, "quantity": "mi", "d_mean": d, "value": v, "err": 0.05 * v}
            )
            rows.append(
                {
                    **base,
                    **none,
                    "quantity": "s_half",
                    "n": 4,
                    "d_mean": np.nan,
                    "value": (ratio if c == "resonant" else 0.01) * 2.2,
                    "err": 0.02,
                    "page": 2.3,
                    "random": 2.2,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "b, ratio, verdict",
    [(0.0, 0.95, "reproduced"), (-1.0, 0.95, "not reproduced"), (0.0, 0.3, "not reproduced")],
)
def test_claim_14_readings(b, ratio, verdict):
    d = evaluate({"fig2_entanglement": _ent_table(b, ratio)}, {"alpha": 0.7, "h_x": 0.05})
    c = d[d["claim"] == 14]
    assert c.loc[c["primary"], "verdict"].item() == verdict
    slope = c[c["reading"].str.startswith("no decay")].iloc[0]
    assert slope["value"] == pytest.approx(b, abs=1e-9)
    assert c[c["reading"].str.startswith("exceeds control")]["verdict"].item() == "reproduced"


def _two_spin(n_2fs, x_2fs):
    t, ex = [], []
    for e, n0, x in (("sfs", 5.0, 0.6), ("2fs", n_2fs, x_2fs)):
        for L_ in (200, 400, 800):
            t.append(
                dict(
                    alpha=0.7,
                    ensemble=e,
                    h_x=0.05,
                    L=L_,
                    n_res_mean=n0 * (L_ / 800) ** x,
                    n_res_err=0.1,
                    n_res_max=int(3 * n0) + 1,
                    n_single_mean=1.0,
                    n_realizations=100,
                )
            )
        ex.append(
            dict(
                alpha=0.7,
                ensemble=e,
                h_x=0.05,
                exponent=x,
                exponent_err=0.05,
                amplitude=1.0,
                reference=1.0,
                L_min=200,
                L_max=800,
                n_points=3,
            )
        )
    return {"two_spin_resonances": pd.DataFrame(t), "two_spin_exponents": pd.DataFrame(ex)}


@pytest.mark.parametrize(
    "n_2fs, x_2fs, verdict",
    [(2.0, 0.6, "reproduced"), (5.0, 0.6, "inconclusive"), (8.0, 0.6, "not reproduced")],
)
def test_claim_15_readings(n_2fs, x_2fs, verdict):
    ctx = {"alpha": 0.7, "h_x": 0.05, "h_x_two_spin": 0.05}
    d = evaluate(_two_spin(n_2fs, x_2fs), ctx)
    c = d[d["claim"] == 15]
    assert c.loc[c["primary"], "verdict"].item() == verdict
    c9 = d[d["claim"] == 9]
    assert not c9["reading"].str.startswith("2fs").any()  # claim 9 reads random and sfs only


def test_extrapolation_in_L_R_per_state():
    """With two cluster sizes, the L_R -> infinity rows are the per-state linear extrapolation
    a + b/L_R through both sizes, averaged over states."""
    reals, Z = _states(3)
    rows = cluster.entanglement_rows(SEED, L, reals, Z, MODEL, 0.3, [5, 6], 4)
    a = cluster.aggregate_entanglement(rows, 3)
    ext = a[a["L_R"].isna()]
    assert set(ext["quantity"]) == {"s_spin", "mi"} and (ext["extrapolation"] == "linear").all()
    r = rows[(rows["cluster"] == "resonant") & (rows["quantity"] == "s_spin") & (rows["n"] == 1)]
    tab = r.pivot(index="realization", columns="L_R", values="value")
    want = ((6 * tab[6] - 5 * tab[5]) / (6 - 5)).mean()
    got = ext[(ext["cluster"] == "resonant") & (ext["quantity"] == "s_spin") & (ext["n"] == 1)]
    assert got["value"].item() == pytest.approx(want, rel=1e-10)
    assert a.loc[a["L_R"].notna(), "extrapolation"].isna().all()


def test_no_states_measured_gives_an_empty_table_and_an_inconclusive_claim():
    rows = cluster.entanglement_rows(
        SEED, L, np.zeros(0, int), np.zeros((0, L)), MODEL, 0.1, [6], 6
    )
    t = cluster.aggregate_entanglement(rows, 3)
    assert t.empty and {"L", "cluster", "L_R", "quantity", "value"} <= set(t.columns)
    from kasglass.stages.polarization import TABLES

    TABLES["fig2_entanglement"].conform(t)  # writable with its schema
    d = evaluate({"fig2_entanglement": t}, {"alpha": 0.7, "h_x": 0.05})
    assert d.loc[(d["claim"] == 14) & d["primary"], "verdict"].item() == "inconclusive"
