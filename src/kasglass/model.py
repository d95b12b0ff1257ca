"""The model as a value: interaction exponent, distance convention and pair-sum convention.

H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i with Pauli operators (eigenvalues +-1), hbar = 1,
energies in units of std(J) = 1, K_ij = s J_ij / d_ij**alpha with one Gaussian J_ij ~ N(0, 1) per
unordered pair (see :mod:`kasglass.couplings`):

- ``distance="periodic"``: ring, minimum-image distance d_ij = min(|i-j|, L-|i-j|) (default);
  ``distance="open"``: d_ij = |i-j|;
- ``pair_sum="unordered"``: s = 1, the ZZ part sums over i < j (the paper's convention, default);
  ``pair_sum="ordered"``: s = 2, the sum over i != j (the paper does not state its energy unit
  for h_x; this is the knob for that ambiguity).

Every stage receives a :class:`Model` (or a list of them, one per alpha, sharing distance and
pair sum) instead of three loose keyword arguments.

Ensembles
---------
:data:`ENSEMBLES` lists the two product-state ensembles every stage works with, in the order used
for tables and kernel arrays: ``random`` (infinite temperature: each Z_i = +-1 with probability
1/2) and ``sfs`` (that state relaxed to single-spin-flip stability, :mod:`kasglass.sfs`).
:data:`SEED_CODES` are the integers by which an ensemble enters a seed's spawn key (the avalanche
stream, :func:`kasglass.avalanche.avalanche_seed`); they are frozen: changing one changes results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

DISTANCES = ("periodic", "open")
PAIR_SUMS = ("unordered", "ordered")

#: The product-state ensembles, in table and kernel order (index = position).
ENSEMBLES = ("random", "sfs")
#: Frozen spawn-key codes of the ensembles (append only).
SEED_CODES = {"sfs": 0, "random": 1}


def check_ensemble(ensemble: str) -> str:
    """Validate an ensemble name (one of :data:`ENSEMBLES`)."""
    if ensemble not in ENSEMBLES:
        raise ValueError(f"ensemble must be one of {list(ENSEMBLES)}; got {ensemble!r}")
    return ensemble


@dataclass(frozen=True)
class Model:
    """KAS chain couplings K_ij = s J_ij / d_ij**alpha (module docstring).

    Parameters
    ----------
    alpha : float
        Interaction exponent in (0.5, 1].
    distance : {"periodic", "open"}
    pair_sum : {"unordered", "ordered"}
    """

    alpha: float
    distance: str = "periodic"
    pair_sum: str = "unordered"

    def __post_init__(self):
        a = float(self.alpha)
        if not (0.5 < a <= 1.0):
            raise ValueError(f"alpha must be in (0.5, 1]; got {self.alpha}")
        if self.distance not in DISTANCES:
            raise ValueError(f"distance must be one of {list(DISTANCES)}; got {self.distance!r}")
        if self.pair_sum not in PAIR_SUMS:
            raise ValueError(f"pair_sum must be one of {list(PAIR_SUMS)}; got {self.pair_sum!r}")
        object.__setattr__(self, "alpha", a)

    @property
    def periodic(self) -> bool:
        return self.distance == "periodic"

    def with_alpha(self, alpha: float) -> Model:
        """The same conventions at another alpha."""
        return replace(self, alpha=float(alpha))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Model:
        return cls(float(d["alpha"]), str(d["distance"]), str(d["pair_sum"]))

    def distance_weights(self, L: int) -> np.ndarray:
        """w[d] = s d**(-alpha), d = 0..L-1, w[0] = 0
        (:func:`kasglass.couplings.distance_weights`)."""
        from .couplings import distance_weights

        return distance_weights(L, self.alpha, self.distance, self.pair_sum)

    def offset_weights(self, L: int) -> np.ndarray:
        """Weights by signed offset, K_ij = J_ij wf[j - i + L - 1]
        (:func:`kasglass.couplings.offset_weights`)."""
        from .couplings import offset_weights

        return offset_weights(L, self.alpha, self.distance, self.pair_sum)

    def coupling_matrix(self, J: np.ndarray, L: int, out: np.ndarray | None = None) -> np.ndarray:
        """K (L x L, symmetric, zero diagonal) from the pair vector J
        (:func:`kasglass.couplings.coupling_matrix`)."""
        from .couplings import coupling_matrix

        return coupling_matrix(J, L, self.alpha, self.distance, self.pair_sum, out=out)

    def sigma_L(self, L: int) -> float:
        """Infinite-temperature field standard deviation at size L
        (:func:`kasglass.couplings.sigma_L`)."""
        from .couplings import sigma_L

        return sigma_L(L, self.alpha, self.distance, self.pair_sum)
