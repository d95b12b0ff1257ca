"""The KAS Hamiltonian in the Z basis: full space and spin-flip parity sectors.

H = sum_{i<j} K_ij Z_i Z_j + sum_i h_z[i] Z_i - h_x sum_i X_i

with Pauli operators (eigenvalues +-1), unordered pairs, K symmetric with zero diagonal (as from
:func:`kasglass.couplings.coupling_matrix`, periodic minimum-image distance by default; an
``ordered`` pair sum is already folded into K there). Basis state s has bit i = 1 exactly when
Z_i = -1 (``Z_i(s) = 1 - 2 * ((s >> i) & 1)``); X_i flips bit i. Everything is vectorized over
basis states (Python loops only run over the L sites).

Parity sectors (h_z = 0 only): P = prod_i X_i, sector p spanned by |s>_p = (|s> + p|~s>)/sqrt(2)
for s < 2**(L-1). X_i with i < L-1 maps |s>_p to |s ^ 2**i>_p; X_{L-1} maps |s>_p to
p |s ^ (2**(L-1) - 1)>_p (flipping the top bit leaves the representative set; the complement of the
result is the representative with all lower bits flipped).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .basis import check_L, check_parity, z_eigenvalues


def _check_K(K: np.ndarray) -> np.ndarray:
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be a square (L, L) matrix; got shape {K.shape}")
    if not np.allclose(K, K.T):
        raise ValueError("K must be symmetric (use kasglass.couplings.coupling_matrix)")
    if np.any(np.diag(K) != 0):
        raise ValueError("K must have a zero diagonal (use kasglass.couplings.coupling_matrix)")
    return K


def diagonal_energies(K: np.ndarray, Z: np.ndarray, h_z=None) -> np.ndarray:
    """Classical energies sum_{i<j} K_ij Z_i Z_j + sum_i h_z[i] Z_i of the states in ``Z``.

    Parameters
    ----------
    K : ndarray, shape (L, L), float64
        Symmetric couplings, zero diagonal.
    Z : ndarray, shape (dim, L)
        Z eigenvalues (+-1) of the states.
    h_z : ndarray, shape (L,), optional
        Longitudinal fields.

    Returns
    -------
    ndarray, shape (dim,), float64
    """
    Zf = Z.astype(np.float64)
    E = 0.5 * np.einsum("si,si->s", Zf @ K, Zf)
    if h_z is not None:
        h_z = np.asarray(h_z, dtype=np.float64)
        if h_z.shape != (K.shape[0],):
            raise ValueError(f"h_z must have shape ({K.shape[0]},); got {h_z.shape}")
        E = E + Zf @ h_z
    return E


def full_hamiltonian(K: np.ndarray, h_x: float, h_z=None) -> np.ndarray:
    """Dense H = sum_{i<j} K_ij Z_i Z_j + sum_i h_z[i] Z_i - h_x sum_i X_i on the full 2**L space.

    Parameters
    ----------
    K : ndarray, shape (L, L), float64
        Symmetric couplings with zero diagonal (:func:`kasglass.couplings.coupling_matrix`).
    h_x : float
        Transverse field.
    h_z : ndarray, shape (L,), optional
        Longitudinal fields (default none).

    Returns
    -------
    ndarray, shape (2**L, 2**L), float64
        In the Z basis: state s has bit i = 1 exactly when Z_i = -1.
    """
    K = _check_K(K)
    L = check_L(K.shape[0])
    dim = 2**L
    H = np.zeros((dim, dim), dtype=np.float64)
    s = np.arange(dim, dtype=np.int64)
    H[s, s] = diagonal_energies(K, z_eigenvalues(L), h_z)
    for i in range(L):
        H[s, s ^ (1 << i)] = -float(h_x)
    return H


def _sector_offdiag(L: int, parity: int):
    """(rows, cols, sign) of the -h_x X terms inside sector ``parity``; each row appears L times."""
    half = 2 ** (L - 1)
    s = np.arange(half, dtype=np.int64)
    rows = np.tile(s, L)
    cols = np.concatenate([s ^ (1 << i) for i in range(L - 1)] + [s ^ (half - 1)])
    sign = np.ones(L * half)
    sign[(L - 1) * half :] = parity
    return rows, cols, sign


def sector_hamiltonian(K: np.ndarray, h_x: float, parity: int, out: np.ndarray | None = None):
    """Dense H restricted to the parity sector P = ``parity`` (no longitudinal field).

    Parameters
    ----------
    K : ndarray, shape (L, L), float64
        Symmetric couplings with zero diagonal.
    h_x : float
        Transverse field.
    parity : {+1, -1}
        Eigenvalue of P = prod_i X_i.
    out : ndarray, shape (2**(L-1), 2**(L-1)), optional
        Buffer to fill (reused across realizations).

    Returns
    -------
    ndarray, shape (2**(L-1), 2**(L-1)), float64
        Basis |s>_p = (|s> + p|~s>)/sqrt(2), s < 2**(L-1) (see module docstring).
    """
    K = _check_K(K)
    L = check_L(K.shape[0], lo=2)
    parity = check_parity(parity)
    half = 2 ** (L - 1)
    if out is None:
        out = np.zeros((half, half), dtype=np.float64)
    else:
        out[...] = 0.0
    s = np.arange(half, dtype=np.int64)
    out[s, s] = diagonal_energies(K, z_eigenvalues(L)[:half])
    rows, cols, sign = _sector_offdiag(L, parity)
    if L == 2:  # X_0 and X_1 connect the same pair of representatives
        np.add.at(out, (rows, cols), -float(h_x) * sign)
    else:  # (row, col) pairs are distinct for L >= 3: plain fancy assignment
        out[rows, cols] = -float(h_x) * sign
    return out


def sector_hamiltonian_sparse(K: np.ndarray, h_x: float, parity: int) -> sp.csr_matrix:
    """Sparse (CSR) version of :func:`sector_hamiltonian`: L + 1 nonzeros per row."""
    K = _check_K(K)
    L = check_L(K.shape[0], lo=2)
    parity = check_parity(parity)
    half = 2 ** (L - 1)
    s = np.arange(half, dtype=np.int64)
    diag = diagonal_energies(K, z_eigenvalues(L)[:half])
    rows, cols, sign = _sector_offdiag(L, parity)
    r = np.concatenate([s, rows])
    c = np.concatenate([s, cols])
    v = np.concatenate([diag, -float(h_x) * sign])
    H = sp.csr_matrix((v, (r, c)), shape=(half, half))
    H.sum_duplicates()
    return H
