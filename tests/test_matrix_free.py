"""The matrix-free SFS path against the dense one, bit for bit.

The couplings J_ij are a pure function of (seed, pair index) in the counter-based stream, so the
matrix-free path regenerates a row of J when a spin flips and all pairs for a field pass instead
of holding the L x L matrix. Both paths do the same arithmetic on the same values in the same
order: every comparison here is exact equality (final states, fields, flip counts, energies,
histograms, summaries), never a tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass import couplings as c
from kasglass import rng
from kasglass.config import ConfigError, load_config
from kasglass.model import Model
from kasglass.sampling import Demand, initial_state, run_shard
from kasglass.sfs import fields_w, relax_matrix_free, relax_w
from kasglass.stages import build_plan

ORDERS = {"random": 0, "sweep": 1, "greedy": 2}
MODELS = [(d, p) for d in ("periodic", "open") for p in ("unordered", "ordered")]


@pytest.mark.parametrize("block", [1, 3, 256])
def test_normals_block_equals_normal_at(block):
    """The branch-free block generator returns the stream's values, misses included."""
    key = np.uint64(987654321)
    out = np.empty(5000)
    rng.normals_block(key, 17, out, np.empty(block, np.int64))
    ref = np.array([rng.normal_reference(int(key), 17 + q) for q in range(0, 5000, 1)])
    assert np.array_equal(out, ref)


@pytest.mark.parametrize("L", [2, 3, 17, 32, 33, 300, 530])
@pytest.mark.parametrize("block", [1, 256])
def test_rows_equal_matrix(L, block):
    key = 1000 + L
    Jm = c.raw_coupling_matrix(key, L)
    assert np.array_equal(Jm[np.triu_indices(L, 1)], c.draw_J(key, L))
    assert np.array_equal(Jm, Jm.T) and not Jm.diagonal().any()
    buf, miss = np.empty(L), np.empty(block, np.int64)
    for k in range(L):
        c.fill_J_row(np.uint64(key), L, k, buf, miss)
        assert np.array_equal(buf, Jm[k]), k


@pytest.mark.parametrize("L", [2, 5, 64, 700])
def test_pair_fields_equal_fields_w(L):
    """One pair pass gives every alpha's fields equal to the dense row-by-row sum."""
    key = 77 + L
    Jm = c.raw_coupling_matrix(key, L)
    alphas = [0.55, 0.7, 1.0]
    wfs = np.stack([c.offset_weights(L, a, d, p) for a in alphas for d, p in MODELS])
    Zs = np.stack([initial_state(3 * L + k, L) for k in range(len(wfs))])
    phis = np.empty_like(Zs)
    c.pair_fields(np.uint64(key), L, wfs, Zs, phis, np.empty(L), np.empty(256, np.int64))
    for a in range(len(wfs)):
        assert np.array_equal(phis[a], fields_w(Jm, wfs[a], Zs[a])), a


@pytest.mark.parametrize("L", [1, 2, 5, 31, 32, 33, 64, 700])
def test_fill_fields_and_matrix_fields_equal_fields_w(L):
    """The dense path's fused pass (fill the matrix tile by tile, fields of every alpha from the
    completed rows) and its one-read field pass give raw_coupling_matrix and fields_w exactly."""
    key = 91 + L
    Jm = c.raw_coupling_matrix(key, L)
    wfs = np.stack([c.offset_weights(L, a, d, p) for a in (0.55, 0.8) for d, p in MODELS])
    Zs = np.stack([initial_state(5 * L + k, L) for k in range(len(wfs))])
    ref = np.stack([fields_w(Jm, wfs[a], Zs[a]) for a in range(len(wfs))])
    Jf, phis = np.full((L, L), np.nan), np.full_like(Zs, np.nan)
    c.fill_fields(np.uint64(key), L, Jf, wfs, Zs, phis)
    assert np.array_equal(Jf, Jm) and np.array_equal(phis, ref)
    phis[:] = np.nan
    c.matrix_fields(Jm, wfs, Zs, phis)
    assert np.array_equal(phis, ref)


@pytest.mark.parametrize("L", [10, 200, 2000])
@pytest.mark.parametrize("order", list(ORDERS))
@pytest.mark.parametrize("distance,pair_sum", MODELS)
def test_relax_matrix_free_equals_dense(L, order, distance, pair_sum):
    key = 4242 + L
    Jm = c.raw_coupling_matrix(key, L)
    wf = c.offset_weights(L, 0.6, distance, pair_sum)
    Z0 = initial_state(L + ORDERS[order], L)
    Za, Zb = Z0.copy(), Z0.copy()
    pa, na = relax_w(Jm, wf, Za, ORDERS[order], 11, np.empty(0, np.int64))
    pb, nb = relax_matrix_free(np.uint64(key), wf, Zb, ORDERS[order], 11)
    assert na == nb > 0
    assert np.array_equal(Za, Zb) and np.array_equal(pa, pb)
    assert np.all(Zb * pb < 0)  # single-spin-flip stable
    assert 0.5 * Za @ pa == 0.5 * Zb @ pb  # the same energy, exactly


@pytest.mark.parametrize("order", list(ORDERS))
@pytest.mark.parametrize("distance,pair_sum", MODELS)
def test_run_shard_tables_equal(order, distance, pair_sum):
    """Histograms, summaries and stored states: several alphas with different demands (some
    realizations simulated for one alpha only), both paths."""
    plan = [
        Demand(Model(0.6, distance, pair_sum), 30, 12),
        Demand(Model(0.8, distance, pair_sum), 20, 25),
        Demand(Model(0.55, distance, pair_sum), 7, 0),
    ]
    for L in (61, 256):
        a = run_shard(5, L, 3, 31, plan, order=order)
        b = run_shard(5, L, 3, 31, plan, order=order, matrix_free=True)
        for k in ("hist", "summary", "states"):
            pd.testing.assert_frame_equal(a[k], b[k], check_exact=True)


def test_run_shard_tables_equal_L2000():
    plan = [Demand(Model(0.55), 2, 1), Demand(Model(0.7), 3, 0)]
    a = run_shard(9, 2000, 0, 3, plan)
    b = run_shard(9, 2000, 0, 3, plan, matrix_free=True)
    for k in ("hist", "summary", "states"):
        pd.testing.assert_frame_equal(a[k], b[k], check_exact=True)


def _sfs_jobs(cfg):
    return list(build_plan(cfg).jobs["sfs"].values())


def test_plan_chooses_path_and_memory():
    """Jobs at L >= sfs.matrix_free_from_L take the matrix-free path and request no matrix."""
    over = {"fields": {"L": [32, 48, 64, 80], "n_realizations": [300, 200, 120, 40]}}
    over["fields"]["inset"] = {"alphas": [0.6, 0.8], "n_realizations": [150, 100, 60, 20]}
    dense = _sfs_jobs(load_config("presets/tiny.yaml", overrides=over))
    mf = _sfs_jobs(
        load_config("presets/tiny.yaml", overrides={**over, "sfs": {"matrix_free_from_L": 65}})
    )
    assert not any(j.params["matrix_free"] for j in dense)
    assert {j.params["L"] for j in mf if j.params["matrix_free"]} == {80}
    assert all(j.params["matrix_free"] == (j.params["L"] >= 65) for j in mf)
    # the job functions give the same tables on both paths
    from kasglass.io import write_table
    from kasglass.seeds import seed_table
    from kasglass.stages.sfs import run_sfs

    for jd, jm in zip(
        [j for j in dense if j.params["L"] == 80],
        [j for j in mf if j.params["L"] == 80],
        strict=True,
    ):
        assert {k: v for k, v in jd.params.items() if k != "matrix_free"} == {
            k: v for k, v in jm.params.items() if k != "matrix_free"
        }
        p = jd.params
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            f = f"{tmp}/seeds.parquet"
            write_table(seed_table(p["seed"], p["L"], p["lo"], p["hi"]), f)
            a = run_sfs(jd.params, {"seeds": [f]})
            b = run_sfs(jm.params, {"seeds": [f]})
        for k in a:
            pd.testing.assert_frame_equal(a[k], b[k], check_exact=True)


def test_memory_request_follows_path():
    """The extended preset's SFS jobs: dense up to 10^4 (the matrix in the request), matrix-free
    at 3 x 10^4 and 10^5 with requests far below the 7 GB and 80 GB a matrix would need."""
    from kasglass.stages import costs

    assert costs.sfs_mem_mb(100_000, 10, matrix_free=True, n_alpha=4) < 500
    assert costs.sfs_mem_mb(100_000, 10) > 100_000  # the dense matrix would need 80 GB
    jobs = _sfs_jobs(load_config("presets/extended.yaml"))
    by_L = {}
    for j in jobs:
        by_L.setdefault(j.params["L"], []).append(j)
    assert not any(j.params["matrix_free"] for j in by_L[10000])
    assert min(j.mem_mb for j in by_L[10000]) > 1200  # 8 L^2 = 800 MB, x 1.5
    for L in (30000, 100000):
        assert all(j.params["matrix_free"] for j in by_L[L])
        assert max(j.mem_mb for j in by_L[L]) < 1000


@pytest.mark.parametrize(
    "key,over",
    [
        ("avalanche.L", {"avalanche": {"L": 70}}),
        ("resonances.L", {"resonances": {"L": [32, 48, 70]}}),
        (
            "dynamics.polarization.L",
            {"dynamics": {"polarization": {"L": [32, 70], "n_realizations": [4, 4]}}},
        ),
        ("twoflip.fields.L", {"twoflip": {"fields": {"L": [32, 70], "n_realizations": [5, 5]}}}),
    ],
)
def test_consumers_of_stored_states_need_dense_L(key, over):
    """A stage that starts from stored states at L >= sfs.matrix_free_from_L is refused before
    any job runs, naming the key."""
    with pytest.raises(ConfigError, match=f"config key '{key}'.*matrix_free_from_L"):
        load_config("presets/tiny.yaml", overrides={**over, "sfs": {"matrix_free_from_L": 65}})
    load_config("presets/tiny.yaml", overrides=over)  # fine with the default threshold


def test_retry_rounds_equal_dense():
    """Started from deliberately wrong fields, the relaxation stops with spins that the exact
    recomputation finds unstable: the retry rounds of both paths must agree (the batched rounds
    of several alphas included)."""
    from kasglass.sampling import _relax_matrix_free_from
    from kasglass.sfs import relax_from

    L, key = 300, 31337
    Jm = c.raw_coupling_matrix(key, L)
    alphas = (0.55, 0.7, 0.9)
    wa = np.stack([c.offset_weights(L, a) for a in alphas])
    retried = 0
    for order in ORDERS.values():
        Z0 = initial_state(99 + order, L)
        phis, Zs, dense = np.empty((3, L)), np.empty((3, L)), []
        for a in range(3):
            phi = fields_w(Jm, wa[a], Z0)
            # hide every third unstable spin: its field is made to look stable
            bad = np.flatnonzero(Z0 * phi > 0)[::3]
            phi[bad] = -Z0[bad] * 0.01
            phis[a], Zs[a] = phi, Z0
            Zd = Z0.copy()
            pd_, nd = relax_from(Jm, wa[a], Zd, phi.copy(), order, 7 + a, np.empty(0, np.int64))
            dense.append((Zd, pd_, nd))
            retried += len(bad) > 0
        n_flips = np.zeros(3, np.int64)
        seeds = np.array([7, 8, 9], np.int64)
        _relax_matrix_free_from(
            np.uint64(key),
            wa,
            order,
            seeds,
            Zs,
            phis,
            n_flips,
            np.empty(L + 5),
            np.empty(7, np.int64),
        )
        for a, (Zd, pd_, nd) in enumerate(dense):
            assert n_flips[a] == nd and np.array_equal(Zs[a], Zd) and np.array_equal(phis[a], pd_)
            assert np.all(Zd * pd_ < 0)
    assert retried == 9


def test_normals_block_many_tail_draws():
    """10^6 draws (about 300 through the slow path, tail layer included) equal normal_at."""
    from numba import njit

    @njit
    def ref(key, n):
        out = np.empty(n)
        for p in range(n):
            out[p] = rng.normal_at(key, p)
        return out

    key = np.uint64(2024)
    out = np.empty(1_000_000)
    rng.normals_block(key, 0, out, np.empty(256, np.int64))
    assert np.array_equal(out, ref(key, len(out)))
    assert np.abs(out).max() > 4.5  # the tail beyond the ziggurat's R = 3.65 was drawn


def test_analysis_at_matrix_free_sizes_needs_no_matrix():
    """The field analysis at L = 10^6 (sigma_L of Fig. S1 and the moments) is O(L): an L x L
    distance matrix would need 8 TB."""
    s = c.sigma_L(1_000_000, 0.6)
    assert c.sigma_L(4000, 0.6) < s < c.sigma_inf(0.6)
    for d in ("periodic", "open"):
        for L in (5, 64, 1001):
            w = c.distance_weights(L, 0.7, d)
            row = c.distance_matrix(L, d)[L // 2]
            assert c.sigma_L(L, 0.7, d) == float(np.sqrt(np.sum(w[row] ** 2)))
