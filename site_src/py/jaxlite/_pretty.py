"""A Wadler-style pretty printer with JAX's conventions, for jaxprs.

Documents are text, breaks (a space, or a line break when their group does
not fit), nesting and groups. As in JAX, a group is laid out flat when the
group itself fits in the rest of the line (what follows it is not counted).
"""

from __future__ import annotations

WIDTH = 80


class Doc:
    __slots__ = ()

    def __add__(self, other: "Doc") -> "Doc":
        return Concat([self, other])

    def format(self, width: int = WIDTH) -> str:
        return _format(self, width)

    def __str__(self) -> str:
        return self.format()


class Text(Doc):
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class Concat(Doc):
    __slots__ = ("children",)

    def __init__(self, children):
        self.children = list(children)


class Brk(Doc):
    __slots__ = ("text",)

    def __init__(self, text: str = " "):
        self.text = text


class Group(Doc):
    __slots__ = ("child",)

    def __init__(self, child: Doc):
        self.child = child


class Nest(Doc):
    __slots__ = ("n", "child")

    def __init__(self, n: int, child: Doc):
        self.n, self.child = n, child


def text(s: str) -> Doc:
    return Text(s)


def concat(docs) -> Doc:
    return Concat(docs)


def brk(s: str = " ") -> Doc:
    return Brk(s)


def group(d: Doc) -> Doc:
    return Group(d)


def nest(n: int, d: Doc) -> Doc:
    return Nest(n, d)


def nil() -> Doc:
    return Concat([])


def join(sep: Doc, docs) -> Doc:
    out = []
    for i, d in enumerate(docs):
        if i:
            out.append(sep)
        out.append(d)
    return Concat(out)


def _flat_width(doc: Doc, limit: int) -> int:
    """Width of `doc` laid out flat, stopping early once it exceeds `limit`."""
    width, todo = 0, [doc]
    while todo and width <= limit:
        d = todo.pop()
        if isinstance(d, Text):
            width += len(d.text)
        elif isinstance(d, Brk):
            width += len(d.text)
        elif isinstance(d, Concat):
            todo.extend(reversed(d.children))
        else:
            todo.append(d.child)
    return width


def _format(doc: Doc, width: int) -> str:
    out: list[str] = []
    col = 0
    # (indent, flat?, doc)
    todo = [(0, False, doc)]
    while todo:
        indent, flat, d = todo.pop()
        if isinstance(d, Text):
            out.append(d.text)
            col += len(d.text)
        elif isinstance(d, Concat):
            todo.extend((indent, flat, c) for c in reversed(d.children))
        elif isinstance(d, Brk):
            if flat:
                out.append(d.text)
                col += len(d.text)
            else:
                out.append("\n" + " " * indent)
                col = indent
        elif isinstance(d, Nest):
            todo.append((indent + d.n, flat, d.child))
        elif isinstance(d, Group):
            fits = flat or _flat_width(d.child, width - col) <= width - col
            todo.append((indent, fits, d.child))
    return "".join(out)
