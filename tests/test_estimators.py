"""The four estimators of x on synthetic data with a known answer.

Fields are drawn i.i.d. with P(|phi| < h) = (h / s_L)^(1 + x_L) for h < s_L, so the density is
exactly |phi|^x_L below s_L; two known finite-size corrections are imposed:
- ``scale``: s_L = s (1 + b L^(1 - 2 alpha)) (the amplitude drifts, the exponent does not);
- ``exponent``: x_L = x + c L^(1 - 2 alpha) (the raw exponent drifts towards x).
Every estimator must recover x within its errors (plus a small bias allowance where its
correction form is only first order), and the estimators must agree with each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass.estimators import ESTIMATORS, combine, corrections, estimate_alpha, x_drift, x_phi_min
from kasglass.sampling import hist_edges

EDGES = hist_edges(1e-4, 100.0, 8)
LS = [100, 300, 1000, 3000, 10000, 30000]
N_REAL = [6000, 2000, 600, 200, 60, 20]
ALPHA = 0.7
X_TRUE = 0.5
B = 32


def synthetic_blocks(kind: str, seed: int = 1, x=X_TRUE, s=2.0, amp=1.0):
    rng = np.random.default_rng(seed)
    blocks = {}
    for L, n in zip(LS, N_REAL, strict=True):
        g = L ** (1 - 2 * ALPHA)
        xL = x + (amp * g if kind == "exponent" else 0.0)
        sL = s * (1 + amp * g) if kind == "scale" else s
        C = np.zeros((B, len(EDGES) - 1), np.int64)
        nb = np.zeros(B, np.int64)
        S = np.zeros(B)
        for r in range(n):
            phi = sL * rng.random(L) ** (1.0 / (1.0 + xL))
            b = r % B
            C[b] += np.histogram(phi, EDGES)[0]
            nb[b] += 1
            S[b] += phi.min()
        blocks[L] = (C, nb, S)
    return blocks


def _reps(blocks, n_boot=60, seed=3):
    rng = np.random.default_rng(seed)
    return {L: rng.integers(0, len(blocks[L][1]), (n_boot, len(blocks[L][1]))) for L in LS}


@pytest.fixture(scope="module", params=["none", "scale", "exponent"])
def result(request):
    blocks = synthetic_blocks(request.param)
    rows, diag = estimate_alpha(
        LS, blocks, EDGES, ALPHA, fit_lo=0.03, fit_hi=1.0, reps=_reps(blocks)
    )
    df = pd.DataFrame(rows)
    df.insert(0, "alpha", ALPHA)
    return request.param, df, diag


# where an estimator's correction model is exact or absent, only statistics remain; elsewhere a
# first-order model leaves a small bias (the amplitude correction in ln <phi_min> of the
# exponent drift, the per-bin extrapolation of a drifting exponent)
BIAS = {
    ("none", "density"): 0.0,
    ("none", "phi_min"): 0.0,
    ("none", "n_res"): 0.0,
    ("none", "drift"): 0.0,
    ("scale", "density"): 0.01,
    ("scale", "phi_min"): 0.0,
    ("scale", "n_res"): 0.01,
    ("scale", "drift"): 0.0,
    ("exponent", "density"): 0.03,
    ("exponent", "phi_min"): 0.05,
    ("exponent", "n_res"): 0.03,
    ("exponent", "drift"): 0.0,
}


def test_every_estimator_recovers_x(result):
    kind, df, _ = result
    for est in ESTIMATORS:
        r = df[(df["estimator"] == est) & (df["form"] == "longrange")].iloc[0]
        assert np.isfinite(r["x"]) and r["x_err_stat"] > 0, (kind, est)
        assert r["x_err_stat"] < 0.1, (kind, est, r["x_err_stat"])
        dev = abs(r["x"] - X_TRUE)
        assert dev < 4 * r["x_err_stat"] + BIAS[(kind, est)], (kind, est, r["x"], r["x_err_stat"])


def test_estimators_agree_within_errors(result):
    kind, df, _ = result
    comb = combine(df)
    allrow = comb[comb["estimator"] == "all"].iloc[0]
    assert abs(allrow["x"] - X_TRUE) < 3 * allrow["x_err"], (kind, allrow.to_dict())
    per = comb[comb["estimator"] != "all"]
    assert len(per) == len(ESTIMATORS)
    assert allrow["x_err_between"] <= 4 * per["x_err"].max() + 0.03


def test_raw_exponents_show_the_imposed_drift(result):
    kind, _, diag = result
    xL = np.asarray(diag["x_L"])
    g = np.asarray(LS, float) ** (1 - 2 * ALPHA)
    want = X_TRUE + (g if kind == "exponent" else 0.0)
    assert np.all(np.abs(xL - want) < 5 * np.asarray(diag["x_L_err"]) + 0.01), (kind, xL, want)


def test_wrong_answers_are_detected():
    """A different true x gives a different answer (the tests above can fail)."""
    blocks = synthetic_blocks("none", seed=5, x=0.8)
    rows, _ = estimate_alpha(LS, blocks, EDGES, ALPHA, fit_lo=0.03, fit_hi=1.0, reps=_reps(blocks))
    for r in rows:
        assert abs(r["x"] - 0.8) < 4 * r["x_err_stat"], r
        assert r["x"] - X_TRUE > 2 * r["x_err_stat"], r


def test_phi_min_and_drift_fits_exact_on_noiseless_data():
    """On noiseless data of the model form the fits return the input exactly."""
    Ls = np.array([100, 200, 500, 1000, 3000, 10000, 30000, 100000])
    for form in ("paper", "longrange"):
        G = corrections(Ls, form, 0.6, 2)
        theta = 1 / 1.45
        m = np.exp(0.3 - theta * np.log(Ls) + G @ [0.7, -0.2])
        x, xe, chi2, dof, n = x_phi_min(Ls, m, 0.01 * m, form, 0.6)
        assert x == pytest.approx(0.45, abs=1e-7) and chi2 < 1e-9 and dof == n - 4
        xl = 0.45 + G @ [0.5, 0.1]
        x, xe, chi2, dof, n = x_drift(Ls, xl, np.full(len(Ls), 0.01), form, 0.6)
        assert x == pytest.approx(0.45, abs=1e-7) and dof == n - 3
