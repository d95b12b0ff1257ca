"""One ED realization at a time, and shard-invariant per-realization partial sums.

Disorder: realization r at size L uses ``seed = derive_seed(base_seed, "ed", L, r)``,
``J = kasglass.couplings.draw_J(seed, L)`` (upper-triangle order) and
K = :func:`kasglass.couplings.coupling_matrix` (J, L, alpha, distance, pair_sum): the same J for
every alpha and h_x (common random numbers). H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i.

For every realization and h_x the two parity sectors are diagonalized (``method="full"``: dense
dsyevd with eigenvectors; ``method="shift-invert"``: a window of eigenpairs around each target
energy density), and the following partial sums are recorded per energy window ("kind"):

- ``bin``: equal-width eps bins [eps_lo, eps_hi) over [0, 1] (full diagonalization only);
- ``target``: per sector the k levels nearest to E_min + eps_target (E_max - E_min).

Per window and realization: r_n, r_sum, r_sumsq (gap ratios of the interior levels, computed
within a sector, assigned to the eps of the middle level; for ``target`` windows, the ratios inside
the window), m_n, m_sum, m_sumsq (m_EA with diagonal terms) and mo_sum, mo_sumsq (off-diagonal
m_EA). One row per (realization, window), zeros included, so :func:`aggregate` sums in realization
order and the result does not depend on how realizations were sharded.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import numpy as np
import pandas as pd

from ..couplings import check_alpha, coupling_matrix, draw_J
from ..seeds import derive_seed
from .basis import pair_products, z_eigenvalues
from .observables import m_ea
from .spectra import (
    diagonalize_sectors,
    energy_density,
    gap_ratios,
    nearest_window,
    shift_invert,
    sparse_sectors,
    spectral_edges_sparse,
)

log = logging.getLogger(__name__)

METHODS = ("full", "shift-invert")
SUM_COLUMNS = [
    "r_n", "r_sum", "r_sumsq", "m_n", "m_sum", "m_sumsq", "mo_sum", "mo_sumsq", "eps_sum",
]


def ed_seed(base_seed: int, L: int, realization: int) -> int:
    """Seed of ED realization ``realization`` at size L: derive_seed(base_seed, "ed", L, r)."""
    return derive_seed(base_seed, "ed", int(L), int(realization))


def ed_couplings(base_seed, L, realization, alpha, distance="periodic", pair_sum="unordered"):
    """(K, seed) of ED realization r: K from ``draw_J(seed, L)``."""
    seed = ed_seed(base_seed, L, realization)
    J = draw_J(seed, int(L))
    return coupling_matrix(J, int(L), check_alpha(alpha), distance, pair_sum), seed


@lru_cache(maxsize=4)
def _sector_pairs(L: int) -> np.ndarray:
    Zp = pair_products(z_eigenvalues(L)[: 2 ** (L - 1)])
    Zp.setflags(write=False)
    return Zp


def window_size(L: int, n_eigs: int, max_fraction: float) -> int:
    """Levels per sector in a target window: min(n_eigs, max(3, floor(max_fraction 2^(L-1))))."""
    return int(min(int(n_eigs), max(3, int(max_fraction * 2 ** (L - 1)))))


def _moments(x):
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return x.size, float(x.sum()), float(np.dot(x, x))


def analyze_realization(
    K: np.ndarray,
    h_x: float,
    eps_edges: np.ndarray,
    eps_targets,
    n_eigs: int,
    max_fraction: float = 0.125,
    method: str = "full",
) -> dict:
    """Spectral statistics of one realization at one h_x.

    Parameters
    ----------
    K : ndarray, shape (L, L)
        Couplings.
    h_x : float
        Transverse field.
    eps_edges : ndarray, shape (n_bins + 1,)
        Energy-density bin edges over [0, 1] (ignored by shift-invert).
    eps_targets : sequence of float
        Target energy densities of the windows.
    n_eigs, max_fraction : int, float
        Window size, see :func:`window_size`.
    method : {"full", "shift-invert"}

    Returns
    -------
    dict
        ``bins`` (array (n_bins, 9) of :data:`SUM_COLUMNS`, None for shift-invert), ``targets``
        (array (n_targets, 9)), ``E_min``, ``E_max``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    L = K.shape[0]
    Zp = _sector_pairs(L)
    k = window_size(L, n_eigs, max_fraction)
    eps_targets = np.asarray(eps_targets, dtype=np.float64)
    tgt = np.zeros((eps_targets.size, len(SUM_COLUMNS)))
    if method == "full":
        sectors = []
        for _p, E, V in diagonalize_sectors(K, h_x, vectors=True):
            m, mo = m_ea(V, Zp, L)
            del V
            sectors.append((E, m, mo))
        E_min = min(s[0][0] for s in sectors)
        E_max = max(s[0][-1] for s in sectors)
        nb = len(eps_edges) - 1
        bins = np.zeros((nb, len(SUM_COLUMNS)))
        for E, m, mo in sectors:
            eps = energy_density(E, E_min, E_max)
            b = np.clip(np.searchsorted(eps_edges, eps, side="right") - 1, 0, nb - 1)
            r = gap_ratios(E)
            ok = np.isfinite(r)
            br = b[1:-1][ok]
            bins[:, 0] += np.bincount(br, minlength=nb)
            bins[:, 1] += np.bincount(br, weights=r[ok], minlength=nb)
            bins[:, 2] += np.bincount(br, weights=r[ok] ** 2, minlength=nb)
            bins[:, 3] += np.bincount(b, minlength=nb)
            bins[:, 4] += np.bincount(b, weights=m, minlength=nb)
            bins[:, 5] += np.bincount(b, weights=m**2, minlength=nb)
            bins[:, 6] += np.bincount(b, weights=mo, minlength=nb)
            bins[:, 7] += np.bincount(b, weights=mo**2, minlength=nb)
            bins[:, 8] += np.bincount(b, weights=eps, minlength=nb)
            for t, et in enumerate(eps_targets):
                idx = nearest_window(E, E_min + et * (E_max - E_min), k)
                tgt[t] += _window_sums(E[idx], m[idx], mo[idx], E_min, E_max)
        return {"bins": bins, "targets": tgt, "E_min": E_min, "E_max": E_max}
    # shift-invert: a window of k eigenpairs around each target, per sector
    sparse = sparse_sectors(K, h_x)
    edges = [spectral_edges_sparse(H) for _, H in sparse]
    E_min = min(e[0] for e in edges)
    E_max = max(e[1] for e in edges)
    for _, H in sparse:
        for t, et in enumerate(eps_targets):
            E, V = shift_invert(H, E_min + et * (E_max - E_min), k)
            m, mo = m_ea(V, Zp, L)
            tgt[t] += _window_sums(E, m, mo, E_min, E_max)
    return {"bins": None, "targets": tgt, "E_min": E_min, "E_max": E_max}


def _window_sums(E, m, mo, E_min, E_max):
    rn, rs, rq = _moments(gap_ratios(E))
    eps = energy_density(E, E_min, E_max)
    return np.array([
        rn, rs, rq, m.size, m.sum(), np.dot(m, m), mo.sum(), np.dot(mo, mo), eps.sum(),
    ])


def run_shard(
    base_seed: int,
    L: int,
    alpha: float,
    h_x: float,
    realizations,
    n_eps_bins: int,
    eps_targets,
    n_eigs: int,
    max_fraction: float = 0.125,
    method: str = "full",
    distance: str = "periodic",
    pair_sum: str = "unordered",
) -> pd.DataFrame:
    """Per-realization partial sums for a shard of realizations at one (L, alpha, h_x).

    Returns
    -------
    DataFrame
        One row per (realization, window): realization, seed, L, alpha, h_x, method, kind
        (``bin`` | ``target``), idx, eps_lo, eps_hi, eps_target, E_min, E_max and
        :data:`SUM_COLUMNS`.
    """
    L = int(L)
    edges = np.linspace(0.0, 1.0, int(n_eps_bins) + 1)
    targets = np.asarray(list(eps_targets), dtype=np.float64)
    frames = []
    for r in realizations:
        t0 = time.perf_counter()
        K, seed = ed_couplings(base_seed, L, r, alpha, distance, pair_sum)
        res = analyze_realization(K, h_x, edges, targets, n_eigs, max_fraction, method)
        parts = []
        if res["bins"] is not None:
            nb = len(edges) - 1
            parts.append(pd.DataFrame({
                "kind": "bin", "idx": np.arange(nb), "eps_lo": edges[:-1], "eps_hi": edges[1:],
                "eps_target": np.nan, **dict(zip(SUM_COLUMNS, res["bins"].T, strict=True)),
            }))
        parts.append(pd.DataFrame({
            "kind": "target", "idx": np.arange(targets.size), "eps_lo": np.nan,
            "eps_hi": np.nan, "eps_target": targets,
            **dict(zip(SUM_COLUMNS, res["targets"].T, strict=True)),
        }))
        df = pd.concat(parts, ignore_index=True)
        df.insert(0, "realization", int(r))
        df.insert(1, "seed", np.int64(seed))
        df["E_min"] = res["E_min"]
        df["E_max"] = res["E_max"]
        frames.append(df)
        log.info("L=%d alpha=%.3f h_x=%.4f r=%d (%s): %.2f s", L, alpha, h_x, r, method,
                 time.perf_counter() - t0)
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "L", L)
    out.insert(3, "alpha", float(alpha))
    out.insert(4, "h_x", float(h_x))
    out.insert(5, "method", method)
    for c in ("r_n", "m_n"):
        out[c] = out[c].astype(np.int64)
    return out


def _ratio_mean(S, N):
    """Pooled mean sum(S)/sum(N) and its cluster (realization-level) standard error."""
    Nt = N.sum()
    R = S.size
    if Nt <= 0:
        return np.nan, np.nan
    mean = S.sum() / Nt
    if R < 2:
        return mean, np.nan
    var = R / (R - 1) * np.sum((S - mean * N) ** 2) / Nt**2
    return mean, float(np.sqrt(var))


def aggregate(parts: pd.DataFrame) -> pd.DataFrame:
    """Disorder averages from per-realization partial sums (shard-invariant).

    Rows are sorted by realization before summing, so the result is bitwise independent of how
    realizations were split into shards. Means pool all levels of all realizations in a window;
    errors are cluster standard errors over realizations (levels of one realization are
    correlated).

    Returns
    -------
    DataFrame
        One row per (L, alpha, h_x, method, kind, idx): eps_lo, eps_hi, eps_target, eps_mean,
        r_mean, r_err, m_ea, m_ea_err, m_ea_offdiag, m_ea_offdiag_err, n_levels (gap ratios),
        n_states (eigenstates), n_realizations.
    """
    keys = ["L", "alpha", "h_x", "method", "kind", "idx"]
    rows = []
    parts = parts.sort_values(keys + ["realization"], kind="stable")
    dup = parts.duplicated(keys + ["realization"])
    if dup.any():
        raise ValueError("duplicate realizations in ED partial sums (overlapping shards?)")
    for key, g in parts.groupby(keys, sort=True):
        rn = g["r_n"].to_numpy(float)
        mn = g["m_n"].to_numpy(float)
        r_mean, r_err = _ratio_mean(g["r_sum"].to_numpy(), rn)
        m_mean, m_err = _ratio_mean(g["m_sum"].to_numpy(), mn)
        o_mean, o_err = _ratio_mean(g["mo_sum"].to_numpy(), mn)
        e_mean = g["eps_sum"].sum() / mn.sum() if mn.sum() > 0 else np.nan
        rows.append({
            **dict(zip(keys, key, strict=True)),
            "eps_lo": g["eps_lo"].iloc[0], "eps_hi": g["eps_hi"].iloc[0],
            "eps_target": g["eps_target"].iloc[0], "eps_mean": e_mean,
            "r_mean": r_mean, "r_err": r_err, "m_ea": m_mean, "m_ea_err": m_err,
            "m_ea_offdiag": o_mean, "m_ea_offdiag_err": o_err,
            "n_levels": int(rn.sum()), "n_states": int(mn.sum()), "n_realizations": int(len(g)),
        })
    return pd.DataFrame(rows)


FIG3_COLUMNS = [
    "alpha", "L", "h_x", "eps_lo", "eps_hi", "eps_mean", "r_mean", "r_err", "m_ea", "m_ea_err",
    "m_ea_offdiag", "m_ea_offdiag_err", "n_levels", "n_states", "n_realizations", "method",
]
FSS_COLUMNS = [
    "alpha", "L", "h_x", "eps_target", "eps_mean", "r_mean", "r_err", "m_ea", "m_ea_err",
    "m_ea_offdiag", "m_ea_offdiag_err", "m_ea_baseline", "n_levels", "n_states",
    "n_realizations", "method",
]


def _select(parts: pd.DataFrame, kind: str, n_realizations: dict, h_x) -> pd.DataFrame:
    """Rows of ``kind`` for the first n realizations per L at the requested h_x."""
    keep = np.zeros(len(parts), dtype=bool)
    for L, n in n_realizations.items():
        keep |= (parts["L"].to_numpy() == int(L)) & (parts["realization"].to_numpy() < int(n))
    hx = np.asarray(list(h_x), dtype=float)
    keep &= np.isclose(parts["h_x"].to_numpy()[:, None], hx[None, :], atol=1e-9).any(axis=1)
    sel = parts[keep & (parts["kind"] == kind).to_numpy()]
    if sel.empty:
        raise ValueError(f"no ED partial sums of kind {kind!r} for L in {list(n_realizations)}")
    return sel


REALIZATION_COLUMNS = [
    "alpha", "L", "h_x", "idx", "eps_lo", "eps_hi", "realization", "seed", "r_n", "r_sum", "m_n",
    "m_sum", "mo_sum", "eps_sum", "method",
]


def realization_table(parts: pd.DataFrame, n_realizations: dict, h_x) -> pd.DataFrame:
    """Per-realization partial sums of the eps bins behind ``fig3_phase_diagram``.

    One row per (L, h_x, bin idx, realization) with the level counts and sums (r_n, r_sum, m_n,
    m_sum, mo_sum, eps_sum) that :func:`aggregate` pools; used by the exact eps -> 1 - eps
    symmetry test (claim 13) and by anyone who wants other disorder statistics.
    """
    sel = _select(parts, "bin", n_realizations, h_x)
    keys = ["L", "alpha", "h_x", "idx", "realization"]
    if sel.duplicated(keys).any():
        raise ValueError("duplicate realizations in ED partial sums (overlapping shards?)")
    return sel[REALIZATION_COLUMNS].sort_values(keys).reset_index(drop=True)


def figure_table(parts: pd.DataFrame, table: str, n_realizations: dict, h_x) -> pd.DataFrame:
    """Figure table from the shards' per-realization partial sums.

    Parameters
    ----------
    parts : DataFrame
        Concatenated output of :func:`run_shard` (any sharding).
    table : {"fig3", "figS3"}
        ``fig3``: eps bins (one row per (L, h_x, bin)); ``figS3``: target windows (one row per
        (L, h_x, eps_target)) with the ergodic baseline 1/L of m_EA.
    n_realizations : dict
        L -> number of realizations to use (the first n; shards may hold more).
    h_x : sequence of float
        Transverse fields to keep.
    """
    if table not in ("fig3", "figS3"):
        raise ValueError(f"table must be 'fig3' or 'figS3'; got {table!r}")
    sel = _select(parts, "bin" if table == "fig3" else "target", n_realizations, h_x)
    agg = aggregate(sel)
    for L, n in n_realizations.items():
        got = agg.loc[agg["L"] == int(L), "n_realizations"]
        if len(got) and (got != int(n)).any():
            raise ValueError(f"L={L}: expected {n} realizations per point; got {sorted(set(got))}")
    if table == "fig3":
        return agg[FIG3_COLUMNS].sort_values(["L", "h_x", "eps_lo"]).reset_index(drop=True)
    agg["m_ea_baseline"] = 1.0 / agg["L"]
    return agg[FSS_COLUMNS].sort_values(["L", "h_x", "eps_target"]).reset_index(drop=True)
