"""Two-spin-flip-stable (2FS) states by zero-temperature relaxation with single and pair flips.

Conventions
-----------
As in :mod:`kasglass.sfs`: classical part of H = sum_{i<j} K_ij Z_i Z_j (Z_i = +-1 float64, K
symmetric, zero diagonal; see :mod:`kasglass.couplings`), local fields phi_i = sum_{j != i} K_ij
Z_j, energy E = (1/2) sum_i Z_i phi_i. The kernels take K in the factored form
K_ij = M[i, j] * wf[j - i + L - 1] (M symmetric raw Gaussians, wf the offset weights of one alpha,
:func:`kasglass.couplings.offset_weights`); :func:`relax2` takes a dense K (wf = ones).

With f_i = Z_i phi_i and g_ij = K_ij Z_i Z_j,

- flipping spin k changes E by -2 f_k (it lowers E iff f_k > 0);
- flipping the pair (i, j), i != j, changes E by

      Delta E_ij = -2 f_i - 2 f_j + 4 g_ij = -2 d_ij,   d_ij = f_i + f_j - 2 g_ij

  (the bond between i and j is unchanged by the pair flip: -2 f_i - 2 f_j counts it twice, +4 g_ij
  takes it back). The pair lowers E iff d_ij > 0.

A state is *2FS* when no single flip and no pair flip lowers the energy: f_i <= 0 for every i (it
is SFS, :mod:`kasglass.sfs`) and Delta E_ij >= 0 for every i < j. (With continuous couplings
f_i = 0 or Delta E_ij = 0 has probability zero; the kernels treat such marginal moves as stable.)

Relaxation (:func:`relax2_from`)
--------------------------------
Repeat: relax to an SFS state with single flips (:func:`kasglass.sfs._relax_inplace`, the SFS
order ``sfs_order`` of :data:`kasglass.sfs.ORDERS`); list the energy-lowering pairs (d_ij > 0); if
there is none, stop; otherwise choose one by the pair order ``pair_order`` and flip both spins (two
O(L) field updates, :func:`kasglass.sfs._flip`). Finally the fields are recomputed exactly
(:func:`kasglass.sfs.fields_w`) and the state is checked again against every single and pair move;
if rounding of the incremental fields hid an unstable move, relaxation resumes (as
:func:`kasglass.sfs.relax_from` does). The returned state is 2FS with respect to exactly computed
fields.

Pair orders (``pair_order``, :data:`PAIR_ORDERS`; the paper does not state one):

- ``random`` (default): uniformly among the currently energy-lowering pairs: the m-th such pair in
  row-major (i < j) order, m = :func:`kasglass.rng.uniform_index` (state, n_pairs);
- ``sweep``: the first energy-lowering pair in row-major order (each scan starts at (0, 1));
- ``greedy``: the pair with the most negative Delta E_ij (largest d_ij; ties: first in row-major
  order).

One random stream: a single splitmix64 state, seeded with ``seed``, serves both the random SFS
order (one draw per single flip) and the random pair order (one draw per pair move), in the order
in which the moves are made. Orders that are not random draw nothing, so e.g. ``("sweep",
"random")`` uses the stream for pair moves only.

Termination: every move (single or pair) strictly lowers the energy and the state space is finite
(2^L states), so no state is visited twice and the relaxation stops, in a 2FS state.

The pair scan
-------------
A full scan is O(L^2) per pair move; it is pruned with bounds that hold because the couplings do
not change during a relaxation and the scan runs only in SFS states (f <= 0, so
d_ij <= 2 |K_ij| - |f_i| - |f_j|): a pair can lower E only if |f_i| + |f_j| < 2 |K_ij|. Computed
once per call: the row maxima maxK_i = max_{j>i} |K_ij| and, for a threshold t0 (a fixed fraction
of the field scale sigma = sqrt(sum_ij K_ij^2 / L)), the sorted list of partners j > i with
|K_ij| > t0. In a scan, row i is skipped when |f_i| >= 2 maxK_i; when |f_i| >= 2 t0 only the listed
partners can qualify; only the few rows with |f_i| < 2 t0 (SFS states have a pseudo-gap at f = 0)
are scanned in full. For the KAS couplings at alpha = 0.6 about 78 % of the rows are skipped, 1-2 %
are scanned in full and the rest visit about 15 listed partners, so a scan costs O(L) rather than
O(L^2). The pairs are still visited in row-major order, so the choices are those of
the unpruned scan (:func:`relax2_reference`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .rng import PySplitMix64, uniform_index
from .sfs import _flip, _relax_inplace, fields_w, order_code

PAIR_ORDERS = {"random": 0, "sweep": 1, "greedy": 2}

# t0 = _T0_FRACTION * sigma: partners with |K_ij| > t0 are listed (about 15 per row for the KAS
# couplings at alpha = 0.6); rows with |f_i| < 2 t0 are scanned in full.
_T0_FRACTION = 1.0 / 16.0


def pair_order_code(order: str) -> int:
    """Integer code of a pair order; raises a clear error for unknown names."""
    try:
        return PAIR_ORDERS[order]
    except KeyError:
        raise ValueError(
            f"pair_order must be one of {sorted(PAIR_ORDERS)}; got {order!r}"
        ) from None


@njit(cache=True)
def _pair_bounds(M, wf, t0_fraction):
    """Constant bounds of the pair scan: (maxk, t0, rowptr, cols).

    maxk[i] = max_{j>i} |K_ij|; t0 = t0_fraction * sqrt(sum_{i != j} K_ij^2 / L); the partners
    j > i of row i with |K_ij| > t0 are cols[rowptr[i]:rowptr[i + 1]], ascending.
    """
    L = M.shape[0]
    maxk = np.zeros(L)
    ss = 0.0
    for i in range(L):
        Mi = M[i]
        wi = wf[L - 1 - i : 2 * L - 1 - i]
        m = 0.0
        s = 0.0
        for j in range(i + 1, L):
            a = abs(Mi[j] * wi[j])
            m = max(m, a)
            s += a * a
        maxk[i] = m
        ss += s
    t0 = t0_fraction * np.sqrt(2.0 * ss / max(L, 1))
    rowptr = np.zeros(L + 1, dtype=np.int64)
    for i in range(L):
        Mi = M[i]
        wi = wf[L - 1 - i : 2 * L - 1 - i]
        n = 0
        for j in range(i + 1, L):
            if abs(Mi[j] * wi[j]) > t0:
                n += 1
        rowptr[i + 1] = rowptr[i] + n
    cols = np.empty(rowptr[L], dtype=np.int32)
    for i in range(L):
        Mi = M[i]
        wi = wf[L - 1 - i : 2 * L - 1 - i]
        p = rowptr[i]
        for j in range(i + 1, L):
            if abs(Mi[j] * wi[j]) > t0:
                cols[p] = j
                p += 1
    return maxk, t0, rowptr, cols


@njit(cache=True)
def _pair_scan(M, wf, Z, phi, maxk, t0, rowptr, cols, mode, buf):
    """Energy-lowering pairs (d_ij > 0, i < j) of an SFS state (all Z_i phi_i <= 0).

    mode 0 (random): all of them, in row-major order, into buf (grown as needed);
    mode 1 (sweep): the first one; mode 2 (greedy): the one with the largest d_ij (first on ties).
    Returns (n, buf): n the number of pairs written to buf[:n] (0 or 1 for modes 1 and 2).
    """
    L = Z.shape[0]
    f = np.empty(L)
    for i in range(L):
        f[i] = Z[i] * phi[i]
    two_t0 = 2.0 * t0
    n = 0
    best = 0.0
    for i in range(L):
        fi = f[i]
        afi = -fi
        if afi >= 2.0 * maxk[i]:  # no partner j > i has 2 |K_ij| > |f_i|
            continue
        zi2 = 2.0 * Z[i]
        Mi = M[i]
        wi = wf[L - 1 - i : 2 * L - 1 - i]
        sparse = afi >= two_t0  # partners with |K_ij| <= t0 cannot qualify
        p0 = rowptr[i] if sparse else i + 1
        p1 = rowptr[i + 1] if sparse else L
        for p in range(p0, p1):
            j = np.int64(cols[p]) if sparse else p
            d = fi + f[j] - zi2 * Z[j] * (Mi[j] * wi[j])
            if d > 0.0:
                if mode == 0:
                    if n == buf.shape[0]:
                        nb = np.empty((2 * n, 2), dtype=np.int64)
                        nb[:n] = buf
                        buf = nb
                    buf[n, 0] = i
                    buf[n, 1] = j
                    n += 1
                elif mode == 1:
                    buf[0, 0] = i
                    buf[0, 1] = j
                    return 1, buf
                elif d > best:
                    best = d
                    buf[0, 0] = i
                    buf[0, 1] = j
                    n = 1
    return n, buf


@njit(cache=True)
def relax2_from(M, wf, Z, phi, sfs_order, pair_order, seed):
    """Relax Z (float64 +-1, modified in place) to a 2FS state, from known fields.

    Parameters
    ----------
    M : ndarray, shape (L, L), float64
        Symmetric raw couplings with zero diagonal; K_ij = M[i, j] * wf[j - i + L - 1].
    wf : ndarray, shape (2L - 1,), float64
        Offset weights (:func:`kasglass.couplings.offset_weights`).
    Z : ndarray, shape (L,), float64
        Initial spins (+-1), e.g. a stored SFS state; overwritten by the 2FS state.
    phi : ndarray, shape (L,), float64
        Fields of the initial state, ``fields_w(M, wf, Z)`` (overwritten).
    sfs_order : int
        Single-flip order: 0 random, 1 sweep, 2 greedy (:data:`kasglass.sfs.ORDERS`).
    pair_order : int
        Pair order: 0 random, 1 sweep, 2 greedy (:data:`PAIR_ORDERS`).
    seed : int
        Seed of the one splitmix64 stream of both random orders (unused if neither is random).

    Returns
    -------
    phi : ndarray, shape (L,)
        Exactly recomputed fields of the final state.
    n_single : int
        Number of single-spin flips.
    n_pair : int
        Number of pair moves (each flips two spins).
    """
    state = np.uint64(seed)
    no_rec = np.empty(0, dtype=np.int64)
    maxk, t0, rowptr, cols = _pair_bounds(M, wf, _T0_FRACTION)
    buf = np.empty((64, 2), dtype=np.int64)
    n_single = 0
    n_pair = 0
    L = Z.shape[0]
    while True:
        while True:
            n_single, state = _relax_inplace(M, wf, Z, phi, sfs_order, state, no_rec, n_single)
            n, buf = _pair_scan(M, wf, Z, phi, maxk, t0, rowptr, cols, pair_order, buf)
            if n == 0:
                break
            m = 0
            if pair_order == 0:
                state, m = uniform_index(state, n)
            _flip(M, wf, Z, phi, buf[m, 0])
            _flip(M, wf, Z, phi, buf[m, 1])
            n_pair += 1
        # exact recomputation; resume if rounding hid an unstable single or pair move
        phi = fields_w(M, wf, Z)
        stable = True
        for i in range(L):
            if Z[i] * phi[i] > 0.0:
                stable = False
                break
        if stable:
            n, buf = _pair_scan(M, wf, Z, phi, maxk, t0, rowptr, cols, 1, buf)
            if n == 0:
                return phi, n_single, n_pair


@njit(cache=True)
def relax2(K, Z, sfs_order, pair_order, seed):
    """:func:`relax2_from` with a dense symmetric K (zero diagonal) and fields computed here.

    Returns (phi, n_single, n_pair) like :func:`relax2_from`; Z is modified in place.
    """
    wf = np.ones(2 * Z.shape[0] - 1)
    return relax2_from(K, wf, Z, fields_w(K, wf, Z), sfs_order, pair_order, seed)


def _lowering_pairs(K: np.ndarray, Z: np.ndarray, phi: np.ndarray):
    """(i, j, d) of the pairs i < j with d_ij = f_i + f_j - 2 K_ij Z_i Z_j > 0, row-major."""
    f = Z * phi
    D = f[:, None] + f[None, :] - 2.0 * (K * np.outer(Z, Z))
    i, j = np.nonzero(np.triu(D > 0.0, 1))  # C order: row-major
    return i, j, D[i, j]


def relax2_reference(K: np.ndarray, Z0: np.ndarray, sfs_order: str, pair_order: str, seed: int):
    """Slow numpy reference of :func:`relax2`: fields recomputed from scratch before every choice.

    Makes the same choices as :func:`relax2` from the same seed: one splitmix64 stream
    (:class:`kasglass.rng.PySplitMix64`) for both random orders, the m-th unstable spin in index
    order and the m-th energy-lowering pair in row-major order. The SFS phases mirror
    :func:`kasglass.sfs.relax_reference` (``sweep``: :func:`kasglass.sfs.sweep_reference`, each
    field recomputed when its site is visited).

    Returns
    -------
    Z : ndarray
        Final (2FS) state.
    phi : ndarray
        K @ Z of the final state.
    n_single, n_pair : int
        Numbers of single flips and of pair moves.
    energies : ndarray, shape (1 + n_single + n_pair,)
        Exact energy of the initial state and after every move (single or pair), in move order.
    """
    sc = order_code(sfs_order)
    pc = pair_order_code(pair_order)
    K = np.asarray(K, dtype=np.float64)
    Z = np.array(Z0, dtype=np.float64)
    L = len(Z)
    rng = PySplitMix64(seed)

    def energy():
        return 0.5 * Z @ (K @ Z)

    energies = [energy()]
    n_single = n_pair = 0
    while True:
        if sc == 1:  # sweep
            changed = True
            while changed:
                changed = False
                for i in range(L):
                    if Z[i] * (K[i] @ Z) > 0:
                        Z[i] = -Z[i]
                        n_single += 1
                        changed = True
                        energies.append(energy())
        else:
            while True:
                f = Z * (K @ Z)
                unstable = np.flatnonzero(f > 0)
                if len(unstable) == 0:
                    break
                if sc == 2:
                    k = int(unstable[np.argmax(f[unstable])])
                else:
                    k = int(unstable[rng.index(len(unstable))])
                Z[k] = -Z[k]
                n_single += 1
                energies.append(energy())
        phi = K @ Z
        pi, pj, d = _lowering_pairs(K, Z, phi)
        if len(pi) == 0:
            return Z, phi, n_single, n_pair, np.array(energies)
        if pc == 0:
            m = rng.index(len(pi))
        elif pc == 1:
            m = 0
        else:
            m = int(np.argmax(d))
        Z[pi[m]] = -Z[pi[m]]
        Z[pj[m]] = -Z[pj[m]]
        n_pair += 1
        energies.append(energy())


def is_two_flip_stable(K: np.ndarray, Z: np.ndarray, tol: float = 1e-12) -> bool:
    """Brute-force check that Z is 2FS: every single flip and every pair flip changes the energy
    by >= -tol (the change of every move computed from phi = K @ Z; numpy, O(L^2) memory)."""
    K = np.asarray(K, dtype=np.float64)
    Z = np.asarray(Z, dtype=np.float64)
    f = Z * (K @ Z)
    if np.any(-2.0 * f < -tol):
        return False
    dE = -2.0 * f[:, None] - 2.0 * f[None, :] + 4.0 * (K * np.outer(Z, Z))
    iu = np.triu_indices(len(Z), 1)
    return bool(np.all(dE[iu] >= -tol))
