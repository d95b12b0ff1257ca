"""ED claims (10, 11, and the eps -> 1 - eps check 13) on synthetic phase diagrams."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kasglass.claims import evaluate
from kasglass.claims.ed import mirror_swap_test
from kasglass.ed.spectra import R_GOE, R_POISSON


def synthetic(
    L=12,
    alpha=0.7,
    hx=(0.05, 0.1, 0.2, 0.5, 1.0),
    nb=10,
    mid_goe_from=0.2,
    edge_goe_from=0.5,
    asym=0.0,
):
    rows = []
    for h in hx:
        for b in range(nb):
            c = (b + 0.5) / nb
            edge = c < 0.2 or c > 0.8
            erg = h >= (edge_goe_from if edge else mid_goe_from)
            r = R_GOE if erg else R_POISSON
            m = 1.0 / L if erg else 0.9
            r += asym * (c - 0.5)
            rows.append(
                {
                    "alpha": alpha,
                    "L": L,
                    "h_x": h,
                    "eps_lo": b / nb,
                    "eps_hi": (b + 1) / nb,
                    "r_mean": r,
                    "r_err": 0.003,
                    "m_ea": m,
                    "m_ea_err": 0.003,
                    "m_ea_offdiag": (L * m - 1) / (L - 1),
                    "n_levels": 5000,
                    "n_states": 5000,
                    "n_realizations": 100,
                }
            )
    diagram = pd.DataFrame(rows)
    return {"fig3_phase_diagram": diagram, "fig3_realizations": per_realization(diagram, nb)}


def per_realization(diagram, nb, n_real=20, n_levels=250, noise=0.03, seed=0):
    """Per-realization bin sums whose disorder average is ``diagram``: every realization adds
    noise to the whole eps profile, mirrored (eps -> 1 - eps) with probability 1/2, as J -> -J
    does; so any asymmetry of the result comes from ``diagram`` itself."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_real):
        flip = rng.random() < 0.5
        for h, g in diagram.groupby("h_x"):
            g = g.sort_values("eps_lo")
            eps_r = rng.standard_normal(nb) * noise
            eps_m = rng.standard_normal(nb) * noise
            n = rng.integers(n_levels // 2, 2 * n_levels, nb)
            if flip:
                eps_r, eps_m, n = eps_r[::-1], eps_m[::-1], n[::-1]
            for b, (_, row) in enumerate(g.iterrows()):
                rows.append(
                    {
                        "alpha": row["alpha"],
                        "L": row["L"],
                        "h_x": h,
                        "idx": b,
                        "eps_lo": row["eps_lo"],
                        "eps_hi": row["eps_hi"],
                        "realization": r,
                        "r_n": n[b],
                        "r_sum": n[b] * (row["r_mean"] + eps_r[b]),
                        "m_ea_n": n[b],
                        "m_ea_sum": n[b] * (row["m_ea"] + eps_m[b]),
                    }
                )
    return pd.DataFrame(rows)


def verdicts(tables):
    df = evaluate(tables)
    df = df[df["claim"].isin([10, 11, 13])]
    keys = zip(df["claim"], df["reading"], df["verdict"], strict=True)
    return {(int(c), r): v for c, r, v in keys}


def test_paper_like_diagram_reproduces_everything():
    v = verdicts(synthetic())
    assert v == {
        (10, "all readings"): "reproduced",  # the primary reading: the conjunction
        (11, "all readings"): "reproduced",
        (13, "all readings"): "reproduced",
        (10, "r"): "reproduced",
        (10, "m_EA"): "reproduced",
        (11, "middle r"): "reproduced",
        (11, "middle m_EA"): "reproduced",
        (11, "edges"): "reproduced",
        (13, "r"): "reproduced",
        (13, "m_EA"): "reproduced",
    }


def test_fully_ergodic_diagram_fails_claim_10_and_edges():
    v = verdicts(synthetic(mid_goe_from=0.0, edge_goe_from=0.0))
    assert v[(10, "r")] == "not reproduced" and v[(10, "m_EA")] == "not reproduced"
    assert v[(11, "middle r")] == "reproduced"
    assert v[(11, "edges")] == "inconclusive"  # zero difference
    assert v[(10, "all readings")] == "not reproduced"
    assert v[(11, "all readings")] == "inconclusive"  # no part fails, one is undecided


def test_localized_middle_fails_claim_11():
    v = verdicts(synthetic(mid_goe_from=2.0, edge_goe_from=2.0))
    assert v[(11, "middle r")] == "not reproduced"
    assert v[(11, "middle m_EA")] == "not reproduced"


def test_asymmetric_diagram_fails_symmetry_check():
    v = verdicts(synthetic(asym=0.05))
    assert v[(13, "r")] == "not reproduced" and v[(13, "m_EA")] == "reproduced"


def test_other_size_is_inconclusive_for_paper_claims():
    v = verdicts(synthetic(L=8))
    assert v[(10, "r")] == "inconclusive" and v[(11, "middle r")] == "inconclusive"
    assert v[(13, "r")] == "reproduced"
    rows = evaluate(synthetic(L=8)).query("claim == 10 and not primary")
    assert len(rows) == 2 and np.isfinite(rows["value"]).all()


def test_symmetry_check_needs_enough_realizations():
    t = synthetic()
    t["fig3_realizations"] = t["fig3_realizations"].query("realization < 7")
    v = verdicts(t)
    assert v[(13, "r")] == "inconclusive" and v[(13, "m_EA")] == "inconclusive"


def test_swap_test_equals_brute_force_enumeration():
    rng = np.random.default_rng(3)
    R, P = 5, 3
    Nb = rng.integers(0, 40, (R, P)).astype(float)
    Nm = rng.integers(1, 40, (R, P)).astype(float)
    Sb = Nb * (0.5 + 0.1 * rng.standard_normal((R, P)))
    Sm = Nm * (0.45 + 0.1 * rng.standard_normal((R, P)))
    T_obs, p, n_pat, exact = mirror_swap_test(Sb, Nb, Sm, Nm)
    assert exact and n_pat == 2**R

    # brute force: explicit swaps, variance weights from the (swap-invariant) pooled residuals
    mu = (Sb.sum(0) + Sm.sum(0)) / (Nb.sum(0) + Nm.sum(0))
    res = ((Sb - mu * Nb) ** 2 + (Sm - mu * Nm) ** 2).sum(0)
    var = 2 * R / (R - 1) * res / ((Nb.sum(0) + Nm.sum(0)) / 2) ** 2

    def T(sb, nb_, sm, nm):
        d = np.where(
            (nb_.sum(0) > 0) & (nm.sum(0) > 0),
            sb.sum(0) / np.maximum(nb_.sum(0), 1e-300) - sm.sum(0) / nm.sum(0),
            0.0,
        )
        return float(np.sum(d**2 / var))

    Ts = []
    for mask in range(2**R):
        sw = np.array([(mask >> r) & 1 for r in range(R)], bool)[:, None]
        Ts.append(
            T(
                np.where(sw, Sm, Sb),
                np.where(sw, Nm, Nb),
                np.where(sw, Sb, Sm),
                np.where(sw, Nb, Nm),
            )
        )
    assert T_obs == pytest.approx(Ts[0], rel=1e-12)
    assert p == pytest.approx(np.mean(np.array(Ts) >= Ts[0] * (1 - 1e-12)), abs=1e-15)


def test_swap_test_random_patterns_agree_with_exact():
    rng = np.random.default_rng(8)
    R, P = 14, 6
    N = rng.integers(50, 100, (R, P)).astype(float)
    Sb = N * (0.5 + 0.05 * rng.standard_normal((R, P)))
    Sm = N * (0.5 + 0.05 * rng.standard_normal((R, P)))
    _, p_exact, _, exact = mirror_swap_test(Sb, N, Sm, N)
    _, p_mc, n_pat, mc_exact = mirror_swap_test(Sb, N, Sm, N, exact_max=10, n_random=20000)
    assert exact and not mc_exact
    assert abs(p_mc - p_exact) < 4 * np.sqrt(p_exact * (1 - p_exact) / n_pat) + 1e-4
