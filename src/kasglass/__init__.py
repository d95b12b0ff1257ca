"""kasglass: reproducible reconstruction of Rademaker & Abanin, PRL 125, 260405 (2020).

Model (all modules share these conventions)
-------------------------------------------
H = sum_{i<j} K_ij Z_i Z_j - h_x sum_i X_i with Pauli operators (eigenvalues +-1), hbar = 1,
energies in units of std(J) = 1. Sites i = 0..L-1 on a ring; K_ij = J_ij / d_ij**alpha with one
Gaussian J_ij ~ N(0, 1) per unordered pair and the periodic minimum-image distance
d_ij = min(|i-j|, L-|i-j|) (or |i-j| for open chains). Local field phi_i = sum_{j!=i} K_ij Z_j.
"""

__version__ = "0.6.1"


def _numba_cache_dir() -> None:
    """Key numba's on-disk cache by the package's source (all ``*.py`` of kasglass).

    numba invalidates a cached kernel when its own file changes, not when a kernel it calls
    (in another module) does, so a cache written by other sources could serve stale machine
    code. Each version of the sources gets its own folder ``kasglass-<hash>`` below
    ``NUMBA_CACHE_DIR`` (or ``__pycache__/numba`` of the package when unset); older folders are
    simply no longer read.
    """
    import hashlib
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parent
    h = hashlib.sha1()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    tag = f"kasglass-{h.hexdigest()[:12]}"
    base = os.environ.get("NUMBA_CACHE_DIR") or str(root / "__pycache__" / "numba")
    path = base if Path(base).name == tag else str(Path(base) / tag)
    os.environ["NUMBA_CACHE_DIR"] = path  # subprocesses inherit it (and keep it: same tag)
    import sys

    if "numba" in sys.modules:  # read when a cached kernel is decorated, so setting it works
        sys.modules["numba"].config.CACHE_DIR = path


_numba_cache_dir()
