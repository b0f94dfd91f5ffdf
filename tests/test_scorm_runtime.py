"""A chapter's SCORM package in Chromium, with a real SCORM 1.2 runtime.

The test LMS (tests/fixtures/scorm/host.html) installs scorm-again's SCORM
1.2 API as window.API, records every call the content makes, and launches
chapter 3's package, unzipped and served from the same origin as an LMS
serves the packages it imports, in an iframe or a new window. Chapter 3's
quiz has 5 questions; the manifest's mastery score is 80.
Every test fails on a console error or a request leaving loopback (the
`page` fixture), and on any response of the package's server that is an error."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from sitebuild import scorm
from tests.conftest import QuietHandler, served

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SLUG = "03-jit-and-tracing"
LAUNCH = f"pkg/embed/chapters/{SLUG}/index.html"
MANY = f"pkg/embed/chapters/{SLUG}/many.html"  # the chapter with a quiz of MANY_QUESTIONS questions
MANY_QUESTIONS = 300
SCORM_AGAIN = ROOT / "site_src" / "node_modules" / "scorm-again" / "dist" / "scorm12.js"  # the plain-script build
BOOKKEEPING = ("LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic")
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")  # SCORM 1.2's CMITimespan as the content writes it
BOOT_MS = 90_000


class PackageHandler(QuietHandler):
    """Lets pages of any origin use the files, as a CDN does: a frame sandboxed
    without allow-same-origin has an opaque origin, whose font requests need CORS."""

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()


@pytest.fixture(scope="module")
def lms(built, tmp_path_factory) -> str:
    """The test LMS's address: host.html, lms/scorm12.js and the package in pkg/."""
    root = tmp_path_factory.mktemp("lms")
    shutil.copy(ROOT / "tests" / "fixtures" / "scorm" / "host.html", root / "host.html")
    (root / "lms").mkdir()
    shutil.copy(SCORM_AGAIN, root / "lms" / "scorm12.js")
    with zipfile.ZipFile(built.dist / scorm.OUT_DIR / f"{SLUG}.zip") as package:
        package.extractall(root / "pkg")
    page = (root / LAUNCH).read_text(encoding="utf-8")
    (root / MANY).write_text(many_questions(page, MANY_QUESTIONS), encoding="utf-8")
    with served(root, PackageHandler) as url:
        yield url


def many_questions(page: str, count: int) -> str:
    """The chapter page with a quiz of `count` copies of its first question, each with a long id."""
    first = re.search(r'<li class="jax-quiz__question" data-question="([^"]+)".*?</details></li>', page, re.S)
    copies = "".join(first.group(0).replace(first.group(1), f"a-question-with-a-long-id-to-fill-the-record-{i:03d}")
                      for i in range(count))
    page, replaced = re.subn(r'(<ol class="jax-quiz__questions">).*?(</ol><p class="jax-quiz__score")',
                             lambda m: m.group(1) + copies + m.group(2), page, count=1, flags=re.S)
    page, totalled = re.subn(r'(class="jax-quiz" data-quiz="[^"]+" data-total=")\d+"', rf'\g<1>{count}"', page, count=1)
    assert replaced == totalled == 1, "the quiz's HTML changed: update many_questions()"
    return page


@pytest.fixture
def watched(page):
    """The `page` fixture, also failing on any error response (a file the package lacks)
    and keeping every console message of every window in page.messages."""
    page.messages = []
    page.bad_responses = []

    def watch(pg):
        pg.on("console", lambda m: page.messages.append((m.type, m.text)))
        pg.on("response", lambda r: page.bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    watch(page)
    page.context.on("page", lambda popup: (watch(popup), popup.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)))
    yield page
    assert page.bad_responses == []


def open_lms(page, lms: str, cmi: dict | None = None, launch: str = LAUNCH, as_: str = "frame"):
    """Open the test LMS with this learner record, launching `launch` as a frame, sandboxed frame or window."""
    query = {"launch": launch, "as": as_} | ({"cmi": json.dumps(cmi)} if cmi else {})
    page.goto(f"{lms}/host.html?{urlencode(query)}")


def calls(page) -> list[dict]:
    return [c for c in page.evaluate("calls") if c["name"] not in BOOKKEEPING]


def set_values(page, element: str) -> list[str]:
    return [c["args"][1] for c in calls(page) if c["name"] == "LMSSetValue" and c["args"][0] == element]


def answer(quiz, number: int, right: bool):
    """Check an answer to question `number` (from 1), right or wrong, as a reader does."""
    question = quiz.locator(".jax-quiz__question").nth(number - 1)
    options = question.locator("input[type=radio]")
    key = int(question.locator("input[data-correct]").get_attribute("value"))
    options.nth(key if right else (key + 1) % options.count()).check()
    question.get_by_role("button", name=re.compile("Check")).click()
    expect(question.locator(".jax-quiz__feedback")).not_to_be_empty()
    return key


def fresh_record(mastery: str | None = str(scorm.MASTERY_SCORE)) -> dict:
    return {"core": {"entry": "ab-initio"}} | ({"student_data": {"mastery_score": mastery}} if mastery else {})


def test_in_a_frame_the_chapter_reports_its_quiz_then_finishes_once_and_a_resume_restores_it(watched, lms):
    page = watched
    page.goto(f"{lms}/host.html")  # another attempt's answers in this browser: a fresh attempt ignores them
    page.evaluate("""localStorage.setItem("thinking-in-jax:quiz:v1:%s",
                     JSON.stringify({answers: {"same-shape-new-values": {choice: 1, correct: true}}, total: 5}))""" % SLUG)
    open_lms(page, lms, fresh_record())
    quiz = page.frame_locator("iframe").locator(".jax-quiz")
    expect(quiz).to_have_class(re.compile("jax-quiz--enhanced"))
    page.wait_for_function("calls.some(c => c.name === 'LMSCommit')")
    assert quiz.locator("input:checked").count() == 0 and quiz.locator(".jax-quiz__score").inner_text() == ""

    keys = [answer(quiz, 1, right=False)] + [answer(quiz, n, right=True) for n in range(2, 6)]
    page.wait_for_function("calls.filter(c => c.name === 'LMSCommit').length === 6")
    log = calls(page)
    assert log[0] == {"name": "LMSInitialize", "args": [""], "result": "true"}
    assert all(c["result"] == "true" for c in log if c["name"] != "LMSGetValue"), log
    assert set_values(page, "cmi.core.score.min") == ["0"] and set_values(page, "cmi.core.score.max") == ["100"]
    assert set_values(page, "cmi.core.score.raw") == ["0", "20", "40", "60", "80"]  # 0, 1, ... 4 of 5 right
    assert set_values(page, "cmi.core.lesson_status") == ["incomplete", "passed"]  # 80 >= the mastery score 80
    assert set_values(page, "cmi.core.exit") == ["suspend"]
    saved = set_values(page, "cmi.suspend_data")
    questions = quiz.locator(".jax-quiz__question").evaluate_all("qs => qs.map(q => q.dataset.question)")
    chosen = {qid: (key + 1) % 3 if i == 0 else key for i, (qid, key) in enumerate(zip(questions, keys))}
    assert json.loads(saved[-1]) == {SLUG: chosen} and all(len(s) <= 4096 for s in saved)
    # The last answer: the values that changed, then one commit.
    assert [(c["name"], c["args"][:1]) for c in log[-4:]] == [
        ("LMSSetValue", ["cmi.core.score.raw"]), ("LMSSetValue", ["cmi.core.lesson_status"]),
        ("LMSSetValue", ["cmi.suspend_data"]), ("LMSCommit", [""])]
    assert not any(c["name"] == "LMSFinish" for c in log)

    page.evaluate("document.querySelector('iframe').src = 'about:blank'")  # the learner leaves
    page.wait_for_function("calls.some(c => c.name === 'LMSFinish')")
    page.wait_for_timeout(300)  # time for a second LMSFinish, which must not come
    log = calls(page)
    assert [c["name"] for c in log].count("LMSFinish") == 1 and log[-1] == {"name": "LMSFinish", "args": [""], "result": "true"}
    assert log[-2]["args"][0] == "cmi.core.session_time" and TIMESPAN.match(log[-2]["args"][1]), log[-2]

    page.evaluate("localStorage.clear()")  # the answers come back from the LMS, not from this browser
    open_lms(page, lms, {"core": {"entry": "resume", "lesson_status": "passed", "score": {"raw": "80"}},
                         "suspend_data": saved[-1], "student_data": {"mastery_score": "80"}})
    quiz = page.frame_locator("iframe").locator(".jax-quiz")
    expect(quiz.locator(".jax-quiz__score")).to_have_text("Your score: 4 of 5 correct (80%).")
    for i, qid in enumerate(questions):
        question = quiz.locator(f'.jax-quiz__question[data-question="{qid}"]')
        expect(question.locator(f'input[value="{chosen[qid]}"]')).to_be_checked()
        expect(question.locator(".jax-quiz__feedback")).to_have_class(re.compile("is-wrong" if i == 0 else "is-correct"))
    assert [c["name"] for c in calls(page)][:2] == ["LMSInitialize", "LMSGetValue"]
    assert "cmi.core.score.raw" not in [c["args"][0] for c in calls(page) if c["name"] == "LMSSetValue"]  # unchanged


def test_launched_in_a_new_window_the_chapter_reports_to_the_lms_that_opened_it(watched, lms):
    page = watched
    open_lms(page, lms, fresh_record(mastery=None), as_="window")
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Launch the chapter").click()
    chapter = opened.value
    quiz = chapter.locator(".jax-quiz")
    expect(quiz).to_have_class(re.compile("jax-quiz--enhanced"))
    for n in range(1, 6):
        answer(quiz, n, right=n != 2)
    page.wait_for_function("calls.filter(c => c.name === 'LMSCommit').length === 6")
    assert calls(page)[0]["name"] == "LMSInitialize"
    assert set_values(page, "cmi.core.score.raw")[-1] == "80"
    assert set_values(page, "cmi.core.lesson_status") == ["incomplete", "completed"]  # no mastery score: completed
    chapter.close(run_before_unload=True)  # the learner closes the window
    page.wait_for_function("calls.some(c => c.name === 'LMSFinish')")
    page.wait_for_timeout(300)
    names = [c["name"] for c in calls(page)]
    assert names.count("LMSFinish") == 1 and names[-2:] == ["LMSSetValue", "LMSFinish"]
    assert TIMESPAN.match(set_values(page, "cmi.core.session_time")[0])


def test_saved_answers_never_exceed_4096_characters(watched, lms):
    page = watched
    open_lms(page, lms, fresh_record(), launch=MANY)
    frame = page.frame_locator("iframe")
    expect(frame.locator(".jax-quiz")).to_have_class(re.compile("jax-quiz--enhanced"))
    frame.locator(".jax-quiz").evaluate("""quiz => quiz.querySelectorAll(".jax-quiz__question").forEach(q => {
        q.querySelector("input[data-correct]").checked = true;
        q.querySelector("button[type=submit]").click();
    })""")
    saved = set_values(page, "cmi.suspend_data")
    assert all(len(s) <= 4096 for s in saved)  # once full, it stays as it is
    kept = json.loads(saved[-1])[SLUG]
    ids = frame.locator(".jax-quiz__question").evaluate_all("qs => qs.map(q => q.dataset.question)")
    assert 0 < len(kept) < MANY_QUESTIONS and list(kept) == ids[:len(kept)]  # the first answers, as many as fit
    assert len(json.dumps({SLUG: {**kept, ids[len(kept)]: 0}}, separators=(",", ":"))) > 4096  # one more would not
    assert set_values(page, "cmi.core.score.raw")[-1] == "100"  # every answer counts
    assert set_values(page, "cmi.core.lesson_status")[-1] == "passed"
    warnings = [text for kind, text in page.messages if kind == "warning"]
    assert len(warnings) == 1 and "4096" in warnings[0], warnings


def test_opened_directly_the_chapter_says_nothing_of_an_lms_and_runs_python(watched, lms):
    page = watched
    page.goto(f"{lms}/{LAUNCH}")
    quiz = page.locator(".jax-quiz")
    answer(quiz, 1, right=True)
    expect(quiz.locator(".jax-quiz__score")).to_contain_text("1 of 5 correct")
    # Answers restored into the quiz once it is set up replace the reader's, on screen too.
    first, second = quiz.locator(".jax-quiz__question").evaluate_all("qs => qs.slice(0, 2).map(q => q.dataset.question)")
    wrong = (int(quiz.locator(".jax-quiz__question").nth(1).locator("input[data-correct]").get_attribute("value")) + 1) % 3
    page.evaluate("([id, choices]) => ThinkingInJax.progress.restore(id, choices)", [SLUG, {second: wrong}])
    expect(quiz.locator(".jax-quiz__score")).to_have_text("Your score: 0 of 5 correct (0%) — 4 still to answer.")
    assert quiz.locator(f'[data-question="{first}"] input:checked').count() == 0
    expect(quiz.locator(f'[data-question="{first}"] .jax-quiz__feedback')).to_be_empty()
    expect(quiz.locator(f'[data-question="{second}"] input[value="{wrong}"]')).to_be_checked()
    expect(quiz.locator(f'[data-question="{second}"] .jax-quiz__feedback')).to_have_class(re.compile("is-wrong"))
    cell = page.locator(".jax-cell").nth(2)  # jax.make_jaxpr(f)(x), after cells 1 and 2
    cell.get_by_role("button", name="Run cell 3").click()
    expect(cell.locator(".jax-cell__status")).to_have_text(re.compile("^Ran"), timeout=BOOT_MS)
    mine = cell.locator(".jax-output--browser")
    assert mine.locator(".jax-output__label").inner_text() == "Computed in your browser by jaxlite"
    assert mine.locator(".jax-output__value").inner_text().startswith("{ lambda")
    assert page.messages == []


def test_in_a_sandboxed_frame_the_chapter_cannot_reach_the_lms_and_works_quietly(watched, lms):
    page = watched
    open_lms(page, lms, fresh_record(), as_="sandboxed")  # sandbox="allow-scripts": another origin, no API
    quiz = page.frame_locator("iframe").locator(".jax-quiz")
    answer(quiz, 1, right=True)
    expect(quiz.locator(".jax-quiz__score")).to_contain_text("1 of 5 correct")
    assert page.evaluate("calls") == [] and page.messages == []
