"""The vmap-loop simulation: a Python loop beside vmap, in_axes with real
shapes and real timings — its bake checked against NumPy and JAX run here, and
its player driven by keyboard."""

from __future__ import annotations

import math

import numpy as np
import pytest

SIM = "vmap-loop"
CHAPTER = "/chapters/05-vmap/"
METHODS = ("loop", "vmap", "jit_vmap")


def predict(params, x):
    import jax.numpy as jnp

    return jnp.dot(params, x)


def axes_of(case):
    return (case["params_axis"], case["x_axis"])


# ---- baked data against NumPy and JAX, computed here ------------------------------


def test_loop_outputs_and_vmap_outputs_equal_a_numpy_loop(data):
    w, xs = np.array(data["W"]), np.array(data["xs"])
    assert w.shape == (2, 3) and xs.shape == (4, 3)
    expected = np.stack([w @ x for x in xs])
    assert [s["example"] for s in data["steps"]] == list(range(len(xs)))
    for i, step in enumerate(data["steps"]):
        assert step["x"] == xs[i].tolist()
        np.testing.assert_allclose(step["output"], expected[i], rtol=1e-6)
    np.testing.assert_allclose(data["vmap_output"], expected, rtol=1e-6)
    assert data["vmap_output"] == [s["output"] for s in data["steps"]]


def test_in_axes_shapes_equal_those_of_vmap_run_here(data):
    import jax

    assert [c["in_axes"] for c in data["in_axes"]] == ["(None, 0)", "(0, 0)", "(0, None)", "(None, 1)"]
    for case in data["in_axes"]:
        in_axes = axes_of(case)
        assert case["in_axes"] == str(in_axes)
        params, x = np.ones(case["params_shape"], np.float32), np.ones(case["x_shape"], np.float32)
        seen = {}

        def spy(p, v):
            seen["p"], seen["x"] = list(p.shape), list(v.shape)
            return predict(p, v)

        out = jax.vmap(spy, in_axes=in_axes)(params, x)
        assert list(out.shape) == case["output_shape"] == [4, 2]
        assert seen == {"p": case["params_seen"], "x": case["x_seen"]} == {"p": [2, 3], "x": [3]}


def test_as_is_results_are_what_jax_does_with_the_animations_arguments(data):
    import jax

    w, xs = np.array(data["W"], np.float32), np.array(data["xs"], np.float32)
    for case in data["in_axes"]:
        try:
            out = jax.vmap(predict, in_axes=axes_of(case))(w, xs)
        except Exception as err:  # noqa: BLE001 - the baked error must be this one
            assert case["as_is"] == {"ok": False, "shape": None, "error_type": type(err).__name__, "error": str(err)}
        else:
            assert case["as_is"] == {"ok": True, "shape": list(out.shape), "error_type": None, "error": None}
    assert [c["as_is"]["ok"] for c in data["in_axes"]] == [True, False, False, False]
    assert "inconsistent sizes" in data["in_axes"][1]["as_is"]["error"]


def test_jaxprs_equal_make_jaxpr_run_here(data):
    import jax

    w, xs = np.array(data["W"], np.float32), np.array(data["xs"], np.float32)
    assert data["jaxprs"]["per_example"] == str(jax.make_jaxpr(predict)(w, xs[0]))
    assert data["jaxprs"]["batched"] == str(jax.make_jaxpr(jax.vmap(predict, in_axes=(None, 0)))(w, xs))
    for case in data["in_axes"]:
        params, x = np.ones(case["params_shape"], np.float32), np.ones(case["x_shape"], np.float32)
        assert case["jaxpr"] == str(jax.make_jaxpr(jax.vmap(predict, in_axes=axes_of(case)))(params, x))
    assert data["in_axes"][0]["jaxpr"] == data["jaxprs"]["batched"]
    assert "transpose" in data["jaxprs"]["batched"]


def test_timings_are_positive_for_every_method_and_batch_size(data):
    assert data["batch_sizes"] == [1, 8, 64, 512]
    assert set(data["timings"]) == set(METHODS)
    for m in METHODS:
        values = data["timings"][m]
        assert len(values) == len(data["batch_sizes"])
        assert all(isinstance(v, float) and math.isfinite(v) and v > 0 for v in values)
    # The loop calls predict once per example: 512 calls cost more than one.
    assert data["timings"]["loop"][-1] > data["timings"]["loop"][0]


def test_bake_is_valid_and_deterministic_apart_from_timings(envelope):
    from sims.bake import load_baker, run_baker, validate

    validate(SIM, envelope)
    again = run_baker(SIM)
    skip = set(load_baker(SIM).TIMINGS)
    assert skip == {"timings"}
    strip = lambda d: {k: v for k, v in d.items() if k not in skip}  # noqa: E731
    assert strip(again["data"]) == strip(envelope["data"])


# ---- the player, by keyboard --------------------------------------------------------


def num(v: float) -> str:
    """How the player writes a baked value: rounded to 4 decimals, JavaScript's String()."""
    r = round(v, 4)
    s = str(int(r)) if r == int(r) else repr(r)
    return s.replace("-", "−")


def shape(dims) -> str:
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


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


def counter(sim):
    return sim.locator("[data-readout=step]").inner_text()


def done_rows(sim, panel):
    return sim.locator(f"svg g[data-panel={panel}] g[data-row][data-done=true]").count()


@pytest.mark.browser
def test_step_by_enter_advances_the_loop_by_one_row_while_vmap_fills_every_row(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    n = len(data["steps"])
    assert counter(sim).startswith(f"Step 0 of {n}")
    assert done_rows(sim, "loop") == 0 and done_rows(sim, "vmap") == 0
    sim.get_by_role("button", name="Step", exact=True).focus()
    for k in range(1, n + 1):
        page.keyboard.press("Enter")
        assert counter(sim).startswith(f"Step {k} of {n}")
        assert done_rows(sim, "loop") == k
        assert done_rows(sim, "vmap") == n                       # vmap: every output after one call
        current = sim.locator("svg g[data-panel=loop] g[data-current=true]")
        assert current.get_attribute("data-row") == str(k - 1)
        shown = sim.locator(f"svg g[data-panel=loop] [data-output^='{k - 1},']").all_text_contents()
        assert shown == [num(v) for v in data["steps"][k - 1]["output"]]
        assert page.evaluate("document.activeElement.textContent") == "Step"   # focus survives the re-render
    vmap_shown = sim.locator("svg g[data-panel=vmap] [data-output]").all_text_contents()
    assert vmap_shown == [num(v) for row in data["vmap_output"] for v in row]
    assert vec_text(data["steps"][-1]["output"]) in sim.locator(".jax-sim__status").inner_text()


def vec_text(values):
    return "[" + ", ".join(num(v) for v in values) + "]"


@pytest.mark.browser
def test_arrow_keys_through_the_in_axes_radios_show_the_baked_output_shapes(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    radios = sim.locator("input[type=radio]")
    assert radios.count() == len(data["in_axes"])
    radios.nth(0).focus()
    for k, case in enumerate(data["in_axes"]):
        if k:
            page.keyboard.press("ArrowRight")
        assert radios.nth(k).is_checked()
        assert sim.locator("[data-output-shape]").inner_text() == shape(case["output_shape"])
        assert f"params: {shape(case['params_shape'])}, x: {shape(case['x_shape'])}" in sim.locator("[data-call=in-axes]").inner_text()
        assert sim.locator("[data-jaxpr=batched]").inner_text().strip() == case["jaxpr"].strip()
        if case["as_is"]["ok"]:
            assert sim.locator("[data-as-is=ok]").inner_text().endswith(shape(case["as_is"]["shape"]))
        else:
            assert sim.locator("[data-error]").inner_text() == case["as_is"]["error_type"] + ": " + case["as_is"]["error"]
        assert f"in_axes={case['in_axes']}" in sim.locator(".jax-sim__status").inner_text()
    page.keyboard.press("ArrowRight")                                      # wraps round to the first
    assert radios.nth(0).is_checked()


@pytest.mark.browser
def test_per_example_jaxpr_shown_is_the_baked_one(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    assert sim.locator("[data-jaxpr=per-example]").inner_text().strip() == data["jaxprs"]["per_example"].strip()
    assert sim.locator("[data-jaxpr=batched]").inner_text().strip() == data["jaxprs"]["batched"].strip()


@pytest.mark.browser
def test_batch_size_select_by_keyboard_highlights_and_reads_out_baked_timings(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    select = sim.get_by_label("Highlight batch size")
    select.focus()
    last = len(data["batch_sizes"]) - 1
    for k in (last, last - 1, last - 2):
        if k != last:
            page.keyboard.press("ArrowUp")
        assert select.input_value() == str(k)
        assert sim.locator("svg [data-highlight]").get_attribute("data-highlight") == str(data["batch_sizes"][k])
        readout = sim.locator("[data-readout=timing]").inner_text()
        assert readout.startswith(f"Batch of {data['batch_sizes'][k]}:")
        for label, key in (("Python loop ", "loop"), ("vmap ", "vmap"), ("jit(vmap) ", "jit_vmap")):
            shown = readout.split(label)[1].split(" ms")[0]
            assert ms_close(shown, data["timings"][key][k]), (key, shown)


@pytest.mark.browser
def test_table_lists_the_in_axes_shapes_and_the_timings(page, site_url):
    sim, data = open_sim(page, site_url + CHAPTER)
    toggle = sim.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = [r.locator("td").all_inner_texts() for r in sim.locator(".jax-sim__table tbody tr").all()]
    axes_rows = [r for r in rows if r[0] == "in_axes"]
    timing_rows = [r for r in rows if r[0] == "Timing"]
    assert [r[1] for r in axes_rows] == [c["in_axes"] for c in data["in_axes"]]
    for r, c in zip(axes_rows, data["in_axes"]):
        assert r[2].startswith("params " + shape(c["params_shape"]))
        assert r[3].startswith("x " + shape(c["x_shape"]))
        assert r[4].startswith("output " + shape(c["output_shape"]))
    assert [r[1] for r in timing_rows] == [f"batch {n}" for n in data["batch_sizes"]]
    for r, k in zip(timing_rows, range(len(data["batch_sizes"]))):
        assert ms_close(r[2].removeprefix("loop "), data["timings"]["loop"][k])
        assert ms_close(r[3].removeprefix("vmap "), data["timings"]["vmap"][k])
        assert ms_close(r[4].removeprefix("jit(vmap) "), data["timings"]["jit_vmap"][k])
    steps = [r for r in rows if r[0].startswith("Loop step")]
    assert [r[4] for r in steps] == [vec_text(s["output"]) for s in data["steps"]]


@pytest.mark.browser
def test_timings_are_labelled_with_the_bake_machine(page, site_url):
    sim, _ = open_sim(page, site_url + CHAPTER)
    machine = page.evaluate(f"ThinkingInJaxSims.data['{SIM}'].provenance.machine")
    assert machine and machine in sim.inner_text()
    assert "they vary" in sim.inner_text()


@pytest.mark.browser
def test_dark_mode_redraws_in_other_colours(page, site_url):
    sim, _ = open_sim(page, site_url + CHAPTER)
    path = "svg path[data-series=loop]"
    light = sim.locator(path).get_attribute("stroke")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    dark = sim.locator(path).get_attribute("stroke")
    assert light and dark and light != dark


@pytest.mark.browser
def test_play_advances_the_loop_by_itself_and_pause_stops_it(page, site_url):
    page.clock.install()
    sim, data = open_sim(page, site_url + CHAPTER)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)        # timers fire only when the test says
    play = sim.locator("button[id$='-play']")
    play.focus()
    page.keyboard.press("Enter")
    assert counter(sim).startswith("Step 0")
    page.clock.run_for(900)
    assert counter(sim).startswith("Step 1")
    assert play.inner_text() == "Pause"
    page.keyboard.press("Enter")                                   # Pause
    page.clock.run_for(3000)
    assert counter(sim).startswith("Step 1")
    page.keyboard.press("Enter")                                   # Play to the end
    page.clock.run_for(800 * len(data["steps"]) + 100)
    assert counter(sim).startswith(f"Step {len(data['steps'])}")
    assert play.inner_text() == "Play"


@pytest.mark.browser
def test_reduced_motion_play_jumps_to_the_end_without_animating(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    page.clock.install()
    sim, data = open_sim(page, site_url + CHAPTER)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    n = len(data["steps"])
    sim.locator("button[id$='-play']").focus()
    page.keyboard.press("Enter")
    assert counter(sim).startswith(f"Step {n} of {n}")             # at once, no timer needed
    assert done_rows(sim, "loop") == n
    sim.get_by_role("button", name="Reset", exact=True).focus()
    page.keyboard.press("Enter")
    page.clock.run_for(3000)
    assert counter(sim).startswith("Step 0")                       # nothing moves by itself


@pytest.mark.browser
def test_deep_link_page_steps_by_keyboard_and_links_back_to_the_chapter(page, site_url):
    sim, data = open_sim(page, site_url + f"/sims/{SIM}/")
    sim.get_by_role("button", name="Step", exact=True).focus()
    page.keyboard.press("Enter")
    assert done_rows(sim, "loop") == 1
    assert page.locator("a[href$='chapters/05-vmap/']").count() >= 1
