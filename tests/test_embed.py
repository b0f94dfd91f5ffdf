"""Embed pages: every chapter and simulation under embed/, for iframes and SCORM.

They hold what the full page holds (text, code cells, simulations, quiz) and
none of the site's chrome; their links lead to pages that exist; they tell the
frame that holds them their height as Canvas expects, also when the frame is
sandboxed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from sitebuild import embed
from tests import urls

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.stem for p in (ROOT / "docs" / "chapters").glob("*.md"))
SIMS = sorted(p.stem for p in (ROOT / "docs" / "sims").glob("*.md"))


def count(html: str, css_class: str) -> int:
    return len(re.findall(rf'class="[^"]*\b{re.escape(css_class)}\b[^"]*"', html))


# ---- the copies of the Markdown -------------------------------------------------------

@pytest.mark.parametrize("target, expected", [
    ("03-jit-and-tracing.md#what-jit-does", "03-jit-and-tracing.md#what-jit-does"),  # another chapter: its embed copy
    ("../sims/pytree.md", "../sims/pytree.md"),
    ("../gotchas.md#x", "../../gotchas.md#x"),  # not embedded: the full site's page
    ("../labs/04-grad.ipynb", "../../labs/04-grad.ipynb"),
    ("https://docs.jax.dev/", "https://docs.jax.dev/"),
    ("#top", "#top"),
])
def test_a_link_of_a_chapter_is_rewritten_for_its_embed_copy(target, expected):
    assert embed.embed_link(target, "chapters") == expected


def test_the_copy_picks_the_embed_template_and_leaves_code_alone():
    page = "# Title\n\nSee [the gotchas](../gotchas.md).\n\n```python\nprint('[a](b.md)')\n```\n"
    copy = embed.embed_copy(page, "chapters")
    assert copy.startswith("---\ntemplate: embed.html\nsearch:\n  exclude: true\n---\n\n# Title")
    assert "[the gotchas](../../gotchas.md)" in copy and "print('[a](b.md)')" in copy
    with_meta = embed.embed_copy("---\ntitle: T\n---\n# Title\n", "sims")
    assert with_meta == "---\ntemplate: embed.html\nsearch:\n  exclude: true\ntitle: T\n---\n# Title\n"


# ---- the built pages ---------------------------------------------------------------------

@pytest.mark.parametrize("folder, names", [("chapters", CHAPTERS), ("sims", SIMS)])
def test_every_page_has_an_embed_page_with_its_content_and_no_site_chrome(built, folder, names):
    for name in names:
        full, page = built.page(f"{folder}/{name}"), built.page(f"embed/{folder}/{name}")
        for chrome in ("md-header__inner", "md-search", "md-sidebar", "md-footer", "md-tabs"):
            assert count(page, chrome) == 0, (name, chrome)
        assert '<header class="md-header" data-md-component="header" hidden></header>' in page  # empty, for Material's script
        for part in ("jax-cell", "jax-sim", "jax-quiz__question", "katex"):
            assert count(page, part) == count(full, part), (name, part)
        assert re.search(r'<h1[^>]*>', page)
        link = re.search(r'<a class="tij-embed__full-link" href="([^"]+)"', page)
        assert link, name
        assert urljoin(f"http://h/embed/{folder}/{name}/", link.group(1)) == f"http://h/{folder}/{name}/"
        assert "assets/tij/js/embed.js" in page


def test_every_link_of_an_embed_page_leads_to_a_file_of_the_site(built):
    missing = [b for b in urls.broken_references(built.site) if b.startswith(f"{embed.PREFIX}/")]
    assert not missing, missing[:10]


def test_embed_pages_are_not_in_the_search_index(built):
    index = (built.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert '"location":"embed/' not in index.replace(" ", "") and "chapters/04-grad/" in index


# ---- in a frame ---------------------------------------------------------------------------

HOST = """<!doctype html><html lang="en"><head><title>An LMS</title></head><body>
<h1>A course</h1>
<iframe title="Chapter" sandbox="{sandbox}" style="width:760px;height:300px" src="{src}"></iframe>
<script>
  window.heights = [];
  addEventListener("message", (e) => {{
    if (e.data && e.data.subject === "lti.frameResize") {{
      heights.push(e.data.height);
      document.querySelector("iframe").style.height = e.data.height + "px";
    }}
  }});
</script></body></html>"""


def host(page, lms, site_url: str, path: str, sandbox: str):
    """Open an LMS page holding `path` of the site in an iframe with this sandbox; the iframe."""
    folder, origin = lms
    name = f"lms-{len(list(folder.iterdir()))}.html"
    (folder / name).write_text(HOST.format(sandbox=sandbox, src=site_url + path), encoding="utf-8")
    page.goto(f"{origin}/{name}")
    return page.frame_locator("iframe")


@pytest.mark.browser
def test_an_embed_page_in_a_sandboxed_iframe_sizes_its_frame_to_its_content(page, lms, site_url):
    frame = host(page, lms, site_url, "/embed/sims/graph-tracer/", "allow-scripts allow-same-origin")
    frame.locator(".gt-node").first.wait_for()
    page.wait_for_function("heights.length > 0")
    inner = page.frames[1]
    height = lambda: inner.evaluate("Math.ceil(document.querySelector('.md-container').getBoundingClientRect().height)")  # noqa: E731
    page.wait_for_function("h => heights[heights.length - 1] === h", arg=height())
    before = height()
    frame.get_by_role("button", name="Show as table").click()  # the page grows: the frame is told
    page.wait_for_function("h => heights[heights.length - 1] > h", arg=before)
    assert page.evaluate("heights[heights.length - 1]") == height()
    assert page.evaluate("document.querySelector('iframe').clientHeight") == height()
    assert inner.evaluate("document.documentElement.scrollHeight <= innerHeight + 1")  # no scroll bar inside


@pytest.mark.browser
def test_in_a_sandboxed_iframe_an_embed_chapters_quiz_and_code_cells_work(page, lms, site_url):
    frame = host(page, lms, site_url, "/embed/chapters/04-grad/", "allow-scripts allow-same-origin")
    question = frame.locator(".jax-quiz__question").first
    question.locator("input[type=radio]").first.check()
    question.get_by_role("button", name=re.compile("Check")).click()
    expect(question.locator(".jax-quiz__feedback")).not_to_be_empty()
    cell = frame.locator(".jax-cell").nth(1)  # defines a function with jax; runs cell 1 first
    cell.get_by_role("button", name="Run cell 2").click()
    expect(cell.locator(".jax-cell__status")).to_have_text(re.compile("^Ran"), timeout=90_000)


@pytest.mark.browser
@pytest.mark.parametrize("sandbox, in_a_tab", [("allow-scripts allow-same-origin allow-popups", True),
                                               ("allow-scripts allow-same-origin", False)])
def test_open_the_full_course_opens_a_tab_or_without_popups_the_frame(page, lms, site_url, sandbox, in_a_tab):
    frame = host(page, lms, site_url, "/embed/chapters/04-grad/", sandbox)
    link = frame.get_by_role("link", name="Open the full course")
    if in_a_tab:
        with page.context.expect_page() as opened:
            link.click()
        assert opened.value.url.rstrip("/").endswith("/chapters/04-grad")
        assert "/embed/" in page.frames[1].url  # the frame stays
    else:
        link.click()
        expect(frame.locator(".md-header")).to_be_visible()  # the full site, with its header, in the frame
        assert page.frames[1].url.rstrip("/").endswith("/chapters/04-grad") and "/embed/" not in page.frames[1].url
        # Chromium reports the blocked new window that the page then works around.
        page.console_errors[:] = [e for e in page.console_errors if not e.startswith("Blocked opening ")]
