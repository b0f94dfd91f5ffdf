"""The whole build, for real: bake, execute cells with JAX, MkDocs, KaTeX, notebooks."""

from __future__ import annotations

import html
import re
import shutil

import nbformat
import pytest

from sims.registry import SIMS
from tests.conftest import ROOT, run_build

pytestmark = pytest.mark.build

CHAPTERS = [
    "00-why-jax", "01-jax-numpy", "02-pure-functions", "03-jit-and-tracing", "04-grad", "05-vmap",
    "06-parallelism", "07-pytrees", "08-random-numbers", "09-showcase", "10-beyond",
]


LABS = [f"labs/{slug}" for slug in CHAPTERS]
PAGES = ([f"chapters/{slug}" for slug in CHAPTERS] + LABS + ["guides/transformations", "gotchas", "progress", "instructors"]
         + [f"sims/{sim_id}" for sim_id in SIMS])


def outputs(page_html: str) -> list[str]:
    """The text of every executed-output block on a page."""
    blocks = re.findall(r'<pre class="jax-output__\w+"><code>(.*?)</code></pre>', page_html, re.S)
    return [html.unescape(b) for b in blocks]


def test_build_reports_each_step_with_its_time(built):
    steps = ["bake", "execute", "quizzes", "stage", "mkdocs", "postprocess", "assets", "notebooks", "package"]
    for number, step in enumerate(steps, 1):
        assert f"[{number}/{len(steps)}] {step}" in built.output
    assert list(built.report["steps"]) == steps


def test_every_page_is_built_and_in_the_navigation(built):
    home = built.page("")
    navigation = home[home.index('md-nav--primary'):]
    for page in PAGES:
        assert (built.site / page / "index.html").is_file(), page
        assert f'href="{page}/"' in navigation, f"{page} is not in the navigation"
    assert (built.site / "search" / "search_index.json").is_file()


SIM_PLACEHOLDER = re.compile(r'<div class="jax-sim" data-sim="[\w-]+"></div>\s*<p><em>Interactive simulation coming soon:</em>.*?</p>', re.S)
UNFINISHED = re.compile(r"coming soon|being written|\bTODO\b|\bTBD\b|lorem ipsum|under construction", re.I)


def test_no_page_has_placeholder_text_other_than_simulation_placeholders(built):
    for page in PAGES + [""]:
        html_text = built.page(page)
        main = html_text[html_text.index('<article'):html_text.index('</article>')]
        text = SIM_PLACEHOLDER.sub("", main)
        hits = UNFINISHED.findall(re.sub(r"<[^>]+>", " ", text))
        assert not hits, f"{page or 'home'} still says {hits}"


def test_every_code_cell_of_every_page_and_lab_was_executed(built):
    from sitebuild import cells

    paths = sorted((ROOT / "docs").rglob("*.md")) + sorted((ROOT / "docs" / "labs").glob("*.ipynb"))
    total = sum(len(cells.cells_of(p.read_text(encoding="utf-8"), str(p))) for p in paths)
    assert total > 300
    assert built.report["cells_executed"] == total
    assert built.report["pages_executed"] == sum(
        1 for p in paths if cells.cells_of(p.read_text(encoding="utf-8"), str(p)))


def test_labs_show_real_outputs_of_their_checks_and_mark_solutions(built):
    for lab in LABS:
        page = built.page(lab)
        assert page.count("celltag_solution") >= 2, lab
        assert page.count("celltag_exercise") >= 2, lab
        assert "✓" in page, f"{lab} shows no passed check"
        assert "cdnjs" not in page and "mathjax" not in page.lower(), lab


def test_every_lab_links_to_its_chapter_page_not_its_markdown_file(built):
    for slug in CHAPTERS:  # the lab's Markdown says ../chapters/<slug>.md, as pages do
        page = built.page(f"labs/{slug}")
        assert f'href="../../chapters/{slug}/"' in page and ".md\"" not in page, slug


def test_every_chapter_has_a_quiz_of_three_or_more_questions_with_a_predict_question(built):
    for slug in CHAPTERS:
        page = built.page(f"chapters/{slug}")
        assert f'data-quiz="{slug}"' in page, slug
        assert int(re.search(r'data-total="(\d+)"', page)[1]) >= 3, slug
        assert 'data-kind="predict"' in page, slug
        assert "../../labs/" + slug in page, f"{slug} does not link its lab"


def test_chapter_3_shows_the_jaxpr_jax_printed_with_sin_and_cos_equations(built):
    texts = outputs(built.page("chapters/03-jit-and-tracing"))
    jaxprs = [t for t in texts if t.startswith("{ lambda")]
    assert jaxprs, "no jaxpr among chapter 3's outputs"
    first = jaxprs[0]
    assert re.search(r"^\s+\w+:f32\[[\d,]*\] = sin \w+$", first, re.M)
    assert re.search(r"^\s+\w+:f32\[[\d,]*\] = cos \w+$", first, re.M)
    assert "integer_pow[y=2]" in first


def test_pitfall_cells_show_the_real_jax_error(built):
    errors = [t for t in outputs(built.page("chapters/03-jit-and-tracing")) if "Error:" in t.split("\n")[0]]
    assert any(t.startswith("jax.errors.TracerBoolConversionError: Attempted boolean conversion") for t in errors), errors


def test_outputs_are_labelled_as_computed_by_jax_at_build(built, jax_version="0.10.2"):
    page = built.page("chapters/00-why-jax")
    assert f"Computed by JAX {jax_version} on CPU when this page was built" in page
    assert len(outputs(page)) >= 5


def test_math_is_rendered_by_katex_at_build_and_its_css_and_fonts_are_self_hosted(built):
    page = built.page("chapters/00-why-jax")
    assert 'class="katex"' in page and "<math" in page  # HTML for the eye, MathML for screen readers
    assert "\\(" not in re.sub(r"<annotation.*?</annotation>", "", page, flags=re.S)
    css = built.site / "assets" / "vendor" / "katex" / "katex.min.css"
    assert css.is_file()
    fonts = re.findall(r"url\((fonts/[^)]+\.woff2)\)", css.read_text())
    assert fonts and all((css.parent / f).is_file() for f in fonts)


def test_every_page_names_its_search_dialog_for_screen_readers(built):
    pages = [p for p in built.site.rglob("*.html") if 'data-md-component="search"' in p.read_text(encoding="utf-8")]
    assert len(pages) > 30
    for page in pages:
        assert 'data-md-component="search" role="dialog" aria-label="Search"' in page.read_text(encoding="utf-8"), page


def test_no_page_references_anything_outside_the_site(built):
    offsite = re.compile(r'''(?:src|href)=["'](?:https?:)?//|url\(["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//''')
    for path in list(built.site.rglob("*.html")) + list(built.site.rglob("*.css")):
        text = path.read_text(encoding="utf-8", errors="replace")
        # Links in running text (e.g. a URL inside a JAX error message) are not requests.
        hits = [m.group(0) for m in offsite.finditer(text) if not _is_plain_anchor(text, m.start())]
        assert not hits, f"{path.relative_to(built.site)} loads from outside the site: {hits[:3]}"


def _is_plain_anchor(text: str, pos: int) -> bool:
    tag_start = text.rfind("<", 0, pos)
    return text.startswith("<a ", tag_start)


def test_every_chapter_has_a_valid_notebook_with_the_real_outputs_linked_from_its_page(built):
    for slug in CHAPTERS:
        path = built.site / "notebooks" / f"{slug}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
        assert f'href="../../notebooks/{slug}.ipynb" download' in built.page(f"chapters/{slug}")
    nb = nbformat.read(str(built.site / "notebooks" / "03-jit-and-tracing.ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    results = [o for c in code for o in c.outputs if o.output_type == "execute_result"]
    assert any("= sin" in o.data["text/plain"] for o in results)
    errors = [c for c in code if any(o.output_type == "error" for o in c.outputs)]
    assert errors and all("raises-exception" in c.metadata.tags for c in errors)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "!!!" not in markdown and "???" not in markdown  # admonitions became plain Markdown
    assert "(04-grad.ipynb)" in markdown and "(04-grad.md)" not in markdown  # chapter links lead to notebooks


def test_a_second_build_with_no_change_executes_no_cell(built, tmp_path):
    again = run_build(tmp_path, built.cache)
    assert again.returncode == 0, again.output
    assert again.report["cells_executed"] == 0
    assert again.report["cells_from_cache"] == built.report["cells_executed"] > 0
    assert "executed 0 cells on 0 pages" in again.output


def test_an_unexpected_exception_in_a_cell_fails_the_build_with_file_and_line(built, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    shutil.copy(ROOT / "tests" / "fixtures" / "failing_page.md", docs / "failing_page.md")
    broken = run_build(tmp_path, built.cache, "--docs-dir", str(docs))
    assert broken.returncode == 1
    assert "Build failed: " in broken.output
    assert re.search(r"docs/failing_page\.md:10: this cell raised ZeroDivisionError", broken.output), broken.output
    assert "y = x / 0" in broken.output
    assert "Traceback" not in broken.output.split("Build failed:")[0]  # no crash of the build tool itself
