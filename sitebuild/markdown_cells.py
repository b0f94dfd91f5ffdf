"""Python-Markdown extension: show each python cell with its real output.

Two pieces, wired in mkdocs.yml:
- `CellsExtension` (markdown_extensions: `sitebuild.markdown_cells`) reads a
  page's cells before superfences does and fetches their outputs through
  `sitebuild.execute` (from the cache that the build's execute step filled,
  or by running them now if the page is new).
- `validator` and `formatter`, registered as the superfences custom fence for
  `python`, highlight each cell as usual and append its output.

A plain Python-Markdown extension, not an MkDocs plugin, so the site can move
to another Python-Markdown-based generator.
"""

from __future__ import annotations

import html

from markdown import Extension
from markdown.preprocessors import Preprocessor

from sitebuild import cells as cellmod
from sitebuild import execute

HIGHLIGHT_OPTIONS = ("title", "hl_lines", "linenums")


class CellsPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        result = execute.execute_page("\n".join(lines), path="(a page rendered by Markdown)")
        self.md.jax_cells = list(zip(result.cells, result.outputs))
        self.md.jax_cells_used = [False] * len(self.md.jax_cells)
        self.md.jax_cells_label = output_label(result.environment, result.machine)
        self.md.jax_cells_devices = cellmod.page_devices(result.cells)
        return lines


class CellsExtension(Extension):
    def extendMarkdown(self, md):
        # Before superfences (priority 25) so outputs are ready when fences are formatted.
        md.preprocessors.register(CellsPreprocessor(md), "jax_cells", 28)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's entry point name
    return CellsExtension(**kwargs)


def output_label(environment: dict, machine: dict) -> str:
    count, backend = machine.get("device_count", 1), (machine.get("backend") or "cpu").upper()
    where = f"{count} simulated {backend} devices" if count > 1 and backend == "CPU" else backend
    return f"Computed by JAX {environment.get('jax', '?')} on {where} when this page was built"


def validator(language, inputs, options, attrs, md) -> bool:
    """Accept our cell options; leave the highlighting ones to superfences."""
    for key, value in inputs.items():
        if key in cellmod.OPTIONS or key in HIGHLIGHT_OPTIONS:
            options[key] = value
        else:
            attrs[key] = value
    return True


def formatter(src, language, class_name, options, md, **kwargs) -> str:
    cell, output = take_cell(md, src)
    highlight_options = {k: v for k, v in options.items() if k in HIGHLIGHT_OPTIONS}
    code = md.preprocessors["fenced_code_block"].highlight(
        src=src, language=language, options=highlight_options, md=md, **kwargs
    )
    body = code + render_output(output, md.jax_cells_label)
    if cell.is_setup:
        body = f'<details class="jax-setup"><summary>Show set-up code</summary>{body}</details>'
    # For the in-browser runner: the cell's place among the page's cells (quiz
    # code counts too), so `<cell N>` in its tracebacks is the build's N.
    index = next(i for i, (c, _) in enumerate(md.jax_cells) if c is cell)
    devices = getattr(md, "jax_cells_devices", 1)
    attributes = f' data-cell="{index}"' + browser_attribute(cell) + (f' data-devices="{devices}"' if devices > 1 else "")
    # A cell the browser runs gets the runner's Copy button (it copies the code as edited):
    # no-copy keeps Material from adding its own to the code and output.
    classes = "jax-cell" if cell.browser_unavailable is not None else "jax-cell no-copy"
    return f'<div class="{classes}"{attributes}>{body}</div>'


def browser_attribute(cell) -> str:
    """Why the in-browser runner must not offer to run this cell, as a data
    attribute it can show; nothing for cells that run on jaxlite."""
    reason = cell.browser_unavailable
    return "" if reason is None else f' data-browser-unavailable="{html.escape(reason, quote=True)}"'


def take_cell(md, src: str):
    """The first not-yet-shown cell of the page with this source."""
    wanted = _normalise(src)
    for index, (cell, output) in enumerate(getattr(md, "jax_cells", [])):
        if not md.jax_cells_used[index] and _normalise(cell.source) == wanted:
            md.jax_cells_used[index] = True
            return cell, output
    raise RuntimeError(f"no executed output for this python block:\n{src}")


def _normalise(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines())


def render_output(output: dict, label: str) -> str:
    parts = []
    if output["stdout"]:
        parts.append(_pre("jax-output__stdout", output["stdout"]))
    if output["stderr"]:
        parts.append(_pre("jax-output__stderr", output["stderr"]))
    if output["value"] is not None:
        parts.append(_pre("jax-output__value", output["value"]))
    if output["error"]:
        parts.append(_pre("jax-output__error", output["error"]["display"]))
    if not parts:
        return ""
    return (
        '<div class="jax-output" role="group" aria-label="Output">'
        f'<p class="jax-output__label">{html.escape(label)}</p>{"".join(parts)}</div>'
    )


def _pre(css_class: str, text: str) -> str:
    return f'<pre class="{css_class}"><code>{html.escape(text.rstrip(chr(10)))}</code></pre>'
