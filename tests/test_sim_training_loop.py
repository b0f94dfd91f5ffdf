"""The "training-loop" simulation: Chapter 9's regression problem trained by
gradient descent at 8 learning rates, one baked step per frame.

The baked steps are checked against NumPy in float64 (the gradient of the
mean squared error written out by hand, a whole re-run of the loop, the
model on the grid, least squares and the Hessian); the player is driven by
keyboard only in Chromium and must show exactly the baked numbers."""

from __future__ import annotations

import copy
import gzip
import json
import math

import numpy as np
import pytest

from sims.bake import load_baker, run_baker, validate
from sitebuild.errors import BuildError

SIM = "training-loop"
ROOT_SEL = f'.jax-sim[data-sim="{SIM}"]'
NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def value(v) -> float:
    """A baked value as a float ("inf"/"-inf"/"nan" are the non-finite ones)."""
    return NONFINITE[v] if isinstance(v, str) else float(v)


def values(seq) -> np.ndarray:
    return np.array([value(v) for v in seq], dtype=np.float64)


def features(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.stack([x**2, x, np.ones_like(x)], axis=1)


def numpy_loss_and_grad(params, x, y):
    """The mean squared error of a·x² + b·x + c and its gradient, by hand, in float64."""
    phi = features(x)
    residual = phi @ params - np.asarray(y, dtype=np.float64)
    return np.mean(residual**2), 2.0 * phi.T @ residual / len(residual)


def close(a, b, rel, abs_=1e-6) -> bool:
    return bool(np.all(np.abs(a - b) <= abs_ + rel * np.maximum(np.abs(a), np.abs(b))))


# ---- the bake ------------------------------------------------------------------


def test_the_data_are_the_chapters_noisy_parabola(data):
    import jax.numpy as jnp
    import jax.random as jr

    x = np.asarray(data["data_x"])
    assert np.allclose(x, np.linspace(-1.5, 1.5, 32), atol=1e-6)
    # The chapter's own cell, run here directly.
    x_data = jnp.linspace(-1.5, 1.5, 32)
    y_chapter = 1.5 * x_data**2 - x_data + 0.5 + 0.1 * jr.normal(jr.key(0), x_data.shape)
    assert np.array_equal(np.float32(data["data_y"]), np.asarray(y_chapter))
    # The noise around the true parabola has about the advertised size (NumPy, not JAX).
    noise = np.asarray(data["data_y"]) - (1.5 * x**2 - x + 0.5)
    assert 0.05 < noise.std() < 0.15 and abs(noise.mean()) < 0.06
    assert data["true_coefficients"] == {"a": 1.5, "b": -1.0, "c": 0.5}


def test_every_baked_step_is_one_gradient_descent_update_checked_in_float64(data):
    x, y = data["data_x"], data["data_y"]
    checked = 0
    for run in data["runs"]:
        lr = run["lr"]
        n_frames = len(run["loss"])
        assert n_frames == len(run["params"]) == len(run["grads"]) == len(run["predictions"]) == data["steps"] + 1
        assert values(run["params"][0]).tolist() == [0.0, 0.0, 0.0]
        for k in range(n_frames):
            params = values(run["params"][k])
            if not np.all(np.isfinite(params)):
                break
            loss, grad = numpy_loss_and_grad(params, x, y)
            baked_loss, baked_grad = value(run["loss"][k]), values(run["grads"][k])
            if np.isfinite(loss) and loss < 3e38:  # float32 overflows above ~3.4e38
                assert close(baked_loss, loss, rel=1e-4), (lr, k, baked_loss, loss)
                assert close(baked_grad, grad, rel=1e-4, abs_=1e-5 * max(1.0, np.abs(grad).max())), (lr, k)
            else:
                assert not math.isfinite(baked_loss), (lr, k)
            if k + 1 < n_frames and np.all(np.isfinite(baked_grad)):
                # params[k + 1] = params[k] - lr * grads[k], the tree.map update.
                expected = params - lr * baked_grad
                assert close(values(run["params"][k + 1]), expected, rel=1e-6, abs_=1e-7), (lr, k)
            checked += 1
    assert checked > 500


def test_stable_learning_rates_match_a_whole_float64_numpy_rerun(data):
    x, y = data["data_x"], data["data_y"]
    stable = [run for run in data["runs"] if run["lr"] < value(data["stability_limit"])]
    assert len(stable) >= 4
    for run in stable:
        params = np.zeros(3)
        for k in range(data["steps"] + 1):
            loss, grad = numpy_loss_and_grad(params, x, y)
            assert close(value(run["loss"][k]), loss, rel=2e-3, abs_=1e-6), (run["lr"], k)
            assert close(values(run["params"][k]), params, rel=2e-3, abs_=1e-5), (run["lr"], k)
            params = params - run["lr"] * grad


def test_predictions_are_the_model_on_the_grid_to_four_significant_digits(data):
    grid = np.asarray(data["grid_x"])
    assert np.allclose(grid, np.linspace(-1.5, 1.5, len(grid)), atol=1e-6) and len(grid) == 40
    assert data["prediction_digits"] == 4
    for run in data["runs"]:
        for k, (p, preds) in enumerate(zip(run["params"], run["predictions"])):
            params = values(p)
            baked = values(preds)
            if np.all(np.isfinite(params)):
                terms = features(grid) * params
                expected = terms.sum(axis=1)
                partial = np.cumsum(terms, axis=1)  # a·x², a·x² + b·x, the prediction: all in float32
                fits = np.maximum(np.abs(terms), np.abs(partial)).max(axis=1) < 3e38  # float32 overflows at ~3.4e38
                scale = np.abs(params).max() * 1e-6 + 1e-6  # float32 evaluation of the terms
                ok = np.abs(baked - expected) <= 6e-4 * np.abs(expected) + scale
                assert np.all(ok[fits]), (run["lr"], k)
                assert not np.any(np.isfinite(baked[np.abs(expected) > 3.5e38])), (run["lr"], k)
                for v in preds:  # rounded to 4 significant digits
                    assert isinstance(v, str) or v == 0 or float(f"{v:.3e}") == v
            else:
                assert not np.any(np.isfinite(baked)), (run["lr"], k)


def test_some_learning_rates_diverge_to_inf_or_nan_and_some_converge(data):
    runs = data["runs"]
    lrs = [run["lr"] for run in runs]
    assert lrs == sorted(lrs) and len(lrs) == 8 and min(lrs) <= 0.002 and max(lrs) >= 3
    assert {0.02, 0.2, 0.6} <= set(lrs)  # the chapter's three rates
    diverging = [run for run in runs if any(isinstance(v, str) for v in run["loss"])]
    converging = [run for run in runs if isinstance(run["loss"][-1], float) and run["loss"][-1] < run["loss"][0] / 10]
    assert diverging and converging
    for run in runs:
        losses = values(run["loss"])
        bad = [k for k, v in enumerate(losses) if not np.isfinite(v)]
        assert run["first_nonfinite_step"] == (bad[0] if bad else None)
        if bad:  # once not finite, never finite again
            assert bad == list(range(bad[0], len(losses)))
        limit = value(data["stability_limit"])
        assert (run["verdict"] == "diverges") == (run["lr"] > limit), run["lr"]
        if run["verdict"] == "converges":
            assert losses[-1] <= 1.01 * value(data["least_squares"]["loss"])
    # The fastest stable rate ends at the least-squares loss; NaN appears after the overflow.
    assert any(run["verdict"] == "converges" for run in runs)
    assert any("nan" in run["loss"] for run in runs) and any("inf" in run["loss"] for run in runs)


def test_least_squares_and_stability_limit_match_numpy(data):
    phi, y = features(data["data_x"]), np.asarray(data["data_y"])
    solution = np.linalg.lstsq(phi, y, rcond=None)[0]
    assert close(values(data["least_squares"]["params"]), solution, rel=1e-4, abs_=1e-5)
    best_loss = np.mean((phi @ solution - y) ** 2)
    assert close(value(data["least_squares"]["loss"]), best_loss, rel=1e-4)
    hessian = 2.0 * phi.T @ phi / len(y)
    eig = np.linalg.eigvalsh(hessian)
    assert close(values(data["hessian_eigenvalues"]), eig, rel=1e-5)
    assert close(value(data["stability_limit"]), 2.0 / eig[-1], rel=1e-5)


def test_non_finite_values_are_the_strings_inf_and_nan_and_the_file_is_strict_json(data):
    def walk(obj):
        if isinstance(obj, dict):
            for v in obj.values():
                yield from walk(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from walk(v)
        else:
            yield obj

    leaves = list(walk(data))
    assert all(not isinstance(v, str) or v in NONFINITE or v in ("converges", "slow", "diverges", "a", "b", "c") for v in leaves)
    assert all(not isinstance(v, float) or math.isfinite(v) for v in leaves)
    json.dumps(data, allow_nan=False)
    assert len(gzip.compress(json.dumps(data, separators=(",", ":")).encode())) < 100_000


def test_the_bake_matches_its_schema_and_the_schema_rejects_a_bare_infinity(envelope):
    validate(SIM, envelope)
    broken = copy.deepcopy(envelope)
    broken["data"]["runs"][0]["loss"][3] = "Infinity"
    with pytest.raises(BuildError):
        validate(SIM, broken)
    broken = copy.deepcopy(envelope)
    broken["data"]["runs"][0]["surprise"] = 1
    with pytest.raises(BuildError):
        validate(SIM, broken)


def test_baking_twice_gives_identical_data(envelope):
    baker = load_baker(SIM)
    assert baker.TIMINGS == () and baker.DEVICES == 1
    assert run_baker(SIM)["data"] == envelope["data"]


# ---- the player, by keyboard ------------------------------------------------------


def js_number(v) -> str:
    """What the player shows for a baked value (its `num`): 4 significant
    digits, exponent form below 1e-3 and from 1e4, a real minus sign."""
    if isinstance(v, str):
        return {"inf": "∞", "-inf": "−∞", "nan": "NaN"}[v]
    if v == 0:
        return "0"

    def exponential(x: float, digits: int) -> str:
        mantissa, exp = f"{x:.{digits}e}".split("e")
        return f"{mantissa}e{'+' if int(exp) >= 0 else '-'}{abs(int(exp))}"

    if abs(v) < 1e-3 or abs(v) >= 1e4:
        text = exponential(v, 3)
    else:  # Number.prototype.toPrecision(4)
        exp = int(f"{v:.3e}".split("e")[1])
        text = exponential(v, 3) if exp >= 4 else f"{v:.{3 - exp}f}"
    return text.replace("-", "−", 1) if text.startswith("-") else text


def open_sim(page, site_url, path="/chapters/09-showcase/"):
    page.goto(site_url + path)
    root = page.locator(ROOT_SEL)
    root.locator(".jax-sim__frame").wait_for(timeout=10000)
    data = page.evaluate(f"ThinkingInJaxSims.data['{SIM}'].data")
    return root, data


def readout(root, key) -> str:
    return root.locator(f'[data-readout="{key}"]').inner_text().strip()


def current_lr(root, data) -> dict:
    index = int(root.locator('input[type="range"]').input_value())
    return data["runs"][index]


def test_js_number_formatting_replica():
    assert js_number(4.928) == "4.928" and js_number(0.011912581) == "0.01191"
    assert js_number(-1.0211581) == "−1.021" and js_number(1.2059229e16) == "1.206e+16"
    assert js_number(-2.358e-05) == "−2.358e-5" and js_number("nan") == "NaN" and js_number(0.0) == "0"


@pytest.mark.browser
def test_arrow_right_on_the_learning_rate_slider_selects_the_next_baked_rate(page, site_url):
    root, data = open_sim(page, site_url)
    slider = root.locator('input[type="range"]')
    before = current_lr(root, data)
    assert before["lr"] == 0.2 and readout(root, "step") == f"0 / {data['steps']}"
    slider.focus()
    page.keyboard.press("ArrowRight")
    after = current_lr(root, data)
    assert after["lr"] == data["runs"][data["runs"].index(before) + 1]["lr"]
    assert root.locator("label", has_text="Learning rate").inner_text().strip() == f"Learning rate: {after['lr']:g}"
    page.keyboard.press("Home")
    assert current_lr(root, data)["lr"] == data["runs"][0]["lr"]
    page.keyboard.press("End")
    assert current_lr(root, data)["lr"] == data["runs"][-1]["lr"]
    assert page.evaluate("document.activeElement.type") == "range"  # focus survives the re-render


@pytest.mark.browser
@pytest.mark.parametrize("k", [1, 5, 17])
def test_pressing_step_k_times_shows_the_baked_loss_and_parameters_of_step_k(page, site_url, k):
    root, data = open_sim(page, site_url)
    run = current_lr(root, data)
    step = root.get_by_role("button", name="Step")
    step.focus()
    for _ in range(k):
        page.keyboard.press("Enter")
    assert readout(root, "step") == f"{k} / {data['steps']}"
    assert readout(root, "loss") == js_number(run["loss"][k])
    assert readout(root, "params") == ", ".join(js_number(v) for v in run["params"][k])
    assert readout(root, "grads") == ", ".join(js_number(v) for v in run["grads"][k])
    assert js_number(run["loss"][k]) in root.locator(".jax-sim__status").inner_text()
    # The curve is the baked predictions, point for point.
    points = root.locator('polyline[data-curve="model"]').get_attribute("points").split()
    assert len(points) == len(data["grid_x"]) == len(run["predictions"][k])


@pytest.mark.browser
def test_a_diverging_rate_shows_infinity_then_nan_and_stops_drawing_the_curve(page, site_url):
    root, data = open_sim(page, site_url)
    root.locator('input[type="range"]').focus()
    page.keyboard.press("End")
    run = current_lr(root, data)
    bad = run["first_nonfinite_step"]
    assert bad is not None
    step = root.get_by_role("button", name="Step")
    step.focus()
    for _ in range(bad - 1):
        page.keyboard.press("Enter")
    assert readout(root, "loss") == js_number(run["loss"][bad - 1]) != "∞"
    page.keyboard.press("Enter")
    assert readout(root, "loss") == js_number(run["loss"][bad]) in ("∞", "NaN")
    message = readout(root, "message")
    assert "The updates overshoot: this learning rate diverges" in message
    for _ in range(data["steps"]):
        page.keyboard.press("Enter")
    assert readout(root, "step") == f"{data['steps']} / {data['steps']}"
    assert readout(root, "loss") == js_number(run["loss"][-1]) == "NaN"
    assert root.locator('polyline[data-curve="model"]').count() == 0
    assert "no curve to draw" in root.locator("svg").text_content()


@pytest.mark.browser
def test_the_table_lists_the_baked_steps_so_far(page, site_url):
    root, data = open_sim(page, site_url)
    run = current_lr(root, data)
    root.get_by_role("button", name="Step").focus()
    for _ in range(6):
        page.keyboard.press("Enter")
    toggle = root.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = root.locator(".jax-sim__table tbody tr")
    assert rows.count() == 7
    assert [c.strip() for c in root.locator(".jax-sim__table thead th").all_inner_texts()] == ["step", "loss", "a", "b", "c"]
    for k in range(7):
        cells = [c.strip() for c in rows.nth(k).locator("td").all_inner_texts()]
        assert cells == [str(k), js_number(run["loss"][k])] + [js_number(v) for v in run["params"][k]]


@pytest.mark.browser
def test_dark_mode_redraws_with_the_dark_palette(page, site_url):
    root, _ = open_sim(page, site_url)
    curve = root.locator('polyline[data-curve="model"]')
    light = curve.get_attribute("stroke")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function(f"""() => {{
        const c = document.querySelector('{ROOT_SEL} polyline[data-curve="model"]');
        return c && c.getAttribute('stroke') !== {json.dumps(light)};
    }}""", timeout=5000)
    assert curve.get_attribute("stroke") != light


@pytest.mark.browser
def test_play_animates_real_steps_and_pause_stops_them(page, site_url):
    root, data = open_sim(page, site_url)
    play = root.get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{ROOT_SEL} [data-readout=step]').textContent.split(' ')[0] >= 3",
                           timeout=5000)
    page.keyboard.press("Enter")  # the same button, now "Pause"
    paused = readout(root, "step")
    page.wait_for_timeout(600)
    assert readout(root, "step") == paused
    k = int(paused.split()[0])
    assert readout(root, "loss") == js_number(current_lr(root, data)["loss"][k])


@pytest.mark.browser
def test_with_reduced_motion_play_jumps_to_the_last_step_without_animating(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    root, data = open_sim(page, site_url)
    run = current_lr(root, data)
    root.get_by_role("button", name="Play").focus()
    page.keyboard.press("Enter")
    last = f"{data['steps']} / {data['steps']}"
    assert readout(root, "step") == last
    assert readout(root, "loss") == js_number(run["loss"][-1])
    root.get_by_role("button", name="Reset").focus()
    page.keyboard.press("Enter")
    assert readout(root, "step") == f"0 / {data['steps']}"
    page.wait_for_timeout(1000)  # no timer moves it
    assert readout(root, "step") == f"0 / {data['steps']}"


@pytest.mark.browser
def test_the_deep_link_page_holds_the_same_simulation(page, site_url):
    root, data = open_sim(page, site_url, f"/sims/{SIM}/")
    assert page.locator("h1").inner_text().strip().rstrip("¶") == "A training loop, step by step"
    root.get_by_role("button", name="Step").focus()
    page.keyboard.press("Space")
    assert readout(root, "loss") == js_number(current_lr(root, data)["loss"][1])
    assert page.locator('a[href*="chapters/09-showcase/"]').count() >= 1
