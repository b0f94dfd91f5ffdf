"""`jax.lax` on jaxlite: the primitives' wrappers and structured control flow."""

from __future__ import annotations

from jaxlite import _core as core, _dtypes, _gather_scatter as _gs, _lax as L
from jaxlite._array import ArrayImpl, to_array
from jaxlite._core import ClosedJaxpr, Jaxpr, Primitive, ShapedArray, Tracer, Var, get_aval
from jaxlite._tracing import JaxprTrace, trace_to_jaxpr
from jaxlite import tree_util as tu
from jaxlite import numpy as _jnp
from jaxlite import errors



def _elementwise(prim):
    """lax's elementwise function: the primitive bound as it is, with no dtype
    promotion and no rank broadcasting (Python scalars are weakly typed), so
    mixed dtypes raise JAX's TypeError (jnp's functions promote)."""
    def fn(*args):
        return prim.bind(*[to_array(a) if isinstance(a, (bool, int, float)) else a for a in args])
    fn.__name__ = prim.name
    return fn


add, sub, mul, div, max, min = (_elementwise(p) for p in (L.add_p, L.sub_p, L.mul_p, L.div_p, L.max_p, L.min_p))
exp, log, sin, cos, tanh, sqrt, abs, neg = (_elementwise(p) for p in (L.exp_p, L.log_p, L.sin_p, L.cos_p, L.tanh_p,
                                                                      L.sqrt_p, L.abs_p, L.neg_p))
logistic, rsqrt, square, erf = (_elementwise(p) for p in (L.logistic_p, L.rsqrt_p, L.square_p, L.erf_p))
integer_pow = lambda x, y: L.integer_pow_p.bind(x, y=y)
convert_element_type = L.convert_element_type
broadcast_in_dim = L.broadcast_in_dim
reshape = lambda operand, new_sizes, dimensions=None: L.reshape(operand, new_sizes)
transpose = L.transpose
dot_general = lambda lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None: \
    L.dot_general(lhs, rhs, dimension_numbers, preferred_element_type)
dot = _jnp.dot
iota = lambda dtype, size: L.iota_p.bind(dtype=_dtypes.dtype(dtype), shape=(size,), dimension=0, sharding=None)
select = lambda pred, on_true, on_false: L.select_n_p.bind(pred, on_false, on_true)
select_n = lambda which, *cases: L.select_n_p.bind(which, *cases)
clamp = lambda lo, x, hi: _jnp.clip(x, lo, hi)
expand_dims = L.expand_dims
squeeze = L.squeeze


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value` (weakly typed when it is a Python scalar and no dtype is given)."""
    aval = get_aval(fill_value)
    fill = L.convert_element_type(fill_value, aval.dtype if dtype is None else dtype,
                                  weak_type=dtype is None and aval.weak_type)
    return L.broadcast_in_dim(fill, tuple(shape), ())


def full_like(x, fill_value, dtype=None, shape=None):
    """An array like `x` (its shape, dtype and weak type unless given) filled with `fill_value`."""
    aval = get_aval(x)
    fill = L.convert_element_type(fill_value, aval.dtype if dtype is None else dtype,
                                  weak_type=dtype is None and aval.weak_type)
    return L.broadcast_in_dim(fill, aval.shape if shape is None else tuple(shape), ())


def stop_gradient(x):
    return tu.tree_map(lambda v: L.stop_gradient_p.bind(v), x)


def slice(operand, start_indices, limit_indices, strides=None):
    return L.slice_p.bind(operand, start_indices=tuple(start_indices), limit_indices=tuple(limit_indices),
                          strides=None if strides is None else tuple(strides))


def dynamic_slice(operand, start_indices, slice_sizes, *, allow_negative_indices=True):
    starts = _gs.dynamic_slice_indices(get_aval(operand).shape, list(start_indices), allow_negative_indices)
    return L.dynamic_slice_p.bind(operand, *starts, slice_sizes=tuple(slice_sizes))


def dynamic_update_slice(operand, update, start_indices, *, allow_negative_indices=True):
    starts = _gs.dynamic_slice_indices(get_aval(operand).shape, list(start_indices), allow_negative_indices)
    return L.dynamic_update_slice_p.bind(operand, update, *starts)


GatherDimensionNumbers, ScatterDimensionNumbers = _gs.GatherDimensionNumbers, _gs.ScatterDimensionNumbers
GatherScatterMode = _gs.GatherScatterMode
gather, scatter, scatter_add, scatter_sub = _gs.gather, _gs.scatter, _gs.scatter_add, _gs.scatter_sub
scatter_mul, scatter_min, scatter_max = _gs.scatter_mul, _gs.scatter_min, _gs.scatter_max


def _is_staging(*args) -> bool:
    trace = core.find_top_trace(tu.tree_leaves(args))
    return isinstance(trace, JaxprTrace)


def _concrete_value(x):
    if isinstance(x, Tracer):
        return None
    return to_array(x)


def _trace_closed(fun, avals):
    """Stage `fun` to a jaxpr whose constants (arrays and tracers it closes over,
    e.g. a `grad` argument) become its leading inputs, as JAX's control flow does:
    the caller binds them as operands, so outer transformations see them."""
    closed, _ = trace_to_jaxpr(fun, avals)
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr([], [*j.constvars, *j.invars], j.outvars, j.eqns), []), list(closed.consts)


def _share_consts(staged):
    """Branches staged by `_trace_closed`, each given every branch's constants as
    inputs (deduplicated; a branch ignores the others'), so all take the same operands."""
    consts, position = [], {}
    for _, cs in staged:
        for c in cs:
            if id(c) not in position:
                position[id(c)] = len(consts)
                consts.append(c)
    out = []
    for closed, cs in staged:
        j = closed.jaxpr
        invars = [Var(get_aval(c)) for c in consts]
        for v, c in zip(j.invars, cs):
            invars[position[id(c)]] = v
        out.append(ClosedJaxpr(Jaxpr([], [*invars, *j.invars[len(cs):]], j.outvars, j.eqns), []))
    return out, consts


# ------------------------------------------------------------------- cond
cond_p = Primitive("cond", multiple_results=True)


def _cond_impl(index, *args, branches):
    i = int(index.data[0])
    i = 0 if i < 0 else (len(branches) - 1 if i >= len(branches) else i)
    b = branches[i]
    return core.eval_jaxpr(b.jaxpr, b.consts, args)


core.impl_rules[cond_p] = _cond_impl
core.abstract_eval_rules[cond_p] = lambda index, *avals, branches: branches[0].out_avals


def _branch_jaxprs(fns, operands):
    leaves, in_tree = tu.tree_flatten(operands)
    avals = [get_aval(x) for x in leaves]
    out_trees, staged = [], []
    for fn in fns:
        def flat(*xs, fn=fn):
            out = fn(*tu.tree_unflatten(in_tree, xs))
            ol, ot = tu.tree_flatten(out)
            out_trees.append(ot)
            return ol
        staged.append(_trace_closed(flat, avals))
    jaxprs, consts = _share_consts(staged)
    return [*consts, *leaves], jaxprs, out_trees


def switch(index, branches, *operands):
    idx = _concrete_value(index)
    if idx is not None:
        i = int(idx.item())
        i = 0 if i < 0 else (len(branches) - 1 if i >= len(branches) else i)
        if not _is_staging(index, operands):
            return branches[i](*operands)
    leaves, jaxprs, out_trees = _branch_jaxprs(branches, operands)
    index = _jnp.clip(_jnp.asarray(index).astype(_jnp.int32) if not isinstance(index, Tracer) else
                      L.convert_element_type(index, _dtypes.int32), 0, len(branches) - 1)
    outs = cond_p.bind(index, *leaves, branches=tuple(jaxprs))
    return tu.tree_unflatten(out_trees[0], outs)


def cond(pred, true_fun, false_fun, *operands, operand=None):
    if operand is not None:
        operands = (operand,)
    pa = get_aval(pred) if isinstance(pred, Tracer) else to_array(pred).aval
    if pa.shape != ():
        raise TypeError(f"Pred must be a scalar, got {pred} of shape {pa.shape}.")
    p = _concrete_value(pred)
    if p is not None and not _is_staging(pred, operands):
        return true_fun(*operands) if bool(p.item()) else false_fun(*operands)
    from jaxlite._batching import BatchTracer
    if isinstance(pred, BatchTracer) and pred.batch_dim is not None:
        t, f = true_fun(*operands), false_fun(*operands)
        return tu.tree_map(lambda a, b: _jnp.where(pred, a, b), t, f)
    leaves, jaxprs, out_trees = _branch_jaxprs([false_fun, true_fun], operands)
    index = L.convert_element_type(pred, _dtypes.int32)
    outs = cond_p.bind(index, *leaves, branches=tuple(jaxprs))
    return tu.tree_unflatten(out_trees[0], outs)


def _cond_jvp(primals, tangents, *, branches):
    from jaxlite import _ad as ad
    index, *ops = primals
    _, *tans = tangents
    nz = [not isinstance(t, ad.Zero) for t in tans]

    def jvp_branch(b):
        fun = core.jaxpr_as_fun(b)

        def f(*args):
            n = len(ops)
            ps = args[:n]
            it = iter(args[n:])
            ts = [next(it) if z else ad.Zero(get_aval(p)) for p, z in zip(ps, nz)]
            po, to = ad.jvp_flat(fun, ps, ts)
            return [*po, *[ad.instantiate(t) for t in to]]
        avals = [get_aval(p) for p in ops] + [get_aval(p) for p, z in zip(ops, nz) if z]
        return trace_to_jaxpr(f, avals)[0]
    new = tuple(jvp_branch(b) for b in branches)
    outs = cond_p.bind(index, *ops, *[t for t in tans if not isinstance(t, ad.Zero)], branches=new)
    m = len(outs) // 2
    return outs[:m], outs[m:]


core.jvp_rules[cond_p] = _cond_jvp


def _cond_partial_eval(trace, tracers, *, branches):
    """Linearizing a cond whose branch is known: evaluate that branch's equations
    in place, so the known part is computed now and the linear part recorded."""
    from jaxlite import _ad as ad
    index = tracers[0]
    if not index.pval.is_known or isinstance(index.pval.const, Tracer):
        raise NotImplementedError(
            "jaxlite cannot yet differentiate (reverse mode) a lax.cond whose predicate is only known at run "
            "time under jit: call jax.grad outside jax.jit, or use jnp.where.")
    i = int(to_array(index.pval.const).data[0])
    b = branches[0 if i < 0 else min(i, len(branches) - 1)]
    return core.eval_jaxpr(b.jaxpr, b.consts, list(tracers[1:]))


def _register_cond_partial_eval():
    from jaxlite import _ad as ad
    ad.partial_eval_rules[cond_p] = _cond_partial_eval


_register_cond_partial_eval()


def _cond_transpose(cts, index, *ops, branches):
    from jaxlite import _ad as ad
    if isinstance(index, Tracer) or ad.is_undefined(index):
        raise NotImplementedError("jaxlite cannot yet differentiate (reverse mode) a lax.cond whose predicate is "
                                  "only known at run time under jit; try it without jit.")
    i = int(to_array(index).data[0])
    b = branches[i]
    return [None] + ad.backward_pass(b.jaxpr, b.consts, list(ops), list(cts))


core.transpose_rules[cond_p] = _cond_transpose


def _cond_pp(eqn, ctx):
    return [("branches", eqn.params["branches"])]


core.pp_rules[cond_p] = _cond_pp


# ------------------------------------------------------------------- loops
while_p = Primitive("while", multiple_results=True)


def _while_impl(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cconsts, bconsts, carry = args[:cond_nconsts], args[cond_nconsts:cond_nconsts + body_nconsts], \
        list(args[cond_nconsts + body_nconsts:])
    while bool(to_array(core.eval_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, [*cconsts, *carry])[0]).data[0]):
        carry = core.eval_jaxpr(body_jaxpr.jaxpr, body_jaxpr.consts, [*bconsts, *carry])
    return carry


core.impl_rules[while_p] = _while_impl
core.abstract_eval_rules[while_p] = lambda *avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts: \
    body_jaxpr.out_avals


def _while_pp(eqn, ctx):
    return sorted(eqn.params.items())


core.pp_rules[while_p] = _while_pp


def _while_linearize_error(*args, **kwargs):
    raise ValueError(
        "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop "
        "values. Try using lax.scan, or using fori_loop with static start/stop.")


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    """Forward mode through a while loop: the loop carries the tangents of the
    carry along with it (those that can become nonzero: a fixed point)."""
    from jaxlite import _ad as ad
    nz = lambda ts: [not isinstance(t, ad.Zero) for t in ts]
    avals_of = lambda xs, keep=None: [get_aval(x) for i, x in enumerate(xs) if keep is None or keep[i]]
    n_c, n_b = cond_nconsts, body_nconsts
    cconsts, bconsts, carry = primals[:n_c], primals[n_c:n_c + n_b], primals[n_c + n_b:]
    bconst_t, carry_t = tangents[n_c:n_c + n_b], tangents[n_c + n_b:]
    bconst_nz, carry_nz = nz(bconst_t), nz(carry_t)
    body = core.jaxpr_as_fun(body_jaxpr)
    out_nz = []   # which carry tangents the body's JVP made nonzero, per trace

    def body_jvp(*args):   # [bconsts, carry, nonzero bconst tangents, nonzero carry tangents]
        it = iter(args)
        ps_b, ps_c = [next(it) for _ in bconsts], [next(it) for _ in carry]
        ts_b = [next(it) if z else ad.Zero(get_aval(p)) for p, z in zip(ps_b, bconst_nz)]
        ts_c = [next(it) if z else ad.Zero(get_aval(p)) for p, z in zip(ps_c, carry_nz)]
        outs, touts = ad.jvp_flat(body, [*ps_b, *ps_c], [*ts_b, *ts_c])
        out_nz.append(nz(touts))
        return [*outs, *[ad.instantiate(t) for t, z in zip(touts, carry_nz) if z]]

    while True:
        out_nz.clear()
        trace_to_jaxpr(body_jvp, avals_of(bconsts) + avals_of(carry) + avals_of(bconsts, bconst_nz)
                       + avals_of(carry, carry_nz))
        grown = [a or b for a, b in zip(carry_nz, out_nz[0])]
        if grown == carry_nz:
            break
        carry_nz = grown
    n_bt = sum(bconst_nz)

    def body_loop(*args):   # [bconsts, bconst tangents, carry, carry tangents]
        bc, bt = args[:n_b], args[n_b:n_b + n_bt]
        ca, ct = args[n_b + n_bt:n_b + n_bt + len(carry)], args[n_b + n_bt + len(carry):]
        return body_jvp(*bc, *ca, *bt, *ct)

    def cond_loop(*args):   # [cconsts, carry, carry tangents]
        return core.eval_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, list(args[:n_c + len(carry)]))

    t_carry = [ad.instantiate(t) for t, z in zip(carry_t, carry_nz) if z]
    t_bconst = [t for t, z in zip(bconst_t, bconst_nz) if z]
    bj, bj_consts = _trace_closed(body_loop, avals_of(bconsts) + avals_of(t_bconst) + avals_of(carry)
                                  + avals_of(carry, carry_nz))
    cj, cj_consts = _trace_closed(cond_loop, avals_of(cconsts) + avals_of(carry) + avals_of(carry, carry_nz))
    outs = while_p.bind(*cj_consts, *cconsts, *bj_consts, *bconsts, *t_bconst, *carry, *t_carry,
                        cond_jaxpr=cj, body_jaxpr=bj, cond_nconsts=len(cj_consts) + n_c,
                        body_nconsts=len(bj_consts) + n_b + n_bt)
    primals_out, tans = outs[:len(carry)], iter(outs[len(carry):])
    return primals_out, [next(tans) if z else ad.Zero(get_aval(p)) for p, z in zip(primals_out, carry_nz)]


core.jvp_rules[while_p] = _while_jvp


def _while_partial_eval(trace, tracers, **params):
    # a loop of unknown trip count keeps no residuals to run backwards: JAX refuses too
    _while_linearize_error()


def _register_while_partial_eval():
    from jaxlite import _ad as ad
    ad.partial_eval_rules[while_p] = _while_partial_eval


_register_while_partial_eval()
core.transpose_rules[while_p] = _while_linearize_error


def while_loop(cond_fun, body_fun, init_val):
    leaves, tree = tu.tree_flatten(init_val)
    if _under_vmap():
        # jaxlite has no batching rule for while: under vmap it loops in Python
        val = init_val
        while True:
            c = cond_fun(val)
            if isinstance(c, Tracer):
                break
            if not bool(c):
                return val
            val = body_fun(val)
        leaves, tree = tu.tree_flatten(val)
    avals = [get_aval(x) if isinstance(x, Tracer) else _weakless(x) for x in leaves]
    return tu.tree_unflatten(tree, _stage_while(cond_fun, body_fun, tree, leaves, avals))


def _under_vmap() -> bool:
    from jaxlite._batching import BatchTrace
    return any(m.trace_type is BatchTrace for m in core.trace_stack)


def _weakless(x):
    return get_aval(x) if isinstance(x, Tracer) else to_array(x).aval


def _stage_while(cond_fun, body_fun, tree, leaves, avals):
    out_tree = []

    def c(*xs):
        return [cond_fun(tu.tree_unflatten(tree, xs))]

    def b(*xs):
        out = body_fun(tu.tree_unflatten(tree, xs))
        ol, ot = tu.tree_flatten(out)
        out_tree.append(ot)
        return [_match(o, a) for o, a in zip(ol, avals)]

    cj, cconsts = _trace_closed(c, avals)
    bj, bconsts = _trace_closed(b, avals)
    return while_p.bind(*cconsts, *bconsts, *leaves, cond_jaxpr=cj, body_jaxpr=bj,
                        cond_nconsts=len(cconsts), body_nconsts=len(bconsts))


def _match(o, aval):
    oa = get_aval(o)
    if oa.dtype != aval.dtype or oa.weak_type != aval.weak_type:
        return L.convert_element_type(o, aval.dtype, weak_type=aval.weak_type)
    return o


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    lo_c, up_c = _concrete_value(lower), _concrete_value(upper)
    if lo_c is not None and up_c is not None:
        # a known trip count: JAX records a scan (reverse-differentiable); jaxlite's scan unrolls
        val = init_val
        lo, up = int(lo_c.item()), int(up_c.item())
        dt = _jnp.result_type(lower, upper)
        for i in range(lo, up):
            val = body_fun(ArrayImpl([i], (), dt, to_array(lower).weak_type and to_array(upper).weak_type), val)
        return val
    lower_a = _jnp.asarray(lower) if not isinstance(lower, Tracer) else lower
    upper_a = _jnp.asarray(upper) if not isinstance(upper, Tracer) else upper
    lower_a, upper_a = _jnp._promote(lower_a, upper_a)

    def c(state):
        i, u, _ = state
        return i < u

    def b(state):
        i, u, x = state
        return (i + 1, u, body_fun(i, x))
    _, _, out = while_loop(c, b, (lower_a, upper_a, init_val))
    return out


scan_p = Primitive("scan", multiple_results=True)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    xs_leaves, xs_tree = tu.tree_flatten(xs)
    if length is None:
        lengths = {get_aval(x).shape[0] for x in xs_leaves}
        if len(lengths) > 1:
            raise ValueError("scan got values with different leading axis sizes: "
                             + ", ".join(str(get_aval(x).shape[0]) for x in xs_leaves) + ".")
        if not lengths:
            raise ValueError("scan got no values to scan over and `length` not provided.")
        length = lengths.pop()
    carry = init
    ys = []
    order = range(length - 1, -1, -1) if reverse else range(length)
    for i in order:
        x = tu.tree_unflatten(xs_tree, [leaf[i] for leaf in xs_leaves]) if xs_leaves else \
            (None if xs is None else xs)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys = ys[::-1]
    if not ys:
        return carry, None
    y_leaves = [tu.tree_leaves(y) for y in ys]
    y_tree = tu.tree_structure(ys[0])
    stacked = [_jnp.stack([yl[k] for yl in y_leaves]) for k in range(len(y_leaves[0]))]
    carry = _match_tree(carry, init)
    return carry, tu.tree_unflatten(y_tree, stacked)


def _match_tree(carry, init):
    return carry


def map(f, xs, *, batch_size=None):
    _, ys = scan(lambda c, x: (c, f(x)), None, xs)
    return ys


def associative_scan(fn, elems, reverse=False, axis=0):
    raise errors.not_available("lax.associative_scan")


# ------------------------------------------------------------ collectives
# Over named axes of vmap, shard_map and pmap: see _sharding.py.
from jaxlite._sharding import axis_index, pcast, pmax, pmean, pmin, psum, pvary  # noqa: E402


def all_gather(*a, **k):
    raise errors.not_available("jax.lax.all_gather")


def ppermute(*a, **k):
    raise errors.not_available("jax.lax.ppermute")
