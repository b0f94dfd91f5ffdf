"""SCORM 1.2: one package per chapter, dist/scorm/<chapter-slug>.zip, from a built site.

A package is the chapter's embed page (site/embed/chapters/<slug>/index.html,
kept at that path so every relative URL in it and in the site's assets still
points where it did) and every file that page loads: the files its HTML and
CSS name (styles, scripts, KaTeX fonts, the icon) and those its scripts load
at run time (each live simulation's player and baked data; the code-cell
runner's Worker and editor, Pyodide and our Python zip, so cells run inside
the package). At its root: `imsmanifest.xml` (one organization, one item with
the mastery score, one SCO resource listing every file) and the SCORM 1.2
schemas it is written against (sitebuild/scorm12/, as packages usually carry
them). The page's scripts/scorm.js talks to the LMS.

Nothing in a package reaches outside it. Links to pages it does not hold
(other chapters, guides, labs, other sites) become their plain text; the
"Open the full course" line is dropped; a link to a place in the chapter
itself becomes an anchor; <link>s to other pages go. A file that the page,
or a stylesheet it loads, fetches from elsewhere stops the build. (Scripts'
URLs, and what a browser really requests, are checked by
tests/test_scorm_package.py and tests/test_scorm_runtime.py.)

Sizes (Pyodide 314.0.7, deflate level 6): 7.7-7.8 MB per package, of which
Pyodide is 6.4 MB (its 9.6 MB of WebAssembly deflate to 3.5 MB; its 2.5 MB
standard library is a zip already, stored as it is). SIZE_BUDGET is 9 MB per
zip; the build refuses more. The zips are byte-for-byte reproducible (sitebuild/zips.py)
and kept in <cache>/scorm/ by content, since deflating Pyodide eleven times
would add about 6 s to every build.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from sitebuild import assets, course, pyodide_assets, zips
from sitebuild.errors import BuildError

SCHEMAS = Path(__file__).resolve().parent / "scorm12"  # the SCORM 1.2 XSDs, copied into every package
OUT_DIR = "scorm"  # under dist/
MASTERY_SCORE = 80  # percent of the chapter's quiz answered right to pass (cmi.student_data.mastery_score)
SIZE_BUDGET = 9_000_000  # bytes per zip
ZIP_LEVEL = 6  # deflate level 9 makes Pyodide's wasm 0.5% smaller in twice the time

_URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "xlink:href", "background", "manifest", "ping"}
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)|@import\s+(["'])(.*?)\3""", re.I | re.S)
_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
_HREF = re.compile(r"""\bhref=(["'])(.*?)\1""", re.S)
_HEAD_LINK = re.compile(r"<link\b[^>]*>")
_FULL_COURSE = re.compile(r'<p class="tij-embed__full">.*?</p>\s*', re.S)  # site_src/theme/embed.html


def write_packages(options) -> str:
    """Write dist/scorm/<slug>.zip for every chapter; a summary line."""
    book = course.load(options.docs_dir, options.config_file)
    chapters = [page for page in book.pages if page.folder == "chapters"]
    out = options.dist_dir / OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.zip"):
        old.unlink()
    sizes = []
    for chapter in chapters:
        data = zipped(chapter_package(options.site_dir, chapter, book.title), options.cache_dir / OUT_DIR, chapter.slug)
        if len(data) > SIZE_BUDGET:
            raise BuildError(f"The SCORM package of {chapter.slug} is {len(data) / 1e6:.1f} MB, over its budget of "
                             f"{SIZE_BUDGET / 1e6:.1f} MB (sitebuild/scorm.py SIZE_BUDGET): see what grew, "
                             "or raise the budget knowingly.")
        (out / f"{chapter.slug}.zip").write_bytes(data)
        sizes.append(len(data))
    if not sizes:
        return "no chapters: no SCORM packages"
    return (f"{len(sizes)} SCORM 1.2 packages in {out.name}/ ({min(sizes) / 1e6:.1f}-{max(sizes) / 1e6:.1f} MB each, "
            f"mastery score {MASTERY_SCORE})")


def zipped(files: dict[str, bytes], cache: Path, slug: str) -> bytes:
    """The package's zip, from the cache when the same files were zipped
    before: deflating Pyodide takes most of a second, and it rarely changes."""
    digest = hashlib.sha256(Path(zips.__file__).read_bytes() + str(ZIP_LEVEL).encode())
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    cached = cache / f"{slug}-{digest.hexdigest()[:16]}.zip"
    if cached.is_file():
        return cached.read_bytes()
    buffer = io.BytesIO()
    zips.write_zip(buffer, files, compresslevel=ZIP_LEVEL)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{slug}-*.zip"):
        old.unlink()
    cached.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def chapter_package(site_dir: Path, chapter: course.Page, course_title: str) -> dict[str, bytes]:
    """Every file of one chapter's package, by its path in the zip."""
    launch = chapter.embed_path + "index.html"
    built = site_dir / launch
    if not built.is_file():
        raise BuildError(f"{launch} is not in {site_dir}: the SCORM package of {chapter.slug} is made from it. "
                         "Run the whole build (`python build_site.py build`).")
    page = package_page(built.read_text(encoding="utf-8"), launch)
    files = {launch: page.encode("utf-8")}
    for name in sorted(needed_files(site_dir, launch, page)):
        files[name] = (site_dir / name).read_bytes()
    files.update({p.name: p.read_bytes() for p in sorted(SCHEMAS.glob("*.xsd"))})
    listed = sorted(name for name in files if not control_file(name))
    files["imsmanifest.xml"] = manifest(chapter, course_title, launch, listed).encode("utf-8")
    return files


def control_file(name: str) -> bool:
    """The manifest and its schemas: the package's own files, not the SCO's (not listed in the resource)."""
    return name == "imsmanifest.xml" or ("/" not in name and name.endswith(".xsd"))


# ---- the launch page --------------------------------------------------------


def package_page(text: str, path: str) -> str:
    """The embed page as the package holds it: no line to the full course;
    links to what the package does not hold become their text."""
    text = _FULL_COURSE.sub("", text, count=1)
    text = _HEAD_LINK.sub(lambda m: m.group(0) if _stays(_href(m.group(0)), path) else "", text)
    return _LINK.sub(lambda m: _package_link(m, path), text)


def _package_link(match: re.Match, path: str) -> str:
    attributes, content = match.group(1), match.group(2)
    href = _href(attributes)
    if href is None or href.startswith("#"):
        return match.group(0)
    here = posixpath.dirname(path) + "/"
    target, _, fragment = href.partition("#")
    if fragment and not _is_external(target) and _resolve(path, target or "./") in (path, here):
        anchor = _HREF.sub(lambda _: f'href="#{html.escape(fragment)}"', attributes, count=1)  # a place in this chapter
        return f"<a{anchor}>{content}</a>"
    return content


def _href(tag: str) -> str | None:
    found = _HREF.search(tag)
    return html.unescape(found.group(2)) if found else None


def _stays(href: str | None, path: str) -> bool:
    """A <link> whose target is in the package (a stylesheet, the icon), not a page elsewhere."""
    return href is None or (not _is_external(href) and not _resolve(path, href).endswith("/"))


# ---- what the page needs ----------------------------------------------------


def needed_files(site_dir: Path, launch: str, page: str) -> set[str]:
    """The site's files that the page loads, directly or through its CSS and scripts."""
    found: set[str] = set()
    todo = [launch]
    while todo:
        name = todo.pop()
        targets = runtime_files(site_dir, name, page)
        if name.endswith((".html", ".css")):
            text = page if name == launch else (site_dir / name).read_text(encoding="utf-8")
            targets += [_resolve(name, url) for url in references(name, text) if _is_local(url)]
        for target in targets:
            if target in found or target == launch:
                continue
            if not (site_dir / target).is_file():
                raise BuildError(f"{launch} needs {target} ({name} refers to it), which is not in the built site.")
            found.add(target)
            todo.append(target)
    return found


def runtime_files(site_dir: Path, name: str, page: str) -> list[str]:
    """Files that a script loads at run time, which no HTML or CSS names."""
    sims, js = assets.OWN["sims"], assets.OWN["assets"] + "/js"
    if name == f"{sims}/core.js":  # each live simulation's baked data and player
        ids = re.findall(r'<div class="jax-sim" data-sim="([^"]+)" data-live>', page)
        return [f"{sims}/{kind}{sim}.js" for sim in sorted(set(ids)) for kind in ("data/", "")]
    if name == f"{js}/runner.js":  # its Worker, the cell editor, Pyodide and our Python
        manifest_path = f"{pyodide_assets.PY_DIR}/manifest.json"
        python = json.loads((site_dir / manifest_path).read_text(encoding="utf-8"))
        runtime = posixpath.normpath(posixpath.join(pyodide_assets.PY_DIR, python["pyodide"]))
        return ([f"{js}/runner-worker.js", assets.EDITOR_BUNDLE, manifest_path,
                 f"{pyodide_assets.PY_DIR}/{python['zip']}"] +
                [f"{runtime}/{file}" for file in pyodide_assets.PYODIDE_FILES])
    return []


# ---- references -------------------------------------------------------------


def references(name: str, text: str) -> list[str]:
    """The URLs an HTML page (its URL attributes and inline styles; its links
    are anchors by now) or a stylesheet (url() and @import) refers to."""
    if name.endswith(".css"):
        return _css_urls(text)
    parser = _References()
    parser.feed(text)
    parser.close()
    return parser.urls


def _is_local(url: str) -> bool:
    """A reference to another file of the package, or else something to refuse:
    a file on another server, or from the server's root (outside the
    package's folder on an LMS)."""
    if not url or url.startswith("#") or re.match(r"^(data|blob|about|javascript):", url, re.I):
        return False
    if _is_external(url) or url.startswith("/"):
        raise BuildError(f"A SCORM package's page would load {url}, outside the package. Keep such files in "
                         "site_src/assets (or vendor them there), so the packages and the offline copy hold them.")
    return True


def _is_external(url: str) -> bool:
    """Absolute (with a scheme) or protocol-relative."""
    return url.startswith("//") or bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url))


def _resolve(name: str, url: str) -> str:
    """The site path `url` points to from the file `name` (a folder keeps its slash)."""
    path = unquote(re.split(r"[?#]", url, maxsplit=1)[0])
    joined = posixpath.join(posixpath.dirname(name), path)
    resolved = posixpath.normpath(joined)
    if resolved == ".." or resolved.startswith("../"):
        raise BuildError(f"{name} refers to {url}, outside the site.")
    return resolved + "/" if joined.endswith("/") else resolved


def _css_urls(text: str) -> list[str]:
    text = _CSS_COMMENT.sub("", text)
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in _CSS_URL.finditer(text)]


class _References(HTMLParser):
    """Collects an HTML page's URLs: URL attributes and inline CSS."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "srcset":
                self.urls += [part.strip().split()[0] for part in value.split(",") if part.strip()]
            elif name in _URL_ATTRIBUTES:
                self.urls.append(value.strip())
            elif name == "style":
                self.urls += _css_urls(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += _css_urls(data)


# ---- the manifest -----------------------------------------------------------


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="thinking-in-jax-{slug}" version="1.0"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="thinking-in-jax">
    <organization identifier="thinking-in-jax">
      <title>{course}: {title}</title>
      <item identifier="chapter-{slug}" identifierref="sco-{slug}" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>{mastery}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-{slug}" type="webcontent" adlcp:scormtype="sco" href="{launch}">
{files}
    </resource>
  </resources>
</manifest>
"""


def manifest(chapter: course.Page, course_title: str, launch: str, files: list[str]) -> str:
    """imsmanifest.xml (SCORM 1.2): one organization, one item, one SCO that lists every file."""
    listed = "\n".join(f'      <file href="{html.escape(name)}"/>' for name in files)
    return MANIFEST.format(slug=chapter.slug, course=html.escape(course_title), title=html.escape(chapter.label),
                           mastery=MASTERY_SCORE, launch=html.escape(launch), files=listed)
