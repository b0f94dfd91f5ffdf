"""Shared fixtures: one real build of the site (cold cache), a second build
with no change, a local HTTP server for the built site, and Chromium."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@dataclasses.dataclass
class Build:
    site: Path
    cache: Path
    dist: Path
    returncode: int
    output: str
    report: dict  # what the build says it did (its last-build.json)

    def page(self, url_path: str) -> str:
        return (self.site / url_path / "index.html").read_text(encoding="utf-8")


def run_build(tmp: Path, cache: Path, *extra: str) -> Build:
    site, dist = tmp / "site", tmp / "dist"
    proc = subprocess.run(
        [sys.executable, "build_site.py", "build", "--site-dir", str(site), "--dist-dir", str(dist),
         "--cache-dir", str(cache), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=1200,
    )
    report_file = cache / "last-build.json"
    report = json.loads(report_file.read_text()) if proc.returncode == 0 else {}
    return Build(site, cache, dist, proc.returncode, proc.stdout + proc.stderr, report)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Build:
    """The real site, built from scratch with empty caches.

    While working on one test file, TIJ_REUSE_CACHE=DIR builds with a cache
    you keep between runs instead (tests that prove what a cold build does
    then fail, so never set it for a full run)."""
    tmp = tmp_path_factory.mktemp("build")
    reuse = os.environ.get("TIJ_REUSE_CACHE")
    build = run_build(tmp, Path(reuse) if reuse else tmp / "cache")
    assert build.returncode == 0, build.output
    return build


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(folder: Path, handler=QuietHandler):
    """`folder` served on 127.0.0.1 (a free port) by `handler`; its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def site_url(built):
    """The built site served on 127.0.0.1 (a free port)."""
    with served(built.site) as url:
        yield url


@pytest.fixture(scope="session")
def lms(tmp_path_factory):
    """Another origin (its own server on another port), as an LMS is: (folder, URL); a page
    written into the folder can hold the site in an iframe."""
    folder = tmp_path_factory.mktemp("lms")
    with served(folder) as url:
        yield folder, url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` (or set CHROMIUM).")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records console errors and any request leaving loopback."""
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []
    pg.external_requests = []
    pg.on("console", lambda m: pg.console_errors.append(f"{m.text} @ {m.location.get('url', '')}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))

    def guard(route):
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if route.request.url.startswith(("data:", "blob:", "file:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            pg.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield pg
    context.close()
    assert pg.external_requests == [], f"requests left loopback: {pg.external_requests}"
    assert pg.console_errors == [], f"console errors: {pg.console_errors}"


@pytest.fixture(scope="module")
def envelope(request):
    """The bake of the test module's simulation (its module-level SIM), made
    afresh in a new process exactly as the build makes it."""
    from sims.bake import run_baker

    return run_baker(request.module.SIM)


@pytest.fixture(scope="module")
def data(envelope):
    return envelope["data"]
