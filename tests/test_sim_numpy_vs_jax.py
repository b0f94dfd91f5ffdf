"""numpy-vs-jax: every baked outcome is what NumPy and JAX really do (re-run
here, independently of the baker), the "what differs" line agrees with the
outcomes, the "why" sentences' claims hold in JAX, and the player shows the
baked outcomes, chosen by keyboard, in both themes, on a phone, without
animating."""

from __future__ import annotations

import gzip
import json
import warnings

import numpy as np
import pytest

from sims.bake import load_baker, run_baker, validate

SIM = "numpy-vs-jax"
CHAPTER = "/chapters/01-jax-numpy/"

# The test's own copy of every snippet (the code the page promises), run here
# with plain exec/eval, not with the baker's runner.
SNIPPETS = {
    "inplace": ("x = np.array([1, 2, 3])\nx[0] = 99\nx", "x = jnp.array([1, 2, 3])\nx[0] = 99\nx"),
    "at-set": ("x = np.array([1, 2, 3])\nx.at[0].set(99)", "x = jnp.array([1, 2, 3])\nx.at[0].set(99)"),
    "oob-read": ("x = np.array([1, 2, 3])\nx[10]", "x = jnp.array([1, 2, 3])\nx[10]"),
    "oob-write": ("x = np.array([1, 2, 3])\nx[10] = 99\nx", "x = jnp.array([1, 2, 3])\nx.at[10].set(99)"),
    "default-dtype": ("np.array([1.0, 2.0]).dtype", "jnp.array([1.0, 2.0]).dtype"),
    "float64": ("np.zeros(2, dtype=np.float64)", "jnp.zeros(2, dtype=jnp.float64)"),
    "div-zero": ("np.array([1., 0.]) / 0", "jnp.array([1., 0.]) / 0"),
    "promotion": ("np.array([1, 2], dtype=np.int32) + np.array([0.5], dtype=np.float32)",
                  "jnp.array([1, 2], dtype=jnp.int32) + jnp.array([0.5], dtype=jnp.float32)"),
    "int8-overflow": ("np.array([1, 2], dtype=np.int8) + 1000", "jnp.array([1, 2], dtype=jnp.int8) + 1000"),
}


def rerun(code: str, namespace: dict) -> dict:
    """Run a snippet: all lines but the last as statements, the last as an expression."""
    *statements, last = code.split("\n")
    ns = dict(namespace)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for line in statements:
                exec(line, ns)
            value = eval(last, ns)
            out = {"repr": repr(value), "exception": None,
                   "dtype": None if isinstance(value, np.dtype) else str(value.dtype)}
        except Exception as err:
            out = {"repr": None, "dtype": None, "exception": (type(err).__name__, str(err))}
    out["warnings"] = [(w.category.__name__, str(w.message)) for w in caught]
    return out


@pytest.fixture(scope="module")
def ops(envelope):
    return {op["id"]: op for op in envelope["data"]["operations"]}


# ---- the baker ----------------------------------------------------------------


def test_bake_matches_its_schema_and_stays_small(envelope):
    validate(SIM, envelope)
    assert len(gzip.compress(json.dumps(envelope["data"]).encode())) < 100_000


def test_bake_is_deterministic(envelope):
    assert load_baker(SIM).TIMINGS == ()
    assert run_baker(SIM)["data"] == envelope["data"]


def test_offers_the_operations_the_chapter_promises_with_the_code_shown(envelope, ops):
    assert [op["id"] for op in envelope["data"]["operations"]] == list(SNIPPETS)
    for op_id, (np_code, jx_code) in SNIPPETS.items():
        assert ops[op_id]["numpy"]["code"] == np_code
        assert ops[op_id]["jax"]["code"] == jx_code
    assert envelope["data"]["numpy_version"] == np.__version__


def test_every_baked_outcome_equals_rerunning_the_snippet_here(ops):
    import jax.numpy as jnp

    for op_id, (np_code, jx_code) in SNIPPETS.items():
        for side, code, ns in (("numpy", np_code, {"np": np}), ("jax", jx_code, {"jnp": jnp})):
            baked, real = ops[op_id][side], rerun(code, ns)
            where = (op_id, side)
            assert baked["repr"] == real["repr"], where
            assert baked["dtype"] == real["dtype"], where
            assert baked["ok"] == (real["exception"] is None), where
            exc = baked["exception"]
            assert (exc and (exc["type"], exc["message"])) == (real["exception"] and real["exception"]), where
            assert [(w["category"], w["message"]) for w in baked["warnings"]] == real["warnings"], where


def test_the_differences_are_the_ones_the_chapter_describes(ops):
    def exc(op, side):
        return ops[op][side]["exception"] and ops[op][side]["exception"]["type"]

    assert (exc("inplace", "numpy"), exc("inplace", "jax")) == (None, "TypeError")
    assert "immutable" in ops["inplace"]["jax"]["exception"]["message"]
    assert (exc("at-set", "numpy"), ops["at-set"]["jax"]["repr"]) == ("AttributeError", "Array([99,  2,  3], dtype=int32)")
    assert ops["at-set"]["numpy"]["exception"]["message"] == "'numpy.ndarray' object has no attribute 'at'"
    assert (exc("oob-read", "numpy"), ops["oob-read"]["jax"]["repr"]) == ("IndexError", "Array(3, dtype=int32)")
    assert (exc("oob-write", "numpy"), ops["oob-write"]["jax"]["repr"]) == ("IndexError", "Array([1, 2, 3], dtype=int32)")
    assert (ops["default-dtype"]["numpy"]["repr"], ops["default-dtype"]["jax"]["repr"]) == ("dtype('float64')", "dtype('float32')")
    f64 = ops["float64"]["jax"]
    assert f64["dtype"] == "float32" and [w["category"] for w in f64["warnings"]] == ["UserWarning"]
    assert "float64" in f64["warnings"][0]["message"] and "jax_enable_x64" in f64["warnings"][0]["message"]
    assert [w["category"] for w in ops["div-zero"]["numpy"]["warnings"]] == ["RuntimeWarning"] * 2
    assert ops["div-zero"]["jax"]["warnings"] == [] and "inf, nan" in ops["div-zero"]["jax"]["repr"]
    assert (ops["promotion"]["numpy"]["dtype"], ops["promotion"]["jax"]["dtype"]) == ("float64", "float32")
    assert (exc("int8-overflow", "numpy"), ops["int8-overflow"]["jax"]["repr"]) == ("OverflowError", "Array([-23, -22], dtype=int8)")


def test_the_why_sentences_claims_hold_in_jax(ops):
    import jax.numpy as jnp

    x = jnp.array([1, 2, 3])
    assert x[10] == x[-1] == x[2]                        # "clamps the index ... reads the last element"
    assert x[-10] == x[0]                                # clamping works at the other end too
    assert (x.at[10].set(99) == x).all()                 # "dropped: the array comes back unchanged"
    y = x.at[0].set(99)
    assert int(x[0]) == 1 and int(y[0]) == 99           # ".at returns a new array and leaves x as it was"
    assert 1 + 1000 - 4 * 256 == -23                     # the wrap-around arithmetic quoted
    assert np.promote_types(np.int32, np.float32) == np.float64
    assert jnp.promote_types(jnp.int32, jnp.float32) == jnp.float32
    assert "once" not in ops["float64"]["why"]           # the warning repeats wherever the filter lets it


def test_what_differs_line_agrees_with_the_captured_outcomes(ops):
    for op_id, op in ops.items():
        n, j, line = op["numpy"], op["jax"], op["differs"]
        if not n["ok"]:
            assert line.startswith(f"NumPy raises {n['exception']['type']}; JAX returns {j['repr']}"), op_id
        if not j["ok"]:
            assert line.startswith(f"NumPy returns {n['repr']}; JAX raises {j['exception']['type']}"), op_id
        if n["ok"] and j["ok"] and n["dtype"] and j["dtype"]:
            assert ("different dtypes" in line) == (n["dtype"] != j["dtype"]), op_id
        for side, name in ((n, "NumPy"), (j, "JAX")):
            if side["warnings"]:
                assert f"{name} emits" in line and side["warnings"][0]["category"] in line, op_id
            else:
                assert f"{name} emits" not in line, op_id
    assert ops["div-zero"]["differs"] == ("Same values, different dtypes: NumPy float64, JAX float32. "
                                         "NumPy emits 2 RuntimeWarnings; JAX is silent.")
    assert ops["default-dtype"]["differs"] == "NumPy says float64; JAX says float32."


def test_what_differs_covers_both_raising_and_identical_outcomes():
    baker = load_baker(SIM)
    raise_ = lambda t: {"ok": False, "repr": None, "dtype": None, "exception": {"type": t, "message": ""}, "warnings": []}
    assert baker.what_differs(raise_("IndexError"), raise_("IndexError"), None, None) == "Both raise IndexError."
    assert baker.what_differs(raise_("IndexError"), raise_("TypeError"), None, None) == \
        "NumPy raises IndexError; JAX raises TypeError."
    same = {"ok": True, "repr": "r", "dtype": "int8", "exception": None, "warnings": []}
    assert baker.what_differs(same, same, np.array([1], np.int8), np.array([1], np.int8)) == "Same values, same dtype int8."


# ---- the player, in Chromium ---------------------------------------------------


def open_sim(page, site_url, path=CHAPTER):
    page.goto(site_url + path)
    frame = page.locator(f'.jax-sim[data-sim="{SIM}"] .jax-sim__frame')
    frame.wait_for(timeout=10000)
    data = page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]
    return frame, data


def shown(frame, side: str) -> dict:
    col = frame.locator(f'section[data-side="{side}"]')
    result = col.locator(f'[data-readout="{side}-result"]')
    out = {"code": col.locator(f'[data-readout="{side}-code"]').inner_text(),
           "dtype": col.locator(f'[data-readout="{side}-dtype"]').inner_text(),
           "warnings": col.locator("[data-warning]").all_inner_texts()}
    if result.get_attribute("data-outcome") == "value":
        out["repr"] = col.locator(f'[data-readout="{side}-repr"]').inner_text()
    else:
        out["exception"] = col.locator(f'[data-readout="{side}-exception"]').inner_text()
        out["message"] = col.locator(f'[data-readout="{side}-message"]').inner_text()
    return out


def expected(op: dict, side: str) -> dict:
    o = op[side]
    out = {"code": o["code"], "warnings": [f"⚠ {w['category']}: {w['message']}" for w in o["warnings"]],
           "dtype": o["dtype"] if o["dtype"] is not None else ("— (the value is a dtype)" if o["ok"] else "— (no value)")}
    if o["ok"]:
        out["repr"] = o["repr"]
    else:
        out["exception"] = "✖ raises " + o["exception"]["type"]
        out["message"] = o["exception"]["message"]
    return out


def checked(frame) -> str:
    return frame.locator('[role="radio"][aria-checked="true"]').get_attribute("data-op")


@pytest.mark.browser
def test_arrow_keys_reach_out_of_bounds_read_and_jax_column_shows_the_baked_repr(page, site_url):
    frame, data = open_sim(page, site_url)
    ops = {op["id"]: op for op in data["operations"]}
    first = frame.get_by_role("radio", name=data["operations"][0]["label"])
    first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert checked(frame) == "oob-read"
    assert page.evaluate("document.activeElement.getAttribute('data-op')") == "oob-read"  # focus follows the choice
    op = ops["oob-read"]
    assert frame.locator('[data-readout="jax-repr"]').inner_text() == op["jax"]["repr"] == "Array(3, dtype=int32)"
    assert shown(frame, "jax") == expected(op, "jax")
    assert shown(frame, "numpy") == expected(op, "numpy")
    assert frame.locator('[data-readout="differs"]').inner_text() == op["differs"]
    assert op["differs"] in frame.locator(".jax-sim__status").inner_text()


@pytest.mark.browser
def test_every_operation_by_keyboard_shows_both_baked_outcomes(page, site_url):
    frame, data = open_sim(page, site_url, f"/sims/{SIM}/")
    frame.get_by_role("radio", name=data["operations"][0]["label"]).focus()
    for k, op in enumerate(data["operations"]):
        if k:
            page.keyboard.press("ArrowDown")
        assert checked(frame) == op["id"]
        assert shown(frame, "numpy") == expected(op, "numpy"), op["id"]
        assert shown(frame, "jax") == expected(op, "jax"), op["id"]
        assert frame.locator('[data-readout="why"]').inner_text() == op["why"]
    page.keyboard.press("ArrowRight")  # wraps around to the first
    assert checked(frame) == data["operations"][0]["id"]
    page.keyboard.press("End")
    assert checked(frame) == data["operations"][-1]["id"]
    page.keyboard.press("Home")
    assert checked(frame) == data["operations"][0]["id"]
    # one tab stop for the whole group (roving tabindex)
    assert frame.locator('[role="radio"][tabindex="0"]').count() == 1


@pytest.mark.browser
def test_exceptions_and_warnings_are_styled_apart_from_values(page, site_url):
    frame, data = open_sim(page, site_url)
    frame.get_by_role("radio", name=data["operations"][0]["label"]).focus()
    exc = frame.locator('[data-readout="jax-exception"]')
    assert exc.inner_text() == "✖ raises TypeError"
    assert exc.evaluate("e => getComputedStyle(e).color") != frame.locator('[data-readout="numpy-repr"]').evaluate(
        "e => getComputedStyle(e).color")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert checked(frame) == "div-zero"
    assert frame.locator('section[data-side="numpy"] [data-warning="RuntimeWarning"]').count() == 2
    assert frame.locator('section[data-side="jax"] [data-warning]').count() == 0
    assert frame.locator('section[data-side="jax"] [data-readout="jax-warnings"]').inner_text() == "no warnings"


@pytest.mark.browser
def test_table_lists_every_operation_with_both_results(page, site_url):
    frame, data = open_sim(page, site_url, f"/sims/{SIM}/")
    toggle = frame.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = frame.locator(".jax-sim__table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
    assert len(rows) == len(data["operations"])

    def text(o):
        s = o["repr"] if o["ok"] else f"raises {o['exception']['type']}: {o['exception']['message']}"
        if o["warnings"]:
            s += " — warns: " + "; ".join(f"{w['category']}: {w['message']}" for w in o["warnings"])
        return s

    for k, (row, op) in enumerate(zip(rows, data["operations"])):
        assert row == [op["label"] + (" ◀" if k == 0 else ""), text(op["numpy"]), text(op["jax"])]
    assert [c.strip() for c in frame.locator(".jax-sim__table th").all_inner_texts()] == \
        ["operation", "NumPy result", "JAX result"]


@pytest.mark.browser
def test_dark_mode_redraws_in_the_dark_palette(page, site_url):
    frame, _ = open_sim(page, site_url)
    col = frame.locator('section[data-side="jax"]')
    light = col.evaluate("e => e.style.borderTopColor")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function("(c) => document.querySelector('.jax-sim[data-sim=\"numpy-vs-jax\"] section[data-side=\"jax\"]')"
                           ".style.borderTopColor !== c", arg=light)
    assert col.evaluate("e => e.style.borderTopColor") != light


@pytest.mark.browser
def test_with_reduced_motion_a_choice_shows_at_once_and_nothing_moves(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    frame, data = open_sim(page, site_url)
    ops = {op["id"]: op for op in data["operations"]}
    frame.get_by_role("radio", name=data["operations"][0]["label"]).focus()
    page.keyboard.press("End")
    op = ops[data["operations"][-1]["id"]]
    assert shown(frame, "jax") == expected(op, "jax")
    before = frame.inner_html()
    page.wait_for_timeout(1000)
    assert frame.inner_html() == before  # no timer changes anything by itself
    assert page.evaluate("document.getAnimations().length") == 0


@pytest.mark.browser
def test_on_a_phone_the_columns_stack_and_still_work(page, site_url):
    page.set_viewport_size({"width": 390, "height": 900})
    frame, data = open_sim(page, site_url, f"/sims/{SIM}/")
    a = frame.locator('section[data-side="numpy"]').bounding_box()
    b = frame.locator('section[data-side="jax"]').bounding_box()
    assert b["y"] >= a["y"] + a["height"] - 1  # JAX below NumPy
    frame.get_by_role("radio", name=data["operations"][0]["label"]).focus()
    page.keyboard.press("ArrowLeft")  # wraps to the last operation
    assert shown(frame, "jax") == expected(data["operations"][-1], "jax")
    assert page.locator('a[href$="chapters/01-jax-numpy/"]').count() >= 1
