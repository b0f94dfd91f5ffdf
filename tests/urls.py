"""The URLs in a built site's files, for packages that must work with no
network (the offline zip, SCORM packages): what a browser would fetch from
elsewhere, and internal references that point at no file.

HTML and CSS are read exactly (what a tag or a stylesheet makes the browser
fetch). Scripts cannot be read that way: any URL written in a script counts
as fetched, unless KNOWN_DORMANT lists it with the reason it is never used
here. The browser walks over the packages back this reading up."""

from __future__ import annotations

import html.parser
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Tag -> attributes whose URL the browser fetches as the page loads.
FETCHED = {
    "script": ("src",), "img": ("src", "srcset"), "source": ("src", "srcset"), "iframe": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "track": ("src",), "embed": ("src",), "object": ("data",),
    "input": ("src",), "image": ("href", "xlink:href"), "use": ("href", "xlink:href"),
}
FETCHED_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "prefetch", "manifest"}
LINKING = ("href", "src", "srcset", "poster", "data", "xlink:href")  # attributes that name another file

# URLs written in third-party scripts that no page of this site makes them
# fetch: script file name (any folder) -> {URL prefix: why it stays unused}.
KNOWN_DORMANT = {
    "bundle.*.min.js": {  # Material for MkDocs
        "https://api.github.com/": "repository facts: only with repo_url, which mkdocs.yml does not set",
        "https://${": "repository facts from GitLab: only with repo_url",
        "https://unpkg.com/resize-observer-polyfill": "only in browsers without ResizeObserver",
        "https://unpkg.com/mermaid@": "only on pages with Mermaid diagrams; the site has none",
    },
    "pyodide.mjs": {
        "https://cdn.jsdelivr.net/pyodide/": "Pyodide's default package index: the runner passes its own "
                                             "indexURL and loads no packages",
    },
    "pyodide.asm.mjs": {
        "https://${": "sockets (wintercg-sockets): only if a reader's Python opens a network connection",
    },
}
XML_NAMESPACES = ("http://www.w3.org/",)  # names, never fetched
# Scripts that are data: the pages' text, where a URL is something a page says, not fetches.
DATA_SCRIPTS = ("search_index.js",)  # Material's search index, as a script for file:// (offline plugin)

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*?)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_JS_URL = re.compile(r"""(?<!\\)(["'`])((?:https?:)?//[A-Za-z0-9$][^"'`\s]*)\1""")  # a whole string literal
SCRIPT_SUFFIXES = (".js", ".mjs")
NOT_FILES = ("data:", "blob:", "#", "javascript:", "mailto:", "about:")  # URLs that name no file


def is_external(url: str) -> bool:
    """Does this URL leave the site (another host, or an absolute path on the host)?"""
    url = url.strip()
    return not url.startswith(NOT_FILES) and (url.startswith("/") or bool(urlsplit(url).scheme))


class _References(html.parser.HTMLParser):
    """Collects (url, fetched) from a page's tags, and its inline styles and scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []
        self.inline_css: list[str] = []
        self.inline_js: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        fetched = set(FETCHED.get(tag, ()))
        if tag == "link" and FETCHED_LINK_RELS & set((attrs.get("rel") or "").lower().split()):
            fetched.add("href")
        for name in LINKING:
            for url in _urls(attrs.get(name), srcset=name == "srcset"):
                self.found.append((url, name in fetched))
        if attrs.get("style"):
            self.inline_css.append(attrs["style"])
        self._in = tag if tag in ("style", "script") and not attrs.get("src") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.inline_css.append(data)
        elif self._in == "script":
            self.inline_js.append(data)


def _urls(value: str | None, srcset: bool) -> list[str]:
    if not value:
        return []
    return [part.split()[0] for part in value.split(",") if part.strip()] if srcset else [value.strip()]


def css_urls(text: str) -> list[str]:
    return [m[2] or m[4] for m in _CSS_URL.finditer(text) if (m[2] or m[4]) and not (m[2] or "").startswith("data:")]


def script_urls(text: str, name: str = "") -> list[str]:
    """Absolute URLs written in a script, less namespaces and its known dormant ones."""
    dormant = [prefix for pattern, known in KNOWN_DORMANT.items() if Path(name).match(pattern) for prefix in known]
    return [url for _, url in _JS_URL.findall(text)
            if not url.startswith(XML_NAMESPACES) and not url.startswith(tuple(dormant))]


def external_fetches(root: Path) -> list[str]:
    """'file: url' for every URL under root that a browser would fetch from elsewhere."""
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".html":
            refs = _read_html(path)
            urls = [u for u, fetched in refs.found if fetched]
            urls += [u for css in refs.inline_css for u in css_urls(css)]
            urls += [u for js in refs.inline_js for u in script_urls(js)]
        elif path.suffix == ".css":
            urls = css_urls(path.read_text(encoding="utf-8"))
        elif path.suffix in SCRIPT_SUFFIXES and path.name not in DATA_SCRIPTS:
            urls = script_urls(path.read_text(encoding="utf-8"), path.name)
        else:
            continue
        found += [f"{rel}: {u}" for u in urls if is_external(u)]
    return found


def broken_references(root: Path, directory_links: bool = True) -> list[str]:
    """'file: url' for every reference in HTML and CSS under root to a file of
    the same site (a relative URL, or a path from the host's root: not part
    of a package) that names no file there. With directory_links=False (pages opened from
    file://, where a folder shows as a listing), a link to a folder is broken
    too, even if the folder has an index.html."""
    broken = []
    for path in sorted(root.rglob("*")):
        if path.suffix == ".html":
            refs = _read_html(path)
            urls = [u for u, _ in refs.found] + [u for css in refs.inline_css for u in css_urls(css)]
        elif path.suffix == ".css":
            urls = css_urls(path.read_text(encoding="utf-8"))
        else:
            continue
        for url in urls:
            on_other_host = url.startswith("//") or bool(urlsplit(url).scheme)
            if not (on_other_host or url.startswith(NOT_FILES)) and not _resolves(root, path, url, directory_links):
                broken.append(f"{path.relative_to(root).as_posix()}: {url}")
    return broken


def _resolves(root: Path, page: Path, url: str, directory_links: bool) -> bool:
    target_path = unquote(urlsplit(url).path)
    if not target_path:  # "?query" or "#anchor" only: the page itself
        return True
    target = root / posixpath.normpath(posixpath.join(page.parent.relative_to(root).as_posix(), target_path))
    if not target.resolve().is_relative_to(root.resolve()):
        return False
    if target.is_dir():
        return directory_links and (target / "index.html").is_file()
    return target.is_file()


def _read_html(path: Path) -> _References:
    parser = _References()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser
