"""Run one page's cells on jaxlite, as the reader's browser would.

The jaxlite twin of `sitebuild.kernel`, started by `sitebuild.conformance`
as `python -S -m sitebuild.jaxlite_kernel`, one process per page. `-S` leaves
site-packages (real JAX, NumPy) off the path, as in Pyodide, where only the
standard library and jaxlite exist. Before any cell runs, jaxlite is
installed as `jax` (`import jax`, `import jax.numpy as jnp`, ... resolve to
it, and `import numpy` gives numpylite, the small NumPy next to jaxlite).
Each cell then runs through `sitebuild.kernel.run_cell`, the very function
that produced the real outputs, so both sides capture stdout, values and
errors the same way.

Protocol: a JSON object {"jaxlite_path", "cells": [{"source", "index"}]} on
stdin, where `index` is the cell's position among all the page's cells (so
`<cell N>` in messages matches the real run); one line per cell on stdout,
prefixed with `kernel.MARK`, with the run_cell result plus `seconds`; a
`kernel.META` line first saying whether jaxlite could be installed.
"""

from __future__ import annotations

import json
import sys
import time
import traceback

from sitebuild.kernel import MARK, META, run_cell


def install_jaxlite(path: str) -> str | None:
    """Make `import jax` mean jaxlite; the error as text if that fails."""
    sys.path.insert(0, path)
    try:
        import jaxlite

        jaxlite.install_as_jax()
    except BaseException as exc:  # noqa: BLE001 - any failure is reported, not raised
        if isinstance(exc, KeyboardInterrupt):
            raise
        return "".join(traceback.format_exception_only(type(exc), exc)).strip() + "\n" + traceback.format_exc()
    return None


def main() -> None:
    request = json.load(sys.stdin)
    protocol = sys.stdout
    error = install_jaxlite(request["jaxlite_path"])
    protocol.write(META + json.dumps({"jaxlite_error": error}) + "\n")
    protocol.flush()
    if error:
        return
    namespace = {"__name__": "__main__"}
    for cell in request["cells"]:
        start = time.perf_counter()
        result = run_cell(cell["source"], cell["index"], namespace)
        result["seconds"] = time.perf_counter() - start
        protocol.write(MARK + json.dumps(result) + "\n")
        protocol.flush()
        # Unlike the build's kernel, go on after an unexpected error: later
        # cells that do not depend on this one still show how close jaxlite is.


if __name__ == "__main__":
    main()
