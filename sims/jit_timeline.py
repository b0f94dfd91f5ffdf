"""The jit cache, call by call: which calls of a jitted function trace,
lower and compile, and which only execute.

The function is `f(x, scale, n)`, jitted with `static_argnums=(2,)`. The
reader picks the array's shape and dtype, a Python scalar `scale` (a float or
an int) and the static `n`: 3 x 2 x 4 x 2 = 48 combinations. For every
combination the bake measures, with real JAX on the build machine, the
duration of each stage of a first call on a fresh function (`trace`, `lower`,
`compile`, and `execute`: one run of the compiled program, which is all a
cache hit does), as medians of a few runs. Which calls share a cache entry is
not written down anywhere: the bake calls one jitted function with every
combination, and the function returns, as a constant recorded while tracing,
the number of the trace that made the cache entry it ran, so every call names
its entry. The partition this gives (the "classes") is then checked against
real trace counts (a Python counter inside a plain jitted f) over seeded
random call sequences and over every combination called twice in a row, in
two orders; any disagreement fails the bake. The player decides hit or miss
by looking up the baked class of each call among the classes called since the
last "Reset cache".
"""

from __future__ import annotations

import gc
import inspect
import random
import statistics
import time

import jax
import jax.numpy as jnp

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ("timings",)

SHAPES = [(3,), (5,), (2, 3)]
DTYPES = ["float32", "int32"]
SCALARS = [1.0, 2.0, 3, 4]          # Python floats and Python ints, passed as they are
STATICS = [2, 3]                    # values of the static argument n
REPEATS = 3                         # runs per stage and combination; the bake keeps the median
EXECUTE_RUNS = 15                   # runs of the compiled program timed per run; their median counts
SEQUENCES = 10                      # seeded random call sequences checked against real trace counts
SEQUENCE_LENGTH = 10
SEED = 3
STAGES = ("trace", "lower", "compile", "execute")


def make_f():
    """A fresh function object each time, so no JAX cache keyed on it can hit."""

    def f(x, scale, n):
        for _ in range(n):
            x = jnp.sin(x) * scale
        return x

    return f


def _combos():
    """Every combination of control values, in the order the player indexes them."""
    return [(s, d, c, n) for s in range(len(SHAPES)) for d in range(len(DTYPES))
            for c in range(len(SCALARS)) for n in range(len(STATICS))]


def _args(combo):
    s, d, c, n = combo
    shape = SHAPES[s]
    size = 1
    for dim in shape:
        size *= dim
    x = jnp.arange(size, dtype=DTYPES[d]).reshape(shape)
    return x, SCALARS[c], STATICS[n]


def _jit(fun):
    return jax.jit(fun, static_argnums=(2,))


def _entries(order, combos):
    """Call one jitted function with combos in this order; return, per call,
    (number of the trace whose cache entry ran, whether this call traced)."""
    traces = [0]

    def g(x, scale, n):
        traces[0] += 1
        tag = traces[0]                 # a Python int while tracing: a constant in the program
        for _ in range(n):
            x = jnp.sin(x) * scale
        return x, jnp.int32(tag)

    jg = _jit(g)
    out = []
    for i in order:
        before = traces[0]
        _, tag = jg(*_args(combos[i]))
        out.append((int(tag), traces[0] != before))
    return out


def _partition(order, combos):
    """Class of each combination (numbered by first appearance in canonical
    order), found from which cache entry each call ran."""
    entry = {}
    for i, (tag, _) in zip(order, _entries(order, combos)):
        entry[i] = tag
    classes, by_entry = [None] * len(combos), {}
    for i in range(len(combos)):            # number classes canonically, whatever the call order
        classes[i] = by_entry.setdefault(entry[i], len(by_entry))
    return classes


def _count_traces(order, combos):
    """Whether each call traced, counted with a Python counter in a plain jitted f."""
    count = [0]
    base = make_f()

    def counted(x, scale, n):
        count[0] += 1
        return base(x, scale, n)

    jf = _jit(counted)
    traced = []
    for i in order:
        before = count[0]
        jf(*_args(combos[i])).block_until_ready()
        traced.append(count[0] != before)
    return traced


def _predicted(order, classes):
    seen, out = set(), []
    for i in order:
        out.append(classes[i] not in seen)
        seen.add(classes[i])
    return out


def _ms(seconds):
    return float(f"{seconds * 1000:.4g}")


def _time_stages(combo):
    """One run of each stage, on a fresh function object, in seconds."""
    args = _args(combo)
    jitted = _jit(make_f())
    t0 = time.perf_counter()
    traced = jitted.trace(*args)
    t1 = time.perf_counter()
    lowered = traced.lower()
    t2 = time.perf_counter()
    compiled = lowered.compile()
    t3 = time.perf_counter()
    compiled(*args[:2]).block_until_ready()  # the first run pays for warming up; not timed
    runs = []
    for _ in range(EXECUTE_RUNS):
        s = time.perf_counter()
        compiled(*args[:2]).block_until_ready()
        runs.append(time.perf_counter() - s)
    return {"trace": t1 - t0, "lower": t2 - t1, "compile": t3 - t2, "execute": statistics.median(runs)}


def bake() -> dict:
    combos = _combos()
    order = list(range(len(combos)))

    # Which calls share a cache entry, from the entries the calls really ran.
    classes = _partition(order, combos)

    # Check the classes against real trace counts.
    rng = random.Random(SEED)
    sequences = [order + order, order[::-1] + order[::-1]]
    for _ in range(SEQUENCES):
        pool = rng.sample(order, 5)
        sequences.append([rng.choice(pool) for _ in range(SEQUENCE_LENGTH)])
    checked = []
    for seq in sequences:
        real = _count_traces(seq, combos)
        if real != _predicted(seq, classes):
            raise RuntimeError(f"jit-timeline: real traces {real} disagree with the cache classes for calls {seq}")
        checked.append({"calls": seq, "traced": real})

    # One description, key and jaxpr per class.
    f = make_f()
    class_info = []
    for k in range(max(classes) + 1):
        members = [i for i in order if classes[i] == k]
        x, scale, n = _args(combos[members[0]])
        avals = _jit(f).trace(x, scale, n).in_avals[0]
        class_info.append({
            "key": f"x: {avals[0]}, scale: {avals[1]}, n={n}",
            "members": members,
            "jaxpr": str(jax.make_jaxpr(f, static_argnums=(2,))(x, scale, n)),
        })

    # Stage durations: medians over REPEATS runs, combinations interleaved.
    for combo in combos[:2]:                 # warm up JAX's one-time start-up work
        _time_stages(combo)
    runs = [[] for _ in combos]
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(REPEATS):
            gc.collect()
            gc.disable()                     # no collector pauses inside a timed stage
            for i, combo in enumerate(combos):
                runs[i].append(_time_stages(combo))
            gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    timings = [{stage: _ms(statistics.median(r[stage] for r in runs[i]))
                for stage in STAGES} for i in order]

    source = inspect.getsource(make_f).splitlines()
    body = [line[4:] for line in source if line.startswith("    def f") or line.startswith("        ")]
    return {
        "source": "\n".join(body) + "\n\njitted = jax.jit(f, static_argnums=(2,))",
        "controls": {
            "shapes": [{"label": str(s), "dims": list(s)} for s in SHAPES],
            "dtypes": DTYPES,
            "scalars": [{"label": repr(v), "value": v, "type": type(v).__name__} for v in SCALARS],
            "statics": STATICS,
        },
        "combos": [{"shape": s, "dtype": d, "scalar": c, "n": n, "class": classes[i]}
                   for i, (s, d, c, n) in enumerate(combos)],
        "classes": class_info,
        "verification": {
            "sequences": checked,
            "calls": sum(len(s) for s in sequences),
            "traces": sum(sum(s["traced"]) for s in checked),
        },
        "repeats": REPEATS,
        "execute_runs": EXECUTE_RUNS,
        "timings": timings,
    }
