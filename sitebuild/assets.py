"""Copy the site's own front-end files and the vendored libraries into a built site.

Our sources live in site_src/assets/ and are served from assets/tij/ (the
cell editor, site_src/editor/, is bundled with CodeMirror by esbuild);
third-party files come from site_src/node_modules (installed by `npm ci`
from the pinned package-lock.json) and are served from assets/vendor/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sitebuild.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
SITE_SRC = ROOT / "site_src"
NODE_MODULES = SITE_SRC / "node_modules"

OWN = {"assets": "assets/tij", "sims": "assets/tij/sims"}  # site_src path -> site path
VENDOR = {  # node_modules path -> site path
    "katex/dist/katex.min.css": "assets/vendor/katex/katex.min.css",
    "katex/dist/fonts": "assets/vendor/katex/fonts",
    "katex/LICENSE": "assets/vendor/katex/LICENSE",
}


def copy_assets(site_dir: Path) -> int:
    """Copy everything the pages reference; return the number of files."""
    copied = 0
    for src, dest in OWN.items():
        copied += _copy(SITE_SRC / src, site_dir / dest)
    for src, dest in VENDOR.items():
        source = NODE_MODULES / src
        if not source.exists():
            raise BuildError(f"{source.relative_to(ROOT)} is missing: run `make build` (it runs `npm ci` in site_src/).")
        copied += _copy(source, site_dir / dest)
    return copied + build_runner(site_dir)


EDITOR_ENTRY = SITE_SRC / "editor" / "entry.js"
EDITOR_BUNDLE = "assets/tij/js/editor.js"
RUNNER_FILES = ("js/runner.js", "css/runner.css")  # under site_src/assets/ and assets/tij/: on every page


def build_runner(site_dir: Path) -> int:
    """esbuild, for the code-cell runner: bundle CodeMirror and the cell
    editor (site_src/editor/entry.js) into one script that the runner loads
    when a reader first edits a cell (it defines the global `TijEditor`), and
    minify the runner's own script and styles, which every page loads.
    Returns the number of files written."""
    _esbuild(EDITOR_ENTRY, site_dir / EDITOR_BUNDLE, "--bundle", "--format=iife", "--global-name=TijEditor")
    for name in RUNNER_FILES:
        _esbuild(SITE_SRC / "assets" / name, site_dir / OWN["assets"] / name)
    return 1 + len(RUNNER_FILES)


def _esbuild(source: Path, dest: Path, *options: str) -> None:
    import subprocess

    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.exists():
        raise BuildError(f"{esbuild.relative_to(ROOT)} is missing: run `make build` (it runs `npm ci` in site_src/).")
    proc = subprocess.run(
        [str(esbuild), str(source), *options, "--minify", "--target=es2020", "--log-level=warning", f"--outfile={dest}"],
        cwd=SITE_SRC, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise BuildError(f"esbuild could not build {source.relative_to(ROOT)}:\n{proc.stderr}")


def _copy(source: Path, dest: Path) -> int:
    if source.is_dir():
        shutil.copytree(source, dest, dirs_exist_ok=True)
        return sum(1 for p in source.rglob("*") if p.is_file())
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)
    return 1


def write_sim_data(site_dir: Path, bakes_dir: Path) -> int:
    """Each baked simulation as a script, assets/tij/sims/data/<id>.js, that
    hands its data to the player core. A script, not JSON to fetch, so pages
    work when opened from file:// too."""
    import json

    from sims.registry import SIMS

    out = site_dir / "assets" / "tij" / "sims" / "data"
    out.mkdir(parents=True, exist_ok=True)
    for sim_id in SIMS:
        envelope = json.loads((bakes_dir / f"{sim_id}.json").read_text(encoding="utf-8"))
        # ensure_ascii keeps U+2028/U+2029 escaped, so the JSON is also valid JavaScript.
        payload = json.dumps(envelope, separators=(",", ":"), ensure_ascii=True)
        (out / f"{sim_id}.js").write_text(f"ThinkingInJaxSims.provide({json.dumps(sim_id)}, {payload});\n", encoding="utf-8")
    return len(SIMS)


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">'


def name_search_dialog(site_dir: Path) -> int:
    """Give Material's search dialog an accessible name (its template leaves
    the role="dialog" element unnamed: screen readers announce a nameless
    dialog, and Lighthouse counts it against accessibility); pages changed."""
    named = 0
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if SEARCH_DIALOG in text:
            page.write_text(text.replace(SEARCH_DIALOG, NAMED_SEARCH_DIALOG), encoding="utf-8")
            named += 1
    return named


def mark_live_simulations(site_dir: Path) -> int:
    """Mark the placeholders of registered simulations `data-live`, the only
    ones the player core loads; placeholders of simulations not built yet
    stay empty (and hidden by CSS) instead of failing to load."""
    import re

    from sims.registry import SIMS

    pattern = re.compile(r'<div class="jax-sim" data-sim="(%s)"></div>' % "|".join(map(re.escape, SIMS)))
    marked = 0
    for page in site_dir.rglob("*.html") if SIMS else []:
        text = page.read_text(encoding="utf-8")
        new, count = pattern.subn(lambda m: f'<div class="jax-sim" data-sim="{m[1]}" data-live></div>', text)
        if count:
            page.write_text(new, encoding="utf-8")
            marked += count
    return marked
