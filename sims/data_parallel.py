"""Data parallelism on 1, 2, 4 and 8 simulated devices, and where the blocks of a sharded array live.

Part one is Chapter 6's data-parallel training step, run for real with
`jax.shard_map` on a mesh of the first N of 8 simulated CPU devices, for
N = 1, 2, 4, 8. The data are the chapter's: a batch of 16 examples
(X: 16 × 3 from jax.random key 0, Y = X·[1, −2, 0.5] + 0.3 + noise), a linear
model with parameters {'w': zeros(3), 'b': 0} and the mean squared error. The
batch is placed with `NamedSharding(mesh, P('data'))`; one jitted shard_map
(parameters `P()`, made per-device with `jax.lax.pcast`) returns, stacked
per device with `out_specs=P('data')`, the batch indices each device saw (an
`arange(16)` sharded like X), its local loss and its local gradient
(`jax.value_and_grad` on its own shard), and, with `out_specs=P()`, the
`jax.lax.pmean`-averaged gradient and loss and the parameters after one update
with learning rate 0.1. The copies of the averaged gradient and of the new
parameters that each device holds are read from `addressable_shards`, and
the rows of X each device holds from the sharding of X. The reference is
`jax.grad` of the same loss on the whole batch on one device; the same step
written with `jax.pmap(axis_name='devices')` is baked alongside. The
collectives XLA compiled into each program (and the replica groups of its
all-reduces) are read from the compiled HLO text.

Part two is the chapter's 4 × 8 array `arange(32)` on the 2 × 4 mesh with
axes ('data', 'model'), placed with five PartitionSpecs; for every device the
block it holds comes from `NamedSharding.devices_indices_map(shape)` and its
values and replica id from the placed array's `addressable_shards`, and the
array's type from `jax.typeof`.

Float32 results are written as the shortest decimal that reads back as the
same float32; all results are finite.
"""

SCHEMA_VERSION = 1
DEVICES = 8
TIMINGS = ()

DEVICE_COUNTS = (1, 2, 4, 8)
BATCH = 16
FEATURES = 3
LEARNING_RATE = 0.1
PARAM_NAMES = ("w[0]", "w[1]", "w[2]", "b")
MESH_SHAPE = (2, 4)
MESH_AXES = ("data", "model")
ARRAY_SHAPE = (4, 8)
SPECS = ((), ("data",), (None, "model"), ("data", "model"), ("model", "data"))
COLLECTIVES = ("all-reduce", "all-gather", "all-to-all", "collective-permute", "reduce-scatter")


def _f32(value) -> float:
    """A float32 result as the shortest decimal that reads back as the same float32."""
    import numpy as np

    return float(str(np.float32(value)))


def _spec_label(entries) -> str:
    """How the chapter writes a PartitionSpec: P(), P('data'), P(None, 'model')."""
    return "P(" + ", ".join("None" if e is None else repr(e) for e in entries) + ")"


def _bounds(index, shape) -> list:
    """A tuple of slices (one per array axis) as [[start, stop], ...]."""
    return [list(s.indices(n)[:2]) for s, n in zip(index, shape)]


def _flat(params) -> list:
    """{'w': (3,), 'b': ()} as [w0, w1, w2, b]."""
    import numpy as np

    return [_f32(v) for v in np.asarray(params["w"]).tolist()] + [_f32(np.asarray(params["b"]))]


def _collectives(compiled_text: str) -> list:
    return [op for op in COLLECTIVES if op in compiled_text]


def _all_reduces(compiled_text: str) -> list:
    """Each all-reduce instruction of compiled HLO: its result shape and replica groups."""
    import re

    found = []
    for line in compiled_text.splitlines():
        m = re.search(r"= (.+?) all-reduce\(.*?replica_groups=(\{[0-9,{}]*\})", line)
        if m:
            found.append({"shape": m.group(1), "replica_groups": m.group(2)})
    return found


def _data_parallel():
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    # The chapter's batch, model and loss, exactly as written there.
    k_x, k_noise = jax.random.split(jax.random.key(0))
    X = jax.random.normal(k_x, (BATCH, FEATURES))
    Y = X @ jnp.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * jax.random.normal(k_noise, (BATCH,))
    params = {"w": jnp.zeros(FEATURES), "b": jnp.zeros(())}

    def loss_fn(params, x, y):
        pred = x @ params["w"] + params["b"]
        return jnp.mean((pred - y) ** 2)

    # The reference: one device, the whole batch.
    one = jax.devices()[0]
    full_loss, full_grads = jax.value_and_grad(loss_fn)(
        jax.device_put(params, one), jax.device_put(X, one), jax.device_put(Y, one))
    full_grad = _flat(full_grads)

    runs = []
    for n in DEVICE_COUNTS:
        mesh = jax.make_mesh((n,), ("data",), devices=jax.devices()[:n])
        batch = NamedSharding(mesh, P("data"))
        x_sharded = jax.device_put(X, batch)
        y_sharded = jax.device_put(Y, batch)
        rows_sharded = jax.device_put(jnp.arange(BATCH), batch)   # which examples reach which device
        params_replicated = jax.device_put(params, NamedSharding(mesh, P()))
        seen_types = {}

        def step(params, x, y, rows):
            seen_types["x"] = str(jax.typeof(x))
            local_params = jax.lax.pcast(params, "data", to="varying")
            loss, grads = jax.value_and_grad(loss_fn)(local_params, x, y)
            seen_types["grad_w"] = str(jax.typeof(grads["w"]))
            averaged = jax.lax.pmean(grads, "data")                 # the all-reduce
            mean_loss = jax.lax.pmean(loss, "data")
            seen_types["averaged_w"] = str(jax.typeof(averaged["w"]))
            new_params = jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, averaged)
            per_device = lambda t: jax.tree.map(lambda a: a[None], t)  # noqa: E731  (stacked by out_specs=P('data'))
            return per_device(rows), per_device(loss), per_device(grads), averaged, mean_loss, new_params

        train_step = jax.jit(jax.shard_map(
            step, mesh=mesh,
            in_specs=(P(), P("data"), P("data"), P("data")),
            out_specs=(P("data"), P("data"), P("data"), P(), P(), P()),
        ))
        args = (params_replicated, x_sharded, y_sharded, rows_sharded)
        compiled = train_step.lower(*args).compile()   # compiled once: run it, and read its HLO
        rows_seen, losses, grads, averaged, mean_loss, new_params = compiled(*args)
        compiled = compiled.as_text()

        # Each device's own rows of X, its local loss and gradient: read from the
        # shards of the stacked outputs, so the device id is the real one.
        by_device = {}
        for shard in x_sharded.addressable_shards:
            by_device[shard.device.id] = {"device": shard.device.id,
                                          "rows": _bounds(shard.index, X.shape)[0]}
        for shard in rows_seen.addressable_shards:
            by_device[shard.device.id]["examples_seen"] = [int(v) for v in np.asarray(shard.data).reshape(-1)]
        for shard in losses.addressable_shards:
            by_device[shard.device.id]["loss"] = _f32(np.asarray(shard.data).reshape(-1)[0])
        local = {}
        for name in ("w", "b"):
            for shard in grads[name].addressable_shards:
                local.setdefault(shard.device.id, {})[name] = np.asarray(shard.data)[0]
        for dev, g in local.items():
            by_device[dev]["grad"] = _flat(g)
        # The copies every device holds after pmean and after the update.
        copies = {}
        for what, tree in (("averaged_grad", averaged), ("params", new_params)):
            for name in ("w", "b"):
                for shard in tree[name].addressable_shards:
                    copies.setdefault(shard.device.id, {}).setdefault(what, {})[name] = np.asarray(shard.data)
        for dev, c in copies.items():
            by_device[dev]["averaged_grad"] = _flat(c["averaged_grad"])
            by_device[dev]["params"] = _flat(c["params"])

        # The same step the older way: pmap with a declared axis name.
        def pmap_step(params, x, y):
            g = jax.lax.pmean(jax.grad(loss_fn)(params, x, y), "devices")
            return g, jax.tree.map(lambda p, gg: p - LEARNING_RATE * gg, params, g)

        replicated = jax.tree.map(lambda p: jnp.stack([p] * n), params)
        p_grads, p_params = jax.pmap(pmap_step, axis_name="devices", devices=jax.devices()[:n])(
            replicated, X.reshape(n, BATCH // n, FEATURES), Y.reshape(n, BATCH // n))

        averaged_flat = _flat(averaged)
        runs.append({
            "devices": n,
            "mesh": str(mesh),
            "x_type": str(jax.typeof(x_sharded)),
            "block_type": seen_types["x"],
            "local_grad_type": seen_types["grad_w"],
            "averaged_grad_type": seen_types["averaged_w"],
            "collectives": _collectives(compiled),
            "all_reduces": _all_reduces(compiled),
            "shards": [by_device[d] for d in sorted(by_device)],
            "mean_loss": _f32(mean_loss),
            "averaged_grad": averaged_flat,
            "params": _flat(new_params),
            "max_abs_diff_from_full_batch": _f32(max(abs(a - b) for a, b in zip(averaged_flat, full_grad))),
            "pmap": {
                "averaged_grad": [_flat({"w": p_grads["w"][k], "b": p_grads["b"][k]}) for k in range(n)],
                "params": [_flat({"w": p_params["w"][k], "b": p_params["b"][k]}) for k in range(n)],
            },
        })

    return {
        "batch_size": BATCH,
        "features": FEATURES,
        "learning_rate": LEARNING_RATE,
        "data_key": 0,
        "param_names": list(PARAM_NAMES),
        "x": [[_f32(v) for v in row] for row in np.asarray(X).tolist()],
        "y": [_f32(v) for v in np.asarray(Y).tolist()],
        "initial_params": _flat(params),
        "full_batch": {"loss": _f32(full_loss), "grad": full_grad, "params": _flat(
            jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, full_grads))},
        "runs": runs,
    }


def _sharding():
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax.sharding import NamedSharding
    from jax.sharding import PartitionSpec as P

    mesh = jax.make_mesh(MESH_SHAPE, MESH_AXES)
    x = jnp.arange(32.0).reshape(ARRAY_SHAPE)
    position = {}
    for r, row in enumerate(mesh.devices.tolist()):
        for c, dev in enumerate(row):
            position[dev.id] = [r, c]

    specs = []
    for entries in SPECS:
        sharding = NamedSharding(mesh, P(*entries))
        placed = jax.device_put(x, sharding)
        shards = {s.device.id: s for s in placed.addressable_shards}
        devices = []
        for dev, index in sorted(sharding.devices_indices_map(x.shape).items(), key=lambda item: item[0].id):
            (r0, r1), (c0, c1) = _bounds(index, x.shape)
            shard = shards[dev.id]
            assert _bounds(shard.index, x.shape) == [[r0, r1], [c0, c1]]
            devices.append({
                "device": dev.id,
                "mesh_position": position[dev.id],
                "rows": [r0, r1],
                "cols": [c0, c1],
                "replica_id": int(shard.replica_id),
                "values": [[_f32(v) for v in row] for row in np.asarray(shard.data).tolist()],
            })
        specs.append({
            "spec": _spec_label(entries),
            "entries": list(entries),
            "type": str(jax.typeof(placed)),
            "shard_shape": list(sharding.shard_shape(x.shape)),
            "devices": devices,
        })

    return {
        "mesh": str(mesh),
        "mesh_shape": list(MESH_SHAPE),
        "axis_names": list(MESH_AXES),
        "mesh_devices": [[d.id for d in row] for row in mesh.devices.tolist()],
        "array_shape": list(ARRAY_SHAPE),
        "array": [[_f32(v) for v in row] for row in np.asarray(x).tolist()],
        "specs": specs,
    }


def bake() -> dict:
    import jax

    assert jax.device_count() >= max(DEVICE_COUNTS), "needs 8 (simulated) devices"
    data = _data_parallel()
    data["sharding"] = _sharding()
    return data
