"""``jax.tree``: the short names for the pytree functions in tree_util.

Same names and signatures as ``jax.tree`` in JAX 0.10.2:
``jax.tree.map(f, tree, *rest, is_leaf=None)`` and so on.
"""

from __future__ import annotations

import dataclasses

from . import tree_util

__all__ = [
    "all", "broadcast", "flatten", "flatten_with_path", "leaves",
    "leaves_with_path", "map", "map_with_path", "reduce",
    "reduce_associative", "static", "structure", "transpose", "unflatten",
]


def all(tree, *, is_leaf=None) -> bool:
    """True if every leaf of ``tree`` is truthy."""
    return tree_util.tree_all(tree, is_leaf=is_leaf)


def flatten(tree, is_leaf=None):
    """(leaves, treedef): the leaves in order, and the containers around them."""
    return tree_util.tree_flatten(tree, is_leaf)


def leaves(tree, is_leaf=None) -> list:
    """The leaves of ``tree``, in order (dict entries by sorted key)."""
    return tree_util.tree_leaves(tree, is_leaf)


def map(f, tree, *rest, is_leaf=None):
    """A tree like ``tree`` holding ``f(leaf, *matching leaves of rest)``."""
    return tree_util.tree_map(f, tree, *rest, is_leaf=is_leaf)


def reduce(function, tree, initializer=tree_util._UNSPECIFIED, is_leaf=None):
    """functools.reduce(function, leaves(tree)[, initializer])."""
    return tree_util.tree_reduce(function, tree, initializer, is_leaf=is_leaf)


def reduce_associative(operation, tree, *, identity=tree_util._UNSPECIFIED,
                       is_leaf=None):
    """Reduces the leaves pairwise as a balanced tree of ``operation`` calls."""
    return tree_util.tree_reduce_associative(operation, tree, identity=identity,
                                             is_leaf=is_leaf)


def structure(tree, is_leaf=None):
    """The PyTreeDef of ``tree``."""
    return tree_util.tree_structure(tree, is_leaf)


def transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    """Turns an outer-of-inner tree into an inner-of-outer one."""
    return tree_util.tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose)


def unflatten(treedef, leaves):
    """The tree with structure ``treedef`` holding ``leaves``."""
    return tree_util.tree_unflatten(treedef, leaves)


def flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    """([(key_path, leaf)], treedef)."""
    return tree_util.tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)


def leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False) -> list:
    """[(key_path, leaf)], in leaf order."""
    return tree_util.tree_leaves_with_path(tree, is_leaf, is_leaf_takes_path)


def map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    """Like map, with ``f(key_path, leaf, *others)``."""
    return tree_util.tree_map_with_path(f, tree, *rest, is_leaf=is_leaf,
                                        is_leaf_takes_path=is_leaf_takes_path)


def broadcast(prefix_tree, full_tree, is_leaf=None):
    """``full_tree``'s structure, each leaf of ``prefix_tree`` repeated over
    the sub-tree it covers."""
    return tree_util.tree_broadcast(prefix_tree, full_tree, is_leaf=is_leaf)


def static(**kwargs):
    """A dataclasses.field marked static, for register_dataclass: the field
    is kept in the treedef instead of becoming children."""
    metadata = {"static": True, **(kwargs.pop("metadata", {}) or {})}
    return dataclasses.field(metadata=metadata, **kwargs)
