"""What the benchmarks share: a built site, served on 127.0.0.1, opened in Chromium.

The build and the browser settings are the test suite's (tests/conftest.py),
so a benchmark measures the same site and browser that the tests check.
Also here: the machine's description that heads every result, and the gzip
size the figures quote.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, Build, QuietHandler, run_build, served  # noqa: E402,F401 (the benchmarks use them from here)

# The runner's own opt-out of its idle pre-warm (site_src/assets/js/runner.js): with
# it, a page left alone loads no Python, as on a reader's metered connection.
SAVE_DATA = "Object.defineProperty(navigator, 'connection', {value: {saveData: true}})"
# True once the page's Python (the runner's Worker) has started.
PYTHON_READY = "window.ThinkingInJaxRunner && window.ThinkingInJaxRunner.kernel.ready"


class Handler(QuietHandler):
    """A static server as a host would be: WebAssembly labelled as such."""
    extensions_map = {**QuietHandler.extensions_map, ".wasm": "application/wasm"}


class GzipHandler(Handler):
    """Also compresses text with gzip when the browser accepts it, as hosts such
    as GitHub Pages do; Lighthouse judges a page by what it transfers."""
    COMPRESSED = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".wasm")

    def do_GET(self):
        file = Path(self.translate_path(self.path))
        if file.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            file = file / "index.html"
        if not file.is_file() or file.suffix not in self.COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().do_GET()  # also a folder's redirect to its URL with a trailing slash
        body = gzip.compress(file.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(file)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(folder: Path, compress: bool = False):
    """Serve `folder` on a free port of 127.0.0.1 (gzipping text if `compress`), as
    a context manager that gives its URL (no trailing slash)."""
    return served(folder, GzipHandler if compress else Handler)


@contextlib.contextmanager
def chromium(*extra_args: str):
    """Debian's Chromium under Playwright, launched as the browser tests launch it."""
    if not os.path.exists(CHROMIUM):
        sys.exit(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` (or set CHROMIUM).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def built_site(path: str | Path) -> Path:
    """A built site folder, or exit with what to do."""
    site = Path(path)
    if not (site / "index.html").exists() or not (site / "assets" / "py" / "manifest.json").exists():
        sys.exit(f"{site} is not a built site: run `python build_site.py build` first (or pass --site DIR).")
    return site


def add_site_argument(parser) -> None:
    parser.add_argument("--site", default=str(ROOT / "site"), help="a built site (default: site/)")


def site_file(site: Path, path: str) -> Path | None:
    """The file of `site` that a URL path ("/chapters/x/", "/assets/a.css?v=1") serves;
    a folder serves its index.html."""
    path = path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
    file = site / path
    if path == "" or path.endswith("/") or file.is_dir():
        file = file / "index.html"
    return file if file.is_file() else None


def gzip_size(data: bytes) -> int:
    """Bytes after gzip -9: what a host that compresses would send (our server does not)."""
    return len(gzip.compress(data, 9))


def chapter_urls(site: Path) -> list[str]:
    return [f"/chapters/{d.name}/" for d in sorted((site / "chapters").iterdir()) if (d / "index.html").exists()]


def sim_ids(site: Path) -> list[str]:
    return [d.name for d in sorted((site / "sims").iterdir()) if (d / "index.html").exists()]


def machine() -> list[str]:
    """The machine and tools the figures came from, one fact a line."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    return [
        f"date: {datetime.datetime.now().astimezone().isoformat(timespec='minutes')}",
        f"CPU: {cpu}, {os.cpu_count()} cores (nproc), memory {int(memory[1]) / 2**20:.1f} GiB" if memory else f"CPU: {cpu}",
        f"Chromium: {_version([CHROMIUM, '--version'])}",
        f"Node: {_version(['node', '--version'])}",
        f"Python: {platform.python_implementation()} {platform.python_version()} on {platform.machine()}",
    ]


def _version(command: list[str]) -> str:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError as err:
        return f"not found ({err.strerror})"
    return proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else "unknown"
