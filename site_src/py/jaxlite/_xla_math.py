"""Float32 elementwise math exactly as real JAX computes it on XLA:CPU.

JAX's float32 ``sin``, ``exp``, ``tanh``... are not correctly rounded: XLA:CPU
(jaxlib 0.10.2, x86-64 with FMA) evaluates them in one of two ways, and this
module replays both step by step, so that jaxlite prints the same digits:

* XLA's own kernels (``exp``, ``expm1``, ``tanh``, ``logistic``, ``erf``,
  ``log``, ``log1p``): float32 polynomials, every operation rounded to
  float32, with the fused multiply-adds LLVM forms from them;
* glibc's libm (2.36), which XLA:CPU calls for ``sin``, ``cos`` and ``pow``
  (its FMA build: the arithmetic is in double, rounded to float32 once at
  the end).

Not replayed yet, so still correctly rounded in jaxlite: ``tan``, ``atan``,
``atan2``, ``cbrt`` (glibc too), ``rsqrt`` (the CPU's ``rsqrtss`` estimate
plus two Newton steps) and ``sinh``/``cosh``/``asinh`` (expanded into exp
and log by XLA).

XLA:CPU runs with denormals flushed to zero; so do these kernels.

Each kernel takes and returns a Python float holding a float32 value.
float64 keeps Python's ``math`` functions (XLA:CPU calls libm's double
functions for most of them, which ``math`` calls too).
"""

from __future__ import annotations

import math
import struct

from jaxlite._prng import (
    _ERF_DEN, _ERF_NUM, _MIN_NORMAL, _bits_of_f32, f32, _erf_inv_f32, _f32_from_bits, _fma32, _fma64,
    _log1p_f32, _log_f32, _low29_bits, _odd_rational_f32, _r32,
)
from jaxlite._prng import _erf_f32 as _prng_erf_f32

_fma = getattr(math, "fma", None)  # Python 3.13+
_F64, _U64 = struct.Struct("<d"), struct.Struct("<Q")

__all__ = ["exp_f32", "expm1_f32", "expm1_narrow", "tanh_f32", "logistic_f32", "logistic_narrow", "erf_f32",
           "erf_rank0_f32", "erf_inv_f32", "log_f32", "log1p_f32", "sin_f32", "cos_f32", "pow_f32"]

log_f32 = _log_f32
log1p_f32 = _log1p_f32
erf_inv_f32 = _erf_inv_f32


def _consts(*bits: int) -> tuple[float, ...]:
    return tuple(map(_f32_from_bits, bits))


# ---------------------------------------------------------------------------
# exp and friends: Cephes' expf as XLA emits it.
# exp(x) = 2**n * exp(r), n = floor(x * log2(e) + 1/2), r = x - n*ln2 in two
# steps, exp(r) by a degree-7 polynomial.

_EXP_LO, _EXP_HI, _LOG2E, _LN2_HI, _LN2_LO = _consts(
    0xC2AF999A, 0x42B1999A, 0x3FB8AA3B, 0x3F318000, 0xB95E8083)  # -87.8, 88.8, ...
_EXP_POLY = _consts(0x39506967, 0x3AB743CE, 0x3C088908, 0x3D2AA9C1, 0x3E2AAAAA) + (0.5,)


def _exp_parts(x: float) -> tuple[float, float]:
    """``(y, 2**n)`` with exp(x) ~= y * 2**n, as float32 values (x not NaN)."""
    x = min(max(x, _EXP_LO), _EXP_HI)
    n = min(max(math.floor(_fma32(x, _LOG2E, 0.5)), -127), 127)
    r = _fma32(-n, _LN2_HI, x)
    r = _fma32(-n, _LN2_LO, r)
    c = _EXP_POLY
    y = _fma32(r, c[0], c[1])
    for coeff in c[2:]:
        y = _fma32(y, r, coeff)
    y = _r32(_fma32(y, _r32(r * r), r) + 1.0)
    return y, (2.0 ** n if n > -127 else 0.0)  # 2**-127 is a denormal: zero under FTZ


def exp_f32(x: float) -> float:
    """XLA:CPU ``exp``: clamped to [-87.8, 88.8], so it overflows to inf above
    about 88.72 and flushes to zero below about -87.34."""
    if x != x:
        return x
    y, scale = _exp_parts(x)
    return _r32(y * scale)


def logistic_f32(x: float) -> float:
    """``1 / (1 + exp(-x))`` as one XLA:CPU fusion: the last multiply of exp
    and the ``+ 1`` fuse into one FMA."""
    if x != x:
        return x
    y, scale = _exp_parts(-x)
    return _r32(1.0 / _fma32(y, scale, 1.0))


def expm1_f32(x: float) -> float:
    """XLA:CPU ``expm1``: ``exp(x) - 1`` for |x| > 1/2, else
    ``tanh(x/2) * (exp(x) + 1)``, which keeps the digits near zero."""
    return expm1_narrow(x, _r32)


def expm1_narrow(x: float, rnd) -> float:
    """``expm1`` with each step rounded by ``rnd``: float16 runs the float32
    exp and tanh kernels but the steps around them in float16."""
    if x != x:
        return x
    y, scale = _exp_parts(x)
    e = rnd(_r32(y * scale))
    if abs(x) > 0.5:
        return rnd(e - 1.0)
    half = rnd(x * 0.5)
    if half == 0.0:
        return x
    return rnd(rnd(tanh_f32(half)) * rnd(e + 1.0))


# ---------------------------------------------------------------------------
# tanh: Eigen's rational approximation, odd numerator of degree 13 over an
# even denominator of degree 6, on x clamped to +-7.99881 (where it is 1).

_TANH_SMALL = _r32(4e-4)
_TANH_CLAMP = _f32_from_bits(0x40FFF644)
_TANH_NUM = _consts(0xA59F25C0, 0x2A61337E, 0xAEBD37FF, 0x335C0041, 0x3779434A, 0x3A270DED, 0x3BA059DC)
_TANH_DEN = _consts(0x35A0D3D8, 0x38F895D6, 0x3B14AA05, 0x3BA059DD)


def tanh_f32(x: float) -> float:
    if abs(x) >= 20.0:
        return math.copysign(1.0, x)
    if abs(x) < _TANH_SMALL or x != x:
        return x
    c = min(max(x, -_TANH_CLAMP), _TANH_CLAMP)
    return _odd_rational_f32(c, _r32(c * c), _TANH_NUM, _TANH_DEN)


# ---------------------------------------------------------------------------
# erf: odd rational approximation, exactly +-1 from |x| >= 3.8325.

_ERF_ONE = _f32_from_bits(0x407547CB)
# (_ERF_NUM, _ERF_DEN: the coefficients jaxlite._prng's clamped rank-0 kernel uses too)


def erf_f32(x: float) -> float:
    if abs(x) < _MIN_NORMAL:  # a denormal input reads as zero
        return math.copysign(0.0, x)
    if abs(x) >= _ERF_ONE:
        return math.copysign(1.0, x)
    return _odd_rational_f32(x, _r32(x * x), _ERF_NUM, _ERF_DEN)


# ---------------------------------------------------------------------------
# sin and cos: glibc's sinf/cosf (Szabolcs Nagy, 2018), built with FMA.
# In double: reduce x by a multiple n of pi/2 (one FMA up to |x| < 120,
# 4/pi to 192 bits beyond), then a polynomial for sin or cos of the rest.

_HPI_INV = float.fromhex("0x1.45F306DC9C883p+23")  # 2/pi, scaled by 2**24
_HPI = float.fromhex("0x1.921FB54442D18p0")
_HPI_HI = float.fromhex("0x1.921FB4p0")  # _HPI in two parts whose products
_HPI_LO = _HPI - _HPI_HI                  # with a small n are exact
_PI63 = float.fromhex("0x1.921FB54442D18p-62")  # 2*pi * 2**-64
_COS_POLY = tuple(map(float.fromhex, (
    "0x1p0", "-0x1.ffffffd0c621cp-2", "0x1.55553e1068f19p-5", "-0x1.6c087e89a359dp-10",
    "0x1.99343027bf8c3p-16")))
_NEG_COS_POLY = tuple(-c for c in _COS_POLY)
_SIN_POLY = tuple(map(float.fromhex, ("-0x1.555545995a603p-3", "0x1.1107605230bc4p-7",
                                      "-0x1.994eb3774cf24p-13")))
_QUADRANT_SIGN = (1.0, -1.0, -1.0, 1.0)
_INV_PIO4 = (
    0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
    0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
    0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041)
_TOP12_PIO4, _TOP12_TINY, _TOP12_120, _TOP12_INF = (
    (_bits_of_f32(v) >> 20) & 0x7FF for v in (_f32_from_bits(0x3F490FDB), 2.0 ** -12, 120.0, math.inf))
_M64 = (1 << 64) - 1


def _mul_add(a: float, b: float, c: float) -> float:
    return a * b + c


def _sincos_poly(x: float, x2: float, neg_cos: bool, n: int, fma) -> float:
    """glibc's sinf_poly: sin(x) for even n, (-)cos(x) for odd n, in double."""
    if n & 1 == 0:
        s = _SIN_POLY
        x3 = x * x2
        return fma(x3 * x2, fma(x2, s[2], s[1]), fma(x3, s[0], x))
    c = _NEG_COS_POLY if neg_cos else _COS_POLY
    x4 = x2 * x2
    return fma(x4 * x2, fma(x2, c[4], c[3]), fma(x4, c[2], fma(x2, c[1], c[0])))


def _reduce_large(xi: int) -> tuple[float, int]:
    """x mod pi/2 for |x| >= 120 by integer arithmetic on 4/pi (192 bits)."""
    arr = _INV_PIO4[(xi >> 26) & 15:]
    m = ((xi & 0xFFFFFF) | 0x800000) << ((xi >> 23) & 7)
    res0 = (((m * arr[8]) >> 32) | ((m * arr[0]) & 0xFFFFFFFF) << 32) & _M64
    res0 = (res0 + m * arr[4]) & _M64
    n = ((res0 + (1 << 61)) & _M64) >> 62
    res0 = (res0 - (n << 62)) & _M64
    return float(res0 - (1 << 64) if res0 >> 63 else res0) * _PI63, n


def _sincos(y: float, cos: bool, fma) -> float:
    """glibc's sinf (cos=False) or cosf (cos=True) of a float32 ``y``, in double."""
    xi = _bits_of_f32(y)
    top = (xi >> 20) & 0x7FF
    if top < _TOP12_PIO4:
        if top < _TOP12_TINY:
            return 1.0 if cos else y
        return _sincos_poly(y, y * y, False, int(cos), fma)
    if top < _TOP12_120:
        n = (int(y * _HPI_INV) + 0x800000) >> 24
        x = (y - n * _HPI_HI) - n * _HPI_LO  # = fma(-n, hpi, y): the first step is exact
        q = n
    elif top < _TOP12_INF:
        x, n = _reduce_large(xi)
        q = n + (xi >> 31)
    else:
        return math.nan
    return _sincos_poly(x * _QUADRANT_SIGN[q & 3], x * x, bool(q & 2), n ^ int(cos), fma)


def _sincos_f32(y: float, cos: bool) -> float:
    """Rounded to float32. Without ``math.fma`` (before Python 3.13) the
    polynomial runs unfused first; only a result within a hair of a float32
    rounding boundary, where fusing could matter, is recomputed exactly."""
    if _fma is not None:
        return f32(_sincos(y, cos, _fma))
    r = _sincos(y, cos, _mul_add)
    if abs(_low29_bits(r) - 0x10000000) < 0x1000:
        r = _sincos(y, cos, _fma64)
    return f32(r)  # no flush: sinf returns a denormal y as it is


def sin_f32(x: float) -> float:
    return _sincos_f32(x, False)


def cos_f32(x: float) -> float:
    return _sincos_f32(x, True)


def logistic_narrow(x: float, rnd) -> float:
    """float16/bfloat16 ``logistic``: XLA:CPU runs its three steps (exp,
    + 1, 1 / .) one by one, each rounded to the narrow type by ``rnd``."""
    if x != x:
        return x
    return rnd(_r32(1.0 / rnd(rnd(exp_f32(-x)) + 1.0)))


# XLA:CPU compiles a rank-0 erf with an older kernel: the same rational
# approximation, clamped to +-3.7439 (so it reaches +-1 a little earlier).
erf_rank0_f32 = _prng_erf_f32


# ---------------------------------------------------------------------------
# pow: glibc's powf (Szabolcs Nagy, 2017), built with FMA: log2(x) from a
# 16-entry table and a degree-5 polynomial, then exp2(y * log2 x) from a
# 32-entry table and a cubic, all in double.

_POWF_LOG2_TAB = tuple((float.fromhex(a), float.fromhex(b)) for a, b in (
    ("0x1.661ec79f8f3bep+0", "-0x1.efec65b963019p-2"), ("0x1.571ed4aaf883dp+0", "-0x1.b0b6832d4fca4p-2"),
    ("0x1.49539f0f010bp+0", "-0x1.7418b0a1fb77bp-2"), ("0x1.3c995b0b80385p+0", "-0x1.39de91a6dcf7bp-2"),
    ("0x1.30d190c8864a5p+0", "-0x1.01d9bf3f2b631p-2"), ("0x1.25e227b0b8eap+0", "-0x1.97c1d1b3b7afp-3"),
    ("0x1.1bb4a4a1a343fp+0", "-0x1.2f9e393af3c9fp-3"), ("0x1.12358f08ae5bap+0", "-0x1.960cbbf788d5cp-4"),
    ("0x1.0953f419900a7p+0", "-0x1.a6f9db6475fcep-5"), ("0x1p+0", "0x0p+0"),
    ("0x1.e608cfd9a47acp-1", "0x1.338ca9f24f53dp-4"), ("0x1.ca4b31f026aap-1", "0x1.476a9543891bap-3"),
    ("0x1.b2036576afce6p-1", "0x1.e840b4ac4e4d2p-3"), ("0x1.9c2d163a1aa2dp-1", "0x1.40645f0c6651cp-2"),
    ("0x1.886e6037841edp-1", "0x1.88e9c2c1b9ff8p-2"), ("0x1.767dcf5534862p-1", "0x1.ce0a44eb17bccp-2")))
_POWF_LOG2_POLY = tuple(map(float.fromhex, (
    "0x1.27616c9496e0bp-2", "-0x1.71969a075c67ap-2", "0x1.ec70a6ca7baddp-2", "-0x1.7154748bef6c8p-1",
    "0x1.71547652ab82bp0")))
_EXP2F_TAB = (
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540)
_EXP2F_SHIFT = float.fromhex("0x1.8p+47")  # 0x1.8p+52 / 32: rounds to multiples of 1/32
_EXP2F_POLY = tuple(map(float.fromhex, ("0x1.c6af84b912394p-5", "0x1.ebfce50fac4f3p-3", "0x1.62e42ff0c52d6p-1")))
_POWF_SIGN_BIAS = 1 << 16
_M32 = 0xFFFFFFFF


def _bits64(x: float) -> int:
    return _U64.unpack(_F64.pack(x))[0]


def _powf_core(ix: int, y: float, sign_bias: int, fma) -> float:
    """exp2(y * log2(x)) in double, x > 0 given by its float32 bits ``ix``."""
    tmp = (ix - 0x3F330000) & _M32
    invc, logc = _POWF_LOG2_TAB[(tmp >> 19) % 16]
    top = tmp & 0xFF800000
    k = (top - (1 << 32) if top >> 31 else top) >> 23
    r = fma(_f32_from_bits((ix - top) & _M32), invc, -1.0)
    a = _POWF_LOG2_POLY
    r2 = r * r
    q = fma(fma(a[2], r, a[3]), r2, fma(a[4], r, logc + k))
    ylogx = y * fma(fma(a[0], r, a[1]), r2 * r2, q)
    if (_bits64(ylogx) >> 47 & 0xFFFF) >= _bits64(126.0) >> 47:  # |y log2 x| >= 126
        if ylogx > float.fromhex("0x1.fffffffd1d571p+6"):
            return -math.inf if sign_bias else math.inf
        if ylogx <= -150.0:
            return -0.0 if sign_bias else 0.0
    kd = ylogx + _EXP2F_SHIFT
    ki = _bits64(kd)
    kd -= _EXP2F_SHIFT
    r = ylogx - kd
    t = (_EXP2F_TAB[ki % 32] + ((ki + sign_bias) << 47)) & _M64
    s = _F64.unpack(_U64.pack(t))[0]
    c = _EXP2F_POLY
    return fma(fma(c[0], r, c[1]), r * r, fma(c[2], r, 1.0)) * s


def _checkint(iy: int) -> int:
    """0 if the float32 with bits ``iy`` is not an integer, 1 if odd, 2 if even."""
    e = iy >> 23 & 0xFF
    if e < 0x7F:
        return 0
    if e > 0x7F + 23:
        return 2
    if iy & ((1 << (0x7F + 23 - e)) - 1):
        return 0
    return 1 if iy & (1 << (0x7F + 23 - e)) else 2


def _zeroinfnan(i: int) -> bool:
    return (2 * i - 1) & _M32 >= 2 * 0x7F800000 - 1


def pow_f32(x: float, y: float) -> float:
    """glibc's powf, under XLA:CPU's flush-to-zero."""
    ix, iy = _bits_of_f32(x), _bits_of_f32(y)
    sign_bias = 0
    if (ix - 0x00800000) & _M32 >= 0x7F800000 - 0x00800000 or _zeroinfnan(iy):
        if _zeroinfnan(iy):
            if 2 * iy & _M32 == 0 or ix == 0x3F800000:
                return 1.0
            if 2 * ix & _M32 > 2 * 0x7F800000 or 2 * iy & _M32 > 2 * 0x7F800000:
                return x + y
            if 2 * ix & _M32 == 2 * 0x3F800000:
                return 1.0
            if (2 * ix & _M32 < 2 * 0x3F800000) == (not iy & 0x80000000):
                return 0.0
            return y * y
        if _zeroinfnan(ix):
            x2 = _r32(x * x)
            if ix & 0x80000000 and _checkint(iy) == 1:
                x2 = -x2
            if iy & 0x80000000:
                return math.copysign(math.inf, x2) if x2 == 0.0 else 1.0 / x2
            return x2
        if ix & 0x80000000:  # finite x < 0
            yint = _checkint(iy)
            if yint == 0:
                return math.nan
            if yint == 1:
                sign_bias = _POWF_SIGN_BIAS
            ix &= 0x7FFFFFFF
        if ix < 0x00800000:  # a denormal x: x * 2**23 reads it as zero
            ix = (0 - (23 << 23)) & _M32
    if _fma is not None:
        return _r32(_powf_core(ix, y, sign_bias, _fma))
    r = _powf_core(ix, y, sign_bias, _mul_add)
    if abs(_low29_bits(r) - 0x10000000) < 0x1000:
        r = _powf_core(ix, y, sign_bias, _fma64)
    return _r32(r)
