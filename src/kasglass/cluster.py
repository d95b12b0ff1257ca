"""Resonant-spin cluster dynamics (Fig. 2 right): the remnant polarization of the most resonant
spins of an SFS state.

Conventions
-----------
Pauli operators (eigenvalues +-1), hbar = 1, energies in units of std(J) = 1; couplings of the
model value :class:`kasglass.model.Model` (K_ij = J_ij/d_ij^alpha, periodic minimum-image distance
by default)::

    H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i,     phi_i = sum_{j != i} K_ij Z_j.

In an SFS state Z of size L (fields phi = K Z), the L_R spins with the smallest |phi| (ties broken
by site index) are kept as quantum spins I = 1..L_R, ranked by |phi| (I = 1 is the most resonant);
all other spins stay frozen and act through static fields::

    H_R = sum_I (phi_I^frozen Z_I - h_x X_I) + sum_{I<J} K_IJ Z_I Z_J,
    phi_I^frozen = sum_{j not kept} K_Ij Z_j = phi_I - sum_{J kept, J != I} K_IJ Z_J.

The remnant polarization of the n-th most resonant spin is the infinite-time average of
Z_n(t) Z_n(0) starting from the product state |Z_R> (diagonal ensemble,
:func:`kasglass.quantum.diagonal_ensemble_z`)::

    P(n) = Z_n(0) sum_k |<k|Z_R>|^2 <k|Z_n|k>.

H_R has no symmetry (the frozen fields break spin reversal), so the full 2^L_R basis is used:
dense diagonalization, or from L_R = ``chebyshev_from`` on the time average over [0, t_avg] by
matrix-free Chebyshev propagation (:func:`kasglass.quantum.chebyshev_time_average_z`; faster for
L_R >= 13, it differs from the infinite-time value only by level pairs closer than ~1/t_avg, see
benchmarks/bench_dynamics.py). Levels closer than ``tol`` form one eigenspace.

The values P(n, L_R) are extrapolated to L_R -> infinity per realization with the linear forms of
:func:`kasglass.extrapolation.cluster_weights`.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd

from . import couplings
from .ed.spectra import resolved_tol
from .extrapolation import cluster_forms_available, cluster_weights
from .model import Model
from .quantum import (
    basis_index,
    chebyshev_time_average_z,
    classical_diagonal,
    diagonal_ensemble_z,
    eigh,
)
from .seeds import derive_seed
from .stats import mean_err

log = logging.getLogger(__name__)


def _full_hamiltonian(K, h_x, h_z=None):
    from .ed.hamiltonian import full_hamiltonian

    return full_hamiltonian(K, h_x, h_z)


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
    """<Z_I> of the resonant spins ``idx`` time-averaged over [0, t_avg] (the matrix-free
    Chebyshev route of :func:`kasglass.quantum.chebyshev_time_average_z`; for large L_R, where
    dense ED is slower).
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
    precision="float64",
    device="cpu",
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
    precision : {"float64", "float32"}
        Arithmetic of the dense diagonalizations (:func:`kasglass.ed.spectra.eigh_sector`); with
        float32 the diagonal ensemble groups levels closer than the single-precision resolution
        (:func:`kasglass.ed.spectra.resolved_tol`).
    device : {"cpu", "gpu"}
        Where the dense diagonalizations run (:mod:`kasglass.ed.gpu`).

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
            E, V = eigh(H, precision, device)
            del H
            q = diagonal_ensemble_z(E, V, [s0], l, resolved_tol(E, tol, precision))[:, 0]
        P[a] = Z[idx[:n_spins]] * q[:n_spins]
        seconds[a] = time.perf_counter() - t0
    if return_seconds:
        return P, idx, phi, seconds
    return P, idx, phi


def polarization_rows(
    base_seed: int,
    L: int,
    realizations,
    states,
    model: Model,
    h_x: float,
    L_R_list,
    n_spins: int = 6,
    *,
    tol: float = 1e-10,
    chebyshev_from: int | None = None,
    t_avg: float = 1e4,
    precision: str = "float64",
    device: str = "cpu",
    progress_every: float = 30.0,
) -> pd.DataFrame:
    """P(n, L_R) for stored SFS states of size L: one row per (realization, L_R, n).

    Parameters
    ----------
    realizations : ndarray of int, shape (m,)
        Realization indices (couplings ``model.coupling_matrix(draw_J_pairs(base_seed, L, r))``).
    states : ndarray, shape (m, L)
        Their stored SFS states (checked to be SFS with the regenerated couplings).

    Returns
    -------
    DataFrame
        L, alpha, h_x, realization, seed_couplings, L_R, n, site, abs_phi, P, seconds (wall time
        of that realization's L_R, for the cost table).
    """
    from .sfs import check_stored_sfs

    rows = []
    Kbuf = np.empty((L, L))
    t0 = t_last = time.monotonic()
    for done, (r, Z) in enumerate(zip(realizations, states, strict=True), start=1):
        K = model.coupling_matrix(couplings.draw_J_pairs(base_seed, L, int(r)), L, out=Kbuf)
        Z = np.asarray(Z, dtype=np.float64)
        phi = K @ Z
        check_stored_sfs(Z, phi, L, int(r), model.alpha)
        P, idx, phi, secs = remnant_polarization(
            K, Z, h_x, L_R_list, n_spins, tol, phi, True, chebyshev_from, t_avg, precision, device
        )
        seed_J = derive_seed(base_seed, "couplings", L, int(r))
        for a, l in enumerate(L_R_list):
            for n in range(n_spins):
                rows.append(
                    (
                        L,
                        model.alpha,
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
            rate = done / max(now - t0, 1e-9)
            log.info(
                "L=%d: %d/%d realizations (%.2f s each, %.0f s left)",
                L,
                done,
                len(realizations),
                1.0 / rate,
                (len(realizations) - done) / rate,
            )
            t_last = now
    cols = [
        "L",
        "alpha",
        "h_x",
        "realization",
        "seed_couplings",
        "L_R",
        "n",
        "site",
        "abs_phi",
        "P",
        "seconds",
    ]
    return pd.DataFrame(rows, columns=cols)


def aggregate_polarization(
    df: pd.DataFrame, extrapolation="linear", alternatives=("linear_upper", "quadratic")
):
    """Figure table of Fig. 2 right from per-realization rows of :func:`polarization_rows`.

    One row per (L, n, L_R) with the realization mean and standard error (``extrapolation`` null),
    then one row per (L, n) and extrapolation form with L_R null: the L_R -> infinity value of
    that form (:func:`kasglass.extrapolation.cluster_weights`). ``main`` marks the headline form
    (``extrapolation`` if the L_R values allow it, else ``linear`` or ``largest``). The
    extrapolation is linear in the data, so it is applied per realization and its statistical
    error includes the correlations between L_R values. On the main row
    P_err = sqrt(P_err_stat^2 + P_err_sys^2), P_err_sys being the largest deviation of the other
    forms from it; on the other rows P_err = P_err_stat and P_err_sys is null. Rows are sorted by
    realization first, so the result does not depend on sharding.
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
            m, e = mean_err(tab[l].to_numpy())
            out.append(
                dict(
                    base,
                    L_R=l,
                    extrapolation=None,
                    main=False,
                    P=m,
                    P_err=e,
                    P_err_stat=e,
                    P_err_sys=math.nan,
                )
            )
        forms = cluster_forms_available(lrs, [extrapolation, *alternatives])
        if extrapolation not in forms:
            forms = cluster_forms_available(lrs, ["linear", "largest"])[:1] + [
                f for f in forms if f != extrapolation
            ]
        if not forms:
            continue
        main = forms[0]
        vals = {}
        for f in forms:
            ext = tab.to_numpy() @ cluster_weights(lrs, f)
            vals[f] = mean_err(ext)
        m, e = vals[main]
        sys = max([abs(vals[f][0] - m) for f in forms[1:]] + [0.0])
        for f in forms:
            is_main = f == main
            fm, fe = vals[f]
            out.append(
                dict(
                    base,
                    L_R=None,
                    extrapolation=f,
                    main=is_main,
                    P=fm,
                    P_err=float(math.hypot(e, sys)) if is_main else fe,
                    P_err_stat=fe,
                    P_err_sys=sys if is_main else math.nan,
                    L_R_min=min(lrs),
                    L_R_max=max(lrs),
                )
            )
    res = pd.DataFrame(out)
    for c in ("L_R", "L_R_min", "L_R_max"):
        if c not in res.columns:
            res[c] = pd.NA
        res[c] = res[c].astype("Int64")
    return res


# ---------------------------------------------------------------------------------------------
# Entanglement of the resonant cluster in the diagonal ensemble of the SFS state

#: the clusters whose entanglement is measured: the L_R spins with the smallest |phi| (the
#: resonant cluster of Fig. 2 right) and, as control, the L_R spins with the largest |phi|
CLUSTERS = ("resonant", "control")
#: eigenstates of H_R with a smaller diagonal-ensemble weight are left out of the averages
WEIGHT_FLOOR = 1e-12


def select_cluster(phi: np.ndarray, L_R: int, cluster: str) -> np.ndarray:
    """Sites of a cluster in rank order: ``resonant``, the L_R smallest |phi|
    (:func:`select_resonant`); ``control``, the L_R largest |phi| (ties: lower site first)."""
    if cluster == "resonant":
        return select_resonant(phi, L_R)
    if cluster == "control":
        return np.argsort(-np.abs(np.asarray(phi)), kind="stable")[:L_R]
    raise ValueError(f"cluster must be one of {list(CLUSTERS)}; got {cluster!r}")


def half_cluster(sites: np.ndarray) -> np.ndarray:
    """Qubits (positions in ``sites``) of the half cluster: the floor(L_R/2) cluster spins that
    come first along the chain (smallest site index)."""
    order = np.argsort(np.asarray(sites), kind="stable")
    return np.sort(order[: len(sites) // 2])


def cluster_entanglement(
    K, Z, phi, h_x, L_R, n_spins, cluster, L, periodic=True, precision="float64", device="cpu"
):
    """Diagonal-ensemble entanglement of one cluster of the state Z (``precision``, ``device``:
    of the dense diagonalization, :func:`kasglass.ed.spectra.eigh_sector`). The entropies are per
    eigenstate, so levels degenerate within the solver's resolution contribute in whatever basis
    of their span it returns (float32: levels closer than about 1e-8 max|E| after its
    refinement; their weight is small at the h_x of Fig. 2, see docs/ed_precision.md).

    H_R of the cluster's spins (:func:`resonant_hamiltonian`: the others frozen), its eigenstates
    |k> weighted by w_k = |<k|Z_R>|^2 (the diagonal ensemble of the product state; eigenstates
    with w_k < :data:`WEIGHT_FLOOR` left out), and the weighted means sum_k w_k S(|k>) of

    - the entropy of each of the n_spins first-ranked cluster spins with the rest of the cluster;
    - the half-cluster entropy (:func:`half_cluster`: the cluster spins first along the chain);
    - the mutual information I(a:b) = S_a + S_b - S_ab of every pair of the n_spins first-ranked
      spins, with their distance along the chain of L sites (minimum image on a ring,
      ``periodic``; |i - j| on an open chain).

    Returns
    -------
    dict
        ``sites`` (cluster sites in rank order), ``s_spin`` (n_spins,), ``s_half`` (float),
        ``n_half`` (spins in the half), ``pairs`` (n_pairs, 2) ranks (0-based), ``distance``
        (n_pairs,), ``mi`` (n_pairs,), ``weight`` (the weight kept, close to 1).
    """
    from .quantum.entanglement import (
        entanglement_entropy,
        pair_mutual_information,
        single_site_entropies,
    )

    sites = select_cluster(phi, L_R, cluster)
    H, s0, _ = resonant_hamiltonian(K, Z, sites, h_x)
    E, V = eigh(H, precision, device)
    del H
    w = V[s0] ** 2
    keep = np.flatnonzero(w >= WEIGHT_FLOOR)
    Vk, wk = np.ascontiguousarray(V[:, keep]), w[keep]
    n = min(int(n_spins), int(L_R))
    iu, ju = np.triu_indices(n, 1)
    pairs = np.stack([iu, ju], axis=1)
    half = half_cluster(sites)
    d = np.abs(sites[iu] - sites[ju])
    return {
        "sites": sites,
        "s_spin": wk @ single_site_entropies(Vk, L_R)[:, :n],
        "s_half": float(wk @ entanglement_entropy(Vk, L_R, half)),
        "n_half": len(half),
        "pairs": pairs,
        "distance": np.minimum(d, L - d) if periodic else d,
        "mi": wk @ pair_mutual_information(Vk, L_R, pairs) if len(pairs) else np.zeros(0),
        "weight": float(wk.sum()),
    }


def entanglement_rows(
    base_seed,
    L,
    realizations,
    states,
    model,
    h_x,
    L_R_list,
    n_spins,
    precision="float64",
    device="cpu",
):
    """:func:`cluster_entanglement` of both clusters (:data:`CLUSTERS`) for stored SFS states:
    one row per (realization, cluster, L_R, quantity, spin or pair).

    Columns: L, alpha, h_x, realization, cluster, L_R, quantity (``s_spin``: rank n, site,
    abs_phi; ``s_half``: n_half spins; ``mi``: ranks n and m, their sites' ring distance), n, m,
    site, distance, abs_phi, value, weight.
    """
    from .sfs import check_stored_sfs

    rows = []
    Kbuf = np.empty((L, L))
    t0 = t_last = time.monotonic()
    for done, (r, Z) in enumerate(zip(realizations, states, strict=True), start=1):
        K = model.coupling_matrix(couplings.draw_J_pairs(base_seed, L, int(r)), L, out=Kbuf)
        Z = np.asarray(Z, dtype=np.float64)
        phi = K @ Z
        check_stored_sfs(Z, phi, L, int(r), model.alpha)
        for c in CLUSTERS:
            for l in L_R_list:
                e = cluster_entanglement(
                    K, Z, phi, h_x, int(l), n_spins, c, L, model.periodic, precision, device
                )
                base = (L, model.alpha, float(h_x), int(r), c, int(l))
                for n, s in enumerate(e["s_spin"]):
                    site = int(e["sites"][n])
                    rows.append(
                        base + ("s_spin", n + 1, -1, site, -1, abs(phi[site]), s, e["weight"])
                    )
                rows.append(
                    base + ("s_half", e["n_half"], -1, -1, -1, np.nan, e["s_half"], e["weight"])
                )
                for (a, b), dist, v in zip(e["pairs"], e["distance"], e["mi"], strict=True):
                    rows.append(
                        base + ("mi", a + 1, b + 1, -1, int(dist), np.nan, float(v), e["weight"])
                    )
        now = time.monotonic()
        if now - t_last > 30.0 or done == len(realizations):
            rate = done / max(now - t0, 1e-9)
            log.info(
                "entanglement L=%d: %d/%d realizations (%.2f s each, %.0f s left)",
                L,
                done,
                len(realizations),
                1.0 / rate,
                (len(realizations) - done) / rate,
            )
            t_last = now
    cols = [
        "L",
        "alpha",
        "h_x",
        "realization",
        "cluster",
        "L_R",
        "quantity",
        "n",
        "m",
        "site",
        "distance",
        "abs_phi",
        "value",
        "weight",
    ]
    return pd.DataFrame(rows, columns=cols)


def aggregate_entanglement(rows: pd.DataFrame, base_seed: int) -> pd.DataFrame:
    """Figure table ``fig2_entanglement`` from :func:`entanglement_rows` (shard-invariant: rows
    sorted by realization first).

    One row per (L, cluster, L_R) and quantity: ``s_spin`` per rank n; ``s_half`` with the
    random-state references (``page``: Haar-random complex states; ``random``: sampled real
    states, :func:`kasglass.quantum.entanglement.random_state_entropy` seeded with
    ``derive_seed(base_seed, "page", L_R, 1)``); ``mi`` per bin of ring distance [2^b, 2^(b+1))
    (mean over the pairs of all realizations in the bin, cluster error over realizations) and
    once over all pairs (``d_lo`` null); with two or more L_R, the L_R -> infinity rows of
    :func:`_extrapolated_entanglement` (L_R null).
    """
    from .quantum.entanglement import page_entropy, random_state_entropy
    from .stats import mean_err, ratio_mean

    rows = rows.sort_values(["L", "cluster", "L_R", "realization", "quantity", "n", "m"])
    out = []
    refs = {}
    for (L, c, l), g in rows.groupby(["L", "cluster", "L_R"], sort=True):
        base = dict(
            L=int(L),
            alpha=float(g["alpha"].iloc[0]),
            h_x=float(g["h_x"].iloc[0]),
            cluster=c,
            L_R=int(l),
            n_realizations=int(g["realization"].nunique()),
        )
        none = dict(n=None, d_lo=None, d_hi=None, d_mean=np.nan, page=np.nan, random=np.nan)
        for n, s in g[g["quantity"] == "s_spin"].groupby("n"):
            m, e = mean_err(s["value"])
            out.append({**base, **none, "quantity": "s_spin", "n": int(n), "value": m, "err": e})
        h = g[g["quantity"] == "s_half"]
        m, e = mean_err(h["value"])
        nA = int(h["n"].iloc[0])
        if int(l) not in refs:
            seed = derive_seed(base_seed, "page", int(l), 1)
            refs[int(l)] = (
                page_entropy(2**nA, 2 ** (int(l) - nA)),
                random_state_entropy(int(l), range(nA), 400, seed)[0],
            )
        out.append(
            {
                **base,
                **none,
                "quantity": "s_half",
                "n": nA,
                "value": m,
                "err": e,
                "page": refs[int(l)][0],
                "random": refs[int(l)][1],
            }
        )
        mi = g[g["quantity"] == "mi"]
        if mi.empty:
            continue
        b = np.floor(np.log2(mi["distance"].to_numpy())).astype(int)
        for key in [None, *sorted(set(b))]:
            sel = mi if key is None else mi[b == key]
            per = sel.groupby("realization")["value"].agg(["sum", "count"])
            mm, ee = ratio_mean(per["sum"].to_numpy(), per["count"].to_numpy(float))
            out.append(
                {
                    **base,
                    **none,
                    "quantity": "mi",
                    "d_lo": None if key is None else int(2**key),
                    "d_hi": None if key is None else int(2 ** (key + 1)),
                    "d_mean": float(sel["distance"].mean()),
                    "value": mm,
                    "err": ee,
                    "n_pairs": int(len(sel)),
                }
            )
    out += _extrapolated_entanglement(rows)
    cols = [
        "alpha",
        "h_x",
        "L",
        "cluster",
        "L_R",
        "extrapolation",
        "quantity",
        "n",
        "d_lo",
        "d_hi",
        "d_mean",
        "value",
        "err",
        "page",
        "random",
        "n_pairs",
        "n_realizations",
    ]
    df = pd.DataFrame(out, columns=cols)  # no rows when no state is measured
    df["n_pairs"] = df["n_pairs"].fillna(0).astype(np.int64)
    return df


def _extrapolated_entanglement(rows: pd.DataFrame) -> list[dict]:
    """L_R -> infinity rows (L_R null, ``extrapolation`` = ``linear``: a + b/L_R over every L_R,
    :func:`kasglass.extrapolation.cluster_weights`, applied per state) of the quantities that
    converge with the cluster size: the entropy of each ranked spin and the mean pair mutual
    information of the first-ranked spins (the half-cluster entropy grows with L_R and is not
    extrapolated). Only where a state has at least two L_R."""
    from .stats import mean_err

    out = []
    for (L, c), g in rows.groupby(["L", "cluster"], sort=True):
        n_spins = int(g.loc[g["quantity"] == "s_spin", "n"].max())
        # sizes with the same ranked spins and pairs (L_R >= the number of ranked spins)
        g = g[g["L_R"] >= n_spins]
        lrs = sorted(int(x) for x in g["L_R"].unique())
        if len(lrs) < 2:
            continue
        w = cluster_weights(lrs, "linear")
        base = dict(
            L=int(L),
            alpha=float(g["alpha"].iloc[0]),
            h_x=float(g["h_x"].iloc[0]),
            cluster=c,
            L_R=None,
            d_lo=None,
            d_hi=None,
            d_mean=np.nan,
            page=np.nan,
            random=np.nan,
            extrapolation="linear",
        )
        per = {}
        for n, s in g[g["quantity"] == "s_spin"].groupby("n"):
            per[("s_spin", int(n))] = s.pivot_table(
                index="realization", columns="L_R", values="value"
            )
        mi = g[g["quantity"] == "mi"]
        if len(mi):
            per[("mi", None)] = mi.pivot_table(
                index="realization", columns="L_R", values="value", aggfunc="mean"
            )
            base_d = float(mi["distance"].mean())
        for (q, n), tab in per.items():
            tab = tab.reindex(columns=lrs).dropna().sort_index()
            m, e = mean_err(tab.to_numpy() @ w)
            out.append(
                {
                    **base,
                    "quantity": q,
                    "n": n,
                    "d_mean": base_d if q == "mi" else np.nan,
                    "value": m,
                    "err": e,
                    "n_realizations": int(len(tab)),
                    "n_pairs": 0,
                }
            )
    return out
