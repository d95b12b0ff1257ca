"""Eigenstate observables: the Edwards-Anderson order parameter.

m_EA(n) = (1/L^2) sum_{i,j} <n|Z_i Z_j|n>^2 (i = j terms included: ergodic baseline 1/L, value 1
for a Z-basis product state), and the off-diagonal version
m_EA_od(n) = (L^2 m_EA(n) - L) / (L (L - 1)) = (2 / (L (L - 1))) sum_{i<j} <n|Z_i Z_j|n>^2
(ergodic baseline 0).

Z_i Z_j is diagonal in the Z basis and even under the global spin flip, so for an eigenvector with
sector amplitudes c_s (or full-basis amplitudes) <Z_i Z_j> = sum_s |c_s|^2 Z_i(s) Z_j(s): one
matrix product of the Z-basis weights with the pair-product table (dim x L(L-1)/2), never an
L x L x dim array.
"""

from __future__ import annotations

import numpy as np


def zz_expectations(W: np.ndarray, Zpair: np.ndarray) -> np.ndarray:
    """<Z_i Z_j> for i < j of every state.

    Parameters
    ----------
    W : ndarray, shape (dim, k)
        Z-basis weights |c_s|^2 of k states (columns sum to 1).
    Zpair : ndarray, shape (dim, L(L-1)/2), float64
        :func:`kasglass.ed.basis.pair_products` of the basis states.

    Returns
    -------
    ndarray, shape (k, L(L-1)/2)
    """
    return W.T @ Zpair


def m_ea(V: np.ndarray, Zpair: np.ndarray, L: int):
    """Edwards-Anderson order parameter of eigenvectors.

    Parameters
    ----------
    V : ndarray, shape (dim, k), float64
        Eigenvectors (columns) in a Z-type basis (full basis or parity-sector basis).
    Zpair : ndarray, shape (dim, L(L-1)/2)
        Pair products Z_i Z_j of the basis states (of the representatives in a sector basis).
    L : int

    Returns
    -------
    m_full : ndarray, shape (k,)
        m_EA with the i = j terms (ergodic baseline 1/L).
    m_offdiag : ndarray, shape (k,)
        Off-diagonal version (ergodic baseline 0).
    """
    G = zz_expectations(V * V, Zpair)
    s = np.einsum("kp,kp->k", G, G)
    return (L + 2.0 * s) / L**2, 2.0 * s / (L * (L - 1))


def m_ea_reference(psi: np.ndarray, Z: np.ndarray) -> float:
    """Slow reference: m_EA of one full-basis state psi (shape (2**L,)) from all L^2 <Z_i Z_j>."""
    L = Z.shape[1]
    w = np.abs(psi) ** 2
    Zf = Z.astype(float)
    C = np.einsum("s,si,sj->ij", w, Zf, Zf)
    return float(np.sum(C**2) / L**2)
