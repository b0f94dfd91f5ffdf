"""The offline export, dist/thinking-in-jax-offline.zip (sitebuild/offline.py):
the whole course in one folder that needs no network. Opened from file://,
reading, navigation, search, simulations and quizzes work; served by
`python3 -m http.server` (its launchers), code cells run too.

The browser tests unpack the zip built by the session's `built` fixture and
fail on any console error or any request that leaves the unpacked folder."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sitebuild import offline, pipeline, zips
from tests import urls

TOP = offline.TOP + "/"


@pytest.fixture(scope="module")
def archive(built) -> Path:
    return built.dist / offline.ZIP_NAME


@pytest.fixture(scope="module")
def unpacked(archive, tmp_path_factory) -> Path:
    """The zip unpacked as a teacher would: its one folder, thinking-in-jax/."""
    out = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(archive) as z:
        z.extractall(out)
    return out / offline.TOP


def test_the_zip_is_one_folder_with_every_page_pyodide_search_and_launchers(archive, built):
    with zipfile.ZipFile(archive) as z:
        infos = {i.filename: i for i in z.infolist()}
        readme = z.read(TOP + "README.txt").decode()
    assert all(name.startswith(TOP) for name in infos)
    names = {name.removeprefix(TOP) for name in infos}
    hosted = [p.parent.relative_to(built.site).as_posix() for p in built.site.rglob("*/index.html")]
    offline_pages = [page for page in hosted if page.split("/")[0] not in offline.HOSTED_ONLY_DOCS]
    assert len(offline_pages) > 30 and "index.html" in names
    assert [page for page in offline_pages if f"{page}.html" not in names and f"{page}/index.html" not in names] == []
    assert not [n for n in names if n.split("/")[0] in offline.HOSTED_ONLY_DOCS]
    manifest = json.loads((built.site / "assets/py/manifest.json").read_text())
    runtime = f"assets/pyodide/{manifest['pyodide_version']}/"
    assert {runtime + "pyodide.asm.wasm", runtime + "python_stdlib.zip", "assets/py/" + manifest["zip"]} <= names
    assert {"search/search_index.js", offline.SHIM, "notebooks/03-jit-and-tracing.ipynb"} <= names
    for launcher in offline.LAUNCHERS:
        assert infos[TOP + launcher].external_attr >> 16 & 0o777 == 0o755  # unzipped, it may be run
    assert "open index.html" in readme and "python3 -m http.server 8000" in readme and "serve.bat" in readme


def test_the_launchers_serve_their_own_folder_with_pythons_server():
    command, bat = offline.LAUNCHERS["serve.command"], offline.LAUNCHERS["serve.bat"]
    assert command.startswith("#!/bin/sh\n") and 'cd "$(dirname "$0")"' in command
    assert "python3 -m http.server 8000" in command
    assert 'cd /d "%~dp0"' in bat and "python -m http.server 8000" in bat and bat.endswith("\r\n")


def test_the_zip_has_fixed_times_and_sorted_names_and_is_rebuilt_byte_for_byte(archive, built, tmp_path):
    with zipfile.ZipFile(archive) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {zips.ZIP_TIME}
    again = dataclasses.replace(pipeline.Options(), site_dir=built.site, cache_dir=built.cache, dist_dir=tmp_path)
    offline.write_offline_zip(again)
    with zipfile.ZipFile(archive) as first, zipfile.ZipFile(tmp_path / offline.ZIP_NAME) as second:
        assert [n for n in first.namelist() if first.read(n) != second.read(n)] == []
    assert (tmp_path / offline.ZIP_NAME).read_bytes() == archive.read_bytes()


def test_no_file_makes_a_browser_fetch_from_outside_the_folder(unpacked):
    assert urls.external_fetches(unpacked) == []


def test_every_link_and_asset_names_a_file_in_the_folder_not_a_folder(unpacked):
    # From file:// a link to a folder opens a file listing, not its index.html.
    assert urls.broken_references(unpacked, directory_links=False) == []


# ---- in Chromium ----


@pytest.fixture
def offline_page(page, unpacked):
    """The `page` fixture, also failing on any request outside the unpacked folder."""
    inside = unpacked.as_uri() + "/"
    page.outside = []
    page.on("request", lambda r: None if r.url.startswith((inside, "data:", "blob:")) else page.outside.append(r.url))
    yield page
    assert page.outside == [], f"requests outside the folder: {page.outside}"


def open_file(page, unpacked: Path, path: str):
    page.goto((unpacked / path).as_uri())


@pytest.mark.browser
def test_every_page_opens_from_file_with_its_styles_and_navigation(offline_page, unpacked):
    pages = sorted(unpacked.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        offline_page.goto(path.as_uri(), wait_until="load")
        assert offline_page.locator("h1").first.is_visible(), path
        assert offline_page.evaluate(
            "[...document.styleSheets].some(s => (s.href || '').endsWith('assets/tij/css/site.css'))"), path
    # Navigation links point at files: following one from a chapter opens the next page.
    open_file(offline_page, unpacked, "chapters/03-jit-and-tracing.html")
    offline_page.locator("a.md-footer__link--next").click()
    expect(offline_page).to_have_url(re.compile(r"/chapters/04-grad\.html$"))


@pytest.mark.browser
def test_search_finds_a_chapter_from_file(offline_page, unpacked):
    open_file(offline_page, unpacked, "index.html")
    box = offline_page.locator("input[data-md-component=search-query]")
    box.click()
    # Material drops a query typed before its search worker has loaded the index.
    offline_page.locator(".md-search-result__meta", has_text="Type to start searching").wait_for(timeout=10000)
    box.press_sequentially("jaxpr")
    offline_page.locator(".md-search-result__item a").first.wait_for(timeout=10000)
    hrefs = offline_page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
    assert any("/chapters/03-jit-and-tracing.html" in h for h in hrefs), hrefs


@pytest.mark.browser
def test_a_simulation_steps_from_file(offline_page, unpacked):
    open_file(offline_page, unpacked, "sims/vmap-loop.html")
    sim = offline_page.locator('.jax-sim[data-sim="vmap-loop"]')
    readout = sim.locator("[data-readout=step]")
    expect(readout).to_have_text(re.compile(r"^Step 0 of \d+"), timeout=10000)
    sim.get_by_role("button", name="Step", exact=True).click()
    expect(readout).to_have_text(re.compile(r"^Step 1 of \d+"))


@pytest.mark.browser
def test_a_quiz_answer_is_checked_from_file(offline_page, unpacked):
    open_file(offline_page, unpacked, "chapters/03-jit-and-tracing.html")
    question = offline_page.locator(".jax-quiz__question").first
    correct = int(question.locator("input[data-correct]").get_attribute("value"))
    question.locator("input[type=radio]").nth(correct).check()
    question.get_by_role("button", name="Check answer").click()
    expect(question.locator(".jax-quiz__feedback")).to_have_text(re.compile(rf"^{'ABCDEF'[correct]}\. Correct\."))


@contextlib.contextmanager
def pythons_server(folder: Path):
    """`python3 -m http.server`, as the launchers and README run it, on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert time.monotonic() < deadline, "python -m http.server did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.browser
def test_served_by_pythons_server_a_code_cell_runs(page, unpacked):
    with pythons_server(unpacked) as url:
        page.goto(url + "/chapters/03-jit-and-tracing.html")
        cell = page.locator(".jax-cell").nth(2)  # make_jaxpr of f, after cells 1 and 2
        cell.get_by_role("button", name="Run cell 3").click()
        expect(cell.locator(".jax-cell__status")).to_have_text(re.compile(r"^Ran"), timeout=90_000)
        mine = cell.locator(".jax-output--browser .jax-output__value").inner_text()
        assert mine.startswith("{ lambda")
