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
# removed. Keys: (page glob, theme glob, rule id, target substring).
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
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
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
    page.add_init_script("Object.defineProperty(navigator, 'connection', {value: {saveData: true}})")  # no Python pre-warm
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
