"""Optional GPU path for the dense diagonalizations (knobs ``ed.device``,
``dynamics.polarization.device``, ``dynamics.quench.device``).

With ``device="gpu"`` a dense symmetric eigenproblem is solved by CuPy's ``linalg.eigh`` (cuSOLVER
``syevd``, divide and conquer, the GPU counterpart of LAPACK's ``dsyevd``/``ssyevd`` used on the
CPU) and the results are copied back to the host; every observable is computed on the host from
those eigenpairs exactly as on the CPU path. In single precision the float64 refinement of
:func:`kasglass.ed.spectra.rayleigh_refine` follows: the product H V and the Rayleigh quotients are
formed on the GPU in float64, the Rayleigh-Ritz step of near-degenerate runs on the host by the
same code as the CPU path (:func:`kasglass.ed.spectra.ritz_runs`).

CuPy is not a dependency of the project: a job asked to run on the GPU where CuPy or a CUDA device
is missing stops with :class:`GPUUnavailable`, naming the knob, before any diagonalization. CPU is
the default everywhere and the test suite runs without a GPU: the GPU code path itself is tested
on the CPU with NumPy standing in for CuPy (``xp``), and against the CPU path on a real GPU where
one is present (tests/test_ed_gpu.py; the recorded comparison at L = 12 is docs/ed_gpu.md).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: where the dense diagonalizations run (the knobs ``*.device``)
DEVICES = ("cpu", "gpu")


class GPUUnavailable(RuntimeError):
    """``device="gpu"`` was asked for where CuPy or a CUDA device is missing."""


def check_device(device: str) -> str:
    if device not in DEVICES:
        raise ValueError(f"device must be one of {list(DEVICES)}; got {device!r}")
    return device


@lru_cache(maxsize=1)
def cupy_module():
    """The ``cupy`` module, once a CUDA device has been seen; :class:`GPUUnavailable` otherwise."""
    try:
        import cupy
    except ImportError as e:
        raise GPUUnavailable(
            "device 'gpu' (config keys ed.device, dynamics.polarization.device, "
            "dynamics.quench.device) needs CuPy (pip install cupy-cuda12x or cupy-cuda13x, "
            f"matching the CUDA driver), which is not importable here: {e}. Set the key to cpu "
            "on machines without a GPU."
        ) from None
    try:
        n = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as e:  # noqa: BLE001 - any CUDA runtime error means: no usable device
        raise GPUUnavailable(
            f"device 'gpu' (config keys ed.device, dynamics.*.device) found no usable CUDA "
            f"device ({e}); set the key to cpu"
        ) from None
    if n < 1:
        raise GPUUnavailable(
            "device 'gpu' (config keys ed.device, dynamics.*.device) found no CUDA device; "
            "set the key to cpu"
        )
    return cupy


def available() -> bool:
    """Whether ``device="gpu"`` can run here (CuPy importable and a CUDA device present)."""
    try:
        cupy_module()
    except GPUUnavailable:
        return False
    return True


def device_name(xp=None) -> str:
    """A readable name of the GPU (for benchmark records), or ``"none"``."""
    try:
        xp = xp or cupy_module()
        props = xp.cuda.runtime.getDeviceProperties(xp.cuda.Device().id)
        name = props["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:  # noqa: BLE001
        return "none"


def _host(xp, a) -> np.ndarray:
    """Copy a device array to the host (identity for NumPy standing in for CuPy)."""
    return xp.asnumpy(a) if hasattr(xp, "asnumpy") else np.asarray(a)


def _finite(xp, E):
    """``E``, after checking that the solver succeeded: cuSOLVER reports a failure in a flag that
    CuPy does not check by default, and the eigenvalues are then not finite."""
    if not bool(xp.all(xp.isfinite(E))):
        raise RuntimeError("GPU eigensolver failed: eigenvalues not finite (cuSOLVER syevd)")
    return E


def eigh_gpu(H: np.ndarray, vectors: bool = True, precision: str = "float64", xp=None):
    """Dense symmetric eigensolver on the GPU; the same contract as
    :func:`kasglass.ed.spectra.eigh_sector` (ascending float64 eigenvalues, float64 eigenvector
    columns or None).

    ``precision="float32"``: cuSOLVER ``ssyevd`` on the matrix rounded to single precision, then
    (with eigenvectors) the float64 refinement: H V and the Rayleigh quotients on the GPU in
    float64, the Rayleigh-Ritz step of near-degenerate runs on the host
    (:func:`kasglass.ed.spectra.ritz_runs`).

    ``xp``: the array module (default CuPy); the tests pass NumPy to run this code path on a CPU.
    """
    from .spectra import check_precision, ritz_runs

    xp = xp if xp is not None else cupy_module()
    H = np.asarray(H)
    single = check_precision(precision) == "float32"
    Hd = xp.asarray(H, dtype=xp.float32 if single else xp.float64)
    if not vectors:
        E = _finite(xp, xp.linalg.eigvalsh(Hd))
        return _host(xp, E).astype(np.float64), None
    E, V = xp.linalg.eigh(Hd)
    E = _finite(xp, E)
    del Hd
    if single and H.dtype == np.float64:
        V = V.astype(xp.float64)
        HV = xp.asarray(H) @ V
        E = xp.sum(V * HV, axis=0) / xp.sum(V * V, axis=0)
        return ritz_runs(_host(xp, E), _host(xp, V), _host(xp, HV))
    return _host(xp, E).astype(np.float64, copy=False), _host(xp, V).astype(np.float64, copy=False)
