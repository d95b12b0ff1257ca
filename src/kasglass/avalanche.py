"""Resonance avalanches (Fig. 2 left): flip resonant spins one at a time, count who resonated.

Conventions
-----------
Classical part of H = sum_{i<j} K_ij Z_i Z_j with Pauli Z_i = +-1, K_ij = J_ij / d_ij**alpha
(periodic minimum-image distance by default; see :mod:`kasglass.couplings`), energies in units of
std(J) = 1. Local field phi_i = sum_{j != i} K_ij Z_j. A spin is *resonant* when |phi_i| < h_x.

Protocol (paper, Fig. 2 left)
-----------------------------
From an initial product state (a stored SFS state or the random state it was relaxed from), at
each step: find the resonant set {i : |phi_i| < h_x}; if it is empty the run stops (the step at
which it stopped is recorded); otherwise flip one resonant spin chosen uniformly at random and
update every field exactly, phi_i -= 2 Z_k K_ki (O(L) per flip). Flipping spin k leaves phi_k
unchanged, so a resonant spin stays resonant after its own flip: the resonant set is never empty
after a flip, and a run can only stop at step 0 (no spin resonant in the initial state).

Protocols
---------
- ``literal`` (the paper's, the default and the primary reading): every resonant spin may flip.
  The classical energy is not conserved: a flip of spin k changes E by dE = -2 Z_k phi_k, with
  |dE| < 2 h_x, and from a local minimum (an SFS state) this walk drifts upward: the state
  slowly heats.
- ``conserving``: a resonant spin may flip only if the energy stays within a window around its
  initial value, |E(t) - E(0) + dE| <= W (knob ``avalanche.energy_window``, default W = h_x: the
  energy a resonant flip of the quantum problem can exchange, a resonant spin's level splitting
  being of order h_x). The choice is uniform among the allowed resonant spins, from the same
  stream and seed; with no allowed spin the run stops. With W infinite it is the literal protocol,
  bit for bit.

Counts and energy recorded after t flips: ``n_ever(t)``, the number of spins resonant in at least
one of the states 0..t (non-decreasing), ``n_now(t)``, the number resonant in state t,
``n_now_peak(t) = max_{s <= t} n_now(s)`` (the largest instantaneous count between record steps),
and ``de(t) = E(t) - E(0)`` (accumulated from the flips). A run that stopped at step s keeps its
state: n_ever, n_now and de are constant afterwards (n_now = 0 for the literal protocol).

Randomness: the choice among resonant spins (the m-th resonant spin in site order, m uniform) is
drawn from the splitmix64 stream of :mod:`kasglass.rng`, seeded with
``derive_seed(base_seed, "avalanche", L, r, param_code(alpha), param_code(h_x), ensemble_code)``
(:func:`avalanche_seed`; ensemble_code from :data:`kasglass.model.SEED_CODES`), so
:func:`avalanche_reference` reproduces the exact same choices.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd
from numba import njit

from . import couplings
from .model import ENSEMBLES, SEED_CODES, Model, check_ensemble
from .rng import PySplitMix64
from .rng import uniform_index as _uniform_index
from .seeds import derive_seed, param_code
from .sfs import check_stored_sfs, shard_realizations
from .stats import mean_err_from_sums

log = logging.getLogger(__name__)


def avalanche_seed(base_seed: int, L: int, r: int, alpha: float, h_x: float, ensemble: str) -> int:
    """Seed of the splitmix64 stream of one avalanche run (see module docstring)."""
    check_ensemble(ensemble)
    return derive_seed(
        base_seed, "avalanche", L, r, param_code(alpha), param_code(h_x), SEED_CODES[ensemble]
    )


#: avalanche protocols (see the module docstring)
PROTOCOLS = ("literal", "conserving")


def record_steps(n_steps: int, per_decade: int = 10) -> np.ndarray:
    """Log-spaced record steps: 0, 1, 2, ... up to and including ``n_steps`` (unique int64).

    ``per_decade`` points per decade of t (integers, duplicates removed), plus t = 0.
    """
    n_steps = int(n_steps)
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0; got {n_steps}")
    if per_decade < 1:
        raise ValueError(f"record_per_decade must be >= 1; got {per_decade}")
    if n_steps == 0:
        return np.zeros(1, dtype=np.int64)
    n = int(np.ceil(np.log10(n_steps) * per_decade)) + 1
    t = np.unique(np.round(np.logspace(0.0, np.log10(n_steps), max(n, 2))).astype(np.int64))
    return np.unique(np.concatenate([[0], t, [n_steps]])).astype(np.int64)


@njit(cache=True)
def _avalanche(K, Z, phi, h_x, rec, seed, window):
    """Numba kernel of :func:`run_avalanche` (Z, phi modified in place).

    Among the resonant spins, those whose flip keeps the classical energy within ``window`` of its
    initial value are candidates (every resonant spin when ``window`` is infinite: the literal
    protocol); the m-th candidate in site order, m uniform, flips. No candidate: the run stops.
    """
    L = Z.shape[0]
    n_rec = rec.shape[0]
    n_steps = rec[n_rec - 1]
    out_ever = np.zeros(n_rec, dtype=np.int64)
    out_now = np.zeros(n_rec, dtype=np.int64)
    out_peak = np.zeros(n_rec, dtype=np.int64)
    out_de = np.zeros(n_rec, dtype=np.float64)
    ever = np.zeros(L, dtype=np.bool_)
    res = np.empty(L, dtype=np.int64)  # indices of the currently resonant spins, in site order
    cand = np.empty(L, dtype=np.int64)  # the resonant spins allowed to flip
    state = np.uint64(seed)
    n_now = 0
    n_ever = 0
    de = 0.0  # E(t) - E(0), accumulated from the flips: each changes E by -2 Z_k phi_k
    for i in range(L):
        if abs(phi[i]) < h_x:
            res[n_now] = i
            n_now += 1
            ever[i] = True
            n_ever += 1
    peak = n_now
    q = 0
    if rec[0] == 0:
        out_ever[0] = n_ever
        out_now[0] = n_now
        out_peak[0] = peak
        q = 1
    stop = -1
    t = 0
    while t < n_steps:
        n_cand = 0
        for c in range(n_now):
            i = res[c]
            if abs(de - 2.0 * Z[i] * phi[i]) <= window:
                cand[n_cand] = i
                n_cand += 1
        if n_cand == 0:
            stop = t
            break
        state, m = _uniform_index(state, n_cand)
        k = cand[m]
        de -= 2.0 * Z[k] * phi[k]
        two_zk = 2.0 * Z[k]
        Z[k] = -Z[k]
        n_now = 0
        for i in range(L):
            phi[i] -= two_zk * K[k, i]
            if abs(phi[i]) < h_x:
                res[n_now] = i
                n_now += 1
                if not ever[i]:
                    ever[i] = True
                    n_ever += 1
        t += 1
        if n_now > peak:
            peak = n_now
        while q < n_rec and rec[q] == t:
            out_ever[q] = n_ever
            out_now[q] = n_now
            out_peak[q] = peak
            out_de[q] = de
            q += 1
    while q < n_rec:  # stopped early: the state is frozen
        out_ever[q] = n_ever
        out_now[q] = n_now
        out_peak[q] = peak
        out_de[q] = de
        q += 1
    return out_ever, out_now, out_peak, out_de, t, stop


def run_avalanche(K, Z, h_x, rec, seed, phi=None, window=math.inf):
    """One avalanche run from the product state Z.

    Parameters
    ----------
    K : ndarray, shape (L, L), float64
        Symmetric couplings, zero diagonal (C-contiguous; row k is read per flip of spin k).
    Z : ndarray, shape (L,), float64
        Initial spins +-1 (not modified).
    h_x : float
        Transverse field: spin i is resonant when |phi_i| < h_x (h_x = 0: nothing is resonant).
    rec : ndarray of int64
        Increasing record steps starting at 0 (:func:`record_steps`); the run makes at most
        ``rec[-1]`` flips.
    seed : int
        Seed of the splitmix64 stream (:func:`avalanche_seed`).
    phi : ndarray, shape (L,), optional
        Fields K @ Z of the initial state (computed if omitted).
    window : float
        Energy window (module docstring, "Protocols"): infinite for the literal protocol, else
        only flips that keep |E(t) - E(0)| <= window are allowed.

    Returns
    -------
    dict
        ``n_ever``, ``n_now``, ``n_now_peak`` (int64 arrays aligned with ``rec``), ``de``
        (E(t) - E(0) at the record steps, float64), ``n_flips`` (flips made), ``stop_step``
        (step at which no spin could flip, -1 if the run reached ``rec[-1]`` flips), ``Z`` and
        ``phi`` (final state and incrementally updated fields).
    """
    rec = np.ascontiguousarray(rec, dtype=np.int64)
    if rec.ndim != 1 or len(rec) == 0 or rec[0] < 0 or np.any(np.diff(rec) <= 0):
        raise ValueError("record steps must be a non-empty increasing array of steps >= 0")
    if h_x < 0:
        raise ValueError(f"h_x must be >= 0; got {h_x}")
    if not window >= 0:
        raise ValueError(f"the energy window must be >= 0; got {window}")
    Zc = np.array(Z, dtype=np.float64)
    ph = (K @ Zc) if phi is None else np.array(phi, dtype=np.float64)
    ever, now, peak, de, n_flips, stop = _avalanche(
        np.ascontiguousarray(K, dtype=np.float64),
        Zc,
        ph,
        float(h_x),
        rec,
        np.uint64(seed),
        float(window),
    )
    return {
        "n_ever": ever,
        "n_now": now,
        "n_now_peak": peak,
        "de": de,
        "n_flips": int(n_flips),
        "stop_step": int(stop),
        "Z": Zc,
        "phi": ph,
    }


def avalanche_reference(K, Z0, h_x, rec, seed, window=math.inf):
    """Slow reference: fields and energy recomputed from scratch (phi = K @ Z,
    E = Z K Z / 2) at every step.

    Makes the same choices as :func:`run_avalanche` (same splitmix64 stream, the m-th allowed
    resonant spin in site order) and returns the same dict (``phi`` = exact K @ Z of the final
    state, ``de`` the exact E(t) - E(0)).
    """
    rec = np.asarray(rec, dtype=np.int64)
    Z = np.array(Z0, dtype=np.float64)
    rng = PySplitMix64(seed)
    n_steps = int(rec[-1])
    phi = K @ Z
    e0 = 0.5 * Z @ phi
    resonant = np.abs(phi) < h_x
    ever = resonant.copy()
    now = [int(resonant.sum())]
    evers = [int(ever.sum())]
    des = [0.0]
    stop = -1
    t = 0
    while t < n_steps:
        de = 0.5 * Z @ phi - e0
        idx = np.flatnonzero(resonant)
        idx = idx[np.abs(de - 2.0 * Z[idx] * phi[idx]) <= window]
        if len(idx) == 0:
            stop = t
            break
        k = int(idx[rng.index(len(idx))])
        Z[k] = -Z[k]
        t += 1
        phi = K @ Z
        resonant = np.abs(phi) < h_x
        ever |= resonant
        now.append(int(resonant.sum()))
        evers.append(int(ever.sum()))
        des.append(float(0.5 * Z @ phi - e0))
    rest = n_steps - t
    now = np.array(now + [now[-1]] * rest, dtype=np.int64)
    evers = np.array(evers + [evers[-1]] * rest, dtype=np.int64)
    des = np.array(des + [des[-1]] * rest, dtype=np.float64)
    peak = np.maximum.accumulate(now[: t + 1])
    peak = np.concatenate([peak, np.full(rest, peak[-1])]).astype(np.int64)
    return {
        "n_ever": evers[rec],
        "n_now": now[rec],
        "n_now_peak": peak[rec],
        "de": des[rec],
        "n_flips": t,
        "stop_step": stop,
        "Z": Z,
        "phi": phi,
    }


def naive_avalanche(K, Z0, h_x, n_steps, seed):
    """Naive numpy implementation (fields recomputed by a mat-vec per step; for benchmarks).

    Returns the number of flips made.
    """
    Z = np.array(Z0, dtype=np.float64)
    rng = PySplitMix64(seed)
    ever = np.zeros(len(Z), dtype=bool)
    for t in range(n_steps):
        phi = K @ Z
        resonant = np.abs(phi) < h_x
        ever |= resonant
        idx = np.flatnonzero(resonant)
        if len(idx) == 0:
            return t
        k = idx[rng.index(len(idx))]
        Z[k] = -Z[k]
    return n_steps


def run_shard(
    base_seed: int,
    L: int,
    states: dict,
    models: list[Model],
    h_xs,
    n_steps: int,
    record_per_decade: int = 10,
    *,
    protocols=("literal",),
    energy_window: float | None = None,
    progress_every: float = 10.0,
) -> pd.DataFrame:
    """Avalanche runs for a shard of stored states.

    Parameters
    ----------
    states : dict
        ``{(alpha, ensemble): (realizations, Z)}`` with Z of shape (n, L)
        (:func:`kasglass.sfs.load_state_range`); every key must list the same realizations.
    models : sequence of Model
        One model per alpha (:class:`kasglass.model.Model`).
    h_xs : sequence of float
    n_steps, record_per_decade : int
        See :func:`record_steps`.
    protocols : sequence of {"literal", "conserving"}
        Every run is made with each protocol (module docstring), from the same seed.
    energy_window : float, optional
        Window W of the conserving protocol (None: W = h_x of the run).

    Returns
    -------
    DataFrame
        One row per (protocol, alpha, ensemble, h_x, realization, record step): columns L,
        protocol, energy_window (null for literal), alpha, ensemble, h_x, realization, seed,
        step, n_ever, n_now, n_now_peak, de (E(t) - E(0)), stopped (the run had stopped at or
        before this step), stop_step (null if the run never stopped), n_flips.

    Notes
    -----
    The couplings of realization r are regenerated with ``couplings.draw_J_pairs(base_seed, L, r)``
    (the SFS stage's); every stored SFS state is checked to be single-spin-flip stable with them.
    """
    rec = record_steps(n_steps, record_per_decade)
    frames = []
    Kbuf = np.empty((L, L), dtype=np.float64)
    models = list(models)
    reals = shard_realizations(
        {(m.alpha, e): states[(m.alpha, e)] for m in models for e in ENSEMBLES}
    )
    t0 = t_last = time.monotonic()
    for n_done, (pos, r) in enumerate(enumerate(reals), start=1):
        J = couplings.draw_J_pairs(base_seed, L, int(r))
        for model in models:
            a = model.alpha
            K = model.coupling_matrix(J, L, out=Kbuf)
            for e in ENSEMBLES:
                Z = states[(a, e)][1][pos]
                phi = K @ Z
                if e == "sfs":
                    check_stored_sfs(Z, phi, L, int(r), a)
                for h in h_xs:
                    h = float(h)
                    seed = avalanche_seed(base_seed, L, int(r), a, h, e)
                    for proto in protocols:
                        if proto not in PROTOCOLS:
                            raise ValueError(f"protocol must be one of {PROTOCOLS}; got {proto!r}")
                        w = (
                            math.inf
                            if proto == "literal"
                            else (h if energy_window is None else float(energy_window))
                        )
                        out = run_avalanche(K, Z, h, rec, seed, phi=phi, window=w)
                        stop = out["stop_step"]
                        frames.append(
                            pd.DataFrame(
                                {
                                    "protocol": proto,
                                    "energy_window": w if proto != "literal" else np.nan,
                                    "alpha": a,
                                    "ensemble": e,
                                    "h_x": h,
                                    "realization": int(r),
                                    "seed": np.int64(seed),
                                    "step": rec,
                                    "n_ever": out["n_ever"],
                                    "n_now": out["n_now"],
                                    "n_now_peak": out["n_now_peak"],
                                    "de": out["de"],
                                    "stopped": (stop >= 0) & (rec >= stop),
                                    "stop_step": pd.array(
                                        [stop if stop >= 0 else None] * len(rec), dtype="Int64"
                                    ),
                                    "n_flips": out["n_flips"],
                                }
                            )
                        )
        now = time.monotonic()
        if now - t_last > progress_every or n_done == len(reals):
            rate = n_done / max(now - t0, 1e-9)
            log.info(
                "L=%d: %d/%d states done (%.2f/s, %.0f s left)",
                L,
                n_done,
                len(reals),
                rate,
                (len(reals) - n_done) / rate,
            )
            t_last = now
    cols = [
        "alpha",
        "ensemble",
        "h_x",
        "realization",
        "seed",
        "step",
        "n_ever",
        "n_now",
        "n_now_peak",
        "stopped",
        "stop_step",
        "n_flips",
    ]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    df.insert(0, "L", np.int64(L))
    return df


def aggregate(runs: pd.DataFrame) -> pd.DataFrame:
    """Figure table ``fig2_avalanche`` from per-run records (:func:`run_shard` outputs).

    Sums per (protocol, alpha, ensemble, h_x, L, step) over states, in realization order (integer
    counts exactly; the energy sums in a fixed order), so the result does not depend on how states
    were split into shards. Columns: protocol, energy_window, alpha, ensemble, h_x, L, step,
    n_ever_mean, n_ever_err (standard error over states), n_ever_max, n_now_mean, n_now_err,
    n_now_max, n_now_peak_max (largest instantaneous count of any state at any step <= step),
    de_mean, de_err, de_min, de_max (E(t) - E(0) over states), n_stopped (states whose run had
    stopped), n_at_final (states whose N_ever had already reached its final value: saturated from
    this step on), n_states.
    """
    keys = ["protocol", "alpha", "ensemble", "h_x", "L", "step"]
    df = runs.sort_values(keys + ["realization"], kind="stable").copy()
    for c in ("n_ever", "n_now"):
        df[c] = df[c].astype(np.int64)
        df[c + "_sq"] = df[c] * df[c]
    df["de_sq"] = df["de"] * df["de"]
    df["stopped"] = df["stopped"].astype(np.int64)
    final = df.groupby(keys[:-1] + ["realization"], sort=False)["n_ever"].transform("max")
    df["at_final"] = (df["n_ever"] == final).astype(np.int64)
    g = df.groupby(keys, sort=True)
    agg = g.agg(
        energy_window=("energy_window", "first"),
        n_states=("n_ever", "size"),
        s_ever=("n_ever", "sum"),
        q_ever=("n_ever_sq", "sum"),
        n_ever_max=("n_ever", "max"),
        s_now=("n_now", "sum"),
        q_now=("n_now_sq", "sum"),
        n_now_max=("n_now", "max"),
        n_now_peak_max=("n_now_peak", "max"),
        s_de=("de", "sum"),
        q_de=("de_sq", "sum"),
        de_min=("de", "min"),
        de_max=("de", "max"),
        n_stopped=("stopped", "sum"),
        n_at_final=("at_final", "sum"),
    ).reset_index()
    out = agg[keys + ["energy_window"]].copy()
    for c, s, q in (("n_ever", "s_ever", "q_ever"), ("n_now", "s_now", "q_now")):
        out[c + "_mean"], out[c + "_err"] = mean_err_from_sums(agg["n_states"], agg[s], agg[q])
        out[c + "_max"] = agg[c + "_max"]
    out["n_now_peak_max"] = agg["n_now_peak_max"]
    out["de_mean"], out["de_err"] = mean_err_from_sums(agg["n_states"], agg["s_de"], agg["q_de"])
    for c in ("de_min", "de_max", "n_stopped", "n_at_final", "n_states"):
        out[c] = agg[c]
    return out


def growth_exponent(steps, mean, err, lo: float, hi: float):
    """Two-point log-log growth exponent of a mean count between steps ``lo`` and ``hi``.

    beta = ln(m(hi) / m(lo)) / ln(hi / lo), using the recorded steps nearest to lo and hi; the
    error treats the two errors as independent (conservative for positively correlated counts).
    Returns (beta, beta_err, t_lo, t_hi); NaNs when a count is zero.
    """
    steps = np.asarray(steps, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    err = np.asarray(err, dtype=np.float64)
    ok = steps > 0
    steps, mean, err = steps[ok], mean[ok], err[ok]
    if len(steps) < 2:
        return float("nan"), float("nan"), float("nan"), float("nan")
    i = int(np.argmin(np.abs(np.log(steps) - np.log(max(lo, 1.0)))))
    j = int(np.argmin(np.abs(np.log(steps) - np.log(max(hi, 1.0)))))
    if j <= i or mean[i] <= 0 or mean[j] <= 0:
        return float("nan"), float("nan"), float(steps[i]), float(steps[j])
    span = np.log(steps[j] / steps[i])
    beta = np.log(mean[j] / mean[i]) / span
    e = np.sqrt((err[i] / mean[i]) ** 2 + (err[j] / mean[j]) ** 2) / span
    return float(beta), float(e), float(steps[i]), float(steps[j])
