"""Eigenstate entanglement in the ED sweep: the registry's entanglement observables against
full-basis computations, exact limits (h_x = 0: cat states) and the random-state references."""

import math

import numpy as np
import pytest

from kasglass.ed import observables as obs
from kasglass.ed.basis import sector_to_full
from kasglass.ed.spectra import diagonalize_sectors
from kasglass.ed.sweep import _sector_pairs, ed_couplings, figure_table, page_values, run_shard
from kasglass.model import Model
from kasglass.quantum import entanglement as en

LN2 = math.log(2.0)


def _values(K, h_x, stride=1):
    """{parity: (E, V, {observable: values})} of one realization."""
    L = K.shape[0]
    out = {}
    for p, E, V in diagonalize_sectors(K, h_x, vectors=True):
        d = obs.SectorData(E, V, L, _sector_pairs(L), parity=p, mi_stride=stride)
        out[p] = (E, V, {o.name: o.compute(d) for o in obs.OBSERVABLES if o.vectors})
    return out


def _ring_pairs(L, sites, r, periodic=True):
    iu, ju = np.triu_indices(L, 1)
    keep = np.isin(iu, sites) & np.isin(ju, sites) & (obs.ring_distance(iu, ju, L, periodic) == r)
    return np.stack([iu[keep], ju[keep]], axis=1)


@pytest.mark.parametrize("L", [6, 8])
def test_observables_equal_full_basis_computations(L):
    K, _ = ed_couplings(3, L, 0, Model(0.7))
    for p, (_E, V, vals) in _values(K, 0.4).items():
        F = sector_to_full(V, L, p)  # the parity eigenstates in the full basis
        nA = L // 2
        np.testing.assert_allclose(
            vals["s_half"], en.entanglement_entropy(F, L, range(nA)), atol=1e-10
        )
        np.testing.assert_allclose(
            vals["s_site"], en.single_site_entropies(F, L).mean(axis=1), atol=1e-10
        )
        # the pinned state: the eigenstate projected on Z_{L-1} = +1, normalized
        up = np.array([(s >> (L - 1)) & 1 == 0 for s in range(2**L)])
        P = F[up] / np.linalg.norm(F[up], axis=0)
        np.testing.assert_allclose(
            vals["s_half_pinned"], en.entanglement_entropy(P, L - 1, range(nA)), atol=1e-10
        )
        for r in obs.MI_DISTANCES:
            if r > L // 2:
                assert np.all(np.isnan(vals[f"mi_d{r}"]))
                continue
            ref = en.pair_mutual_information(F, L, _ring_pairs(L, range(L), r)).mean(axis=1)
            np.testing.assert_allclose(vals[f"mi_d{r}"], ref, atol=1e-10)
            refp = en.pair_mutual_information(P, L - 1, _ring_pairs(L, range(L - 1), r))
            np.testing.assert_allclose(vals[f"mi_pinned_d{r}"], refp.mean(axis=1), atol=1e-10)


def test_classical_limit_gives_cat_states():
    """h_x = 0: every eigenstate is a cat (|s> + p|~s>)/sqrt(2): ln 2 in every parity-eigenstate
    entropy and mutual information, 0 in the pinned state (a product state)."""
    L = 8
    K, _ = ed_couplings(5, L, 1, Model(0.7))
    for _p, (_E, _V, v) in _values(K, 0.0).items():
        for name in ("s_half", "s_site", "mi_d1", "mi_d4"):
            np.testing.assert_allclose(v[name], LN2, atol=1e-9, err_msg=name)
        for name in ("s_half_pinned", "s_site_pinned", "mi_pinned_d1", "mi_pinned_d3"):
            np.testing.assert_allclose(v[name], 0.0, atol=1e-9, err_msg=name)


def test_pinned_bounds_and_stride():
    """S_pinned <= S_half <= S_pinned + ln 2 (the parity eigenstate's reduced state is the equal
    mixture of the pinned state's and its flip); subsampled observables only on the stride
    lowest and highest and every stride-th eigenstate in between, the half-ring entropy on all
    of them."""
    L = 8
    K, _ = ed_couplings(7, L, 2, Model(0.7))
    for _p, (_E, _V, v) in _values(K, 0.3, stride=1).items():
        assert np.all(v["s_half_pinned"] <= v["s_half"] + 1e-10)
        assert np.all(v["s_half"] <= v["s_half_pinned"] + LN2 + 1e-10)
    for _p, (_E, V, v) in _values(K, 0.3, stride=5).items():
        n = V.shape[1]
        assert np.isfinite(v["s_half"]).all()
        want = sorted(set(range(5)) | set(range(5, n - 5, 5)) | set(range(n - 5, n)))
        assert obs.entanglement_subset(n, 5).tolist() == want
        for name in ("s_site", "s_half_pinned", "mi_d2", "mi_pinned_d1"):
            assert np.flatnonzero(np.isfinite(v[name])).tolist() == want, name


def test_page_values_and_table_columns():
    L = 8
    pv = page_values(L, 11)
    assert pv == page_values(L, 11)  # deterministic
    m = 2**4
    page = sum(1.0 / k for k in range(m + 1, m * m + 1)) - (m - 1) / (2 * m)
    assert pv["s_half_page"] == pytest.approx(page, rel=1e-12)
    # real random states of a parity sector sit a little below the complex Page value
    assert 0.9 * pv["s_half_page"] < pv["s_half_random"] < pv["s_half_page"]
    assert 0.9 * pv["s_half_pinned_page"] < pv["s_half_pinned_random"] < pv["s_half_pinned_page"]
    parts = run_shard(11, L, Model(0.7), 0.5, range(3), 5, [0.5], 12, mi_stride=4)
    t = figure_table(parts, "fig3", {L: 3}, [0.5], 11)
    assert (t["s_half_page"] == pv["s_half_page"]).all()
    assert t["s_half"].notna().all() and (t["n_states"] > 0).all()
    # the middle of the spectrum at h_x = 0.5 is much more entangled than its edges
    mid = t.loc[t["eps_lo"] == 0.4, "s_half"].iloc[0]
    assert mid > t["s_half"].iloc[0] and mid > t["s_half"].iloc[-1]


def test_open_chain_distances():
    L = 8
    K, _ = ed_couplings(3, L, 0, Model(0.7, distance="open"))
    (E, V), p = diagonalize_sectors(K, 0.4)[0][1:], 1
    d = obs.SectorData(E, V, L, _sector_pairs(L), parity=p, periodic=False)
    vals = {o.name: o.compute(d) for o in obs.OBSERVABLES if o.name.startswith("mi_d")}
    F = sector_to_full(V, L, p)
    for r in (1, 3):
        ref = en.pair_mutual_information(F, L, _ring_pairs(L, range(L), r, False)).mean(axis=1)
        np.testing.assert_allclose(vals[f"mi_d{r}"], ref, atol=1e-10)
    assert len(_ring_pairs(L, range(L), 4, False)) == L - 4  # ring: L / 2 pairs at d = L/2
