"""Every registered simulation, as the reader gets it: baked data shipped with
the page, a live frame in its chapter and on its own page, a text
alternative, provenance, and the same from file://."""

from __future__ import annotations

import gzip
import re

import pytest

from sims.registry import SIMS

CHAPTER_OF = {}  # sim id -> chapter page that holds its placeholder, found in docs/


def chapter_of(sim_id: str) -> str:
    from tests.conftest import ROOT

    if not CHAPTER_OF:
        for path in (ROOT / "docs" / "chapters").glob("*.md"):
            for found in re.findall(r'data-sim="([\w-]+)"', path.read_text(encoding="utf-8")):
                CHAPTER_OF[found] = f"chapters/{path.stem}/"
    return CHAPTER_OF[sim_id]


@pytest.mark.parametrize("sim_id", SIMS)
def test_baked_data_is_shipped_small_and_the_placeholders_go_live(built, sim_id):
    data = built.site / "assets" / "tij" / "sims" / "data" / f"{sim_id}.js"
    assert len(gzip.compress(data.read_bytes())) < 100_000, "bake data over 100 KB gzipped"
    assert f'data-sim="{sim_id}" data-live' in built.page(chapter_of(sim_id))
    assert f'data-sim="{sim_id}" data-live' in built.page(f"sims/{sim_id}")
    assert (built.site / "assets" / "tij" / "sims" / f"{sim_id}.js").is_file()


@pytest.mark.browser
@pytest.mark.parametrize("sim_id", SIMS)
def test_simulation_shows_its_frame_provenance_and_table_on_its_own_page(page, site_url, sim_id):
    page.goto(f"{site_url}/sims/{sim_id}/")
    frame = page.locator(f'.jax-sim[data-sim="{sim_id}"] .jax-sim__frame')
    frame.wait_for(timeout=10000)
    envelope = page.evaluate(f"ThinkingInJaxSims.data['{sim_id}']")
    provenance = frame.locator(".jax-sim__provenance").inner_text()
    assert provenance.startswith(f"Computed with JAX {envelope['provenance']['jax']} on CPU")
    assert frame.locator(".jax-sim__status").inner_text().strip()  # the picture is described in words
    toggle = frame.locator(".jax-sim__table-toggle")
    assert toggle.inner_text() == "Show as table" and toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and toggle.inner_text() == "Hide table"
    table = frame.locator(".jax-sim__table table")
    assert table.locator("caption").inner_text().strip()
    assert table.locator("tbody tr").count() > 0


@pytest.mark.browser
@pytest.mark.parametrize("sim_id", SIMS)
def test_simulation_works_from_file_without_a_server(page, built, sim_id):
    page.goto((built.site / chapter_of(sim_id) / "index.html").as_uri())
    page.locator(f'.jax-sim[data-sim="{sim_id}"] .jax-sim__frame').wait_for(timeout=10000)
    assert page.locator(f'.jax-sim[data-sim="{sim_id}"] .jax-sim__status').inner_text().strip()
    # Material's search cannot fetch its index from file:// (the offline export
    # of the LMS work bundles it); nothing else may fail.
    page.console_errors[:] = [e for e in page.console_errors if not e.rstrip().endswith("/search/search_index.js")]


def test_no_placeholder_is_left_every_simulation_a_chapter_places_is_built_and_live(built):
    from tests.conftest import ROOT

    for path in sorted((ROOT / "docs" / "chapters").glob("*.md")):
        for sim_id in re.findall(r'data-sim="([\w-]+)"', path.read_text(encoding="utf-8")):
            assert sim_id in SIMS, f"{path.name} places {sim_id!r}, which is not registered"
            assert f'data-sim="{sim_id}" data-live' in built.page(f"chapters/{path.stem}"), sim_id


@pytest.mark.browser
def test_the_python_replica_of_ctx_format_matches_the_javascript(page, site_url):
    from tests.sim_format import ctx_format

    values = [0.8414709568, -0.0, 0.0, 7.404588e-4, -1.25e-7, 0.03125, 1.0, -2.5, 99999.99, 123456.7,
              1.2059229e16, -0.001, -0.004, 0.0009999, 3.14159265, "inf", "-inf", "nan"]
    page.goto(site_url + "/")
    for digits in (2, 3, 4):
        real = page.evaluate(f"v => v.map(x => ThinkingInJaxSims.format(x, {digits}))", values)
        assert real == [ctx_format(v, digits) for v in values], digits


# ---- loading: near the viewport first, the rest when the browser is idle -------------------------

NEAR, FAR = "graph-tracer", "training-loop"  # chapter 9: one near its top, one far down
NO_IDLE = "window.requestIdleCallback = function () {};"  # the browser is never idle: only scrolling loads


def requested(page, sim_id: str) -> bool:
    return page.evaluate(f"performance.getEntriesByType('resource').some(e => e.name.endsWith('/sims/data/{sim_id}.js'))")


@pytest.mark.browser
def test_a_chapter_left_alone_loads_the_simulation_in_view_first_then_the_rest(page, site_url):
    page.goto(site_url + "/chapters/09-showcase/")
    for sim_id in (NEAR, FAR):  # no scrolling: the one far below comes once the browser is idle
        page.locator(f'.jax-sim[data-sim="{sim_id}"] .jax-sim__frame').wait_for(state="attached", timeout=10000)
    started = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/sims/data/')).map(e => [e.name.split('/').pop(), e.startTime]))""")
    assert started[f"{NEAR}.js"] <= started[f"{FAR}.js"], started


@pytest.mark.browser
def test_a_simulation_far_below_loads_as_the_reader_scrolls_towards_it(page, site_url):
    page.add_init_script(NO_IDLE)
    page.goto(site_url + "/chapters/09-showcase/")
    page.locator(f'.jax-sim[data-sim="{NEAR}"] .jax-sim__frame').wait_for(timeout=10000)
    page.wait_for_timeout(500)
    assert not requested(page, FAR)
    placeholder = page.locator(f'.jax-sim[data-sim="{FAR}"]')
    assert placeholder.bounding_box()["height"] > 100  # room kept while it loads
    placeholder.scroll_into_view_if_needed()
    placeholder.locator(".jax-sim__frame").wait_for(timeout=10000)


@pytest.mark.browser
def test_printing_loads_every_simulation_not_yet_loaded(page, site_url):
    page.add_init_script(NO_IDLE)
    page.goto(site_url + "/chapters/09-showcase/")
    page.locator(f'.jax-sim[data-sim="{NEAR}"] .jax-sim__frame').wait_for(timeout=10000)
    assert not requested(page, FAR)
    page.emulate_media(media="print")
    page.locator(f'.jax-sim[data-sim="{FAR}"] .jax-sim__frame').wait_for(state="attached", timeout=10000)


@pytest.mark.browser
def test_without_javascript_a_simulation_leaves_no_empty_box(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/chapters/09-showcase/")
        assert page.locator(f'.jax-sim[data-sim="{FAR}"]').bounding_box() is None  # display: none
    finally:
        context.close()
