"""Two-spin resonance pair scan against brute-force enumeration; fields, fits, aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass import couplings as c
from kasglass import resonances as rs
from kasglass.model import Model
from kasglass.sfs import relax
from kasglass.stats import loglog_slope


def _system(L, alpha, seed, sfs=False, distance="periodic", pair_sum="unordered"):
    J = c.draw_J_pairs(seed, L, 0)
    K = c.coupling_matrix_reference(J, L, alpha, distance, pair_sum)
    w = c.distance_weights(L, alpha, distance, pair_sum)
    Z = np.random.default_rng(seed).integers(0, 2, L).astype(float) * 2 - 1
    if sfs:
        relax(np.ascontiguousarray(K), Z, 0, seed, np.empty(0, np.int64))
    return J, K, w, Z


@pytest.mark.parametrize(
    "distance,pair_sum", [("periodic", "unordered"), ("open", "unordered"), ("periodic", "ordered")]
)
def test_fields_from_pairs_equal_matrix_product(distance, pair_sum):
    for L in (5, 6, 33):
        J, K, w, Z = _system(L, 0.7, L, False, distance, pair_sum)
        phi = rs.fields_from_pairs(J, w, Z, distance == "periodic")
        np.testing.assert_allclose(phi, K @ Z, atol=1e-12)


@pytest.mark.parametrize("sfs", [False, True])
@pytest.mark.parametrize("distance", ["periodic", "open"])
@pytest.mark.parametrize("L", [7, 24, 41])
def test_pair_scan_equals_brute_force(sfs, distance, L):
    hs = [0.05, 0.2, 0.5, 1.0]
    for seed in (1, 2):
        J, K, w, Z = _system(L, 0.7, seed, sfs, distance)
        for pref in (1.0, 0.25, 4.0):
            fast, _ = rs.pair_counts(J, w, Z, hs, pref, distance == "periodic")
            brute = [rs.pair_counts_bruteforce(K, Z, h, pref) for h in hs]
            naive = [rs.naive_pair_counts(K, Z, h, pref) for h in hs]
            assert list(fast) == brute == naive


def test_pair_scan_finds_resonances_and_order_of_h_does_not_matter():
    J, K, w, Z = _system(60, 0.6, 3)
    hs = [0.5, 0.1, 1.0]
    fast, _ = rs.pair_counts(J, w, Z, hs, 4.0)
    assert fast.sum() > 0  # the test exercises resonant pairs
    single = [rs.pair_counts(J, w, Z, [h], 4.0)[0][0] for h in hs]
    assert list(fast) == single


def test_genuine_pairs_exclude_single_spin_resonant_spins():
    # three spins: spin 0 is single-spin resonant, pair (1, 2) is a two-spin resonance
    # Z = (+, +, -): phi_1 = K01 - K12, phi_2 = K02 + K12
    K = np.zeros((3, 3))
    K[0, 1] = K[1, 0] = 0.01
    K[0, 2] = K[2, 0] = -0.005
    K[1, 2] = K[2, 1] = 0.6
    Z = np.array([1.0, 1.0, -1.0])
    phi = K @ Z
    h = 0.5
    f = Z * phi
    g = K[1, 2] * Z[1] * Z[2]
    A = h**2 * (1 / f[1] + 1 / f[2]) / (-f[1] - f[2] + 2 * g)
    assert abs(phi[0]) < h <= min(abs(phi[1]), abs(phi[2]))
    expected = int(abs(A) > 1)
    assert expected == 1  # |A| = 56: a genuine two-spin resonance
    assert rs.pair_counts_bruteforce(K, Z, h) == expected
    # the same through the flat pair vector with unit weights (distance 1 for every pair at L = 3)
    J = np.array([K[0, 1], K[0, 2], K[1, 2]])
    w = np.array([0.0, 1.0, 1.0])
    assert rs.pair_counts(J, w, Z, [h])[0][0] == expected


def test_h0_and_vanishing_prefactor_give_no_pairs():
    J, K, w, Z = _system(30, 0.7, 4)
    assert rs.pair_counts(J, w, Z, [0.0])[0][0] == 0
    assert rs.pair_counts(J, w, Z, [0.3], prefactor=1e-12)[0][0] == 0


def test_loglog_slope_recovers_power_law():
    L = np.array([100, 200, 400, 800, 1600])
    m = 0.3 * L**1.3
    x, xe, a, n = loglog_slope(L, m, 0.02 * m)
    assert x == pytest.approx(1.3) and np.exp(a) == pytest.approx(0.3) and n == 5
    assert xe < 0.05
    x, xe, a, n = loglog_slope(L, np.r_[0.0, m[1:]], np.r_[0.0, 0.02 * m[1:]])
    assert n == 4 and x == pytest.approx(1.3)
    assert np.isnan(loglog_slope([100], [1.0], [0.1])[0])


def _states(seed, L, alphas, n):
    out = {}
    Zr = np.stack([np.random.default_rng(100 + r).integers(0, 2, L) * 2.0 - 1 for r in range(n)])
    for a in alphas:
        Zs = Zr.copy()
        for r in range(n):
            K = c.coupling_matrix(c.draw_J_pairs(seed, L, r), L, a)
            relax(K, Zs[r], 0, r, np.empty(0, np.int64))
        out[(a, "random")] = (np.arange(n), Zr)
        out[(a, "sfs")] = (np.arange(n), Zs)
    return out


def test_shard_counts_match_bruteforce_and_aggregation_is_shard_independent():
    seed, L, alphas, n = 5, 40, [0.6, 0.9], 5
    st = _states(seed, L, alphas, n)
    hs = [0.3, 0.1]
    whole = rs.shard_counts(seed, L, st, [Model(a) for a in alphas], hs, 2.0)
    row = whole[
        (whole["alpha"] == 0.9)
        & (whole["ensemble"] == "sfs")
        & (whole["h_x"] == 0.3)
        & (whole["realization"] == 2)
    ].iloc[0]
    K = c.coupling_matrix(c.draw_J_pairs(seed, L, 2), L, 0.9)
    Z = st[(0.9, "sfs")][1][2]
    assert row["n_res"] == rs.pair_counts_bruteforce(K, Z, 0.3, 2.0)
    assert row["n_single"] == int(np.sum(np.abs(K @ Z) < 0.3))
    parts = [
        rs.shard_counts(
            seed,
            L,
            {k: (v[0][lo:hi], v[1][lo:hi]) for k, v in st.items()},
            [Model(a) for a in alphas],
            hs,
            2.0,
        )
        for lo, hi in ((0, 3), (3, 5))
    ]
    a1 = rs.aggregate(whole)
    a2 = rs.aggregate(pd.concat(parts[::-1], ignore_index=True))
    pd.testing.assert_frame_equal(a1, a2)
    assert (a1["n_realizations"] == n).all()
    ex = rs.exponents(pd.concat([a1, a1.assign(L=80, n_res_mean=4 * a1["n_res_mean"])]))
    assert set(ex["ensemble"]) == {"sfs", "random"}
    ok = ex[ex["n_points"] == 2]
    np.testing.assert_allclose(ok["exponent"], 2.0)
