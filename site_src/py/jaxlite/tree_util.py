"""Pytrees: JAX's way of treating nested containers as one value.

A pytree is a nested structure of containers (tuple, list, dict, None,
namedtuple, and any class registered here) whose non-container pieces are
*leaves*. ``tree_flatten`` turns a pytree into a flat list of leaves plus a
``PyTreeDef`` that remembers the containers; ``PyTreeDef.unflatten`` puts
new leaves back into the same containers. Every JAX transformation uses this
to accept nested arguments.

This is a pure-Python copy of jaxlib's C++ pytree code (jaxlib/pytree.cc)
and of jax/_src/tree_util.py as of JAX 0.10.2: same leaf order, same
``PyTreeDef`` printing, same key paths, and the same exception types and
messages, so that output shown beside real JAX reads the same.

A ``PyTreeDef`` is stored the way jaxlib stores it: a list of nodes in
post-order (children before their parent). Flattening appends nodes,
unflattening replays them with a stack, and a sub-tree is a contiguous
slice, which keeps ``children()``, ``compose()`` and equality simple.

This module imports nothing else from jaxlite, so it works on its own.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import functools
import operator
import textwrap
import types
import warnings
from typing import Any

__all__ = [
    "DictKey", "FlattenedIndexKey", "GetAttrKey", "KeyEntry", "KeyPath",
    "Partial", "PyTreeDef", "SequenceKey", "all_leaves", "default_registry",
    "flatten_one_level", "flatten_one_level_with_keys", "is_tree_node",
    "keystr", "register_dataclass", "register_pytree_node",
    "register_pytree_node_class", "register_pytree_with_keys",
    "register_pytree_with_keys_class", "register_static", "tree_all",
    "tree_broadcast", "tree_flatten", "tree_flatten_with_path",
    "tree_leaves", "tree_leaves_with_path", "tree_map", "tree_map_with_path",
    "tree_reduce", "tree_reduce_associative", "tree_structure",
    "tree_transpose", "tree_unflatten", "treedef_children",
    "treedef_is_leaf", "treedef_tuple",
]

Leaf = Any
PyTree = Any
KeyEntry = Any
KeyPath = tuple


# --- signature errors --------------------------------------------------------
# jaxlib's objects are C++ bindings; a call with the wrong argument types
# fails with nanobind's TypeError. We raise the same first line so error
# output reads like JAX's.

def _type_name(x) -> str:
    t = type(x)
    if t.__module__ == "builtins":
        return t.__qualname__
    return f"{t.__module__}.{t.__qualname__}"


def _bad_arguments(name: str, signature: str, *args) -> TypeError:
    invoked = ", ".join(_type_name(a) for a in args)
    return TypeError(
        f"{name}(): incompatible function arguments. The following argument "
        f"types are supported:\n    1. {signature}\n\n"
        f"Invoked with types: {invoked}")


def _as_index(value, owner, name: str) -> int:
    """An int argument as jaxlib's bindings accept it (ints, not floats)."""
    if isinstance(value, float) or not hasattr(value, "__index__"):
        raise _bad_arguments("__init__", f"__init__(self, {name}: int) -> None",
                             owner, value)
    return operator.index(value)


# --- key path entries ----------------------------------------------------------
# A key path is a tuple of these, one per container on the way from the root
# to a leaf. Their str() is the Python syntax that would fetch the child
# (`['w']`, `[0]`, `.x`), which is what keystr joins.

class SequenceKey:
    """The position of a child in a tuple or list: ``[0]``."""
    __slots__ = ("_idx",)
    __match_args__ = ("idx",)

    def __init__(self, idx: int):
        self._idx = _as_index(idx, self, "idx")

    idx = property(lambda self: self._idx)
    __str__ = lambda self: f"[{self._idx}]"
    __repr__ = lambda self: f"SequenceKey(idx={self._idx})"
    __eq__ = lambda self, other: (isinstance(other, SequenceKey)
                                  and self._idx == other._idx)
    __hash__ = lambda self: self._idx + 1  # jaxlib salts the index with 1
    __reduce__ = lambda self: (SequenceKey, (self._idx,))


class DictKey:
    """The key of a child in a dict: ``['w']``."""
    __slots__ = ("_key",)
    __match_args__ = ("key",)

    def __init__(self, key):
        self._key = key

    key = property(lambda self: self._key)
    __str__ = lambda self: f"[{self._key!r}]"
    __repr__ = lambda self: f"DictKey(key={self._key!r})"
    __eq__ = lambda self, other: (isinstance(other, DictKey)
                                  and not _differs(self._key, other._key))
    __hash__ = lambda self: hash(self._key)
    __reduce__ = lambda self: (DictKey, (self._key,))


class GetAttrKey:
    """The attribute holding a child (namedtuple field, dataclass field): ``.x``."""
    __slots__ = ("_name",)
    __match_args__ = ("name",)

    def __init__(self, name: str):
        if not isinstance(name, str):
            raise _bad_arguments("__init__", "__init__(self, name: str) -> None",
                                 self, name)
        self._name = name

    name = property(lambda self: self._name)
    __str__ = lambda self: f".{self._name}"
    __repr__ = lambda self: f"GetAttrKey(name='{self._name}')"
    __eq__ = lambda self, other: (isinstance(other, GetAttrKey)
                                  and self._name == other._name)
    __hash__ = lambda self: hash(self._name)
    __reduce__ = lambda self: (GetAttrKey, (self._name,))


class FlattenedIndexKey:
    """The position of a child of a custom node registered without keys."""
    __slots__ = ("_key",)
    __match_args__ = ("key",)

    def __init__(self, key: int):
        self._key = _as_index(key, self, "key")

    key = property(lambda self: self._key)
    __str__ = lambda self: f"[<flat index {self._key}>]"
    __repr__ = lambda self: f"FlattenedIndexKey(key={self._key})"
    __eq__ = lambda self, other: (isinstance(other, FlattenedIndexKey)
                                  and self._key == other._key)
    __hash__ = lambda self: self._key + 42  # jaxlib's salt
    __reduce__ = lambda self: (FlattenedIndexKey, (self._key,))


def keystr(keys, *, simple: bool = False, separator: str = "") -> str:
    """Joins a key path into one string: ``['foo']['bar'][0]``.

    With ``simple=True`` each entry is just its key (``foo/bar/0`` with
    ``separator='/'``), shorter but ambiguous.
    """
    str_fn = _simple_entrystr if simple else str
    return separator.join(map(str_fn, keys))


def _simple_entrystr(key) -> str:
    if isinstance(key, SequenceKey):
        return str(key.idx)
    if isinstance(key, (DictKey, FlattenedIndexKey)):
        return str(key.key)
    if isinstance(key, GetAttrKey):
        return str(key.name)
    return str(key)


# --- node kinds ---------------------------------------------------------------
# The same kinds as jaxlib's PyTreeKind; the numbers feed the hash only.

LEAF, NONE, TUPLE, NAMEDTUPLE, LIST, DICT, CUSTOM, DATACLASS = range(8)
_CONTAINER_NAMES = {NONE: "None", TUPLE: "tuple", LIST: "list", DICT: "dict"}


class _Node:
    """One node of a PyTreeDef. Shared between treedefs, so never changed
    once flattening has counted its sub-tree."""
    __slots__ = ("kind", "arity", "node_data", "dict_keys", "custom",
                 "num_leaves", "num_nodes")

    def __init__(self, kind, arity=0, node_data=None, dict_keys=(),
                 custom=None, num_leaves=0, num_nodes=0):
        self.kind = kind
        self.arity = arity
        self.node_data = node_data    # namedtuple type, or a custom node's aux data
        self.dict_keys = dict_keys    # a dict's keys, sorted
        self.custom = custom          # the _Registration of CUSTOM/DATACLASS nodes
        self.num_leaves = num_leaves  # in the sub-tree rooted here
        self.num_nodes = num_nodes    # in the sub-tree rooted here, itself included

    def recounted(self, num_leaves, num_nodes) -> _Node:
        return _Node(self.kind, self.arity, self.node_data, self.dict_keys,
                     self.custom, num_leaves, num_nodes)


# --- registrations --------------------------------------------------------------

class _Registration:
    """How to take apart and rebuild one registered node type."""

    def __init__(self, kind, type_, to_iterable=None, from_iterable=None,
                 to_iterable_with_keys=None, data_fields=(), meta_fields=()):
        self.kind = kind
        self.type = type_
        self.to_iterable = to_iterable
        self.from_iterable = from_iterable
        self.to_iterable_with_keys = to_iterable_with_keys
        self.data_fields = tuple(data_fields)
        self.meta_fields = tuple(meta_fields)

    def children(self, obj):
        """(children iterable, aux_data) from the user's flatten function, checked."""
        out = self.to_iterable(obj)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(
                "The to_iterable function for a custom PyTree node should return "
                f"a (children, aux_data) tuple, got {out!r}")
        if not _is_iterable(out[0]):
            raise ValueError(
                "The to_iterable function for a custom PyTree node should return "
                "a (children, aux_data) tuple where 'children' is iterable, "
                f"got {out!r}")
        return out[0], out[1]

    def keyed_children(self, obj):
        """([(key, child)], aux_data); FlattenedIndexKey(i) when registered without keys."""
        if self.to_iterable_with_keys is None:
            children, aux = self.children(obj)
            return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux
        out = self.to_iterable_with_keys(obj)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ValueError(
                "The to_iterable_with_keys function for a custom PyTree node "
                f"should return a (key_leaf_pairs, aux_data) tuple, got {out!r}")
        if not _is_iterable(out[0]):
            raise ValueError(
                "The to_iterable_with_keys function for a custom PyTree node should "
                "return a (key_leaf_pairs, aux_data) tuple where 'key_leaf_pairs' is "
                f"iterable, got {out!r}")
        pairs = []
        for pair in out[0]:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                # jaxlib's message is cut short exactly like this.
                raise ValueError(
                    "The to_iterable_with_keys function for a custom PyTree node should "
                    "return a (key_leaf_pairs, aux_data) tuple where 'child"
                    f"{pair!r}")
            pairs.append(pair)
        return pairs, out[1]

    def meta(self, obj) -> tuple:
        return tuple(getattr(obj, name) for name in self.meta_fields)

    def data(self, obj) -> list:
        return [getattr(obj, name) for name in self.data_fields]


def _is_iterable(x) -> bool:
    try:
        iter(x)
    except TypeError:
        return False
    return True


def _sorted_dict_keys(d: dict) -> list:
    try:
        return sorted(d)
    except Exception as e:
        raise ValueError("Comparator raised exception while sorting pytree "
                         "dictionary keys.") from e


def _differs(a, b) -> bool:
    """``a != b`` as jaxlib asks it: an object never differs from itself, so
    the same NaN or NumPy array held twice compares equal without calling ``!=``."""
    return a is not b and bool(a != b)


def _same_dict_keys(a, b) -> bool:
    return len(a) == len(b) and not any(_differs(x, y) for x, y in zip(a, b))


def _is_namedtuple(x) -> bool:
    # As in jaxlib: a namedtuple is recognised by a `_fields` attribute.
    return isinstance(x, tuple) and hasattr(x, "_fields")


# Iterators and generators are leaves, but JAX warns: they are usually a
# mistake (a generator where a list was meant).
_WARNED_ITERABLE_TYPES = (
    type({}.values()), types.GeneratorType, zip, map, filter, enumerate,
    reversed, type(iter([])), type(iter(set())), type(iter(())),
    type(iter({})), type(iter({}.values())), type(iter({}.items())),
)


def _warn_if_iterable_leaf(x):
    if isinstance(x, _WARNED_ITERABLE_TYPES):
        warnings.warn(
            f"Python iterable type '{type(x).__name__}' is treated as a leaf in "
            "PyTree. Use is_leaf to suppress this warning if you want this "
            "behavior. In a future version of JAX, this will become an error.",
            DeprecationWarning, stacklevel=4)


def _asks_leaf(is_leaf, x, path) -> bool:
    answer = is_leaf(x) if path is None else is_leaf(tuple(path), x)
    if answer is None:  # JAX accepts None as "no" for old callers
        return False
    if type(answer) is not bool:
        raise ValueError(f"is_leaf predicate returned a non-boolean value "
                         f"{answer!r}; expected a boolean")
    return answer


class PyTreeRegistry:
    """Which types are pytree nodes, and how to flatten trees made of them."""

    def __init__(self, enable_none=True, enable_tuple=True,
                 enable_namedtuple=True, enable_list=True, enable_dict=True):
        self._registrations = {}
        builtins = ((enable_none, type(None), NONE), (enable_tuple, tuple, TUPLE),
                    (enable_list, list, LIST), (enable_dict, dict, DICT))
        for enabled, type_, kind in builtins:
            if enabled:
                self._registrations[type_] = _Registration(kind, type_)
        self._enable_namedtuple = enable_namedtuple

    # registration

    def register_node(self, type, to_iterable, from_iterable,
                      to_iterable_with_keys=None):
        self._add(_Registration(CUSTOM, type, to_iterable, from_iterable,
                                to_iterable_with_keys), "custom")

    def register_dataclass_node(self, type, data_fields, meta_fields):
        self._add(_Registration(DATACLASS, type, data_fields=data_fields,
                                meta_fields=meta_fields), "custom dataclass")

    def _add(self, registration, what):
        if registration.type in self._registrations:
            raise ValueError(f"Duplicate {what} PyTreeDef type registration for "
                             f"{registration.type!r}.")
        self._registrations[registration.type] = registration

    def lookup(self, type_):
        return self._registrations.get(type_)

    def is_node(self, type_) -> bool:
        if self.lookup(type_) is not None:
            return True
        return (isinstance(type_, type) and issubclass(type_, tuple)
                and hasattr(type_, "_fields"))

    def kind_of(self, x):
        """(kind, registration) of one object; exact types only, as in jaxlib."""
        registration = self.lookup(type(x))
        if registration is not None:
            return registration.kind, registration
        if self._enable_namedtuple and _is_namedtuple(x):
            return NAMEDTUPLE, None
        return LEAF, None

    # flattening

    def flatten(self, tree, leaf_predicate=None):
        """(leaves, treedef)."""
        leaves, nodes = [], []
        self._flatten_into(tree, leaves, nodes, None, leaf_predicate)
        return leaves, PyTreeDef._from_nodes(nodes, self)

    def flatten_with_path(self, tree, leaf_predicate=None):
        """([(key_path, leaf)], treedef); leaf_predicate takes (key_path, x)."""
        leaves, nodes = [], []
        self._flatten_into(tree, leaves, nodes, [], leaf_predicate)
        return leaves, PyTreeDef._from_nodes(nodes, self)

    def _flatten_into(self, x, leaves, nodes, path, is_leaf):
        start_nodes, start_leaves = len(nodes), len(leaves)
        if is_leaf is not None and _asks_leaf(is_leaf, x, path):
            node = _Node(LEAF)
        else:
            kind, registration = self.kind_of(x)
            if kind == LEAF:
                _warn_if_iterable_leaf(x)
                node = _Node(LEAF)
            else:
                node, keyed = _take_apart(kind, registration, x, path is not None)
                for key, child in keyed:
                    if path is not None:
                        path.append(key)
                    self._flatten_into(child, leaves, nodes, path, is_leaf)
                    if path is not None:
                        path.pop()
        if node.kind == LEAF:
            leaves.append(x if path is None else (tuple(path), x))
        node.num_nodes = len(nodes) - start_nodes + 1
        node.num_leaves = len(leaves) - start_leaves
        nodes.append(node)

    def flatten_one_level(self, tree):
        """(children, node_data) of one node, or None for a leaf."""
        return self._one_level(tree, with_keys=False)

    def flatten_one_level_with_keys(self, tree):
        """([(key, child)], node_data) of one node, or None for a leaf."""
        return self._one_level(tree, with_keys=True)

    def _one_level(self, x, with_keys):
        # The containers returned mirror jaxlib's exactly (a list stays the
        # same list, a dict gives tuples), since callers print them.
        kind, registration = self.kind_of(x)
        if kind == LEAF:
            return None
        if kind == NONE:
            return (), None
        if kind in (TUPLE, LIST):
            if with_keys:
                return tuple((SequenceKey(i), c) for i, c in enumerate(x)), None
            return x, None
        if kind == DICT:
            keys = tuple(_sorted_dict_keys(x))
            if with_keys:
                return tuple((DictKey(k), x[k]) for k in keys), keys
            return tuple(x[k] for k in keys), keys
        if kind == NAMEDTUPLE:
            if with_keys:
                return _namedtuple_one_level_keys(x), type(x)
            return list(x), type(x)
        if kind == CUSTOM:
            if with_keys:
                return registration.keyed_children(x)
            return registration.children(x)
        data, meta = registration.data(x), registration.meta(x)
        if with_keys:
            data = [(GetAttrKey(n), v) for n, v in zip(registration.data_fields, data)]
        return data, meta


def _namedtuple_one_level_keys(x):
    fields = _namedtuple_fields(x)
    # jaxlib 0.10.2 labels every child of a namedtuple here with the first
    # field's name (its loop never advances to the next field). Error
    # messages built on this (tree_map's) show that label, so we copy it.
    return [(GetAttrKey(str(fields[0])), c) for c in x]


def _namedtuple_fields(x):
    fields = getattr(x, "_fields")
    if not isinstance(fields, tuple) or len(fields) != len(x):
        raise ValueError("A namedtuple's _fields attribute should have the same "
                         "size as the tuple.")
    return fields


def _take_apart(kind, registration, x, with_keys):
    """(node, [(key or None, child)]) for one container."""
    if kind == NONE:
        return _Node(NONE), []
    if kind in (TUPLE, LIST):
        keys = [SequenceKey(i) for i in range(len(x))] if with_keys else [None] * len(x)
        return _Node(kind, len(x)), list(zip(keys, x))
    if kind == DICT:
        sorted_keys = _sorted_dict_keys(x)
        keyed = [(DictKey(k) if with_keys else None, x[k]) for k in sorted_keys]
        return _Node(DICT, len(keyed), dict_keys=tuple(sorted_keys)), keyed
    if kind == NAMEDTUPLE:
        if with_keys:
            keys = [GetAttrKey(str(f)) for f in _namedtuple_fields(x)]
        else:
            keys = [None] * len(x)
        return _Node(NAMEDTUPLE, len(x), node_data=type(x)), list(zip(keys, x))
    if kind == CUSTOM:
        if with_keys:
            keyed, aux = registration.keyed_children(x)
        else:
            children, aux = registration.children(x)
            keyed = [(None, c) for c in children]
        return _Node(CUSTOM, len(keyed), node_data=aux, custom=registration), keyed
    meta = registration.meta(x)
    names = registration.data_fields
    keys = [GetAttrKey(n) for n in names] if with_keys else [None] * len(names)
    keyed = list(zip(keys, registration.data(x)))
    return _Node(DATACLASS, len(keyed), node_data=meta, custom=registration), keyed


def _make_node(node, children):
    """Rebuilds one container from its (already rebuilt) children."""
    kind = node.kind
    if kind == NONE:
        return None
    if kind == TUPLE:
        return tuple(children)
    if kind == NAMEDTUPLE:
        return node.node_data(*children)
    if kind == LIST:
        return list(children)
    if kind == DICT:
        return dict(zip(node.dict_keys, children))
    if kind == CUSTOM:
        return node.custom.from_iterable(node.node_data, tuple(children))
    custom = node.custom
    kwargs = dict(zip(custom.meta_fields, node.node_data))
    kwargs.update(zip(custom.data_fields, children))
    return custom.type(**kwargs)


# --- PyTreeDef --------------------------------------------------------------------

class PyTreeDef:
    """The container structure of a pytree, without its leaves.

    Printed as in JAX: ``*`` for a leaf, Python syntax for tuples, lists and
    dicts, ``CustomNode(Name[aux_data], [children])`` for namedtuples and
    registered classes.
    """
    __slots__ = ("_nodes", "_registry")

    def __init__(self, *args, **kwargs):
        raise TypeError(
            "jaxlite.tree_util.PyTreeDef: no constructor defined! Get one from "
            "jax.tree.structure(tree) or jax.tree.flatten(tree).")

    @classmethod
    def _from_nodes(cls, nodes, registry):
        self = object.__new__(cls)
        self._nodes = tuple(nodes)
        self._registry = registry
        return self

    @property
    def num_leaves(self) -> int:
        return self._nodes[-1].num_leaves if self._nodes else 0

    @property
    def num_nodes(self) -> int:
        return len(self._nodes)

    # rebuilding

    def unflatten(self, leaves):
        """Puts ``leaves`` (any iterable, read in order) back into this structure."""
        if not _is_iterable(leaves):
            raise _bad_arguments(
                "unflatten", "unflatten(self, arg: Iterable[Any], /) -> Any",
                self, leaves)
        it, count, agenda = iter(leaves), 0, []
        for node in self._nodes:
            if node.kind == LEAF:
                leaf = next(it, _EXHAUSTED)
                if leaf is _EXHAUSTED:
                    raise ValueError(f"Too few leaves for PyTreeDef; expected "
                                     f"{self.num_leaves}, got {count}")
                agenda.append(leaf)
                count += 1
            else:
                _replace_top(agenda, node.arity, lambda cs: _make_node(node, cs))
        if next(it, _EXHAUSTED) is not _EXHAUSTED:
            raise ValueError(
                f"Too many leaves for PyTreeDef; expected {self.num_leaves}.")
        return agenda[-1]

    def walk(self, f_node, f_leaf, leaves):
        """Rebuilds bottom-up with ``f_node(children, node_data)`` and ``f_leaf(leaf)``."""
        if f_leaf is None or not callable(f_node):
            raise _bad_arguments(
                "walk", "walk(self, __f_node: Callable[[Any, Any], Any], __f_leaf: "
                "Callable[[_T], Any] | None, leaves: Iterable[Any], /) -> Any",
                self, f_node, f_leaf, leaves)
        it, agenda = iter(leaves), []
        for node in self._nodes:
            if node.kind == LEAF:
                leaf = next(it, _EXHAUSTED)
                if leaf is _EXHAUSTED:
                    raise ValueError("Too few leaves for PyTreeDef")
                agenda.append(f_leaf(leaf))
            else:
                data = list(node.dict_keys) if node.kind == DICT else node.node_data
                _replace_top(agenda, node.arity, lambda cs: f_node(tuple(cs), data))
        if next(it, _EXHAUSTED) is not _EXHAUSTED:
            raise ValueError("Too many leaves for PyTreeDef")
        return agenda[-1]

    # matching another tree against this structure

    def flatten_up_to(self, tree):
        """The sub-trees of ``tree`` that sit where this structure has leaves.

        This structure must be a prefix of ``tree``'s; the first mismatch found
        (checking from the last child backwards, as jaxlib does) raises
        ValueError.
        """
        leaves = [None] * self.num_leaves
        leaf = self.num_leaves - 1
        agenda = [tree]
        nodes = reversed(self._nodes)
        while agenda:
            node = next(nodes, None)
            if node is None:
                raise ValueError(f"Tree structures did not match: {tree!r} vs {self!r}")
            x = agenda.pop()
            if node.kind == LEAF:
                leaves[leaf] = x
                leaf -= 1
            else:
                agenda.extend(self._children_matching(node, x))
        if next(nodes, None) is not None or leaf != -1:
            raise ValueError(f"Tree structures did not match: {tree!r} vs {self!r}")
        return leaves

    def _children_matching(self, node, x):
        """The children of ``x``, after checking ``x`` is the container ``node`` describes."""
        kind = node.kind
        if kind == NONE:
            if x is not None:
                raise ValueError(_EXPECTED_NONE.format(x))
            return []
        if kind in (TUPLE, LIST):
            name = _CONTAINER_NAMES[kind]
            if type(x) is not (tuple if kind == TUPLE else list):
                raise ValueError(f"Expected {name}, got {x!r}.")
            if len(x) != node.arity:
                raise ValueError(f"{name.capitalize()} arity mismatch: {len(x)} != "
                                 f"{node.arity}; {name}: {x!r}.")
            return list(x)
        if kind == DICT:
            return _dict_children_matching(node, x)
        if kind == NAMEDTUPLE:
            return _namedtuple_children_matching(node, x)
        if kind == CUSTOM:
            return self._custom_children_matching(node, x)
        return self._dataclass_children_matching(node, x)

    def _custom_children_matching(self, node, x):
        if self._registry.lookup(type(x)) is not node.custom:
            raise ValueError(f"Custom node type mismatch: expected type: "
                             f"{node.custom.type!r}, value: {x!r}.")
        children, aux = node.custom.children(x)
        if _differs(node.node_data, aux):
            raise ValueError(f"Mismatch custom node data: {node.node_data!r} != "
                             f"{aux!r}; value: {x!r}.")
        children = list(children)
        if len(children) != node.arity:
            raise ValueError(f"Custom type arity mismatch: {len(children)} != "
                             f"{node.arity}; value: {x!r}.")
        return children

    def _dataclass_children_matching(self, node, x):
        if self._registry.lookup(type(x)) is not node.custom:
            raise ValueError(f"Custom dataclass node type mismatch: expected type: "
                             f"{node.custom.type!r}, value: {x!r}.")
        meta = node.custom.meta(x)
        if _differs(node.node_data, meta):
            raise ValueError(f"Mismatch custom dataclass node data: "
                             f"{node.node_data!r} != {meta!r}; value: {x!r}.")
        return node.custom.data(x)

    # taking the structure apart and putting structures together

    def children(self) -> list:
        """The structures of the root's children, in order."""
        if not self._nodes:
            return []
        root = self._nodes[-1]
        children, end = [], len(self._nodes) - 1
        for _ in range(root.arity):
            start = end - self._nodes[end - 1].num_nodes
            children.append(PyTreeDef._from_nodes(self._nodes[start:end], self._registry))
            end = start
        return children[::-1]

    def compose(self, inner: PyTreeDef) -> PyTreeDef:
        """This structure with every leaf replaced by ``inner``."""
        nodes = []
        for node in self._nodes:
            nodes.extend(inner._nodes if node.kind == LEAF else (node,))
        return PyTreeDef._from_nodes(_recount(nodes), self._registry)

    def node_data(self):
        """None for a leaf, else (type, node data) of the root."""
        node = self._nodes[-1]
        if node.kind == LEAF:
            return None
        if node.kind == DICT:
            return dict, list(node.dict_keys)
        if node.kind == NAMEDTUPLE:
            return node.node_data, None
        if node.kind in (CUSTOM, DATACLASS):
            return node.custom.type, node.node_data
        return {NONE: type(None), TUPLE: tuple, LIST: list}[node.kind], None

    @staticmethod
    def from_node_data_and_children(registry, node_data, children) -> PyTreeDef:
        """Inverse of ``node_data()`` and ``children()``."""
        nodes, num_leaves, arity = [], 0, 0
        for child in children:
            nodes.extend(child._nodes)
            num_leaves += child.num_leaves
            arity += 1
        nodes.append(_node_from_data(registry, node_data, arity, num_leaves,
                                     len(nodes) + 1))
        return PyTreeDef._from_nodes(nodes, registry)

    # comparing and printing

    def __eq__(self, other):
        return isinstance(other, PyTreeDef) and self._same_as(other)

    def __ne__(self, other):
        # As in jaxlib: comparing with a non-PyTreeDef gives False both ways.
        return isinstance(other, PyTreeDef) and not self._same_as(other)

    def _same_as(self, other) -> bool:
        if len(self._nodes) != len(other._nodes):
            return False
        return all(_same_node(a, b) for a, b in zip(self._nodes, other._nodes))

    def __hash__(self):
        # Like jaxlib, only the shape goes in the hash, never node data
        # (which need not be hashable).
        return hash(tuple(_node_hash_key(n) for n in self._nodes))

    def __repr__(self):
        agenda = []
        for node in self._nodes:
            if node.kind == LEAF:
                agenda.append("*")
            else:
                _replace_top(agenda, node.arity, lambda cs: _node_repr(node, cs))
        return f"PyTreeDef({agenda[-1]})"

    def __reduce__(self):
        return (_rebuild_treedef, (self._nodes, self._registry))


_EXHAUSTED = object()

_EXPECTED_NONE = (
    "Expected None, got {!r}.\n\n"
    "In previous releases of JAX, flatten-up-to used to consider None to be a "
    "tree-prefix of non-None values. To obtain the previous behavior, you can "
    "usually write:\n"
    "  jax.tree.map(lambda x, y: None if x is None else f(x, y), a, b, "
    "is_leaf=lambda x: x is None)")


def _rebuild_treedef(nodes, registry):
    return PyTreeDef._from_nodes(nodes, registry)


def _replace_top(agenda, arity, build):
    """Replaces the top ``arity`` entries of a stack with ``build(entries)``."""
    start = len(agenda) - arity
    built = build(agenda[start:])
    del agenda[start:]
    agenda.append(built)


def _dict_children_matching(node, x):
    if type(x) is not dict:
        raise ValueError(f"Expected dict, got {x!r}.")
    keys = _sorted_dict_keys(x)
    if not _same_dict_keys(keys, node.dict_keys):
        raise ValueError(f"Dict key mismatch; expected keys: {list(node.dict_keys)!r}; "
                         f"present keys: {keys!r}.")
    return [x[k] for k in keys]


def _namedtuple_children_matching(node, x):
    if not _is_namedtuple(x):
        raise ValueError(f"Expected named tuple, got {x!r}.")
    if len(x) != node.arity:
        raise ValueError(f"Named tuple arity mismatch: {len(x)} != {node.arity}; "
                         f"tuple: {x!r}.")
    if _differs(type(x), node.node_data):
        raise ValueError(f"Named tuple type mismatch: expected type: "
                         f"{node.node_data!r}, tuple: {x!r}.")
    return list(x)


def _same_node(a, b) -> bool:
    if a.kind != b.kind or a.arity != b.arity or len(a.dict_keys) != len(b.dict_keys):
        return False
    if a.kind == CUSTOM and (a.custom.from_iterable is not b.custom.from_iterable
                             or a.custom.type is not b.custom.type):
        return False
    # Dataclass nodes of different classes compare equal when their metadata
    # does: jaxlib 0.10.2 checks the class of CUSTOM nodes only.
    if a.kind in (NAMEDTUPLE, CUSTOM, DATACLASS) and _metadata_differs(a, b):
        return False
    return _same_dict_keys(a.dict_keys, b.dict_keys)


def _metadata_differs(a, b) -> bool:
    try:
        return _differs(a.node_data, b.node_data)
    except Exception as e:
        raise ValueError(
            "Exception raised while checking equality of metadata fields of "
            "pytree. Make sure that metadata fields are hashable and "
            "have simple equality semantics. (Note: arrays cannot be passed as "
            "metadata fields!)") from e


def _node_hash_key(node):
    if node.kind == CUSTOM:
        return (node.kind, node.arity, id(node.custom.type), id(node.custom.from_iterable))
    return (node.kind, node.arity, id(node.custom))


def _node_repr(node, children) -> str:
    joined = ", ".join(children)
    kind = node.kind
    if kind == NONE:
        return "None"
    if kind == TUPLE:
        return f"({joined},)" if node.arity == 1 else f"({joined})"
    if kind == LIST:
        return f"[{joined}]"
    if kind == DICT:
        items = (f"{k!r}: {c}" for k, c in zip(node.dict_keys, children))
        return "{" + ", ".join(items) + "}"
    if kind == NAMEDTUPLE:
        return f"CustomNode(namedtuple[{node.node_data.__name__}], [{joined}])"
    return f"CustomNode({node.custom.type.__name__}[{node.node_data}], [{joined}])"


def _recount(nodes) -> list:
    """Nodes with num_leaves/num_nodes recomputed from the arities."""
    out, starts, num_leaves = [], [], 0  # starts: (leaves, index) where each open sub-tree began
    for i, node in enumerate(nodes):
        start = (num_leaves, i)
        if node.kind == LEAF:
            num_leaves += 1
        if node.arity == 0:
            starts.append(start)
        else:
            del starts[len(starts) - node.arity + 1:]
        first_leaf, first_index = starts[-1]
        out.append(node.recounted(num_leaves - first_leaf, i + 1 - first_index))
    return out


def _node_from_data(registry, node_data, arity, num_leaves, num_nodes):
    if node_data is None:
        return _Node(LEAF, arity, num_leaves=num_leaves + 1, num_nodes=num_nodes)
    type_, data = node_data
    counts = dict(num_leaves=num_leaves, num_nodes=num_nodes)
    if isinstance(type_, type) and issubclass(type_, tuple) and hasattr(type_, "_fields"):
        return _Node(NAMEDTUPLE, arity, node_data=type_, **counts)
    registration = registry.lookup(type_)
    if registration is None:
        raise RuntimeError(f"Could not find type: {type_!r}.")
    if registration.kind in (CUSTOM, DATACLASS):
        return _Node(registration.kind, arity, node_data=data, custom=registration,
                     **counts)
    if registration.kind == DICT:
        return _Node(DICT, arity, dict_keys=tuple(data), **counts)
    return _Node(registration.kind, arity, **counts)


# --- the default registry and its built-in custom nodes ------------------------------

default_registry = PyTreeRegistry()


def tree_flatten(tree, is_leaf=None):
    """Alias of :func:`jax.tree.flatten`: (leaves, treedef)."""
    return default_registry.flatten(tree, is_leaf)


def tree_unflatten(treedef, leaves):
    """Alias of :func:`jax.tree.unflatten`."""
    return treedef.unflatten(leaves)


def tree_leaves(tree, is_leaf=None):
    """Alias of :func:`jax.tree.leaves`."""
    return default_registry.flatten(tree, is_leaf)[0]


def tree_structure(tree, is_leaf=None):
    """Alias of :func:`jax.tree.structure`."""
    return default_registry.flatten(tree, is_leaf)[1]


def treedef_tuple(treedefs):
    """The structure of a tuple whose children have the given structures."""
    treedefs = list(treedefs)
    nodes = [n for t in treedefs for n in t._nodes]
    num_leaves = sum(t.num_leaves for t in treedefs)
    nodes.append(_Node(TUPLE, len(treedefs), num_leaves=num_leaves,
                       num_nodes=len(nodes) + 1))
    return PyTreeDef._from_nodes(nodes, default_registry)


def treedef_children(treedef):
    """The structures of the root's children."""
    return treedef.children()


def treedef_is_leaf(treedef) -> bool:
    """True if the structure is a single node (a leaf, None, or an empty container)."""
    return treedef.num_nodes == 1


def treedef_is_strict_leaf(treedef) -> bool:
    return treedef.num_nodes == 1 and treedef.num_leaves == 1


def all_leaves(iterable, is_leaf=None) -> bool:
    """True if no element of ``iterable`` is a pytree node."""
    if is_leaf is None:
        return all(default_registry.kind_of(x)[0] == LEAF for x in iterable)
    items = list(iterable)
    leaves = tree_leaves(items, is_leaf)
    return len(leaves) == len(items) and all(
        item is leaf for item, leaf in zip(items, leaves))


def is_tree_node(typ) -> bool:
    """True if ``typ`` is a registered node type or a namedtuple class."""
    return default_registry.is_node(typ)


def register_pytree_node(nodetype, flatten_func, unflatten_func,
                         flatten_with_keys_func=None):
    """Makes ``nodetype`` a pytree node.

    ``flatten_func(x) -> (children, aux_data)``; ``unflatten_func(aux_data,
    children) -> x``. ``aux_data`` is kept in the treedef and must be hashable
    and comparable with ``==``.
    """
    default_registry.register_node(nodetype, flatten_func, unflatten_func,
                                   flatten_with_keys_func)


def register_pytree_node_class(cls):
    """Class decorator: registers ``cls`` using its ``tree_flatten`` method and
    ``tree_unflatten`` classmethod."""
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func,
                              flatten_func=None):
    """Like register_pytree_node, with ``flatten_with_keys(x) -> ([(key, child)],
    aux_data)`` so that key paths name each child."""
    if not flatten_func:
        def flatten_func(tree):
            key_children, aux = flatten_with_keys(tree)
            return [c for _, c in key_children], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_with_keys_class(cls):
    """Class decorator: registers ``cls`` using its ``tree_flatten_with_keys``
    method (and ``tree_flatten`` if present) and ``tree_unflatten``."""
    flatten_func = (operator.methodcaller("tree_flatten")
                    if hasattr(cls, "tree_flatten") else None)
    register_pytree_with_keys(cls, operator.methodcaller("tree_flatten_with_keys"),
                              cls.tree_unflatten, flatten_func)
    return cls


def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    """Registers a dataclass: data fields are children, meta fields are static.

    Used as a decorator on a dataclass, fields marked
    ``dataclasses.field(metadata=dict(static=True))`` (or ``jax.tree.static()``)
    are meta fields and the rest are data fields.
    """
    data_fields, meta_fields = _dataclass_fields(nodetype, data_fields, meta_fields)
    if dataclasses.is_dataclass(nodetype):
        _check_dataclass_fields(nodetype, data_fields, meta_fields, drop_fields)
    overlap = set(data_fields) & set(meta_fields)
    if overlap:
        raise ValueError("data_fields and meta_fields must not overlap. "
                         f"Overlapping fields: {overlap}.")
    default_registry.register_dataclass_node(nodetype, list(data_fields),
                                             list(meta_fields))
    return nodetype


def _dataclass_fields(nodetype, data_fields, meta_fields):
    if data_fields is not None and meta_fields is not None:
        return tuple(data_fields), tuple(meta_fields)
    if (data_fields is None) != (meta_fields is None):
        raise TypeError("register_dataclass: data_fields and meta_fields must both be "
                        "specified when either is specified. Got "
                        f"data_fields={data_fields!r} meta_fields={meta_fields!r}.")
    if not dataclasses.is_dataclass(nodetype):
        raise TypeError("register_dataclass: data_fields and meta_fields are required "
                        f"when nodetype is not a dataclass. Got nodetype={nodetype!r}.")
    fields = dataclasses.fields(nodetype)
    static = [f.metadata.get("static", False) for f in fields]
    return (tuple(f.name for f, s in zip(fields, static) if not s),
            tuple(f.name for f, s in zip(fields, static) if s))


def _check_dataclass_fields(nodetype, data_fields, meta_fields, drop_fields):
    init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init}
    init_fields.difference_update(drop_fields)
    given = {*meta_fields, *data_fields}
    if given == init_fields:
        return
    msg = ("data_fields and meta_fields must include all dataclass fields with"
           " ``init=True`` and only them.")
    missing = init_fields - given
    if missing:
        msg += (f" Missing fields: {missing}. Add them to drop_fields to suppress"
                " this error.")
    unexpected = given - init_fields
    if unexpected:
        msg += f" Unexpected fields: {unexpected}."
    raise ValueError(msg)


def register_static(cls):
    """Registers ``cls`` as a node with no children: its instances are kept
    whole in the treedef (static under jit). Instances must be hashable."""
    register_pytree_with_keys(cls, lambda obj: ((), obj),
                              lambda obj, empty_children: obj)
    return cls


register_pytree_with_keys(
    collections.OrderedDict,
    lambda x: (tuple((DictKey(k), x[k]) for k in x.keys()), tuple(x.keys())),
    lambda keys, values: collections.OrderedDict(zip(keys, values, strict=True)),
)


def _flatten_defaultdict_with_keys(d):
    keys = tuple(sorted(d))
    return tuple((DictKey(k), d[k]) for k in keys), (d.default_factory, keys)


register_pytree_with_keys(
    collections.defaultdict,
    _flatten_defaultdict_with_keys,
    lambda s, values: collections.defaultdict(s[0], zip(s[1], values, strict=True)),
)


class _HashableCallableShim:
    """Stands in for a functools.partial wrapped by Partial, so that Partial
    does not merge its arguments into ours (see Partial.__new__)."""

    def __init__(self, fun):
        self.fun = fun

    def __call__(self, *args, **kw):
        return self.fun(*args, **kw)

    def __hash__(self):
        return hash(self.fun)

    def __eq__(self, other):
        if isinstance(other, _HashableCallableShim):
            return self.fun == other.fun
        return self.fun == other

    def __repr__(self):
        return f"_HashableCallableShim({self.fun!r})"


class Partial(functools.partial):
    """functools.partial as a pytree: the bound arguments are its children,
    the function is static, so a Partial can be passed through jit."""

    def __new__(klass, func, *args, **kw):
        # functools.partial(partial(f, a), b) would merge into partial(f, a, b),
        # making `a` a child of this node too; wrap func to prevent that.
        if isinstance(func, functools.partial):
            original = func
            func = _HashableCallableShim(original)
            out = super().__new__(klass, func, *args, **kw)
            func.func, func.args, func.keywords = (original.func, original.args,
                                                   original.keywords)
            return out
        return super().__new__(klass, func, *args, **kw)

    def __repr__(self):
        # Python 3.13 added the module path to partial's repr; the real JAX
        # output shown beside ours comes from an older Python, so keep its form.
        parts = [repr(self.func), *map(repr, self.args),
                 *(f"{k}={v!r}" for k, v in self.keywords.items())]
        return f"{type(self).__qualname__}({', '.join(parts)})"


register_pytree_node(
    Partial,
    lambda partial_: ((partial_.args, partial_.keywords), partial_.func),
    lambda func, xs: Partial(func, *xs[0], **xs[1]),
)


# --- mapping and reducing --------------------------------------------------------------

def tree_map(f, tree, *rest, is_leaf=None):
    """Alias of :func:`jax.tree.map`: ``f`` applied leaf-wise; ``tree``'s
    structure must be a prefix of each tree in ``rest``."""
    leaves, treedef = tree_flatten(tree, is_leaf)
    all_leaves = [leaves] + _flatten_rest_up_to(treedef, tree, rest, is_leaf,
                                                "tree_map tree")
    return treedef.unflatten(f(*xs) for xs in zip(*all_leaves))


def _flatten_rest_up_to(treedef, tree, rest, is_leaf, name):
    """Each of ``rest`` flattened up to ``treedef``; on a mismatch, JAX's
    explanation of where ``tree`` and that tree differ."""
    flat = []
    for other in rest:
        try:
            flat.append(treedef.flatten_up_to(other))
        except Exception as e:
            err = next(_prefix_error((), tree, other, is_leaf), None)
            raise (err(name) if err is not None else e) from None
    return flat


class Unspecified:
    """Marks an argument that was not given (None may be a real initializer)."""


_UNSPECIFIED = Unspecified()


def tree_reduce(function, tree, initializer=_UNSPECIFIED, is_leaf=None):
    """Alias of :func:`jax.tree.reduce`: functools.reduce over the leaves."""
    leaves = tree_leaves(tree, is_leaf=is_leaf)
    if isinstance(initializer, Unspecified):
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation, tree, *, identity=_UNSPECIFIED, is_leaf=None):
    """Alias of :func:`jax.tree.reduce_associative`: reduces the leaves as a
    balanced binary tree of ``operation`` calls."""
    return _parallel_reduce(tree_leaves(tree, is_leaf=is_leaf), operation, identity)


def _parallel_reduce(sequence, operation, identity=_UNSPECIFIED):
    if not sequence:
        if isinstance(identity, Unspecified):
            raise TypeError("Must specify identity for parallel reduction of empty "
                            "sequence.")
        return identity
    if len(sequence) == 1:
        return sequence[0]
    half = len(sequence) // 2
    return operation(_parallel_reduce(sequence[:half], operation, identity),
                     _parallel_reduce(sequence[half:], operation, identity))


def tree_all(tree, *, is_leaf=None) -> bool:
    """Alias of :func:`jax.tree.all`: True if every leaf is truthy."""
    return all(tree_leaves(tree, is_leaf=is_leaf))


def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """Alias of :func:`jax.tree.transpose`: turns an outer-of-inner tree into an
    inner-of-outer tree (e.g. a list of tuples into a tuple of lists)."""
    flat, treedef = tree_flatten(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = tree_structure(outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    inner_size, outer_size = inner_treedef.num_leaves, outer_treedef.num_leaves
    if treedef.num_leaves != inner_size * outer_size:
        expected = outer_treedef.compose(inner_treedef)
        raise TypeError(f"Mismatch\n{treedef}\n != \n{expected}")
    rows = [flat[i * inner_size:(i + 1) * inner_size] for i in range(outer_size)]
    subtrees = [outer_treedef.unflatten(column) for column in zip(*rows)]
    return inner_treedef.unflatten(subtrees)


def tree_broadcast(prefix_tree, full_tree, is_leaf=None):
    """Alias of :func:`jax.tree.broadcast`: each leaf of ``prefix_tree``
    repeated over the matching sub-tree of ``full_tree``."""
    leaves = broadcast_prefix(prefix_tree, full_tree, is_leaf=is_leaf)
    return tree_structure(full_tree).unflatten(leaves)


def broadcast_prefix(prefix_tree, full_tree, is_leaf=None) -> list:
    """The leaves of ``prefix_tree``, each repeated once per leaf of the
    sub-tree of ``full_tree`` it covers."""
    result = []

    def add_leaves(x, subtree):
        result.extend([x] * tree_structure(subtree).num_leaves)

    try:
        tree_map(add_leaves, prefix_tree, full_tree, is_leaf=is_leaf)
    except ValueError:
        e, *_ = prefix_errors(prefix_tree, full_tree)
        raise e("broadcast_prefix prefix_tree") from None
    return result


def flatten_one_level(tree):
    """(children, node_data) of the root node of ``tree``."""
    out = default_registry.flatten_one_level(tree)
    if out is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    return out


def flatten_one_level_with_keys(tree):
    """([(key, child)], node_data) of the root node of ``tree``."""
    out = default_registry.flatten_one_level_with_keys(tree)
    if out is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    return out


# --- key paths -------------------------------------------------------------------------

def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """Alias of :func:`jax.tree.flatten_with_path`: ([(key_path, leaf)], treedef)."""
    predicate = is_leaf
    if not is_leaf_takes_path and is_leaf is not None:
        predicate = lambda _, x: is_leaf(x)
    return default_registry.flatten_with_path(tree, predicate)


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """Alias of :func:`jax.tree.leaves_with_path`: [(key_path, leaf)]."""
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


generate_key_paths = tree_leaves_with_path


def tree_map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    """Alias of :func:`jax.tree.map_with_path`: ``f(key_path, leaf, *others)``."""
    keyed_leaves, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    columns = list(zip(*keyed_leaves))  # [paths, leaves], or [] for no leaves
    columns += _flatten_rest_up_to(treedef, tree, rest, is_leaf,
                                   "tree_map_with_path tree")
    return treedef.unflatten(f(*xs) for xs in zip(*columns))


# --- explaining structure mismatches -------------------------------------------------------

def prefix_errors(prefix_tree, full_tree, is_leaf=None) -> list:
    """Functions ``name -> ValueError``, one per place where ``prefix_tree``
    is not a prefix of ``full_tree``."""
    return list(_prefix_error((), prefix_tree, full_tree, is_leaf))


def _child_keys(tree) -> tuple:
    return tuple(k for k, _ in flatten_one_level_with_keys(tree)[0])


def _prefix_error(key_path, prefix_tree, full_tree, is_leaf=None):
    if treedef_is_strict_leaf(tree_structure(prefix_tree, is_leaf=is_leaf)):
        return  # a leaf is a prefix of anything
    if type(prefix_tree) != type(full_tree):
        yield _different_types_error(key_path, prefix_tree, full_tree)
        return
    prefix_children, prefix_meta = flatten_one_level(prefix_tree)
    full_children, full_meta = flatten_one_level(full_tree)
    prefix_children, full_children = tuple(prefix_children), tuple(full_children)
    prefix_keys, full_keys = _child_keys(prefix_tree), _child_keys(full_tree)
    if isinstance(prefix_tree, (list, tuple)):
        if len(prefix_tree) != len(full_tree):
            yield _different_lengths_error(key_path, prefix_tree, full_tree)
            return
    elif len(prefix_children) != len(full_children):
        yield _different_children_error(key_path, prefix_tree, prefix_keys, full_keys,
                                        len(prefix_children), len(full_children))
        return
    if prefix_meta != full_meta:
        yield _different_metadata_error(key_path, prefix_tree, prefix_meta, full_meta)
        return
    # Same node on both sides, so the mismatch is further down. (JAX drops
    # is_leaf from here on; so do we, to report the same place.)
    for k, t1, t2 in zip(prefix_keys, prefix_children, full_children):
        yield from _prefix_error((*key_path, k), t1, t2)


def _different_types_error(key_path, prefix_tree, full_tree):
    return lambda name: ValueError(
        "pytree structure error: different types at key path\n"
        f"    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type\n"
        f"    {type(prefix_tree)}\n"
        f"but at the same key path the full pytree has a subtree of different type\n"
        f"    {type(full_tree)}.")


def _different_lengths_error(key_path, prefix_tree, full_tree):
    ty = type(prefix_tree).__name__
    return lambda name: ValueError(
        f"pytree structure error: different lengths of {ty} at key path\n"
        f"    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type "
        f"{ty} of length {len(prefix_tree)}, but the full pytree "
        f"has a subtree of the same type but of length {len(full_tree)}.")


def _different_children_error(key_path, prefix_tree, prefix_keys, full_keys,
                              num_prefix, num_full):
    try:
        diff = set(prefix_keys).symmetric_difference(set(full_keys))
    except Exception:
        diff = None
    key_names = lambda keys: " ".join(str(k.key) for k in keys)
    return lambda name: ValueError(
        "pytree structure error: different numbers of pytree children at key path\n"
        f"    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type\n"
        f"    {type(prefix_tree)}\n"
        f"with {num_prefix} child keys\n"
        f"    {key_names(prefix_keys)}\n"
        f"but at the same key path the full pytree has a subtree of the same "
        f"type but with {num_full} child keys\n"
        f"    {key_names(full_keys)}\n"
        + ("" if diff is None else
           f"so the symmetric difference on key sets is\n    {key_names(diff)}"))


def _different_metadata_error(key_path, prefix_tree, prefix_meta, full_meta):
    prefix_str, full_str = str(prefix_meta), str(full_meta)
    diff = textwrap.indent("\n".join(difflib.ndiff(prefix_str.splitlines(),
                                                   full_str.splitlines())),
                           prefix="    ")
    return lambda name: ValueError(
        "pytree structure error: different pytree metadata at key path\n"
        f"    {name}{keystr(key_path)}\n"
        f"At that key path, the prefix pytree {name} has a subtree of type\n"
        f"    {type(prefix_tree)}\n"
        f"with metadata\n"
        f"    {prefix_str}\n"
        f"but at the same key path the full pytree has a subtree of the same "
        f"type but with metadata\n"
        f"    {full_str}\n"
        f"so the diff in the metadata at these pytree nodes is\n"
        f"{diff}")


def equality_errors(tree1, tree2, is_leaf=None):
    """(key_path, thing1, thing2, explanation) for each place two trees of
    different structure first differ; for error messages."""
    yield from _equality_errors((), tree1, tree2, is_leaf)


def equality_errors_pytreedef(tree1, tree2):
    """Like equality_errors, for two PyTreeDefs."""
    leaf = type("LeafMeta", (type,), dict(__repr__=lambda _: "pytree leaf"))("Leaf", (), {})()
    return equality_errors(tree_unflatten(tree1, [leaf] * tree1.num_leaves),
                           tree_unflatten(tree2, [leaf] * tree2.num_leaves))


def _equality_errors(path, t1, t2, is_leaf):
    if (treedef_is_strict_leaf(tree_structure(t1, is_leaf=is_leaf)) and
            treedef_is_strict_leaf(tree_structure(t2, is_leaf=is_leaf))):
        return
    if type(t1) != type(t2):
        yield path, str(type(t1)), str(type(t2)), "their Python types differ"
        return
    if isinstance(t1, (list, tuple)) and len(t1) != len(t2):
        yield (path, f"{type(t1).__name__} of length {len(t1)}",
               f"{type(t2).__name__} of length {len(t2)}", "the lengths do not match")
        return
    t1_children, t1_meta = flatten_one_level(t1)
    t2_children, t2_meta = flatten_one_level(t2)
    t1_children, t2_children = tuple(t1_children), tuple(t2_children)
    t1_keys, t2_keys = _child_keys(t1), _child_keys(t2)
    if len(t1_children) != len(t2_children):
        yield _children_count_difference(path, t1, t2, t1_children, t2_children,
                                         t1_keys, t2_keys)
        return
    if t1_meta != t2_meta:
        yield (path, f"{type(t1)} with pytree metadata {t1_meta}",
               f"{type(t2)} with pytree metadata {t2_meta}",
               "the pytree node metadata does not match")
        return
    for k, c1, c2 in zip(t1_keys, t1_children, t2_children):
        yield from _equality_errors((*path, k), c1, c2, is_leaf)


def _children_count_difference(path, t1, t2, t1_children, t2_children, t1_keys, t2_keys):
    try:
        diff = " ".join(repr(k.key) for k in set(t1_keys).symmetric_difference(set(t2_keys)))
    except Exception:
        diff = ""
    plural = lambda n: "ren" if n > 1 else ""
    return (path,
            f"{type(t1)} with {len(t1_children)} child{plural(len(t1_children))}",
            f"{type(t2)} with {len(t2_children)} child{plural(len(t2_children))}",
            "the numbers of children do not match" +
            (diff and f", with the symmetric difference of key sets: {{{diff}}}"))
