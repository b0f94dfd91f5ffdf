"""Run one page's cells in a fresh interpreter, notebook-style.

Started by `sitebuild.execute` as `python -m sitebuild.kernel`, one process
per page, so pages never see each other's state and the device count (set
through XLA_FLAGS by the parent before JAX is imported) is per page.

Protocol: a JSON list of cells ({"source", "raises"}) on stdin; one line per
finished cell on stdout, prefixed with MARK so stray output written straight
to file descriptor 1 by native code cannot be mistaken for a result.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import sys
import traceback

MARK = "\x1etij-cell "
META = "\x1etij-meta "


def run_cell(source: str, index: int, namespace: dict) -> dict:
    """Execute one cell; return its stdout, stderr, displayed value and error."""
    filename = f"<cell {index + 1}>"
    out, err = io.StringIO(), io.StringIO()
    result = {"stdout": "", "stderr": "", "value": None, "error": None}
    try:
        tree = ast.parse(source, filename)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if last is not None and source.rstrip().endswith(";"):  # Jupyter's "run, don't display"
            tree.body.append(last)
            last = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
                if value is not None:
                    result["value"] = repr(value)
            _wait_for_jax_effects()
    except BaseException as exc:  # noqa: BLE001 - the cell's exception is the result
        if isinstance(exc, KeyboardInterrupt):
            raise
        result["error"] = {
            "type": type(exc).__name__,
            "mro": [cls.__name__ for cls in type(exc).__mro__],
            "message": str(exc),
            "display": _display(exc),
            "traceback": _cell_traceback(exc),
        }
    result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()
    return result


def _wait_for_jax_effects() -> None:
    """`jax.debug.print` and other callbacks may run after the cell's last
    line returns; wait for them so their output belongs to this cell."""
    jax = sys.modules.get("jax")
    if jax is not None:
        jax.effects_barrier()


def _display(exc: BaseException) -> str:
    """`module.Type: message`, as Python prints it, without notes that JAX adds
    about its traceback filtering (they speak of frames the page never shows)."""
    cls = type(exc)
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    message = str(exc)
    return f"{name}: {message}" if message else name


def _cell_traceback(exc: BaseException) -> str:
    """The traceback from the first frame inside a cell on (the kernel's own
    frames say nothing to an author)."""
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith("<cell"):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def main() -> None:
    cells = json.load(sys.stdin)
    protocol = sys.stdout
    namespace = {"__name__": "__main__"}
    for index, cell in enumerate(cells):
        result = run_cell(cell["source"], index, namespace)
        protocol.write(MARK + json.dumps(result) + "\n")
        protocol.flush()
        if result["error"] and not cell.get("raises"):
            break  # later cells depend on this one; the build fails anyway
    protocol.write(META + json.dumps(_machine()) + "\n")


def _machine() -> dict:
    """Where the cells ran, for the label under each output."""
    jax = sys.modules.get("jax")
    if jax is None:
        return {"backend": None, "device_kind": None, "device_count": 0}
    devices = jax.devices()
    return {"backend": jax.default_backend(), "device_kind": devices[0].device_kind, "device_count": len(devices)}


if __name__ == "__main__":
    main()
