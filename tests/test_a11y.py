"""Accessibility of the whole built site, as a reader meets it.

- axe-core (npm, pinned) checks every built page at WCAG 2.2 A and AA, in the
  light and the dark theme, with its simulations mounted and moved into an
  interactive state (a step taken, the table open), its first quiz question
  answered and its first code cell's editor open.
- Keyboard only: each simulation, a quiz and a code cell are walked with Tab;
  every control is reached in reading order with a visible focus indicator,
  Tab leaves the widget again, what moves by itself can be paused, and with
  prefers-reduced-motion nothing moves by itself.
- Each simulation's words (its live status line and its table) say what its
  picture shows.
- Pages print as their content: no navigation chrome, each simulation as its
  picture and its table, code not cut off.
"""

from __future__ import annotations

import re
import time
from fnmatch import fnmatch

import pytest

from tests.conftest import ROOT

AXE = ROOT / "site_src" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
THEMES = ("default", "slate")  # Material's light and dark colour schemes

# Violations whose cause lies in files this test's authors do not own, each with
# the reason and the owner; the test fails when one no longer occurs, so it is
# removed. Keys: (page glob, theme glob, rule id, target substring). Empty: every
# violation found so far was fixed at its cause.
KNOWN: dict[tuple[str, str, str, str], str] = {}


def built_pages(site) -> list[str]:
    """URL paths of every page of the built site: each index.html's folder, and the 404 page."""
    folders = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")
                     if p.relative_to(site).parts[0] != "assets")
    return [("" if f == "." else f + "/") for f in folders] + ["404.html"]


# ---- putting a page into its interactive state ------------------------------------------

# For each simulation, the buttons (by their visible name) to press so that its
# picture is mid-way through what it shows, as a reader leaves it.
SIM_STEPS = {
    "data-parallel": ["Reset", "Step", "Step"],
    "grad-visualizer": ["Play"],  # with reduced motion: jumps to the last x
    "graph-tracer": ["Step", "Step"],
    "jit-timeline": ["Call", "Call"],
    "mental-model": ["grad", "vmap"],
    "numpy-vs-jax": [],
    "prng-tree": ["Draw normal(key, (3,))", "Reuse key"],
    "pure-impure": ["Call with x = 5.0", "Call with x = 5.0"],
    "pytree": ["Step", "Step"],
    "training-loop": ["Step", "Step"],
    "vmap-loop": ["Step"],
}


def no_python_prewarm(page) -> None:
    """The browser asks to save data, so an idle page does not start Python (12 MB, seconds of CPU)."""
    page.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")


def wait_for_simulations(page) -> None:
    page.wait_for_function("!document.querySelector('.jax-sim[data-live]:not([data-mounted])')", timeout=15000)


def button(frame, text: str):
    """The simulation's button that shows this text."""
    return frame.locator(".jax-sim__view button").filter(has_text=re.compile(f"^{re.escape(text)}$")).first


def interact(page) -> None:
    """Simulations a few steps in with their tables open, the first quiz question
    answered, the first code cell's editor open."""
    wait_for_simulations(page)
    for frame in page.locator(".jax-sim[data-mounted] .jax-sim__frame").all():
        sim_id = frame.locator("xpath=..").get_attribute("data-sim")
        for name in SIM_STEPS[sim_id]:
            button(frame, name).click()
        frame.locator(".jax-sim__table-toggle").click()
    question = page.locator(".jax-quiz__question").first
    if question.count():
        question.locator("input[type=radio]").first.check()
        question.locator(".jax-quiz__check").click()
        question.locator(".jax-quiz__feedback:not(:empty)").wait_for()
    edit = page.locator(".jax-cell__edit").first
    if edit.count():
        edit.click()
        page.locator(".jax-cell__editor .cm-editor").first.wait_for()


def set_theme(page, scheme: str) -> None:
    """Material's colour scheme, as its palette toggle sets it; the simulations redraw (they observe it)."""
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                       resultTypes: ['violations']})
        .then(r => r.violations.flatMap(v => v.nodes.map(n => ({
            rule: v.id, impact: v.impact, target: n.target.join(' '), html: n.html.slice(0, 160),
            why: (n.failureSummary || '').split('\\n').slice(1, 2).join('').trim()}))))""", WCAG_22_A_AA)


def known_reason(page_path: str, theme: str, v: dict) -> tuple | None:
    for key in KNOWN:
        pages, themes, rule, target = key
        if fnmatch(page_path, pages) and fnmatch(theme, themes) and rule == v["rule"] and target in v["target"]:
            return key
    return None


@pytest.mark.browser
def test_axe_finds_no_wcag_2_2_a_or_aa_violation_on_any_page_in_either_theme(page, site_url, built):
    page.emulate_media(reduced_motion="reduce")  # a steady picture: players jump instead of animating
    no_python_prewarm(page)
    started = time.monotonic()
    found, seen_known = [], set()
    pages = built_pages(built.site)
    for path in pages:
        page.goto(f"{site_url}/{path}")
        interact(page)
        for theme in THEMES:
            set_theme(page, theme)
            for v in axe_violations(page):
                key = known_reason(path, theme, v)
                if key:
                    seen_known.add(key)
                else:
                    found.append(f"/{path} [{theme}] {v['rule']} ({v['impact']}): {v['target']} | "
                                 f"{' '.join(v['html'].split())} | {v['why']}")
    print(f"axe: {len(pages)} pages x {len(THEMES)} themes in {time.monotonic() - started:.0f} s")
    stale = [f"{k}: {KNOWN[k]}" for k in KNOWN if k not in seen_known]
    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)
    assert not stale, "KNOWN violations that no longer occur (remove them from KNOWN):\n" + "\n".join(stale)


# ---- keyboard only ------------------------------------------------------------------------

# What Tab should stop on inside `root`, in document order: visible, enabled
# controls with a tabindex of 0 or more, and one stop per group of radio
# buttons (its checked one, else its first), as browsers do. Each is marked
# with its place, data-a11y-stop, and described.
TAB_STOPS_JS = """root => {
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const firstOfGroup = el => {
    if (el.type !== 'radio') return true;
    const group = [...root.querySelectorAll('input[type=radio]')].filter(r => r.name === el.name);
    return el === (group.find(r => r.checked) || group[0]);
  };
  const controls = 'a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]';
  const stops = [...root.querySelectorAll(controls)]
    .filter(el => el.tabIndex >= 0 && !el.disabled && visible(el) && firstOfGroup(el));
  stops.forEach((el, i) => { el.dataset.a11yStop = String(i); });
  return stops.map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
    (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 40));
}"""

# The focused element: inside the widget or not, its place among the expected
# stops, where it is, and whether it shows a focus ring (an outline or a box
# shadow) on itself or on the part that draws it: the label around it, the
# editor around it, a tree item's row.
FOCUS_JS = """root => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  const ring = e => { if (!e) return false; const s = getComputedStyle(e);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; };
  return { inside: root.contains(el) && el !== root, stop: el.dataset ? el.dataset.a11yStop || null : null,
           what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
                 (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40),
           top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left,
           ring: [el, el.closest('label'), el.closest('.cm-editor'), el.querySelector(':scope > .pt-row')].some(ring) };
}"""


def start_before(page, selector: str) -> None:
    """Put focus just before the first element matching selector, as if the
    reader had tabbed up to it: Tab goes on from there in document order."""
    page.evaluate("""sel => { const mark = document.createElement('span'); mark.tabIndex = -1;
        document.querySelector(sel).before(mark); mark.focus(); }""", selector)


def tab_through(page, selector: str) -> tuple[list[str], list[dict]]:
    """Tab from just before the widget until focus leaves it. Returns the stops
    the widget should have and the stops Tab made inside it; fails if focus
    never leaves (a trap)."""
    root = page.locator(selector).first
    expected = root.evaluate(TAB_STOPS_JS)
    start_before(page, selector)
    visited = []
    for _ in range(len(expected) + 10):
        page.keyboard.press("Tab")
        where = root.evaluate(FOCUS_JS)
        if not where["inside"]:
            return expected, visited
        visited.append(where)
    pytest.fail(f"focus is trapped in {selector}: after {len(visited)} presses of Tab it is still inside; "
                f"last stops: {[v['what'] for v in visited[-5:]]}")


def assert_reachable_in_order_with_visible_focus(expected: list[str], visited: list[dict]) -> None:
    order = [v["stop"] for v in visited]
    assert order == [str(i) for i in range(len(expected))], (
        "Tab did not visit every control once, in document order:\n  expected: " + "\n    ".join(expected) +
        "\n  visited:  " + "\n    ".join(v["what"] for v in visited))
    no_ring = [v["what"] for v in visited if not v["ring"]]
    assert not no_ring, f"no visible focus indicator (outline or box-shadow) on: {no_ring}"
    for before, after in zip(visited, visited[1:]):  # reading order: up or along a line only to the right
        above = after["bottom"] <= before["top"] + 1
        same_line = not above and after["top"] < before["bottom"] - 1
        if above or same_line:
            assert after["left"] >= before["left"] - 1, f"Tab goes back from {before['what']} to {after['what']}"


def sim_root(sim_id: str) -> str:
    return f'.jax-sim[data-sim="{sim_id}"]'


def status_of(page, sim_id: str) -> str:
    return page.locator(f"{sim_root(sim_id)} .jax-sim__status").inner_text()


def open_sim_page(page, site_url, sim_id: str) -> None:
    no_python_prewarm(page)
    page.goto(f"{site_url}/sims/{sim_id}/")
    wait_for_simulations(page)


def press_button(page, sim_id: str, text: str) -> None:
    """Focus the simulation's button that shows `text` and press Enter on it, as a keyboard user does."""
    button(page.locator(f"{sim_root(sim_id)} .jax-sim__frame"), text).focus()
    page.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.parametrize("sim_id", sorted(SIM_STEPS))
def test_tab_reaches_every_control_of_a_simulation_in_order_with_visible_focus_and_leaves_it(page, site_url, sim_id):
    open_sim_page(page, site_url, sim_id)
    page.locator(f"{sim_root(sim_id)} .jax-sim__table-toggle").click()  # the open table is a stop too
    expected, visited = tab_through(page, sim_root(sim_id))
    assert len(expected) >= 2, expected  # the frame's own controls at least: its table toggle and table
    assert_reachable_in_order_with_visible_focus(expected, visited)


# For each simulation, the buttons that start something moving (after those that
# set it up): with reduced motion, the last one shows its end state at once.
MOVERS = {
    "data-parallel": ["Reset", "Play"], "grad-visualizer": ["Play"], "graph-tracer": ["Play"], "jit-timeline": ["Call"],
    "mental-model": ["grad"], "numpy-vs-jax": [], "prng-tree": ["Split"], "pure-impure": ["Call with x = 5.0"],
    "pytree": ["Step", "Play"], "training-loop": ["Play"], "vmap-loop": ["Play"],
}
PLAYING = sorted(sim for sim, buttons in MOVERS.items() if buttons and buttons[-1] == "Play")


@pytest.mark.browser
@pytest.mark.parametrize("sim_id", PLAYING)
def test_a_playing_simulation_moves_by_itself_and_pauses_by_keyboard(page, site_url, sim_id):
    open_sim_page(page, site_url, sim_id)
    if sim_id == "data-parallel":
        press_button(page, sim_id, "Reset")  # it opens on its last phase
    still = status_of(page, sim_id)
    press_button(page, sim_id, "Play")
    page.wait_for_function("([sel, text]) => document.querySelector(sel).textContent !== text",
                           arg=[f"{sim_root(sim_id)} .jax-sim__status", still], timeout=5000)
    play = page.locator(f"{sim_root(sim_id)} .jax-sim__view button:focus")
    assert play.inner_text() == "Pause"  # focus stays on the button, which now pauses
    page.keyboard.press("Enter")
    paused = status_of(page, sim_id)
    page.wait_for_timeout(1500)  # longer than any player's step
    assert status_of(page, sim_id) == paused, "the simulation went on moving after Pause"
    assert play.inner_text() == "Play"


LIVE_INTERVALS_JS = """(() => {  // the ids of the interval timers that are running
  const live = new Set(), set = window.setInterval, clear = window.clearInterval;
  window.setInterval = function () { const id = set.apply(this, arguments); live.add(id); return id; };
  window.clearInterval = function (id) { live.delete(id); return clear.call(this, id); };
  window.a11yLiveIntervals = () => [...live];
})()"""


@pytest.mark.browser
@pytest.mark.parametrize("sim_id", sorted(MOVERS))
def test_with_reduced_motion_nothing_in_a_simulation_moves_by_itself(page, site_url, sim_id):
    page.emulate_media(reduced_motion="reduce")
    page.add_init_script(LIVE_INTERVALS_JS)
    open_sim_page(page, site_url, sim_id)
    idle = page.evaluate("a11yLiveIntervals()")
    *setting_up, last = MOVERS[sim_id] or [None]
    for text in setting_up:
        press_button(page, sim_id, text)
    before = status_of(page, sim_id)
    if last:
        press_button(page, sim_id, last)
        assert status_of(page, sim_id) != before, f"{last} did nothing"
    after = status_of(page, sim_id)
    page.wait_for_timeout(1300)  # longer than any player's step
    assert status_of(page, sim_id) == after, "the simulation changed by itself"
    started = set(page.evaluate("a11yLiveIntervals()")) - set(idle)
    assert not started, "the buttons left an interval timer running"
    running = page.evaluate("""document.getAnimations().filter(a => a.playState === 'running')
                               .map(a => String(a.effect && a.effect.target && a.effect.target.className))""")
    assert running == [], f"CSS animations or transitions running: {running}"


@pytest.mark.browser
def test_a_quiz_is_reached_and_answered_by_keyboard_alone(page, site_url):
    page.goto(f"{site_url}/chapters/02-pure-functions/")  # every chapter's quiz is the same widget
    expected, visited = tab_through(page, ".jax-quiz")
    questions = page.locator(".jax-quiz__question").count()
    # per question: its options (one stop) and its Check button (and the copy button of any code shown)
    assert sum(e.startswith("input") for e in expected) == sum(e.endswith("Check answer") for e in expected) == questions
    assert_reachable_in_order_with_visible_focus(expected, visited)
    start_before(page, ".jax-quiz")
    page.keyboard.press("Tab")  # the first question's options
    page.keyboard.press("ArrowDown")  # chooses the second option
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Check answer
    first = page.locator(".jax-quiz__question").first
    assert first.locator("input[type=radio]").nth(1).is_checked()
    assert first.locator(".jax-quiz__feedback").inner_text().strip()  # the verdict, in its live region
    assert page.locator(".jax-quiz__score").inner_text().startswith("Your score: ")


@pytest.mark.browser
def test_a_code_cell_is_worked_by_keyboard_and_escape_leaves_its_editor(page, site_url):
    no_python_prewarm(page)
    page.goto(f"{site_url}/chapters/01-jax-numpy/")
    cell = '.jax-cell[data-cell="1"]'  # code, its baked output, and its Edit, Run and Reset buttons
    expected, visited = tab_through(page, cell)
    # its buttons (Stop shows only while it runs)
    assert [e.split()[1] for e in expected if e.endswith(" cell 2")] == ["Edit", "Run", "Reset", "Copy"]
    assert_reachable_in_order_with_visible_focus(expected, visited)
    page.locator(f"{cell} .jax-cell__edit").focus()
    page.keyboard.press("Enter")
    page.locator(f"{cell} .cm-editor.cm-focused").wait_for()
    root = page.locator(cell)
    assert root.evaluate(FOCUS_JS)["ring"], "the editor shows no focus ring"
    page.keyboard.press("Tab")  # indents: the editor keeps Tab for code, as its label says
    assert page.locator(f"{cell} .cm-editor.cm-focused").count() == 1
    assert "Escape leaves the editor" in page.locator(f"{cell} .cm-content").get_attribute("aria-label")
    page.keyboard.press("Escape")
    run_stop = root.evaluate(FOCUS_JS)["stop"]
    assert expected[int(run_stop)].startswith("button Run"), "Escape did not move focus to Run"
    rest = []
    for _ in range(len(expected)):
        page.keyboard.press("Tab")
        where = root.evaluate(FOCUS_JS)
        if not where["inside"]:
            break
        rest.append(where["stop"])
    assert rest == [str(i) for i in range(int(run_stop) + 1, len(expected))], \
        "Tab after the editor does not go on to the end of the cell"


# ---- words for the picture -------------------------------------------------------------------
# Each simulation's live status line and its table must carry what its picture
# shows. In the state SIM_STEPS leaves it in, each check reads numbers and names
# off the picture (SVG texts, or the HTML the player draws) and finds them in
# the words a screen reader gets.

def drawn(frame, css: str) -> list[str]:
    """The texts of the picture's elements that match css."""
    return frame.locator(f".jax-sim__view {css}").evaluate_all("els => els.map(e => e.textContent.trim())")


def table_row(frame, first_cell: str) -> str:
    first = frame.page.locator(f'td:first-child:text-is("{first_cell}")')
    rows = frame.locator(".jax-sim__table tbody tr").filter(has=first)
    assert rows.count() == 1, f"no single table row for {first_cell!r}"
    return rows.inner_text()


def says_data_parallel(frame, status, table):
    assert "phase 3 of 4, average (pmean)" in status and "4 devices" in status
    devices = drawn(frame, "[data-device] text")
    losses = [t.removeprefix("loss ") for t in devices if t.startswith("loss ")]
    shards = [re.fullmatch(r"examples (\d+)–(\d+)", t) for t in devices if t.startswith("examples")]
    assert len(losses) == len(shards) == 4
    assert all(loss in table for loss in losses), losses
    assert all(f"X[{m[1]}:{int(m[2]) + 1}]" in table for m in shards), devices
    averaged = [t for t in drawn(frame, "[data-bars=averaged] text") if re.search(r"\d", t) and not t.startswith("w")]
    assert averaged and all(v in status for v in averaged), averaged
    blocks = [t for t in drawn(frame, "[data-mesh-device] text") if t.startswith("[")]
    assert len(blocks) == 8 and all("x" + b in table for b in blocks), blocks


def says_grad_visualizer(frame, status, table):
    slope = [t for t in drawn(frame, "text") if "slope" in t][0].split()[-1]
    x = frame.locator("[data-readout=x]").inner_text()  # "x = 3.0", where the dashed line stands
    assert f"at {x}:" in status and f"is {slope}" in status
    assert slope in frame.locator(".jax-sim__table tbody tr").filter(has_text="◀").inner_text()


def says_graph_tracer(frame, status, table):
    assert "Forward mode" in status and "step 2 of" in status
    values = drawn(frame, '.gt-node[data-shown="true"] text')
    assert len(values) == 2 * 3 and all(n in table for t in values for n in re.findall(r"[−-]?\d+\.\d+", t)), values
    frame.get_by_role("radio", name="grad").check()
    button(frame, "Step").click()
    button(frame, "Step").click()
    sent = [t for t in drawn(frame, ".gt-wire text") if re.fullmatch(r"[+−-]\d.*", t)]
    grad_table = frame.locator(".jax-sim__table").inner_text()
    assert sent and all(t in grad_table for t in sent), sent  # what grad sends back along each wire


def says_jit_timeline(frame, status, table):
    assert "Call #2" in status and "cache hit" in status
    totals = [t.removesuffix(" ms") for t in drawn(frame, "[data-total]")]
    assert len(totals) == 2 and all(t in table_row(frame, str(i + 1)) for i, t in enumerate(totals)), totals
    hits = [t for t in drawn(frame, "text") if t.startswith("cache hit (entry of call #")]
    assert hits and all(f"hit, entry of call #{t.split('#')[1][0]}" in table for t in hits)


def says_mental_model(frame, status, table):
    layers = frame.locator(".jax-sim__view rect[data-layer]").evaluate_all("els => els.map(e => e.dataset.layer)")
    assert layers == ["vmap", "grad", "f"]  # outermost first
    assert status.startswith("jax.vmap(jax.grad(f))")
    typed = [t.split(" : ")[1] for t in drawn(frame, "text") if t.startswith("x : ")]
    assert typed and all(f"({t})" in status for t in typed), typed


def says_numpy_vs_jax(frame, status, table):
    label = frame.locator('[role=radio][aria-checked="true"]').inner_text()
    shown = frame.locator("[data-readout=jax-repr], [data-readout=jax-exception]").inner_text()
    assert status.startswith(label + ".")
    assert " ".join(shown.replace("✖ raises ", "raises ").split()) in " ".join(status.split())


def says_prng_tree(frame, status, table):
    assert status.startswith("Reused root")
    for node in frame.locator(".pt-node").all():
        texts = node.locator("text").all_text_contents()
        row = table_row(frame, node.get_attribute("data-path"))
        assert texts[-1] in row and node.get_attribute("data-status") in row  # key data as drawn, and its state


def says_pure_impure(frame, status, table):
    assert status.startswith("Call #2:")
    for side in ("impure", "pure"):
        result = frame.locator(f'[data-panel="{side}"] [data-call="2"] [data-kind=result]').inner_text()
        assert result.lstrip("→").strip() in status, (side, result)


def says_pytree(frame, status, table):
    assert "Flatten mode" in status and "step 2 of" in status
    moved = frame.locator('.pt-leaf[data-on="true"] .pt-path').all_inner_texts()
    assert len(moved) == 2 and all(p in table for p in moved)


def says_training_loop(frame, status, table):
    step = re.search(r"at step (\d+)", " ".join(drawn(frame, "text")))[1]
    assert f"step {step} of" in status
    minimum = [t for t in drawn(frame, "text") if t.startswith("least-squares minimum")][0].split()[-1]
    assert f"least-squares minimum is {minimum}" in status
    assert frame.locator(".jax-sim__table tbody tr").last.locator("td").first.inner_text() == step


def says_vmap_loop(frame, status, table):
    assert status.startswith("Step 1 of")
    caption = drawn(frame, '[data-caption="loop"]')[0]  # "Call 1 done: predict(W, xs[0]) → [a, b]"
    assert caption.split("→ ")[1] in status
    outputs = drawn(frame, "[data-output]")
    assert outputs and all(v in table for v in outputs), outputs


SAYS = {name[len("says_"):].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("says_")}


@pytest.mark.browser
@pytest.mark.parametrize("sim_id", sorted(SIM_STEPS))
def test_a_simulations_status_line_and_table_say_what_its_picture_shows(page, site_url, sim_id):
    assert sorted(SAYS) == sorted(SIM_STEPS)  # every simulation has its check
    page.emulate_media(reduced_motion="reduce")
    open_sim_page(page, site_url, sim_id)
    frame = page.locator(f"{sim_root(sim_id)} .jax-sim__frame")
    for text in SIM_STEPS[sim_id]:
        button(frame, text).click()
    frame.locator(".jax-sim__table-toggle").click()
    SAYS[sim_id](frame, frame.locator(".jax-sim__status").inner_text(), frame.locator(".jax-sim__table").inner_text())


# ---- print -------------------------------------------------------------------------------------

# What a printed chapter leaves out: Material's header, sidebars, footer, "back
# to top" and copy buttons (the site has no tab bar); the runner's buttons; the
# notebook link; the simulations' buttons.
CHROME = [".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer", ".md-top",
          ".md-code__nav", ".jax-cell__toolbar", ".jax-notebook-link", ".jax-sim__table-toggle", ".jax-sim__view button"]
SHOWN_JS = "els => els.filter(e => e.getClientRects().length > 0).length"  # laid out on the page
CUT_CODE_JS = """els => els.filter(e => e.getClientRects().length)
                        .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
                        .map(e => e.textContent.slice(0, 60))"""


@pytest.mark.browser
def test_a_chapter_prints_its_content_and_each_simulation_as_picture_and_table_without_chrome(page, site_url):
    no_python_prewarm(page)
    page.set_viewport_size({"width": 720, "height": 1000})  # about an A4 page's text width
    page.goto(f"{site_url}/chapters/03-jit-and-tracing/")  # code cells, outputs, a quiz and a simulation
    wait_for_simulations(page)
    frame = page.locator('.jax-sim[data-sim="jit-timeline"] .jax-sim__frame')
    button(frame, "Call").click()  # the state to print: one call made, its table never opened
    missing = [css for css in CHROME if not page.locator(css).count()]
    assert not missing, f"the page has none of {missing}: the check below would prove nothing"
    page.emulate_media(media="print")
    frame.locator(".jax-sim__table tbody tr").first.wait_for(timeout=5000)  # the core fills it as print media begins
    shown = {css: page.locator(css).evaluate_all(SHOWN_JS) for css in CHROME}
    assert not any(shown.values()), f"printed but should not be: { {k: v for k, v in shown.items() if v} }"
    for sim in page.locator(".jax-sim[data-mounted] .jax-sim__frame").all():
        assert sim.locator(".jax-sim__view svg").first.is_visible()  # the picture, as it stands
        table = sim.locator(".jax-sim__table")
        assert table.is_visible() and table.locator("tbody tr").count() > 0
    rows = frame.locator(".jax-sim__table tbody tr")
    assert rows.count() == 1 and rows.first.locator("td").first.inner_text() == "1"  # the call just made
    cut = page.locator(".md-content pre > code, .jax-sim__table").evaluate_all(CUT_CODE_JS)
    assert cut == [], f"code or tables cut off in print: {cut}"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 3
