"""Entanglement kernels: exact values (product, Bell, GHZ states), partial traces against explicit
loops, sector routes against the full basis, Pauli-correlator two-site entropies against partial
traces, Page values and random-state sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kasglass.ed.basis import sector_to_full
from kasglass.ed.hamiltonian import sector_hamiltonian
from kasglass.ed.spectra import eigh_sector
from kasglass.quantum.entanglement import (
    entanglement_entropy,
    page_entropy,
    pair_mutual_information,
    random_state_entropy,
    reduced_density_matrices,
    sector_half_entropy,
    sector_pair_mutual_information,
    sector_single_site_entropies,
    single_site_entropies,
    von_neumann,
)

LN2 = math.log(2.0)
CATALAN = 0.915965594177219015054603514932


def bit(s, i):
    return (s >> i) & 1


def product_state(single):
    """Full-basis vector of a product state; single[i] = (amplitude of Z_i = +1, of Z_i = -1)."""
    L = len(single)
    psi = np.ones(2**L)
    for s in range(2**L):
        for i in range(L):
            psi[s] *= single[i][bit(s, i)]
    return psi


def random_single_spins(rng, L):
    th = rng.uniform(0, 2 * np.pi, L)
    return [(np.cos(t), np.sin(t)) for t in th]


def random_unit(rng, shape, complex_=False):
    v = rng.standard_normal(shape)
    if complex_:
        v = v + 1j * rng.standard_normal(shape)
    return v / np.linalg.norm(v, axis=0)


def brute_rdm(psi, L, sites):
    """rho_A by explicit loops over pairs of basis states with equal bits outside A."""
    dA = 2 ** len(sites)
    rest = [i for i in range(L) if i not in sites]
    rho = np.zeros((dA, dA), dtype=complex)
    for s in range(2**L):
        for t in range(2**L):
            if all(bit(s, i) == bit(t, i) for i in rest):
                a = sum(bit(s, q) << m for m, q in enumerate(sites))
                b = sum(bit(t, q) << m for m, q in enumerate(sites))
                rho[a, b] += psi[s] * np.conj(psi[t])
    return rho


def all_pairs(L):
    return [(i, j) for i in range(L) for j in range(i + 1, L)]


# ----------------------------------------------------------------------------------------------


def test_von_neumann_basics():
    assert von_neumann([1.0, 0.0]) == 0.0
    assert np.isclose(von_neumann([0.5, 0.5]), LN2)
    assert von_neumann([-1e-17, 1.0]) == 0.0  # rounding negatives clipped, 0 ln 0 = 0
    out = von_neumann(np.full((3, 2, 4), 0.25))
    assert out.shape == (3, 2) and np.allclose(out, 2 * LN2)


def test_product_states_have_no_entanglement():
    rng = np.random.default_rng(11)
    L = 6
    V = np.stack([product_state(random_single_spins(rng, L)) for _ in range(3)], axis=1)
    assert np.allclose(np.linalg.norm(V, axis=0), 1.0)
    for sites in [(0,), (2, 5), (5, 0, 3), (1, 2, 3), (0, 1, 2, 3, 4)]:
        assert np.abs(entanglement_entropy(V, L, sites)).max() < 1e-10
    assert np.abs(single_site_entropies(V, L)).max() < 1e-10
    assert np.abs(pair_mutual_information(V, L)).max() < 1e-10


@pytest.mark.parametrize("bell", ["phi", "psi"])
@pytest.mark.parametrize("pair", [(1, 4), (4, 1), (0, 5)])
def test_bell_pair_in_product_state(bell, pair):
    rng = np.random.default_rng(5)
    L = 6
    i, j = pair
    spins = random_single_spins(rng, L)
    psi = np.zeros(2**L)
    for s in range(2**L):
        bi, bj = bit(s, i), bit(s, j)
        if bell == "phi":  # (|00> + |11>)/sqrt(2)
            amp = (bi == bj) / math.sqrt(2)
        else:  # (|01> - |10>)/sqrt(2)
            amp = (bi != bj) * (1 if bi == 0 else -1) / math.sqrt(2)
        for q in range(L):
            if q not in pair:
                amp *= spins[q][bit(s, q)]
        psi[s] = amp
    S1 = single_site_entropies(psi, L)[0]
    for q in range(L):
        assert np.isclose(S1[q], LN2 if q in pair else 0.0, atol=1e-10)
    pairs = all_pairs(L)
    mi = pair_mutual_information(psi, L, pairs)[0]
    for (a, b), val in zip(pairs, mi, strict=True):
        expect = 2 * LN2 if {a, b} == set(pair) else 0.0
        assert np.isclose(val, expect, atol=1e-10), ((a, b), val)
    assert np.isclose(pair_mutual_information(psi, L, [(j, i)])[0, 0], 2 * LN2)
    assert np.isclose(entanglement_entropy(psi, L, [i, j])[0], 0.0, atol=1e-10)
    others = [q for q in range(L) if q not in pair]
    assert np.isclose(entanglement_entropy(psi, L, [i] + others[:2])[0], LN2)


@pytest.mark.parametrize("L", [6, 7])
@pytest.mark.parametrize("parity", [1, -1])
def test_ghz_state(L, parity):
    psi = np.zeros(2**L)
    psi[0] = 1 / math.sqrt(2)
    psi[-1] = parity / math.sqrt(2)
    c = np.zeros(2 ** (L - 1))
    c[0] = 1.0  # the sector vector |0>_p
    assert np.allclose(sector_to_full(c, L, parity), psi)
    for n_A in range(1, L):
        assert np.isclose(entanglement_entropy(psi, L, range(n_A))[0], LN2)
        assert np.isclose(sector_half_entropy(c, L, parity, n_A)[0], LN2)
    assert np.allclose(single_site_entropies(psi, L), LN2)
    assert np.allclose(sector_single_site_entropies(c, L, parity), LN2)
    assert np.allclose(pair_mutual_information(psi, L), LN2)
    assert np.allclose(sector_pair_mutual_information(c, L, parity), LN2)


@pytest.mark.parametrize(
    "sites", [(0,), (3,), (0, 3), (3, 0), (4, 1, 2), (2, 4, 1), (1, 0, 4, 2), (0, 1, 2, 3, 4)]
)
def test_reduced_density_matrices_against_explicit_partial_trace(sites):
    rng = np.random.default_rng(len(sites) * 10 + sites[0])
    L = 5
    V = random_unit(rng, (2**L, 3), complex_=True)
    R = reduced_density_matrices(V, L, sites)
    assert R.shape == (3, 2 ** len(sites), 2 ** len(sites))
    for c in range(3):
        ref = brute_rdm(V[:, c], L, sites)
        assert np.allclose(R[c], ref, atol=1e-14)
        assert np.isclose(np.trace(R[c]).real, 1.0)
        assert np.allclose(R[c], R[c].conj().T)
        assert np.linalg.eigvalsh(R[c]).min() > -1e-13
    Rr = reduced_density_matrices(V[:, 0].real.copy(), L, sites)  # 1-d input, real dtype
    assert Rr.shape[0] == 1 and Rr.dtype == np.float64
    assert np.allclose(Rr[0], brute_rdm(V[:, 0].real, L, sites).real)


def test_entropy_of_complement_and_site_order():
    rng = np.random.default_rng(3)
    L = 7
    V = random_unit(rng, (2**L, 4), complex_=True)
    for A in [(0,), (1, 5), (6, 2, 0), (0, 1, 2, 3, 4)]:
        B = [i for i in range(L) if i not in A]
        S_A = entanglement_entropy(V, L, A)
        assert np.allclose(S_A, entanglement_entropy(V, L, B))
        assert np.allclose(S_A, entanglement_entropy(V, L, A[::-1]))
        rho = reduced_density_matrices(V, L, A)
        assert np.allclose(S_A, von_neumann(np.linalg.eigvalsh(rho)))


@pytest.mark.parametrize("L", [6, 8, 10])
@pytest.mark.parametrize("parity", [1, -1])
def test_sector_half_entropy_matches_full(L, parity):
    rng = np.random.default_rng(L + parity)
    half = 2 ** (L - 1)
    Vr = random_unit(rng, (half, 5))
    Vc = random_unit(rng, (half, 3), complex_=True)
    A = rng.standard_normal((half, half))
    _, U = np.linalg.eigh(A + A.T)
    Ve = U[:, [0, half // 3, half - 1]]  # eigenvectors of a random real symmetric sector matrix
    for Vs in (Vr, Vc, Ve, np.asfortranarray(Vr)):
        F = sector_to_full(Vs, L, parity)
        for n_A in range(L + 1):
            ref = entanglement_entropy(F, L, range(n_A))
            got = sector_half_entropy(Vs, L, parity, n_A)
            assert np.allclose(got, ref, atol=1e-12), (n_A, got, ref)
    assert sector_half_entropy(Vr[:, 0], L, parity, L // 2).shape == (1,)


@pytest.mark.parametrize("L", [6, 8, 10])
@pytest.mark.parametrize("parity", [1, -1])
def test_sector_correlator_entropies_match_full(L, parity):
    rng = np.random.default_rng(100 + L + parity)
    half = 2 ** (L - 1)
    A = rng.standard_normal((half, half))
    _, U = np.linalg.eigh(A + A.T)
    Vs = np.concatenate([random_unit(rng, (half, 4)), U[:, [1, half // 2, half - 2]]], axis=1)
    F = sector_to_full(Vs, L, parity)
    assert np.allclose(sector_single_site_entropies(Vs, L, parity), single_site_entropies(F, L))
    assert np.allclose(
        sector_pair_mutual_information(Vs, L, parity), pair_mutual_information(F, L), atol=1e-12
    )
    pairs = [(L - 1, 0), (2, L - 1), (3, 1), (0, 1)]
    assert np.allclose(
        sector_pair_mutual_information(Vs, L, parity, pairs),
        pair_mutual_information(F, L, pairs),
        atol=1e-12,
    )


def test_sector_entropies_do_not_depend_on_parity():
    # Z_{L-1} maps |s>_+ to |s>_-: the same amplitudes in the two sectors are locally equivalent
    rng = np.random.default_rng(4)
    L = 7
    Vs = random_unit(rng, (2 ** (L - 1), 3))
    Fp, Fm = sector_to_full(Vs, L, 1), sector_to_full(Vs, L, -1)
    assert np.allclose(Fm, Fp * (1 - 2 * ((np.arange(2**L) >> (L - 1)) & 1))[:, None])
    assert np.allclose(pair_mutual_information(Fp, L), pair_mutual_information(Fm, L))
    assert np.allclose(
        sector_pair_mutual_information(Vs, L, 1), sector_pair_mutual_information(Vs, L, -1)
    )
    assert np.allclose(sector_half_entropy(Vs, L, 1, 3), sector_half_entropy(Vs, L, -1, 3))


@pytest.mark.parametrize("parity", [1, -1])
def test_sector_functions_on_ed_eigenvectors(parity):
    rng = np.random.default_rng(8)
    L = 8
    K = rng.standard_normal((L, L))
    K = np.triu(K, 1)
    K = K + K.T
    _, Vs = eigh_sector(sector_hamiltonian(K, 0.7, parity))  # Fortran-ordered, as in the pipeline
    Vs = Vs[:, [0, 1, 60, 127]]
    F = sector_to_full(Vs, L, parity)
    assert np.allclose(sector_half_entropy(Vs, L, parity, 4), entanglement_entropy(F, L, range(4)))
    assert np.allclose(sector_single_site_entropies(Vs, L, parity), single_site_entropies(F, L))
    assert np.allclose(sector_pair_mutual_information(Vs, L, parity), pair_mutual_information(F, L))


def test_pauli_two_site_entropies_match_partial_traces():
    rng = np.random.default_rng(21)
    L = 7
    V = random_unit(rng, (2**L, 5))
    S1 = single_site_entropies(V, L)
    for i in range(L):
        assert np.allclose(S1[:, i], entanglement_entropy(V, L, [i]))
    pairs = all_pairs(L) + [(5, 2), (6, 0)]
    mi = pair_mutual_information(V, L, pairs)
    for p, (i, j) in enumerate(pairs):
        S_ij = entanglement_entropy(V, L, [i, j])
        assert np.allclose(mi[:, p], S1[:, i] + S1[:, j] - S_ij, atol=1e-12)
    # unnormalized input: the same partial-trace matrices, so the same consistency
    W = 0.7 * V[:, :2]
    S_ij = entanglement_entropy(W, L, [1, 3])
    assert np.allclose(
        pair_mutual_information(W, L, [(1, 3)])[:, 0],
        entanglement_entropy(W, L, [1]) + entanglement_entropy(W, L, [3]) - S_ij,
    )


def test_complex_input_and_bad_arguments_raise():
    rng = np.random.default_rng(0)
    L = 4
    V = random_unit(rng, (2**L, 2), complex_=True)
    Vs = random_unit(rng, (2 ** (L - 1), 2), complex_=True)
    with pytest.raises(TypeError, match="real states"):
        single_site_entropies(V, L)
    with pytest.raises(TypeError, match="real states"):
        pair_mutual_information(V, L)
    with pytest.raises(TypeError, match="real states"):
        sector_single_site_entropies(Vs, L, 1)
    with pytest.raises(TypeError, match="real states"):
        sector_pair_mutual_information(Vs, L, -1)
    with pytest.raises(ValueError, match="distinct"):
        entanglement_entropy(V, L, [1, 1])
    with pytest.raises(ValueError, match="lie in"):
        reduced_density_matrices(V, L, [4])
    with pytest.raises(ValueError, match="shape"):
        entanglement_entropy(V[:8], L, [0])
    with pytest.raises(ValueError, match="parity"):
        sector_half_entropy(Vs, L, 0, 2)
    with pytest.raises(ValueError, match="different"):
        pair_mutual_information(V.real, L, [(2, 2)])


def test_page_entropy_values():
    assert np.isclose(page_entropy(2, 2), 1 / 3)
    assert page_entropy(1, 64) == 0.0
    for m, n in [(2, 8), (4, 8), (16, 16), (8, 32)]:
        harmonic = sum(1.0 / k for k in range(n + 1, m * n + 1))
        assert np.isclose(page_entropy(m, n), harmonic - (m - 1) / (2 * n), rtol=1e-13)
        assert page_entropy(m, n) == page_entropy(n, m)
    m, n = 2**8, 2**10
    assert abs(page_entropy(m, n) - (math.log(m) - m / (2 * n))) < 1e-5


def test_complex_sampling_reproduces_page():
    mean, se = random_state_entropy(8, range(4), 2000, seed=7, real=False)
    assert 0 < se < 5e-3
    assert abs(mean - page_entropy(16, 16)) < 4 * se, (mean, se, page_entropy(16, 16))
    # real states are less entangled on average (orthogonal ensemble)
    mean_r, se_r = random_state_entropy(8, range(4), 2000, seed=7, real=True)
    assert mean_r < page_entropy(16, 16) - 10 * max(se, se_r)


@pytest.mark.parametrize(
    "L, exact", [(2, 0.5 + LN2 - CATALAN), (3, 11 / 24 + LN2 - 0.75 * CATALAN)]
)
def test_real_sampling_small_dimensions(L, exact):
    # exact averages for one qubit against a real environment of dimension 2 and 4 (from the
    # one-dimensional integral over the Schmidt spectrum; see the module docstring)
    mean, se = random_state_entropy(L, [0], 20000, seed=3)
    assert abs(mean - exact) < 4 * se, (mean, se, exact)


def test_sampling_is_deterministic_and_documented():
    a = random_state_entropy(6, [0, 2], 50, seed=12)
    assert a == random_state_entropy(6, [0, 2], 50, seed=12)
    assert a != random_state_entropy(6, [0, 2], 50, seed=13)
    # the documented construction, with a parity sector (one chunk here)
    for real in (True, False):
        got = random_state_entropy(6, [0, 1, 2], 40, seed=5, real=real, parity=-1)
        rng = np.random.default_rng(5)
        psi = rng.standard_normal((32, 40))
        if not real:
            psi = psi + 1j * rng.standard_normal((32, 40))
        psi /= np.linalg.norm(psi, axis=0)
        S = entanglement_entropy(sector_to_full(psi, 6, -1), 6, [0, 1, 2])
        assert np.isclose(got[0], S.mean()) and np.isclose(got[1], S.std(ddof=1) / np.sqrt(40))
