"""Eigenstate observables: the Edwards-Anderson order parameter and the eigenstate entanglement.

m_EA(n) = (1/L^2) sum_{i,j} <n|Z_i Z_j|n>^2 (i = j terms included: ergodic baseline 1/L, value 1
for a Z-basis product state), and the off-diagonal version
m_EA_od(n) = (L^2 m_EA(n) - L) / (L (L - 1)) = (2 / (L (L - 1))) sum_{i<j} <n|Z_i Z_j|n>^2
(ergodic baseline 0).

Z_i Z_j is diagonal in the Z basis and even under the global spin flip, so for an eigenvector with
sector amplitudes c_s (or full-basis amplitudes) <Z_i Z_j> = sum_s |c_s|^2 Z_i(s) Z_j(s): one
matrix product of the Z-basis weights with the pair-product table (dim x L(L-1)/2), never an
L x L x dim array.

Entanglement (natural log; :mod:`kasglass.quantum.entanglement`). The half-ring cut A = sites
0..L/2-1 has two boundaries on the ring. Eigenstates live in a parity sector: at weak h_x they are
cat states (|s> + p|~s>)/sqrt(2), whose half-ring entropy, single-site entropies and pair mutual
informations all contain up to ln 2 from the cat alone (a GHZ state gives S_half = S_i = I(i:j) =
ln 2). The *pinned* state removes it: the eigenstate projected on Z_{L-1} = +1 and normalized,
which is exactly the sector amplitude vector read as a state of spins 0..L-2 (the representatives
have Z_{L-1} = +1); for a cat state it is the product state |s>. The parity eigenstate's reduced
state of A is the equal mixture of the pinned state's and its flipped copy, so
S_pinned <= S_half <= S_pinned + ln 2. Random-state references (Page) are columns of the figure
tables (:func:`kasglass.ed.sweep.page_values`).
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
    (pair products of the basis representatives), the realization's spectral edges
    ``E_min``, ``E_max`` over both sectors (set once both sectors are known), the sector's
    ``parity``, ``mi_stride`` (the subsampled entanglement observables are evaluated on
    :func:`entanglement_subset`, knob ``ed.entanglement.stride``) and ``periodic`` (ring or open
    chain distances of the mutual information)."""

    def __init__(
        self, E, V, L: int, Zpair, E_min=None, E_max=None, parity=1, mi_stride=1, periodic=True
    ):
        self.E, self.V, self.L, self.Zpair = E, V, int(L), Zpair
        self.E_min, self.E_max = E_min, E_max
        self.parity, self.mi_stride = int(parity), max(1, int(mi_stride))
        self.periodic = bool(periodic)
        self._cache = {}

    def cached(self, key, fn):
        """Memoize ``fn(self)`` under ``key`` (observables that share one computation)."""
        if key not in self._cache:
            self._cache[key] = fn(self)
        return self._cache[key]


def _m_pair(d: SectorData):
    return d.cached("m_ea", lambda d: m_ea(d.V, d.Zpair, d.L))


#: distances of the mutual-information observables (d <= L/2 is measured; larger d: null)
MI_DISTANCES = (1, 2, 3, 4, 5, 6, 7)


def ring_distance(i, j, L: int, periodic: bool = True):
    """Minimum-image distance min(|i - j|, L - |i - j|) on the ring of L sites (``periodic``),
    else |i - j| (open chain)."""
    d = np.abs(np.asarray(i) - np.asarray(j))
    return np.minimum(d, L - d) if periodic else d


def entanglement_subset(n: int, stride: int) -> np.ndarray:
    """Eigenstates (indices into a sector's ascending spectrum of n levels) of the subsampled
    entanglement observables: the ``stride`` lowest and the ``stride`` highest of the sector,
    whose energy-density bins hold few states, and every ``stride``-th in between (symmetric
    under i -> n - 1 - i up to the last step; every state when stride = 1)."""
    s = max(1, int(stride))
    if n <= 2 * s:
        return np.arange(n)
    return np.unique(np.concatenate([np.arange(s), np.arange(s, n - s, s), np.arange(n - s, n)]))


def _entanglement(d: SectorData) -> dict:
    """Every entanglement quantity of one sector's eigenvectors (module docstring of
    :mod:`kasglass.quantum.entanglement`): the half-ring entropy of every parity eigenstate;
    on the eigenstates of :func:`entanglement_subset` (null elsewhere) the mean single-site
    entropy of the
    parity eigenstate, the pinned state's half-ring and single-site entropies and, per ring
    distance, the mean pair mutual information of the parity eigenstate and of the pinned
    state."""
    from ..quantum import entanglement as en

    L, V, n = d.L, d.V, d.V.shape[1]
    nA = L // 2
    out = {"s_half": en.sector_half_entropy(V, L, d.parity, nA)}
    sub = entanglement_subset(n, d.mi_stride)
    Vp = np.ascontiguousarray(V[:, sub])  # the pinned states: spins 0..L-2, spin L-1 up
    for name, vals in (
        ("s_site", en.sector_single_site_entropies(Vp, L, d.parity).mean(axis=1)),
        ("s_half_pinned", en.entanglement_entropy(Vp, L - 1, range(nA))),
        ("s_site_pinned", en.single_site_entropies(Vp, L - 1).mean(axis=1)),
    ):
        full = np.full(n, np.nan)
        full[sub] = vals
        out[name] = full
    for name, Lp, mi in (
        ("mi", L, lambda pr: en.sector_pair_mutual_information(Vp, L, d.parity, pr)),
        ("mi_pinned", L - 1, lambda pr: en.pair_mutual_information(Vp, L - 1, pr)),
    ):
        iu, ju = np.triu_indices(Lp, 1)
        I = mi(np.stack([iu, ju], axis=1))
        dist = ring_distance(iu, ju, L, d.periodic)
        for r in MI_DISTANCES:
            full = np.full(n, np.nan)
            if r <= L // 2 and np.any(dist == r):
                full[sub] = I[:, dist == r].mean(axis=1)
            out[f"{name}_d{r}"] = full
    return out


def _ent(key):
    return lambda d: d.cached("entanglement", _entanglement)[key]


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
        "s_half",
        "state",
        "s_half",
        "s_half_err",
        _ent("s_half"),
        vectors=True,
        meaning="von Neumann entropy (natural log) of sites 0..L/2-1 (the half ring: two "
        "boundaries on a ring, one on an open chain) in the parity eigenstate; a cat state "
        "contributes up to ln 2",
    ),
    Observable(
        "s_site",
        "state",
        "s_site",
        "s_site_err",
        _ent("s_site"),
        vectors=True,
        meaning="single-site entropy averaged over sites, parity eigenstate (<Z_i> = 0 there: "
        "ln 2 for a cat state); subsampled (ed.entanglement.stride)",
    ),
    Observable(
        "s_half_pinned",
        "state",
        "s_half_pinned",
        "s_half_pinned_err",
        _ent("s_half_pinned"),
        vectors=True,
        meaning="entropy of sites 0..L/2-1 in the pinned state (the eigenstate projected on "
        "Z_{L-1} = +1: the sector amplitudes as a state of spins 0..L-2), which removes the "
        "cat's ln 2; subsampled (ed.entanglement.stride)",
    ),
    Observable(
        "s_site_pinned",
        "state",
        "s_site_pinned",
        "s_site_pinned_err",
        _ent("s_site_pinned"),
        vectors=True,
        meaning="single-site entropy averaged over sites 0..L-2 of the pinned state; "
        "subsampled (ed.entanglement.stride)",
    ),
    *(
        Observable(
            f"mi_d{r}",
            "state",
            f"mi_d{r}",
            f"mi_d{r}_err",
            _ent(f"mi_d{r}"),
            vectors=True,
            meaning=f"pair mutual information I(i:j) = S_i + S_j - S_ij averaged over pairs at "
            f"distance {r} (ring: minimum image), parity eigenstate (a cat state gives ln 2 at "
            "every distance); "
            "subsampled (ed.entanglement.stride), null where L/2 < "
            f"{r}",
        )
        for r in MI_DISTANCES
    ),
    *(
        Observable(
            f"mi_pinned_d{r}",
            "state",
            f"mi_pinned_d{r}",
            f"mi_pinned_d{r}_err",
            _ent(f"mi_pinned_d{r}"),
            vectors=True,
            meaning=f"pair mutual information at distance {r} in the pinned state (pairs "
            "among sites 0..L-2); subsampled (ed.entanglement.stride), null where L/2 < "
            f"{r}",
        )
        for r in MI_DISTANCES
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
