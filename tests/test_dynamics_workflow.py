"""End to end on the tiny preset: Fig. 2 right table (and fig2 itself), figS4, and claim 12."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_workdir, run_workflow


@pytest.mark.slow
def test_tiny_dynamics_targets(tmp_path):
    wd = make_workdir(tmp_path / "wd")
    run_workflow(wd, targets=["figS4", "fig2"], cores=2)
    res = wd / "results" / "tiny"
    for stem in ("figS4", "fig2"):
        for ext in ("pdf", "png"):
            assert (res / "figures" / f"{stem}.{ext}").stat().st_size > 1000
    import pandas as pd

    pol = pd.read_parquet(res / "data" / "fig2_polarization.parquet")
    for col in ("alpha", "h_x", "L", "n", "L_R", "P", "P_err", "n_realizations"):
        assert col in pol.columns
    ext = pol[pol["L_R"].isna() & pol["main"]]
    assert sorted(ext["n"].unique()) == [1, 2, 3, 4, 5, 6]
    assert np.all(np.abs(pol["P"]) <= 1 + 1e-9)
    qu = pd.read_parquet(res / "data" / "figS4_quench.parquet")
    assert np.allclose(qu[qu["t"] == 0]["C_mean"], 1.0)
    mem = pd.read_parquet(res / "data" / "figS4_memory.parquet")
    assert set(mem["ensemble"]) == {"sfs", "random"}

    from kasglass.claims import evaluate

    card = evaluate({"fig2_polarization": pol})
    rows = card[card["claim"] == 12]
    assert set(rows["reading"]) == {"all readings", "sizeable", "decays", "slowly"}
    assert not rows["detail"].str.contains("evaluation failed").any()
