"""Automatic differentiation: forward mode (JVP), linearization by partial
evaluation, and reverse mode by transposing the linear part (Autodidax's design)."""

from __future__ import annotations

import itertools
from functools import reduce

from jaxlite import _core as core, _lax as lax
from jaxlite._core import (Jaxpr, JaxprEqn, Literal, ShapedArray, Trace, Tracer, Var, bind, full_lower,
                           get_aval, new_main)


class Zero:
    """A symbolically zero tangent: no equations are spent on it."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval


def zeros_like_aval(aval):
    zero = lax.convert_element_type(0, aval.dtype, weak_type=aval.weak_type) if aval.dtype.kind != "b" else False
    return lax.broadcast_in_dim(zero, aval.shape, ())


def instantiate(t):
    return zeros_like_aval(t.aval) if isinstance(t, Zero) else t


def add_tangents(x, y):
    if isinstance(x, Zero):
        return y
    if isinstance(y, Zero):
        return x
    return lax.add_any_p.bind(x, y)


# ---------------------------------------------------------------- JVP
class JVPTracer(Tracer):
    __slots__ = ("_trace", "primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace, self.primal, self.tangent = trace, primal, tangent

    @property
    def aval(self):
        return get_aval(self.primal)

    def __repr__(self):
        tag = self._trace.main.global_data or "JVPTracer"
        if tag == "GradTracer":
            return f"GradTracer(primal={self.primal}, typeof(tangent)={self.aval.strip_weak_type().str_short()})"
        tangent = self.tangent
        tangent = "Zero" if isinstance(tangent, Zero) else tangent
        return f"JVPTracer(primal={self.primal}, tangent={tangent})"


class JVPTrace(Trace):
    def pure(self, val):
        return JVPTracer(self, val, Zero(get_aval(val)))

    lift = pure

    def process_primitive(self, primitive, tracers, params):
        primals = [t.primal for t in tracers]
        tangents = [t.tangent for t in tracers]
        if all(isinstance(t, Zero) for t in tangents):
            out = primitive.bind(*primals, **params)
            if primitive.multiple_results:
                return [JVPTracer(self, o, Zero(get_aval(o))) for o in out]
            return JVPTracer(self, out, Zero(get_aval(out)))
        rule = core.jvp_rules.get(primitive)
        if rule is None:
            raise NotImplementedError(f"jaxlite cannot differentiate the primitive {primitive.name}")
        primal_out, tangent_out = rule(primals, tangents, **params)
        if primitive.multiple_results:
            return [JVPTracer(self, p, t) for p, t in zip(primal_out, tangent_out)]
        return JVPTracer(self, primal_out, tangent_out)


def jvp_flat(f, primals, tangents, tag=None):
    with new_main(JVPTrace, tag) as main:
        trace = JVPTrace(main)
        tracers_in = [JVPTracer(trace, x, t) for x, t in zip(primals, tangents)]
        outs = f(*tracers_in)
        tracers_out = [core.full_raise(trace, o) for o in outs]
        primals_out = [full_lower(t.primal) for t in tracers_out]
        tangents_out = [t.tangent if isinstance(t.tangent, Zero) else full_lower(t.tangent) for t in tracers_out]
    return primals_out, tangents_out


# -------------------------------------------------------- rule helpers
def defjvp(prim, *fns):
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        ts = [fn(t, *primals, **params) for fn, t in zip(fns, tangents)
              if fn is not None and not isinstance(t, Zero)]
        return out, reduce(add_tangents, ts, Zero(get_aval(out)))
    core.jvp_rules[prim] = rule


def defjvp2(prim, *fns):
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        ts = [fn(t, out, *primals, **params) for fn, t in zip(fns, tangents)
              if fn is not None and not isinstance(t, Zero)]
        return out, reduce(add_tangents, ts, Zero(get_aval(out)))
    core.jvp_rules[prim] = rule


def defjvp_zero(prim):
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero(get_aval(o)) for o in out]
        return out, Zero(get_aval(out))
    core.jvp_rules[prim] = rule


def deflinear(prim, transpose_fn):
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        ts = [instantiate(t) for t in tangents]
        return out, prim.bind(*ts, **params)
    core.jvp_rules[prim] = rule
    core.transpose_rules[prim] = transpose_fn


class UndefinedPrimal:
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval


def is_undefined(x) -> bool:
    return isinstance(x, UndefinedPrimal)


# ----------------------------------------------------- partial evaluation
class PartialVal:
    __slots__ = ("aval", "const")

    def __init__(self, aval, const=None):
        self.aval, self.const = aval, const

    @classmethod
    def known(cls, val):
        return cls(get_aval(val), val)

    @classmethod
    def unknown(cls, aval):
        return cls(aval, None)

    @property
    def is_known(self):
        return self.const is not None


class LambdaBindingRecipe:
    pass


class ConstRecipe:
    __slots__ = ("val",)

    def __init__(self, val):
        self.val = val


class EqnRecipe:
    __slots__ = ("prim", "tracers_in", "params", "avals_out", "tracer_refs_out", "seq")
    _created = itertools.count()  # equations are written in the order they were traced, as JAX does

    def __init__(self, prim, tracers_in, params, avals_out, tracer_refs_out):
        self.prim, self.tracers_in, self.params = prim, tracers_in, params
        self.avals_out, self.tracer_refs_out = avals_out, tracer_refs_out
        self.seq = next(EqnRecipe._created)


class PartialEvalTracer(Tracer):
    __slots__ = ("_trace", "pval", "recipe")

    def __init__(self, trace, pval, recipe):
        self._trace, self.pval, self.recipe = trace, pval, recipe

    @property
    def aval(self):
        return self.pval.aval

    def full_lower(self):
        if self.pval.is_known:
            return full_lower(self.pval.const)
        return self

    def __repr__(self):
        return f"JVPTracer(aval={self.aval})"


class PartialEvalTrace(Trace):
    def new_arg(self, pval):
        return PartialEvalTracer(self, pval, LambdaBindingRecipe())

    def lift(self, val):
        return PartialEvalTracer(self, PartialVal.known(val), None)

    pure = lift

    def instantiate_const(self, tracer):
        if tracer.pval.is_known:
            return PartialEvalTracer(self, PartialVal.unknown(get_aval(tracer.pval.const)),
                                     ConstRecipe(tracer.pval.const))
        return tracer

    def process_primitive(self, primitive, tracers, params):
        if all(t.pval.is_known for t in tracers):
            return primitive.bind(*[full_lower(t) for t in tracers], **params)
        rule = partial_eval_rules.get(primitive)
        if rule is not None:
            return rule(self, tracers, **params)
        tracers_in = [self.instantiate_const(t) for t in tracers]
        avals_in = [t.aval for t in tracers_in]
        avals_out = core.abstract_eval(primitive, avals_in, params)
        avals_out = avals_out if primitive.multiple_results else [avals_out]
        outs = [PartialEvalTracer(self, PartialVal.unknown(a), None) for a in avals_out]
        import weakref
        recipe = EqnRecipe(primitive, tracers_in, params, avals_out, [weakref.ref(t) for t in outs])
        for t in outs:
            t.recipe = recipe
        return outs if primitive.multiple_results else outs[0]


partial_eval_rules: dict = {}


def partial_eval_flat(f, pvals_in):
    with new_main(PartialEvalTrace) as main:
        trace = PartialEvalTrace(main)
        tracers_in = [trace.new_arg(p) for p in pvals_in]
        outs = f(*tracers_in)
        tracers_out = [core.full_raise(trace, o) for o in outs]
        pvals_out = [t.pval for t in tracers_out]
        unk_in = [t for t in tracers_in if not t.pval.is_known]
        unk_out = [t for t in tracers_out if not t.pval.is_known]
        jaxpr, consts = tracers_to_jaxpr(unk_in, unk_out)
    return jaxpr, pvals_out, consts


def tracers_to_jaxpr(tracers_in, tracers_out):
    tracer_to_var = {id(t): Var(t.aval) for t in tracers_in}
    constvar_to_val = {}
    constid_to_var = {}
    processed = set()
    eqns = []
    for t in _toposort(tracers_out):
        if isinstance(t.recipe, LambdaBindingRecipe):
            if id(t) not in tracer_to_var:
                raise core.UnexpectedTracerError("Encountered an unexpected tracer.")
        elif isinstance(t.recipe, ConstRecipe):
            val = t.recipe.val
            var = constid_to_var.get(id(val))
            if var is None:
                aval = get_aval(val)
                var = constid_to_var[id(val)] = Var(aval)
                constvar_to_val[var] = val
            tracer_to_var[id(t)] = var
        elif isinstance(t.recipe, EqnRecipe):
            if id(t.recipe) not in processed:
                r = t.recipe
                ins = [tracer_to_var[id(x)] for x in r.tracers_in]
                outs = [Var(a) for a in r.avals_out]
                for ref, v in zip(r.tracer_refs_out, outs):
                    if ref() is not None:
                        tracer_to_var[id(ref())] = v
                eqns.append(JaxprEqn(r.prim, ins, r.params, outs))
                processed.add(id(r))
    constvars, constvals = list(constvar_to_val), list(constvar_to_val.values())
    jaxpr = Jaxpr(constvars, [tracer_to_var[id(t)] for t in tracers_in],
                  [tracer_to_var[id(t)] for t in tracers_out], eqns)
    return jaxpr, constvals


def _toposort(out_nodes):
    def parents(t):
        return t.recipe.tracers_in if isinstance(t.recipe, EqnRecipe) else []

    order, visited = [], set()

    def visit(node):
        stack = [(node, False)]
        while stack:
            n, done = stack.pop()
            if done:
                order.append(n)
                continue
            if id(n) in visited:
                continue
            visited.add(id(n))
            stack.append((n, True))
            for p in reversed(parents(n)):
                if id(p) not in visited:
                    stack.append((p, False))
    for n in out_nodes:
        visit(n)
    # Every input of an equation was traced before it, so creation order is a
    # topological order too: the one JAX's jaxprs list equations in.
    order.sort(key=lambda t: t.recipe.seq if isinstance(t.recipe, EqnRecipe) else -1)
    return order


# -------------------------------------------------------------- linearize
def linearize_flat(f, primals, tag=None):
    n = len(primals)
    pvals_in = [PartialVal.known(x) for x in primals] + \
               [PartialVal.unknown(get_aval(x)) for x in primals]

    def f_jvp(*args):
        primals_out, tangents_out = jvp_flat(f, args[:n], args[n:], tag)
        return [*primals_out, *[instantiate(t) for t in tangents_out]]

    jaxpr, pvals_out, consts = partial_eval_flat(f_jvp, pvals_in)
    m = len(pvals_out) // 2
    primals_out = [p.const for p in pvals_out[:m]]
    tangent_pvals = pvals_out[m:]
    return primals_out, jaxpr, consts, tangent_pvals


def vjp_flat(f, primals, tag="GradTracer"):
    primals_out, jaxpr, consts, tangent_pvals = linearize_flat(f, primals, tag)
    in_avals = [get_aval(x) for x in primals]   # weak types kept, as JAX's tangent avals do

    def f_vjp(*cts):
        undefined = [UndefinedPrimal(a) for a in in_avals]
        unknown_cts = [ct for ct, pv in zip(cts, tangent_pvals) if not pv.is_known]
        return backward_pass(jaxpr, consts, undefined, unknown_cts)

    return primals_out, f_vjp


def backward_pass(jaxpr: Jaxpr, consts, args, cts):
    primal_env = {}

    def read_primal(x):
        if isinstance(x, Literal):
            return x.val if x.aval.ndim == 0 else x.val
        return primal_env.get(x, UndefinedPrimal(x.aval))

    def write_primal(v, val):
        if not is_undefined(val):
            primal_env[v] = val

    for v, c in zip(jaxpr.constvars, consts):
        write_primal(v, c)
    for v, a in zip(jaxpr.invars, args):
        write_primal(v, a)

    # forward: evaluate non-linear equations whose inputs are all known
    linear_eqns = []
    for eqn in jaxpr.eqns:
        ins = [read_primal(x) for x in eqn.invars]
        if any(is_undefined(x) for x in ins):
            linear_eqns.append(eqn)
        else:
            outs = eqn.primitive.bind(*ins, **eqn.params)
            outs = outs if eqn.primitive.multiple_results else [outs]
            for v, o in zip(eqn.outvars, outs):
                write_primal(v, o)

    ct_env = {}

    def read_cotangent(v):
        return ct_env.pop(v, Zero(v.aval))

    def write_cotangent(x, ct):
        if isinstance(x, Var) and ct is not None and not isinstance(ct, Zero):
            ct_env[x] = add_tangents(ct_env[x], ct) if x in ct_env else ct

    for v, ct in zip(jaxpr.outvars, cts):
        write_cotangent(v, ct)
    for eqn in linear_eqns[::-1]:
        ins = [read_primal(x) for x in eqn.invars]
        cts_out = [read_cotangent(v) for v in eqn.outvars]
        rule = core.transpose_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"jaxlite cannot transpose the primitive {eqn.primitive.name} "
                                      "(reverse-mode differentiation through it is not supported yet)")
        if eqn.primitive.multiple_results:
            cts_in = rule(cts_out, *ins, **eqn.params)
        else:
            if isinstance(cts_out[0], Zero):
                continue
            cts_in = rule(cts_out[0], *ins, **eqn.params)
        for x, ct in zip(eqn.invars, cts_in):
            write_cotangent(x, ct)
    return [read_cotangent(v) if isinstance(v, Var) else Zero(v.aval) for v in jaxpr.invars]
