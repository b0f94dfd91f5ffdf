"""Staging out a function to a jaxpr (what `jit` and `make_jaxpr` do)."""

from __future__ import annotations

from jaxlite import _core as core
from jaxlite._core import (ClosedJaxpr, Jaxpr, JaxprEqn, Literal, ShapedArray, Trace, Tracer, Var,
                           get_aval, new_dynamic, new_main)


class JitTracer(Tracer):
    jax_class_name = "DynamicJaxprTracer"   # JAX's class, named in its errors
    __slots__ = ("_trace", "_aval")

    def __init__(self, trace, aval: ShapedArray):
        self._trace, self._aval = trace, aval

    @property
    def aval(self):
        return self._aval

    def __repr__(self) -> str:
        return f"JitTracer({self._aval})"


class JaxprBuilder:
    def __init__(self):
        self.eqns: list[JaxprEqn] = []
        self.tracer_to_var: dict[int, Var] = {}
        self.const_tracers: dict[int, Tracer] = {}   # id(const value) -> tracer
        self.constvals: dict[int, object] = {}      # id(var) -> const value
        self.constvar_for: dict[int, Var] = {}
        self.tracers: list = []

    def new_tracer(self, trace, aval):
        t = JitTracer(trace, aval)
        self.tracers.append(t)
        return t

    def add_var(self, tracer) -> Var:
        v = self.tracer_to_var[id(tracer)] = Var(tracer.aval)
        return v

    def getvar(self, tracer):
        v = self.tracer_to_var.get(id(tracer))
        if v is None:
            raise core.UnexpectedTracerError("Encountered an unexpected tracer.")
        return v


def _is_literalable(x) -> bool:
    from jaxlite._array import ArrayImpl
    if isinstance(x, (bool, int, float)):
        return True
    return isinstance(x, ArrayImpl) and x.ndim == 0 and x.dtype.kind != "K"  # keys stay constants, as in JAX


class JaxprTrace(Trace):
    """Records every primitive applied to its tracers as an equation."""

    @property
    def builder(self) -> JaxprBuilder:
        return self.main.global_data

    def pure(self, val):
        return self._const(val)

    lift = pure

    def _const(self, val):
        b = self.builder
        key = id(val)
        tracer = b.const_tracers.get(key)
        if tracer is None:
            aval = get_aval(val) if not isinstance(val, Tracer) else val.aval
            tracer = b.new_tracer(self, aval)
            b.const_tracers[key] = tracer
            var = b.add_var(tracer)
            b.constvals[id(var)] = val
        return tracer

    def process_primitive(self, primitive, tracers, params):
        avals_in = [t.aval for t in tracers]
        avals_out = core.abstract_eval(primitive, avals_in, params)
        outs_avals = avals_out if primitive.multiple_results else [avals_out]
        out_tracers = [self.builder.new_tracer(self, a) for a in outs_avals]
        invars = [self.builder.getvar(t) for t in tracers]
        outvars = [self.builder.add_var(t) for t in out_tracers]
        self.builder.eqns.append(JaxprEqn(primitive, invars, params, outvars))
        return out_tracers if primitive.multiple_results else out_tracers[0]


def _inline_literals(jaxpr: Jaxpr, consts: list) -> tuple[Jaxpr, list]:
    """Scalar constants become literals (`2.0:f32[]`), as JAX prints them."""
    from jaxlite._array import to_array
    lits, new_constvars, new_consts = {}, [], []
    for v, c in zip(jaxpr.constvars, consts):
        if _is_literalable(c) and not isinstance(c, Tracer):
            arr = to_array(c)
            lits[v] = Literal(arr.data[0], v.aval)
        else:
            new_constvars.append(v)
            new_consts.append(c)

    def lit(a):
        return lits.get(a, a) if isinstance(a, Var) else a

    eqns = [JaxprEqn(e.primitive, [lit(a) for a in e.invars], e.params, e.outvars) for e in jaxpr.eqns]
    outvars = [lit(a) for a in jaxpr.outvars]
    return Jaxpr(new_constvars, jaxpr.invars, outvars, eqns), new_consts


def trace_to_jaxpr(fun, in_avals) -> tuple[ClosedJaxpr, list]:
    """Stage `fun` (on flat arguments, returning a flat list) out to a closed
    jaxpr. Every primitive is recorded, even on constants (jit semantics)."""
    builder = JaxprBuilder()
    with new_main(JaxprTrace, builder) as main:
        with new_dynamic(main):
            trace = JaxprTrace(main)
            tracers_in = [builder.new_tracer(trace, aval) for aval in in_avals]
            invars = [builder.add_var(t) for t in tracers_in]
            outs = fun(*tracers_in)
            out_tracers = [core.full_raise(trace, o) for o in outs]
            outvars = [builder.getvar(t) for t in out_tracers]
    constvars = [v for v in _vars_in_order(builder) if id(v) in builder.constvals]
    consts = [builder.constvals[id(v)] for v in constvars]
    used = _used_vars(builder.eqns, outvars)
    constvars_used = [(v, c) for v, c in zip(constvars, consts) if v in used]
    jaxpr = Jaxpr([v for v, _ in constvars_used], invars, outvars, builder.eqns)
    jaxpr, consts = _inline_literals(jaxpr, [c for _, c in constvars_used])
    return ClosedJaxpr(jaxpr, consts), out_tracers


def _vars_in_order(builder: JaxprBuilder):
    return sorted(builder.tracer_to_var.values(), key=lambda v: v.count)


def _used_vars(eqns, outvars) -> set:
    used = {a for a in outvars if isinstance(a, Var)}
    for e in eqns:
        used.update(a for a in e.invars if isinstance(a, Var))
    return used
