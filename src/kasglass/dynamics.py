"""Quantum dynamics: remnant polarization of the most resonant spins (Fig. 2 right) and quench
dynamics of full chains (Fig. S4).

Conventions
-----------
Pauli operators (eigenvalues +-1), hbar = 1, energies in units of std(J) = 1. Sites on a ring with
minimum-image distance (knob ``distance``), one Gaussian J_ij per unordered pair,
K_ij = J_ij/d_ij^alpha (``pair_sum="ordered"`` doubles K; see :mod:`kasglass.couplings`)::

    H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i,     phi_i = sum_{j != i} K_ij Z_j.

Basis state s of an l-spin system has Z_i = 1 - 2 * ((s >> i) & 1) (bit set = spin down), as in
:func:`kasglass.ed.hamiltonian.full_hamiltonian`, which builds every Hamiltonian used here.

Resonant-spin dynamics (Fig. 2 right)
-------------------------------------
In an SFS state Z of size L (fields phi = K Z), the L_R spins with the smallest |phi| (ties broken
by site index) are kept as quantum spins I = 1..L_R, ranked by |phi| (I = 1 is the most resonant);
all other spins stay frozen and act through static fields::

    H_R = sum_I (phi_I^frozen Z_I - h_x X_I) + sum_{I<J} K_IJ Z_I Z_J,
    phi_I^frozen = sum_{j not kept} K_Ij Z_j = phi_I - sum_{J kept, J != I} K_IJ Z_J.

The remnant polarization of the n-th most resonant spin is the infinite-time average of
Z_n(t) Z_n(0) starting from the product state |Z_R> (diagonal ensemble)::

    P(n) = Z_n(0) sum_k |<k|Z_R>|^2 <k|Z_n|k>.

H_R has no symmetry (the frozen fields break spin reversal), so the full 2^L_R basis is used:
dense diagonalization, or from L_R = ``chebyshev_from`` on the time average over [0, t_avg] by
matrix-free Chebyshev propagation (faster for L_R >= 13; it differs from the infinite-time value
only by level pairs closer than ~1/t_avg, see benchmarks/bench_dynamics.py).

Infinite-time averages and degeneracies
---------------------------------------
The infinite-time average of <A(t)> from |psi> is sum_G <psi|P_G A P_G|psi>, with P_G the projector
on the eigenspace G. Levels closer than ``tol`` are grouped into one eigenspace (numerical
degeneracy). For the quench of a full chain (h_z = 0), H commutes with the spin reversal
prod_i X_i: eigenstates are parity eigenstates with <k|Z_i|k> = 0, so at finite L the exact
infinite-time value of <Z_i(t)> is 0 by symmetry, reached only after the Z2 tunnelling time
~ 1/splitting between spin-reversed states (splitting ~ h_x^L at low energy; the tunnelling is
absent in the thermodynamic limit). The quench's infinite-time value is therefore taken at a finite
resolution ``degenerate_tol`` (a knob, default 1/t_max): levels closer than it count as degenerate,
so every process faster than 1/degenerate_tol is dephased and every slower one (the Z2 tunnelling
in particular) stays frozen. With h_x = 0 every product state is an eigenstate (with an exactly
degenerate reversed partner) and C(t) = 1 for all t.

Quench dynamics (Fig. S4)
-------------------------
A full chain of L spins (couplings and initial states from ``derive_seed(base_seed, "dynamics", L,
r, purpose, ...)``) evolves from a product state |Z(0)>: random (infinite temperature) or its SFS
relaxation (low energy, :func:`kasglass.sfs.relax`). C(t) = (1/L) sum_i <Z_i(t)> Z_i(0). One
diagonalization per (realization, h_x), in the two parity sectors (dimension 2^(L-1) each), serves
every initial state and time.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd
import scipy.linalg
from numba import njit

from . import couplings
from .seeds import derive_seed, rng_for
from .sfs import order_code, relax

log = logging.getLogger(__name__)

ENSEMBLES = ("sfs", "random")
#: purposes in the spawn key derive_seed(base_seed, "dynamics", L, r, purpose, ...)
_PURPOSE = {"couplings": 0, "initial": 1, "order": 2}
#: columns of the per-realization polarization rows (one per realization, L_R and n)
POLARIZATION_COLUMNS = [
    "L", "alpha", "h_x", "realization", "seed_couplings", "L_R", "n", "site", "abs_phi", "P",
    "seconds",
]
#: extrapolation forms in L_R -> infinity (see :func:`extrapolation_weights`)
EXTRAPOLATIONS = ("linear", "linear_upper", "quadratic", "largest")


def _full_hamiltonian(K, h_x, h_z=None):
    from .ed.hamiltonian import full_hamiltonian

    return full_hamiltonian(K, h_x, h_z)


def z_table(n_spins: int) -> np.ndarray:
    """Z eigenvalues of every basis state, float64, shape (2**n_spins, n_spins)."""
    from .ed.basis import z_eigenvalues

    return z_eigenvalues(n_spins).astype(np.float64)


def basis_index(Z: np.ndarray) -> np.ndarray:
    """Basis index s of product states Z (+-1, shape (..., l)): bit i set where Z_i = -1."""
    Z = np.asarray(Z)
    bits = (Z < 0).astype(np.int64)
    return (bits << np.arange(Z.shape[-1], dtype=np.int64)).sum(axis=-1)


def eigh(H: np.ndarray):
    """Spectrum (ascending) and eigenvectors (columns) of a real symmetric matrix (LAPACK evd)."""
    return scipy.linalg.eigh(H, driver="evd", overwrite_a=True, check_finite=False)


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


# ---------------------------------------------------------------------------------------------
# Resonant-spin dynamics (Fig. 2 right)


def select_resonant(phi: np.ndarray, L_R: int) -> np.ndarray:
    """Indices of the L_R spins with the smallest |phi|, ranked by |phi| (ties: lower site
    first)."""
    phi = np.asarray(phi)
    if not 1 <= L_R <= len(phi):
        raise ValueError(f"L_R must be in [1, L={len(phi)}]; got {L_R}")
    return np.argsort(np.abs(phi), kind="stable")[:L_R]


def frozen_fields(K: np.ndarray, Z: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """phi_I^frozen = sum_{j not in idx} K_Ij Z_j for I in idx, shape (len(idx),)."""
    mask = np.ones(len(Z), dtype=bool)
    mask[idx] = False
    return K[np.asarray(idx)][:, mask] @ np.asarray(Z, dtype=np.float64)[mask]


def resonant_hamiltonian(K, Z, idx, h_x):
    """H_R of the spins ``idx`` (module docstring), the initial basis index and the frozen fields.

    Returns
    -------
    H : ndarray, shape (2**l, 2**l), float64
    s0 : int
        Basis index of the product state Z[idx].
    phi_frozen : ndarray, shape (l,)
    """
    idx = np.asarray(idx)
    Kr = np.ascontiguousarray(K[idx][:, idx])
    hz = frozen_fields(K, Z, idx)
    H = _full_hamiltonian(Kr, float(h_x), hz)
    return H, int(basis_index(np.asarray(Z)[idx])), hz


def resonant_time_average(K, Z, idx, h_x, t_avg):
    """<Z_I> of the resonant spins ``idx`` time-averaged over [0, t_avg] (matrix-free Chebyshev
    route of :func:`chebyshev_time_average_z`; for large L_R, where dense ED is slower).
    """
    idx = np.asarray(idx)
    Z = np.asarray(Z, dtype=np.float64)
    hz = frozen_fields(K, Z, idx)
    diag = classical_diagonal(np.ascontiguousarray(K[np.ix_(idx, idx)]), hz)
    zbar, _ = chebyshev_time_average_z(diag, float(h_x), len(idx), int(basis_index(Z[idx])), t_avg)
    return zbar


def remnant_polarization(
    K,
    Z,
    h_x,
    L_R_list,
    n_spins=6,
    tol=1e-10,
    phi=None,
    return_seconds=False,
    chebyshev_from=None,
    t_avg=1e4,
):
    """Remnant polarization P(n, L_R) of the n_spins most resonant spins of the state Z.

    Parameters
    ----------
    K : ndarray, shape (L, L)
        Couplings (symmetric, zero diagonal).
    Z : ndarray, shape (L,)
        Spins +-1 (an SFS state in Fig. 2).
    h_x : float
    L_R_list : sequence of int
        Numbers of quantum spins; each must be >= n_spins.
    n_spins : int
        n = 1..n_spins.
    tol : float
        Degeneracy tolerance of the diagonal ensemble.
    phi : ndarray, optional
        Precomputed fields K @ Z.
    chebyshev_from : int, optional
        L_R from which the infinite-time average is replaced by the time average over [0, t_avg]
        (:func:`resonant_time_average`; faster than dense diagonalization at L_R >= 13, see
        benchmarks/bench_dynamics.py). None: dense diagonalization for every L_R.
    t_avg : float

    Returns
    -------
    P : ndarray, shape (len(L_R_list), n_spins)
    idx : ndarray, shape (max(L_R_list),)
        Sites ranked by |phi| (idx[n-1] is the n-th most resonant spin).
    phi : ndarray, shape (L,)
    seconds : ndarray, shape (len(L_R_list),)
        Only with ``return_seconds``: wall time of each L_R (build, diagonalization, averages).
    """
    Z = np.asarray(Z, dtype=np.float64)
    if phi is None:
        phi = K @ Z
    L_R_list = [int(x) for x in L_R_list]
    if min(L_R_list) < n_spins:
        raise ValueError(f"every L_R must be >= n_spins = {n_spins}; got {L_R_list}")
    idx = select_resonant(phi, max(L_R_list))
    P = np.empty((len(L_R_list), n_spins))
    seconds = np.empty(len(L_R_list))
    for a, l in enumerate(L_R_list):
        t0 = time.perf_counter()
        if chebyshev_from is not None and l >= chebyshev_from:
            q = resonant_time_average(K, Z, idx[:l], h_x, t_avg)
        else:
            H, s0, _ = resonant_hamiltonian(K, Z, idx[:l], h_x)
            E, V = eigh(H)
            del H
            q = diagonal_ensemble_z(E, V, [s0], l, tol)[:, 0]
        P[a] = Z[idx[:n_spins]] * q[:n_spins]
        seconds[a] = time.perf_counter() - t0
    if return_seconds:
        return P, idx, phi, seconds
    return P, idx, phi


def polarization_shard(
    base_seed,
    L,
    realizations,
    states,
    alpha,
    h_x,
    L_R_list,
    n_spins=6,
    *,
    distance="periodic",
    pair_sum="unordered",
    tol=1e-10,
    chebyshev_from=None,
    t_avg=1e4,
    progress_every=30.0,
):
    """P(n, L_R) for stored SFS states of size L: one row per (realization, L_R, n).

    Parameters
    ----------
    realizations : ndarray of int, shape (m,)
        Realization indices (couplings ``coupling_matrix(draw_J_pairs(base_seed, L, r), ...)``).
    states : ndarray, shape (m, L)
        Their stored SFS states.

    Returns
    -------
    DataFrame
        L, alpha, h_x, realization, seed_couplings, L_R, n, site, abs_phi, P, seconds (wall time
        of that realization's L_R, for the cost table).
    """
    couplings.check_alpha(alpha)
    rows = []
    Kbuf = np.empty((L, L))
    t0 = t_last = time.monotonic()
    for done, (r, Z) in enumerate(zip(realizations, states, strict=True), start=1):
        K = couplings.coupling_matrix(
            couplings.draw_J_pairs(base_seed, L, int(r)), L, alpha, distance, pair_sum, out=Kbuf
        )
        Z = np.asarray(Z, dtype=np.float64)
        phi = K @ Z
        if np.any(Z * phi >= 0):
            raise ValueError(
                f"state of realization {r} at L={L} is not SFS (Z_i phi_i >= 0 somewhere)"
            )
        P, idx, phi, secs = remnant_polarization(
            K, Z, h_x, L_R_list, n_spins, tol, phi, True, chebyshev_from, t_avg
        )
        seed_J = derive_seed(base_seed, "couplings", L, int(r))
        for a, l in enumerate(L_R_list):
            for n in range(n_spins):
                rows.append(
                    (
                        L,
                        float(alpha),
                        float(h_x),
                        int(r),
                        seed_J,
                        int(l),
                        n + 1,
                        int(idx[n]),
                        float(abs(phi[idx[n]])),
                        float(P[a, n]),
                        float(secs[a]),
                    )
                )
        now = time.monotonic()
        if now - t_last > progress_every or done == len(realizations):
            log.info(
                "L=%d: %d/%d realizations (%.2f s each)",
                L,
                done,
                len(realizations),
                (now - t0) / done,
            )
            t_last = now
    return pd.DataFrame(rows, columns=POLARIZATION_COLUMNS)


def extrapolation_weights(L_R_values, form: str) -> np.ndarray:
    """Linear functional a with P(L_R -> infinity) = a @ P(L_R_values) for an extrapolation form.

    Forms: ``linear`` a + b/L_R (least squares over all L_R), ``linear_upper`` the same over the
    upper half of the L_R values (at least 2), ``quadratic`` a + b/L_R + c/L_R^2 (needs >= 4
    values), ``largest`` the value at the largest L_R (no extrapolation).
    """
    x = 1.0 / np.asarray(L_R_values, dtype=np.float64)
    m = len(x)
    a = np.zeros(m)
    if form == "largest":
        a[int(np.argmin(x))] = 1.0
        return a
    if form == "linear":
        sel, deg = np.arange(m), 1
    elif form == "linear_upper":
        order = np.argsort(x)  # smallest 1/L_R first = largest L_R
        sel, deg = order[: max(2, (m + 1) // 2)], 1
    elif form == "quadratic":
        sel, deg = np.arange(m), 2
    else:
        raise ValueError(f"extrapolation must be one of {EXTRAPOLATIONS}; got {form!r}")
    need = {"linear": 2, "linear_upper": 3, "quadratic": 4}[form]  # L_R values required
    if m < need:
        raise ValueError(f"extrapolation {form!r} needs more L_R values than {list(L_R_values)}")
    X = np.vander(x[sel], deg + 1, increasing=True)
    a[sel] = np.linalg.pinv(X)[0]
    return a


def available_forms(L_R_values, forms) -> list[str]:
    """The forms of ``forms`` that the L_R values allow (see :func:`extrapolation_weights`)."""
    ok = []
    for f in forms:
        try:
            extrapolation_weights(L_R_values, f)
            ok.append(f)
        except ValueError:
            pass
    return ok


def _mean_err(v):
    v = np.asarray(v, dtype=np.float64)
    m = len(v)
    mean = float(v.mean()) if m else math.nan
    err = float(v.std(ddof=1) / math.sqrt(m)) if m > 1 else math.nan
    return mean, err


def aggregate_polarization(
    df: pd.DataFrame, extrapolation="linear", alternatives=("linear_upper", "quadratic")
):
    """Figure table of Fig. 2 right from per-realization rows of :func:`polarization_shard`.

    One row per (L, n, L_R) with the realization mean and standard error, plus one row per (L, n)
    with L_R null: the L_R -> infinity extrapolation of the main form. The extrapolation is linear
    in the data, so it is applied per realization and its statistical error includes the
    correlations between L_R values. P_err = sqrt(P_err_stat^2 + P_err_sys^2), P_err_sys being the
    largest deviation of the alternative forms from the main one. Rows are sorted by realization
    first, so the result does not depend on sharding.
    """
    df = df.sort_values(["L", "realization", "L_R", "n"], kind="stable")
    out = []
    for (L, n), g in df.groupby(["L", "n"], sort=True):
        alpha, h_x = float(g["alpha"].iloc[0]), float(g["h_x"].iloc[0])
        tab = g.pivot(index="realization", columns="L_R", values="P").sort_index()
        tab = tab.dropna()
        lrs = [int(c) for c in tab.columns]
        nr = len(tab)
        absphi = g.groupby("realization")["abs_phi"].first()
        base = dict(
            alpha=alpha,
            h_x=h_x,
            L=int(L),
            n=int(n),
            n_realizations=nr,
            abs_phi_mean=float(absphi.mean()),
            abs_phi_median=float(absphi.median()),
        )
        for l in lrs:
            m, e = _mean_err(tab[l].to_numpy())
            out.append(
                dict(base, L_R=l, P=m, P_err=e, P_err_stat=e, P_err_sys=0.0, extrapolation="")
            )
        forms = available_forms(lrs, [extrapolation, *alternatives])
        if extrapolation not in forms:
            forms = available_forms(lrs, ["linear", "largest"])[:1] + [
                f for f in forms if f != extrapolation
            ]
        if not forms:
            continue
        main = forms[0]
        vals = {}
        for f in forms:
            ext = tab.to_numpy() @ extrapolation_weights(lrs, f)
            vals[f] = _mean_err(ext)
        m, e = vals[main]
        sys = max([abs(vals[f][0] - m) for f in forms[1:]] + [0.0])
        out.append(
            dict(
                base,
                L_R=None,
                P=m,
                P_err=float(math.hypot(e, sys)),
                P_err_stat=e,
                P_err_sys=sys,
                extrapolation=main,
                L_R_min=min(lrs),
                L_R_max=max(lrs),
                alternatives=";".join(f"{f}={vals[f][0]:.4f}" for f in forms[1:]),
            )
        )
    res = pd.DataFrame(out)
    if len(res):
        res["L_R"] = res["L_R"].astype("Int64")
        res["L_R_min"] = res["L_R_min"].astype("Int64")
        res["L_R_max"] = res["L_R_max"].astype("Int64")
        res["alternatives"] = res["alternatives"].fillna("")
    cols = [
        "alpha",
        "h_x",
        "L",
        "n",
        "L_R",
        "P",
        "P_err",
        "n_realizations",
        "P_err_stat",
        "P_err_sys",
        "extrapolation",
        "L_R_min",
        "L_R_max",
        "alternatives",
        "abs_phi_mean",
        "abs_phi_median",
    ]
    return res.reindex(columns=cols)


# ---------------------------------------------------------------------------------------------
# Quench dynamics of full chains (Fig. S4)


def parity_eigh(K: np.ndarray, h_x: float):
    """Eigenpairs of the full-chain H (h_z = 0) from its two parity sectors of prod_i X_i.

    Uses :func:`kasglass.ed.hamiltonian.sector_hamiltonian` (basis (|a> + p|n-1-a>)/sqrt(2),
    a < n/2 = 2^(L-1)); each sector eigenvector u maps to v[a] = u[a]/sqrt(2),
    v[n-1-a] = p u[a]/sqrt(2) in the full basis.

    Returns
    -------
    E : ndarray, shape (2**L,)
        Ascending eigenvalues of H.
    V : ndarray, shape (2**L, 2**L)
        Eigenvectors (columns) in the full basis, each of definite parity.
    parity : ndarray of int8, shape (2**L,)
    """
    from .ed.hamiltonian import sector_hamiltonian

    n = 2 ** K.shape[0]
    h = n // 2
    Es, Vs, Ps = [], [], []
    buf = np.empty((h, h))
    for p in (1, -1):
        w, u = eigh(sector_hamiltonian(K, float(h_x), p, out=buf))
        v = np.empty((n, h))
        v[:h] = u / math.sqrt(2.0)
        v[h:] = (p / math.sqrt(2.0)) * u[::-1]
        Es.append(w)
        Vs.append(v)
        Ps.append(np.full(h, p, dtype=np.int8))
    E = np.concatenate(Es)
    order = np.argsort(E, kind="stable")
    V = np.concatenate(Vs, axis=1)[:, order]
    return E[order], V, np.concatenate(Ps)[order]


def log_time_grid(t_min: float, t_max: float, n_times: int) -> np.ndarray:
    """t = 0 followed by n_times log-spaced times from t_min to t_max."""
    return np.concatenate([[0.0], np.logspace(np.log10(t_min), np.log10(t_max), int(n_times))])


def quench_initial_states(base_seed, L, r, K, n_initial, order="random"):
    """Random product states and their SFS relaxations for realization r, each shape (n_initial, L).

    Random state k: ``rng_for(base_seed, "dynamics", L, r, 1)`` (n_initial x L signs); the SFS state
    k is its relaxation with flip-order seed ``derive_seed(base_seed, "dynamics", L, r, 2, k)``.
    """
    rng = rng_for(base_seed, "dynamics", L, r, _PURPOSE["initial"])
    Zr = np.where(rng.random((n_initial, L)) < 0.5, -1.0, 1.0)
    Zs = Zr.copy()
    code = order_code(order)
    no_rec = np.empty(0, dtype=np.int64)
    for k in range(n_initial):
        relax(
            K, Zs[k], code, derive_seed(base_seed, "dynamics", L, r, _PURPOSE["order"], k), no_rec
        )
    return Zs, Zr


def quench_couplings(base_seed, L, r, alpha, distance="periodic", pair_sum="unordered"):
    """K of the quench realization r at size L.

    Seeded by ``derive_seed(base_seed, "dynamics", L, r, 0)``.
    """
    J = couplings.draw_J(derive_seed(base_seed, "dynamics", L, r, _PURPOSE["couplings"]), L)
    return couplings.coupling_matrix(J, L, alpha, distance, pair_sum)


def quench_realization(K, h_x, Z0, times, degenerate_tol=1e-4):
    """Exact quench of a full chain from product states Z0 (shape (m, L)).

    Returns
    -------
    C : ndarray, shape (m, len(times))
        C(t) = (1/L) sum_i <Z_i(t)> Z_i(0).
    q : ndarray, shape (m, L)
        Infinite-time values Z_i(0) <Z_i>_inf (degenerate_tol: see module docstring).
    eps : ndarray, shape (m,)
        Scaled energy density (<H> - E_min) / (E_max - E_min) of each initial state.
    """
    L = K.shape[0]
    Z0 = np.atleast_2d(np.asarray(Z0, dtype=np.float64))
    from .ed.hamiltonian import diagonal_energies

    s = basis_index(Z0)
    e0 = diagonal_energies(K, Z0)  # <s|H|s>: the X part has no diagonal
    E, V, _ = parity_eigh(K, h_x)
    zt = z_expectations(E, V, s, L, times)  # (T, L, m)
    C = np.einsum("tim,mi->mt", zt, Z0) / L
    q = (diagonal_ensemble_z(E, V, s, L, degenerate_tol).T) * Z0
    eps = (e0 - E[0]) / (E[-1] - E[0])
    return C, q, eps


def quench_shard(
    base_seed,
    L,
    lo,
    hi,
    alpha,
    h_x_list,
    n_initial,
    times,
    *,
    order="random",
    distance="periodic",
    pair_sum="unordered",
    degenerate_tol=1e-4,
    progress_every=30.0,
):
    """Quench realizations r in [lo, hi) at size L for every h_x; per-realization outputs.

    Returns
    -------
    series : DataFrame
        L, alpha, h_x, ensemble, realization, seed, t_index, t (inf for the infinite-time value),
        C (mean over the n_initial initial states), eps (their mean scaled energy density).
    spins : DataFrame
        L, alpha, h_x, ensemble, realization, state, site, q = Z_i(0) <Z_i>_inf.
    """
    couplings.check_alpha(alpha)
    times = np.asarray(times, dtype=np.float64)
    ser, spn = [], []
    t0 = t_last = time.monotonic()
    for done, r in enumerate(range(lo, hi), start=1):
        seed = derive_seed(base_seed, "dynamics", L, r, _PURPOSE["couplings"])
        K = quench_couplings(base_seed, L, r, alpha, distance, pair_sum)
        Zs, Zr = quench_initial_states(base_seed, L, r, K, n_initial, order)
        Z0 = np.concatenate([Zs, Zr])
        for h_x in h_x_list:
            C, q, eps = quench_realization(K, h_x, Z0, times, degenerate_tol)
            for e, ens in enumerate(ENSEMBLES):
                sl = slice(e * n_initial, (e + 1) * n_initial)
                Cm = C[sl].mean(axis=0)
                em = float(eps[sl].mean())
                base = (L, float(alpha), float(h_x), ens, r, seed)
                for k, t in enumerate(times):
                    ser.append((*base, k, float(t), float(Cm[k]), em))
                ser.append((*base, len(times), math.inf, float(q[sl].mean()), em))
                qq = q[sl]
                for j in range(n_initial):
                    for i in range(L):
                        spn.append((*base[:5], j, i, float(qq[j, i])))
        now = time.monotonic()
        if now - t_last > progress_every or done == hi - lo:
            log.info("L=%d: %d/%d realizations (%.2f s each)", L, done, hi - lo, (now - t0) / done)
            t_last = now
    series = pd.DataFrame(
        ser,
        columns=[
            "L",
            "alpha",
            "h_x",
            "ensemble",
            "realization",
            "seed",
            "t_index",
            "t",
            "C",
            "eps",
        ],
    )
    spins = pd.DataFrame(
        spn, columns=["L", "alpha", "h_x", "ensemble", "realization", "state", "site", "q"]
    )
    return series, spins


def aggregate_quench(series: pd.DataFrame, spins: pd.DataFrame, q_bins: int = 20):
    """Figure tables of Fig. S4 from the per-realization shard outputs.

    Returns
    -------
    quench : DataFrame
        alpha, L, h_x, ensemble, t (inf: infinite-time value), C_mean, C_err (standard error over
        realizations, each averaged over its initial states), eps_mean, n_states, n_realizations.
    memory : DataFrame
        alpha, L, h_x, ensemble, q_lo, q_hi, count, density (normalized on [-1, 1]), n_spins,
        n_realizations: the distribution over spins of q = Z_i(0) <Z_i>_inf.
    """
    series = series.sort_values(["L", "h_x", "ensemble", "realization", "t_index"], kind="stable")
    rows = []
    keys = ["alpha", "L", "h_x", "ensemble"]
    n_init = spins.groupby(keys + ["realization"])["state"].nunique()
    for key, g in series.groupby(keys + ["t_index"], sort=True):
        m, e = _mean_err(g["C"].to_numpy())
        nr = g["realization"].nunique()
        ns = int(n_init.loc[tuple(key[:4])].sum()) if len(n_init) else 0
        rows.append(
            dict(
                zip(keys, key[:4], strict=True),
                t=float(g["t"].iloc[0]),
                C_mean=m,
                C_err=e,
                eps_mean=float(g["eps"].mean()),
                n_states=ns,
                n_realizations=nr,
            )
        )
    quench = pd.DataFrame(rows)
    edges = np.linspace(-1.0, 1.0, int(q_bins) + 1)
    hrows = []
    for key, g in spins.groupby(keys, sort=True):
        q = np.clip(g["q"].to_numpy(), -1.0, 1.0)
        cnt, _ = np.histogram(q, bins=edges)
        for b in range(len(cnt)):
            hrows.append(
                dict(
                    zip(keys, key, strict=True),
                    q_lo=edges[b],
                    q_hi=edges[b + 1],
                    count=int(cnt[b]),
                    density=float(cnt[b] / (len(q) * (edges[b + 1] - edges[b]))),
                    q_mean=float(q.mean()),
                    n_spins=len(q),
                    n_realizations=int(g["realization"].nunique()),
                )
            )
    return quench, pd.DataFrame(hrows)


# ---------------------------------------------------------------------------------------------
# Matrix-free route for large L_R: Chebyshev propagation and time averaging (benchmarks)


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
    from .ed.hamiltonian import diagonal_energies

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
