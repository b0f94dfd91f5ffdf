"""The core: abstract values, primitives and their rule tables, traces and
tracers, and jaxprs (with JAX's printing).

The design follows Autodidax: a primitive is a name; what it does under each
transformation lives in rule tables keyed by primitive (`impl_rules`,
`abstract_eval_rules`, `jvp_rules`, `transpose_rules`, `batch_rules`).
Transformations are interpreters stacked on a trace stack.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
from collections import Counter, defaultdict

from jaxlite import _dtypes, _pretty as pp
from jaxlite.errors import UnexpectedTracerError


# ------------------------------------------------------------------ avals
class ShapedArray:
    """What a trace knows about a value: shape, dtype, weak type, and (inside
    `shard_map`) `vma`, the mesh axes along which the value varies."""

    __slots__ = ("shape", "dtype", "weak_type", "vma")
    array_abstraction_level = 1

    def __init__(self, shape, dtype, weak_type: bool = False, vma: frozenset = frozenset()):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = dtype
        self.weak_type = bool(weak_type)
        self.vma = vma

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def str_short(self, short_dtypes: bool = True) -> str:
        name = self.dtype.short if short_dtypes else self.dtype.name
        vma = ",".join(sorted(self.vma))
        vma = "" if not vma else f"{{V:{vma}}}" if len(self.vma) == 1 else f"{{V:({vma})}}"
        return f"{name}[{','.join(str(d) for d in self.shape)}]{vma}"

    def __str__(self) -> str:
        return ("~" if self.weak_type else "") + self.str_short(short_dtypes=False)

    def __repr__(self) -> str:
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.str_short(short_dtypes=False)}{weak})"

    def _key(self):
        return (self.shape, self.dtype.name, self.weak_type, self.vma)

    def __eq__(self, other) -> bool:
        return isinstance(other, ShapedArray) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def strip_weak_type(self) -> "ShapedArray":
        return ShapedArray(self.shape, self.dtype, False, self.vma)

    def update(self, shape=None, dtype=None, weak_type=None, vma=None) -> "ShapedArray":
        return ShapedArray(self.shape if shape is None else shape, self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type, self.vma if vma is None else vma)


def numpy_value(x):
    """(flat values, shape, dtype) of a NumPy array or scalar (numpylite's, in
    the browser), else None. As in JAX, NumPy values are never weakly typed:
    a float64 array is f32, not weak, in 32-bit mode."""
    read = getattr(type(x), "_np_values", None)
    return None if read is None else read(x)


def get_aval(x) -> ShapedArray:
    if isinstance(x, Tracer):
        return x.aval
    aval = getattr(x, "aval", None)
    if isinstance(aval, ShapedArray):
        return aval
    host = numpy_value(x)
    if host is not None:
        return ShapedArray(host[1], _dtypes.canonicalize(host[2]), False)
    if isinstance(x, (bool, int, float)):
        dt, weak = _dtypes.scalar_info(x)
        return ShapedArray((), dt, weak)
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid JAX type")


# ------------------------------------------------------------- primitives
class Primitive:
    multiple_results = False

    def __init__(self, name: str, multiple_results: bool = False):
        self.name = name
        self.multiple_results = multiple_results

    def __repr__(self) -> str:
        return self.name

    def bind(self, *args, **params):
        return bind(self, *args, **params)


impl_rules: dict = {}
abstract_eval_rules: dict = {}
jvp_rules: dict = {}
transpose_rules: dict = {}
batch_rules: dict = {}
pp_rules: dict = {}  # primitive -> function(params) -> [(name, value)] in print order
vma_rules: set = set()  # primitives whose abstract_eval sets the output's vma itself (collectives)


# ------------------------------------------------------------ trace stack
class MainTrace:
    def __init__(self, level: int, trace_type, global_data=None):
        self.level, self.trace_type, self.global_data = level, trace_type, global_data
        self.alive = True


trace_stack: list[MainTrace] = []
dynamic_trace: MainTrace | None = None


@contextlib.contextmanager
def new_main(trace_type, global_data=None):
    level = len(trace_stack)
    main = MainTrace(level, trace_type, global_data)
    trace_stack.append(main)
    try:
        yield main
    finally:
        trace_stack.pop()
        main.alive = False


@contextlib.contextmanager
def new_dynamic(main: MainTrace):
    global dynamic_trace
    prev, dynamic_trace = dynamic_trace, main
    try:
        yield
    finally:
        dynamic_trace = prev


class Trace:
    def __init__(self, main: MainTrace):
        self.main = main

    def pure(self, val):
        raise NotImplementedError

    lift = pure

    def process_primitive(self, primitive, tracers, params):
        raise NotImplementedError


class EvalTrace(Trace):
    def pure(self, val):
        return val

    lift = pure

    def process_primitive(self, primitive, values, params):
        from jaxlite._array import to_array
        rule = impl_rules.get(primitive)
        if rule is None:
            raise NotImplementedError(f"jaxlite cannot evaluate the primitive {primitive.name}")
        return rule(*[to_array(v) for v in values], **params)


trace_stack.append(MainTrace(0, EvalTrace, None))


class Tracer:
    """A value standing in for an array while a function is transformed."""

    __array_priority__ = 1000
    _trace: Trace

    @property
    def aval(self) -> ShapedArray:
        raise NotImplementedError

    def full_lower(self):
        return self

    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def ndim(self):
        return self.aval.ndim

    @property
    def size(self):
        return self.aval.size

    @property
    def weak_type(self):
        return self.aval.weak_type

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (_row(self, i) for i in range(self.shape[0]))


def _row(x: Tracer, i: int):
    """Row i of a traced array, as JAX's tracer iteration reads it (lax.index_in_dim)."""
    from jaxlite import _lax as lax
    shape = x.shape
    row = lax.slice_p.bind(x, start_indices=(i,) + (0,) * (len(shape) - 1), limit_indices=(i + 1,) + shape[1:],
                           strides=(1,) * len(shape))
    return lax.squeeze(row, (0,))


def _check_alive(x: Tracer) -> None:
    main = x._trace.main
    if not main.alive:
        kind = getattr(type(x), "jax_class_name", type(x).__name__)
        raise UnexpectedTracerError(
            "Encountered an unexpected tracer. A function transformed by JAX had a side effect, allowing for a "
            f"reference to an intermediate value with type {x.aval.str_short(short_dtypes=False)} wrapped in a "
            f"{kind} to escape the scope of the transformation.\n"
            "JAX transformations require that functions explicitly return their outputs, and disallow saving "
            "intermediate values to global state.")


def find_top_trace(xs) -> Trace:
    top = trace_stack[0]
    for x in xs:
        if isinstance(x, Tracer):
            _check_alive(x)
            if x._trace.main.level > top.level:
                top = x._trace.main
    if dynamic_trace is not None and dynamic_trace.level > top.level:
        top = dynamic_trace
    return top.trace_type(top)


def full_raise(trace: Trace, val):
    if not isinstance(val, Tracer):
        return trace.pure(val)
    level = trace.main.level
    if val._trace.main is trace.main:
        return val
    if val._trace.main.level < level:
        return trace.lift(val)
    raise UnexpectedTracerError(
        "Encountered an unexpected tracer: a value from an inner transformation was used outside of it.")


def full_lower(val):
    return val.full_lower() if isinstance(val, Tracer) else val


# Set by `shard_map` while it traces its body: binding a primitive then makes
# its operands agree on the mesh axes they vary along (`_sharding.insert_pvary`).
vma_hook = None


def bind(primitive: Primitive, *args, **params):
    if vma_hook is not None:
        args = vma_hook(primitive, args)
    trace = find_top_trace(args)
    tracers = [full_raise(trace, a) for a in args]
    outs = trace.process_primitive(primitive, tracers, params)
    if primitive.multiple_results:
        return [full_lower(o) for o in outs]
    return full_lower(outs)


def bind1(primitive, *args, **params):
    return bind(primitive, *args, **params)


def abstract_eval(primitive, avals, params):
    rule = abstract_eval_rules.get(primitive)
    if rule is None:
        raise NotImplementedError(f"jaxlite cannot trace the primitive {primitive.name}")
    out = rule(*avals, **params)
    if any(a.vma for a in avals) and primitive not in vma_rules:   # outputs vary wherever an operand does
        vma = frozenset().union(*(a.vma for a in avals))
        out = [o.update(vma=vma) for o in out] if primitive.multiple_results else out.update(vma=vma)
    return out


# ------------------------------------------------------------------ jaxprs
class Var:
    __slots__ = ("aval", "count")
    _counter = itertools.count()

    def __init__(self, aval: ShapedArray):
        self.aval = aval
        self.count = next(Var._counter)

    def __repr__(self) -> str:
        return f"Var({self.aval.str_short()})"


class DropVar(Var):
    pass


class Literal:
    __slots__ = ("val", "aval")

    def __init__(self, val, aval: ShapedArray):
        self.val, self.aval = val, aval

    def text(self) -> str:
        v = self.val
        if self.aval.dtype.kind == "b":
            return str(bool(v))
        if self.aval.dtype.kind == "f":
            return repr(float(v))
        return str(int(v))

    def __repr__(self) -> str:
        return f"{self.text()}:{self.aval.str_short()}"

    def value(self):
        """The literal's value: a Python scalar, or a scalar array where a
        Python scalar would change its dtype or weak type (a u32 literal stays u32,
        a strong f32 literal stays strong)."""
        if _dtypes.scalar_info(self.val) == (self.aval.dtype, self.aval.weak_type):
            return self.val
        from jaxlite._array import ArrayImpl
        return ArrayImpl([self.val], (), self.aval.dtype, self.aval.weak_type)


class JaxprEqn:
    __slots__ = ("primitive", "invars", "params", "outvars")

    def __init__(self, primitive, invars, params, outvars):
        self.primitive, self.invars, self.params, self.outvars = primitive, invars, params, outvars

    def __repr__(self) -> str:
        return str(_pp_eqn(self, PpContext({}), plain=True))


class Jaxpr:
    def __init__(self, constvars, invars, outvars, eqns):
        self.constvars, self.invars, self.outvars, self.eqns = list(constvars), list(invars), list(outvars), list(eqns)

    @property
    def in_avals(self):
        return [v.aval for v in self.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.outvars]

    def __str__(self) -> str:
        return pp_toplevel(self).format()

    __repr__ = __str__

    def pretty_print(self, **_) -> str:
        return str(self)


class ClosedJaxpr:
    def __init__(self, jaxpr: Jaxpr, consts):
        self.jaxpr, self.consts = jaxpr, list(consts)

    @property
    def eqns(self):
        return self.jaxpr.eqns

    @property
    def in_avals(self):
        return self.jaxpr.in_avals

    @property
    def out_avals(self):
        return self.jaxpr.out_avals

    @property
    def literals(self):
        return self.consts

    def __str__(self) -> str:
        return str(self.jaxpr)

    __repr__ = __str__

    def pretty_print(self, **_) -> str:
        return str(self)


# ---------------------------------------------------------- pretty printing
def _alpha(n: int) -> str:
    s = ""
    while not s or n:
        n, i = divmod(n, 26)
        s = chr(97 + i) + s
    return s


class PpContext:
    def __init__(self, names: dict):
        self.shared_jaxprs: dict = {}
        self.shared_names: set = set()
        self.names = dict(names)
        self._fresh = (name for i in itertools.count() if (name := _alpha(i)) not in self.shared_names)

    def name(self, v) -> str:
        if v not in self.names:
            self.names[v] = next(self._fresh)
        return self.names[v]

    def suggest_same(self, for_vars, like_vars) -> None:
        used = set()
        if len(for_vars) != len(like_vars):
            return
        for f, like in zip(for_vars, like_vars):
            if isinstance(like, Var) and like not in used and isinstance(f, Var) and f not in self.names:
                used.add(like)
                self.names[f] = self.name(like)


def _dropvars(jaxpr: Jaxpr) -> dict:
    names = {}
    used = {a for a in jaxpr.outvars if isinstance(a, Var)}
    for eqn in reversed(jaxpr.eqns):
        for v in eqn.outvars:
            if v not in used:
                names[v] = "_"
        used.update(a for a in eqn.invars if isinstance(a, Var))
    return names


def _pp_atom(a, ctx: PpContext) -> str:
    if isinstance(a, Literal):
        return repr(a)
    return ctx.name(a)


def _pp_vars(vs, ctx: PpContext, separator: str = "", shapes: bool = False) -> pp.Doc:
    items = [pp.text(_pp_atom(v, ctx) + (":" + v.aval.str_short() if shapes else "")) for v in vs]
    return pp.nest(2, pp.group(pp.join(pp.text(separator) + pp.group(pp.brk()), items)))


def _jaxprs_in(params) -> list:
    out = []
    for v in params.values():
        if isinstance(v, (Jaxpr, ClosedJaxpr)):
            out.append(v.jaxpr if isinstance(v, ClosedJaxpr) else v)
        elif type(v) is tuple and v and all(isinstance(j, (Jaxpr, ClosedJaxpr)) for j in v):
            out.extend(j.jaxpr if isinstance(j, ClosedJaxpr) else j for j in v)
    return out


def _pp_value(v, ctx) -> pp.Doc:
    if type(v) is tuple and v and all(isinstance(j, (Jaxpr, ClosedJaxpr)) for j in v):
        js = [j.jaxpr if isinstance(j, ClosedJaxpr) else j for j in v]
        return pp.group(pp.concat([pp.nest(2, pp.concat([pp.text("("), pp.brk(""),
                                                         pp.join(pp.brk(), [_pp_jaxpr(j, ctx) for j in js])])),
                                   pp.brk(""), pp.text(")")]))
    if isinstance(v, (Jaxpr, ClosedJaxpr)):
        return _pp_jaxpr(v.jaxpr if isinstance(v, ClosedJaxpr) else v, ctx)
    return pp.text(str(v))


def _pp_params(pairs, ctx) -> pp.Doc:
    if not pairs:
        return pp.nil()
    return pp.group(pp.concat([
        pp.nest(2, pp.concat([pp.text("["), pp.brk(""),
                              pp.join(pp.brk(), [pp.text(f"{k}=") + _pp_value(v, ctx) for k, v in pairs])])),
        pp.brk(""), pp.text("]")]))


def _pp_eqn(eqn: JaxprEqn, ctx: PpContext, plain: bool = False) -> pp.Doc:
    rule = pp_rules.get(eqn.primitive)
    if rule is not None and not plain:
        pairs = rule(eqn, ctx)
    else:
        pairs = sorted(eqn.params.items())
    lhs = _pp_vars(eqn.outvars, ctx, shapes=True)
    rhs = [pp.text(eqn.primitive.name), _pp_params(pairs, ctx), pp.text(" ") + _pp_vars(eqn.invars, ctx)]
    if eqn.outvars:
        return pp.concat([lhs, pp.text(" = "), *rhs])
    return pp.concat(rhs)


def _pp_jaxpr(jaxpr: Jaxpr, ctx: PpContext) -> pp.Doc:
    name = ctx.shared_jaxprs.get(jaxpr)
    if name:
        return pp.text(name)
    return _pp_skeleton(jaxpr, ctx)


def _pp_skeleton(jaxpr: Jaxpr, ctx: PpContext) -> pp.Doc:
    constvars = _pp_vars(jaxpr.constvars, ctx, shapes=True)
    invars = _pp_vars(jaxpr.invars, ctx, shapes=True)
    eqns = pp.join(pp.brk("; "), [_pp_eqn(e, ctx) for e in jaxpr.eqns])
    outvars = pp.concat([pp.text("("), _pp_vars(jaxpr.outvars, ctx, separator=","),
                         pp.text(")" if len(jaxpr.outvars) != 1 else ",)")])
    return pp.group(pp.nest(2, pp.concat([
        pp.text("{ "), pp.text("lambda "), constvars, pp.text("; "), invars, pp.text(". "), pp.text("let"),
        pp.nest(2, pp.brk() + eqns), pp.brk(), pp.text("in "), outvars])) + pp.text(" }"))


def pp_toplevel(top: Jaxpr) -> pp.Doc:
    ctx = PpContext(_dropvars(top))
    names: dict = {}
    counts: Counter = Counter()
    queue = [top]
    while queue:
        j = queue.pop(0)
        counts[j] += 1
        if j is not top and len(j.eqns) > 10:
            counts[j] += 1
        for eqn in j.eqns:
            name = eqn.params.get("name")
            subs = _jaxprs_in(eqn.params)
            if name is None:
                queue.extend(subs)
                continue
            name = str(name).strip("<>")
            for s in subs:
                queue.append(s)
                names.setdefault(s, name)
    name_counts: Counter = Counter()
    shared = []
    for j, c in counts.items():
        if c == 1:
            continue
        name = names.get(j, "jaxpr")
        if name_counts[name] > 0:
            count = name_counts[name]
            name_counts[name] += 1
            name += str(count)
            name_counts[name] += 1
        else:
            name_counts[name] += 1
        ctx.shared_names.add(name)
        ctx.shared_jaxprs[j] = name
        shared.append((name, j))
    docs = []
    for name, j in shared:
        docs.append(pp.concat([pp.text("let "), pp.text(name), pp.text(" = "), _pp_skeleton(j, ctx),
                               pp.text(" in"), pp.brk()]))
    docs.append(_pp_jaxpr(top, ctx))
    return pp.concat(docs)


# ---------------------------------------------------------- evaluating jaxprs
def eval_jaxpr(jaxpr: Jaxpr, consts, args):
    env: dict = {}

    def read(a):
        return a.value() if isinstance(a, Literal) else env[a]

    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x
    for eqn in jaxpr.eqns:
        outs = bind(eqn.primitive, *[read(a) for a in eqn.invars], **eqn.params)
        if not eqn.primitive.multiple_results:
            outs = [outs]
        for v, x in zip(eqn.outvars, outs):
            env[v] = x
    return [read(a) for a in jaxpr.outvars]


def jaxpr_as_fun(closed: ClosedJaxpr):
    return lambda *args: eval_jaxpr(closed.jaxpr, closed.consts, args)


def ensure_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


_ = operator  # (kept for rule modules that import it from here)
_ = defaultdict
