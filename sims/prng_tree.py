"""A tree of real PRNG keys: split from one root, drawn from, and reused.

Starting from `jax.random.key(SEED)`, every key is split with `jax.random.split(key)` into two
children, down to DEPTH levels: a full binary tree whose nodes are named by their path
("root/0/1" is the second child of the first child of the root). For each key the bake records
its raw data, `jax.random.key_data(key).tolist()` (two uint32 words with the default
threefry2x32 implementation), and what two random functions draw from it:
`jax.random.normal(key, (3,))` and `jax.random.uniform(key, (3,))`. It also records what a
3-way split of the same key gives, `jax.random.split(key, 3)`, and `jax.random.fold_in(key, i)`
for i = 0, 1, 2, with flags saying whether the 3-way split starts with the same two keys as the
2-way split, and whether `fold_in(key, i)` is `split(key, 3)[i]` (the chapter's warning). The
player only reveals, marks and lists these baked keys and samples: drawing twice from one key
shows the same baked numbers twice, exactly as JAX would.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

SEED = 42
DEPTH = 4          # levels below the root: 2**(DEPTH+1) - 1 = 31 keys
SHAPE = (3,)
FOLD_INS = 3


def words(key) -> list[int]:
    import jax

    return [int(w) for w in jax.random.key_data(key).tolist()]


def bake() -> dict:
    import jax
    import jax.numpy as jnp

    root = jax.random.key(SEED)
    nodes: list[dict] = []

    def visit(key, path: str, depth: int, parent: str | None) -> None:
        children = jax.random.split(key) if depth < DEPTH else None
        three = jax.random.split(key, 3)
        folded = [jax.random.fold_in(key, i) for i in range(FOLD_INS)]
        node = {
            "path": path,
            "parent": parent,
            "depth": depth,
            "key_data": words(key),
            "normal": [float(v) for v in jax.random.normal(key, SHAPE).tolist()],
            "uniform": [float(v) for v in jax.random.uniform(key, SHAPE).tolist()],
            "children": [f"{path}/{i}" for i in range(2)] if children is not None else [],
            "split3": [words(k) for k in three],
            "fold_in": [words(k) for k in folded],
            "split3_starts_with_split": bool(jnp.array_equal(jax.random.key_data(three[:2]),
                                                             jax.random.key_data(jax.random.split(key)))),
            "fold_in_equals_split3": all(bool(jnp.array_equal(jax.random.key_data(f), jax.random.key_data(t)))
                                         for f, t in zip(folded, three)),
        }
        nodes.append(node)
        if children is not None:
            for i in range(2):
                visit(children[i], f"{path}/{i}", depth + 1, path)

    visit(root, "root", 0, None)
    return {
        "seed": SEED,
        "depth": DEPTH,
        "shape": list(SHAPE),
        "impl": str(jax.random.key_impl(root)),
        "root_code": f"jax.random.key({SEED})",
        "nodes": nodes,
    }
