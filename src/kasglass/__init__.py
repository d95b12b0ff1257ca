"""kasglass: reproducible reconstruction of Rademaker & Abanin, PRL 125, 260405 (2020).

Model (all modules share these conventions)
-------------------------------------------
H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i with Pauli operators (eigenvalues +-1), hbar = 1,
energies in units of std(J) = 1. Sites i = 0..L-1 on a ring; K_ij = J_ij / d_ij**alpha with one
Gaussian J_ij ~ N(0, 1) per unordered pair and the periodic minimum-image distance
d_ij = min(|i-j|, L-|i-j|) (or |i-j| for open chains). Local field phi_i = sum_{j!=i} K_ij Z_j.
"""

__version__ = "0.3.0"
