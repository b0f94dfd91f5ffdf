"""`jax.nn` on jaxlite: activations and the softmax family."""

from __future__ import annotations

import math

from jaxlite import numpy as jnp, _lax as L
from jaxlite.lax import stop_gradient


def relu(x):
    return jnp.maximum(x, 0.0) if jnp.asarray(x).dtype.kind == "f" else jnp.maximum(x, 0)


def relu6(x):
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


def sigmoid(x):
    return L.logistic_p.bind(*jnp._promote(x, to_float=True))


def softplus(x):
    return jnp.logaddexp(x, 0.0)


def silu(x):
    return x * sigmoid(x)


swish = silu


def gelu(x, approximate=True):
    if approximate:
        c = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + jnp.tanh(c * (x + 0.044715 * (x ** 3))))
    return x * (1 + L.erf_p.bind(*jnp._promote(x / math.sqrt(2), to_float=True))) / 2


def elu(x, alpha=1.0):
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.minimum(x, 0)))


def leaky_relu(x, negative_slope=0.01):
    return jnp.where(x >= 0, x, negative_slope * x)


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
