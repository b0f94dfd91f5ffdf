"""Quiz data is validated at build: format, answers, ids, and predict questions
against the real output of their code."""

from __future__ import annotations

import textwrap

import pytest

from sitebuild import execute, quizzes
from sitebuild.errors import BuildError
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "CACHE_DIR", tmp_path / "cells")


def check(page: str, path: str = "docs/chapters/99-test.md"):
    page = textwrap.dedent(page)
    return quizzes.check_page(page, path, execute.execute_page(page, path))


GOOD = '''
    # Test

    ```python
    import jax.numpy as jnp
    ```

    ```quiz
    id: 99-test
    questions:
      - id: dtype
        prompt: What is the default float dtype in JAX?
        options:
          - text: "`float64`"
            feedback: That is NumPy's default.
          - text: "`float32`"
            correct: true
            feedback: JAX defaults to 32-bit.
      - id: sum
        kind: predict
        prompt: What does this cell print?
        code: |
          print(jnp.arange(4).sum())
        options:
          - text: "6"
            correct: true
            feedback: 0 + 1 + 2 + 3.
          - text: "10"
            feedback: That would be 1 + 2 + 3 + 4.
    ```
'''


def test_a_valid_quiz_passes_and_counts_its_questions():
    [info] = check(GOOD)
    assert (info.id, info.questions) == ("99-test", 2)


def test_the_broken_fixture_with_no_correct_option_fails_with_file_line_and_question():
    path = "tests/fixtures/broken-quiz.md"
    text = (ROOT / path).read_text()
    with pytest.raises(BuildError) as info:
        quizzes.check_page(text, path, execute.execute_page(text, path))
    assert str(info.value).startswith("tests/fixtures/broken-quiz.md:5: quiz 'broken-quiz', question 'no-answer': has 0 options marked `correct: true`")


@pytest.mark.parametrize("change, message", [
    (("correct: true\n            feedback: JAX", "feedback: JAX"), "has 0 options marked"),
    (('feedback: That is NumPy', 'correct: true\n            feedback: That is NumPy'), "has 2 options marked"),
    (("id: sum", "id: dtype"), "'dtype': this id is used twice"),
    (("id: 99-test", "id: some-other-page"), "a quiz's id must be its page's slug: write `id: 99-test`"),
    (("kind: predict", "kind: essay"), "does not match the quiz format"),
    (("prompt: What is the default", "question: What is the default"), "does not match the quiz format"),
])
def test_malformed_quizzes_fail_with_a_clear_message(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(BuildError, match=message) as info:
        check(GOOD.replace(old, new, 1))
    assert str(info.value).startswith("docs/chapters/99-test.md:8: quiz")


def test_a_predict_answer_that_is_not_the_real_output_fails_and_shows_the_real_output():
    with pytest.raises(BuildError) as info:
        check(GOOD.replace('- text: "6"\n            correct: true', '- text: "7"\n            correct: true'))
    message = str(info.value)
    assert "the option marked correct is not what the code really prints" in message
    assert "marked correct:\n      7\n  real output (JAX at build):\n      6" in message


def test_predict_code_that_raises_fails_the_build():
    with pytest.raises(BuildError, match="the code of quiz question 'sum' raised ZeroDivisionError"):
        check(GOOD.replace("print(jnp.arange(4).sum())", "print(1 / 0)"))


def test_invalid_yaml_is_reported_with_its_line():
    with pytest.raises(BuildError, match=r"99-test\.md:8: this quiz block is not valid YAML"):
        check(GOOD.replace("    id: 99-test\n", "    id: [99-test\n"))


def test_progress_page_must_list_every_quiz_and_no_unknown_one():
    known = [quizzes.QuizInfo("00-why-jax", "a.md", 3), quizzes.QuizInfo("03-jit-and-tracing", "b.md", 4)]
    row = '<span data-quiz-progress="{}"></span>'
    quizzes.check_progress_page(row.format("00-why-jax") + row.format("03-jit-and-tracing"), known, "docs/progress.md")
    with pytest.raises(BuildError, match="does not list the quiz.*03-jit-and-tracing"):
        quizzes.check_progress_page(row.format("00-why-jax"), known, "docs/progress.md")
    with pytest.raises(BuildError, match="lists quiz id.*42-nope that no page defines"):
        quizzes.check_progress_page(row.format("00-why-jax") + row.format("03-jit-and-tracing") + row.format("42-nope"), known, "docs/progress.md")
