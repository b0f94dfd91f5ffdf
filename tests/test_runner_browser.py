"""Runnable code cells in real Chromium: edit, run, stop, reset, reload.

The cells run on the real thing: runner.js on the page, runner-worker.js in a
Web Worker, Pyodide and jaxlite from the built site over 127.0.0.1. Every
test fails on a console error or on any request that leaves loopback (see the
`page` fixture). Chapter 3 opens with these cells:
  1 imports (jax, jnp, numpy)   2 defines f and x   3 jax.make_jaxpr(f)(x)
  4 browser-unavailable (StableHLO)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CHAPTER = "/chapters/03-jit-and-tracing/"
BOOT_MS = 90_000  # a cold Pyodide start in a busy CI browser
FINISHED = re.compile(r"^(Ran|Raised)")


def cell(page, number: int):
    return page.locator(".jax-cell").nth(number - 1)


def run(page, number: int):
    cell(page, number).get_by_role("button", name=f"Run cell {number}").click()


def wait_until_run(page, number: int):
    expect(cell(page, number).locator(".jax-cell__status")).to_have_text(FINISHED, timeout=BOOT_MS)


def edit(page, number: int, code: str):
    """Open the cell's editor, replace its code as a reader would."""
    cell(page, number).get_by_role("button", name=f"Edit cell {number}").click()
    editor = cell(page, number).locator(".cm-content")
    expect(editor).to_be_focused(timeout=10_000)
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    expect(editor).to_have_text(code.replace("\n", ""))


def browser_output(page, number: int):
    return cell(page, number).locator(".jax-output--browser")


def test_nothing_of_the_runner_loads_with_the_page_beyond_its_script(page, site_url):
    page.goto(site_url + CHAPTER)
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any(url.endswith("/assets/tij/js/runner.js") for url in loaded)
    assert not [url for url in loaded if "pyodide" in url or "editor.js" in url or "/assets/py/" in url]
    assert cell(page, 1).get_by_role("button", name="Run cell 1").is_visible()


def python_requests(page) -> list[str]:
    names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    return [url for url in names if "/assets/pyodide/" in url or "/assets/py/" in url]


@pytest.mark.parametrize("save_data", [False, True])
def test_python_is_prewarmed_when_the_page_idles_unless_the_browser_asks_to_save_data(page, site_url, save_data):
    if save_data:  # what Chromium reports with the Data Saver / Lite mode setting on
        page.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")
    page.goto(site_url + CHAPTER)
    cell(page, 1).get_by_role("button", name="Run cell 1").hover()  # the pointer rests on Run, too
    if not save_data:
        page.wait_for_function("performance.getEntriesByType('resource').some(e => e.name.includes('/assets/py/'))",
                               timeout=30_000)  # pre-warmed: after 3 s idle, with no click
        return
    page.wait_for_timeout(5_000)  # past the idle (3 s) and the hover (0.3 s) pre-warm
    assert python_requests(page) == []
    run(page, 1)  # asked for: it loads and runs
    wait_until_run(page, 1)
    assert python_requests(page)


def test_a_cell_run_first_runs_the_earlier_cells_and_matches_the_baked_jaxpr(page, site_url):
    page.goto(site_url + CHAPTER)
    run(page, 3)  # needs f and x from cell 2, jax from cell 1
    wait_until_run(page, 3)
    assert cell(page, 1).locator(".jax-cell__status").inner_text().startswith("Ran")
    assert cell(page, 2).locator(".jax-cell__status").inner_text().startswith("Ran")
    mine = browser_output(page, 3)
    assert mine.locator(".jax-output__label").inner_text() == "Computed in your browser by jaxlite"
    baked = cell(page, 3).locator(".jax-output:not(.jax-output--browser)")
    assert baked.locator(".jax-output__label").inner_text().startswith("Computed by JAX 0.10.2 on CPU")
    jaxpr = mine.locator(".jax-output__value").inner_text()
    assert jaxpr.startswith("{ lambda") and jaxpr == baked.locator(".jax-output__value").inner_text()


def test_a_page_with_8_device_cells_runs_them_on_8_simulated_devices(page, site_url):
    page.goto(site_url + "/chapters/06-parallelism/")
    run(page, 2)  # the mesh of cell 2 needs cell 1's 8 devices
    wait_until_run(page, 2)
    first = browser_output(page, 1).locator(".jax-output__stdout").inner_text()
    assert first == cell(page, 1).locator(".jax-output:not(.jax-output--browser) .jax-output__stdout").inner_text()
    assert first.startswith("8 devices:")
    assert browser_output(page, 2).locator(".jax-output__error").count() == 0


def test_an_edited_cell_runs_with_shift_enter_and_shows_its_new_output(page, site_url):
    page.goto(site_url + CHAPTER)
    edit(page, 2, "f = jnp.cos\nx = jnp.arange(4.0)\nprint(x * 2)\nx.sum()")
    page.keyboard.press("Shift+Enter")
    wait_until_run(page, 2)
    out = browser_output(page, 2)
    assert out.locator(".jax-output__stdout").inner_text() == "[0. 2. 4. 6.]"
    assert out.locator(".jax-output__value").inner_text() == "Array(6., dtype=float32)"
    run(page, 3)  # the next cell sees the reader's f and x, a notebook's shared state
    wait_until_run(page, 3)
    jaxpr = browser_output(page, 3).locator(".jax-output__value").inner_text()
    assert jaxpr == "{ lambda ; a:f32[4]. let b:f32[4] = cos a in (b,) }"


def test_output_streams_in_while_the_cell_is_still_running(page, site_url):
    page.goto(site_url + CHAPTER)
    run(page, 1)
    wait_until_run(page, 1)
    edit(page, 2, "import time\nfor i in range(2):\n    print('step', i)\n    t = time.time()\n"
                  "    while time.time() - t < 1.5: pass")
    run(page, 2)
    # The whole first line shows while the second step still computes.
    page.wait_for_function("""() => {
        const cell = document.querySelectorAll('.jax-cell')[1];
        const out = cell.querySelector('.jax-output--browser .jax-output__stdout');
        return out && out.textContent.trim() === 'step 0'
            && cell.querySelector('.jax-cell__status').textContent === 'Running…';
    }""", timeout=10_000)
    wait_until_run(page, 2)
    assert browser_output(page, 2).locator(".jax-output__stdout").inner_text() == "step 0\nstep 1"


def test_huge_output_is_cut_with_a_note(page, site_url):
    page.goto(site_url + CHAPTER)
    edit(page, 2, "print('x' * 100_000)")
    run(page, 2)
    wait_until_run(page, 2)
    stdout = browser_output(page, 2).locator(".jax-output__stdout").inner_text()
    assert stdout.startswith("x" * 20_000) and len(stdout) < 21_000
    assert "more characters not shown" in stdout


def test_resting_the_pointer_on_run_starts_python_before_the_click(page, site_url):
    page.goto(site_url + CHAPTER)
    with page.expect_request("**/assets/py/manifest.json", timeout=2_000):  # the runner's first request
        cell(page, 3).get_by_role("button", name="Run cell 3").hover()
    assert browser_output(page, 3).count() == 0  # nothing ran


def test_an_infinite_loop_is_stopped_by_the_time_limit_and_the_next_run_works(page, site_url):
    page.goto(site_url + CHAPTER)
    run(page, 1)
    wait_until_run(page, 1)  # Python has started: what follows times the loop alone
    edit(page, 2, "while True:\n    pass")
    start = time.monotonic()
    run(page, 2)
    note = browser_output(page, 2).locator(".jax-output__note")
    expect(note).to_contain_text("Stopped: this cell ran for more than 10 s.", timeout=20_000)
    assert time.monotonic() - start < 15
    assert "Python state was reset" in note.inner_text()
    cell(page, 2).get_by_role("button", name="Reset cell 2").click()
    run(page, 3)  # a fresh Python: cells 1 and 2 run again first
    wait_until_run(page, 3)
    assert browser_output(page, 3).locator(".jax-output__value").inner_text().startswith("{ lambda")


def test_the_stop_button_stops_a_running_cell(page, site_url):
    page.goto(site_url + CHAPTER)
    edit(page, 2, "while True:\n    pass")
    run(page, 2)
    stop = cell(page, 2).get_by_role("button", name="Stop cell 2")
    expect(cell(page, 2).locator(".jax-cell__status")).to_have_text("Running…", timeout=BOOT_MS)
    stop.click()
    expect(browser_output(page, 2).locator(".jax-output__note")).to_contain_text("Stopped.", timeout=2_000)
    assert not stop.is_visible()


def test_an_edit_survives_a_reload_and_reset_restores_the_original(page, site_url):
    page.goto(site_url + CHAPTER)
    original = cell(page, 2).locator(".highlight code").inner_text()
    edit(page, 2, "y = 1")
    page.reload()
    editor = cell(page, 2).locator(".cm-content")
    expect(editor).to_have_text("y = 1", timeout=10_000)
    assert not cell(page, 2).locator(".highlight").is_visible()
    cell(page, 2).get_by_role("button", name="Reset cell 2").click()
    assert cell(page, 2).locator(".cm-content").count() == 0
    assert cell(page, 2).locator(".highlight code").inner_text() == original
    page.reload()
    assert cell(page, 2).locator(".highlight").is_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('thinking-in-jax:cell:'))") == []


def test_copy_puts_the_code_as_edited_on_the_clipboard(page, site_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    page.goto(site_url + CHAPTER)
    original = cell(page, 2).locator(".highlight code").inner_text().rstrip("\n")
    assert cell(page, 2).locator(".md-code__nav").count() == 0  # Material's copy button would copy the original
    cell(page, 2).get_by_role("button", name="Copy cell 2").click()
    expect(cell(page, 2).locator(".jax-cell__status")).to_have_text("Copied the code to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == original
    edit(page, 2, "y = 1")
    cell(page, 2).get_by_role("button", name="Copy cell 2").click()
    assert page.evaluate("navigator.clipboard.readText()").rstrip("\n") == "y = 1"


def test_copy_without_the_clipboard_api_falls_back_or_says_how_to_copy(page, site_url):
    page.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});"
                         "document.execCommand = () => false;")  # a browser that refuses both ways
    page.goto(site_url + CHAPTER)
    copy = cell(page, 2).get_by_role("button", name="Copy cell 2")
    copy.click()
    expect(cell(page, 2).locator(".jax-cell__status")).to_have_text(re.compile(r"^Could not copy: .*Ctrl\+C"))
    expect(copy).to_be_focused()


def test_escape_leaves_the_editor_and_tab_indents_inside_it(page, site_url):
    page.goto(site_url + CHAPTER)
    edit(page, 2, "if True:")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # stays in the editor: it indents
    expect(cell(page, 2).locator(".cm-content")).to_be_focused()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent") == "Run cell 2"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Stop cell 2" or \
        page.evaluate("document.activeElement.textContent") == "Reset cell 2"


def test_an_unsupported_feature_shows_jaxlites_explanation(page, site_url):
    page.goto(site_url + CHAPTER)
    edit(page, 2, "jax.jit(lambda x: x * 2).lower(1.0)")
    page.keyboard.press("Shift+Enter")
    wait_until_run(page, 2)
    error = browser_output(page, 2).locator(".jax-output__error").inner_text()
    assert error.startswith("Traceback (most recent call last):")
    assert 'File "<cell 2>", line 1' in error  # trimmed to the reader's code, numbered as in the build
    assert "NotAvailableInBrowser" in error
    assert "is not available in the browser" in error
    assert cell(page, 2).locator(".jax-cell__status").inner_text().startswith("Raised NotAvailableInBrowser")


def test_a_browser_unavailable_cell_says_why_and_keeps_its_baked_output(page, site_url):
    page.goto(site_url + CHAPTER)
    unavailable = cell(page, 4)
    assert unavailable.get_attribute("data-browser-unavailable")
    assert "runs only with real JAX" in unavailable.locator(".jax-cell__unavailable").inner_text()
    assert unavailable.locator(".jax-cell__button").count() == 0
    assert unavailable.locator(".md-code__nav button").count() >= 1  # Material's copy button stays: no Copy of ours
    assert unavailable.locator(".jax-output__label").inner_text().startswith("Computed by JAX")


def test_a_worker_that_cannot_start_is_reported_and_the_next_run_recovers(page, site_url):
    zip_of_python = "**/assets/py/tij-python-*.zip"  # fetched by the Worker, which then reports `fatal`
    page.context.route(zip_of_python, lambda route: route.fulfill(status=404, body="not here"))
    page.goto(site_url + CHAPTER)
    run(page, 1)
    note = browser_output(page, 1).locator(".jax-output__note")
    expect(note).to_contain_text("Python could not start in this page", timeout=BOOT_MS)
    assert "Run the cell again" in note.inner_text()
    page.context.unroute(zip_of_python)
    page.console_errors.clear()  # the 404's own console line
    run(page, 1)
    wait_until_run(page, 1)
    assert browser_output(page, 1).locator(".jax-output__note").count() == 0


def test_from_file_run_explains_how_to_serve_the_folder_and_edit_works(page, built):
    page.goto((built.site / CHAPTER.strip("/") / "index.html").as_uri())
    run(page, 1)
    note = browser_output(page, 1).locator(".jax-output__note").inner_text()
    assert "python3 -m http.server" in note
    edit(page, 1, "print('edited offline')")  # the editor is a classic script: it loads from file:// too
    # Material's search cannot fetch its index from file:// (see test_sims_pages).
    page.console_errors[:] = [e for e in page.console_errors if not e.rstrip().endswith("/search/search_index.js")]


def test_cells_and_the_graph_tracer_share_one_python_and_take_turns(page, site_url):
    page.goto(site_url + "/chapters/09-showcase/")
    run(page, 2)  # defines f (after cell 1's imports)
    tracer = page.locator('.jax-sim[data-sim="graph-tracer"]')
    field = tracer.get_by_label("Trace your own: f(x) =")
    field.fill("jnp.tanh(x) * x")
    tracer.get_by_role("button", name="Trace").click()  # waits for the cells, then runs in the same Worker
    expect(tracer.locator('[id$="-custom-status"]')).to_have_text(re.compile("^Traced"), timeout=BOOT_MS)
    wait_until_run(page, 2)
    assert len([w for w in page.workers if "runner-worker" in w.url]) == 1  # one Python for the page
    run(page, 3)  # the page's namespace still has f: the trace ran beside it, not in it
    wait_until_run(page, 3)
    assert browser_output(page, 3).locator(".jax-output__value").inner_text().startswith("{ lambda")
