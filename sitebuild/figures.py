"""Static figures drawn at build from baked data, as inline SVG.

A page asks for one with `<div class="jax-figure" data-figure="ID"></div>`;
the build replaces it with an SVG (with a title and a description for
screen readers) drawn from `.cache/bakes/ID.json`. Inline, so colours come
from the theme's CSS variables and the figure follows light and dark mode.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sims.registry import FIGURES
from sitebuild.errors import BuildError

_PLACEHOLDER = re.compile(r'<div class="jax-figure" data-figure="([\w-]+)"></div>')


def render_figures(site_dir: Path, bakes_dir: Path) -> int:
    """Replace every figure placeholder in the built pages; return how many."""
    drawn = 0
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="jax-figure"' not in text:
            continue

        def draw(match: re.Match) -> str:
            figure_id = match[1]
            if figure_id not in FIGURES:
                raise BuildError(f"{page.relative_to(site_dir)}: unknown figure {figure_id!r}; known: {', '.join(FIGURES)}")
            envelope = json.loads((bakes_dir / f"{figure_id}.json").read_text(encoding="utf-8"))
            return DRAW[figure_id](envelope["data"], envelope["provenance"])

        new, count = _PLACEHOLDER.subn(draw, text)
        page.write_text(new, encoding="utf-8")
        drawn += count
    return drawn


def _num(v: float) -> str:
    return f"{v:g}"


def _shape(shape: list[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def jax_vmap(data: dict, provenance: dict) -> str:
    """A batch on the left, jax.vmap(f) in the middle, one result per row on the right."""
    xs, ys = data["xs"], data["ys"]
    rows, cols = len(xs), len(xs[0])
    cell_w, cell_h, top = 46, 32, 48
    grid_x, box_x, box_w, out_x = 20, 230, 250, 560
    height = top + rows * cell_h + 64
    e = html.escape
    parts = [
        f'<text x="{grid_x}" y="{top - 14}" class="jax-fig__label">xs: shape {_shape(data["in_shape"])}</text>',
        f'<text x="{out_x}" y="{top - 14}" class="jax-fig__label">ys: shape {_shape(data["out_shape"])}</text>',
        f'<rect x="{box_x}" y="{top - 4}" width="{box_w}" height="{rows * cell_h + 8}" rx="8" class="jax-fig__box"/>',
        f'<text x="{box_x + box_w / 2}" y="{top + 18}" text-anchor="middle" class="jax-fig__title">jax.vmap(f)</text>',
        f'<text x="{box_x + box_w / 2}" y="{top + 40}" text-anchor="middle" class="jax-fig__code">f = {e(data["source"])}</text>',
        f'<text x="{box_x + box_w / 2}" y="{top + 66}" text-anchor="middle" class="jax-fig__note">one program, no loop:</text>',
        f'<text x="{box_x + box_w / 2}" y="{top + 86}" text-anchor="middle" class="jax-fig__code">'
        f'{e(" → ".join(data["batched_primitives"]))}</text>',
    ]
    for r, row in enumerate(xs):
        y = top + r * cell_h
        for c, value in enumerate(row):
            x = grid_x + c * cell_w
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" class="jax-fig__cell jax-fig__row{r % 4}"/>')
            parts.append(f'<text x="{x + cell_w / 2}" y="{y + 21}" text-anchor="middle" class="jax-fig__value">{_num(value)}</text>')
        mid = y + cell_h / 2
        parts.append(f'<line x1="{grid_x + cols * cell_w + 6}" y1="{mid}" x2="{box_x - 6}" y2="{mid}" class="jax-fig__arrow" marker-end="url(#jax-fig-arrow)"/>')
        parts.append(f'<line x1="{box_x + box_w + 6}" y1="{mid}" x2="{out_x - 6}" y2="{mid}" class="jax-fig__arrow" marker-end="url(#jax-fig-arrow)"/>')
        parts.append(f'<rect x="{out_x}" y="{y}" width="{cell_w * 1.6}" height="{cell_h}" class="jax-fig__cell jax-fig__row{r % 4}"/>')
        parts.append(f'<text x="{out_x + cell_w * 0.8}" y="{y + 21}" text-anchor="middle" class="jax-fig__value">{_num(ys[r])}</text>')
    parts.append(f'<text x="{grid_x}" y="{height - 18}" class="jax-fig__note">each row is one example of shape '
                 f'{_shape(data["example_shape"])}; f runs on all {rows} rows at once</text>')
    pairs = "; ".join(f"row {r}: [{', '.join(_num(v) for v in row)}] gives {_num(ys[r])}" for r, row in enumerate(xs))
    title = "jax.vmap applies a one-example function to every row of a batch"
    desc = (f"A batch xs of shape {_shape(data['in_shape'])} goes into jax.vmap(f) with f = {data['source']}, "
            f"which returns ys of shape {_shape(data['out_shape'])}, one number per row: {pairs}. "
            f"The batched program is a single sequence of operations ({', '.join(data['batched_primitives'])}), "
            f"not a loop. Computed with JAX {provenance['jax']} when the site was built.")
    return (
        '<figure class="jax-figure">'
        f'<svg viewBox="0 0 660 {height}" width="660" height="{height}" role="img" aria-labelledby="jax-fig-vmap-title jax-fig-vmap-desc">'
        f'<title id="jax-fig-vmap-title">{e(title)}</title><desc id="jax-fig-vmap-desc">{e(desc)}</desc>'
        '<defs><marker id="jax-fig-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" class="jax-fig__arrowhead"/></marker></defs>'
        + "".join(parts) +
        f'</svg><figcaption>{e(title)}. Every number is real JAX output, computed with JAX {e(provenance["jax"])} '
        'when this page was built.</figcaption></figure>'
    )


DRAW = {"jax-vmap": jax_vmap}
