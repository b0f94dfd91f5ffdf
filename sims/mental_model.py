"""Stacking transformations: `jit`, `grad` and `vmap` wrapped around the
chapter's `f(x) = x**3 + 2 * x**2 + x`, in every order, up to three deep —
the bare `f` plus 3 + 9 + 27 stacks, 40 in all (repeats such as
`grad(grad(f))` included). For each stack the bake builds the composed
function with real JAX, calls it on the input it needs — the scalar 2.0 when
there is no `vmap` in the stack, and an array with one axis per `vmap`
(`[0., 1., 2., 3.]`, then 2×2, then 2×2×2) when there is — and records its
output (values, shape, dtype and JAX's own repr) and its jaxpr,
`str(jax.make_jaxpr(composed)(example_input))`. Stacks that JAX rejects
(a `grad` whose function returns a vector) store JAX's real exception type
and message instead. The player only picks the stack the reader built.
"""

import itertools

import jax
import jax.numpy as jnp
import numpy as np

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

TRANSFORMS = ("jit", "grad", "vmap")
MAX_DEPTH = 3
F_SOURCE = "def f(x):\n    return x**3 + 2 * x**2 + x"
F_LABEL = "x³ + 2x² + x"
SCALAR_INPUT = 2.0
# the input for a stack with k vmaps: one mapped axis per vmap
INPUT_CODE = {
    0: "2.0",
    1: "jnp.array([0., 1., 2., 3.])",
    2: "jnp.arange(4.).reshape(2, 2)",
    3: "jnp.arange(8.).reshape(2, 2, 2)",
}


def f(x):
    return x**3 + 2 * x**2 + x


def example_input(vmaps: int):
    """The input the composed function needs: a float32 scalar, or an array with one axis per vmap."""
    if vmaps == 0:
        return jnp.float32(SCALAR_INPUT)
    if vmaps == 1:
        return jnp.array([0.0, 1.0, 2.0, 3.0])
    return jnp.arange(float(2**vmaps)).reshape((2,) * vmaps)


def compose(stack):
    """stack lists the transforms innermost first: ("grad", "vmap") is vmap(grad(f))."""
    g = f
    for name in stack:
        g = getattr(jax, name)(g)
    return g


def call_text(stack, prefix=""):
    text = "f"
    for name in stack:
        text = f"{prefix}{name}({text})"
    return text


def clean_message(exc: BaseException) -> str:
    """str(exc) without JAX's note about filtered traceback frames (kept in __notes__ or appended)."""
    msg = str(exc)
    cut = msg.find("--------------------\nFor simplicity, JAX has removed")
    if cut >= 0:
        msg = msg[:cut]
    return msg.strip()


def nested(values):
    """float32 results as Python floats (nested lists for arrays); non-finite as strings."""
    arr = np.asarray(values, dtype=np.float32)

    def one(v):
        v = np.float32(v)
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return float(str(v))

    if arr.ndim == 0:
        return one(arr)
    return [nested(a) for a in arr]


def bake_one(stack):
    vmaps = stack.count("vmap")
    x = example_input(vmaps)
    g = compose(stack)
    entry = {
        "stack": list(stack),
        "call": call_text(stack),
        "code": call_text(stack, "jax.") + "(x)",
        "input_code": INPUT_CODE[vmaps],
        "input": nested(x),
        "input_type": jax.typeof(x).str_short(short_dtypes=True),
        "input_repr": repr(x),
        "ok": True,
        "output": None,
        "output_type": None,
        "output_repr": None,
        "jaxpr": None,
        "eqn_count": None,
        "error": None,
    }
    try:
        y = g(x)
    except Exception as exc:  # JAX rejects this stack: keep its real error
        entry["ok"] = False
        entry["error"] = {"type": type(exc).__name__, "message": clean_message(exc)}
        return entry
    closed = jax.make_jaxpr(g)(x)
    entry.update({
        "output": nested(y),
        "output_type": jax.typeof(y).str_short(short_dtypes=True),
        "output_repr": repr(y),
        "jaxpr": str(closed),
        "eqn_count": len(closed.jaxpr.eqns),
    })
    return entry


def all_stacks():
    stacks = [()]
    for depth in range(1, MAX_DEPTH + 1):
        stacks.extend(itertools.product(TRANSFORMS, repeat=depth))
    return stacks


def bake() -> dict:
    return {
        "f_source": F_SOURCE,
        "f_label": F_LABEL,
        "transforms": list(TRANSFORMS),
        "max_depth": MAX_DEPTH,
        "compositions": [bake_one(s) for s in all_stacks()],
    }
