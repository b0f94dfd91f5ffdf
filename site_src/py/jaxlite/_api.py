"""The transformations as users call them: jit, grad, vmap, jvp, vjp,
make_jaxpr, eval_shape, with pytrees and JAX's error messages."""

from __future__ import annotations

import functools
import inspect
import weakref

from jaxlite import _ad as ad, _batching as batching, _core as core, _dtypes, _lax as lax, _config, _sharding
from jaxlite._array import ArrayImpl, to_array
from jaxlite._core import ClosedJaxpr, Primitive, ShapedArray, get_aval
from jaxlite._tracing import trace_to_jaxpr
from jaxlite import tree_util as tu
from jaxlite import errors


# ------------------------------------------------------------------ devices
# The simulated CPU devices, meshes and shardings live in _sharding.py.
CpuDevice = _sharding.CpuDevice
devices = _sharding.devices
device_count = _sharding.device_count
make_mesh = _sharding.make_mesh
shard_map = _sharding.shard_map
pmap = _sharding.pmap


def local_devices(*a, **k):
    return devices()


def local_device_count(*a):
    return device_count()


def default_backend():
    return "cpu"


def device_put(x, device=None, **kwargs):
    return _sharding.device_put(x, device)


def block_until_ready(x):
    return x


def typeof(x):
    return _sharding.typeof(x)


class ShapeDtypeStruct:
    def __init__(self, shape, dtype, weak_type=False, sharding=None):
        self.shape, self.dtype, self.weak_type = tuple(shape), _dtypes.dtype(dtype), weak_type

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return lax.size_of(self.shape)

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"

    def __eq__(self, other):
        return isinstance(other, ShapeDtypeStruct) and (self.shape, self.dtype, self.weak_type) == \
            (other.shape, other.dtype, other.weak_type)

    def __hash__(self):
        return hash((self.shape, self.dtype.name, self.weak_type))


def _aval_of_leaf(x) -> ShapedArray:
    if isinstance(x, ShapeDtypeStruct):
        return ShapedArray(x.shape, _dtypes.canonicalize(x.dtype), x.weak_type)
    try:
        return get_aval(x)
    except TypeError:
        arr = to_array(x)
        return arr.aval


def _check_arg(x, what="jit"):
    if isinstance(x, (core.Tracer, ArrayImpl, bool, int, float)):
        return x
    try:
        return to_array(x)
    except Exception:
        raise TypeError(f"Argument '{x}' of type {type(x)} is not a valid JAX type.") from None


# ------------------------------------------------------------------- jit
jit_p = Primitive("jit", multiple_results=True)


def _jit_impl(*args, jaxpr, name, **_):
    return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, args)


def _jit_aval(*avals, jaxpr, name, **_):
    return jaxpr.out_avals


core.impl_rules[jit_p] = lambda *args, **params: _jit_impl(*args, **params)
core.abstract_eval_rules[jit_p] = _jit_aval


def _jit_pp(eqn, ctx):
    inner = eqn.params["jaxpr"].jaxpr
    if inner not in ctx.shared_jaxprs:
        ctx.suggest_same(inner.invars, eqn.invars)
        ctx.suggest_same(inner.outvars, eqn.outvars)
    return [("name", eqn.params["name"]), ("jaxpr", eqn.params["jaxpr"])]


core.pp_rules[jit_p] = _jit_pp


def _jit_jvp(primals, tangents, *, jaxpr, name, **params):
    n = len(primals)
    nz = [not isinstance(t, ad.Zero) for t in tangents]
    fun = core.jaxpr_as_fun(jaxpr)

    def jvp_fun(*args):
        ps = args[:n]
        ts_iter = iter(args[n:])
        ts = [next(ts_iter) if z else ad.Zero(get_aval(p)) for p, z in zip(ps, nz)]
        po, to = ad.jvp_flat(fun, ps, ts)
        return [*po, *[ad.instantiate(t) for t in to]]

    in_avals = [get_aval(p) for p in primals] + [t.aval if hasattr(t, "aval") else get_aval(t)
                                                   for t in tangents if not isinstance(t, ad.Zero)]
    new_jaxpr, _ = trace_to_jaxpr(jvp_fun, in_avals)
    outs = jit_p.bind(*primals, *[t for t in tangents if not isinstance(t, ad.Zero)],
                      jaxpr=new_jaxpr, name=f"jvp({name})")
    m = len(outs) // 2
    return outs[:m], outs[m:]


core.jvp_rules[jit_p] = _jit_jvp


def _jit_partial_eval(trace, tracers, *, jaxpr, name, **params):
    """Linearizing a jit call with some inputs unknown: its equations are
    evaluated in place, so the known ones run now and the linear ones are
    recorded (JAX splits the jaxpr in two instead; the values are the same)."""
    return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, list(tracers))


ad.partial_eval_rules[jit_p] = _jit_partial_eval


def _jit_transpose(cts, *args, jaxpr, name, **params):
    cts = [c if not isinstance(c, ad.Zero) else None for c in cts]
    return ad.backward_pass(jaxpr.jaxpr, jaxpr.consts, list(args), [c if c is not None else ad.Zero(a)
                                                                     for c, a in zip(cts, jaxpr.out_avals)])


core.transpose_rules[jit_p] = _jit_transpose


def _jit_batch(vals, dims, *, jaxpr, name, **params):
    size = next(get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    fun = core.jaxpr_as_fun(jaxpr)
    out_dims_box = []

    def batched(*args):
        outs = batching.vmap_flat(fun, dims, args, size)
        out_dims_box[:] = [d for _, d in outs]
        return [v for v, _ in outs]   # each where its batch axis fell, as JAX's batch_jaxpr leaves it

    in_avals = [get_aval(v) for v in vals]
    new_jaxpr, _ = trace_to_jaxpr(batched, in_avals)
    outs = jit_p.bind(*vals, jaxpr=new_jaxpr, name=name)
    return outs, list(out_dims_box)


core.batch_rules[jit_p] = _jit_batch

_jit_caches: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_strong_caches: dict = {}


def _cache_for(fun) -> dict:
    try:
        return _jit_caches.setdefault(fun, {})
    except TypeError:
        return _strong_caches.setdefault(id(fun), {})


def _hash_static(value, index):
    try:
        hash(value)
    except TypeError:
        raise ValueError(
            f"Non-hashable static arguments are not supported. An error occurred while trying to hash an object of "
            f"type {type(value)}, {value}. The error was:\nTypeError: unhashable type: '{type(value).__name__}'\n"
        ) from None
    return value


def _resolve_argnums(fun, static_argnums, static_argnames):
    if static_argnums is None:
        static_argnums = ()
    elif isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    if static_argnames is None:
        static_argnames = ()
    elif isinstance(static_argnames, str):
        static_argnames = (static_argnames,)
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        params = []
    nums, names = set(static_argnums), set(static_argnames)
    for i in list(nums):
        if 0 <= i < len(params):
            names.add(params[i])
    for n in list(names):
        if n in params:
            nums.add(params.index(n))
    return tuple(sorted(nums)), tuple(sorted(names))


class Jitted:
    """What `jax.jit(f)` returns: traces f once per argument signature and
    then evaluates the cached jaxpr."""

    def __init__(self, fun, static_argnums=None, static_argnames=None, donate_argnums=None, donate_argnames=None,
                 **kwargs):
        functools.update_wrapper(self, fun)   # first: it copies fun.__dict__, which may hold a `fun` of its own
        self.fun = fun
        self.static_argnums, self.static_argnames = _resolve_argnums(fun, static_argnums, static_argnames)
        if donate_argnums is None:
            donate_argnums = ()
        elif isinstance(donate_argnums, int):
            donate_argnums = (donate_argnums,)
        self.donate_argnums = tuple(donate_argnums)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def _signature(self, args, kwargs):
        static = tuple((i, _hash_static(args[i], i)) for i in self.static_argnums if i < len(args))
        static += tuple((k, _hash_static(kwargs[k], k)) for k in sorted(kwargs) if k in self.static_argnames)
        dyn_args = [a for i, a in enumerate(args) if i not in self.static_argnums]
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        leaves, in_tree = tu.tree_flatten((dyn_args, dyn_kwargs))
        leaves = [_check_arg(x) for x in leaves]
        avals = tuple(_aval_of_leaf(x) for x in leaves)
        return static, dyn_args, dyn_kwargs, leaves, in_tree, avals

    def trace_jaxpr(self, args, kwargs):
        static, dyn_args, dyn_kwargs, leaves, in_tree, avals = self._signature(args, kwargs)
        key = (static, in_tree, avals, _config.x64_enabled())
        cache = _cache_for(self.fun)
        entry = cache.get(key)
        if entry is None:
            entry = self._trace(args, kwargs, in_tree, avals)
            cache[key] = entry
        return entry, leaves

    def _trace(self, args, kwargs, in_tree, avals):
        out_tree_box = []

        def flat_fun(*flat):
            dyn_args, dyn_kwargs = tu.tree_unflatten(in_tree, flat)
            it = iter(dyn_args)
            full = [args[i] if i in self.static_argnums else next(it) for i in range(len(args))]
            kw = {k: (kwargs[k] if k in self.static_argnames else dyn_kwargs[k]) for k in kwargs}
            out = self.fun(*full, **kw)
            out_leaves, out_tree = tu.tree_flatten(out)
            out_tree_box.append(out_tree)
            return [_check_out(o) for o in out_leaves]

        jaxpr, _ = trace_to_jaxpr(flat_fun, list(avals))
        return jaxpr, out_tree_box[0]

    def __call__(self, *args, **kwargs):
        (jaxpr, out_tree), leaves = self.trace_jaxpr(args, kwargs)
        name = getattr(self.fun, "__name__", "fun")
        out_shardings = _sharding.jit_out_shardings(jaxpr, leaves)   # None unless an argument is on a mesh
        if _config._state["jax_debug_key_reuse"]:
            from jaxlite import _random_prims
            with _random_prims.compiled_call(jaxpr.jaxpr, leaves):
                outs = jit_p.bind(*leaves, jaxpr=jaxpr, name=name)
        else:
            outs = jit_p.bind(*leaves, jaxpr=jaxpr, name=name)
        if out_shardings:
            outs = _sharding.attach(outs, out_shardings)
        if _config._state["jax_debug_nans"]:
            _check_nans(outs, name)
        for i in self.donate_argnums:
            if i < len(args):
                for leaf in tu.tree_leaves(args[i]):
                    if isinstance(leaf, ArrayImpl):
                        leaf.delete()
        return tu.tree_unflatten(out_tree, outs)

    def lower(self, *args, **kwargs):
        raise errors.not_available("jax.jit(...).lower (XLA's compiled program)",
                                   "jaxlite does not compile to XLA, so there is no HLO to show.")

    def trace(self, *args, **kwargs):
        raise errors.not_available("jax.jit(...).trace")

    def eval_shape(self, *args, **kwargs):
        return eval_shape(self.fun, *args, **kwargs)

    def _cache_size(self):
        return len(_cache_for(self.fun))

    def clear_cache(self):
        _cache_for(self.fun).clear()


def _check_nans(outs, name):
    import math
    for o in outs:
        if isinstance(o, ArrayImpl) and o.dtype.kind == "f" and any(v != v for v in o.data):
            raise FloatingPointError(f"invalid value (nan) encountered in {name}")


def _check_out(o):
    if isinstance(o, (core.Tracer, ArrayImpl)):
        return o
    if isinstance(o, (bool, int, float)):
        return o
    raise TypeError(f"Value {o!r} of type {type(o)} is not a valid JAX type")


def jit(fun=None, *, static_argnums=None, static_argnames=None, donate_argnums=None, donate_argnames=None,
        **kwargs):
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums, donate_argnames=donate_argnames, **kwargs)
    for k in ("in_shardings", "out_shardings"):
        if kwargs.get(k) is not None:
            raise errors.not_available(f"jax.jit(..., {k}=...)", "jaxlite has one device and no shardings.")
    return Jitted(fun, static_argnums, static_argnames, donate_argnums, donate_argnames)


# -------------------------------------------------------------- make_jaxpr
def make_jaxpr(fun, static_argnums=(), axis_env=None, return_shape=False, abstracted_axes=None):
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)

    @functools.wraps(fun)
    def make(*args, **kwargs):
        dyn = [a for i, a in enumerate(args) if i not in static_argnums]
        leaves, in_tree = tu.tree_flatten((dyn, kwargs))
        avals = [_aval_of_leaf(_check_arg(x)) for x in leaves]
        out_tree_box = []

        def flat_fun(*flat):
            d_args, d_kwargs = tu.tree_unflatten(in_tree, flat)
            it = iter(d_args)
            full = [args[i] if i in static_argnums else next(it) for i in range(len(args))]
            out = fun(*full, **d_kwargs)
            out_leaves, out_tree = tu.tree_flatten(out)
            out_tree_box.append(out_tree)
            return [_check_out(o) for o in out_leaves]

        jaxpr, out_tracers = trace_to_jaxpr(flat_fun, avals)
        if return_shape:
            shapes = [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type) for a in jaxpr.out_avals]
            return jaxpr, tu.tree_unflatten(out_tree_box[0], shapes)
        return jaxpr
    return make


def eval_shape(fun, *args, **kwargs):
    leaves, in_tree = tu.tree_flatten((args, kwargs))
    avals = [_aval_of_leaf(x) for x in leaves]
    out_tree_box = []

    def flat_fun(*flat):
        a, k = tu.tree_unflatten(in_tree, flat)
        out = fun(*a, **k)
        out_leaves, out_tree = tu.tree_flatten(out)
        out_tree_box.append(out_tree)
        return out_leaves

    jaxpr, _ = trace_to_jaxpr(flat_fun, avals)
    return tu.tree_unflatten(out_tree_box[0], [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type)
                                               for a in jaxpr.out_avals])


# -------------------------------------------------------------------- grad
def _argnums_tuple(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _check_input_dtype(x, name="grad"):
    aval = get_aval(x)
    if aval.dtype.kind != "f":
        raise TypeError(
            f"{name} requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got "
            f"{aval.dtype.name}. If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True.")


def vjp(fun, *primals, has_aux=False):
    leaves, in_tree = tu.tree_flatten(primals)
    leaves = [_check_arg(x) for x in leaves]
    out_tree_box, aux_tree_box = [], []

    def flat_fun(*flat):
        # aux leaves ride along as extra outputs, so they leave the traces as plain values
        args = tu.tree_unflatten(in_tree, flat)
        out = fun(*args)
        aux_arrays = []
        if has_aux:
            out, aux = out
            aux_leaves, aux_tree = tu.tree_flatten(aux)
            aux_tree_box.append((aux_tree, aux_leaves))
            aux_arrays = [a for a in aux_leaves if _is_array_like(a)]
        out_leaves, out_tree = tu.tree_flatten(out)
        out_tree_box.append(out_tree)
        return [*out_leaves, *aux_arrays]

    outs, f_vjp_flat = ad.vjp_flat(flat_fun, leaves)
    out_tree = out_tree_box[0]
    n_out = out_tree.num_leaves
    outs, aux_leaves = outs[:n_out], outs[n_out:]

    def f_vjp(ct):
        ct_leaves, _ = tu.tree_flatten(ct)
        aux_cts = [ad.Zero(get_aval(a)) for a in aux_leaves]
        cts = f_vjp_flat(*ct_leaves, *aux_cts)
        cts = [ad.instantiate(c) if isinstance(c, ad.Zero) else c for c in cts]
        return tuple(tu.tree_unflatten(in_tree, cts))

    out = tu.tree_unflatten(out_tree, outs)
    if has_aux:
        aux_tree, traced_leaves = aux_tree_box[0]
        arrays = iter(aux_leaves)
        aux = [next(arrays) if _is_array_like(a) else a for a in traced_leaves]
        return out, f_vjp, tu.tree_unflatten(aux_tree, aux)
    return out, f_vjp


def _is_array_like(x):
    return isinstance(x, (ArrayImpl, core.Tracer))


def _lower_aux(aux):
    return tu.tree_map(core.full_lower, aux)


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    nums = _argnums_tuple(argnums)

    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        for i in nums:
            if i >= len(args):
                raise TypeError(f"differentiating with respect to argnums={argnums} requires at least {max(nums) + 1} "
                                f"positional arguments to be passed by the caller, but got only {len(args)} positional arguments.")
        dyn = [args[i] for i in nums]
        for d in dyn:
            for leaf in tu.tree_leaves(d):
                _check_input_dtype(_check_arg(leaf))

        def partial_f(*dargs):
            full = list(args)
            for i, d in zip(nums, dargs):
                full[i] = d
            return fun(*full, **kwargs)

        if has_aux:
            ans, f_vjp, aux = vjp(partial_f, *dyn, has_aux=True)
        else:
            ans, f_vjp = vjp(partial_f, *dyn)
        _check_scalar(ans)
        g = f_vjp(lax_one_like(ans))
        g = g[0] if isinstance(argnums, int) else tuple(g)
        if has_aux:
            return (ans, aux), g
        return ans, g
    return value_and_grad_f


def lax_one_like(x):
    aval = get_aval(x)
    return ArrayImpl(_dtypes.round_list(aval.dtype, [1.0]), (), aval.dtype, aval.weak_type)


def _check_scalar(x):
    msg = "Gradient only defined for scalar-output functions. Output {}."
    try:
        aval = get_aval(x)
    except TypeError:
        raise TypeError(msg.format(f"was {x}")) from None
    if aval.shape != ():
        raise TypeError(msg.format(f"had shape: {aval.shape}"))
    if aval.dtype.kind != "f":
        raise TypeError(f"grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got {aval.dtype.name}. For differentiation of functions with integer outputs, use jax.vjp directly.")


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    vg = value_and_grad(fun, argnums, has_aux=has_aux)

    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        _, g = vg(*args, **kwargs)
        return g
    return grad_f


def jvp(fun, primals, tangents, has_aux=False):
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jax.jvp must be tuples or lists; found "
                        f"{type(primals).__name__} and {type(tangents).__name__}.")
    p_leaves, in_tree = tu.tree_flatten(tuple(primals))
    t_leaves, t_tree = tu.tree_flatten(tuple(tangents))
    p_leaves = [_check_arg(x) for x in p_leaves]
    t_leaves = [_check_arg(x) for x in t_leaves]
    out_tree_box, aux_box = [], []

    def flat_fun(*flat):
        out = fun(*tu.tree_unflatten(in_tree, flat))
        if has_aux:
            out, aux = out
            aux_box.append(aux)
        leaves, out_tree = tu.tree_flatten(out)
        out_tree_box.append(out_tree)
        return leaves

    po, to = ad.jvp_flat(flat_fun, p_leaves, t_leaves)
    to = [ad.instantiate(t) for t in to]
    res = tu.tree_unflatten(out_tree_box[0], po), tu.tree_unflatten(out_tree_box[0], to)
    if has_aux:
        return res[0], res[1], _lower_aux(aux_box[0])
    return res


def linearize(fun, *primals):
    out, f_jvp = None, None
    leaves, in_tree = tu.tree_flatten(primals)
    out_tree_box = []

    def flat_fun(*flat):
        out = fun(*tu.tree_unflatten(in_tree, flat))
        leaves_, t = tu.tree_flatten(out)
        out_tree_box.append(t)
        return leaves_

    primals_out, jaxpr, consts, _ = ad.linearize_flat(flat_fun, leaves)

    def f_jvp(*tangents):
        t_leaves, _ = tu.tree_flatten(tangents)
        return tu.tree_unflatten(out_tree_box[0], core.eval_jaxpr(jaxpr, consts, t_leaves))
    return tu.tree_unflatten(out_tree_box[0], primals_out), f_jvp


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    def jac(*args):
        nums = _argnums_tuple(argnums)
        dyn = [args[i] for i in nums]

        def partial_f(*dargs):
            full = list(args)
            for i, d in zip(nums, dargs):
                full[i] = d
            return fun(*full)
        y, f_vjp = vjp(partial_f, *dyn)
        from jaxlite import numpy as jnp
        y = jnp.asarray(y)
        basis = jnp.eye(y.size, dtype=y.dtype).reshape((y.size,) + y.shape)
        rows = vmap(f_vjp)(basis)
        outs = [r.reshape(y.shape + get_aval(d).shape) for r, d in zip(rows, dyn)]
        return outs[0] if isinstance(argnums, int) else tuple(outs)
    return jac


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    def jac(*args):
        nums = _argnums_tuple(argnums)
        from jaxlite import numpy as jnp
        outs = []
        for i in nums:
            x = jnp.asarray(args[i])

            def f_i(xi, i=i):
                full = list(args)
                full[i] = xi
                return fun(*full)
            basis = jnp.eye(x.size, dtype=x.dtype).reshape((x.size,) + x.shape)
            cols = vmap(lambda t: jvp(f_i, (x,), (t,))[1])(basis)
            y_shape = get_aval(cols).shape[1:]
            outs.append(jnp.moveaxis(cols, 0, -1).reshape(y_shape + x.shape))
        return outs[0] if isinstance(argnums, int) else tuple(outs)
    return jac


jacobian = jacrev


def hessian(fun, argnums=0):
    return jacfwd(jacrev(fun, argnums), argnums)


# -------------------------------------------------------------------- vmap
def _flatten_axes(name, treedef, axis_tree):
    """Broadcast an in_axes/out_axes prefix tree to one axis per leaf."""
    if axis_tree is None or isinstance(axis_tree, int):
        return [axis_tree] * treedef.num_leaves
    proxy = object()
    dummy = tu.tree_unflatten(treedef, [proxy] * treedef.num_leaves)
    axes = []

    def add_leaves(axis, subtree):
        axes.extend([axis] * len(tu.tree_leaves(subtree)))
    try:
        tu.tree_map(add_leaves, axis_tree, dummy, is_leaf=lambda x: x is None)
    except ValueError:
        raise ValueError(f"{name} specification must be a tree prefix of the corresponding value, got "
                         f"specification {axis_tree} for value tree {treedef}.") from None
    return axes


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)

    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        leaves, in_tree = tu.tree_flatten((args, kwargs))
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(
                f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments "
                f"passed to the function, but got len(in_axes)={len(in_axes)}, len(args)={len(args)}")
        args_tree = tu.tree_structure(args)
        dims = _flatten_axes("vmap in_axes", args_tree, in_axes if isinstance(in_axes, tuple) or in_axes is None
                             or isinstance(in_axes, int) else in_axes)
        if isinstance(in_axes, (dict, list)) and len(args) == 1:
            dims = _flatten_axes("vmap in_axes", args_tree, (in_axes,))
        dims += [0] * (len(leaves) - len(dims))  # keyword arguments are mapped over axis 0
        leaves = [_check_arg(x) for x in leaves]
        dims = [None if d is None else d % max(get_aval(x).ndim, 1) if get_aval(x).ndim else d
                for x, d in zip(leaves, dims)]
        if all(d is None for d in dims) and axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes or axis_size must be specified")
        for x, d in zip(leaves, dims):
            if d is not None and get_aval(x).ndim == 0:
                raise ValueError(f"vmap was requested to map its argument along axis {d}, which implies that its rank "
                                 f"should be at least {d + 1}, but is only 0 (its shape is ())")
        sizes = {get_aval(x).shape[d] for x, d in zip(leaves, dims) if d is not None}
        if len(sizes) > 1:
            raise ValueError(_inconsistent_sizes(args, in_axes, leaves, dims))
        size = sizes.pop() if sizes else axis_size
        out_tree_box = []

        def flat_fun(*flat):
            a, k = tu.tree_unflatten(in_tree, flat)
            out = fun(*a, **k)
            ol, ot = tu.tree_flatten(out)
            out_tree_box.append(ot)
            return ol

        outs = batching.vmap_flat(flat_fun, dims, leaves, size, axis_name)
        out_tree = out_tree_box[0]
        o_axes = _flatten_axes("vmap out_axes", out_tree, out_axes)
        results = []
        for (v, d), oa in zip(outs, o_axes):
            if oa is None:
                if d is not None:
                    raise ValueError("vmap has mapped output but out_axes is None")
                results.append(v)
                continue
            nd = get_aval(v).ndim + (1 if d is None else 0)
            results.append(batching.batch_at(v, d, size, oa % nd))
        return tu.tree_unflatten(out_tree, results)
    return vmapped


def _inconsistent_sizes(args, in_axes, leaves, dims):
    lines = ["vmap got inconsistent sizes for array axes to be mapped:"]
    arg_leaves = [tu.tree_leaves(a) for a in args]
    i = 0
    for n, al in enumerate(arg_leaves):
        for leaf in al:
            d = dims[i]
            if d is not None:
                lines.append(f"  * one axis had size {get_aval(leaf).shape[d]}: axis {d} of argument "
                             f"{'' if True else ''}{_argname(n)} of type {get_aval(leaf).str_short(False)};")
            i += 1
    return "\n".join(lines)


def _argname(n):
    return f"args[{n}]"


# ------------------------------------------------------------- unsupported
def effects_barrier():
    return None
