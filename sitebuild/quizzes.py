"""Chapter quizzes: data in the page, validated at build, rendered as HTML.

A quiz is a ```` ```quiz ```` block of YAML (schema: quiz.schema.json). Two
kinds of question: multiple `choice`, and `predict` ("what will this cell
print?"), whose `code` runs with real JAX at build like any cell; the build
fails unless the option marked correct is exactly what the code printed.
The widget (site_src/assets/js/quiz.js) adds checking, feedback, saved
answers and scores; without JavaScript the answers sit in a <details>.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

import jsonschema
import markdown

from sitebuild import cells as cellmod
from sitebuild.errors import BuildError

SCHEMA = json.loads(Path(__file__).with_name("quiz.schema.json").read_text())
PROGRESS_PAGE = "progress.md"


@dataclasses.dataclass
class QuizInfo:
    id: str
    path: str
    questions: int


def quiz_blocks(text: str) -> list[tuple[int, dict]]:
    """(line, data) of every quiz block of a page."""
    lines = text.splitlines()
    found = []
    for start, end, indent, info in cellmod.fenced_blocks(lines):
        if cellmod.language(info) == "quiz":
            body = cellmod.fence_body(lines, start, end, indent)
            found.append((start + 1, cellmod.load_quiz_yaml(body, start + 1)))
    return found


def check_page(text: str, path: str, result) -> list[QuizInfo]:
    """Validate a page's quizzes against the schema, the rules the schema
    cannot say, and the real outputs of predict questions."""
    try:
        blocks = quiz_blocks(text)
    except cellmod.CellSyntaxError as err:
        raise BuildError(f"{path}:{err.line}: {err}") from None
    outputs = {c.quiz_question: o for c, o in zip(result.cells, result.outputs) if c.quiz_question}
    infos = []
    for line, data in blocks:
        where = f"{path}:{line}: quiz"
        errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.path))
        if errors:
            problems = "\n".join(f"  - at {_json_path(e)}: {e.message}" for e in errors[:8])
            raise BuildError(f"{where} does not match the quiz format (sitebuild/quiz.schema.json):\n{problems}")
        stem = Path(path).stem
        if data["id"] != stem:
            raise BuildError(f"{where} has id {data['id']!r}, but a quiz's id must be its page's slug: write `id: {stem}`.")
        seen = set()
        for question in data["questions"]:
            qid = question["id"]
            here = f"{where} {data['id']!r}, question {qid!r}"
            if qid in seen:
                raise BuildError(f"{here}: this id is used twice in the quiz; give each question its own id.")
            seen.add(qid)
            correct = [o for o in question["options"] if o.get("correct")]
            if len(correct) != 1:
                raise BuildError(f"{here}: has {len(correct)} options marked `correct: true`; exactly one must be.")
            if question.get("kind") == "predict":
                real = output_text(outputs[qid])
                if _normalise(correct[0]["text"]) != _normalise(real):
                    raise BuildError(
                        f"{here}: the option marked correct is not what the code really prints.\n"
                        f"  marked correct:\n{_indent(correct[0]['text'])}\n  real output (JAX at build):\n{_indent(real)}\n"
                        "Make the correct option's text exactly the real output."
                    )
        infos.append(QuizInfo(data["id"], path, len(data["questions"])))
    return infos


def check_progress_page(progress_text: str, quizzes: list[QuizInfo], path: str) -> None:
    """The progress page lists every quiz, and no quiz that does not exist."""
    import re

    listed = re.findall(r'data-quiz-progress="([^"]+)"', progress_text)
    known = {q.id for q in quizzes}
    unknown = sorted(set(listed) - known)
    if unknown:
        raise BuildError(f"{path}: lists quiz id(s) {', '.join(unknown)} that no page defines; known quizzes: {', '.join(sorted(known))}.")
    missing = sorted(known - set(listed))
    if missing:
        raise BuildError(f"{path}: does not list the quiz(zes) {', '.join(missing)}; add a row for each.")


def output_text(output: dict) -> str:
    """What a reader sees under a cell: its stdout, then its value."""
    parts = [output["stdout"].rstrip("\n")] if output["stdout"] else []
    if output["value"] is not None:
        parts.append(output["value"])
    return "\n".join(parts)


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.strip("\n").splitlines()) or "      (nothing)"


def _json_path(error) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path) or "the top"


# ---- rendering -----------------------------------------------------------------

_inline = markdown.Markdown(extensions=["pymdownx.arithmatex"], extension_configs={"pymdownx.arithmatex": {"generic": True}})


def _md(text: str) -> str:
    out = _inline.reset().convert(text.strip())
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def render(data: dict, predict_outputs: dict, label: str, highlight) -> str:
    """The quiz as HTML. `predict_outputs` maps question id -> output text;
    `highlight(code)` returns highlighted HTML for a predict question's code."""
    quiz_id = data["id"]
    items = []
    for number, q in enumerate(data["questions"], start=1):
        qid, kind = q["id"], q.get("kind", "choice")
        name = f"{quiz_id}--{qid}"
        legend_id = f"quiz-{name}-prompt"
        options = []
        answers = []
        for i, option in enumerate(q["options"]):
            text = (f'<pre class="jax-quiz__output"><code>{html.escape(option["text"].rstrip())}</code></pre>'
                    if kind == "predict" else _md(option["text"]))
            correct = ' data-correct="true"' if option.get("correct") else ""
            options.append(
                f'<label class="jax-quiz__option"><input type="radio" name="{html.escape(name)}" value="{i}"{correct}>'
                f'<span class="jax-quiz__option-text no-copy">{text}</span></label>'
            )
            verdict = "Correct" if option.get("correct") else "Not quite"
            answers.append(
                f'<div class="jax-quiz__explanation" data-option="{i}"><p><strong>{chr(65 + i)}. {verdict}.</strong> '
                f'{_md(option["feedback"])}</p></div>'
            )
        code = ""
        reveal = ""
        if kind == "predict":
            code = f'<div class="jax-quiz__code">{highlight(q["code"])}</div>'
            reveal = (
                '<div class="jax-quiz__reveal jax-output no-copy"><p class="jax-output__label">'
                f'Real output — {html.escape(label[0].lower() + label[1:])}</p>'
                f'<pre class="jax-output__stdout"><code>{html.escape(predict_outputs[qid])}</code></pre></div>'
            )
        items.append(
            f'<li class="jax-quiz__question" data-question="{html.escape(qid)}" data-kind="{kind}">'
            f'<form class="jax-quiz__form"><fieldset><legend id="{legend_id}">'
            f'<span class="jax-quiz__number">Question {number}. </span>{_md(q["prompt"])}</legend>'
            f'{code}<div class="jax-quiz__options">{"".join(options)}</div></fieldset>'
            '<div class="jax-quiz__actions"><button type="submit" class="md-button jax-quiz__check">Check answer</button></div></form>'
            '<div class="jax-quiz__feedback" role="status" aria-live="polite"></div>'
            f'<details class="jax-quiz__answer"><summary>Show the answer</summary>{reveal}{"".join(answers)}</details>'
            "</li>"
        )
    return (
        f'<div class="jax-quiz" data-quiz="{html.escape(quiz_id)}" data-total="{len(items)}">'
        f'<ol class="jax-quiz__questions">{"".join(items)}</ol>'
        '<p class="jax-quiz__score" aria-live="polite"></p></div>'
    )
