"""grad-visualizer: every baked number is what JAX really returns, the slopes
agree with derivatives computed independently (NumPy float64 and central
differences), the kink values are exactly jax.grad's, and the player shows the
baked values, by keyboard, in both themes, without moving when asked not to."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from tests.sim_format import ctx_format as js_format

from sims.bake import load_baker, run_baker, validate

SIM = "grad-visualizer"
CHAPTER = "/chapters/04-grad/"

# Independent references: the functions written out here, in NumPy float64 and in JAX.
NUMPY = {
    "sin2": lambda x: np.sin(x) ** 2 + 1.0,
    "cubic": lambda x: x ** 3 + 2 * x ** 2 + x,
    "tanh": np.tanh,
    "gauss": lambda x: np.exp(-x ** 2),
    "relu": lambda x: np.maximum(x, 0.0),
    "abs": np.abs,
    "maximum": lambda x: np.maximum(x, 0.0),
}


def jax_functions():
    import jax
    import jax.numpy as jnp

    return {
        "sin2": lambda x: jnp.sin(x) ** 2 + 1.0,
        "cubic": lambda x: x ** 3 + 2 * x ** 2 + x,
        "tanh": jnp.tanh,
        "gauss": lambda x: jnp.exp(-x ** 2),
        "relu": jax.nn.relu,
        "abs": jnp.abs,
        "maximum": lambda x: jnp.maximum(x, 0.0),
    }


@pytest.fixture(scope="module")
def functions(envelope):
    return {f["id"]: f for f in envelope["data"]["functions"]}


def py(v: float) -> str:
    """The player's way of writing an exact baked number (Python's repr of a float)."""
    return repr(float(v) + 0.0)


def test_js_format_replica_writes_numbers_as_javascript_does():
    assert js_format(0.8414709568) == "0.8415"
    assert js_format(-0.0) == "0.0000"
    assert js_format(7.404588e-4) == "7.405e-4"
    assert js_format(-1.25e-7) == "-1.250e-7"
    assert js_format(0.03125) == "0.0313"  # JavaScript rounds ties away from zero


# ---- the baker ----------------------------------------------------------------


def test_bake_matches_its_schema_and_stays_small(envelope):
    validate(SIM, envelope)
    assert len(gzip.compress(json.dumps(envelope["data"]).encode())) < 100_000


def test_bake_is_deterministic(envelope):
    assert load_baker(SIM).TIMINGS == ()
    assert run_baker(SIM)["data"] == envelope["data"]


def test_offers_the_functions_the_chapter_promises(functions):
    assert set(functions) == set(NUMPY)
    codes = {f["code"] for f in functions.values()}
    assert {"jnp.sin(x) ** 2 + 1.0", "x ** 3 + 2 * x ** 2 + x", "jnp.tanh(x)", "jnp.exp(-x ** 2)"} <= codes
    assert {"jax.nn.relu(x)", "jnp.abs(x)"} <= codes


def test_every_function_has_a_121_point_increasing_grid_and_a_start_on_it(envelope, functions):
    n = envelope["data"]["grid_points"]
    assert n == 121
    for f in functions.values():
        x = np.array(f["x"])
        assert len(x) == len(f["f"]) == len(f["df"]) == len(f["d2f"]) == n
        assert np.all(np.diff(x) > 0)
        assert 0 <= f["start"] < n


def test_baked_values_are_bit_for_bit_what_separate_jax_grad_calls_return(functions):
    import jax
    import jax.numpy as jnp

    for fid, f in jax_functions().items():
        baked = functions[fid]
        df, d2f = jax.grad(f), jax.grad(jax.grad(f))
        for i in range(0, len(baked["x"]), 3):  # every third point (the kink's included) keeps this test quick
            x32 = jnp.float32(baked["x"][i])
            assert np.float32(baked["f"][i]) == np.float32(f(x32)), (fid, i)
            assert np.float32(baked["df"][i]) == np.float32(df(x32)), (fid, i)
            if i % 6 == 0:
                assert np.float32(baked["d2f"][i]) == np.float32(d2f(x32)), (fid, i)


def test_tangent_slopes_and_curvature_agree_with_numpy_float64_derivatives(functions):
    h = 1e-6
    for fid, F in NUMPY.items():
        baked = functions[fid]
        x = np.array(baked["x"], dtype=np.float64)
        skip = np.zeros(len(x), bool)
        if baked["kink"]:
            skip[baked["kink"]["index"]] = True  # no derivative exists there
        slope = (F(x + h) - F(x - h)) / (2 * h)
        curvature = (F(x + 1e-4) - 2 * F(x) + F(x - 1e-4)) / 1e-8
        for name, baked_values, reference in (("f", baked["f"], F(x)), ("df", baked["df"], slope),
                                              ("d2f", baked["d2f"], curvature)):
            err = np.abs(np.array(baked_values) - reference) / np.maximum(1.0, np.abs(reference))
            assert np.max(err[~skip]) < 2e-6, (fid, name, np.max(err[~skip]))  # float32 rounding, not more


def test_tangent_slopes_agree_with_central_differences_of_the_baked_f(functions):
    # error of a central difference with h = 0.05: h^2/6 * max|f'''| <= 0.0017 for these functions
    for fid, baked in functions.items():
        x, f, df = (np.array(baked[k]) for k in ("x", "f", "df"))
        central = (f[2:] - f[:-2]) / (x[2:] - x[:-2])
        ok = np.ones(len(central), bool)
        if baked["kink"]:
            ok[baked["kink"]["index"] - 1] = False  # the stencil straddles the kink
        assert np.max(np.abs(central - df[1:-1])[ok]) < 0.005, fid


def test_second_derivatives_agree_with_central_differences_of_the_baked_grad(functions):
    # error: h^2/6 * max|f''''| <= 0.005 (the Gaussian's f'''' reaches 12)
    for fid, baked in functions.items():
        x, df, d2f = (np.array(baked[k]) for k in ("x", "df", "d2f"))
        central = (df[2:] - df[:-2]) / (x[2:] - x[:-2])
        ok = np.ones(len(central), bool)
        if baked["kink"]:
            k = baked["kink"]["index"] - 1
            ok[k - 1:k + 2] = False  # stencils that reach the jump in slope
        assert np.max(np.abs(central - d2f[1:-1])[ok]) < 0.01, fid


def test_kink_value_is_exactly_what_jax_grad_returns_at_zero(functions):
    import jax
    import jax.numpy as jnp

    fs = jax_functions()
    kinked = {fid: f for fid, f in functions.items() if f["kink"]}
    assert set(kinked) == {"relu", "abs", "maximum"}
    for fid, baked in kinked.items():
        kink = baked["kink"]
        assert baked["x"][kink["index"]] == kink["x"] == 0.0
        grad = jax.grad(fs[fid])(0.0)
        assert np.float32(kink["grad"]) == grad == np.float32(baked["df"][kink["index"]])
        assert np.float32(kink["grad2"]) == jax.grad(jax.grad(fs[fid]))(0.0)
        assert kink["left"] == baked["df"][kink["index"] - 1] and kink["right"] == baked["df"][kink["index"] + 1]
    # What JAX 0.10 does, and what the chapter's text says: three different answers for one kink.
    assert {fid: (b["kink"]["grad"], b["kink"]["side"]) for fid, b in kinked.items()} == {
        "relu": (0.0, "left"), "abs": (1.0, "right"), "maximum": (0.5, "average")}


def test_kink_rules_name_what_the_baked_jaxpr_really_contains(functions):
    relu, abs_, maximum = functions["relu"], functions["abs"], functions["maximum"]
    assert "custom_jvp_call" in relu["jaxpr"] and "gt a 0.0" in relu["jaxpr"] and "(the gt)" in relu["kink"]["rule"]
    assert "ge a 0.0" in abs_["jaxpr"] and "(the ge" in abs_["kink"]["rule"]
    assert " eq " in maximum["jaxpr"] and " div " in maximum["jaxpr"] and "2.0:f32[]" in maximum["jaxpr"]


def test_jaxpr_is_make_jaxpr_of_grad(envelope, functions):
    import jax

    assert envelope["data"]["jaxpr_call"] == "jax.make_jaxpr(jax.grad(f))(1.0)"
    for fid, f in jax_functions().items():
        assert functions[fid]["jaxpr"] == str(jax.make_jaxpr(jax.grad(f))(1.0)), fid


# ---- the player, in Chromium ---------------------------------------------------


def open_sim(page, site_url, path=CHAPTER):
    page.goto(site_url + path)
    frame = page.locator(f'.jax-sim[data-sim="{SIM}"] .jax-sim__frame')
    frame.wait_for(timeout=10000)
    data = page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]
    return frame, {f["id"]: f for f in data["functions"]}, data


def readouts(frame) -> dict:
    return {k: frame.locator(f'output[data-readout="{k}"]').inner_text().strip() for k in ("x", "f", "df", "d2f")}


def expected(f, i) -> dict:
    return {"x": "x = " + py(f["x"][i]), "f": js_format(f["f"][i]), "df": js_format(f["df"][i]), "d2f": js_format(f["d2f"][i])}


@pytest.mark.browser
def test_arrow_keys_step_x_through_the_baked_grid_and_readouts_show_baked_values(page, site_url):
    frame, fns, _ = open_sim(page, site_url)
    f = fns["sin2"]
    assert readouts(frame) == expected(f, f["start"])
    slider = frame.get_by_label("Move x")
    slider.focus()
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    i = f["start"] + 7
    assert slider.input_value() == str(i)
    assert readouts(frame) == expected(f, i)
    assert float(frame.locator('output[data-readout="df"]').get_attribute("data-value")) == f["df"][i]
    assert js_format(f["df"][i]) in frame.locator(".jax-sim__status").inner_text()
    page.keyboard.press("ArrowLeft")
    assert readouts(frame) == expected(f, i - 1)
    page.keyboard.press("End")
    assert readouts(frame) == expected(f, len(f["x"]) - 1)


@pytest.mark.browser
@pytest.mark.parametrize("fid,downs", [("relu", 4), ("abs", 5), ("maximum", 6)])
def test_keyboard_reaches_the_kink_and_shows_what_jax_grad_returns_there(page, site_url, fid, downs):
    frame, fns, _ = open_sim(page, site_url)
    f, kink = fns[fid], fns[fid]["kink"]
    frame.get_by_label("Function").focus()
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    assert frame.get_by_label("Function").input_value() == fid
    assert readouts(frame) == expected(f, f["start"])
    frame.get_by_label("Move x").focus()
    for _ in range(kink["index"] - f["start"]):
        page.keyboard.press("ArrowRight")
    assert readouts(frame)["df"] == js_format(kink["grad"])
    note = frame.locator('[role="note"]').inner_text()
    assert "You are at the kink" in note and f"returns {py(kink['grad'])}" in note
    assert f"jax.grad at the kink: {py(kink['grad'])}" in frame.locator("svg").first.inner_html()


@pytest.mark.browser
def test_table_lists_every_baked_grid_point_of_the_chosen_function(page, site_url):
    frame, fns, _ = open_sim(page, site_url, f"/sims/{SIM}/")
    f = fns["sin2"]
    toggle = frame.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = frame.locator(".jax-sim__table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
    assert len(rows) == len(f["x"])
    for k, row in enumerate(rows):
        mark = " ◀" if k == f["start"] else ""
        assert row == [py(f["x"][k]) + mark, js_format(f["f"][k]), js_format(f["df"][k]), js_format(f["d2f"][k])]


@pytest.mark.browser
def test_checkbox_and_jaxpr_panel_work_by_keyboard(page, site_url):
    frame, fns, data = open_sim(page, site_url, f"/sims/{SIM}/")
    svg = frame.locator("svg").first
    assert "jax.grad(jax.grad(f))(x)" not in svg.inner_html()
    frame.get_by_label("Show the f″ curve").focus()
    page.keyboard.press("Space")
    assert "f″(x) = jax.grad(jax.grad(f))(x)" in svg.inner_html()
    details = frame.locator("details")
    assert details.get_attribute("open") is None
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None
    assert details.locator("pre").inner_text().strip() == fns["sin2"]["jaxpr"].strip()
    assert data["jaxpr_call"] in details.inner_text()


@pytest.mark.browser
def test_dark_mode_redraws_the_curves_in_the_dark_palette(page, site_url):
    frame, _, _ = open_sim(page, site_url)
    curve = frame.locator("svg polyline").first
    light = curve.get_attribute("stroke")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function("(c) => document.querySelector('.jax-sim[data-sim=\"grad-visualizer\"] svg polyline')"
                           ".getAttribute('stroke') !== c", arg=light)
    dark = curve.get_attribute("stroke")
    assert dark and dark != light


@pytest.mark.browser
def test_play_sweeps_x_along_the_grid_and_pause_stops_it(page, site_url):
    frame, fns, _ = open_sim(page, site_url)
    f = fns["sin2"]
    slider = frame.get_by_label("Move x")
    play = frame.get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(s) => Number(document.querySelector(s).value) > %d" % (f["start"] + 3),
                           arg=f'.jax-sim[data-sim="{SIM}"] input[type="range"]')
    page.keyboard.press("Enter")  # the same button, now Pause
    stopped = int(slider.input_value())
    page.wait_for_timeout(500)
    assert int(slider.input_value()) == stopped
    assert readouts(frame) == expected(f, stopped)


@pytest.mark.browser
def test_play_with_reduced_motion_jumps_to_the_end_without_animating(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    frame, fns, _ = open_sim(page, site_url)
    f = fns["sin2"]
    play = frame.get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")
    last = len(f["x"]) - 1
    assert readouts(frame) == expected(f, last)
    page.wait_for_timeout(1000)
    assert readouts(frame) == expected(f, last)
    assert play.inner_text() == "Play"


@pytest.mark.browser
def test_on_a_phone_the_picture_switches_to_a_narrow_layout_and_still_works(page, site_url):
    page.set_viewport_size({"width": 390, "height": 900})
    frame, fns, _ = open_sim(page, site_url, f"/sims/{SIM}/")
    svg = frame.locator("svg").first
    page.wait_for_function("(s) => document.querySelector(s).getAttribute('viewBox').startsWith('0 0 400 ')",
                           arg=f'.jax-sim[data-sim="{SIM}"] svg')
    f = fns["sin2"]
    frame.get_by_label("Move x").focus()
    page.keyboard.press("ArrowLeft")
    assert readouts(frame) == expected(f, f["start"] - 1)
    assert "slope " + js_format(f["df"][f["start"] - 1]) in svg.inner_html()
