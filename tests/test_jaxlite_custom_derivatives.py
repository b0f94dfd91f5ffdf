"""jaxlite's jax.custom_jvp and jax.custom_vjp (site_src/py/jaxlite/_custom_derivatives.py)
and the jax.nn activations defined with them, checked against real JAX in the same process.

Each case is one small program written once against a namespace `J` (J.jax,
J.jnp, J.lax, J.SymbolicZero, J.partial) and run twice: on real JAX and on
jaxlite. Printed jaxprs and error messages must be the same text; values the
same to float32 round-off.
"""

from __future__ import annotations

import functools
import sys
import types
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax
from jax.custom_derivatives import SymbolicZero

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_src" / "py"))

import jaxlite  # noqa: E402
import jaxlite.lax as llax  # noqa: E402
import jaxlite.numpy as ljnp  # noqa: E402
from jaxlite._custom_derivatives import SymbolicZero as LSymbolicZero  # noqa: E402

REAL = types.SimpleNamespace(jax=jax, jnp=jnp, lax=lax, SymbolicZero=SymbolicZero, partial=functools.partial)
LITE = types.SimpleNamespace(jax=jaxlite, jnp=ljnp, lax=llax, SymbolicZero=LSymbolicZero, partial=functools.partial)


def run(program):
    """What `program(J)` gives, as comparable plain data: text for jaxprs and
    errors, float64 NumPy for arrays (recursively through tuples, lists, dicts)."""
    def plain(x):
        if isinstance(x, (tuple, list)):
            return type(x)(plain(v) for v in x)
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, (str, bool)):
            return x
        if hasattr(x, "eqns"):
            return str(x)
        return np.asarray(x.tolist() if hasattr(x, "tolist") else x, dtype=np.float64)
    try:
        return plain(program())
    except Exception as e:   # the error is the result: its type and first line
        return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def check(case):
    real, lite = run(lambda: case(REAL)), run(lambda: case(LITE))
    _assert_same(lite, real)


def _assert_same(lite, real):
    if isinstance(real, str) or isinstance(lite, str):
        assert lite == real
    elif isinstance(real, (tuple, list)):
        assert type(lite) is type(real) and len(lite) == len(real)
        for a, b in zip(lite, real):
            _assert_same(a, b)
    elif isinstance(real, dict):
        assert lite.keys() == real.keys()
        for k in real:
            _assert_same(lite[k], real[k])
    else:
        assert lite.shape == real.shape
        np.testing.assert_allclose(lite, real, rtol=2e-6, atol=1e-6)


CASES: dict = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


# ------------------------------------------------------------- user rules
def _f(J):
    """The custom_jvp example of JAX's docstring: sin(x) * y."""
    @J.jax.custom_jvp
    def f(x, y):
        return J.jnp.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        x, y = primals
        x_dot, y_dot = tangents
        return f(x, y), J.jnp.cos(x) * x_dot * y + J.jnp.sin(x) * y_dot
    return f


def _log1pexp(J):
    """The tutorial's numerically safe log(1 + exp(x))."""
    @J.jax.custom_jvp
    def log1pexp(x):
        return J.jnp.log(1. + J.jnp.exp(x))

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        x, = primals
        x_dot, = tangents
        ans = log1pexp(x)
        return ans, (1 - 1 / (1 + J.jnp.exp(x))) * x_dot
    return log1pexp


def _clip_gradient(J):
    """The tutorial's clip_gradient: identity forward, clipped cotangent backward."""
    @J.partial(J.jax.custom_vjp, nondiff_argnums=(0, 1))
    def clip_gradient(lo, hi, x):
        return x

    def clip_gradient_fwd(lo, hi, x):
        return x, None

    def clip_gradient_bwd(lo, hi, _, g):
        return (J.jnp.clip(g, lo, hi),)
    clip_gradient.defvjp(clip_gradient_fwd, clip_gradient_bwd)
    return clip_gradient


def _g(J):
    """A custom_vjp sin whose bwd rule scales the cotangent by cos(x)."""
    @J.jax.custom_vjp
    def g(x):
        return J.jnp.sin(x)

    def g_fwd(x):
        return g(x), J.jnp.cos(x)

    def g_bwd(cos_x, ct):
        return (3.0 * cos_x * ct,)
    g.defvjp(g_fwd, g_bwd)
    return g


@case
def custom_jvp_values_and_derivatives(J):
    f, jax = _f(J), J.jax
    x, y = J.jnp.float32(1.0), J.jnp.float32(2.0)
    xs = J.jnp.array([0.5, 1.0, 2.0])
    return (f(x, y), jax.grad(f)(x, y), jax.grad(f, argnums=(0, 1))(x, y), jax.jvp(f, (x, y), (1.0, 0.5)),
            jax.jit(jax.grad(f))(x, y), jax.vmap(f)(xs, xs), jax.vmap(jax.grad(f))(xs, xs),
            jax.grad(lambda v: jax.vmap(f)(v, v).sum())(xs), jax.jacfwd(f)(x, y), jax.hessian(f)(x, y))


@case
def custom_jvp_jaxprs(J):
    f, jax = _f(J), J.jax
    ones = J.jnp.ones(3)
    return (jax.make_jaxpr(f)(1.0, 2.0), jax.make_jaxpr(jax.grad(f))(1.0, 2.0), jax.make_jaxpr(jax.jit(f))(1.0, 2.0),
            jax.make_jaxpr(jax.vmap(f))(ones, ones), jax.make_jaxpr(lambda x, y: jax.jvp(f, (x, y), (x, y)))(1.0, 2.0))


@case
def safe_log1pexp_has_a_finite_gradient_where_autodiff_gives_nan(J):
    log1pexp, jax = _log1pexp(J), J.jax
    xs = J.jnp.array([0., 2., 10., 100.])
    return (log1pexp(3.), jax.grad(log1pexp)(100.), jax.jit(jax.grad(log1pexp))(3.),
            jax.vmap(jax.jit(jax.grad(log1pexp)))(xs), jax.grad(jax.grad(log1pexp))(1.),
            jax.make_jaxpr(jax.grad(log1pexp))(3.))


@case
def custom_jvp_defjvps(J):
    @J.jax.custom_jvp
    def f(x, y):
        return J.jnp.sin(x) * y
    f.defjvps(lambda x_dot, primal_out, x, y: J.jnp.cos(x) * x_dot * y,
              lambda y_dot, primal_out, x, y: J.jnp.sin(x) * y_dot)
    return J.jax.value_and_grad(f, argnums=(0, 1))(1.0, 2.0), J.jax.make_jaxpr(J.jax.grad(f, argnums=1))(1.0, 2.0)


@case
def custom_jvp_with_a_function_argument_in_nondiff_argnums(J):
    @J.partial(J.jax.custom_jvp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    @app.defjvp
    def app_jvp(f, primals, tangents):
        x, = primals
        x_dot, = tangents
        return f(x), 2. * x_dot
    return app(lambda x: x ** 3, 3.), J.jax.grad(app, 1)(lambda x: x ** 3, 3.)


@case
def custom_jvp_on_pytrees(J):
    @J.jax.custom_jvp
    def f(p):
        return {"s": p["a"] * p["b"]}, p["a"] + 1.0

    @f.defjvp
    def f_jvp(primals, tangents):
        (p,), (t,) = primals, tangents
        return f(p), ({"s": t["a"] * p["b"] + p["a"] * t["b"]}, 10.0 * t["a"])
    p = {"a": J.jnp.float32(2.0), "b": J.jnp.float32(3.0)}
    return J.jax.grad(lambda p: f(p)[0]["s"] + f(p)[1])(p), J.jax.make_jaxpr(f)(p)


@case
def custom_jvp_closing_over_a_traced_value(J):
    def outer(w, x):
        @J.jax.custom_jvp
        def h(x):
            return x * w

        @h.defjvp
        def h_jvp(primals, tangents):
            return h(primals[0]), tangents[0] * 2.0
        return h(x)
    return J.jax.make_jaxpr(outer)(1.0, 2.0), J.jax.grad(outer, 1)(3.0, 2.0)


@case
def custom_jvp_symbolic_zeros(J):
    @J.jax.custom_jvp
    def f(x, y):
        return x * y

    def f_jvp(primals, tangents):
        (x, y), (x_dot, y_dot) = primals, tangents
        t = 0.0
        if not isinstance(x_dot, J.SymbolicZero):
            t = t + x_dot * y * 100.0
        if not isinstance(y_dot, J.SymbolicZero):
            t = t + y_dot * x
        return x * y, t
    f.defjvp(f_jvp, symbolic_zeros=True)
    return J.jax.grad(f)(2.0, 3.0), J.jax.grad(f, 1)(2.0, 3.0), J.jax.jit(J.jax.grad(f))(2.0, 3.0)


@case
def custom_jvp_errors(J):
    @J.jax.custom_jvp
    def no_rule(x):
        return x

    @J.jax.custom_jvp
    def bad_shape(x):
        return x

    @bad_shape.defjvp
    def bad_shape_jvp(primals, tangents):
        return primals[0], J.jnp.ones(3)

    @J.jax.custom_jvp
    def not_a_pair(x):
        return x

    @not_a_pair.defjvp
    def not_a_pair_jvp(primals, tangents):
        return primals[0]
    return (run(lambda: no_rule(1.0)), run(lambda: J.jax.grad(bad_shape)(1.0)),
            run(lambda: J.jax.grad(not_a_pair)(1.0)), run(lambda: no_rule(1.0, z=2)))


@case
def custom_vjp_values_and_gradients(J):
    g, jax = _g(J), J.jax
    xs = J.jnp.array([0.0, 0.5, 1.0])
    return (g(1.0), jax.grad(g)(1.0), jax.jit(jax.grad(g))(1.0), jax.vmap(jax.grad(g))(xs),
            jax.grad(lambda v: jax.vmap(g)(v).sum())(xs), jax.grad(lambda v: jax.jit(jax.vmap(g))(v).sum())(xs),
            jax.value_and_grad(lambda x: g(g(x)))(0.5), jax.vjp(g, 2.0)[1](1.0))


@case
def custom_vjp_jaxprs(J):
    g, jax = _g(J), J.jax
    return (jax.make_jaxpr(g)(1.0), jax.make_jaxpr(jax.grad(g))(1.0), jax.make_jaxpr(jax.vmap(g))(J.jnp.ones(3)),
            jax.make_jaxpr(jax.jit(g))(1.0))


@case
def clip_gradient_clips_the_cotangent(J):
    clip_gradient, jax = _clip_gradient(J), J.jax

    def f(x):
        return clip_gradient(-0.75, 0.75, J.jnp.sin(x) * 4.0)
    xs = J.jnp.array([0.0, 0.1, 1.0, 2.0])
    return f(1.0), jax.grad(f)(0.1), jax.vmap(jax.grad(f))(xs), jax.jit(jax.vmap(jax.grad(f)))(xs)


@case
def custom_vjp_on_pytrees_with_none_cotangents(J):
    @J.jax.custom_vjp
    def f(p, scale):
        return {"y": p[0] * p[1] * scale}

    def f_fwd(p, scale):
        return f(p, scale), (p, scale)

    def f_bwd(res, ct):
        (a, b), scale = res
        return ((ct["y"] * b * scale, ct["y"] * a * scale), None)
    f.defvjp(f_fwd, f_bwd)
    return J.jax.grad(lambda p, s: f(p, s)["y"], argnums=(0, 1))((2.0, 3.0), 5.0)


@case
def custom_vjp_errors(J):
    g, jax = _g(J), J.jax

    @J.jax.custom_vjp
    def no_rule(x):
        return x

    @J.jax.custom_vjp
    def bad_bwd(x):
        return x
    bad_bwd.defvjp(lambda x: (x, None), lambda res, g: g)
    clip_gradient = _clip_gradient(J)
    return (run(lambda: jax.jvp(g, (1.0,), (1.0,))), run(lambda: jax.jacfwd(g)(J.jnp.ones(2))),
            run(lambda: no_rule(1.0)), run(lambda: jax.grad(bad_bwd)(1.0)),
            run(lambda: jax.grad(lambda x: clip_gradient(x, 1.0, x))(1.0)))


@case
def custom_vjp_symbolic_zeros(J):
    @J.jax.custom_vjp
    def f(x, y):
        return x * y

    def f_fwd(x, y):
        return f(x.value, y.value), (x.value, y.value, x.perturbed, y.perturbed)

    def f_bwd(res, ct):
        x, y, x_p, y_p = res
        return (ct * y if x_p else None, ct * x if y_p else None)
    f.defvjp(f_fwd, f_bwd, symbolic_zeros=True)
    return J.jax.grad(f)(2.0, 3.0), J.jax.grad(f, (0, 1))(2.0, 3.0)


# ----------------------------------------------------------------- jax.nn
ACTIVATIONS = ["relu", "relu6", "sigmoid", "silu", "gelu", "elu", "leaky_relu", "softplus"]
KINKS = [-7.0, -1.0, 0.0, 1e-3, 0.5, 6.0, 7.0]


@case
def relu_and_relu6_gradients_at_their_kinks(J):
    jax, nn = J.jax, J.jax.nn
    xs = J.jnp.array(KINKS)
    return (jax.grad(nn.relu)(0.), jax.grad(nn.relu6)(0.), jax.grad(nn.relu6)(6.),
            jax.vmap(jax.grad(nn.relu))(xs), jax.vmap(jax.grad(nn.relu6))(xs), jax.jit(jax.grad(nn.relu))(0.),
            jax.grad(lambda v: nn.relu(v).sum())(xs), jax.grad(jax.grad(nn.relu))(1.),
            jax.jvp(nn.relu, (xs,), (J.jnp.ones(len(KINKS)),)), nn.relu(J.jnp.arange(-2, 3)))


@case
def relu_jaxprs(J):
    jax, nn = J.jax, J.jax.nn
    return (jax.make_jaxpr(nn.relu)(1.0), jax.make_jaxpr(jax.grad(nn.relu))(1.0),
            jax.make_jaxpr(nn.relu)(J.jnp.arange(3)), jax.make_jaxpr(nn.relu6)(1.0),
            jax.make_jaxpr(jax.vmap(nn.relu))(J.jnp.ones(3)),
            jax.make_jaxpr(jax.grad(lambda v: nn.relu6(v).sum()))(J.jnp.ones(2)))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_and_gradients_match_jax(name):
    def program(J):
        fn = getattr(J.jax.nn, name)
        xs = J.jnp.array(KINKS)
        return fn(xs), J.jax.vmap(J.jax.grad(fn))(xs), J.jax.jit(fn)(xs)
    check(program)


@pytest.mark.parametrize("name", ["relu", "relu6", "sigmoid", "silu", "softplus", "elu"])
def test_activation_jaxpr_matches_jax(name):
    check(lambda J: J.jax.make_jaxpr(getattr(J.jax.nn, name))(1.0))


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_matches_jax(name):
    check(CASES[name])
