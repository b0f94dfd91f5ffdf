"""JVP and transpose rules of the primitives in _lax, written as JAX writes
them (so the jaxprs of `grad` have JAX's equations, in JAX's order)."""

from __future__ import annotations

from jaxlite import _ad as ad, _lax as lax
from jaxlite._ad import Zero, defjvp, defjvp2, defjvp_zero, is_undefined
from jaxlite._core import get_aval, jvp_rules, transpose_rules
from jaxlite import _dtypes


def _const(x, v):
    """A constant of x's dtype, weakly typed when x is a weakly typed scalar (JAX's _const)."""
    aval = get_aval(x)
    return _lit(aval.dtype, v, aval.weak_type and aval.ndim == 0)


def _lit(dt, v, weak=False):
    from jaxlite._array import ArrayImpl
    return ArrayImpl(_dtypes.round_list(dt, [v]), (), dt, weak)


def _one(x):
    return _const(x, 1)


def mul(x, y): return lax.mul_p.bind(x, y)
def add(x, y): return lax.add_p.bind(x, y)
def sub(x, y): return lax.sub_p.bind(x, y)
def div(x, y): return lax.div_p.bind(x, y)
def neg(x): return lax.neg_p.bind(x)


def _bcast_scalar(x, like):
    return x


def unbroadcast(aval, x):
    """Sum x down to aval's shape (the transpose of equal-rank broadcasting)."""
    xa = get_aval(x)
    if xa.shape == aval.shape:
        return x
    if not aval.shape:
        out = lax.reduce_sum(x, tuple(range(xa.ndim))) if xa.ndim else x
        return out
    dims = tuple(i for i, (a, b) in enumerate(zip(aval.shape, xa.shape)) if a != b)
    if not dims:
        return x
    return lax.reshape(lax.reduce_sum(x, dims), aval.shape)


# ---- unary
lax.neg_p and ad.deflinear(lax.neg_p, lambda ct, x: [neg(ct)])
defjvp_zero(lax.sign_p)
defjvp_zero(lax.floor_p)
defjvp_zero(lax.ceil_p)
defjvp_zero(lax.round_p)
defjvp_zero(lax.is_finite_p)
defjvp2(lax.exp_p, lambda g, ans, x: mul(g, ans))
defjvp(lax.log_p, lambda g, x: div(g, x))
defjvp(lax.log1p_p, lambda g, x: div(g, add(x, _one(x))))
defjvp2(lax.expm1_p, lambda g, ans, x: mul(g, add(ans, _one(ans))))
defjvp2(lax.tanh_p, lambda g, ans, x: mul(add(g, mul(g, ans)), sub(_one(x), ans)))
defjvp2(lax.logistic_p, lambda g, ans, x: mul(g, mul(ans, sub(_one(ans), ans))))
defjvp(lax.sin_p, lambda g, x: mul(g, lax.cos_p.bind(x)))
defjvp(lax.cos_p, lambda g, x: neg(mul(g, lax.sin_p.bind(x))))
defjvp2(lax.tan_p, lambda g, ans, x: mul(g, add(_const(x, 1), lax.square_p.bind(ans))))
defjvp2(lax.sqrt_p, lambda g, ans, x: mul(g, div(_const(x, 0.5), ans)))
defjvp2(lax.rsqrt_p, lambda g, ans, x: mul(g, mul(_const(x, -0.5), div(ans, x))))
defjvp2(lax.abs_p, lambda g, ans, x: lax.select_n_p.bind(lax.ge_p.bind(x, _const(x, 0)), neg(g), g))
defjvp2(lax.square_p, lambda g, ans, x: mul(g, mul(_const(x, 2), x)))
defjvp(lax.sinh_p, lambda g, x: mul(g, lax.cosh_p.bind(x)))
defjvp(lax.cosh_p, lambda g, x: mul(g, lax.sinh_p.bind(x)))
defjvp(lax.atan_p, lambda g, x: div(g, add(_const(x, 1), lax.square_p.bind(x))))
defjvp(lax.asinh_p, lambda g, x: mul(g, lax.rsqrt_p.bind(add(lax.square_p.bind(x), _one(x)))))
defjvp2(lax.exp2_p, lambda g, ans, x: mul(lax.log_p.bind(_const(x, 2)), mul(g, ans)))
defjvp(lax.erf_p, lambda g, x: mul(_const(x, 2.0 / 3.141592653589793 ** 0.5),
                                   mul(g, lax.exp_p.bind(neg(lax.square_p.bind(x))))))
defjvp_zero(lax.not_p)
for _p in (lax.and_p, lax.or_p, lax.xor_p, lax.eq_p, lax.ne_p, lax.lt_p, lax.le_p, lax.gt_p, lax.ge_p,
           lax.argmax_p, lax.argmin_p, lax.iota_p):
    defjvp_zero(_p)


def _integer_pow_jvp(g, x, *, y):
    if y == 0:
        return Zero(get_aval(g))
    if y == 1:
        return g
    if y == 2:
        return mul(g, mul(_const(x, y), x))
    return mul(g, mul(_const(x, y), lax.integer_pow_p.bind(x, y=y - 1)))


defjvp(lax.integer_pow_p, _integer_pow_jvp)


def _pow_jvp_lhs(g, ans, x, y):
    jac = mul(y, lax.pow_p.bind(x, sub(y, _one(y))))
    return mul(g, jac)


def _pow_jvp_rhs(g, ans, x, y):
    safe_x = lax.select_n_p.bind(lax.eq_p.bind(x, _const(x, 0)), x, _one(x))
    return mul(g, mul(lax.log_p.bind(safe_x), ans))


defjvp2(lax.pow_p, _pow_jvp_lhs, _pow_jvp_rhs)


# ---- binary
def _add_jvp(primals, tangents):
    x, y = primals
    xd, yd = tangents
    out = add(x, y)
    oaval = get_aval(out)
    if isinstance(xd, Zero) and isinstance(yd, Zero):
        return out, Zero(oaval)
    if isinstance(xd, Zero):
        return out, _maybe_broadcast(oaval.shape, yd)
    if isinstance(yd, Zero):
        return out, _maybe_broadcast(oaval.shape, xd)
    return out, add(xd, yd)


def _maybe_broadcast(shape, x):
    aval = get_aval(x)
    if aval.shape == tuple(shape):
        return x
    if not aval.shape:
        return lax.broadcast_in_dim(x, shape, ())
    dims = [i for i, (a, b) in enumerate(zip(aval.shape, shape)) if a != b]
    squeezed = lax.reshape(x, tuple(d for i, d in enumerate(aval.shape) if i not in dims))
    return lax.broadcast_in_dim(squeezed, shape, tuple(i for i in range(len(shape)) if i not in dims))


def _add_transpose(ct, x, y):
    xa = x.aval if is_undefined(x) else get_aval(x)
    ya = y.aval if is_undefined(y) else get_aval(y)
    return [unbroadcast(xa, ct), unbroadcast(ya, ct)]


jvp_rules[lax.add_p] = _add_jvp
transpose_rules[lax.add_p] = _add_transpose
jvp_rules[lax.add_any_p] = _add_jvp
transpose_rules[lax.add_any_p] = _add_transpose


def _sub_jvp(primals, tangents):
    x, y = primals
    xd, yd = tangents
    out = sub(x, y)
    oaval = get_aval(out)
    if isinstance(xd, Zero) and isinstance(yd, Zero):
        return out, Zero(oaval)
    if isinstance(xd, Zero):
        return out, _maybe_broadcast(oaval.shape, neg(yd))
    if isinstance(yd, Zero):
        return out, _maybe_broadcast(oaval.shape, xd)
    return out, sub(xd, yd)


def _sub_transpose(ct, x, y):
    xa = x.aval if is_undefined(x) else get_aval(x)
    ya = y.aval if is_undefined(y) else get_aval(y)
    return [unbroadcast(xa, ct), unbroadcast(ya, neg(ct))]


jvp_rules[lax.sub_p] = _sub_jvp
transpose_rules[lax.sub_p] = _sub_transpose

defjvp(lax.mul_p, lambda xd, x, y, **kw: mul(xd, y), lambda yd, x, y, **kw: mul(x, yd))


def _mul_transpose(ct, x, y, **kw):
    if is_undefined(x):
        return [unbroadcast(x.aval, mul(ct, y)), None]
    return [None, unbroadcast(y.aval, mul(x, ct))]


transpose_rules[lax.mul_p] = _mul_transpose

defjvp(lax.div_p, lambda g, x, y: div(g, y),
       lambda g, x, y: mul(mul(neg(g), x), lax.integer_pow_p.bind(y, y=-2)))


def _div_transpose(ct, x, y):
    return [unbroadcast(x.aval, div(ct, y)), None]


transpose_rules[lax.div_p] = _div_transpose


def _full_like(z, v):
    c = _const(z, v)
    shape = get_aval(z).shape
    return lax.broadcast_in_dim(c, shape, ()) if shape else c


def _balanced_eq(x, z, y):
    # JAX's: where x and y tie at the max, each gets half the gradient
    return div(lax.select_n_p.bind(lax.eq_p.bind(x, z), _full_like(z, 0), _full_like(z, 1)),
               lax.select_n_p.bind(lax.eq_p.bind(y, z), _full_like(z, 1), _full_like(z, 2)))


defjvp2(lax.max_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
        lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
defjvp2(lax.min_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
        lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
defjvp(lax.rem_p, lambda g, x, y: _maybe_broadcast(get_aval(lax.rem_p.bind(x, y)).shape, g),
       lambda g, x, y: mul(neg(g), mul(lax.sign_p.bind(div(x, y)), lax.floor_p.bind(lax.abs_p.bind(div(x, y))))))
defjvp(lax.atan2_p,
       lambda g, x, y: mul(g, div(y, add(lax.square_p.bind(x), lax.square_p.bind(y)))),
       lambda g, x, y: mul(g, div(neg(x), add(lax.square_p.bind(x), lax.square_p.bind(y)))))


# ---- select, convert
def _select_jvp(primals, tangents):
    which, *cases = primals
    _, *ct = tangents
    out = lax.select_n_p.bind(which, *cases)
    if all(isinstance(t, Zero) for t in ct):
        return out, Zero(get_aval(out))
    ts = [ad.instantiate(t) if not isinstance(t, Zero) else ad.zeros_like_aval(get_aval(c))
          for t, c in zip(ct, cases)]
    return out, lax.select_n_p.bind(which, *ts)


def _select_transpose(ct, which, *cases):
    zeros = ad.zeros_like_aval(get_aval(ct))
    out = [None]
    for i, c in enumerate(cases):
        if is_undefined(c):
            branches = [zeros] * len(cases)
            branches[i] = ct
            out.append(lax.select_n_p.bind(which, *branches))
        else:
            out.append(None)
    return out


jvp_rules[lax.select_n_p] = _select_jvp
transpose_rules[lax.select_n_p] = _select_transpose


def _convert_jvp(primals, tangents, *, new_dtype, weak_type, sharding=None):
    (x,), (t,) = primals, tangents
    out = lax.convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type, sharding=sharding)
    if isinstance(t, Zero) or new_dtype.kind != "f" or get_aval(x).dtype.kind != "f":
        return out, Zero(get_aval(out))
    return out, lax.convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type, sharding=sharding)


def _convert_transpose(ct, x, *, new_dtype, weak_type, sharding=None):
    old = x.aval
    if old.dtype.kind != "f":
        return [None]
    return [lax.convert_element_type_p.bind(ct, new_dtype=old.dtype, weak_type=old.weak_type, sharding=None)]


jvp_rules[lax.convert_element_type_p] = _convert_jvp
transpose_rules[lax.convert_element_type_p] = _convert_transpose


# ---- structural (linear)
def _linear(prim):
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        t = tangents[0]
        if isinstance(t, Zero):
            return out, Zero(get_aval(out))
        return out, prim.bind(ad.instantiate(t), *primals[1:], **params)
    jvp_rules[prim] = rule


for _p in (lax.broadcast_in_dim_p, lax.reshape_p, lax.transpose_p, lax.squeeze_p, lax.reduce_sum_p, lax.slice_p,
           lax.rev_p, lax.cumsum_p, lax.copy_p, lax.dynamic_slice_p):
    _linear(_p)


def _bid_transpose(ct, x, *, shape, broadcast_dimensions, sharding=None):
    aval = x.aval
    unit = tuple(i for i, d in enumerate(aval.shape) if d == 1 and shape[broadcast_dimensions[i]] != 1)
    bdims = tuple(i for i in range(len(shape)) if i not in broadcast_dimensions)
    unit_dims = tuple(broadcast_dimensions[i] for i in unit)
    summed = lax.reduce_sum(ct, bdims + unit_dims) if bdims or unit_dims else ct
    if unit:
        summed = lax.expand_dims(summed, unit)
    return [summed]


transpose_rules[lax.broadcast_in_dim_p] = _bid_transpose


def _reduce_sum_transpose(ct, x, *, axes, out_sharding=None):
    shape = x.aval.shape
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    return [lax.broadcast_in_dim(ct, shape, kept)]


transpose_rules[lax.reduce_sum_p] = _reduce_sum_transpose
transpose_rules[lax.reshape_p] = lambda ct, x, **p: [lax.reshape(ct, x.aval.shape)]


def _transpose_transpose(ct, x, *, permutation):
    inv = [0] * len(permutation)
    for i, p in enumerate(permutation):
        inv[p] = i
    return [lax.transpose(ct, inv)]


transpose_rules[lax.transpose_p] = _transpose_transpose
transpose_rules[lax.squeeze_p] = lambda ct, x, *, dimensions: [lax.expand_dims(ct, dimensions)]
transpose_rules[lax.copy_p] = lambda ct, x: [ct]


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides=None):
    shape = x.aval.shape
    st = strides or (1,) * len(shape)
    ct_shape = get_aval(ct).shape
    pads = []
    for d, s, l, k, c in zip(shape, start_indices, limit_indices, st, ct_shape):
        # JAX computes the high padding (and a stride's interior padding) with NumPy
        if strides is None:
            pads.append((s, lax.NpInt(d - l), 0))
        else:
            real_limit = s + (c - 1) * k + 1 if c else s
            pads.append((s, lax.NpInt(d - real_limit), lax.NpInt(k - 1)))
    zero = _const(ct, 0)
    return [lax.pad_p.bind(ct, zero, padding_config=tuple(pads))]


transpose_rules[lax.slice_p] = _slice_transpose
transpose_rules[lax.rev_p] = lambda ct, x, *, dimensions: [lax.rev_p.bind(ct, dimensions=dimensions)]
transpose_rules[lax.cumsum_p] = lambda ct, x, *, axis, reverse: [lax.cumsum_p.bind(ct, axis=axis, reverse=not reverse)]


def _pad_jvp(primals, tangents, *, padding_config):
    (x, pv), (tx, tpv) = primals, tangents
    out = lax.pad_p.bind(x, pv, padding_config=padding_config)
    if isinstance(tx, Zero) and isinstance(tpv, Zero):
        return out, Zero(get_aval(out))
    tx = ad.instantiate(tx) if not isinstance(tx, Zero) else ad.zeros_like_aval(get_aval(x))
    tpv = ad.instantiate(tpv) if not isinstance(tpv, Zero) else _const(x, 0)
    return out, lax.pad_p.bind(tx, tpv, padding_config=padding_config)


def _pad_transpose(ct, x, pv, *, padding_config):
    shape = get_aval(ct).shape
    starts = [lo for lo, hi, it in padding_config]
    limits = [d - hi for d, (lo, hi, it) in zip(shape, padding_config)]
    strides = [it + 1 for lo, hi, it in padding_config]
    # negative padding is not produced by jaxlite's own transposes
    t = lax.slice_(ct, starts, limits, strides)
    return [t, None]


jvp_rules[lax.pad_p] = _pad_jvp
transpose_rules[lax.pad_p] = _pad_transpose


def _concat_jvp(primals, tangents, *, dimension):
    out = lax.concatenate_p.bind(*primals, dimension=dimension)
    if all(isinstance(t, Zero) for t in tangents):
        return out, Zero(get_aval(out))
    ts = [ad.zeros_like_aval(get_aval(p)) if isinstance(t, Zero) else t for p, t in zip(primals, tangents)]
    return out, lax.concatenate_p.bind(*ts, dimension=dimension)


def _concat_transpose(ct, *xs, dimension):
    out, start = [], 0
    shape = get_aval(ct).shape
    for x in xs:
        n = (x.aval if is_undefined(x) else get_aval(x)).shape[dimension]
        if is_undefined(x):
            s = [0] * len(shape)
            l = list(shape)
            s[dimension], l[dimension] = start, start + n
            out.append(lax.slice_(ct, s, l))
        else:
            out.append(None)
        start += n
    return out


jvp_rules[lax.concatenate_p] = _concat_jvp
transpose_rules[lax.concatenate_p] = _concat_transpose


def _stack_jvp(primals, tangents, *, axis):
    out = lax.stack_p.bind(*primals, axis=axis)
    if all(isinstance(t, Zero) for t in tangents):
        return out, Zero(get_aval(out))
    return out, lax.stack_p.bind(*[ad.instantiate(t) for t in tangents], axis=axis)


def _stack_transpose(ct, *xs, axis):
    if isinstance(ct, Zero):
        return [None] * len(xs)
    return lax.unstack_p.bind(ct, axis=axis)


def _unstack_jvp(primals, tangents, *, axis):
    outs = lax.unstack_p.bind(*primals, axis=axis)
    if isinstance(tangents[0], Zero):
        return outs, [Zero(get_aval(o)) for o in outs]
    return outs, lax.unstack_p.bind(tangents[0], axis=axis)


def _unstack_transpose(cts, x, *, axis):
    if all(isinstance(c, Zero) for c in cts):
        return [None]
    return [lax.stack_p.bind(*[ad.instantiate(c) for c in cts], axis=axis)]


jvp_rules[lax.stack_p], transpose_rules[lax.stack_p] = _stack_jvp, _stack_transpose
jvp_rules[lax.unstack_p], transpose_rules[lax.unstack_p] = _unstack_jvp, _unstack_transpose


def _ds_transpose(ct, x, *starts, slice_sizes):
    zeros = ad.zeros_like_aval(x.aval)
    return [lax.dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


transpose_rules[lax.dynamic_slice_p] = _ds_transpose


def _dus_jvp(primals, tangents):
    x, upd, *starts = primals
    tx, tu, *_ = tangents
    out = lax.dynamic_update_slice_p.bind(x, upd, *starts)
    if isinstance(tx, Zero) and isinstance(tu, Zero):
        return out, Zero(get_aval(out))
    tx = ad.zeros_like_aval(get_aval(x)) if isinstance(tx, Zero) else tx
    tu = ad.zeros_like_aval(get_aval(upd)) if isinstance(tu, Zero) else tu
    return out, lax.dynamic_update_slice_p.bind(tx, tu, *starts)


def _dus_transpose(ct, x, upd, *starts):
    ua = upd.aval if is_undefined(upd) else get_aval(upd)
    zeros_u = ad.zeros_like_aval(ua)
    ct_x = lax.dynamic_update_slice_p.bind(ct, zeros_u, *starts) if is_undefined(x) else None
    ct_u = lax.dynamic_slice_p.bind(ct, *starts, slice_sizes=ua.shape) if is_undefined(upd) else None
    return [ct_x, ct_u] + [None] * len(starts)


jvp_rules[lax.dynamic_update_slice_p] = _dus_jvp
transpose_rules[lax.dynamic_update_slice_p] = _dus_transpose


# ---- reductions (non-linear)
def _reduce_chooser_jvp(prim):
    def rule(primals, tangents, *, axes, **params):
        (x,), (t,) = primals, tangents
        ans = prim.bind(x, axes=axes, **params)
        if isinstance(t, Zero):
            return ans, Zero(get_aval(ans))
        shape = get_aval(x).shape
        kept = tuple(i for i in range(len(shape)) if i not in axes)
        loc = lax.eq_p.bind(x, lax.broadcast_in_dim(ans, shape, kept))
        loc = lax.convert_element_type(loc, get_aval(t).dtype)
        counts = lax.reduce_sum(loc, axes)
        return ans, div(lax.reduce_sum(mul(t, loc), axes), counts)
    jvp_rules[prim] = rule


_reduce_chooser_jvp(lax.reduce_max_p)
_reduce_chooser_jvp(lax.reduce_min_p)


def _reduce_prod_jvp(primals, tangents, *, axes, out_sharding=None):
    """JAX's _reduce_jvp for a product: the reduced axes moved to the front and
    flattened, then multiplied as a balanced tree of halves under `jvp`, so a
    zero factor gives the right derivative (no division by the operand)."""
    from jaxlite._api import jvp
    (x,), (t,) = primals, tangents
    if isinstance(t, Zero):
        ans = lax.reduce_prod(x, axes)
        return ans, Zero(get_aval(ans))
    shape = get_aval(x).shape
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    n = 1
    for a in axes:
        n *= shape[a]
    new_shape = (n,) + tuple(shape[i] for i in kept)
    perm = tuple(axes) + kept

    def front(v):
        v = lax.transpose(v, perm) if perm != tuple(range(len(shape))) else v
        return lax.reshape_p.bind(v, new_sizes=new_shape, dimensions=None, sharding=None)

    one = _const(x, 1)

    def tree(v):
        while get_aval(v).shape[0] > 1:
            m = get_aval(v).shape[0]
            m1 = (m + 1) // 2
            lo = lax.slice_p.bind(v, start_indices=(0,) * len(new_shape), limit_indices=(m1,) + new_shape[1:],
                                  strides=(1,) * len(new_shape))
            hi = lax.slice_p.bind(v, start_indices=(m1,) + (0,) * (len(new_shape) - 1), limit_indices=(m,) + new_shape[1:],
                                  strides=(1,) * len(new_shape))
            if m - m1 != m1:
                hi = lax.pad_p.bind(hi, one, padding_config=((0, 1, 0),) + ((0, 0, 0),) * (len(new_shape) - 1))
            v = mul(lo, hi)
        if get_aval(v).shape[0] == 0:
            return lax.broadcast_in_dim(one, new_shape[1:], ())
        return lax.squeeze(v, (0,))
    return jvp(tree, (front(x),), (front(ad.instantiate(t)),))


jvp_rules[lax.reduce_prod_p] = _reduce_prod_jvp


# ---- dot_general
def _dot_jvp(primals, tangents, **params):
    x, y = primals
    tx, ty = tangents
    out = lax.dot_general_p.bind(x, y, **params)
    ts = []
    if not isinstance(tx, Zero):
        ts.append(lax.dot_general_p.bind(tx, y, **params))
    if not isinstance(ty, Zero):
        ts.append(lax.dot_general_p.bind(x, ty, **params))
    if not ts:
        return out, Zero(get_aval(out))
    return out, ts[0] if len(ts) == 1 else ad.add_tangents(ts[0], ts[1])


def _ranges_like(*xs):
    start = 0
    for x in xs:
        x_len = len(x)
        yield range(start, start + x_len)
        start += x_len


def _remaining(original, *removed_lists):
    removed = set(i for lst in removed_lists for i in lst)
    return [i for i in original if i not in removed]


def _dot_transpose_lhs(ct, x_aval, y, dimension_numbers, preferred_element_type, swap_ans=False):
    (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
    x_ndim = len(x_aval.shape)
    x_kept = _remaining(range(x_ndim), x_contract, x_batch)
    y_kept = _remaining(range(get_aval(y).ndim), y_contract, y_batch)
    if swap_ans:
        ans_batch, ans_y, _ = _ranges_like(x_batch, y_kept, x_kept)
    else:
        ans_batch, _, ans_y = _ranges_like(x_batch, x_kept, y_kept)
    dims = ((tuple(ans_y), tuple(y_kept)), (tuple(ans_batch), tuple(y_batch)))
    x_contract_sorted_by_y = [c for _, c in sorted(zip(y_contract, x_contract))]
    out_axes = list(x_batch) + x_kept + x_contract_sorted_by_y
    import_order = sorted(range(len(out_axes)), key=lambda i: out_axes[i])
    out = lax.dot_general(ct, y, dims, preferred_element_type=preferred_element_type)
    return lax.transpose(out, tuple(import_order))


def _dot_transpose(ct, x, y, *, dimension_numbers, precision=None, preferred_element_type=None, out_sharding=None):
    (xc, yc), (xb, yb) = dimension_numbers
    if is_undefined(x):
        return [_dot_transpose_lhs(ct, x.aval, y, dimension_numbers, preferred_element_type), None]
    swapped = ((yc, xc), (yb, xb))
    return [None, _dot_transpose_lhs(ct, y.aval, x, swapped, preferred_element_type, swap_ans=True)]


jvp_rules[lax.dot_general_p] = _dot_jvp
transpose_rules[lax.dot_general_p] = _dot_transpose


def _cum_jvp_generic(prim):
    def rule(primals, tangents, *, axis, reverse):
        (x,), (t,) = primals, tangents
        ans = prim.bind(x, axis=axis, reverse=reverse)
        if isinstance(t, Zero):
            return ans, Zero(get_aval(ans))
        raise NotImplementedError(f"jaxlite cannot differentiate {prim.name} yet")
    jvp_rules[prim] = rule


_cum_jvp_generic(lax.cumprod_p)
_cum_jvp_generic(lax.cummax_p)


def _stop_gradient_jvp(primals, tangents):
    out = lax.stop_gradient_p.bind(primals[0])
    return out, Zero(get_aval(out))


jvp_rules[lax.stop_gradient_p] = _stop_gradient_jvp


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    shape = get_aval(primals[0]).shape
    iotas = lax.iota_p.bind(dtype=_dtypes.int32, shape=shape, dimension=dimension, sharding=None)
    outs = lax.sort_p.bind(*primals, iotas, dimension=dimension, is_stable=is_stable, num_keys=num_keys)
    perm = outs[-1]
    touts = []
    for p, t, o in zip(primals, tangents, outs[:-1]):
        if isinstance(t, Zero):
            touts.append(Zero(get_aval(o)))
        else:
            from jaxlite import _indexing
            touts.append(_indexing.take_along_axis(t, perm, dimension))
    return outs[:-1], touts


jvp_rules[lax.sort_p] = _sort_jvp

# ---- bit-level ops and erf_inv (PRNG samplers)
for _p in (lax.shift_right_logical_p, lax.shift_right_arithmetic_p, lax.shift_left_p, lax.bitcast_convert_type_p):
    defjvp_zero(_p)
defjvp2(lax.erf_inv_p, lambda g, ans, x: mul(_const(x, 3.141592653589793 ** 0.5 / 2.0),
                                             mul(g, lax.exp_p.bind(lax.square_p.bind(ans)))))
