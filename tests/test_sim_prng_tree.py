"""prng-tree: a binary tree of real jax.random keys, split, drawn from and reused.

The bake is checked against keys made here, independently: every node's key is
rebuilt in the test by walking its path from `jax.random.key(42)` with
`jax.random.split`, and its key data, normal and uniform samples, 3-way split
and fold_in keys are compared with what JAX gives now. The player is driven by
keyboard in Chromium: the samples it shows are the baked ones, a reused key
shows the same numbers again, and split keys show different ones."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim_format import ctx_format as js_format

from sims.bake import load_baker, run_baker, validate

SIM = "prng-tree"
CHAPTER = "/chapters/08-random-numbers/"


def key_for(path: str):
    """The key at `path`, made here: jax.random.split down from jax.random.key(42)."""
    import jax

    key = jax.random.key(42)
    for i in path.split("/")[1:]:
        key = jax.random.split(key)[int(i)]
    return key


def words(key) -> list[int]:
    import jax

    return [int(w) for w in np.asarray(jax.random.key_data(key)).tolist()]


@pytest.fixture(scope="module")
def nodes(data):
    return {n["path"]: n for n in data["nodes"]}


# ---- the bake ----------------------------------------------------------------------


def test_bake_matches_its_schema(envelope):
    validate(SIM, envelope)
    assert load_baker(SIM).SCHEMA_VERSION == envelope["schema_version"]


def test_bake_is_deterministic(envelope):
    again = run_baker(SIM)
    assert again["data"] == envelope["data"]


def test_tree_is_the_full_binary_tree_to_depth_4_in_pre_order(data):
    assert data["seed"] == 42 and data["depth"] == 4 and data["shape"] == [3]
    assert data["impl"] == "threefry2x32"
    paths = [n["path"] for n in data["nodes"]]

    def preorder(path, depth):
        out = [path]
        if depth < 4:
            for i in range(2):
                out += preorder(f"{path}/{i}", depth + 1)
        return out

    assert paths == preorder("root", 0)
    assert len(paths) == 31
    for n in data["nodes"]:
        assert n["depth"] == n["path"].count("/")
        assert n["parent"] == (None if n["path"] == "root" else n["path"].rsplit("/", 1)[0])
        assert n["children"] == ([f"{n['path']}/0", f"{n['path']}/1"] if n["depth"] < 4 else [])


def test_root_key_data_is_jax_random_key_42(nodes):
    import jax

    assert nodes["root"]["key_data"] == words(jax.random.key(42)) == [0, 42]


def test_children_are_jax_random_split_of_their_parent_computed_here(nodes):
    import jax

    for path, n in nodes.items():
        key = key_for(path)
        assert n["key_data"] == words(key), path
        if n["children"]:
            children = jax.random.split(key)
            assert [nodes[c]["key_data"] for c in n["children"]] == [words(children[i]) for i in range(2)], path


def test_samples_are_jax_random_normal_and_uniform_of_the_key_called_here(data):
    import jax

    for n in data["nodes"]:
        key = key_for(n["path"])
        assert n["normal"] == [float(v) for v in np.asarray(jax.random.normal(key, (3,)))], n["path"]
        assert n["uniform"] == [float(v) for v in np.asarray(jax.random.uniform(key, (3,)))], n["path"]
        assert all(0.0 <= u < 1.0 for u in n["uniform"])


def test_a_reused_key_draws_the_same_samples_and_split_keys_draw_different_ones(data):
    import jax

    key = key_for("root/0/1")
    first, second = jax.random.normal(key, (3,)), jax.random.normal(key, (3,))
    assert np.array_equal(first, second)  # what the Reuse button shows: the baked samples again
    samples = [tuple(n["normal"]) for n in data["nodes"]]
    assert len(set(samples)) == len(samples)  # every key of the tree draws its own numbers
    keys = [tuple(n["key_data"]) for n in data["nodes"]]
    assert len(set(keys)) == len(keys)


def test_three_way_split_and_fold_in_are_the_keys_jax_gives_here(data):
    import jax

    for n in data["nodes"]:
        key = key_for(n["path"])
        three = jax.random.split(key, 3)
        assert n["split3"] == [words(three[i]) for i in range(3)]
        assert n["fold_in"] == [words(jax.random.fold_in(key, i)) for i in range(3)]
        # The chapter's warning, as the bake records it: split(key, 3)[i] is fold_in(key, i), and
        # split(key, 3) starts with the keys split(key) gives.
        assert n["fold_in_equals_split3"] == (n["fold_in"] == n["split3"]) is True
        two = jax.random.split(key)
        assert n["split3_starts_with_split"] == (n["split3"][:2] == [words(two[0]), words(two[1])]) is True


# ---- the player in Chromium ------------------------------------------------------------


def open_sim(page, url):
    page.goto(url)
    frame = page.locator(f'.jax-sim[data-sim="{SIM}"] .jax-sim__frame')
    frame.wait_for(timeout=10000)
    frame.scroll_into_view_if_needed()
    return frame, page.evaluate(f"ThinkingInJaxSims.data['{SIM}']")["data"]


def press(page, locator, key: str, times: int = 1):
    locator.focus()
    for _ in range(times):
        page.keyboard.press(key)


def node(frame, path):
    return frame.locator(f'.pt-node[data-path="{path}"]')


def visible_paths(frame) -> list[str]:
    return frame.locator(".pt-node").evaluate_all("els => els.map(e => e.getAttribute('data-path'))")


def selected(frame) -> str:
    return frame.locator('.pt-node[aria-selected="true"]').get_attribute("data-path")


def samples_text(values) -> str:
    return "[" + ", ".join(js_format(v) for v in values) + "]"


@pytest.mark.browser
def test_split_draw_and_reuse_by_keyboard_show_the_baked_keys_and_samples(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    nodes = {n["path"]: n for n in data["nodes"]}
    tree = frame.get_by_role("tree")
    assert visible_paths(frame) == ["root"] and selected(frame) == "root"
    press(page, frame.get_by_role("button", name="Split"), "Enter")
    assert visible_paths(frame) == ["root", "root/0", "root/1"]
    assert node(frame, "root").get_attribute("data-status") == "consumed"
    status = frame.locator(".jax-sim__status").inner_text()
    for child in ("root/0", "root/1"):
        kd = nodes[child]["key_data"]
        assert f"{child} [{kd[0]}, {kd[1]}]" in status  # the real split children, as baked
        hexed = f"{kd[0]:08x} {kd[1]:08x}"
        assert hexed in node(frame, child).text_content()
    press(page, tree, "ArrowDown", 2)  # root -> root/0 -> root/1
    assert selected(frame) == "root/1"
    assert frame.locator('[data-readout="key-data"]').inner_text() == str(nodes["root/1"]["key_data"]).replace("'", "")
    press(page, frame.get_by_role("button", name="Draw normal(key, (3,))"), "Enter")
    baked = samples_text(nodes["root/1"]["normal"])
    assert node(frame, "root/1").get_attribute("data-status") == "consumed"
    assert frame.locator('[data-readout="normal"]').inner_text() == baked
    first = frame.locator('[data-draw="0"]')
    assert first.locator(".pt-samples").inner_text() == baked and first.get_attribute("data-reused") == "false"
    press(page, frame.get_by_role("button", name="Reuse key"), "Enter")
    again = frame.locator('[data-draw="1"]')
    assert again.get_attribute("data-reused") == "true" and again.get_attribute("data-path") == "root/1"
    assert again.locator(".pt-samples").inner_text() == baked  # same key, same numbers
    assert "same key, same numbers as #1" in again.inner_text()
    assert node(frame, "root/1").get_attribute("data-status") == "reused"
    assert "same key, same numbers" in frame.locator(".jax-sim__status").inner_text()
    # A sibling from the same split draws different numbers.
    press(page, tree, "ArrowUp")
    assert selected(frame) == "root/0"
    press(page, tree, "d")
    other = frame.locator('[data-draw="2"] .pt-samples').inner_text()
    assert other == samples_text(nodes["root/0"]["normal"]) and other != baked


@pytest.mark.browser
def test_tree_keys_walk_and_split_down_to_the_deepest_baked_level(page, site_url):
    frame, data = open_sim(page, site_url + "/sims/prng-tree/")
    tree = frame.get_by_role("tree")
    tree.focus()
    for _ in range(4):  # split, then step to the first child, four times
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowRight")
    assert selected(frame) == "root/0/0/0/0"
    assert len(visible_paths(frame)) == 1 + 2 * 4
    page.keyboard.press("Enter")  # the deepest level is not split
    assert len(visible_paths(frame)) == 9
    assert "deepest level baked" in frame.locator(".jax-sim__status").inner_text()
    page.keyboard.press("ArrowLeft")
    assert selected(frame) == "root/0/0/0"
    page.keyboard.press("d")  # already spent on split: Draw refuses, Reuse is what reuses
    assert frame.locator("[data-draw]").count() == 0
    page.keyboard.press("r")
    assert frame.locator('[data-draw="0"]').get_attribute("data-reused") == "true"
    assert node(frame, "root/0/0/0").get_attribute("data-status") == "reused"
    press(page, frame.get_by_role("button", name="Reset"), "Space")
    assert visible_paths(frame) == ["root"] and frame.locator("[data-draw]").count() == 0


@pytest.mark.browser
def test_table_lists_the_revealed_keys_with_their_key_data_status_and_samples(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    nodes = {n["path"]: n for n in data["nodes"]}
    press(page, frame.get_by_role("button", name="Split"), "Enter")
    tree = frame.get_by_role("tree")
    press(page, tree, "ArrowDown")
    press(page, tree, "d")
    press(page, frame.get_by_role("button", name="Show as table"), "Enter")
    rows = frame.locator(".jax-sim__table tbody tr")
    assert rows.count() == 3
    expected = {
        "root": ("consumed (split)", "—"),
        "root/0": ("consumed (drawn from 1×)", samples_text(nodes["root/0"]["normal"])),
        "root/1": ("available", "—"),
    }
    for i in range(3):
        cells = rows.nth(i).locator("td").all_inner_texts()
        kd = nodes[cells[0]]["key_data"]
        assert cells[1] == f"[{kd[0]}, {kd[1]}]"
        assert (cells[2], cells[3]) == expected[cells[0]]


@pytest.mark.browser
def test_dark_mode_redraws_the_keys_in_other_colours(page, site_url):
    frame, _ = open_sim(page, site_url + CHAPTER)
    press(page, frame.get_by_role("button", name="Split"), "Enter")
    press(page, frame.get_by_role("button", name="Reuse key"), "Enter")  # root: split, then reused
    colour = lambda status: frame.locator(f'.pt-node[data-status="{status}"] rect').nth(2).get_attribute("stroke")  # noqa: E731
    avail = lambda: frame.locator('.pt-node[data-status="available"] rect').nth(1).get_attribute("fill")  # noqa: E731
    light = avail()
    assert len({avail(), colour("reused")}) == 2
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function("document.querySelector('.pt-node[data-status=\"available\"] rect:nth-of-type(2)')"
                           ".getAttribute('fill') !== %r" % light)
    assert avail() != light
    assert node(frame, "root").get_attribute("data-status") == "reused"  # the state survives the redraw


@pytest.mark.browser
def test_with_reduced_motion_nothing_changes_by_itself(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    frame, _ = open_sim(page, site_url + CHAPTER)
    press(page, frame.get_by_role("button", name="Split"), "Enter")
    before = frame.locator(".jax-sim__view").inner_html()
    page.wait_for_timeout(1000)
    assert frame.locator(".jax-sim__view").inner_html() == before
