"""Exact diagonalization of the KAS quantum spin glass.

H = sum_{i<j} K_ij Z_i Z_j + sum_i h_z[i] Z_i - h_x sum_i X_i with Pauli operators (eigenvalues
+-1), hbar = 1, energies in units of std(J) = 1; K symmetric with zero diagonal as returned by
:func:`kasglass.couplings.coupling_matrix` (periodic minimum-image distance by default).

Basis convention (Z basis): basis state s (0 <= s < 2**L) has bit i equal to 1 exactly when
Z_i = -1, i.e. ``Z_i(s) = 1 - 2 * ((s >> i) & 1)``.

Without a longitudinal field the spin-flip parity P = prod_i X_i commutes with H; the two sectors
P = +1 and P = -1 each have dimension 2**(L-1) (see :mod:`kasglass.ed.basis`).

Modules: :mod:`basis` (Z eigenvalues, parity-sector basis), :mod:`hamiltonian` (full and sector
matrices, dense and sparse), :mod:`spectra` (diagonalization, gap ratios, energy densities,
shift-invert), :mod:`observables` (eigenstate Edwards-Anderson order parameter), :mod:`sweep`
(per-realization pipeline and shard-invariant partial sums).
"""
