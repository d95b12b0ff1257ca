"""Genuine two-spin-flip resonances (paper Eq. 6) in SFS and random states.

Conventions
-----------
Classical part of H = sum_{i<j} K_ij Z_i Z_j with Pauli Z_i = +-1, one Gaussian J_ij per unordered
pair, K_ij = s J_ij / d_ij**alpha (periodic minimum-image distance d_ij = min(|i-j|, L-|i-j|) by
default, s = 2 for ``pair_sum="ordered"``; see :mod:`kasglass.couplings`), energies in units of
std(J) = 1. Local field phi_i = sum_{j != i} K_ij Z_j (includes the partner's term).

With the spin-resolved quantities f_i = Z_i phi_i and g_12 = K_12 Z_1 Z_2, the two-spin-flip
amplitude is

    A_12 = c h_x**2 (1/f_1 + 1/f_2) / (-f_1 - f_2 + 2 g_12),

with c the ``two_spin_prefactor`` knob (default 1, the paper's form; 1/4 is the plain
second-order coupling-to-detuning ratio, 1/2 the ratio measured with the single-spin yardstick;
c only rescales h_x by sqrt(c)). A pair is *resonant* when |A_12| > 1, evaluated as
``c h_x**2 |1/f_1 + 1/f_2| > |-f_1 - f_2 + 2 g_12|`` (a vanishing detuning counts as resonant),
and *genuine* when neither spin is single-spin resonant (|phi_1| >= h_x and |phi_2| >= h_x).

The pair scan runs over the flat upper-triangle coupling vector J (row-major, the order of
:func:`kasglass.couplings.draw_J_pairs`) and the distance weights w[d], so beyond J it needs only
O(L) memory: no L x L matrix is formed. Fields are computed from the same vector.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from numba import njit

from . import couplings
from .model import ENSEMBLES, Model
from .sfs import check_stored_sfs, shard_realizations
from .stats import loglog_slope, mean_err_from_sums

log = logging.getLogger(__name__)


@njit(cache=True)
def fields_from_pairs(J, w, Z, periodic):
    """phi = K @ Z from the flat pair vector J (row-major upper triangle) and weights w[d]."""
    L = Z.shape[0]
    phi = np.zeros(L, dtype=np.float64)
    idx = 0
    for i in range(L):
        zi = Z[i]
        acc = 0.0
        for j in range(i + 1, L):
            d = j - i
            if periodic and L - d < d:
                d = L - d
            k = J[idx] * w[d]
            acc += k * Z[j]
            phi[j] += k * zi
            idx += 1
        phi[i] += acc
    return phi


@njit(cache=True)
def _pair_scan(J, w, Z, phi, periodic, h_list, c):
    """Genuine resonant pair counts for every h in h_list (int64 array, same length)."""
    L = Z.shape[0]
    nh = h_list.shape[0]
    f = np.empty(L, dtype=np.float64)
    inv = np.empty(L, dtype=np.float64)
    absphi = np.empty(L, dtype=np.float64)
    for i in range(L):
        f[i] = Z[i] * phi[i]
        absphi[i] = abs(phi[i])
        inv[i] = 1.0 / f[i] if f[i] != 0.0 else np.inf
    thr = np.empty(nh, dtype=np.float64)
    for q in range(nh):
        thr[q] = c * h_list[q] * h_list[q]
    thr_max = thr.max()
    hmin = h_list.min()
    counts = np.zeros(nh, dtype=np.int64)
    half = L // 2
    idx = 0
    for i in range(L):
        fi = f[i]
        zi2 = 2.0 * Z[i]
        ai = absphi[i]
        ii = inv[i]
        if ai < hmin:  # spin i is single-spin resonant at every h: no genuine pair with it
            idx += L - i - 1
            continue
        for j in range(i + 1, L):
            d = j - i
            if periodic and d > half:
                d = L - d
            den = abs(-fi - f[j] + zi2 * Z[j] * J[idx] * w[d])
            num = abs(ii + inv[j])
            idx += 1
            if thr_max * num > den:  # rare: resonant at the largest h at least
                aj = absphi[j]
                for q in range(nh):
                    h = h_list[q]
                    if ai >= h and aj >= h and thr[q] * num > den:
                        counts[q] += 1
    return counts


def pair_counts(J_pairs, w, Z, h_xs, prefactor=1.0, periodic=True, phi=None):
    """Number of genuine two-spin resonances of the product state Z, for each h_x.

    Parameters
    ----------
    J_pairs : ndarray, shape (L(L-1)/2,), float64
        Couplings in row-major upper-triangle order.
    w : ndarray, shape (L,)
        Distance weights s * d**-alpha (:func:`kasglass.couplings.distance_weights`).
    Z : ndarray, shape (L,)
        Spins +-1.
    h_xs : sequence of float
        Transverse fields (> 0).
    prefactor : float
        c of A_12 (knob ``two_spin_prefactor``).
    periodic : bool
        Minimum-image ring distance (else open chain).
    phi : ndarray, optional
        Fields K @ Z (computed from J if omitted).

    Returns
    -------
    counts : ndarray of int64, shape (len(h_xs),)
    phi : ndarray, shape (L,)
    """
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    J_pairs = np.ascontiguousarray(J_pairs, dtype=np.float64)
    w = np.ascontiguousarray(w, dtype=np.float64)
    h = np.ascontiguousarray(h_xs, dtype=np.float64)
    if h.ndim != 1 or len(h) == 0 or np.any(h < 0):
        raise ValueError(f"h_xs must be a non-empty list of fields >= 0; got {h_xs}")
    if phi is None:
        phi = fields_from_pairs(J_pairs, w, Z, bool(periodic))
    return _pair_scan(J_pairs, w, Z, phi, bool(periodic), h, float(prefactor)), phi


def pair_counts_bruteforce(K, Z, h_x, prefactor=1.0):
    """Brute-force reference: every pair (i < j) with the formula of the module docstring.

    Uses the full matrix K and phi = K @ Z (numpy); returns the number of genuine resonant pairs.
    """
    Z = np.asarray(Z, dtype=np.float64)
    phi = K @ Z
    L = len(Z)
    n = 0
    for i in range(L):
        for j in range(i + 1, L):
            if abs(phi[i]) < h_x or abs(phi[j]) < h_x:
                continue
            f1, f2 = Z[i] * phi[i], Z[j] * phi[j]
            g = K[i, j] * Z[i] * Z[j]
            num = prefactor * h_x**2 * (1.0 / f1 + 1.0 / f2)
            den = -f1 - f2 + 2.0 * g
            if abs(num) > abs(den):  # |A| > 1 without dividing by a vanishing detuning
                n += 1
    return n


def naive_pair_counts(K, Z, h_x, prefactor=1.0):
    """Naive vectorised numpy scan with L x L temporaries (for benchmarks)."""
    phi = K @ Z
    f = Z * phi
    G = K * np.outer(Z, Z)
    with np.errstate(divide="ignore", invalid="ignore"):
        A = (
            prefactor
            * h_x**2
            * (1.0 / f[:, None] + 1.0 / f[None, :])
            / (-f[:, None] - f[None, :] + 2.0 * G)
        )
    ok = np.abs(phi) >= h_x
    mask = np.triu(np.abs(A) > 1, 1) & ok[:, None] & ok[None, :]
    return int(mask.sum())


def shard_counts(
    base_seed: int,
    L: int,
    states: dict,
    models: list[Model],
    h_xs,
    prefactor: float = 1.0,
    *,
    progress_every: float = 10.0,
) -> pd.DataFrame:
    """Two-spin resonance counts for a shard of stored states.

    Parameters
    ----------
    states : dict
        ``{(alpha, ensemble): (realizations, Z)}`` (:func:`kasglass.sfs.load_state_range`), the
        same realizations for every key; ensembles random and sfs, and 2fs if present for every
        alpha.
    models : sequence of Model
        One model per alpha (:class:`kasglass.model.Model`).

    Returns
    -------
    DataFrame
        One row per (alpha, ensemble, h_x, realization): L, alpha, ensemble, h_x, realization,
        seed_couplings, n_res (genuine resonant pairs), n_single (single-spin resonant spins).

    Notes
    -----
    The couplings of realization r are regenerated with ``couplings.draw_J_pairs(base_seed, L, r)``
    (seed ``derive_seed(base_seed, "couplings", L, r)``), shared by every alpha; every stored SFS
    state is checked to be single-spin-flip stable with them.
    """
    from .seeds import derive_seed

    h = np.asarray(sorted(float(x) for x in h_xs), dtype=np.float64)
    models = list(models)
    # random and sfs always; 2fs (two-spin-flip-stable states) when the shard has them
    ensembles = [e for e in ENSEMBLES + ("2fs",) if all((m.alpha, e) in states for m in models)]
    reals = shard_realizations(
        {(m.alpha, e): states[(m.alpha, e)] for m in models for e in ensembles}
    )
    rows = []
    t0 = t_last = time.monotonic()
    for n_done, (pos, r) in enumerate(enumerate(reals), start=1):
        J = couplings.draw_J_pairs(base_seed, L, int(r))
        seed_J = derive_seed(base_seed, "couplings", L, int(r))
        for model in models:
            a = model.alpha
            w = model.distance_weights(L)
            periodic = model.periodic
            for e in ensembles:
                Z = np.ascontiguousarray(states[(a, e)][1][pos], dtype=np.float64)
                phi = fields_from_pairs(J, w, Z, periodic)
                if e != "random":  # a 2FS state is SFS too
                    check_stored_sfs(Z, phi, L, int(r), a)
                counts, _ = pair_counts(J, w, Z, h, prefactor, periodic, phi=phi)
                absphi = np.abs(phi)
                for q, hq in enumerate(h):
                    rows.append(
                        {
                            "alpha": a,
                            "ensemble": e,
                            "h_x": float(hq),
                            "realization": int(r),
                            "seed_couplings": np.int64(seed_J),
                            "n_res": int(counts[q]),
                            "n_single": int(np.count_nonzero(absphi < hq)),
                        }
                    )
        now = time.monotonic()
        if now - t_last > progress_every or n_done == len(reals):
            rate = n_done / max(now - t0, 1e-9)
            log.info(
                "L=%d: %d/%d realizations done (%.2f/s, %.0f s left)",
                L,
                n_done,
                len(reals),
                rate,
                (len(reals) - n_done) / rate,
            )
            t_last = now
    cols = ["alpha", "ensemble", "h_x", "realization", "seed_couplings", "n_res", "n_single"]
    df = pd.DataFrame(rows, columns=cols)
    df.insert(0, "L", np.int64(L))
    return df


def aggregate(counts: pd.DataFrame) -> pd.DataFrame:
    """Figure table ``two_spin_resonances`` from per-realization counts.

    Integer sums per (alpha, ensemble, h_x, L) over realizations (independent of sharding).
    Columns: alpha, ensemble, h_x, L, n_res_mean, n_res_err (standard error), n_res_max,
    n_single_mean, n_realizations.
    """
    keys = ["alpha", "ensemble", "h_x", "L"]
    df = counts.copy()
    df["n_res"] = df["n_res"].astype(np.int64)
    df["n_res_sq"] = df["n_res"] * df["n_res"]
    agg = (
        df.groupby(keys, sort=True)
        .agg(
            n_realizations=("n_res", "size"),
            s=("n_res", "sum"),
            q=("n_res_sq", "sum"),
            n_res_max=("n_res", "max"),
            s_single=("n_single", "sum"),
        )
        .reset_index()
    )
    n = agg["n_realizations"].to_numpy(np.float64)
    out = agg[keys].copy()
    out["n_res_mean"], out["n_res_err"] = mean_err_from_sums(n, agg["s"], agg["q"])
    out["n_res_max"] = agg["n_res_max"].astype(np.int64)
    out["n_single_mean"] = agg["s_single"].to_numpy(np.float64) / n
    out["n_realizations"] = agg["n_realizations"].astype(np.int64)
    return out


def exponents(table: pd.DataFrame) -> pd.DataFrame:
    """Fitted growth exponents of the mean count vs L per (alpha, ensemble, h_x).

    Columns: alpha, ensemble, h_x, exponent, exponent_err (:func:`kasglass.stats.loglog_slope`),
    amplitude (exp(a)), reference (2 - alpha for random states, 1 for SFS states), L_min, L_max
    (null when no point has a non-zero mean), n_points.
    """
    rows = []
    for (a, e, h), g in table.groupby(["alpha", "ensemble", "h_x"], sort=True):
        g = g.sort_values("L")
        x, xe, amp, n = loglog_slope(g["L"], g["n_res_mean"], g["n_res_err"])
        used = g[g["n_res_mean"] > 0]
        rows.append(
            {
                "alpha": float(a),
                "ensemble": e,
                "h_x": float(h),
                "exponent": x,
                "exponent_err": xe,
                "amplitude": float(np.exp(amp)) if np.isfinite(amp) else float("nan"),
                "reference": (2.0 - float(a)) if e == "random" else 1.0,  # sfs and 2fs: 1
                "L_min": int(used["L"].min()) if len(used) else None,
                "L_max": int(used["L"].max()) if len(used) else None,
                "n_points": int(n),
            }
        )
    return pd.DataFrame(rows)
