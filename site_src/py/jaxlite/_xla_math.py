"""Float32 elementwise math exactly as real JAX computes it on XLA:CPU.

JAX's float32 ``sin``, ``exp``, ``tanh``... are not correctly rounded: XLA:CPU
(jaxlib 0.10.2, x86-64 with FMA) evaluates them in one of two ways, and this
module replays both step by step, so that jaxlite prints the same digits:

* XLA's own kernels (``exp``, ``expm1``, ``tanh``, ``logistic``, ``erf``,
  ``log``, ``log1p``): float32 polynomials, every operation rounded to
  float32, with the fused multiply-adds LLVM forms from them;
* glibc's libm, which XLA:CPU calls for ``sin`` and ``cos`` (its FMA build:
  the arithmetic is in double, rounded to float32 once at the end).

XLA:CPU runs with denormals flushed to zero; so do these kernels.

Each kernel takes and returns a Python float holding a float32 value.
float64 keeps Python's ``math`` functions (XLA:CPU calls libm's double
functions for most of them, which ``math`` calls too).
"""

from __future__ import annotations

import math

from jaxlite._prng import (
    _MIN_NORMAL, _bits_of_f32, f32, _erf_inv_f32, _f32_from_bits, _fma32, _fma64, _log1p_f32,
    _log_f32, _low29_bits, _r32,
)
from jaxlite._prng import _erf_f32 as _prng_erf_f32

_fma = getattr(math, "fma", None)  # Python 3.13+

__all__ = ["exp_f32", "expm1_f32", "expm1_narrow", "tanh_f32", "logistic_f32", "logistic_narrow", "erf_f32",
           "erf_rank0_f32", "erf_inv_f32", "log_f32", "log1p_f32", "sin_f32", "cos_f32"]

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
    c2 = _r32(c * c)
    num = _fma32(c2, _TANH_NUM[0], _TANH_NUM[1])
    for coeff in _TANH_NUM[2:]:
        num = _fma32(c2, num, coeff)
    den = _fma32(c2, _TANH_DEN[0], _TANH_DEN[1])
    for coeff in _TANH_DEN[2:]:
        den = _fma32(c2, den, coeff)
    return _r32(_r32(c * num) / den)


# ---------------------------------------------------------------------------
# erf: odd rational approximation, exactly +-1 from |x| >= 3.8325.

_ERF_ONE = _f32_from_bits(0x407547CB)
_ERF_NUM = _consts(0x39702D51, 0x3B5F5DA2, 0x3D50B6EB, 0x3E3DA740, 0x3F906EBA)
_ERF_DEN = _consts(0xB3FD3906, 0x37C588DF, 0x3A856D28, 0x3C6687D4, 0x3DE34C21, 0x3EFEB44A) + (1.0,)


def erf_f32(x: float) -> float:
    if abs(x) < _MIN_NORMAL:  # a denormal input reads as zero
        return math.copysign(0.0, x)
    if abs(x) >= _ERF_ONE:
        return math.copysign(1.0, x)
    x2 = _r32(x * x)
    num = _fma32(x2, _ERF_NUM[0], _ERF_NUM[1])
    for coeff in _ERF_NUM[2:]:
        num = _fma32(x2, num, coeff)
    den = _fma32(x2, _ERF_DEN[0], _ERF_DEN[1])
    for coeff in _ERF_DEN[2:]:
        den = _fma32(x2, den, coeff)
    return _r32(_r32(x * num) / den)


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
