"""The primitives (JAX's lax names) with their rules: evaluation on flat
lists, abstract evaluation, JVP, transpose and batching."""

from __future__ import annotations

import enum
import math
import operator

from jaxlite import _core as core, _dtypes, _xla_math
from jaxlite._core import Primitive, ShapedArray, get_aval
from jaxlite._array import ArrayImpl, to_array

impl, aeval, jvps, transposes, batchers, pprules = (core.impl_rules, core.abstract_eval_rules, core.jvp_rules,
                                                   core.transpose_rules, core.batch_rules, core.pp_rules)


class NpInt(int):
    """An axis number that JAX holds as a NumPy integer (after vmap) and prints as such."""

    def __repr__(self) -> str:
        return f"np.int64({int(self)})"

    __str__ = __repr__


# ------------------------------------------------------------- shape helpers
def strides(shape) -> list:
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return out[::-1]


def size_of(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def expand_data(data: list, shape, out_shape) -> list:
    """Data of an array broadcast (same rank, size-1 dims stretched) to out_shape."""
    if tuple(shape) == tuple(out_shape):
        return data
    n = size_of(out_shape)
    if len(data) == 1:
        return data * n
    st = strides(shape)
    eff = [0 if d == 1 and o != 1 else s for d, o, s in zip(shape, out_shape, st)]
    return [data[i] for i in _index_map(out_shape, eff)]


def _index_map(out_shape, eff_strides) -> list:
    """Source offsets for each output position, given per-axis source strides."""
    idx = [0]
    for d, s in zip(out_shape, eff_strides):
        idx = [base + k * s for base in idx for k in range(d)]
    return idx


def broadcast_shapes_equal_rank(*shapes):
    shapes = [s for s in shapes if len(s)] or [()]
    out = []
    for dims in zip(*shapes):
        big = [d for d in dims if d != 1]
        if big and any(d != big[0] for d in big):
            raise TypeError(f"add got incompatible shapes for broadcasting: {', '.join(str(tuple(s)) for s in shapes)}.")
        out.append(big[0] if big else 1)
    return tuple(out)


def _zeros_like_aval(aval: ShapedArray) -> ArrayImpl:
    zero = False if aval.dtype.kind == "b" else (0.0 if aval.dtype.kind == "f" else 0)
    return ArrayImpl([zero] * aval.size, aval.shape, aval.dtype, aval.weak_type)


# ------------------------------------------------------------- elementwise
# the jnp function that promotes where the lax one does not (JAX's _JNP_FUNCTION_EQUIVALENTS)
_JNP_EQUIVALENTS = {"add": "add", "sub": "subtract", "mul": "multiply", "div": "divide", "max": "maximum",
                    "min": "minimum", "atan2": "arctan2", "pow": "float_power", "eq": "equal", "ne": "not_equal",
                    "nextafter": "nextafter", "and": None, "or": None, "xor": None}


def _nary_aval(name):
    def rule(*avals, **params):
        shapes = [a.shape for a in avals]
        ranks = {len(s) for s in shapes if len(s)}
        if len(ranks) > 1:
            raise TypeError(f"{name}: arrays must have the same number of dimensions, got {ranks}")
        dts = {a.dtype for a in avals}
        if len(dts) > 1:
            tip = _JNP_EQUIVALENTS.get(name)
            raise TypeError(f"lax.{name} requires arguments to have the same dtypes, got "
                            f"{', '.join(a.dtype.name for a in avals)}."
                            + (f" (Tip: jnp.{tip} is a similar function that does automatic type promotion on "
                               "inputs)." if tip else ""))
        return ShapedArray(broadcast_shapes_equal_rank(*shapes), avals[0].dtype, all(a.weak_type for a in avals))
    return rule


def _elementwise_impl(fn, out_dtype=None):
    def rule(*args, **params):
        shape = broadcast_shapes_equal_rank(*[a.shape for a in args])
        cols = [expand_data(a.data, a.shape, shape) for a in args]
        dt = out_dtype or args[0].dtype
        if len(args) == 1:
            vals = [fn(x) for x in cols[0]]
        elif len(args) == 2:
            vals = [fn(x, y) for x, y in zip(cols[0], cols[1])]
        else:
            vals = [fn(*xs) for xs in zip(*cols)]
        return ArrayImpl(_dtypes.round_list(dt, vals), shape, dt, all(a.weak_type for a in args))
    return rule


def _vectorized_batcher(prim):
    def rule(args, dims, **params):
        args, dim = _move_all_to_front(args, dims)
        return prim.bind(*args, **params), dim
    return rule


def _move_all_to_front(args, dims):
    """Batched operands get their batch axis first; unbatched ones a size-1
    axis in front (enough for equal-rank broadcasting). A batched operand of
    lower rank than another (a scalar added to a vector, say) gets size-1 axes
    after its batch axis, so that its batch axis meets the others'."""
    from jaxlite import _batching as b
    rank = max(get_aval(x).ndim - (d is not None) for x, d in zip(args, dims))
    out = []
    for x, d in zip(args, dims):
        if d is None:
            out.append(b.expand_front(x))
            continue
        x = b.moveaxis_to_front(x, d)
        shape = get_aval(x).shape
        if len(shape) - 1 < rank:
            # JAX's _handle_scalar_broadcasting: lax.expand_dims at the end
            x = broadcast_in_dim(x, shape + (1,) * (rank - len(shape) + 1), tuple(range(len(shape))))
        out.append(x)
    return out, 0


def _binop_batcher(prim):
    def rule(args, dims, **params):
        nds = [get_aval(x).ndim for x in args]
        batched = [(x, d, nd) for x, d, nd in zip(args, dims, nds) if d is not None]
        if all(d == batched[0][1] and nd == batched[0][2] for _, d, nd in batched) and \
                all(d is not None or nd == 0 for d, nd in zip(dims, nds)):
            # same layout everywhere (unbatched scalars broadcast): no movement, as JAX does
            return prim.bind(*args, **params), batched[0][1]
        args, dim = _move_all_to_front(args, dims)
        return prim.bind(*args, **params), dim
    return rule


# JAX names the dtypes a primitive accepts; without complex numbers jaxlite only
# needs to know which of these also take complex ones in JAX.
_REAL_ONLY = {"floor", "ceil", "round", "is_finite", "nextafter", "rem", "erf", "erf_inv", "max", "min"}


def _accepted(name, kinds):
    names = [n for k, n in (("i", "integer"), ("f", "floating")) if k in kinds]
    if "f" in kinds and name not in _REAL_ONLY:
        names.append("complexfloating")
    if "b" in kinds:
        names.append("bool")
    return ", ".join(names)


def _check_kinds(name, kinds, dtypes, positional):
    """JAX's dtype rule: the TypeError for an operand of a dtype the primitive does not take."""
    for i, dt in enumerate(dtypes):
        if dt.kind not in kinds:
            at = f" at position {i}" if positional else ""
            raise TypeError(f"{name} does not accept dtype {dt.name}{at}. Accepted dtypes{at} are subtypes of "
                            f"{_accepted(name, kinds)}.")


def _checked_impl(name, kinds, rule, positional):
    """An eager rule that first checks the dtypes, as JAX's abstract evaluation does."""
    def checked(*args, **params):
        _check_kinds(name, kinds, [a.dtype for a in args], positional)
        return rule(*args, **params)
    return checked


def unop(name, fn, float_only=True, kinds="f"):
    p = Primitive(name)
    impl[p] = _checked_impl(name, kinds, _elementwise_impl(fn), False)

    def aval_rule(x, **params):
        _check_kinds(name, kinds, [x.dtype], False)
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    aeval[p] = aval_rule
    batchers[p] = _vectorized_batcher(p)
    return p


def _f(fn):
    def safe(x):
        try:
            return fn(x)
        except (ValueError, OverflowError, ZeroDivisionError):
            return _special(fn, x)
    return safe


def _special(fn, x):
    name = getattr(fn, "__name__", "")
    if x != x:
        return x
    if name in ("log", "log1p"):
        lim = 0.0 if name == "log" else -1.0
        return -math.inf if x == lim else math.nan
    if name == "sqrt":
        return math.nan
    if name == "exp":
        return math.inf if x > 0 else 0.0
    if name in ("sin", "cos", "tan"):
        return math.nan
    if name == "expm1":
        return math.inf
    return math.nan


def _logistic(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sign(x):
    if x != x:
        return x
    if isinstance(x, bool):
        return x
    return (x > 0) - (x < 0) if isinstance(x, int) else float((x > 0) - (x < 0))


def _rsqrt(x):
    if x == 0:
        return math.copysign(math.inf, x)
    if x < 0 or x != x:
        return math.nan
    return 1.0 / math.sqrt(x)


class RoundingMethod(enum.IntEnum):
    """How `round` breaks ties (JAX's lax.RoundingMethod)."""
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def _round(x, rounding_method):
    if x != x or math.isinf(x):
        return x
    if rounding_method == RoundingMethod.TO_NEAREST_EVEN:
        return float(math.copysign(round(x), x))
    return float(math.copysign(math.floor(abs(x) + 0.5), x))


neg_p = unop("neg", lambda x: -x, kinds="fiu")
sign_p = unop("sign", _sign, kinds="fiu")
floor_p = unop("floor", lambda x: float(math.floor(x)) if math.isfinite(x) else x)
ceil_p = unop("ceil", lambda x: float(math.ceil(x)) if math.isfinite(x) else x)
round_p = unop("round", None)
impl[round_p] = _checked_impl("round", "f", lambda x, *, rounding_method: _elementwise_impl(
    lambda v: _round(v, rounding_method))(x), False)
is_finite_p = unop("is_finite", math.isfinite)
exp_p = unop("exp", _f(math.exp))
log_p = unop("log", _f(math.log))
log1p_p = unop("log1p", _f(math.log1p))
expm1_p = unop("expm1", _f(math.expm1))
tanh_p = unop("tanh", math.tanh)
logistic_p = unop("logistic", _logistic)
sin_p = unop("sin", _f(math.sin))
cos_p = unop("cos", _f(math.cos))
tan_p = unop("tan", _f(math.tan))
sqrt_p = unop("sqrt", _f(math.sqrt))
rsqrt_p = unop("rsqrt", _rsqrt)
abs_p = unop("abs", abs, kinds="fiu")
erf_p = unop("erf", math.erf)
not_p = unop("not", lambda x: (not x) if isinstance(x, bool) else ~x, kinds="biu")
atan_p = unop("atan", math.atan)
sinh_p = unop("sinh", _f(math.sinh))
cosh_p = unop("cosh", _f(math.cosh))
asinh_p = unop("asinh", math.asinh)
square_p = unop("square", lambda x: x * x, kinds="fiu")


def _exp2(x):
    try:
        return 2.0 ** x
    except OverflowError:
        return math.inf


exp2_p = unop("exp2", _exp2)


def _via_xla_cpu(p, kernel, rank0_kernel=None, narrow=None):
    """float32 through XLA:CPU's own kernel (jaxlite._xla_math), bit for bit;
    float16/bfloat16 too, widened to float32 as XLA:CPU does, unless
    ``narrow`` maps the dtype's name to a ``kernel(x, rnd)`` that XLA:CPU runs
    step by step in that dtype. A rank-0 operand may compile to another
    kernel. float64 keeps ``impl[p]``."""
    wide = impl[p]

    def rule(*args, **params):
        x = args[0]
        if any(a.dtype.name == "float64" or a.dtype.kind != "f" for a in args):
            return wide(*args, **params)
        fn = rank0_kernel if rank0_kernel is not None and not x.shape else kernel
        steps = (narrow or {}).get(x.dtype.name)
        if steps is not None:
            fn = lambda v: steps(v, lambda r: _dtypes.round_scalar(x.dtype, r))
        return _elementwise_impl(fn)(*args)
    impl[p] = rule


for _p, _kernel in ((exp_p, _xla_math.exp_f32), (log_p, _xla_math.log_f32),
                    (log1p_p, _xla_math.log1p_f32), (tanh_p, _xla_math.tanh_f32),
                    (sin_p, _xla_math.sin_f32), (cos_p, _xla_math.cos_f32)):
    _via_xla_cpu(_p, _kernel)
_via_xla_cpu(expm1_p, _xla_math.expm1_f32, narrow={"float16": _xla_math.expm1_narrow})
_via_xla_cpu(logistic_p, _xla_math.logistic_f32,
             narrow={"float16": _xla_math.logistic_narrow, "bfloat16": _xla_math.logistic_narrow})
_via_xla_cpu(erf_p, _xla_math.erf_f32, rank0_kernel=_xla_math.erf_rank0_f32)

aeval[is_finite_p] = lambda x, **p: ShapedArray(x.shape, _dtypes.bool_, False)
impl[is_finite_p] = _checked_impl("is_finite", "f", _elementwise_impl(math.isfinite, out_dtype=_dtypes.bool_), False)

# accuracy=None is hidden by JAX's printer; jaxlite keeps no such param.


def binop(name, fn, kinds="fiub", out_bool=False):
    p = Primitive(name)
    eager = _elementwise_impl(fn, out_dtype=_dtypes.bool_ if out_bool else None)

    def checked(*args, **params):   # the abstract rule's checks first, as in JAX
        aval_rule(*[ShapedArray(a.shape, a.dtype, a.weak_type) for a in args])
        return eager(*args, **params)
    impl[p] = checked
    base = _nary_aval(name)

    def aval_rule(*avals, **params):
        _check_kinds(name, kinds, [a.dtype for a in avals], True)
        out = base(*avals)
        if out_bool:
            return ShapedArray(out.shape, _dtypes.bool_, False)
        return out
    aeval[p] = aval_rule
    batchers[p] = _binop_batcher(p)
    return p


def _div(x, y):
    if isinstance(x, int) and isinstance(y, int) and not isinstance(x, bool):
        if y == 0:
            return -1 if x >= 0 else 1  # XLA's integer division by zero gives -1 (all bits set) for x >= 0
        q = abs(x) // abs(y)
        return q if (x >= 0) == (y >= 0) else -q
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


def _rem(x, y):
    if isinstance(x, int) and isinstance(y, int):
        if y == 0:
            return x
        r = abs(x) % abs(y)
        return r if x >= 0 else -r
    if y == 0 or math.isinf(x) or x != x or y != y:
        return math.nan
    return math.fmod(x, y)


def _pow(x, y):
    try:
        r = x ** y
        if isinstance(r, complex):
            return math.nan
        return r
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        return math.inf


def _max(x, y):
    if x != x:
        return x
    if y != y:
        return y
    return x if x >= y else y


def _min(x, y):
    if x != x:
        return x
    if y != y:
        return y
    return x if x <= y else y


add_p = binop("add", lambda x, y: x + y, kinds="fiu")
sub_p = binop("sub", lambda x, y: x - y, kinds="fiu")
mul_p = binop("mul", lambda x, y: x * y, kinds="fiu")
div_p = binop("div", _div, kinds="fiu")
rem_p = binop("rem", _rem, kinds="fiu")
pow_p = binop("pow", _pow, kinds="f")
max_p = binop("max", _max)
min_p = binop("min", _min)
atan2_p = binop("atan2", math.atan2, kinds="f")
and_p = binop("and", lambda x, y: x & y, kinds="biu")
or_p = binop("or", lambda x, y: x | y, kinds="biu")
xor_p = binop("xor", lambda x, y: x ^ y, kinds="biu")
eq_p = binop("eq", lambda x, y: x == y, out_bool=True)
ne_p = binop("ne", lambda x, y: x != y, out_bool=True)
lt_p = binop("lt", lambda x, y: x < y, out_bool=True)
le_p = binop("le", lambda x, y: x <= y, out_bool=True)
gt_p = binop("gt", lambda x, y: x > y, out_bool=True)
ge_p = binop("ge", lambda x, y: x >= y, out_bool=True)
add_any_p = binop("add_any", lambda x, y: x + y, kinds="fiu")


def _add_any_batcher(args, dims):
    """JAX's add_jaxvals batching: an unbatched operand is broadcast along the
    other's batch axis; two batch axes are made to meet where the second one is."""
    from jaxlite import _batching as b
    (x, y), (dx, dy) = args, dims
    if dx == dy:
        return add_any_p.bind(x, y), dx
    if dx is None or dy is None:
        unb, bat, d = (x, y, dy) if dx is None else (y, x, dx)
        shape = list(get_aval(unb).shape)
        shape.insert(d, get_aval(bat).shape[d])
        unb = broadcast_in_dim(unb, tuple(shape), tuple(NpInt(i) for i in range(len(shape)) if i != d))
        return (add_any_p.bind(unb, y) if dx is None else add_any_p.bind(x, unb)), d
    return add_any_p.bind(b.moveaxis(x, dx, dy), y), dy


batchers[add_any_p] = _add_any_batcher
nextafter_p = binop("nextafter", math.nextafter, kinds="f")
_via_xla_cpu(pow_p, _xla_math.pow_f32)

pprules[mul_p] = lambda eqn, ctx: [(k, v) for k, v in sorted(eqn.params.items()) if not (k == "out_dtype" and v is None)]


def _mul_impl(x, y, out_dtype=None):
    return impl_binary_mul(x, y)


impl_binary_mul = impl[mul_p]
impl[mul_p] = _mul_impl

# integer_pow
integer_pow_p = Primitive("integer_pow")


def _ipow(y):
    def fn(x):
        if isinstance(x, int) and not isinstance(x, bool):
            return x ** y if y >= 0 else 0
        try:
            return x ** y
        except ZeroDivisionError:
            return math.inf if y % 2 == 0 or math.copysign(1, x) > 0 else -math.inf
        except OverflowError:
            return math.inf if (y % 2 == 0 or x > 0) else -math.inf
    return fn


impl[integer_pow_p] = lambda x, *, y: _elementwise_impl(_ipow(y))(x)
aeval[integer_pow_p] = lambda x, *, y: ShapedArray(x.shape, x.dtype, x.weak_type)
batchers[integer_pow_p] = _vectorized_batcher(integer_pow_p)

# select_n(which, *cases)
select_n_p = Primitive("select_n")


def _select_impl(which, *cases):
    shape = broadcast_shapes_equal_rank(which.shape, *[c.shape for c in cases])
    w = expand_data(which.data, which.shape, shape)
    cs = [expand_data(c.data, c.shape, shape) for c in cases]
    out = [cs[int(k)][i] for i, k in enumerate(w)]
    return ArrayImpl(out, shape, cases[0].dtype, all(c.weak_type for c in cases))


def _select_aval(which, *cases):
    if which.shape and which.shape != cases[0].shape:
        raise TypeError("select_n `which` must be scalar or have the same shape as cases")
    return ShapedArray(cases[0].shape, cases[0].dtype, all(c.weak_type for c in cases))


impl[select_n_p] = _select_impl
aeval[select_n_p] = _select_aval


def _select_batcher(args, dims, **params):
    """JAX's select_n batching rule, case by case."""
    from jaxlite import _batching as b
    which, *cases = args
    wd, *cds = dims
    shape = lambda x: get_aval(x).shape
    size = next(shape(x)[d] for x, d in zip(args, dims) if d is not None)
    if all(wd == d for d in cds):
        if shape(which) != shape(cases[0]):   # a per-example scalar `which` with array cases
            which = broadcast_in_dim(which, shape(cases[0]), (wd,))
        return select_n_p.bind(which, *cases), wd
    if not shape(which) and all(d is not None for d in cds):
        if all(d == cds[0] for d in cds[1:]):
            return select_n_p.bind(which, *cases), cds[0]
        if all(shape(c) == shape(cases[0]) for c in cases):
            return select_n_p.bind(which, cases[0], *[b.moveaxis(c, d, cds[0]) for c, d in
                                                      zip(cases[1:], cds[1:])]), cds[0]
    at_front = lambda x, d: b.moveaxis_to_front(x, d) if d is not None else b.broadcast_front(x, size)
    which = at_front(which, wd) if shape(which) else which
    if not all(shape(c) == () for c in cases):
        cases = [at_front(c, d) for c, d in zip(cases, cds)]
    if 0 < len(shape(which)) < len(shape(cases[0])):
        which = broadcast_in_dim(which, shape(cases[0]), (0,))
    if len(shape(which)) > len(shape(cases[0])):
        cases = [broadcast_in_dim(c, shape(which), ()) for c in cases]
    return select_n_p.bind(which, *cases), 0


batchers[select_n_p] = _select_batcher

# convert_element_type
convert_element_type_p = Primitive("convert_element_type")


def _convert_impl(x, *, new_dtype, weak_type, sharding=None):
    return ArrayImpl(_dtypes.convert_list(x.data, x.dtype, new_dtype), x.shape, new_dtype, weak_type)


impl[convert_element_type_p] = _convert_impl
aeval[convert_element_type_p] = lambda x, *, new_dtype, weak_type, sharding=None: ShapedArray(x.shape, new_dtype, weak_type)
batchers[convert_element_type_p] = _vectorized_batcher(convert_element_type_p)
pprules[convert_element_type_p] = lambda eqn, ctx: [(k, v) for k, v in sorted(eqn.params.items()) if k != "sharding"]


def convert_element_type(x, new_dtype, weak_type=False):
    aval = get_aval(x)
    new_dtype = _dtypes.canonicalize(_dtypes.dtype(new_dtype))
    if aval.dtype == new_dtype and aval.weak_type == weak_type and not isinstance(x, (int, float, bool)):
        return x
    if isinstance(x, (int, float, bool)) and not isinstance(x, core.Tracer):
        arr = to_array(x)
        return ArrayImpl(_dtypes.convert_list(arr.data, arr.dtype, new_dtype), (), new_dtype, weak_type)
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type, sharding=None)


# ----------------------------------------------------------------- structural
broadcast_in_dim_p = Primitive("broadcast_in_dim")


def _bid_impl(x, *, shape, broadcast_dimensions, sharding=None):
    shape = tuple(shape)
    mid = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        mid[d] = x.shape[i]
    data = expand_data(x.data, tuple(mid), shape)
    return ArrayImpl(list(data) if data is x.data else data, shape, x.dtype, x.weak_type)


def _bid_aval(x, *, shape, broadcast_dimensions, sharding=None):
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


impl[broadcast_in_dim_p] = _bid_impl
aeval[broadcast_in_dim_p] = _bid_aval


def _bid_pp(eqn, ctx):
    out = []
    for k, v in sorted(eqn.params.items()):
        if k in ("shape", "sharding") or (k == "broadcast_dimensions" and not v):
            continue
        out.append((k, v))
    return out


pprules[broadcast_in_dim_p] = _bid_pp


def broadcast_in_dim(x, shape, broadcast_dimensions):
    aval = get_aval(x)
    if aval.shape == tuple(shape) and tuple(broadcast_dimensions) == tuple(range(len(shape))) \
            and not isinstance(x, (int, float, bool)):
        return x
    return broadcast_in_dim_p.bind(x, shape=tuple(shape), broadcast_dimensions=tuple(broadcast_dimensions),
                                   sharding=None)


def _bid_batcher(args, dims, *, shape, broadcast_dimensions, sharding=None):
    (x,), (d,) = args, dims
    from jaxlite import _batching as b
    x = b.moveaxis_to_front(x, d)
    n = get_aval(x).shape[0]
    # JAX shifts the dimensions with np.add: they become NumPy integers
    return broadcast_in_dim(x, (n,) + tuple(shape), (0,) + tuple(NpInt(i + 1) for i in broadcast_dimensions)), 0


batchers[broadcast_in_dim_p] = _bid_batcher

reshape_p = Primitive("reshape")
impl[reshape_p] = lambda x, *, new_sizes, dimensions=None, sharding=None: ArrayImpl(x.data, tuple(new_sizes), x.dtype, x.weak_type)
aeval[reshape_p] = lambda x, *, new_sizes, dimensions=None, sharding=None: ShapedArray(tuple(new_sizes), x.dtype, x.weak_type)


def reshape(x, new_sizes):
    new_sizes = tuple(int(d) for d in new_sizes)
    if get_aval(x).shape == new_sizes and not isinstance(x, (int, float, bool)):
        return x
    return reshape_p.bind(x, new_sizes=new_sizes, dimensions=None, sharding=None)


def _reshape_batcher(args, dims, *, new_sizes, dimensions=None, sharding=None):
    from jaxlite import _batching as b
    x = b.moveaxis_to_front(args[0], dims[0])
    return reshape(x, (get_aval(x).shape[0],) + tuple(new_sizes)), 0


batchers[reshape_p] = _reshape_batcher

transpose_p = Primitive("transpose")


def _transpose_impl(x, *, permutation):
    shape = x.shape
    out_shape = tuple(shape[p] for p in permutation)
    st = strides(shape)
    data = x.data
    return ArrayImpl([data[i] for i in _index_map(out_shape, [st[p] for p in permutation])], out_shape, x.dtype,
                     x.weak_type)


impl[transpose_p] = _transpose_impl
aeval[transpose_p] = lambda x, *, permutation: ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


def transpose(x, permutation):
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))) and not isinstance(x, (int, float, bool)):
        return x
    return transpose_p.bind(x, permutation=permutation)


def _transpose_batcher(args, dims, *, permutation):
    x, d = args[0], dims[0]
    from jaxlite import _batching as b
    x = b.moveaxis_to_front(x, d)
    return transpose(x, (0,) + tuple(p + 1 for p in permutation)), 0


batchers[transpose_p] = _transpose_batcher

squeeze_p = Primitive("squeeze")
impl[squeeze_p] = lambda x, *, dimensions: ArrayImpl(x.data, tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype, x.weak_type)
aeval[squeeze_p] = lambda x, *, dimensions: ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype, x.weak_type)


def squeeze(x, dimensions):
    dims = tuple(sorted(int(d) % max(get_aval(x).ndim, 1) for d in dimensions))
    if not dims:
        return x
    return squeeze_p.bind(x, dimensions=dims)


def _squeeze_batcher(args, dims, *, dimensions):
    from jaxlite import _batching as b
    x = b.moveaxis_to_front(args[0], dims[0])
    return squeeze(x, tuple(d + 1 for d in dimensions)), 0


batchers[squeeze_p] = _squeeze_batcher


def expand_dims(x, dimensions):
    aval = get_aval(x)
    ndim_out = aval.ndim + len(dimensions)
    dims = sorted(int(d) % ndim_out for d in dimensions)
    shape = list(aval.shape)
    for d in dims:
        shape.insert(d, 1)
    kept = [i for i in range(ndim_out) if i not in dims]
    return broadcast_in_dim(x, tuple(shape), tuple(kept))


# --------------------------------------------------------------- reductions
def _reduce_shape(shape, axes):
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce_impl(fn, dtype_fn=None):
    def rule(x, *, axes, out_sharding=None, **params):
        axes = tuple(int(a) for a in axes)
        out_shape = _reduce_shape(x.shape, axes)
        groups = _reduction_groups(x.shape, axes)
        data = x.data
        vals = [fn([data[i] for i in g]) for g in groups]
        dt = dtype_fn(x.dtype) if dtype_fn else x.dtype
        return ArrayImpl(_dtypes.round_list(dt, vals), out_shape, dt, x.weak_type)
    return rule


def _reduction_groups(shape, axes) -> list:
    st = strides(shape)
    kept = [i for i in range(len(shape)) if i not in axes]
    outer = _index_map([shape[i] for i in kept], [st[i] for i in kept])
    inner = _index_map([shape[i] for i in axes], [st[i] for i in axes])
    return [[o + k for k in inner] for o in outer]


def _fsum(vals):
    # XLA's CPU reduction order is not sequential; pairwise summation in float64 then rounding
    # lands within float32 round-off of it.
    if not vals:
        return 0
    if isinstance(vals[0], (bool, int)):
        return sum(vals)
    return math.fsum(vals) if all(math.isfinite(v) for v in vals) else sum(vals)


def _prod(vals):
    out = 1
    for v in vals:
        out = out * v
    return out


def _reduce_max(vals):
    if not vals:
        return -math.inf
    out = vals[0]
    for v in vals[1:]:
        out = _max(out, v)
    return out


def _reduce_min(vals):
    if not vals:
        return math.inf
    out = vals[0]
    for v in vals[1:]:
        out = _min(out, v)
    return out


def _make_reduce(name, fn, show_sharding):
    p = Primitive(name)
    impl[p] = _reduce_impl(fn)
    aeval[p] = lambda x, *, axes, out_sharding=None: ShapedArray(_reduce_shape(x.shape, axes), x.dtype, x.weak_type)

    def batcher(args, dims, *, axes, out_sharding=None):
        x, d = args[0], dims[0]
        new_axes = tuple(NpInt(a + 1 if a >= d else a) for a in axes)
        out_d = d - sum(1 for a in axes if a < d)
        params = {"axes": new_axes}
        if show_sharding:
            params["out_sharding"] = None
        return p.bind(x, **params), out_d
    batchers[p] = batcher
    return p


reduce_sum_p = _make_reduce("reduce_sum", _fsum, True)
reduce_max_p = _make_reduce("reduce_max", _reduce_max, False)
reduce_min_p = _make_reduce("reduce_min", _reduce_min, False)
reduce_prod_p = _make_reduce("reduce_prod", _prod, False)
reduce_and_p = _make_reduce("reduce_and", all, False)
reduce_or_p = _make_reduce("reduce_or", any, False)
impl[reduce_max_p] = _reduce_impl(_reduce_max)
impl[reduce_min_p] = _reduce_impl(_reduce_min)


def reduce_sum(x, axes):
    return reduce_sum_p.bind(x, axes=tuple(axes), out_sharding=None)


def reduce_max(x, axes):
    return reduce_max_p.bind(x, axes=tuple(axes))


def reduce_min(x, axes):
    return reduce_min_p.bind(x, axes=tuple(axes))


def reduce_prod(x, axes):
    return reduce_prod_p.bind(x, axes=tuple(axes))


argmax_p = Primitive("argmax")
argmin_p = Primitive("argmin")


def _arg_impl(better):
    def rule(x, *, axes, index_dtype):
        groups = _reduction_groups(x.shape, axes)
        out = []
        for g in groups:
            best, best_i = None, 0
            for i, idx in enumerate(g):
                v = x.data[idx]
                if best is None or (v != v and best == best) or (best == best and better(v, best)):
                    best, best_i = v, i
            out.append(best_i)
        return ArrayImpl(out, _reduce_shape(x.shape, axes), index_dtype, False)
    return rule


impl[argmax_p] = _arg_impl(lambda v, b: v > b)
impl[argmin_p] = _arg_impl(lambda v, b: v < b)
for _p in (argmax_p, argmin_p):
    aeval[_p] = lambda x, *, axes, index_dtype: ShapedArray(_reduce_shape(x.shape, axes), index_dtype, False)


def _arg_batcher(p):
    def rule(args, dims, *, axes, index_dtype):
        from jaxlite import _batching as b
        x = b.moveaxis_to_front(args[0], dims[0])
        return p.bind(x, axes=tuple(a + 1 for a in axes), index_dtype=index_dtype), 0
    return rule


batchers[argmax_p] = _arg_batcher(argmax_p)
batchers[argmin_p] = _arg_batcher(argmin_p)

# cumulative sums (JAX: cumsum etc. with axis, reverse)
cumsum_p = Primitive("cumsum")
cumprod_p = Primitive("cumprod")
cummax_p = Primitive("cummax")


def _cum_impl(fn):
    def rule(x, *, axis, reverse):
        shape = x.shape
        st = strides(shape)
        out = list(x.data)
        others = [i for i in range(len(shape)) if i != axis]
        bases = _index_map([shape[i] for i in others], [st[i] for i in others])
        n, s = shape[axis], st[axis]
        for base in bases:
            idx = [base + k * s for k in range(n)]
            if reverse:
                idx = idx[::-1]
            acc = None
            for i in idx:
                acc = out[i] if acc is None else fn(acc, out[i])
                acc = _dtypes.round_scalar(x.dtype, acc)
                out[i] = acc
        return ArrayImpl(out, shape, x.dtype, x.weak_type)
    return rule


impl[cumsum_p] = _cum_impl(lambda a, b: a + b)
impl[cumprod_p] = _cum_impl(lambda a, b: a * b)
impl[cummax_p] = _cum_impl(_max)
for _p in (cumsum_p, cumprod_p, cummax_p):
    aeval[_p] = lambda x, *, axis, reverse: ShapedArray(x.shape, x.dtype, x.weak_type)


def _cum_batcher(p):
    def rule(args, dims, *, axis, reverse):
        from jaxlite import _batching as b
        x = b.moveaxis_to_front(args[0], dims[0])
        return p.bind(x, axis=axis + 1, reverse=reverse), 0
    return rule


for _p in (cumsum_p, cumprod_p, cummax_p):
    batchers[_p] = _cum_batcher(_p)

# ------------------------------------------------------------- dot_general
dot_general_p = Primitive("dot_general")


def _dot_shape(lhs, rhs, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    for a, b in zip(lc, rc):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(
                f"dot_general requires contracting dimensions to have the same shape, got "
                f"{tuple(lhs.shape[i] for i in lc)} and {tuple(rhs.shape[i] for i in rc)}.")
    batch = tuple(lhs.shape[i] for i in lb)
    lfree = tuple(d for i, d in enumerate(lhs.shape) if i not in lc and i not in lb)
    rfree = tuple(d for i, d in enumerate(rhs.shape) if i not in rc and i not in rb)
    return batch + lfree + rfree


def _sumprod(a, b):
    return sum(map(operator.mul, a, b))   # in double: far finer than float32


def _dot_impl(lhs, rhs, *, dimension_numbers, precision=None, preferred_element_type=None, out_sharding=None):
    (lc, rc), (lb, rb) = dimension_numbers
    out_shape = _dot_shape(lhs.aval, rhs.aval, dimension_numbers)
    lst, rst = strides(lhs.shape), strides(rhs.shape)
    lfree = [i for i in range(lhs.ndim) if i not in lc and i not in lb]
    rfree = [i for i in range(rhs.ndim) if i not in rc and i not in rb]
    batch_l = _index_map([lhs.shape[i] for i in lb], [lst[i] for i in lb])
    batch_r = _index_map([rhs.shape[i] for i in rb], [rst[i] for i in rb])
    free_l = _index_map([lhs.shape[i] for i in lfree], [lst[i] for i in lfree])
    free_r = _index_map([rhs.shape[i] for i in rfree], [rst[i] for i in rfree])
    con_l = _index_map([lhs.shape[i] for i in lc], [lst[i] for i in lc])
    con_r = _index_map([rhs.shape[i] for i in rc], [rst[i] for i in rc])
    L, R = lhs.data, rhs.data
    out = []
    # floats: an exactly rounded sum of the products (XLA sums in float32, in its
    # own order: the two agree to float32 round-off)
    total = _sumprod if lhs.dtype.kind == "f" else (lambda a, b: sum(map(operator.mul, a, b)))
    for bl, br in zip(batch_l, batch_r):
        cols = [[R[br + fr + c] for c in con_r] for fr in free_r]
        for fl in free_l:
            lrow = [L[bl + fl + c] for c in con_l]
            out.extend([total(lrow, col) for col in cols])
    dt = preferred_element_type or lhs.dtype
    return ArrayImpl(_dtypes.round_list(dt, out), out_shape, dt, lhs.weak_type and rhs.weak_type)


impl[dot_general_p] = _dot_impl


def _dot_aval(lhs, rhs, *, dimension_numbers, precision=None, preferred_element_type=None, out_sharding=None):
    return ShapedArray(_dot_shape(lhs, rhs, dimension_numbers), preferred_element_type or lhs.dtype,
                       lhs.weak_type and rhs.weak_type)


aeval[dot_general_p] = _dot_aval


class _DimNums(tuple):
    """dimension_numbers, printed as JAX's printer shows them (lists inside)."""

    def __str__(self) -> str:
        (lc, rc), (lb, rb) = self
        return str(((list(lc), list(rc)), (list(lb), list(rb))))


def _dot_pp(eqn, ctx):
    out = []
    for k, v in sorted(eqn.params.items()):
        if v is None or k == "out_sharding":
            continue
        if k == "dimension_numbers":
            v = _DimNums(v)
        out.append((k, v))
    return out


pprules[dot_general_p] = _dot_pp


def dot_general(lhs, rhs, dimension_numbers, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    dn = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    return dot_general_p.bind(lhs, rhs, dimension_numbers=dn, precision=None,
                              preferred_element_type=preferred_element_type, out_sharding=None)


def _dot_batcher(args, dims, *, dimension_numbers, precision=None, preferred_element_type=None, out_sharding=None):
    from jaxlite import _batching as b
    lhs, rhs = args
    ld, rd = dims
    (lc, rc), (lb, rb) = dimension_numbers
    if ld is not None and rd is not None:
        lhs, rhs = b.moveaxis(lhs, ld, 0), b.moveaxis(rhs, rd, 0)
        shift = lambda t: tuple(i + 1 for i in t)
        dn = ((shift(lc), shift(rc)), ((0,) + shift(lb), (0,) + shift(rb)))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=dn, precision=precision,
                                  preferred_element_type=preferred_element_type, out_sharding=None), 0
    shift = lambda t, d: tuple(i + 1 if i >= d else i for i in t)
    if ld is not None:
        # the batch axis becomes a free dimension of lhs
        lc2, lb2 = shift(lc, ld), shift(lb, ld)
        out = dot_general_p.bind(lhs, rhs, dimension_numbers=((lc2, rc), (lb2, rb)), precision=precision,
                                 preferred_element_type=preferred_element_type, out_sharding=None)
        lfree = [i for i in range(get_aval(lhs).ndim) if i not in lc2 and i not in lb2]
        return out, len(lb) + lfree.index(ld)
    rc2, rb2 = shift(rc, rd), shift(rb, rd)
    out = dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc2), (lb, rb2)), precision=precision,
                             preferred_element_type=preferred_element_type, out_sharding=None)
    n_lfree = get_aval(lhs).ndim - len(lc) - len(lb)
    rfree = [i for i in range(get_aval(rhs).ndim) if i not in rc2 and i not in rb2]
    return out, len(lb) + n_lfree + rfree.index(rd)


batchers[dot_general_p] = _dot_batcher

# ------------------------------------------------------------ slicing etc.
slice_p = Primitive("slice")


def _slice_shape(shape, start, limit, strides_):
    st = strides_ or (1,) * len(shape)
    return tuple(max(0, -(-(l - s) // k)) for s, l, k in zip(start, limit, st))


def _slice_impl(x, *, start_indices, limit_indices, strides=None):
    st = strides or (1,) * x.ndim
    out_shape = _slice_shape(x.shape, start_indices, limit_indices, strides)
    xs = globals()["strides"](x.shape)
    base = sum(s * k for s, k in zip(start_indices, xs))
    idx = _index_map(out_shape, [k * s for k, s in zip(xs, st)])
    return ArrayImpl([x.data[base + i] for i in idx], out_shape, x.dtype, x.weak_type)


impl[slice_p] = _slice_impl
aeval[slice_p] = lambda x, *, start_indices, limit_indices, strides=None: ShapedArray(
    _slice_shape(x.shape, start_indices, limit_indices, strides), x.dtype, x.weak_type)


def slice_(x, start, limit, strides_=None):
    return slice_p.bind(x, start_indices=tuple(start), limit_indices=tuple(limit),
                        strides=None if strides_ is None or all(s == 1 for s in strides_) else tuple(strides_))


def _slice_batcher(args, dims, *, start_indices, limit_indices, strides=None):
    from jaxlite import _batching as b
    x = b.moveaxis_to_front(args[0], dims[0])
    n = get_aval(x).shape[0]
    return slice_p.bind(x, start_indices=(0,) + tuple(start_indices), limit_indices=(n,) + tuple(limit_indices),
                        strides=None if strides is None else (1,) + tuple(strides)), 0


batchers[slice_p] = _slice_batcher

pad_p = Primitive("pad")


def _pad_impl(x, padval, *, padding_config):
    out_shape = tuple(lo + hi + d + max(0, d - 1) * interior for d, (lo, hi, interior) in zip(x.shape, padding_config))
    fill = padval.data[0]
    out = [fill] * size_of(out_shape)
    ost = strides(out_shape)
    xst = strides(x.shape)
    for flat in range(x.size):
        rem, pos = flat, 0
        ok = True
        for ax, s in enumerate(xst):
            i, rem = divmod(rem, s)
            lo, hi, interior = padding_config[ax]
            o = lo + i * (interior + 1)
            if not 0 <= o < out_shape[ax]:
                ok = False
                break
            pos += o * ost[ax]
        if ok:
            out[pos] = x.data[flat]
    return ArrayImpl(out, out_shape, x.dtype, x.weak_type)


impl[pad_p] = _pad_impl
aeval[pad_p] = lambda x, pv, *, padding_config: ShapedArray(
    tuple(lo + hi + d + max(0, d - 1) * it for d, (lo, hi, it) in zip(x.shape, padding_config)), x.dtype, x.weak_type)


def _pad_batcher(args, dims, *, padding_config):
    (x, padval), (d, pd) = args, dims
    if pd is not None:
        raise NotImplementedError("jaxlite cannot vmap lax.pad over a batched padding value yet")
    config = list(padding_config)
    config.insert(d, (0, 0, 0))
    return pad_p.bind(x, padval, padding_config=tuple(config)), d


batchers[pad_p] = _pad_batcher

concatenate_p = Primitive("concatenate")


def _concat_impl(*xs, dimension):
    _concat_aval(*xs, dimension=dimension)   # its shape check, as JAX's abstract evaluation runs first
    shape = list(xs[0].shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    outer = size_of(shape[:dimension])
    out = []
    chunks = [x.data for x in xs]
    inner = [size_of(x.shape[dimension:]) for x in xs]
    for o in range(outer):
        for c, n in zip(chunks, inner):
            out.extend(c[o * n:(o + 1) * n])
    return ArrayImpl(out, tuple(shape), xs[0].dtype, all(x.weak_type for x in xs))


def _concat_aval(*xs, dimension):
    if any(tuple(d for i, d in enumerate(x.shape) if i != dimension) !=
           tuple(d for i, d in enumerate(xs[0].shape) if i != dimension) for x in xs):
        raise TypeError("Cannot concatenate arrays with shapes that differ in dimensions other than the one being "
                        f"concatenated: concatenating along dimension {dimension} for shapes "
                        f"{', '.join(str(tuple(x.shape)) for x in xs)}.")
    shape = list(xs[0].shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return ShapedArray(tuple(shape), xs[0].dtype, all(x.weak_type for x in xs))


impl[concatenate_p] = _concat_impl
aeval[concatenate_p] = _concat_aval


def _concat_batcher(args, dims, *, dimension):
    from jaxlite import _batching as b
    size = next(get_aval(x).shape[d] for x, d in zip(args, dims) if d is not None)
    args = [b.moveaxis_to_front(x, d) if d is not None else b.broadcast_front(x, size) for x, d in zip(args, dims)]
    return concatenate_p.bind(*args, dimension=dimension + 1), 0


batchers[concatenate_p] = _concat_batcher

# stack / unstack (JAX 0.10's jnp.stack binds stack_p; iterating a tracer reads rows)
stack_p = Primitive("stack")
unstack_p = Primitive("unstack", multiple_results=True)


def _stack_aval(*xs, axis):
    if len({x.shape for x in xs}) != 1:
        raise ValueError("All input arrays must have the same shape. Got " + ", ".join(str(x.shape) for x in xs) + ".")
    if len({x.dtype for x in xs}) != 1:
        raise TypeError("stack requires arguments to have the same dtypes, got "
                        + ", ".join(x.dtype.name for x in xs) + ".")
    shape = list(xs[0].shape)
    shape.insert(axis, len(xs))
    return ShapedArray(tuple(shape), xs[0].dtype, all(x.weak_type for x in xs))


def _stack_impl(*xs, axis):
    shape = list(xs[0].shape)
    expanded = [ArrayImpl(x.data, tuple(shape[:axis] + [1] + shape[axis:]), x.dtype, x.weak_type) for x in xs]
    return _concat_impl(*expanded, dimension=axis)


def _unstack_aval(x, *, axis):
    if x.ndim == 0:
        raise ValueError(f"unstack requires arrays with rank > 0, however a scalar array of shape {x.shape} was passed.")
    shape = x.shape[:axis] + x.shape[axis + 1:]
    return [ShapedArray(shape, x.dtype, x.weak_type)] * x.shape[axis]


def _unstack_impl(x, *, axis):
    n = x.shape[axis]
    limit = list(x.shape)
    outs = []
    for i in range(n):
        start = [0] * x.ndim
        start[axis], limit[axis] = i, i + 1
        row = _slice_impl(x, start_indices=tuple(start), limit_indices=tuple(limit))
        outs.append(ArrayImpl(row.data, x.shape[:axis] + x.shape[axis + 1:], x.dtype, x.weak_type))
    return outs


impl[stack_p], aeval[stack_p] = _stack_impl, _stack_aval
impl[unstack_p], aeval[unstack_p] = _unstack_impl, _unstack_aval


def _stack_batcher(args, dims, *, axis):
    from jaxlite import _batching as b
    d0 = dims[0]
    if d0 is not None and all(d == d0 for d in dims):
        return (stack_p.bind(*args, axis=axis), d0 + 1) if axis <= d0 else (stack_p.bind(*args, axis=axis + 1), d0)
    size = next(get_aval(x).shape[d] for x, d in zip(args, dims) if d is not None)
    args = [b.moveaxis_to_front(x, d) if d is not None else b.broadcast_front(x, size) for x, d in zip(args, dims)]
    return stack_p.bind(*args, axis=axis + 1), 0


def _unstack_batcher(args, dims, *, axis):
    (x,), (d,) = args, dims
    if axis < d:
        outs = unstack_p.bind(x, axis=axis)
        return outs, [d - 1] * len(outs)
    outs = unstack_p.bind(x, axis=axis + 1)
    return outs, [d] * len(outs)


batchers[stack_p], batchers[unstack_p] = _stack_batcher, _unstack_batcher

iota_p = Primitive("iota")


def _iota_impl(*, dtype, shape, dimension, sharding=None):
    st = strides(shape)
    vals = [(i // st[dimension]) % shape[dimension] for i in range(size_of(shape))]
    return ArrayImpl(_dtypes.convert_list(vals, _dtypes.int64, dtype), tuple(shape), dtype, False)


impl[iota_p] = _iota_impl
aeval[iota_p] = lambda *, dtype, shape, dimension, sharding=None: ShapedArray(tuple(shape), dtype, False)

rev_p = Primitive("rev")


def _rev_impl(x, *, dimensions):
    st = strides(x.shape)
    idx = _index_map(x.shape, st)
    out = []
    for flat in range(x.size):
        rem, pos = flat, 0
        for ax, s in enumerate(st):
            i, rem = divmod(rem, s)
            if ax in dimensions:
                i = x.shape[ax] - 1 - i
            pos += i * s
        out.append(x.data[pos])
    del idx
    return ArrayImpl(out, x.shape, x.dtype, x.weak_type)


impl[rev_p] = _rev_impl
aeval[rev_p] = lambda x, *, dimensions: x
batchers[rev_p] = lambda args, dims, *, dimensions: (
    rev_p.bind(args[0], dimensions=tuple(i + 1 if i >= dims[0] else i for i in dimensions)), dims[0])

# dynamic_slice / dynamic_update_slice (start indices clamped, as XLA does)
dynamic_slice_p = Primitive("dynamic_slice")
dynamic_update_slice_p = Primitive("dynamic_update_slice")


def _clamp_starts(shape, sizes, starts):
    return [min(max(int(s), 0), d - z) for s, d, z in zip(starts, shape, sizes)]


def _ds_impl(x, *starts, slice_sizes):
    st = _clamp_starts(x.shape, slice_sizes, [s.data[0] for s in starts])
    return _slice_impl(x, start_indices=st, limit_indices=[a + b for a, b in zip(st, slice_sizes)])


impl[dynamic_slice_p] = _ds_impl
aeval[dynamic_slice_p] = lambda x, *starts, slice_sizes: ShapedArray(tuple(slice_sizes), x.dtype, x.weak_type)


def _dus_impl(x, update, *starts):
    st = _clamp_starts(x.shape, update.shape, [s.data[0] for s in starts])
    out = list(x.data)
    xst = strides(x.shape)
    base = sum(a * b for a, b in zip(st, xst))
    for src, off in enumerate(_index_map(update.shape, xst)):
        out[base + off] = update.data[src]
    return ArrayImpl(out, x.shape, x.dtype, x.weak_type)


impl[dynamic_update_slice_p] = _dus_impl
aeval[dynamic_update_slice_p] = lambda x, update, *starts: ShapedArray(x.shape, x.dtype, x.weak_type)

# clamp(min, x, max)
clamp_p = Primitive("clamp")


def _clamp_impl(lo, x, hi):
    shape = x.shape
    los = expand_data(lo.data, lo.shape, shape) if lo.shape else lo.data * x.size
    his = expand_data(hi.data, hi.shape, shape) if hi.shape else hi.data * x.size
    return ArrayImpl([_min(_max(v, a), b) for v, a, b in zip(x.data, los, his)], shape, x.dtype, x.weak_type)


impl[clamp_p] = _clamp_impl
aeval[clamp_p] = lambda lo, x, hi: ShapedArray(x.shape, x.dtype, x.weak_type)

# sort along the last axis (one operand, or several sorted by the first: num_keys=1)
sort_p = Primitive("sort", multiple_results=True)


def _sort_key(v):
    if isinstance(v, float) and v != v:
        return (1, 0.0)
    return (0, v)


def _sort_impl(*operands, dimension, is_stable, num_keys):
    x0 = operands[0]
    shape = x0.shape
    st = strides(shape)
    others = [i for i in range(len(shape)) if i != dimension]
    bases = _index_map([shape[i] for i in others], [st[i] for i in others])
    n, s = shape[dimension], st[dimension]
    outs = [list(o.data) for o in operands]
    for base in bases:
        idx = [base + k * s for k in range(n)]
        order = sorted(range(n), key=lambda k: _sort_key(x0.data[idx[k]]))
        for o, src in zip(outs, operands):
            vals = [src.data[idx[k]] for k in order]
            for i, v in zip(idx, vals):
                o[i] = v
    return [ArrayImpl(o, shape, src.dtype, src.weak_type) for o, src in zip(outs, operands)]


impl[sort_p] = _sort_impl
aeval[sort_p] = lambda *ops, dimension, is_stable, num_keys: [ShapedArray(o.shape, o.dtype, o.weak_type) for o in ops]


def _sort_batcher(args, dims, *, dimension, is_stable, num_keys):
    from jaxlite import _batching as b
    size = next(get_aval(x).shape[d] for x, d in zip(args, dims) if d is not None)
    args = [b.moveaxis_to_front(x, d) if d is not None else b.broadcast_front(x, size) for x, d in zip(args, dims)]
    return sort_p.bind(*args, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys), [0] * len(args)


batchers[sort_p] = _sort_batcher

# ------------------------------------------------------- misc / effects
copy_p = Primitive("copy_p")
impl[copy_p] = lambda x: ArrayImpl(list(x.data), x.shape, x.dtype, x.weak_type)
aeval[copy_p] = lambda x: x
batchers[copy_p] = _vectorized_batcher(copy_p)

stop_gradient_p = Primitive("stop_gradient")
impl[stop_gradient_p] = lambda x: x
aeval[stop_gradient_p] = lambda x: x
batchers[stop_gradient_p] = _vectorized_batcher(stop_gradient_p)

# -------------------------------------------- bit-level ops (as PRNG samplers use them)
def _int_binop_impl(fn):
    """An elementwise integer op whose result depends on the operands' bit width."""
    def rule(x, y):
        bits = x.dtype.bits
        return _elementwise_impl(lambda a, b: fn(a, b, bits))(x, y)
    return rule


def _shift_right_logical(a, b, bits):
    return ((a & ((1 << bits) - 1)) >> b) if 0 <= b < bits else 0


def _shift_right_arithmetic(a, b, bits):
    if a >= 1 << (bits - 1):  # an unsigned value read as signed
        a -= 1 << bits
    return a >> min(b, bits - 1) if b >= 0 else (-1 if a < 0 else 0)


def _shift_left(a, b, bits):
    return a << b if 0 <= b < bits else 0


shift_right_logical_p = binop("shift_right_logical", None, kinds="iu")
shift_right_arithmetic_p = binop("shift_right_arithmetic", None, kinds="iu")
shift_left_p = binop("shift_left", None, kinds="iu")
impl[shift_right_logical_p] = _int_binop_impl(_shift_right_logical)
impl[shift_right_arithmetic_p] = _int_binop_impl(_shift_right_arithmetic)
impl[shift_left_p] = _int_binop_impl(_shift_left)

bitcast_convert_type_p = Primitive("bitcast_convert_type")
_STRUCT_CODES = {"bool": "?", "int8": "b", "uint8": "B", "int16": "h", "uint16": "H", "float16": "e",
                 "int32": "i", "uint32": "I", "float32": "f", "int64": "q", "uint64": "Q", "float64": "d"}


def _bitcast_impl(x, *, new_dtype):
    import struct
    n = len(x.data)
    raw = struct.pack(f"<{n}{_STRUCT_CODES[x.dtype.name]}", *x.data)
    return ArrayImpl(list(struct.unpack(f"<{n}{_STRUCT_CODES[new_dtype.name]}", raw)), x.shape, new_dtype, False)


def _bitcast_aval(x, *, new_dtype):
    if x.dtype.itemsize != new_dtype.itemsize:
        raise NotImplementedError(
            f"jaxlite's bitcast_convert_type keeps the bit width: {x.dtype.name} to {new_dtype.name} changes it.")
    return ShapedArray(x.shape, new_dtype, False)


impl[bitcast_convert_type_p] = _bitcast_impl
aeval[bitcast_convert_type_p] = _bitcast_aval
batchers[bitcast_convert_type_p] = _vectorized_batcher(bitcast_convert_type_p)


def bitcast_convert_type(x, new_dtype):
    return bitcast_convert_type_p.bind(x, new_dtype=_dtypes.dtype(new_dtype))


def _erf_inv(x):
    """XLA:CPU's float32 erf_inv (jaxlite._prng replays it bit for bit); the
    caller rounds to the dtype. float64 refines it with Newton steps on erf."""
    from jaxlite import _prng
    return _prng._erf_inv_f32(_prng._r32(x))


def _erf_inv_f64(y):
    x = _erf_inv(y)
    if not math.isfinite(x) or y != y:
        return x
    for _ in range(3):
        x -= (math.erf(x) - y) / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


erf_inv_p = unop("erf_inv", _erf_inv)


def _erf_inv_impl(x):
    if x.dtype.name == "float64":
        return _elementwise_impl(_erf_inv_f64)(x)
    from jaxlite import _prng   # float32 and narrower: XLA's float32 kernel, a list at a time
    return ArrayImpl(_dtypes.round_list(x.dtype, _prng._erf_inv_f32_list(x.data)), x.shape, x.dtype, x.weak_type)


impl[erf_inv_p] = _erf_inv_impl
