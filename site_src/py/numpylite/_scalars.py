"""NumPy's scalar types: `np.float64(0.5)`, `np.int64(6)`, `np.True_`.

What indexing one element or a ufunc on scalars gives back. Each is a
class, named and nested as in NumPy (`np.float64` is also a Python float);
arithmetic goes through the ufuncs, so `np.float64(1.0) / 3` and
`np.float16(1) * np.float32(2)` follow NumPy's promotion.
"""

from __future__ import annotations

from jaxlite import _format
from numpylite import _dtypes


def _u():
    from numpylite import _ufuncs
    return _ufuncs


def _defer(other) -> bool:
    """Leave the operation to `other` (a JAX array), as NumPy does for types
    with a higher __array_priority__ that define the reflected operator."""
    return getattr(other, "__array_priority__", 0.0) > 0.0 and not hasattr(other, "_np_values")


def _binary(name, reflected=False):
    def method(self, other):
        if _defer(other):
            return NotImplemented
        fn = getattr(_u(), name)
        return fn(other, self) if reflected else fn(self, other)
    method.__name__ = name
    return method


class generic:
    """`np.generic`: a NumPy scalar, one value of a dtype."""

    __slots__ = ()
    __array_priority__ = -1000000.0
    dtype: _dtypes.DType
    shape = ()
    ndim = 0
    size = 1

    def __new__(cls, value=0):
        from numpylite import _ndarray
        if isinstance(value, (list, tuple)) or hasattr(value, "_np_values") or hasattr(value, "aval"):
            out = _ndarray.asarray(value, dtype=cls.dtype)
            return out[()] if out.ndim == 0 else out
        if isinstance(value, str):
            value = float(value) if cls.dtype.kind == "f" else int(value)
        dt = cls.dtype
        if type(value) is int:
            _dtypes.check_python_ints([value], dt)
        elif isinstance(value, generic):
            return value.astype(dt)
        return cls._make(_dtypes.rounder(dt)(value))

    @classmethod
    def _make(cls, value):
        obj = object.__new__(cls)
        obj._v = value
        return obj

    @property
    def _value(self):
        return self._v

    def _np_values(self):
        return [self._value], (), self.dtype

    def item(self):
        return self._value

    def tolist(self):
        return self._value

    def astype(self, dtype):
        dt = _dtypes.dtype(dtype)
        return scalar(dt, _dtypes.cast_list([self._value], self.dtype, dt)[0])

    def __repr__(self):
        return _format.numpy_scalar_repr(self._value, self.dtype.name)

    def __str__(self):
        return _format.scalar_str(self._value, self.dtype.name)

    def __format__(self, spec):
        return _format.format_scalar(self._value, self.dtype.name, spec)

    def __hash__(self):
        return hash(self._value)

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __round__(self, ndigits=None):
        return round(self._value, ndigits)

    def __array__(self, dtype=None, copy=None):
        from numpylite import _ndarray
        return _ndarray.asarray(self, dtype=dtype)

    @property
    def T(self):
        return self

    @property
    def real(self):
        return self

    def __neg__(self): return _u().negative(self)
    def __pos__(self): return _u().positive(self)
    def __abs__(self): return _u().absolute(self)
    def __invert__(self): return _u().invert(self)

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __truediv__, __rtruediv__ = _binary("true_divide"), _binary("true_divide", True)
    __floordiv__, __rfloordiv__ = _binary("floor_divide"), _binary("floor_divide", True)
    __mod__, __rmod__ = _binary("remainder"), _binary("remainder", True)
    __pow__, __rpow__ = _binary("power"), _binary("power", True)
    __and__, __rand__ = _binary("bitwise_and"), _binary("bitwise_and", True)
    __or__, __ror__ = _binary("bitwise_or"), _binary("bitwise_or", True)
    __xor__, __rxor__ = _binary("bitwise_xor"), _binary("bitwise_xor", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __eq__, __ne__ = _binary("equal"), _binary("not_equal")


class number(generic):
    __slots__ = ()


class integer(number):
    __slots__ = ()

    def __index__(self):
        return self._v


class signedinteger(integer):
    __slots__ = ()


class unsignedinteger(integer):
    __slots__ = ()


class inexact(number):
    __slots__ = ()


class floating(inexact):
    __slots__ = ()


def _concrete(name, base, dt):
    cls = type(name, (base,), {"__slots__": ("_v",), "dtype": dt, "__module__": "numpy"})
    return cls


bool_ = _concrete("bool", generic, _dtypes.bool_)
int8 = _concrete("int8", signedinteger, _dtypes.int8)
int16 = _concrete("int16", signedinteger, _dtypes.int16)
int32 = _concrete("int32", signedinteger, _dtypes.int32)
int64 = _concrete("int64", signedinteger, _dtypes.int64)
uint8 = _concrete("uint8", unsignedinteger, _dtypes.uint8)
uint16 = _concrete("uint16", unsignedinteger, _dtypes.uint16)
uint32 = _concrete("uint32", unsignedinteger, _dtypes.uint32)
uint64 = _concrete("uint64", unsignedinteger, _dtypes.uint64)
float16 = _concrete("float16", floating, _dtypes.float16)
float32 = _concrete("float32", floating, _dtypes.float32)


class float64(floating, float):
    """`np.float64` is also a Python float, as in NumPy."""

    __slots__ = ()
    dtype = _dtypes.float64

    @classmethod
    def _make(cls, value):
        return float.__new__(cls, value)

    @property
    def _v(self):
        return float.__float__(self)

    def __hash__(self):
        return float.__hash__(self)

    def __getnewargs__(self):
        return (float(self),)


for _cls in (generic, number, integer, signedinteger, unsignedinteger, inexact, floating, float64):
    _cls.__module__ = "numpy"

SCALAR_TYPES = {cls.dtype.name: cls for cls in (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
                                                  float16, float32, float64)}
for _cls in SCALAR_TYPES.values():
    _cls._jaxlite_dtype = _cls.dtype  # lets jaxlite's dtype() read NumPy's scalar types


def scalar(dt, value) -> generic:
    """The NumPy scalar of dtype `dt` holding `value` (already a value of `dt`)."""
    return SCALAR_TYPES[dt.name]._make(value)


True_ = bool_._make(True)
False_ = bool_._make(False)
