"""The built site in real Chromium over 127.0.0.1: reading, theme, search, notebooks.

Every test fails on a console error or on any request that leaves loopback
(see the `page` fixture)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/chapters/00-why-jax/", "/chapters/03-jit-and-tracing/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_its_styles_and_no_outside_requests(page, site_url, path):
    response = page.goto(site_url + path)
    assert response.ok
    assert page.locator("h1").first.is_visible()
    # Our stylesheet and KaTeX's are applied (both self-hosted).
    assert page.evaluate("[...document.styleSheets].some(s => (s.href || '').endsWith('assets/tij/css/site.css'))")
    assert page.evaluate("[...document.styleSheets].some(s => (s.href || '').endsWith('katex/katex.min.css'))")


def test_chapter_3_shows_executed_outputs_under_its_cells(page, site_url):
    page.goto(site_url + "/chapters/03-jit-and-tracing/")
    first_jaxpr = page.locator(".jax-output__value", has_text="{ lambda").first
    assert first_jaxpr.is_visible()
    assert "= sin" in first_jaxpr.inner_text() and "= cos" in first_jaxpr.inner_text()
    label = page.locator(".jax-output__label").first
    assert label.inner_text().startswith("Computed by JAX 0.10.2 on CPU")


def test_math_renders_with_katex_fonts_from_the_site(page, site_url):
    page.goto(site_url + "/chapters/00-why-jax/")
    formula = page.locator(".arithmatex .katex").first
    formula.scroll_into_view_if_needed()
    assert formula.is_visible()
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('KaTeX') && f.status === 'loaded')")


def test_dark_mode_toggle_switches_the_colour_scheme_and_is_remembered(page, site_url):
    page.goto(site_url + "/chapters/00-why-jax/")
    scheme = lambda: page.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    for _ in range(3):  # automatic -> light -> dark
        if scheme() == "slate":
            break
        page.locator("form[data-tij-palette] label:visible").first.click()
    assert scheme() == "slate"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.goto(site_url + "/chapters/03-jit-and-tracing/")
    assert scheme() == "slate"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background != "rgb(255, 255, 255)"


# Records the page's colour scheme when the chapter's content is first parsed, before any script at the page's end runs.
SCHEME_AT_CONTENT = """
new MutationObserver((_, observer) => {
  if (!document.querySelector('.md-content')) return;
  window.__schemeAtContent = document.body.getAttribute('data-md-color-scheme');
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});
"""


def test_a_dark_mode_reader_gets_dark_colours_from_the_first_paint(browser, site_url):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.add_init_script(SCHEME_AT_CONTENT)
        page.goto(site_url + "/chapters/04-grad/")
        assert page.evaluate("window.__schemeAtContent") == "slate"  # on a first visit, nothing saved
        assert page.evaluate("document.querySelector('meta[name=color-scheme]').content") == "dark"
    finally:
        context.close()


def test_the_palette_toggle_cycles_by_keyboard_and_automatic_follows_the_system(page, site_url):
    page.goto(site_url + "/chapters/00-why-jax/")
    body = lambda name: page.evaluate(f"document.body.getAttribute('data-md-color-{name}')")  # noqa: E731
    meta = lambda name: page.evaluate(f"[...document.querySelectorAll('meta[name={name}]')].map(m => m.content)")  # noqa: E731
    toggle = page.locator("form[data-tij-palette]")
    assert (body("scheme"), body("primary"), body("accent")) == ("default", "teal", "deep-orange")
    assert meta("color-scheme") == ["light"]  # one: Material's palette component is not mounted
    page.wait_for_function("document.querySelector('meta[name=theme-color]').content !== ''")
    seen = []
    page.locator("#__palette_0").focus()
    for _ in range(3):  # Enter moves to the next palette: light, dark, automatic again
        page.keyboard.press("Enter")
        label = toggle.locator("label:visible")
        assert label.count() == 1
        seen.append((body("scheme"), meta("color-scheme")[0], label.get_attribute("title")))
    assert seen == [("default", "light", "Switch to dark mode"), ("slate", "dark", "Switch to system preference"),
                    ("default", "light", "Switch to light mode")]
    assert page.evaluate("__md_get('__palette').index") == 0
    page.emulate_media(color_scheme="dark")  # automatic follows the system ...
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.keyboard.press("Enter")  # ... a chosen light palette does not
    page.emulate_media(color_scheme="dark")
    assert body("scheme") == "default"
    page.reload()
    assert body("scheme") == "default" and page.evaluate("__md_get('__palette').index") == 1


def test_with_storage_blocked_the_palette_still_applies_and_toggles(browser, site_url):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.add_init_script("Object.defineProperty(window, 'localStorage', "
                             "{get() { throw new DOMException('The operation is insecure.', 'SecurityError'); }})")
        page.goto(site_url + "/chapters/00-why-jax/")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        page.locator("form[data-tij-palette] label:visible").click()  # automatic -> light
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    finally:
        context.close()


def test_without_javascript_the_site_has_its_own_colours(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/")
        attributes = page.evaluate("['scheme', 'primary', 'accent'].map(k => document.body.getAttribute('data-md-color-' + k))")
        assert attributes == ["default", "teal", "deep-orange"]
        assert page.evaluate("document.documentElement.className") == "no-js"
    finally:
        context.close()


def test_search_finds_chapter_3_from_a_word_in_it(page, site_url):
    page.goto(site_url + "/")
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    # Material drops a query typed before its search worker has loaded the index.
    page.locator(".md-search-result__meta", has_text="Type to start searching").wait_for(timeout=10000)
    box.press_sequentially("jaxpr")
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=10000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
    assert any("/chapters/03-jit-and-tracing/" in h for h in hrefs), hrefs


def test_notebook_download_gives_the_chapter_with_its_outputs(page, site_url):
    page.goto(site_url + "/chapters/03-jit-and-tracing/")
    link = page.get_by_role("link", name="Download as notebook")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "03-jit-and-tracing.ipynb"
    nb = json.loads(open(download.path(), encoding="utf-8").read())
    assert nb["nbformat"] == 4
    texts = ["".join(o.get("data", {}).get("text/plain", "")) for c in nb["cells"] for o in c.get("outputs", [])]
    assert any("= sin" in t for t in texts)


def test_setup_cells_start_hidden_and_can_be_revealed(page, site_url):
    page.goto(site_url + "/chapters/03-jit-and-tracing/")
    first = page.locator("details.jax-setup").first
    assert not first.locator(".highlight").is_visible()
    first.locator("summary").click()
    assert first.locator(".highlight").is_visible()


def quiz_question(page, number: int):
    return page.locator(".jax-quiz__question").nth(number - 1)


def test_quiz_answered_wrongly_then_rightly_by_keyboard_survives_a_reload(page, site_url):
    page.goto(site_url + "/chapters/03-jit-and-tracing/")
    question = quiz_question(page, 1)
    radios = question.locator("input[type=radio]")
    correct = int(question.locator("input[data-correct]").get_attribute("value"))
    wrong = 0 if correct != 0 else 1
    feedback = question.locator(".jax-quiz__feedback")

    radios.first.focus()  # the reader has tabbed into the radio group
    for _ in range(wrong):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")  # selects the focused option (arrows already do, Space covers the first)
    assert radios.nth(wrong).is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check answer"
    page.keyboard.press("Enter")
    assert feedback.inner_text().startswith(f"{'ABCDEF'[wrong]}. Not quite.")
    assert "Try another answer." in feedback.inner_text()
    assert feedback.get_attribute("role") == "status"  # announced by screen readers

    page.keyboard.press("Shift+Tab")  # back to the radio group, on the checked option
    assert page.evaluate("document.activeElement.value") == str(wrong)
    for _ in range(abs(correct - wrong)):
        page.keyboard.press("ArrowDown" if correct > wrong else "ArrowUp")
    assert radios.nth(correct).is_checked()
    assert feedback.inner_text() == ""  # a changed answer clears the old verdict
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert feedback.inner_text().startswith(f"{'ABCDEF'[correct]}. Correct.")
    total = int(page.locator(".jax-quiz").get_attribute("data-total"))
    score = page.locator(".jax-quiz__score")
    assert score.inner_text().startswith(f"Your score: 1 of {total} correct")

    page.reload()
    question = quiz_question(page, 1)
    assert question.locator("input[type=radio]").nth(correct).is_checked()
    assert question.locator(".jax-quiz__feedback").inner_text().startswith(f"{'ABCDEF'[correct]}. Correct.")
    assert page.locator(".jax-quiz__score").inner_text().startswith(f"Your score: 1 of {total} correct")
    summary = page.evaluate("window.ThinkingInJax.progress.chapter('03-jit-and-tracing')")
    assert summary == {"id": "03-jit-and-tracing", "total": total, "answered": 1, "correct": 1,
                       "score": round(100 / total), "completed": False}

    page.goto(site_url + "/progress/")
    row = page.locator('[data-quiz-progress="03-jit-and-tracing"]')
    assert row.inner_text() == f"1 of {total} correct ({round(100 / total)}%), 1 answered"
    assert page.locator('[data-quiz-progress="00-why-jax"]').inner_text() == "Not started"


def test_predict_question_reveals_the_real_output_after_the_reader_commits(page, site_url):
    page.goto(site_url + "/chapters/03-jit-and-tracing/")
    question = page.locator(".jax-quiz__question[data-kind=predict]").first
    feedback = question.locator(".jax-quiz__feedback")
    assert not question.locator(".jax-quiz__reveal").first.is_visible()  # nothing given away before answering
    correct_text = question.locator(".jax-quiz__option:has(input[data-correct])").inner_text().strip()
    question.locator("input[type=radio]:not([data-correct])").first.check()
    question.get_by_role("button", name="Check answer").click()
    revealed = feedback.locator(".jax-quiz__reveal")
    assert revealed.is_visible()
    assert "computed by JAX 0.10.2" in revealed.inner_text()
    assert revealed.locator("pre").inner_text().strip() == correct_text  # the build proved they are equal


def test_lab_solutions_start_hidden_and_a_button_reveals_them(page, site_url):
    page.goto(site_url + "/labs/03-jit-and-tracing/")
    solution = page.locator(".celltag_solution").first
    assert not solution.is_visible()
    button = page.get_by_role("button", name="Show solution").first
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert solution.is_visible()
    assert page.get_by_role("button", name="Hide solution").first.get_attribute("aria-expanded") == "true"
    assert page.locator("text=✓").first.is_visible()
