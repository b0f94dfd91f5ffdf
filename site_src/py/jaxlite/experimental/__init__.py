"""`jax.experimental`: only `mesh_utils` is here; the rest needs real JAX."""

from jaxlite import errors
from jaxlite.experimental import mesh_utils


def __getattr__(name):
    raise errors.not_available(f"jax.experimental.{name}")
