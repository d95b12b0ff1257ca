"""Per-job runtime setup shared by the workflow scripts: thread limits and the numba cache."""

from __future__ import annotations

import os


def configure_threads(n_threads: int = 1) -> None:
    """Limit BLAS/OpenMP and numba to ``n_threads`` in this process (one BLAS thread per job).

    Call before heavy numerical work; safe to call repeatedly. Uses threadpoolctl for libraries
    already loaded, and sets numba's thread count.
    """
    n = max(1, int(n_threads))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(n))
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n)
    except ImportError:  # pragma: no cover
        pass
    try:
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except ImportError:  # pragma: no cover
        pass
