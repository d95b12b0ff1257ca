"""Avalanche kernel against a slow from-scratch reference, limits, invariants and aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass import avalanche as av
from kasglass import couplings as c
from kasglass.model import Model
from kasglass.sfs import relax


def _system(L, alpha, seed, sfs=False, distance="periodic"):
    J = c.draw_J_pairs(seed, L, 0)
    K = c.coupling_matrix(J, L, alpha, distance)
    Z = np.random.default_rng(seed).integers(0, 2, L).astype(float) * 2 - 1
    if sfs:
        relax(K, Z, 0, seed + 1, np.empty(0, np.int64))
    return K, Z


@pytest.mark.parametrize("sfs", [False, True])
@pytest.mark.parametrize("h_x", [0.05, 0.3, 1.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kernel_equals_from_scratch_reference(sfs, h_x, seed):
    K, Z = _system(40, 0.7, seed, sfs)
    rec = np.arange(0, 301, dtype=np.int64)  # every step
    s = av.avalanche_seed(7, 40, seed, 0.7, h_x, "sfs" if sfs else "random")
    fast = av.run_avalanche(K, Z, h_x, rec, s)
    slow = av.avalanche_reference(K, Z, h_x, rec, s)
    for k in ("n_ever", "n_now", "n_now_peak"):
        np.testing.assert_array_equal(fast[k], slow[k], err_msg=k)
    assert fast["n_flips"] == slow["n_flips"]
    assert fast["stop_step"] == slow["stop_step"]
    np.testing.assert_array_equal(fast["Z"], slow["Z"])
    np.testing.assert_allclose(fast["phi"], K @ fast["Z"], atol=1e-10)


@pytest.mark.parametrize("sfs", [False, True])
@pytest.mark.parametrize("window", [0.05, 0.3, np.inf])
def test_recorded_energy_equals_the_recomputed_energy_and_the_window_holds(sfs, window):
    """E(t) - E(0) from the kernel's accumulated flips equals Z K Z / 2 recomputed from the spins
    at every step; the conserving protocol never leaves its window; kernel == reference."""
    K, Z = _system(50, 0.7, 8, sfs)
    rec = np.arange(0, 401, dtype=np.int64)
    fast = av.run_avalanche(K, Z, 0.3, rec, 21, window=window)
    slow = av.avalanche_reference(K, Z, 0.3, rec, 21, window=window)
    for k in ("n_ever", "n_now", "n_now_peak"):
        np.testing.assert_array_equal(fast[k], slow[k], err_msg=k)
    assert fast["stop_step"] == slow["stop_step"] and fast["n_flips"] == slow["n_flips"]
    np.testing.assert_allclose(fast["de"], slow["de"], rtol=0, atol=1e-9)
    e0 = 0.5 * Z @ K @ Z
    assert abs(0.5 * fast["Z"] @ K @ fast["Z"] - e0 - fast["de"][-1]) < 1e-9
    assert np.all(np.abs(fast["de"]) <= window + 1e-12)


def test_infinite_window_is_the_literal_protocol_bit_for_bit():
    K, Z = _system(60, 0.6, 12, True)
    rec = av.record_steps(2000, 5)
    lit = av.run_avalanche(K, Z, 0.2, rec, 5)
    inf = av.run_avalanche(K, Z, 0.2, rec, 5, window=np.inf)
    for k in ("n_ever", "n_now", "n_now_peak", "de", "Z", "phi"):
        np.testing.assert_array_equal(lit[k], inf[k], err_msg=k)
    assert lit["stop_step"] == inf["stop_step"] and lit["n_flips"] == inf["n_flips"]


def test_conserving_run_stops_when_no_flip_fits_the_window():
    K, Z = _system(60, 0.6, 12, True)
    out = av.run_avalanche(K, Z, 0.5, av.record_steps(5000), 5, window=1e-6)
    assert out["stop_step"] >= 0 and out["n_flips"] <= out["stop_step"]
    assert np.all(np.abs(out["de"]) <= 1e-6 + 1e-12)


def test_log_record_steps_match_reference_subsample():
    K, Z = _system(60, 0.6, 5)
    rec = av.record_steps(500, 7)
    fast = av.run_avalanche(K, Z, 0.4, rec, 11)
    full = av.avalanche_reference(K, Z, 0.4, np.arange(501), 11)
    for k in ("n_ever", "n_now", "n_now_peak"):
        np.testing.assert_array_equal(fast[k], full[k][rec])


@pytest.mark.parametrize("window", [np.inf, 0.1])
def test_h0_nothing_resonant_stops_at_step_0(window):
    K, Z = _system(50, 0.7, 4)
    out = av.run_avalanche(K, Z, 0.0, av.record_steps(1000), 3, window=window)
    assert out["stop_step"] == 0 and out["n_flips"] == 0
    assert not out["n_ever"].any() and not out["n_now"].any() and not out["de"].any()
    np.testing.assert_array_equal(out["Z"], Z)


def test_ever_nondecreasing_and_now_equals_recount():
    K, Z = _system(80, 0.7, 9)
    h = 0.5
    rec = np.arange(0, 401, dtype=np.int64)
    out = av.run_avalanche(K, Z, h, rec, 21)
    assert np.all(np.diff(out["n_ever"]) >= 0)
    assert np.all(out["n_now"] <= out["n_ever"])
    assert np.all(out["n_now_peak"] >= out["n_now"])
    assert np.all(np.diff(out["n_now_peak"]) >= 0)
    # replay the flips with from-scratch fields: the instantaneous count is a true recount
    ref = av.avalanche_reference(K, Z, h, rec, 21)
    np.testing.assert_array_equal(out["n_now"], ref["n_now"])
    assert out["n_now"][-1] == int(np.sum(np.abs(K @ out["Z"]) < h))


def test_stopped_run_is_frozen():
    # two spins, tiny coupling, one resonant spin whose flip leaves nothing else resonant: the
    # resonant spin stays resonant (its own field does not change), so the run never stops
    K = np.array([[0.0, 0.01], [0.01, 0.0]])
    out = av.run_avalanche(K, np.array([1.0, 1.0]), 0.05, np.arange(6), 1)
    assert out["stop_step"] == -1 and out["n_flips"] == 5
    assert list(out["n_now"]) == [2] * 6
    # strong coupling: nothing resonant from the start
    K = np.array([[0.0, 1.0], [1.0, 0.0]])
    out = av.run_avalanche(K, np.array([1.0, -1.0]), 0.5, np.arange(6), 1)
    assert out["stop_step"] == 0 and list(out["n_ever"]) == [0] * 6


def test_record_steps():
    r = av.record_steps(10000, 10)
    assert r[0] == 0 and r[-1] == 10000 and np.all(np.diff(r) > 0)
    assert 35 <= len(r) <= 45
    assert list(av.record_steps(1)) == [0, 1]
    with pytest.raises(ValueError):
        av.record_steps(-1)


def test_seeds_distinguish_runs():
    s = {av.avalanche_seed(1, 100, 0, 0.7, 0.05, e) for e in ("sfs", "random")}
    s |= {
        av.avalanche_seed(1, 100, 0, 0.7, 0.1, "sfs"),
        av.avalanche_seed(1, 100, 1, 0.7, 0.05, "sfs"),
    }
    assert len(s) == 4
    with pytest.raises(ValueError, match="ensemble"):
        av.avalanche_seed(1, 100, 0, 0.7, 0.05, "hot")


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


def test_shard_aggregation_independent_of_sharding_and_matches_numpy():
    seed, L, alphas, n = 3, 48, [0.6, 0.8], 6
    st = _states(seed, L, alphas, n)
    kw = dict(
        models=[Model(a) for a in alphas],
        h_xs=[0.1, 0.3],
        n_steps=200,
        record_per_decade=5,
        protocols=("literal", "conserving"),
    )
    whole = av.run_shard(seed, L, st, **kw)
    parts = [
        av.run_shard(seed, L, {k: (v[0][lo:hi], v[1][lo:hi]) for k, v in st.items()}, **kw)
        for lo, hi in ((0, 2), (2, 6))
    ]
    a1 = av.aggregate(whole)
    a2 = av.aggregate(pd.concat(parts[::-1], ignore_index=True))
    pd.testing.assert_frame_equal(a1, a2)
    g = whole[
        (whole["alpha"] == 0.6)
        & (whole["ensemble"] == "random")
        & (whole["h_x"] == 0.3)
        & (whole["protocol"] == "literal")
    ]
    last = g[g["step"] == 200]["n_ever"].to_numpy(float)
    row = a1[
        (a1["alpha"] == 0.6)
        & (a1["ensemble"] == "random")
        & (a1["h_x"] == 0.3)
        & (a1["step"] == 200)
        & (a1["protocol"] == "literal")
    ].iloc[0]
    assert row["n_ever_mean"] == pytest.approx(last.mean())
    assert row["n_ever_err"] == pytest.approx(last.std(ddof=1) / np.sqrt(len(last)))
    assert row["n_ever_max"] == last.max() and row["n_states"] == n
    assert set(a1["ensemble"]) == {"sfs", "random"}
    assert set(a1["protocol"]) == {"literal", "conserving"}
    cons = a1[a1["protocol"] == "conserving"]
    assert (cons["de_max"] <= cons["energy_window"] + 1e-12).all()
    assert (cons["de_min"] >= -cons["energy_window"] - 1e-12).all()
    assert a1.loc[a1["protocol"] == "literal", "energy_window"].isna().all()


def test_run_shard_rejects_unstable_sfs_state():
    seed, L = 3, 32
    st = _states(seed, L, [0.7], 2)
    Zbad = st[(0.7, "random")][1]
    st[(0.7, "sfs")] = (np.arange(2), Zbad)  # a random state is not SFS
    with pytest.raises(ValueError, match="not single-spin-flip stable"):
        av.run_shard(seed, L, st, [Model(0.7)], [0.1], 10)


def test_growth_exponent_of_sqrt():
    t = av.record_steps(10000).astype(float)
    m = 3.0 * np.sqrt(np.maximum(t, 1))
    beta, err, t1, t2 = av.growth_exponent(t, m, 0.01 * m, 10, 10000)
    assert beta == pytest.approx(0.5, abs=1e-9) and t1 == 10 and t2 == 10000
    assert err == pytest.approx(np.sqrt(2) * 0.01 / np.log(1000))
