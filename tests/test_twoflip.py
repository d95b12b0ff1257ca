"""Two-spin-flip-stable relaxation: numba kernel against the numpy reference and brute force."""

import itertools

import numpy as np
import pytest

from kasglass import couplings as c
from kasglass import sfs
from kasglass import twoflip as tf
from kasglass.sampling import initial_state
from kasglass.seeds import derive_seed

COMBOS = list(itertools.product(sfs.ORDERS, tf.PAIR_ORDERS))
GEOMETRIES = list(itertools.product(c.DISTANCES, c.PAIR_SUMS))
NO_REC = np.empty(0, np.int64)


def energy(K, Z):
    return 0.5 * Z @ (K @ Z)


def realization(L, r, alpha=0.6, distance="periodic", pair_sum="unordered", base=21):
    """(M, wf, K, Z0): factored and dense couplings (bitwise equal) and a random start."""
    M = c.raw_coupling_matrix(derive_seed(base, "couplings", L, r), L)
    wf = c.offset_weights(L, alpha, distance, pair_sum)
    K = c.coupling_matrix(c.draw_J_pairs(base, L, r), L, alpha, distance, pair_sum)
    Z0 = initial_state(derive_seed(base, "initial_state", L, r), L)
    return M, wf, K, Z0


def sfs_state(K, Z0, seed=0):
    Z = Z0.copy()
    sfs.relax(K, Z, 0, seed, NO_REC)
    return Z


def hand_case():
    """Four spins, all up: SFS (f = -1, -1, -3, -3) but not 2FS. The ferromagnetic pairs (0, 1)
    and (2, 3) each lower E by 8 when flipped together; after either, the state is 2FS."""
    K = np.array(
        [[0.0, -3.0, 1.0, 1.0], [-3.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, -5.0], [1.0, 1.0, -5.0, 0.0]]
    )
    return K, np.ones(4)


@pytest.mark.parametrize("L", [8, 13, 40])
@pytest.mark.parametrize(("sfs_order", "pair_order"), COMBOS)
def test_kernel_matches_reference(sfs_order, pair_order, L):
    """Same final state and move counts as the reference, for every geometry and seed."""
    sc, pc = sfs.order_code(sfs_order), tf.pair_order_code(pair_order)
    total_pairs = 0
    for (distance, pair_sum), r in itertools.product(GEOMETRIES, range(3)):
        M, wf, K, Z0 = realization(L, r, 0.6 + 0.1 * r, distance, pair_sum)
        seed = 1000 + 7 * r
        Z = Z0.copy()
        phi, n1, n2 = tf.relax2_from(M, wf, Z, sfs.fields_w(M, wf, Z), sc, pc, seed)
        Zr, phir, n1r, n2r, E = tf.relax2_reference(K, Z0, sfs_order, pair_order, seed)
        np.testing.assert_array_equal(Z, Zr)
        assert (n1, n2) == (n1r, n2r)
        np.testing.assert_allclose(phi, phir, rtol=0, atol=1e-12)
        np.testing.assert_allclose(phi, K @ Z, rtol=0, atol=1e-12)
        assert len(E) == 1 + n1 + n2
        assert E[-1] == pytest.approx(energy(K, Z), abs=1e-12)
        # the dense-K entry point runs the same relaxation (K = M * wf bit for bit)
        Zd = Z0.copy()
        phid, n1d, n2d = tf.relax2(K, Zd, sc, pc, seed)
        np.testing.assert_array_equal(Zd, Z)
        np.testing.assert_array_equal(phid, phi)
        assert (n1d, n2d) == (n1, n2)
        total_pairs += n2
    if L == 40:  # greedy SFS states at L <= 13 are mostly 2FS already
        assert total_pairs > 0, "pair moves must be exercised"


@pytest.mark.parametrize(("sfs_order", "pair_order"), COMBOS)
def test_reference_energy_falls_and_final_state_is_2fs(sfs_order, pair_order):
    L = 30
    for r in range(4):
        _, _, K, Z0 = realization(L, r, base=5)
        Z, phi, n1, n2, E = tf.relax2_reference(K, Z0, sfs_order, pair_order, 3 + r)
        assert np.all(np.diff(E) < 0), "every move must strictly lower the energy"
        assert E[0] == pytest.approx(energy(K, Z0))
        assert tf.is_two_flip_stable(K, Z)
        assert np.all(Z * phi < 0), "a 2FS state is SFS"
        # from a 2FS state nothing moves, in the kernel and in the reference
        Zk = Z.copy()
        _, m1, m2 = tf.relax2(K, Zk, sfs.order_code(sfs_order), tf.pair_order_code(pair_order), 9)
        assert (m1, m2) == (0, 0)
        np.testing.assert_array_equal(Zk, Z)
        Zs, _, s1, s2, Es = tf.relax2_reference(K, Z, sfs_order, pair_order, 9)
        assert (s1, s2) == (0, 0) and len(Es) == 1
        np.testing.assert_array_equal(Zs, Z)


@pytest.mark.parametrize(("sfs_order", "pair_order"), COMBOS)
def test_hand_constructed_sfs_state_that_is_not_2fs(sfs_order, pair_order):
    K, Z0 = hand_case()
    f = Z0 * (K @ Z0)
    np.testing.assert_array_equal(f, [-1.0, -1.0, -3.0, -3.0])  # SFS
    assert not tf.is_two_flip_stable(K, Z0)
    Z = Z0.copy()
    phi, n1, n2 = tf.relax2(K, Z, sfs.order_code(sfs_order), tf.pair_order_code(pair_order), 1)
    assert (n1, n2) == (0, 1)
    assert tf.is_two_flip_stable(K, Z)
    assert energy(K, Z) == energy(K, Z0) - 8.0
    if pair_order != "random":  # sweep: first in row-major order; greedy: a tie, the first
        np.testing.assert_array_equal(Z, [-1.0, -1.0, 1.0, 1.0])
    Zr, _, n1r, n2r, E = tf.relax2_reference(K, Z0, sfs_order, pair_order, 1)
    np.testing.assert_array_equal(Zr, Z)
    assert (n1r, n2r) == (0, 1)
    np.testing.assert_array_equal(E, [energy(K, Z0), energy(K, Z0) - 8.0])


def test_random_pair_order_draws_from_the_stream():
    """Both lowering pairs of the hand case are reached, depending on the seed."""
    K, Z0 = hand_case()
    finals = set()
    for seed in range(20):
        Z = Z0.copy()
        tf.relax2(K, Z, 0, 0, seed)
        finals.add(tuple(Z))
    assert finals == {(-1.0, -1.0, 1.0, 1.0), (1.0, 1.0, -1.0, -1.0)}


@pytest.mark.parametrize("distance", c.DISTANCES)
def test_sfs_states_are_often_not_2fs_and_pairs_lower_the_energy(distance):
    L = 40
    n_not_2fs = 0
    for r in range(12):
        _, _, K, Z0 = realization(L, r, 0.6, distance, base=8)
        Zs = sfs_state(K, Z0, r)
        assert np.all(Zs * (K @ Zs) < 0)
        Z = Zs.copy()
        phi, n1, n2 = tf.relax2(K, Z, 0, 0, r)
        assert tf.is_two_flip_stable(K, Z)
        if tf.is_two_flip_stable(K, Zs):
            assert n2 == 0 and n1 == 0
            np.testing.assert_array_equal(Z, Zs)
        else:
            n_not_2fs += 1
            assert n2 > 0
            assert energy(K, Z) < energy(K, Zs)
        assert energy(K, Z) <= energy(K, Zs)
    assert n_not_2fs > 0


@pytest.mark.parametrize("t0_fraction", [0.0, 1.0 / 16.0, 0.5, 1e9])
def test_pruned_pair_scan_equals_full_scan(t0_fraction):
    """The bounds (row maxima, listed partners above t0, full rows below) change nothing: every
    scan mode gives the unpruned result, from t0 = 0 (all rows use the list) to t0 = inf (all
    rows in full)."""
    L = 300
    n_seen = 0
    for r in range(4):
        M, wf, K, Z0 = realization(L, r, 0.6 + 0.1 * r, c.DISTANCES[r % 2], base=3)
        Z = sfs_state(K, Z0, r)
        phi = sfs.fields_w(M, wf, Z)
        maxk, t0, rowptr, cols = tf._pair_bounds(M, wf, t0_fraction)
        i, j, d = tf._lowering_pairs(K, Z, phi)
        n_seen += len(i)
        buf = np.empty((1, 2), np.int64)
        n, buf = tf._pair_scan(M, wf, Z, phi, maxk, t0, rowptr, cols, 0, buf)
        np.testing.assert_array_equal(buf[:n], np.stack([i, j], axis=1).reshape(-1, 2))
        for mode, m in ((1, 0), (2, int(np.argmax(d)) if len(d) else 0)):
            n, buf = tf._pair_scan(M, wf, Z, phi, maxk, t0, rowptr, cols, mode, buf)
            assert n == min(len(i), 1)
            if n:
                assert tuple(buf[0]) == (i[m], j[m])
    assert n_seen > 0


def test_is_two_flip_stable_detects_each_kind_of_move():
    K, Z = hand_case()
    assert not tf.is_two_flip_stable(K, Z)  # pair move
    assert tf.is_two_flip_stable(K, np.array([-1.0, -1.0, 1.0, 1.0]))
    # two antiferromagnetic spins both up: each single flip lowers E, the pair flip does not
    K2 = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert not tf.is_two_flip_stable(K2, np.ones(2))
    assert tf.is_two_flip_stable(K2, np.array([1.0, -1.0]))


def test_bad_order_names():
    allowed = r"must be one of \['greedy', 'random', 'sweep'\]; got 'best'"
    with pytest.raises(ValueError, match="pair_order " + allowed):
        tf.pair_order_code("best")
    K, Z = hand_case()
    with pytest.raises(ValueError, match="pair_order " + allowed):
        tf.relax2_reference(K, Z, "random", "best", 0)
    with pytest.raises(ValueError, match="sfs_order " + allowed):
        tf.relax2_reference(K, Z, "best", "random", 0)
