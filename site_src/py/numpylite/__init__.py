"""numpylite: a small NumPy in pure Python, for the book's NumPy cells in the browser.

Python in the browser (Pyodide, as this site ships it) has no NumPy, and the
book compares JAX with NumPy: mutable arrays, float64 defaults, NumPy's type
promotion, its global random generator. `jaxlite.install_as_jax()` installs
this package as `numpy`, so those cells run and print what NumPy 2 prints:
`ndarray` (mutable, with views), NumPy's scalars, dtypes and promotion,
broadcasting ufuncs and reductions, `np.random`'s legacy MT19937 generator.
Arrays are small: every element is a Python number.

What it does not have raises `NotInNumpylite`, which says so and where the
page's output came from (real NumPy, when the site was built).
"""

from __future__ import annotations

import math as _math
import sys as _sys

from numpylite import _dtypes, exceptions, random
from numpylite._scalars import (bool_, float16, float32, float64, floating, generic, inexact, int8, int16, int32,
                                int64, integer, number, signedinteger, uint8, uint16, uint32, uint64,
                                unsignedinteger, True_, False_)
from numpylite._ndarray import ndarray, array, asarray
from numpylite._ufuncs import (FLOAT_UFUNCS, ufunc, add, subtract, multiply, divide, true_divide, floor_divide,
                               remainder, mod, power, maximum, minimum, arctan2, hypot, less, less_equal, greater,
                               greater_equal, equal, not_equal, logical_and, logical_or, logical_xor, bitwise_and,
                               bitwise_or, bitwise_xor, negative, positive, absolute, sign, square, reciprocal,
                               invert, bitwise_not, floor, ceil, trunc, rint, isnan, isinf, isfinite, signbit,
                               logical_not, sum, prod, max, min, amax, amin, argmax, argmin, any, all, mean, var,
                               std, cumsum, matmul, dot, clip, round, around)
from numpylite._functions import (allclose, arange, argsort, array_equal, broadcast_to, concatenate, copy, empty,
                                  empty_like, expand_dims, eye, full, full_like, hstack, identity, isclose, linspace,
                                  ndim, nonzero, ones, ones_like, outer, promote_types, ravel, reshape, result_type,
                                  shape, size, sort, squeeze, stack, swapaxes, transpose, vstack, where, zeros,
                                  zeros_like)

__version__ = "2.4.6"  # the NumPy whose behaviour numpylite follows
globals().update(FLOAT_UFUNCS)
abs = absolute
bool = bool_
float_, int_, double, single, half = float64, int64, float64, float32, float16
asanyarray = ascontiguousarray = asarray
pi, e, inf, nan, newaxis = _math.pi, _math.e, _math.inf, _math.nan, None


def dtype(x):
    """`np.dtype(x)`: the dtype named by `x` (a name, a scalar type, a Python type)."""
    return _dtypes.dtype(x)


def issubdtype(arg1, arg2) -> bool:
    """Is `arg1`'s dtype `arg2`, or of the abstract kind `arg2` (np.floating, np.integer, ...)?"""
    from numpylite._scalars import SCALAR_TYPES
    kind = SCALAR_TYPES[_dtypes.dtype(arg1).name]
    if isinstance(arg2, type) and issubclass(arg2, generic):
        return issubclass(kind, arg2)
    return kind is SCALAR_TYPES[_dtypes.dtype(arg2).name]


def isscalar(x) -> bool:
    return isinstance(x, (generic, int, float, complex, str, bytes))


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise exceptions.NotInNumpylite(
        f"numpy.{name} is not in the small NumPy that runs this page's code in your browser (numpylite): it has "
        "NumPy's arrays, dtypes, arithmetic, math functions, reductions and np.random's legacy generator, but not "
        f"all of NumPy. The output shown under the cell came from real NumPy and JAX when the page was built; "
        "to run this yourself, install NumPy and JAX (`pip install jax`) and use a notebook.")


def install() -> None:
    """Make `import numpy` (and numpy.random, numpy.exceptions) import numpylite."""
    package = _sys.modules[__name__]
    for name, module in (("numpy", package), ("numpy.random", random), ("numpy.exceptions", exceptions)):
        module.__name__ = name
        _sys.modules[name] = module
