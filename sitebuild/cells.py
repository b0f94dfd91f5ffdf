"""Find the executable code cells of a Markdown page.

A cell is a fenced block whose language is `python`. Options follow the
language as `key="value"` pairs, the attribute syntax of pymdownx.superfences:

    ```python raises="TypeError"      the cell must raise TypeError (or a subclass)
    ```python setup="true"            set-up code, shown collapsed
    ```python devices="8"             the page runs with 8 simulated CPU devices

Fences may be indented (inside admonitions and content tabs). Any other
fenced block is skipped whole, so a ```` ```markdown ```` example that
contains a python fence is not executed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

OPTIONS = {
    "raises": "name of the exception type (or a base class) the cell must raise",
    "setup": '"true" to show the cell collapsed as set-up code',
    "devices": "number of simulated CPU devices the page needs (1 or 8)",
}
ALLOWED_DEVICES = (1, 8)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
_OPTION = re.compile(r'([A-Za-z_][\w-]*)="([^"]*)"')


@dataclasses.dataclass(frozen=True)
class Cell:
    source: str
    options: dict
    line: int  # 1-based line of the opening fence in the page

    @property
    def raises(self) -> str | None:
        return self.options.get("raises") or None

    @property
    def is_setup(self) -> bool:
        return self.options.get("setup", "false").lower() == "true"

    @property
    def devices(self) -> int:
        return int(self.options.get("devices", "1"))


class CellSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def parse_options(info: str, line: int) -> dict:
    """Options of a fence info string after the language, validated."""
    rest = _OPTION.sub("", info).strip()
    if rest:
        raise CellSyntaxError(line, f"cannot read the fence options {rest!r}; write them as key=\"value\"")
    options = dict(_OPTION.findall(info))
    for key, value in options.items():
        if key not in OPTIONS and key not in ("title", "hl_lines", "linenums"):
            known = ", ".join(sorted(OPTIONS))
            raise CellSyntaxError(line, f"unknown cell option {key!r}; known options: {known}")
        if key == "devices" and (not value.isdigit() or int(value) not in ALLOWED_DEVICES):
            raise CellSyntaxError(line, f'devices="{value}" is not supported; use devices="8" (or leave it out for 1)')
        if key == "setup" and value.lower() not in ("true", "false"):
            raise CellSyntaxError(line, f'setup="{value}" must be "true" or "false"')
    return options


def parse_cells(text: str) -> list[Cell]:
    """Every python cell of a page, in page order."""
    cells: list[Cell] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        start = i
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        i += 1
        while i < len(lines) and not close.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1  # past the closing fence (or the end of the page)
        language, _, rest = info.partition(" ")
        if language != "python":
            continue
        source = "\n".join(_dedent(body, indent))
        cells.append(Cell(source=source, options=parse_options(rest, start + 1), line=start + 1))
    return cells


def _dedent(body: list[str], indent: str) -> list[str]:
    return [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in body]


def page_devices(cells: list[Cell]) -> int:
    """A page's interpreter has one device count: the largest any cell asks for."""
    return max((cell.devices for cell in cells), default=1)


def page_key(cells: list[Cell], environment: dict) -> str:
    """Cache key of a page's outputs: its cells, the device count and the
    environment that could change what they print (JAX version, kernel code)."""
    payload = {
        "cells": [[c.source, sorted(c.options.items())] for c in cells],
        "devices": page_devices(cells),
        "environment": environment,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
