"""jaxlite: JAX's core in pure Python, for running the book's code in the browser.

`import jaxlite as jax` gives JAX's own names: jit, grad, vmap, make_jaxpr,
jax.numpy, jax.lax, jax.random, jax.tree, jax.nn. Arrays are small (think
hundreds to a few thousand elements): every operation runs in Python.
Several devices are simulated as XLA simulates them on one CPU (set
`XLA_FLAGS=--xla_force_host_platform_device_count=8` before first use):
meshes, shardings, shard_map, pmap and collectives. What needs XLA (compiled
HLO, timings of compiled code) raises an error that says so.
"""

from __future__ import annotations

from jaxlite import _config
from jaxlite._config import config, enable_x64
from jaxlite import _dtypes, _core, _lax, _ad, _batching, _lax_rules, _indexing  # noqa: F401  (rules register on import)
from jaxlite import tree_util, tree, errors
from jaxlite._array import Array
from jaxlite._api import (ShapeDtypeStruct, block_until_ready, default_backend, device_count, device_put, devices,
                          effects_barrier, eval_shape, grad, hessian, jacfwd, jacobian, jacrev, jit, jvp, linearize,
                          local_device_count, local_devices, make_jaxpr, make_mesh, pmap, shard_map, typeof,
                          value_and_grad, vjp, vmap)
from jaxlite._custom_derivatives import custom_jvp, custom_vjp  # noqa: E402
from jaxlite import numpy, lax, random, nn, debug  # noqa: E402
from jaxlite._core import ShapedArray  # noqa: F401

__version__ = "0.10.2"  # the JAX version whose behaviour jaxlite follows
jaxlite_version = "0.1.0"


def _config_scope(name: str, enabled: bool):
    """A `with` block during which the config option `name` is `enabled`."""
    import contextlib

    @contextlib.contextmanager
    def scope():
        old = _config._state[name]
        _config._state[name] = enabled
        try:
            yield
        finally:
            _config._state[name] = old
    return scope()


def debug_nans(enabled: bool = True):
    """`with jax.debug_nans(True):` — jit-compiled functions check their outputs for NaN."""
    return _config_scope("jax_debug_nans", enabled)


def debug_key_reuse(enabled: bool = True):
    """`with jax.debug_key_reuse(True):` — a PRNG key used twice (to draw,
    split or fold in) raises jax.errors.KeyReuseError."""
    return _config_scope("jax_debug_key_reuse", enabled)


def checkpoint(fun, *args, **kwargs):
    return fun


remat = checkpoint


def named_call(fun, *, name=None):
    return fun


from jaxlite import sharding, experimental, extend  # noqa: E402
from jaxlite.experimental import mesh_utils as _mesh_utils  # noqa: E402


def install_as_jax(with_numpy: bool = True) -> None:
    """Make `import jax` (and its submodules) import jaxlite, as in the browser.
    With `with_numpy`, `import numpy` gives numpylite, the small pure-Python
    NumPy next to jaxlite (the browser has no NumPy)."""
    import sys
    mods = {"jax": sys.modules[__name__], "jax.numpy": numpy, "jax.lax": lax, "jax.random": random,
            "jax.nn": nn, "jax.tree": tree, "jax.tree_util": tree_util, "jax.debug": debug,
            "jax.errors": errors, "jax.numpy.linalg": numpy.linalg, "jax.sharding": sharding,
            "jax.experimental": experimental, "jax.experimental.mesh_utils": _mesh_utils,
            "jax.extend": extend, "jax.extend.core": extend.core}
    sys.modules.update(mods)
    if with_numpy:
        import numpylite
        numpylite.install()
