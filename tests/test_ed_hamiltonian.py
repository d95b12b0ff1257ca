"""ED Hamiltonian against a brute-force Kronecker construction; sectors against the full basis."""

from __future__ import annotations

from functools import reduce

import numpy as np
import pytest

from kasglass.couplings import coupling_matrix
from kasglass.ed.basis import sector_to_full, z_eigenvalues
from kasglass.ed.hamiltonian import (
    full_hamiltonian,
    sector_hamiltonian,
    sector_hamiltonian_sparse,
)

X = np.array([[0.0, 1.0], [1.0, 0.0]])
Zp = np.diag([1.0, -1.0])
I2 = np.eye(2)


def site_op(op, i, L):
    """Operator on site i; site i is bit i of the basis index (kron puts site L-1 first)."""
    return reduce(np.kron, [op if k == i else I2 for k in reversed(range(L))])


def kron_hamiltonian(K, h_x, h_z=None):
    L = K.shape[0]
    H = np.zeros((2**L, 2**L))
    for i in range(L):
        for j in range(i + 1, L):
            H += K[i, j] * site_op(Zp, i, L) @ site_op(Zp, j, L)
        H -= h_x * site_op(X, i, L)
        if h_z is not None:
            H += h_z[i] * site_op(Zp, i, L)
    return H


def random_K(L, seed, alpha=0.7, distance="periodic"):
    J = np.random.default_rng(seed).standard_normal(L * (L - 1) // 2)
    return coupling_matrix(J, L, alpha, distance)


@pytest.mark.parametrize("L", [3, 4, 5, 6])
def test_z_eigenvalues_match_kron_diagonals(L):
    Z = z_eigenvalues(L)
    assert Z.dtype == np.int8 and Z.shape == (2**L, L)
    for i in range(L):
        np.testing.assert_array_equal(Z[:, i], np.diag(site_op(Zp, i, L)))


@pytest.mark.parametrize("L", [3, 4, 5, 6])
@pytest.mark.parametrize("with_hz", [False, True])
def test_full_hamiltonian_matches_kron(L, with_hz):
    K = random_K(L, 10 + L, distance="open" if L == 4 else "periodic")
    rng = np.random.default_rng(L)
    h_z = rng.standard_normal(L) if with_hz else None
    H = full_hamiltonian(K, 0.37, h_z)
    assert H.dtype == np.float64 and H.shape == (2**L, 2**L)
    np.testing.assert_allclose(H, kron_hamiltonian(K, 0.37, h_z), atol=1e-13)


def test_full_hamiltonian_rejects_bad_K():
    with pytest.raises(ValueError, match="symmetric"):
        full_hamiltonian(np.triu(np.ones((3, 3)), 1), 0.1)


@pytest.mark.parametrize("L", [2, 3, 4, 5, 6, 8, 10])
def test_sector_spectra_equal_full_spectrum(L):
    K = random_K(L, 100 + L)
    h_x = 0.45
    E_full = np.linalg.eigvalsh(full_hamiltonian(K, h_x))
    E_sec = np.concatenate([np.linalg.eigvalsh(sector_hamiltonian(K, h_x, p)) for p in (1, -1)])
    np.testing.assert_allclose(np.sort(E_sec), E_full, atol=1e-10)


@pytest.mark.parametrize("L", [3, 5, 6])
@pytest.mark.parametrize("parity", [1, -1])
def test_sector_is_projection_of_full(L, parity):
    """<s|_p H |t>_p computed in the full basis equals the sector matrix element."""
    K = random_K(L, 7 + L)
    H = full_hamiltonian(K, 0.3)
    B = sector_to_full(np.eye(2 ** (L - 1)), L, parity)  # columns: |s>_p in the full basis
    np.testing.assert_allclose(B.T @ B, np.eye(2 ** (L - 1)), atol=1e-14)
    P = reduce(np.kron, [X] * L)
    np.testing.assert_allclose(P @ B, parity * B, atol=1e-14)
    np.testing.assert_allclose(B.T @ H @ B, sector_hamiltonian(K, 0.3, parity), atol=1e-13)
    np.testing.assert_allclose(
        sector_hamiltonian_sparse(K, 0.3, parity).toarray(),
        sector_hamiltonian(K, 0.3, parity),
        atol=1e-14,
    )
