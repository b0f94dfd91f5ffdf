"""`jax.debug.print`: printing at run time, not trace time (a primitive that
stays in the jaxpr and prints when the program runs)."""

from __future__ import annotations

import sys

from jaxlite import _core as core
from jaxlite._core import Primitive
from jaxlite import tree_util as tu

debug_print_p = Primitive("debug_print", multiple_results=True)


def _impl(*args, fmt, in_tree, **_):
    # JAX hands the callback plain (strongly typed) arrays, whatever the tracing saw
    from jaxlite._array import ArrayImpl, to_array
    args = [ArrayImpl(a.data, a.shape, a.dtype, False) for a in map(to_array, args)]
    a, k = tu.tree_unflatten(in_tree, list(args))
    sys.stdout.write(fmt.format(*a, **k) + "\n")
    return []


core.impl_rules[debug_print_p] = _impl
core.abstract_eval_rules[debug_print_p] = lambda *avals, **params: []


def _jvp(primals, tangents, **params):
    debug_print_p.bind(*primals, **params)
    return [], []


core.jvp_rules[debug_print_p] = _jvp


def _batch(vals, dims, **params):
    from jaxlite import _batching as b
    size = next(core.get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    vals = [b.batch_at(v, d, size, 0) for v, d in zip(vals, dims)]
    debug_print_p.bind(*vals, **params)
    return [], []


core.batch_rules[debug_print_p] = _batch
core.transpose_rules[debug_print_p] = lambda cts, *args, **params: [None] * len(args)


def print(fmt: str, *args, ordered: bool = False, **kwargs):  # noqa: A001 - JAX's name
    leaves, in_tree = tu.tree_flatten((args, kwargs))
    debug_print_p.bind(*leaves, fmt=fmt, in_tree=in_tree, ordered=ordered)


_NP_PRINTOPTIONS = (("edgeitems", 3), ("threshold", 1000), ("floatmode", "maxprec"), ("precision", 8),
                    ("suppress", False), ("linewidth", 75), ("nanstr", "nan"), ("infstr", "inf"), ("sign", "-"),
                    ("formatter", None), ("legacy", False), ("override_repr", None))


def _pp(eqn, ctx):
    p = eqn.params
    return [("fmt", p["fmt"]), ("has_placeholders", "{" in p["fmt"]), ("in_tree", p["in_tree"]),
            ("logging_record", None), ("np_printoptions", _NP_PRINTOPTIONS), ("ordered", p["ordered"]),
            ("partitioned", False), ("static_args", ())]


core.pp_rules[debug_print_p] = _pp


def breakpoint(*a, **k):
    from jaxlite.errors import not_available
    raise not_available("jax.debug.breakpoint")


def callback(fn, *args, **kwargs):
    fn(*args, **kwargs)
