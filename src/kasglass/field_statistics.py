"""Statistics of the field histograms (the Fig. 1 and Fig. S1 analysis): densities with block
errors, L -> infinity extrapolation, power-law exponents with bootstrap + systematic errors,
moments of the random-state and SFS fields.

Conventions as in :mod:`kasglass.fields`: p(phi) is the two-sided density on the real line,
p = count / (2 * n_realizations * L * bin_width) for a bin of |phi|; realization r is in block
r % n_blocks. All inputs are exact integer counts (or per-realization sums in realization order),
so every output is independent of how the realizations were split into shards or cores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import erf

from . import extrapolation as ex
from .model import Model
from .seeds import rng_for
from .stats import mean_err, power_law_fit, ratio_mean


def model_for(models, alpha: float) -> Model:
    """The model of ``models`` (a sequence of :class:`~kasglass.model.Model`) with this alpha."""
    for m in models:
        if np.isclose(m.alpha, float(alpha)):
            return m
    raise KeyError(f"no model with alpha = {alpha} among {[m.alpha for m in models]}")


def block_arrays(counts: pd.DataFrame, summary: pd.DataFrame, alpha, L, ensemble, n_bins):
    """Counts C (B, n_bins) and realizations per block n (B,) for one (alpha, L, ensemble).

    Only blocks that hold at least one realization are returned.
    """
    s = summary[
        np.isclose(summary["alpha"], alpha)
        & (summary["L"] == L)
        & (summary["ensemble"] == ensemble)
        & summary["in_hist"]
    ]
    if s.empty:
        return np.zeros((0, n_bins), np.int64), np.zeros(0, np.int64)
    blocks = np.sort(s["block"].unique())
    n = s.groupby("block").size().reindex(blocks).to_numpy(np.int64)
    c = counts[
        np.isclose(counts["alpha"], alpha) & (counts["L"] == L) & (counts["ensemble"] == ensemble)
    ]
    C = np.zeros((len(blocks), n_bins), np.int64)
    pos = {b: i for i, b in enumerate(blocks)}
    for b, j, k in zip(c["block"], c["bin"], c["count"], strict=True):
        C[pos[int(b)], int(j)] += int(k)
    return C, n


def density(C: np.ndarray, n: np.ndarray, L: int, widths: np.ndarray):
    """Two-sided density p and its standard error from block counts (ratio estimator).

    err = max(block standard error, Poisson error sqrt(count)/norm), and 1/norm for empty bins.
    """
    N = n.sum()
    norm = 2.0 * N * L * widths
    tot = C.sum(axis=0)
    p = tot / norm
    # cluster error over blocks of the ratio estimator (none with a single block), at least Poisson
    err_b = ratio_mean(C, n, norm=norm)[1] if len(n) > 1 else np.zeros_like(p)
    err = np.maximum(err_b, np.sqrt(tot / norm**2))
    err = np.where(tot > 0, err, 1.0 / norm)
    return p, err


def bootstrap_densities(C, n, L, widths, reps_idx):
    """Densities for bootstrap replicas; reps_idx (n_boot, B) are resampled block indices."""
    Cb = C[reps_idx].sum(axis=1)  # (n_boot, n_bins)
    Nb = n[reps_idx].sum(axis=1)  # (n_boot,)
    return Cb / (2.0 * Nb[:, None] * L * widths[None, :])


def analyse_fields(
    counts: pd.DataFrame,
    summary: pd.DataFrame,
    edges: np.ndarray,
    Ls: list[int],
    alphas: list[float],
    *,
    fit_lo: float,
    fit_hi: float,
    alt_windows=(),
    main_form: str = "paper",
    n_bootstrap: int = 200,
    base_seed: int = 0,
    main_alpha: float | None = None,
):
    """Build the Fig. 1 tables (``main_alpha`` is flagged in the ``main`` column of exponents).

    Returns
    -------
    fields : DataFrame
        One row per (alpha, L or extrapolated, ensemble, bin): alpha, L (<NA> when extrapolated),
        ensemble, extrapolation (null for finite L | paper | longrange), phi_lo, phi_hi, phi_mid,
        density, density_err, n_realizations.
    exponents : DataFrame
        One row per alpha: x, log_A (fit p = exp(log_A) |phi|^x), x_err (= sqrt(stat^2 + sys^2)),
        x_err_stat (bootstrap over blocks),
        x_err_sys (largest shift over the other extrapolation form and the alternative windows),
        bound = 1/alpha - 1, fit_lo, fit_hi, extrapolation, chi2, dof, n_bins_fit, L_min, L_max,
        n_L, n_realizations_min, n_bootstrap_used.
    """
    widths = np.diff(edges)
    widths[-1] = np.nan  # overflow bin [phi_max, inf)
    n_bins = len(widths)
    phi_lo, phi_hi = edges[:-1], edges[1:]
    phi_top = np.where(np.isfinite(phi_hi), phi_hi, phi_lo)
    phi_mid = np.where(phi_lo > 0, np.sqrt(phi_lo * phi_top), 0.5 * phi_hi)
    inner = np.isfinite(widths)
    w_safe = np.where(inner, widths, 1.0)
    forms = [main_form] + [f for f in ex.FORMS if f != main_form]
    field_rows, exp_rows = [], []

    def emit(alpha, L, ens, extrap, p, err, nreal):
        field_rows.append(
            pd.DataFrame(
                {
                    "alpha": alpha,
                    "L": L,
                    "ensemble": ens,
                    "extrapolation": extrap,
                    "phi_lo": phi_lo[inner],
                    "phi_hi": phi_hi[inner],
                    "phi_mid": phi_mid[inner],
                    "density": p[inner],
                    "density_err": err[inner],
                    "n_realizations": nreal,
                }
            )
        )

    for alpha in sorted(alphas):
        per_L = {}
        for L in Ls:
            for ens in ("random", "sfs"):
                C, n = block_arrays(counts, summary, alpha, L, ens, n_bins)
                if len(n) == 0:
                    continue
                p, err = density(C, n, L, w_safe)
                emit(alpha, L, ens, None, p, err, int(n.sum()))
                if ens == "sfs":
                    per_L[L] = (C, n, p, err)
        sizes = sorted(per_L)
        if not sizes:
            continue
        P = np.stack([per_L[L][2] for L in sizes])
        E = np.stack([per_L[L][3] for L in sizes])
        nmin = int(min(per_L[L][1].sum() for L in sizes))
        # bootstrap replicas: blocks resampled independently for every L
        rng = rng_for(base_seed, "bootstrap", int(round(alpha * 1e6)))
        boot = np.stack(
            [
                bootstrap_densities(
                    per_L[L][0],
                    per_L[L][1],
                    L,
                    w_safe,
                    rng.integers(0, len(per_L[L][1]), (n_bootstrap, len(per_L[L][1]))),
                )
                for L in sizes
            ],
            axis=1,
        )  # (n_boot, n_L, n_bins)
        results = {}
        for form in forms:
            p_inf, ferr, M = ex.extrapolate(sizes, P, E, form, alpha)
            p_boot = np.einsum("bl,rlb->rb", M, boot)
            berr = p_boot.std(axis=0, ddof=1) if n_bootstrap > 1 else ferr
            err_inf = np.maximum(berr, ferr) if len(sizes) > 1 else E[0]
            emit(alpha, pd.NA, "sfs", form, p_inf, err_inf, nmin)
            results[form] = (p_inf, err_inf, p_boot)

        def fit(form, lo, hi, results=results):
            p_inf, err_inf, _ = results[form]
            mask = inner & (phi_lo >= lo * (1 - 1e-9)) & (phi_hi <= hi * (1 + 1e-9)) & (phi_lo > 0)
            return power_law_fit(phi_mid, p_inf, err_inf, mask), mask

        main, mask = fit(main_form, fit_lo, fit_hi)
        # statistical error: bootstrap replicas fitted with the same weights
        p_inf, err_inf, p_boot = results[main_form]
        xs = []
        for rep in p_boot:
            r = power_law_fit(phi_mid, rep, err_inf, mask)
            if np.isfinite(r["x"]) and r["n"] == main["n"]:
                xs.append(r["x"])
        x_stat = float(np.std(xs, ddof=1)) if len(xs) > 2 else main["x_err"]
        x_stat = max(x_stat, main["x_err"]) if np.isfinite(main["x_err"]) else x_stat
        shifts = []
        for form in forms[1:]:
            shifts.append(fit(form, fit_lo, fit_hi)[0]["x"])
        for lo, hi in alt_windows:
            shifts.append(fit(main_form, lo, hi)[0]["x"])
        shifts = [abs(s - main["x"]) for s in shifts if np.isfinite(s)]
        x_sys = float(max(shifts)) if shifts else 0.0
        exp_rows.append(
            {
                "alpha": alpha,
                "main": bool(main_alpha is not None and np.isclose(alpha, main_alpha)),
                "x": main["x"],
                "log_A": main["log_A"],
                "x_err": float(np.hypot(x_stat, x_sys)),
                "x_err_stat": x_stat,
                "x_err_sys": x_sys,
                "bound": 1.0 / alpha - 1.0,
                "fit_lo": fit_lo,
                "fit_hi": fit_hi,
                "extrapolation": main_form,
                "chi2": main["chi2"],
                "dof": main["dof"],
                "n_bins_fit": main["n"],
                "L_min": min(sizes),
                "L_max": max(sizes),
                "n_L": len(sizes),
                "n_realizations_min": nmin,
                "n_bootstrap_used": len(xs),
            }
        )
    fields = pd.concat(field_rows, ignore_index=True)
    fields["L"] = fields["L"].astype("Int64")
    return fields, pd.DataFrame(exp_rows)


def moments_table(summary: pd.DataFrame, models) -> pd.DataFrame:
    """Per (alpha, L, ensemble): field variance, kurtosis, correlations, energies, SFS checks.

    Errors are standard errors over blocks (ratio estimators, :func:`kasglass.stats.ratio_mean`).
    ``var_ratio`` = var / sigma_L^2 with the exact finite-L sigma_L of the row's model
    (``models``: one :class:`~kasglass.model.Model` per alpha).
    """
    s = summary[summary["in_hist"]].sort_values(["alpha", "L", "ensemble", "realization"])
    rows = []
    for (alpha, L, ens), g in s.groupby(["alpha", "L", "ensemble"], sort=True):
        L = int(L)
        b = g.groupby("block", sort=True)
        nb = b.size().to_numpy(float) * L  # spins per block
        S = {k: b[k].sum().to_numpy(float) for k in ("s1", "s2", "s4", "c_nn", "c_half")}
        N = nb.sum()
        var, var_err = ratio_mean(S["s2"], nb)
        m4, m4_err = ratio_mean(S["s4"], nb)
        cnn, cnn_err = ratio_mean(S["c_nn"], nb)
        chalf, chalf_err = ratio_mean(S["c_half"], nb)
        sig = model_for(models, alpha).sigma_L(L)
        row = {
            "alpha": alpha,
            "L": L,
            "ensemble": ens,
            "n_realizations": len(g),
            "n_spins": int(N),
            "mean": S["s1"].sum() / N,
            "var": var,
            "var_err": var_err,
            "sigma_L": sig,
            "var_ratio": var / sig**2,
            "var_ratio_err": var_err / sig**2,
            "kurtosis": m4 / var**2,
            "kurtosis_err": (m4_err / var**2) if np.isfinite(m4_err) else np.nan,
            "corr_nn": cnn / var,
            "corr_nn_err": cnn_err / var,
            "corr_half": chalf / var,
            "corr_half_err": chalf_err / var,
            "energy_per_spin": g["energy_per_spin"].mean(),
            "energy_per_spin_err": (
                g["energy_per_spin"].std(ddof=1) / np.sqrt(len(g)) if len(g) > 1 else np.nan
            ),
            "n_flips_mean": g["n_flips"].mean(),
            "min_abs_phi_mean": g["min_abs_phi"].mean(),
            "n_unstable_max": int(g["n_unstable"].max()),
            "fraction_sfs": float((g["n_unstable"] == 0).mean()),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def resonant_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Resonant spins per state, one row per (alpha, L, ensemble, h) for the summary's
    ``n_res_h<h>`` columns: mean and standard error over realizations."""
    s = summary[summary["in_hist"]].sort_values(["alpha", "L", "ensemble", "realization"])
    res_cols = [c for c in s.columns if c.startswith("n_res_h")]
    rows = []
    for (alpha, L, ens), g in s.groupby(["alpha", "L", "ensemble"], sort=True):
        for c in res_cols:
            m, e = mean_err(g[c].to_numpy(np.float64))
            rows.append(
                {
                    "alpha": alpha,
                    "L": int(L),
                    "ensemble": ens,
                    "h": float(c.removeprefix("n_res_h")),
                    "n_res_mean": m,
                    "n_res_err": e,
                    "n_realizations": len(g),
                }
            )
    return pd.DataFrame(rows).sort_values(["alpha", "L", "ensemble", "h"]).reset_index(drop=True)


def gaussian_bin_density(phi_lo, phi_hi, sigma):
    """Bin average of the two-sided Gaussian density N(0, sigma^2) over |phi| in [lo, hi)."""
    a = erf(np.asarray(phi_lo) / (sigma * np.sqrt(2)))
    b = erf(np.asarray(phi_hi) / (sigma * np.sqrt(2)))
    return (b - a) / (2.0 * (np.asarray(phi_hi) - np.asarray(phi_lo)))


def random_fields_table(fields: pd.DataFrame, models):
    """Fig. S1 table: random-state densities with the exact-variance Gaussian per bin, for the
    alphas of ``models`` (one :class:`~kasglass.model.Model` each)."""
    alphas = [m.alpha for m in models]
    f = fields[(fields["ensemble"] == "random") & fields["L"].notna()]
    f = f[np.isin(np.round(f["alpha"], 6), np.round(alphas, 6))].copy()
    f["L"] = f["L"].astype(int)
    f["sigma_L"] = [
        model_for(models, a).sigma_L(int(L)) for a, L in zip(f["alpha"], f["L"], strict=True)
    ]
    f["gaussian"] = gaussian_bin_density(f["phi_lo"], f["phi_hi"], f["sigma_L"])
    return f.drop(columns=["extrapolation"]).reset_index(drop=True)
