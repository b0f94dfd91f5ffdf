"""graph-tracer: the computation graph of small functions from their real jaxprs.

The bake is checked against computations made here, independently: the node
list against `jax.make_jaxpr` called in the test, every node value against a
NumPy float64 evaluation of its sub-expression, every adjoint against central
differences in float64 and the input's against `jax.grad(f)`, and the batched
values against `jax.vmap(f)`. The player is driven by keyboard in Chromium."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.sim_format import ctx_format as js_format

from sims.bake import load_baker, run_baker, validate

SIM = "graph-tracer"
CHAPTER = "/chapters/09-showcase/"
TOL = dict(rtol=1e-5, atol=2e-6)  # float32 results against float64

# Each preset's source, and its nodes as NumPy float64 functions of the nodes before them
# (node 0 is the input), in the order of the jaxpr's equations.
PRESETS = {
    "sin-squared": ("jnp.sin(x) ** 2 + x", [
        lambda v: np.sin(v[0]), lambda v: v[1] ** 2, lambda v: v[2] + v[0]]),
    "x-exp": ("x * jnp.exp(-x)", [
        lambda v: -v[0], lambda v: np.exp(v[1]), lambda v: v[0] * v[2]]),
    "tanh-parabola": ("jnp.tanh(2 * x) + x ** 2 / 4", [
        lambda v: 2.0 * v[0], lambda v: np.tanh(v[1]), lambda v: v[0] ** 2, lambda v: v[3] / 4.0,
        lambda v: v[2] + v[4]]),
    "log-1-plus-square": ("jnp.log(1 + x ** 2)", [
        lambda v: v[0] ** 2, lambda v: 1.0 + v[1], lambda v: np.log(v[2])]),
}
PRIMITIVES = {
    "sin-squared": ["sin", "integer_pow", "add"],
    "x-exp": ["neg", "exp", "mul"],
    "tanh-parabola": ["mul", "tanh", "integer_pow", "div", "add"],
    "log-1-plus-square": ["integer_pow", "add", "log"],
}


def nodes64(preset_id: str, x: float, bump: int | None = None, h: float = 0.0) -> list[float]:
    """Every node's value in float64; with bump, h is added to that node's output."""
    values = [np.float64(x) + (h if bump == 0 else 0.0)]
    for i, fn in enumerate(PRESETS[preset_id][1], start=1):
        values.append(fn(values) + (h if bump == i else 0.0))
    return values


def function(source: str):
    import jax.numpy as jnp

    return eval("lambda x: " + source, {"jnp": jnp})


@pytest.fixture(scope="module")
def presets(envelope):
    return {p["id"]: p for p in envelope["data"]["presets"]}


# ---- the bake ----------------------------------------------------------------------


def test_bake_matches_its_schema(envelope):
    validate(SIM, envelope)
    assert load_baker(SIM).SCHEMA_VERSION == envelope["schema_version"]


def test_bake_is_deterministic(envelope):
    again = run_baker(SIM)
    assert again["data"] == envelope["data"]


def test_presets_are_the_functions_the_tests_know(presets):
    assert {pid: p["source"] for pid, p in presets.items()} == {pid: s for pid, (s, _) in PRESETS.items()}


def test_node_list_matches_the_equations_of_the_real_jaxpr(presets):
    import jax

    for pid, preset in presets.items():
        closed = jax.make_jaxpr(function(preset["source"]))(np.float32(1.0))
        assert [n["primitive"] for n in preset["nodes"]] == ["input"] + [e.primitive.name for e in closed.jaxpr.eqns]
        assert [n["primitive"] for n in preset["nodes"][1:]] == PRIMITIVES[pid]
        assert preset["jaxpr"] == str(closed)
        printed = str(closed).splitlines()[1:-1]
        assert [n["equation"] for n in preset["nodes"][1:]] == [line.strip() for line in printed]
        # every edge is a variable use: the operand of the consumer names the producer's variable
        for e in preset["edges"]:
            assert preset["nodes"][e["to"]]["operands"][e["operand"]]["var"] == preset["nodes"][e["from"]]["var"]
        uses = sum(1 for eqn in closed.jaxpr.eqns for v in eqn.invars if not hasattr(v, "val"))
        assert len(preset["edges"]) == uses


def test_every_node_value_equals_a_float64_numpy_evaluation(presets):
    for pid, preset in presets.items():
        for point in preset["points"]:
            expected = nodes64(pid, point["x"])
            np.testing.assert_allclose(point["values"], expected, **TOL, err_msg=f"{pid} at x={point['x']}")
            assert point["values"][-1] == point["f"]  # the jaxpr run by hand gives what f(x) gives


def test_input_adjoint_equals_jax_grad_called_here(presets):
    import jax

    for preset in presets.values():
        f = function(preset["source"])
        for point in preset["points"]:
            df = float(jax.grad(f)(np.float32(point["x"])))
            assert point["dfdx"] == df
            assert math.isclose(point["adjoints"][0], df, rel_tol=1e-6, abs_tol=1e-6)


def test_every_adjoint_equals_float64_central_differences(presets):
    h = 1e-6
    for pid, preset in presets.items():
        for point in preset["points"]:
            for i, adjoint in enumerate(point["adjoints"]):
                up = nodes64(pid, point["x"], i, h)[-1]
                down = nodes64(pid, point["x"], i, -h)[-1]
                assert math.isclose(adjoint, (up - down) / (2 * h), rel_tol=1e-4, abs_tol=1e-5), (pid, point["x"], i)
            assert point["adjoints"][-1] == 1.0  # the seed


def test_what_the_edges_send_back_adds_up_to_each_adjoint(presets):
    for preset in presets.values():
        last = len(preset["nodes"]) - 1
        for point in preset["points"]:
            for i in range(last):
                sent = [c for e, c in zip(preset["edges"], point["edge_adjoints"]) if e["from"] == i]
                assert sent and math.isclose(sum(sent), point["adjoints"][i], rel_tol=1e-5, abs_tol=1e-6)


def test_vmap_values_equal_jax_vmap_and_float64(envelope, presets):
    import jax

    offsets = envelope["data"]["batch_offsets"]
    for pid, preset in presets.items():
        f = function(preset["source"])
        closed = jax.make_jaxpr(jax.vmap(f))(np.zeros(4, np.float32))
        assert preset["vmap_jaxpr"] == str(closed)
        assert [n["vmap_aval"] for n in preset["nodes"]] == ["f32[4]"] * len(preset["nodes"])
        for point in preset["points"]:
            xs = np.float32(point["x"]) + np.asarray(offsets, np.float32)
            assert point["batch_x"] == [float(v) for v in xs]
            direct = [float(v) for v in jax.vmap(f)(xs)]
            assert point["vmap_f"] == direct
            np.testing.assert_allclose(point["batch_values"][-1], direct, rtol=1e-6, atol=1e-7)
            for b, xb in enumerate(point["batch_x"]):
                np.testing.assert_allclose([vals[b] for vals in point["batch_values"]], nodes64(pid, xb), **TOL)


def test_jit_view_shows_the_jaxprs_abstract_values(presets):
    import jax

    for preset in presets.values():
        f = function(preset["source"])
        assert [n["aval"] for n in preset["nodes"]] == ["f32[]"] * len(preset["nodes"])
        assert preset["eval_shape"] == str(jax.eval_shape(f, np.float32(1.0)))
        assert preset["grad_jaxpr"] == str(jax.make_jaxpr(jax.grad(f))(np.float32(1.0)))


# ---- "Trace your own function": the baker's code under jaxlite ----------------------------
#
# In the browser, sims/graph_tracer.py runs under jaxlite (installed as `jax`, numpylite as
# `numpy`). Here the same calls run under jaxlite in a child Python and under real JAX in this
# one, and must agree: the same graph and jaxprs, every number within float32 round-off.

READER_FUNCTIONS = ["jnp.cos(x) * x ** 2", "1 / (1 + jnp.exp(-x))", "jnp.sqrt(x ** 2 + 1) - x", "x * x * x",
                    "jnp.log(x)", "jnp.maximum(x, 0.5) * jnp.sin(x)"]
REJECTED = {  # expression -> what the reader is told (the start of it)
    "": "Type an expression in x",
    "x": "f(x) must compute something from x",
    "2.0": "f(x) must compute something from x",
    "jnp.sin(x": "That is not a Python expression ('(' was never closed)",
    "jnp.sin(y)": "NameError: name 'y' is not defined",
    "jnp.where(x > 0, x, -x)": "every value in the drawing must be one float32 number (f32[]), but gt gives bool[]",
    "x // 2": "f calls jit, which holds a jaxpr of its own",
    "jnp.array([x, x])": "every value in the drawing must be one float32 number (f32[]), but broadcast_in_dim gives f32[1]",
    " + ".join(["jnp.sin(x)"] * 7): "f has 13 operations; the drawing fits at most 12",
    "x" + " + x" * 70: "That expression has 281 characters; keep it under 200",
}
JAXLITE_TRACE = """
import json, sys
sys.path[:0] = ["site_src/py", "."]
import jaxlite
jaxlite.install_as_jax()
from sims import graph_tracer
print(json.dumps({s: json.loads(graph_tracer.trace_json(s)) for s in json.loads(sys.argv[1])}))
"""


@pytest.fixture(scope="module")
def traced_by_jaxlite(presets):
    import json
    import subprocess
    import sys
    from pathlib import Path

    sources = [p["source"] for p in presets.values()] + READER_FUNCTIONS + list(REJECTED)
    done = subprocess.run([sys.executable, "-c", JAXLITE_TRACE, json.dumps(sources)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not done.stderr  # not even a warning (log(x) is NaN for x < 0; the drawing shows it)
    return json.loads(done.stdout)


def assert_same_preset(lite: dict, real: dict, where: str):
    """Equal but for float32 round-off, and the parameters JAX hides when they are None."""
    assert lite.keys() == real.keys(), where
    for key, a in real.items():
        b, at = lite[key], f"{where}.{key}"
        if key == "params_full":  # JAX's accuracy=None, out_dtype=None: jaxlite has no such parameters
            assert b == {k: v for k, v in a.items() if k in b} and all(a[k] == "None" for k in a.keys() - b.keys()), at
        elif isinstance(a, dict):
            assert_same_preset(b, a, at)
        elif isinstance(a, list):
            assert len(a) == len(b), at
            for i, (x, y) in enumerate(zip(a, b)):
                if isinstance(x, dict):
                    assert_same_preset(y, x, f"{at}[{i}]")
                elif isinstance(x, list):
                    assert_same_preset({"v": y}, {"v": x}, f"{at}[{i}]")
                elif isinstance(x, float) and isinstance(y, float):
                    assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-7), (f"{at}[{i}]", x, y)
                else:
                    assert x == y, (f"{at}[{i}]", x, y)
        elif isinstance(a, float) and isinstance(b, float):
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7), (at, a, b)
        else:
            assert a == b, (at, a, b)


def test_a_preset_traced_by_jaxlite_is_the_bake_of_real_jax(presets, traced_by_jaxlite):
    for pid, baked in presets.items():
        live = traced_by_jaxlite[baked["source"]]["preset"]
        assert live["id"] == "yours" and live["label"] == baked["source"]
        assert_same_preset(live, dict(baked, id="yours", label=baked["source"]), pid)


def test_a_readers_function_traced_by_jaxlite_matches_the_same_trace_by_real_jax(envelope, traced_by_jaxlite):
    from sims import graph_tracer

    for source in READER_FUNCTIONS:
        real = graph_tracer.trace_reader_function(source)
        live = traced_by_jaxlite[source]["preset"]
        assert_same_preset(live, real, source)
        validate(SIM, dict(envelope, data=dict(envelope["data"], presets=[live])))  # what the player draws


def test_functions_the_drawing_cannot_show_are_refused_with_the_same_reason_by_jax_and_jaxlite(traced_by_jaxlite):
    from sims import graph_tracer

    for source, reason in REJECTED.items():
        with pytest.raises(graph_tracer.GraphError) as real:
            graph_tracer.trace_reader_function(source)
        assert str(real.value).startswith(reason), (source, str(real.value))
        assert traced_by_jaxlite[source] == {"error": str(real.value)}, source


def test_a_short_jaxpr_printed_on_one_line_is_read_as_well_as_a_long_one():
    import jax

    from sims import graph_tracer

    closed = jax.make_jaxpr(lambda x: x * x * x)(np.float32(1.0))
    assert "\n" not in str(closed)
    _, eqns = graph_tracer.parse_jaxpr(closed)
    assert [e["text"] for e in eqns] == ["b:f32[] = mul a a", "c:f32[] = mul b a"]


# ---- the player in Chromium ------------------------------------------------------------

def open_sim(page, url):
    page.goto(url)
    frame = page.locator(f'.jax-sim[data-sim="{SIM}"] .jax-sim__frame')
    frame.wait_for(timeout=10000)
    frame.scroll_into_view_if_needed()
    return frame, page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]


def shown(frame) -> int:
    return frame.locator('.gt-node[data-shown="true"]').count()


def press(page, locator, key: str, times: int = 1):
    locator.focus()
    for _ in range(times):
        page.keyboard.press(key)


@pytest.mark.browser
def test_enter_on_step_reveals_one_node_at_a_time_with_its_baked_value(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    preset, i0 = data["presets"][0], data["initial_index"]
    point = preset["points"][i0]
    step = frame.get_by_role("button", name="Step", exact=True)
    assert shown(frame) == 0
    for k in range(1, len(preset["nodes"]) + 1):
        press(page, step, "Enter")
        assert shown(frame) == k
        status = frame.locator(".jax-sim__status").inner_text()
        node = preset["nodes"][k - 1]
        assert f"{node['var']} = {js_format(point['values'][k - 1])}" in status
        assert f"step {k} of {len(preset['nodes'])}" in status
    assert frame.locator('[data-readout="f"] strong').inner_text() == js_format(point["f"])
    press(page, frame.get_by_role("button", name="Step back"), "Enter", 2)
    assert shown(frame) == len(preset["nodes"]) - 2
    press(page, frame.get_by_role("button", name="Reset"), "Space")
    assert shown(frame) == 0


@pytest.mark.browser
def test_grad_mode_sends_adjoints_back_to_the_input_adjoint_jax_grad_gives(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    preset, point = data["presets"][0], data["presets"][0]["points"][data["initial_index"]]
    press(page, frame.get_by_role("radio", name="Forward"), "ArrowRight", 2)  # Forward -> JIT trace -> grad
    assert frame.get_by_role("radio", name="grad").is_checked()
    n = len(preset["nodes"])
    step = frame.get_by_role("button", name="Step", exact=True)
    press(page, step, "Enter")  # the output first: its adjoint is the seed
    assert frame.locator(f'.gt-node[data-node="{n - 1}"]').get_attribute("data-shown") == "true"
    press(page, step, "Enter", n - 1)
    status = frame.locator(".jax-sim__status").inner_text()
    assert f"∂f/∂{preset['nodes'][0]['var']} of the input" in status and js_format(point["adjoints"][0]) in status
    assert frame.locator('[data-readout="dfdx"] strong').inner_text() == js_format(point["dfdx"])


@pytest.mark.browser
def test_arrow_keys_on_the_slider_step_through_the_baked_grid(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    preset, i0 = data["presets"][0], data["initial_index"]
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", len(preset["nodes"]))
    slider = frame.get_by_role("slider", name="Input x")
    press(page, slider, "ArrowRight", 3)
    point = preset["points"][i0 + 3]
    assert frame.locator("output").inner_text() == f"x = {js_format(point['x'], 3)}"
    assert frame.locator('[data-readout="f"] strong').inner_text() == js_format(point["values"][-1])
    assert shown(frame) == len(preset["nodes"])  # moving x keeps what is revealed
    press(page, slider, "Home")
    assert frame.locator("output").inner_text() == f"x = {js_format(data['grid'][0], 3)}"


@pytest.mark.browser
def test_vmap_mode_shows_four_baked_values_per_node_and_the_batched_avals(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    select = frame.get_by_label("Function")
    press(page, select, "ArrowDown", 2)  # the third preset
    preset = data["presets"][2]
    assert select.input_value() == "2"
    press(page, frame.get_by_role("radio", name="Forward"), "ArrowLeft")  # wraps round to vmap
    assert frame.get_by_role("radio", name="vmap").is_checked()
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", len(preset["nodes"]))
    point = preset["points"][data["initial_index"]]
    last = frame.locator(f'.gt-node[data-node="{len(preset["nodes"]) - 1}"]').text_content()
    for v in point["vmap_f"]:
        assert js_format(v) in last
    assert "f32[4]" in last
    readout = frame.locator('[data-readout="f"] strong').inner_text()
    assert readout == "[" + ", ".join(js_format(v) for v in point["vmap_f"]) + "]"


@pytest.mark.browser
def test_table_lists_every_node_with_its_baked_value(page, site_url):
    frame, data = open_sim(page, site_url + "/sims/graph-tracer/")
    preset, point = data["presets"][0], data["presets"][0]["points"][data["initial_index"]]
    toggle = frame.get_by_role("button", name="Show as table")
    press(page, toggle, "Enter")
    rows = frame.locator(".jax-sim__table tbody tr")
    assert rows.count() == len(preset["nodes"])
    for i, node in enumerate(preset["nodes"]):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[1] == node["var"] and cells[3] == node["equation"]
        assert cells[-1] == js_format(point["values"][i])


@pytest.mark.browser
def test_dark_mode_redraws_the_graph_in_other_colours(page, site_url):
    frame, _ = open_sim(page, site_url + CHAPTER)
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", 2)
    stroke = lambda: frame.locator('.gt-node[data-shown="true"] rect').first.get_attribute("stroke")  # noqa: E731
    fill = lambda: frame.locator(".gt-node rect").first.get_attribute("fill")  # noqa: E731
    light = (stroke(), fill())
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function("document.querySelector('.gt-node rect').getAttribute('fill') !== %r" % light[1])
    assert (stroke(), fill()) != light and stroke() != light[0]
    assert shown(frame) == 2  # the state survives the redraw


@pytest.mark.browser
def test_play_advances_by_itself_and_pause_stops_it(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    play = frame.get_by_role("button", name="Play")
    press(page, play, "Enter")
    page.wait_for_function("document.querySelectorAll('.gt-node[data-shown=\"true\"]').length >= 2", timeout=5000)
    press(page, frame.locator('[id$="-play"]'), "Enter")  # now "Pause"
    paused = shown(frame)
    page.wait_for_timeout(1200)
    assert shown(frame) == paused


@pytest.mark.browser
def test_with_reduced_motion_play_reveals_everything_at_once_and_nothing_moves(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    frame, data = open_sim(page, site_url + CHAPTER)
    n = len(data["presets"][0]["nodes"])
    press(page, frame.get_by_role("button", name="Play"), "Enter")
    assert shown(frame) == n
    assert frame.locator('[id$="-play"]').inner_text() == "Play"
    press(page, frame.get_by_role("button", name="Step back"), "Enter")
    page.wait_for_timeout(1200)  # no timer runs: nothing advances by itself
    assert shown(frame) == n - 1


@pytest.mark.browser
def test_trace_your_own_function_draws_jaxlites_trace_of_it_labelled_as_such(page, site_url):
    import re

    from playwright.sync_api import expect

    from sims import graph_tracer

    source = "jnp.cos(x) * x ** 2"
    real = graph_tracer.trace_reader_function(source)  # the same trace by real JAX, to compare with
    frame, data = open_sim(page, site_url + "/sims/graph-tracer/")
    field = frame.get_by_label("Trace your own: f(x) =")
    field.fill(source)
    field.press("Enter")
    said = frame.locator('[id$="-custom-status"]')
    expect(said).to_have_text(re.compile(r"^Traced f\(x\) = jnp\.cos\(x\) \* x \*\* 2 in [\d.]+ s: 4 nodes"), timeout=90_000)
    assert frame.get_by_label("Function").input_value() == str(len(data["presets"]))  # chosen, after the presets
    assert "traced in your browser by jaxlite" in frame.locator('[id$="-origin"]').inner_text()
    assert frame.locator(".gt-node").count() == len(real["nodes"])
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", len(real["nodes"]))
    point = real["points"][data["initial_index"]]
    for i, value in enumerate(point["values"]):
        assert js_format(value) in frame.locator(f'.gt-node[data-node="{i}"]').text_content()
    assert "(yours, traced by jaxlite)" in frame.locator(".jax-sim__status").inner_text()
    assert frame.locator('[id$="-jaxpr"]').inner_text() == real["jaxpr"]

    press(page, frame.get_by_role("radio", name="Forward"), "ArrowRight", 2)  # grad: adjoints from jaxlite too
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", len(real["nodes"]))
    assert frame.locator('[data-readout="dfdx"] strong').inner_text() == js_format(point["dfdx"])

    field.fill("jnp.sin(y)")
    frame.get_by_role("button", name="Trace").click()
    expect(said).to_have_text("Not traced: NameError: name 'y' is not defined", timeout=30_000)

    page.reload()  # the reader's last function is still there; a preset is shown, labelled as real JAX's
    frame, _ = open_sim(page, site_url + "/sims/graph-tracer/")
    assert frame.get_by_label("Trace your own: f(x) =").input_value() == "jnp.sin(y)"
    assert frame.locator('[id$="-origin"]').inner_text() == "A preset: traced by real JAX when this site was built."
