"""The packages of dist/, again inside the hosted site (site/downloads/), so
the instructors page can link to them and a teacher downloads them from the
course itself.

This runs after every package is written (the last line of
sitebuild/package.py). The offline zip is built from a folder of its own, so
these copies never end up inside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FOLDER = "downloads"  # under the site's root
PACKAGES = ("*.zip", "*.imscc", "scorm/*.zip")  # what of dist/ is published


def publish(dist_dir: Path, site_dir: Path) -> str:
    """Copy the packages of dist_dir to site_dir/downloads/ (replacing what was
    there, so a package no longer built is no longer offered); a summary line."""
    target = site_dir / FOLDER
    if target.exists():
        shutil.rmtree(target)
    copied = sorted({path for pattern in PACKAGES for path in dist_dir.glob(pattern)})
    for path in copied:
        destination = target / path.relative_to(dist_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    size = sum(path.stat().st_size for path in copied)
    return (f"{len(copied)} package{'' if len(copied) == 1 else 's'} copied to {FOLDER}/ of the site "
            f"for download ({size / 1e6:.1f} MB)")
