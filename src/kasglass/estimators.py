"""Independent estimators of the soft-gap exponent x of p_inf(phi) ~ |phi|^x (Fig. 1 inset).

The central inequality of the paper, x(alpha) > 1/alpha - 1, rests on one number per alpha. Four
estimators with different systematics are computed from the same SFS realizations:

``density``
    The extrapolated density p_inf(phi) (per bin, :mod:`kasglass.extrapolation`) fitted with a
    power law on the fit window (the Fig. 1 analysis).
``phi_min``
    The smallest field of a state. If the fraction of spins with |phi| < h is c h^(1+x), the
    smallest of L fields scales as <phi_min>(L) ~ L^(-theta), theta = 1/(1+x); fitted as
    ln <phi_min> = a - theta ln L + b g(L) with the leading finite-size correction g of the form
    (and a second one from eight sizes on), x = 1/theta - 1.
``n_res``
    The resonant-spin count: the fraction F_L(h) of spins with |phi| < h at the histogram's bin
    edges h (log-spaced), extrapolated to L -> infinity per h like the density, then
    F_inf(h) ~ h^(1+x) fitted on the window. Cumulative, so it does not depend on the binning
    of a density, and it weighs the window's lower end differently.
``drift``
    The raw exponents: x_L from a power-law fit of the finite-L density on the window at every L,
    then x_L = x_inf + c g(L) (plus a second correction from five sizes on).

Finite-size correction forms (``FORMS``, as for the density): ``paper`` g(L) = 1/L (then 1/L^2)
and ``longrange`` g(L) = L^(1 - 2 alpha) (then 1/L); the two are treated as equals. Statistical
errors are the standard deviation over bootstrap replicas that resample realization blocks
independently at every L (the same replicas for every estimator, so their spread is not
inflated by independent noise); at least the formal fit error. Each estimator's systematic error
is half the spread of its forms (NaN when a form gave no estimate: such an estimator is left out
of the combination; zero where the forms coincide, as for ``phi_min`` below four sizes, which
fits no correction); the spread between estimators is a separate systematic error
(:func:`combine`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .extrapolation import FORMS
from .stats import power_law_fit

ESTIMATORS = ("density", "phi_min", "n_res", "drift")


def corrections(Ls, form: str, alpha: float, n_max: int) -> np.ndarray:
    """Correction columns g_1(L), g_2(L) of a form, shape (n_L, min(n_max, 2))."""
    L = np.asarray(Ls, dtype=float)
    if form == "paper":
        cols = [1.0 / L, 1.0 / L**2]
    elif form == "longrange":
        cols = [L ** (1.0 - 2.0 * alpha), 1.0 / L]
    else:
        raise ValueError(f"correction form must be one of {FORMS}; got {form!r}")
    k = max(0, min(n_max, 2))
    return np.stack(cols[:k], axis=1) if k else np.zeros((len(L), 0))


def wls(X, y, err):
    """Weighted least squares y ~ X beta with weights 1/err^2: (beta, cov, chi2, dof)."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    w = 1.0 / np.asarray(err, float) ** 2
    A = X.T @ (w[:, None] * X)
    cov = np.linalg.pinv(A)
    beta = cov @ (X.T @ (w * y))
    chi2 = float(np.sum(w * (y - X @ beta) ** 2))
    return beta, cov, chi2, len(y) - X.shape[1]


def x_phi_min(Ls, m, m_err, form, alpha):
    """Estimator ``phi_min``: ln m_L = a - theta ln L + corrections; x = 1/theta - 1.

    One correction term from four sizes on, two from eight (one number per state carries less
    information than a histogram: the fit is kept small).
    Returns (x, x_err_fit, chi2, dof, n_points)."""
    Ls = np.asarray(Ls, float)
    m = np.asarray(m, float)
    m_err = np.asarray(m_err, float)
    ok = (m > 0) & np.isfinite(m)
    Ls, m, m_err = Ls[ok], m[ok], m_err[ok]
    n = len(Ls)
    if n < 3:
        return np.nan, np.nan, np.nan, 0, n
    k = 0 if n < 4 else 1 if n < 8 else 2
    X = np.column_stack([np.ones(n), -np.log(Ls), corrections(Ls, form, alpha, k)])
    sig = np.where(m_err > 0, m_err / m, 1.0)
    beta, cov, chi2, dof = wls(X, np.log(m), sig)
    theta, dtheta = float(beta[1]), float(np.sqrt(max(cov[1, 1], 0.0)))
    if not theta > 0:
        return np.nan, np.nan, chi2, dof, n
    return 1.0 / theta - 1.0, dtheta / theta**2, chi2, dof, n


def drift_fit(Ls, xL, xL_err, form, alpha):
    """The drift model x_L = x_inf + c_1 g_1(L) (+ c_2 g_2(L) from five sizes on), weighted by
    1/xL_err^2 over the finite points: (beta, cov, chi2, dof, n_points), beta[0] = x_inf, or
    None with fewer than three points."""
    Ls = np.asarray(Ls, float)
    xL = np.asarray(xL, float)
    xL_err = np.asarray(xL_err, float)
    ok = np.isfinite(xL) & np.isfinite(xL_err) & (xL_err > 0)
    Ls, xL, xL_err = Ls[ok], xL[ok], xL_err[ok]
    n = len(Ls)
    if n < 3:
        return None
    k = 1 if n < 5 else 2
    X = np.column_stack([np.ones(n), corrections(Ls, form, alpha, k)])
    beta, cov, chi2, dof = wls(X, xL, xL_err)
    return beta, cov, chi2, dof, n


def x_drift(Ls, xL, xL_err, form, alpha):
    """Estimator ``drift`` (:func:`drift_fit`): (x_inf, x_err_fit, chi2, dof, n_points)."""
    f = drift_fit(Ls, xL, xL_err, form, alpha)
    if f is None:
        return np.nan, np.nan, np.nan, 0, int(np.isfinite(np.asarray(xL, float)).sum())
    beta, cov, chi2, dof, n = f
    return float(beta[0]), float(np.sqrt(max(cov[0, 0], 0.0))), chi2, dof, n


# ---------------------------------------------------------------------------------------------
# the estimators of one alpha


def _fit_all(y_main, y_reps, fit):
    """fit(y) -> (x, x_err_fit, chi2, dof, n) on the data and on every replica: (main, xs),
    xs the finite replica estimates whose fit used as many points as the main one (the rule of
    the Fig. 1 analysis)."""
    main = fit(y_main)
    xs = []
    for y in y_reps:
        r = fit(y)
        if np.isfinite(r[0]) and r[4] == main[4]:
            xs.append(r[0])
    return main, np.asarray(xs, dtype=float)


def estimate_alpha(Ls, blocks, edges, alpha: float, *, fit_lo: float, fit_hi: float, reps):
    """Every (estimator, form) for one alpha.

    Parameters
    ----------
    Ls : list of int
    blocks : dict L -> (C, n, S_min)
        Per realization block: histogram counts C (B, n_bins) of |phi| on ``edges``, realizations
        n (B,), and the sum of min |phi| over the block's realizations S_min (B,).
    edges : ndarray
        Histogram edges [0, phi_min, ..., phi_max, inf].
    reps : dict L -> ndarray (n_boot, B)
        Bootstrap replicas: resampled block indices at every L (drawn like the Fig. 1 analysis,
        :func:`kasglass.field_statistics.analyse_fields`, so that ``density`` with a form equals
        its exponent for that form exactly).

    Returns
    -------
    list of dict
        One per (estimator, form): estimator, form, x, x_err_stat (bootstrap, at least the
        formal error), x_err_fit (formal), chi2, dof, n_points, n_bootstrap_used.
    """
    from .extrapolation import extrapolation_operator
    from .field_statistics import bootstrap_densities, density
    from .stats import ratio_mean

    Ls = [int(L) for L in Ls]
    widths = np.diff(edges)
    widths[-1] = np.nan
    inner = np.isfinite(widths)
    w_safe = np.where(inner, widths, 1.0)
    phi_lo, phi_hi = edges[:-1], edges[1:]
    phi_top = np.where(np.isfinite(phi_hi), phi_hi, phi_lo)
    phi_mid = np.where(phi_lo > 0, np.sqrt(phi_lo * phi_top), 0.5 * phi_hi)
    tol = 1e-9
    dmask = inner & (phi_lo >= fit_lo * (1 - tol)) & (phi_hi <= fit_hi * (1 + tol)) & (phi_lo > 0)
    cmask = inner & (phi_hi >= fit_lo * (1 - tol)) & (phi_hi <= fit_hi * (1 + tol))
    h = phi_top
    P, E, Pb, F, FE, Fb, m, me, mb = [], [], [], [], [], [], [], [], []
    for L in Ls:
        C, n, S = blocks[L]
        R = reps[L]
        p, e = density(C, n, L, w_safe)
        P.append(p)
        E.append(e)
        Pb.append(bootstrap_densities(C, n, L, w_safe, R))
        Cc = np.cumsum(C, axis=1)  # spins with |phi| below each upper edge, per block
        N = n.sum()
        f = Cc.sum(axis=0) / (N * L)
        fe = ratio_mean(Cc, n * L)[1] if len(n) > 1 else np.zeros_like(f)
        fe = np.maximum(np.nan_to_num(fe), np.sqrt(Cc.sum(axis=0)) / (N * L))
        F.append(f)
        FE.append(np.where(Cc.sum(axis=0) > 0, fe, 1.0 / (N * L)))
        Fb.append(Cc[R].sum(axis=1) / (n[R].sum(axis=1)[:, None] * L))
        m.append(S.sum() / N)
        me.append(ratio_mean(S, n)[1] if len(n) > 1 else np.nan)
        mb.append(S[R].sum(axis=1) / n[R].sum(axis=1))
    P, E, F, FE = map(np.array, (P, E, F, FE))
    Pb = np.stack(Pb, axis=1)  # (n_boot, n_L, n_bins)
    Fb = np.stack(Fb, axis=1)
    m, me = np.array(m), np.array(me)
    mb = np.stack(mb, axis=1)  # (n_boot, n_L)
    n_boot = Pb.shape[0]
    me = np.where(np.isfinite(me) & (me > 0), me, m)

    # finite-L exponents (the drift estimator's data), errors from the replicas
    xL = np.empty(len(Ls))
    xLe = np.empty(len(Ls))
    xLb = np.empty((n_boot, len(Ls)))
    for j in range(len(Ls)):
        r = power_law_fit(phi_mid, P[j], E[j], dmask)
        xL[j] = r["x"]
        xLb[:, j] = [power_law_fit(phi_mid, y, E[j], dmask)["x"] for y in Pb[:, j]]
        sd = np.nanstd(xLb[:, j], ddof=1) if n_boot > 2 else np.nan
        xLe[j] = np.nanmax([sd, r["x_err"]])

    out = {}
    for form in FORMS:
        for est, Y, Yb, Ye, xfun, mask in (
            ("density", P, Pb, E, 0, dmask),
            ("n_res", F, Fb, FE, 1, cmask),
        ):
            M, var = extrapolation_operator(Ls, Ye, form, alpha)
            y_inf = np.einsum("bl,lb->b", M, Y)
            y_boot = np.einsum("bl,rlb->rb", M, Yb)
            ferr = np.sqrt(np.maximum(var, 0.0))
            berr = y_boot.std(axis=0, ddof=1) if n_boot > 1 else ferr
            err = np.maximum(berr, ferr) if len(Ls) > 1 else Ye[0]
            grid = phi_mid if xfun == 0 else h

            def fit(y, grid=grid, err=err, mask=mask, shift=float(xfun)):
                r = power_law_fit(grid, y, err, mask)
                return r["x"] - shift, r["x_err"], r["chi2"], r["dof"], r["n"]

            out[(est, form)] = _fit_all(y_inf, y_boot, fit)
        out[("phi_min", form)] = _fit_all(
            m, mb, lambda y, form=form: x_phi_min(Ls, y, me, form, alpha)
        )
        out[("drift", form)] = _fit_all(
            xL, xLb, lambda y, form=form: x_drift(Ls, y, xLe, form, alpha)
        )
    rows = []
    for est in ESTIMATORS:
        for form in FORMS:
            (x, x_fit, chi2, dof, npts), xs = out[(est, form)]
            stat = float(np.std(xs, ddof=1)) if len(xs) > 2 else np.nan
            if np.isfinite(x_fit):
                stat = max(stat, x_fit) if np.isfinite(stat) else float(x_fit)
            rows.append(
                {
                    "estimator": est,
                    "form": form,
                    "x": float(x),
                    "x_err_stat": stat,
                    "x_err_fit": float(x_fit),
                    "chi2": float(chi2),
                    "dof": int(dof),
                    "n_points": int(npts),
                    "n_bootstrap_used": len(xs),
                }
            )
    return rows, {"L": Ls, "x_L": xL, "x_L_err": xLe, "phi_min": m, "phi_min_err": me}


def combine(rows: pd.DataFrame) -> pd.DataFrame:
    """Per (alpha, estimator): the forms averaged, x_err_sys = half their spread; per alpha,
    ``all``: the estimators combined with weights w = 1/(x_err_stat^2 + x_err_sys^2).

    Only estimators whose every form gave an estimate enter ``all`` (listed in
    ``combined_from``): with a form missing the systematic error is unknown (its x_err is NaN).
    For ``all``: x = sum w x / sum w; x_err_stat and x_err_sys are the same weighted means of
    the estimators' errors (the estimators use the same realizations, so their statistical errors
    are not divided down as if independent); x_err_between = sqrt(sum w (x - x_all)^2 / sum w),
    the weighted spread between the estimators, a systematic error of its own; x_err adds the
    three in quadrature.

    ``rows`` has columns alpha, estimator, form, x, x_err_stat (one row per form). Returns rows
    with form "combined" (columns alpha, estimator, form, x, x_err_stat, x_err_sys,
    x_err_between, x_err, combined_from)."""
    out = []
    for alpha, g in rows.groupby("alpha", sort=True):
        per = []
        for est in ESTIMATORS:
            e = g[(g["estimator"] == est) & np.isfinite(g["x"]) & np.isfinite(g["x_err_stat"])]
            if e.empty:
                continue
            x = float(e["x"].mean())
            stat = float(e["x_err_stat"].max())
            # half the spread of the forms; NaN when a form gave no estimate (its systematic
            # error is then unknown, and the estimator stays out of the combination)
            n_forms = int((g["estimator"] == est).sum())
            sys = 0.5 * float(e["x"].max() - e["x"].min()) if len(e) == n_forms else np.nan
            if np.isfinite(sys):
                per.append((est, x, stat, sys))
            out.append(
                {
                    "alpha": alpha,
                    "estimator": est,
                    "form": "combined",
                    "x": x,
                    "x_err_stat": stat,
                    "x_err_sys": sys,
                    "x_err_between": np.nan,
                    "x_err": float(np.hypot(stat, sys)) if np.isfinite(sys) else np.nan,
                    "combined_from": None,
                }
            )
        if per:
            names = [p[0] for p in per]
            x, stat, sys = (np.array(v) for v in list(zip(*per, strict=True))[1:])
            w = 1.0 / np.maximum(stat**2 + sys**2, 1e-300)
            W = w.sum()
            xa = float(np.sum(w * x) / W)
            sa = float(np.sum(w * stat) / W)
            ya = float(np.sum(w * sys) / W)
            between = float(np.sqrt(np.sum(w * (x - xa) ** 2) / W))
            out.append(
                {
                    "alpha": alpha,
                    "estimator": "all",
                    "form": "combined",
                    "x": xa,
                    "x_err_stat": sa,
                    "x_err_sys": ya,
                    "x_err_between": between,
                    "x_err": float(np.sqrt(sa**2 + ya**2 + between**2)),
                    "combined_from": ",".join(names),
                }
            )
    return pd.DataFrame(out)


def estimate_table(Ls, blocks, edges, alpha: float, *, fit_lo: float, fit_hi: float, reps):
    """:func:`estimate_alpha` and :func:`combine` as table rows (the layout of the
    ``fig1_estimators`` table): one row per (estimator, form), then the combined rows, each with
    the bound, the window and the sizes; also returns the per-size diagnostics."""
    est, diag = estimate_alpha(Ls, blocks, edges, alpha, fit_lo=fit_lo, fit_hi=fit_hi, reps=reps)
    per = pd.DataFrame(est)
    per.insert(0, "alpha", alpha)
    per["x_err"] = per["x_err_stat"]
    per["x_err_sys"] = np.nan
    per["x_err_between"] = np.nan
    per["combined_from"] = None
    out = pd.concat([per, combine(per)], ignore_index=True)
    out["bound"] = 1.0 / alpha - 1.0
    out["fit_lo"] = fit_lo
    out["fit_hi"] = fit_hi
    out["L_min"] = min(Ls)
    out["L_max"] = max(Ls)
    out["n_L"] = len(Ls)
    out["n_realizations_min"] = int(min(blocks[L][1].sum() for L in Ls))
    for c in ("dof", "n_points", "n_bootstrap_used"):
        out[c] = out[c].astype("Int64")
    return out, diag
