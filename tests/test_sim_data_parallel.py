"""The "data-parallel" simulation: Chapter 6's data-parallel step on 1, 2, 4
and 8 simulated devices, and the blocks of a 4 × 8 array on a 2 × 4 mesh.

The bake is checked against independent computations: the chapter's batch
regenerated with jax.random here, every local and averaged gradient and the
update redone in float64 NumPy from the shard rows, the blocks of each
PartitionSpec derived from first principles and from a real NamedSharding on
a mesh built another way (`Mesh` over 8 devices, in a fresh process). The
player is driven by keyboard only in Chromium and must show exactly the
baked numbers."""

from __future__ import annotations

import copy
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from sims.bake import ROOT, load_baker, run_baker, validate
from sitebuild.errors import BuildError

SIM = "data-parallel"
ROOT_SEL = f'.jax-sim[data-sim="{SIM}"]'
CHAPTER = "/chapters/06-parallelism/"


def close(a, b, rel=1e-5, abs_=1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.all(np.abs(a - b) <= abs_ + rel * np.maximum(np.abs(a), np.abs(b))))


def numpy_loss_and_grad(x, y, params):
    """Mean squared error of x·w + b and its gradient [w0, w1, w2, b], by hand, in float64."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w, b = np.asarray(params[:3], dtype=np.float64), float(params[3])
    r = x @ w + b - y
    return np.mean(r**2), np.concatenate([2.0 * x.T @ r / len(r), [2.0 * r.mean()]])


# ---- the baked data-parallel step --------------------------------------------------


def test_the_batch_is_the_chapters_batch_regenerated_with_jax_random(data):
    import jax
    import jax.numpy as jnp

    k_x, k_noise = jax.random.split(jax.random.key(0))
    X = jax.random.normal(k_x, (16, 3))
    Y = X @ jnp.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * jax.random.normal(k_noise, (16,))
    assert np.array_equal(np.asarray(data["x"], dtype=np.float32), np.asarray(X))
    assert np.array_equal(np.asarray(data["y"], dtype=np.float32), np.asarray(Y))
    assert data["initial_params"] == [0.0, 0.0, 0.0, 0.0] and data["learning_rate"] == 0.1


def test_each_device_count_splits_the_batch_so_every_example_is_on_exactly_one_device(data):
    assert [run["devices"] for run in data["runs"]] == [1, 2, 4, 8]
    for run in data["runs"]:
        n = run["devices"]
        assert [s["device"] for s in run["shards"]] == list(range(n))  # the first n devices
        seen = []
        for k, shard in enumerate(run["shards"]):
            start, stop = shard["rows"]
            assert stop - start == 16 // n and start == k * 16 // n   # equal, in order
            assert shard["examples_seen"] == list(range(start, stop))  # what shard_map saw is what X's shard holds
            seen += shard["examples_seen"]
        assert sorted(seen) == list(range(16)) and len(seen) == 16
        assert run["x_type"] == "float32[16@data,3]"
        assert run["block_type"] == f"float32[{16 // n},3]{{V:data}}"


def test_every_local_gradient_is_the_numpy_gradient_on_that_devices_shard(data):
    x, y = np.asarray(data["x"]), np.asarray(data["y"])
    for run in data["runs"]:
        for shard in run["shards"]:
            rows = slice(*shard["rows"])
            loss, grad = numpy_loss_and_grad(x[rows], y[rows], data["initial_params"])
            assert close(shard["loss"], loss, rel=1e-5), (run["devices"], shard["device"])
            assert close(shard["grad"], grad, rel=1e-5, abs_=1e-5), (run["devices"], shard["device"])
    # With more than one device the local gradients really differ.
    assert all(len({tuple(s["grad"]) for s in run["shards"]}) == run["devices"] for run in data["runs"])


def test_the_averaged_gradient_equals_the_full_batch_gradient_computed_with_numpy(data):
    loss, grad = numpy_loss_and_grad(data["x"], data["y"], data["initial_params"])
    assert close(data["full_batch"]["grad"], grad, rel=1e-5)
    assert close(data["full_batch"]["loss"], loss, rel=1e-5)
    for run in data["runs"]:
        assert close(run["averaged_grad"], grad, rel=1e-5), run["devices"]
        assert close(run["mean_loss"], loss, rel=1e-5), run["devices"]
        local_mean = np.mean([s["grad"] for s in run["shards"]], axis=0)
        assert close(run["averaged_grad"], local_mean, rel=1e-5)
        diff = np.abs(np.asarray(run["averaged_grad"]) - np.asarray(data["full_batch"]["grad"])).max()
        assert run["max_abs_diff_from_full_batch"] == pytest.approx(diff, abs=1e-7) and diff < 1e-5


def test_every_device_holds_identical_averaged_gradients_and_updated_parameters(data):
    _, grad = numpy_loss_and_grad(data["x"], data["y"], data["initial_params"])
    expected = np.asarray(data["initial_params"]) - data["learning_rate"] * grad
    for run in data["runs"]:
        for shard in run["shards"]:
            assert shard["averaged_grad"] == run["averaged_grad"]  # bit for bit, on every device
            assert shard["params"] == run["params"]
        assert close(run["params"], expected, rel=1e-5)
        # pmap: one row per device, all equal, the same step.
        assert len(run["pmap"]["params"]) == run["devices"]
        assert all(row == run["pmap"]["params"][0] for row in run["pmap"]["params"])
        assert close(run["pmap"]["params"][0], run["params"], rel=1e-5)
        assert close(run["pmap"]["averaged_grad"][0], run["averaged_grad"], rel=1e-5)


def test_the_compiled_step_holds_one_all_reduce_over_exactly_the_meshs_devices(data):
    for run in data["runs"]:
        n = run["devices"]
        assert run["collectives"] == ["all-reduce"]
        groups = {"{{" + ",".join(str(d) for d in range(n)) + "}}"}
        assert {a["replica_groups"] for a in run["all_reduces"]} == groups
        assert run["local_grad_type"] == "float32[3]{V:data}" and run["averaged_grad_type"] == "float32[3]"


# ---- the sharding diagrams -----------------------------------------------------------


def first_principles_block(entries, mesh_position, shape=(4, 8), mesh_axes=("data", "model"), mesh_shape=(2, 4)):
    """The slice of each array axis a device holds, from the spec alone."""
    bounds = []
    for axis, n in enumerate(shape):
        name = entries[axis] if axis < len(entries) else None
        if name is None:
            bounds.append([0, n])
        else:
            k = mesh_axes.index(name)
            size, pos = mesh_shape[k], mesh_position[k]
            bounds.append([pos * n // size, (pos + 1) * n // size])
    return bounds


REAL_SHARDING = r"""
import json, numpy as np, jax, jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
mesh = Mesh(np.array(jax.devices()).reshape(2, 4), ('data', 'model'))   # Auto axes: built another way
x = jnp.arange(32.0).reshape(4, 8)
out = {}
for entries in json.loads(input()):
    s = NamedSharding(mesh, P(*entries))
    placed = jax.device_put(x, s)
    out[json.dumps(entries)] = {str(d.id): [list(sl.indices(n)[:2]) for sl, n in zip(idx, x.shape)]
                                for d, idx in s.devices_indices_map(x.shape).items()}
    out[json.dumps(entries) + " data"] = {str(sh.device.id): np.asarray(sh.data).tolist() for sh in placed.addressable_shards}
print(json.dumps(out))
"""


def test_sharding_blocks_equal_a_real_named_sharding_and_first_principles(data):
    sh = data["sharding"]
    env = dict(os.environ, JAX_PLATFORMS="cpu", XLA_FLAGS="--xla_force_host_platform_device_count=8", PYTHONPATH=str(ROOT))
    specs = [s["entries"] for s in sh["specs"]]
    proc = subprocess.run([sys.executable, "-c", REAL_SHARDING], input=json.dumps(specs), capture_output=True,
                          text=True, env=env, timeout=300, check=True)
    real = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [s["spec"] for s in sh["specs"]] == ["P()", "P('data')", "P(None, 'model')", "P('data', 'model')", "P('model', 'data')"]
    assert sh["mesh_devices"] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    array = np.arange(32.0).reshape(4, 8)
    assert np.array_equal(np.asarray(sh["array"]), array)
    for spec in sh["specs"]:
        key = json.dumps(spec["entries"])
        assert [d["device"] for d in spec["devices"]] == list(range(8))
        for d in spec["devices"]:
            block = [d["rows"], d["cols"]]
            assert block == real[key][str(d["device"])], (spec["spec"], d["device"])
            assert block == first_principles_block(spec["entries"], d["mesh_position"])
            assert d["mesh_position"] == [d["device"] // 4, d["device"] % 4]
            assert np.array_equal(np.asarray(d["values"]), array[slice(*d["rows"]), slice(*d["cols"])])
            assert d["values"] == real[key + " data"][str(d["device"])]
            assert [d["rows"][1] - d["rows"][0], d["cols"][1] - d["cols"][0]] == spec["shard_shape"]


def test_the_distinct_blocks_of_every_spec_tile_the_array_exactly_once(data):
    copies_expected = {"P()": 8, "P('data')": 4, "P(None, 'model')": 2, "P('data', 'model')": 1, "P('model', 'data')": 1}
    for spec in data["sharding"]["specs"]:
        holders = {}
        for d in spec["devices"]:
            holders.setdefault((tuple(d["rows"]), tuple(d["cols"])), []).append(d)
        tiling = np.zeros((4, 8), dtype=int)
        for (rows, cols), devs in holders.items():
            tiling[slice(*rows), slice(*cols)] += 1
            assert len(devs) == copies_expected[spec["spec"]]
            assert sorted(d["replica_id"] for d in devs) == list(range(len(devs)))
        assert np.all(tiling == 1), spec["spec"]  # distinct blocks neither overlap nor leave gaps
    types = {s["spec"]: s["type"] for s in data["sharding"]["specs"]}
    assert types["P('model', 'data')"] == "float32[4@model,8@data]" and types["P()"] == "float32[4,8]"


def test_the_bake_matches_its_schema_and_the_schema_rejects_extra_or_missing_fields(envelope):
    validate(SIM, envelope)
    broken = copy.deepcopy(envelope)
    broken["data"]["runs"][0]["shards"][0]["surprise"] = 1
    with pytest.raises(BuildError):
        validate(SIM, broken)
    broken = copy.deepcopy(envelope)
    del broken["data"]["sharding"]["specs"][0]["devices"][0]["rows"]
    with pytest.raises(BuildError):
        validate(SIM, broken)
    assert envelope["provenance"]["device_count"] == 8 and envelope["provenance"]["simulated_devices"] is True
    assert len(gzip.compress(json.dumps(envelope["data"], separators=(",", ":")).encode())) < 100_000


def test_baking_twice_gives_identical_data(envelope):
    baker = load_baker(SIM)
    assert baker.TIMINGS == () and baker.DEVICES == 8
    assert run_baker(SIM)["data"] == envelope["data"]


# ---- the player, by keyboard ---------------------------------------------------------


def js_number(v) -> str:
    """What the player shows for a baked value (its `num`): 4 significant
    digits, exponent form below 1e-3 and from 1e4, a real minus sign."""
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


def js_vec(values) -> str:
    return ", ".join(js_number(v) for v in values)


def test_js_number_formatting_replica():
    assert js_number(-3.592029) == "−3.592" and js_number(0.18737173) == "0.1874"
    assert js_number(19.784073) == "19.78" and js_number(5e-07) == "5.000e-7" and js_number(0.0) == "0"


def open_sim(page, site_url, path=CHAPTER):
    page.goto(site_url + path)
    root = page.locator(ROOT_SEL)
    root.locator(".jax-sim__frame").wait_for(timeout=10000)
    data = page.evaluate(f"ThinkingInJaxSims.data['{SIM}'].data")
    return root, data


def readout(root, key) -> str:
    return root.locator(f'[data-readout="{key}"]').inner_text().strip()


def device_radio(root, label):
    return root.get_by_role("radio", name=label, exact=True)


def checked_devices(root, data) -> dict:
    for run in data["runs"]:
        n = run["devices"]
        if device_radio(root, f"{n} device" + ("" if n == 1 else "s")).is_checked():
            return run
    raise AssertionError("no device count is checked")


def assert_step_readouts(root, data, run):
    assert readout(root, "avg-grad") == js_vec(run["averaged_grad"])
    assert readout(root, "full-grad") == js_vec(data["full_batch"]["grad"])
    assert readout(root, "params") == js_vec(run["params"])
    lines = root.locator("[data-device-grad]")
    assert lines.count() == run["devices"]
    for k, shard in enumerate(run["shards"]):
        text = lines.nth(k).inner_text().strip()
        assert text == (f"device {shard['device']} (examples {shard['rows'][0]}–{shard['rows'][1] - 1}): "
                        f"loss {js_number(shard['loss'])}, gradient {js_vec(shard['grad'])}")
    assert root.locator("svg [data-device]").count() == run["devices"]
    assert root.locator("svg [data-updated]").count() == run["devices"]


@pytest.mark.browser
def test_arrow_keys_step_through_device_counts_and_the_gradients_shown_are_the_baked_ones(page, site_url):
    root, data = open_sim(page, site_url)
    run = checked_devices(root, data)
    assert run["devices"] == 4
    assert_step_readouts(root, data, run)
    device_radio(root, "4 devices").focus()
    for expected in (8, 1, 2, 4):  # a radio group wraps around
        page.keyboard.press("ArrowRight")
        run = checked_devices(root, data)
        assert run["devices"] == expected
        assert_step_readouts(root, data, run)
        assert f"{expected} device" in root.locator(".jax-sim__status").inner_text()
        assert page.evaluate("document.activeElement.type") == "radio"  # focus survives the re-render
    page.keyboard.press("ArrowLeft")
    assert checked_devices(root, data)["devices"] == 2


@pytest.mark.browser
def test_step_walks_split_local_gradients_average_update(page, site_url):
    root, data = open_sim(page, site_url)
    run = checked_devices(root, data)
    root.get_by_role("button", name="Reset").focus()
    page.keyboard.press("Enter")
    assert readout(root, "phase") == "Phase 1 of 4: split the batch"
    assert readout(root, "avg-grad").startswith("—") and readout(root, "params").startswith("—")
    assert root.locator("[data-device-grad]").count() == 0
    step = root.get_by_role("button", name="Step")
    step.focus()
    page.keyboard.press("Enter")
    assert readout(root, "phase") == "Phase 2 of 4: local gradients"
    assert root.locator("[data-device-grad]").count() == run["devices"]
    assert readout(root, "avg-grad").startswith("—")
    page.keyboard.press("Space")
    assert readout(root, "phase") == "Phase 3 of 4: average (pmean)"
    assert readout(root, "avg-grad") == js_vec(run["averaged_grad"])
    assert js_vec(run["averaged_grad"]) in root.locator(".jax-sim__status").inner_text()
    page.keyboard.press("Enter")
    assert readout(root, "phase") == "Phase 4 of 4: update"
    assert readout(root, "params") == js_vec(run["params"])


@pytest.mark.browser
def test_the_partition_spec_radios_draw_the_baked_blocks(page, site_url):
    root, data = open_sim(page, site_url)
    specs = data["sharding"]["specs"]
    spec_radio = root.get_by_role("radio", name="P('data', 'model')", exact=True)
    assert spec_radio.is_checked()
    spec_radio.focus()
    for index in (4, 0, 1, 2):  # P('model', 'data'), then wrap to P(), P('data'), P(None, 'model')
        page.keyboard.press("ArrowRight")
        spec = specs[index]
        assert root.get_by_role("radio", name=spec["spec"], exact=True).is_checked()
        drawn = sorted(root.locator("svg [data-block]").evaluate_all("els => els.map(e => e.getAttribute('data-block'))"))
        baked = sorted({f"{d['rows'][0]}:{d['rows'][1]},{d['cols'][0]}:{d['cols'][1]}" for d in spec["devices"]})
        assert drawn == baked
        assert readout(root, "spec").startswith(f"{spec['spec']} → {spec['type']}: each device holds a "
                                                f"({spec['shard_shape'][0]}, {spec['shard_shape'][1]}) block")
        for d in spec["devices"]:
            text = root.locator(f'svg [data-mesh-device="{d["device"]}"]').text_content()
            assert f"[{d['rows'][0]}:{d['rows'][1]}, {d['cols'][0]}:{d['cols'][1]}]" in text


@pytest.mark.browser
def test_the_table_lists_each_devices_shard_gradient_and_block(page, site_url):
    root, data = open_sim(page, site_url)
    run = checked_devices(root, data)
    spec = data["sharding"]["specs"][3]
    toggle = root.get_by_role("button", name="Show as table")
    toggle.focus()
    page.keyboard.press("Enter")
    rows = root.locator(".jax-sim__table tbody tr")
    assert rows.count() == 10
    for d in range(8):
        cells = [c.strip() for c in rows.nth(d).locator("td").all_inner_texts()]
        b = spec["devices"][d]
        block = f"x[{b['rows'][0]}:{b['rows'][1]}, {b['cols'][0]}:{b['cols'][1]}]"
        if d < run["devices"]:
            s = run["shards"][d]
            assert cells == [str(d), f"X[{s['rows'][0]}:{s['rows'][1]}]", js_number(s["loss"]), js_vec(s["grad"]),
                             js_vec(s["params"]), block]
        else:
            assert cells[0] == str(d) and cells[1].startswith("not used") and cells[-1] == block
    last = [c.strip() for c in rows.nth(9).locator("td").all_inner_texts()]
    assert last[3] == js_vec(data["full_batch"]["grad"])


@pytest.mark.browser
def test_dark_mode_redraws_with_the_dark_palette(page, site_url):
    root, _ = open_sim(page, site_url)
    box = root.locator('svg [data-device="0"] rect').first
    light = box.get_attribute("stroke")
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function(f"""() => {{
        const r = document.querySelector('{ROOT_SEL} svg [data-device="0"] rect');
        return r && r.getAttribute('stroke') !== {json.dumps(light)};
    }}""", timeout=5000)
    assert box.get_attribute("stroke") != light


@pytest.mark.browser
def test_play_animates_the_phases_and_pause_stops_them(page, site_url):
    root, _ = open_sim(page, site_url)
    play = root.get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")  # from the last phase Play starts again at phase 1
    assert readout(root, "phase").startswith("Phase 1 of 4")
    page.wait_for_function(f"document.querySelector('{ROOT_SEL} [data-readout=phase]').textContent.startsWith('Phase 2')",
                           timeout=5000)
    page.keyboard.press("Enter")  # the same button, now "Pause"
    paused = readout(root, "phase")
    page.wait_for_timeout(1500)
    assert readout(root, "phase") == paused


@pytest.mark.browser
def test_with_reduced_motion_play_jumps_to_the_update_without_animating(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    root, data = open_sim(page, site_url)
    run = checked_devices(root, data)
    root.get_by_role("button", name="Reset").focus()
    page.keyboard.press("Enter")
    assert readout(root, "phase").startswith("Phase 1 of 4")
    root.get_by_role("button", name="Play (jumps to the update)").focus()
    page.keyboard.press("Enter")
    assert readout(root, "phase") == "Phase 4 of 4: update"
    assert readout(root, "params") == js_vec(run["params"])
    root.get_by_role("button", name="Reset").focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(1200)  # no timer moves it
    assert readout(root, "phase").startswith("Phase 1 of 4")


@pytest.mark.browser
def test_the_deep_link_page_holds_the_same_simulation(page, site_url):
    root, data = open_sim(page, site_url, f"/sims/{SIM}/")
    assert page.locator("h1").inner_text().strip().rstrip("¶") == "Data parallelism and sharding, device by device"
    device_radio(root, "4 devices").focus()
    page.keyboard.press("ArrowLeft")
    run = checked_devices(root, data)
    assert run["devices"] == 2
    assert_step_readouts(root, data, run)
    assert page.locator('a[href*="chapters/06-parallelism/"]').count() >= 1
