"""Find the executable code cells of a Markdown page.

A cell is a fenced block whose language is `python`, or the `code` of a
predict-then-reveal question in a `quiz` block (see sitebuild.quizzes), or a
code cell of a lab notebook that is not tagged `exercise`. Options follow the
language as `key="value"` pairs, the attribute syntax of pymdownx.superfences:

    ```python raises="TypeError"      the cell must raise TypeError (or a subclass)
    ```python setup="true"            set-up code, shown collapsed
    ```python devices="8"             the page runs with 8 simulated CPU devices
    ```python browser="needs 8 devices: jaxlite runs on one"
                                      the cell cannot run in the reader's browser
                                      (on jaxlite); the value is the reason shown

Fences may be indented (inside admonitions and content tabs). Any other
fenced block is skipped whole, so a ```` ```markdown ```` example that
contains a python fence is not executed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator

OPTIONS = {
    "raises": "name of the exception type (or a base class) the cell must raise",
    "setup": '"true" to show the cell collapsed as set-up code',
    "devices": "number of simulated CPU devices the page needs (1 or 8)",
    "browser": "why the cell cannot run in the browser on jaxlite, written for the reader",
}
ALLOWED_DEVICES = (1, 8)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
_OPTION = re.compile(r'([A-Za-z_][\w-]*)="([^"]*)"')


@dataclasses.dataclass(frozen=True)
class Cell:
    source: str
    options: dict
    line: int  # 1-based line of the opening fence in the page (cell number in a notebook)
    quiz_question: str | None = None  # id of the predict question whose code this is
    in_notebook: bool = False

    def where(self, path: str) -> str:
        """Where an author finds this cell: `file:line`, or the notebook cell number."""
        return f"{path} (code cell {self.line})" if self.in_notebook else f"{path}:{self.line}"

    @property
    def raises(self) -> str | None:
        return self.options.get("raises") or None

    @property
    def is_setup(self) -> bool:
        return self.options.get("setup", "false").lower() == "true"

    @property
    def devices(self) -> int:
        return int(self.options.get("devices", "1"))

    @property
    def browser_unavailable(self) -> str | None:
        """Why readers cannot run this cell in the browser, or None if they can."""
        return self.options.get("browser") or None


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
        if key == "browser" and not value.strip():
            raise CellSyntaxError(line, 'browser="" needs a reason for the reader, such as '
                                        'browser="needs 8 devices: jaxlite runs on one"')
    return options


def fenced_blocks(lines: list[str]) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, indent, info) of each top-level fenced block, in order:
    lines[start] opens it and lines[end] closes it (end == len(lines) if the
    page ends first). A fence inside another fence is part of its body."""
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = i + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        yield i, end, m.group("indent"), m.group("info").strip()
        i = end + 1


def language(info: str) -> str:
    return info.partition(" ")[0]


def parse_cells(text: str) -> list[Cell]:
    """Every python cell of a page, in page order."""
    lines = text.splitlines()
    cells: list[Cell] = []
    for start, end, indent, info in fenced_blocks(lines):
        body = fence_body(lines, start, end, indent)
        if language(info) == "python":
            options = parse_options(info.partition(" ")[2], start + 1)
            cells.append(Cell(source=body, options=options, line=start + 1))
        elif language(info) == "quiz":
            for question in load_quiz_yaml(body, start + 1).get("questions") or []:
                if isinstance(question, dict) and question.get("kind") == "predict" and isinstance(question.get("code"), str):
                    cells.append(Cell(source=question["code"].rstrip("\n"), options={}, line=start + 1,
                                      quiz_question=str(question.get("id"))))
    return cells


def load_quiz_yaml(body: str, line: int) -> dict:
    """The YAML of a quiz block, as data (validated later by sitebuild.quizzes)."""
    import yaml

    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError as err:
        raise CellSyntaxError(line, f"this quiz block is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise CellSyntaxError(line, "a quiz block must be a YAML mapping with `id` and `questions`")
    return data


def parse_notebook_cells(text: str) -> list[Cell]:
    """The code cells of a lab notebook that the build runs: all but the
    reader's `exercise` cells (their solutions, tagged `solution`, run instead)."""
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises several types for unreadable JSON
        raise CellSyntaxError(1, f"this notebook cannot be read: {err}") from None
    cells = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and "exercise" not in cell.metadata.get("tags", []):
            cells.append(Cell(source=cell.source, options={}, line=number, in_notebook=True))
    return cells


def cells_of(text: str, path: str) -> list[Cell]:
    return parse_notebook_cells(text) if path.endswith(".ipynb") else parse_cells(text)


def fence_body(lines: list[str], start: int, end: int, indent: str) -> str:
    """The text between a fence's opening and closing lines, without the
    fence's own indentation (an admonition's, say)."""
    body = lines[start + 1:end]
    return "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in body)


def page_devices(cells: list[Cell]) -> int:
    """A page's interpreter has one device count: the largest any cell asks for."""
    return max((cell.devices for cell in cells), default=1)


# `browser` says where a cell can run, never what real JAX prints, so marking
# a cell browser-unavailable must not re-execute its page.
_NOT_IN_KEY = ("browser",)


def page_key(cells: list[Cell], environment: dict) -> str:
    """Cache key of a page's outputs: its cells, the device count and the
    environment that could change what they print (JAX version, kernel code)."""
    payload = {
        "cells": [[c.source, sorted((k, v) for k, v in c.options.items() if k not in _NOT_IN_KEY), c.quiz_question]
                  for c in cells],
        "devices": page_devices(cells),
        "environment": environment,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
