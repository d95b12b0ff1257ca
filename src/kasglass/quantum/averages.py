"""Infinite-time averages (diagonal ensemble, with numerical degeneracies) and exact time
evolution of Z expectation values from product states.

The infinite-time average of <A(t)> from |psi> is sum_G <psi|P_G A P_G|psi>, with P_G the
projector on the eigenspace G. Levels closer than ``tol`` are grouped into one eigenspace
(numerical degeneracy): every process faster than 1/tol is dephased, every slower one stays
frozen. Basis conventions: :mod:`kasglass.quantum.linalg`.
"""

from __future__ import annotations

import numpy as np

from .linalg import z_table


def degenerate_groups(E: np.ndarray, tol: float) -> list[tuple[int, int]]:
    """Runs [a, b) of ascending eigenvalues E with consecutive gaps <= tol (runs of length > 1)."""
    gaps = np.flatnonzero(np.diff(E) > tol)
    starts = np.concatenate([[0], gaps + 1])
    ends = np.concatenate([gaps + 1, [len(E)]])
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a > 1]


def infinite_time_probabilities(E, V, C, tol, block=2048):
    """Basis-state probabilities of the infinite-time averaged state, sum_G |P_G psi|^2.

    Parameters
    ----------
    E : ndarray, shape (n,)
        Ascending eigenvalues.
    V : ndarray, shape (n, n), float64
        Orthonormal eigenvectors (columns).
    C : ndarray, shape (n, m), float64
        Eigenbasis amplitudes V^T psi of m real initial states.
    tol : float
        Levels closer than tol form one eigenspace G.

    Returns
    -------
    W : ndarray, shape (n, m)
        W[b, j] = sum_G |(P_G psi_j)_b|^2; each column sums to 1.
    """
    n = V.shape[0]
    C2 = C * C
    W = np.empty((n, C.shape[1]))
    for a in range(0, n, block):
        Vb = V[a : a + block]
        W[a : a + block] = (Vb * Vb) @ C2
    for a, b in degenerate_groups(E, tol):
        VG, CG = V[:, a:b], C[a:b]
        W -= (VG * VG) @ (CG * CG)
        W += (VG @ CG) ** 2
    return W


def diagonal_ensemble_z(E, V, states, n_spins, tol=1e-10):
    """Infinite-time averages <Z_i> from basis states ``states``, shape (n_spins, len(states)).

    Conventions and the treatment of degeneracies: see the module docstring.
    """
    states = np.atleast_1d(np.asarray(states, dtype=np.int64))
    C = np.ascontiguousarray(V[states, :].T)
    W = infinite_time_probabilities(E, V, C, tol)
    return z_table(n_spins).T @ W


def z_expectations(E, V, states, n_spins, times, chunk=None):
    """<Z_i(t)> from basis states by exact evolution, shape (len(times), n_spins, len(states)).

    psi(t) = V exp(-i E t) V^T |s>; one (n x n) @ (n x m) product per block of times.
    """
    states = np.atleast_1d(np.asarray(states, dtype=np.int64))
    C = V[states, :].T  # (n, m)
    n, m = C.shape
    times = np.asarray(times, dtype=np.float64)
    zt = z_table(n_spins).T  # (l, n)
    if chunk is None:
        chunk = max(1, int(2**24 // max(n * m, 1)))
    out = np.empty((len(times), n_spins, m))
    Es = E - E.mean()  # global phase: smaller arguments, same probabilities
    for a in range(0, len(times), chunk):
        tt = times[a : a + chunk]
        ph = np.outer(Es, tt)  # (n, T)
        cos = (np.cos(ph)[:, :, None] * C[:, None, :]).reshape(n, -1)
        sin = (np.sin(ph)[:, :, None] * C[:, None, :]).reshape(n, -1)
        pr = (V @ cos) ** 2 + (V @ sin) ** 2  # (n, T*m)
        out[a : a + len(tt)] = (zt @ pr).reshape(n_spins, len(tt), m).transpose(1, 0, 2)
    return out


def log_time_grid(t_min: float, t_max: float, n_times: int) -> np.ndarray:
    """t = 0 followed by n_times log-spaced times from t_min to t_max."""
    return np.concatenate([[0.0], np.logspace(np.log10(t_min), np.log10(t_max), int(n_times))])
