"""Claim 12: the remnant polarization of the most resonant spins stays sizeable and
decays slowly with L (Fig. 2 right, table ``fig2_polarization``). Claim 14: the resonant spins
form a thermalizing subsystem with long-range entanglement (table ``fig2_entanglement``).

The paper gives no numbers; the readings and thresholds are ours and are printed in every row. All
use the extrapolated (L_R -> infinity, main form) values P(n, L), averaged over n = 1..n_max:
P_bar(L), with error the mean of the P_err (conservative: the n are correlated through the same
states).

- ``sizeable``: P_bar at the largest L exceeds SIZEABLE (0.1) by more than 2 sigma;
- ``decays``: the slope gamma of ln P_bar = c - gamma ln L (weighted fit) is positive at 2 sigma;
- ``slowly``: gamma < SLOW (0.25, i.e. less than a factor 10^0.25 = 1.8 per decade of L) at 2 sigma.

Claim 14 (the abstract's last sentence), on the diagonal-ensemble entanglement of the resonant
cluster, at the largest cluster size L_R measured; thresholds fixed before the data were read:

- ``no decay with distance``: the slope b of ln MI_bar = c + b ln d_bar over the L of the run
  (MI_bar: mean pair mutual information of the n_spins most resonant spins; d_bar: their mean
  ring distance, which grows like L / N_res) exceeds NO_DECAY (-0.1) by two standard errors;
- ``exceeds control``: at the largest L, MI_bar of the resonant cluster minus MI_bar of the
  control cluster (the L_R spins with the largest |phi| of the same states) > 0 at 2 sigma;
- ``thermal``: at the largest L, the half-cluster entropy divided by the random-real-state value
  exceeds THERMAL (0.8) by two standard errors ("approaches Page");
- not primary, ``no decay with distance at fixed L``: the same slope over the distance bins of
  the pairs at the largest L.
"""

from __future__ import annotations

import numpy as np

from . import Primary, claim, verdict_from

SIZEABLE = 0.1
SLOW = 0.25
NO_DECAY = -0.1  # "does not decay with chain distance": log-log slope above this
THERMAL = 0.8  # "approaches Page": half-cluster entropy above this fraction of the random value


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


@claim(
    14,
    "Resonant spins form a thermalizing subsystem with long-range entanglement",
    needs=["fig2_entanglement"],
    paper="A small fraction of resonant spins forms a thermalizing system with long-range "
    "entanglement, making this regime distinct from the conventional MBL.",
    primary=Primary(
        all_of=("no decay with distance", "exceeds control", "thermal"),
        why="all three parts of the sentence: entanglement that does not decay with the chain "
        "distance of the resonant spins, is carried by the resonant spins (above the control "
        "cluster of the same states), and is thermal (the half-cluster entropy near the "
        "random-state value).",
    ),
    adds={
        "no decay with distance at fixed L": "the distance dependence within the largest L "
        "(the primary reading compares sizes, over which the distances grow like L but the "
        "cluster also becomes more resonant)",
    },
)
def resonant_entanglement(t):
    d = t["fig2_entanglement"]
    d = d[d["L_R"].notna()]  # finite clusters (the L_R -> infinity rows are in the table)
    if d.empty:
        return [
            {
                "reading": "no decay with distance",
                "statistic": "slope b of ln MI_bar vs ln d_bar (resonant cluster)",
                "value": float("nan"),
                "error": float("nan"),
                "threshold": f"> {NO_DECAY}",
                "verdict": "inconclusive",
                "detail": "no cluster entanglement measured "
                "(dynamics.polarization.entanglement.n_realizations: 0)",
            }
        ]
    lr = int(d["L_R"].max())
    d = d[d["L_R"] == lr]
    mi = d[(d["quantity"] == "mi") & d["d_lo"].isna()].set_index(["cluster", "L"]).sort_index()
    res = mi.loc["resonant"]
    Ls = res.index.to_numpy(dtype=float)
    per_L = ", ".join(
        f"L={int(L)}: {r['value']:.3g}+-{r['err']:.2g} at d_bar={r['d_mean']:.1f}"
        for L, r in res.iterrows()
    )
    rows = []
    ok = (res["value"] > 0) & np.isfinite(res["err"]) & (res["err"] > 0)
    stat = "slope b of ln MI_bar vs ln d_bar (resonant cluster)"
    thr = f"> {NO_DECAY}"
    if ok.sum() >= 2:
        x = np.log(res.loc[ok, "d_mean"].to_numpy())
        y = np.log(res.loc[ok, "value"].to_numpy())
        w = (res.loc[ok, "value"] / res.loc[ok, "err"]).to_numpy() ** 2
        X = np.vstack([np.ones_like(x), x]).T
        cov = np.linalg.inv(X.T @ (w[:, None] * X))
        beta = cov @ (X.T @ (w * y))
        b, be = float(beta[1]), float(np.sqrt(cov[1, 1]))
        if ok.sum() > 2:
            chi2 = float(np.sum(w * (y - X @ beta) ** 2) / (ok.sum() - 2))
            be *= max(1.0, np.sqrt(chi2))
        rows.append(
            {
                "reading": f"no decay with distance, L_R={lr}",
                "statistic": stat,
                "value": b,
                "error": be,
                "threshold": thr,
                "verdict": verdict_from(b, be, NO_DECAY, greater=True),
                "detail": f"weighted fit over {int(ok.sum())} sizes; MI_bar (nats): {per_L}",
            }
        )
    else:
        rows.append(
            {
                "reading": f"no decay with distance, L_R={lr}",
                "statistic": stat,
                "value": float("nan"),
                "error": float("nan"),
                "threshold": thr,
                "verdict": "inconclusive",
                "detail": f"fewer than two L with MI_bar > 0 and an error; {per_L}",
            }
        )
    L = int(Ls.max())
    # the same test within the largest L: over the distance bins of its pairs
    bins = d[(d["quantity"] == "mi") & d["d_lo"].notna() & (d["cluster"] == "resonant")]
    bins = bins[(bins["L"] == L) & (bins["value"] > 0) & (bins["err"] > 0)].sort_values("d_mean")
    reading = f"no decay with distance at fixed L, L_R={lr}, L={L}"
    if len(bins) >= 2:
        x, y = np.log(bins["d_mean"].to_numpy()), np.log(bins["value"].to_numpy())
        w = (bins["value"] / bins["err"]).to_numpy() ** 2
        X = np.vstack([np.ones_like(x), x]).T
        cov = np.linalg.inv(X.T @ (w[:, None] * X))
        beta = cov @ (X.T @ (w * y))
        b2, be2 = float(beta[1]), float(np.sqrt(cov[1, 1]))
        if len(bins) > 2:
            chi2 = float(np.sum(w * (y - X @ beta) ** 2) / (len(bins) - 2))
            be2 *= max(1.0, np.sqrt(chi2))
        rows.append(
            {
                "reading": reading,
                "statistic": "slope of ln MI vs ln distance over the distance bins",
                "value": b2,
                "error": be2,
                "threshold": thr,
                "verdict": verdict_from(b2, be2, NO_DECAY, greater=True),
                "detail": "MI per distance bin (nats): "
                + ", ".join(
                    f"d={r['d_mean']:.0f}: {r['value']:.3g}+-{r['err']:.2g}"
                    for _, r in bins.iterrows()
                ),
            }
        )
    else:
        rows.append(
            {
                "reading": reading,
                "statistic": "slope of ln MI vs ln distance over the distance bins",
                "value": float("nan"),
                "error": float("nan"),
                "threshold": thr,
                "verdict": "inconclusive",
                "detail": "fewer than two distance bins with a positive mean and an error",
            }
        )
    r, c = mi.loc[("resonant", L)], mi.loc[("control", L)]
    diff, de = float(r["value"] - c["value"]), float(np.hypot(r["err"], c["err"]))
    rows.append(
        {
            "reading": f"exceeds control, L_R={lr}, L={L}",
            "statistic": "MI_bar(resonant) - MI_bar(control)",
            "value": diff,
            "error": de,
            "threshold": "> 0",
            "verdict": verdict_from(diff, de, 0.0, greater=True),
            "detail": f"resonant {r['value']:.3g} +- {r['err']:.2g}, control "
            f"{c['value']:.3g} +- {c['err']:.2g} nats ({int(r['n_realizations'])} states)",
        }
    )
    h = d[(d["quantity"] == "s_half") & (d["cluster"] == "resonant") & (d["L"] == L)].iloc[0]
    ratio, re_ = float(h["value"] / h["random"]), float(h["err"] / h["random"])
    rows.append(
        {
            "reading": f"thermal, L_R={lr}, L={L}",
            "statistic": "half-cluster entropy / random-state value",
            "value": ratio,
            "error": re_,
            "threshold": f"> {THERMAL}",
            "verdict": verdict_from(ratio, re_, THERMAL, greater=True),
            "detail": f"S_half = {h['value']:.3f} +- {h['err']:.3f} nats over {int(h['n'])} of "
            f"{lr} spins; random real states {h['random']:.3f}, Page {h['page']:.3f}",
        }
    )
    return rows
