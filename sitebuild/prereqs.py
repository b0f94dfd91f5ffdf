"""Check what `make` needs before it installs anything; one clear line per problem.

Run with the system Python (standard library only): `python3 -m sitebuild.prereqs [--browser]`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def version(cmd: list[str]) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"(\d+)\.(\d+)", out)
    return tuple(int(g) for g in m.groups()) if m else None


def problems(browser: bool) -> list[str]:
    found = []
    if sys.version_info < (3, 11):
        found.append(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}): install it, e.g. `apt-get install python3`, or run `make PYTHON=python3.11 ...`.")
    try:
        import venv  # noqa: F401
        import ensurepip  # noqa: F401
    except ImportError:
        found.append("Python's venv module is missing: install it, e.g. `apt-get install python3-venv`.")
    node = version(["node", "--version"]) if shutil.which("node") else None
    if node is None or node < (20, 0):
        found.append("Node.js 20 or newer is needed (with npm): install it from https://nodejs.org or with `apt-get install nodejs npm`.")
    elif not shutil.which("npm"):
        found.append("npm is missing: install it with Node.js (`apt-get install npm`).")
    if browser and not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found.append(f"Chromium is needed for the browser tests and was not found at {CHROMIUM}: install it with `apt-get install -y chromium` (or set CHROMIUM=/path/to/chromium).")
    return found


if __name__ == "__main__":
    found = problems(browser="--browser" in sys.argv)
    for line in found:
        print(f"Missing prerequisite: {line}", file=sys.stderr)
    sys.exit(1 if found else 0)
