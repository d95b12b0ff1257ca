"""Single-precision dense diagonalization (knob ed.precision) against float64 on the same
realizations: every per-bin disorder average of the ED sweep differs by far less than its
statistical error."""

import numpy as np
import pytest

from kasglass.ed.hamiltonian import sector_hamiltonian
from kasglass.ed.spectra import eigh_sector
from kasglass.ed.sweep import ed_couplings, figure_table, run_shard
from kasglass.model import Model


def test_float32_spectrum_is_within_single_precision():
    K, _ = ed_couplings(2, 10, 0, Model(0.7))
    H = sector_hamiltonian(K, 0.3, 1)
    norm = np.abs(np.linalg.eigvalsh(H)).max()
    E64, V64 = eigh_sector(H.copy())
    E32, V32 = eigh_sector(H.copy(), precision="float32")
    assert E32.dtype == V32.dtype == np.float64
    assert np.abs(E32 - E64).max() < 1e-5 * norm
    # eigenvectors: residuals at single precision
    res = np.linalg.norm(H @ V32 - V32 * E32, axis=0)
    assert res.max() < 1e-4 * norm
    with pytest.raises(ValueError, match="precision must be one of"):
        eigh_sector(H.copy(), precision="float16")


@pytest.mark.parametrize("L, h_x", [(8, 0.1), (10, 0.5)])
def test_float32_sweep_matches_float64_far_within_errors(L, h_x):
    n = 12
    tables = {}
    for prec in ("float64", "float32"):
        parts = run_shard(5, L, Model(0.7), h_x, range(n), 10, [0.5], 12, 0.125, "full", 16, prec)
        tables[prec] = figure_table(parts, "fig3", {L: n}, [h_x], 5)
    a, b = tables["float64"], tables["float32"]
    for col, err in (("r_mean", "r_err"), ("m_ea", "m_ea_err"), ("s_half", "s_half_err")):
        ok = a[err] > 0
        dev = np.abs(a.loc[ok, col] - b.loc[ok, col]) / a.loc[ok, err]
        assert dev.max() < 0.1, (col, float(dev.max()))
    assert (a["n_levels"] == b["n_levels"]).all() and (a["n_states"] == b["n_states"]).all()
