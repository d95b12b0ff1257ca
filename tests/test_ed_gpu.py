"""The GPU path of the dense diagonalizations (knob ed.device, kasglass.ed.gpu).

Everywhere: the GPU code path runs with NumPy standing in for CuPy and reproduces the CPU path
(eigenpairs, the float32 refinement, the sweep's partial sums); a GPU job without CuPy stops with an
error naming the knob; the knob reaches the jobs and the tables. Where CuPy and a CUDA device are
present (never in CI): the real GPU against the CPU on the same realizations.
"""

import sys

import numpy as np
import pytest

from kasglass.ed import gpu
from kasglass.ed.hamiltonian import sector_hamiltonian
from kasglass.ed.spectra import eigh_sector
from kasglass.ed.sweep import SUM_COLUMNS, ed_couplings, figure_table, run_shard
from kasglass.model import Model

HAS_GPU = gpu.available()
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason="needs CuPy and a CUDA device")


def _sector(L=10, h_x=0.3, p=1, seed=2):
    K, _ = ed_couplings(seed, L, 0, Model(0.7))
    return sector_hamiltonian(K, h_x, p)


def _same_states(V, W, tol):
    """Eigenvector columns equal up to sign (non-degenerate spectra)."""
    s = np.sign(np.einsum("ij,ij->j", V, W))
    return np.abs(V - W * s).max() < tol


@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_gpu_code_path_with_numpy_matches_cpu(precision):
    H = _sector()
    norm = np.abs(np.linalg.eigvalsh(H)).max()
    E_cpu, V_cpu = eigh_sector(H.copy(), precision=precision)
    E_gpu, V_gpu = gpu.eigh_gpu(H.copy(), precision=precision, xp=np)
    assert E_gpu.dtype == V_gpu.dtype == np.float64
    assert np.all(np.diff(E_gpu) >= 0)
    # float64: the same LAPACK problem; float32: both refined in float64 (Rayleigh quotients
    # are second order in the single-precision eigenvector errors)
    assert np.abs(E_gpu - E_cpu).max() < (1e-12 if precision == "float64" else 1e-9) * norm
    res = np.linalg.norm(H @ V_gpu - V_gpu * E_gpu, axis=0)
    assert res.max() < (1e-12 if precision == "float64" else 1e-4) * norm
    assert np.abs(V_gpu.T @ V_gpu - np.eye(len(E_gpu))).max() < 1e-5
    if precision == "float64":
        assert _same_states(V_gpu, V_cpu, 1e-8)
    E_only, none = gpu.eigh_gpu(H.copy(), vectors=False, precision=precision, xp=np)
    assert none is None and np.abs(E_only - E_cpu).max() < 1e-5 * norm


def test_gpu_float32_refinement_resolves_near_degenerate_pairs(monkeypatch):
    """A pair of levels 1e-9 apart (far below float32's resolution): single precision returns an
    arbitrary mixture of the two eigenvectors, and the GPU path's float64 Rayleigh-Ritz step
    re-resolves them, as the CPU path's does; without that step the mixture stays."""
    from kasglass.ed import spectra

    rng = np.random.default_rng(7)
    n = 200
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = np.sort(rng.uniform(-1, 1, n))
    lam[101] = lam[100] + 1e-9
    H = (Q * lam) @ Q.T
    H = 0.5 * (H + H.T)
    _, V64 = np.linalg.eigh(H)

    def miss(V):  # 1 - |overlap| with the float64 eigenvector, worst of the pair
        return float((1 - np.abs(np.einsum("ij,ij->j", V, V64)))[[100, 101]].max())

    _, V32 = gpu.eigh_gpu(H.copy(), precision="float32", xp=np)
    assert miss(V32) < 1e-8
    ritz = spectra.ritz_runs
    monkeypatch.setattr(spectra, "ritz_runs", lambda E, V, HV: ritz(E, V, HV, 0.0))
    _, V0 = gpu.eigh_gpu(H.copy(), precision="float32", xp=np)
    assert miss(V0) > 1e-3  # the step is what resolves them


def test_gpu_failure_is_not_silent(monkeypatch):
    """A solver that returns NaN (cuSOLVER reports failures in a flag CuPy ignores by default)
    stops the job instead of filling the tables with NaN."""

    class Broken:
        float32, float64 = np.float32, np.float64
        asarray, sum, isfinite, all = staticmethod(np.asarray), np.sum, np.isfinite, np.all

        class linalg:
            @staticmethod
            def eigh(a):
                return np.full(len(a), np.nan), np.eye(len(a))

            @staticmethod
            def eigvalsh(a):
                return np.full(len(a), np.nan)

    for vectors in (True, False):
        with pytest.raises(RuntimeError, match="not finite"):
            gpu.eigh_gpu(_sector(L=6), vectors=vectors, xp=Broken)


def test_sweep_on_gpu_code_path_matches_cpu(monkeypatch):
    """run_shard with device="gpu" (NumPy standing in for CuPy): the partial sums of every
    observable equal the CPU run's to rounding, float64; within far less than the statistical
    errors, float32."""
    monkeypatch.setattr(gpu, "cupy_module", lambda: np)
    L, h_x, n = 8, 0.3, 6
    args = (3, L, Model(0.7), h_x, range(n), 10, [0.1, 0.5], 12, 0.125, "full", 16)
    cpu = run_shard(*args, "float64")
    dev = run_shard(*args, "float64", device="gpu")
    a, b = cpu[SUM_COLUMNS].to_numpy(), dev[SUM_COLUMNS].to_numpy()
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)
    assert (cpu["realization"] == dev["realization"]).all()
    t64 = figure_table(cpu, "fig3", {L: n}, [h_x], 3)
    t32 = figure_table(run_shard(*args, "float32", device="gpu"), "fig3", {L: n}, [h_x], 3)
    ok = t64["m_ea_err"] > 0
    for col, err in (("r_mean", "r_err"), ("m_ea", "m_ea_err"), ("s_half", "s_half_err")):
        assert (np.abs(t64.loc[ok, col] - t32.loc[ok, col]) / t64.loc[ok, err]).max() < 0.05


def test_gpu_without_cupy_names_the_knob(monkeypatch):
    gpu.cupy_module.cache_clear()
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy -> ImportError
    try:
        assert not gpu.available()
        with pytest.raises(gpu.GPUUnavailable, match="ed.device"):
            eigh_sector(_sector(L=6), device="gpu")
    finally:
        gpu.cupy_module.cache_clear()
    with pytest.raises(ValueError, match="device must be one of"):
        eigh_sector(_sector(L=6), device="tpu")


def test_device_knob_reaches_jobs_and_costs():
    from kasglass.config import ConfigError, load_config
    from kasglass.stages import build_plan

    cfg = load_config("presets/tiny.yaml", overrides={"ed": {"device": "gpu"}})
    plan = build_plan(cfg)
    jobs = [plan.job("ed", lab) for lab in plan.labels("ed")]
    assert jobs and all(j.params["device"] == "gpu" for j in jobs)
    cpu_plan = build_plan(load_config("presets/tiny.yaml"))
    full = [j for j in jobs if j.params["method"] == "full"]
    cpu_full = {lab: cpu_plan.job("ed", lab) for lab in cpu_plan.labels("ed")}
    assert all(j.seconds < cpu_full[j.label].seconds for j in full)
    assert plan.job("ed_fig3").provenance != cpu_plan.job("ed_fig3").provenance
    with pytest.raises(ConfigError, match="ed.device"):
        load_config("presets/tiny.yaml", overrides={"ed": {"device": "tpu"}})


# --- a real GPU (CuPy and a CUDA device) ---------------------------------------------------------


@needs_gpu
@pytest.mark.parametrize("L", [8, 10])
def test_real_gpu_eigenpairs_match_cpu(L):
    H = _sector(L=L, h_x=0.3)
    norm = np.abs(np.linalg.eigvalsh(H)).max()
    E_cpu, V_cpu = eigh_sector(H.copy())
    E_gpu, V_gpu = eigh_sector(H.copy(), device="gpu")
    assert np.abs(E_gpu - E_cpu).max() < 1e-11 * norm
    assert np.linalg.norm(H @ V_gpu - V_gpu * E_gpu, axis=0).max() < 1e-11 * norm
    assert _same_states(V_gpu, V_cpu, 1e-7)
    E32, V32 = eigh_sector(H.copy(), precision="float32", device="gpu")
    assert np.abs(E32 - E_cpu).max() < 1e-8 * norm


@needs_gpu
@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_real_gpu_sweep_matches_cpu(precision):
    L, h_x, n = 10, 0.1, 8
    args = (4, L, Model(0.7), h_x, range(n), 10, [0.5], 12, 0.125, "full", 16)
    t_cpu = figure_table(run_shard(*args, "float64"), "fig3", {L: n}, [h_x], 4)
    t_gpu = figure_table(run_shard(*args, precision, device="gpu"), "fig3", {L: n}, [h_x], 4)
    ok = t_cpu["m_ea_err"] > 0
    tol = 1e-6 if precision == "float64" else 0.05
    for col, err in (("r_mean", "r_err"), ("m_ea", "m_ea_err"), ("s_half", "s_half_err")):
        dev = np.abs(t_cpu.loc[ok, col] - t_gpu.loc[ok, col]) / t_cpu.loc[ok, err]
        assert dev.max() < tol, (col, float(dev.max()))
    assert (t_cpu["n_states"] == t_gpu["n_states"]).all()


def test_paper_fig3_preset_plans_the_published_shards():
    """docs/paper_fig3.md kept the first 570 realizations of a run planned for 2000: the preset
    must plan exactly those shards (same labels and parameters), which holds while the shard size
    (set by the cost model's GPU factor) divides 570. A change of the cost constants that moves
    the shard boundaries fails here instead of silently orphaning the published run."""
    from kasglass.config import load_config
    from kasglass.stages import build_plan

    kept = build_plan(load_config("presets/paper_fig3.yaml"))
    n = kept.cfg["ed"]["fig3"]["n_realizations"]
    full = build_plan(
        load_config("presets/paper_fig3.yaml", overrides={"ed": {"fig3": {"n_realizations": 2000}}})
    )
    L12 = [kept.job("ed", lab) for lab in kept.labels("ed") if lab.startswith("L12/")]
    assert {j.params["hi"] - j.params["lo"] for j in L12} == {15}
    assert max(j.params["hi"] for j in L12) == n == 570
    for j in L12:
        assert full.job("ed", j.label).params == j.params
    assert all(j.params["device"] == "gpu" and j.params["precision"] == "float64" for j in L12)


def test_cluster_and_quench_on_gpu_code_path_match_cpu(monkeypatch):
    """dynamics.polarization.device and dynamics.quench.device: the cluster model (remnant
    polarization, cluster entanglement) and the whole-chain quench through the GPU code path
    (NumPy standing in for CuPy) equal the CPU path to rounding in float64 and within the
    single-precision validation's tolerances in float32."""
    from kasglass import cluster, quench
    from kasglass.couplings import coupling_matrix, draw_J_pairs

    monkeypatch.setattr(gpu, "cupy_module", lambda: np)
    L = 40
    K = coupling_matrix(draw_J_pairs(3, L, 0), L, 0.7)
    Z = np.where(np.random.default_rng(1).random(L) < 0.5, -1.0, 1.0)
    for prec, tol in (("float64", 1e-10), ("float32", 1e-3)):
        P_cpu = cluster.remnant_polarization(K, Z, 0.1, [6, 8], 6, precision=prec)[0]
        P_gpu = cluster.remnant_polarization(K, Z, 0.1, [6, 8], 6, precision=prec, device="gpu")[0]
        np.testing.assert_allclose(P_gpu, P_cpu, atol=tol)
        phi = K @ Z
        e_cpu = cluster.cluster_entanglement(K, Z, phi, 0.1, 8, 4, "resonant", L, precision=prec)
        e_gpu = cluster.cluster_entanglement(
            K, Z, phi, 0.1, 8, 4, "resonant", L, precision=prec, device="gpu"
        )
        assert abs(e_gpu["s_half"] - e_cpu["s_half"]) < tol
        np.testing.assert_allclose(e_gpu["mi"], e_cpu["mi"], atol=tol)
    Kq = coupling_matrix(draw_J_pairs(5, 8, 0), 8, 0.7)
    Z0 = np.where(np.random.default_rng(2).random((3, 8)) < 0.5, -1.0, 1.0)
    times = np.array([0.0, 1.0, 10.0, 100.0])
    for prec, tol in (("float64", 1e-10), ("float32", 1e-3)):
        C_cpu, q_cpu, _ = quench.quench_realization(Kq, 0.3, Z0, times, precision=prec)
        C_gpu, q_gpu, _ = quench.quench_realization(
            Kq, 0.3, Z0, times, precision=prec, device="gpu"
        )
        np.testing.assert_allclose(C_gpu, C_cpu, atol=tol)
        np.testing.assert_allclose(q_gpu, q_cpu, atol=tol)


def test_dynamics_device_knobs_reach_jobs():
    from kasglass.config import load_config
    from kasglass.stages import build_plan

    over = {"dynamics": {"polarization": {"device": "gpu"}, "quench": {"device": "gpu"}}}
    plan = build_plan(load_config("presets/tiny.yaml", overrides=over))
    for rule in ("polarization", "quench"):
        jobs = [plan.job(rule, lab) for lab in plan.labels(rule)]
        assert jobs and all(j.params["device"] == "gpu" for j in jobs)
