"""The offline export, dist/thinking-in-jax-offline.zip: the whole course for
a classroom without internet.

A second MkDocs build of the staged docs (the stage step's <cache>/docs, so
nothing is executed or baked again) with Material's `offline` plugin, which
writes links to `page.html` instead of `page/` so they work from file://,
and inlines the search index into a script. The plugin would also add
`https://unpkg.com/iframe-worker/shim` (search's Worker from file://); we list
a vendored copy of that npm package instead, so nothing leaves the folder.
The pages then get the same post-processing and assets as the hosted site
(pipeline.postprocess, pipeline.write_assets: KaTeX, simulations, Pyodide).
The pages for the hosted site only are left out: the embed pages and the
instructors page (LMS packages and iframe snippets: the hosted site's).

The zip holds one folder, thinking-in-jax/: the site, a README.txt and two
one-line launchers (serve.command for macOS and Linux, serve.bat for Windows)
that serve the folder with `python3 -m http.server`. Opened from file://
everything but running code works; served, code runs too (runner.js tells
readers of a file:// page how to serve it).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from sitebuild import embed, pipeline, zips
from sitebuild.assets import NODE_MODULES
from sitebuild.errors import BuildError

ZIP_NAME = "thinking-in-jax-offline.zip"
TOP = "thinking-in-jax"  # the one folder the zip unpacks to
SITE = "offline-site"  # under the cache: the offline build, kept for tests and a look
SHIM = "assets/vendor/iframe-worker/shim.js"  # site path of the vendored search-Worker shim
SHIM_FILES = {"iframe-worker/shim/index.js": SHIM, "iframe-worker/LICENSE": "assets/vendor/iframe-worker/LICENSE"}
PORT = 8000
# Pages for the hosted site only: the embed pages (iframes in an LMS show the hosted site) and the
# instructors page (its SCORM packages, cartridge and iframe snippets are published with the hosted site).
HOSTED_ONLY_DOCS = (embed.PREFIX, "instructors")  # folders of docs/
# Files for the servers and crawlers of a hosted site: 404.html (loads its files from the host's
# root) and the sitemap (its .gz carries the build date, which would change the zip's bytes daily).
HOSTED_ONLY_FILES = ("404.html", "sitemap.xml", "sitemap.xml.gz")

LAUNCHERS = {  # name in the zip -> text; each serves the folder it sits in
    "serve.command": (
        '#!/bin/sh\n'
        f'cd "$(dirname "$0")" && echo "Thinking in JAX: open http://localhost:{PORT}/ (Ctrl+C stops)" '
        f'&& exec python3 -m http.server {PORT} --bind 127.0.0.1\n'
    ),
    "serve.bat": (
        f'@cd /d "%~dp0" && echo Thinking in JAX: open http://localhost:{PORT}/ (Ctrl+C stops) '
        f'&& python -m http.server {PORT} --bind 127.0.0.1\r\n'
    ),
}
README = f"""\
Thinking in JAX, offline copy
=============================

Read: open index.html in this folder (double-click it). Chapters, search,
simulations and quizzes all work straight from the files.

Run code: browsers start Python (the code cells' Run button) only on pages
that come from a web server. Python 3 has one built in. Start it with

  macOS, Linux:  double-click serve.command (or run `sh serve.command`)
  Windows:       double-click serve.bat
  or in a terminal, in this folder:  python3 -m http.server {PORT}
                                     (on Windows: python -m http.server {PORT})

then open http://localhost:{PORT}/ in your browser. Ctrl+C in the terminal
stops the server. If port {PORT} is taken, use another number, e.g. 8001.
Nothing is downloaded from the internet: Python runs in the browser from
the files in this folder.
"""


def write_offline_zip(options: pipeline.Options) -> str:
    """Build the offline site and zip it into dist/; a summary."""
    site = build_offline_site(options)
    files = {f"{TOP}/{p.relative_to(site).as_posix()}": p for p in sorted(site.rglob("*")) if p.is_file()}
    files[f"{TOP}/README.txt"] = README.encode()
    files.update({f"{TOP}/{name}": text.encode() for name, text in LAUNCHERS.items()})
    target = options.dist_dir / ZIP_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    zips.write_zip(target, files, executable=frozenset(f"{TOP}/{name}" for name in LAUNCHERS), compresslevel=6)
    pages = sum(1 for name in files if name.endswith(".html"))
    return f"{pipeline._show(target)}: {pages} pages, {len(files)} files, {target.stat().st_size / 1e6:.1f} MB"


def build_offline_site(options: pipeline.Options) -> Path:
    """MkDocs with the offline plugin on the staged docs, then our pages'
    post-processing and assets; returns the site's folder."""
    staged = options.cache_dir / "docs"
    if not (staged / "index.md").exists():
        raise BuildError(f"{staged} holds no staged docs: the offline copy is built from them. "
                         "Run `python build_site.py build` (it stages the docs, then packages).")
    site = options.cache_dir / SITE
    shutil.rmtree(site, ignore_errors=True)
    # No site URL: the copy must not point at the hosted site (canonical links, sitemap).
    pipeline.mkdocs_build(dataclasses.replace(options, site_dir=site, site_url=None), staged, **offline_settings(options.config_file))
    for name in HOSTED_ONLY_FILES:
        (site / name).unlink()
    pipeline.postprocess(site, options.cache_dir / "bakes")
    pipeline.write_assets(site, options.cache_dir / "bakes")
    for source, dest in SHIM_FILES.items():
        (site / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / source, site / dest)
    notebooks = options.site_dir / "notebooks"  # the chapters' downloads, written by the main build
    if not notebooks.is_dir():
        raise BuildError(f"{notebooks} is missing: package a built site (`python build_site.py build`).")
    shutil.copytree(notebooks, site / "notebooks")
    return site


def offline_settings(config_file: Path) -> dict:
    """What the offline build changes in mkdocs.yml: Material's offline
    plugin after the site's own, the local shim as the search Worker's
    polyfill, and no pages for the hosted site only (HOSTED_ONLY_DOCS)."""
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, encoding="utf-8") as f:
        config = yaml_load(f)
    extra = config.get("extra") or {}
    settings = {
        "plugins": [*config.get("plugins", []), "material/offline"],
        "extra": {**extra, "polyfills": [*extra.get("polyfills", []), SHIM]},
        "exclude_docs": "\n".join(filter(None, [config.get("exclude_docs"), *(f"/{d}/" for d in HOSTED_ONLY_DOCS)])),
    }
    if config.get("nav"):  # MkDocs keeps a listed page in the nav even when it is excluded
        settings["nav"] = nav_without(config["nav"], HOSTED_ONLY_DOCS)
    return settings


def nav_without(nav: list, folders: tuple[str, ...]) -> list:
    """mkdocs.yml's nav less the pages in `folders` (and sections left empty)."""
    kept = []
    for entry in nav:
        title, target = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
        if isinstance(target, list):
            target = nav_without(target, folders)
            if not target:
                continue
        elif target.split("/")[0] in folders:
            continue
        kept.append(target if title is None else {title: target})
    return kept
