"""Small statistics shared by every stage: means and errors from running sums, the ratio
(cluster) estimator, and weighted log-log fits.

Everything here works on exact per-realization (or per-block) sums, so a stage that sums its
shards in realization order gets results that do not depend on the sharding.
"""

from __future__ import annotations

import math

import numpy as np


def mean_err(values) -> tuple[float, float]:
    """Sample mean and its standard error std(ddof=1)/sqrt(n) (NaN error for n < 2)."""
    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    mean = float(v.mean()) if n else math.nan
    err = float(v.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return mean, err


def mean_err_from_sums(n, s, q):
    """Mean and standard error of the mean from counts n, sums s and sums of squares q.

    Vectorized over arrays of equal shape: mean = s/n, var = (q - n mean^2)/(n - 1) (clipped at
    0), err = sqrt(var/n) (NaN where n < 2).
    """
    n = np.asarray(n, dtype=np.float64)
    mean = np.asarray(s, dtype=np.float64) / n
    var = (np.asarray(q, dtype=np.float64) - n * mean**2) / np.maximum(n - 1, 1)
    err = np.where(n > 1, np.sqrt(np.maximum(var, 0.0) / np.where(n > 0, n, 1.0)), np.nan)
    return mean, err


def ratio_mean(S, N, norm=None):
    """Pooled ratio estimator sum(S)/sum(N) and its cluster standard error.

    S holds one sum per cluster (realization or block) along axis 0, shape (R,) or (R, ...); N
    the matching counts, shape (R,) or that of S. The error treats clusters as independent and
    the members of one cluster as correlated::

        var = R/(R-1) sum_c (S_c - (N_c / sum N) sum S)^2 / norm^2,   norm = sum N

    (``norm`` may be given to report the error of a rescaled ratio, e.g. a density). Means are
    NaN where sum(N) = 0, errors NaN there and with fewer than two clusters.

    Returns
    -------
    mean, err : float, or ndarray of shape S.shape[1:]
    """
    S = np.asarray(S, dtype=np.float64)
    N = np.asarray(N, dtype=np.float64)
    if N.ndim == 1 and S.ndim > 1:
        N = N.reshape((-1,) + (1,) * (S.ndim - 1))
    Nt = np.sum(N * np.ones_like(S), axis=0)
    St = S.sum(axis=0)
    R = S.shape[0]
    safe = np.where(Nt > 0, Nt, 1.0)
    mean = np.where(Nt > 0, St / safe, np.nan)
    if R < 2:
        err = np.full(np.shape(mean), np.nan)
    else:
        den = safe if norm is None else norm
        var = R / (R - 1) * np.sum((S - (N / safe) * St) ** 2, axis=0) / den**2
        err = np.where(Nt > 0, np.sqrt(var), np.nan)
    if np.ndim(mean) == 0:
        return float(mean), float(err)
    return mean, err


def power_law_fit(x, y, err, mask=None) -> dict:
    """Weighted least squares of log y = log A + p log x on the points with y > 0 (and ``mask``).

    Weights 1/sigma^2 with sigma = err/y (the error of log y).

    Returns
    -------
    dict
        ``x`` (the exponent p), ``x_err`` (formal), ``log_A``, ``chi2``, ``dof``, ``n`` (points
        used); NaNs with fewer than two points.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    err = np.asarray(err, float)
    ok = (y > 0) & (err > 0) & np.isfinite(y)
    if mask is not None:
        ok &= mask
    n = int(ok.sum())
    if n < 2:
        return {"x": np.nan, "x_err": np.nan, "log_A": np.nan, "chi2": np.nan, "dof": 0, "n": n}
    xl = np.log(x[ok])
    yl = np.log(y[ok])
    sy = err[ok] / y[ok]
    w = 1.0 / sy**2
    X = np.stack([np.ones_like(xl), xl], axis=1)
    A = X.T @ (w[:, None] * X)
    Ainv = np.linalg.inv(A)
    coef = Ainv @ (X.T @ (w * yl))
    chi2 = float(np.sum(w * (yl - X @ coef) ** 2))
    return {
        "x": float(coef[1]),
        "x_err": float(np.sqrt(Ainv[1, 1])),
        "log_A": float(coef[0]),
        "chi2": chi2,
        "dof": n - 2,
        "n": n,
    }


def loglog_slope(x, mean, err):
    """Weighted fit ln(mean) = a + p ln(x) over the points with mean > 0, for growth laws.

    Weights 1/sigma^2 with sigma = err/mean (a zero or missing error is replaced by the
    Poisson-like floor 1/sqrt(mean)). The error of p is the fit's, scaled by sqrt(chi2/dof) when
    that exceeds 1. Returns (p, p_err, a, n_points); NaNs with fewer than two usable points or
    distinct x (p_err is the unscaled fit error with exactly two points).
    """
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(mean, dtype=np.float64)
    e = np.asarray(err, dtype=np.float64)
    ok = (m > 0) & np.isfinite(m)
    x, m, e = x[ok], m[ok], e[ok]
    n = len(x)
    if n < 2 or len(np.unique(x)) < 2:
        return float("nan"), float("nan"), float("nan"), n
    s = np.where(np.isfinite(e) & (e > 0), e / m, 1.0 / np.sqrt(m))
    X = np.stack([np.ones(n), np.log(x)], axis=1)
    W = 1.0 / s**2
    A = X.T @ (X * W[:, None])
    b = X.T @ (W * np.log(m))
    cov = np.linalg.inv(A)
    a, p = cov @ b
    if n == 2:
        return float(p), float(np.sqrt(cov[1, 1])), float(a), n
    chi2 = float(np.sum(W * (np.log(m) - X @ np.array([a, p])) ** 2))
    scale = max(1.0, chi2 / (n - 2))
    return float(p), float(np.sqrt(cov[1, 1] * scale)), float(a), n
