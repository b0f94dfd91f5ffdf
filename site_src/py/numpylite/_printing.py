"""`repr` and `str` of NumPy arrays, from jaxlite's copy of NumPy's printing code.

`jaxlite._format` holds NumPy 2's array2string and Dragon4 float printing
(JAX prints through them); here they get NumPy's own frame:
`array([1, 2, 3])`, `dtype=...` only when the dtype is not implied,
`shape=...` for empty and summarized arrays (numpy/_core/arrayprint.py).
"""

from __future__ import annotations

from jaxlite import _format

_IMPLIED = ("float64", "int64", "bool")  # dtype_is_implied: NumPy's default types


def array_repr(arr) -> str:
    values, shape, name = arr._values(), arr.shape, arr.dtype.name
    prefix = "array("
    if not values:
        body = "[]"
    else:
        body = _format._array2string(values, shape, name, ", ", prefix, ")")
    extras = []
    if (not values and shape != (0,)) or len(values) > _format.THRESHOLD:
        extras.append(f"shape={shape}")
    if name not in _IMPLIED or not values:
        extras.append(f"dtype={name}")
    if not extras:
        return prefix + body + ")"
    text = prefix + body + ","
    extra = ", ".join(extras) + ")"
    last_line = len(text) - (text.rfind("\n") + 1)
    spacer = "\n" + " " * len(prefix) if last_line + len(extra) + 1 > _format.LINE_WIDTH else " "
    return text + spacer + extra


def array_str(arr) -> str:
    return _format.array_str(arr._values(), arr.shape, arr.dtype.name)
