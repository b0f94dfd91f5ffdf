"""`numpy.exceptions`: the errors NumPy raises under names of its own."""


class AxisError(ValueError, IndexError):
    """An axis out of range for the array (`np.exceptions.AxisError`)."""


class UFuncTypeError(TypeError):
    """A ufunc that has no loop for these dtypes, or cannot cast its result where asked."""


class NotInNumpylite(AttributeError):
    """A NumPy feature that this small NumPy for the browser does not have."""


AxisError.__module__ = "numpy.exceptions"
