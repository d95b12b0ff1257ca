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
