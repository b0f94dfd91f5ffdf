"""jaxlite's pytrees against real JAX, side by side in one process.

Every check runs the same call through ``jax.tree_util`` and
``jaxlite.tree_util`` and compares what comes out: leaves (the very same
objects), PyTreeDef printing, key paths, and for failures the exception type
and message. Random trees come from hypothesis; the custom classes below are
registered with both libraries.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import importlib
import importlib.util
import sys
import types
import warnings
from pathlib import Path

import jax
import jax.tree_util as jtu
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PY_SRC = Path(__file__).resolve().parent.parent / "site_src" / "py"


def _load_jaxlite_tree():
    """jaxlite.tree_util and jaxlite.tree; standalone if the package won't import."""
    if str(PY_SRC) not in sys.path:
        sys.path.insert(0, str(PY_SRC))
    try:
        return (importlib.import_module("jaxlite.tree_util"),
                importlib.import_module("jaxlite.tree"))
    except Exception:
        # jaxlite/__init__.py may import parts still being written; these two
        # files depend on nothing else, so load them as a package of their own.
        pkg = types.ModuleType("_jaxlite_tree_only")
        pkg.__path__ = [str(PY_SRC / "jaxlite")]
        sys.modules[pkg.__name__] = pkg
        loaded = []
        for name in ("tree_util", "tree"):
            spec = importlib.util.spec_from_file_location(
                f"{pkg.__name__}.{name}", PY_SRC / "jaxlite" / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            loaded.append(module)
        return tuple(loaded)


ltu, ltree = _load_jaxlite_tree()
BOTH = pytest.mark.parametrize("tu", [jtu, ltu], ids=["jax", "jaxlite"])


# --- classes registered with both libraries ----------------------------------------

Point = collections.namedtuple("Point", ["x", "y"])


def register_in_both(register, *args, **kwargs):
    """Applies a registration decorator of each library to the same class."""
    def apply(cls):
        getattr(ltu, register)(cls, *args, **kwargs)
        return getattr(jtu, register)(cls, *args, **kwargs)
    return apply


@register_in_both("register_pytree_node_class")
class Linear:
    """Two children, static activation name: CustomNode(Linear[('tanh',)], [*, *])."""

    def __init__(self, w, b, act="tanh"):
        self.w, self.b, self.act = w, b, act

    def tree_flatten(self):
        return (self.w, self.b), (self.act,)

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children, *aux)

    def __repr__(self):
        return f"Linear({self.w!r}, {self.b!r}, {self.act!r})"


@register_in_both("register_dataclass")
@dataclasses.dataclass
class Pair:
    """Registered as a dataclass: `name` is static, the rest are children."""
    left: object
    right: object
    name: str = dataclasses.field(default="p", metadata=dict(static=True))


class Bag:
    """Any number of children and aux data None: CustomNode(Bag[None], [...])."""

    def __init__(self, *items):
        self.items = items

    def __repr__(self):
        return f"Bag{self.items!r}"


for _tu in (jtu, ltu):
    _tu.register_pytree_node(Bag, lambda b: (b.items, None),
                             lambda aux, children: Bag(*children))


class Box:
    """Registered with keys: its child's key path entry is `.content`."""

    def __init__(self, content):
        self.content = content

    def __repr__(self):
        return f"Box({self.content!r})"


for _tu in (jtu, ltu):
    _tu.register_pytree_with_keys(
        Box, lambda b, _tu=_tu: (((_tu.GetAttrKey("content"), b.content),), None),
        lambda aux, children: Box(*children))


@register_in_both("register_static")
class Tag:
    """A static node: no children, kept whole in the treedef."""

    def __init__(self, label):
        self.label = label

    def __eq__(self, other):
        return isinstance(other, Tag) and other.label == self.label

    def __hash__(self):
        return hash(self.label)

    def __repr__(self):
        return f"Tag({self.label!r})"


class Opaque:
    """An unregistered class: always a leaf."""

    def __repr__(self):
        return "Opaque()"


# --- comparing outcomes -------------------------------------------------------------------

def outcome(fn):
    """('ok', value) or ('error', exception type name, message)."""
    try:
        return ("ok", fn())
    except Exception as e:  # the point is to compare failures too
        message = str(e).replace("jaxlib._jax.pytree.", "jaxlite.tree_util.")
        return ("error", type(e).__name__, message)


def assert_same_outcome(call, *args, compare=lambda j, l: j == l, **kwargs):
    """``call(tu, ...)`` gives the same value or the same error in both libraries."""
    got_jax = outcome(lambda: call(jtu, *args, **kwargs))
    got_lite = outcome(lambda: call(ltu, *args, **kwargs))
    assert got_jax[0] == got_lite[0], (got_jax, got_lite)
    if got_jax[0] == "error":
        assert got_jax == got_lite
    else:
        assert compare(got_jax[1], got_lite[1]), (got_jax[1], got_lite[1])


def same_objects(xs, ys) -> bool:
    return len(xs) == len(ys) and all(x is y for x, y in zip(xs, ys))


def shape_of(tree, tu):
    """A comparable picture of a tree: its treedef's repr and its leaves' ids."""
    leaves, treedef = tu.tree_flatten(tree)
    return repr(treedef), [id(x) for x in leaves]


# --- random trees --------------------------------------------------------------------------

OPAQUE = Opaque()
leaf_values = st.one_of(
    st.integers(-5, 5), st.floats(allow_nan=False, width=32), st.text(max_size=2),
    st.booleans(), st.just(OPAQUE), st.builds(Tag, st.sampled_from("ab")))
str_keys = st.text(alphabet="abxy", max_size=2)


def containers(children):
    small = dict(max_size=3)
    return st.one_of(
        st.lists(children, **small),
        st.lists(children, **small).map(tuple),
        st.dictionaries(str_keys, children, **small),
        st.dictionaries(st.integers(-2, 2), children, **small),
        st.builds(Point, children, children),
        st.dictionaries(str_keys, children, **small).map(collections.OrderedDict),
        st.dictionaries(str_keys, children, **small).map(
            lambda d: collections.defaultdict(list, d)),
        st.builds(Linear, children, children, st.sampled_from(["tanh", "relu"])),
        st.builds(Pair, children, children, st.sampled_from(["p", "q"])),
        st.builds(Box, children),
        st.lists(children, **small).map(lambda items: Bag(*items)),
    )


trees = st.recursive(st.one_of(leaf_values, st.none()), containers, max_leaves=10)
# Dicts whose keys cannot be sorted (str next to int) are an error in JAX.
mixed_key_trees = st.dictionaries(st.one_of(str_keys, st.integers(-2, 2)), leaf_values,
                                  max_size=3)

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(trees)
def test_flatten_gives_the_same_leaves_and_treedef_repr(tree):
    j_leaves, j_def = jtu.tree_flatten(tree)
    l_leaves, l_def = ltu.tree_flatten(tree)
    assert same_objects(j_leaves, l_leaves)
    assert repr(l_def) == repr(j_def) and str(l_def) == str(j_def)
    assert (l_def.num_leaves, l_def.num_nodes) == (j_def.num_leaves, j_def.num_nodes)
    assert ltu.treedef_is_leaf(l_def) == jtu.treedef_is_leaf(j_def)


@FAST
@given(mixed_key_trees)
def test_dicts_with_unsortable_keys_fail_as_in_jax(tree):
    assert_same_outcome(lambda tu: tu.tree_leaves(tree), compare=same_objects)


@FAST
@given(trees)
def test_unflatten_rebuilds_the_same_tree(tree):
    leaves, treedef = ltu.tree_flatten(tree)
    rebuilt = treedef.unflatten(leaves)
    assert type(rebuilt) is type(tree)
    assert shape_of(rebuilt, jtu) == shape_of(tree, jtu)
    replaced = ltu.tree_unflatten(treedef, range(len(leaves)))
    assert jtu.tree_leaves(replaced) == list(range(len(leaves)))
    assert repr(jtu.tree_structure(replaced)) == repr(treedef)


@FAST
@given(trees)
def test_key_paths_and_keystr_match_jax(tree):
    j_pairs, j_def = jtu.tree_flatten_with_path(tree)
    l_pairs, l_def = ltu.tree_flatten_with_path(tree)
    assert repr(l_def) == repr(j_def)
    assert [repr(p) for p, _ in l_pairs] == [repr(p) for p, _ in j_pairs]
    assert same_objects([x for _, x in l_pairs], [x for _, x in j_pairs])
    for (jp, _), (lp, _) in zip(j_pairs, l_pairs):
        assert ltu.keystr(lp) == jtu.keystr(jp)
        assert (ltu.keystr(lp, simple=True, separator="/")
                == jtu.keystr(jp, simple=True, separator="/"))
        assert [hash(k) for k in lp] == [hash(k) for k in jp]


@FAST
@given(trees)
def test_children_and_node_data_match_jax(tree):
    j_def, l_def = jtu.tree_structure(tree), ltu.tree_structure(tree)
    assert repr(l_def.children()) == repr(j_def.children())
    assert repr(l_def.node_data()) == repr(j_def.node_data())
    rebuilt = ltu.PyTreeDef.from_node_data_and_children(
        ltu.default_registry, l_def.node_data(), l_def.children())
    assert rebuilt == l_def and repr(rebuilt) == repr(l_def)
    assert_same_outcome(lambda tu: tu.flatten_one_level(tree), compare=_same_repr)


def _same_repr(a, b):
    return repr(a) == repr(b)


@FAST
@given(trees, trees)
def test_treedef_equality_agrees_with_jax(a, b):
    j_equal = jtu.tree_structure(a) == jtu.tree_structure(b)
    l_a, l_b = ltu.tree_structure(a), ltu.tree_structure(b)
    assert (l_a == l_b) == j_equal
    assert (l_a != l_b) == (not j_equal)
    if l_a == l_b:
        assert hash(l_a) == hash(l_b)
    assert l_a == ltu.tree_structure(a)


@st.composite
def tree_and_extension(draw):
    """A tree, and the same tree with some leaves replaced by sub-trees."""
    tree = draw(trees)
    grow = lambda leaf: draw(trees) if draw(st.booleans()) else leaf
    return tree, jtu.tree_map(grow, tree)


@FAST
@given(tree_and_extension())
def test_flatten_up_to_a_longer_tree_matches_jax(pair):
    prefix, full = pair
    assert_same_outcome(lambda tu: tu.tree_structure(prefix).flatten_up_to(full),
                        compare=same_objects)
    assert_same_outcome(lambda tu: tu.tree_map(lambda x, y: (x, y), prefix, full),
                        compare=lambda j, l: repr(j) == repr(l))


@FAST
@given(trees, trees)
def test_mismatched_trees_fail_as_in_jax(a, b):
    assert_same_outcome(lambda tu: tu.tree_structure(a).flatten_up_to(b),
                        compare=same_objects)
    assert_same_outcome(lambda tu: tu.tree_map(lambda x, y: 0, a, b),
                        compare=_same_repr)
    assert_same_outcome(
        lambda tu: tu.tree_map_with_path(lambda p, x, y: tu.keystr(p), a, b),
        compare=_same_repr)


# --- the examples in the brief and the book ---------------------------------------------

@BOTH
def test_treedef_reprs_from_the_book(tu):
    tree = [1, (2, 3), {"arr": 4, "nothing": None}, Point(5, 6)]
    assert repr(tu.tree_structure(tree)) == (
        "PyTreeDef([*, (*, *), {'arr': *, 'nothing': None}, "
        "CustomNode(namedtuple[Point], [*, *])])")
    params = {"layer2": {"w": 1, "b": 2}, "layer1": {"w": 3, "b": 4}}
    assert str(tu.tree_structure(params)) == (
        "PyTreeDef({'layer1': {'b': *, 'w': *}, 'layer2': {'b': *, 'w': *}})")
    assert tu.tree_leaves(params) == [4, 3, 2, 1]
    assert repr(tu.tree_structure(Linear(1, 2))) == (
        "PyTreeDef(CustomNode(Linear[('tanh',)], [*, *]))")


@BOTH
def test_small_treedef_reprs(tu):
    reprs = [repr(tu.tree_structure(t)) for t in (None, 1, (), (1,), [], {}, [None])]
    assert reprs == ["PyTreeDef(None)", "PyTreeDef(*)", "PyTreeDef(())",
                     "PyTreeDef((*,))", "PyTreeDef([])", "PyTreeDef({})",
                     "PyTreeDef([None])"]


@BOTH
def test_key_entries_print_like_python_indexing(tu):
    keys = [tu.DictKey("w"), tu.SequenceKey(0), tu.GetAttrKey("x"),
            tu.FlattenedIndexKey(3)]
    assert [str(k) for k in keys] == ["['w']", "[0]", ".x", "[<flat index 3>]"]
    assert repr(keys) == ("[DictKey(key='w'), SequenceKey(idx=0), "
                          "GetAttrKey(name='x'), FlattenedIndexKey(key=3)]")
    assert tu.SequenceKey(0) != tu.FlattenedIndexKey(0) and tu.SequenceKey(1) != 1
    assert tu.DictKey(1) == tu.DictKey(1.0)
    match tu.GetAttrKey("w"):
        case tu.GetAttrKey(name=name):
            assert name == "w"


@BOTH
def test_keystr_examples_from_the_jax_docs(tu):
    params = {"foo": {"bar": {"baz": 1, "bat": [2, 3]}}}
    paths = [p for p, _ in tu.tree_leaves_with_path(params)]
    assert [tu.keystr(p) for p in paths] == [
        "['foo']['bar']['bat'][0]", "['foo']['bar']['bat'][1]", "['foo']['bar']['baz']"]
    assert [tu.keystr(p, simple=True, separator="/") for p in paths] == [
        "foo/bar/bat/0", "foo/bar/bat/1", "foo/bar/baz"]


@BOTH
def test_dataclass_decorator_with_static_fields(tu):
    tree_ns = jax.tree if tu is jtu else ltree

    @tu.register_dataclass
    @dataclasses.dataclass
    class MyStruct:
        x: object
        y: object
        op: str = tree_ns.static()

    m = MyStruct(x=1, y=[2, 3], op="add")
    leaves, treedef = tu.tree_flatten(m)
    assert leaves == [1, 2, 3]
    assert repr(treedef) == "PyTreeDef(CustomNode(MyStruct[('add',)], [*, [*, *]]))"
    assert tu.tree_unflatten(treedef, [7, 8, 9]) == MyStruct(7, [8, 9], "add")
    assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(m)] == [".x", ".y[0]", ".y[1]"]


@BOTH
def test_register_dataclass_explains_wrong_fields(tu):
    @dataclasses.dataclass
    class TwoFields:
        x: int
        y: int

    with pytest.raises(ValueError, match=r"Missing fields: \{'y'\}"):
        tu.register_dataclass(TwoFields, data_fields=["x"], meta_fields=[])
    with pytest.raises(ValueError, match="must not overlap"):
        tu.register_dataclass(TwoFields, data_fields=["x", "y"], meta_fields=["y"])
    with pytest.raises(TypeError, match="must both be specified"):
        tu.register_dataclass(TwoFields, data_fields=["x"])
    with pytest.raises(TypeError, match="required when nodetype is not a dataclass"):
        tu.register_dataclass(Opaque)


def test_registration_errors_match_jax():
    fresh = lambda: type("Fresh", (), {"__repr__": lambda self: "Fresh()"})

    def register_twice(tu):
        cls = fresh()
        tu.register_pytree_node(cls, lambda x: ((), None), lambda a, c: cls())
        tu.register_pytree_node(cls, lambda x: ((), None), lambda a, c: cls())
    assert outcome(lambda: register_twice(jtu))[:2] == ("error", "ValueError")
    assert outcome(lambda: register_twice(jtu))[2].startswith("Duplicate custom PyTreeDef")
    assert outcome(lambda: register_twice(ltu))[2].startswith("Duplicate custom PyTreeDef")

    for bad_flatten in (lambda x: 5, lambda x: (5, None)):
        def flatten_bad(tu, bad_flatten=bad_flatten):
            cls = fresh()
            tu.register_pytree_node(cls, bad_flatten, lambda a, c: cls())
            return tu.tree_leaves([cls()])
        assert_same_outcome(flatten_bad)
    assert_same_outcome(lambda tu: tu.tree_leaves([1], is_leaf=lambda x: 1))
    assert_same_outcome(lambda tu: tu.tree_leaves([1, 2], is_leaf=lambda x: None))


@pytest.mark.parametrize("leaves", [[1, 2], list(range(9)), 5], ids=["few", "many", "int"])
def test_unflatten_with_wrong_leaves_fails_as_in_jax(leaves):
    tree = [1, (2, 3), {"a": None}, Point(4, 5)]
    assert_same_outcome(lambda tu: tu.tree_structure(tree).unflatten(leaves))


@pytest.mark.parametrize("other", [
    [1, 2, 3, 4], [1, [2, 3], {"a": None}, Point(4, 5)], [1, (2,), {"a": None}, Point(4, 5)],
    [1, (2, 3), {"b": None}, Point(4, 5)], [1, (2, 3), {"a": 0}, Point(4, 5)],
    [1, (2, 3), {"a": None}, (4, 5)], collections.OrderedDict(a=1), None,
], ids=lambda o: repr(o)[:30])
def test_flatten_up_to_messages(other):
    tree = [1, (2, 3), {"a": None}, Point(4, 5)]
    assert_same_outcome(lambda tu: tu.tree_structure(tree).flatten_up_to(other))
    assert_same_outcome(lambda tu: tu.tree_map(lambda *xs: xs, tree, other))


def test_tree_map_error_checks_below_the_root_without_is_leaf():
    # JAX's explanation drops is_leaf once below the root, so [5] (a leaf by
    # is_leaf) is reported as a list that differs from a tuple.
    short_list = lambda x: isinstance(x, list) and len(x) == 1
    assert_same_outcome(lambda tu: tu.tree_map(
        lambda a, b: a, [[5], [1, 2]], [(1, 2), [3]], is_leaf=short_list))
    assert "tree_map tree[0]" in outcome(lambda: ltu.tree_map(
        lambda a, b: a, [[5], [1, 2]], [(1, 2), [3]], is_leaf=short_list))[2]


def test_dataclass_treedefs_compare_by_metadata_only_as_in_jax():
    @register_in_both("register_dataclass")
    @dataclasses.dataclass
    class One:
        x: object

    @register_in_both("register_dataclass")
    @dataclasses.dataclass
    class Other:
        x: object

    for tu in (jtu, ltu):  # jaxlib 0.10.2 does not compare the dataclass type
        assert tu.tree_structure(One(1)) == tu.tree_structure(Other(2))
        assert tu.tree_structure(One(1)) != tu.tree_structure(Bag(2))
    assert_same_outcome(lambda tu: tu.tree_structure(One(1)).flatten_up_to(Other(2)))


class Holder:
    """No children; the held object is the aux data (may be an array)."""

    def __init__(self, held):
        self.held = held

    def __repr__(self):
        return "Holder()"


for _tu in (jtu, ltu):
    _tu.register_pytree_node(Holder, lambda h: ((), h.held), lambda aux, _: Holder(aux))


def test_an_object_never_differs_from_itself_as_in_jax():
    import numpy as np
    nan, arr = float("nan"), np.arange(3)
    for make in (lambda: {nan: 1}, lambda: Holder(nan), lambda: Holder(arr)):
        assert_same_outcome(lambda tu: tu.tree_structure(make()) == tu.tree_structure(make()))
        assert_same_outcome(lambda tu: tu.tree_structure(make()).flatten_up_to(make()))
    assert ltu.DictKey(nan) == ltu.DictKey(nan)
    # Two different arrays cannot be compared as metadata: JAX says so.
    assert_same_outcome(lambda tu: tu.tree_structure(Holder(arr)) ==
                        tu.tree_structure(Holder(np.arange(3))))


def test_tree_map_error_for_differing_static_data_shows_a_diff():
    call = lambda tu: tu.tree_map(lambda a, b: a, Linear(1, 2, "tanh"),
                                  Linear(1, 2, "relu"))
    assert_same_outcome(call)
    assert "so the diff in the metadata" in outcome(lambda: call(ltu))[2]
    # A diff with ndiff's "?" hint lines under the changed characters.
    assert_same_outcome(lambda tu: tu.tree_map(
        lambda a, b: a, collections.defaultdict(list, a=1),
        collections.defaultdict(int, a=1)))


@BOTH
def test_ordered_and_default_dicts(tu):
    od = collections.OrderedDict([("b", 1), ("a", 2)])
    assert tu.tree_leaves(od) == [1, 2]
    assert repr(tu.tree_structure(od)) == "PyTreeDef(CustomNode(OrderedDict[('b', 'a')], [*, *]))"
    dd = collections.defaultdict(list, {"b": 1, "a": 2})
    assert tu.tree_leaves(dd) == [2, 1]
    assert repr(tu.tree_structure(dd)) == (
        "PyTreeDef(CustomNode(defaultdict[(<class 'list'>, ('a', 'b'))], [*, *]))")
    rebuilt = tu.tree_map(lambda x: x * 10, dd)
    assert type(rebuilt) is collections.defaultdict and rebuilt["missing"] == []


def test_partial_is_a_pytree():
    def call(tu):
        p = tu.Partial(max, 1, key=abs)
        leaves, treedef = tu.tree_flatten(p)
        doubled = tu.tree_map(lambda x: x, p)
        nested = tu.tree_leaves(tu.Partial(functools.partial(max, 1), 2))
        return repr(treedef), leaves, doubled(-5, -3), nested, repr(p)
    assert_same_outcome(call)


@BOTH
def test_reduce_all_transpose_broadcast(tu):
    tree_ns = jax.tree if tu is jtu else ltree
    assert tree_ns.reduce(lambda a, b: a + b, [1, (2, 3)]) == 6
    assert tree_ns.reduce(lambda a, b: a + b, [], 10) == 10
    assert tree_ns.reduce_associative(lambda a, b: (a, b), [1, 2, 3, 4, 5]) == (
        (1, 2), (3, (4, 5)))
    assert tree_ns.all([1, (True, 2)]) and not tree_ns.all({"a": 0})
    outer, inner = tu.tree_structure([0, 0]), tu.tree_structure((0, 0, 0))
    assert tree_ns.transpose(outer, inner, [(1, 2, 3), (4, 5, 6)]) == (
        [1, 4], [2, 5], [3, 6])
    assert tree_ns.transpose(outer, None, [(1, 2, 3), (4, 5, 6)]) == ([1, 4], [2, 5], [3, 6])
    assert tree_ns.broadcast([1, 2], [(3, 4), {"a": 5}]) == [(1, 1), {"a": 2}]


def test_reduce_transpose_broadcast_errors_match_jax():
    assert_same_outcome(lambda tu: tu.tree_reduce(lambda a, b: a, []))
    assert_same_outcome(lambda tu: tu.tree_reduce_associative(lambda a, b: a, []))
    assert_same_outcome(lambda tu: tu.tree_transpose(
        tu.tree_structure([0, 0]), tu.tree_structure((0, 0)), [(1, 2, 3), (4, 5, 6)]))
    assert_same_outcome(lambda tu: tu.tree_broadcast([1, 2], [(3, 4)]))


def test_treedef_building_blocks_match_jax():
    def build(tu):
        a, b = tu.tree_structure([1, 2]), tu.tree_structure((1, {"a": 3}))
        walked = tu.tree_structure([1, (2, {"a": 3}), None]).walk(
            lambda children, data: ("node", children, data), lambda x: x * 10, [1, 2, 3])
        return [repr(a.compose(b)), repr(tu.treedef_tuple([a, tu.tree_structure(None)])),
                walked, repr(tu.treedef_children(b)), a.compose(b).num_leaves,
                a.compose(b).num_nodes, repr(a.compose(b).children())]
    assert_same_outcome(build)
    assert_same_outcome(lambda tu: tu.PyTreeDef.from_node_data_and_children(
        tu.default_registry, (int, None), []))


def test_flatten_one_level_matches_jax():
    for tree in ({"a": [1, 2], "b": {"c": 3}}, [1, 2], Point(1, 2), None, 1,
                 Linear(1, 2), Pair(1, 2)):
        assert_same_outcome(lambda tu: tu.flatten_one_level(tree), compare=_same_repr)
        assert_same_outcome(lambda tu: tu.flatten_one_level_with_keys(tree),
                            compare=_same_repr)


def test_all_leaves_and_is_tree_node_match_jax():
    for items in ([1, 2], [1, [2]], [None], [Point(1, 2)], [OPAQUE]):
        assert ltu.all_leaves(items) == jtu.all_leaves(items)
    is_list = lambda x: isinstance(x, list)
    assert ltu.all_leaves([[1]], is_leaf=is_list) == jtu.all_leaves([[1]], is_leaf=is_list)
    for typ in (list, Point, int, type(None), Linear, Pair, Tag, Opaque):
        assert ltu.is_tree_node(typ) == jtu.is_tree_node(typ)


def test_is_leaf_stops_flattening_in_both():
    def call(tu):
        short_list = lambda x: isinstance(x, list) and len(x) == 1
        tree = [[1], [2, [3]], {"a": [4]}]
        paths = tu.tree_flatten_with_path(
            tree, is_leaf=lambda p, x: len(p) == 1, is_leaf_takes_path=True)
        return (tu.tree_leaves(tree, is_leaf=short_list),
                repr(tu.tree_structure(tree, is_leaf=short_list)), repr(paths),
                tu.tree_map(lambda a, b: (a, b), [[1], 2], [[3], 4], is_leaf=short_list))
    assert_same_outcome(call)


def test_generators_are_leaves_with_a_deprecation_warning():
    for tu in (jtu, ltu):
        gen = (i for i in range(2))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert tu.tree_leaves([gen])[0] is gen
        assert len(caught) == 1 and caught[0].category is DeprecationWarning
        assert str(caught[0].message).startswith(
            "Python iterable type 'generator' is treated as a leaf in PyTree.")


def test_tree_namespace_has_what_jax_tree_has():
    public = {name for name in dir(jax.tree) if not name.startswith("_")}
    assert set(ltree.__all__) == public
    assert all(callable(getattr(ltree, name)) for name in public)
