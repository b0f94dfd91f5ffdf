"""Turn a chapter (its Markdown and its executed cells) into a Jupyter notebook.

The notebook holds the same prose and code as the page and the outputs real
JAX produced at build, so it opens ready to read and re-runs anywhere JAX is
installed. Material-only Markdown (admonitions, tabs) is rewritten into plain
Markdown that Jupyter shows well.
"""

from __future__ import annotations

import re

import nbformat
from nbformat import v4

from sitebuild import cells as cellmod
from sitebuild.execute import DEVICE_FLAG, PageResult

_ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
_TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
_CHAPTER_LINK = re.compile(r"\]\((?P<slug>\d\d-[\w-]+)\.md(?P<anchor>#[^)\s]*)?\)")
_SIM = re.compile(r'<div class="jax-sim" data-sim="(?P<id>[\w-]+)"></div>')


def build_notebook(text: str, result: PageResult, page_url: str) -> nbformat.NotebookNode:
    nb = v4.new_notebook()
    nb.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "thinking_in_jax": {"source": result.path, "jax": result.environment.get("jax"), "machine": result.machine},
    })
    devices = cellmod.page_devices(result.cells)
    if devices > 1:
        nb.cells.append(v4.new_markdown_cell(
            f"This notebook needs {devices} devices. On a CPU, JAX can simulate them; the next cell "
            "asks for that and must run before JAX is imported (restart the kernel first if you already imported it)."
        ))
        nb.cells.append(v4.new_code_cell(
            "import os\n"
            f'os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " {DEVICE_FLAG.format(n=devices)}"'
        ))
    outputs = iter(zip(result.cells, result.outputs))
    prose = _Prose()
    lines = text.splitlines()
    position = 0
    for start, end, indent, info in cellmod.fenced_blocks(lines):
        prose.extend(lines[position:start])
        if cellmod.language(info) == "python":
            prose.flush_into(nb)
            cell, output = next(outputs)
            nb.cells.append(_code_cell(cell, output, len(nb.cells)))
        elif cellmod.language(info) == "quiz":
            prose.flush_into(nb)
            body = cellmod.fence_body(lines, start, end, indent)
            _add_quiz(nb, cellmod.load_quiz_yaml(body, start + 1), outputs)
        else:
            prose.extend(lines[start:end + 1])
        position = end + 1
    prose.extend(lines[position:])
    prose.flush_into(nb)
    where = f"[{page_url}]({page_url})" if page_url.startswith(("http://", "https://")) else f"`{page_url}`"
    nb.cells.insert(0, v4.new_markdown_cell(
        f"*From the course **Thinking in JAX** ({where}). Outputs were computed by "
        f"JAX {result.environment.get('jax')} when the site was built.*"
    ))
    nbformat.validate(nb)
    return nb


def jupyter_outputs(output: dict, execution_count: int) -> list:
    """A cell's executed output (sitebuild.kernel's form) as nbformat outputs."""
    outs = []
    for stream in ("stdout", "stderr"):
        if output[stream]:
            outs.append(v4.new_output("stream", name=stream, text=output[stream]))
    if output["value"] is not None:
        outs.append(v4.new_output("execute_result", data={"text/plain": output["value"]}, execution_count=execution_count))
    if output["error"]:
        error = output["error"]
        outs.append(v4.new_output("error", ename=error["type"], evalue=error["message"],
                                  traceback=error["traceback"].splitlines()))
    return outs


def _add_quiz(nb: nbformat.NotebookNode, quiz: dict, outputs) -> None:
    """A quiz as Markdown questions with the answers folded away; a predict
    question's code becomes a cell to run (its real output is in the answer)."""
    from textwrap import indent as indent_text

    from sitebuild.quizzes import output_text

    for number, q in enumerate(quiz["questions"], start=1):
        predict = q.get("kind") == "predict"
        lines = [f"**Question {number}.** {q['prompt'].strip()}", ""]
        for letter, option in zip("ABCDEF", q["options"]):
            text = option["text"].rstrip()
            lines.append(f"- **{letter}.**\n\n  ```text\n{indent_text(text, '  ')}\n  ```" if predict else f"- **{letter}.** {text}")
        nb.cells.append(v4.new_markdown_cell("\n".join(lines)))
        answer = []
        if predict:
            _, output = next(outputs)
            nb.cells.append(v4.new_code_cell(q["code"].rstrip("\n")))
            answer.append(f"Real output (JAX at build):\n\n```text\n{output_text(output)}\n```\n")
        for letter, option in zip("ABCDEF", q["options"]):
            verdict = "Correct" if option.get("correct") else "Not quite"
            answer.append(f"- **{letter}. {verdict}.** {option['feedback'].strip()}")
        nb.cells.append(v4.new_markdown_cell(
            "<details><summary>Show the answer</summary>\n\n" + "\n".join(answer) + "\n\n</details>"
        ))


def _code_cell(cell: cellmod.Cell, output: dict, index: int) -> nbformat.NotebookNode:
    tags = ["raises-exception"] if output["error"] else []  # Jupyter's tag: "Run all" goes on past this cell
    code = v4.new_code_cell(cell.source, outputs=jupyter_outputs(output, index), execution_count=index)
    if cell.is_setup:
        tags.append("setup")
        code.metadata["jupyter"] = {"source_hidden": True}
    if tags:
        code.metadata["tags"] = tags
    return code


class _Prose:
    """Collects the Markdown between code cells, rewriting what only the
    website understands: admonitions and tabs become block quotes and bold
    titles (kept across a code cell inside them), simulation placeholders a
    pointer to the website, links to chapters links to their notebooks."""

    def __init__(self):
        self.lines: list[str] = []
        self.quote_indent: str | None = None

    def extend(self, lines: list[str]) -> None:
        for line in lines:
            self.add(line)

    def add(self, line: str) -> None:
        # Chapter notebooks sit side by side, so a link to a chapter becomes a link to its notebook.
        line = _CHAPTER_LINK.sub(lambda m: f"]({m['slug']}.ipynb{m['anchor'] or ''})", line)
        if self.quote_indent is not None:
            body_indent = self.quote_indent + "    "
            if not line.strip():
                self.lines.append(">")
                return
            if line.startswith(body_indent):
                self.lines.append("> " + line[len(body_indent):])
                return
            self.quote_indent = None
        if m := _ADMONITION.match(line):
            self.lines += [f"> **{m.group('title') or m.group('kind').capitalize()}**", ">"]
            self.quote_indent = m.group("indent")
        elif m := _TAB.match(line):
            self.lines.append(f"**{m.group('title')}**")
        elif m := _SIM.search(line):
            self.lines.append(f"*(Interactive simulation `{m.group('id')}`: open this chapter on the website to use it.)*")
        else:
            self.lines.append(line)

    def flush_into(self, nb: nbformat.NotebookNode) -> None:
        while self.lines and self.lines[-1].strip() in ("", ">"):
            self.lines.pop()
        text = "\n".join(self.lines).strip()
        if text:
            nb.cells.append(v4.new_markdown_cell(text))
        self.lines.clear()
