"""Zips whose bytes depend only on what is in them: names in sorted order, one
fixed time, fixed permissions. An unchanged build then writes identical
packages, so a checksum, a cache or a teacher comparing downloads can tell
that nothing changed."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build time in the bytes
# Already compressed: deflating them again costs build time and saves nothing.
STORED_SUFFIXES = (".zip", ".gz", ".woff", ".woff2", ".png", ".jpg")


def write_zip(target: Path | BinaryIO, files: Mapping[str, Path | bytes], executable: frozenset[str] = frozenset(),
              compresslevel: int = 9) -> None:
    """Write `files` (name in the zip -> a file or its bytes) to `target`;
    the names in `executable` get the Unix permission to run (a launcher)."""
    with zipfile.ZipFile(target, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.create_system = 3  # Unix: unzip tools honour the permissions below
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            content = files[name]
            archive.writestr(info, content if isinstance(content, bytes) else content.read_bytes(),
                             compresslevel=compresslevel)
