"""The pure-impure simulation: its baked outputs against the same functions
run here with real JAX (traces counted with a Python counter), and its player
driven by keyboard."""

from __future__ import annotations

import contextlib
import io
import random

import pytest

SIM = "pure-impure"
CHAPTER = "/chapters/02-pure-functions/"
SIDES = ("impure", "pure")


# ---- baked data against real JAX, run here ---------------------------------------


class Real:
    """Both functions, from the baked source, jitted here around a trace counter."""

    def __init__(self, data):
        import jax
        import jax.numpy as jnp

        self.jax, self.data = jax, data
        self.ns = {"jax": jax, "jnp": jnp}
        exec(data["sources"]["impure"], self.ns)  # noqa: S102
        exec(data["sources"]["pure"], self.ns)  # noqa: S102
        self.traces = {side: 0 for side in SIDES}
        self.fns = {side: jax.jit(self._counted(side, self.ns[data["names"][side]].__wrapped__)) for side in SIDES}
        self.inputs = [eval(inp["code"], {"jnp": jnp}) for inp in data["inputs"]]  # noqa: S307

    def _counted(self, side, body):
        def counted(*args):
            self.traces[side] += 1
            return body(*args)
        return counted

    def set(self, b):
        self.ns["bias"] = self.data["biases"][b]["value"]

    def call(self, side, k):
        before, buf = self.traces[side], io.StringIO()
        with contextlib.redirect_stdout(buf):
            x = self.inputs[k]
            out = self.fns[side](x) if side == "impure" else self.fns[side](x, self.ns["bias"])
            self.jax.effects_barrier()
        lines = buf.getvalue().splitlines()
        traced = self.traces[side] - before
        return {"traced": bool(traced), "trace": lines[:traced], "run": lines[traced:], "result": str(out)}


def player(data, actions):
    """What the player looks up for a sequence of actions (a port of history() in the JS)."""
    bias, entries, out = data["initial_bias"], {s: [None] * len(data["inputs"]) for s in SIDES}, []
    for kind, arg in actions:
        if kind == "set":
            bias = arg
            continue
        step = {}
        for side in SIDES:
            e = entries[side][arg]
            if e is None:
                step[side], entries[side][arg] = data[side]["miss"][arg][bias], bias
            else:
                step[side] = data[side]["hit"][arg][e][bias]
        out.append(step)
    return out


def replay(data, actions):
    real, out = Real(data), []
    for kind, arg in actions:
        if kind == "set":
            real.set(arg)
        else:
            out.append({side: real.call(side, arg) for side in SIDES})
    return out


def test_every_miss_and_hit_outcome_equals_a_real_run_with_a_trace_counter(data):
    for k in range(len(data["inputs"])):
        for e in range(len(data["biases"])):
            actions = [("set", e), ("call", k)]
            for b in range(len(data["biases"])):
                actions += [("set", b), ("call", k)]
            real = replay(data, actions)
            assert [r["impure"] for r in real] == [data["impure"]["miss"][k][e]] + data["impure"]["hit"][k][e]
            assert [r["pure"] for r in real] == [data["pure"]["miss"][k][e]] + data["pure"]["hit"][k][e]


def test_random_action_sequences_replay_as_the_player_shows_them(data):
    rng = random.Random(2024)
    choices = [("call", 0), ("call", 1), ("set", 0), ("set", 1), ("set", 2)]
    sequences = [[(a["kind"], a["arg"]) for a in s["actions"]] for s in data["verification"]["sequences"]]
    sequences += [[rng.choice(choices) for _ in range(12)] for _ in range(4)]
    for seq in sequences:
        assert replay(data, seq) == player(data, seq), seq


def test_impure_result_is_stale_after_setting_the_global_and_pure_follows(data):
    biases = [b["value"] for b in data["biases"]]
    assert biases == [1.0, 2.0, 3.0] and data["initial_bias"] == 0
    first, second, vector = player(data, [("call", 0), ("set", 1), ("call", 0), ("call", 1)])
    assert first["impure"]["result"] == "6.0" and first["impure"]["traced"]
    assert second["impure"]["result"] == "6.0" and not second["impure"]["traced"] and second["impure"]["trace"] == []
    assert second["pure"]["result"] == "7.0" and not second["pure"]["traced"]
    assert vector["impure"]["result"] == "[7. 7.]" and vector["impure"]["traced"]
    assert "JitTracer" in first["impure"]["trace"][0] and "bias = 1.0" in first["impure"]["trace"][0]
    assert second["impure"]["run"] == ["run: x=5.0 bias=1.0"]
    assert second["pure"]["run"] == ["run: x=5.0 bias=2.0"]


def test_jaxprs_show_the_global_as_a_constant_and_the_argument_as_an_input(data):
    import jax

    for k in range(len(data["inputs"])):
        for e, b in enumerate(data["biases"]):
            real = Real(data)
            real.set(e)
            with contextlib.redirect_stdout(io.StringIO()):
                text = str(jax.make_jaxpr(real.ns["add_bias"].__wrapped__)(real.inputs[k]))
            assert f"add a {b['value']}:f32[]" in text
            head, tail = data["impure"]["jaxprs"][k][e].split("debug_print[…]")
            assert text.startswith(head + "debug_print[\n") and text.endswith("]" + tail)
        pure = data["pure"]["jaxprs"][k]
        assert pure.splitlines()[0].endswith(" b:f32[]. let")            # bias is the program's second input
        assert not any(b["label"] in pure for b in data["biases"])       # and no bias value is a constant


def test_bake_is_valid_and_deterministic(envelope):
    from sims.bake import load_baker, run_baker, validate

    validate(SIM, envelope)
    assert load_baker(SIM).TIMINGS == ()
    assert run_baker(SIM)["data"] == envelope["data"]


# ---- the player, by keyboard ------------------------------------------------------


def open_sim(page, url):
    page.goto(url)
    sim = page.locator(f'.jax-sim[data-sim="{SIM}"]')
    sim.locator(".jax-sim__frame").wait_for(timeout=10000)
    return sim, page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]


def press(page, sim, k):
    sim.locator(f"button[data-input='{k}']").focus()
    page.keyboard.press("Enter")


def last_result(sim, side):
    return sim.locator(f"[data-panel={side}] [data-call]").last.locator("[data-kind=result]")


@pytest.mark.browser
def test_enter_call_set_bias_by_keyboard_enter_call_shows_stale_impure_and_fresh_pure(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    sim, data = open_sim(page, site_url + CHAPTER)
    press(page, sim, 0)
    assert last_result(sim, "impure").inner_text().endswith(data["impure"]["miss"][0][0]["result"])
    sim.locator("select").focus()
    page.keyboard.press("ArrowDown")                                       # bias 1.0 -> 2.0
    assert sim.locator("[data-global]").inner_text() == "bias = " + data["biases"][1]["label"]
    press(page, sim, 0)
    impure, pure = data["impure"]["hit"][0][0][1], data["pure"]["hit"][0][0][1]
    assert last_result(sim, "impure").inner_text().endswith(impure["result"])   # 6.0: stale
    assert last_result(sim, "pure").inner_text().endswith(pure["result"])       # 7.0
    assert impure["result"] != pure["result"]
    call = sim.locator("[data-panel=impure] [data-call]").last
    assert call.get_attribute("data-traced") == "false"
    assert call.locator("[data-kind=trace]").count() == 0
    assert call.locator("[data-kind=run]").inner_text().endswith(impure["run"][0])
    assert call.locator("[data-stale]").count() == 1
    assert sim.locator("[data-panel=impure] [data-entry='0']").get_attribute("data-captured") == "1.0"
    status = sim.locator(".jax-sim__status").inner_text()
    assert "stale" in status and impure["result"] in status and pure["result"] in status


@pytest.mark.browser
def test_a_new_shape_traces_again_and_captures_the_current_bias(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    sim, data = open_sim(page, site_url + CHAPTER)
    press(page, sim, 0)
    sim.locator("select").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")                                       # bias 3.0
    press(page, sim, 1)
    expected = data["impure"]["miss"][1][2]
    call = sim.locator("[data-panel=impure] [data-call]").last
    assert call.get_attribute("data-traced") == "true"
    assert call.locator("[data-kind=trace]").inner_text().endswith(expected["trace"][0])
    assert last_result(sim, "impure").inner_text().endswith(expected["result"])
    assert sim.locator("[data-panel=impure] [data-entry='1']").get_attribute("data-captured") == "3.0"
    assert sim.locator("[data-panel=impure] [data-entry='0']").get_attribute("data-captured") == "1.0"
    assert data["impure"]["jaxprs"][1][2] in sim.locator("[data-panel=impure] pre").last.inner_text()


@pytest.mark.browser
def test_table_lists_every_action_with_the_baked_lines(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    sim, data = open_sim(page, site_url + CHAPTER)
    press(page, sim, 0)
    sim.locator("select").focus()
    page.keyboard.press("ArrowDown")
    press(page, sim, 0)
    toggle = sim.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = sim.locator(".jax-sim__table tbody tr")
    assert rows.count() == 3
    steps = player(data, [("call", 0), ("set", 1), ("call", 0)])
    for row, step in ((0, steps[0]), (2, steps[1])):
        cells = rows.nth(row).locator("td").all_inner_texts()
        for i, side in enumerate(SIDES):
            o = step[side]
            assert cells[2 + 4 * i] == ("yes" if o["traced"] else "no")
            assert cells[3 + 4 * i] == ("\n".join(o["trace"]) or "—")
            assert cells[4 + 4 * i] == "\n".join(o["run"])
            assert cells[5 + 4 * i] == o["result"]
    assert "bias = 2.0" in rows.nth(1).inner_text()


@pytest.mark.browser
def test_reset_by_keyboard_empties_the_log_and_the_caches(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    sim, _ = open_sim(page, site_url + CHAPTER)
    press(page, sim, 0)
    sim.get_by_role("button", name="Reset").focus()
    page.keyboard.press("Enter")
    assert sim.locator("[data-call]").count() == 0
    assert sim.locator("[data-global]").inner_text() == "bias = 1.0"
    assert "Nothing called yet" in sim.locator(".jax-sim__status").inner_text()
    press(page, sim, 0)
    assert sim.locator("[data-panel=impure] [data-call]").last.get_attribute("data-traced") == "true"


@pytest.mark.browser
def test_dark_mode_redraws_the_panels_in_other_colours(page, site_url):
    sim, _ = open_sim(page, site_url + CHAPTER)
    panel = sim.locator("[data-panel=impure]")
    light = panel.evaluate("el => el.style.borderColor")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    dark = panel.evaluate("el => el.style.borderColor")
    assert light and dark and light != dark


@pytest.mark.browser
def test_lines_appear_step_by_step_with_motion_and_at_once_without(page, site_url):
    page.clock.install()
    sim, data = open_sim(page, site_url + CHAPTER)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    press(page, sim, 0)
    impure = sim.locator("[data-panel=impure]")
    assert impure.locator("[data-kind]").count() == 0                      # only the call line so far
    page.clock.run_for(400)
    assert impure.locator("[data-kind=trace]").count() == 1 and impure.locator("[data-kind=result]").count() == 0
    page.clock.run_for(2000)
    assert impure.locator("[data-kind=result]").count() == 1


@pytest.mark.browser
def test_reduced_motion_shows_the_whole_call_at_once(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    page.clock.install()
    sim, _ = open_sim(page, site_url + CHAPTER)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    press(page, sim, 0)
    count = sim.locator("[data-kind]").count()
    assert count == 6                                                      # trace, run, result in both panels
    page.clock.run_for(1000)
    assert sim.locator("[data-kind]").count() == count


@pytest.mark.browser
def test_deep_link_page_calls_by_keyboard_and_links_back_to_the_chapter(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    sim, data = open_sim(page, site_url + f"/sims/{SIM}/")
    press(page, sim, 0)
    assert last_result(sim, "pure").inner_text().endswith(data["pure"]["miss"][0][0]["result"])
    assert page.locator("a[href$='chapters/02-pure-functions/']").count() >= 1


@pytest.mark.browser
def test_table_before_any_call_shows_what_each_call_would_print(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    toggle = sim.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = sim.locator(".jax-sim__table tbody tr")
    assert rows.count() == len(data["inputs"])
    for k in range(len(data["inputs"])):
        cells = rows.nth(k).locator("td").all_inner_texts()
        assert cells[0] == "next"
        for i, side in enumerate(SIDES):
            o = data[side]["miss"][k][data["initial_bias"]]
            assert cells[2 + 4 * i : 6 + 4 * i] == ["yes", o["trace"][0], o["run"][0], o["result"]]
