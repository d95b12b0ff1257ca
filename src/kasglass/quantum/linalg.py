"""Dense linear algebra of spin-1/2 systems: the Z basis, eigendecompositions, and the
full-basis eigenpairs of a parity-symmetric chain from its two sectors.

Basis state s of an l-spin system has Z_i = 1 - 2 * ((s >> i) & 1) (bit set = spin down), as in
:mod:`kasglass.ed.basis` and :func:`kasglass.ed.hamiltonian.full_hamiltonian`.
"""

from __future__ import annotations

import numpy as np


def z_table(n_spins: int) -> np.ndarray:
    """Z eigenvalues of every basis state, float64, shape (2**n_spins, n_spins)."""
    from ..ed.basis import z_eigenvalues

    return z_eigenvalues(n_spins).astype(np.float64)


def basis_index(Z: np.ndarray) -> np.ndarray:
    """Basis index s of product states Z (+-1, shape (..., l)): bit i set where Z_i = -1."""
    Z = np.asarray(Z)
    bits = (Z < 0).astype(np.int64)
    return (bits << np.arange(Z.shape[-1], dtype=np.int64)).sum(axis=-1)


def eigh(H: np.ndarray, precision: str = "float64", device: str = "cpu"):
    """Spectrum (ascending) and eigenvectors (columns) of a real symmetric matrix, overwriting
    ``H``: :func:`kasglass.ed.spectra.eigh_sector` (LAPACK divide and conquer, dsyevd, or ssyevd
    with ``precision="float32"``; cuSOLVER's with ``device="gpu"``)."""
    from ..ed.spectra import eigh_sector

    return eigh_sector(H, vectors=True, precision=precision, device=device)


def parity_eigh(K: np.ndarray, h_x: float, precision: str = "float64", device: str = "cpu"):
    """Eigenpairs of the full-chain H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i from its two
    parity sectors of P = prod_i X_i (:func:`kasglass.ed.spectra.diagonalize_sectors`), each
    sector eigenvector embedded in the full basis by :func:`kasglass.ed.basis.sector_to_full`
    (``precision``, ``device``: see :func:`kasglass.ed.spectra.eigh_sector`).

    Returns
    -------
    E : ndarray, shape (2**L,)
        Ascending eigenvalues of H.
    V : ndarray, shape (2**L, 2**L)
        Eigenvectors (columns) in the full basis, each of definite parity.
    parity : ndarray of int8, shape (2**L,)
    """
    from ..ed.basis import sector_to_full
    from ..ed.spectra import diagonalize_sectors

    L = K.shape[0]
    Es, Vs, Ps = [], [], []
    for p, w, u in diagonalize_sectors(
        K, float(h_x), vectors=True, precision=precision, device=device
    ):
        Es.append(w)
        Vs.append(sector_to_full(u, L, p))
        Ps.append(np.full(len(w), p, dtype=np.int8))
    E = np.concatenate(Es)
    order = np.argsort(E, kind="stable")
    V = np.concatenate(Vs, axis=1)[:, order]
    return E[order], V, np.concatenate(Ps)[order]
