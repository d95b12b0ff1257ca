"""One ED realization at a time, and shard-invariant per-realization partial sums.

Disorder: realization r at size L uses ``seed = derive_seed(base_seed, "ed", L, r)``,
``J = kasglass.couplings.draw_J(seed, L)`` (upper-triangle order) and K from the model value
(:class:`kasglass.model.Model`): the same J for every alpha and h_x (common random numbers).
H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i.

For every realization and h_x the two parity sectors are diagonalized (``method="full"``: dense
dsyevd with eigenvectors; ``method="shift-invert"``: a window of eigenpairs around each target
energy density), and every observable of :data:`kasglass.ed.observables.OBSERVABLES` is summed per
energy window ("kind"):

- ``bin``: equal-width eps bins [eps_lo, eps_hi) over [0, 1] (full diagonalization only);
- ``target``: per sector the k levels nearest to E_min + eps_target (E_max - E_min).

Per window and realization each observable contributes ``{name}_n`` (finite values),
``{name}_sum`` and ``{name}_sumsq``; state observables are assigned to the eps of their
eigenstate, gap ratios to the eps of the middle level (for ``target`` windows, the ratios inside
the window). One row per (realization, window), zeros included, so :func:`aggregate` sums in
realization order and the result does not depend on how realizations were sharded.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import numpy as np
import pandas as pd

from ..couplings import draw_J
from ..model import Model
from ..seeds import derive_seed
from ..stats import ratio_mean
from .basis import pair_products, z_eigenvalues
from .observables import LEVEL_COUNT, OBSERVABLES, STATE_COUNT, SectorData
from .spectra import (
    diagonalize_sectors,
    energy_density,
    nearest_window,
    shift_invert,
    sparse_sectors,
    spectral_edges_sparse,
)

log = logging.getLogger(__name__)

METHODS = ("full", "shift-invert")
#: partial-sum columns, three per observable (count of finite values, sum, sum of squares)
SUM_COLUMNS = [c for o in OBSERVABLES for c in o.sum_columns]


def ed_seed(base_seed: int, L: int, realization: int) -> int:
    """Seed of ED realization ``realization`` at size L: derive_seed(base_seed, "ed", L, r)."""
    return derive_seed(base_seed, "ed", int(L), int(realization))


def ed_couplings(base_seed: int, L: int, realization: int, model: Model):
    """(K, seed) of ED realization r: K from ``draw_J(seed, L)`` and the model."""
    seed = ed_seed(base_seed, L, realization)
    return model.coupling_matrix(draw_J(seed, int(L)), int(L)), seed


@lru_cache(maxsize=4)
def _sector_pairs(L: int) -> np.ndarray:
    Zp = pair_products(z_eigenvalues(L)[: 2 ** (L - 1)])
    Zp.setflags(write=False)
    return Zp


def window_size(L: int, n_eigs: int, max_fraction: float) -> int:
    """Levels per sector in a target window: min(n_eigs, max(3, floor(max_fraction 2^(L-1))))."""
    return int(min(int(n_eigs), max(3, int(max_fraction * 2 ** (L - 1)))))


def _sums(x) -> tuple[int, float, float]:
    """(number of finite values, their sum, their sum of squares)."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return x.size, float(x.sum()), float(np.dot(x, x))


def _state_values(d: SectorData, vectors: bool) -> dict:
    return {
        o.name: np.asarray(o.compute(d), dtype=np.float64)
        for o in OBSERVABLES
        if o.kind == "state" and o.vectors == vectors
    }


def _window_sums(d: SectorData, values: dict, idx) -> np.ndarray:
    """Partial sums (:data:`SUM_COLUMNS`) of the contiguous levels ``idx`` of one sector."""
    out = []
    for o in OBSERVABLES:
        x = o.compute(d.E[idx]) if o.kind == "gap" else values[o.name][idx]
        out.extend(_sums(x))
    return np.array(out, dtype=np.float64)


def _bin_sums(d: SectorData, values: dict, eps_edges: np.ndarray) -> np.ndarray:
    """Partial sums (n_bins, len(SUM_COLUMNS)) of one sector's levels in the eps bins."""
    nb = len(eps_edges) - 1
    eps = energy_density(d.E, d.E_min, d.E_max)
    b = np.clip(np.searchsorted(eps_edges, eps, side="right") - 1, 0, nb - 1)
    cols = []
    for o in OBSERVABLES:
        if o.kind == "gap":
            x, bb = o.compute(d.E), b[1:-1]
        else:
            x, bb = values[o.name], b
        ok = np.isfinite(x)
        xs, bs = x[ok], bb[ok]
        cols += [
            np.bincount(bs, minlength=nb),
            np.bincount(bs, weights=xs, minlength=nb),
            np.bincount(bs, weights=xs**2, minlength=nb),
        ]
    return np.stack(cols, axis=1).astype(np.float64)


def analyze_realization(
    K: np.ndarray,
    h_x: float,
    eps_edges: np.ndarray,
    eps_targets,
    n_eigs: int,
    max_fraction: float = 0.125,
    method: str = "full",
    mi_stride: int = 16,
    precision: str = "float64",
    periodic: bool = True,
    device: str = "cpu",
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
    mi_stride : int
        Full diagonalization: the pinned entropies and mutual informations are evaluated on every
        ``mi_stride``-th eigenstate of each sector (shift-invert windows: on every eigenstate).
    precision : {"float64", "float32"}
        Arithmetic of the dense diagonalization (:func:`kasglass.ed.spectra.eigh_sector`; the
        shift-invert windows are always float64).
    periodic : bool
        Ring (minimum-image) or open-chain distances of the mutual information.
    device : {"cpu", "gpu"}
        Where the dense diagonalizations run (:mod:`kasglass.ed.gpu`; every observable is
        computed on the host either way).

    Returns
    -------
    dict
        ``bins`` (array (n_bins, len(SUM_COLUMNS)), None for shift-invert), ``targets``
        (array (n_targets, len(SUM_COLUMNS))), ``E_min``, ``E_max``.
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
        for p, E, V in diagonalize_sectors(
            K, h_x, vectors=True, precision=precision, device=device
        ):
            d = SectorData(E, V, L, Zp, parity=p, mi_stride=mi_stride, periodic=periodic)
            values = _state_values(d, vectors=True)
            d.V = None  # release the eigenvectors before the next sector
            del V
            sectors.append((d, values))
        E_min = min(d.E[0] for d, _ in sectors)
        E_max = max(d.E[-1] for d, _ in sectors)
        bins = np.zeros((len(eps_edges) - 1, len(SUM_COLUMNS)))
        for d, values in sectors:
            d.E_min, d.E_max = E_min, E_max
            values.update(_state_values(d, vectors=False))
            bins += _bin_sums(d, values, eps_edges)
            for t, et in enumerate(eps_targets):
                idx = nearest_window(d.E, E_min + et * (E_max - E_min), k)
                tgt[t] += _window_sums(d, values, idx)
        return {"bins": bins, "targets": tgt, "E_min": E_min, "E_max": E_max}
    # shift-invert: a window of k eigenpairs around each target, per sector
    sparse = sparse_sectors(K, h_x)
    edges = [spectral_edges_sparse(H) for _, H in sparse]
    E_min = min(e[0] for e in edges)
    E_max = max(e[1] for e in edges)
    for p, H in sparse:
        for t, et in enumerate(eps_targets):
            E, V = shift_invert(H, E_min + et * (E_max - E_min), k)
            d = SectorData(E, V, L, Zp, E_min, E_max, parity=p, periodic=periodic)
            values = _state_values(d, vectors=True)
            values.update(_state_values(d, vectors=False))
            tgt[t] += _window_sums(d, values, np.arange(len(E)))
    return {"bins": None, "targets": tgt, "E_min": E_min, "E_max": E_max}


def run_shard(
    base_seed: int,
    L: int,
    model: Model,
    h_x: float,
    realizations,
    n_eps_bins: int,
    eps_targets,
    n_eigs: int,
    max_fraction: float = 0.125,
    method: str = "full",
    mi_stride: int = 16,
    precision: str = "float64",
    device: str = "cpu",
) -> pd.DataFrame:
    """Per-realization partial sums for a shard of realizations at one (L, model, h_x).

    Returns
    -------
    DataFrame
        One row per (realization, window): realization, seed, L, alpha, h_x, method, kind
        (``bin`` | ``target``), idx, eps_lo, eps_hi (null for targets), eps_target (null for
        bins), E_min, E_max and :data:`SUM_COLUMNS`.
    """
    L = int(L)
    edges = np.linspace(0.0, 1.0, int(n_eps_bins) + 1)
    targets = np.asarray(list(eps_targets), dtype=np.float64)
    realizations = list(realizations)
    frames = []
    t_start = time.perf_counter()
    for done, r in enumerate(realizations, start=1):
        t0 = time.perf_counter()
        K, seed = ed_couplings(base_seed, L, r, model)
        res = analyze_realization(
            K,
            h_x,
            edges,
            targets,
            n_eigs,
            max_fraction,
            method,
            mi_stride,
            precision,
            model.periodic,
            device,
        )
        parts = []
        if res["bins"] is not None:
            nb = len(edges) - 1
            parts.append(
                pd.DataFrame(
                    {
                        "kind": "bin",
                        "idx": np.arange(nb),
                        "eps_lo": edges[:-1],
                        "eps_hi": edges[1:],
                        "eps_target": np.nan,
                        **dict(zip(SUM_COLUMNS, res["bins"].T, strict=True)),
                    }
                )
            )
        parts.append(
            pd.DataFrame(
                {
                    "kind": "target",
                    "idx": np.arange(targets.size),
                    "eps_lo": np.nan,
                    "eps_hi": np.nan,
                    "eps_target": targets,
                    **dict(zip(SUM_COLUMNS, res["targets"].T, strict=True)),
                }
            )
        )
        df = pd.concat(parts, ignore_index=True)
        df.insert(0, "realization", int(r))
        df.insert(1, "seed", np.int64(seed))
        df["E_min"] = res["E_min"]
        df["E_max"] = res["E_max"]
        frames.append(df)
        now = time.perf_counter()
        rate = done / max(now - t_start, 1e-9)
        log.info(
            "L=%d alpha=%.3f h_x=%.4g r=%d (%s, %s): %.2f s; %d/%d done, %.2f/s, %.0f s left",
            L,
            model.alpha,
            h_x,
            r,
            method,
            device,
            now - t0,
            done,
            len(realizations),
            rate,
            (len(realizations) - done) / rate,
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "L", L)
    out.insert(3, "alpha", model.alpha)
    out.insert(4, "h_x", float(h_x))
    out.insert(5, "method", method)
    for o in OBSERVABLES:
        out[f"{o.name}_n"] = out[f"{o.name}_n"].astype(np.int64)
    return out


def aggregate(parts: pd.DataFrame) -> pd.DataFrame:
    """Disorder averages from per-realization partial sums (shard-invariant).

    Rows are sorted by realization before summing, so the result is bitwise independent of how
    realizations were split into shards. Means pool all levels of all realizations in a window;
    errors are cluster standard errors over realizations (levels of one realization are
    correlated; :func:`kasglass.stats.ratio_mean`).

    Returns
    -------
    DataFrame
        One row per (L, alpha, h_x, method, kind, idx): eps_lo, eps_hi, eps_target, then for every
        observable its ``mean`` and ``err`` columns, n_levels (gap ratios), n_states
        (eigenstates), n_realizations.
    """
    keys = ["L", "alpha", "h_x", "method", "kind", "idx"]
    rows = []
    parts = parts.sort_values(keys + ["realization"], kind="stable")
    dup = parts.duplicated(keys + ["realization"])
    if dup.any():
        raise ValueError("duplicate realizations in ED partial sums (overlapping shards?)")
    for key, g in parts.groupby(keys, sort=True):
        row = {
            **dict(zip(keys, key, strict=True)),
            "eps_lo": g["eps_lo"].iloc[0],
            "eps_hi": g["eps_hi"].iloc[0],
            "eps_target": g["eps_target"].iloc[0],
        }
        for o in OBSERVABLES:
            row[o.mean], row[o.err] = ratio_mean(
                g[f"{o.name}_sum"].to_numpy(), g[f"{o.name}_n"].to_numpy(float)
            )
        row["n_levels"] = int(g[f"{LEVEL_COUNT}_n"].sum())
        row["n_states"] = int(g[f"{STATE_COUNT}_n"].sum())
        row["n_realizations"] = int(len(g))
        rows.append(row)
    return pd.DataFrame(rows)


#: random states sampled for the real-state references of the half-ring entropies
PAGE_SAMPLES = 400


def page_values(L: int, base_seed: int) -> dict:
    """Random-state references of the half-ring entropies at size L (natural log).

    - ``s_half_page``: Page's average for a Haar-random complex state of L spins,
      A = L/2 spins (:func:`kasglass.quantum.entanglement.page_entropy`), the usual yardstick;
    - ``s_half_random``: the mean over :data:`PAGE_SAMPLES` random *real* states of one parity
      sector (the class of the ED eigenvectors; the same for both sectors);
    - ``s_half_pinned_page``, ``s_half_pinned_random``: the same for the pinned state (L - 1
      free spins, A = L/2 of them).

    The samples are drawn from ``derive_seed(base_seed, "page", L)`` (deterministic).
    """
    from ..quantum.entanglement import page_entropy, random_state_entropy

    L = int(L)
    nA = L // 2
    seed = derive_seed(base_seed, "page", L)
    return {
        "s_half_page": page_entropy(2**nA, 2 ** (L - nA)),
        "s_half_random": random_state_entropy(L, range(nA), PAGE_SAMPLES, seed, parity=1)[0],
        "s_half_pinned_page": page_entropy(2**nA, 2 ** (L - 1 - nA)),
        "s_half_pinned_random": random_state_entropy(L - 1, range(nA), PAGE_SAMPLES, seed)[0],
    }


def _select(parts: pd.DataFrame, kind: str, n_realizations: dict, h_x) -> pd.DataFrame:
    """Rows of ``kind`` for the first n realizations per L at the requested h_x."""
    keep = np.zeros(len(parts), dtype=bool)
    for L, n in n_realizations.items():
        keep |= (parts["L"].to_numpy() == int(L)) & (parts["realization"].to_numpy() < int(n))
    hx = np.asarray(list(h_x), dtype=float)  # parameters arrive by value: exact matches
    keep &= np.isclose(parts["h_x"].to_numpy()[:, None], hx[None, :], rtol=1e-12, atol=0).any(1)
    sel = parts[keep & (parts["kind"] == kind).to_numpy()]
    if sel.empty:
        raise ValueError(f"no ED partial sums of kind {kind!r} for L in {list(n_realizations)}")
    return sel


def realization_table(parts: pd.DataFrame, n_realizations: dict, h_x) -> pd.DataFrame:
    """Per-realization partial sums of the eps bins behind ``fig3_phase_diagram``.

    One row per (L, h_x, bin idx, realization) with the partial sums (:data:`SUM_COLUMNS`) that
    :func:`aggregate` pools; used by the exact eps -> 1 - eps symmetry test (claim 13) and by
    anyone who wants other disorder statistics.
    """
    sel = _select(parts, "bin", n_realizations, h_x)
    keys = ["L", "alpha", "h_x", "idx", "realization"]
    if sel.duplicated(keys).any():
        raise ValueError("duplicate realizations in ED partial sums (overlapping shards?)")
    return sel.sort_values(keys).reset_index(drop=True)


def figure_table(
    parts: pd.DataFrame, table: str, n_realizations: dict, h_x, base_seed: int = 0
) -> pd.DataFrame:
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
    base_seed : int
        Seed of the random-state references (:func:`page_values`).
    """
    if table not in ("fig3", "figS3"):
        raise ValueError(f"table must be 'fig3' or 'figS3'; got {table!r}")
    sel = _select(parts, "bin" if table == "fig3" else "target", n_realizations, h_x)
    agg = aggregate(sel)
    for L, n in n_realizations.items():
        got = agg.loc[agg["L"] == int(L), "n_realizations"]
        if len(got) and (got != int(n)).any():
            raise ValueError(f"L={L}: expected {n} realizations per point; got {sorted(set(got))}")
    for L in agg["L"].unique():  # random-state references of the entanglement entropies
        for key, v in page_values(int(L), base_seed).items():
            agg.loc[agg["L"] == L, key] = v
    if table == "fig3":
        return agg.sort_values(["L", "h_x", "eps_lo"]).reset_index(drop=True)
    agg["m_ea_baseline"] = 1.0 / agg["L"]
    return agg.sort_values(["L", "h_x", "eps_target"]).reset_index(drop=True)
