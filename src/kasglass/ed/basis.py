"""Z-basis bookkeeping and the spin-flip parity sectors.

Conventions
-----------
Basis state s (0 <= s < 2**L) has bit i equal to 1 exactly when Z_i = -1:
``Z_i(s) = 1 - 2 * ((s >> i) & 1)``. The spin-flip parity P = prod_i X_i maps s to its complement
~s = s ^ (2**L - 1). A parity sector p = +-1 is spanned by

    |s>_p = (|s> + p |~s>) / sqrt(2),   s < 2**(L-1)  (representatives: bit L-1 is 0),

so P |s>_p = p |s>_p and the sector dimension is 2**(L-1). Any operator diagonal in Z and even
under the global flip (Z_i Z_j, the ZZ Hamiltonian) has the same diagonal element on s and ~s, and
its expectation value in a sector state with amplitudes c_s is sum_s |c_s|**2 f(s).
"""

from __future__ import annotations

import numpy as np


def check_L(L: int, lo: int = 1, hi: int = 24) -> int:
    """Validate the number of spins for exact diagonalization."""
    L = int(L)
    if not (lo <= L <= hi):
        raise ValueError(f"L must be in [{lo}, {hi}] for exact diagonalization; got {L}")
    return L


def z_eigenvalues(L: int) -> np.ndarray:
    """Z_i of every basis state.

    Parameters
    ----------
    L : int
        Number of spins.

    Returns
    -------
    ndarray, shape (2**L, L), int8
        ``out[s, i] = 1 - 2 * ((s >> i) & 1)``.
    """
    L = check_L(L)
    s = np.arange(2**L, dtype=np.int64)
    bits = (s[:, None] >> np.arange(L, dtype=np.int64)[None, :]) & 1
    return (1 - 2 * bits).astype(np.int8)


def sector_representatives(L: int) -> np.ndarray:
    """Representatives s < 2**(L-1) (bit L-1 equal to 0), int64, shape (2**(L-1),)."""
    L = check_L(L, lo=2)
    return np.arange(2 ** (L - 1), dtype=np.int64)


def sector_z_eigenvalues(L: int) -> np.ndarray:
    """Z_i of the representatives, shape (2**(L-1), L), int8 (first half of z_eigenvalues)."""
    L = check_L(L, lo=2)
    return z_eigenvalues(L)[: 2 ** (L - 1)]


def sector_to_full(psi: np.ndarray, L: int, parity: int) -> np.ndarray:
    """Embed sector vectors into the full 2**L basis.

    Parameters
    ----------
    psi : ndarray, shape (2**(L-1),) or (2**(L-1), k)
        Amplitudes on |s>_p, s < 2**(L-1).
    parity : {+1, -1}

    Returns
    -------
    ndarray, shape (2**L,) or (2**L, k)
        ``out[s] = psi[s] / sqrt(2)``, ``out[~s] = (parity / sqrt(2)) psi[s]``.
    """
    parity = check_parity(parity)
    half = 2 ** (L - 1)
    if psi.shape[0] != half:
        raise ValueError(f"sector vectors must have {half} rows for L={L}; got {psi.shape[0]}")
    out = np.empty((2 * half,) + psi.shape[1:], dtype=psi.dtype)
    out[:half] = psi / np.sqrt(2.0)
    comp = (2**L - 1) ^ np.arange(half)
    out[comp] = (parity / np.sqrt(2.0)) * psi
    return out


def check_parity(parity: int) -> int:
    p = int(parity)
    if p not in (1, -1):
        raise ValueError(f"parity must be +1 or -1; got {parity}")
    return p


def pair_products(Z: np.ndarray) -> np.ndarray:
    """Z_i Z_j for every unordered pair i < j (row-major upper triangle).

    Parameters
    ----------
    Z : ndarray, shape (dim, L), int8

    Returns
    -------
    ndarray, shape (dim, L(L-1)/2), float64
    """
    L = Z.shape[1]
    iu, ju = np.triu_indices(L, 1)
    return (Z[:, iu] * Z[:, ju]).astype(np.float64)
