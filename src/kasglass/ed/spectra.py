"""Spectra of the KAS Hamiltonian: full diagonalization per parity sector, shift-invert windows,
gap ratios and scaled energy densities.

Conventions
-----------
H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i (Pauli operators, unordered pairs); P = prod_i X_i
commutes with H and level statistics are always computed *within* one parity sector, never on the
merged spectrum. Gap ratio of level n (sorted energies E_0 <= E_1 <= ... of one sector):
r_n = min(d_n, d_{n+1}) / max(d_n, d_{n+1}) with d_n = E_n - E_{n-1}, defined for interior levels.
Reference means: Poisson 2 ln 2 - 1 = 0.3863, GOE 0.5307 (large N; Atas et al., PRL 110, 084101).
Scaled energy density eps = (E - E_min) / (E_max - E_min) with E_min, E_max over *both* sectors
(the realization's full spectrum).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg as sl
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .hamiltonian import sector_hamiltonian, sector_hamiltonian_sparse

R_POISSON = 2.0 * math.log(2.0) - 1.0  # 0.38629...
R_GOE = 0.5307  # large-N GOE mean, Atas et al., PRL 110, 084101 (2013)


def gap_ratios(E: np.ndarray) -> np.ndarray:
    """Gap ratios r_n of the interior levels of one sorted spectrum.

    Parameters
    ----------
    E : ndarray, shape (n,), float64
        Sorted eigenvalues of one symmetry sector (n >= 3).

    Returns
    -------
    ndarray, shape (n - 2,), float64
        ``r[k]`` belongs to level ``E[k + 1]``; NaN where both adjacent gaps vanish.
    """
    E = np.asarray(E, dtype=np.float64)
    if E.ndim != 1:
        raise ValueError(f"E must be one-dimensional; got shape {E.shape}")
    if E.size < 3:
        return np.empty(0)
    d = np.diff(E)
    if np.any(d < -1e-12 * max(1.0, np.abs(E).max())):
        raise ValueError("gap_ratios needs a sorted spectrum (ascending)")
    d = np.maximum(d, 0.0)
    lo = np.minimum(d[:-1], d[1:])
    hi = np.maximum(d[:-1], d[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hi > 0, lo / hi, np.nan)


def energy_density(E: np.ndarray, E_min: float, E_max: float) -> np.ndarray:
    """eps = (E - E_min) / (E_max - E_min), clipped to [0, 1]."""
    width = float(E_max) - float(E_min)
    if not width > 0:
        raise ValueError(f"E_max must exceed E_min; got {E_min}, {E_max}")
    return np.clip((np.asarray(E) - E_min) / width, 0.0, 1.0)


#: arithmetic of the dense diagonalizations (knob ``ed.precision``)
PRECISIONS = ("float64", "float32")


#: in float32, levels closer than this times max|E| count as unresolved: after the float64
#: refinement (:func:`rayleigh_refine`) eigenvalue errors are at most 1.4e-9 max|E| at dimension
#: 1024-2048 (tests/test_ed_precision.py, docs/ed_precision.md), with a margin of seven
FLOAT32_LEVEL_RESOLUTION = 1e-8


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {list(PRECISIONS)}; got {precision!r}")
    return precision


def resolved_tol(E: np.ndarray, tol: float, precision: str) -> float:
    """The degeneracy tolerance a diagonal ensemble can use with eigenpairs of this precision.

    float64: ``tol``. float32: at least :data:`FLOAT32_LEVEL_RESOLUTION` * max|E|, since the
    eigenvectors of levels closer than the resolution of the refined float32 eigenpairs may be
    an arbitrary basis of their span; grouping them makes the projector on that span (which
    float32 does get right) the eigenspace, i.e. processes slower than 1 / (that resolution)
    stay frozen.
    """
    if check_precision(precision) == "float64" or len(E) == 0:
        return float(tol)
    return max(float(tol), FLOAT32_LEVEL_RESOLUTION * float(np.max(np.abs(E))))


def eigh_sector(
    H: np.ndarray, vectors: bool = True, precision: str = "float64", device: str = "cpu"
):
    """Dense symmetric eigensolver, LAPACK divide and conquer; overwrites ``H``.

    ``precision="float64"``: dsyevd. ``precision="float32"``: the matrix is rounded to single
    precision and diagonalized by ssyevd (about twice as fast); the eigenvectors are returned as
    float64 arrays carrying single-precision errors (residuals of order 1e-7 ||H||; levels
    closer than about 1e-6 ||H|| come out as an arbitrary basis of their span). With
    eigenvectors both are then refined in float64 (:func:`rayleigh_refine`): every eigenvalue
    becomes the Rayleigh quotient E_k = v_k^T H v_k of the float64 ``H`` (a sparse product when
    ``H`` is sparse, as the sector Hamiltonians are), whose error is second order in the
    eigenvector error, so the phases exp(-i E_k t) stay accurate at long times (single-precision
    eigenvalues alone err by 1e-6 ||H||, a phase error of 1e-2 at t = 10^4 / ||H||); and the
    eigenvectors of runs of levels closer than 1e-4 max|E|, which ssyevd mixes, are re-resolved
    by Rayleigh-Ritz within the run. Validated against float64 in tests/test_ed_precision.py and
    docs/ed_precision.md.

    ``device="gpu"``: the same in CuPy (cuSOLVER syevd) on a CUDA device, results on the host
    (:func:`kasglass.ed.gpu.eigh_gpu`; validated in tests/test_ed_gpu.py and docs/ed_gpu.md).

    Returns
    -------
    E : ndarray, shape (dim,), ascending, float64
    V : ndarray, shape (dim, dim) (columns are eigenvectors), float64, or None
    """
    from .gpu import check_device, eigh_gpu

    if check_device(device) == "gpu":
        return eigh_gpu(H, vectors=vectors, precision=precision)
    H64 = None
    if check_precision(precision) == "float32":
        H64 = H
        H = np.asarray(H, dtype=np.float32)
    if vectors:
        E, V = sl.eigh(H, driver="evd", overwrite_a=True, check_finite=False)
        V = V.astype(np.float64, copy=False)
        if H64 is not None and np.asarray(H64).dtype == np.float64:
            E, V = rayleigh_refine(H64, V)
        return E.astype(np.float64, copy=False), V
    E = sl.eigh(H, eigvals_only=True, driver="evd", overwrite_a=True, check_finite=False)
    return E.astype(np.float64, copy=False), None


#: float32 eigenvectors of levels closer than this times max|E| are re-resolved in float64 by
#: Rayleigh-Ritz within their group (:func:`rayleigh_refine`): ssyevd mixes two levels by about
#: 1e-7 max|E| / gap, so outside the groups the mixing stays below about 1e-3
RITZ_GROUP_GAP = 1e-4
#: longest run solved as one Rayleigh-Ritz problem; a longer run (dense spectra at large
#: dimension, where 1e-4 max|E| exceeds the level spacing) is split at large internal gaps
RITZ_MAX_RUN = 128


def _runs(E: np.ndarray, tol: float, max_run: int) -> list[tuple[int, int]]:
    """Runs [a, b) of at least two levels with consecutive gaps <= tol, each split at the
    largest gap of its middle half until no piece is longer than max_run."""
    split = np.flatnonzero(np.diff(E) > tol) + 1
    todo = [(int(a), int(b)) for a, b in zip(np.r_[0, split], np.r_[split, len(E)], strict=True)]
    out = []
    while todo:
        a, b = todo.pop()
        if b - a < 2:
            continue
        if b - a <= max_run:
            out.append((a, b))
            continue
        q = (b - a) // 4  # split in the middle half: both pieces keep at least a quarter
        k = a + q + 1 + int(np.argmax(np.diff(E[a + q : b - q])))
        todo += [(a, k), (k, b)]
    return sorted(out)


def rayleigh_refine(H: np.ndarray, V: np.ndarray, group_gap: float = RITZ_GROUP_GAP):
    """Refine approximate eigenvectors (columns of V, float64, from a float32 solver) of the
    float64 matrix H; returns ascending eigenvalues and the refined eigenvectors.

    Every eigenvalue becomes the Rayleigh quotient E_k = v_k^T H v_k / v_k^T v_k (error second
    order in the eigenvector error). Runs of levels with consecutive gaps below
    ``group_gap * max|E|``, whose single-precision eigenvectors are mixed within the run, are
    re-resolved by Rayleigh-Ritz in float64: the run's vectors are orthonormalized (QR), H is
    projected on their span and that small matrix diagonalized, so each level of a
    near-degenerate pair gets its own eigenvector again wherever the span is accurate (runs
    longer than :data:`RITZ_MAX_RUN` are split at their largest internal gaps). H is
    multiplied as a sparse matrix when at most a tenth of it is nonzero (the sector
    Hamiltonians: L + 1 entries per row), so the refinement costs O(nnz * dim) plus the small
    projected problems, instead of a dense product.
    """
    nnz = np.count_nonzero(H)
    HV = (sp.csr_matrix(H) @ V) if nnz <= H.size // 10 else H @ V
    E = np.einsum("ij,ij->j", V, HV) / np.einsum("ij,ij->j", V, V)  # V: unit norm to 1e-7
    return ritz_runs(E, V, HV, group_gap)


def ritz_runs(E: np.ndarray, V: np.ndarray, HV: np.ndarray, group_gap: float = RITZ_GROUP_GAP):
    """The second half of :func:`rayleigh_refine`, shared by the CPU and GPU paths: given the
    Rayleigh quotients ``E``, the float64 vectors ``V`` (columns) and ``HV`` = H V, sort the
    levels and re-resolve every run of near-degenerate levels by Rayleigh-Ritz. Returns
    ascending eigenvalues and the refined eigenvectors (``V`` may be modified in place)."""
    E = np.asarray(E, dtype=np.float64)
    order = np.argsort(E, kind="stable")
    if not np.array_equal(order, np.arange(len(E))):
        E, V, HV = E[order], V[:, order], HV[:, order]
    if group_gap > 0 and len(E) > 1:
        tol = group_gap * float(np.max(np.abs(E)))
        for a, b in _runs(E, tol, RITZ_MAX_RUN):
            Q, R = np.linalg.qr(V[:, a:b])
            HQ = sl.solve_triangular(R, HV[:, a:b].T, trans="T").T  # H Q = H V R^-1
            A = Q.T @ HQ
            w, U = np.linalg.eigh(0.5 * (A + A.T))
            V[:, a:b] = Q @ U
            E[a:b] = w
        order = np.argsort(E, kind="stable")  # Ritz values may cross a run's edge by O(eps^2)
        if not np.array_equal(order, np.arange(len(E))):
            E, V = E[order], V[:, order]
    return E, V


def diagonalize_sectors(
    K: np.ndarray,
    h_x: float,
    vectors: bool = True,
    precision: str = "float64",
    device: str = "cpu",
):
    """Full spectra (and eigenvectors) of both parity sectors (``precision`` and ``device``: see
    :func:`eigh_sector`).

    Returns
    -------
    list of (parity, E, V)
        parity +1 then -1; E ascending, shape (2**(L-1),); V shape (2**(L-1), 2**(L-1)) in the
        sector basis |s>_p (or None when ``vectors`` is False).
    """
    out = []
    for p in (1, -1):
        H = sector_hamiltonian(K, h_x, p)
        E, V = eigh_sector(H, vectors=vectors, precision=precision, device=device)
        del H  # not held while the next sector's matrix is built
        out.append((p, E, V))
    return out


def nearest_window(E: np.ndarray, target: float, k: int) -> np.ndarray:
    """Indices (ascending) of the ``k`` eigenvalues of sorted ``E`` nearest to ``target``.

    The result is a contiguous block of the sorted spectrum (the k nearest values of a sorted
    array always are), so it is the set a shift-invert solver with k eigenpairs returns.
    """
    n = E.size
    k = min(int(k), n)
    i = int(np.searchsorted(E, target))
    lo, hi = i, i  # window [lo, hi)
    while hi - lo < k:
        if lo == 0:
            hi += 1
        elif hi == n:
            lo -= 1
        elif target - E[lo - 1] <= E[hi] - target:
            lo -= 1
        else:
            hi += 1
    return np.arange(lo, hi)


def spectral_edges_sparse(H: sp.spmatrix, tol: float = 1e-10) -> tuple[float, float]:
    """Smallest and largest eigenvalue of a sparse symmetric matrix (Lanczos)."""
    n = H.shape[0]
    if n <= 64:
        w = np.linalg.eigvalsh(H.toarray())
        return float(w[0]), float(w[-1])
    v0 = np.ones(n) / math.sqrt(n)
    lo = spla.eigsh(H, k=1, which="SA", tol=tol, v0=v0, return_eigenvectors=False)[0]
    hi = spla.eigsh(H, k=1, which="LA", tol=tol, v0=v0, return_eigenvectors=False)[0]
    return float(lo), float(hi)


def shift_invert(H: sp.spmatrix, sigma: float, k: int, tol: float = 1e-12):
    """The ``k`` eigenpairs of sparse symmetric ``H`` nearest to ``sigma`` by shift-invert.

    (H - sigma)^-1 is applied through a sparse LU factorization (SuperLU) computed once; ARPACK
    then finds its largest-magnitude eigenvalues.

    Returns
    -------
    E : ndarray, shape (k,), ascending
    V : ndarray, shape (dim, k)
    """
    n = H.shape[0]
    k = min(int(k), n)
    if k >= n - 1 or n <= 64:  # ARPACK needs k < n; tiny problems go dense
        E, V = np.linalg.eigh(H.toarray())
        idx = nearest_window(E, sigma, k)
        return E[idx], V[:, idx]
    A = (H - sigma * sp.identity(n, format="csr")).tocsc()
    # Minimum degree on A + A^T with symmetric mode (diagonal pivots preferred): about 3x less
    # fill and 6x faster than SuperLU's default COLAMD on these folded-hypercube graphs.
    lu = spla.splu(A, permc_spec="MMD_AT_PLUS_A", options={"SymmetricMode": True})
    OPinv = spla.LinearOperator((n, n), matvec=lu.solve, dtype=np.float64)
    v0 = np.ones(n) / math.sqrt(n)
    E, V = spla.eigsh(H, k=k, sigma=sigma, which="LM", OPinv=OPinv, tol=tol, v0=v0)
    order = np.argsort(E)
    return E[order], V[:, order]


def sparse_sectors(K: np.ndarray, h_x: float):
    """Sparse Hamiltonians of both sectors, [(+1, H_plus), (-1, H_minus)]."""
    return [(p, sector_hamiltonian_sparse(K, h_x, p)) for p in (1, -1)]
