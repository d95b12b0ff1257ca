"""Claim 12: the remnant polarization of the most resonant spins stays sizeable and
decays slowly with L (Fig. 2 right, table ``fig2_polarization``).

The paper gives no numbers; the readings and thresholds are ours and are printed in every row. All
use the extrapolated (L_R -> infinity, main form) values P(n, L), averaged over n = 1..n_max:
P_bar(L), with error the mean of the P_err (conservative: the n are correlated through the same
states).

- ``sizeable``: P_bar at the largest L exceeds SIZEABLE (0.1) by more than 2 sigma;
- ``decays``: the slope gamma of ln P_bar = c - gamma ln L (weighted fit) is positive at 2 sigma;
- ``slowly``: gamma < SLOW (0.25, i.e. less than a factor 10^0.25 = 1.8 per decade of L) at 2 sigma.
"""

from __future__ import annotations

import numpy as np

from . import Primary, claim, verdict_from

SIZEABLE = 0.1
SLOW = 0.25


def _pbar(t):
    d = t["fig2_polarization"]
    ext = d[d["L_R"].isna() & d["main"]]
    form = "extrapolated L_R -> inf"
    if ext.empty:  # no extrapolation possible: the largest L_R (stated in the detail)
        lr = int(d["L_R"].max())
        ext = d[d["L_R"] == lr]
        form = f"largest L_R = {lr} (no extrapolation)"
    g = ext.groupby("L", sort=True).agg(
        P=("P", "mean"), P_err=("P_err", "mean"), n_max=("n", "max"), nr=("n_realizations", "min")
    )
    return g, form


@claim(
    12,
    "Remnant polarization of the most resonant spins: sizeable, decays slowly with L",
    needs=["fig2_polarization"],
    paper="The remnant polarization of the six most resonant spins remains sizeable; the "
    "remnant polarizations decay slowly with system size.",
    primary=Primary(
        all_of=(),
        why="'sizeable' and 'decays slowly' together: a decay that is "
        "present but slow, from a sizeable value.",
    ),
)
def remnant_polarization(t):
    g, form = _pbar(t)
    Ls = g.index.to_numpy(dtype=float)
    P, E = g["P"].to_numpy(), g["P_err"].to_numpy()
    per_L = ", ".join(f"L={int(L)}: {p:.3f}+-{e:.3f}" for L, p, e in zip(Ls, P, E, strict=True))
    n_max = int(g["n_max"].max())
    base = f"P_bar(L) = mean over n = 1..{n_max} of P(n, L), {form}; {per_L}"
    rows = [
        {
            "reading": "sizeable",
            "statistic": f"P_bar at the largest L = {int(Ls[-1])}",
            "value": float(P[-1]),
            "error": float(E[-1]),
            "threshold": f"> {SIZEABLE}",
            "verdict": verdict_from(float(P[-1]), float(E[-1]), SIZEABLE, greater=True),
            "detail": base,
        }
    ]
    ok = (P > 0) & np.isfinite(E) & (E > 0)
    if ok.sum() >= 2:
        x = np.log(Ls[ok])
        y = np.log(P[ok])
        w = (P[ok] / E[ok]) ** 2
        X = np.vstack([np.ones_like(x), x]).T
        cov = np.linalg.inv(X.T @ (w[:, None] * X))
        beta = cov @ (X.T @ (w * y))
        gamma, gerr = float(-beta[1]), float(np.sqrt(cov[1, 1]))
        if ok.sum() > 2:  # inflate by the reduced chi^2 when the power law does not fit
            chi2 = float(np.sum(w * (y - X @ beta) ** 2) / (ok.sum() - 2))
            gerr *= max(1.0, np.sqrt(chi2))
        detail = (
            f"weighted fit ln P_bar = c - gamma ln L over L = {[int(L) for L in Ls[ok]]}: "
            f"gamma = {gamma:.3f} +- {gerr:.3f}; {base}"
        )
    else:
        gamma, gerr = float("nan"), float("nan")
        detail = f"fewer than two L with P_bar > 0 and finite errors; {base}"
    rows.append(
        {
            "reading": "decays",
            "statistic": "gamma (P_bar ~ L^-gamma)",
            "value": gamma,
            "error": gerr,
            "threshold": "> 0",
            "verdict": verdict_from(gamma, gerr, 0.0, greater=True),
            "detail": detail,
        }
    )
    rows.append(
        {
            "reading": "slowly",
            "statistic": "gamma (P_bar ~ L^-gamma)",
            "value": gamma,
            "error": gerr,
            "threshold": f"< {SLOW}",
            "verdict": verdict_from(gamma, gerr, SLOW, greater=False),
            "detail": detail,
        }
    )
    return rows
