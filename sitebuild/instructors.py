"""The "For instructors" page's generated parts, written into the staged copy
of docs/instructors/index.md at the stage step (as the embed pages are), so
a new chapter or simulation is listed, with its package and its iframe
snippet, without anyone editing the page.

The page says where each part goes with a marker line (an HTML comment, so
the hand-written page still reads well in an editor):

- `<!-- tij:downloads -->`   the Common Cartridge and the offline zip
- `<!-- tij:pages -->`       every chapter and simulation: its SCORM package
                             (chapters), its embed page and an iframe snippet

The snippets need the site's absolute address. With a site URL (--site-url
or mkdocs.yml) they carry it; without one they carry PLACEHOLDER and a note
saying so, and site_src/assets/js/instructors.js puts in the address the
page was loaded from (on http/https only: from file:// there is none).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from sitebuild import cartridge, course, downloads
from sitebuild.errors import BuildError

PAGE = "instructors/index.md"  # relative to docs/
ROOT_FROM_PAGE = "../"  # the site's root, relative to the page (also without directory URLs)
PLACEHOLDER = "https://YOUR-SITE/"
OFFLINE_ZIP = "thinking-in-jax-offline.zip"  # in dist/ (sitebuild/offline.py)
SANDBOX = "allow-scripts allow-same-origin"
FRAME_HEIGHT = 800  # px; Canvas then sizes the frame to the page (lti.frameResize)


def stage_page(staged: Path, options) -> int:
    """Fill the markers of the staged instructors page; the number of pages listed."""
    pages = course.load(options.docs_dir, options.config_file).pages
    site_url = course.site_url(options)
    path = staged / PAGE
    text = path.read_text(encoding="utf-8")
    parts = {"<!-- tij:downloads -->": downloads_section(site_url),
             "<!-- tij:pages -->": pages_section(pages, site_url)}
    for marker, markdown in parts.items():
        if text.count(marker) != 1:
            raise BuildError(f"docs/{PAGE}: needs the line {marker} exactly once, where the build writes "
                             "the list it stands for (sitebuild/instructors.py); it has it "
                             f"{text.count(marker)} times.")
        text = text.replace(marker, markdown)
    path.write_text(text, encoding="utf-8")
    return len(pages)


def downloads_section(site_url: str | None) -> str:
    """The course-wide packages: the cartridge (when the site has a URL) and the offline zip."""
    if site_url:
        imscc = (f"- **Common Cartridge** (one module with a link to every chapter and simulation): "
                 f"{_download(cartridge.NAME)}")
    else:
        imscc = ("- **Common Cartridge**: not in this copy of the site. It links to the hosted pages, so it is "
                 "built only when the build knows the site's address: "
                 "`python build_site.py build --site-url https://…/`.")
    offline = (f"- **Offline copy** of the whole site (see [Offline use](#offline-use)): "
               f"{_download(OFFLINE_ZIP)}")
    scorm = "- **SCORM 1.2 packages**, one per chapter: in the [list below](#every-chapter-and-simulation)."
    return "\n".join([imscc, offline, scorm])


def pages_section(pages: list[course.Page], site_url: str | None) -> str:
    """Chapters, then simulations: each with its links and a code block holding its iframe snippet."""
    root = site_url or PLACEHOLDER
    blocks = []
    if not site_url:
        blocks.append(
            f'<p data-tij-site-url-note>The snippets below say <code>{PLACEHOLDER}</code> where the address of '
            "this site goes: replace it with the part of this page's address before <code>instructors/</code>."
            "</p>\n\n"
            f'<script src="{ROOT_FROM_PAGE}assets/tij/js/instructors.js" '
            f'data-placeholder="{PLACEHOLDER}" defer></script>\n')
    for folder, heading in (("chapters", "Chapters"), ("sims", "Simulations")):
        blocks.append(f"### {heading}\n")
        blocks += [page_entry(p, root) for p in pages if p.folder == folder]
    return "\n".join(blocks)


def page_entry(page: course.Page, root: str) -> str:
    """One list item: the page, its package (chapters), its embed page, its snippet."""
    links = [f"[{page.title}]({ROOT_FROM_PAGE}{page.source})"]
    if page.folder == "chapters":
        links.append(f"SCORM 1.2 package: {_download(f'scorm/{page.slug}.zip')}")
    links.append(f"embed page: [{page.embed_path}]({ROOT_FROM_PAGE}{embed_source(page)})")
    snippet = "".join(f"    {line}\n" for line in iframe_snippet(page, root).splitlines())
    return f"- {' · '.join(links)}\n\n    ```html\n{snippet}    ```\n"


def iframe_snippet(page: course.Page, root: str) -> str:
    """The HTML a teacher pastes into an LMS page to show `page` there (one attribute group a line)."""
    return (f'<iframe src="{escape(root + page.embed_path)}"\n'
            f'        title="{escape(page.label)}"\n'
            f'        width="100%" height="{FRAME_HEIGHT}" style="border: 0;"\n'
            f'        sandbox="{SANDBOX}" loading="lazy"></iframe>')


def embed_source(page: course.Page) -> str:
    """The staged Markdown of the page's embed copy, relative to docs/ (MkDocs checks links to it)."""
    return f"{page.embed_path.rstrip('/')}.md"


def _download(name: str) -> str:
    """A link to a package as published in the site (sitebuild/downloads.py); the file's name is its text."""
    return f'<a href="{ROOT_FROM_PAGE}{downloads.FOLDER}/{name}" download>{name.rsplit("/", 1)[-1]}</a>'
