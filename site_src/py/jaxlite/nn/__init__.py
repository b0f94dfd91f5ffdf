"""`jax.nn` on jaxlite: activations and the softmax family."""

from __future__ import annotations

import math

from jaxlite import lax, numpy as jnp, _lax as L
from jaxlite._api import jit
from jaxlite._custom_derivatives import custom_jvp as _custom_jvp
from jaxlite.lax import stop_gradient


@_custom_jvp
@jit
def relu(x):
    """max(x, 0), with gradient 0 at 0 (JAX's choice: a custom JVP rule)."""
    return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))


@_custom_jvp
@jit
def relu6(x):
    """min(max(x, 0), 6), with gradient 0 at 0 and at 6."""
    return jnp.minimum(jnp.maximum(x, 0), 6.)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


@jit
def identity(x):
    return jnp.asarray(x)


@jit
def squareplus(x, b=4):
    y = x + jnp.sqrt(jnp.square(x) + b)
    return y / 2


@jit
def softplus(x):
    return jnp.logaddexp(x, 0)


@jit
def sparse_plus(x):
    x = jnp.asarray(x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


@jit
def soft_sign(x):
    x = jnp.asarray(x)
    return x / (jnp.abs(x) + 1)


def sigmoid(x):   # jit(inline=True) in JAX: no jit equation of its own
    return lax.logistic(x)


@jit
def sparse_sigmoid(x):
    return 0.5 * jnp.clip(x + 1.0, 0.0, 2.0)


@jit
def silu(x):
    x = jnp.asarray(x)
    return x * sigmoid(x)


swish = silu


@jit
def mish(x):
    x = jnp.asarray(x)
    return x * jnp.tanh(softplus(x))


@jit
def log_sigmoid(x):
    return -softplus(-jnp.asarray(x))


@jit
def elu(x, alpha=1.0):
    x = jnp.asarray(x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0., x)))


@jit
def leaky_relu(x, negative_slope=1e-2):
    x = jnp.asarray(x)
    return jnp.where(x >= 0, x, negative_slope * x)


@jit
def hard_tanh(x):
    x = jnp.asarray(x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


@jit
def celu(x, alpha=1.0):
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


@jit
def selu(x):
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def gelu(x, approximate=True):
    x = jnp.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(jnp.float32)
    if approximate:
        sqrt_2_over_pi = jnp.asarray(math.sqrt(2 / math.pi), dtype=x.dtype)   # a NumPy scalar in JAX: not weak
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x ** 3))))
        return x * cdf
    sqrt_half = jnp.asarray(math.sqrt(0.5), dtype=x.dtype)
    return jnp.asarray(0.5 * x * (1 + L.erf_p.bind(x * sqrt_half)), dtype=x.dtype)


@jit(static_argnames=("axis",))
def glu(x, axis=-1):
    x = jnp.asarray(x)
    assert x.shape[axis] % 2 == 0, "axis size must be divisible by 2"
    x1, x2 = jnp.split(x, 2, axis)
    return x1 * sigmoid(x2)


@jit
def hard_sigmoid(x):
    return relu6(x + 3.) / 6.


@jit
def hard_silu(x):
    x = jnp.asarray(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@_custom_jvp
@jit
def log1mexp(x):
    """log(1 - exp(-x)), computed stably (x >= 0)."""
    x = jnp.asarray(x)
    c = jnp.log(2.0)
    return jnp.where(x < c, jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


def tanh(x):
    return jnp.tanh(x)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    a = jnp.asarray(a)
    m = stop_gradient(jnp.max(a, axis=axis, keepdims=True))
    m = jnp.where(jnp.isfinite(m), m, 0.0)
    s = jnp.sum(jnp.exp(a - m), axis=axis, keepdims=True)
    out = jnp.log(s) + m
    if not keepdims:
        out = jnp.squeeze(out, axis) if axis is not None else jnp.reshape(out, ())
    return out


def log_softmax(x, axis=-1):
    x = jnp.asarray(x)
    shifted = x - stop_gradient(jnp.max(x, axis=axis, keepdims=True))
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))


def softmax(x, axis=-1):
    x = jnp.asarray(x)
    unnormalized = jnp.exp(x - stop_gradient(jnp.max(x, axis=axis, keepdims=True)))
    return unnormalized / jnp.sum(unnormalized, axis=axis, keepdims=True)


def one_hot(x, num_classes, dtype=None, axis=-1):
    x = jnp.asarray(x)
    dtype = dtype or jnp.float32
    return (x[..., None] == jnp.arange(num_classes)).astype(dtype)


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5):
    mean = jnp.mean(x, axis, keepdims=True) if mean is None else mean
    variance = jnp.var(x, axis, keepdims=True) if variance is None else variance
    return (x - mean) / jnp.sqrt(variance + epsilon)
