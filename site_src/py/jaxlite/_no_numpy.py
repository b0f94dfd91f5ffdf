"""What `import numpy` gives in the browser: NumPy cannot be loaded there, so
every use of it says so (instead of the import failing and taking the rest
of the cell's imports with it)."""

from __future__ import annotations

import types


class NumPyNotAvailable(ModuleNotFoundError):
    pass


class _Placeholder(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise NumPyNotAvailable(
            f"numpy.{name}: NumPy is not available in the browser, so this cell cannot run here. "
            "The output shown under it came from real NumPy and JAX when the page was built; "
            "use jax.numpy (jnp) instead, or run the page's notebook in Jupyter.")


def module() -> types.ModuleType:
    return _Placeholder("numpy")
