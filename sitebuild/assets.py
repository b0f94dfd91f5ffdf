"""Copy the site's own front-end files and the vendored libraries into a built site.

Our sources live in site_src/assets/ and are served from assets/tij/;
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

OWN = {"assets": "assets/tij"}  # site_src path -> site path
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
    return copied


def _copy(source: Path, dest: Path) -> int:
    if source.is_dir():
        shutil.copytree(source, dest, dirs_exist_ok=True)
        return sum(1 for p in source.rglob("*") if p.is_file())
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)
    return 1
