"""Matrix-free time averaging by Chebyshev propagation, for spin systems too large for dense
diagonalization: H = diag - h_x sum_i X_i applied in O(2^l l) per product (numba).

Basis conventions: :mod:`kasglass.quantum.linalg`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .linalg import z_table


@njit(cache=True)
def _apply_h(diag, h_x, n_spins, x, out):
    """out = H x for H = diag(diag) - h_x sum_i X_i (complex vectors of length 2**n_spins)."""
    n = x.shape[0]
    for s in range(n):
        acc = diag[s] * x[s]
        for i in range(n_spins):
            acc -= h_x * x[s ^ (1 << i)]
        out[s] = acc


def classical_diagonal(K: np.ndarray, h_z: np.ndarray | None = None) -> np.ndarray:
    """Diagonal of H in the Z basis: sum_{i<j} K_ij z_i z_j + sum_i h_z[i] z_i, shape (2**l,)."""
    from ..ed.hamiltonian import diagonal_energies

    return diagonal_energies(K, z_table(K.shape[0]), h_z)


@njit(cache=True)
def _cheb_average(psi, dsc, hsc, n_spins, coef, phase, n_steps):
    """Trapezoidal average of |psi(t_k)|^2 over t_k = k dt, k = 0..n_steps (numba).

    One step applies sum_k coef[k] T_k(H_sc) (Chebyshev recurrence on the scaled H_sc =
    diag(dsc) - hsc sum_i X_i), times a global phase.
    """
    n = psi.shape[0]
    acc = np.zeros(n)
    t0 = np.empty(n, dtype=np.complex128)
    t1 = np.empty(n, dtype=np.complex128)
    t2 = np.empty(n, dtype=np.complex128)
    new = np.empty(n, dtype=np.complex128)
    n_terms = coef.shape[0]
    w_sum = 0.0
    for step in range(n_steps + 1):
        w = 0.5 if (step == 0 or step == n_steps) else 1.0
        for b in range(n):
            acc[b] += w * (psi[b].real ** 2 + psi[b].imag ** 2)
        w_sum += w
        if step == n_steps:
            break
        for b in range(n):
            t0[b] = psi[b]
        _apply_h(dsc, hsc, n_spins, t0, t1)
        for b in range(n):
            new[b] = coef[0] * t0[b] + coef[1] * t1[b]
        for k in range(2, n_terms):
            _apply_h(dsc, hsc, n_spins, t1, t2)
            ck = coef[k]
            for b in range(n):
                v = 2.0 * t2[b] - t0[b]
                t2[b] = v
                new[b] += ck * v
            t0, t1, t2 = t1, t2, t0
        for b in range(n):
            psi[b] = phase * new[b]
    return acc / w_sum


def chebyshev_time_average_z(diag, h_x, n_spins, s0, t_max, dt=None, n_terms=None):
    """Time average over [0, t_max] of <Z_i(t)> from basis state s0, by Chebyshev propagation.

    H = diag - h_x sum_i X_i is applied matrix-free (O(2^l l) per product, numba). The evolution
    over one step dt uses a fixed Chebyshev expansion of exp(-i H dt) (Bessel coefficients); the
    average is the trapezoidal mean over the uniform grid t_k = k dt, with dt small enough that no
    level difference aliases (default dt = 0.9 pi / half-bandwidth). It approaches the diagonal
    ensemble as
    t_max -> infinity, up to contributions of level pairs closer than ~1/t_max.

    Returns
    -------
    zbar : ndarray, shape (n_spins,)
    n_matvec : int
    """
    from scipy.special import jv

    n = 2**n_spins
    diag = np.asarray(diag, dtype=np.float64)
    e_lo = diag.min() - h_x * n_spins
    e_hi = diag.max() + h_x * n_spins
    a = max(0.5 * (e_hi - e_lo) * 1.01, 1e-12)
    b = 0.5 * (e_hi + e_lo)
    if dt is None:  # level differences |E_k - E_l| < 2a never alias: 2a dt < 2 pi
        dt = 0.9 * math.pi / a
    n_steps = int(math.ceil(t_max / dt))
    if n_terms is None:  # Bessel J_k(a dt) decays super-exponentially beyond k = a dt
        n_terms = int(a * dt) + 2
        while abs(jv(n_terms, a * dt)) > 1e-17 or n_terms < a * dt + 4:
            n_terms += 1
        n_terms += 2
    coef = np.array([(1 if k == 0 else 2) * (-1j) ** k * jv(k, a * dt) for k in range(n_terms)])
    psi = np.zeros(n, dtype=np.complex128)
    psi[s0] = 1.0
    prob = _cheb_average(
        psi, (diag - b) / a, h_x / a, n_spins, coef, complex(np.exp(-1j * b * dt)), n_steps
    )
    return z_table(n_spins).T @ prob, n_steps * (n_terms - 1)
