"""A Python loop beside `jax.vmap`, `in_axes` with real shapes, and real timings.

The function is `predict(params, x) = jnp.dot(params, x)` for ONE example: a
(2, 3) weight matrix `W` times a feature vector of shape (3,). The bake runs
it on a batch of 4 examples two ways with real JAX: a Python loop that calls
`predict(W, xs[i])` once per example (the outputs of every step are kept) and
`jax.vmap(predict, in_axes=(None, 0))(W, xs)` (one call, all outputs); the
bake fails unless both agree. For each of the `in_axes` choices `(None, 0)`,
`(0, 0)`, `(0, None)` and `(None, 1)` it builds inputs that fit that choice,
records the shapes of the inputs, the per-example shapes that `predict`
really sees while `vmap` traces it, the output shape and the batched jaxpr,
and also what JAX does when the animation's own `(W, xs)` are passed with
that `in_axes`: the output shape, or the real exception type and message. Finally it times the Python loop, `vmap` and `jit(vmap)` on batches
of 1, 8, 64 and 512 random examples (median of several calls each, in
interleaved rounds, each timed call after an untimed one, with
block_until_ready); those timings vary between machines and runs and are
excluded from the determinism check.
"""

from __future__ import annotations

import gc
import inspect
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ("timings",)

W = [[1.0, -1.0, 0.5],
     [0.0, 2.0, 1.0]]
XS = [[1.0, 2.0, 3.0],
      [0.0, 1.0, -1.0],
      [2.0, 0.0, 1.0],
      [-1.0, 1.0, 0.5]]
IN_AXES = [(None, 0), (0, 0), (0, None), (None, 1)]
BATCH_SIZES = [1, 8, 64, 512]
REPEATS = 11                    # timed calls per method and batch size (interleaved rounds); the median counts
METHODS = ("loop", "vmap", "jit_vmap")


def predict(params, x):
    return jnp.dot(params, x)          # (2, 3) @ (3,) -> (2,)


def _floats(a):
    return np.asarray(a, dtype=np.float64).tolist()


def _shape(s):
    return list(s)


def _inputs(in_axes, w, xs):
    """Arguments that fit this in_axes: stacked weights where params is mapped, xs.T where x is mapped on axis 1."""
    scales = jnp.array([1.0, 0.5, -1.0, 2.0])
    ws = w[None] * scales[:, None, None]           # 4 different weight matrices, (4, 2, 3)
    pa, xa = in_axes
    params = w if pa is None else ws
    if xa is None:
        x = xs[0]
    elif xa == 1:
        x = xs.T
    else:
        x = xs
    return params, x


def _seen_shapes(in_axes, params, x):
    """The shapes predict's arguments have inside vmap, recorded while it traces."""
    seen = {}

    def spy(p, v):
        seen["params"], seen["x"] = tuple(p.shape), tuple(v.shape)
        return predict(p, v)

    out = jax.vmap(spy, in_axes=in_axes)(params, x)
    return seen, out


def _as_is(in_axes, w, xs):
    try:
        out = jax.vmap(predict, in_axes=in_axes)(w, xs)
    except Exception as err:  # the real rejection, shown to the reader
        return {"ok": False, "shape": None, "error_type": type(err).__name__, "error": str(err)}
    return {"ok": True, "shape": _shape(out.shape), "error_type": None, "error": None}


def _loop(w, xs):
    return jnp.stack([predict(w, x) for x in xs])


def _time_all(fns, w, batches):
    """Median milliseconds per call of every method on every batch. Calls are
    interleaved round by round, so a busy moment of the machine touches every
    method alike rather than one."""
    for big in batches:
        for fn in fns.values():
            fn(w, big).block_until_ready()     # warm-up: compiles jit, fills caches; not timed
    runs = {m: [[] for _ in batches] for m in fns}
    for _ in range(REPEATS):
        for k, big in enumerate(batches):
            for m, fn in fns.items():
                fn(w, big).block_until_ready()   # untimed: absorbs what the previous method left behind
                start = time.perf_counter()
                fn(w, big).block_until_ready()
                runs[m][k].append(time.perf_counter() - start)
    return {m: [float(f"{statistics.median(r) * 1000:.4g}") for r in runs[m]] for m in fns}


def bake() -> dict:
    w, xs = jnp.array(W), jnp.array(XS)

    # The loop, one example per step, and vmap, the whole batch in one call.
    steps = []
    for i in range(xs.shape[0]):
        steps.append({"example": i, "x": _floats(xs[i]), "output": _floats(predict(w, xs[i]))})
    batched = jax.vmap(predict, in_axes=(None, 0))(w, xs)
    looped = _loop(w, xs)
    if not np.array_equal(np.asarray(batched), np.asarray(looped)):
        raise RuntimeError("vmap-loop: vmap and the Python loop disagree")

    # in_axes, with inputs that fit, and with the animation's (W, xs) as they are.
    cases = []
    for in_axes in IN_AXES:
        params, x = _inputs(in_axes, w, xs)
        seen, out = _seen_shapes(in_axes, params, x)
        cases.append({
            "in_axes": str(in_axes),
            "params_axis": in_axes[0],
            "x_axis": in_axes[1],
            "params_shape": _shape(params.shape),
            "x_shape": _shape(x.shape),
            "params_seen": _shape(seen["params"]),
            "x_seen": _shape(seen["x"]),
            "output_shape": _shape(out.shape),
            "jaxpr": str(jax.make_jaxpr(jax.vmap(predict, in_axes=in_axes))(params, x)),
            "as_is": _as_is(in_axes, w, xs),
        })

    # Timings: loop, vmap, jit(vmap) over batch sizes, on random examples.
    key = jax.random.key(0)
    vmapped = jax.vmap(predict, in_axes=(None, 0))
    jitted = jax.jit(vmapped)
    fns = {"loop": _loop, "vmap": vmapped, "jit_vmap": jitted}
    batches = []
    for n in BATCH_SIZES:
        big = jax.random.normal(jax.random.fold_in(key, n), (n, 3))
        ref = np.asarray(_loop(w, big))
        for m in METHODS:
            if not np.allclose(np.asarray(fns[m](w, big)), ref, rtol=1e-6, atol=1e-6):
                raise RuntimeError(f"vmap-loop: {m} disagrees with the loop at batch {n}")
        batches.append(big)
    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()                                   # no collector pauses inside a timed call
    try:
        timings = _time_all(fns, w, batches)
    finally:
        if gc_was_enabled:
            gc.enable()

    return {
        "source": inspect.getsource(predict).strip(),
        "W": W,
        "xs": XS,
        "steps": steps,
        "vmap_output": _floats(batched),
        "jaxprs": {
            "per_example": str(jax.make_jaxpr(predict)(w, xs[0])),
            "batched": str(jax.make_jaxpr(jax.vmap(predict, in_axes=(None, 0)))(w, xs)),
        },
        "in_axes": cases,
        "batch_sizes": BATCH_SIZES,
        "repeats": REPEATS,
        "timings": timings,
    }
