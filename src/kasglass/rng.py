"""A tiny counter-based random stream (splitmix64) shared by numba kernels and numpy references.

Kernels that make random choices (which unstable spin flips next, which resonant spin flips in an
avalanche) draw from this stream, so a slow pure-Python reference can reproduce the exact same
sequence of choices from the same seed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_M64 = (1 << 64) - 1


@njit(cache=True, inline="always")
def splitmix64_next(state):
    """Advance the state (uint64) and return (new_state, output uint64)."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return state, z


@njit(cache=True, inline="always")
def uniform_index(state, n):
    """Draw an index uniformly in [0, n) from the stream; returns (new_state, index)."""
    state, z = splitmix64_next(state)
    u = np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    k = np.int64(u * n)
    if k >= n:  # guard against rounding at u -> 1
        k = n - 1
    return state, k


class PySplitMix64:
    """Pure-Python splitmix64 with the same outputs as the numba functions (for references/tests)."""

    def __init__(self, seed: int):
        self.state = int(seed) & _M64

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        return z ^ (z >> 31)

    def index(self, n: int) -> int:
        u = (self.next() >> 11) * (1.0 / 9007199254740992.0)
        return min(int(u * n), n - 1)
