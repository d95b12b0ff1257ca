"""Entanglement of spin-1/2 eigenstates: reduced density matrices, von Neumann entropies,
single-site entropies and two-site mutual information, in the full basis and in the spin-flip
parity sectors, and random-state (Page) reference values.

Conventions
-----------
Basis state s of L spins (0 <= s < 2**L) has bit i = 1 exactly when Z_i = -1:
``Z_i(s) = 1 - 2 * ((s >> i) & 1)`` (as in :mod:`kasglass.ed.basis`). States are the columns of
``V`` (shape (2**L, k), or (2**L,) for a single state, which is treated as k = 1). Parity sectors
p = +-1 of P = prod_i X_i have representatives s < 2**(L-1) and basis
|s>_p = (|s> + p|~s>)/sqrt(2); sector amplitudes (shape (2**(L-1), k)) are embedded in the full
basis by :func:`kasglass.ed.basis.sector_to_full`.

Parity independence: Z_{L-1} |s>_+ = |s>_- (Z_{L-1} = +1 on every representative), so the same
amplitudes in the two sectors describe states related by a single-site unitary. Every entropy and
mutual information computed from sector amplitudes is therefore the same for p = +1 and p = -1;
``parity`` only fixes the signs of correlators that involve site L-1.

Subsystem basis: for ``sites = (i_0, i_1, ..., i_{n-1})`` (distinct, any order) the reduced density
matrix is indexed by ``a = sum_m bit_{i_m}(s) 2**m``: the first listed site is the least
significant bit. With ``sites = range(n_A)`` this is ``a = s & (2**n_A - 1)``.

Entropies are von Neumann entropies with the natural logarithm, S = -sum_l lambda_l ln lambda_l
over the eigenvalues of the reduced density matrix; eigenvalues below zero (rounding) are set to
0 and 0 ln 0 = 0. States are not normalized here: the reduced density matrices are partial traces
of |psi><psi| as given (eigenvectors from ``eigh`` are normalized).

Cat states. Parity eigenstates of a spin glass at weak transverse field are cat-like,
(|sigma> + p|~sigma>)/sqrt(2) dressed by fluctuations. The functions here return the entropies of
the parity eigenstate itself: every half-cut entropy then contains up to ln 2, every single-site
entropy is close to ln 2 (<Z_i> = 0 in a parity eigenstate) and every pair mutual information is
close to ln 2 (GHZ-like classical correlation), even where the symmetry-broken states
(|s>_+ +- |s>_-)/sqrt(2) would be nearly unentangled. Compare with the symmetric random-state
reference (:func:`random_state_entropy` with ``parity``), or subtract the cat contribution
explicitly; nothing here does it silently.

Two-site quantities of real states use Pauli correlators instead of partial traces:
rho_ij = (1/4) sum_{mu, nu} <sigma^mu_i sigma^nu_j> sigma^mu (x) sigma^nu. For a real state
<Y_i> = 0 and every term with a single Y vanishes; with phi_i = X_i psi and eta_i = Z_i X_i psi
(Y_i psi = -i eta_i, from Y|z> = i z|-z>):

    <X_i> = <psi|phi_i>,  <X_i Z_j> = <Z_j psi|phi_i>,  <X_i X_j> = <phi_i|phi_j>,
    <Y_i Y_j> = <eta_i|eta_j> = -sum_s psi_s psi_{s ^ m} Z_i(s) Z_j(s),  m = 2**i | 2**j,

all of them Gram matrices (BLAS matmuls batched over states). In a parity sector <Z_i> = 0 and
<X_i Z_j> = 0 by symmetry, and rho_ij commutes with X_i X_j: its eigenvalues are closed-form,

    (n2 + xx +- sqrt((x_i + x_j)^2 + (zz - yy)^2)) / 4,
    (n2 - xx +- sqrt((x_i - x_j)^2 + (zz + yy)^2)) / 4,

with n2 = <psi|psi>, x_i = <X_i>, xx = <X_i X_j>, yy = <Y_i Y_j>, zz = <Z_i Z_j>.

Random-state averages: :func:`page_entropy` is Page's exact average for Haar-random complex states.
For real random states (the orthogonal ensemble of eigenvectors of real Hamiltonians) no Page-type
closed form in digamma functions is implemented: already for dim_A = dim_B = 2 the exact average is
1/2 + ln 2 - G (G = Catalan's constant), for dims (2, 4) it is 11/24 + ln 2 - 3G/4 (identified
numerically from the exact one-dimensional integral); use :func:`random_state_entropy`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import digamma

from ..ed.basis import check_L, check_parity, sector_to_full, z_eigenvalues

__all__ = [
    "entanglement_entropy",
    "page_entropy",
    "pair_mutual_information",
    "random_state_entropy",
    "reduced_density_matrices",
    "sector_half_entropy",
    "sector_pair_mutual_information",
    "sector_single_site_entropies",
    "single_site_entropies",
    "von_neumann",
]

# States are processed in chunks of about this many amplitudes (x L for the correlator routes), so
# temporaries stay in the tens of MB whatever k is.
_CHUNK_ELEMENTS = 1 << 21

# Pauli matrices (real representation of the ones that stay real for real states). Index a of a
# two-site density matrix for sites (i, j): a = bit_i + 2 bit_j, so sigma^mu_i sigma^nu_j is
# kron(sigma^nu, sigma^mu).
_I2 = np.eye(2)
_X = np.array([[0.0, 1.0], [1.0, 0.0]])
_Z = np.array([[1.0, 0.0], [0.0, -1.0]])
_YY = np.array([[0.0, 0.0, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [-1.0, 0, 0, 0]])
# order of the 10 coefficients: II, X_i, Z_i, X_j, Z_j, X_iX_j, Z_iZ_j, X_iZ_j, Z_iX_j, Y_iY_j
_PAIR_BASIS = np.stack(
    [
        np.kron(_I2, _I2),
        np.kron(_I2, _X),
        np.kron(_I2, _Z),
        np.kron(_X, _I2),
        np.kron(_Z, _I2),
        np.kron(_X, _X),
        np.kron(_Z, _Z),
        np.kron(_Z, _X),
        np.kron(_X, _Z),
        _YY,
    ]
)


# --------------------------------------------------------------------------------------------
# validation helpers


def _columns(V, L: int, rows: int, name: str = "V") -> np.ndarray:
    V = np.asarray(V)
    if V.ndim == 1:
        V = V[:, None]
    if V.ndim != 2 or V.shape[0] != rows:
        raise ValueError(
            f"{name} must have shape ({rows},) or ({rows}, k) for L={L}; got {np.shape(V)}"
        )
    if not (np.issubdtype(V.dtype, np.floating) or np.issubdtype(V.dtype, np.complexfloating)):
        V = V.astype(np.float64)
    return V


def _check_sites(sites, L: int) -> tuple[int, ...]:
    out = tuple(int(i) for i in sites)
    if any(not (0 <= i < L) for i in out):
        raise ValueError(f"sites must lie in [0, {L}); got {out}")
    if len(set(out)) != len(out):
        raise ValueError(f"sites must be distinct; got {out}")
    return out


def _check_pairs(pairs, L: int) -> np.ndarray:
    if pairs is None:
        iu, ju = np.triu_indices(L, 1)
        return np.stack([iu, ju], axis=1).astype(np.int64)
    P = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if np.any(P < 0) or np.any(P >= L):
        raise ValueError(f"pair sites must lie in [0, {L})")
    if np.any(P[:, 0] == P[:, 1]):
        raise ValueError("a pair must have two different sites")
    return P


def _require_real(V: np.ndarray, func: str) -> None:
    if np.iscomplexobj(V):
        raise TypeError(
            f"{func} uses the Pauli-correlator form valid for real states only; got a complex "
            "array (pass V.real if the imaginary part is zero, or use reduced_density_matrices "
            "for complex states)"
        )


def _chunks(k: int, per_state: int):
    step = max(1, _CHUNK_ELEMENTS // max(1, per_state))
    for j0 in range(0, k, step):
        yield j0, min(k, j0 + step)


# --------------------------------------------------------------------------------------------
# entropies and reduced density matrices


def von_neumann(lam) -> np.ndarray:
    """Von Neumann entropy -sum lambda ln lambda of eigenvalues along the last axis.

    Parameters
    ----------
    lam : array_like, shape (..., n)
        Eigenvalues of density matrices. Negative values (rounding) count as 0; 0 ln 0 = 0.

    Returns
    -------
    ndarray, shape (...)
        Entropies in nats.
    """
    lam = np.asarray(lam, dtype=np.float64)
    pos = lam > 0.0
    lam = np.where(pos, lam, 0.0)
    logs = np.log(lam, out=np.zeros_like(lam), where=pos)
    return -(lam * logs).sum(axis=-1)


def _subsystem_matrix(T: np.ndarray, L: int, sites: tuple[int, ...]) -> np.ndarray:
    """(kc, 2**n_A, 2**n_B) coefficient matrices M[c, a, b] of a chunk T (2**L, kc)."""
    kc = T.shape[1]
    nA = len(sites)
    rest = [i for i in range(L - 1, -1, -1) if i not in sites]
    # C-order reshape: tensor axis t carries bit L-1-t; the first A axis must be the most
    # significant subsystem bit, i.e. the last listed site
    axes_A = [L - 1 - i for i in reversed(sites)]
    axes_B = [L - 1 - i for i in rest]
    M = T.reshape((2,) * L + (kc,)).transpose([L] + axes_A + axes_B)
    return M.reshape(kc, 2**nA, 2 ** (L - nA))


def reduced_density_matrices(V, L: int, sites: Sequence[int]) -> np.ndarray:
    """Reduced density matrices rho_A = Tr_B |psi><psi| of the sites ``sites``.

    Parameters
    ----------
    V : ndarray, shape (2**L,) or (2**L, k), real or complex
        States (columns) in the full basis.
    L : int
        Number of spins.
    sites : sequence of int
        Distinct sites of A, any order and any subset. The subsystem index is
        ``a = sum_m bit_{sites[m]}(s) 2**m`` (first listed site = least significant bit).

    Returns
    -------
    ndarray, shape (k, 2**|A|, 2**|A|)
        ``rho[c, a, a'] = sum_b psi_c(a, b) conj(psi_c(a', b))``; Hermitian, trace <psi|psi>,
        positive semi-definite; real for real V.
    """
    L = check_L(L)
    sites = _check_sites(sites, L)
    V = _columns(V, L, 2**L)
    k = V.shape[1]
    dA = 2 ** len(sites)
    out = np.empty((k, dA, dA), dtype=V.dtype)
    for j0, j1 in _chunks(k, 2**L):
        M = _subsystem_matrix(V[:, j0:j1], L, sites)
        out[j0:j1] = M @ M.conj().transpose(0, 2, 1)
    return out


def _gram_entropy(M: np.ndarray) -> np.ndarray:
    """Entropies of M M^H for a stack M (kc, p, q), through the smaller Gram matrix."""
    if M.shape[1] <= M.shape[2]:
        G = M @ M.conj().transpose(0, 2, 1)
    else:
        G = M.conj().transpose(0, 2, 1) @ M
    return von_neumann(np.linalg.eigvalsh(G))


def entanglement_entropy(V, L: int, sites: Sequence[int]) -> np.ndarray:
    """Entanglement entropy S_A of the sites ``sites`` for each state.

    Parameters
    ----------
    V : ndarray, shape (2**L,) or (2**L, k), real or complex
    L : int
    sites : sequence of int
        Distinct sites of A (order irrelevant for the entropy).

    Returns
    -------
    ndarray, shape (k,)
        -Tr rho_A ln rho_A, from the smaller of the Gram matrices of A and of its complement.
    """
    L = check_L(L)
    sites = _check_sites(sites, L)
    V = _columns(V, L, 2**L)
    k = V.shape[1]
    out = np.empty(k)
    for j0, j1 in _chunks(k, 2**L):
        out[j0:j1] = _gram_entropy(_subsystem_matrix(V[:, j0:j1], L, sites))
    return out


def sector_half_entropy(Vs, L: int, parity: int, n_A: int) -> np.ndarray:
    """Entropy of sites 0..n_A-1 for parity-sector states, without building full vectors.

    Equal to ``entanglement_entropy(sector_to_full(Vs, L, parity), L, range(n_A))``. With
    s = a + 2**n_A b, the full coefficient matrix is M = [C, p F C J]/sqrt(2), where
    C[a, b] = c[a + 2**n_A b] (b < 2**(L-n_A-1)), F flips all bits of A and J all bits of B, so
    rho_A = (C C^H + F C C^H F)/2 commutes with F = prod_{i in A} X_i. In the eigenbasis of F,
    (|a> +- |~a>)/sqrt(2) with a < 2**(n_A-1), rho_A splits into two blocks
    rho_+- = C_+- C_+-^H, C_+-[a] = (C[a] +- C[~a])/sqrt(2), each of size 2**(n_A-1) (or of the
    complementary size 2**(L-n_A-1), whichever Gram matrix is smaller). The spectrum does not depend
    on the parity p for given amplitudes; ``parity`` is validated for symmetry with the other
    sector functions.

    Parameters
    ----------
    Vs : ndarray, shape (2**(L-1),) or (2**(L-1), k), real or complex
        Sector amplitudes on |s>_p (columns).
    L : int
    parity : {+1, -1}
    n_A : int
        Number of sites in A = {0, ..., n_A - 1}; 0 <= n_A <= L (0 and L give 0).

    Returns
    -------
    ndarray, shape (k,)
    """
    L = check_L(L, lo=2)
    check_parity(parity)
    n_A = int(n_A)
    if not (0 <= n_A <= L):
        raise ValueError(f"n_A must be in [0, {L}]; got {n_A}")
    Vs = _columns(Vs, L, 2 ** (L - 1), "Vs")
    k = Vs.shape[1]
    out = np.zeros(k)
    if n_A in (0, L):
        return out
    dA = 2**n_A
    hA = dA // 2
    hB = 2 ** (L - n_A - 1)
    r = np.sqrt(0.5)
    for j0, j1 in _chunks(k, 2 ** (L - 1)):
        Y = np.ascontiguousarray(Vs[:, j0:j1].T).reshape(j1 - j0, hB, dA)  # Y[c, b, a]
        lo = Y[:, :, :hA]
        up = Y[:, :, : hA - 1 : -1]  # up[..., a] = Y[..., ~a], ~a = dA - 1 - a
        for sign in (1.0, -1.0):
            D = (lo + sign * up) * r  # D[c, b, a] = C_+-[a, b]
            out[j0:j1] += _gram_entropy(D)
    return out


# --------------------------------------------------------------------------------------------
# single-site entropies and pair mutual information from Pauli correlators


def _binary_entropy_from_radius(n2: np.ndarray, r: np.ndarray) -> np.ndarray:
    lam = np.stack([(n2 + r) / 2.0, (n2 - r) / 2.0], axis=-1)
    return von_neumann(lam)


def _full_correlators(V: np.ndarray, L: int, j0: int, j1: int):
    """Correlators of real full-basis states V[:, j0:j1].

    Returns n2 (kc,), z (kc, L), x (kc, L), xz (kc, L, L) = <X_i Z_j>, xx, yy (kc, L, L),
    and the chunk W = psi**2 (kc, dim) for <Z_i Z_j>.
    """
    dim = 2**L
    kc = j1 - j0
    P = np.ascontiguousarray(V[:, j0:j1].T, dtype=np.float64)  # (kc, dim)
    W = P * P
    Zf = z_eigenvalues(L).astype(np.float64)  # (dim, L)
    n2 = W.sum(axis=1)
    z = W @ Zf
    Phi = np.empty((kc, L, dim))
    for i in range(L):
        Phi[:, i].reshape(kc, dim >> (i + 1), 2, 1 << i)[...] = P.reshape(
            kc, dim >> (i + 1), 2, 1 << i
        )[:, :, ::-1, :]
    Q = Phi * P[:, None, :]  # Q[c, i, s] = psi_s psi_{s ^ 2^i}
    ZA = np.concatenate([np.ones((dim, 1)), Zf], axis=1)
    R = (Q.reshape(kc * L, dim) @ ZA).reshape(kc, L, L + 1)
    x = R[:, :, 0]
    xz = R[:, :, 1:]
    xx = Phi @ Phi.transpose(0, 2, 1)
    Phi *= Zf.T[None, :, :]  # eta_i = Z_i X_i psi
    yy = Phi @ Phi.transpose(0, 2, 1)
    return n2, z, x, xz, xx, yy, W, Zf


def single_site_entropies(V, L: int) -> np.ndarray:
    """Entropy of every single spin, from <X_i> and <Z_i> (real states).

    Parameters
    ----------
    V : ndarray, shape (2**L,) or (2**L, k), real

    Returns
    -------
    ndarray, shape (k, L)
        S_i with rho_i = (n2 I + <X_i> X + <Z_i> Z)/2 (<Y_i> = 0 for real states).

    Raises
    ------
    TypeError
        For complex input.
    """
    L = check_L(L)
    V = _columns(V, L, 2**L)
    _require_real(V, "single_site_entropies")
    k = V.shape[1]
    dim = 2**L
    Zf = z_eigenvalues(L).astype(np.float64)
    out = np.empty((k, L))
    for j0, j1 in _chunks(k, dim * 2):
        P = np.ascontiguousarray(V[:, j0:j1].T, dtype=np.float64)
        kc = j1 - j0
        W = P * P
        n2 = W.sum(axis=1)
        z = W @ Zf
        x = np.empty((kc, L))
        for i in range(L):
            Pr = P.reshape(kc, dim >> (i + 1), 2, 1 << i)
            x[:, i] = 2.0 * np.einsum("cjb,cjb->c", Pr[:, :, 0, :], Pr[:, :, 1, :])
        out[j0:j1] = _binary_entropy_from_radius(n2[:, None], np.hypot(x, z))
    return out


def pair_mutual_information(V, L: int, pairs=None) -> np.ndarray:
    """Mutual information I(i:j) = S_i + S_j - S_ij for pairs of spins (real states).

    Parameters
    ----------
    V : ndarray, shape (2**L,) or (2**L, k), real
    L : int
    pairs : array_like of int, shape (n_pairs, 2), optional
        Pairs (i, j), i != j; default all i < j in row-major order (``np.triu_indices(L, 1)``).

    Returns
    -------
    ndarray, shape (k, n_pairs)
        rho_ij is built from the ten nonvanishing Pauli correlators of a real state and
        diagonalized as a stack of 4 x 4 real symmetric matrices.

    Raises
    ------
    TypeError
        For complex input.
    """
    L = check_L(L, lo=2)
    V = _columns(V, L, 2**L)
    _require_real(V, "pair_mutual_information")
    P = _check_pairs(pairs, L)
    I, J = P[:, 0], P[:, 1]
    k = V.shape[1]
    out = np.empty((k, len(P)))
    for j0, j1 in _chunks(k, 2**L * (L + 1)):
        n2, z, x, xz, xx, yy, W, Zf = _full_correlators(V, L, j0, j1)
        zz = W @ (Zf[:, I] * Zf[:, J])
        nn = np.broadcast_to(n2[:, None], zz.shape)
        coef = [nn, x[:, I], z[:, I], x[:, J], z[:, J], xx[:, I, J], zz, xz[:, I, J], xz[:, J, I]]
        T = np.stack(coef + [yy[:, I, J]], axis=-1)
        rho = 0.25 * (T @ _PAIR_BASIS.reshape(10, 16)).reshape(j1 - j0, len(P), 4, 4)
        S_ij = von_neumann(np.linalg.eigvalsh(rho))
        S_1 = _binary_entropy_from_radius(n2[:, None], np.hypot(x, z))
        out[j0:j1] = S_1[:, I] + S_1[:, J] - S_ij
    return out


def _sector_flips(C: np.ndarray, L: int, parity: int) -> np.ndarray:
    """g_i = amplitudes of X_i psi on the representatives: G[c, i, s] (kc, L, 2**(L-1)).

    X_i with i < L-1 maps |s>_p to |s ^ 2**i>_p; X_{L-1} maps |s>_p to p |s ^ (2**(L-1) - 1)>_p.
    """
    kc, half = C.shape
    G = np.empty((kc, L, half))
    for i in range(L - 1):
        G[:, i].reshape(kc, half >> (i + 1), 2, 1 << i)[...] = C.reshape(
            kc, half >> (i + 1), 2, 1 << i
        )[:, :, ::-1, :]
    G[:, L - 1] = C[:, ::-1]
    if parity < 0:
        G[:, L - 1] *= -1.0
    return G


def sector_single_site_entropies(Vs, L: int, parity: int) -> np.ndarray:
    """Single-spin entropies of real parity-sector states, from sector amplitudes.

    Equal to ``single_site_entropies(sector_to_full(Vs, L, parity), L)``. In a parity eigenstate
    <Z_i> = 0, so rho_i = (n2 I + <X_i> X)/2 with <X_i> = sum_s c_s g_i(s) (see
    :func:`_sector_flips`).

    Parameters
    ----------
    Vs : ndarray, shape (2**(L-1),) or (2**(L-1), k), real
    L : int
    parity : {+1, -1}

    Returns
    -------
    ndarray, shape (k, L)
    """
    L = check_L(L, lo=2)
    parity = check_parity(parity)
    Vs = _columns(Vs, L, 2 ** (L - 1), "Vs")
    _require_real(Vs, "sector_single_site_entropies")
    k = Vs.shape[1]
    half = 2 ** (L - 1)
    out = np.empty((k, L))
    for j0, j1 in _chunks(k, half * 2):
        C = np.ascontiguousarray(Vs[:, j0:j1].T, dtype=np.float64)
        kc = j1 - j0
        n2 = np.einsum("cs,cs->c", C, C)
        x = np.empty((kc, L))
        for i in range(L - 1):
            Cr = C.reshape(kc, half >> (i + 1), 2, 1 << i)
            x[:, i] = 2.0 * np.einsum("cjb,cjb->c", Cr[:, :, 0, :], Cr[:, :, 1, :])
        x[:, L - 1] = parity * np.einsum("cs,cs->c", C, C[:, ::-1])
        out[j0:j1] = _binary_entropy_from_radius(n2[:, None], np.abs(x))
    return out


def sector_pair_mutual_information(Vs, L: int, parity: int, pairs=None) -> np.ndarray:
    """Pair mutual information of real parity-sector states, from sector amplitudes.

    Equal to ``pair_mutual_information(sector_to_full(Vs, L, parity), L, pairs)``. Uses
    <Z_i> = <X_i Z_j> = 0 in a parity eigenstate; the remaining correlators are sums over the
    representatives, <Z_i Z_j> = sum c^2 Z_i Z_j, <X_i X_j> = sum g_i g_j,
    <Y_i Y_j> = sum Z_i Z_j g_i g_j, <X_i> = sum c g_i (Z_{L-1} = +1 on representatives), and the
    eigenvalues of rho_ij are closed-form (module docstring).

    Parameters
    ----------
    Vs : ndarray, shape (2**(L-1),) or (2**(L-1), k), real
    L : int
    parity : {+1, -1}
    pairs : array_like of int, shape (n_pairs, 2), optional
        Default all i < j (``np.triu_indices(L, 1)`` order).

    Returns
    -------
    ndarray, shape (k, n_pairs)
    """
    L = check_L(L, lo=2)
    parity = check_parity(parity)
    Vs = _columns(Vs, L, 2 ** (L - 1), "Vs")
    _require_real(Vs, "sector_pair_mutual_information")
    P = _check_pairs(pairs, L)
    I, J = P[:, 0], P[:, 1]
    k = Vs.shape[1]
    half = 2 ** (L - 1)
    Zf = z_eigenvalues(L)[:half].astype(np.float64)  # (half, L), Z_{L-1} = +1
    Zp = Zf[:, I] * Zf[:, J]
    out = np.empty((k, len(P)))
    for j0, j1 in _chunks(k, half * (L + 1)):
        C = np.ascontiguousarray(Vs[:, j0:j1].T, dtype=np.float64)
        W = C * C
        n2 = W.sum(axis=1)[:, None]
        zz = W @ Zp
        G = _sector_flips(C, L, parity)
        x = np.einsum("cis,cs->ci", G, C)
        xx = G @ G.transpose(0, 2, 1)
        G *= Zf.T[None, :, :]
        yy = G @ G.transpose(0, 2, 1)
        xi, xj = x[:, I], x[:, J]
        xxp, yyp = xx[:, I, J], yy[:, I, J]
        re = np.hypot(xi + xj, zz - yyp)
        ro = np.hypot(xi - xj, zz + yyp)
        lam = 0.25 * np.stack([n2 + xxp + re, n2 + xxp - re, n2 - xxp + ro, n2 - xxp - ro], -1)
        S_1 = _binary_entropy_from_radius(n2, np.abs(x))
        out[j0:j1] = S_1[:, I] + S_1[:, J] - von_neumann(lam)
    return out


# --------------------------------------------------------------------------------------------
# random-state references


def page_entropy(dim_A: int, dim_B: int) -> float:
    """Page's average entanglement entropy of a Haar-random complex pure state (Page 1993).

    S = sum_{k=n+1}^{m n} 1/k - (m - 1)/(2 n) with m = min(dim_A, dim_B), n = max, computed as
    digamma(m n + 1) - digamma(n + 1) - (m - 1)/(2 n).

    Parameters
    ----------
    dim_A, dim_B : int
        Hilbert-space dimensions of the two parts (>= 1).

    Returns
    -------
    float
        Average entropy in nats (0 when either dimension is 1).
    """
    a, b = int(dim_A), int(dim_B)
    if a < 1 or b < 1:
        raise ValueError(f"dimensions must be >= 1; got {dim_A}, {dim_B}")
    m, n = min(a, b), max(a, b)
    if m == 1:
        return 0.0
    return float(digamma(m * n + 1.0) - digamma(n + 1.0) - (m - 1) / (2.0 * n))


def random_state_entropy(
    L: int,
    sites: Sequence[int],
    n_samples: int,
    seed,
    real: bool = True,
    parity: int | None = None,
) -> tuple[float, float]:
    """Sample mean and standard error of S_A over random pure states.

    States are Gaussian vectors normalized to 1: real (orthogonal ensemble, the class of
    eigenvectors of real Hamiltonians) when ``real``, else complex (Haar, compare with
    :func:`page_entropy`). With ``parity`` = +1 or -1 the Gaussian vector lives in that parity
    sector (2**(L-1) amplitudes) and is embedded with
    :func:`kasglass.ed.basis.sector_to_full`.

    Deterministic for a seed: ``rng = numpy.random.default_rng(seed)``; samples are drawn in
    consecutive chunks of ``max(1, 2**20 // dim)`` states (dim = 2**L or 2**(L-1)), each chunk
    as ``rng.standard_normal((dim, n_chunk))`` (complex: real part, then imaginary part with a
    second call of the same shape).

    Parameters
    ----------
    L : int
    sites : sequence of int
        Sites of A.
    n_samples : int
        Number of states (>= 2).
    seed : int or numpy SeedSequence-compatible
    real : bool
    parity : {None, +1, -1}

    Returns
    -------
    (mean, stderr) : tuple of float
        stderr = std(ddof=1) / sqrt(n_samples).
    """
    L = check_L(L, lo=1 if parity is None else 2)
    sites = _check_sites(sites, L)
    n_samples = int(n_samples)
    if n_samples < 2:
        raise ValueError(f"n_samples must be >= 2; got {n_samples}")
    if parity is not None:
        parity = check_parity(parity)
    dim = 2**L if parity is None else 2 ** (L - 1)
    half_cut = sites == tuple(range(len(sites)))
    rng = np.random.default_rng(seed)
    step = max(1, (1 << 20) // dim)
    S = np.empty(n_samples)
    for j0 in range(0, n_samples, step):
        nc = min(step, n_samples - j0)
        psi = rng.standard_normal((dim, nc))
        if not real:
            psi = psi + 1j * rng.standard_normal((dim, nc))
        psi /= np.linalg.norm(psi, axis=0)
        if parity is None:
            S[j0 : j0 + nc] = entanglement_entropy(psi, L, sites)
        elif half_cut:
            S[j0 : j0 + nc] = sector_half_entropy(psi, L, parity, len(sites))
        else:
            S[j0 : j0 + nc] = entanglement_entropy(sector_to_full(psi, L, parity), L, sites)
    return float(S.mean()), float(S.std(ddof=1) / np.sqrt(n_samples))
