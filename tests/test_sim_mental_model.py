"""mental-model: all 40 stacks of up to three of jit, grad and vmap around f are
baked, each output is what the same composition returns when built here with
real JAX (and what calculus says it must be), each error is the exception JAX
really raises, each jaxpr is make_jaxpr's; and the player shows the baked
entry for the stack the reader builds by keyboard, in both themes."""

from __future__ import annotations

import gzip
import itertools
import json

import numpy as np
import pytest

from sims.bake import load_baker, run_baker, validate

SIM = "mental-model"
CHAPTER = "/chapters/00-why-jax/"
SEL = f'.jax-sim[data-sim="{SIM}"]'


def f(x):
    return x**3 + 2 * x**2 + x


# f and its derivatives written out by hand: the independent reference for the outputs
BY_HAND = (
    lambda x: x**3 + 2 * x**2 + x,
    lambda x: 3 * x**2 + 4 * x + 1,
    lambda x: 6 * x + 4,
    lambda x: 6 + 0 * x,
)


def compose_here(stack):
    """The composition built in the test, innermost first: ("grad", "vmap") is vmap(grad(f))."""
    import jax

    wrap = {"jit": jax.jit, "grad": jax.grad, "vmap": jax.vmap}
    g = f
    for name in stack:
        g = wrap[name](g)
    return g


def input_here(stack):
    import jax.numpy as jnp

    k = stack.count("vmap")
    if k == 0:
        return jnp.float32(2.0)
    if k == 1:
        return jnp.array([0.0, 1.0, 2.0, 3.0])
    return jnp.arange(float(2**k)).reshape((2,) * k)


def grad_sees_a_batch(stack) -> bool:
    """True when some grad wraps a vmap: that grad's function returns an array, not a scalar."""
    return any(a == "vmap" and b == "grad" for i, a in enumerate(stack) for b in stack[i + 1:])


@pytest.fixture(scope="module")
def entries(envelope):
    return {tuple(c["stack"]): c for c in envelope["data"]["compositions"]}


# ---- the baker ----------------------------------------------------------------


def test_bake_matches_its_schema_and_stays_small(envelope):
    validate(SIM, envelope)
    assert len(gzip.compress(json.dumps(envelope["data"]).encode())) < 100_000


def test_bake_is_deterministic(envelope):
    assert load_baker(SIM).TIMINGS == ()
    assert run_baker(SIM)["data"] == envelope["data"]


def test_bakes_every_stack_of_up_to_three_transforms_exactly_once(envelope, entries):
    expected = [()] + [s for d in (1, 2, 3) for s in itertools.product(("jit", "grad", "vmap"), repeat=d)]
    assert len(envelope["data"]["compositions"]) == len(entries) == len(expected) == 40
    assert set(entries) == set(expected)
    for stack, e in entries.items():
        call = "f"
        for name in stack:
            call = f"{name}({call})"
        assert e["call"] == call
        assert e["code"] == call.replace("jit(", "jax.jit(").replace("grad(", "jax.grad(").replace("vmap(", "jax.vmap(") + "(x)"


def test_input_is_the_scalar_2_or_an_array_with_one_axis_per_vmap(entries):
    for stack, e in entries.items():
        x = np.asarray(e["input"], dtype=np.float32)
        assert x.ndim == stack.count("vmap"), stack
        assert np.array_equal(x, np.asarray(input_here(stack))), stack
        assert e["input_type"] == "f32[" + ",".join(map(str, x.shape)) + "]"


def test_every_baked_output_is_what_the_same_composition_returns_here(entries):
    for stack, e in entries.items():
        if not e["ok"]:
            continue
        x = input_here(stack)
        y = compose_here(stack)(x)
        assert np.array_equal(np.asarray(e["output"], dtype=np.float32), np.asarray(y)), stack
        assert e["output_repr"] == repr(y), stack
        assert e["output_type"] == "f32[" + ",".join(map(str, y.shape)) + "]"


def test_outputs_are_the_derivative_of_order_the_number_of_grads_computed_by_hand(entries):
    for stack, e in entries.items():
        if not e["ok"]:
            continue
        x = np.asarray(e["input"], dtype=np.float64)
        want = BY_HAND[stack.count("grad")](x)
        assert np.array_equal(np.asarray(e["output"], dtype=np.float64), want), stack  # small integers: exact


def test_errors_are_exactly_the_stacks_where_grad_wraps_vmap_and_jax_raises_the_same(entries):
    failed = {s for s, e in entries.items() if not e["ok"]}
    assert failed == {s for s in entries if grad_sees_a_batch(s)}
    assert len(failed) == 8
    for stack in failed:
        e = entries[stack]
        assert e["output"] is None and e["jaxpr"] is None
        with pytest.raises(Exception) as info:
            compose_here(stack)(input_here(stack))
        assert type(info.value).__name__ == e["error"]["type"] == "TypeError", stack
        assert str(info.value) == e["error"]["message"], stack
        assert "Gradient only defined for scalar-output functions" in e["error"]["message"]
        assert "JAX_TRACEBACK_FILTERING" not in e["error"]["message"]


def test_jaxprs_are_make_jaxpr_of_the_composition(entries):
    import jax

    for stack, e in entries.items():
        if e["ok"]:
            closed = jax.make_jaxpr(compose_here(stack))(input_here(stack))
            assert e["jaxpr"] == str(closed), stack
            assert e["eqn_count"] == len(closed.jaxpr.eqns)
        else:
            with pytest.raises(TypeError):
                jax.make_jaxpr(compose_here(stack))(input_here(stack))


def test_jit_outermost_leaves_one_jit_equation_at_the_top(entries):
    for stack, e in entries.items():
        if stack and stack[-1] == "jit" and e["ok"]:
            assert e["eqn_count"] == 1 and " = jit[" in e["jaxpr"], stack
    assert entries[("grad",)]["eqn_count"] > 1


# ---- the player, in Chromium ---------------------------------------------------


def open_sim(page, site_url, path=CHAPTER):
    page.goto(site_url + path)
    frame = page.locator(f"{SEL} .jax-sim__frame")
    frame.wait_for(timeout=10000)
    data = page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]
    return frame, {tuple(c["stack"]): c for c in data["compositions"]}


def readout(frame, key) -> str:
    return frame.locator(f'[data-readout="{key}"]').inner_text()


def button(frame, name):
    return frame.get_by_role("button", name=name, exact=True)


def assert_shows(frame, e):
    assert readout(frame, "call") == e["code"]
    if e["ok"]:
        assert readout(frame, "output") == e["output_repr"]
        assert readout(frame, "jaxpr") == e["jaxpr"]
    else:
        assert readout(frame, "output") == e["error"]["type"] + ": " + e["error"]["message"]
    assert e["input_code"] in readout(frame, "input")


@pytest.mark.browser
def test_keyboard_builds_vmap_of_grad_and_shows_its_baked_output_and_jaxpr(page, site_url):
    frame, entries = open_sim(page, site_url)
    assert_shows(frame, entries[()])
    button(frame, "jit").focus()
    page.keyboard.press("Tab")  # Tab to grad
    page.keyboard.press("Enter")
    assert_shows(frame, entries[("grad",)])
    page.keyboard.press("Tab")  # Tab to vmap
    page.keyboard.press("Enter")
    e = entries[("grad", "vmap")]
    assert e["output"] == [1.0, 8.0, 21.0, 40.0]
    assert_shows(frame, e)
    assert e["output_repr"].split()[0] in frame.locator(".jax-sim__status").inner_text()
    # nested boxes: vmap outside, grad inside it, f in the middle
    layers = frame.locator("svg rect[data-layer]").evaluate_all("rs => rs.map(r => r.getAttribute('data-layer'))")
    assert layers == ["vmap", "grad", "f"]


@pytest.mark.browser
def test_unwrap_and_reset_by_keyboard(page, site_url):
    frame, entries = open_sim(page, site_url)
    button(frame, "grad").focus()
    page.keyboard.press("Enter")
    button(frame, "vmap").focus()
    page.keyboard.press("Enter")
    button(frame, "jit").focus()
    page.keyboard.press("Space")
    assert_shows(frame, entries[("grad", "vmap", "jit")])
    button(frame, "Unwrap").focus()
    page.keyboard.press("Enter")
    assert_shows(frame, entries[("grad", "vmap")])
    button(frame, "Reset").focus()
    page.keyboard.press("Enter")
    assert_shows(frame, entries[()])
    assert button(frame, "Unwrap").get_attribute("aria-disabled") == "true"
    page.keyboard.press("Enter")  # Reset at depth 0 changes nothing
    assert_shows(frame, entries[()])


@pytest.mark.browser
def test_three_layers_is_the_limit_and_the_focused_button_keeps_focus(page, site_url):
    frame, entries = open_sim(page, site_url)
    grad = button(frame, "grad")
    grad.focus()
    for _ in range(4):
        page.keyboard.press("Enter")
    assert_shows(frame, entries[("grad", "grad", "grad")])
    assert entries[("grad", "grad", "grad")]["output"] == 6.0
    assert grad.get_attribute("aria-disabled") == "true"
    assert page.evaluate("document.activeElement.textContent") == "grad"


@pytest.mark.browser
def test_grad_of_vmap_shows_jaxs_real_error(page, site_url):
    frame, entries = open_sim(page, site_url)
    button(frame, "vmap").focus()
    page.keyboard.press("Enter")
    button(frame, "grad").focus()
    page.keyboard.press("Enter")
    e = entries[("vmap", "grad")]
    assert not e["ok"]
    assert_shows(frame, e)
    assert "TypeError" in frame.locator("svg").first.inner_html()
    assert e["error"]["message"] in frame.locator(".jax-sim__status").inner_text()


@pytest.mark.browser
def test_table_lists_stack_input_output_and_jaxpr_lines(page, site_url):
    frame, entries = open_sim(page, site_url, f"/sims/{SIM}/")
    button(frame, "grad").focus()
    page.keyboard.press("Enter")
    button(frame, "jit").focus()
    page.keyboard.press("Enter")
    e = entries[("grad", "jit")]
    toggle = frame.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = frame.locator(".jax-sim__table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
    assert rows[:4] == [["Stack (outermost first)", "jit ∘ grad ∘ f"], ["Call", e["code"]],
                        ["Input", e["input_code"] + " : " + e["input_type"]],
                        ["Output", e["output_repr"] + " : " + e["output_type"]]]
    lines = e["jaxpr"].split("\n")
    assert rows[4:] == [[f"jaxpr line {k + 1}", line] for k, line in enumerate(lines)]


@pytest.mark.browser
def test_dark_mode_redraws_the_boxes_in_the_dark_palette(page, site_url):
    frame, _ = open_sim(page, site_url)
    button(frame, "grad").focus()
    page.keyboard.press("Enter")
    box = frame.locator('svg rect[data-layer="grad"]')
    light = box.get_attribute("stroke")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function("(c) => document.querySelector('%s svg rect[data-layer=\"grad\"]')"
                           ".getAttribute('stroke') !== c" % SEL, arg=light)
    assert box.get_attribute("stroke") not in (None, light)


@pytest.mark.browser
def test_with_reduced_motion_each_press_jumps_to_its_end_state_and_nothing_moves(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    frame, entries = open_sim(page, site_url)
    button(frame, "vmap").focus()
    page.keyboard.press("Enter")
    assert_shows(frame, entries[("vmap",)])
    svg = frame.locator("svg").first
    before = svg.inner_html()
    page.wait_for_timeout(1000)
    assert svg.inner_html() == before
    assert_shows(frame, entries[("vmap",)])


@pytest.mark.browser
def test_on_a_phone_the_picture_switches_to_a_narrow_layout_and_still_works(page, site_url):
    page.set_viewport_size({"width": 390, "height": 900})
    frame, entries = open_sim(page, site_url, f"/sims/{SIM}/")
    page.wait_for_function("(s) => document.querySelector(s).getAttribute('viewBox').startsWith('0 0 400 ')",
                           arg=f"{SEL} svg")
    button(frame, "vmap").focus()
    page.keyboard.press("Enter")
    button(frame, "vmap").focus()
    page.keyboard.press("Enter")
    assert_shows(frame, entries[("vmap", "vmap")])
    assert "f32[2,2]" in frame.locator("svg").first.inner_html()
