"""A tiny counter-based random stream (splitmix64) shared by numba kernels and numpy references.

Kernels that make random choices (which unstable spin flips next, which resonant spin flips in an
avalanche) draw from this stream, so a slow pure-Python reference can reproduce the exact same
sequence of choices from the same seed.
"""

from __future__ import annotations

import llvmlite.ir as _ir
import numpy as np
from numba import njit, types
from numba.extending import intrinsic

_M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


@njit(cache=True, inline="always")
def mix64(z):
    """The splitmix64 output function (a bijection of uint64)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def py_mix64(z: int) -> int:
    """:func:`mix64` in pure Python integers (for references and tests)."""
    z &= _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


@njit(cache=True, inline="always")
def splitmix64_next(state):
    """Advance the state (uint64) and return (new_state, output uint64)."""
    state = state + np.uint64(GAMMA)
    return state, mix64(state)


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
    """Pure-Python splitmix64 with the same outputs as the numba functions (references, tests)."""

    def __init__(self, seed: int):
        self.state = int(seed) & _M64

    def next(self) -> int:
        self.state = (self.state + GAMMA) & _M64
        return py_mix64(self.state)

    def index(self, n: int) -> int:
        u = (self.next() >> 11) * (1.0 / 9007199254740992.0)
        return min(int(u * n), n - 1)


# ---------------------------------------------------------------------------------------------
# Gaussian stream: counter-based splitmix64 + the 256-layer ziggurat (the couplings J_ij)
# ---------------------------------------------------------------------------------------------
#
# Normal number p = 0, 1, 2, ... of the stream with seed s (a 64-bit integer) is a pure function
# of (s, p), so any coupling can be regenerated alone and the stream does not depend on the order
# or the chunks in which it is drawn:
#
# 1. r = mix64(s + (p + 1) * GAMMA), the (p + 1)-th output of splitmix64 seeded with s;
# 2. i = r & 255 (layer), sign = bit 8 of r, a = bits 9..60 of r (52 bits);
#    if a < K[i]: return (-1)**sign * a * W[i]            (about 98.8 % of the draws);
# 3. otherwise a sub-stream is used: t = mix64(s2 + (p + 1) * GAMMA) with
#    s2 = mix64(s ^ 0xD1B54A32D192ED03), and its uniforms u_n = mix64(t + n * GAMMA) for
#    n = 1, 2, ... (as doubles (u_n >> 11) / 2**53 in [0, 1)). Layer 0: Marsaglia's tail
#    (x = -log1p(-u) / R, y = -log1p(-u'); accept r = R + x when 2y > x**2, sign as above);
#    layers i > 0: accept x when (F[i-1] - F[i]) u + F[i] < exp(-x**2 / 2); on rejection the
#    next u of the sub-stream replaces r and step 2 is repeated.
#
# This is numpy's ziggurat for ``standard_normal`` (Marsaglia & Tsang 2000 with 256 layers and
# 52-bit mantissas, as in numpy's distributions.c) on a different bit generator. The tables
# K, W, F are computed below from R and V in 50-digit decimal arithmetic (correctly rounded, so
# they are the same on every platform); R is the root at which the 256 layers of equal area V
# close exactly at the top (computed with mpmath at 60 digits), V = R f(R) + int_R^inf f.

ZIGGURAT_R = "3.654152885361008771645429720399515762975"
ZIGGURAT_V = "0.004928673233974655347361775402336028069135"
_SUB = 0xD1B54A32D192ED03


def ziggurat_tables():
    """(K, W, F, X) of the 256-layer normal ziggurat (numpy's layout).

    Layer 0 is the base strip (the rectangle [0, R] x [0, f(R)] plus the tail x > R); layer
    i = 1..255 is the rectangle [0, X[i]] x [f(X[i]), f(X[i-1])] with X[255] = R and X[i]
    (Decimal) decreasing to X[1] at the top and X[0] = 0 (f(X[0]) = 1); every layer has area
    V. Returned:
    K[i] = floor(2**52 X[i-1] / X[i]) for i >= 2, K[1] = 0, K[0] = floor(2**52 R / q) (uint64);
    W[i] = X[i] / 2**52, W[0] = q / 2**52; F[i] = f(X[i]), F[0] = 1; with q = V / f(R) and
    f(x) = exp(-x**2 / 2).
    """
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 50
        R, V = Decimal(ZIGGURAT_R), Decimal(ZIGGURAT_V)
        m1 = Decimal(2) ** 52

        def f(x):
            return (-(x * x) / 2).exp()

        X = [Decimal(0)] * 256
        X[255] = R
        for i in range(254, 0, -1):
            X[i] = (-2 * (V / X[i + 1] + f(X[i + 1])).ln()).sqrt()
        q = V / f(R)
        K = np.zeros(256, dtype=np.uint64)
        W = np.zeros(256, dtype=np.float64)
        F = np.zeros(256, dtype=np.float64)
        K[0] = int(R / q * m1)
        W[0] = float(q / m1)
        F[0] = 1.0
        for i in range(1, 256):
            K[i] = 0 if i == 1 else int(X[i - 1] / X[i] * m1)
            W[i] = float(X[i] / m1)
            F[i] = float(f(X[i]))
    return K, W, F, X


_ZK, _ZW, _ZF, _ = ziggurat_tables()
_ZKF = _ZK.astype(np.float64)  # K[i] < 2**52: the same thresholds as exact doubles
_ZR = float(ZIGGURAT_R)  # correctly rounded
_ZINVR = 1.0 / _ZR


@njit(cache=True, inline="always")
def _u01(z):
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _normal_slow(key, p, r):
    """Steps 2-3 of the stream definition for a draw whose first word r missed the fast path."""
    t = mix64(mix64(key ^ np.uint64(_SUB)) + np.uint64(p + 1) * np.uint64(GAMMA))
    while True:
        idx = np.int64(r & np.uint64(0xFF))
        neg = (r >> np.uint64(8)) & np.uint64(1)
        a = (r >> np.uint64(9)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = np.float64(a) * _ZW[idx]
        if neg:
            x = -x
        if a < _ZK[idx]:
            return x
        if idx == 0:
            while True:
                t += np.uint64(GAMMA)
                xx = -_ZINVR * np.log1p(-_u01(mix64(t)))
                t += np.uint64(GAMMA)
                yy = -np.log1p(-_u01(mix64(t)))
                if yy + yy > xx * xx:
                    return -(_ZR + xx) if neg else _ZR + xx
        else:
            t += np.uint64(GAMMA)
            if (_ZF[idx - 1] - _ZF[idx]) * _u01(mix64(t)) + _ZF[idx] < np.exp(-0.5 * x * x):
                return x
        t += np.uint64(GAMMA)
        r = mix64(t)


@njit(cache=True, inline="always")
def normal_at(key, p):
    """Normal number p (int64 >= 0) of the Gaussian stream with seed ``key`` (uint64)."""
    r = mix64(key + np.uint64(p + 1) * np.uint64(GAMMA))
    idx = np.int64(r & np.uint64(0xFF))
    a = (r >> np.uint64(9)) & np.uint64(0x000FFFFFFFFFFFFF)
    if a < _ZK[idx]:
        x = np.float64(a) * _ZW[idx]
        if (r >> np.uint64(8)) & np.uint64(1):
            return -x
        return x
    return _normal_slow(key, p, r)


@intrinsic
def _bits_f64(typingctx, x):
    """The float64 whose bits are the uint64 ``x`` (a bit cast, no conversion)."""
    if x != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], _ir.DoubleType())

    return types.float64(types.uint64), codegen


@intrinsic
def _f64_bits(typingctx, x):
    """The uint64 bits of the float64 ``x`` (a bit cast, no conversion)."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], _ir.IntType(64))

    return types.uint64(types.float64), codegen


_TWO52 = 4503599627370496.0  # 2**52
_EXP52 = 0x4330000000000000  # the bits of 2**52
_SIGN = 0x8000000000000000


@njit(cache=True, inline="always")
def _fast_word(r):
    """Step 2 of the stream definition on the first word ``r`` without a branch: (x, missed).
    When ``missed`` the value is not the stream's and :func:`_normal_slow` must be called
    (about 1.2 % of draws).

    Branch-free and free of 64-bit integer <-> float conversions, so that loops of these
    vectorize even where the CPU has no SIMD instruction for those conversions (AVX2): the
    52-bit mantissa a becomes the double a exactly as (2**52 + a) - 2**52 (its bits are
    2**52's exponent with a as the mantissa), the threshold test a < K[i] is done on those exact
    doubles, and the sign is bit 8 of r moved to the sign bit (an exact negation). The same
    value, bit for bit, as ``float(a) * W[i] * (-1)**sign``."""
    idx = np.int64(r & np.uint64(0xFF))
    m = (r >> np.uint64(9)) & np.uint64(0x000FFFFFFFFFFFFF)
    a = _bits_f64(m | np.uint64(_EXP52)) - _TWO52
    x = _bits_f64(_f64_bits(a * _ZW[idx]) ^ ((r << np.uint64(55)) & np.uint64(_SIGN)))
    return x, a >= _ZKF[idx]


@njit(cache=True, inline="always")
def _fast_normal(key, p):
    """:func:`_fast_word` of draw p (int64 >= 0) of the stream ``key``: (x, missed)."""
    return _fast_word(mix64(key + np.uint64(p + 1) * np.uint64(GAMMA)))


@njit(cache=True, inline="always")
def _fast_or_nan(key, p):
    """Step 2 of the stream definition, or NaN where the draw missed the fast path (a select,
    not a branch, so that loops of these vectorize: SIMD 64-bit multiplies and table gathers
    where the CPU has them)."""
    x, bad = _fast_normal(key, p)
    return np.nan if bad else x


@njit(cache=True, inline="always")
def _fast_or_nan_z(z):
    """:func:`_fast_or_nan` of the counter word z = key + (p + 1) * GAMMA (the caller forms
    the word once per chunk and offsets it by q * GAMMA for draw q of the chunk)."""
    x, bad = _fast_word(mix64(z))
    return np.nan if bad else x


@njit(cache=True)
def _fix_nans(key, p0, out):
    """Replace every NaN out[q] (a missed fast path, number p0 + q) by its slow-path value."""
    for q in range(out.shape[0]):
        if out[q] != out[q]:
            p = p0 + q
            out[q] = _normal_slow(key, p, mix64(key + np.uint64(p + 1) * np.uint64(GAMMA)))


#: draws per chunk of :func:`normals_block` (its second pass rereads the chunk from L1)
_CHUNK = 512


@njit(cache=True)
def normals_block(key, p0, out, miss):
    """out[q] = normal number p0 + q of the stream ``key`` for q < len(out), bit for bit the
    values of :func:`normal_at`. ``miss`` is unused (kept for the callers' signature).

    Chunks of draws take the fast path in a loop that vectorizes (NaN marks the ~1.2 % of
    misses, which no fast-path value can be), then a scan of the chunk fixes the misses."""
    n = out.shape[0]
    z0 = key + np.uint64(p0 + 1) * np.uint64(GAMMA)
    for c0 in range(0, n, _CHUNK):
        c1 = min(n, c0 + _CHUNK)
        blk = out[c0:c1]
        zc = z0 + np.uint64(c0) * np.uint64(GAMMA)
        for q in range(c1 - c0):
            blk[q] = _fast_or_nan_z(zc + np.uint64(q) * np.uint64(GAMMA))
        _fix_nans(key, p0 + c0, blk)


@njit(cache=True)
def _fill_normals(key, p0, out):
    normals_block(key, p0, out, np.empty(256, np.int64))


def normals(seed: int, n: int, start: int = 0) -> np.ndarray:
    """Normal numbers start .. start+n-1 of the Gaussian stream of ``seed`` (float64, shape (n,)).

    ``normals(s, n)[k] == normals(s, 1, start=k)[0]``: the stream is counter-based.
    """
    out = np.empty(int(n), dtype=np.float64)
    _fill_normals(np.uint64(int(seed) & _M64), int(start), out)
    return out


def normal_reference(seed: int, p: int) -> float:
    """Pure-Python normal number p of the stream of ``seed`` (slow; independent of the numba code
    except for the tables, which tests check separately)."""
    import math

    mix = py_mix64

    def u01(z):
        return (z >> 11) * (1.0 / 9007199254740992.0)

    s = int(seed) & _M64
    r = mix(s + (p + 1) * GAMMA)
    t = mix(mix(s ^ _SUB) + (p + 1) * GAMMA)
    while True:
        i = r & 0xFF
        neg = (r >> 8) & 1
        a = (r >> 9) & ((1 << 52) - 1)
        x = a * float(_ZW[i])
        x = -x if neg else x
        if a < int(_ZK[i]):
            return x
        if i == 0:
            while True:
                t = (t + GAMMA) & _M64
                xx = -_ZINVR * math.log1p(-u01(mix(t)))
                t = (t + GAMMA) & _M64
                yy = -math.log1p(-u01(mix(t)))
                if yy + yy > xx * xx:
                    return -(_ZR + xx) if neg else _ZR + xx
        else:
            t = (t + GAMMA) & _M64
            y = (float(_ZF[i - 1]) - float(_ZF[i])) * u01(mix(t)) + float(_ZF[i])
            if y < math.exp(-0.5 * x * x):
                return x
        t = (t + GAMMA) & _M64
        r = mix(t)
