"""pytree: example trees flattened, unflattened and mapped by real JAX.

The bake is checked against JAX called here, independently: each example's
source is executed again in a fresh namespace, and its leaves, key paths,
treedef, node count, round trip and `jax.tree.map` result are computed by
`jax.tree.leaves`, `jax.tree_util.tree_flatten_with_path`, `str(treedef)` and
`jax.tree.map` in this file, plus hand-written expectations (sorted dict keys,
dataclass field order, `None` contributing no leaf). The player is driven by
keyboard in Chromium: the tree widget, the mode radios and the step buttons."""

from __future__ import annotations

import numpy as np
import pytest

from sims.bake import load_baker, run_baker, validate

SIM = "pytree"
CHAPTER = "/chapters/07-pytrees/"

# What a reader of Chapter 7 expects, written by hand.
EXPECTED_PATHS = {
    "params": ["['layer1']['b']", "['layer1']['w']", "['layer2']['b']", "['layer2']['w']"],
    "list-tuple": ["[0]", "[1][0]", "[1][1]", "[2][0]", "[2][1][0]", "[2][1][1]"],
    "dict-none": ["['dense']['w']", "['scale']"],
    "dataclass": [".w", ".b"],
}
EXPECTED_KINDS = {  # preorder
    "params": ["dict", "dict", "leaf", "leaf", "dict", "leaf", "leaf"],
    "list-tuple": ["list", "leaf", "tuple", "leaf", "leaf", "list", "leaf", "tuple", "leaf", "leaf"],
    "dict-none": ["dict", "dict", "None", "leaf", "leaf"],
    "dataclass": ["dataclass", "leaf", "leaf"],
}


@pytest.fixture(scope="module")
def examples(envelope):
    return {e["id"]: e for e in envelope["data"]["examples"]}


def rebuild(data, example):
    """Execute the example's shown source here, in a namespace of its own."""
    import jax.numpy as jnp  # noqa: F401  (the source uses it)

    ns: dict = {}
    exec(data["setup"] + example["source"], ns)
    return ns[example["name"]], eval(example["map"]["source"], ns)


def preorder(node):
    yield node
    for child in node["children"] or []:
        yield from preorder(child)


def leaf_matches(baked, leaf):
    import jax

    if isinstance(leaf, jax.Array):
        arr = np.asarray(leaf)
        assert baked["type"] == "jax.Array"
        assert baked["shape"] == list(arr.shape) and baked["dtype"] == str(arr.dtype)
        assert baked["values"] == [float(v) for v in arr.ravel()]
        np.testing.assert_allclose(baked["values"], arr.ravel().astype(np.float64))
    else:
        assert baked["type"] == type(leaf).__name__ and baked["shape"] is None
        assert baked["value"] == repr(leaf)


# ---- the bake ----------------------------------------------------------------------


def test_bake_matches_its_schema(envelope):
    validate(SIM, envelope)
    assert load_baker(SIM).SCHEMA_VERSION == envelope["schema_version"]


def test_bake_is_deterministic(envelope):
    assert run_baker(SIM)["data"] == envelope["data"]


def test_flatten_order_equals_jax_tree_leaves_called_here(envelope, examples):
    import jax

    for ex in examples.values():
        tree, _ = rebuild(envelope["data"], ex)
        leaves = jax.tree.leaves(tree)
        assert [b["index"] for b in ex["leaves"]] == list(range(len(leaves)))
        assert len(ex["leaves"]) == len(leaves) == ex["num_leaves"]
        for baked, leaf in zip(ex["leaves"], leaves):
            leaf_matches(baked, leaf)


def test_key_paths_equal_tree_flatten_with_path_and_the_hand_written_order(envelope, examples):
    import jax

    for eid, ex in examples.items():
        tree, _ = rebuild(envelope["data"], ex)
        with_path, _ = jax.tree_util.tree_flatten_with_path(tree)
        assert [b["path"] for b in ex["leaves"]] == [jax.tree_util.keystr(p) for p, _ in with_path]
        assert [b["path"] for b in ex["leaves"]] == EXPECTED_PATHS[eid]


def test_treedef_string_and_node_count_equal_jax(envelope, examples):
    import jax

    for ex in examples.values():
        tree, _ = rebuild(envelope["data"], ex)
        treedef = jax.tree.structure(tree)
        assert ex["treedef"] == str(treedef)
        assert ex["num_nodes"] == treedef.num_nodes
        assert ex["treedef"].count("*") == treedef.num_leaves  # the player lights star k for leaf k
    assert examples["params"]["treedef"] == "PyTreeDef({'layer1': {'b': *, 'w': *}, 'layer2': {'b': *, 'w': *}})"
    assert examples["dict-none"]["treedef"] == "PyTreeDef({'dense': {'b': None, 'w': *}, 'scale': *})"
    assert "tanh" in examples["dataclass"]["treedef"]  # the static field lives in the treedef


def test_structure_tree_has_every_node_and_its_leaves_in_flatten_order(examples):
    for eid, ex in examples.items():
        nodes = list(preorder(ex["structure"]))
        assert len(nodes) == ex["num_nodes"]
        assert [n["kind"] for n in nodes] == EXPECTED_KINDS[eid]
        leaves = [n for n in nodes if n["kind"] == "leaf"]
        assert [n["leaf"] for n in leaves] == list(range(ex["num_leaves"]))  # depth first = flatten order
        assert [n["path"] for n in leaves] == [b["path"] for b in ex["leaves"]]
        for n in nodes:
            if n["kind"] == "dict":
                keys = [c["key"] for c in n["children"]]
                assert keys == sorted(keys)
            if n["kind"] == "None":
                assert n["children"] == []
    assert examples["dataclass"]["structure"]["static"] == "activation='tanh'"


def test_unflatten_round_trip_rebuilds_the_same_tree(envelope, examples):
    import jax

    for ex in examples.values():
        tree, _ = rebuild(envelope["data"], ex)
        leaves, treedef = jax.tree.flatten(tree)
        rebuilt = jax.tree.unflatten(treedef, leaves)
        with np.printoptions(precision=4, suppress=True):
            assert ex["unflatten"]["repr"] == repr(rebuilt)
        assert ex["unflatten"]["equal"] is True
        assert ex["unflatten"]["treedef"] == str(treedef)


def test_tree_map_results_equal_jax_tree_map_called_here(envelope, examples):
    import jax

    for ex in examples.values():
        tree, fn = rebuild(envelope["data"], ex)
        mapped = jax.tree.map(fn, tree)
        with_path, treedef = jax.tree_util.tree_flatten_with_path(mapped)
        assert [r["path"] for r in ex["map"]["results"]] == [jax.tree_util.keystr(p) for p, _ in with_path]
        for baked, leaf in zip(ex["map"]["results"], [leaf for _, leaf in with_path]):
            leaf_matches(baked, leaf)
        assert ex["map"]["treedef"] == str(treedef) == ex["treedef"]
        assert ex["map"]["same_structure"] is True
    # f applied by hand to the original leaves, in NumPy
    params = examples["params"]
    for before, after in zip(params["leaves"], params["map"]["results"]):
        np.testing.assert_allclose(after["values"], np.float32(before["values"]) * np.float32(0.5))
    assert examples["list-tuple"]["map"]["results"][2]["value"] == "'threethree'"  # a string leaf, doubled


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


def moved(frame) -> int:
    return frame.locator('.pt-leaf[data-on="true"]').count()


def active(page, attr: str):
    return page.evaluate(f"document.activeElement && document.activeElement.getAttribute({attr!r})")


@pytest.mark.browser
def test_flatten_by_keyboard_fills_the_list_with_the_baked_key_paths_in_order(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    ex = data["examples"][0]
    step = frame.get_by_role("button", name="Step", exact=True)
    assert moved(frame) == 0
    for k, leaf in enumerate(ex["leaves"]):
        press(page, step, "Enter")
        assert moved(frame) == k + 1
        row = frame.locator(f'.pt-leaf[data-leaf="{k}"]')
        assert row.locator(".pt-path").inner_text() == leaf["path"]
        assert row.locator(".pt-leaf-value").inner_text() == leaf["value"]
        assert frame.locator(f'[role=treeitem][data-leaf="{k}"]').get_attribute("data-leaf-state") == "taken"
        assert f"leaf #{k} at {leaf['path']}" in frame.locator(".jax-sim__status").inner_text()
    paths = frame.locator(".pt-leaf .pt-path").all_inner_texts()
    assert paths == [leaf["path"] for leaf in ex["leaves"]] == EXPECTED_PATHS["params"]
    assert frame.locator('[id$="-treedef"]').inner_text() == ex["treedef"]
    press(page, frame.get_by_role("button", name="Step back"), "Enter")
    assert moved(frame) == len(ex["leaves"]) - 1


@pytest.mark.browser
def test_select_a_tree_and_expand_and_collapse_nodes_by_keyboard(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    press(page, frame.get_by_label("Tree", exact=True), "ArrowDown", 2)  # the dict holding None
    ex = data["examples"][2]
    assert ex["id"] == "dict-none"
    tree = frame.get_by_role("tree")
    root = tree.locator('[role=treeitem][data-path=""]')
    assert root.get_attribute("tabindex") == "0"  # one tab stop: the root
    press(page, root, "ArrowDown")  # to ['dense']
    assert active(page, "data-path") == "['dense']"
    dense = tree.locator("""[role=treeitem][data-path="['dense']"]""")
    assert dense.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowLeft")  # collapse
    assert dense.get_attribute("aria-expanded") == "false"
    assert not tree.locator("""[role=treeitem][data-path="['dense']['w']"]""").is_visible()
    assert active(page, "data-path") == "['dense']"  # focus stays on the item
    page.keyboard.press("ArrowDown")  # skips the hidden children
    assert active(page, "data-path") == "['scale']"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")  # expand again
    assert dense.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowRight")  # into the first child: None, sorted before 'w'
    assert active(page, "data-path") == "['dense']['b']" and active(page, "data-kind") == "None"
    page.keyboard.press("ArrowDown")
    assert active(page, "data-leaf") == "0"
    page.keyboard.press("ArrowLeft")  # a leaf: Left goes to the parent
    assert active(page, "data-path") == "['dense']"
    page.keyboard.press("Enter")  # Enter toggles too
    assert dense.get_attribute("aria-expanded") == "false"
    # the leaf list shows this tree's baked paths once flattened
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", len(ex["leaves"]))
    assert frame.locator(".pt-leaf .pt-path").all_inner_texts() == [leaf["path"] for leaf in ex["leaves"]]
    assert "None" in frame.locator('[id$="-treedef"]').inner_text()


@pytest.mark.browser
def test_tree_map_mode_shows_the_baked_result_of_every_leaf(page, site_url):
    frame, data = open_sim(page, site_url + "/sims/pytree/")
    press(page, frame.get_by_label("Tree", exact=True), "ArrowDown")  # the list/tuple mix
    ex = data["examples"][1]
    press(page, frame.get_by_role("radio", name="Flatten", exact=True), "ArrowLeft")  # wraps round to tree.map
    assert frame.get_by_role("radio", name="tree.map").is_checked()
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", len(ex["leaves"]))
    results = frame.locator(".pt-leaf .pt-leaf-result").all_inner_texts()
    assert [r.split("  (")[0] for r in results] == ["→ " + r["value"] for r in ex["map"]["results"]]
    assert frame.locator('[id$="-repr"]').inner_text() == ex["map"]["repr"]
    mapped = frame.locator('[role=treeitem][data-leaf="2"]')
    assert mapped.get_attribute("data-leaf-state") == "mapped" and "'threethree'" in mapped.inner_text()


@pytest.mark.browser
def test_unflatten_mode_puts_leaves_back_and_shows_the_round_trip(page, site_url):
    frame, data = open_sim(page, site_url + CHAPTER)
    ex = data["examples"][0]
    press(page, frame.get_by_role("radio", name="Flatten", exact=True), "ArrowRight")
    assert frame.get_by_role("radio", name="Unflatten").is_checked()
    states = lambda: frame.locator("[role=treeitem][data-leaf]").evaluate_all(  # noqa: E731
        "els => els.map(e => e.getAttribute('data-leaf-state'))")
    assert states() == ["empty"] * len(ex["leaves"])
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", 2)
    assert states() == ["full", "full", "empty", "empty"]
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", 2)
    assert frame.locator('[id$="-repr"]').inner_text() == ex["unflatten"]["repr"]
    assert "equals params" in frame.locator(".jax-sim__status").inner_text()


@pytest.mark.browser
def test_table_lists_every_leaf_with_index_path_shape_dtype_value(page, site_url):
    frame, data = open_sim(page, site_url + "/sims/pytree/")
    ex = data["examples"][0]
    press(page, frame.get_by_role("button", name="Show as table"), "Enter")
    rows = frame.locator(".jax-sim__table tbody tr")
    assert rows.count() == len(ex["leaves"])
    for k, leaf in enumerate(ex["leaves"]):
        cells = rows.nth(k).locator("td").all_inner_texts()
        shape = "(" + ", ".join(map(str, leaf["shape"])) + ("," if len(leaf["shape"]) == 1 else "") + ")"
        assert cells == [str(k), leaf["path"], shape, leaf["dtype"], leaf["value"]]


@pytest.mark.browser
def test_dark_mode_redraws_in_other_colours(page, site_url):
    frame, _ = open_sim(page, site_url + CHAPTER)
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter", 2)
    style = lambda: frame.locator('.pt-leaf[data-on="true"]').first.get_attribute("style")  # noqa: E731
    light = style()
    page.evaluate("document.body.setAttribute('data-md-color-scheme','slate')")
    page.wait_for_function("document.querySelector('.pt-leaf[data-on=\"true\"]').getAttribute('style') !== %r" % light)
    assert style() != light
    assert moved(frame) == 2  # the state survives the redraw


@pytest.mark.browser
def test_play_moves_leaves_by_itself_and_pause_stops_it(page, site_url):
    frame, _ = open_sim(page, site_url + CHAPTER)
    press(page, frame.get_by_role("button", name="Play"), "Enter")
    page.wait_for_function("document.querySelectorAll('.pt-leaf[data-on=\"true\"]').length >= 1", timeout=5000)
    assert frame.locator(".pt-ghost").count() + moved(frame) >= 1
    press(page, frame.locator('[id$="-play"]'), "Enter")  # now "Pause"
    paused = moved(frame)
    page.wait_for_timeout(1500)
    assert moved(frame) == paused


@pytest.mark.browser
def test_with_reduced_motion_play_jumps_to_the_end_and_nothing_flies(page, site_url):
    page.emulate_media(reduced_motion="reduce")
    frame, data = open_sim(page, site_url + CHAPTER)
    n = len(data["examples"][0]["leaves"])
    press(page, frame.get_by_role("button", name="Step", exact=True), "Enter")
    assert frame.locator(".pt-ghost").count() == 0  # a step moves no element across the page
    press(page, frame.get_by_role("button", name="Play"), "Enter")
    assert moved(frame) == n
    assert frame.locator('[id$="-play"]').inner_text() == "Play"
    press(page, frame.get_by_role("button", name="Step back"), "Enter")
    page.wait_for_timeout(1200)  # no timer runs
    assert moved(frame) == n - 1 and frame.locator(".pt-ghost").count() == 0
