"""ED claims (10, 11, and the eps -> 1 - eps check 13) on synthetic phase diagrams."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kasglass.claims import evaluate
from kasglass.ed.spectra import R_GOE, R_POISSON


def synthetic(L=12, alpha=0.7, hx=(0.05, 0.1, 0.2, 0.5, 1.0), nb=10, mid_goe_from=0.2,
              edge_goe_from=0.5, asym=0.0):
    rows = []
    for h in hx:
        for b in range(nb):
            c = (b + 0.5) / nb
            edge = c < 0.2 or c > 0.8
            erg = h >= (edge_goe_from if edge else mid_goe_from)
            r = R_GOE if erg else R_POISSON
            m = 1.0 / L if erg else 0.9
            r += asym * (c - 0.5)
            rows.append({
                "alpha": alpha, "L": L, "h_x": h, "eps_lo": b / nb, "eps_hi": (b + 1) / nb,
                "r_mean": r, "r_err": 0.003, "m_ea": m, "m_ea_err": 0.003,
                "m_ea_offdiag": (L * m - 1) / (L - 1), "n_levels": 5000, "n_states": 5000,
                "n_realizations": 100,
            })
    return {"fig3_phase_diagram": pd.DataFrame(rows)}


def verdicts(tables):
    df = evaluate(tables)
    df = df[df["claim"].isin([10, 11, 13])]
    keys = zip(df["claim"], df["reading"], df["verdict"], strict=True)
    return {(int(c), r): v for c, r, v in keys}


def test_paper_like_diagram_reproduces_everything():
    v = verdicts(synthetic())
    assert v == {
        (10, "r"): "reproduced", (10, "m_EA"): "reproduced",
        (11, "middle r"): "reproduced", (11, "middle m_EA"): "reproduced",
        (11, "edges"): "reproduced", (13, "r"): "reproduced", (13, "m_EA"): "reproduced",
    }


def test_fully_ergodic_diagram_fails_claim_10_and_edges():
    v = verdicts(synthetic(mid_goe_from=0.0, edge_goe_from=0.0))
    assert v[(10, "r")] == "not reproduced" and v[(10, "m_EA")] == "not reproduced"
    assert v[(11, "middle r")] == "reproduced"
    assert v[(11, "edges")] == "inconclusive"  # zero difference


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
    assert np.isfinite(evaluate(synthetic(L=8)).query("claim == 10")["value"]).all()
