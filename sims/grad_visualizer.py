"""The tangent line that `jax.grad` draws: for each of seven functions of one
variable — sin²x + 1, a cubic, tanh, a Gaussian bump, and three functions with
a kink at x = 0 (`jax.nn.relu`, `jnp.abs`, `jnp.maximum(x, 0.0)`) — the bake
evaluates, at each of 121 float32 grid points, `f(x)`, `jax.grad(f)(x)` and
`jax.grad(jax.grad(f))(x)`, and records the jaxpr of `jax.grad(f)` as JAX
prints it. The grid goes through `jax.vmap` of those functions run eagerly,
op by op (not under `jit`, whose fusion can change the last bit): the values
are bit for bit what `jax.grad(f)(x)` returns when called at each x, as the
tests check, at a fraction of the cost of 121 separate calls. At the kink it
records what `jax.grad` returns at x = 0 and the slopes just left and right of
it, so the player can say which convention JAX follows for each function. The
player only selects among these values and draws lines through them.
"""

import jax
import jax.numpy as jnp
import numpy as np

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

GRID_POINTS = 121
JAXPR_AT = 1.0  # make_jaxpr traces with a float32 scalar; the jaxpr does not depend on its value

# (id, label, name, code, x range, starting x, kink rule or None). The code string is
# what the player shows, and the baker turns it into the function it bakes.
FUNCTIONS = (
    ("sin2", "sin²x + 1", None, "jnp.sin(x) ** 2 + 1.0", (-3.0, 3.0), 0.5, None),
    ("cubic", "x³ + 2x² + x", None, "x ** 3 + 2 * x ** 2 + x", (-2.2, 0.8), -1.5, None),
    ("tanh", "tanh x", None, "jnp.tanh(x)", (-3.0, 3.0), 0.5, None),
    ("gauss", "exp(−x²)", "Gaussian bump", "jnp.exp(-x ** 2)", (-3.0, 3.0), -1.0, None),
    ("relu", "relu(x)", "jax.nn.relu", "jax.nn.relu(x)", (-3.0, 3.0), -0.5,
     "jax.nn.relu carries its own derivative rule (the custom_jvp_call in the jaxpr below): it lets the slope "
     "through only where x > 0 (the gt), so x = 0 is treated as part of the flat piece."),
    ("abs", "|x|", "jnp.abs", "jnp.abs(x)", (-3.0, 3.0), -0.5,
     "The derivative rule of abs chooses a side with x ≥ 0 (the ge in the jaxpr below), so x = 0 is treated "
     "as part of the rising piece."),
    ("maximum", "max(x, 0)", "jnp.maximum", "jnp.maximum(x, 0.0)", (-3.0, 3.0), -0.5,
     "jnp.maximum shares the gradient equally between its two arguments when they tie (the eq and the div by "
     "2.0 in the jaxpr below): at x = 0, x ties with 0.0, so x gets half of it. Mathematically the same "
     "function as relu, with a different answer at the kink."),
)


def f32(value) -> float:
    """A float32 result as the shortest decimal that reads back as the same float32."""
    v = np.float32(value)
    if not np.isfinite(v):
        raise ValueError(f"non-finite value {v!r}")
    return float(str(v))


def make(code: str):
    return eval("lambda x: " + code, {"jax": jax, "jnp": jnp})  # noqa: S307 - our own constant strings


def grid(lo: float, hi: float) -> list[np.float32]:
    step = (hi - lo) / (GRID_POINTS - 1)
    return [np.float32(round(lo + i * step, 10)) for i in range(GRID_POINTS)]


def bake_one(fid, label, name, code, span, start_x, rule):
    f = make(code)
    df = jax.grad(f)
    d2f = jax.grad(df)
    xs = jnp.asarray(np.array(grid(*span), dtype=np.float32))
    fx = [f32(v) for v in np.asarray(jax.vmap(f)(xs))]
    dfx = [f32(v) for v in np.asarray(jax.vmap(df)(xs))]
    d2fx = [f32(v) for v in np.asarray(jax.vmap(d2f)(xs))]
    x_values = [f32(x) for x in np.asarray(xs)]
    entry = {
        "id": fid,
        "label": label,
        "name": name,
        "code": code,
        "x": x_values,
        "f": fx,
        "df": dfx,
        "d2f": d2fx,
        "start": x_values.index(start_x),
        "jaxpr": str(jax.make_jaxpr(df)(JAXPR_AT)),
        "kink": None,
    }
    if rule is not None:
        k = x_values.index(0.0)
        at, left, right = dfx[k], dfx[k - 1], dfx[k + 1]
        if at == left and at != right:
            side = "left"
        elif at == right and at != left:
            side = "right"
        elif at == f32((np.float32(left) + np.float32(right)) / np.float32(2)):
            side = "average"
        else:
            side = "other"
        entry["kink"] = {"index": k, "x": x_values[k], "grad": at, "grad2": d2fx[k],
                         "left": left, "right": right, "side": side, "rule": rule}
    return entry


def bake() -> dict:
    return {
        "grid_points": GRID_POINTS,
        "jaxpr_call": f"jax.make_jaxpr(jax.grad(f))({JAXPR_AT})",
        "functions": [bake_one(*spec) for spec in FUNCTIONS],
    }
