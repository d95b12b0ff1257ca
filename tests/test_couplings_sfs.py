"""Couplings and SFS relaxation against exact sums and slow numpy references."""

import numpy as np
import pytest

from kasglass import couplings as c
from kasglass import sfs
from kasglass.rng import PySplitMix64, normals, splitmix64_next, uniform_index
from kasglass.sampling import initial_state
from kasglass.seeds import derive_seed, seed_table


def test_seeds_are_counter_based_and_recorded():
    a = derive_seed(7, "couplings", 100, 3)
    assert a == derive_seed(7, "couplings", 100, 3)
    assert a != derive_seed(7, "couplings", 100, 4)
    assert a != derive_seed(7, "initial_state", 100, 3)
    assert a != derive_seed(8, "couplings", 100, 3)
    t = seed_table(7, 100, 2, 5)
    assert list(t["realization"]) == [2, 3, 4]
    assert t["seed_couplings"].iloc[1] == a
    # the recorded seed regenerates the couplings alone
    np.testing.assert_array_equal(c.draw_J(a, 100), c.draw_J_pairs(7, 100, 3))
    np.testing.assert_array_equal(c.draw_J(a, 100), normals(a, c.n_pairs(100)))


def test_splitmix_numba_equals_python():
    py = PySplitMix64(12345)
    st = np.uint64(12345)
    for n in (1, 2, 7, 1000, 3):
        st, k = uniform_index(st, n)
        assert k == py.index(n)
    st, z = splitmix64_next(np.uint64(0))
    assert int(z) == PySplitMix64(0).next() == 0xE220A8397B1DCDAF


@pytest.mark.parametrize("distance", ["periodic", "open"])
@pytest.mark.parametrize("pair_sum", ["unordered", "ordered"])
def test_coupling_matrix_matches_reference(distance, pair_sum):
    L = 13
    J = c.draw_J_pairs(1, L, 0)
    K = c.coupling_matrix(J, L, 0.7, distance, pair_sum)
    np.testing.assert_allclose(K, c.coupling_matrix_reference(J, L, 0.7, distance, pair_sum))
    assert np.allclose(K, K.T) and np.all(np.diag(K) == 0)
    # pair (i, j) of the flat vector sits at index i*L - i(i+1)/2 + j - i - 1
    i, j = 3, 9
    s = 2.0 if pair_sum == "ordered" else 1.0
    d = min(j - i, L - (j - i)) if distance == "periodic" else j - i
    assert K[i, j] == pytest.approx(s * J[i * L - i * (i + 1) // 2 + j - i - 1] / d**0.7)


def test_sigma_L_exact_sum_and_limit():
    L = 10
    d = np.array([min(k, L - k) for k in range(1, L)], float)
    assert c.sigma_L(L, 0.7) ** 2 == pytest.approx(np.sum(d**-1.4))
    assert c.sigma_L(20001, 0.8) == pytest.approx(c.sigma_inf(0.8), rel=2e-3)
    assert c.sigma_L(L, 0.7, pair_sum="ordered") == pytest.approx(2 * c.sigma_L(L, 0.7))


def test_alpha_range_error():
    with pytest.raises(ValueError, match=r"alpha must be in \(0.5, 1\]; got 0.4"):
        c.check_alpha(0.4)


def test_random_state_field_variance_equals_sigma_L():
    """Var(phi_i) over disorder and random states equals the exact finite-L sigma_L^2."""
    L, n = 24, 3000
    sig2 = c.sigma_L(L, 0.75) ** 2
    phis = []
    for r in range(n):
        K = c.coupling_matrix(c.draw_J_pairs(5, L, r), L, 0.75)
        phis.append(K @ initial_state(derive_seed(5, "initial_state", L, r), L))
    phis = np.array(phis)
    # realizations are independent: the per-realization mean of phi^2 has a clean standard error
    per = (phis**2).mean(axis=1) / sig2
    assert abs(per.mean() - 1) < 4 * per.std(ddof=1) / np.sqrt(n)
    # uncorrelated neighbours
    cnn = (phis * np.roll(phis, -1, axis=1)).mean(axis=1) / sig2
    assert abs(cnn.mean()) < 4 * cnn.std(ddof=1) / np.sqrt(n)


@pytest.mark.parametrize("order", ["random", "sweep", "greedy"])
@pytest.mark.parametrize("L", [8, 40, 150])
def test_relax_matches_slow_reference(order, L):
    for r in range(3):
        K = c.coupling_matrix(c.draw_J_pairs(11, L, r), L, 0.6)
        Z0 = initial_state(derive_seed(11, "initial_state", L, r), L)
        Z = Z0.copy()
        rec = np.empty(10 * L, np.int64)
        phi, n = sfs.relax(K, Z, sfs.order_code(order), 99 + r, rec)
        Zr, phir, nr, E = sfs.relax_reference(K, Z0, order, 99 + r)
        np.testing.assert_array_equal(Z, Zr)
        np.testing.assert_allclose(phi, phir, rtol=0, atol=1e-12)
        assert n == nr
        assert np.all(Z * phi < 0), "final state must be SFS"
        assert np.all(np.diff(E) < 0), "every flip must lower the energy"
        # replaying the recorded flips from Z0 reproduces the final state, energy strictly falling
        Zp = Z0.copy()
        e_prev = 0.5 * Zp @ K @ Zp
        for k in rec[:n]:
            Zp[k] = -Zp[k]
            e = 0.5 * Zp @ K @ Zp
            assert e < e_prev
            e_prev = e
        np.testing.assert_array_equal(Zp, Z)


def test_orders_differ_but_all_reach_sfs():
    L = 200
    K = c.coupling_matrix(c.draw_J_pairs(3, L, 0), L, 0.7)
    Z0 = initial_state(derive_seed(3, "initial_state", L, 0), L)
    finals = {}
    for order in sfs.ORDERS:
        Z = Z0.copy()
        phi, _ = sfs.relax(K, Z, sfs.order_code(order), 1, np.empty(0, np.int64))
        assert np.all(Z * phi < 0)
        finals[order] = Z
    assert not np.array_equal(finals["random"], finals["greedy"])


def test_unknown_order():
    with pytest.raises(ValueError, match="sfs_order must be one of"):
        sfs.order_code("fastest")


def test_pack_roundtrip():
    Z = np.where(np.random.default_rng(0).random(37) < 0.5, -1.0, 1.0)
    np.testing.assert_array_equal(sfs.unpack_spins(sfs.pack_spins(Z), 37), Z)


@pytest.mark.parametrize("L", [9, 1030])
@pytest.mark.parametrize("distance", ["periodic", "open"])
def test_raw_matrix_and_offset_weights_reproduce_K_bitwise(L, distance):
    """K_ij = J_ij * wf[j - i + L - 1] from the in-place matrix draw equals coupling_matrix
    exactly."""
    seed = derive_seed(4, "couplings", L, 2)
    Jm = c.raw_coupling_matrix(seed, L)
    K = c.coupling_matrix(c.draw_J_pairs(4, L, 2), L, 0.65, distance)
    wf = c.offset_weights(L, 0.65, distance)
    i, j = np.indices((L, L))
    assert np.array_equal(Jm * wf[j - i + L - 1], K)
    Z = initial_state(7, L)
    np.testing.assert_allclose(sfs.fields_w(Jm, wf, Z), K @ Z, rtol=0, atol=1e-11)


@pytest.mark.parametrize("order", ["random", "sweep", "greedy"])
def test_relax_w_equals_relax_on_K(order):
    L = 120
    for r in range(3):
        Jm = c.raw_coupling_matrix(derive_seed(6, "couplings", L, r), L)
        wf = c.offset_weights(L, 0.9)
        K = c.coupling_matrix(c.draw_J_pairs(6, L, r), L, 0.9)
        Z0 = initial_state(derive_seed(6, "initial_state", L, r), L)
        Za, Zb = Z0.copy(), Z0.copy()
        pa, na = sfs.relax_w(Jm, wf, Za, sfs.order_code(order), 5, np.empty(0, np.int64))
        pb, nb = sfs.relax(K, Zb, sfs.order_code(order), 5, np.empty(0, np.int64))
        np.testing.assert_array_equal(Za, Zb)
        assert na == nb
        np.testing.assert_allclose(pa, K @ Za, atol=1e-12)


def test_read_columns_does_not_import_pandas(tmp_path):
    """Simulation jobs read their manifest without loading pandas (memory per job)."""
    import subprocess
    import sys

    from kasglass.io import write_table

    write_table(seed_table(1, 10, 0, 4), tmp_path / "s.parquet")
    code = (
        "import sys; from kasglass.io import read_columns; "
        f"d = read_columns(r'{tmp_path / 's.parquet'}', ['realization', 'seed_couplings']); "
        "assert list(d['realization']) == [0, 1, 2, 3]; print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
