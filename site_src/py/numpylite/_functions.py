"""NumPy's array-making and array-shaping functions, written as NumPy writes
them (linspace, arange, isclose follow numpy/_core's own steps, so they
round the same way)."""

from __future__ import annotations

import builtins
import math
import operator

from numpylite import _dtypes, _ufuncs as uf
from numpylite._dtypes import is_python_scalar
from numpylite._ndarray import (_new, _norm_axis, array, asarray, broadcast_shapes, broadcast_values, ndarray,
                                wrap)
from numpylite._scalars import generic


def _shape_arg(shape) -> tuple:
    return (operator.index(shape),) if not isinstance(shape, (tuple, list)) else tuple(operator.index(n) for n in shape)


def full(shape, fill_value, dtype=None):
    shape = _shape_arg(shape)
    value = asarray(fill_value) if dtype is None else asarray(fill_value, dtype)
    return _new(broadcast_values(value, shape), shape, value.dtype)


def zeros(shape, dtype=float):
    return full(shape, 0, dtype)


def ones(shape, dtype=float):
    return full(shape, 1, dtype)


empty = zeros  # NumPy's is uninitialized memory; zeros are one such memory


def _like(fill):
    def like(a, dtype=None, shape=None):
        a = asarray(a)
        return full(a.shape if shape is None else shape, fill, a.dtype if dtype is None else dtype)
    return like


zeros_like, ones_like, empty_like = _like(0), _like(1), _like(0)


def full_like(a, fill_value, dtype=None, shape=None):
    a = asarray(a)
    return full(a.shape if shape is None else shape, fill_value, a.dtype if dtype is None else dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Like NumPy's: value i is start + i * delta, delta = (start + step) - start in the dtype."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ZeroDivisionError("division by zero")
    dt = _dtypes.dtype(dtype) if dtype is not None else _dtypes.result_type([start, stop, step])
    length = builtins.max(math.ceil((float(stop) - float(start)) / float(step)), 0)
    if dt.kind in "iu" and builtins.all(isinstance(v, int) for v in (start, stop, step)):
        length = len(range(start, stop, step))
    r = _dtypes.rounder(dt)
    first = r(start)
    delta = r(r(first + step) - first) if length > 1 else 0
    return _new([first] + [r(first + i * delta) for i in range(1, length)] if length else [], (length,), dt)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if axis != 0:
        raise NotImplementedError("numpylite's np.linspace only fills axis 0")
    div = (num - 1) if endpoint else num
    dt = _dtypes.result_type([x if is_python_scalar(x) else asarray(x) for x in (start, stop)])
    dt = dt if dt.kind == "f" else _dtypes.float64
    start, stop = asarray(start, dt), asarray(stop, dt)
    delta = asarray(uf.subtract(stop, start))
    y = arange(0, num, dtype=dt).reshape((-1,) + (1,) * delta.ndim)
    if div > 0:
        step = uf.true_divide(delta, div)
        if asarray(uf.equal(step, 0)).any():
            y = uf.multiply(uf.true_divide(y, div), delta)
        else:
            y = uf.multiply(y, step)
    else:
        step = math.nan
        y = uf.multiply(y, delta)
    y = asarray(uf.add(y, start), dt)
    if endpoint and num > 1:
        y[-1, ...] = stop
    if dtype is not None:
        target = _dtypes.dtype(dtype)
        y = (asarray(uf.floor(y)) if target.kind in "iu" else y).astype(target)
    return (y, step) if retstep else y


def eye(N, M=None, k=0, dtype=float):
    M = N if M is None else M
    return _new(_dtypes.cast_list([int(j - i == k) for i in range(N) for j in range(M)], _dtypes.int64,
                                  _dtypes.dtype(dtype)), (N, M), _dtypes.dtype(dtype))


def identity(n, dtype=float):
    return eye(n, dtype=dtype)


def copy(a):
    return array(a)


def reshape(a, shape, order="C"):
    return asarray(a).reshape(shape)


def ravel(a):
    return asarray(a).ravel()


def transpose(a, axes=None):
    return asarray(a).transpose(axes)


def swapaxes(a, axis1, axis2):
    return asarray(a).swapaxes(axis1, axis2)


def squeeze(a, axis=None):
    return asarray(a).squeeze(axis)


def expand_dims(a, axis):
    a = asarray(a)
    axes = axis if isinstance(axis, tuple) else (axis,)
    ndim = a.ndim + len(axes)
    axes = {_norm_axis(ax, ndim) for ax in axes}
    dims = iter(a.shape)
    return a.reshape(tuple(1 if i in axes else next(dims) for i in range(ndim)))


def shape(a):
    return asarray(a).shape


def ndim(a):
    return asarray(a).ndim


def size(a):
    return asarray(a).size


def concatenate(arrays, axis=0):
    arrays = [asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        arrays, axis = [a.ravel() for a in arrays], 0
    if arrays[0].ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    axis = _norm_axis(axis, arrays[0].ndim)
    for i, a in enumerate(arrays[1:], start=1):
        if a.ndim != arrays[0].ndim:
            raise ValueError(f"all the input array dimensions except for the concatenation axis must match "
                             f"exactly, but along dimension 0, the array at index 0 has {arrays[0].ndim} "
                             f"dimension(s) and the array at index {i} has {a.ndim} dimension(s)")
    dt = _dtypes.result_type(arrays)
    moved = [a.swapaxes(0, axis) for a in arrays]
    values = [v for a in moved for v in _dtypes.cast_list(a._values(), a.dtype, dt)]
    out_shape = (builtins.sum(a.shape[0] for a in moved),) + moved[0].shape[1:]
    return _new(values, out_shape, dt).swapaxes(0, axis).copy()


def stack(arrays, axis=0):
    arrays = [asarray(a) for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError("all input arrays must have the same shape")
    return concatenate([expand_dims(a, axis) for a in arrays], axis)


def vstack(arrays):
    return concatenate([a.reshape(1, -1) if a.ndim < 2 else a for a in map(asarray, arrays)], 0)


def hstack(arrays):
    arrays = [asarray(a) for a in arrays]
    return concatenate(arrays, 0 if arrays[0].ndim == 1 else 1)


def where(condition, x=None, y=None):
    if x is None and y is None:
        return nonzero(condition)
    ops = [uf._operand(v) for v in (x, y)]
    cond = asarray(condition)
    dt = _dtypes.result_type(ops)
    out_shape = broadcast_shapes(cond.shape, *[uf._shape(v) for v in ops])
    n = math.prod(out_shape)
    c = broadcast_values(cond, out_shape)
    xs, ys = (uf._values(v, out_shape, dt, n) for v in ops)
    return wrap([a if k else b for k, a, b in zip(c, xs, ys)], out_shape, dt)


def nonzero(a):
    a = asarray(a)
    flat = [k for k, v in enumerate(a._values()) if v]
    out = []
    for j in range(a.ndim):
        step = math.prod(a.shape[j + 1:])
        out.append(_new([k // step % a.shape[j] for k in flat], (len(flat),), _dtypes.int64))
    return tuple(out)


def outer(a, b):
    return uf.multiply(asarray(a).ravel()[:, None], asarray(b).ravel()[None, :])


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    x, y, atol, rtol = (v if isinstance(v, (int, float)) and not isinstance(v, generic) else asarray(v)
                        for v in (a, b, atol, rtol))
    if getattr(y, "dtype", None) is not None:
        y = asarray(y, _dtypes.result_type([y, 1.0]))
    elif isinstance(y, int):
        y = float(y)
    result = uf.bitwise_or(uf.bitwise_and(uf.less_equal(uf.absolute(uf.subtract(x, y)),
                                                        uf.add(atol, uf.multiply(rtol, uf.absolute(y)))),
                                          uf.isfinite(y)),
                           uf.equal(x, y))
    if equal_nan:
        result = uf.bitwise_or(result, uf.bitwise_and(uf.isnan(x), uf.isnan(y)))
    return result


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return builtins.bool(uf.all(isclose(a, b, rtol, atol, equal_nan)))


def array_equal(a1, a2, equal_nan=False) -> bool:
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return False
    if equal_nan:
        return builtins.bool(uf.all(uf.logical_or(uf.equal(a1, a2), uf.logical_and(uf.isnan(a1), uf.isnan(a2)))))
    return builtins.bool(uf.all(uf.equal(a1, a2)))


def result_type(*arrays_and_dtypes):
    ops = [x if is_python_scalar(x) or isinstance(x, (ndarray, generic)) else
           _new([], (0,), _dtypes.dtype(x)) if isinstance(x, (str, type, _dtypes.DType)) else asarray(x)
           for x in arrays_and_dtypes]
    return _dtypes.result_type(ops)


def promote_types(type1, type2):
    return _dtypes.promote_types(_dtypes.dtype(type1), _dtypes.dtype(type2))


def broadcast_to(a, shape):
    a = asarray(a)
    shape = _shape_arg(shape)
    return _new(broadcast_values(a, shape), shape, a.dtype)


def argsort(a, axis=-1):
    a = asarray(a)
    if a.ndim != 1:
        raise NotImplementedError("numpylite's np.argsort sorts 1-d arrays only")
    values = a._values()
    return _new(sorted(range(len(values)), key=lambda i: (values[i] != values[i], values[i])), a.shape,
                _dtypes.int64)


def sort(a, axis=-1):
    a = asarray(a)
    return a[argsort(a, axis)]

