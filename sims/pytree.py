"""pytree: four example trees taken apart and put back together by real JAX.

Each example is a few lines of Python (shown to the reader) executed here to
build a tree: the nested `params` dict of Chapter 7, a list/tuple mix with a
string leaf, a dict holding `None`, and a dataclass registered with
`jax.tree_util.register_dataclass`. For each, the bake records the tree's
structure as a nested node tree (each node's kind read from JAX's own
`treedef.node_data()`, its children and their keys from a one-level
`jax.tree_util.tree_flatten_with_path`), the leaves in JAX's flatten order
with their key paths (`jax.tree_util.keystr`), `str(treedef)`, the round trip
`jax.tree.unflatten(treedef, leaves)`, and a `jax.tree.map` example with its
real result leaf by leaf. The player only lays these out and animates them.
"""

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

SETUP = "import dataclasses\nimport jax\nimport jax.numpy as jnp\n"

EXAMPLES = [
    {
        "id": "params",
        "label": "Nested params dict",
        "name": "params",
        "source": (
            "k1, k2, k3 = jax.random.split(jax.random.key(0), 3)\n"
            "params = {\n"
            "    'layer1': {'w': 0.5 * jax.random.normal(k1, (4, 3)), 'b': jnp.zeros(3)},\n"
            "    'layer2': {'w': 0.5 * jax.random.normal(k2, (3, 2)), 'b': jnp.zeros(2)},\n"
            "}"
        ),
        "map": "lambda p: p * 0.5",
    },
    {
        "id": "list-tuple",
        "label": "List and tuple mix",
        "name": "mixed",
        "source": "mixed = [1.0, (2, 'three'), [jnp.arange(2.0), (4.0, 5.0)]]",
        "map": "lambda x: x * 2",
    },
    {
        "id": "dict-none",
        "label": "Dict holding None",
        "name": "no_bias",
        "source": "no_bias = {'dense': {'w': jnp.array([[1.0, 2.0], [3.0, 4.0]]), 'b': None}, 'scale': 1.5}",
        "map": "lambda leaf: leaf * 2",
    },
    {
        "id": "dataclass",
        "label": "Registered dataclass",
        "name": "layer",
        "source": (
            "@jax.tree_util.register_dataclass\n"
            "@dataclasses.dataclass\n"
            "class Linear:\n"
            "    w: jax.Array\n"
            "    b: jax.Array\n"
            "    activation: str = jax.tree.static(default='tanh')\n"
            "\n"
            "layer = Linear(w=jnp.ones((2, 3)), b=jnp.zeros(3))"
        ),
        "map": "lambda p: p + 1",
    },
]


def build(example: dict):
    """Run the example's source; return (tree, map function)."""
    ns: dict = {}
    exec(SETUP + example["source"], ns)
    return ns[example["name"]], eval(example["map"], ns)


def one_line(text: str) -> str:
    import re

    text = re.sub(r"\s+", " ", text).replace("[ ", "[")
    return re.sub(r" ,", ",", text).strip()


def leaf_info(leaf) -> dict:
    """What the player shows of one leaf: its type, shape, dtype and value."""
    import jax
    import numpy as np

    if isinstance(leaf, jax.Array):
        arr = np.asarray(leaf)
        return {
            "type": "jax.Array",
            "shape": [int(d) for d in arr.shape],
            "dtype": str(arr.dtype),
            "short": jax.typeof(leaf).str_short(short_dtypes=True),
            "value": one_line(np.array2string(arr, precision=4, separator=", ", max_line_width=10**6)),
            "values": [float(v) for v in arr.ravel()],
        }
    kind = type(leaf).__name__
    return {
        "type": kind,
        "shape": None,
        "dtype": None,
        "short": "Python " + kind,
        "value": repr(leaf),
        "values": [float(leaf)] if isinstance(leaf, (int, float)) else None,
    }


def node(value, key, path, index_of) -> dict:
    """The structure below `value`, classified by JAX's own treedef."""
    import dataclasses

    import jax

    keystr = jax.tree_util.keystr
    data = jax.tree.structure(value).node_data()
    here = keystr(path)
    base = {"key": keystr((key,)) if key is not None else None, "path": here}
    if data is None:  # a leaf: JAX does not look inside it
        info = leaf_info(value)
        return dict(base, kind="leaf", type=info["type"], summary=info["short"], children=None,
                    leaf=index_of[here], static=None)
    node_type, aux = data
    if value is None:
        return dict(base, kind="None", type="NoneType", summary="None: a node with no children",
                    children=[], leaf=None, static=None)
    one_level, _ = jax.tree_util.tree_flatten_with_path(value, is_leaf=lambda x: x is not value)
    children = [node(child, k[0], path + k, index_of) for k, child in one_level]
    n = len(children)
    static = None
    if node_type in (dict, list, tuple):
        kind = node_type.__name__
        summary = f"{kind}: {n} {'key' if kind == 'dict' else 'item'}{'' if n == 1 else 's'}"
    elif dataclasses.is_dataclass(value):
        kind = "dataclass"
        child_names = {k[0].name for k, _ in one_level}
        static = ", ".join(f"{f.name}={getattr(value, f.name)!r}" for f in dataclasses.fields(value)
                           if f.name not in child_names) or None
        summary = f"{node_type.__name__}: registered dataclass, {n} children" + (f"; static {static}" if static else "")
    else:
        raise ValueError(f"unexpected pytree node type {node_type!r}")
    return dict(base, kind=kind, type=node_type.__name__, summary=summary, children=children, leaf=None, static=static)


def count_nodes(n: dict) -> int:
    return 1 + sum(count_nodes(c) for c in (n["children"] or []))


def same_tree(a, b) -> bool:
    import jax
    import numpy as np

    if jax.tree.structure(a) != jax.tree.structure(b):
        return False
    return all(type(x) is type(y) and bool(np.array_equal(np.asarray(x), np.asarray(y)))
               for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def bake_example(example: dict) -> dict:
    import jax
    import numpy as np

    tree, fn = build(example)
    with_path, treedef = jax.tree_util.tree_flatten_with_path(tree)
    keystr = jax.tree_util.keystr
    paths = [keystr(p) for p, _ in with_path]
    assert len(set(paths)) == len(paths)
    index_of = {p: i for i, p in enumerate(paths)}
    structure = node(tree, None, (), index_of)
    assert count_nodes(structure) == treedef.num_nodes
    leaves = [dict(leaf_info(leaf), index=i, path=paths[i]) for i, (_, leaf) in enumerate(with_path)]
    treedef_text = str(treedef)
    assert treedef_text.count("*") == treedef.num_leaves  # the player highlights star k as leaf k

    rebuilt = jax.tree.unflatten(treedef, [leaf for _, leaf in with_path])
    mapped = jax.tree.map(fn, tree)
    mapped_with_path, mapped_def = jax.tree_util.tree_flatten_with_path(mapped)
    with np.printoptions(precision=4, suppress=True):
        rebuilt_repr, mapped_repr = repr(rebuilt), repr(mapped)
    return {
        "id": example["id"],
        "label": example["label"],
        "name": example["name"],
        "source": example["source"],
        "structure": structure,
        "leaves": leaves,
        "treedef": treedef_text,
        "num_leaves": treedef.num_leaves,
        "num_nodes": treedef.num_nodes,
        "unflatten": {
            "repr": rebuilt_repr,
            "treedef": str(jax.tree.structure(rebuilt)),
            "equal": same_tree(rebuilt, tree),
        },
        "map": {
            "source": example["map"],
            "call": f"jax.tree.map({example['map']}, {example['name']})",
            "results": [dict(leaf_info(leaf), index=i, path=keystr(p)) for i, (p, leaf) in enumerate(mapped_with_path)],
            "treedef": str(mapped_def),
            "same_structure": mapped_def == treedef,
            "repr": mapped_repr,
        },
    }


def bake() -> dict:
    return {"setup": SETUP, "examples": [bake_example(e) for e in EXAMPLES]}
