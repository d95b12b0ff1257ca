"""Finite-size extrapolations: field densities p_L(phi) to L -> infinity (Fig. 1) and remnant
polarizations P(L_R) to L_R -> infinity (Fig. 2 right).

Both are linear in the data, so they are applied as linear functionals (per histogram bin, or per
realization) and their statistical errors follow from the same functional.

Density forms (per histogram bin, weighted least squares over the system sizes L):
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


# ---------------------------------------------------------------------------------------------
# Remnant polarization: P(L_R) -> P(L_R -> infinity), unweighted, per realization

#: extrapolation forms in L_R -> infinity (see :func:`cluster_weights`)
CLUSTER_FORMS = ("linear", "linear_upper", "quadratic", "largest")


def cluster_weights(L_R_values, form: str) -> np.ndarray:
    """Linear functional a with P(L_R -> infinity) = a @ P(L_R_values) for an extrapolation form.

    Forms: ``linear`` a + b/L_R (least squares over all L_R), ``linear_upper`` the same over the
    upper half of the L_R values (at least 2), ``quadratic`` a + b/L_R + c/L_R^2 (needs >= 4
    values), ``largest`` the value at the largest L_R (no extrapolation).
    """
    x = 1.0 / np.asarray(L_R_values, dtype=np.float64)
    m = len(x)
    a = np.zeros(m)
    if form == "largest":
        a[int(np.argmin(x))] = 1.0
        return a
    if form == "linear":
        sel, deg = np.arange(m), 1
    elif form == "linear_upper":
        order = np.argsort(x)  # smallest 1/L_R first = largest L_R
        sel, deg = order[: max(2, (m + 1) // 2)], 1
    elif form == "quadratic":
        sel, deg = np.arange(m), 2
    else:
        raise ValueError(f"extrapolation must be one of {CLUSTER_FORMS}; got {form!r}")
    need = {"linear": 2, "linear_upper": 3, "quadratic": 4}[form]  # L_R values required
    if m < need:
        raise ValueError(f"extrapolation {form!r} needs more L_R values than {list(L_R_values)}")
    X = np.vander(x[sel], deg + 1, increasing=True)
    a[sel] = np.linalg.pinv(X)[0]
    return a


def cluster_forms_available(L_R_values, forms) -> list[str]:
    """The forms of ``forms`` that the L_R values allow (see :func:`cluster_weights`)."""
    ok = []
    for f in forms:
        try:
            cluster_weights(L_R_values, f)
            ok.append(f)
        except ValueError:
            pass
    return ok
