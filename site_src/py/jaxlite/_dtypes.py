"""Dtypes, JAX's type promotion and rounding values to a dtype.

NumPy is not available in the browser, so a dtype here is a small object
that prints like NumPy's (`dtype('float32')`) and compares equal to its name
and to the scalar type (`jnp.float32`). Values are plain Python numbers,
rounded to the dtype after every operation.
"""

from __future__ import annotations

import array
import math
import struct

from jaxlite import _config


class DType:
    """A dtype such as float32: its name, kind ('b', 'i', 'u', 'f') and size."""

    __slots__ = ("name", "kind", "itemsize")

    def __init__(self, name: str, kind: str, itemsize: int):
        self.name, self.kind, self.itemsize = name, kind, itemsize

    def __repr__(self) -> str:
        return f"dtype('{self.name}')"

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        try:
            return self is dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def type(self):
        return SCALAR_TYPES[self.name]

    @property
    def bits(self) -> int:
        return 8 * self.itemsize

    @property
    def short(self) -> str:
        """The name in a jaxpr: f32, i32, bool, u8."""
        return "bool" if self.kind == "b" else f"{self.kind}{self.bits}"

    def __reduce__(self):
        return (dtype, (self.name,))


_ALL = {}
for _name, _kind, _size in [
    ("bool", "b", 1), ("int8", "i", 1), ("int16", "i", 2), ("int32", "i", 4), ("int64", "i", 8),
    ("uint8", "u", 1), ("uint16", "u", 2), ("uint32", "u", 4), ("uint64", "u", 8),
    ("float16", "f", 2), ("bfloat16", "f", 2), ("float32", "f", 4), ("float64", "f", 8),
]:
    _ALL[_name] = DType(_name, _kind, _size)

bool_ = _ALL["bool"]
int8, int16, int32, int64 = (_ALL[n] for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_ALL[n] for n in ("uint8", "uint16", "uint32", "uint64"))
float16, bfloat16, float32, float64 = (_ALL[n] for n in ("float16", "bfloat16", "float32", "float64"))

_ALIASES = {"float": "float64", "int": "int64", "bool_": "bool", "f4": "float32", "f8": "float64",
            "i4": "int32", "i8": "int64", "f2": "float16", "u1": "uint8", "?": "bool"}

SCALAR_TYPES: dict = {}  # name -> the scalar type class (jnp.float32), filled by jaxlite.numpy


def dtype(x) -> DType:
    """The DType named by a DType, a name, a scalar type, a Python type or an array."""
    if isinstance(x, DType):
        return x
    if isinstance(x, str):
        name = _ALIASES.get(x, x)
        if name in _ALL:
            return _ALL[name]
        raise TypeError(f"data type {x!r} not understood")
    if x is float:
        return float64
    if x is int:
        return int64
    if x is bool:
        return bool_
    own = getattr(x, "dtype", None)
    if isinstance(own, DType):
        return own
    if isinstance(x, type) and getattr(x, "_jaxlite_dtype", None) is not None:
        return x._jaxlite_dtype
    raise TypeError(f"Cannot interpret '{x!r}' as a data type")


def canonicalize(dt: DType) -> DType:
    """JAX's 32-bit default: 64-bit types become 32-bit unless x64 is on."""
    if _config.x64_enabled():
        return dt
    return {"int64": int32, "uint64": uint32, "float64": float32}.get(dt.name, dt)


def default_float() -> DType:
    return float64 if _config.x64_enabled() else float32


def default_int() -> DType:
    return int64 if _config.x64_enabled() else int32


def is_float(dt: DType) -> bool:
    return dt.kind == "f"


def is_int(dt: DType) -> bool:
    return dt.kind in "iu"


# ---------------------------------------------------------------- promotion
# JAX's type promotion lattice (jax/_src/dtypes.py): each type and the types
# directly above it. "i*" and "f*" are the weak types of Python ints/floats.
_LATTICE = {
    "bool": ["i*"],
    "i*": ["uint8", "int8"],
    "uint8": ["uint16", "int16"], "uint16": ["uint32", "int32"], "uint32": ["uint64", "int64"], "uint64": ["f*"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["f*"],
    "f*": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64"], "float64": [],
}


def _upper(node: str) -> set:
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(_LATTICE[n])
    return seen


_UPPER = {n: _upper(n) for n in _LATTICE}


def _node(dt: DType, weak: bool) -> str:
    if weak and dt.kind in "iu":
        return "i*"
    if weak and dt.kind == "f":
        return "f*"
    return dt.name


def promote(*typed: tuple[DType, bool]) -> tuple[DType, bool]:
    """The (dtype, weak_type) of an operation on operands of these (dtype, weak) kinds."""
    if any(dt.kind == "K" for dt, _ in typed):  # typed PRNG keys join only keys
        if len({dt for dt, _ in typed}) > 1:
            raise TypeError(f"Cannot combine dtypes {', '.join(dt.name for dt, _ in typed)}: PRNG keys mix only "
                            "with keys.")
        return typed[0][0], False
    nodes = {_node(dt, weak) for dt, weak in typed}
    common = set.intersection(*(_UPPER[n] for n in nodes))
    lub = next(n for n in common if all(m in _UPPER[n] for m in common))
    if lub == "i*":
        return default_int(), True
    if lub == "f*":
        return default_float(), True
    return canonicalize(_ALL[lub]), False


def promote_types(a, b) -> DType:
    """`jnp.promote_types`: promotion of two strong dtypes (x64 rules, like NumPy's API)."""
    nodes = {dtype(a).name, dtype(b).name}
    common = set.intersection(*(_UPPER[n] for n in nodes))
    lub = next(n for n in common if all(m in _UPPER[n] for m in common))
    return _ALL[{"i*": "int64", "f*": "float64"}.get(lub, lub)]


# ---------------------------------------------------------------- rounding
_INT_RANGE = {dt.name: ((-(1 << (dt.bits - 1)), 1 << dt.bits) if dt.kind == "i" else (0, 1 << dt.bits))
              for dt in _ALL.values() if dt.kind in "iu"}


def round_list(dt: DType, values: list) -> list:
    """Values represented exactly in `dt`: floats rounded, ints wrapped."""
    kind = dt.kind
    if kind == "f":
        if dt.name == "float32":
            return array.array("f", values).tolist()
        if dt.name == "float64":
            return [float(v) for v in values]
        if dt.name == "float16":
            return [_round_f16(float(v)) for v in values]
        return [_round_bf16(float(v)) for v in values]
    if kind == "b":
        return [bool(v) for v in values]
    lo, span = _INT_RANGE[dt.name]
    return [((int(v) - lo) % span) + lo for v in values]


def _round_f16(x: float) -> float:
    try:
        return struct.unpack("e", struct.pack("e", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _round_bf16(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        return x
    bits = struct.unpack("I", struct.pack("f", x))[0] if abs(x) < 3.4e38 else struct.unpack("I", struct.pack("f", math.copysign(math.inf, x)))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return struct.unpack("f", struct.pack("I", bits))[0]


def round_scalar(dt: DType, value):
    return round_list(dt, [value])[0]


def convert_list(values: list, src: DType, dst: DType) -> list:
    """XLA's convert_element_type: floats to ints truncate toward zero and
    saturate, NaN becomes 0; anything to bool is `!= 0`."""
    if dst.kind == "b":
        return [v != 0 for v in values]
    if dst.kind in "iu" and src.kind == "f":
        lo, span = _INT_RANGE[dst.name]
        hi = lo + span - 1
        out = []
        for v in values:
            if v != v:
                out.append(0)
            elif v >= hi:
                out.append(hi)
            elif v <= lo:
                out.append(lo)
            else:
                out.append(int(v))
        return out
    if dst.kind == "f":
        return round_list(dst, [float(v) for v in values])
    return round_list(dst, [int(v) for v in values])


def scalar_info(value) -> tuple[DType, bool]:
    """(dtype, weak_type) of a Python scalar, as JAX sees it."""
    if isinstance(value, bool):
        return bool_, False
    if isinstance(value, int):
        return default_int(), True
    if isinstance(value, float):
        return default_float(), True
    if isinstance(value, complex):
        raise TypeError("jaxlite does not support complex numbers; the page's output came from real JAX")
    raise TypeError(f"not a scalar: {value!r}")


def finfo_max(dt: DType) -> float:
    return {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38,
            "float64": 1.7976931348623157e308}[dt.name]
