"""Run one code cell of a page, notebook-style: the one function behind every
output in the book.

The build runs each page's cells with it on real JAX (`sitebuild.kernel`),
the conformance harness on jaxlite under CPython (`sitebuild.jaxlite_kernel`),
and the reader's browser on jaxlite in Pyodide (`Page`, driven by
site_src/assets/js/runner-worker.js), so all three capture stdout, the
displayed value and errors the same way. Standard library only: in the
browser there is nothing else.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
import traceback

OUTPUT_LIMIT = 20_000  # characters of each output the browser keeps
DEVICE_FLAG = "--xla_force_host_platform_device_count={n}"
_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))  # jaxlite and numpylite live beside this file


def run_cell(source: str, index: int, namespace: dict, on_output=None, limit: int | None = None) -> dict:
    """Execute one cell; return its stdout, stderr, displayed value and error.

    `on_output(stream, text)`, if given, sees stdout and stderr as they are
    written ("stdout" or "stderr"), for a page that shows output while the
    cell runs. With `limit`, each of stdout, stderr and the value keeps its
    first `limit` characters and ends with a note saying how much was cut."""
    filename = f"<cell {index + 1}>"
    out, err = _Capture("stdout", on_output, limit), _Capture("stderr", on_output, limit)
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
                    result["value"] = _truncated(repr(value), limit)
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
    result["stdout"], result["stderr"] = out.text(), err.text()
    return result


class _Capture(io.TextIOBase):
    """A cell's stdout or stderr: kept (up to a limit) and passed on as written."""

    def __init__(self, name: str, on_output, limit: int | None):
        self.name, self.on_output, self.limit = name, on_output, limit
        self.parts, self.kept, self.dropped = [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = len(text) if self.limit is None else max(0, min(len(text), self.limit - self.kept))
        if room:
            self._keep(text[:room])
        self.dropped += len(text) - room
        return len(text)

    def text(self) -> str:
        """Everything kept, with the note on what was cut (also passed on)."""
        if self.dropped:
            self._keep(_cut_note(self.dropped, self.limit))
            self.dropped = 0
        return "".join(self.parts)

    def _keep(self, text: str) -> None:
        self.parts.append(text)
        self.kept += len(text)
        if self.on_output is not None:
            self.on_output(self.name, text)


def _truncated(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + _cut_note(len(text) - limit, limit)


def _cut_note(dropped: int, limit: int) -> str:
    return (f"\n[... {dropped:,} more characters not shown: the output was cut at {limit:,} characters. "
            "Print less, or a slice such as x[:10], to see all of it.]\n")


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
    """The traceback from the first frame inside a cell on, without the frames
    of the runner and of jaxlite: an author or a reader is shown the frames
    of code they wrote (real JAX hides its own frames the same way)."""
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith("<cell"):
        tb = tb.tb_next
    report = traceback.TracebackException(type(exc), exc, tb)
    for part in _chain(report):
        part.stack[:] = [frame for frame in part.stack if not _is_runtime_file(frame.filename)]
    return "".join(report.format())


def _chain(report: traceback.TracebackException):
    """The report and the exceptions it was raised from or during."""
    seen = []
    while report is not None and all(report is not s for s in seen):
        seen.append(report)
        yield report
        report = report.__cause__ or report.__context__


def _is_runtime_file(filename: str) -> bool:
    return not filename.startswith("<") and os.path.abspath(filename).startswith(_RUNTIME_DIR + os.sep)


class Page:
    """One page's Python in the reader's browser: jaxlite installed as `jax`
    and one namespace that the page's cells share, in the order they run."""

    def __init__(self, devices: int = 1):
        if devices > 1:  # read by jaxlite, as by XLA, when devices are first listed
            os.environ["XLA_FLAGS"] = DEVICE_FLAG.format(n=devices)
        import jaxlite

        jaxlite.install_as_jax()
        self.namespace = {"__name__": "__main__"}

    def run_json(self, source: str, index: int, on_output=None) -> str:
        """`run_cell` on this page's namespace, with the browser's output
        limit, as JSON (None becomes null, as the page expects)."""
        return json.dumps(run_cell(source, index, self.namespace, on_output, OUTPUT_LIMIT))
