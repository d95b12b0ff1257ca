"""Quantum numerics shared by the dynamics stages: dense eigendecompositions (with the parity
sectors of :mod:`kasglass.ed`), diagonal-ensemble averages with numerical degeneracies, exact time
evolution, and matrix-free Chebyshev time averaging.

Pauli operators (eigenvalues +-1), hbar = 1, energies in units of std(J) = 1. Basis state s of an
l-spin system has Z_i = 1 - 2 * ((s >> i) & 1) (bit set = spin down), as in :mod:`kasglass.ed`.

Modules: :mod:`linalg` (Z basis, eigh, full-basis eigenpairs from the parity sectors),
:mod:`averages` (infinite-time averages, time evolution), :mod:`chebyshev` (matrix-free route).
Physics built on them: :mod:`kasglass.cluster` (Fig. 2 right) and :mod:`kasglass.quench`
(Fig. S4).
"""

from .averages import (
    degenerate_groups,
    diagonal_ensemble_z,
    infinite_time_probabilities,
    log_time_grid,
    z_expectations,
)
from .chebyshev import chebyshev_time_average_z, classical_diagonal
from .linalg import basis_index, eigh, parity_eigh, z_table

__all__ = [
    "basis_index",
    "chebyshev_time_average_z",
    "classical_diagonal",
    "degenerate_groups",
    "diagonal_ensemble_z",
    "eigh",
    "infinite_time_probabilities",
    "log_time_grid",
    "parity_eigh",
    "z_expectations",
    "z_table",
]
