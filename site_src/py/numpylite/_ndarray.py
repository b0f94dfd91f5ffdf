"""`np.ndarray`: a mutable, strided view of a flat Python list.

Like NumPy's, an array is (buffer, offset, shape, strides, dtype): basic
indexing (ints, slices, None, ...), `.T` and `reshape` of a contiguous array
give views that share the buffer, so writing through one shows in the other;
integer-array and boolean indexing copy. `a[i] = v` writes into the buffer,
and `a[[0, 0, 2]] += 1` reads, adds and writes back (the repeated index is
written twice, not added twice), as NumPy does.
"""

from __future__ import annotations

import math
import operator

from numpylite import _dtypes, _scalars
from numpylite._dtypes import DType


def _c_strides(shape) -> tuple:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def offsets(off: int, shape, strides) -> list:
    """Buffer positions of a view's elements, in C (row-major) order."""
    out = [off]
    for n, s in zip(shape, strides):
        if n != 1:
            steps = [k * s for k in range(n)]
            out = [o + d for o in out for d in steps]
    return out


def _u():
    from numpylite import _ufuncs
    return _ufuncs


def _binary(name, reflected=False):
    def method(self, other):
        if _scalars._defer(other):
            return NotImplemented
        fn = getattr(_u(), name)
        return fn(other, self) if reflected else fn(self, other)
    method.__name__ = name
    return method


def _inplace(name):
    def method(self, other):
        if _scalars._defer(other):
            return NotImplemented
        result = asarray(getattr(_u(), name)(self, other))
        _u().check_same_kind(name, result.dtype, self.dtype)
        if result.shape != self.shape:
            raise ValueError(f"non-broadcastable output operand with shape {self.shape} doesn't match the "
                             f"broadcast shape {result.shape}")
        self._write(offsets(self._off, self._shape, self._strides), result._values(), result.dtype)
        return self
    method.__name__ = name
    return method


class ndarray:
    """`np.ndarray`: see the module docstring."""

    __slots__ = ("_buf", "_off", "_shape", "_strides", "_dtype", "_base", "__weakref__")
    __array_priority__ = 0.0

    def __init__(self, shape, dtype=float):
        shape = (shape,) if isinstance(shape, int) else tuple(operator.index(n) for n in shape)
        dt = _dtypes.dtype(dtype)
        self._set(_dtypes.cast_list([0] * math.prod(shape), _dtypes.int64, dt), shape, dt)

    def _set(self, buf, shape, dt, off=0, strides=None, base=None):
        self._buf, self._shape, self._dtype, self._off = buf, tuple(shape), dt, off
        self._strides = _c_strides(shape) if strides is None else tuple(strides)
        self._base = base
        return self

    # -- the data
    def _contiguous(self) -> bool:
        return all(n == 1 or s == c for n, s, c in zip(self._shape, self._strides, _c_strides(self._shape)))

    def _values(self) -> list:
        """The elements as a new flat list, in C order."""
        if self._contiguous():
            return self._buf[self._off:self._off + self.size]
        return [self._buf[o] for o in offsets(self._off, self._shape, self._strides)]

    def _np_values(self):
        """(flat values, shape, dtype): how jaxlite reads a NumPy array."""
        return self._values(), self._shape, self._dtype

    def _write(self, where: list, values: list, src: DType) -> None:
        values = _dtypes.cast_list(values, src, self._dtype)
        buf = self._buf
        for o, v in zip(where, values):
            buf[o] = v

    # -- attributes
    @property
    def shape(self): return self._shape
    @property
    def dtype(self): return self._dtype
    @property
    def ndim(self): return len(self._shape)
    @property
    def size(self): return math.prod(self._shape)
    @property
    def itemsize(self): return self._dtype.itemsize
    @property
    def nbytes(self): return self.size * self._dtype.itemsize
    @property
    def strides(self): return tuple(s * self._dtype.itemsize for s in self._strides)
    @property
    def base(self): return self._base
    @property
    def T(self): return self.transpose()
    @property
    def real(self): return self

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of unsized object")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self._shape[0]))

    def __repr__(self):
        from numpylite import _printing
        return _printing.array_repr(self)

    def __str__(self):
        from numpylite import _printing
        return _printing.array_str(self)

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self[()], spec)
        if not spec:
            return str(self)
        raise TypeError("unsupported format string passed to numpy.ndarray.__format__")

    def _one(self):
        if self.ndim:
            raise TypeError("only 0-dimensional arrays can be converted to Python scalars")
        return self._values()[0]

    def __bool__(self):
        if self.size > 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous. "
                             "Use a.any() or a.all()")
        return bool(self._values()[0]) if self.size else False

    def __float__(self): return float(self._one())
    def __int__(self): return int(self._one())

    def __index__(self):
        if self.ndim or self._dtype.kind not in "iu":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return self._one()

    def __array__(self, dtype=None, copy=None):
        return self if dtype is None else self.astype(dtype)

    __hash__ = None

    def item(self, *args):
        if len(args) == 1 and isinstance(args[0], int):
            return self._values()[args[0]]
        if args:
            return self[args[0] if len(args) == 1 else args].item()
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self._values()[0]

    def tolist(self):
        values = self._values()
        if not self._shape:
            return values[0]

        def nest(start, axis):
            if axis == self.ndim - 1:
                return values[start:start + self._shape[axis]]
            step = math.prod(self._shape[axis + 1:])
            return [nest(start + i * step, axis + 1) for i in range(self._shape[axis])]
        return nest(0, 0)

    # -- copies and views
    def copy(self):
        return ndarray.__new__(ndarray)._set(self._values(), self._shape, self._dtype)

    def astype(self, dtype, copy=True):
        dt = _dtypes.dtype(dtype)
        if dt is self._dtype and not copy:
            return self
        return _new(_dtypes.cast_list(self._values(), self._dtype, dt), self._shape, dt)

    def view_of(self, off, shape, strides):
        return ndarray.__new__(ndarray)._set(self._buf, shape, self._dtype, off, strides,
                                             self if self._base is None else self._base)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        shape = _reshape_shape(self.size, tuple(operator.index(n) for n in shape))
        if self._contiguous():
            return self.view_of(self._off, shape, None)
        return _new(self._values(), shape, self._dtype)

    def ravel(self):
        return self.reshape(-1)

    def flatten(self):
        return self.copy().reshape(-1)

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = tuple(axes[0]) if axes[0] is not None else ()
        axes = tuple(_norm_axis(a, self.ndim) for a in axes) if axes else tuple(reversed(range(self.ndim)))
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError("axes don't match array")
        return self.view_of(self._off, [self._shape[a] for a in axes], [self._strides[a] for a in axes])

    def swapaxes(self, a, b):
        axes = list(range(self.ndim))
        a, b = _norm_axis(a, self.ndim), _norm_axis(b, self.ndim)
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def squeeze(self, axis=None):
        if axis is None:
            keep = [i for i, n in enumerate(self._shape) if n != 1]
        else:
            drop = {_norm_axis(a, self.ndim) for a in (axis if isinstance(axis, tuple) else (axis,))}
            if any(self._shape[a] != 1 for a in drop):
                raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
            keep = [i for i in range(self.ndim) if i not in drop]
        return self.view_of(self._off, [self._shape[i] for i in keep], [self._strides[i] for i in keep])

    def fill(self, value):
        self[...] = value

    # -- indexing
    def __getitem__(self, index):
        plan = _IndexPlan(self, index)
        if plan.view is not None:
            off, shape, strides = plan.view
            if not shape and plan.all_ints:
                return _scalars.scalar(self._dtype, self._buf[off])
            return self.view_of(off, shape, strides)
        return _new([self._buf[o] for o in plan.offsets], plan.shape, self._dtype)

    def __setitem__(self, index, value):
        plan = _IndexPlan(self, index)
        where = offsets(*plan.view) if plan.view is not None else plan.offsets
        if type(value) is int:
            _dtypes.check_python_ints([value], self._dtype)
        src = asarray(value)
        self._write(where, broadcast_values(src, plan.shape), src.dtype)

    def __contains__(self, value):
        return bool((self == value).any())

    # -- operators (each is the ufunc of the same meaning)
    def __neg__(self): return _u().negative(self)
    def __pos__(self): return _u().positive(self)
    def __abs__(self): return _u().absolute(self)
    def __invert__(self): return _u().invert(self)

    __add__, __radd__, __iadd__ = _binary("add"), _binary("add", True), _inplace("add")
    __sub__, __rsub__, __isub__ = _binary("subtract"), _binary("subtract", True), _inplace("subtract")
    __mul__, __rmul__, __imul__ = _binary("multiply"), _binary("multiply", True), _inplace("multiply")
    __truediv__, __rtruediv__, __itruediv__ = (_binary("true_divide"), _binary("true_divide", True),
                                               _inplace("true_divide"))
    __floordiv__, __rfloordiv__, __ifloordiv__ = (_binary("floor_divide"), _binary("floor_divide", True),
                                                  _inplace("floor_divide"))
    __mod__, __rmod__, __imod__ = _binary("remainder"), _binary("remainder", True), _inplace("remainder")
    __pow__, __rpow__, __ipow__ = _binary("power"), _binary("power", True), _inplace("power")
    __and__, __rand__, __iand__ = _binary("bitwise_and"), _binary("bitwise_and", True), _inplace("bitwise_and")
    __or__, __ror__, __ior__ = _binary("bitwise_or"), _binary("bitwise_or", True), _inplace("bitwise_or")
    __xor__, __rxor__, __ixor__ = _binary("bitwise_xor"), _binary("bitwise_xor", True), _inplace("bitwise_xor")
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __eq__, __ne__ = _binary("equal"), _binary("not_equal")

    # -- methods that are functions of numpy
    def sum(self, axis=None, dtype=None, keepdims=False): return _u().sum(self, axis, dtype, keepdims=keepdims)
    def prod(self, axis=None, dtype=None, keepdims=False): return _u().prod(self, axis, dtype, keepdims=keepdims)
    def mean(self, axis=None, dtype=None, keepdims=False): return _u().mean(self, axis, dtype, keepdims=keepdims)
    def var(self, axis=None, dtype=None, ddof=0, keepdims=False):
        return _u().var(self, axis, dtype, ddof=ddof, keepdims=keepdims)
    def std(self, axis=None, dtype=None, ddof=0, keepdims=False):
        return _u().std(self, axis, dtype, ddof=ddof, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _u().max(self, axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _u().min(self, axis, keepdims=keepdims)
    def argmax(self, axis=None): return _u().argmax(self, axis)
    def argmin(self, axis=None): return _u().argmin(self, axis)
    def any(self, axis=None, keepdims=False): return _u().any(self, axis, keepdims=keepdims)
    def all(self, axis=None, keepdims=False): return _u().all(self, axis, keepdims=keepdims)
    def cumsum(self, axis=None): return _u().cumsum(self, axis)
    def dot(self, other): return _u().dot(self, other)
    def clip(self, min=None, max=None): return _u().clip(self, min, max)
    def round(self, decimals=0): return _u().round(self, decimals)


ndarray.__module__ = "numpy"


def _new(values: list, shape, dt: DType) -> ndarray:
    return ndarray.__new__(ndarray)._set(values, shape, dt)


def wrap(values: list, shape, dt: DType):
    """A ufunc's result: an array, or a NumPy scalar when it has no axes."""
    if not shape:
        return _scalars.scalar(dt, values[0])
    return _new(values, shape, dt)


def _norm_axis(axis, ndim: int) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        from numpylite.exceptions import AxisError
        raise AxisError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _reshape_shape(size: int, shape: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in shape:
        known = math.prod(n for n in shape if n != -1)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {_shape_text(shape)}")
        shape = tuple(size // known if n == -1 else n for n in shape)
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {_shape_text(shape)}")
    return shape


def _shape_text(shape) -> str:
    """A shape as NumPy's error messages print it: (2,3), (3,)."""
    return str(tuple(shape)).replace(" ", "")


# ------------------------------------------------------------ broadcasting
def broadcast_shapes(*shapes) -> tuple:
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(ndim):
        sizes = {s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError("operands could not be broadcast together with shapes "
                             + " ".join(_shape_text(s) for s in shapes) + " ")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_values(x: ndarray, shape) -> list:
    """x's elements repeated to fill `shape`, in C order."""
    if x._shape == tuple(shape):
        return x._values()
    extra = len(shape) - x.ndim
    if extra < 0 or any(n not in (1, m) for n, m in zip(x._shape, shape[extra:])):
        raise ValueError(f"could not broadcast input array from shape {_shape_text(x._shape)} "
                         f"into shape {_shape_text(shape)}")
    strides = [0] * extra + [0 if n == 1 else s for n, s in zip(x._shape, x._strides)]
    return [x._buf[o] for o in offsets(x._off, shape, strides)]


# ------------------------------------------------------------ indexing
_INDEX_ERROR = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
                "boolean arrays are valid indices")


def _index_items(index) -> list:
    """The index as ("int", i) / ("slice", s) / ("new",) / ("...",) / ("array", a) items."""
    items = []
    for it in index if isinstance(index, tuple) else (index,):
        if it is None:
            items.append(("new",))
        elif it is Ellipsis:
            items.append(("...",))
        elif isinstance(it, slice):
            items.append(("slice", it))
        elif isinstance(it, (bool, _scalars.bool_)):
            raise IndexError("numpylite does not index with a single True or False; use a boolean array")
        elif isinstance(it, int) or isinstance(it, _scalars.integer):
            items.append(("int", operator.index(it)))
        elif isinstance(it, (list, ndarray)) or hasattr(it, "aval"):
            arr = asarray(it)
            if arr.size == 0 and isinstance(it, list):
                arr = arr.astype(_dtypes.int64)
            if arr._dtype.kind not in "iub":
                raise IndexError("arrays used as indices must be of integer (or boolean) type")
            if arr.ndim == 0 and arr._dtype.kind in "iu":
                items.append(("int", arr._values()[0]))
            else:
                items.append(("array", arr))
        else:
            raise IndexError(_INDEX_ERROR)
    return items


def _check_int(i: int, axis: int, size: int) -> int:
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for axis {axis} with size {size}")
    return i % size


class _IndexPlan:
    """Where `arr[index]` reads or writes: `view` = (offset, shape, strides)
    for basic indexing, else `offsets` (buffer positions) and `shape`."""

    def __init__(self, arr: ndarray, index):
        items = _index_items(index)
        used = sum(it[1].ndim if it[0] == "array" and it[1]._dtype.kind == "b" else 1
                   for it in items if it[0] in ("int", "slice", "array"))
        if used > arr.ndim:
            raise IndexError(f"too many indices for array: array is {arr.ndim}-dimensional, but {used} were indexed")
        ellipses = [i for i, it in enumerate(items) if it[0] == "..."]
        if len(ellipses) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        fill = [("slice", slice(None))] * (arr.ndim - used)
        if ellipses:
            items[ellipses[0]:ellipses[0] + 1] = fill
        else:
            items += fill
        self.all_ints = all(it[0] == "int" for it in items)
        if any(it[0] == "array" for it in items):
            self.view = None
            self._advanced(arr, items)
        else:
            self.view = self._basic(arr, items)
            self.shape = self.view[1]

    @staticmethod
    def _basic(arr, items):
        off, shape, strides, axis = arr._off, [], [], 0
        for it in items:
            if it[0] == "new":
                shape.append(1)
                strides.append(0)
                continue
            size, stride = arr._shape[axis], arr._strides[axis]
            if it[0] == "int":
                off += _check_int(it[1], axis, size) * stride
            else:
                start, stop, step = it[1].indices(size)
                off += start * stride if len(range(start, stop, step)) else 0
                shape.append(len(range(start, stop, step)))
                strides.append(stride * step)
            axis += 1
        return off, tuple(shape), tuple(strides)

    def _advanced(self, arr, items):
        # Boolean arrays become the integer arrays of their True positions;
        # integers become 0-d index arrays (they count as advanced here).
        entries, axis = [], 0
        for it in items:
            if it[0] == "new":
                entries.append(("new",))
            elif it[0] == "slice":
                entries.append(("slice", axis, range(*it[1].indices(arr._shape[axis]))))
                axis += 1
            elif it[0] == "int":
                entries.append(("adv", axis, [_check_int(it[1], axis, arr._shape[axis])], ()))
                axis += 1
            elif it[1]._dtype.kind == "b":
                mask = it[1]
                for j, n in enumerate(mask._shape):
                    if n != arr._shape[axis + j]:
                        raise IndexError(f"boolean index did not match indexed array along axis {axis + j}; size "
                                         f"of axis is {arr._shape[axis + j]} but size of corresponding boolean "
                                         f"axis is {n}")
                true_at = [k for k, v in enumerate(mask._values()) if v]
                for j in range(mask.ndim):
                    step = math.prod(mask._shape[j + 1:])
                    entries.append(("adv", axis + j, [k // step % mask._shape[j] for k in true_at],
                                    (len(true_at),)))
                axis += mask.ndim
            else:
                idx = it[1]
                entries.append(("adv", axis, [_check_int(i, axis, arr._shape[axis]) for i in idx._values()],
                                idx._shape))
                axis += 1
        adv = [e for e in entries if e[0] == "adv"]
        try:
            block_shape = broadcast_shapes(*[e[3] for e in adv])
        except ValueError:
            raise IndexError("shape mismatch: indexing arrays could not be broadcast together with shapes "
                             + " ".join(_shape_text(e[3]) for e in adv if e[3]) + " ") from None
        block = [0] * math.prod(block_shape)
        for e in adv:
            spread = broadcast_values(_new(e[2], e[3], _dtypes.int64), block_shape)
            stride = arr._strides[e[1]]
            block = [b + i * stride for b, i in zip(block, spread)]
        places = [k for k, e in enumerate(entries) if e[0] == "adv"]
        together = places == list(range(places[0], places[0] + len(places)))
        rest = [e for e in entries if e[0] != "adv"]
        at = sum(1 for e in entries[:places[0]] if e[0] != "adv") if together else 0
        out, shape = [arr._off], []
        for k, e in enumerate(rest[:at] + [("block",)] + rest[at:]):
            if e[0] == "block":
                out = [o + b for o in out for b in block]
                shape += block_shape
            elif e[0] == "new":
                shape.append(1)
            else:
                steps = [i * arr._strides[e[1]] for i in e[2]]
                out = [o + d for o in out for d in steps]
                shape.append(len(e[2]))
        self.offsets, self.shape = out, tuple(shape)


# ------------------------------------------------------------ conversion
_PYTHON_INT = "Python int"  # its dtype depends on all the ints of the array: int64, else uint64


def _leaf_info(x):
    """(values, shape, dtype) of a non-sequence: a number, a NumPy or JAX array or scalar."""
    if type(x) is bool:
        return [x], (), _dtypes.bool_
    if type(x) is int:
        if not -(1 << 63) <= x < (1 << 64):
            raise OverflowError("Python int too large to convert to C long")
        return [x], (), _PYTHON_INT
    if type(x) is float:
        return [x], (), _dtypes.float64
    host = getattr(x, "_np_values", None)
    if host is not None:
        return host()
    from jaxlite._array import ArrayImpl
    from jaxlite._core import Tracer
    if isinstance(x, ArrayImpl) and not isinstance(x, Tracer):  # (isinstance(tracer, ArrayImpl) holds too)
        return list(x.data), x.shape, x.dtype
    if hasattr(x, "__array__"):
        return _leaf_info(x.__array__())  # a JAX tracer raises TracerArrayConversionError here
    if isinstance(x, int):
        return _leaf_info(int(x))
    if isinstance(x, float):
        return _leaf_info(float(x))
    if isinstance(x, complex):
        raise TypeError("numpylite, the small NumPy of this page, has no complex numbers; the output shown "
                        "under the cell came from real NumPy when the page was built")
    raise TypeError(f"numpylite cannot make an array from an object of type {type(x).__name__}")


def _nested(obj, depth=0):
    """(flat values, shape, [dtypes]) of nested lists and tuples."""
    if not isinstance(obj, (list, tuple)):
        values, shape, dt = _leaf_info(obj)
        return values, shape, [dt]
    if not obj:
        return [], (0,), []
    parts = [_nested(o, depth + 1) for o in obj]
    shapes = {p[1] for p in parts}
    if len(shapes) > 1:
        raise ValueError(f"setting an array element with a sequence. The requested array has an inhomogeneous "
                         f"shape after {depth + 1} dimensions. The detected shape was "
                         f"{_shape_text((len(obj),))} + inhomogeneous part.")
    kinds = [dt for p in parts for dt in p[2]]
    return [v for p in parts for v in p[0]], (len(obj),) + parts[0][1], kinds


def array(obj, dtype=None, copy=True, ndmin=0) -> ndarray:
    """`np.array`: a new array from nested lists, numbers, NumPy or JAX arrays."""
    if isinstance(obj, ndarray):
        values, shape, dts = obj._values(), obj._shape, [obj._dtype]
    else:
        values, shape, dts = _nested(obj)
    if _PYTHON_INT in dts:
        fits = all(v < (1 << 63) for v in values if type(v) is int)
        if not fits and any(type(v) is int and v < 0 for v in values):
            raise OverflowError("Python int too large to convert to C long")
        dts = [(_dtypes.int64 if fits else _dtypes.uint64) if dt is _PYTHON_INT else dt for dt in dts]
    src = dts[0] if dts else _dtypes.float64
    for dt in dts[1:]:
        src = _dtypes.promote_types(src, dt)
    if len(dts) > 1:
        values = [_dtypes.rounder(src)(v) for v in values]
    dst = src if dtype is None else _dtypes.dtype(dtype)
    if dst.kind in "iu" and src.kind in "iu" and dst is not src:
        lo, span = _dtypes.jd._INT_RANGE[dst.name]
        bad = next((v for v in values if not lo <= v < lo + span), None)
        if bad is not None and not isinstance(obj, ndarray):
            raise OverflowError(f"Python integer {bad} out of bounds for {dst.name}")
    out = _new(_dtypes.cast_list(values, src, dst), shape, dst)
    if ndmin > out.ndim:
        out = out.reshape((1,) * (ndmin - out.ndim) + out.shape)
    return out


def asarray(obj, dtype=None) -> ndarray:
    """`np.asarray`: `obj` itself if it is already an array of that dtype, else `np.array(obj, dtype)`."""
    if isinstance(obj, ndarray) and (dtype is None or _dtypes.dtype(dtype) is obj._dtype):
        return obj
    return array(obj, dtype)
