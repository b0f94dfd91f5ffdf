"""Render the math in built pages with KaTeX, at build time.

pymdownx.arithmatex (generic mode) leaves `\\(...\\)` and `\\[...\\]` inside
elements of class `arithmatex`; this step replaces them with KaTeX's HTML
and MathML (one Node process for the whole site), so readers download only
KaTeX's CSS and fonts, never its JavaScript.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from sitebuild.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
RENDERER = ROOT / "site_src" / "build" / "render-math.mjs"
_MATH = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S)
_DELIMITERS = {"\\(": "\\)", "\\[": "\\]"}


def render_site(site_dir: Path) -> int:
    """Render every formula in site_dir's HTML pages; return how many."""
    pages = {p: p.read_text(encoding="utf-8") for p in site_dir.rglob("*.html")}
    pages = {p: text for p, text in pages.items() if 'class="arithmatex"' in text}
    formulas = [(p, m) for p, text in pages.items() for m in _MATH.finditer(text)]
    if not formulas:
        return 0
    requests = [_request(m) for _, m in formulas]
    rendered = _katex(requests)
    for (page, match), request, result in zip(formulas, requests, rendered):
        if "error" in result:
            raise BuildError(
                f"{page.relative_to(site_dir)}: KaTeX cannot render the formula {request['tex']!r}: {result['error']}\n"
                "Fix the TeX in the Markdown source of this page."
            )
    for page, text in pages.items():
        results = iter(r["html"] for (p, _), r in zip(formulas, rendered) if p == page)
        page.write_text(_MATH.sub(lambda m: f'<{m["tag"]} class="arithmatex">{next(results)}</{m["tag"]}>', text), encoding="utf-8")
    return len(formulas)


def _request(match: re.Match) -> dict:
    tex = html.unescape(match["tex"]).strip()
    opening = tex[:2]
    if opening in _DELIMITERS and tex.endswith(_DELIMITERS[opening]):
        return {"tex": tex[2:-2].strip(), "display": opening == "\\["}
    return {"tex": tex, "display": match["tag"] == "div"}


def _katex(requests: list[dict]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        raise BuildError("Node.js 20+ is needed to render math with KaTeX: install it (https://nodejs.org or apt-get install nodejs), then run `make build`.")
    if not (ROOT / "site_src" / "node_modules" / "katex").is_dir():
        raise BuildError("KaTeX is not installed: run `make build` (it runs `npm ci` in site_src/).")
    proc = subprocess.run([node, str(RENDERER)], input=json.dumps(requests), capture_output=True, text=True, cwd=ROOT / "site_src")
    if proc.returncode != 0:
        raise BuildError(f"rendering math with KaTeX failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)
