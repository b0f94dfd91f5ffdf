"""Global switches, as `jax.config`: only those jaxlite honours."""

from __future__ import annotations

import contextlib

_state = {"jax_enable_x64": False, "jax_debug_nans": False, "jax_debug_key_reuse": False}


def x64_enabled() -> bool:
    return _state["jax_enable_x64"]


class Config:
    """`jax.config`: `jax.config.update("jax_enable_x64", True)` and reads."""

    def update(self, name: str, value) -> None:
        if name not in _state:
            raise ValueError(f"jaxlite does not support the option {name!r}; the page's output came from real JAX")
        _state[name] = value

    def __getattr__(self, name):
        if name in _state:
            return _state[name]
        raise AttributeError(f"jaxlite has no config option {name!r}")


config = Config()


@contextlib.contextmanager
def enable_x64(new_val: bool = True):
    old = _state["jax_enable_x64"]
    _state["jax_enable_x64"] = bool(new_val)
    try:
        yield
    finally:
        _state["jax_enable_x64"] = old
