"""Embed pages: every chapter and simulation page again, under embed/, in a
layout made for an iframe (an LMS, a course page) or a SCORM package.

At the stage step, each staged `chapters/*.md` and `sims/*.md` is copied to
`embed/chapters/` and `embed/sims/`, with front matter that picks the embed
template (site_src/theme/embed.html: no site header, navigation or footer; a
link to the same page in the full course; the script that tells the parent
frame the page's height) and keeps the copy out of search. Code cells, quizzes
and simulations are the same Markdown, so they render as on the full page
(cell outputs come from the same cache: it is keyed by the cells).

Relative links are rewritten for the copy's place: a link to another chapter
or simulation stays inside the embed pages (an iframe never shows the site's
navigation); a link to anything else (a guide, a lab, an image) goes one
level up, to the full site.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

EMBEDDED = ("chapters", "sims")  # folders of docs/ whose pages get an embed copy
PREFIX = "embed"
FRONT_MATTER = "template: embed.html\nsearch:\n  exclude: true\n"

# [text](target "title") and [ref]: target — the target is what is rewritten.
_INLINE = re.compile(r"(\]\()(<[^>]*>|[^)\s]+)")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:[ \t]*)(\S+)", re.M)
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)


def stage_embed_pages(staged: Path) -> int:
    """Write the embed copy of every chapter and simulation page; how many."""
    count = 0
    for folder in EMBEDDED:
        for page in sorted((staged / folder).glob("*.md")):
            target = staged / PREFIX / folder / page.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(embed_copy(page.read_text(encoding="utf-8"), folder), encoding="utf-8")
            count += 1
    return count


def embed_copy(text: str, folder: str) -> str:
    """The page's Markdown for embed/<folder>/: the embed front matter, links rewritten."""
    body = _rewrite_links(text, folder)
    if body.startswith("---\n"):  # the page has front matter: add ours to it
        return "---\n" + FRONT_MATTER + body[4:]
    return "---\n" + FRONT_MATTER + "---\n\n" + body


def embed_link(target: str, folder: str) -> str:
    """Where a link of a page in docs/<folder>/ points from its embed copy."""
    inner = target[1:-1] if target.startswith("<") else target
    if not inner or inner.startswith("#") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", inner) or inner.startswith("/"):
        return target  # an anchor on the page, an absolute URL, a mailto:
    path, suffix = re.match(r"([^#?]*)(.*)", inner).group(1, 2)  # suffix: an #anchor or ?query, kept
    resolved = posixpath.normpath(posixpath.join(folder, path))
    if resolved.split("/")[0] in EMBEDDED and resolved.endswith(".md"):
        rewritten = path + suffix  # the embed copy of that page sits at the same relative place
    else:
        rewritten = "../" + path + suffix
    return f"<{rewritten}>" if target.startswith("<") else rewritten


def _rewrite_links(text: str, folder: str) -> str:
    """Rewrite link targets outside fenced code (code cells keep their text)."""
    parts, last = [], 0
    for fence in _FENCE.finditer(text):
        parts.append(_rewrite_prose(text[last:fence.start()], folder))
        parts.append(fence.group(0))
        last = fence.end()
    parts.append(_rewrite_prose(text[last:], folder))
    return "".join(parts)


def _rewrite_prose(text: str, folder: str) -> str:
    text = _INLINE.sub(lambda m: m.group(1) + embed_link(m.group(2), folder), text)
    return _REFERENCE.sub(lambda m: m.group(1) + embed_link(m.group(2), folder), text)
