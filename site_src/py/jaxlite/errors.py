"""JAX's error types, with the same names (as `jax.errors`)."""


class JAXTypeError(TypeError):
    pass


class ConcretizationTypeError(TypeError):
    pass


class TracerBoolConversionError(ConcretizationTypeError):
    pass


class TracerIntegerConversionError(TypeError):
    pass


class TracerArrayConversionError(TypeError):
    pass


class NonConcreteBooleanIndexError(IndexError):
    pass


class UnexpectedTracerError(Exception):
    pass


class KeyReuseError(JAXTypeError):
    pass


class NotAvailableInBrowser(NotImplementedError):
    """A feature that needs real JAX (XLA, several devices...): jaxlite cannot
    run it, and says so instead of pretending."""


def not_available(feature: str, why: str = "") -> NotAvailableInBrowser:
    detail = f" {why}" if why else ""
    return NotAvailableInBrowser(
        f"{feature} is not available in the browser: this page runs your code on jaxlite, a small "
        f"pure-Python JAX, not on XLA.{detail} The output shown under the cell came from real JAX "
        "when the page was built; to run this yourself, install JAX (`pip install jax`) and use a notebook.")
