"""Finite-size extrapolation of binned densities and power-law fits of p_inf(phi) ~ |phi|^x.

Extrapolation forms (per histogram bin, weighted least squares over the system sizes L):
- ``paper``: p_L = p_inf + b / L + c / L**2 (the paper's "1/L scaling up to second order");
- ``longrange``: p_L = p_inf + b * L**(1 - 2 alpha) + c / L (corrections of long-range lattice
  sums decay like L**(1 - 2 alpha), slower than 1/L for alpha < 1).
With fewer sizes than parameters the highest-order term is dropped (two sizes: linear in the
leading correction; one size: no extrapolation).
"""

from __future__ import annotations

import numpy as np

FORMS = ("paper", "longrange")


def design(Ls, form: str, alpha: float) -> np.ndarray:
    """Design matrix (n_L, k) of an extrapolation form, k = min(3, n_L)."""
    L = np.asarray(Ls, dtype=float)
    if form == "paper":
        cols = [np.ones_like(L), 1.0 / L, 1.0 / L**2]
    elif form == "longrange":
        cols = [np.ones_like(L), L ** (1.0 - 2.0 * alpha), 1.0 / L]
    else:
        raise ValueError(f"extrapolation form must be one of {FORMS}; got {form!r}")
    k = min(3, len(L))
    return np.stack(cols[:k], axis=1)


def extrapolation_operator(Ls, err, form: str, alpha: float):
    """Per-bin linear map from p_L to p_inf.

    Parameters
    ----------
    Ls : sequence of int, length n_L
    err : ndarray, shape (n_L, n_bins)
        Standard errors of p_L (weights 1/err^2; non-positive errors get a tiny weight).
    form, alpha : see module docstring.

    Returns
    -------
    M : ndarray, shape (n_bins, n_L)
        p_inf[bin] = M[bin] @ p_L[:, bin].
    var : ndarray, shape (n_bins,)
        Formal variance of p_inf from the weights.
    """
    X = design(Ls, form, alpha)
    err = np.asarray(err, dtype=float)
    w = np.where(err > 0, 1.0 / np.maximum(err, 1e-300) ** 2, 1e-12)
    n_bins = err.shape[1]
    M = np.empty((n_bins, len(Ls)))
    var = np.empty(n_bins)
    for b in range(n_bins):
        W = w[:, b]
        A = X.T @ (W[:, None] * X)
        Ainv = np.linalg.pinv(A)
        M[b] = (Ainv @ (X.T * W))[0]
        var[b] = Ainv[0, 0]
    return M, var


def extrapolate(Ls, p, err, form: str, alpha: float):
    """Extrapolate p_L (n_L, n_bins) to L -> infinity; returns (p_inf, formal_err, M)."""
    M, var = extrapolation_operator(Ls, err, form, alpha)
    p_inf = np.einsum("bl,lb->b", M, np.asarray(p, dtype=float))
    return p_inf, np.sqrt(np.maximum(var, 0.0)), M


def power_law_fit(phi_mid, p, err, mask=None):
    """Weighted fit of log p = log A + x log phi on the bins where p > 0 (and ``mask``).

    Returns
    -------
    dict with x, x_err (formal), log_A, chi2, dof, n (number of bins used).
    """
    phi_mid = np.asarray(phi_mid, float)
    p = np.asarray(p, float)
    err = np.asarray(err, float)
    ok = (p > 0) & (err > 0) & np.isfinite(p)
    if mask is not None:
        ok &= mask
    n = int(ok.sum())
    if n < 2:
        return {"x": np.nan, "x_err": np.nan, "log_A": np.nan, "chi2": np.nan, "dof": 0, "n": n}
    xl = np.log(phi_mid[ok])
    y = np.log(p[ok])
    sy = err[ok] / p[ok]
    w = 1.0 / sy**2
    X = np.stack([np.ones_like(xl), xl], axis=1)
    A = X.T @ (w[:, None] * X)
    Ainv = np.linalg.inv(A)
    coef = Ainv @ (X.T @ (w * y))
    chi2 = float(np.sum(w * (y - X @ coef) ** 2))
    return {
        "x": float(coef[1]),
        "x_err": float(np.sqrt(Ainv[1, 1])),
        "log_A": float(coef[0]),
        "chi2": chi2,
        "dof": n - 2,
        "n": n,
    }
