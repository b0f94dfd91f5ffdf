"""Simulation responsiveness: from a key press to the next frame, for every simulation.

Opens each simulation's deep-link page (/sims/<id>/) in Chromium and plays a
scripted series of keyboard interactions, the same for every simulation: it
walks the simulation's controls in Tab order and, on each, presses the keys
a reader would (buttons: Enter twice, so Play also pauses and "Show as
table" closes again; sliders: arrows, End, Home; radio groups: arrows;
selects: arrows; checkboxes: Space twice; other focusable parts with a role:
arrows and Enter). Text fields, submit buttons (the graph tracer's "Trace",
which runs Python) and links are skipped.

From the browser's Performance API, per simulation:
- input to next frame: for each key event, from the event's timeStamp to just
  after the next animation frame (requestAnimationFrame, then a message
  posted from it); median and max. Headless Chromium draws at 60 Hz, so
  even an instant handler waits up to one frame (about 17 ms) here;
- Event Timing ('event' entries, durationThreshold 16 ms): the longest time
  from an input to the frame that showed its effect (presented, so it also
  counts painting off the main thread); the viewport is tall enough to show
  the whole simulation, since Chromium presents only frames that change
  what is on screen;
- long tasks over 50 ms ('longtask'), while loading and while interacting,
  each with the key press before it.
Every simulation is played --repeat times (fresh pages) and the runs pooled,
because this machine is shared. Figures, not a pass/fail; the budget is no
long task over 50 ms.

    .venv/bin/python bench/sim_responsiveness.py [--site site] [--repeat 3]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import statistics
import sys

import harness

MAX_STOPS = 40  # Tab stops walked per simulation; none has this many controls
PAUSE_MS = 60  # between key presses: each gets frames of its own
LONG_TASK_MS = 50
# Tall enough that a whole simulation is on screen: Chromium presents a frame only when
# something visible changed, so an effect below the fold would wait for an unrelated paint.
VIEWPORT = {"width": 1280, "height": 2000}

# Installed before the page's scripts: Performance API observers and the input-to-frame timer.
INSTRUMENT = """(() => {
  const bench = window.__bench = { frames: [], events: [], longtasks: [], scripts: [], interactingFrom: Infinity };
  const name = (el) => el.id || el.getAttribute("aria-label") || (el.textContent || "").trim().slice(0, 30) || el.tagName.toLowerCase();
  const observe = (type, options, record) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(record)).observe({ type, buffered: true, ...options });
    } catch (err) { bench.unsupported = (bench.unsupported || []).concat(type); }
  };
  observe("longtask", {}, (e) => bench.longtasks.push({ start: e.startTime, duration: e.duration }));
  // Long animation frames name the scripts that made a long task: the cause, for the report.
  observe("long-animation-frame", {}, (e) => e.scripts.forEach((s) => bench.scripts.push({
    start: s.startTime, duration: s.duration, source: s.sourceURL.split("/").pop() || s.invokerType, invoker: s.invoker })));
  observe("event", { durationThreshold: 16 }, (e) => bench.events.push({
    name: e.name, start: e.startTime, duration: e.duration, target: e.target ? name(e.target) : "(a control its redraw replaced)" }));
  const toNextFrame = (event) => {
    const t0 = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => bench.frames.push({ key: event.key, target: name(event.target), start: t0, ms: performance.now() - t0 });
      channel.port2.postMessage(null);
    });
  };
  addEventListener("keydown", (e) => { if (e.key !== "Tab") toNextFrame(e); }, true);
  addEventListener("keyup", (e) => { if (e.key === " ") toNextFrame(e); }, true);  // a checkbox toggles on keyup
})()"""

FOCUS_FIRST = """(sim) => {
  const first = [...sim.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")]
    .find((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length);
  if (first) first.focus();
  return !!first;
}"""

FOCUSED = """(sim) => {
  const el = document.activeElement;
  if (!el || !sim.contains(el)) return null;
  return { tag: el.tagName.toLowerCase(), type: (el.getAttribute("type") || "").toLowerCase(),
           role: el.getAttribute("role") || "", name: el.id || (el.textContent || "").trim().slice(0, 30) };
}"""


def keys_for(control: dict) -> list[str] | None:
    """The keys a reader would press on this control; None to skip it."""
    tag, kind, role = control["tag"], control["type"], control["role"]
    if tag in ("a", "textarea") or (tag == "input" and kind in ("text", "search", "number", "")) or kind == "submit":
        return None
    if tag == "input" and kind == "range":
        return ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "End", "Home"]
    if tag == "input" and kind == "radio":
        return ["ArrowRight", "ArrowRight", "ArrowLeft"]
    if tag == "input" and kind == "checkbox":
        return ["Space", "Space"]
    if tag == "select":
        return ["ArrowDown", "ArrowDown", "ArrowUp"]
    if role and role != "button":
        return ["ArrowRight", "ArrowDown", "ArrowLeft", "Enter"]
    return ["Enter", "Enter"]


@dataclasses.dataclass
class Result:
    sim: str
    stops: list[str]
    skipped: list[str]
    frames: list[dict]  # input to next frame
    events: list[dict]  # Event Timing entries of 16 ms or more, while interacting
    load_long: list[tuple[float, str]]  # long tasks (ms) while loading, with the scripts that ran in them
    input_long: list[tuple[float, str]]  # long tasks (ms) while interacting, with the key press before each


def play(browser, url: str, sim: str) -> Result:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(harness.SAVE_DATA)  # no Python starting in the background meanwhile
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.goto(f"{url}/sims/{sim}/", wait_until="load")
    element = page.locator(".jax-sim[data-mounted]").first
    element.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__bench.interactingFrom = performance.now()")
    handle = element.element_handle()
    stops, skipped = [], []
    if page.evaluate(FOCUS_FIRST, handle):
        for _ in range(MAX_STOPS):
            control = page.evaluate(FOCUSED, handle)
            if control is None:
                break
            keys = keys_for(control)
            (stops if keys else skipped).append(control["name"])
            for key in keys or []:
                page.keyboard.press(key)
                page.wait_for_timeout(PAUSE_MS)
            page.keyboard.press("Tab")
    page.wait_for_timeout(500)  # the last frames and observer callbacks
    bench = page.evaluate("window.__bench")
    context.close()
    if bench.get("unsupported"):
        sys.exit(f"this Chromium does not report {bench['unsupported']} performance entries")
    start = bench["interactingFrom"]
    return Result(
        sim, stops, skipped, bench["frames"], [e for e in bench["events"] if e["start"] >= start],
        [(t["duration"], _scripts(t, bench["scripts"])) for t in bench["longtasks"] if t["start"] < start],
        [(t["duration"], _cause(t["start"], bench["frames"]) + "; " + _scripts(t, bench["scripts"]))
         for t in bench["longtasks"] if t["start"] >= start],
    )


def merge(runs: list[Result]) -> Result:
    """The runs of one simulation as one: every key press and long task of all of them."""
    first = runs[0]
    return Result(first.sim, first.stops, first.skipped, *(sum((getattr(r, f) for r in runs), [])
                                                          for f in ("frames", "events", "load_long", "input_long")))


def _scripts(task: dict, scripts: list[dict]) -> str:
    """The scripts (from long animation frames) that ran 5 ms or more inside a long task."""
    inside = [s for s in scripts if task["start"] - 1 <= s["start"] < task["start"] + task["duration"] and s["duration"] >= 5]
    return ", ".join(f"{s['source']} {s['duration']:.0f} ms" + ("" if "://" in s["invoker"] else f" ({s['invoker']})")
                     for s in inside) or "no script (parsing, style, layout)"


def _cause(start: float, frames: list[dict]) -> str:
    """The last key press before a long task began."""
    before = [f for f in frames if f["start"] <= start]
    return f"after {before[-1]['key']} on {before[-1]['target']}" if before else "before the first key press"


def print_results(results: list[Result]) -> None:
    print(f"{'simulation':<16} {'stops':>5} {'inputs':>6} {'median ms':>9} {'max ms':>7}  {'slowest input':<30} "
          f"{'Event Timing max ms':>19}  long tasks (load / input)")
    for r in results:
        ms = [f["ms"] for f in r.frames]
        worst = max(r.frames, key=lambda f: f["ms"]) if r.frames else None
        slowest = f"{worst['key']} on {worst['target']}"[:30] if worst else "-"
        event = max(r.events, key=lambda e: e["duration"]) if r.events else None
        long = f"{_long([d for d, _ in r.load_long])} / {_long([d for d, _ in r.input_long])}"
        print(f"{r.sim:<16} {len(r.stops):>5} {len(ms):>6} {_ms(statistics.median(ms) if ms else None):>9} "
              f"{_ms(max(ms) if ms else None):>7}  {slowest:<30} {_ms(event and event['duration']):>19}  {long}")
        if event and event["duration"] > LONG_TASK_MS:
            print(f"    slowest event: {event['name']} on {event['target']}, {event['duration']:.0f} ms to paint")
        for duration, cause in r.load_long:
            print(f"    long task while loading, {duration:.0f} ms: {cause}")
        for duration, cause in r.input_long:
            print(f"    long task while interacting, {duration:.0f} ms {cause}")
        if r.skipped:
            print(f"    skipped: {', '.join(r.skipped)}")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _long(durations: list[float]) -> str:
    return f"{len(durations)} (max {max(durations):.0f} ms)" if durations else "0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_site_argument(parser)
    parser.add_argument("--repeat", type=int, default=3, help="runs per simulation, pooled (default 3)")
    args = parser.parse_args()
    site = harness.built_site(args.site)
    with harness.serve(site) as url, harness.chromium() as browser:
        results = [merge([play(browser, url, sim) for _ in range(args.repeat)]) for sim in harness.sim_ids(site)]
    print(f"method: /sims/<id>/ pages, {VIEWPORT['width']}x{VIEWPORT['height']} viewport; the controls walked in Tab order "
          f"with a reader's keys; input to next frame = the key event's timeStamp to just after the next "
          f"requestAnimationFrame; Event Timing = input to the frame presented; {args.repeat} fresh pages per simulation")
    print_results(results)
    frames = [(f["ms"], r.sim) for r in results for f in r.frames]
    medians = [(statistics.median([f["ms"] for f in r.frames]), r.sim) for r in results if r.frames]
    input_long = [(d, r.sim) for r in results for d, _ in r.input_long]
    load_long = [(d, r.sim) for r in results for d, _ in r.load_long]
    blamed = collections.Counter(cause.split(" ")[0] if not cause.startswith("no script") else "no script"
                                 for r in results for _, cause in r.load_long)
    long_text = (f"{len(input_long)} long tasks over {LONG_TASK_MS} ms while interacting"
                 + (f" (longest {max(input_long)[0]:.0f} ms, {max(input_long)[1]})" if input_long else "")
                 + f", {len(load_long)} while loading"
                 + (f" (longest {max(load_long)[0]:.0f} ms, {max(load_long)[1]}; in "
                    + ", ".join(f"{source} {n}" for source, n in blamed.most_common()) + ")" if load_long else ""))
    print(f"summary: {len(results)} simulations, {len(frames)} key presses ({args.repeat} run{'s' if args.repeat != 1 else ''} of each): input to next frame median "
          f"{statistics.median(f for f, _ in frames):.0f} ms, worst simulation median {max(medians)[0]:.0f} ms "
          f"({max(medians)[1]}), slowest {max(frames)[0]:.0f} ms ({max(frames)[1]}); {long_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
