"""`jax.sharding`: meshes, partition specs and shardings (see _sharding.py)."""

from jaxlite._sharding import (AbstractMesh, AxisType, Infer, Mesh, NamedSharding, PartitionSpec, Sharding,
                               SingleDeviceSharding)

__all__ = ["AbstractMesh", "AxisType", "Infer", "Mesh", "NamedSharding", "PartitionSpec", "Sharding",
           "SingleDeviceSharding"]
