"""NumPy and jax.numpy side by side: the same operation, two outcomes.

For each operation the reader can pick (in-place assignment, `.at[...].set`,
an out-of-bounds read and write, the default float dtype, asking for float64,
division by zero, int + float promotion, an int8 overflow), the bake runs a
short NumPy snippet and its jax.numpy twin with real NumPy and real JAX, each
in a fresh namespace holding only `np` or `jnp`, and records what really
happened: the repr and dtype of the value of the snippet's last expression (as
a notebook shows it), or the exception's type and message, and every warning
raised meanwhile (category and message, captured with
`warnings.catch_warnings(record=True)` and the "always" filter). The one-line
"what differs" caption is composed from those captured outcomes by comparing
them (exception or not, values, dtypes, warnings); the short "why" under it is
authored text whose claims the tests check against JAX.
"""

from __future__ import annotations

import ast
import warnings

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

# (id, button label, NumPy code, JAX code, why). The code is exactly what runs.
OPERATIONS = (
    ("inplace", "In-place assignment",
     "x = np.array([1, 2, 3])\nx[0] = 99\nx",
     "x = jnp.array([1, 2, 3])\nx[0] = 99\nx",
     "JAX arrays are immutable: a jitted program gets inputs it may not change, so an update "
     "makes a new array instead."),
    ("at-set", ".at[0].set(99)",
     "x = np.array([1, 2, 3])\nx.at[0].set(99)",
     "x = jnp.array([1, 2, 3])\nx.at[0].set(99)",
     "x.at[i].set(v) is JAX's update: it returns a new array and leaves x as it was. "
     "NumPy arrays have no .at attribute."),
    ("oob-read", "Out-of-bounds read",
     "x = np.array([1, 2, 3])\nx[10]",
     "x = jnp.array([1, 2, 3])\nx[10]",
     "A compiled program running on an accelerator cannot raise an error, so JAX clamps the index "
     "into range and reads the last element."),
    ("oob-write", "Out-of-bounds write",
     "x = np.array([1, 2, 3])\nx[10] = 99\nx",
     "x = jnp.array([1, 2, 3])\nx.at[10].set(99)",
     "For the same reason, an update at an index outside the array is dropped: "
     "the array comes back unchanged."),
    ("default-dtype", "Default float dtype",
     "np.array([1.0, 2.0]).dtype",
     "jnp.array([1.0, 2.0]).dtype",
     "JAX defaults to 32-bit floats (fast on accelerators); NumPy defaults to 64-bit."),
    ("float64", "Ask for float64",
     "np.zeros(2, dtype=np.float64)",
     "jnp.zeros(2, dtype=jnp.float64)",
     "Without jax_enable_x64, JAX has no 64-bit types: it warns and gives float32 instead."),
    ("div-zero", "Division by zero",
     "np.array([1., 0.]) / 0",
     "jnp.array([1., 0.]) / 0",
     "Both follow IEEE arithmetic (1/0 = inf, 0/0 = nan), but only NumPy warns: "
     "JAX cannot check values inside a compiled program."),
    ("promotion", "int32 + float32",
     "np.array([1, 2], dtype=np.int32) + np.array([0.5], dtype=np.float32)",
     "jnp.array([1, 2], dtype=jnp.int32) + jnp.array([0.5], dtype=jnp.float32)",
     "NumPy widens to a float that holds every int32 exactly (float64); "
     "JAX's promotion rules keep the float type (float32)."),
    ("int8-overflow", "int8 + 1000",
     "np.array([1, 2], dtype=np.int8) + 1000",
     "jnp.array([1, 2], dtype=jnp.int8) + 1000",
     "NumPy 2 refuses a Python int the dtype cannot hold; JAX converts 1000 to int8 "
     "and wraps around (1001 − 4·256 = −23), silently."),
)


def run_snippet(code: str, namespace: dict) -> dict:
    """Execute `code` like a notebook cell; return what happened, as data.

    The value is that of the last line when it is an expression. Warnings are
    recorded with the "always" filter, so a warning JAX emits once per place is
    captured on every run."""
    import numpy as np

    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = ast.Module(body=tree.body[:-1] if last else tree.body, type_ignores=[])
    ns = dict(namespace)
    outcome = {"code": code, "ok": True, "repr": None, "dtype": None, "exception": None, "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(body, "<snippet>", "exec"), ns)
            value = eval(compile(ast.Expression(last.value), "<snippet>", "eval"), ns) if last else None
            outcome["repr"] = repr(value)
            dtype = getattr(value, "dtype", None)
            # a dtype object has no dtype of its own: say what it is
            outcome["dtype"] = str(dtype) if dtype is not None and not isinstance(value, np.dtype) else None
        except Exception as err:  # the exception is the result we record
            kind = type(err)
            name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
            outcome.update(ok=False, exception={"type": name, "message": str(err)})
    outcome["warnings"] = [{"category": w.category.__name__, "message": str(w.message)} for w in caught]
    return outcome


def _values(code: str, namespace: dict):
    """The snippet's value again, as a NumPy array, for comparing values (None if it raises)."""
    import numpy as np

    tree = ast.parse(code)
    ns = dict(namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(ast.Module(body=tree.body[:-1], type_ignores=[]), "<snippet>", "exec"), ns)
            value = eval(compile(ast.Expression(tree.body[-1].value), "<snippet>", "eval"), ns)
        except Exception:
            return None
    return value if isinstance(value, np.dtype) else np.asarray(value)


def _warned(side: dict) -> str:
    cats = [w["category"] for w in side["warnings"]]
    if not cats:
        return ""
    names = sorted(set(cats), key=cats.index)
    return (f"{len(cats)} " if len(cats) > 1 else "a ") + " and ".join(
        n + ("s" if cats.count(n) > 1 and len(names) == 1 else "") for n in names)


def what_differs(np_side: dict, jx_side: dict, np_value, jx_value) -> str:
    """One line composed from the two captured outcomes."""
    import numpy as np

    parts = []
    if not np_side["ok"] and not jx_side["ok"]:
        a, b = np_side["exception"]["type"], jx_side["exception"]["type"]
        parts.append(f"Both raise {a}." if a == b else f"NumPy raises {a}; JAX raises {b}.")
    elif not np_side["ok"]:
        parts.append(f"NumPy raises {np_side['exception']['type']}; JAX returns {jx_side['repr']}"
                     + (" without an error." if not jx_side["warnings"] else "."))
    elif not jx_side["ok"]:
        parts.append(f"NumPy returns {np_side['repr']}; JAX raises {jx_side['exception']['type']}.")
    else:
        if isinstance(np_value, np.dtype) or isinstance(jx_value, np.dtype):
            same = np_value == jx_value
            parts.append("Same dtype." if same else f"NumPy says {np_value}; JAX says {jx_value}.")
        else:
            same_values = np_value.shape == jx_value.shape and bool(np.array_equal(np_value, jx_value, equal_nan=True))
            if np_side["dtype"] == jx_side["dtype"]:
                parts.append(("Same values, same dtype " if same_values else "Different values, same dtype ")
                             + np_side["dtype"] + ".")
            else:
                parts.append(("Same values" if same_values else "Different values")
                             + f", different dtypes: NumPy {np_side['dtype']}, JAX {jx_side['dtype']}.")
    nw, jw = _warned(np_side), _warned(jx_side)
    if nw and not jw:
        parts.append(f"NumPy emits {nw}; JAX is silent.")
    elif jw and not nw:
        parts.append(f"JAX emits {jw}; NumPy is silent.")
    elif nw and jw:
        parts.append(f"NumPy emits {nw}; JAX emits {jw}.")
    return " ".join(parts)


def bake() -> dict:
    import jax.numpy as jnp
    import numpy as np

    operations = []
    for op_id, label, np_code, jx_code, why in OPERATIONS:
        np_side = run_snippet(np_code, {"np": np})
        jx_side = run_snippet(jx_code, {"jnp": jnp})
        differs = what_differs(np_side, jx_side, _values(np_code, {"np": np}), _values(jx_code, {"jnp": jnp}))
        operations.append({"id": op_id, "label": label, "numpy": np_side, "jax": jx_side,
                           "differs": differs, "why": why})
    return {"numpy_version": np.__version__, "operations": operations}


if __name__ == "__main__":
    import json

    print(json.dumps(bake(), indent=1, ensure_ascii=False))
