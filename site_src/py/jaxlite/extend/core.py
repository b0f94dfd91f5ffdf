"""`jax.extend.core`: the types a jaxpr is made of, to read and interpret it."""

from jaxlite._core import ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Primitive, Var  # noqa: F401

__all__ = ["ClosedJaxpr", "Jaxpr", "JaxprEqn", "Literal", "Primitive", "Var"]
