"""Run one page's cells in a fresh interpreter, notebook-style.

Started by `sitebuild.execute` as `python -m sitebuild.kernel`, one process
per page, so pages never see each other's state and the device count (set
through XLA_FLAGS by the parent before JAX is imported) is per page. Each
cell runs through `tij_runner.run_cell` (site_src/py/tij_runner.py), the
function that also runs cells on jaxlite and in the reader's browser.

Protocol: a JSON list of cells ({"source", "raises"}) on stdin; one line per
finished cell on stdout, prefixed with MARK so stray output written straight
to file descriptor 1 by native code cannot be mistaken for a result.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

MARK = "\x1etij-cell "
META = "\x1etij-meta "
RUNNER_PATH = Path(__file__).resolve().parent.parent / "site_src" / "py" / "tij_runner.py"


def _load_runner():
    """site_src/py/tij_runner.py, which runs each cell here, under jaxlite and
    in the browser alike; loaded by its path so that the jaxlite beside it
    stays off this process's sys.path (here `import jax` is real JAX)."""
    spec = importlib.util.spec_from_file_location("tij_runner", RUNNER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["tij_runner"] = module
    spec.loader.exec_module(module)
    return module


run_cell = _load_runner().run_cell


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
