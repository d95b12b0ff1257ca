"""Field statistics of random and SFS states: the per-shard simulation of Fig. 1.

Conventions as in :mod:`kasglass.couplings` and :mod:`kasglass.sfs`: H_zz = sum_{i<j} K_ij Z_i Z_j,
K_ij = J_ij / d_ij**alpha (periodic minimum image by default), phi_i = sum_{j!=i} K_ij Z_j.

Ensembles
---------
- ``random``: the infinite-temperature product state Z_i = +-1 drawn with
  ``derive_seed(base_seed, "initial_state", L, r)``;
- ``sfs``: that same state relaxed to single-spin-flip stability (:func:`kasglass.sfs.relax`).

The couplings J of realization r are shared by every alpha (common random numbers).

Histogram grid
--------------
Counts of |phi| on log-spaced bins: an underflow bin [0, phi_min), ``bins_per_decade`` bins per
decade up to phi_max, and an overflow bin [phi_max, inf). The density reported downstream is the
two-sided p(phi), normalised on the real line: p = count / (2 * n_spins * bin_width).

Blocks
------
Realization r belongs to block r % n_blocks. Counts are kept per block (integers), so errors and
bootstrap resampling do not depend on how realizations are split into shards.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from numba import njit

from . import couplings
from .seeds import derive_seed, param_code
from .sfs import order_code, pack_spins, relax

log = logging.getLogger(__name__)

ENSEMBLES = ("random", "sfs")


def hist_edges(phi_min: float, phi_max: float, bins_per_decade: int) -> np.ndarray:
    """Edges [0, phi_min, ..., phi_max, inf] of the |phi| grid (log-spaced between phi_min and phi_max)."""
    if not (0 < phi_min < phi_max):
        raise ValueError(f"need 0 < phi_min < phi_max; got {phi_min}, {phi_max}")
    n = int(np.ceil(np.log10(phi_max / phi_min) * bins_per_decade - 1e-9))
    inner = phi_min * 10.0 ** (np.arange(n + 1) / bins_per_decade)
    return np.concatenate([[0.0], inner, [np.inf]])


@njit(cache=True)
def _hist_add(phi, counts, log_min, bpd, n_inner):
    """counts[bin(|phi_i|)] += 1 on the grid of :func:`hist_edges` (n_inner log bins)."""
    for i in range(phi.shape[0]):
        a = abs(phi[i])
        if a <= 0.0:
            b = 0
        else:
            t = (np.log10(a) - log_min) * bpd
            if t < 0.0:
                b = 0
            elif t >= n_inner:
                b = n_inner + 1
            else:
                b = int(t) + 1
        counts[b] += 1


def histogram_reference(phi: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """np.histogram of |phi| on ``edges`` (slow reference for :func:`_hist_add`)."""
    return np.histogram(np.abs(phi), bins=edges)[0]


def initial_state(seed: int, L: int) -> np.ndarray:
    """Random product state Z_i = +-1 (float64) from ``default_rng(seed).integers(0, 2, L)``."""
    return np.random.default_rng(seed).integers(0, 2, L).astype(np.float64) * 2.0 - 1.0


def _moments(phi: np.ndarray) -> dict:
    L = phi.shape[0]
    return {
        "s1": float(phi.sum()),
        "s2": float(phi @ phi),
        "s4": float(np.sum(phi**4)),
        "c_nn": float(phi @ np.roll(phi, -1)),  # sum_i phi_i phi_{i+1}
        "c_half": float(phi @ np.roll(phi, -(L // 2))),  # sum_i phi_i phi_{i+L/2}
    }


def run_shard(
    base_seed: int,
    L: int,
    lo: int,
    hi: int,
    plan: list[dict],
    *,
    order: str = "random",
    distance: str = "periodic",
    pair_sum: str = "unordered",
    phi_min: float = 1e-4,
    phi_max: float = 100.0,
    bins_per_decade: int = 10,
    n_blocks: int = 32,
    h_x_res: tuple = (0.02, 0.05, 0.1),
    seeds=None,
    progress_every: float = 10.0,
):
    """Simulate realizations r in [lo, hi) at size L for every alpha of ``plan``.

    Parameters
    ----------
    plan : list of dict
        One entry per alpha: ``{"alpha": a, "n_hist": n1, "n_states": n2}``. Realization r is
        simulated for alpha when r < max(n1, n2); it enters the histograms when r < n1, and its
        spin configurations (both ensembles) are stored when r < n2.
    order, distance, pair_sum : str
        See :mod:`kasglass.sfs` and :mod:`kasglass.couplings`.
    h_x_res : tuple of float
        Transverse fields at which resonant spins (|phi_i| < h_x) are counted per realization.
    seeds : DataFrame, optional
        Disorder manifest (:func:`kasglass.seeds.seed_table`) covering [lo, hi); its seeds are used
        (and must agree with the derived ones). Without it the seeds are derived here.

    Returns
    -------
    dict of DataFrame
        ``hist`` (alpha, ensemble, block, bin, count; only non-zero counts), ``summary`` (one row per
        alpha, realization and ensemble), ``states`` (alpha, realization, ensemble, L, state as
        packed bits; see :func:`kasglass.sfs.pack_spins`).
    """
    ocode = order_code(order)
    edges = hist_edges(phi_min, phi_max, bins_per_decade)
    n_inner = len(edges) - 3
    n_bins = len(edges) - 1
    plan = sorted(plan, key=lambda p: p["alpha"])
    for p in plan:
        couplings.check_alpha(p["alpha"])
    n_need = [max(int(p["n_hist"]), int(p["n_states"])) for p in plan]
    counts = np.zeros((len(plan), 2, n_blocks, n_bins), dtype=np.int64)
    rows, states = [], []
    Kbuf = np.empty((L, L), dtype=np.float64)
    no_record = np.empty(0, dtype=np.int64)
    seed_map = None
    if seeds is not None:
        seed_map = {
            int(r): (int(a), int(b))
            for r, a, b in zip(seeds["realization"], seeds["seed_couplings"], seeds["seed_initial"])
        }
        missing = [r for r in range(lo, hi) if r not in seed_map]
        if missing:
            raise ValueError(f"disorder manifest lacks realizations {missing[:5]}... of [{lo}, {hi})")
    t0 = time.monotonic()
    t_last = t0
    total = max(hi - lo, 0)
    for done, r in enumerate(range(lo, hi), start=1):
        active = [k for k in range(len(plan)) if r < n_need[k]]
        if not active:
            continue
        if seeds is not None:
            seed_J, seed_Z = seed_map[r]
        else:
            seed_J = derive_seed(base_seed, "couplings", L, r)
            seed_Z = derive_seed(base_seed, "initial_state", L, r)
        J = np.random.default_rng(seed_J).standard_normal(couplings.n_pairs(L))
        Z0 = initial_state(seed_Z, L)
        block = r % n_blocks
        for k in active:
            p = plan[k]
            alpha = float(p["alpha"])
            K = couplings.coupling_matrix(J, L, alpha, distance, pair_sum, out=Kbuf)
            phi0 = K @ Z0
            seed_o = derive_seed(base_seed, "sfs_order", L, r, param_code(alpha))
            Z = Z0.copy()
            phi, n_flips = relax(K, Z, ocode, seed_o, no_record)
            in_hist = r < int(p["n_hist"])
            for e, (zz, ff, nf) in enumerate(((Z0, phi0, 0), (Z, phi, n_flips))):
                if in_hist:
                    _hist_add(ff, counts[k, e, block], np.log10(phi_min), float(bins_per_decade), n_inner)
                absphi = np.abs(ff)
                row = {
                    "alpha": alpha,
                    "realization": r,
                    "ensemble": ENSEMBLES[e],
                    "block": block,
                    "in_hist": in_hist,
                    "seed_couplings": seed_J,
                    "seed_initial": seed_Z,
                    "seed_order": seed_o,
                    "energy_per_spin": float(0.5 * zz @ ff / L),
                    "n_flips": int(nf),
                    "min_abs_phi": float(absphi.min()),
                    "n_unstable": int(np.count_nonzero(zz * ff >= 0)),
                }
                row.update(_moments(ff))
                for h in h_x_res:
                    row[f"n_res_h{h:g}"] = int(np.count_nonzero(absphi < h))
                rows.append(row)
                if r < int(p["n_states"]):
                    states.append((alpha, r, ENSEMBLES[e], L, pack_spins(zz)))
        now = time.monotonic()
        if now - t_last > progress_every or done == total:
            rate = done / max(now - t0, 1e-9)
            log.info(
                "L=%d realizations %d/%d (%.1f/s, %.0f s left)",
                L, done, total, rate, (total - done) / max(rate, 1e-9),
            )
            t_last = now
    hist = _hist_frame(counts, plan, n_blocks, edges)
    summary = pd.DataFrame(rows)
    if summary.empty:
        summary = pd.DataFrame(columns=["alpha", "realization", "ensemble"])
    st = pd.DataFrame(states, columns=["alpha", "realization", "ensemble", "L", "state"]).astype(
        {"alpha": np.float64, "realization": np.int64, "L": np.int64, "ensemble": str}
    )
    for df in (hist, summary, st):
        df.insert(0, "L", L) if "L" not in df.columns else None
    return {"hist": hist, "summary": summary, "states": st}


def _hist_frame(counts, plan, n_blocks, edges):
    k, e, b, j = np.nonzero(counts)
    return pd.DataFrame(
        {
            "alpha": np.array([float(plan[i]["alpha"]) for i in k], dtype=np.float64),
            "ensemble": np.array(ENSEMBLES, dtype=object)[e],
            "block": b.astype(np.int64),
            "bin": j.astype(np.int64),
            "phi_lo": edges[j],
            "phi_hi": edges[j + 1],
            "count": counts[k, e, b, j],
        }
    )
