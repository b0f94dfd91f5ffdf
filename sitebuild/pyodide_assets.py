"""Put the reader's Python into a built site: the Pyodide runtime and our code.

Nothing here is on a page's initial load: the runner fetches these files
when a reader first runs or edits a cell (site_src/assets/js/runner-worker.js).

- `assets/pyodide/<version>/`: Pyodide's core runtime, copied from the
  pinned npm package in site_src/node_modules (no CDN). The version is in
  the path, so a new Pyodide is never mixed with a cached old one.
- `assets/py/tij-python-<hash>.zip`: jaxlite, numpylite and tij_runner.py
  from site_src/py, and sims/graph_tracer.py (which traces a reader's own
  function with the code that bakes the presets), unpacked into Pyodide's
  file system. The zip is
  byte-for-byte reproducible and named by a hash of its content, so a
  browser never runs a cached old jaxlite.
- `assets/py/manifest.json`: where those two are, relative to the manifest:
  {"pyodide": "../pyodide/<version>/", "zip": "tij-python-<hash>.zip",
  "pyodide_version": "<version>"}.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

from sitebuild import zips
from sitebuild.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_PACKAGE = ROOT / "site_src" / "node_modules" / "pyodide"
PY_SOURCE = ROOT / "site_src" / "py"
PY_CONTENTS = ("jaxlite", "numpylite", "tij_runner.py")  # under site_src/py
# Simulation code that also runs in the browser, kept where it is baked (its path in the zip
# is its path in the repository): the graph tracer traces a reader's own function with it.
SIM_CONTENTS = ("sims/__init__.py", "sims/graph_tracer.py")
# The core runtime: the loader (an ES module, as the Worker is), the WebAssembly
# module and its JavaScript glue, the standard library, and the package index it reads at start.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
RUNTIME_DIR = "assets/pyodide"
PY_DIR = "assets/py"


def write_python_runtime(site_dir: Path) -> str:
    """Copy Pyodide and write our Python's zip and the manifest; a summary."""
    version = pyodide_version()
    runtime = site_dir / RUNTIME_DIR / version
    runtime.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE_PACKAGE / name, runtime / name)
    data = python_zip()
    name = f"tij-python-{hashlib.sha256(data).hexdigest()[:12]}.zip"
    out = site_dir / PY_DIR
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("tij-python-*.zip"):
        old.unlink()
    (out / name).write_bytes(data)
    manifest = {"pyodide": f"../pyodide/{version}/", "zip": name, "pyodide_version": version}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    size = sum((runtime / f).stat().st_size for f in PYODIDE_FILES)
    return f"Pyodide {version} ({size / 1e6:.1f} MB) and {name} ({len(data) / 1e3:.0f} KB) for the in-browser runner"


def pyodide_version() -> str:
    package = PYODIDE_PACKAGE / "package.json"
    if not package.exists():
        raise BuildError(f"{package.parent.relative_to(ROOT)} is missing: run `make build` (it runs `npm ci` in site_src/).")
    return json.loads(package.read_text(encoding="utf-8"))["version"]


def python_zip() -> bytes:
    """jaxlite, numpylite, tij_runner.py and the simulations' browser code as
    a zip; the same sources always give the same bytes (sorted names, fixed
    times and permissions)."""
    files = {}  # name in the zip -> file
    for item in PY_CONTENTS:
        path = PY_SOURCE / item
        for p in [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]:
            files[p.relative_to(PY_SOURCE).as_posix()] = p
    for item in SIM_CONTENTS:
        files[item] = ROOT / item
    buffer = io.BytesIO()
    zips.write_zip(buffer, files)
    return buffer.getvalue()
