"""`jax.numpy` on jaxlite: NumPy's API over jaxlite's primitives, with JAX's
type promotion (weak types), rank promotion and 32-bit defaults."""

from __future__ import annotations

import builtins
import functools
import math

from jaxlite import _core as core, _dtypes, _lax as lax, _config
from jaxlite._array import Array, ArrayImpl, to_array
from jaxlite._core import Tracer, get_aval
from jaxlite._dtypes import DType, dtype as _to_dtype, promote_types
from jaxlite import _indexing

ndarray = Array
pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


# ------------------------------------------------------------ scalar types
class _ScalarMeta(type):
    def __repr__(cls):
        return f"<class 'jax.numpy.{cls.__name__}'>"

    def __eq__(cls, other):
        try:
            return cls._jaxlite_dtype == _to_dtype(other)
        except TypeError:
            return False

    def __hash__(cls):
        return hash(cls._jaxlite_dtype)

    @property
    def dtype(cls):
        return cls._jaxlite_dtype

    def __call__(cls, x=0):
        return array(x, dtype=cls._jaxlite_dtype)


def _scalar_type(name):
    t = _ScalarMeta(name, (), {"_jaxlite_dtype": _dtypes.dtype(name)})
    _dtypes.SCALAR_TYPES[name] = t
    return t


bool_ = _scalar_type("bool")
int8, int16, int32, int64 = (_scalar_type(n) for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_scalar_type(n) for n in ("uint8", "uint16", "uint32", "uint64"))
float16, bfloat16, float32, float64 = (_scalar_type(n) for n in ("float16", "bfloat16", "float32", "float64"))
float_ = float64
int_ = int64
dtype = _to_dtype


class _Generic:
    pass


floating = inexact = number = integer = signedinteger = unsignedinteger = _Generic


def issubdtype(a, b):
    a = _to_dtype(a)
    kinds = {floating: "f", integer: "iu", signedinteger: "i", unsignedinteger: "u", number: "fiu"}
    if b in kinds:
        return a.kind in kinds[b]
    return a == _to_dtype(b)


def _jnp_jit(**jit_kwargs):
    """A jnp function JAX itself wraps in `jit`: its jaxpr shows a nested
    jit[name=...] equation, and eagerly it runs as one compiled call."""
    def wrap(fun):
        jitted = []

        @functools.wraps(fun)
        def call(*args, **kwargs):
            if not jitted:
                from jaxlite._api import jit
                jitted.append(jit(fun, **jit_kwargs))
            return jitted[0](*args, **kwargs)
        return call
    return wrap


def result_type(*args):
    return _dtypes.promote(*[_typed(a) for a in args])[0]


def _typed(a):
    if isinstance(a, (DType, str)) or isinstance(a, _ScalarMeta):
        return _to_dtype(a), False
    aval = get_aval(a) if isinstance(a, (Tracer, ArrayImpl, bool, int, float)) else asarray(a).aval
    return aval.dtype, aval.weak_type


class finfo:
    def __init__(self, dt):
        dt = _to_dtype(dt)
        self.dtype = dt
        self.bits = dt.bits
        self.max = _dtypes.finfo_max(dt)
        self.min = -self.max
        self.eps = {"float16": 2 ** -10, "bfloat16": 2 ** -7, "float32": 2 ** -23, "float64": 2 ** -52}[dt.name]
        self.tiny = {"float16": 2 ** -14, "bfloat16": 2 ** -126, "float32": 2 ** -126, "float64": 2 ** -1022}[dt.name]


class iinfo:
    def __init__(self, dt):
        dt = _to_dtype(dt)
        lo, span = _dtypes._INT_RANGE[dt.name]
        self.dtype, self.bits, self.min, self.max = dt, dt.bits, lo, lo + span - 1


# ------------------------------------------------------------ creation
def _infer(obj):
    """(flat values, shape, dtype, weak) of nested Python lists/scalars/arrays."""
    host = core.numpy_value(obj)
    if host is not None:
        return list(host[0]), host[1], host[2], False
    if isinstance(obj, (ArrayImpl,)):
        return list(obj.data), obj.shape, obj.dtype, obj.weak_type
    if isinstance(obj, (bool, int, float)):
        dt, weak = _dtypes.scalar_info(obj)
        return [obj], (), dt, weak
    if isinstance(obj, (list, tuple)):
        if not obj:
            return [], (0,), _dtypes.default_float(), False
        parts = [_infer(o) for o in obj]
        shapes = {p[1] for p in parts}
        if len(shapes) > 1:
            raise ValueError("setting an array element with a sequence. The requested array has an inhomogeneous shape")
        dt, _ = _dtypes.promote(*[(p[2], p[3] and not isinstance(o, ArrayImpl)) for p, o in zip(parts, obj)])
        if builtins.all(isinstance(o, (bool, int, float)) for o in obj):
            kinds = {type(o) for o in obj}
            if kinds == {bool}:
                dt = _dtypes.bool_
            elif float in kinds:
                dt = _dtypes.default_float()
            else:
                dt = _dtypes.default_int()
        vals = [v for p in parts for v in p[0]]
        return vals, (len(obj),) + parts[0][1], dt, False
    if hasattr(obj, "__jax_array__"):
        return _infer(obj.__jax_array__())
    raise TypeError(f"jaxlite cannot make an array from an object of type {type(obj).__name__}")


def _available(dtype, where: str):
    """The dtype JAX gives for a requested one, warning as JAX does when a
    64-bit dtype is asked for in 32-bit mode (Python's float/int just mean the default)."""
    if dtype is None or builtins.any(dtype is t for t in (float, int, bool)):
        return dtype
    requested = _to_dtype(dtype)
    given = _dtypes.canonicalize(requested)
    if given != requested:
        import warnings
        warnings.warn(f"Explicitly requested dtype {requested.name} requested in {where} is not available, and will "
                      f"be truncated to dtype {given.name}. To enable more dtypes, set the jax_enable_x64 "
                      "configuration option or the JAX_ENABLE_X64 shell environment variable. See "
                      "https://github.com/jax-ml/jax#current-gotchas for more.", stacklevel=3)
    return given


def array(obj, dtype=None, copy=True, ndmin=0):
    dtype = _available(dtype, "array")
    if isinstance(obj, Tracer):
        out = obj if dtype is None else _astype(obj, dtype)
        return out
    if isinstance(obj, (list, tuple)) and builtins.any(isinstance(o, Tracer) for o in _flat_objs(obj)):
        target = _dtypes.canonicalize(_to_dtype(dtype)) if dtype is not None else result_type(*_flat_objs(obj))
        return _traced_array(obj, target)
    vals, shape, dt, weak = _infer(obj)
    if dtype is not None:
        target = _dtypes.canonicalize(_to_dtype(dtype))
        weak = False
    else:
        target = _dtypes.canonicalize(dt)
    if target.kind in "iu" and dt.kind in "iub" and vals and dtype is None:
        lo, span = _dtypes._INT_RANGE[target.name]
        for v in vals:
            if not lo <= v < lo + span:
                raise OverflowError(f"Python int {v} too large to convert to {target.name}")
    data = _dtypes.convert_list(vals, dt, target) if dt != target or dt.kind == "f" else list(vals)
    out = ArrayImpl(data, shape, target, weak)
    while out.ndim < ndmin:
        out = ArrayImpl(out.data, (1,) + out.shape, out.dtype, out.weak_type)
    return out


def _traced_array(obj, dt):
    """A nested list holding tracers, as JAX builds it: each element in the
    result's dtype (not weak), given a leading axis of 1, then joined."""
    if not isinstance(obj, (list, tuple)):
        return _astype(obj, dt) if isinstance(obj, Tracer) else array(obj, dt)
    if not obj:
        raise ValueError("jaxlite cannot build an array from an empty list among traced values")
    return concatenate([expand_dims(_traced_array(o, dt), 0) for o in obj], axis=0)


def _flat_objs(obj):
    for o in obj:
        if isinstance(o, (list, tuple)):
            yield from _flat_objs(o)
        else:
            yield o


def asarray(a, dtype=None, copy=None):
    dtype = _available(dtype, "asarray")
    if isinstance(a, (ArrayImpl, Tracer)) and dtype is None:
        return a
    return array(a, dtype=dtype)


def _astype(x, dt):
    return lax.convert_element_type(x, dt, weak_type=False)


def _fill(shape, value, dt):
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(d) for d in shape)
    dt = _dtypes.canonicalize(_to_dtype(dt))
    scalar = lax.convert_element_type(value, dt)
    return lax.broadcast_in_dim(scalar, shape, ())


def zeros(shape, dtype=None):
    return _fill(shape, 0, dtype or _dtypes.default_float())


def ones(shape, dtype=None):
    return _fill(shape, 1, dtype or _dtypes.default_float())


def full(shape, fill_value, dtype=None):
    if dtype is None:
        dt, weak = _typed(fill_value)
        dtype = dt
    if isinstance(shape, int):
        shape = (shape,)
    return lax.broadcast_in_dim(lax.convert_element_type(fill_value, _to_dtype(dtype)), tuple(shape), ())


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def zeros_like(a, dtype=None, shape=None):
    aval = get_aval(asarray(a))
    return zeros(aval.shape if shape is None else shape, dtype or aval.dtype)


def ones_like(a, dtype=None, shape=None):
    aval = get_aval(asarray(a))
    return ones(aval.shape if shape is None else shape, dtype or aval.dtype)


def full_like(a, fill_value, dtype=None, shape=None):
    aval = get_aval(asarray(a))
    return full(aval.shape if shape is None else shape, fill_value, dtype or aval.dtype)


def empty_like(a, dtype=None):
    return zeros_like(a, dtype)


def _concrete(x, what):
    if isinstance(x, Tracer):
        from jaxlite.errors import ConcretizationTypeError
        raise ConcretizationTypeError(
            f"Abstract tracer value encountered where concrete value is expected: {x}\n{what}")
    return x.item() if isinstance(x, ArrayImpl) else x


def arange(start, stop=None, step=None, dtype=None):
    start = _concrete(start, "It arose in the jnp.arange argument 'start'")
    stop = _concrete(stop, "It arose in the jnp.arange argument 'stop'") if stop is not None else None
    step = _concrete(step, "It arose in the jnp.arange argument 'step'") if step is not None else None
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if dtype is None:
        dtype = _dtypes.default_float() if builtins.any(isinstance(v, float) for v in (start, stop, step)) else _dtypes.default_int()
    dt = _dtypes.canonicalize(_to_dtype(dtype))
    n = builtins.max(0, math.ceil((stop - start) / step))
    if dt.kind == "i" and builtins.all(isinstance(v, int) for v in (start, stop, step)) and start == 0 and step == 1:
        return lax.iota_p.bind(dtype=dt, shape=(n,), dimension=0, sharding=None) if False else \
            ArrayImpl(list(range(n)), (n,), dt, False)
    vals = [start + i * step for i in range(n)]
    return ArrayImpl(_dtypes.convert_list(vals, _dtypes.float64, dt) if dt.kind != "f" else _dtypes.round_list(dt, vals),
                     (n,), dt, False)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    dtype = None if dtype is None else _dtypes.canonicalize(_to_dtype(dtype))
    return _linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep, dtype=dtype, axis=axis)


@_jnp_jit(static_argnames=("num", "endpoint", "retstep", "dtype", "axis"))
def _linspace(start, stop, *, num, endpoint, retstep, dtype, axis):
    """JAX's _linspace, equation for equation: start * (1 - i/div) + stop * i/div
    in float32, which recovers both end points exactly."""
    start, stop = asarray(start), asarray(stop)
    if dtype is None:
        dtype = result_type(start, stop)
        dtype = dtype if dtype.kind == "f" else _dtypes.default_float()
    comp = dtype if dtype.kind == "f" else _dtypes.default_float()
    start = lax.convert_element_type(start, comp)
    stop = lax.convert_element_type(stop, comp)
    bounds = list(broadcast_shapes(get_aval(start).shape, get_aval(stop).shape))
    b_start, b_stop = broadcast_to(start, bounds), broadcast_to(stop, bounds)
    axis = len(bounds) + axis + 1 if axis < 0 else axis
    bounds.insert(axis, 1)
    div = (num - 1) if endpoint else num
    const = lambda v: ArrayImpl([float(v)], (), comp, False)
    if num > 1:
        delta = lax.div_p.bind(lax.sub_p.bind(stop, start), const(div))
        iota_shape = [1] * len(bounds)
        iota_shape[axis] = div
        step = lax.reshape(lax.iota_p.bind(dtype=comp, shape=(div,), dimension=0, sharding=None), tuple(iota_shape))
        step = lax.div_p.bind(step, const(div))
        out = lax.reshape(b_start, tuple(bounds)) * (1 - step) + lax.reshape(b_stop, tuple(bounds)) * step
        if endpoint:
            out = lax.concatenate_p.bind(out, lax.expand_dims(b_stop, (axis,)), dimension=axis % get_aval(out).ndim)
    elif num == 1:
        delta = const(math.nan if endpoint else 0.0)
        delta = delta if endpoint else lax.sub_p.bind(stop, start)
        out = lax.reshape(b_start, tuple(bounds))
    else:
        delta = const(math.nan)
        bounds[axis] = 0
        out = zeros(tuple(bounds), dtype)
    if dtype.kind in "iu":
        out = lax.floor_p.bind(out)
    out = lax.convert_element_type(out, dtype)
    return (out, delta) if retstep else out


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    dt = _dtypes.canonicalize(_to_dtype(dtype)) if dtype is not None else _dtypes.default_float()
    # JAX's lax._eye: row index + k == column index, from two iotas (staged under a trace)
    iota = lambda dim: lax.iota_p.bind(dtype=_dtypes.int32, shape=(N, M), dimension=dim, sharding=None)
    offset = ArrayImpl([int(k)], (), _dtypes.int32, False)
    rows, cols = iota(0), iota(1)
    bool_eye = lax.eq_p.bind(lax.add_p.bind(rows, offset), cols)
    return lax.convert_element_type(bool_eye, dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def diag(v, k=0):
    _check_arraylike("diag", v)
    return _diag(v, k=int(k))


@_jnp_jit(static_argnames=("k",))
def _diag(v, *, k):
    """JAX's _diag: a vector padded to n, then where(eye(n, k), v[:, None], 0)."""
    v = asarray(v) if not isinstance(v, Tracer) else v
    shape = get_aval(v).shape
    if len(shape) == 1:
        zero = lax.convert_element_type(0, get_aval(v).dtype, weak_type=get_aval(v).weak_type)
        n = shape[0] + builtins.abs(k)
        v = lax.pad_p.bind(v, zero, padding_config=((builtins.max(0, -k), builtins.max(0, k), 0),))
        return where(eye(n, k=k, dtype=bool), v[:, None], zero)
    if len(shape) == 2:
        return diagonal(v, offset=k)
    raise ValueError("diag input must be 1d or 2d")


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    dt = _to_dtype(dtype) if dtype else _dtypes.default_float()
    return ArrayImpl(_dtypes.round_list(dt, [1 if j <= i + k else 0 for i in range(N) for j in range(M)]), (N, M), dt)


def tril(m, k=0):
    m = asarray(m)
    return where(tri(m.shape[-2], m.shape[-1], k, dtype=bool_), m, zeros_like(m))


def triu(m, k=0):
    m = asarray(m)
    return where(tri(m.shape[-2], m.shape[-1], k - 1, dtype=bool_), zeros_like(m), m)


# ------------------------------------------------------------ promotion
def _promote(*args, to_float=False, ranks=True):
    """JAX's promote_args: one dtype for all, then (unless `ranks` is false) equal ranks."""
    typed = [_typed(a) for a in args]
    dt, weak = _dtypes.promote(*typed)
    if to_float and dt.kind != "f":
        dt = _dtypes.default_float()  # the weak type stays: bool / 2 is weak float32, as in JAX
    out = []
    for a, (adt, aweak) in zip(args, typed):
        if isinstance(a, (bool, int, float)) and not isinstance(a, Tracer):
            out.append(ArrayImpl(_dtypes.convert_list([a], adt, dt), (), dt, weak))
        elif adt != dt or aweak != weak:
            out.append(lax.convert_element_type(a, dt, weak_type=weak))
        else:
            out.append(a)
    return _rank_promote(out) if ranks else out


def _rank_promote(args):
    nd = builtins.max(get_aval(a).ndim for a in args)
    out = []
    for a in args:
        aval = get_aval(a)
        if aval.ndim < nd and aval.ndim > 0:
            shape = (1,) * (nd - aval.ndim) + aval.shape
            out.append(lax.broadcast_in_dim(a, shape, tuple(range(nd - aval.ndim, nd))))
        else:
            out.append(a)
    _check_broadcastable([get_aval(a).shape for a in out], nd)
    return out


def _check_broadcastable(shapes, nd):
    for dims in zip(*[s for s in shapes if len(s) == nd]):
        big = {d for d in dims if d != 1}
        if len(big) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={[tuple(s) for s in shapes]}")


def _check_arraylike(name, *args):
    for i, a in enumerate(args):
        if not isinstance(a, (Tracer, ArrayImpl, bool, int, float)) and not hasattr(a, "__jax_array__") \
                and core.numpy_value(a) is None:
            raise TypeError(f"{name} requires ndarray or scalar arguments, got {type(a)} at position {i}.")


def _check_no_keys(name, *args):
    """Typed PRNG keys take no arithmetic (JAX's message for extended dtypes)."""
    dts = [_typed(a)[0] for a in args]
    if builtins.any(dt.kind == "K" for dt in dts):
        raise TypeError(f"{name} does not accept dtypes {', '.join(dt.name for dt in dts)}.")


def _binary(prim, name, to_float=False):
    def fn(x, y, /):
        _check_arraylike(name, x, y)
        _check_no_keys(name, x, y)
        x, y = _promote(x, y, to_float=to_float)
        if name in _BOOL_ARITHMETIC and get_aval(x).dtype.kind == "b":
            return _BOOL_ARITHMETIC[name].bind(x, y)
        return prim.bind(x, y)
    fn.__name__ = name
    return fn


_BOOL_ARITHMETIC = {"add": lax.or_p, "multiply": lax.and_p}  # JAX's jnp.add and jnp.multiply on bools


def _unary(prim, name, to_float=True):
    def fn(x, /):
        _check_arraylike(name, x)
        (x,) = _promote(x, to_float=to_float)
        return prim.bind(x)
    fn.__name__ = name
    return fn


add = _binary(lax.add_p, "add")
subtract = _binary(lax.sub_p, "subtract")
multiply = _binary(lax.mul_p, "multiply")
maximum = _binary(lax.max_p, "maximum")
minimum = _binary(lax.min_p, "minimum")
arctan2 = _binary(lax.atan2_p, "arctan2", to_float=True)
equal = _binary(lax.eq_p, "equal")
not_equal = _binary(lax.ne_p, "not_equal")
less = _binary(lax.lt_p, "less")
less_equal = _binary(lax.le_p, "less_equal")
greater = _binary(lax.gt_p, "greater")
greater_equal = _binary(lax.ge_p, "greater_equal")
bitwise_and = logical_and_ = _binary(lax.and_p, "bitwise_and")
bitwise_or = _binary(lax.or_p, "bitwise_or")
bitwise_xor = _binary(lax.xor_p, "bitwise_xor")


def logical_and(x, y):
    return bitwise_and(asarray(x).astype(bool_) if not isinstance(x, Tracer) else x, y)


def logical_or(x, y):
    return bitwise_or(x, y)


def logical_not(x):
    return invert(asarray(x) != 0 if get_aval(asarray(x)).dtype.kind != "b" else x)


def true_divide(x, y, /):
    _check_arraylike("true_divide", x, y)
    x, y = _promote(x, y, to_float=True)
    return lax.div_p.bind(x, y)


divide = true_divide


@_jnp_jit()
def floor_divide(x, y, /):
    x, y = _promote(x, y)
    kind = get_aval(x).dtype.kind
    if kind == "u":
        return lax.div_p.bind(x, y)
    if kind == "i":
        q = lax.div_p.bind(x, y)
        # round toward -inf where signs differ and there is a remainder
        fix = logical_and(lax.sign_p.bind(x) != lax.sign_p.bind(y), lax.rem_p.bind(x, y) != 0)
        return _where(fix, q - 1, q)
    return _float_divmod(x, y)[0]


def _float_divmod(x, y):
    """CPython's float_divmod, as JAX writes it: (floor(x / y), x mod y)."""
    mod = lax.rem_p.bind(x, y)
    div = lax.div_p.bind(_where(y == 0, x, lax.sub_p.bind(x, mod)), y)
    ind = lax.and_p.bind(mod != 0, lax.sign_p.bind(y) != lax.sign_p.bind(mod))
    mod = lax.select_n_p.bind(ind, mod, mod + y)
    div = lax.select_n_p.bind(ind, div, div - 1.0)
    return lax.round_p.bind(div, rounding_method=lax.RoundingMethod.AWAY_FROM_ZERO), mod


@_jnp_jit()
def remainder(x, y, /):
    x, y = _promote(x, y)
    zero = _lit_like(x, 0)
    if get_aval(y).dtype.kind in "iu":
        y = _where(y == 0, lax.broadcast_in_dim(_lit_like(y, 1), get_aval(y).shape, ()), y)
    r = lax.rem_p.bind(x, y)
    r_not_zero = lax.ne_p.bind(r, zero)
    fix = lax.and_p.bind(lax.ne_p.bind(lax.lt_p.bind(r, zero), lax.lt_p.bind(y, zero)), r_not_zero)
    return lax.select_n_p.bind(fix, r, lax.add_p.bind(r, y))


def _lit_like(x, value):
    """A scalar constant of x's dtype (JAX's _constant_like / lax._const)."""
    dt = get_aval(x).dtype
    return ArrayImpl(_dtypes.convert_list([value], _dtypes.scalar_info(value)[0], dt), (), dt, False)


mod = remainder


def power(x, y, /):
    _check_arraylike("power", x, y)
    if isinstance(y, int) and not isinstance(y, bool):
        (x,) = _promote(x)
        return lax.integer_pow_p.bind(x, y=y)
    x, y = _promote(x, y)
    if get_aval(x).dtype.kind in "iu":
        yv = _concrete(y, "integer powers need a concrete exponent")
        return lax.integer_pow_p.bind(x, y=int(yv))
    return lax.pow_p.bind(x, y)


def float_power(x, y):
    return power(asarray(x, float64), y)


negative = _unary(lax.neg_p, "negative", to_float=False)
sign = _unary(lax.sign_p, "sign", to_float=False)
floor = _unary(lax.floor_p, "floor")
ceil = _unary(lax.ceil_p, "ceil")
exp = _unary(lax.exp_p, "exp")
log = _unary(lax.log_p, "log")
log1p = _unary(lax.log1p_p, "log1p")
expm1 = _unary(lax.expm1_p, "expm1")
tanh = _unary(lax.tanh_p, "tanh")
sin = _unary(lax.sin_p, "sin")
cos = _unary(lax.cos_p, "cos")
tan = _unary(lax.tan_p, "tan")
sqrt = _unary(lax.sqrt_p, "sqrt")
arctan = _unary(lax.atan_p, "arctan")
sinh = _unary(lax.sinh_p, "sinh")
cosh = _unary(lax.cosh_p, "cosh")
arcsinh = _unary(lax.asinh_p, "arcsinh")


def abs(x, /):
    _check_arraylike("abs", x)
    (x,) = _promote(x)
    if get_aval(x).dtype.kind in "ub":
        return x
    return lax.abs_p.bind(x)


absolute = abs


def fabs(x):
    return abs(asarray(x, dtype=_dtypes.default_float()) if get_aval(asarray(x)).dtype.kind != "f" else x)


def square(x, /):
    (x,) = _promote(x)
    return lax.square_p.bind(x)


def reciprocal(x):
    (x,) = _promote(x, to_float=True)
    return lax.integer_pow_p.bind(x, y=-1)


@_jnp_jit()
def rint(x, /):
    _check_arraylike("rint", x)
    if get_aval(x).dtype.kind in "biu":
        return lax.convert_element_type(x, _dtypes.default_float())
    return lax.round_p.bind(x, rounding_method=lax.RoundingMethod.TO_NEAREST_EVEN)


@_jnp_jit(static_argnames=("decimals",))
def round(a, decimals=0, out=None):
    _check_arraylike("round", a)
    dt = get_aval(a).dtype
    if dt.kind in "iu" or decimals > math.log10(_dtypes.finfo_max(dt)):
        return a   # NumPy's no-op: integers, or more decimals than the float holds
    if decimals == 0:
        return lax.round_p.bind(a, rounding_method=lax.RoundingMethod.TO_NEAREST_EVEN)
    factor = _lit_like(a, 10 ** decimals)
    scaled = lax.round_p.bind(lax.mul_p.bind(a, factor), rounding_method=lax.RoundingMethod.TO_NEAREST_EVEN)
    return lax.div_p.bind(scaled, factor)


@_jnp_jit(static_argnames=("decimals",))
def around(a, decimals=0, out=None):
    return round(a, decimals, out)


def log2(x):
    (x,) = _promote(x, to_float=True)
    return lax.div_p.bind(lax.log_p.bind(x), lax.log_p.bind(asarray(2.0, get_aval(x).dtype)))


def log10(x):
    (x,) = _promote(x, to_float=True)
    return lax.mul_p.bind(lax.log_p.bind(x), asarray(0.4342944819032518, get_aval(x).dtype))  # 1 / log(10)


exp2 = _unary(lax.exp2_p, "exp2")


def invert(x):
    (x,) = _promote(x)
    return lax.not_p.bind(x)


bitwise_not = invert


def isnan(x):
    x = asarray(x)
    if get_aval(x).dtype.kind != "f":
        return full(get_aval(x).shape, False, bool_)
    return not_equal(x, x)


def isfinite(x):
    x = asarray(x)
    if get_aval(x).dtype.kind != "f":
        return full(get_aval(x).shape, True, bool_)
    return lax.is_finite_p.bind(x)


@_jnp_jit()
def isinf(x, /):
    _check_arraylike("isinf", x)
    if get_aval(x).dtype.kind != "f":
        return full(get_aval(x).shape, False, bool_)
    return lax.eq_p.bind(lax.abs_p.bind(x), _lit_like(x, math.inf))


def _isposneginf(infinity, x):
    x = asarray(x) if not isinstance(x, Tracer) else x
    if get_aval(x).dtype.kind != "f":
        return full(get_aval(x).shape, False, bool_)
    return lax.eq_p.bind(x, _lit_like(x, infinity))


def isposinf(x, /, out=None):
    return _isposneginf(math.inf, x)


def isneginf(x, /, out=None):
    return _isposneginf(-math.inf, x)


@_jnp_jit()
def signbit(x, /):
    (x,) = _promote(x)
    dt = get_aval(x).dtype
    if dt.kind in "iu":
        return lax.lt_p.bind(x, _lit_like(x, 0))
    if dt.kind == "b":
        return full(get_aval(x).shape, False, bool_)
    # the sign is the float's top bit: bitcast to an integer and shift it down
    int_dt = _to_dtype(f"int{dt.bits}")
    bits = lax.bitcast_convert_type(x, int_dt)
    top = lax.shift_right_arithmetic_p.bind(bits, ArrayImpl([dt.bits - 1], (), int_dt, False))
    return lax.convert_element_type(top, bool_)


def where(condition, x=None, y=None, /):
    if x is None and y is None:
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided to jax.numpy.where, "
                         f"got {x} and {y}.")
    return _where(condition, x, y)


@_jnp_jit()
def _where(condition, x, y):
    condition = asarray(condition) if not isinstance(condition, Tracer) else condition
    if get_aval(condition).dtype.kind != "b":
        condition = not_equal(condition, 0)
    x, y = _promote(x, y, ranks=False)
    if get_aval(condition).ndim:
        condition, x, y = broadcast_arrays(condition, x, y)
    else:   # select_n takes a scalar predicate as it is
        x, y = broadcast_arrays(x, y)
    if 0 in get_aval(x).shape:
        return x
    return lax.select_n_p.bind(condition, y, x)


def broadcast_shapes(*shapes):
    nd = builtins.max([len(s) for s in shapes] + [0])
    out = []
    for i in range(nd):
        dims = [s[len(s) - nd + i] for s in shapes if len(s) - nd + i >= 0]
        big = {d for d in dims if d != 1}
        if len(big) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={[tuple(s) for s in shapes]}")
        out.append(big.pop() if big else 1)
    return tuple(out)


def broadcast_to(x, shape):
    x = x if isinstance(x, Tracer) else asarray(x)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    aval = get_aval(x)
    if aval.shape == shape:
        return x
    nd = len(shape)
    lead = nd - aval.ndim
    if lead < 0 or builtins.any(d != 1 and d != s for d, s in zip(aval.shape, shape[lead:])):
        raise ValueError(f"Incompatible shapes for broadcasting: {aval.shape} and requested shape {shape}")
    # one broadcast_in_dim, size-1 dimensions stretched by it (as JAX's _broadcast_to)
    return lax.broadcast_in_dim(x, shape, tuple(range(lead, nd)))


def broadcast_arrays(*args):
    args = [asarray(a) if not isinstance(a, Tracer) else a for a in args]
    shape = broadcast_shapes(*[get_aval(a).shape for a in args])
    return [broadcast_to(a, shape) for a in args]


def select(condlist, choicelist, default=0):
    out = default
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = where(c, v, out)
    return out


@_jnp_jit()
def clip(arr=None, /, min=None, max=None):
    if arr is None:
        raise ValueError("No input was provided to the clip function.")
    _check_arraylike("clip", arr)
    if min is not None:
        arr = maximum(min, arr)
    if max is not None:
        arr = minimum(max, arr)
    return arr


# ------------------------------------------------------------ reductions
def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim if ndim else 0)
    return tuple(out)


def _reduction(name, prim_fn, identity_dtype=None, upcast_bool=True):
    def fn(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        _check_arraylike(name, a)
        a = asarray(a) if not isinstance(a, Tracer) else a
        aval = get_aval(a)
        if upcast_bool and aval.dtype.kind == "b" and name in ("sum", "prod"):
            a = lax.convert_element_type(a, _dtypes.default_int())
        elif upcast_bool and aval.dtype.kind in "iu" and aval.dtype.bits < 32 and name in ("sum", "prod"):
            a = lax.convert_element_type(a, _dtypes.int32 if aval.dtype.kind == "i" else _dtypes.uint32)
        if dtype is not None:
            a = lax.convert_element_type(a, dtype)
        elif get_aval(a).weak_type:   # JAX reduces in the (strong) computation dtype
            a = lax.convert_element_type(a, get_aval(a).dtype, weak_type=False)
        axes = _axes(axis, aval.ndim)
        if name in ("max", "min") and builtins.any(aval.shape[i] == 0 for i in axes):
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        res = prim_fn(a, axes)
        if keepdims:
            res = lax.expand_dims(res, axes) if axes else res
        return res
    fn.__name__ = name
    return fn


sum = _reduction("sum", lax.reduce_sum)
prod = _reduction("prod", lax.reduce_prod)
max = amax = _reduction("max", lax.reduce_max)
min = amin = _reduction("min", lax.reduce_min)


def any(a, axis=None, keepdims=False):
    a = asarray(a) if not isinstance(a, Tracer) else a
    if get_aval(a).dtype.kind != "b":
        a = not_equal(a, 0)
    axes = _axes(axis, get_aval(a).ndim)
    res = lax.reduce_or_p.bind(a, axes=axes)
    return lax.expand_dims(res, axes) if keepdims and axes else res


def all(a, axis=None, keepdims=False):
    a = asarray(a) if not isinstance(a, Tracer) else a
    if get_aval(a).dtype.kind != "b":
        a = not_equal(a, 0)
    axes = _axes(axis, get_aval(a).ndim)
    res = lax.reduce_and_p.bind(a, axes=axes)
    return lax.expand_dims(res, axes) if keepdims and axes else res


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    _check_arraylike("mean", a)
    a = asarray(a) if not isinstance(a, Tracer) else a
    aval = get_aval(a)
    axes = _axes(axis, aval.ndim)
    n = 1
    for i in axes:
        n *= aval.shape[i]
    if aval.dtype.kind != "f":
        a = lax.convert_element_type(a, _dtypes.default_float())
    s = sum(a, axis=axis, keepdims=keepdims)
    return lax.div_p.bind(s, ArrayImpl(_dtypes.round_list(get_aval(s).dtype, [float(n)]), (), get_aval(s).dtype))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, correction=None):
    _check_arraylike("var", a)
    correction = ddof if correction is None else correction
    return _var(a, axis=_static_axis(axis), dtype=dtype, correction=correction, keepdims=keepdims)


def _static_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


@_jnp_jit(static_argnames=("axis", "dtype", "keepdims"))
def _var(a, *, axis=None, dtype=None, correction=0, keepdims=False):
    a = asarray(a) if not isinstance(a, Tracer) else a
    if get_aval(a).dtype.kind != "f":
        a = lax.convert_element_type(a, _dtypes.default_float())
    aval = get_aval(a)
    dt = aval.dtype
    n = 1
    for i in _axes(axis, aval.ndim):
        n *= aval.shape[i]
    centered = lax.sub_p.bind(a, mean(a, axis=axis, keepdims=True))
    centered = lax.square_p.bind(centered)
    normalizer = lax.sub_p.bind(ArrayImpl(_dtypes.round_list(dt, [float(n)]), (), dt),
                                lax.convert_element_type(correction, dt))
    result = lax.div_p.bind(sum(centered, axis=axis, keepdims=keepdims), normalizer)
    return _where(lax.gt_p.bind(normalizer, ArrayImpl([0.0], (), dt)), result, math.nan)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, correction=None):
    _check_arraylike("std", a)
    correction = ddof if correction is None else correction
    return _std(a, axis=_static_axis(axis), dtype=dtype, correction=correction, keepdims=keepdims)


@_jnp_jit(static_argnames=("axis", "dtype", "keepdims"))
def _std(a, *, axis=None, dtype=None, correction=0, keepdims=False):
    return sqrt(_var(a, axis=axis, dtype=dtype, correction=correction, keepdims=keepdims))


def median(a, axis=None, keepdims=False):
    a = asarray(a)
    if axis is None:
        a = ravel(a)
        axis = 0
    s = sort(a, axis=axis)
    n = get_aval(s).shape[axis]
    lo = take(s, (n - 1) // 2, axis=axis)
    hi = take(s, n // 2, axis=axis)
    return (lo + hi) / 2


def argmax(a, axis=None, keepdims=False):
    a = asarray(a) if not isinstance(a, Tracer) else a
    if axis is None:
        res = argmax(ravel(a), 0)
        return lax.expand_dims(res, tuple(range(get_aval(a).ndim))) if keepdims else res
    axis = axis % get_aval(a).ndim
    res = lax.argmax_p.bind(a, axes=(axis,), index_dtype=_dtypes.default_int())
    return lax.expand_dims(res, (axis,)) if keepdims else res


def argmin(a, axis=None, keepdims=False):
    a = asarray(a) if not isinstance(a, Tracer) else a
    if axis is None:
        res = argmin(ravel(a), 0)
        return lax.expand_dims(res, tuple(range(get_aval(a).ndim))) if keepdims else res
    axis = axis % get_aval(a).ndim
    res = lax.argmin_p.bind(a, axes=(axis,), index_dtype=_dtypes.default_int())
    return lax.expand_dims(res, (axis,)) if keepdims else res


@_jnp_jit(static_argnames=("axis", "dtype"))
def cumsum(a, axis=None, dtype=None, out=None):
    return _cumulative("cumsum", lax.cumsum_p, a, axis, dtype)


@_jnp_jit(static_argnames=("axis", "dtype"))
def cumprod(a, axis=None, dtype=None, out=None):
    return _cumulative("cumprod", lax.cumprod_p, a, axis, dtype)


def _cumulative(name, prim, a, axis, dtype):
    """JAX's _cumulative_reduction: flatten when there is no axis, accumulate
    bools as integers, and return the requested dtype."""
    _check_arraylike(name, a)
    if axis is None or get_aval(a).ndim == 0:
        a = lax.reshape(a, (get_aval(a).size,))
    axis = _axes(0 if axis is None else axis, get_aval(a).ndim)[0]
    dt = get_aval(a).dtype
    if dtype is None:
        result = computation = _dtypes.default_int() if dt.kind == "b" else dt
    elif _to_dtype(dtype).kind == "b":
        result = _dtypes.bool_
        if dt != result:
            a = a != 0
        computation = _dtypes.default_int()
    else:
        result = computation = _dtypes.canonicalize(_to_dtype(dtype))
    a = lax.convert_element_type(a, computation)
    return lax.convert_element_type(prim.bind(a, axis=axis, reverse=False), result)


@_jnp_jit(static_argnames=("axis", "keepdims"))
def count_nonzero(a, axis=None, keepdims=False):
    _check_arraylike("count_nonzero", a)
    return sum(lax.ne_p.bind(a, _lit_like(a, 0)), axis=axis, dtype=_dtypes.default_int(), keepdims=keepdims)


def average(a, axis=None, weights=None):
    if weights is None:
        return mean(a, axis=axis)
    return sum(a * weights, axis=axis) / sum(weights, axis=axis)


# ------------------------------------------------------------ shapes
def shape(a):
    return get_aval(asarray(a) if not isinstance(a, Tracer) else a).shape


def ndim(a):
    return len(shape(a))


def size(a, axis=None):
    s = shape(a)
    return lax.size_of(s) if axis is None else s[axis]


def reshape(a, shape=None, order="C", *, newshape=None):
    a = asarray(a) if not isinstance(a, Tracer) else a
    shape = newshape if shape is None else shape
    if isinstance(shape, int):
        shape = (shape,)
    shape = [int(d) for d in shape]
    total = get_aval(a).size
    if -1 in shape:
        known = 1
        for d in shape:
            if d != -1:
                known *= d
        shape[shape.index(-1)] = total // known if known else 0
    if lax.size_of(shape) != total:
        raise TypeError(f"cannot reshape array of shape {get_aval(a).shape} (size {total}) into shape {tuple(shape)} "
                        f"(size {lax.size_of(shape)})")
    return lax.reshape(a, tuple(shape))


def ravel(a):
    a = asarray(a) if not isinstance(a, Tracer) else a
    return reshape(a, (get_aval(a).size,))


def transpose(a, axes=None):
    a = asarray(a) if not isinstance(a, Tracer) else a
    nd = get_aval(a).ndim
    axes = tuple(range(nd))[::-1] if axes is None else tuple(ax % nd for ax in axes)
    return lax.transpose(a, axes)


permute_dims = transpose


def swapaxes(a, axis1, axis2):
    nd = ndim(a)
    perm = list(range(nd))
    perm[axis1 % nd], perm[axis2 % nd] = perm[axis2 % nd], perm[axis1 % nd]
    return lax.transpose(asarray(a), perm)


def moveaxis(a, source, destination):
    from jaxlite._batching import moveaxis as mv
    return mv(asarray(a) if not isinstance(a, Tracer) else a, source, destination)


def squeeze(a, axis=None):
    a = asarray(a) if not isinstance(a, Tracer) else a
    sh = get_aval(a).shape
    if axis is None:
        axis = tuple(i for i, d in enumerate(sh) if d == 1)
    elif isinstance(axis, int):
        axis = (axis,)
    return lax.squeeze(a, axis)


def expand_dims(a, axis):
    a = asarray(a) if not isinstance(a, Tracer) else a
    axis = (axis,) if isinstance(axis, int) else tuple(axis)
    return lax.expand_dims(a, axis)


def atleast_1d(a):
    a = asarray(a)
    return reshape(a, (1,)) if ndim(a) == 0 else a


def atleast_2d(a):
    a = asarray(a)
    return reshape(a, (1,) * (2 - ndim(a)) + shape(a)) if ndim(a) < 2 else a


def concatenate(arrays, axis=0, dtype=None):
    if isinstance(arrays, (Array, Tracer)) and axis == 0 and get_aval(arrays).ndim > 1:
        # the rows of one array, end to end: a reshape, as JAX does it
        shape = get_aval(arrays).shape
        out = lax.reshape(arrays, (shape[0] * shape[1],) + shape[2:])
        return out if dtype is None else astype(out, dtype)
    arrays = list(arrays)
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    arrays = _promote(*arrays, ranks=False) if len(arrays) > 1 else [asarray(arrays[0])]
    nd = get_aval(arrays[0]).ndim
    if nd == 0:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    if builtins.any(get_aval(a).ndim != nd for a in arrays):
        raise TypeError("Cannot concatenate arrays with different numbers of dimensions: got "
                        + ", ".join(str(get_aval(a).shape) for a in arrays) + ".")
    if len(arrays) == 1:   # lax.concatenate of one array is that array
        return arrays[0]
    return lax.concatenate_p.bind(*arrays, dimension=axis % nd)


def stack(arrays, axis=0, out=None, dtype=None):
    if not len(arrays):
        raise ValueError("Need at least one array to stack.")
    if isinstance(arrays, (Array, Tracer)):   # one array: its rows, without unstacking
        nd = get_aval(arrays).ndim
        axis = axis % nd
        return concatenate(expand_dims(arrays, axis + 1), axis=axis, dtype=dtype)
    arrays = [asarray(a, dtype=dtype) if not isinstance(a, Tracer) else a for a in arrays]
    arrays = _promote(*arrays, ranks=False) if len(arrays) > 1 else arrays
    if len({get_aval(a).ndim for a in arrays}) != 1:
        raise ValueError("Cannot stack arrays with different numbers of dimensions: got "
                         + ", ".join(str(get_aval(a).shape) for a in arrays) + ".")
    nd = get_aval(arrays[0]).ndim + 1
    if not -nd <= axis < nd:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {nd}")
    return lax.stack_p.bind(*arrays, axis=axis % nd)


def hstack(arrays):
    arrays = [atleast_1d(a) for a in arrays]
    return concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


def vstack(arrays):
    return concatenate([atleast_2d(a) for a in arrays], axis=0)


def split(a, indices_or_sections, axis=0):
    a = asarray(a) if not isinstance(a, Tracer) else a
    n = get_aval(a).shape[axis]
    if isinstance(indices_or_sections, int):
        step = n // indices_or_sections
        cuts = [i * step for i in range(1, indices_or_sections)]
    else:
        cuts = list(indices_or_sections)
    bounds = [0] + cuts + [n]
    out = []
    for s, e in zip(bounds[:-1], bounds[1:]):
        idx = [slice(None)] * get_aval(a).ndim
        idx[axis] = slice(s, e)
        out.append(a[tuple(idx)])
    return out


def tile(a, reps):
    a = asarray(a)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    out = a
    for ax, r in enumerate(reps[::-1]):
        axis = ndim(out) - 1 - ax
        out = concatenate([out] * r, axis=axis)
    return out


def repeat(a, repeats, axis=None):
    a = asarray(a)
    if axis is None:
        a = ravel(a)
        axis = 0
    parts = [a[(slice(None),) * axis + (i,)] for i in range(shape(a)[axis])]
    return stack([p for p in parts for _ in range(repeats)], axis=axis)


def flip(m, axis=None):
    _check_arraylike("flip", m)
    return _flip(asarray(m) if not isinstance(m, Tracer) else m, _static_axis(axis))


@_jnp_jit(static_argnames=("axis",))
def _flip(m, axis=None):
    return lax.rev_p.bind(m, dimensions=_axes(axis, get_aval(m).ndim))


def roll(a, shift, axis=None):
    _check_arraylike("roll", a)
    a = asarray(a) if not isinstance(a, Tracer) else a
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape(a))
    axis = _axes(axis, ndim(a))
    shift = (shift,) if isinstance(shift, int) else tuple(shift)
    if builtins.any(isinstance(s, (Tracer, ArrayImpl)) for s in shift):
        raise NotImplementedError("jaxlite's jnp.roll takes Python integer shifts only")
    return _roll_static(a, shift, axis)


@_jnp_jit(static_argnums=(1, 2))
def _roll_static(a, shift, axis):
    if len(shift) == 1:
        shift = shift * len(axis)
    elif len(axis) == 1:
        axis = axis * len(shift)
    for ax, s in zip(axis, shift):
        n = get_aval(a).shape[ax]
        if n == 0:
            continue
        i = (-s) % n
        a = lax.concatenate_p.bind(_slice_in_dim(a, i, n, ax), _slice_in_dim(a, 0, i, ax), dimension=ax)
    return a


def _slice_in_dim(a, start, limit, axis):
    shape = get_aval(a).shape
    starts = [0] * len(shape)
    starts[axis] = start
    limits = list(shape)
    limits[axis] = limit
    return lax.slice_p.bind(a, start_indices=tuple(starts), limit_indices=tuple(limits), strides=(1,) * len(shape))


def pad(array, pad_width, mode="constant", **kwargs):
    _check_arraylike("pad", array)
    array = asarray(array) if not isinstance(array, Tracer) else array
    pad_width = _pad_pairs(pad_width, ndim(array))
    if mode != "constant":
        raise NotImplementedError(f"jaxlite supports jnp.pad with mode='constant' only, not {mode!r}")
    unsupported = sorted(set(kwargs) - {"constant_values"})
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {set(unsupported)}")
    return _pad(array, pad_width, mode, kwargs.get("constant_values", 0), None, 0, "even")


def _pad_pairs(pad_width, nd):
    """JAX's _broadcast_to_pairs: one (before, after) pair per axis, from any of
    NumPy's forms (n, (n,), (before, after), ((before, after),) or a pair per
    axis); JAX reads them through NumPy, so they are NumPy integers."""
    def flat(v):
        return [x for item in v for x in flat(item)] if isinstance(v, (list, tuple)) else [v]
    values = [lax.NpInt(int(_concrete(v, "It arose in the pad_width argument of jnp.pad"))) for v in flat(pad_width)]
    depth = 0 if not isinstance(pad_width, (list, tuple)) else \
        (2 if builtins.any(isinstance(p, (list, tuple)) for p in pad_width) else 1)
    if depth == 2 and len(values) == 2 * nd:
        return tuple((values[2 * i], values[2 * i + 1]) for i in range(nd))
    if len(values) == 2 and depth >= 1:
        return ((values[0], values[1]),) * nd
    if len(values) == 1:
        return ((values[0], values[0]),) * nd
    raise ValueError(f"jnp.pad: pad_width with nd={nd} has unsupported shape. "
                     f"Valid shapes are ({nd}, 2), (1, 2), (2,), (1,), or ().")


@_jnp_jit(static_argnums=(1, 2, 4, 5, 6))
def _pad(array, pad_width, mode, constant_values, stat_length, end_values, reflect_type):
    if ndim(array) == 0:
        return array
    if builtins.any(v < 0 for pair in pad_width for v in pair):
        raise ValueError("index can't contain negative values")
    aval = get_aval(array)
    value = lax.convert_element_type(asarray(constant_values), aval.dtype, weak_type=aval.weak_type)
    if get_aval(value).size != 1:
        raise NotImplementedError("jaxlite's jnp.pad takes one constant value for all edges")
    if get_aval(value).ndim:
        value = lax.reshape(value, ())
    return lax.pad_p.bind(array, value, padding_config=tuple((lo, hi, 0) for lo, hi in pad_width))


def take(a, indices, axis=None, mode=None, fill_value=None):
    a = asarray(a) if not isinstance(a, Tracer) else a
    if axis is None:
        a = ravel(a)
        axis = 0
    idx = [slice(None)] * ndim(a)
    idx[axis] = indices if not isinstance(indices, int) else asarray(indices)
    return _indexing.getitem(a, tuple(idx), mode="fill" if mode == "fill" else "clip", fill_value=fill_value)


def take_along_axis(arr, indices, axis):
    arr = asarray(arr) if not isinstance(arr, Tracer) else arr
    indices = asarray(indices) if not isinstance(indices, Tracer) else indices
    nd = ndim(arr)
    axis = axis % nd
    sh = get_aval(indices).shape
    index = []
    for d in range(nd):
        if d == axis:
            index.append(indices)
        else:
            shp = [1] * nd
            shp[d] = sh[d]
            index.append(reshape(arange(sh[d]), shp))
    return _indexing.getitem(arr, tuple(broadcast_arrays(*index)))


def nonzero(a, size=None, fill_value=None):
    a = asarray(a)
    if isinstance(a, Tracer):
        from jaxlite.errors import ConcretizationTypeError
        raise ConcretizationTypeError("The size argument of jnp.nonzero must be statically specified to use "
                                      "jnp.nonzero within JAX transformations.")
    return tuple(_indexing._bool_to_int(not_equal(a, 0)))


argwhere = None


@_jnp_jit(static_argnames=("axis", "kind", "order", "stable", "descending"))
def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    _check_arraylike("sort", a)
    if axis is None:
        a, axis = ravel(a), 0
    dimension = _axes(axis, ndim(a))[0]
    out = lax.sort_p.bind(a, dimension=dimension, is_stable=stable, num_keys=1)[0]
    return lax.rev_p.bind(out, dimensions=(dimension,)) if descending else out


@_jnp_jit(static_argnames=("axis", "kind", "order", "stable", "descending", "dtype"))
def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False, dtype=None):
    _check_arraylike("argsort", a)
    if axis is None:
        a, axis = ravel(a), 0
    dimension = _axes(axis, ndim(a))[0]
    idx_dtype = _dtypes.default_int() if dtype is None else _dtypes.canonicalize(_to_dtype(dtype))
    iota = lax.iota_p.bind(dtype=idx_dtype, shape=get_aval(a).shape, dimension=dimension, sharding=None)
    if descending and stable:   # reversed first, so that equal keys keep their order
        a = lax.rev_p.bind(a, dimensions=(dimension,))
        iota = lax.rev_p.bind(iota, dimensions=(dimension,))
    indices = lax.sort_p.bind(a, iota, dimension=dimension, is_stable=stable, num_keys=1)[1]
    return lax.rev_p.bind(indices, dimensions=(dimension,)) if descending else indices


def unique(a):
    a = asarray(a)
    vals = sorted(set(a.data))
    return array(vals, dtype=a.dtype)


# ------------------------------------------------------------ linear algebra
def dot(a, b, *, precision=None, preferred_element_type=None):
    _check_arraylike("dot", a, b)
    a, b = _promote_no_rank(a, b)
    na, nb = ndim(a), ndim(b)
    if na == 0 or nb == 0:
        return multiply(a, b)
    contract_b = 0 if nb == 1 else nb - 2
    return lax.dot_general(a, b, (((na - 1,), (contract_b,)), ((), ())), preferred_element_type=get_aval(a).dtype)


def _promote_no_rank(*args):
    typed = [_typed(a) for a in args]
    dt, weak = _dtypes.promote(*typed)
    out = []
    for a, (adt, aweak) in zip(args, typed):
        if isinstance(a, (bool, int, float)) and not isinstance(a, Tracer):
            out.append(ArrayImpl(_dtypes.convert_list([a], adt, dt), (), dt, weak))
        elif adt != dt or aweak != weak:
            out.append(lax.convert_element_type(a, dt, weak_type=weak))
        else:
            out.append(asarray(a) if not isinstance(a, Tracer) else a)
    return out


def matmul(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    _check_arraylike("matmul", a, b)
    if out_sharding is not None:
        from jaxlite.errors import not_available
        raise not_available("jnp.matmul(..., out_sharding=...)", "jaxlite has one device and no shardings.")
    a, b = _promote_no_rank(a, b)
    na, nb = ndim(a), ndim(b)
    if na == 0 or nb == 0:
        raise ValueError("matmul operand must have at least one dimension")
    dt = get_aval(a).dtype
    if na <= 2 and nb <= 2:
        return lax.dot_general(a, b, (((na - 1,), (0 if nb == 1 else nb - 2,)), ((), ())), preferred_element_type=dt)
    # batched: broadcast leading dims
    a2 = a if na > 1 else reshape(a, (1,) + shape(a))
    b2 = b if nb > 1 else reshape(b, shape(b) + (1,))
    batch = broadcast_shapes(shape(a2)[:-2], shape(b2)[:-2])
    a2 = broadcast_to(a2, batch + shape(a2)[-2:])
    b2 = broadcast_to(b2, batch + shape(b2)[-2:])
    k = len(batch)
    out = lax.dot_general(a2, b2, (((k + 1,), (k,)), (tuple(range(k)), tuple(range(k)))), preferred_element_type=dt)
    if na == 1:
        out = squeeze(out, -2)
    if nb == 1:
        out = squeeze(out, -1)
    return out


def vdot(a, b):
    return dot(ravel(asarray(a)), ravel(asarray(b)))


def inner(a, b):
    a, b = asarray(a), asarray(b)
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return lax.dot_general(a, b, (((ndim(a) - 1,), (ndim(b) - 1,)), ((), ())), preferred_element_type=result_type(a, b))


def outer(a, b):
    a, b = ravel(asarray(a)), ravel(asarray(b))
    return a[:, None] * b[None, :]


def tensordot(a, b, axes=2):
    a, b = asarray(a), asarray(b)
    if isinstance(axes, int):
        ax_a = tuple(range(ndim(a) - axes, ndim(a)))
        ax_b = tuple(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = (ax_a,) if isinstance(ax_a, int) else tuple(ax_a)
        ax_b = (ax_b,) if isinstance(ax_b, int) else tuple(ax_b)
    return lax.dot_general(a, b, ((ax_a, ax_b), ((), ())), preferred_element_type=result_type(a, b))


def einsum(subscripts, *operands, optimize=None, precision=None, preferred_element_type=None):
    """Einstein summation by broadcasting every operand over all the labels,
    multiplying and summing the labels not in the output."""
    operands = _promote_no_rank(*operands)
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins = subscripts
        letters = [c for c in ins.replace(",", "")]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = ins.split(",")
    if "." in subscripts:
        raise NotImplementedError("jaxlite's einsum does not support '...' yet")
    labels = []
    for term in ins:
        for c in term:
            if c not in labels:
                labels.append(c)
    sizes = {}
    for term, op in zip(ins, operands):
        for c, d in zip(term, shape(op)):
            sizes[c] = d
    full_shape = tuple(sizes[c] for c in labels)
    total = None
    for term, op in zip(ins, operands):
        # repeated labels in one term (a diagonal) are taken first
        if len(set(term)) != len(term):
            raise NotImplementedError("jaxlite's einsum does not support repeated labels within one operand")
        perm = sorted(range(len(term)), key=lambda i: labels.index(term[i]))
        op_t = lax.transpose(op, perm) if perm != list(range(len(term))) else op
        dims = tuple(sorted(labels.index(c) for c in term))
        op_b = lax.broadcast_in_dim(op_t, full_shape, dims)
        total = op_b if total is None else lax.mul_p.bind(total, op_b)
    summed = tuple(i for i, c in enumerate(labels) if c not in out)
    res = lax.reduce_sum(total, summed) if summed else total
    remaining = [c for c in labels if c in out]
    perm = [remaining.index(c) for c in out]
    return lax.transpose(res, perm) if perm != list(range(len(perm))) else res


def trace(a, offset=0, axis1=0, axis2=1):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


def diagonal(a, offset=0, axis1=0, axis2=1):
    a = asarray(a)
    row, col = builtins.max(0, -offset), builtins.max(0, offset)   # where the diagonal starts
    n = builtins.min(shape(a)[axis1] - row, shape(a)[axis2] - col)
    if n <= 0:
        return zeros((0,), get_aval(a).dtype)
    return stack([a[row + i, col + i] for i in range(n)], axis=-1)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


@_jnp_jit(static_argnames=("equal_nan",))
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = _promote(a, b, to_float=True)
    dt = get_aval(a).dtype
    rtol, atol = lax.convert_element_type(rtol, dt), lax.convert_element_type(atol, dt)
    both_nan = logical_and(isnan(a), isnan(b))
    check_fin = isfinite(b)
    in_range = lax.le_p.bind(lax.abs_p.bind(lax.sub_p.bind(a, b)),
                             lax.add_p.bind(atol, lax.mul_p.bind(rtol, lax.abs_p.bind(b))))
    out = logical_or(lax.eq_p.bind(a, b), logical_and(check_fin, in_range))
    return logical_or(out, both_nan) if equal_nan else out


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if shape(a1) != shape(a2):
        return asarray(False)
    return all(equal(a1, a2))


def array_equiv(a1, a2):
    return all(equal(a1, a2))


def promote_types_(a, b):
    return promote_types(a, b)


def can_cast(from_, to, casting="safe"):
    return promote_types(from_, to) == _to_dtype(to)


def iscomplexobj(x):
    return False


def isscalar(x):
    return isinstance(x, (bool, int, float)) or (isinstance(x, (ArrayImpl, Tracer)) and ndim(x) == 0)


def logaddexp(x1, x2, /):
    return _lax_logaddexp(*_promote(x1, x2, to_float=True))


def _make_lax_logaddexp():
    """JAX's lax-level logaddexp: a custom_jvp function, so its gradient is
    right where x1 == x2 (1/2 each) and at infinities."""
    from jaxlite._custom_derivatives import custom_jvp

    @custom_jvp
    def logaddexp(x1, x2):
        amax = lax.max_p.bind(x1, x2)
        delta = lax.sub_p.bind(x1, x2)
        return _select(lax.ne_p.bind(delta, delta),   # NaN: infinities of the same sign
                       lax.add_p.bind(x1, x2),
                       lax.add_p.bind(amax, lax.log1p_p.bind(lax.exp_p.bind(lax.neg_p.bind(lax.abs_p.bind(delta))))))

    @logaddexp.defjvp
    def _logaddexp_jvp(primals, tangents):
        x1, x2 = primals
        t1, t2 = tangents
        primal_out = logaddexp(x1, x2)
        tangent_out = lax.add_p.bind(
            lax.mul_p.bind(t1, lax.exp_p.bind(lax.sub_p.bind(_replace_inf(x1), _replace_inf(primal_out)))),
            lax.mul_p.bind(t2, lax.exp_p.bind(lax.sub_p.bind(_replace_inf(x2), _replace_inf(primal_out)))))
        return primal_out, tangent_out
    return logaddexp


def _select(pred, on_true, on_false):
    return lax.select_n_p.bind(pred, on_false, on_true)


def _replace_inf(x):
    aval = get_aval(x)
    inf_ = ArrayImpl([math.inf], (), aval.dtype, False)
    is_inf = lax.eq_p.bind(x, inf_)
    return _select(is_inf, lax.broadcast_in_dim(ArrayImpl([0.0], (), aval.dtype, aval.weak_type), aval.shape, ()), x)


_lax_logaddexp = _make_lax_logaddexp()


@_jnp_jit()
def heaviside(x1, x2, /):
    _check_arraylike("heaviside", x1, x2)
    x1, x2 = _promote(x1, x2, to_float=True, ranks=False)
    zero = _lit_like(x1, 0)
    return _where(lax.lt_p.bind(x1, zero), zero,
                  _where(lax.gt_p.bind(x1, zero), _lit_like(x1, 1), _where(lax.ne_p.bind(x1, x1), x1, x2)))


def interp(x, xp, fp):
    x, xp, fp = asarray(x, float32), asarray(xp, float32), asarray(fp, float32)
    idx = clip(sum(less_equal(xp[None, :], ravel(x)[:, None]), axis=1) - 1, 0, shape(xp)[0] - 2)
    x0, x1, y0, y1 = xp[idx], xp[idx + 1], fp[idx], fp[idx + 1]
    out = y0 + (ravel(x) - x0) * (y1 - y0) / (x1 - x0)
    return reshape(out, shape(x))


def corrcoef(x, y=None):
    x = asarray(x)
    if y is not None:
        x = stack([ravel(x), ravel(asarray(y))])
    xc = x - mean(x, axis=1, keepdims=True)
    cov = matmul(xc, transpose(xc)) / (shape(x)[1] - 1)
    d = sqrt(diagonal(cov))
    return cov / outer(d, d)


def cov(m, rowvar=True):
    x = asarray(m)
    if not rowvar:
        x = transpose(x)
    xc = x - mean(x, axis=1, keepdims=True)
    return matmul(xc, transpose(xc)) / (shape(x)[1] - 1)


def meshgrid(*xi, indexing="xy"):
    xi = [ravel(asarray(x)) for x in xi]
    shapes = [shape(x)[0] for x in xi]
    if indexing == "xy" and len(xi) >= 2:
        shapes[0], shapes[1] = shapes[1], shapes[0]
    out = []
    for i, x in enumerate(xi):
        pos = i
        if indexing == "xy" and len(xi) >= 2 and i < 2:
            pos = 1 - i
        out.append(lax.broadcast_in_dim(x, tuple(shapes), (pos,)))
    return out


def _prod_axes(shape_, axes):
    n = 1
    for a in axes:
        n *= shape_[a]
    return n


from jaxlite.numpy import linalg  # noqa: E402  (uses the functions above)
promote_types = promote_types
