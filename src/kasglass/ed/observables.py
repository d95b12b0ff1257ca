"""Eigenstate observables: the Edwards-Anderson order parameter.

m_EA(n) = (1/L^2) sum_{i,j} <n|Z_i Z_j|n>^2 (i = j terms included: ergodic baseline 1/L, value 1
for a Z-basis product state), and the off-diagonal version
m_EA_od(n) = (L^2 m_EA(n) - L) / (L (L - 1)) = (2 / (L (L - 1))) sum_{i<j} <n|Z_i Z_j|n>^2
(ergodic baseline 0).

Z_i Z_j is diagonal in the Z basis and even under the global spin flip, so for an eigenvector with
sector amplitudes c_s (or full-basis amplitudes) <Z_i Z_j> = sum_s |c_s|^2 Z_i(s) Z_j(s): one
matrix product of the Z-basis weights with the pair-product table (dim x L(L-1)/2), never an
L x L x dim array.
"""

from __future__ import annotations

import numpy as np


def zz_expectations(W: np.ndarray, Zpair: np.ndarray) -> np.ndarray:
    """<Z_i Z_j> for i < j of every state.

    Parameters
    ----------
    W : ndarray, shape (dim, k)
        Z-basis weights |c_s|^2 of k states (columns sum to 1).
    Zpair : ndarray, shape (dim, L(L-1)/2), float64
        :func:`kasglass.ed.basis.pair_products` of the basis states.

    Returns
    -------
    ndarray, shape (k, L(L-1)/2)
    """
    return W.T @ Zpair


def m_ea(V: np.ndarray, Zpair: np.ndarray, L: int):
    """Edwards-Anderson order parameter of eigenvectors.

    Parameters
    ----------
    V : ndarray, shape (dim, k), float64
        Eigenvectors (columns) in a Z-type basis (full basis or parity-sector basis).
    Zpair : ndarray, shape (dim, L(L-1)/2)
        Pair products Z_i Z_j of the basis states (of the representatives in a sector basis).
    L : int

    Returns
    -------
    m_full : ndarray, shape (k,)
        m_EA with the i = j terms (ergodic baseline 1/L).
    m_offdiag : ndarray, shape (k,)
        Off-diagonal version (ergodic baseline 0).
    """
    G = zz_expectations(V * V, Zpair)
    s = np.einsum("kp,kp->k", G, G)
    return (L + 2.0 * s) / L**2, 2.0 * s / (L * (L - 1))


def m_ea_reference(psi: np.ndarray, Z: np.ndarray) -> float:
    """Slow reference: m_EA of one full-basis state psi (shape (2**L,)) from all L^2 <Z_i Z_j>."""
    L = Z.shape[1]
    w = np.abs(psi) ** 2
    Zf = Z.astype(float)
    C = np.einsum("s,si,sj->ij", w, Zf, Zf)
    return float(np.sum(C**2) / L**2)


# ---------------------------------------------------------------------------------------------
# The observables of the ED sweep (Fig. 3, Fig. S3): one registry, read by the sweep, the
# aggregation, the table schemas and the data dictionary.


class SectorData:
    """Eigenpairs of one parity sector (or one shift-invert window of it), with what observables
    need: ``E`` (ascending), ``V`` (columns, sector basis; None once released), ``L``, ``Zpair``
    (pair products of the basis representatives), and the realization's spectral edges
    ``E_min``, ``E_max`` over both sectors (set once both sectors are known)."""

    def __init__(self, E, V, L: int, Zpair, E_min=None, E_max=None):
        self.E, self.V, self.L, self.Zpair = E, V, int(L), Zpair
        self.E_min, self.E_max = E_min, E_max
        self._cache = {}

    def cached(self, key, fn):
        """Memoize ``fn(self)`` under ``key`` (observables that share one computation)."""
        if key not in self._cache:
            self._cache[key] = fn(self)
        return self._cache[key]


def _m_pair(d: SectorData):
    return d.cached("m_ea", lambda d: m_ea(d.V, d.Zpair, d.L))


def _eps(d: SectorData):
    from .spectra import energy_density

    return energy_density(d.E, d.E_min, d.E_max)


def _r(E):
    from .spectra import gap_ratios

    return gap_ratios(E)


class Observable:
    """One quantity of the ED sweep, summed per energy window and realization.

    Parameters
    ----------
    name : str
        Stem of its partial-sum columns ``{name}_n``, ``{name}_sum``, ``{name}_sumsq`` (count of
        finite values, their sum and sum of squares per window and realization).
    kind : {"state", "gap"}
        ``state``: one value per eigenstate, ``compute(SectorData) -> (n_states,)``; ``gap``: one
        value per interior level of a contiguous piece of one sector's sorted spectrum,
        ``compute(E) -> (len(E) - 2,)``, assigned to the energy of the middle level.
    mean, err : str
        Columns of its disorder average (levels of all realizations pooled) and of the cluster
        standard error over realizations in the figure tables.
    vectors : bool
        ``compute`` needs the eigenvectors (evaluated while they are held).
    unit, meaning : str
        For the table schemas and the data dictionary.
    """

    def __init__(self, name, kind, mean, err, compute, *, vectors, unit="", meaning=""):
        if kind not in ("state", "gap"):
            raise ValueError(f"observable {name}: kind must be 'state' or 'gap'; got {kind!r}")
        self.name, self.kind, self.mean, self.err = name, kind, mean, err
        self.compute, self.vectors, self.unit, self.meaning = compute, vectors, unit, meaning

    @property
    def sum_columns(self) -> list[str]:
        return [f"{self.name}_n", f"{self.name}_sum", f"{self.name}_sumsq"]


#: The ED sweep's observables, in table order. Adding one here (with its test) adds its partial
#: sums to the shard files, its disorder average and error to fig3_phase_diagram and figS3_fss,
#: and its sums to fig3_realizations.
OBSERVABLES = (
    Observable(
        "r",
        "gap",
        "r_mean",
        "r_err",
        _r,
        vectors=False,
        meaning="gap ratio r_n = min(d_n, d_{n+1}) / max(d_n, d_{n+1}) of an interior level, "
        "within one parity sector (Poisson 0.3863, GOE 0.5307)",
    ),
    Observable(
        "m_ea",
        "state",
        "m_ea",
        "m_ea_err",
        lambda d: _m_pair(d)[0],
        vectors=True,
        meaning="eigenstate Edwards-Anderson order (1/L^2) sum_{i,j} <Z_i Z_j>^2, i = j terms "
        "included (ergodic baseline 1/L, 1 for a product state)",
    ),
    Observable(
        "m_ea_offdiag",
        "state",
        "m_ea_offdiag",
        "m_ea_offdiag_err",
        lambda d: _m_pair(d)[1],
        vectors=True,
        meaning="off-diagonal m_EA = (L^2 m_EA - L) / (L (L - 1)) (ergodic baseline 0)",
    ),
    Observable(
        "eps",
        "state",
        "eps_mean",
        "eps_err",
        _eps,
        vectors=False,
        meaning="scaled energy density (E - E_min) / (E_max - E_min) over the realization's full "
        "spectrum (both sectors)",
    ),
)
#: the observables whose counts give the n_levels (gap ratios) and n_states (eigenstates) columns
LEVEL_COUNT = "r"
STATE_COUNT = "eps"
