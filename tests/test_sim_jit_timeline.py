"""The jit-timeline simulation: its baked cache behaviour against real jit
trace counts taken here, its timings, and its player driven by keyboard."""

from __future__ import annotations

import functools
import math
import random

import pytest

SIM = "jit-timeline"
STAGES = ("trace", "lower", "compile", "execute")
CHAPTER = "/chapters/03-jit-and-tracing/"


# ---- baked data against real JAX, computed here ---------------------------------


def make_args(data, index):
    """The arguments of a combination, built from the baked control values."""
    import jax.numpy as jnp

    controls, combo = data["controls"], data["combos"][index]
    dims = controls["shapes"][combo["shape"]]["dims"]
    x = jnp.zeros(math.prod(dims), dtype=controls["dtypes"][combo["dtype"]]).reshape(dims)
    return x, controls["scalars"][combo["scalar"]]["value"], controls["statics"][combo["n"]]


def real_traces(data, order):
    """Call one freshly jitted function in this order; for each call, whether
    a Python counter saw it trace and the size of jit's cache after it."""
    import jax
    import jax.numpy as jnp

    count = 0

    @functools.partial(jax.jit, static_argnums=(2,))
    def f(x, scale, n):
        nonlocal count
        count += 1
        for _ in range(n):
            x = jnp.sin(x) * scale
        return x

    traced, sizes = [], []
    for index in order:
        before = count
        f(*make_args(data, index)).block_until_ready()
        traced.append(count - before)
        sizes.append(f._cache_size())
    return traced, sizes


def baked_decisions(data, order):
    """What the player shows: a call traces when its baked class was not called before."""
    seen, out = set(), []
    for index in order:
        cls = data["combos"][index]["class"]
        out.append(int(cls not in seen))
        seen.add(cls)
    return out


def test_baked_retrace_decisions_equal_real_trace_counts_in_several_orders(data):
    everything = list(range(len(data["combos"])))
    shuffled = everything[:]
    random.Random(11).shuffle(shuffled)
    for order in (everything + everything, everything[::-1], shuffled + shuffled[::-1]):
        traced, sizes = real_traces(data, order)
        assert traced == baked_decisions(data, order)
        # jit's own cache grows by one entry exactly when the counter saw a trace.
        assert sizes == [sum(traced[: i + 1]) for i in range(len(order))]
    assert real_traces(data, everything)[1][-1] == len(data["classes"])


def test_every_combination_hits_the_entry_of_every_other_member_of_its_class(data):
    for cls in data["classes"]:
        for first in cls["members"]:
            traced, _ = real_traces(data, [first] + cls["members"])
            assert traced == [1] + [0] * len(cls["members"])


def test_baked_verification_sequences_replay_with_the_same_trace_counts(data):
    sequences = data["verification"]["sequences"]
    assert len(sequences) >= 10
    for seq in sequences:
        traced, _ = real_traces(data, seq["calls"])
        assert traced == [int(t) for t in seq["traced"]]
        assert traced == baked_decisions(data, seq["calls"])


def test_classes_partition_the_combinations_as_the_chapter_describes(data):
    combos, controls = data["combos"], data["controls"]
    assert [s["dims"] for s in controls["shapes"]] == [[3], [5], [2, 3]]
    assert controls["dtypes"] == ["float32", "int32"]
    assert [s["type"] for s in controls["scalars"]] == ["float", "float", "int", "int"]
    assert controls["statics"] == [2, 3]
    assert sorted(i for c in data["classes"] for i in c["members"]) == list(range(len(combos)))
    for i, a in enumerate(combos):
        for j, b in enumerate(combos):
            same_key = (a["shape"], a["dtype"], controls["scalars"][a["scalar"]]["type"], a["n"]) == \
                       (b["shape"], b["dtype"], controls["scalars"][b["scalar"]]["type"], b["n"])
            assert (a["class"] == b["class"]) == same_key, (i, j)


def test_class_keys_and_jaxprs_are_those_jax_gives_for_every_member(data):
    import jax

    for cls in data["classes"]:
        for index in cls["members"]:
            x, scale, n = make_args(data, index)
            assert cls["key"] == f"x: {jax.typeof(x)}, scale: {jax.typeof(scale)}, n={n}"
            assert str(jax.make_jaxpr(_body, static_argnums=(2,))(x, scale, n)) == cls["jaxpr"]
    assert "~float32[]" in data["classes"][0]["key"]


def _body(x, scale, n):
    import jax.numpy as jnp

    for _ in range(n):
        x = jnp.sin(x) * scale
    return x


def test_timings_are_positive_and_a_hit_costs_less_than_a_miss(data):
    assert len(data["timings"]) == len(data["combos"])
    for t in data["timings"]:
        assert set(t) == set(STAGES)
        assert all(isinstance(t[s], float) and math.isfinite(t[s]) and t[s] > 0 for s in STAGES)
        assert t["execute"] < t["trace"] + t["lower"] + t["compile"]


def test_bake_is_valid_and_deterministic_apart_from_timings(envelope):
    from sims.bake import load_baker, run_baker, validate

    validate(SIM, envelope)
    again = run_baker(SIM)
    skip = set(load_baker(SIM).TIMINGS)
    assert skip == {"timings"}
    strip = lambda d: {k: v for k, v in d.items() if k not in skip}  # noqa: E731
    assert strip(again["data"]) == strip(envelope["data"])


# ---- the player, by keyboard ------------------------------------------------------


def ms_close(text: str, value: float) -> bool:
    """The page's rounded text shows this value (to its last digit)."""
    number = text.strip().removesuffix(" ms")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return abs(float(number) - value) <= 0.5 * 10 ** -decimals + 1e-12


def open_sim(page, url):
    page.goto(url)
    sim = page.locator(f'.jax-sim[data-sim="{SIM}"]')
    sim.locator(".jax-sim__frame").wait_for(timeout=10000)
    return sim, page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]


def combo_of(data, shape=0, dtype=0, scalar=0, n=0):
    c = data["controls"]
    return ((shape * len(c["dtypes"]) + dtype) * len(c["scalars"]) + scalar) * len(c["statics"]) + n


def finished_rows(page, sim):
    page.wait_for_function(
        "el => { const g = el.querySelectorAll('svg g[data-call]');"
        " return g.length && g[g.length - 1].querySelector('[data-total]'); }",
        arg=sim.element_handle(), timeout=5000)
    return sim.locator("svg g[data-call]")


def row_stages(row):
    return row.locator("rect[data-stage]").evaluate_all("els => els.map(e => e.getAttribute('data-stage'))")


def press_call(page, sim):
    sim.get_by_role("button", name="Call", exact=True).focus()
    page.keyboard.press("Enter")
    return finished_rows(page, sim)


@pytest.mark.browser
def test_tab_to_call_and_enter_twice_traces_then_hits_the_cache(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    sim.locator("input[type=radio]:checked").last.focus()          # the last control before the buttons
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Call"
    page.keyboard.press("Enter")
    rows = finished_rows(page, sim)
    assert row_stages(rows.nth(0)) == list(STAGES)
    t = data["timings"][combo_of(data)]
    status = sim.locator(".jax-sim__status").inner_text()
    assert "missed the cache and traced" in status
    for stage in ("trace", "lower", "compile", "execute"):
        shown = status.split(f"{stage} ")[1].split(" ms")[0]
        assert ms_close(shown, t[stage]), (stage, shown, t[stage])
    assert page.evaluate("document.activeElement.textContent") == "Call"   # focus survives the re-render
    page.keyboard.press("Enter")
    rows = finished_rows(page, sim)
    assert rows.count() == 2
    assert rows.nth(1).get_attribute("data-traced") == "false"
    assert row_stages(rows.nth(1)) == ["execute"]
    assert "was a cache hit" in sim.locator(".jax-sim__status").inner_text()
    assert ms_close(rows.nth(1).locator("[data-total]").text_content(), t["execute"])


@pytest.mark.browser
def test_changing_dtype_by_keyboard_traces_again_and_going_back_hits(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    press_call(page, sim)
    sim.locator("input[name$='-dtype']").nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert sim.locator("input[name$='-dtype']").nth(1).is_checked()
    assert "int32" in sim.locator("pre code").first.inner_text()
    rows = press_call(page, sim)
    assert rows.nth(1).get_attribute("data-traced") == "true"
    assert row_stages(rows.nth(1)) == list(STAGES)
    key = data["classes"][data["combos"][combo_of(data, dtype=1)]["class"]]["key"]
    assert key in sim.locator(".jax-sim__status").inner_text()
    sim.locator("input[name$='-dtype']").nth(1).focus()
    page.keyboard.press("ArrowLeft")
    rows = press_call(page, sim)
    assert rows.nth(2).get_attribute("data-traced") == "false"
    assert "entry of call #1" in rows.nth(2).text_content()


@pytest.mark.browser
def test_scalar_value_shares_an_entry_but_int_and_static_n_do_not(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    press_call(page, sim)                                   # scale 1.0, n=2
    for group in ("scalar", "scalar", "n"):                 # scale 2.0, then the int 3, then n=3
        sim.locator(f"input[name$='-{group}']:checked").focus()
        page.keyboard.press("ArrowRight")
        rows = press_call(page, sim)
    traced = [rows.nth(i).get_attribute("data-traced") == "true" for i in range(rows.count())]
    calls = [combo_of(data), combo_of(data, scalar=1), combo_of(data, scalar=2), combo_of(data, scalar=2, n=1)]
    assert traced == [bool(t) for t in baked_decisions(data, calls)]
    assert traced == [True, False, True, True]              # and that is what the chapter says


@pytest.mark.browser
def test_reset_cache_by_keyboard_makes_the_same_call_trace_again(page, site_url):
    sim, _ = open_sim(page, site_url + CHAPTER)
    press_call(page, sim)
    press_call(page, sim)
    sim.get_by_role("button", name="Reset cache").focus()
    page.keyboard.press("Enter")
    assert "Cache cleared" in sim.locator(".jax-sim__status").inner_text()
    assert sim.locator("svg [data-reset]").count() == 1
    rows = press_call(page, sim)
    assert [rows.nth(i).get_attribute("data-traced") for i in range(3)] == ["true", "false", "true"]


@pytest.mark.browser
def test_table_lists_every_call_with_its_baked_durations(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    press_call(page, sim)
    press_call(page, sim)
    sim.locator("input[name$='-shape']:checked").focus()
    page.keyboard.press("ArrowRight")
    press_call(page, sim)
    toggle = sim.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = sim.locator(".jax-sim__table tbody tr")
    assert rows.count() == 3
    calls = [combo_of(data), combo_of(data), combo_of(data, shape=1)]
    for i, (index, traced) in enumerate(zip(calls, baked_decisions(data, calls))):
        cells = rows.nth(i).locator("td").all_inner_texts()
        t = data["timings"][index]
        assert cells[2] == data["classes"][data["combos"][index]["class"]]["key"]
        assert cells[3].startswith("yes" if traced else "no")
        for k, stage in enumerate(STAGES):
            if traced or stage == "execute":
                assert ms_close(cells[4 + k], t[stage]), (stage, cells[4 + k], t[stage])
            else:
                assert cells[4 + k] == "—"


@pytest.mark.browser
def test_timings_are_labelled_with_the_bake_machine(page, site_url):
    sim, _ = open_sim(page, site_url + CHAPTER)
    machine = page.evaluate(f"ThinkingInJaxSims.data['{SIM}'].provenance.machine")
    assert machine and machine in sim.inner_text()
    assert "they vary" in sim.inner_text()


@pytest.mark.browser
def test_jaxpr_shown_is_the_baked_one_for_the_chosen_arguments(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    jaxpr = sim.locator("pre code").last
    assert jaxpr.inner_text().strip() == data["classes"][0]["jaxpr"].strip()
    sim.locator("input[name$='-shape']:checked").focus()
    page.keyboard.press("ArrowLeft")                      # wraps round to the last shape, (2, 3)
    cls = data["combos"][combo_of(data, shape=2)]["class"]
    assert jaxpr.inner_text().strip() == data["classes"][cls]["jaxpr"].strip()
    assert "f32[2,3]" in jaxpr.inner_text()


@pytest.mark.browser
def test_dark_mode_redraws_the_bars_in_other_colours(page, site_url):
    sim, _ = open_sim(page, site_url + CHAPTER)
    rows = press_call(page, sim)
    light = rows.nth(0).locator("rect[data-stage=trace]").get_attribute("fill")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    dark = sim.locator("svg g[data-call] rect[data-stage=trace]").first.get_attribute("fill")
    assert light and dark and light != dark


WIDTH = ("() => [...document.querySelectorAll('.jax-sim[data-sim=\"jit-timeline\"] svg g[data-call] rect')]"
         ".reduce((a, r) => a + Number(r.getAttribute('width')), 0)")


@pytest.mark.browser
def test_bars_grow_with_motion_under_a_paused_clock(page, site_url):
    page.clock.install()
    sim, _ = open_sim(page, site_url + CHAPTER)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)  # timers fire only when the test says
    sim.get_by_role("button", name="Call", exact=True).focus()
    page.keyboard.press("Enter")
    assert page.evaluate(WIDTH) == 0                        # the new bar starts empty...
    page.clock.run_for(450)
    half = page.evaluate(WIDTH)
    page.clock.run_for(1000)
    whole = page.evaluate(WIDTH)
    assert 0 < half < whole                                 # ...and grows while the clock runs
    assert sim.locator("svg g[data-call] [data-total]").count() == 1


@pytest.mark.browser
def test_reduced_motion_draws_the_whole_bar_at_once(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    page.clock.install()
    sim, _ = open_sim(page, site_url + CHAPTER)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    sim.get_by_role("button", name="Call", exact=True).focus()
    page.keyboard.press("Enter")
    at_once = page.evaluate(WIDTH)
    assert at_once > 100                                    # no timer needed: the bar is whole
    assert sim.locator("svg g[data-call] [data-total]").count() == 1
    page.clock.run_for(1000)
    assert page.evaluate(WIDTH) == at_once


@pytest.mark.browser
def test_deep_link_page_calls_by_keyboard_and_links_back_to_the_chapter(page, site_url):
    sim, _ = open_sim(page, site_url + f"/sims/{SIM}/")
    rows = press_call(page, sim)
    assert rows.nth(0).get_attribute("data-traced") == "true"
    assert page.locator("a[href$='chapters/03-jit-and-tracing/']").count() >= 1
