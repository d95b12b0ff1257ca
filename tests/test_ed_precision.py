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


def test_resolved_tol():
    from kasglass.ed.spectra import FLOAT32_LEVEL_RESOLUTION, resolved_tol

    E = np.array([-4.0, 0.5, 2.0])
    assert resolved_tol(E, 1e-10, "float64") == 1e-10
    assert resolved_tol(E, 1e-10, "float32") == FLOAT32_LEVEL_RESOLUTION * 4.0
    assert resolved_tol(E, 0.1, "float32") == 0.1  # a coarser tolerance is kept
    with pytest.raises(ValueError, match="precision must be one of"):
        resolved_tol(E, 1e-10, "half")


def test_float32_groups_levels_below_its_resolution():
    """Two levels split by 1e-9 (far below float32's resolution): float32 cannot tell their
    eigenvectors apart, so its diagonal ensemble is that of the pair's span, which is what
    float64 gives at the same (resolved) tolerance, and not what float64 gives at 1e-10."""
    from kasglass import quantum as qn
    from kasglass.ed.spectra import resolved_tol

    rng = np.random.default_rng(4)
    n, l = 16, 4
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    E0 = np.sort(rng.uniform(-2, 2, n))
    E0[6] = E0[5] + 1e-9
    H = (Q * E0) @ Q.T
    E64, V64 = qn.eigh(H.copy())
    E32, V32 = qn.eigh(H.copy(), "float32")
    tol = resolved_tol(E32, 1e-10, "float32")
    assert 1e-9 < tol < np.diff(E0)[np.arange(n - 1) != 5].min()
    z32 = qn.diagonal_ensemble_z(E32, V32, [3], l, tol)
    z64 = qn.diagonal_ensemble_z(E64, V64, [3], l, tol)
    z64_fine = qn.diagonal_ensemble_z(E64, V64, [3], l, 1e-10)
    assert np.abs(z32 - z64).max() < 1e-4
    assert np.abs(z64_fine - z64).max() > 1e-3  # the grouping matters here


def _sfs_state(L, seed):
    from kasglass.couplings import coupling_matrix, draw_J_pairs
    from kasglass.sfs import relax

    K = coupling_matrix(draw_J_pairs(seed, L, 0), L, 0.7)
    Z = np.random.default_rng(seed).choice([-1.0, 1.0], L)
    relax(K, Z, 0, 3, np.empty(0, dtype=np.int64))
    return K, Z


def test_float32_polarization_and_entanglement_match_float64():
    """P(n, L_R) and the cluster entanglement of SFS states, float32 against float64: per state
    at the 1e-3 level (far below the spread between states that the disorder averages carry)."""
    from kasglass import cluster

    devs = []
    for seed in range(6):
        K, Z = _sfs_state(120, seed)
        P64, i64, _ = cluster.remnant_polarization(K, Z, 0.1, [6, 8, 10], 6)
        P32, i32, _ = cluster.remnant_polarization(K, Z, 0.1, [6, 8, 10], 6, precision="float32")
        assert np.array_equal(i64, i32)
        devs.append(np.abs(P64 - P32).max())
        phi = K @ Z
        e64 = cluster.cluster_entanglement(K, Z, phi, 0.1, 8, 6, "resonant", 120)
        e32 = cluster.cluster_entanglement(
            K, Z, phi, 0.1, 8, 6, "resonant", 120, precision="float32"
        )
        assert abs(e64["s_half"] - e32["s_half"]) < 1e-3
        assert np.abs(e64["mi"] - e32["mi"]).max() < 1e-3
    assert max(devs) < 1e-3, devs


def test_float32_eigenvalues_are_refined_to_float64_accuracy():
    """Rayleigh quotients of the float32 eigenvectors in float64: eigenvalue errors far below
    single precision (1e-6 ||H|| before refinement)."""
    K, _ = ed_couplings(2, 10, 0, Model(0.7))
    H = sector_hamiltonian(K, 0.3, 1)
    E64, _ = eigh_sector(H.copy())
    E32, _ = eigh_sector(H.copy(), precision="float32")
    E32_raw = np.linalg.eigvalsh(H.astype(np.float32)).astype(np.float64)
    norm = np.abs(E64).max()
    assert np.median(np.abs(E32 - E64)) < 1e-10 * norm
    assert np.abs(E32 - E64).max() < 1e-8 * norm
    assert np.abs(E32_raw - E64).max() > 1e-8 * norm  # what the refinement removes
    assert np.all(np.diff(E32) >= 0)


@pytest.mark.parametrize("L, r", [(8, 0), (10, 2)])
def test_float32_quench_matches_float64(L, r):
    """C(t) up to t = 10^4 (refined eigenvalues keep the phases) and the infinite-time values
    at the resolved tolerance (the float64 result at that tolerance)."""
    from kasglass import quench
    from kasglass.ed.spectra import resolved_tol
    from kasglass.quantum import log_time_grid, parity_eigh

    K = quench.quench_couplings(3, L, r, Model(0.7))
    Zs, Zr = quench.quench_initial_states(3, L, r, K, 2)
    Z0 = np.concatenate([Zs, Zr])
    times = log_time_grid(0.1, 1e4, 21)
    tol = resolved_tol(parity_eigh(K, 0.2)[0], 1e-4, "float32")
    C64, q64, e64 = quench.quench_realization(K, 0.2, Z0, times, tol)
    C32, q32, e32 = quench.quench_realization(K, 0.2, Z0, times, 1e-4, "float32")
    assert np.abs(C64 - C32).max() < 1e-4
    assert np.abs(q64 - q32).max() < 1e-3
    assert np.abs(e64 - e32).max() < 1e-8


def test_float32_near_degenerate_eigenvectors_are_re_resolved():
    """At small h_x many levels lie closer than the float32 resolution, and ssyevd mixes their
    eigenvectors (m_EA of single levels off by 0.1 here); the Rayleigh-Ritz step within each
    near-degenerate run restores the float64 eigenstates."""
    import scipy.linalg as sl

    from kasglass.ed.basis import pair_products, z_eigenvalues
    from kasglass.ed.observables import m_ea
    from kasglass.ed.spectra import rayleigh_refine

    L = 11
    K, _ = ed_couplings(20201221, L, 2, Model(0.7))
    H = sector_hamiltonian(K, 0.02, 1)
    Zp = pair_products(z_eigenvalues(L)[: 2 ** (L - 1)])
    E64, V64 = eigh_sector(H.copy())
    m64 = m_ea(V64, Zp, L)[0]
    _, V32 = sl.eigh(H.astype(np.float32), driver="evd")
    V32 = V32.astype(np.float64)
    _, V_plain = rayleigh_refine(H, V32.copy(), group_gap=0.0)
    E_ritz, V_ritz = rayleigh_refine(H, V32.copy())
    assert np.abs(m_ea(V_plain, Zp, L)[0] - m64).max() > 0.05  # the mixing it removes
    assert np.abs(m_ea(V_ritz, Zp, L)[0] - m64).max() < 1e-3
    assert np.abs(E_ritz - E64).max() < 1e-8 * np.abs(E64).max()
    # the refined vectors stay orthonormal eigenvectors
    assert np.abs(V_ritz.T @ V_ritz - np.eye(len(E64))).max() < 1e-5
    assert np.linalg.norm(H @ V_ritz - V_ritz * E_ritz, axis=0).max() < 1e-4 * np.abs(E64).max()


def test_ritz_runs_are_split_when_long():
    from kasglass.ed.spectra import _runs

    E = np.r_[np.linspace(0.0, 1e-6, 300), 1.0, 1.0 + 1e-9, 5.0]
    runs = _runs(E, 1e-5, 128)
    assert all(2 <= b - a <= 128 for a, b in runs)
    assert (300, 302) in runs  # the pair at 1.0; the isolated 5.0 is no run
    covered = sorted(i for a, b in runs for i in range(a, b))
    assert covered == list(range(302))  # a long run is split, never thinned
