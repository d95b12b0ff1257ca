"""Quench dynamics of full chains (Fig. S4, beyond the paper): the memory of the initial
product state, from random (infinite temperature) and SFS (low energy) states.

Conventions
-----------
Pauli operators (eigenvalues +-1), hbar = 1, energies in units of std(J) = 1; couplings of the
model value :class:`kasglass.model.Model`::

    H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i.

A full chain of L spins (couplings and initial states from ``derive_seed(base_seed, "dynamics", L,
r, purpose, ...)``) evolves from a product state |Z(0)>: random (infinite temperature) or its SFS
relaxation (low energy, :func:`kasglass.sfs.relax`). C(t) = (1/L) sum_i <Z_i(t)> Z_i(0). One
diagonalization per (realization, h_x), in the two parity sectors (dimension 2^(L-1) each,
:func:`kasglass.quantum.parity_eigh`), serves every initial state and time.

Infinite-time values and the Z2 tunnelling
------------------------------------------
H commutes with the spin reversal prod_i X_i: eigenstates are parity eigenstates with
<k|Z_i|k> = 0, so at finite L the exact infinite-time value of <Z_i(t)> is 0 by symmetry, reached
only after the Z2 tunnelling time ~ 1/splitting between spin-reversed states (splitting ~ h_x^L at
low energy; the tunnelling is absent in the thermodynamic limit). The infinite-time value is
therefore taken at a finite resolution ``degenerate_tol`` (a knob, default 1/t_max): levels closer
than it count as degenerate (:func:`kasglass.quantum.diagonal_ensemble_z`), so every process faster
than 1/degenerate_tol is dephased and every slower one (the Z2 tunnelling in particular) stays
frozen. With h_x = 0 every product state is an eigenstate (with an exactly degenerate reversed
partner) and C(t) = 1 for all t.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd

from . import couplings
from .ed.spectra import resolved_tol
from .model import Model
from .quantum import basis_index, diagonal_ensemble_z, parity_eigh, z_expectations
from .seeds import derive_seed, rng_for
from .sfs import order_code, relax
from .stats import mean_err

log = logging.getLogger(__name__)

#: order in which the two ensembles' initial states are stacked for one diagonalization (the
#: ensembles of :data:`kasglass.model.ENSEMBLES`; the order does not change any result)
_STACKED = ("sfs", "random")
#: purposes in the spawn key derive_seed(base_seed, "dynamics", L, r, purpose, ...)
_PURPOSE = {"couplings": 0, "initial": 1, "order": 2}


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


def quench_couplings(base_seed: int, L: int, r: int, model: Model) -> np.ndarray:
    """K of the quench realization r at size L.

    Seeded by ``derive_seed(base_seed, "dynamics", L, r, 0)``.
    """
    J = couplings.draw_J(derive_seed(base_seed, "dynamics", L, r, _PURPOSE["couplings"]), L)
    return model.coupling_matrix(J, L)


def quench_realization(K, h_x, Z0, times, degenerate_tol=1e-4, precision="float64", device="cpu"):
    """Exact quench of a full chain from product states Z0 (shape (m, L)).

    ``precision``: arithmetic of the dense diagonalization
    (:func:`kasglass.ed.spectra.eigh_sector`); with float32 the infinite-time values group levels
    closer than the single-precision resolution (:func:`kasglass.ed.spectra.resolved_tol`).
    ``device``: where it runs (:mod:`kasglass.ed.gpu`).

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
    E, V, _ = parity_eigh(K, h_x, precision, device)
    zt = z_expectations(E, V, s, L, times)  # (T, L, m)
    C = np.einsum("tim,mi->mt", zt, Z0) / L
    tol = resolved_tol(E, degenerate_tol, precision)
    q = (diagonal_ensemble_z(E, V, s, L, tol).T) * Z0
    eps = (e0 - E[0]) / (E[-1] - E[0])
    return C, q, eps


def quench_shard(
    base_seed,
    L,
    lo,
    hi,
    model: Model,
    h_x_list,
    n_initial,
    times,
    *,
    order="random",
    degenerate_tol=1e-4,
    precision="float64",
    device="cpu",
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
    alpha = model.alpha
    times = np.asarray(times, dtype=np.float64)
    ser, spn = [], []
    t0 = t_last = time.monotonic()
    for done, r in enumerate(range(lo, hi), start=1):
        seed = derive_seed(base_seed, "dynamics", L, r, _PURPOSE["couplings"])
        K = quench_couplings(base_seed, L, r, model)
        Zs, Zr = quench_initial_states(base_seed, L, r, K, n_initial, order)
        Z0 = np.concatenate([Zs, Zr])
        for h_x in h_x_list:
            C, q, eps = quench_realization(K, h_x, Z0, times, degenerate_tol, precision, device)
            for e, ens in enumerate(_STACKED):
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
            each = (now - t0) / done
            log.info(
                "L=%d: %d/%d realizations (%.2f s each, %.0f s left)",
                L,
                done,
                hi - lo,
                each,
                each * (hi - lo - done),
            )
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
        m, e = mean_err(g["C"].to_numpy())
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
