"""The computation graph of a small function, read from its real jaxpr, in four views.

For each preset function (its Python source is the data: `f = eval("lambda x: " + source)`),
`jax.make_jaxpr(f)` gives the graph: one node for the input and one per equation, with the
primitive's name, its parameters and operands as the jaxpr prints them, and an edge for every use
of a variable. Then, at every x of a fixed grid: **forward** values come from running the jaxpr
equation by equation with each primitive's own `bind` on concrete float32 inputs; **jit** shows
each variable's abstract value from the jaxpr (`f32[]`); **grad** adjoints (the derivative of f
with respect to each node's output) come from `jax.grad` of the same evaluation with a zero `eps`
added to every node's output, and the contribution each edge sends back from `jax.vjp` of that
equation's primitive; **vmap** runs `jax.make_jaxpr(jax.vmap(f))` the same way on the batch
xs = x + [0, 0.5, 1, 1.5]. `jax.grad(f)(x)`, `f(x)` and `jax.vmap(f)(xs)` are recorded too, so
the tests can check the equation-by-equation values against the direct calls.

The same code traces a reader's own function in the browser ("Trace your own function" in
the player): the page's Python (jaxlite installed as `jax`, numpylite as `numpy`; see
site_src/py/tij_runner.py) imports this module from the site's Python zip and calls
`trace_json`, which returns one preset in the very shape the bake gives, drawn by the same player.
"""

from __future__ import annotations

import ast
import json
import math
import re
import warnings

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

# (id, Python source of f's body, label for readers)
PRESETS = (
    ("sin-squared", "jnp.sin(x) ** 2 + x", "sin(x)² + x"),
    ("x-exp", "x * jnp.exp(-x)", "x · exp(−x)"),
    ("tanh-parabola", "jnp.tanh(2 * x) + x ** 2 / 4", "tanh(2x) + x²/4"),
    ("log-1-plus-square", "jnp.log(1 + x ** 2)", "log(1 + x²)"),
)
GRID = tuple(-2.0 + 0.125 * i for i in range(33))  # -2 .. 2, exact in float32
INITIAL_X = 1.0
BATCH_OFFSETS = (0.0, 0.5, 1.0, 1.5)
MAX_EQUATIONS = 12  # a reader's function: more would not fit the drawing
MAX_SOURCE = 200  # characters of a reader's expression


class GraphError(ValueError):
    """A function this simulation cannot draw; the message says why, for a reader."""


def number(v) -> float | str:
    """A float for JSON; inf and NaN as the strings "inf", "-inf", "nan"."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def make_function(source: str):
    import jax.numpy as jnp

    return eval("lambda x: " + source, {"jnp": jnp})  # noqa: S307 - our own constant source


def parse_jaxpr(closed) -> tuple[list[tuple[str, str]], list[dict]]:
    """Names and printed types of the input variables, and each equation as printed.

    JAX prints a jaxpr on one line when it is short ("{ lambda ; a:f32[]. let b:f32[] = log a in
    (b,) }", equations separated by "; ") and one equation per line otherwise."""
    from jax.extend.core import ClosedJaxpr, Jaxpr

    jaxpr = closed.jaxpr
    for eqn in jaxpr.eqns:
        inner = [v for v in eqn.params.values() for v in (v if isinstance(v, (tuple, list)) else (v,))]
        if any(isinstance(v, (Jaxpr, ClosedJaxpr)) for v in inner):
            raise GraphError(f"f calls {eqn.primitive.name}, which holds a jaxpr of its own (jnp.where and some other "
                             "jnp functions are jitted inside): this drawing shows flat programs of single operations.")
        if eqn.primitive.multiple_results or len(eqn.outvars) != 1:
            raise GraphError(f"{eqn.primitive.name} gives several results: this drawing shows one value per node.")
    if closed.consts or jaxpr.constvars:
        raise GraphError("f uses an array constant (such as jnp.arange(3.0)): use x and plain numbers only.")
    text = str(closed)
    head, body = text.split(". let", 1)
    inputs = head.split(";", 1)[1].split()
    body = re.split(r"\s+in \(", body)[0]
    lines = [line.strip() for line in (body.split("\n") if "\n" in text else body.split("; "))]
    lines = [line for line in lines if line]
    if len(lines) != len(jaxpr.eqns):
        raise ValueError(f"cannot split {text!r} into its {len(jaxpr.eqns)} equations")
    invars = [tuple(tok.split(":", 1)) for tok in inputs]
    eqns = []
    for line, eqn in zip(lines, jaxpr.eqns):
        lhs, rhs = line.split(" = ", 1)
        outs = [tuple(tok.split(":", 1)) for tok in lhs.split()]
        tokens = rhs.split()
        n = len(eqn.invars)
        head, operands = " ".join(tokens[:len(tokens) - n]), tokens[len(tokens) - n:]
        name = eqn.primitive.name
        if not head.startswith(name) or len(outs) != 1:
            raise ValueError(f"cannot read equation {line!r}")
        params = head[len(name):].strip()
        if params.startswith("[") and params.endswith("]"):
            params = params[1:-1]
        eqns.append({"text": line, "out": outs[0], "operands": operands, "params_text": params})
    return invars, eqns


def describe_graph(closed) -> tuple[list[dict], list[dict]]:
    """Nodes (input first, then one per equation) and edges (one per variable use)."""
    from jax.extend.core import Literal

    jaxpr = closed.jaxpr
    if len(jaxpr.invars) != 1 or len(jaxpr.outvars) != 1:
        raise GraphError("f must take one number x and return one number.")
    if isinstance(jaxpr.outvars[0], Literal) or not jaxpr.eqns:
        raise GraphError("f(x) must compute something from x: this one has no operations to draw.")
    invars, printed = parse_jaxpr(closed)
    (in_name, in_type), = invars
    node_of = {jaxpr.invars[0]: 0}
    nodes = [{"kind": "input", "var": in_name, "aval": in_type, "primitive": "input", "params": "",
              "params_full": {}, "operands": [], "equation": f"{in_name}:{in_type}"}]
    edges = []
    for j, (eqn, p) in enumerate(zip(jaxpr.eqns, printed), start=1):
        out_name, out_type = p["out"]
        if out_type != eqn.outvars[0].aval.str_short(short_dtypes=True):
            raise ValueError(f"printed type {out_type} differs from the aval of {out_name}")
        operands = []
        for pos, (v, text) in enumerate(zip(eqn.invars, p["operands"])):
            if isinstance(v, Literal):
                operands.append({"literal": text})
            else:
                src = node_of[v]
                if text.split(":", 1)[0] != nodes[src]["var"]:
                    raise ValueError(f"operand {text} of {p['text']!r} is not {nodes[src]['var']}")
                operands.append({"node": src, "var": nodes[src]["var"]})
                edges.append({"from": src, "to": j, "operand": pos})
        node_of[eqn.outvars[0]] = j
        nodes.append({
            "kind": "equation", "var": out_name, "aval": out_type, "primitive": eqn.primitive.name,
            "params": p["params_text"], "params_full": {k: repr(v) for k, v in sorted(eqn.params.items())},
            "operands": operands, "equation": p["text"],
        })
    if node_of[jaxpr.outvars[0]] != len(nodes) - 1:
        raise GraphError("f's result must be its last operation (this one returns its input or an earlier step).")
    return nodes, edges


def check_drawable(closed) -> None:
    """The limits of the drawing: a few operations, each giving one float32 number."""
    jaxpr = closed.jaxpr
    if len(jaxpr.eqns) > MAX_EQUATIONS:
        raise GraphError(f"f has {len(jaxpr.eqns)} operations; the drawing fits at most {MAX_EQUATIONS}: "
                         "try a shorter expression.")
    for eqn in jaxpr.eqns:
        for v in eqn.outvars:
            if v.aval.str_short(short_dtypes=True) != "f32[]":
                raise GraphError(f"every value in the drawing must be one float32 number (f32[]), but "
                                 f"{eqn.primitive.name} gives {v.aval.str_short(short_dtypes=True)}: "
                                 "use arithmetic and element-wise jnp functions of x.")


def evaluate(closed, x, eps=None):
    """Run the jaxpr equation by equation with each primitive's bind; return every node's value.

    With eps (one entry per node), eps[i] is added to node i's output: jax.grad with respect
    to eps at zero is then the adjoint of every node."""
    from jax.extend.core import Literal

    jaxpr = closed.jaxpr
    env = {}
    values = []

    def read(v):
        return v.val if isinstance(v, Literal) else env[v]

    value = x if eps is None else x + eps[0]
    env[jaxpr.invars[0]] = value
    values.append(value)
    for i, eqn in enumerate(jaxpr.eqns, start=1):
        out = eqn.primitive.bind(*[read(v) for v in eqn.invars], **eqn.params)
        if eps is not None:
            out = out + eps[i]
        env[eqn.outvars[0]] = out
        values.append(out)
    return values


def edge_contributions(closed, values, adjoints, edges):
    """What each edge sends back: jax.vjp of its equation's primitive, at the node's adjoint."""
    import jax
    from jax.extend.core import Literal

    jaxpr = closed.jaxpr
    by_eqn: dict[int, list[dict]] = {}
    for e in edges:
        by_eqn.setdefault(e["to"], []).append(e)
    out = {}
    node_of = {jaxpr.invars[0]: 0}
    for j, eqn in enumerate(jaxpr.eqns, start=1):
        var_positions = [p for p, v in enumerate(eqn.invars) if not isinstance(v, Literal)]

        def prim(*args, eqn=eqn, var_positions=var_positions):
            full = [v.val if isinstance(v, Literal) else None for v in eqn.invars]
            for p, a in zip(var_positions, args):
                full[p] = a
            return eqn.primitive.bind(*full, **eqn.params)

        primals = [values[node_of[eqn.invars[p]]] for p in var_positions]
        _, vjp_fn = jax.vjp(prim, *primals)
        cotangents = vjp_fn(adjoints[j])
        for p, ct in zip(var_positions, cotangents):
            out[(j, p)] = ct
        node_of[eqn.outvars[0]] = j
    return [out[(e["to"], e["operand"])] for e in edges]


def bake_preset(preset_id: str, source: str, label: str) -> dict:
    import jax
    import jax.numpy as jnp
    import numpy as np

    f = make_function(source)
    x0 = np.float32(INITIAL_X)
    closed = jax.make_jaxpr(f)(x0)
    check_drawable(closed)
    nodes, edges = describe_graph(closed)
    offsets = np.asarray(BATCH_OFFSETS, dtype=np.float32)
    batched = jax.make_jaxpr(jax.vmap(f))(x0 + offsets)
    bnodes, bedges = describe_graph(batched)
    if [n["primitive"] for n in bnodes] != [n["primitive"] for n in nodes] or bedges != edges:
        raise GraphError("vmap changes this function's graph (the drawing shows both on one layout): "
                         "use element-wise operations on x only.")
    for n, b in zip(nodes, bnodes):
        n["vmap_aval"] = b["aval"]
        n["vmap_equation"] = b["equation"]

    def with_eps(eps, x):
        return evaluate(closed, x, eps)[-1]

    adjoint_fn = jax.grad(with_eps)
    points = []
    for gx in GRID:
        x = np.float32(gx)
        values = evaluate(closed, jnp.asarray(x))
        adjoints = adjoint_fn(jnp.zeros(len(nodes), dtype=jnp.float32), jnp.asarray(x))
        contributions = edge_contributions(closed, values, list(adjoints), edges)
        xs = x + offsets
        bvalues = evaluate(batched, jnp.asarray(xs))
        points.append({
            "x": number(x),
            "values": [number(v) for v in values],
            "adjoints": [number(a) for a in adjoints],
            "edge_adjoints": [number(c) for c in contributions],
            "f": number(f(jnp.asarray(x))),
            "dfdx": number(jax.grad(f)(x)),
            "batch_x": [number(v) for v in xs],
            "batch_values": [[number(v) for v in np.asarray(bv)] for bv in bvalues],
            "vmap_f": [number(v) for v in np.asarray(jax.vmap(f)(xs))],
        })
    return {
        "id": preset_id,
        "source": source,
        "python": f"def f(x):\n    return {source}",
        "label": label,
        "jaxpr": str(closed),
        "grad_jaxpr": str(jax.make_jaxpr(jax.grad(f))(x0)),
        "vmap_jaxpr": str(batched),
        "eval_shape": str(jax.eval_shape(f, x0)),
        "nodes": nodes,
        "edges": edges,
        "points": points,
    }


def bake() -> dict:
    import numpy as np

    grid = [float(np.float32(g)) for g in GRID]
    return {
        "grid": grid,
        "initial_index": grid.index(INITIAL_X),
        "batch_offsets": [float(o) for o in BATCH_OFFSETS],
        "presets": [bake_preset(*p) for p in PRESETS],
    }


def trace_reader_function(source: str) -> dict:
    """A reader's f(x) = <expression>, traced as a preset is baked (here under jaxlite).
    GraphError says, for the reader, what is wrong with the expression."""
    source = " ".join(source.split())
    if not source:
        raise GraphError("Type an expression in x, for example jnp.cos(x) * x.")
    if len(source) > MAX_SOURCE:
        raise GraphError(f"That expression has {len(source)} characters; keep it under {MAX_SOURCE}.")
    try:
        ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise GraphError(f"That is not a Python expression ({exc.msg}). Write the right-hand side of "
                         "f(x) = ..., for example jnp.sin(x) ** 2.") from None
    try:
        with warnings.catch_warnings():  # log(x) is NaN below 0: the drawing shows it; no warning to print
            warnings.simplefilter("ignore")
            return bake_preset("yours", source, source)
    except GraphError:
        raise
    except Exception as exc:  # noqa: BLE001 - the reader's expression failed: say how
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise GraphError(f"{type(exc).__name__}: {message}" if message else type(exc).__name__) from None


def trace_json(source: str) -> str:
    """`trace_reader_function` for the page: {"preset": ...} or {"error": message}, as JSON."""
    try:
        return json.dumps({"preset": trace_reader_function(source)})
    except GraphError as exc:
        return json.dumps({"error": str(exc)})
