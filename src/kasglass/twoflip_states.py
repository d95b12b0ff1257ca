"""Two-spin-flip-stable (2FS) states of a shard: the stored SFS states relaxed further by
energy-lowering pair flips (:mod:`kasglass.twoflip`), with the field histograms and summaries of
both ensembles on the same realizations, and the figure tables of Fig. S6.

Conventions as in :mod:`kasglass.sampling` (histogram grid, blocks r % n_blocks, two-sided
density p = count / (2 n_realizations L bin_width)) and :mod:`kasglass.twoflip` (the pair move,
its orders). Realization r at size L starts from the SFS state the SFS stage stored for
(r, alpha); its couplings are regenerated from ``derive_seed(base_seed, "couplings", L, r)``
(checked: the state must be SFS with them). The random pair order draws from
``mix_seed(seed_couplings, "twoflip", param_code(alpha))``.

The SFS rows of these tables (ensemble ``sfs``) are recomputed from the stored states, so the
comparison SFS vs 2FS is paired: the same realizations, the same couplings.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from .couplings import _fill_J_matrix
from .model import Model
from .sampling import _hist_add, _stats_row, hist_edges
from .seeds import derive_seed, mix_seeds, param_code
from .sfs import check_stored_sfs, fields_w, order_code, pack_spins
from .stats import mean_err, power_law_fit

log = logging.getLogger(__name__)

#: the ensembles of the 2FS tables, in table order
TWOFLIP_ENSEMBLES = ("sfs", "2fs")
_SUMMARY_STATS = ("energy_per_spin", "min_abs_phi", "n_unstable", "s2")


def run_shard(
    base_seed: int,
    L: int,
    states: dict,
    models: list[Model],
    *,
    sfs_order: str = "random",
    pair_order: str = "random",
    phi_min: float = 1e-4,
    phi_max: float = 100.0,
    bins_per_decade: int = 10,
    n_blocks: int = 32,
    h_x_res: tuple = (0.02, 0.05, 0.1),
    progress_every: float = 10.0,
) -> dict:
    """2FS states from stored SFS states at size L.

    Parameters
    ----------
    states : dict
        ``{alpha: (realizations, Z)}``: stored SFS states (:func:`kasglass.sfs.load_state_range`,
        ensemble ``sfs``); the realizations may differ between alphas.
    models : list of Model
        One per alpha of ``states``.
    sfs_order, pair_order : str
        Single-flip order (:data:`kasglass.sfs.ORDERS`) and pair order
        (:data:`kasglass.twoflip.PAIR_ORDERS`).

    Returns
    -------
    dict of DataFrame
        ``hist`` (L, alpha, ensemble, block, bin, phi_lo, phi_hi, count; non-zero counts),
        ``summary`` (one row per (alpha, realization, ensemble)), ``states`` (2FS states, packed
        bits; :func:`kasglass.sfs.pack_spins`).
    """
    from .twoflip import pair_order_code, relax2_from

    L = int(L)
    scode, pcode = order_code(sfs_order), pair_order_code(pair_order)
    edges = hist_edges(phi_min, phi_max, bins_per_decade)
    n_inner, n_bins = len(edges) - 3, len(edges) - 1
    log_min, bpd = float(np.log10(phi_min)), float(bins_per_decade)
    hres = np.asarray(h_x_res, dtype=np.float64)
    models = sorted(models, key=lambda m: m.alpha)
    weights = {m.alpha: m.offset_weights(L) for m in models}
    reals = sorted({int(r) for a in states for r in states[a][0]})
    counts = {
        (m.alpha, e): np.zeros((n_blocks, n_bins), np.int64)
        for m in models
        for e in TWOFLIP_ENSEMBLES
    }
    rows, stored = [], []
    Jm = np.empty((L, L), dtype=np.float64)
    row = np.zeros(9 + len(hres))
    t0 = t_last = time.monotonic()
    for done, r in enumerate(reals, start=1):
        seed_J = derive_seed(base_seed, "couplings", L, r)
        _fill_J_matrix(np.uint64(seed_J), L, Jm)
        block = r % n_blocks
        for m in models:
            a = m.alpha
            rr, Zs = states[a]
            pos = np.flatnonzero(np.asarray(rr) == r)
            if not len(pos):
                continue
            wf = weights[a]
            Z = np.ascontiguousarray(Zs[pos[0]], dtype=np.float64)
            phi = fields_w(Jm, wf, Z)
            check_stored_sfs(Z, phi, L, r, a)
            seed_o = int(mix_seeds(np.array([seed_J]), "twoflip", param_code(a))[0])
            Z2 = Z.copy()
            phi2, n_single, n_pair = relax2_from(
                Jm, wf, Z2, phi.copy(), scode, pcode, np.uint64(seed_o)
            )
            for e, zz, ff, n1, n2 in (("sfs", Z, phi, 0, 0), ("2fs", Z2, phi2, n_single, n_pair)):
                _hist_add(ff, counts[(a, e)][block], log_min, bpd, n_inner)
                _stats_row(zz, ff, 0, hres, row)
                rows.append(
                    (a, r, e, block, seed_J, seed_o, row[0], int(n1), int(n2), row[2], int(row[3]))
                    + (row[5],)
                    + tuple(int(x) for x in row[9:])
                )
            stored.append((a, r, "2fs", L, pack_spins(Z2)))
        now = time.monotonic()
        if now - t_last > progress_every or done == len(reals):
            rate = done / max(now - t0, 1e-9)
            log.info(
                "2FS L=%d: %d/%d realizations (%.2f/s, %.0f s left)",
                L,
                done,
                len(reals),
                rate,
                (len(reals) - done) / rate,
            )
            t_last = now
    res_cols = [f"n_res_h{h:g}" for h in hres]
    cols = [
        "alpha",
        "realization",
        "ensemble",
        "block",
        "seed_couplings",
        "seed_order",
        "energy_per_spin",
        "n_single",
        "n_pair",
        "min_abs_phi",
        "n_unstable",
        "s2",
    ] + res_cols
    summary = pd.DataFrame(rows, columns=cols)
    summary.insert(0, "L", np.int64(L))
    hist = []
    for (a, e), C in counts.items():
        b, j = np.nonzero(C)
        hist.append(
            pd.DataFrame(
                {
                    "L": np.int64(L),
                    "alpha": a,
                    "ensemble": e,
                    "block": b.astype(np.int64),
                    "bin": j.astype(np.int64),
                    "phi_lo": edges[j],
                    "phi_hi": edges[j + 1],
                    "count": C[b, j],
                }
            )
        )
    return {
        "hist": pd.concat(hist, ignore_index=True),
        "summary": summary,
        "states": pd.DataFrame(stored, columns=["alpha", "realization", "ensemble", "L", "state"]),
    }


def fields_table(hist: pd.DataFrame, summary: pd.DataFrame, edges: np.ndarray) -> pd.DataFrame:
    """Fig. S6 densities: p(phi) per (L, alpha, ensemble, bin) of the SFS and 2FS states of the
    same realizations, with block errors (:func:`kasglass.field_statistics.density`); ``edges``
    is the histogram grid (:func:`kasglass.sampling.hist_edges`); the under- and overflow bins
    are left out."""
    from .field_statistics import density

    out = []
    n_bins = len(edges) - 1
    lo, hi = edges[:-1], edges[1:]
    inner = np.isfinite(hi) & (lo > 0)
    widths = np.where(inner, hi - lo, 1.0)
    for (L, a, e), s in summary.groupby(["L", "alpha", "ensemble"], sort=True):
        blocks = np.sort(s["block"].unique())
        n = s.groupby("block").size().reindex(blocks).to_numpy(np.int64)
        h = hist[(hist["L"] == L) & np.isclose(hist["alpha"], a) & (hist["ensemble"] == e)]
        C = np.zeros((len(blocks), n_bins), np.int64)
        pos = {b: i for i, b in enumerate(blocks)}
        for b, j, k in zip(h["block"], h["bin"], h["count"], strict=True):
            C[pos[int(b)], int(j)] += int(k)
        p, err = density(C, n, int(L), widths)
        out.append(
            pd.DataFrame(
                {
                    "L": np.int64(L),
                    "alpha": float(a),
                    "ensemble": e,
                    "bin": np.arange(n_bins)[inner].astype(np.int64),
                    "phi_lo": lo[inner],
                    "phi_hi": hi[inner],
                    "phi_mid": np.sqrt(lo[inner] * hi[inner]),
                    "density": p[inner],
                    "density_err": err[inner],
                    "n_realizations": np.int64(n.sum()),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def summary_table(summary: pd.DataFrame, fields: pd.DataFrame, fit_lo: float, fit_hi: float):
    """Fig. S6 summary: one row per (L, alpha, ensemble): energy per spin, the paired energy
    gain of the pair moves, the moves, the smallest field, and the raw finite-L exponent x_L of
    p(phi) ~ |phi|^x on [fit_lo, fit_hi]."""
    rows = []
    key = ["L", "alpha", "realization"]
    for (L, a, e), s in summary.groupby(["L", "alpha", "ensemble"], sort=True):
        s = s.sort_values("realization")
        sfs = summary[
            (summary["L"] == L) & np.isclose(summary["alpha"], a) & (summary["ensemble"] == "sfs")
        ].sort_values("realization")
        paired = s[key + ["energy_per_spin"]].merge(
            sfs[key + ["energy_per_spin"]], on=key, suffixes=("", "_sfs")
        )
        de = paired["energy_per_spin"] - paired["energy_per_spin_sfs"]
        e_m, e_e = mean_err(s["energy_per_spin"])
        d_m, d_e = mean_err(de)
        m_m, m_e = mean_err(s["min_abs_phi"])
        f = fields[(fields["L"] == L) & np.isclose(fields["alpha"], a) & (fields["ensemble"] == e)]
        mid = f["phi_mid"].to_numpy()
        fit = power_law_fit(
            mid, f["density"], f["density_err"], mask=(mid >= fit_lo) & (mid <= fit_hi)
        )
        rows.append(
            {
                "L": np.int64(L),
                "alpha": float(a),
                "ensemble": e,
                "energy_per_spin_mean": e_m,
                "energy_per_spin_err": e_e,
                "energy_gain_mean": d_m,
                "energy_gain_err": d_e,
                "n_pair_mean": float(s["n_pair"].mean()),
                "n_pair_max": np.int64(s["n_pair"].max()),
                "n_single_mean": float(s["n_single"].mean()),
                "frac_moved": float((s["n_pair"] > 0).mean()),
                "min_abs_phi_mean": m_m,
                "min_abs_phi_err": m_e,
                "x_L": fit["x"],
                "x_L_err": fit["x_err"],
                "n_realizations": np.int64(len(s)),
            }
        )
    return pd.DataFrame(rows)
