"""Claim 6 (x(alpha) against the bound 1/alpha - 1) on synthetic exponent tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass.claims import evaluate


def exponents(x_minus_bound, err=0.02):
    alphas = np.array([0.55, 0.7, 0.9])
    bound = 1 / alphas - 1
    return {
        "fig1_exponents": pd.DataFrame(
            {
                "alpha": alphas,
                "x": bound + np.asarray(x_minus_bound, float),
                "x_err": err,
                "bound": bound,
                "main": alphas == 0.7,
            }
        )
    }


def rows(tables):
    df = evaluate(tables)
    return df[df["claim"] == 6].set_index("reading")


def test_exponents_above_and_close_to_the_bound():
    r = rows(exponents([0.1, 0.08, 0.15]))
    assert r.loc["above the bound", "verdict"] == "reproduced"
    assert r.loc["above the bound", "value"] == pytest.approx(0.08 / 0.02)
    assert r.loc["close to the bound", "verdict"] == "reproduced"
    assert r.loc["close to the bound", "value"] == pytest.approx(0.15)


def test_exponent_below_the_bound_is_reported_with_a_non_negative_distance():
    r = rows(exponents([-0.2, 0.05, 0.15]))
    assert r.loc["above the bound", "verdict"] == "not reproduced"
    assert r.loc["above the bound", "value"] == pytest.approx(-10.0)
    close = r.loc["close to the bound"]
    assert close["value"] == pytest.approx(0.2)  # |x - bound|, never negative
    assert "x - bound = -0.200" in close["detail"] and "alpha=0.55" in close["detail"]
    assert close["verdict"] == "reproduced"  # 0.2 < 0.3 by 5 sigma


def test_far_from_the_bound_is_not_close():
    r = rows(exponents([0.1, 0.5, 0.1]))
    assert r.loc["close to the bound", "verdict"] == "not reproduced"


def estimators(margins, err=0.02, between=0.01):
    """A fig1_estimators table: combined rows of every estimator and of 'all' with x - bound
    from ``margins`` (dict estimator -> per-alpha margins)."""
    alphas = np.array([0.55, 0.7, 0.9])
    bound = 1 / alphas - 1
    rows = []
    for est, m in margins.items():
        for a, b, d in zip(alphas, bound, m, strict=True):
            rows.append(
                {
                    "alpha": a,
                    "estimator": est,
                    "form": "combined",
                    "x": b + d,
                    "x_err": err,
                    "x_err_stat": err / 2,
                    "x_err_sys": err / 2,
                    "x_err_between": between if est == "all" else np.nan,
                    "bound": b,
                    "L_max": 3000,
                }
            )
    return pd.DataFrame(rows)


def test_claim6_primary_is_all_estimators_and_every_estimator_is_read():
    good = [0.1, 0.08, 0.15]
    t = exponents(good)
    t["fig1_estimators"] = estimators(
        {"all": good, "density": good, "phi_min": [0.1, -0.1, 0.1], "n_res": good, "drift": good}
    )
    df = evaluate(t)
    r = df[df["claim"] == 6].set_index("reading")
    assert r.loc["all estimators", "primary"] and r.loc["all estimators", "verdict"] == "reproduced"
    assert r.loc["all estimators", "value"] == pytest.approx(0.08 / 0.02)
    assert "(between estimators)" in r.loc["all estimators", "detail"]
    assert r.loc["estimator phi_min", "verdict"] == "not reproduced"  # -0.1 / 0.02 = -5
    assert r.loc["estimator density", "verdict"] == "reproduced"
    assert not r.loc["above the bound", "primary"]
    # the claim's verdict follows the primary reading
    from kasglass.claims import summary

    s = summary(df).set_index("claim")
    assert s.loc[6, "verdict"] == "reproduced"
    t["fig1_estimators"] = estimators({"all": [0.1, -0.08, 0.15]})
    s = summary(evaluate(t)).set_index("claim")
    assert s.loc[6, "verdict"] == "not reproduced"


def test_claim6_flip_order_readings():
    good = [0.1, 0.08, 0.15]
    t = exponents(good)
    t["fig1_estimators"] = estimators({"all": good})
    pr = estimators({"all": [0.1, 0.01, 0.15]})
    pr = pd.concat([pr.assign(order="random"), pr.assign(order="greedy")], ignore_index=True)
    t["figS10_protocols"] = pr
    r = rows(t)
    assert r.loc["flip order random", "verdict"] == "inconclusive"  # 0.01 / 0.02 = 0.5
    assert r.loc["flip order greedy", "value"] == pytest.approx(0.5)
    assert "flip order sweep" not in r.index
