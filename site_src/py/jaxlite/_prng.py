"""JAX's pseudo-random numbers, bit for bit, in pure Python.

This module reproduces ``jax.random`` as JAX 0.10.2 computes it in its
default configuration: the ``threefry2x32`` PRNG with
``jax_threefry_partitionable=True`` (its default), 32-bit mode
(``jax_enable_x64=False``; ``seed(n, x64=True)``, 64-bit bits and float64
``uniform`` follow x64 mode), no ``jax_random_seed_offset``, and the
``"low"`` modes of ``bernoulli``/``gumbel``/``categorical``/``choice``.

It works on plain Python data so that it runs anywhere, Pyodide included:

* a key is its raw key data, a tuple ``(k0, k1)`` of two uint32 ints -- what
  ``jax.random.key_data(key)`` holds;
* every sampler returns a flat, row-major Python list for the requested shape:
  ints for integer dtypes, bools for ``bernoulli``, floats already rounded to
  the dtype's precision for float dtypes.

Integer results (keys, bits, ``randint``, ``permutation``, ...) are exact by
construction. Float results follow JAX's algorithm step by step in float32
and replay what XLA:CPU compiles for it: its ``log``, ``log1p``, ``erf`` and
``erf_inv`` kernels, the fused multiply-adds LLVM forms in them on x86-64
CPUs with FMA, flush-to-zero of denormals, and the summation order of
``cumsum``. On such a CPU they equal real JAX's floats exactly (checked on
every float32 uniform value normal, gumbel and exponential can draw). On
GPU/TPU, JAX's own transcendental functions differ in the last bit now and
then, and so do these against them.

This module imports nothing from jaxlite: the array layer wraps it.
"""

from __future__ import annotations

import math
import re
import struct
import sys
from array import array

__all__ = [
    "threefry_2x32", "seed", "split", "split_shape", "fold_in", "random_bits",
    "uniform", "normal", "truncated_normal", "bernoulli", "randint",
    "exponential", "gumbel", "categorical", "permutation", "choice",
    "f32", "round_to",
]

_MASK32 = 0xFFFFFFFF
_FLOAT_DTYPES = ("float16", "float32", "float64")


# ---------------------------------------------------------------------------
# Float rounding: every float32 operation is a float64 operation rounded back.
# (Rounding a correctly rounded double to float32 is itself correctly rounded
# for +, -, *, / and sqrt, because 53 >= 2 * 24 + 2; float16 likewise.)

_F32 = struct.Struct("<f")
_F16 = struct.Struct("<e")
_U32 = struct.Struct("<I")
_U16 = struct.Struct("<H")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")


def f32(x: float, _pack=_F32.pack, _unpack=_F32.unpack) -> float:
    """``x`` rounded to the nearest float32 (ties to even), overflowing to inf."""
    try:
        return _unpack(_pack(x))[0]
    except OverflowError:  # struct refuses what rounds past FLT_MAX; IEEE gives inf
        return math.copysign(math.inf, x)


_MIN_NORMAL = 2.0 ** -126


def _r32(x: float) -> float:
    """The float32 result of an XLA:CPU operation whose exact value is ``x``.

    XLA:CPU runs with flush-to-zero and denormals-are-zero, so results (and
    hence inputs) below float32's smallest normal number become signed zeros.
    """
    r = f32(x)
    if -_MIN_NORMAL < r < _MIN_NORMAL:
        return math.copysign(0.0, r)
    return r


def _f16(x: float) -> float:
    try:
        return _F16.unpack(_F16.pack(x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


_ROUNDERS = {"float32": f32, "float16": _f16, "float64": float}


def round_to(dtype: str, x: float) -> float:
    """``x`` rounded to the float dtype named ``dtype``."""
    return _ROUNDERS[_check_float_dtype(dtype)](x)


def _f32_from_bits(bits: int) -> float:
    return _F32.unpack(_U32.pack(bits))[0]


def _bits_of_f32(x: float) -> int:
    return _U32.unpack(_F32.pack(x))[0]


def _low29_bits(s: float) -> int:
    """The 29 low mantissa bits of the double ``s``: what float32 rounds away."""
    return _U64.unpack(_F64.pack(s))[0] & 0x1FFFFFFF


_MIDPOINT_LOW29 = 0x10000000  # exactly half a float32 ulp


def _fma32(a: float, b: float, c: float) -> float:
    """float32 fused multiply-add ``a*b + c`` with a single rounding.

    XLA:CPU lets LLVM contract a multiply feeding an add into one FMA
    instruction, whose result can differ in the last bit from rounding twice.
    The product of two float32s is exact in a double; the sum is not always,
    and rounding that double to float32 goes wrong only when it lands exactly
    on a float32 midpoint -- then the exact error (TwoSum) breaks the tie.
    (The bit test assumes float32's normal range; FTZ zeroes the rest.)
    """
    p = a * b
    s = p + c
    if _low29_bits(s) != _MIDPOINT_LOW29:
        return _r32(s)
    z = s - p
    err = (p - (s - z)) + (c - z)  # s + err == p + c exactly
    if err == 0.0:
        return _r32(s)
    return _r32(math.nextafter(s, math.inf if err > 0 else -math.inf))


def _max(a: float, b: float) -> float:
    """XLA's maximum: NaN wins."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


def _min(a: float, b: float) -> float:
    if a != a or b != b:
        return math.nan
    return a if a <= b else b


# ---------------------------------------------------------------------------
# Threefry-2x32 (Salmon et al. 2011), 20 rounds, as jax._src.random.threefry2x32.

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def threefry_2x32(k0: int, k1: int, x0: list[int], x1: list[int]) -> tuple[list[int], list[int]]:
    """Hash the counter pairs ``(x0[i], x1[i])`` under the key ``(k0, k1)``.

    All pairs at once: each list becomes one Python integer holding its words
    in 64-bit slots (a word in the low half, zeros above), so one addition,
    xor or shift of those integers is that step for every pair. A sum of two
    words carries at most into its slot's zero half, and a shift by less
    than 32 bits moves bits only into zero halves, which the mask then
    clears: each slot stays exactly the word that threefry computes
    alone, while Python loops over 20 rounds instead of 20 rounds per pair.
    """
    if len(x0) != len(x1):
        raise ValueError(
            f"threefry_2x32 needs two counter lists of the same length, got "
            f"{len(x0)} and {len(x1)}.")
    n = len(x0)
    if n == 0:
        return [], []
    ks = (k0 & _MASK32, k1 & _MASK32, (k0 ^ k1 ^ 0x1BD11BDA) & _MASK32)
    order = sys.byteorder  # array("Q") bytes are native: read them as such, and slots stay slots
    ones = int.from_bytes(array("Q", [1]).tobytes() * n, order)  # 1 in every slot
    mask = ones * _MASK32  # the low 32 bits of every slot

    def pack(words: list[int]) -> int:
        return int.from_bytes(array("Q", [w & _MASK32 for w in words]).tobytes(), order)

    def unpack(value: int) -> list[int]:
        return array("Q", value.to_bytes(8 * n, order)).tolist()

    a = (pack(x0) + ones * ks[0]) & mask
    b = (pack(x1) + ones * ks[1]) & mask
    # After each block of four rounds the key schedule is injected, rotated
    # by one word, plus the block number.
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            a = (a + b) & mask
            b = (((b << r) | (b >> (32 - r))) & mask) ^ a
        a = (a + ones * ks[(i + 1) % 3]) & mask
        b = (b + ones * ((ks[(i + 2) % 3] + i + 1) & _MASK32)) & mask
    return unpack(a), unpack(b)


# ---------------------------------------------------------------------------
# Keys

def _check_key(key) -> tuple[int, int]:
    try:
        k0, k1 = key
    except (TypeError, ValueError):
        raise TypeError(
            f"Expected a PRNG key as two uint32 ints (k0, k1), got {key!r}. "
            f"Make one with seed(n) or split an existing key.") from None
    if not all(isinstance(k, int) and 0 <= k <= _MASK32 for k in (k0, k1)):
        raise TypeError(f"PRNG key words must be ints in [0, 2**32), got {key!r}.")
    return k0, k1


def seed(n: int, x64: bool = False) -> tuple[int, int]:
    """The key of ``jax.random.key(n)`` / ``PRNGKey(n)``.

    JAX turns a Python int into an int64 first (so ``|n| >= 2**63`` is an
    OverflowError), then, in its default 32-bit mode, keeps only the low 32
    bits: the key is ``(0, n mod 2**32)``. With ``x64=True`` (JAX with
    ``jax_enable_x64``) the seed stays 64-bit and the key is its two halves.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"PRNG key seed must be an integer; got {n!r}.")
    if not -2**63 <= n < 2**63:
        raise OverflowError(
            f"Seed {n} does not fit in a 64-bit signed integer, which JAX "
            f"requires; reduce it, e.g. seed(n % 2**32).")
    if not x64:
        return (0, n & _MASK32)
    n &= (1 << 64) - 1
    return (n >> 32, n & _MASK32)


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(shape)
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError(
            f"A shape must be a tuple of non-negative ints, got {shape!r}.")
    return shape


def _iota_counts(size: int) -> tuple[list[int], list[int]]:
    """Counters 0..size-1 as (high, low) uint32 halves of a uint64 iota."""
    return [i >> 32 for i in range(size)], [i & _MASK32 for i in range(size)]


def _hash_iota(key, shape) -> tuple[list[int], list[int]]:
    k0, k1 = _check_key(key)
    hi, lo = _iota_counts(math.prod(shape))
    return threefry_2x32(k0, k1, hi, lo)


def split_shape(key, shape) -> list[tuple[int, int]]:
    """``split(key, shape)``: one new key per element of ``shape``, row-major."""
    bits0, bits1 = _hash_iota(key, _shape(shape))
    return list(zip(bits0, bits1))


def split(key, num: int = 2) -> list[tuple[int, int]]:
    """``jax.random.split(key, num)`` as a list of keys."""
    if isinstance(num, (tuple, list)):
        return split_shape(key, num)
    return split_shape(key, (num,))


def fold_in(key, data: int) -> tuple[int, int]:
    """``jax.random.fold_in(key, data)``; ``data`` must fit in a uint32."""
    k0, k1 = _check_key(key)
    if isinstance(data, bool) or not isinstance(data, int):
        raise TypeError(f"fold_in needs an integer to fold in, got {data!r}.")
    if not 0 <= data <= _MASK32:
        raise OverflowError(
            f"fold_in data {data} is out of bounds for uint32; JAX accepts "
            f"0 <= data < 2**32 (use data % 2**32 to wrap it).")
    # JAX seeds a key from data (0, data) and hashes it as one counter pair.
    (a,), (b,) = threefry_2x32(k0, k1, [0], [data])
    return (a, b)


def random_bits(key, bit_width: int, shape) -> list[int]:
    """``jax.random.bits``: unsigned ints of ``bit_width`` bits, flat row-major."""
    if bit_width not in (8, 16, 32, 64):
        raise ValueError(f"bit_width must be 8, 16, 32 or 64, got {bit_width!r}.")
    bits0, bits1 = _hash_iota(key, _shape(shape))
    if bit_width == 64:
        return [(a << 32) | b for a, b in zip(bits0, bits1)]
    mask = (1 << bit_width) - 1
    return [(a ^ b) & mask for a, b in zip(bits0, bits1)]


# ---------------------------------------------------------------------------
# XLA:CPU's float32 kernels. Constants are float32 bit patterns; the order of
# operations and which multiply-adds are fused follow the compiled code.

_LOG_POLY = tuple(map(_f32_from_bits, (
    0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A,   # Cephes logf polynomial, split
    0xBDFE5D4F, 0x3E11E9BF, 0xBE2AAE50,   # into three interleaved Horner
    0x3E4CCEAC, 0xBE7FFFFC, 0x3EAAAAAA)))  # chains of x**3 steps
_LN2_LO = _f32_from_bits(0xB95E8083)
_LN2_HI = _f32_from_bits(0x3F318000)
_SQRT_HALF = _f32_from_bits(0x3F3504F3)


def _log_f32(z: float) -> float:
    """XLA:CPU ``log`` for float32: exponent split plus Cephes polynomial."""
    if -_MIN_NORMAL < z < _MIN_NORMAL:  # zero, or a denormal XLA:CPU reads as zero
        return -math.inf
    if z != z or z < 0.0:
        return math.nan
    if z == math.inf:
        return math.inf
    bits = _bits_of_f32(z)
    e = float((bits >> 23) - 127) + 1.0
    m = _f32_from_bits((bits & 0x807FFFFF) | 0x3F000000)  # z = m * 2**e, m in [0.5, 1)
    if m < _SQRT_HALF:
        x, e = (m - 1.0) + m, e - 1.0  # exact: keeps x in [sqrt(.5)-1, sqrt(2)-1)
    else:
        x = m - 1.0
    c = _LOG_POLY
    x2 = _r32(x * x)
    x3 = _r32(x2 * x)
    y0 = _fma32(_fma32(x, c[0], c[1]), x, c[2])
    y1 = _fma32(_fma32(x, c[3], c[4]), x, c[5])
    y2 = _fma32(_fma32(x, c[6], c[7]), x, c[8])
    y1 = _fma32(y0, x3, y1)
    y2 = _fma32(y1, x3, y2)
    tail = _fma32(y2, x3, _r32(e * _LN2_LO))
    head = _r32(x - x2 * 0.5)
    return _fma32(e, _LN2_HI, _r32(head + tail))


_LOG1P_DEN = tuple(map(_f32_from_bits, (
    0x417101AD, 0x42A6185B, 0x435DC32D, 0x439A8CA3, 0x43586D8A, 0x42707982)))
_LOG1P_NUM = (_r32(4.527e-05),) + tuple(map(_f32_from_bits, (
    0x3EFF40C5, 0x40D284FA, 0x41EF4B9C, 0x4273CC76, 0x426473AD, 0x41A05101)))
_LOG1P_SMALL = _f32_from_bits(0x3ED413CD)  # sqrt(2) - 1


def _log1p_f32(y: float) -> float:
    """XLA:CPU ``log1p`` for float32: a rational approximation near 0."""
    if not abs(y) < _LOG1P_SMALL:
        return _log_f32(_r32(y + 1.0))
    y2 = _r32(y * y)
    den = 1.0
    for coeff in _LOG1P_DEN:
        den = _fma32(den, y, coeff)
    num = _LOG1P_NUM[0]
    for coeff in _LOG1P_NUM[1:]:
        num = _fma32(num, y, coeff)
    ratio = _r32(num / den)
    return _r32(y + _fma32(y2, -0.5, _r32(_r32(y * y2) * ratio)))


_ERF_INV_SMALL_W = tuple(map(f32, (  # w < 5 (Giles 2010, single precision)
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
    0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)))
_ERF_INV_LARGE_W = tuple(map(f32, (
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
    0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)))


def _erf_inv_f32(x: float) -> float:
    """``lax.erf_inv`` for float32 as StableHLO expands it, on XLA:CPU."""
    w = -_log1p_f32(_r32(x * -x))
    if w < 5.0:
        coeffs, z = _ERF_INV_SMALL_W, _r32(w - 2.5)
    else:
        coeffs, z = _ERF_INV_LARGE_W, _r32(_r32(math.sqrt(w)) - 3.0)  # w >= 5 or NaN
    p = coeffs[0]
    for coeff in coeffs[1:]:
        p = _fma32(p, z, coeff)
    if abs(x) == 1.0:
        return x * math.inf
    return _r32(p * x)


# A double exactly on a float32 midpoint: its 29 low mantissa bits are 1000...0
# (little-endian bytes, found by the C regex engine; kept at aligned offsets).
_F64_MIDPOINT = re.compile(rb"(?=\x00\x00\x00[\x10\x30\x50\x70\x90\xb0\xd0\xf0])")


def _r32_list(xs: list) -> list:
    """``_r32`` of every element, the rounding done in C by array('f')."""
    out = array("f", xs).tolist()
    smallest = min(map(abs, out), default=1.0)
    if not smallest >= _MIN_NORMAL and any(0.0 < abs(v) < _MIN_NORMAL for v in out):   # (NaN: scan)
        out = [math.copysign(0.0, v) if abs(v) < _MIN_NORMAL else v for v in out]   # XLA:CPU's FTZ
    return out


def _fma32_list(a: list, b, c) -> list:
    """``_fma32`` elementwise; ``b`` and ``c`` are lists or one float each.
    The sums are rounded to float32 in one C pass; the rare sums that land
    exactly on a float32 midpoint (where that double rounding may be wrong)
    are redone one by one."""
    if isinstance(b, list):
        s = [x * y + z for x, y, z in zip(a, b, c)] if isinstance(c, list) else [x * y + c for x, y in zip(a, b)]
    else:
        s = [x * b + z for x, z in zip(a, c)] if isinstance(c, list) else [x * b + c for x in a]
    out = _r32_list(s)
    for m in _F64_MIDPOINT.finditer(array("d", s).tobytes()):
        i, r = divmod(m.start(), 8)
        if not r:
            out[i] = _fma32(a[i], b[i] if isinstance(b, list) else b, c[i] if isinstance(c, list) else c)
    return out


def _log_f32_list(zs: list) -> list:
    """``_log_f32`` of positive, normal, finite float32s, in list passes."""
    bits = array("I", array("f", zs).tobytes())
    es = [float((b >> 23) - 127) + 1.0 for b in bits]
    ms = array("f", array("I", [(b & 0x807FFFFF) | 0x3F000000 for b in bits]).tobytes()).tolist()
    low = [m < _SQRT_HALF for m in ms]
    x = [(m - 1.0) + m if lo else m - 1.0 for m, lo in zip(ms, low)]
    e = [v - 1.0 if lo else v for v, lo in zip(es, low)]
    c = _LOG_POLY
    x2 = _r32_list([v * v for v in x])
    x3 = _r32_list([a * b for a, b in zip(x2, x)])
    y0 = _fma32_list(_fma32_list(x, c[0], c[1]), x, c[2])
    y1 = _fma32_list(_fma32_list(x, c[3], c[4]), x, c[5])
    y2 = _fma32_list(_fma32_list(x, c[6], c[7]), x, c[8])
    y1 = _fma32_list(y0, x3, y1)
    y2 = _fma32_list(y1, x3, y2)
    tail = _fma32_list(y2, x3, _r32_list([v * _LN2_LO for v in e]))
    head = _r32_list([a - b * 0.5 for a, b in zip(x, x2)])
    return _fma32_list(e, _LN2_HI, _r32_list([a + b for a, b in zip(head, tail)]))


def _log1p_f32_list(ys: list) -> list:
    """``_log1p_f32`` of float32s in (-1, inf), in list passes."""
    out = [None] * len(ys)
    near = [i for i, y in enumerate(ys) if -_LOG1P_SMALL < y < _LOG1P_SMALL]
    if near:
        y = [ys[i] for i in near]
        y2 = _r32_list([v * v for v in y])
        den = [1.0] * len(y)
        for coeff in _LOG1P_DEN:
            den = _fma32_list(den, y, coeff)
        num = [_LOG1P_NUM[0]] * len(y)
        for coeff in _LOG1P_NUM[1:]:
            num = _fma32_list(num, y, coeff)
        ratio = _r32_list([n / d for n, d in zip(num, den)])
        t = _r32_list([u * v for u, v in zip(_r32_list([a * b for a, b in zip(y, y2)]), ratio)])
        for i, v in zip(near, _r32_list([a + b for a, b in zip(y, _fma32_list(y2, -0.5, t))])):
            out[i] = v
    far = [i for i, v in enumerate(out) if v is None]
    if far:
        zs = _r32_list([ys[i] + 1.0 for i in far])
        ok = [k for k, z in enumerate(zs) if _MIN_NORMAL <= z < math.inf]
        for k, v in zip(ok, _log_f32_list([zs[k] for k in ok])):
            out[far[k]] = v
        for k, z in enumerate(zs):
            if out[far[k]] is None:
                out[far[k]] = _log_f32(z)
    return out


def _erf_inv_f32_list(xs: list) -> list:
    """``_erf_inv_f32`` of every element, bit for bit, in list passes (the
    elements |x| = 1 and NaN through the scalar code)."""
    xs = _r32_list(xs)
    out = [None] * len(xs)
    inner = [i for i, x in enumerate(xs) if -1.0 < x < 1.0]
    if inner:
        xi = [xs[i] for i in inner]
        w = [-v for v in _log1p_f32_list(_r32_list([x * -x for x in xi]))]
        for coeffs, pick, shift in ((_ERF_INV_SMALL_W, lambda v: v < 5.0, lambda v: v - 2.5),
                                    (_ERF_INV_LARGE_W, lambda v: not v < 5.0, lambda v: _r32(math.sqrt(v)) - 3.0)):
            ks = [k for k, v in enumerate(w) if pick(v)]
            if not ks:
                continue
            z = _r32_list([shift(w[k]) for k in ks])
            p = [coeffs[0]] * len(z)
            for coeff in coeffs[1:]:
                p = _fma32_list(p, z, coeff)
            for k, v in zip(ks, _r32_list([a * xi[k] for a, k in zip(p, ks)])):
                out[inner[k]] = v
    return [_erf_inv_f32(x) if v is None else v for x, v in zip(xs, out)]


_ERF_CLAMP = _f32_from_bits(0x406F9C68)
_ERF_NUM = tuple(map(_f32_from_bits, (0x39702D51, 0x3B5F5DA2, 0x3D50B6EB, 0x3E3DA740, 0x3F906EBA)))
_ERF_DEN = tuple(map(_f32_from_bits, (
    0xB3FD3906, 0x37C588DF, 0x3A856D28, 0x3C6687D4, 0x3DE34C21, 0x3EFEB44A))) + (1.0,)


def _odd_rational_f32(x: float, x2: float, num_coeffs, den_coeffs) -> float:
    """``x * P(x2) / Q(x2)`` in float32, each polynomial by Horner's rule with
    fused multiply-adds: the shape of XLA:CPU's erf and tanh kernels."""
    num = _fma32(x2, num_coeffs[0], num_coeffs[1])
    for coeff in num_coeffs[2:]:
        num = _fma32(x2, num, coeff)
    den = _fma32(x2, den_coeffs[0], den_coeffs[1])
    for coeff in den_coeffs[2:]:
        den = _fma32(x2, den, coeff)
    return _r32(_r32(x * num) / den)


def _erf_f32(x: float) -> float:
    """XLA:CPU ``erf`` for float32: clamped odd rational approximation."""
    if abs(x) >= _ERF_CLAMP:
        return math.copysign(1.0, x)
    x = _min(_max(x, -_ERF_CLAMP), _ERF_CLAMP)
    return _odd_rational_f32(x, _r32(x * x), _ERF_NUM, _ERF_DEN)


# ---------------------------------------------------------------------------
# Distributions


def _check_float_dtype(dtype: str) -> str:
    if dtype not in _FLOAT_DTYPES:
        raise ValueError(
            f"Expected a float dtype ({', '.join(_FLOAT_DTYPES)}), got {dtype!r}.")
    return dtype


def _unit_floats(key, shape, dtype: str) -> list[float]:
    """Floats in [0, 1): random mantissa bits under the exponent of 1.0, minus 1."""
    if dtype == "float32":
        return [_f32_from_bits((b >> 9) | 0x3F800000) - 1.0
                for b in random_bits(key, 32, shape)]
    if dtype == "float16":
        return [_F16.unpack(_U16.pack((b >> 6) | 0x3C00))[0] - 1.0
                for b in random_bits(key, 16, shape)]
    return [_F64.unpack(_U64.pack((b >> 12) | 0x3FF0000000000000))[0] - 1.0
            for b in random_bits(key, 64, shape)]


def _fma64(a: float, b: float, c: float) -> float:
    fma = getattr(math, "fma", None)  # Python 3.13+
    if fma is not None:
        return fma(a, b, c)
    from fractions import Fraction
    if not all(map(math.isfinite, (a, b, c))):
        return a * b + c
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def uniform(key, shape=(), dtype: str = "float32", minval: float = 0.0,
            maxval: float = 1.0) -> list[float]:
    """``jax.random.uniform``: floats in ``[minval, maxval)``.

    The scale-and-shift is one fused multiply-add on XLA:CPU for float32 and
    float64; float16 is computed in float32 (the product of two float16s is
    exact there) and rounded to float16 once.
    """
    shape, dtype = _shape(shape), _check_float_dtype(dtype)
    rnd = _r32 if dtype == "float32" else _ROUNDERS[dtype]
    lo, hi = rnd(minval), rnd(maxval)
    span = rnd(hi - lo)
    units = _unit_floats(key, shape, dtype)
    if dtype == "float32":
        return [_max(lo, _fma32(u, span, lo)) for u in units]
    if dtype == "float16":
        return [_max(lo, _f16(f32(u * span + lo))) for u in units]
    return [_max(lo, _fma64(u, span, lo)) for u in units]


_SQRT2_F32 = _r32(math.sqrt(2.0))
_NORMAL_LO_F32 = _f32_from_bits(0xBF7FFFFF)  # nextafter(-1, 0) in float32
_NORMAL_LO_F16 = _F16.unpack(_U16.pack(0xBBFF))[0]


def normal(key, shape=(), dtype: str = "float32") -> list[float]:
    """``jax.random.normal``: ``sqrt(2) * erf_inv(u)``, u uniform in (-1, 1).

    float16 samples its uniform in float16 and, like XLA, evaluates erf_inv
    in float32. float64 (JAX with x64 only) is not supported.
    """
    shape, dtype = _shape(shape), _check_float_dtype(dtype)
    if dtype == "float32":
        us = uniform(key, shape, dtype, _NORMAL_LO_F32, 1.0)
        return [_r32(_erf_inv_f32(u) * _SQRT2_F32) for u in us]
    if dtype == "float16":
        us = uniform(key, shape, dtype, _NORMAL_LO_F16, 1.0)
        sqrt2 = _f16(math.sqrt(2.0))
        return [_f16(_f16(_erf_inv_f32(u)) * sqrt2) for u in us]
    raise NotImplementedError(
        "normal() in float64 needs JAX's x64 mode, which jaxlite does not "
        "emulate; use float32 (the default).")


def _nextafter_f32(x: float, toward: float) -> float:
    if x != x or x == toward:
        return x
    if x == 0.0:
        return math.copysign(_f32_from_bits(1), toward)
    bits = _bits_of_f32(x)
    step = 1 if (toward > x) == (x > 0) else -1
    return _f32_from_bits(bits + step)


def truncated_normal(key, lower: float, upper: float, shape=(),
                     dtype: str = "float32") -> list[float]:
    """``jax.random.truncated_normal`` for scalar bounds, float32.

    Samples ``u`` uniformly between erf(lower/sqrt 2) and erf(upper/sqrt 2),
    maps it back with erf_inv, and clips into the open interval.
    """
    shape = _shape(shape)
    if dtype != "float32":
        raise NotImplementedError(
            f"truncated_normal is implemented for float32 only, got {dtype!r}.")
    lower, upper = _r32(lower), _r32(upper)
    inv_sqrt2 = _r32(1.0 / _SQRT2_F32)  # XLA turns the division into this product
    a = _erf_f32(_r32(lower * inv_sqrt2))
    b = _erf_f32(_r32(upper * inv_sqrt2))
    lo_clip = _nextafter_f32(lower, math.inf)
    hi_clip = _nextafter_f32(upper, -math.inf)
    out = []
    for u in uniform(key, shape, "float32", a, b):
        x = _r32(_SQRT2_F32 * _erf_inv_f32(u))
        out.append(_min(hi_clip, _max(lo_clip, x)))
    return out


def _broadcast(values: list, from_shape: tuple, to_shape: tuple) -> list:
    """Numpy-style broadcast of a flat row-major list to ``to_shape``."""
    from_shape, to_shape = tuple(from_shape), tuple(to_shape)
    if from_shape == to_shape:
        return list(values)
    pad = len(to_shape) - len(from_shape)
    if pad < 0 or any(f not in (1, t) for f, t in zip(from_shape, to_shape[pad:])):
        raise ValueError(
            f"Cannot broadcast shape {from_shape} to {to_shape}: each "
            f"dimension must match or be 1.")
    src = (1,) * pad + from_shape
    strides, acc = [], 1
    for d in reversed(src):
        strides.append(acc)
        acc *= d
    strides = [0 if d == 1 else s for d, s in zip(src, reversed(strides))]
    out = []
    for flat in range(math.prod(to_shape)):
        offset, rem = 0, flat
        for dim, stride in zip(reversed(to_shape), reversed(strides)):
            rem, i = divmod(rem, dim)
            offset += i * stride
        out.append(values[offset])
    return out


def bernoulli(key, p=0.5, shape=None, p_shape=None) -> list[bool]:
    """``jax.random.bernoulli`` (mode "low"): ``uniform(key, shape) < p``.

    ``p`` is a float or a flat list of floats of shape ``p_shape`` (default:
    1-D); ``shape`` defaults to ``p``'s shape.
    """
    if isinstance(p, (int, float)):
        probs, p_shape = [p], ()
    else:
        probs = list(p)
        p_shape = (len(probs),) if p_shape is None else _shape(p_shape)
    if not all(isinstance(q, float) for q in probs):
        raise TypeError(
            f"bernoulli probability `p` must be a float (as in JAX, an int is "
            f"refused), got {p!r}; write 1.0 instead of 1.")
    probs = [_r32(q) for q in probs]
    shape = p_shape if shape is None else _shape(shape)
    probs = _broadcast(probs, p_shape, shape)
    return [u < q for u, q in zip(uniform(key, shape, "float32"), probs)]


_INT_RANGES = {
    "int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1),
    "int32": (-2**31, 2**31 - 1), "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1),
}
_INT32_MIN, _INT32_MAX = _INT_RANGES["int32"]


def _wrap_int(dtype: str, v: int) -> int:
    """``v`` cast to an integer dtype: two's-complement wrap-around."""
    lo, hi = _INT_RANGES[dtype]
    return (v - lo) % (hi - lo + 1) + lo


def _urem(a: int, b: int) -> int:
    return a if b == 0 else a % b  # XLA: x % 0 == x for unsigned ints


def randint(key, shape, minval: int, maxval: int, dtype: str = "int32") -> list[int]:
    """``jax.random.randint``: ints in ``[minval, maxval)``, JAX's modulus method.

    Python-int bounds must fit in int32 (as in JAX's default mode). dtypes
    narrower than 32 bits are sampled in int32 and then cast, as JAX does.
    """
    shape = _shape(shape)
    if dtype not in _INT_RANGES:
        raise ValueError(
            f"randint supports the dtypes {', '.join(_INT_RANGES)}, got {dtype!r} "
            f"(64-bit ints need JAX's x64 mode).")
    for name, v in (("minval", minval), ("maxval", maxval)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"randint {name} must be an int, got {v!r}.")
        if not _INT32_MIN <= v <= _INT32_MAX:
            raise OverflowError(
                f"randint {name}={v} does not fit in int32, which JAX requires "
                f"for Python ints in its default 32-bit mode.")
    lo_t, hi_t = _INT_RANGES[dtype]
    sample_dtype = dtype
    if dtype in ("int8", "int16", "uint8", "uint16"):
        # Sampled in int32 to avoid bias, with bounds clipped to the dtype.
        sample_dtype = "int32"
        minval = min(max(minval, lo_t), hi_t)
        maxval = min(max(maxval, lo_t), hi_t + 1)
    samples = _randint32(key, shape, minval, maxval, sample_dtype)
    return [_wrap_int(dtype, v) for v in samples]


def _randint32(key, shape, minval: int, maxval: int, dtype: str) -> list[int]:
    """JAX's ``_randint`` for a 32-bit dtype with int32-typed bounds."""
    lo_t, hi_t = _INT_RANGES[dtype]
    maxval_out_of_range = maxval > min(hi_t, _INT32_MAX)
    lo = min(max(minval, max(lo_t, _INT32_MIN)), min(hi_t, _INT32_MAX))
    hi = min(max(maxval, max(lo_t, _INT32_MIN)), min(hi_t, _INT32_MAX))
    k1, k2 = split(key)
    higher_bits = random_bits(k1, 32, shape)
    lower_bits = random_bits(k2, 32, shape)
    span = (hi - lo) & _MASK32
    if hi <= lo:
        span = 1  # empty range: always return minval (jax-ml/jax#222)
    elif maxval_out_of_range:
        span = (span + 1) & _MASK32
    # (higher * 2**32 + lower) % span without 64-bit ints: 2**32 % span, squared.
    multiplier = _urem(2 ** 16, span)
    multiplier = _urem((multiplier * multiplier) & _MASK32, span)
    out = []
    for h, l in zip(higher_bits, lower_bits):
        offset = ((_urem(h, span) * multiplier) + _urem(l, span)) & _MASK32
        out.append(_wrap_int(dtype, lo + _urem(offset, span)))
    return out


def exponential(key, shape=(), dtype: str = "float32") -> list[float]:
    """``jax.random.exponential``: ``-log1p(-u)`` for u uniform in [0, 1)."""
    shape = _shape(shape)
    if dtype != "float32":
        raise NotImplementedError(
            f"exponential is implemented for float32 only, got {dtype!r}.")
    return [-_log1p_f32(-u) for u in uniform(key, shape, "float32")]


_TINY_F32 = _MIN_NORMAL


def gumbel(key, shape=(), dtype: str = "float32") -> list[float]:
    """``jax.random.gumbel`` (mode "low"): ``-log(-log(u))``, u in [tiny, 1)."""
    shape = _shape(shape)
    if dtype != "float32":
        raise NotImplementedError(
            f"gumbel is implemented for float32 only, got {dtype!r}.")
    us = uniform(key, shape, "float32", _TINY_F32, 1.0)
    return [-_log_f32(-_log_f32(u)) for u in us]


def _normalize_axis(axis: int, ndim: int) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for an array with {ndim} dimensions.")
    return axis % ndim


def _argmax_axis(values: list[float], shape: tuple, axis: int) -> list[int]:
    """``jnp.argmax`` along ``axis``: first maximum, NaN counts as the maximum."""
    outer = math.prod(shape[:axis])
    n = shape[axis]
    inner = math.prod(shape[axis + 1:])
    out = []
    for o in range(outer):
        for i in range(inner):
            base = o * n * inner + i
            best, best_j = values[base], 0
            for j in range(1, n):
                v = values[base + j * inner]
                if best != best:
                    break
                if v > best or v != v:
                    best, best_j = v, j
            out.append(best_j)
    return out


def categorical(key, logits: list[float], logits_shape=None, axis: int = -1,
                shape=None) -> list[int]:
    """``jax.random.categorical`` (replace=True): the Gumbel-max trick.

    ``logits`` is a flat row-major list of shape ``logits_shape`` (default
    1-D); returns int32 class indices of shape ``shape`` (default: the logits'
    shape without ``axis``).
    """
    logits = [_r32(v) for v in logits]
    logits_shape = (len(logits),) if logits_shape is None else _shape(logits_shape)
    ndim = len(logits_shape)
    axis_n = _normalize_axis(axis, ndim)
    batch_shape = logits_shape[:axis_n] + logits_shape[axis_n + 1:]
    shape = batch_shape if shape is None else _shape(shape)
    if len(shape) < len(batch_shape) or _broadcast_shape(shape, batch_shape) != shape:
        raise ValueError(
            f"categorical shape {shape} must end with the logits' batch shape "
            f"{batch_shape} (broadcast-compatible).")
    prefix = shape[:len(shape) - len(batch_shape)]
    sample_shape = list(shape[len(prefix):])
    sample_shape.insert(axis_n, logits_shape[axis_n])
    full_shape = prefix + tuple(sample_shape)
    noise = gumbel(key, full_shape, "float32")
    expanded = _broadcast(logits, (1,) * len(prefix) + logits_shape, full_shape)
    scores = [_r32(g + l) for g, l in zip(noise, expanded)]
    return _argmax_axis(scores, full_shape, len(prefix) + axis_n)


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y) if 1 in (x, y) else x)
    return tuple(out)


def _shuffle_rounds(size: int) -> int:
    # tjablin@'s heuristic in jax._src.random._shuffle: enough rounds of
    # 32-bit sort keys that collisions are unlikely to bias the permutation.
    return math.ceil(3 * math.log(max(1, size)) / math.log(_MASK32))


def _shuffle(key, values: list, shape: tuple, axis: int) -> list:
    """Sort ``values`` along ``axis`` by fresh random uint32 keys, stably, a few times."""
    outer = math.prod(shape[:axis])
    n = shape[axis]
    inner = math.prod(shape[axis + 1:])
    values = list(values)
    for _ in range(_shuffle_rounds(len(values))):
        key, subkey = split(key)
        sort_keys = random_bits(subkey, 32, shape)
        for o in range(outer):
            for i in range(inner):
                idx = [o * n * inner + j * inner + i for j in range(n)]
                order = sorted(range(n), key=lambda j: sort_keys[idx[j]])
                picked = [values[idx[j]] for j in order]
                for pos, v in zip(idx, picked):
                    values[pos] = v
    return values


def permutation(key, x, axis: int = 0, independent: bool = False, x_shape=None) -> list:
    """``jax.random.permutation``.

    ``x`` is an int n (shuffle ``range(n)``) or a flat row-major list of shape
    ``x_shape`` (default 1-D). Rows along ``axis`` move together unless
    ``independent`` shuffles each one separately.
    """
    if isinstance(x, int) and not isinstance(x, bool):
        if x < 0:
            raise ValueError(f"permutation of a negative count {x} is undefined.")
        return _shuffle(key, list(range(x)), (x,), 0)
    values = list(x)
    shape = (len(values),) if x_shape is None else _shape(x_shape)
    if math.prod(shape) != len(values) or not shape:
        raise ValueError(
            f"permutation needs a list whose length matches x_shape with at "
            f"least one dimension, got {len(values)} values for shape {shape}.")
    axis = _normalize_axis(axis, len(shape))
    if independent or len(shape) == 1:
        return _shuffle(key, values, shape, axis)
    order = _shuffle(key, list(range(shape[axis])), (shape[axis],), 0)
    return _take_along(values, shape, axis, order)


def _take_along(values: list, shape: tuple, axis: int, indices: list[int]) -> list:
    outer = math.prod(shape[:axis])
    n = shape[axis]
    inner = math.prod(shape[axis + 1:])
    out = []
    for o in range(outer):
        for j in indices:
            start = (o * n + j) * inner
            out.extend(values[start:start + inner])
    return out


_SCAN_ROW = 16


def _cumsum_f32(values: list[float]) -> list[float]:
    """``jnp.cumsum`` in float32, summing in XLA:CPU's order.

    XLA rewrites a long cumulative sum into rows of 16: a running sum inside
    each row, plus the (recursively computed) sum of all earlier rows.
    """
    if len(values) <= _SCAN_ROW:
        out, acc = [], 0.0
        for v in values:
            acc = _r32(acc + v)
            out.append(acc)
        return out
    rows = [_cumsum_f32(values[i:i + _SCAN_ROW]) for i in range(0, len(values), _SCAN_ROW)]
    before = [0.0] + _cumsum_f32([row[-1] for row in rows])[:-1]
    return [_r32(v + offset) for row, offset in zip(rows, before) for v in row]


def choice(key, a: int, shape=(), replace: bool = True, p=None) -> list[int]:
    """``jax.random.choice`` for an integer population ``range(a)``.

    Returns int32 indices of shape ``shape``. ``p`` (a list of ``a``
    probabilities) selects inverse-CDF sampling (with replacement) or the
    Gumbel top-k trick (without).
    """
    shape = _shape(shape)
    n_draws = math.prod(shape)
    if isinstance(a, bool) or not isinstance(a, int):
        raise TypeError(f"choice population must be an int here, got {a!r}.")
    if n_draws == 0:
        return []
    if a <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > a:
        raise ValueError(
            f"Cannot take a larger sample (size {n_draws}) than population "
            f"(size {a}) when 'replace=False'")
    if p is None:
        if replace:
            return randint(key, shape, 0, a)
        return permutation(key, a)[:n_draws]
    probs = [_r32(v) for v in p]
    if len(probs) != a:
        raise ValueError(
            f"p must be None or a 1D vector with the same size as a.shape[axis]. "
            f"p has shape ({len(probs)},) and a.shape[axis] is {a}.")
    if replace:
        cdf = _cumsum_f32(probs)
        total = cdf[-1]
        targets = [_r32(total * _r32(1.0 - u)) for u in uniform(key, shape, "float32")]
        return [_searchsorted_left(cdf, r) for r in targets]
    scores = [_r32(g + _log_f32(q)) for g, q in zip(gumbel(key, (a,), "float32"), probs)]
    ranked = sorted(range(a), key=lambda i: _descending_key(scores[i]))
    return ranked[:n_draws]


def _searchsorted_left(sorted_values: list[float], v: float) -> int:
    lo, hi = 0, len(sorted_values)
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] < v:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _descending_key(v: float):
    # top_k ranks NaN above everything, then larger values first.
    return (0, 0.0) if v != v else (1, -v)
