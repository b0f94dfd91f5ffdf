"""`jax.extend`: JAX's interfaces for libraries built on its internals. jaxlite
has the part the book uses, `jax.extend.core` (jaxprs, their equations,
variables, literals and primitives)."""

from jaxlite.extend import core  # noqa: F401
