"""Concrete arrays (`jax.Array`) and the operator methods arrays and tracers share."""

from __future__ import annotations

from jaxlite import _dtypes
from jaxlite._core import ShapedArray, Tracer, numpy_value
from jaxlite import errors


class _ArrayMeta(type):
    def __instancecheck__(cls, obj):
        return type.__instancecheck__(cls, obj) or isinstance(obj, Tracer)


class Array(metaclass=_ArrayMeta):
    """`jax.Array`: the type every JAX array (and tracer) is an instance of."""


def _np():
    from jaxlite import numpy as jnp
    return jnp


class ArrayMethods:
    """Operators and methods shared by concrete arrays and tracers; each
    forwards to the jax.numpy function of the same meaning."""

    __slots__ = ()

    def __add__(self, o): return _np().add(self, o)
    def __radd__(self, o): return _np().add(o, self)
    def __sub__(self, o): return _np().subtract(self, o)
    def __rsub__(self, o): return _np().subtract(o, self)
    def __mul__(self, o): return _np().multiply(self, o)
    def __rmul__(self, o): return _np().multiply(o, self)
    def __truediv__(self, o): return _np().true_divide(self, o)
    def __rtruediv__(self, o): return _np().true_divide(o, self)
    def __floordiv__(self, o): return _np().floor_divide(self, o)
    def __rfloordiv__(self, o): return _np().floor_divide(o, self)
    def __mod__(self, o): return _np().remainder(self, o)
    def __rmod__(self, o): return _np().remainder(o, self)
    def __pow__(self, o): return _np().power(self, o)
    def __rpow__(self, o): return _np().power(o, self)
    def __matmul__(self, o): return _np().matmul(self, o)
    def __rmatmul__(self, o): return _np().matmul(o, self)
    def __neg__(self): return _np().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _np().abs(self)
    def __invert__(self): return _np().invert(self)
    def __and__(self, o): return _np().bitwise_and(self, o)
    def __rand__(self, o): return _np().bitwise_and(o, self)
    def __or__(self, o): return _np().bitwise_or(self, o)
    def __ror__(self, o): return _np().bitwise_or(o, self)
    def __xor__(self, o): return _np().bitwise_xor(self, o)
    def __rxor__(self, o): return _np().bitwise_xor(o, self)
    def __lt__(self, o): return _np().less(self, o)
    def __le__(self, o): return _np().less_equal(self, o)
    def __gt__(self, o): return _np().greater(self, o)
    def __ge__(self, o): return _np().greater_equal(self, o)
    def __eq__(self, o): return _np().equal(self, o)
    def __ne__(self, o): return _np().not_equal(self, o)
    __hash__ = None

    def __getitem__(self, idx):
        from jaxlite import _indexing
        return _indexing.getitem(self, idx)

    def __setitem__(self, idx, value):
        raise TypeError(
            f"JAX arrays are immutable and do not support in-place item assignment. Instead of x[idx] = y, use "
            f"x = x.at[idx].set(y) or another .at[] method: "
            f"https://docs.jax.dev/en/latest/_autosummary/jax.numpy.ndarray.at.html")

    @property
    def at(self):
        from jaxlite import _indexing
        return _indexing.IndexUpdateHelper(self)

    @property
    def T(self): return _np().transpose(self)
    @property
    def mT(self): return _np().swapaxes(self, -1, -2)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _np().reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _np().transpose(self, axes or None)

    def astype(self, dtype): return _np()._astype(self, dtype)
    def sum(self, axis=None, dtype=None, keepdims=False): return _np().sum(self, axis=axis, dtype=dtype, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return _np().mean(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False): return _np().var(self, axis=axis, ddof=ddof, keepdims=keepdims)
    def std(self, axis=None, ddof=0, keepdims=False): return _np().std(self, axis=axis, ddof=ddof, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _np().max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _np().min(self, axis=axis, keepdims=keepdims)
    def prod(self, axis=None, keepdims=False): return _np().prod(self, axis=axis, keepdims=keepdims)
    def argmax(self, axis=None, keepdims=False): return _np().argmax(self, axis=axis, keepdims=keepdims)
    def argmin(self, axis=None, keepdims=False): return _np().argmin(self, axis=axis, keepdims=keepdims)
    def any(self, axis=None, keepdims=False): return _np().any(self, axis=axis, keepdims=keepdims)
    def all(self, axis=None, keepdims=False): return _np().all(self, axis=axis, keepdims=keepdims)
    def cumsum(self, axis=None): return _np().cumsum(self, axis=axis)
    def squeeze(self, axis=None): return _np().squeeze(self, axis)
    def ravel(self): return _np().ravel(self)
    def flatten(self): return _np().ravel(self)
    def dot(self, o): return _np().dot(self, o)
    def clip(self, min=None, max=None): return _np().clip(self, min=min, max=max)
    def round(self, decimals=0): return _np().round(self, decimals)
    def swapaxes(self, a, b): return _np().swapaxes(self, a, b)
    def conj(self): return self
    @property
    def real(self): return self


class ArrayImpl(ArrayMethods, Array):
    """A concrete array: a flat row-major list of Python numbers, a shape and a dtype."""

    __slots__ = ("_data", "aval", "_deleted", "_consumed", "_sharding")  # _consumed: key-reuse checking of PRNG keys
    # _sharding (unset: on device 0 alone): where the array lives, see _sharding.py
    __array_priority__ = 100

    def __init__(self, data: list, shape, dtype, weak_type: bool = False):
        self._data = data
        self.aval = ShapedArray(shape, dtype, weak_type)
        self._deleted = False

    # -- data access
    @property
    def data(self) -> list:
        if self._deleted:
            raise RuntimeError("Array has been deleted with shape=" + self.aval.str_short(short_dtypes=False) + ".")
        return self._data

    @property
    def shape(self): return self.aval.shape
    @property
    def dtype(self): return self.aval.dtype
    @property
    def ndim(self): return self.aval.ndim
    @property
    def size(self): return self.aval.size
    @property
    def weak_type(self): return self.aval.weak_type
    @property
    def nbytes(self): return self.size * self.dtype.itemsize
    @property
    def itemsize(self): return self.dtype.itemsize

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        from jaxlite import _format
        if self._deleted:
            return f"Array(<deleted>, shape={self.shape}, dtype={self.dtype.name})"
        if self.dtype.kind == "K":  # typed PRNG keys print their key data
            from jaxlite import _random_prims
            return _random_prims.key_array_repr(self)
        return _format.array_repr(self.data, self.shape, self.dtype.name, self.weak_type)

    def __str__(self) -> str:
        from jaxlite import _format
        if self.dtype.kind == "K":
            return repr(self)
        return _format.array_str(self.data, self.shape, self.dtype.name)

    def __format__(self, spec: str) -> str:
        from jaxlite import _format
        if self.ndim == 0:
            return _format.format_scalar(self.data[0], self.dtype.name, spec)
        if not spec:
            return str(self)
        raise TypeError("unsupported format string passed to ArrayImpl.__format__")

    def _scalar(self, what: str):
        if self.size != 1:
            raise TypeError(f"only length-1 arrays can be converted to Python scalars")
        return self.data[0]

    def __bool__(self):
        if self.size > 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()")
        return bool(self._scalar("bool"))

    def __float__(self): return float(self._scalar("float"))
    def __int__(self): return int(self._scalar("int"))
    def __complex__(self): return complex(self._scalar("complex"))

    def __index__(self):
        if self.dtype.kind not in "iu":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self._scalar("index"))

    def __round__(self, ndigits=None):
        return round(float(self), ndigits)

    def item(self, *args):
        return self._scalar("item")

    def tolist(self):
        from jaxlite._indexing import nest_list
        return nest_list(self.data, self.shape)

    def block_until_ready(self):
        return self

    def copy(self):
        return ArrayImpl(list(self.data), self.shape, self.dtype, self.weak_type)

    def devices(self):
        return self.sharding.device_set

    @property
    def device(self):
        from jaxlite import _sharding
        s = self.sharding
        return s if isinstance(s, _sharding.NamedSharding) else next(iter(s.device_set))

    @property
    def sharding(self):
        from jaxlite import _sharding
        return _sharding.array_sharding(self)

    @property
    def addressable_shards(self):
        from jaxlite import _sharding
        return _sharding.addressable_shards(self)

    def is_deleted(self) -> bool:
        return self._deleted

    def delete(self) -> None:
        self._deleted = True

    def __reduce__(self):
        return (ArrayImpl, (self.data, self.shape, self.dtype, self.weak_type))


ArrayImpl.__module__ = "jaxlib._jax"  # what `type(x)` prints in JAX
ArrayImpl.__qualname__ = ArrayImpl.__name__ = "ArrayImpl"


def make(data: list, shape, dtype, weak_type: bool = False) -> ArrayImpl:
    return ArrayImpl(data, tuple(shape), dtype, weak_type)


def to_array(x) -> ArrayImpl:
    """A concrete value as an ArrayImpl (Python scalars become weakly typed)."""
    if isinstance(x, ArrayImpl):
        return x
    if isinstance(x, (bool, int, float)) and numpy_value(x) is None:
        dt, weak = _dtypes.scalar_info(x)
        if dt.kind in "iu" and weak:
            info = _dtypes._INT_RANGE[dt.name]
            if not (info[0] <= x < info[0] + info[1]):
                raise OverflowError(f"Python int {x} too large to convert to {dt.name}")
        return ArrayImpl(_dtypes.round_list(dt, [x]), (), dt, weak)
    from jaxlite import numpy as jnp
    return jnp.asarray(x)


def scalar_types():
    return (bool, int, float)


# ------------------------------------------------------------------ tracers
def _tracer_bool(self):
    if self.aval.size > 1:
        raise ValueError("The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()")
    raise errors.TracerBoolConversionError(
        f"Attempted boolean conversion of traced array with shape {self.aval.str_short(short_dtypes=False)}.\n"
        "The error occurred while tracing the function. See "
        "https://docs.jax.dev/en/latest/errors.html#jax.errors.TracerBoolConversionError")


def _tracer_index(self):
    raise errors.TracerIntegerConversionError(
        f"The __index__() method was called on traced array with shape {self.aval.str_short(short_dtypes=False)}\n"
        "See https://docs.jax.dev/en/latest/errors.html#jax.errors.TracerIntegerConversionError")


def _tracer_concrete(kind):
    def fn(self):
        raise errors.ConcretizationTypeError(
            f"Abstract tracer value encountered where concrete value is expected: {self}\n"
            f"The problem arose with the `{kind}` function.")
    return fn


def _tracer_format(self, spec):
    if not spec:
        return repr(self)
    raise errors.ConcretizationTypeError(
        f"Abstract tracer value encountered where concrete value is expected: {self}")


def _tracer_array(self, *args, **kwargs):
    raise errors.TracerArrayConversionError(
        f"The numpy.ndarray conversion method __array__() was called on traced array with shape "
        f"{self.aval.str_short(short_dtypes=False)}\n"
        "See https://docs.jax.dev/en/latest/errors.html#jax.errors.TracerArrayConversionError")


def _tracer_hash(self):
    raise TypeError(f"unhashable type: '{type(self).__name__}'")


for _name, _fn in vars(ArrayMethods).items():
    if not _name.startswith("__") or _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                                                  "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__",
                                                  "__mod__", "__rmod__", "__pow__", "__rpow__", "__matmul__",
                                                  "__rmatmul__", "__neg__", "__pos__", "__abs__", "__invert__",
                                                  "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__",
                                                  "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__",
                                                  "__getitem__", "__setitem__"):
        if _name not in ("__slots__", "__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"):
            setattr(Tracer, _name, _fn)
Tracer.__bool__ = _tracer_bool
Tracer.__index__ = _tracer_index
Tracer.__int__ = _tracer_index
Tracer.__float__ = _tracer_concrete("float")
Tracer.__complex__ = _tracer_concrete("complex")
Tracer.__format__ = _tracer_format
Tracer.__hash__ = _tracer_hash
Tracer.__array__ = _tracer_array
Tracer.item = _tracer_concrete("item")
Tracer.tolist = _tracer_concrete("tolist")
