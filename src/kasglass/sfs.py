"""Single-spin-flip-stable (SFS) states by zero-temperature relaxation.

Conventions
-----------
Classical part of H = sum_{i<j} K_ij Z_i Z_j (Z_i = +-1, K symmetric, zero diagonal; see
:mod:`kasglass.couplings`). Local field phi_i = sum_{j != i} K_ij Z_j, energy
E = (1/2) sum_i Z_i phi_i.
Flipping spin k changes E by -2 Z_k phi_k, so a spin with Z_k phi_k > 0 ("aligned with its field")
is unstable and flipping it strictly lowers E. An SFS state has Z_i phi_i < 0 for every i.

Flip orders (``sfs_order``; the paper does not say which it used):
- ``random`` (default): flip a spin chosen uniformly among the currently unstable ones; the
  choice is drawn from a splitmix64 stream (:mod:`kasglass.rng`) seeded per realization and alpha;
- ``sweep``: sequential passes i = 0..L-1, flipping every spin that is unstable when visited,
  until a full pass flips nothing;
- ``greedy``: always flip the spin with the largest Z_i phi_i.

Fields are updated incrementally (O(L) per flip: phi_i -= 2 Z_k K_ik); at the end they are
recomputed exactly and relaxation resumes if rounding left any spin unstable, so the returned state
is SFS with respect to exactly computed fields.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .couplings import fill_J_row, pair_fields
from .rng import PySplitMix64, uniform_index

ORDERS = {"random": 0, "sweep": 1, "greedy": 2}


def order_code(order: str) -> int:
    """Integer code of an SFS flip order; raises a clear error for unknown names."""
    try:
        return ORDERS[order]
    except KeyError:
        raise ValueError(f"sfs_order must be one of {sorted(ORDERS)}; got {order!r}") from None


@njit(cache=True)
def _flip_row(Mk, wf, Z, phi, k):
    """Flip spin k and update all fields with couplings K_ki = Mk[i] * wf[i - k + L - 1] (Mk: row
    k of the raw couplings); returns the number of unstable spins afterwards."""
    zk = Z[k]
    Z[k] = -zk
    L = Z.shape[0]
    two_zk = 2.0 * zk
    wk = wf[L - 1 - k : 2 * L - 1 - k]  # views indexed by the loop variable: the loop vectorizes
    n_unstable = 0
    for i in range(L):
        phi[i] -= two_zk * (Mk[i] * wk[i])
        if Z[i] * phi[i] > 0.0:
            n_unstable += 1
    return n_unstable


@njit(cache=True)
def _flip_row_count(Mk, wf, Z, phi, k):
    """:func:`_flip_row` as two loops that vectorize (the field update, then the count of
    unstable spins); the same fields and count."""
    zk = Z[k]
    Z[k] = -zk
    L = Z.shape[0]
    two_zk = 2.0 * zk
    wk = wf[L - 1 - k : 2 * L - 1 - k]
    for i in range(L):
        phi[i] -= two_zk * (Mk[i] * wk[i])
    return _n_unstable(Z, phi)


@njit(cache=True, inline="always")
def _n_unstable(Z, phi):
    n = 0
    for i in range(Z.shape[0]):
        n += Z[i] * phi[i] > 0.0
    return n


@njit(cache=True, inline="always")
def _mth_unstable(Z, phi, m):
    """Index of the m-th (from 0) unstable spin in index order (a scan that stops there)."""
    c = -1
    for i in range(Z.shape[0]):
        c += Z[i] * phi[i] > 0.0
        if c == m:
            return i
    return -1


@njit(cache=True)
def _flip(M, wf, Z, phi, k):
    """Flip spin k and update all fields with couplings K_ki = M[k, i] * wf[i - k + L - 1];
    returns the number of unstable spins afterwards."""
    return _flip_row(M[k], wf, Z, phi, k)


@njit(cache=True, inline="always")
def _row_of(M, key, L, k, buf, miss):
    """Row k of the raw couplings of L spins: M[k] (dense path), or regenerated into buf[:L] from
    the stream ``key`` when M is empty (matrix-free path, :func:`kasglass.couplings.fill_J_row`)."""
    if M.shape[0] == 0:
        row = buf[:L]
        fill_J_row(key, L, k, row, miss)
        return row
    return M[k]


@njit(cache=True)
def fields_w(M, wf, Z):
    """phi_i = sum_j K_ij Z_j with K_ij = M[i, j] * wf[j - i + L - 1] (M and wf symmetric).

    Accumulated row by row (phi += Z_j K_j.), a contiguous loop that vectorizes; the sum over j
    runs in index order for every i, so the result is deterministic.
    """
    L = Z.shape[0]
    phi = np.zeros(L)
    for j in range(L):
        zj = Z[j]
        Mj = M[j]
        wj = wf[L - 1 - j : 2 * L - 1 - j]
        for i in range(L):
            phi[i] += (Mj[i] * wj[i]) * zj
    return phi


@njit(cache=True)
def _relax_inplace(M, wf, Z, phi, order, state, flips_out, n_flips):
    """Single flips until no spin is unstable with the incrementally updated fields (dense M)."""
    no_buf = np.empty(0, np.float64)
    no_miss = np.empty(1, np.int64)
    return _relax_core(
        M, np.uint64(0), wf, Z, phi, order, state, flips_out, n_flips, no_buf, no_miss
    )


@njit(cache=True)
def _relax_core(M, key, wf, Z, phi, order, state, flips_out, n_flips, buf, miss):
    """:func:`_relax_inplace` with the rows of M, or, when M is empty, the rows regenerated from
    the coupling stream ``key`` into ``buf`` (length >= L): the same arithmetic on the same values,
    so both paths make the same choices and end in the same state bit for bit."""
    L = Z.shape[0]
    n_rec = flips_out.shape[0]
    if order == 1:  # sweep
        changed = True
        while changed:
            changed = False
            for i in range(L):
                if Z[i] * phi[i] > 0.0:
                    _flip_row(_row_of(M, key, L, i, buf, miss), wf, Z, phi, i)
                    if n_flips < n_rec:
                        flips_out[n_flips] = i
                    n_flips += 1
                    changed = True
        return n_flips, state
    if order == 0:  # random: the m-th unstable spin in index order
        n_unstable = _n_unstable(Z, phi)
        while n_unstable > 0:
            state, m = uniform_index(state, n_unstable)
            k = _mth_unstable(Z, phi, m)
            n_unstable = _flip_row_count(_row_of(M, key, L, k, buf, miss), wf, Z, phi, k)
            if n_flips < n_rec:
                flips_out[n_flips] = k
            n_flips += 1
        return n_flips, state
    n_unstable = 0
    for i in range(L):
        if Z[i] * phi[i] > 0.0:
            n_unstable += 1
    while n_unstable > 0:  # greedy: the spin with the largest Z_i phi_i (the first if tied)
        k = -1
        best = 0.0
        for i in range(L):
            f = Z[i] * phi[i]
            if f > best:
                best = f
                k = i
        n_unstable = _flip_row(_row_of(M, key, L, k, buf, miss), wf, Z, phi, k)
        if n_flips < n_rec:
            flips_out[n_flips] = k
        n_flips += 1
    return n_flips, state


@njit(cache=True)
def relax_from(M, wf, Z, phi, order, seed, flips_out):
    """:func:`relax_w` starting from known fields ``phi`` = fields_w(M, wf, Z) (overwritten)."""
    state = np.uint64(seed)
    n_flips = 0
    while True:
        n_flips, state = _relax_inplace(M, wf, Z, phi, order, state, flips_out, n_flips)
        phi = fields_w(M, wf, Z)  # exact recomputation; resume if rounding hid an unstable spin
        stable = True
        for i in range(Z.shape[0]):
            if Z[i] * phi[i] > 0.0:
                stable = False
                break
        if stable:
            return phi, n_flips


@njit(cache=True)
def relax_w(M, wf, Z, order, seed, flips_out):
    """Relax Z to an SFS state with couplings K_ij = M[i, j] * wf[j - i + L - 1].

    This form lets the shard runner keep only the symmetric matrix of raw Gaussians J and the
    distance weights of one alpha (``wf`` from :func:`kasglass.couplings.offset_weights`), instead
    of a second L x L matrix K per alpha. Same contract as :func:`relax`; fields are recomputed
    exactly with :func:`fields_w`.
    """
    return relax_from(M, wf, Z, fields_w(M, wf, Z), order, seed, flips_out)


@njit(cache=True)
def relax_matrix_free(key, wf, Z, order, seed):
    """:func:`relax_w` without the matrix: the couplings are regenerated from the stream ``key``
    (row k of J when spin k flips, all pairs for the exact field passes). O(L) memory.

    Returns (phi, n_flips), bit for bit those of ``relax_w(raw_coupling_matrix(key, L), wf, Z,
    order, seed, empty)``; costs about L^2 normals for the two field passes plus L per flip.
    """
    L = Z.shape[0]
    buf = np.empty(L, np.float64)
    miss = np.empty(256, np.int64)
    wfs = wf.reshape(1, -1)
    Zs = Z.reshape(1, -1)  # a view: Z is updated in place
    phis = np.empty((1, L), np.float64)
    pair_fields(key, L, wfs, Zs, phis, buf, miss)
    phi = phis[0].copy()
    empty_M = np.empty((0, 0), np.float64)
    no_rec = np.empty(0, np.int64)
    state = np.uint64(seed)
    n_flips = 0
    while True:
        n_flips, state = _relax_core(
            empty_M, key, wf, Z, phi, order, state, no_rec, n_flips, buf, miss
        )
        pair_fields(key, L, wfs, Zs, phis, buf, miss)
        phi = phis[0].copy()
        stable = True
        for i in range(L):
            if Z[i] * phi[i] > 0.0:
                stable = False
                break
        if stable:
            return phi, n_flips


@njit(cache=True)
def relax(K, Z, order, seed, flips_out):
    """Relax Z (float64 +-1, modified in place) to an SFS state.

    Parameters
    ----------
    K : ndarray, shape (L, L), float64
        Symmetric couplings with zero diagonal.
    Z : ndarray, shape (L,), float64
        Initial spins (+-1); overwritten by the SFS state.
    order : int
        0 random, 1 sweep, 2 greedy (see :data:`ORDERS`).
    seed : int
        Seed of the splitmix64 stream for the random order (ignored otherwise).
    flips_out : ndarray of int64
        The first ``len(flips_out)`` flipped sites are recorded here (pass an empty array to skip).

    Returns
    -------
    phi : ndarray, shape (L,)
        Exactly recomputed fields K @ Z of the final state.
    n_flips : int
        Number of spin flips performed.
    """
    wf = np.ones(2 * Z.shape[0] - 1)
    return relax_w(K, wf, Z, order, seed, flips_out)


def relax_reference(K: np.ndarray, Z0: np.ndarray, order: str, seed: int):
    """Slow numpy reference: fields recomputed from scratch (phi = K @ Z) before every choice.

    Makes the same choices as :func:`relax` from the same seed (same splitmix64 stream, the m-th
    unstable spin in index order). Returns (Z, phi, n_flips, energies), energies[t] being the
    exact classical energy after t flips.
    """
    code = order_code(order)
    if code == 1:
        return sweep_reference(K, Z0)
    Z = np.array(Z0, dtype=np.float64)
    rng = PySplitMix64(seed)
    energies = [0.5 * Z @ (K @ Z)]
    n_flips = 0
    while True:
        phi = K @ Z
        f = Z * phi
        unstable = np.flatnonzero(f > 0)
        if len(unstable) == 0:
            return Z, phi, n_flips, np.array(energies)
        if code == 2:
            k = int(unstable[np.argmax(f[unstable])])
        else:
            k = int(unstable[rng.index(len(unstable))])
        Z[k] = -Z[k]
        n_flips += 1
        energies.append(0.5 * Z @ (K @ Z))


def sweep_reference(K: np.ndarray, Z0: np.ndarray):
    """Slow reference of the sweep order: passes over sites, each field recomputed when visited.

    Returns (Z, phi, n_flips, energies) like :func:`relax_reference`.
    """
    Z = np.array(Z0, dtype=np.float64)
    L = len(Z)
    energies = [0.5 * Z @ (K @ Z)]
    n_flips = 0
    changed = True
    while changed:
        changed = False
        for i in range(L):
            if Z[i] * (K[i] @ Z) > 0:
                Z[i] = -Z[i]
                n_flips += 1
                changed = True
                energies.append(0.5 * Z @ (K @ Z))
    return Z, K @ Z, n_flips, np.array(energies)


def pack_spins(Z: np.ndarray) -> bytes:
    """Pack +-1 spins as bits (1 = up), little bit order; length ceil(L/8) bytes."""
    return np.packbits(np.asarray(Z) > 0, bitorder="little").tobytes()


def unpack_spins(b: bytes, L: int) -> np.ndarray:
    """Inverse of :func:`pack_spins`: float64 +-1 array of length L."""
    bits = np.unpackbits(np.frombuffer(b, dtype=np.uint8), count=L, bitorder="little")
    return bits.astype(np.float64) * 2.0 - 1.0


def load_state_range(paths, alphas, ensembles, lo: int, hi: int, L: int | None = None) -> dict:
    """Stored states of realizations lo..hi-1 for every (alpha, ensemble), reading the files once.

    Parameters
    ----------
    paths : list of path
        SFS shard ``*.states.parquet`` files that together hold realizations [lo, hi) (others may
        hold more; they are ignored).
    alphas : sequence of float
    ensembles : sequence of {"random", "sfs"}
    lo, hi : int
    L : int, optional
        Expected system size (checked against the files).

    Returns
    -------
    dict
        ``{(alpha, ensemble): (realizations, Z)}`` with realizations lo..hi-1 (int64) and Z of
        shape (hi - lo, L), float64 +-1, as consumed by the avalanche, two-spin and cluster
        stages (see :func:`shard_realizations`).
    """
    from .io import read_tables

    df = read_tables(list(paths))
    if len(df) and L is not None and set(df["L"].unique()) != {int(L)}:
        raise ValueError(
            f"state files {list(paths)} hold L = {sorted(df['L'].unique())}, expected {L}"
        )
    df = df[(df["realization"] >= int(lo)) & (df["realization"] < int(hi))]
    out = {}
    for a in alphas:
        for e in ensembles:
            d = df[np.isclose(df["alpha"], float(a)) & (df["ensemble"] == e)]
            d = d.sort_values("realization")
            r = d["realization"].to_numpy(np.int64)
            if not np.array_equal(r, np.arange(int(lo), int(hi))):
                raise ValueError(
                    f"stored {e} states for alpha={a}: realizations {int(lo)}..{int(hi) - 1} "
                    f"needed, {len(r)} found in {list(paths)}; the SFS stage was planned for "
                    "another demand (rerun the workflow)"
                )
            n = int(d["L"].iloc[0]) if len(d) else int(L or 0)
            Z = np.stack([unpack_spins(b, n) for b in d["state"]]) if len(d) else np.zeros((0, n))
            out[(float(a), e)] = (r, Z)
    return out


def shard_realizations(states: dict) -> np.ndarray:
    """The realization indices shared by every (alpha, ensemble) entry of a state shard."""
    reals = None
    for rr in (np.asarray(v[0]) for v in states.values()):
        if reals is None:
            reals = rr
        elif not np.array_equal(rr, reals):
            raise ValueError(
                "all (alpha, ensemble) state sets of a shard must list the same realizations"
            )
    return np.asarray(reals if reals is not None else [], dtype=np.int64)


def check_stored_sfs(Z, phi, L: int, r: int, alpha: float, tol: float = 1e-9) -> None:
    """Raise if a stored SFS state is not single-spin-flip stable with regenerated fields phi
    (``tol`` absorbs the rounding of a different summation order)."""
    if np.any(Z * phi > tol):
        raise ValueError(
            f"stored SFS state L={L} r={r} alpha={alpha} is not single-spin-flip stable with the "
            "regenerated couplings: the SFS stage used another seed or model setting"
        )
