"""ED spectra and observables: gap-ratio limits, m_EA against a slow reference, shift-invert
against full diagonalization, eps symmetry, shard invariance of the partial sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass.ed.basis import pair_products, sector_to_full, z_eigenvalues
from kasglass.ed.hamiltonian import full_hamiltonian, sector_hamiltonian
from kasglass.ed.observables import m_ea, m_ea_reference
from kasglass.ed.spectra import (
    R_GOE,
    R_POISSON,
    diagonalize_sectors,
    gap_ratios,
    nearest_window,
    shift_invert,
    sparse_sectors,
    spectral_edges_sparse,
)
from kasglass.ed.sweep import SUM_COLUMNS, aggregate, analyze_realization, ed_couplings, run_shard
from kasglass.model import Model


def test_gap_ratio_poisson_and_goe_limits():
    rng = np.random.default_rng(1)
    r_p = np.concatenate([gap_ratios(np.sort(rng.uniform(size=2000))) for _ in range(20)])
    assert abs(r_p.mean() - R_POISSON) < 0.006  # std(r) ~ 0.29, n = 40000 -> se 0.0015
    rs = []
    for _ in range(60):
        A = rng.standard_normal((200, 200))
        E = np.linalg.eigvalsh((A + A.T) / 2)
        rs.append(gap_ratios(E)[50:150])  # bulk of the semicircle
    r_g = np.concatenate(rs)
    # neighbouring ratios are correlated: the seed-to-seed spread of the mean is ~0.0065
    assert abs(r_g.mean() - R_GOE) < 0.02


def test_gap_ratio_known_values():
    np.testing.assert_allclose(gap_ratios(np.array([0.0, 1.0, 3.0, 3.5])), [0.5, 0.25])
    assert np.isnan(gap_ratios(np.array([1.0, 1.0, 1.0]))[0])
    with pytest.raises(ValueError, match="sorted"):
        gap_ratios(np.array([0.0, 2.0, 1.0]))


@pytest.mark.parametrize("L", [4, 6, 8])
def test_m_ea_sector_matches_full_basis_reference(L):
    K, _ = ed_couplings(3, L, 0, Model(0.7))
    Z = z_eigenvalues(L)
    Zp = pair_products(Z[: 2 ** (L - 1)])
    for p in (1, -1):
        E, V = np.linalg.eigh(sector_hamiltonian(K, 0.4, p))
        m, mo = m_ea(V, Zp, L)
        Vf = sector_to_full(V, L, p)
        np.testing.assert_allclose(Vf.T @ full_hamiltonian(K, 0.4) @ Vf, np.diag(E), atol=1e-10)
        ref = np.array([m_ea_reference(Vf[:, n], Z) for n in range(0, V.shape[1], 7)])
        np.testing.assert_allclose(m[::7], ref, atol=1e-12)
        np.testing.assert_allclose(mo, (L**2 * m - L) / (L * (L - 1)), atol=1e-12)
    # full basis: m_EA through the full-basis pair table equals the reference too
    Ef, Vf = np.linalg.eigh(full_hamiltonian(K, 0.4))
    mf, _ = m_ea(Vf[:, :5], pair_products(Z), L)
    np.testing.assert_allclose(mf, [m_ea_reference(Vf[:, n], Z) for n in range(5)], atol=1e-12)


def test_classical_limit_m_ea_is_one():
    K, _ = ed_couplings(5, 8, 1, Model(0.7))
    for _, _E, V in diagonalize_sectors(K, 1e-4):
        m, mo = m_ea(V, pair_products(z_eigenvalues(8)[:128]), 8)
        assert m.min() > 0.999 and mo.min() > 0.999


def test_nearest_window_is_the_k_nearest():
    rng = np.random.default_rng(0)
    E = np.sort(rng.standard_normal(200))
    for t in (-5.0, -0.3, 0.0, 0.7, 5.0):
        idx = nearest_window(E, t, 17)
        brute = np.sort(np.argsort(np.abs(E - t), kind="stable")[:17])
        np.testing.assert_array_equal(idx, brute)


@pytest.mark.parametrize("L", [10, 12])
def test_shift_invert_equals_full_diagonalization(L):
    K, _ = ed_couplings(7, L, 2, Model(0.7))
    h_x = 0.35
    full = diagonalize_sectors(K, h_x)
    E_min = min(E[0] for _, E, _ in full)
    E_max = max(E[-1] for _, E, _ in full)
    edges = [spectral_edges_sparse(H) for _, H in sparse_sectors(K, h_x)]
    assert min(e[0] for e in edges) == pytest.approx(E_min, abs=1e-9)
    assert max(e[1] for e in edges) == pytest.approx(E_max, abs=1e-9)
    Zp = pair_products(z_eigenvalues(L)[: 2 ** (L - 1)])
    for (_p, E, V), (_, H) in zip(full, sparse_sectors(K, h_x), strict=True):
        for eps in (0.15, 0.5):
            sigma = E_min + eps * (E_max - E_min)
            Es, Vs = shift_invert(H, sigma, 20)
            idx = nearest_window(E, sigma, 20)
            np.testing.assert_allclose(Es, E[idx], atol=1e-9)
            # eigenvectors up to sign: |overlap| = 1
            ov = np.abs(np.einsum("sk,sk->k", Vs, V[:, idx]))
            np.testing.assert_allclose(ov, 1.0, atol=1e-7)
            np.testing.assert_allclose(m_ea(Vs, Zp, L)[0], m_ea(V[:, idx], Zp, L)[0], atol=1e-9)


def test_shift_invert_and_full_give_same_target_sums():
    K, _ = ed_couplings(11, 10, 0, Model(0.7))
    edges = np.linspace(0, 1, 11)
    # every eigenstate gets every observable (the full method subsamples the entanglement
    # observables with mi_stride; shift-invert windows never do)
    a = analyze_realization(K, 0.3, edges, [0.2, 0.5], 16, method="full", mi_stride=1)
    b = analyze_realization(K, 0.3, edges, [0.2, 0.5], 16, method="shift-invert")
    np.testing.assert_allclose(a["targets"], b["targets"], rtol=1e-8, atol=1e-8)


def test_bins_count_every_level_once():
    K, _ = ed_couplings(2, 8, 0, Model(0.8))
    res = analyze_realization(K, 0.2, np.linspace(0, 1, 8), [0.5], 8)
    col = {c: i for i, c in enumerate(SUM_COLUMNS)}
    assert res["bins"][:, col["m_ea_n"]].sum() == 2**8  # every eigenstate
    assert res["bins"][:, col["eps_n"]].sum() == 2**8
    assert res["bins"][:, col["r_n"]].sum() == 2 * (2**7 - 2)  # interior levels of both sectors


def test_flipped_couplings_mirror_the_spectrum():
    """K -> -K maps H to -U H U^dagger (U = prod Z): eps -> 1 - eps realization by realization."""
    K, _ = ed_couplings(4, 8, 3, Model(0.7))
    e1 = np.sort(np.concatenate([E for _, E, _ in diagonalize_sectors(K, 0.3, False)]))
    e2 = np.sort(np.concatenate([E for _, E, _ in diagonalize_sectors(-K, 0.3, False)]))
    np.testing.assert_allclose(e1, -e2[::-1], atol=1e-10)


def test_aggregation_is_shard_invariant():
    kw = dict(n_eps_bins=6, eps_targets=[0.5], n_eigs=8)
    whole = run_shard(9, 6, Model(0.7), 0.3, range(6), **kw)
    split = pd.concat([run_shard(9, 6, Model(0.7), 0.3, r, **kw) for r in ([4, 5], [0, 1, 2, 3])])
    a, b = aggregate(whole), aggregate(split)
    pd.testing.assert_frame_equal(a, b)
    assert (a["n_realizations"] == 6).all()
    assert set(a["kind"]) == {"bin", "target"}
    with pytest.raises(ValueError, match="duplicate"):
        aggregate(pd.concat([whole, whole]))


def test_aggregate_error_is_cluster_standard_error():
    """One window, realization means only: error equals std of means / sqrt(R) for equal counts."""
    df = pd.DataFrame(
        {
            "L": 6,
            "alpha": 0.7,
            "h_x": 0.1,
            "method": "full",
            "kind": "bin",
            "idx": 0,
            "realization": np.arange(4),
            "eps_lo": 0.0,
            "eps_hi": 1.0,
            "eps_target": np.nan,
            **{c: 0.0 for c in SUM_COLUMNS},
        }
    )
    for c in SUM_COLUMNS:
        if c.endswith("_n"):
            df[c] = 10
    df["r_sum"] = [4.0, 5.0, 3.0, 4.0]
    row = aggregate(df).iloc[0]
    means = np.array([0.4, 0.5, 0.3, 0.4])
    assert row["r_mean"] == pytest.approx(means.mean())
    assert row["r_err"] == pytest.approx(means.std(ddof=1) / 2)


@pytest.mark.slow
def test_large_h_x_mid_spectrum_is_goe_and_small_h_x_poisson():
    """L = 10, alpha = 0.7: h_x = 1 mid-spectrum r near GOE; h_x = 0.02 near Poisson."""
    kw = dict(n_eps_bins=10, eps_targets=[0.5], n_eigs=64, max_fraction=0.125)
    hi = aggregate(run_shard(1, 10, Model(0.7), 1.0, range(20), **kw))
    mid = hi[(hi.kind == "bin") & (hi.idx.isin([4, 5]))]
    r = (mid.r_mean * mid.n_levels).sum() / mid.n_levels.sum()
    assert abs(r - R_GOE) < 0.02
    lo = aggregate(run_shard(1, 10, Model(0.7), 0.02, range(10), **kw))
    mid = lo[(lo.kind == "bin") & (lo.idx.isin([4, 5]))]
    assert abs(mid.r_mean.mean() - R_POISSON) < 0.03
    assert mid.m_ea.min() > 0.9
