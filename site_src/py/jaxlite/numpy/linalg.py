"""`jax.numpy.linalg`: the norms the book uses; the rest say what they are."""

from __future__ import annotations

from jaxlite import numpy as jnp
from jaxlite.errors import not_available


def norm(x, ord=None, axis=None, keepdims=False):
    x = jnp.asarray(x)
    if ord is None or ord == 2 and (axis is not None or x.ndim == 1):
        return jnp.sqrt(jnp.sum(x * x, axis=axis, keepdims=keepdims))
    if ord == 1:
        return jnp.sum(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == jnp.inf:
        return jnp.max(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == "fro":
        return jnp.sqrt(jnp.sum(x * x, axis=axis, keepdims=keepdims))
    raise NotImplementedError(f"jaxlite's jnp.linalg.norm does not support ord={ord!r} yet")


def _missing(name):
    def fn(*args, **kwargs):
        raise not_available(f"jnp.linalg.{name}", "jaxlite does not implement matrix decompositions.")
    fn.__name__ = name
    return fn


for _name in ("eigh", "eigvalsh", "eig", "svd", "qr", "cholesky", "inv", "solve", "det", "slogdet", "pinv", "lstsq"):
    globals()[_name] = _missing(_name)
