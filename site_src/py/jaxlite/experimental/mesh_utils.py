"""`jax.experimental.mesh_utils`: device grids for `jax.sharding.Mesh`."""

from jaxlite._sharding import create_device_mesh

__all__ = ["create_device_mesh"]
