"""`jax.custom_jvp` and `jax.custom_vjp`: functions that bring their own
derivative rule, as JAX 0.10 implements them.

Called on plain values, such a function just runs. Called on tracers, its
body is staged to a jaxpr (`call_jaxpr`) and bound as the primitive
`custom_jvp_call` or `custom_vjp_call`, whose rule tables do what JAX does:

- JVP: `custom_jvp_call` calls the user's jvp rule on the primals and
  tangents (one level down, so what the rule computes is traced by the outer
  transformations); `custom_vjp_call` runs the fwd rule and emits
  `custom_lin`, a linear primitive whose transpose is the user's bwd rule.
  Evaluating `custom_lin` (forward mode) is JAX's TypeError.
- partial evaluation (the linearize step of `grad`): a custom_jvp call with
  unknown inputs is inlined, its jvp rule having already been applied.
- vmap: the primal jaxpr and the rules are batched, and the call re-bound.
- staging: the equation appears in jaxprs, printed as JAX prints it.
"""

from __future__ import annotations

import functools
import inspect

from jaxlite import _ad as ad, _batching as batching, _core as core, _lax as lax
from jaxlite import tree_util as tu
from jaxlite._core import ClosedJaxpr, Jaxpr, Primitive, get_aval
from jaxlite._tracing import trace_to_jaxpr
from jaxlite.errors import UnexpectedTracerError


# --------------------------------------------------------------- helpers
class SymbolicZero:
    """A zero tangent or cotangent handed to a rule defined with
    `symbolic_zeros=True`: it has the aval (shape, dtype) but no value."""

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self) -> str:
        return "SymbolicZero"

    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    def instantiate(self):
        return ad.zeros_like_aval(self.aval)

    @staticmethod
    def from_primal_value(val) -> "SymbolicZero":
        return SymbolicZero(get_aval(val))


class CustomVJPPrimal:
    """What a custom_vjp fwd rule defined with `symbolic_zeros=True` gets for
    each input leaf: its `value`, and whether it is `perturbed` (differentiated)."""

    __slots__ = ("value", "perturbed")

    def __init__(self, value, perturbed: bool):
        self.value, self.perturbed = value, perturbed

    def __repr__(self) -> str:
        return f"CustomVJPPrimal(value={self.value!r}, perturbed={self.perturbed})"


def custom_vjp_primal_tree_values(tree):
    """The values of a tree of `CustomVJPPrimal` leaves."""
    def value(leaf):
        if type(leaf) is not CustomVJPPrimal:
            raise TypeError(f"unexpected leaf type {type(leaf)}")
        return leaf.value
    return tu.tree_map(value, tree)


class CustomVJPException(Exception):
    def __init__(self):
        super().__init__(
            "Detected differentiation of a custom_vjp function with respect to a closed-over value. That isn't "
            "supported because the custom VJP rule only specifies how to differentiate the custom_vjp function with "
            "respect to explicit input parameters. Try passing the closed-over value into the custom_vjp function "
            "as an argument, and adapting the custom_vjp fwd and bwd rules.")


def _fun_name(fun) -> str:
    if isinstance(fun, functools.partial):
        return _fun_name(fun.func)
    return getattr(fun, "__name__", str(fun))


def _named(name: str):
    """Give a flattened rule the user's name: jaxprs print it (`jvp=f_jvp`)."""
    def set_name(f):
        f.__name__ = name
        return f
    return set_name


def _resolve_kwargs(fun, args, kwargs, kind: str, name: str):
    """The arguments as positional ones, following `fun`'s signature (JAX's resolve_kwargs)."""
    if not kwargs and isinstance(fun, functools.partial):
        return tuple(args)
    try:
        sig = inspect.signature(fun if not isinstance(fun, functools.partial) else (lambda *a, **k: None))
        ba = sig.bind(*args, **kwargs)
        ba.apply_defaults()
        passed = [k for k in ba.kwargs if k in kwargs]
        if passed:
            raise TypeError(f"The following keyword arguments could not be resolved to positions: {', '.join(passed)}")
    except TypeError as e:
        raise TypeError(f"The input arguments to the {kind}-decorated function {name} could not be resolved to "
                        f"positional-only arguments. Binding failed with the error:\n{e}") from e
    except ValueError:   # no signature to read (a builtin): take the arguments as given
        return tuple(args) + tuple(kwargs.values())
    return ba.args


def _stop_gradient(tree):
    return tu.tree_map(lambda x: lax.stop_gradient_p.bind(x) if isinstance(x, core.Tracer) else x, tree)


def _nothing_traced(leaves) -> bool:
    return isinstance(core.find_top_trace(leaves), core.EvalTrace)


def _trace_closed(flat_fun, in_avals):
    """Stage `flat_fun` to a closed jaxpr whose constants (arrays and outer
    tracers it closes over) are its leading inputs, as JAX's
    convert_constvars_jaxpr makes them: the call binds them as operands."""
    closed, _ = trace_to_jaxpr(flat_fun, in_avals)
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr([], [*j.constvars, *j.invars], j.outvars, j.eqns), []), list(closed.consts)


def _avals_str(tree, avals) -> str:
    return str(tu.tree_unflatten(tree, [a.str_short(short_dtypes=False) for a in avals])).replace("'", "")


def _tangent_aval(x):
    return get_aval(x).strip_weak_type()


def _axis_size(vals, dims) -> int:
    return next(get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)


def _batch_closed(closed, vals, dims, size):
    """`closed` vmapped over `vals` (batched along `dims`), outputs batched at
    axis 0, staged again: (closed jaxpr, new constants to bind first)."""
    fun = core.jaxpr_as_fun(closed)

    def batched(*args):
        outs = batching.vmap_flat(fun, dims, args, size)
        return [batching.batch_at(v, d, size, 0) for v, d in outs]
    return _trace_closed(batched, [get_aval(v) for v in vals])


def _vmap_to_front(fun, args, dims, size):
    """Run flat `fun` vmapped over `args` along `dims` (None: unbatched, or a
    SymbolicZero passed through); every output batched at axis 0."""
    args = [_unbatched_zero(a, d) if isinstance(a, SymbolicZero) else a for a, d in zip(args, dims)]
    dims = [None if isinstance(a, SymbolicZero) else d for a, d in zip(args, dims)]
    outs = batching.vmap_flat(fun, dims, args, size)
    return [batching.batch_at(v, d, size, 0) for v, d in outs]


def _unbatched_zero(z: SymbolicZero, d) -> SymbolicZero:
    if d is None:
        return z
    shape = list(z.aval.shape)
    del shape[d]
    return SymbolicZero(z.aval.update(shape=tuple(shape)))


# ------------------------------------------------------------ custom_jvp
class custom_jvp:
    """A function with a custom JVP rule (`jax.custom_jvp`): transformations
    that differentiate it (jvp, grad, ...) use the rule instead of tracing
    into its body. Define the rule with `defjvp` (or `defjvps`)."""

    def __init__(self, fun, nondiff_argnums=(), nondiff_argnames=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        nums = set(nondiff_argnums)
        if nondiff_argnames:
            params = list(inspect.signature(fun).parameters)
            nums.update(params.index(n) for n in nondiff_argnames if n in params)
        self.nondiff_argnums = tuple(sorted(nums))
        self.jvp = None
        self.symbolic_zeros = False

    def __getattr__(self, name):
        if name.startswith("def"):
            return getattr(self.fun, name)
        raise AttributeError(name)

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def defjvp(self, jvp, symbolic_zeros: bool = False):
        """Use `jvp(primals, tangents) -> (primal_out, tangent_out)` as the rule."""
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def defjvps(self, *jvps):
        """One rule per argument, `jvp_i(tangent_i, primal_out, *primals)`;
        the tangent out is their sum (None: that argument contributes nothing)."""
        if self.nondiff_argnums:
            raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

        def jvp(primals, tangents):
            primal_out = self(*primals)
            zeros = tu.tree_map(lambda p: ad.Zero(_tangent_aval(p)), primal_out)
            all_tangents_out = [rule(t, primal_out, *primals) if rule else zeros for t, rule in zip(tangents, jvps)]
            tangent_out = tu.tree_map(lambda _, *ts: functools.reduce(ad.add_tangents, ts), primal_out,
                                      *all_tangents_out)
            return primal_out, tangent_out
        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        name = _fun_name(self.fun)
        if not self.jvp:
            raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
        args = _resolve_kwargs(self.fun, args, kwargs, "custom_jvp", name)
        jvp_name = _fun_name(self.jvp)
        if self.nondiff_argnums:
            args = tuple(_stop_gradient(x) if i in self.nondiff_argnums else x for i, x in enumerate(args))
            static = [args[i] for i in self.nondiff_argnums]
            dyn_args = tuple(a for i, a in enumerate(args) if i not in self.nondiff_argnums)
            fun = functools.partial(_call_with_static, self.fun, self.nondiff_argnums, args)
            jvp = functools.partial(self.jvp, *static)
        else:
            dyn_args, fun, jvp = args, self.fun, self.jvp
        leaves, in_tree = tu.tree_flatten(dyn_args)
        out_type: list = []
        flat_fun = _named(name)(_flatten_fun(fun, in_tree, out_type))
        flat_jvp = _named(jvp_name)(_flatten_jvp(jvp, name, jvp_name, in_tree, out_type))
        if _nothing_traced(leaves):   # JAX's eval trace just runs the function
            outs = flat_fun(*leaves)
        else:
            call_jaxpr, consts = _trace_closed(flat_fun, [get_aval(x) for x in leaves])
            outs = custom_jvp_call_p.bind(*consts, *leaves, call_jaxpr=call_jaxpr, jvp_jaxpr_fun=flat_jvp,
                                          num_consts=len(consts), symbolic_zeros=self.symbolic_zeros, name=name)
        return tu.tree_unflatten(out_type[0][0], outs)


def _call_with_static(fun, static_argnums, args, *dyn):
    it = iter(dyn)
    return fun(*[a if i in static_argnums else next(it) for i, a in enumerate(args)])


def _flatten_fun(fun, in_tree, out_type: list):
    """`fun` on flat leaves; records (output tree, output avals) in `out_type`."""
    def flat_fun(*args_flat):
        ans = fun(*tu.tree_unflatten(in_tree, args_flat))
        ans_flat, ans_tree = tu.tree_flatten(ans)
        out_type[:] = [(ans_tree, [get_aval(x) for x in ans_flat])]
        return ans_flat
    return flat_fun


def _flatten_jvp(jvp, primal_name, jvp_name, in_tree, out_type: list):
    """The user's `jvp(primals, tangents)` on flat leaves, checked as JAX checks it."""
    def flat_jvp(*args):
        n = len(args) // 2
        py_primals, py_tangents = tu.tree_unflatten(in_tree, args[:n]), tu.tree_unflatten(in_tree, args[n:])
        pair_out = jvp(py_primals, py_tangents)
        if not isinstance(pair_out, (list, tuple)) or len(pair_out) != 2:
            raise TypeError(f"Custom JVP rule {jvp_name} for function {primal_name} must produce a pair (list or "
                            f"tuple of length two) representing primal and tangent outputs, but got {pair_out}.")
        primals_out, out_tree = tu.tree_flatten(pair_out[0])
        tangents_out, out_tree2 = tu.tree_flatten(pair_out[1])
        if out_tree != out_tree2:
            raise TypeError(f"Custom JVP rule {jvp_name} for function {primal_name} must produce primal and tangent "
                            f"outputs with equal container (pytree) structures, but got {out_tree} and {out_tree2} "
                            "respectively.")
        primal_avals = [get_aval(x) for x in primals_out]
        if out_type:
            _check_primal_out(jvp_name, primal_name, out_tree, primal_avals, *out_type[0])
        expected = [a.strip_weak_type() for a in primal_avals]
        got = [(t.aval if isinstance(t, (SymbolicZero, ad.Zero)) else get_aval(t)).strip_weak_type()
               for t in tangents_out]
        if any(_key(e) != _key(g) for e, g in zip(expected, got)):
            if len(expected) == 1:
                raise TypeError("Custom JVP rule must produce primal and tangent outputs with corresponding shapes "
                                f"and dtypes. Expected {expected[0].str_short(short_dtypes=False)} (tangent type of "
                                f"{expected[0].str_short(short_dtypes=False)}) but got {got[0].str_short(short_dtypes=False)}.")
            bad = "\n".join(f"  primal {e.str_short(short_dtypes=False)} with tangent {g.str_short(short_dtypes=False)}, expecting tangent {e}"
                            for e, g in zip(expected, got) if _key(e) != _key(g))
            raise TypeError("Custom JVP rule must produce primal and tangent outputs with corresponding shapes and "
                            f"dtypes, but got:\n{bad}")
        if not out_type:
            out_type[:] = [(out_tree, primal_avals)]
        return [*primals_out, *tangents_out]
    return flat_jvp


def _key(aval):
    return aval.shape, aval.dtype.name


def _check_primal_out(rule_name, primal_name, out_tree, avals, out_tree_, avals_):
    what = ("Custom JVP rule {r} for function {p} must produce a pair (list or tuple of length two) where the first "
            "element represents the primal output (equal in value to the output of the custom_jvp-decorated "
            "function {p}, ").format(r=rule_name, p=primal_name)
    if out_tree != out_tree_:
        raise TypeError(what + "and in particular of the same container/pytree structure), but instead the JVP rule "
                        "output's first element had container/pytree structure:\n"
                        f"    {_avals_str(out_tree, avals)}\nwhile the custom_jvp-decorated function {primal_name} "
                        f"had output container/pytree structure:\n    {_avals_str(out_tree_, avals_)}.")
    if any(_key(a) != _key(b) for a, b in zip(avals, avals_)):
        raise TypeError(what + "and in particular with leaves of the same shape/dtype), but instead the JVP rule "
                        f"output's first element had shapes/dtypes of:\n    {_avals_str(out_tree, avals)}\nwhile "
                        f"the custom_jvp-decorated function {primal_name} had output shapes/dtypes of:\n"
                        f"    {_avals_str(out_tree_, avals_)}")


custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)


def _custom_jvp_call_impl(*args, call_jaxpr, **_):
    return core.eval_jaxpr(call_jaxpr.jaxpr, call_jaxpr.consts, args)


def _custom_jvp_call_abstract_eval(*avals, call_jaxpr, **_):
    return call_jaxpr.out_avals


def _custom_jvp_call_jvp(primals, tangents, *, call_jaxpr, jvp_jaxpr_fun, num_consts, symbolic_zeros, name):
    # the tangents of closed-over values are dropped, as JAX's lift_jvp drops them; primals
    # known while linearizing are handed over as the values they are, as JAX does
    primals, tangents = [core.full_lower(p) for p in primals[num_consts:]], tangents[num_consts:]
    if symbolic_zeros:
        tangents = [SymbolicZero(t.aval) if isinstance(t, ad.Zero) else t for t in tangents]
    else:
        tangents = [ad.instantiate(t) for t in tangents]
    outs = jvp_jaxpr_fun(*primals, *tangents)
    n = len(outs) // 2
    tangents_out = [ad.Zero(t.aval) if isinstance(t, SymbolicZero) else t for t in outs[n:]]
    return outs[:n], tangents_out


def _custom_jvp_call_partial_eval(trace, tracers, *, call_jaxpr, **_):
    # Linearizing: the jvp rule has already been applied above, so what is left
    # is linear and the rule need not be kept (JAX inlines the function too).
    return core.eval_jaxpr(call_jaxpr.jaxpr, call_jaxpr.consts, list(tracers))


def _custom_jvp_call_transpose(cts, *args, call_jaxpr, **_):
    cts = [ad.Zero(a) if c is None else c for c, a in zip(cts, call_jaxpr.out_avals)]
    return ad.backward_pass(call_jaxpr.jaxpr, call_jaxpr.consts, list(args), cts)


def _custom_jvp_call_batch(vals, dims, *, call_jaxpr, jvp_jaxpr_fun, num_consts, symbolic_zeros, name):
    size = _axis_size(vals, dims)
    new_jaxpr, new_consts = _batch_closed(call_jaxpr, vals, dims, size)
    in_dims = list(dims[num_consts:])

    @_named(jvp_jaxpr_fun.__name__)
    def batched_jvp(*args):   # a tangent is batched as its primal is
        return _vmap_to_front(jvp_jaxpr_fun, args, in_dims * 2, size)

    outs = custom_jvp_call_p.bind(*new_consts, *vals, call_jaxpr=new_jaxpr, jvp_jaxpr_fun=batched_jvp,
                                  num_consts=len(new_consts) + num_consts, symbolic_zeros=symbolic_zeros, name=name)
    return outs, [0] * len(outs)


def _custom_jvp_call_pp(eqn, ctx):
    p = eqn.params
    pairs = [("name", p["name"]), ("call_jaxpr", p["call_jaxpr"]), ("jvp", p["jvp_jaxpr_fun"].__name__)]
    if p["num_consts"]:
        pairs.append(("num_consts", p["num_consts"]))
    return pairs + [("symbolic_zeros", p["symbolic_zeros"])]


core.impl_rules[custom_jvp_call_p] = _custom_jvp_call_impl
core.abstract_eval_rules[custom_jvp_call_p] = _custom_jvp_call_abstract_eval
core.jvp_rules[custom_jvp_call_p] = _custom_jvp_call_jvp
ad.partial_eval_rules[custom_jvp_call_p] = _custom_jvp_call_partial_eval
core.transpose_rules[custom_jvp_call_p] = _custom_jvp_call_transpose
core.batch_rules[custom_jvp_call_p] = _custom_jvp_call_batch
core.pp_rules[custom_jvp_call_p] = _custom_jvp_call_pp


# ------------------------------------------------------------ custom_vjp
class custom_vjp:
    """A function with a custom VJP rule (`jax.custom_vjp`): reverse-mode
    differentiation (grad, vjp) uses the rule's `fwd` and `bwd` instead of
    tracing into its body; forward mode (jvp) is an error."""

    def __init__(self, fun, nondiff_argnums=(), nondiff_argnames=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        nums = set(nondiff_argnums)
        if nondiff_argnames:
            params = list(inspect.signature(fun).parameters)
            nums.update(params.index(n) for n in nondiff_argnames if n in params)
        self.nondiff_argnums = tuple(sorted(nums))
        self.fwd = self.bwd = None
        self.symbolic_zeros = False
        self.optimize_remat = False

    def __getattr__(self, name):
        if name.startswith("def"):
            return getattr(self.fun, name)
        raise AttributeError(name)

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def defvjp(self, fwd, bwd, symbolic_zeros: bool = False, optimize_remat: bool = False):
        """`fwd(*args) -> (primal_out, residuals)`; `bwd(residuals, ct_out) -> ct_args` (a tuple, one per argument)."""
        self.fwd, self.bwd = fwd, bwd
        self.symbolic_zeros, self.optimize_remat = symbolic_zeros, optimize_remat
        if symbolic_zeros and optimize_remat:
            raise NotImplementedError("remat optimization for custom_vjp does not support symbolic zeros")

    def __call__(self, *args, **kwargs):
        name = _fun_name(self.fun)
        if not self.fwd or not self.bwd:
            raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
        args = _resolve_kwargs(self.fun, args, kwargs, "custom_vjp", name)
        fwd_name, bwd_name = _fun_name(self.fwd), _fun_name(self.bwd)
        if self.nondiff_argnums:
            for i in self.nondiff_argnums:
                _check_for_tracers(args[i])
            static = [args[i] for i in self.nondiff_argnums]
            dyn_args = tuple(a for i, a in enumerate(args) if i not in self.nondiff_argnums)
            fun = functools.partial(_call_with_static, self.fun, self.nondiff_argnums, args)
            fwd = functools.partial(_call_with_static, self.fwd, self.nondiff_argnums, args)
            bwd = functools.partial(self.bwd, *static)
        else:
            dyn_args, fun, fwd, bwd = args, self.fun, self.fwd, self.bwd
        leaves, in_tree = tu.tree_flatten(dyn_args)
        in_avals = [get_aval(x) for x in leaves]
        out_type: list = []
        res_tree: list = []
        flat_fun = _named(name)(_flatten_fun(fun, in_tree, out_type))
        flat_fwd = _named(fwd_name)(_flatten_fwd(fwd, name, fwd_name, in_tree, self.symbolic_zeros, out_type,
                                                 res_tree))
        flat_bwd = _named(bwd_name)(_flatten_bwd(bwd, in_tree, in_avals, out_type, res_tree))
        if _nothing_traced(leaves):
            outs = flat_fun(*leaves)
        else:
            call_jaxpr, consts = _trace_closed(flat_fun, in_avals)
            outs = custom_vjp_call_p.bind(*consts, *leaves, call_jaxpr=call_jaxpr, fwd_jaxpr_thunk=flat_fwd,
                                          bwd=flat_bwd, num_consts=len(consts), out_trees=lambda: out_type[0][0],
                                          symbolic_zeros=self.symbolic_zeros, name=name)
        return tu.tree_unflatten(out_type[0][0], outs)


def _check_for_tracers(x):
    for leaf in tu.tree_leaves(x):
        if isinstance(leaf, core.Tracer):
            raise UnexpectedTracerError(
                "Found a JAX Tracer object passed as an argument to a custom_vjp function in a position indicated by "
                "nondiff_argnums as non-differentiable. Tracers cannot be passed as non-differentiable arguments to "
                "custom_vjp functions; instead, nondiff_argnums should only be used for arguments that can't be or "
                "contain JAX tracers, e.g. function-valued arguments. In particular, array-valued arguments should "
                "typically not be indicated as nondiff_argnums.")


def _flatten_fwd(fwd, primal_name, fwd_name, in_tree, symbolic_zeros, out_type: list, res_tree: list):
    """The user's fwd on flat leaves: (primals, perturbed flags) -> (residual leaves, primal out leaves)."""
    what = (f"Custom VJP fwd rule {fwd_name} for function {primal_name} must produce a pair (list or tuple of length "
            "two) where the first element represents the primal output (equal to ")

    def flat_fwd(primals, perturbed):
        args = [CustomVJPPrimal(x, p) for x, p in zip(primals, perturbed)] if symbolic_zeros else list(primals)
        pair_out = fwd(*tu.tree_unflatten(in_tree, args))
        if not isinstance(pair_out, (list, tuple)) or len(pair_out) != 2:
            raise TypeError(what + f"those of the custom_vjp-decorated function {primal_name}) and the second "
                            "element represents residuals (i.e. values stored from the forward pass for use on the "
                            f"backward pass), but instead of a pair the fwd rule {fwd_name} produced {pair_out}.")
        primals_out, out_tree = tu.tree_flatten(pair_out[0])
        res, rtree = tu.tree_flatten(pair_out[1])
        avals = [get_aval(x) for x in primals_out]
        if out_type:
            out_tree_, avals_ = out_type[0]
            tail = (f"the output of the custom_vjp-decorated function {primal_name}) and the second element "
                    "represents residuals (i.e. values stored from the forward pass for use on the backward pass), "
                    "but instead the fwd rule output's first element had ")
            if out_tree != out_tree_:
                raise TypeError(what + tail + f"container/pytree structure:\n    {_avals_str(out_tree, avals)}\n"
                                f"while the custom_vjp-decorated function {primal_name} had output container/pytree "
                                f"structure:\n    {_avals_str(out_tree_, avals_)}.")
            if any(_key(a) != _key(b) for a, b in zip(avals, avals_)):
                raise TypeError(what + tail + f"shapes/dtypes of:\n    {_avals_str(out_tree, avals)}\nwhile the "
                                f"custom_vjp-decorated function {primal_name} had output shapes/dtypes of:\n"
                                f"    {_avals_str(out_tree_, avals_)}")
        else:
            out_type[:] = [(out_tree, avals)]
        res_tree[:] = [rtree]
        return res, primals_out
    return flat_fwd


def _flatten_bwd(bwd, in_tree, in_avals, out_type: list, res_tree: list):
    """The user's bwd on flat leaves: cotangent leaves for the inputs (ad.Zero where it gave None)."""
    def flat_bwd(res, cts):
        py_cts_in = bwd(tu.tree_unflatten(res_tree[0], res), tu.tree_unflatten(out_type[0][0], cts))
        if isinstance(py_cts_in, list) and len(py_cts_in) == len(in_tree.children()):
            py_cts_in = tuple(py_cts_in)
        zero = object()   # where the rule gave None: a zero cotangent for every leaf below
        dummy = tu.tree_unflatten(in_tree, [object()] * in_tree.num_leaves)
        flat: list = []

        def append(x, d):
            n = len(tu.tree_leaves(d))
            flat.extend([zero if x is None else x] * n)
            return x
        try:
            if not isinstance(py_cts_in, tuple):
                raise ValueError
            tu.tree_map(append, py_cts_in, dummy, is_leaf=lambda x: x is None)
        except ValueError:
            raise TypeError("Custom VJP bwd rule must produce an output with the same container (pytree) structure "
                            "as the args tuple of the primal function, and in particular must produce a tuple of "
                            "length equal to the number of arguments to the primal function, but got bwd output "
                            f"structure {tu.tree_structure(py_cts_in)} for primal input structure {in_tree}.") from None
        paths = [tu.keystr(p) for p, _ in tu.tree_flatten_with_path(dummy)[0]]
        results = []
        for path, a, ct in zip(paths, in_avals, flat):
            if ct is zero:
                results.append(ad.Zero(a))
            elif isinstance(ct, SymbolicZero):
                results.append(ad.Zero(ct.aval))
            else:
                got = get_aval(ct)
                if got.shape != a.shape or (got.dtype != a.dtype and not (a.dtype.kind == "f" and got.shape == a.shape)):
                    raise ValueError("Custom VJP bwd rule must produce an output with the same type as the args "
                                     f"tuple of the primal function, but at output{path} the bwd rule produced an "
                                     f"output of type {got.str_short(short_dtypes=False)} corresponding to an input of type "
                                     f"{a.str_short(short_dtypes=False)}")
                results.append(ct)
        return results
    return flat_bwd


custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)


def _custom_vjp_call_jvp(primals, tangents, *, call_jaxpr, fwd_jaxpr_thunk, bwd, num_consts, out_trees,
                         symbolic_zeros, name):
    if any(not isinstance(t, ad.Zero) for t in tangents[:num_consts]):
        raise CustomVJPException()
    primals, tangents = [core.full_lower(p) for p in primals[num_consts:]], tangents[num_consts:]
    in_zeros = [isinstance(t, ad.Zero) for t in tangents]
    res, primals_out = fwd_jaxpr_thunk(primals, [not z for z in in_zeros])
    nz_tangents = [t for t in tangents if not isinstance(t, ad.Zero)]
    tangents_out = custom_lin_p.bind(*res, *nz_tangents, num_res=len(res), bwd=bwd,
                                     out_avals=tuple(_tangent_aval(p) for p in primals_out),
                                     symbolic_zeros=symbolic_zeros, in_zeros=tuple(in_zeros))
    return primals_out, tangents_out


def _custom_vjp_call_partial_eval(trace, tracers, *, call_jaxpr, **_):
    # unknown inputs here are tangents of an outer jvp rule: only linear code reaches this
    return core.eval_jaxpr(call_jaxpr.jaxpr, call_jaxpr.consts, list(tracers))


def _custom_vjp_call_batch(vals, dims, *, call_jaxpr, fwd_jaxpr_thunk, bwd, num_consts, out_trees,
                           symbolic_zeros, name):
    size = _axis_size(vals, dims)
    new_jaxpr, new_consts = _batch_closed(call_jaxpr, vals, dims, size)
    in_dims = list(dims[num_consts:])

    @_named(fwd_jaxpr_thunk.__name__)
    def batched_fwd(primals, perturbed):
        n_res = []

        def flat(*xs):
            res, outs = fwd_jaxpr_thunk(list(xs), perturbed)
            n_res.append(len(res))
            return [*res, *outs]
        outs = _vmap_to_front(flat, primals, in_dims, size)
        return outs[:n_res[0]], outs[n_res[0]:]

    @_named(bwd.__name__)
    def batched_bwd(res, cts):   # residuals and cotangents are batched at axis 0
        def flat(*xs):
            return [ad.instantiate(c) for c in bwd(list(xs[:len(res)]), list(xs[len(res):]))]
        outs = batching.vmap_flat(flat, [0] * (len(res) + len(cts)), [*res, *cts], size)
        return [_match_axis(v, d, want, size) for (v, d), want in zip(outs, in_dims)]

    outs = custom_vjp_call_p.bind(*new_consts, *vals, call_jaxpr=new_jaxpr, fwd_jaxpr_thunk=batched_fwd,
                                  bwd=batched_bwd, num_consts=len(new_consts) + num_consts, out_trees=out_trees,
                                  symbolic_zeros=symbolic_zeros, name=name)
    return outs, [0] * len(outs)


def _match_axis(x, d, want, size):
    """A cotangent batched at `d` for an input batched at `want` (None: summed over the batch)."""
    if want is None:
        return x if d is None else lax.reduce_sum(x, (d,))
    return batching.batch_at(x, d, size, want)


def _custom_vjp_call_pp(eqn, ctx):
    p = eqn.params
    pairs = [("name", p["name"]), ("bwd", p["bwd"].__name__), ("call_jaxpr", p["call_jaxpr"]),
             ("fwd", p["fwd_jaxpr_thunk"].__name__)]
    if p["num_consts"]:
        pairs.append(("num_consts", p["num_consts"]))
    return pairs + [("symbolic_zeros", p["symbolic_zeros"])]


core.impl_rules[custom_vjp_call_p] = _custom_jvp_call_impl
core.abstract_eval_rules[custom_vjp_call_p] = _custom_jvp_call_abstract_eval
core.jvp_rules[custom_vjp_call_p] = _custom_vjp_call_jvp
ad.partial_eval_rules[custom_vjp_call_p] = _custom_vjp_call_partial_eval
core.transpose_rules[custom_vjp_call_p] = _custom_jvp_call_transpose
core.batch_rules[custom_vjp_call_p] = _custom_vjp_call_batch
core.pp_rules[custom_vjp_call_p] = _custom_vjp_call_pp


# ------------------------------------------------------------ custom_lin
custom_lin_p = Primitive("custom_lin", multiple_results=True)


def _raise_custom_vjp_error_on_jvp(*_, **__):
    raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.")


def _custom_lin_transpose(cts_out, *invals, num_res, bwd, out_avals, symbolic_zeros, in_zeros):
    res = list(invals[:num_res])
    if symbolic_zeros:
        cts_out = [SymbolicZero(c.aval) if isinstance(c, ad.Zero) else c for c in cts_out]
    else:
        cts_out = [ad.instantiate(c) for c in cts_out]
    cts_in = bwd(res, cts_out)
    return [None] * num_res + [c for c, z in zip(cts_in, in_zeros) if not z]


def _custom_lin_pp(eqn, ctx):
    p = dict(eqn.params, bwd=eqn.params["bwd"].__name__)
    del p["out_avals"]
    return sorted(p.items())


core.impl_rules[custom_lin_p] = _raise_custom_vjp_error_on_jvp
core.abstract_eval_rules[custom_lin_p] = lambda *avals, out_avals, **_: list(out_avals)
core.transpose_rules[custom_lin_p] = _custom_lin_transpose
core.batch_rules[custom_lin_p] = _raise_custom_vjp_error_on_jvp
core.pp_rules[custom_lin_p] = _custom_lin_pp
