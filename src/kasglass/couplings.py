"""Kotliar-Anderson-Stein couplings K_ij = J_ij / d_ij**alpha.

Conventions
-----------
- Sites i = 0..L-1. ``distance="periodic"``: minimum-image ring distance
  d_ij = min(|i-j|, L-|i-j|); ``distance="open"``: d_ij = |i-j|.
- One Gaussian J_ij ~ N(0, 1) per unordered pair i < j: pair (i, j) is normal number
  p = i*L - i*(i+1)/2 + j - i - 1 (row-major upper-triangle order) of the counter-based Gaussian
  stream of the realization's seed (:func:`kasglass.rng.normals`: splitmix64 + numpy's ziggurat),
  so ``draw_J(seed, L)[p]`` is a pure function of (seed, p). The matrix is symmetric by
  construction; an unsymmetrised L x L matrix is never drawn.
- The same J vector serves every alpha (common random numbers).
- ``pair_sum="unordered"``: H_zz = sum_{i<j} K_ij Z_i Z_j (the paper's convention, default);
  ``pair_sum="ordered"``: H_zz = sum_{i != j} K_ij Z_i Z_j, which doubles every K_ij.
- Local fields phi_i = sum_{j != i} K_ij Z_j; the classical energy is E = (1/2) sum_i Z_i phi_i.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .rng import _M64, _fast_or_nan, normal_at, normals, normals_block
from .seeds import derive_seed

DISTANCES = ("periodic", "open")
PAIR_SUMS = ("unordered", "ordered")


def check_alpha(alpha: float) -> float:
    """Validate alpha in (0.5, 1] (the spin-glass range of the model)."""
    a = float(alpha)
    if not (0.5 < a <= 1.0):
        raise ValueError(f"alpha must be in (0.5, 1]; got {alpha}")
    return a


def n_pairs(L: int) -> int:
    """Number of unordered pairs L(L-1)/2."""
    return L * (L - 1) // 2


def distance_matrix(L: int, distance: str = "periodic") -> np.ndarray:
    """Integer distances d_ij, shape (L, L), zero on the diagonal."""
    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {DISTANCES}; got {distance!r}")
    i = np.arange(L)
    d = np.abs(i[:, None] - i[None, :])
    if distance == "periodic":
        d = np.minimum(d, L - d)
    return d


def distance_weights(L: int, alpha: float, distance: str = "periodic", pair_sum: str = "unordered"):
    """w[d] = s * d**(-alpha) for d = 0..L-1 (w[0] = 0), s = 2 for ordered pair sums, else 1."""
    if pair_sum not in PAIR_SUMS:
        raise ValueError(f"pair_sum must be one of {PAIR_SUMS}; got {pair_sum!r}")
    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {DISTANCES}; got {distance!r}")
    w = np.zeros(L, dtype=np.float64)
    d = np.arange(1, L, dtype=np.float64)
    w[1:] = d ** (-float(alpha))
    if pair_sum == "ordered":
        w *= 2.0
    return w


def offset_weights(L: int, alpha: float, distance: str = "periodic", pair_sum: str = "unordered"):
    """Weights by signed offset: wf[m] = s * d**(-alpha) for the pair (i, j = i + m - (L - 1)),
    m = 0..2L-2, with d the (periodic or open) distance of the offset and wf[L - 1] = 0.

    K_ij = J_ij * wf[j - i + L - 1] reproduces :func:`coupling_matrix` bit for bit.
    """
    w = distance_weights(L, alpha, distance, pair_sum)
    m = np.abs(np.arange(2 * L - 1) - (L - 1))
    if distance == "periodic":
        m = np.minimum(m, L - m)
    return w[m]


#: rows per tile of the fill: a tile's upper rows are drawn, then mirrored below the diagonal while
#: still in cache
FILL_TILE = 32

#: up to this L, :func:`fill_fields` draws each tile's rows as one block of the stream
FLAT_FILL_MAX_L = 512


@njit(cache=True, inline="always")
def _mirror_tile(out, i0, i1):
    """out[j, i] = out[i, j] for the rows i in [i0, i1) and every j > i."""
    L = out.shape[0]
    for j in range(i0 + 1, L):
        for i in range(i0, min(j, i1)):
            out[j, i] = out[i, j]


@njit(cache=True)
def _fill_J_matrix(key, L, out):
    """out[i, j] = out[j, i] = normal number p(i, j) of the stream ``key``; zero diagonal.

    Rows of the upper triangle are drawn contiguously (:func:`kasglass.rng.normals_block`) in
    tiles of :data:`FILL_TILE` rows, each tile mirrored below the diagonal right after it is drawn
    (while it is still in cache): :func:`fill_fields` with no fields to compute."""
    none = np.empty((0, L), np.float64)
    fill_fields(key, L, out, np.empty((0, 2 * L - 1), np.float64), none, none)


@njit(cache=True, inline="always")
def pair_index(i, j, L):
    """Stream position p(i, j) = i L - i (i + 1) / 2 + j - i - 1 of the pair i < j (int64)."""
    return i * L - (i * (i + 1)) // 2 + j - i - 1


@njit(cache=True)
def fill_J_row(key, L, k, out, miss):
    """out[j] = J_kj (the row k of :func:`raw_coupling_matrix`, out[k] = 0) regenerated from the
    stream in O(L) time and memory: the matrix-free path. ``miss`` is scratch (int64)."""
    C = 512
    for c0 in range(0, k, C):  # J_jk, j < k: column k of the upper triangle (positions scattered)
        c1 = min(k, c0 + C)
        for j in range(c0, c1):  # vectorizes: NaN marks the fast path's misses
            out[j] = _fast_or_nan(key, pair_index(j, k, L))
        for j in range(c0, c1):
            if out[j] != out[j]:
                out[j] = normal_at(key, pair_index(j, k, L))
    out[k] = 0.0
    if k + 1 < L:
        normals_block(key, pair_index(k, k + 1, L), out[k + 1 : L], miss)


@njit(cache=True, inline="always")
def _row_fields(Jm, wfs, Zs, phis, j):
    """phis[a] += K_j. Zs[a, j] for every row a: step j of :func:`kasglass.sfs.fields_w` (the full
    row j of the symmetric matrix Jm, a contiguous loop that vectorizes)."""
    L = Jm.shape[0]
    Jj = Jm[j]
    for a in range(Zs.shape[0]):
        zj = Zs[a, j]
        wj = wfs[a, L - 1 - j : 2 * L - 1 - j]
        phi = phis[a]
        for i in range(L):
            phi[i] += (Jj[i] * wj[i]) * zj


@njit(cache=True)
def fill_fields(key, L, Jm, wfs, Zs, phis):
    """Fill Jm with the couplings of the stream ``key`` (as :func:`_fill_J_matrix`) and set
    phis[a] = fields_w(Jm, wfs[a], Zs[a]) for every row a, bit for bit, in the same pass: each
    tile of rows is drawn, mirrored, and its full rows (complete once mirrored, still in cache)
    enter the fields of every row a."""
    miss = np.empty(1, np.int64)
    for a in range(Zs.shape[0]):
        for i in range(L):
            phis[a, i] = 0.0
    # small L: a tile's rows are one contiguous run of the stream, drawn in one block and copied
    # (short rows one by one would spend much of their time entering and leaving the loops)
    flat = np.empty(FILL_TILE * L if L <= FLAT_FILL_MAX_L else 0, np.float64)
    p = 0
    for i0 in range(0, L, FILL_TILE):
        i1 = min(L, i0 + FILL_TILE)
        if flat.shape[0] > 0:
            n_tile = i1 * L - (i1 * (i1 + 1)) // 2 - p  # the pairs of rows i0 .. i1 - 1
            normals_block(key, p, flat[:n_tile], miss)
            q = 0
            for i in range(i0, i1):
                Jm[i, i] = 0.0
                n_row = L - i - 1
                Jm[i, i + 1 :] = flat[q : q + n_row]
                q += n_row
            p += n_tile
        else:
            for i in range(i0, i1):
                Jm[i, i] = 0.0
                normals_block(key, p, Jm[i, i + 1 :], miss)
                p += L - i - 1
        _mirror_tile(Jm, i0, i1)
        for j in range(i0, i1):
            _row_fields(Jm, wfs, Zs, phis, j)


@njit(cache=True)
def matrix_fields(Jm, wfs, Zs, phis):
    """phis[a] = fields_w(Jm, wfs[a], Zs[a]) for every row a, bit for bit, reading Jm once."""
    for a in range(Zs.shape[0]):
        for i in range(Jm.shape[0]):
            phis[a, i] = 0.0
    for j in range(Jm.shape[0]):
        _row_fields(Jm, wfs, Zs, phis, j)


@njit(cache=True)
def pair_fields(key, L, wfs, Zs, phis, buf, miss):
    """phis[a, i] = sum_{j != i} J_ij wfs[a, j - i + L - 1] Zs[a, j] for every row a, with J drawn
    pair by pair (row-major upper triangle) and never stored: the matrix-free field pass, about
    L^2 / 2 normals for any number of rows (alphas, states) at once.

    Each phi_i is summed over j in index order, with the zero diagonal term where
    :func:`kasglass.sfs.fields_w` has it, so the result equals ``fields_w(Jm, wfs[a], Zs[a])``
    bit for bit. Rows i and i + 1 are drawn together and share one loop over j > i + 1 (two
    independent sums, and phi_j gets row i's term, then row i + 1's, as row by row would).
    ``buf`` (float64, >= L) and ``miss`` (int64) are scratch.
    """
    nk = Zs.shape[0]
    for a in range(nk):
        for i in range(L):
            phis[a, i] = 0.0
    buf2 = np.empty(max(L - 2, 0), np.float64)
    p = 0
    for i in range(0, L - 1, 2):
        n0 = L - i - 1  # row i: j = i + 1 .. L - 1
        n1 = n0 - 1  # row i + 1: j = i + 2 .. L - 1
        r0 = buf[:n0]
        r1 = buf2[:n1]
        normals_block(key, p, r0, miss)
        normals_block(key, p + n0, r1, miss)
        p += n0 + n1
        for a in range(nk):
            Z = Zs[a]
            phi = phis[a]
            w0 = wfs[a, L - 1 : 2 * L - 1 - i]  # w0[m]: j = i + m (w0[0] the diagonal)
            w1 = wfs[a, L - 1 : 2 * L - 2 - i]  # w1[m]: j = i + 1 + m
            z0 = Z[i]
            z1 = Z[i + 1]
            acc0 = phi[i] + (0.0 * w0[0]) * z0
            k = r0[0] * w0[1]  # the pair (i, i + 1)
            acc0 += k * z1
            acc1 = (phi[i + 1] + k * z0) + (0.0 * w1[0]) * z1
            Zr = Z[i + 2 :]
            pr = phi[i + 2 :]
            r0t = r0[1:]
            w0t = w0[2:]
            w1t = w1[1:]
            for m in range(n1):
                ka = r0t[m] * w0t[m]
                kb = r1[m] * w1t[m]
                zj = Zr[m]
                acc0 += ka * zj
                acc1 += kb * zj
                pr[m] = (pr[m] + ka * z0) + kb * z1
            phi[i] = acc0
            phi[i + 1] = acc1
    if L % 2 == 1:  # the last row has no pairs: only its diagonal term
        for a in range(nk):
            phis[a, L - 1] = phis[a, L - 1] + (0.0 * wfs[a, L - 1]) * Zs[a, L - 1]


def raw_coupling_matrix(seed: int, L: int, out: np.ndarray | None = None) -> np.ndarray:
    """Symmetric matrix of the raw Gaussians J_ij of ``seed`` (zero diagonal), shape (L, L).

    The same values as :func:`draw_J` (``Jm[i, j] == draw_J(seed, L)[p(i, j)]``), drawn straight
    into the matrix: no L(L-1)/2 temporary is allocated.
    """
    if out is None:
        out = np.empty((L, L), dtype=np.float64)
    _fill_J_matrix(np.uint64(int(seed) & _M64), int(L), out)
    return out


def sigma_L(L: int, alpha: float, distance: str = "periodic", pair_sum: str = "unordered") -> float:
    """Exact infinite-temperature field std: sigma_L**2 = sum_{j != i} (s * d_ij**-alpha)**2.

    For ``periodic`` this is the same for every site; for ``open`` the value of the central site
    i = L // 2 is returned. As L -> infinity it tends to s * sqrt(2 zeta(2 alpha)).
    """
    w = distance_weights(L, alpha, distance, pair_sum)
    d = np.abs(np.arange(L) - L // 2)  # the row of distance_matrix at i = L // 2, in O(L)
    if distance == "periodic":
        d = np.minimum(d, L - d)
    return float(np.sqrt(np.sum(w[d] ** 2)))


def sigma_inf(alpha: float, pair_sum: str = "unordered") -> float:
    """Thermodynamic-limit std sqrt(2 zeta(2 alpha)) (times 2 for ordered pair sums)."""
    from scipy.special import zeta

    s = 2.0 if pair_sum == "ordered" else 1.0
    return s * float(np.sqrt(2.0 * zeta(2.0 * float(alpha))))


def draw_J(seed: int, L: int) -> np.ndarray:
    """The L(L-1)/2 Gaussians J_ij of ``seed`` (float64, upper-triangle order): the first
    L(L-1)/2 numbers of the Gaussian stream :func:`kasglass.rng.normals` (seed, ...)."""
    return normals(seed, n_pairs(L))


def draw_J_pairs(base_seed: int, L: int, realization: int) -> np.ndarray:
    """The L(L-1)/2 Gaussian couplings of realization ``realization`` (float64, upper-triangle
    order).

    ``draw_J(derive_seed(base_seed, "couplings", L, realization), L)``.
    """
    return draw_J(derive_seed(base_seed, "couplings", L, realization), L)


@njit(cache=True)
def _fill_K(J, w, L, periodic, K):
    idx = 0
    for i in range(L):
        K[i, i] = 0.0
        for j in range(i + 1, L):
            d = j - i
            if periodic and L - d < d:
                d = L - d
            v = J[idx] * w[d]
            K[i, j] = v
            K[j, i] = v
            idx += 1


def coupling_matrix(
    J_pairs: np.ndarray,
    L: int,
    alpha: float,
    distance: str = "periodic",
    pair_sum: str = "unordered",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Symmetric K_ij = s J_ij / d_ij**alpha, shape (L, L), float64, zero diagonal.

    Parameters
    ----------
    J_pairs : ndarray, shape (L(L-1)/2,)
        Couplings in row-major upper-triangle order (see module docstring).
    out : ndarray, shape (L, L), optional
        Buffer to fill (avoids re-allocation across alphas and realizations).
    """
    if J_pairs.shape != (n_pairs(L),):
        raise ValueError(f"J_pairs must have shape ({n_pairs(L)},) for L={L}; got {J_pairs.shape}")
    w = distance_weights(L, alpha, distance, pair_sum)
    if out is None:
        out = np.empty((L, L), dtype=np.float64)
    _fill_K(np.ascontiguousarray(J_pairs, dtype=np.float64), w, L, distance == "periodic", out)
    return out


def coupling_matrix_reference(J_pairs, L, alpha, distance="periodic", pair_sum="unordered"):
    """Slow numpy construction of K (independent of the numba filler), for tests."""
    d = distance_matrix(L, distance).astype(float)
    K = np.zeros((L, L))
    iu = np.triu_indices(L, 1)
    K[iu] = J_pairs
    K = K + K.T
    with np.errstate(divide="ignore", invalid="ignore"):
        K = np.where(d > 0, K / d**alpha, 0.0)
    return K * (2.0 if pair_sum == "ordered" else 1.0)
