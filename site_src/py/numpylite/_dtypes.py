"""NumPy's dtypes and its type promotion (NumPy 2, NEP 50), on jaxlite's dtype objects.

A dtype is jaxlite's `DType` (so `jnp.asarray(a).dtype == a.dtype` compares
the same objects); values are Python numbers already rounded to the dtype.
Python scalars are "weak": `int8_array + 1` stays int8, `int8_array + 1000`
raises OverflowError, as in NumPy 2.
"""

from __future__ import annotations

import math

from jaxlite import _dtypes as jd

DType = jd.DType
bool_, float16, float32, float64 = jd.bool_, jd.float16, jd.float32, jd.float64
int8, int16, int32, int64 = jd.int8, jd.int16, jd.int32, jd.int64
uint8, uint16, uint32, uint64 = jd.uint8, jd.uint16, jd.uint32, jd.uint64

NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
         "float16", "float32", "float64")
_ALIASES = {"double": "float64", "single": "float32", "half": "float16", "long": "int64", "intp": "int64",
            "uint": "uint64", "uintp": "uint64", "b": "int8", "h": "int16", "i": "int32", "l": "int64",
            "q": "int64", "B": "uint8", "H": "uint16", "I": "uint32", "L": "uint64", "Q": "uint64",
            "e": "float16", "f": "float32", "d": "float64", "i1": "int8", "i2": "int16", "u2": "uint16",
            "u4": "uint32", "u8": "uint64", "b1": "bool"}


def dtype(x) -> DType:
    """`np.dtype(x)`: the dtype named by a name, a scalar type, a Python type, a dtype or an array."""
    if x is None:
        return float64
    if isinstance(x, str):
        x = _ALIASES.get(x, x)
    try:
        dt = jd.dtype(x)
    except TypeError:
        raise TypeError(f"data type {x!r} not understood") from None
    if dt.name not in NAMES:
        raise TypeError(f"data type {dt.name!r} not understood: NumPy has no {dt.name}")
    return dt


# ------------------------------------------------------------------ promotion
def _smallest_float_for(dt: DType) -> DType:
    """The smallest float that holds every value of an integer (or bool) dtype."""
    if dt.kind == "b" or dt.itemsize == 1:
        return float16
    return float32 if dt.itemsize == 2 else float64


def promote_types(a: DType, b: DType) -> DType:
    """`np.promote_types`: the smallest dtype both can be cast to safely."""
    if a is b:
        return a
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    if a.kind == "f" or b.kind == "f":
        floats = [d if d.kind == "f" else _smallest_float_for(d) for d in (a, b)]
        return max(floats, key=lambda d: d.itemsize)
    if a.kind == b.kind:
        return a if a.itemsize >= b.itemsize else b
    signed, unsigned = (a, b) if a.kind == "i" else (b, a)
    if signed.itemsize > unsigned.itemsize:
        return signed
    if unsigned.itemsize == 8:
        return float64
    return jd.dtype(f"int{unsigned.bits * 2}")


def is_python_scalar(x) -> bool:
    return type(x) in (bool, int, float)


def result_type(operands) -> DType:
    """The dtype of an operation on arrays/NumPy scalars (strong) and Python scalars (weak)."""
    strong = [x.dtype for x in operands if not is_python_scalar(x)]
    weak = [type(x) for x in operands if is_python_scalar(x)]
    if not strong:
        return float64 if float in weak else int64 if int in weak else bool_
    out = strong[0]
    for dt in strong[1:]:
        out = promote_types(out, dt)
    if float in weak and out.kind != "f":
        return float64
    if int in weak and out.kind == "b":
        return int64
    return out


def check_python_ints(operands, dt: DType) -> None:
    """NumPy 2 refuses a Python int that the result's integer dtype cannot hold."""
    if dt.kind not in "iu":
        return
    lo, span = jd._INT_RANGE[dt.name]
    for x in operands:
        if type(x) is int and not lo <= x < lo + span:
            raise OverflowError(f"Python integer {x} out of bounds for {dt.name}")


def float_for(dt: DType) -> DType:
    """The float dtype a math function (sin, sqrt, true division) computes in."""
    return dt if dt.kind == "f" else _smallest_float_for(dt)


# ------------------------------------------------------------------ casting
def rounder(dt: DType):
    """A function that rounds one Python number to a value of `dt`."""
    if dt is float64:
        return float
    if dt.kind == "f":
        return lambda v: jd.round_list(dt, [v])[0]
    if dt.kind == "b":
        return bool
    lo, span = jd._INT_RANGE[dt.name]
    return lambda v: ((int(v) - lo) % span) + lo


def cast_list(values: list, src: DType, dst: DType) -> list:
    """`astype`: floats to ints truncate toward zero (NaN and values out of
    range become the smallest integer, as on x86); other casts round or wrap."""
    if src is dst:
        return list(values)
    if dst.kind == "b":
        return [v != 0 for v in values]
    if dst.kind in "iu" and src.kind == "f":
        lo, span = jd._INT_RANGE[dst.name]
        out = []
        for v in values:
            if math.isfinite(v) and lo <= math.trunc(v) < lo + span:
                out.append(math.trunc(v))
            else:
                out.append(lo if dst.kind == "i" else 0)
        return out
    if dst.kind == "f":
        return jd.round_list(dst, [float(v) for v in values])
    return jd.round_list(dst, [int(v) for v in values])
