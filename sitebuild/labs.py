"""Lab notebooks (docs/labs/NN-slug.ipynb): executed with real JAX at build,
rendered by mkdocs-jupyter.

Authors commit labs without outputs. The execute step runs every code cell
that is not tagged `exercise` (solutions and checks included, so a wrong
solution fails the build); `stage_docs` then writes a copy of docs/ in which
each lab carries those real outputs, and MkDocs builds from that copy.
Math in the labs' Markdown becomes arithmatex markup, so KaTeX renders it at
build like everywhere else (and no MathJax is loaded from elsewhere).
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from pathlib import Path

import nbformat

from sitebuild.notebooks import jupyter_outputs

LABS = "labs"
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?![\w$])")


def lab_paths(docs_dir: Path) -> list[Path]:
    return sorted((docs_dir / LABS).glob("*.ipynb"))


def executed_lab(text: str, result) -> nbformat.NotebookNode:
    """The lab with the real outputs of the cells the build ran."""
    nb = nbformat.reads(text, as_version=4)
    outputs = dict((cell.line, output) for cell, output in zip(result.cells, result.outputs))
    count = 0
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            cell.source = math_markup(cell.source)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if number in outputs:
                count += 1
                cell.outputs, cell.execution_count = jupyter_outputs(outputs[number], count), count
            if "solution" in cell.metadata.get("tags", []):
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True  # folded in JupyterLab too
    nbformat.validate(nb)
    return nb


def math_markup(markdown_text: str) -> str:
    """`$...$` and `$$...$$` outside code become the markup pymdownx.arithmatex
    writes, which sitebuild.render_math turns into KaTeX at build."""
    parts = _CODE.split(markdown_text)
    for i in range(0, len(parts), 2):  # even parts are outside code
        text = _DISPLAY_MATH.sub(lambda m: f'<div class="arithmatex">\\[{html.escape(m[1].strip())}\\]</div>', parts[i])
        parts[i] = _INLINE_MATH.sub(lambda m: f'<span class="arithmatex">\\({html.escape(m[1])}\\)</span>', text)
    return "".join(parts)


def stage_docs(docs_dir: Path, staged: Path, lab_results: dict[Path, object]) -> int:
    """Copy docs_dir to `staged`, with each lab replaced by its executed version."""
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(docs_dir, staged)
    for path, result in lab_results.items():
        nb = executed_lab(path.read_text(encoding="utf-8"), result)
        nbformat.write(nb, str(staged / path.relative_to(docs_dir)))
    return len(lab_results)


# mkdocs-jupyter's HTML template loads MathJax and, for Mermaid diagrams,
# Mermaid, both from a CDN. Our labs have no Mermaid, and their math is
# rendered by KaTeX at build, so both loaders are removed: a page must never
# reach outside the site.
_MATHJAX_LOADER = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_MERMAID_LOADER = re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>', re.S)


def clean_rendered_labs(site_dir: Path) -> int:
    """Strip the CDN loaders from the rendered lab pages; return how many pages."""
    cleaned = 0
    for page in (site_dir / LABS).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _MERMAID_LOADER.sub("", _MATHJAX_LOADER.sub("", text))
        if new != text:
            page.write_text(new, encoding="utf-8")
            cleaned += 1
    return cleaned


# A lab's Markdown links to chapters as every page's Markdown does
# (`../chapters/04-grad.md`); MkDocs resolves such links in pages but
# mkdocs-jupyter leaves them as written, so the built lab points at a file no
# site has. They are pointed at the built page instead.
_PAGE_LINK = re.compile(r'href="((?![a-zA-Z][a-zA-Z0-9+.-]*:)[^"#?]+)\.md(#[^"]*)?"')


def link_rendered_labs(site_dir: Path) -> int:
    """Point the rendered labs' links to `.md` files at the built pages, for
    either URL style (`chapters/04-grad/` or, offline, `chapters/04-grad.html`);
    return how many links."""
    linked = 0
    for page in (site_dir / LABS).rglob("*.html"):
        here = page.parent.relative_to(site_dir).as_posix()  # the lab's folder in the site
        directory_urls = page.name == "index.html"  # labs/<slug>/index.html, not labs/<slug>.html

        def built(match: re.Match) -> str:
            source = posixpath.normpath(posixpath.join(LABS, match[1]))  # the linked page in docs/, less .md
            if directory_urls:
                folder = posixpath.dirname(source) if posixpath.basename(source) == "index" else source
                url = posixpath.relpath(folder or ".", here) + "/"
            else:
                url = posixpath.relpath(source + ".html", here)
            return f'href="{url}{match[2] or ""}"'

        text = page.read_text(encoding="utf-8")
        new, count = _PAGE_LINK.subn(built, text)
        if count:
            page.write_text(new, encoding="utf-8")
            linked += count
    return linked
