"""The course as the LMS packages and the instructors page see it: its pages
that can be embedded (every chapter and simulation), in course order, and the
public URL where the site is hosted.

Course order is the order of mkdocs.yml's `nav` (chapters before
simulations); a page missing from the nav still counts, after the others of
its folder, so a new chapter is never left out of the packages.

The site URL comes from `--site-url` (Options.site_url) or, failing that,
from `site_url` in mkdocs.yml, where MkDocs also reads it; either way it is
checked and ends with "/".
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import urlsplit

from sitebuild import embed
from sitebuild.errors import BuildError

KINDS = {"chapters": "chapter", "sims": "simulation"}  # each folder of embed.EMBEDDED -> what a page there is


@dataclasses.dataclass(frozen=True)
class Page:
    folder: str  # "chapters" or "sims"
    slug: str    # the file's stem: "03-jit-and-tracing"
    title: str   # the page's first `# ` heading, as Markdown

    @property
    def kind(self) -> str:
        return KINDS[self.folder]

    @property
    def source(self) -> str:
        """The Markdown file, relative to docs/."""
        return f"{self.folder}/{self.slug}.md"

    @property
    def path(self) -> str:
        """The full page's URL path, relative to the site's root."""
        return f"{self.folder}/{self.slug}/"

    @property
    def embed_path(self) -> str:
        """The embed page's URL path, relative to the site's root."""
        return f"{embed.PREFIX}/{self.folder}/{self.slug}/"

    @property
    def plain_title(self) -> str:
        """The title without Markdown's code marks, for places that show plain text."""
        return self.title.replace("`", "")

    @property
    def label(self) -> str:
        """The plain title, saying what the page is where chapters and simulations
        share one list (an LMS module): chapter titles already start "Chapter N"."""
        return self.plain_title if self.folder == "chapters" else f"Simulation: {self.plain_title}"


@dataclasses.dataclass(frozen=True)
class Course:
    title: str
    description: str
    language: str
    pages: list[Page]


def load(docs_dir: Path, config_file: Path) -> Course:
    """The course's title and embeddable pages, in course order."""
    config = read_config(config_file)
    order = {path: i for i, path in enumerate(_nav_paths(config.get("nav") or []))}
    pages = []
    for folder in embed.EMBEDDED:
        files = sorted((docs_dir / folder).glob("*.md"), key=lambda p: (order.get(f"{folder}/{p.name}", len(order)), p.name))
        pages += [Page(folder, p.stem, page_title(p)) for p in files]
    theme = config.get("theme") or {}
    return Course(title=config["site_name"],
                  description=" ".join((config.get("site_description") or "").split()),
                  language=(theme.get("language") if isinstance(theme, dict) else None) or "en",
                  pages=pages)


def site_url(options) -> str | None:
    """Where the site is hosted: --site-url, else mkdocs.yml's site_url, else None."""
    if options.site_url:
        return normalise_site_url(options.site_url)
    configured = read_config(options.config_file).get("site_url")
    if not configured:
        return None
    try:
        return normalise_site_url(configured)
    except ValueError as err:
        raise BuildError(f"{options.config_file.name}: site_url: {err}") from None


def normalise_site_url(url: str) -> str:
    """The site's public address, checked, ending with "/"; ValueError with a
    message for the person who typed it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not a full web address. Give the address where the site is hosted, "
                         "starting with https://, for example https://you.github.io/thinking-in-jax/")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r} has a ?query or #fragment; give the address of the site's home page without them.")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def page_title(path: Path) -> str:
    """The first `# ` heading of a page (after any front matter)."""
    text = path.read_text(encoding="utf-8")
    heading = re.search(r"^# +(.+?)\s*#*\s*$", _without_front_matter(text), re.M)
    if not heading:
        raise BuildError(f"{path}: has no title; start the page with a `# Title` line.")
    return heading.group(1)


def read_config(config_file: Path) -> dict:
    """mkdocs.yml as MkDocs reads it (its !ENV and !!python/name tags included)."""
    from mkdocs.utils import yaml_load

    with open(config_file, encoding="utf-8") as f:
        return yaml_load(f) or {}


def _nav_paths(nav) -> list[str]:
    """The Markdown paths of a MkDocs nav, in order, at any depth."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_paths(value)]
    if isinstance(nav, list):
        return [p for entry in nav for p in _nav_paths(entry)]
    return []


def _without_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text
