"""The superfences custom fence for ```` ```quiz ```` blocks (wired in mkdocs.yml).

The build has already validated every quiz (sitebuild.quizzes.check_page)
and run the code of predict questions with the page's other cells, so this
only renders, taking those outputs from the page's executed cells.
"""

from __future__ import annotations

from sitebuild import cells as cellmod
from sitebuild import markdown_cells, quizzes


def validator(language, inputs, options, attrs, md) -> bool:
    return True


def formatter(src, language, class_name, options, md, **kwargs) -> str:
    data = cellmod.load_quiz_yaml(src, 0)
    outputs = {}
    for question in data["questions"]:
        if question.get("kind") == "predict":
            _, output = markdown_cells.take_cell(md, question["code"])
            outputs[question["id"]] = quizzes.output_text(output)

    def highlight(code: str) -> str:
        return md.preprocessors["fenced_code_block"].highlight(
            src=code.rstrip("\n"), language="python", options={}, md=md, classes=[], id_value="", attrs={}
        )

    return quizzes.render(data, outputs, md.jax_cells_label, highlight)
