"""NumPy's elementwise functions (ufuncs) and reductions, on flat lists.

Each ufunc finds its dtype as NumPy 2 does (`_dtypes.result_type`: arrays
and NumPy scalars are strong, Python numbers weak), broadcasts its operands,
computes in Python (ints exactly, floats in double) and rounds every result
to the output dtype. A result with no axes is a NumPy scalar. Float results
that overflow, divide by zero or are invalid give inf/nan with NumPy's
RuntimeWarning, not an exception.
"""

from __future__ import annotations

import builtins
import math
import operator
import warnings

from numpylite import _dtypes
from numpylite.exceptions import UFuncTypeError
from numpylite._dtypes import DType, is_python_scalar
from numpylite._ndarray import (_norm_axis, asarray, broadcast_shapes, broadcast_values, ndarray, wrap,
                                _shape_text)
from numpylite._scalars import generic

_inf, _nan = math.inf, math.nan


def _operand(x):
    """A Python number (weak) as it is; anything else as a NumPy array or scalar."""
    if is_python_scalar(x) or isinstance(x, (ndarray, generic)):
        return x
    return asarray(x)


def _shape(x) -> tuple:
    return () if is_python_scalar(x) else x.shape


def _values(x, shape, dt: DType, size: int) -> list:
    """x's values broadcast to `shape` and cast to `dt`."""
    if is_python_scalar(x):
        return [_dtypes.rounder(dt)(x)] * size
    if isinstance(x, generic):
        return _dtypes.cast_list([x._value], x.dtype, dt) * size
    return _dtypes.cast_list(broadcast_values(x, shape), x.dtype, dt)


def _warn(name: str, outs: list, ins: list, divide: bool, scalar: bool) -> None:
    """NumPy's RuntimeWarnings for inf/nan made from finite, non-nan inputs."""
    made_nan = made_inf = False
    for k, v in enumerate(outs):
        if v != v and not builtins.any(x[k] != x[k] for x in ins):
            made_nan = True
        elif v in (_inf, -_inf) and builtins.all(math.isfinite(x[k]) for x in ins):
            made_inf = True
    where = f"scalar {name}" if scalar else name
    if made_inf:
        warnings.warn(f"{'divide by zero' if divide else 'overflow'} encountered in {where}", RuntimeWarning,
                      stacklevel=4)
    if made_nan:
        warnings.warn(f"invalid value encountered in {where}", RuntimeWarning, stacklevel=4)


class ufunc:
    """`np.ufunc`: an elementwise function of `nin` arrays, with NumPy's dtype rules.

    `types(dt)` maps the operands' common dtype to (compute dtype, output
    dtype); `kernel(dt)` gives the Python function of one element per
    operand, computing in that dtype."""

    def __init__(self, name, nin, types, kernel, divide=False, check_ints=True):
        self.__name__, self.nin, self._types, self._kernel = name, nin, types, kernel
        self._divide, self._check_ints = divide, check_ints

    def __repr__(self):
        return f"<ufunc '{self.__name__}'>"

    def __call__(self, *args):
        if len(args) != self.nin:
            raise TypeError(f"{self.__name__}() takes from {self.nin} to {self.nin + 1} positional arguments "
                            f"but {len(args)} were given")
        ops = [_operand(x) for x in args]
        common = _dtypes.result_type(ops)
        compute, out_dt = self._types(common, self.__name__)
        if self._check_ints:
            _dtypes.check_python_ints(ops, compute)
        shape = broadcast_shapes(*[_shape(x) for x in ops])
        size = math.prod(shape)
        cols = [[x] * size if type(x) is int and not self._check_ints and compute.kind in "iu"
                else _values(x, shape, compute, size) for x in ops]  # comparisons see Python ints exactly
        fn = self._kernel(compute)
        outs = [fn(*vs) for vs in zip(*cols)] if self.nin > 1 else [fn(v) for v in cols[0]]
        if out_dt.kind == "f":
            outs = _dtypes.jd.round_list(out_dt, outs)
            if compute.kind == "f" or self._divide:
                _warn(self.__name__, outs, [[float(v) for v in c] for c in cols], self._divide,
                      builtins.all(isinstance(x, generic) or is_python_scalar(x) for x in ops))
        elif out_dt.kind in "iu":
            outs = list(map(_dtypes.rounder(out_dt), outs))
        return wrap(outs, shape, out_dt)


# ------------------------------------------------------------- dtype rules
def _same(dt, name):
    return dt, dt


def _no_bool(dt, name):
    if dt.kind == "b":
        raise TypeError(f"numpy boolean {name}, the `-` operator, is not supported, use the bitwise_xor, the `^` "
                        f"operator, or the logical_xor function instead." if name == "subtract" else
                        f"The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or "
                        f"the logical_not function instead.")
    return dt, dt


def _bool_as_int8(dt, name):
    dt = _dtypes.int8 if dt.kind == "b" else dt
    return dt, dt


def _to_float(dt, name):
    dt = _dtypes.float_for(dt)
    return dt, dt


def _divide_types(dt, name):
    dt = dt if dt.kind == "f" else _dtypes.float64
    return dt, dt


def _to_bool(dt, name):
    return dt, _dtypes.bool_


def _ints_only(dt, name):
    if dt.kind == "f":
        raise TypeError(f"ufunc '{name}' not supported for the input types, and the inputs could not be safely "
                        f"coerced to any supported types according to the casting rule ''safe''")
    return dt, dt


def _no_bool_loop(dt, name):
    if dt.kind == "b":
        raise UFuncTypeError(f"ufunc '{name}' did not contain a loop with signature matching types "
                        f"<class 'numpy.dtypes.BoolDType'> -> None")
    return dt, dt


# ------------------------------------------------------------- kernels
def _by_kind(boolean=None, integer=None, floating=None):
    """A kernel chooser: the function for bool, integer or float dtypes."""
    def choose(dt):
        fn = {"b": boolean, "i": integer, "u": integer, "f": floating}[dt.kind]
        return fn if fn is not None else floating
    return choose


def _float_div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        return _nan if a != a or a == 0 else math.copysign(_inf, a) * math.copysign(1.0, b)


def _float_floordiv(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return _float_div(a, b)


def _float_mod(a, b):
    try:
        return a % b if math.isfinite(a) else _nan
    except ZeroDivisionError:
        return _nan


def _float_pow(a, b):
    try:
        return math.pow(a, b)
    except OverflowError:
        return _inf if a > 0 or b % 2 == 0 else -_inf
    except ValueError:  # 0 ** negative, or a negative number to a fractional power
        return math.copysign(_inf, a) if a == 0 and b % 2 == 1 else _inf if a == 0 else _nan


def _int_floordiv(a, b):
    if b == 0:
        warnings.warn("divide by zero encountered in floor_divide", RuntimeWarning, stacklevel=4)
        return 0
    return a // b


def _int_mod(a, b):
    if b == 0:
        warnings.warn("divide by zero encountered in remainder", RuntimeWarning, stacklevel=4)
        return 0
    return a % b


def _int_pow(dt):
    """Integer power, wrapped to the dtype's bits as NumPy's loop wraps (computed modulo 2**bits)."""
    span = 1 << dt.bits

    def power(a, b):
        if b < 0:
            raise ValueError("Integers to negative integer powers are not allowed.")
        return pow(a, b, span)
    return power


def _fmax(a, b):
    return a if a != a else b if b != b else builtins.max(a, b)


def _fmin(a, b):
    return a if a != a else b if b != b else builtins.min(a, b)


def _math(fn, lo=None, hi=None, at_lo=None):
    """A float math function that returns nan outside its domain (and `at_lo` at its edge) instead of raising."""
    def f(x):
        if x != x:
            return x
        if lo is not None and x <= lo:
            return at_lo if x == lo and at_lo is not None else _nan
        if hi is not None and x > hi:
            return _nan
        try:
            return fn(x)
        except OverflowError:
            return _inf
        except ValueError:
            return _nan
    return f


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return _inf


def _expm1(x):
    try:
        return math.expm1(x)
    except OverflowError:
        return _inf


def _sqrt(x):
    return _nan if x < 0 else math.sqrt(x)


def _sign(x):
    return x if x != x else (x > 0) - (x < 0)


def _trunc_like(fn):
    """floor, ceil, trunc or rint on a float, keeping the sign of a zero result (ceil(-0.5) is -0.0)."""
    return lambda x: x if not math.isfinite(x) else math.copysign(float(fn(x)), x)


_rint = _trunc_like(builtins.round)  # round half to even, as rint


def _reciprocal_int(x):
    if x == 0:
        warnings.warn("divide by zero encountered in reciprocal", RuntimeWarning, stacklevel=4)
        return 0
    return int(1 / x)


def _binary_ufunc(name, types, kernel, **kw):
    return ufunc(name, 2, types, kernel, **kw)


def _unary_ufunc(name, types, kernel, **kw):
    return ufunc(name, 1, types, kernel, **kw)


add = _binary_ufunc("add", _same, _by_kind(operator.or_, operator.add, operator.add))
subtract = _binary_ufunc("subtract", _no_bool, _by_kind(None, operator.sub, operator.sub))
multiply = _binary_ufunc("multiply", _same, _by_kind(operator.and_, operator.mul, operator.mul))
divide = true_divide = _binary_ufunc("divide", _divide_types, lambda dt: _float_div, divide=True)
floor_divide = _binary_ufunc("floor_divide", _bool_as_int8, _by_kind(None, _int_floordiv, _float_floordiv),
                             divide=True)
remainder = mod = _binary_ufunc("remainder", _bool_as_int8, _by_kind(None, _int_mod, _float_mod), divide=True)
power = _binary_ufunc("power", _bool_as_int8, lambda dt: _int_pow(dt) if dt.kind in "iu" else _float_pow)
maximum = _binary_ufunc("maximum", _same, _by_kind(builtins.max, builtins.max, _fmax))
minimum = _binary_ufunc("minimum", _same, _by_kind(builtins.min, builtins.min, _fmin))
arctan2 = _binary_ufunc("arctan2", _to_float, lambda dt: math.atan2)
hypot = _binary_ufunc("hypot", _to_float, lambda dt: math.hypot)
less = _binary_ufunc("less", _to_bool, lambda dt: operator.lt, check_ints=False)
less_equal = _binary_ufunc("less_equal", _to_bool, lambda dt: operator.le, check_ints=False)
greater = _binary_ufunc("greater", _to_bool, lambda dt: operator.gt, check_ints=False)
greater_equal = _binary_ufunc("greater_equal", _to_bool, lambda dt: operator.ge, check_ints=False)
equal = _binary_ufunc("equal", _to_bool, lambda dt: operator.eq, check_ints=False)
not_equal = _binary_ufunc("not_equal", _to_bool, lambda dt: operator.ne, check_ints=False)
logical_and = _binary_ufunc("logical_and", _to_bool, lambda dt: lambda a, b: bool(a) and bool(b),
                            check_ints=False)
logical_or = _binary_ufunc("logical_or", _to_bool, lambda dt: lambda a, b: bool(a) or bool(b), check_ints=False)
logical_xor = _binary_ufunc("logical_xor", _to_bool, lambda dt: lambda a, b: bool(a) != bool(b),
                            check_ints=False)
bitwise_and = _binary_ufunc("bitwise_and", _ints_only, lambda dt: operator.and_)
bitwise_or = _binary_ufunc("bitwise_or", _ints_only, lambda dt: operator.or_)
bitwise_xor = _binary_ufunc("bitwise_xor", _ints_only, lambda dt: operator.xor)

negative = _unary_ufunc("negative", _no_bool, lambda dt: operator.neg)
positive = _unary_ufunc("positive", _no_bool_loop, lambda dt: operator.pos)
absolute = abs = _unary_ufunc("absolute", _same, lambda dt: builtins.abs)
sign = _unary_ufunc("sign", _no_bool_loop, lambda dt: _sign)
square = _unary_ufunc("square", _bool_as_int8, lambda dt: lambda x: x * x)
reciprocal = _unary_ufunc("reciprocal", _bool_as_int8, _by_kind(None, _reciprocal_int, lambda x: _float_div(1.0, x)),
                          divide=True)
invert = bitwise_not = _unary_ufunc("invert", _ints_only, _by_kind(operator.not_, operator.invert, None))
floor = _unary_ufunc("floor", _same, _by_kind(bool, int, _trunc_like(math.floor)))
ceil = _unary_ufunc("ceil", _same, _by_kind(bool, int, _trunc_like(math.ceil)))
trunc = _unary_ufunc("trunc", _same, _by_kind(bool, int, _trunc_like(math.trunc)))
rint = _unary_ufunc("rint", _to_float, lambda dt: _rint)
isnan = _unary_ufunc("isnan", _to_bool, lambda dt: lambda x: x != x)
isinf = _unary_ufunc("isinf", _to_bool, lambda dt: lambda x: x in (_inf, -_inf))
isfinite = _unary_ufunc("isfinite", _to_bool, lambda dt: lambda x: math.isfinite(x))
signbit = _unary_ufunc("signbit", _to_bool, lambda dt: lambda x: math.copysign(1.0, x) < 0)
logical_not = _unary_ufunc("logical_not", _to_bool, lambda dt: operator.not_)

_FLOAT_FUNCTIONS = {
    "sin": _math(math.sin), "cos": _math(math.cos), "tan": _math(math.tan), "arcsin": _math(math.asin, hi=1.0),
    "arccos": _math(math.acos, hi=1.0), "arctan": math.atan, "sinh": _math(math.sinh), "cosh": _math(math.cosh),
    "tanh": math.tanh, "arcsinh": math.asinh, "arccosh": _math(math.acosh), "arctanh": _math(math.atanh),
    "exp": _exp, "exp2": _math(lambda x: 2.0 ** x), "expm1": _expm1,
    "log": _math(math.log, lo=0.0, at_lo=-_inf), "log2": _math(math.log2, lo=0.0, at_lo=-_inf),
    "log10": _math(math.log10, lo=0.0, at_lo=-_inf), "log1p": _math(math.log1p, lo=-1.0, at_lo=-_inf),
    "sqrt": _sqrt, "cbrt": math.cbrt,
    "deg2rad": math.radians, "rad2deg": math.degrees,
}
_DIVIDE_AT_EDGE = {"log", "log2", "log10", "log1p", "arctanh"}
FLOAT_UFUNCS = {name: _unary_ufunc(name, _to_float, (lambda f: lambda dt: f)(fn), divide=name in _DIVIDE_AT_EDGE)
                for name, fn in _FLOAT_FUNCTIONS.items()}
globals().update(FLOAT_UFUNCS)


def check_same_kind(name: str, src: DType, dst: DType) -> None:
    """An in-place `a += b` must not turn a's values into another kind (float into int)."""
    order = "buif"
    if order.index(src.kind) > order.index(dst.kind) and not (src.kind == "u" and dst.kind == "i"):
        raise UFuncTypeError(f"Cannot cast ufunc '{name}' output from dtype('{src.name}') to dtype('{dst.name}') "
                        f"with casting rule 'same_kind'")


# ------------------------------------------------------------- reductions
def _axes(axis, ndim) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(_norm_axis(a, ndim) for a in axes))


def _groups(x: ndarray, axis):
    """(groups of values reduced together, output shape, keepdims shape, reduced axes are the trailing ones)."""
    axes = _axes(axis, x.ndim)
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = x.transpose(kept + list(axes)) if axes else x
    values = moved._values()
    n = math.prod(x.shape[a] for a in axes)
    out_shape = tuple(x.shape[a] for a in kept)
    keep_shape = tuple(1 if a in axes else x.shape[a] for a in range(x.ndim))
    trailing = list(axes) == list(range(len(kept), x.ndim))
    count = math.prod(out_shape)
    return [values[i * n:(i + 1) * n] for i in range(count)], out_shape, keep_shape, trailing


def _pairwise(values: list, r) -> float:
    """NumPy's pairwise float sum (numpy/_core/src/umath/loops_utils.h), rounding each addition with r."""
    n = len(values)
    if n < 8:
        res = -0.0
        for v in values:
            res = r(res + v)
        return res
    if n <= 128:
        acc = list(values[:8])
        i = 8
        while i < n - n % 8:
            acc = [r(a + v) for a, v in zip(acc, values[i:i + 8])]
            i += 8
        res = r(r(r(acc[0] + acc[1]) + r(acc[2] + acc[3])) + r(r(acc[4] + acc[5]) + r(acc[6] + acc[7])))
        for v in values[i:]:
            res = r(res + v)
        return res
    half = n // 2
    half -= half % 8
    return r(_pairwise(values[:half], r) + _pairwise(values[half:], r))


def _sum_dtype(dt: DType) -> DType:
    if dt.kind == "b" or (dt.kind == "i" and dt.itemsize < 8):
        return _dtypes.int64
    if dt.kind == "u" and dt.itemsize < 8:
        return _dtypes.uint64
    return dt


def _finish(results, out_shape, keep_shape, keepdims, dt):
    return wrap(results, keep_shape if keepdims else out_shape, dt)


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    x = asarray(a)
    dt = _dtypes.dtype(dtype) if dtype is not None else _sum_dtype(x.dtype)
    x = x.astype(dt, copy=False)
    groups, out_shape, keep_shape, trailing = _groups(x, axis)
    if dt.kind == "f":
        r = _dtypes.rounder(_dtypes.float32 if dt.itemsize < 8 else dt)
        # NumPy starts from the identity, 0.0, and adds pairwise along a
        # reduced trailing axis, else one element at a time.
        if trailing:
            results = [r(0.0 + _pairwise(g, r)) for g in groups]
        else:
            results = []
            for g in groups:
                total = 0.0
                for v in g:
                    total = r(total + v)
                results.append(total)
        results = _dtypes.jd.round_list(dt, results)
    else:
        results = [_dtypes.rounder(dt)(builtins.sum(g)) for g in groups]
    return _finish(results, out_shape, keep_shape, keepdims, dt)


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    x = asarray(a)
    dt = _dtypes.dtype(dtype) if dtype is not None else _sum_dtype(x.dtype)
    x = x.astype(dt, copy=False)
    groups, out_shape, keep_shape, _ = _groups(x, axis)
    r = _dtypes.rounder(dt)
    results = []
    for g in groups:
        total = 1
        for v in g:
            total = r(total * v)
        results.append(r(total))
    return _finish(results, out_shape, keep_shape, keepdims, dt)


def _extreme(name, pick):
    def reduce(a, axis=None, out=None, keepdims=False):
        x = asarray(a)
        groups, out_shape, keep_shape, _ = _groups(x, axis)
        if _count(x, axis) == 0:
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        results = [next((v for v in g if v != v), None) if x.dtype.kind == "f" else None for g in groups]
        results = [nan_found if nan_found is not None else pick(g) for g, nan_found in zip(groups, results)]
        return _finish(results, out_shape, keep_shape, keepdims, x.dtype)
    reduce.__name__ = name
    return reduce


max = amax = _extreme("maximum", builtins.max)
min = amin = _extreme("minimum", builtins.min)


def _arg(name, better):
    def reduce(a, axis=None, out=None, keepdims=False):
        x = asarray(a)
        if axis is None:
            x = x.reshape(-1)
            axis = 0
        groups, out_shape, keep_shape, _ = _groups(x, axis)
        if _count(x, axis) == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        results = []
        for g in groups:
            best = 0
            for i, v in enumerate(g):
                if v != v:
                    best = i
                    break
                if better(v, g[best]):
                    best = i
            results.append(best)
        return _finish(results, out_shape, keep_shape, keepdims, _dtypes.int64)
    reduce.__name__ = name
    return reduce


argmax = _arg("argmax", operator.gt)
argmin = _arg("argmin", operator.lt)


def any(a, axis=None, out=None, keepdims=False):
    groups, out_shape, keep_shape, _ = _groups(asarray(a), axis)
    return _finish([builtins.any(g) for g in groups], out_shape, keep_shape, keepdims, _dtypes.bool_)


def all(a, axis=None, out=None, keepdims=False):
    groups, out_shape, keep_shape, _ = _groups(asarray(a), axis)
    return _finish([builtins.all(g) for g in groups], out_shape, keep_shape, keepdims, _dtypes.bool_)




def _count(x: ndarray, axis) -> int:
    return math.prod(x.shape[a] for a in _axes(axis, x.ndim))


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    x = asarray(a)
    if dtype is None and x.dtype.kind != "f":
        dtype = _dtypes.float64
    total = sum(x, axis, dtype, keepdims=keepdims)
    return true_divide(total, _count(x, axis))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    x = asarray(a)
    if dtype is None and x.dtype.kind != "f":
        dtype = _dtypes.float64
    n = _count(x, axis)
    centered = asarray(subtract(x, true_divide(sum(x, axis, dtype, keepdims=True), n)))
    total = sum(multiply(centered, centered), axis, dtype, keepdims=keepdims)
    return true_divide(total, builtins.max(n - ddof, 0))




def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return sqrt(var(a, axis, dtype, ddof=ddof, keepdims=keepdims))


def cumsum(a, axis=None, dtype=None):
    x = asarray(a)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = _norm_axis(axis, x.ndim)
    dt = _dtypes.dtype(dtype) if dtype is not None else _sum_dtype(x.dtype)
    moved = x.astype(dt).swapaxes(axis, -1)
    r = _dtypes.rounder(dt)
    n = moved.shape[-1]
    values = moved._values()
    out = []
    for i in range(0, len(values), n or 1):
        total = None
        for v in values[i:i + n]:
            total = v if total is None else r(total + v)
            out.append(total)
    return wrap(out, moved.shape, dt).swapaxes(axis, -1).copy() if out else asarray([], dt)


# ------------------------------------------------------------- linear algebra
def matmul(a, b):
    x, y = asarray(a), asarray(b)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("matmul: Input operand {} does not have enough dimensions (has 0, gufunc core with "
                         "signature (n?,k),(k,m?)->(n?,m?) requires 1)".format(0 if x.ndim == 0 else 1))
    dt = _dtypes.result_type([x, y])
    x2 = x.reshape(1, -1) if x.ndim == 1 else x
    y2 = y.reshape(-1, 1) if y.ndim == 1 else y
    n, k = x2.shape[-2:]
    k2, m = y2.shape[-2:]
    if k != k2:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                         f"(n?,k),(k,m?)->(n?,m?) (size {k2} is different from {k})")
    batch = broadcast_shapes(x2.shape[:-2], y2.shape[:-2])
    xs = _dtypes.cast_list(broadcast_values(x2, batch + (n, k)), x.dtype, dt)
    ys = _dtypes.cast_list(broadcast_values(y2, batch + (k, m)), y.dtype, dt)
    r = _dtypes.rounder(dt)
    out = []
    for b in range(math.prod(batch)):
        xb, yb = xs[b * n * k:(b + 1) * n * k], ys[b * k * m:(b + 1) * k * m]
        cols = [yb[j::m] for j in range(m)]
        for i in range(n):
            row = xb[i * k:(i + 1) * k]
            for col in cols:
                total = 0
                for p, q in zip(row, col):
                    total += p * q
                out.append(total)
    if dt.kind == "f":
        out = _dtypes.jd.round_list(dt, out)
    elif dt.kind == "b":
        out = [bool(v) for v in out]
    else:
        out = [r(v) for v in out]
    shape = batch + ((n,) if x.ndim > 1 else ()) + ((m,) if y.ndim > 1 else ())
    return wrap(out, shape, dt)


def dot(a, b):
    x, y = _operand(a), _operand(b)
    if _shape(x) == () or _shape(y) == ():
        return multiply(x, y)
    if x.ndim > 2 or y.ndim > 2:
        raise NotImplementedError("numpylite's np.dot takes arrays of at most 2 axes; use np.matmul (@) or "
                                  "np.einsum in real NumPy")
    return matmul(x, y)


def clip(a, a_min=None, a_max=None):
    out = a
    if a_min is not None:
        out = maximum(out, a_min)
    if a_max is not None:
        out = minimum(out, a_max)
    return out


def round(a, decimals=0):
    x = _operand(a)
    dt = x.dtype if not is_python_scalar(x) else _dtypes.result_type([x])
    if dt.kind != "f":
        return x if decimals >= 0 else multiply(floor_divide(x, 10 ** -decimals), 10 ** -decimals)
    scale = 10.0 ** decimals
    if decimals >= 0:
        return true_divide(rint(multiply(x, scale)), scale)
    return multiply(rint(true_divide(x, 1.0 / scale)), 1.0 / scale)


around = round
