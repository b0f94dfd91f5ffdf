"""A pure and an impure function under jit, call by call: what each prints
while tracing, what `jax.debug.print` prints when the program runs, what it
returns, and which bias value each cached program captured.

The impure `add_bias(x)` reads a global `bias`; the pure `add_bias_pure(x,
bias)` takes it as an argument. Both are jitted and print with `print` (trace
time) and `jax.debug.print` (run time). The reader calls them with x = 5.0 or
x = [5., 5.], and sets the global bias to 1.0, 2.0 or 3.0, in any order. The
bake executes the two functions' source with real JAX (`exec` in a fresh
namespace, so `bias` really is the function's global), captures stdout around
every call (with `jax.effects_barrier()`), and records for each function and
each input: the outcome of a cache miss at each bias ("miss"), and the
outcome of a cache hit at each current bias for a program traced at each
earlier bias ("hit"). Whether a call traced is read from jit's own cache size.
The player keeps the cache book (which input has a program, traced at which
bias) and looks each call up in these tables. The tables are checked in the
bake against seeded random action sequences replayed on fresh functions: every
call's real printed lines, result and trace must equal the lookup, or the bake
fails.
"""

from __future__ import annotations

import contextlib
import io
import random
import re

import jax
import jax.numpy as jnp

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

IMPURE_SOURCE = '''bias = 1.0

@jax.jit
def add_bias(x):
    print("tracing: x =", x, "bias =", bias)
    jax.debug.print("run: x={} bias={}", x, bias)
    return x + bias
'''

PURE_SOURCE = '''@jax.jit
def add_bias_pure(x, bias):
    print("tracing: x =", x, "bias =", bias)
    jax.debug.print("run: x={} bias={}", x, bias)
    return x + bias
'''

BIASES = [1.0, 2.0, 3.0]
INITIAL_BIAS = 0                      # index into BIASES: the source sets bias = 1.0
INPUTS = [("5.0", lambda: 5.0), ("jnp.array([5.0, 5.0])", lambda: jnp.array([5.0, 5.0]))]
FUNCTIONS = {"impure": "add_bias", "pure": "add_bias_pure"}
SEQUENCES = 6                         # seeded random action sequences checked against real runs
SEQUENCE_LENGTH = 10
SEED = 7


def fresh():
    """A fresh namespace holding both functions, as a module would."""
    ns = {"jax": jax, "jnp": jnp}
    exec(IMPURE_SOURCE, ns)           # noqa: S102 - our own source, shown to the reader
    exec(PURE_SOURCE, ns)             # noqa: S102
    return ns


def call(ns, which, k):
    """Call one function on input k as the reader's button does; return what happened."""
    fn = ns[FUNCTIONS[which]]
    x = INPUTS[k][1]()
    before = fn._cache_size()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out = fn(x) if which == "impure" else fn(x, ns["bias"])
        out.block_until_ready()
        jax.effects_barrier()
    traced = fn._cache_size() != before
    lines = buf.getvalue().splitlines()
    trace = [line for line in lines if line.startswith("tracing: ")]
    run = [line for line in lines if line.startswith("run: ")]
    if len(trace) + len(run) != len(lines) or len(trace) != int(traced) or len(run) != 1:
        raise RuntimeError(f"pure-impure: unexpected output of {which} on input {k}: {lines!r} (traced={traced})")
    return {"traced": traced, "trace": trace, "run": run, "result": str(out)}


def _tables():
    """Outcomes of a miss at each bias, and of a hit at each bias for a program traced at each bias."""
    tables = {}
    for which in FUNCTIONS:
        miss, hit = [], []
        for k in range(len(INPUTS)):
            miss_k, hit_k = [], []
            for e, first in enumerate(BIASES):
                ns = fresh()
                ns["bias"] = first
                miss_k.append(call(ns, which, k))
                row = []
                for b in BIASES:
                    ns["bias"] = b
                    row.append(call(ns, which, k))
                hit_k.append(row)
            miss.append(miss_k)
            hit.append(hit_k)
        for k in range(len(INPUTS)):
            if not all(ev["traced"] for ev in miss[k]) or any(ev["traced"] for row in hit[k] for ev in row):
                raise RuntimeError(f"pure-impure: {which} on input {k} traced where the tables say it would not")
        tables[which] = {"miss": miss, "hit": hit}
    return tables


def predict(tables, actions):
    """What the player shows for a sequence of actions: a lookup in the tables."""
    bias, entries, out = INITIAL_BIAS, {w: [None] * len(INPUTS) for w in FUNCTIONS}, []
    for kind, arg in actions:
        if kind == "set":
            bias = arg
            continue
        step = {}
        for which in FUNCTIONS:
            e = entries[which][arg]
            if e is None:
                step[which] = tables[which]["miss"][arg][bias]
                entries[which][arg] = bias
            else:
                step[which] = tables[which]["hit"][arg][e][bias]
        out.append(step)
    return out


def replay(actions):
    """Run a sequence of actions for real on fresh functions."""
    ns, out = fresh(), []
    for kind, arg in actions:
        if kind == "set":
            ns["bias"] = BIASES[arg]
        else:
            out.append({which: call(ns, which, arg) for which in FUNCTIONS})
    return out


def random_sequences():
    rng = random.Random(SEED)
    choices = [("call", 0), ("call", 1)] + [("set", b) for b in range(len(BIASES))]
    fixed = [("call", 0), ("set", 1), ("call", 0), ("call", 1), ("call", 0), ("set", 2), ("call", 1), ("call", 0)]
    seqs = [fixed]
    for _ in range(SEQUENCES - 1):
        seqs.append([rng.choice(choices) for _ in range(SEQUENCE_LENGTH)])
    return seqs


def _jaxpr(fn, *args):
    """The jaxpr of a function's body, with debug_print's long parameter block elided."""
    with contextlib.redirect_stdout(io.StringIO()):
        text = str(jax.make_jaxpr(fn)(*args))
    return re.sub(r"debug_print\[\n.*?\n\s*\] ", "debug_print[…] ", text, flags=re.S)


def bake() -> dict:
    tables = _tables()

    checked = []
    for seq in random_sequences():
        real = replay(seq)
        if real != predict(tables, seq):
            raise RuntimeError(f"pure-impure: real outputs disagree with the baked tables for actions {seq}")
        checked.append({"actions": [{"kind": kind, "arg": arg} for kind, arg in seq],
                        "traced": [[step[w]["traced"] for w in FUNCTIONS] for step in real]})

    jaxprs = {"impure": [], "pure": []}
    for k, (_, make) in enumerate(INPUTS):
        row = []
        for b in BIASES:
            ns = fresh()
            ns["bias"] = b
            row.append(_jaxpr(ns["add_bias"].__wrapped__, make()))
        jaxprs["impure"].append(row)
        ns = fresh()
        jaxprs["pure"].append(_jaxpr(ns["add_bias_pure"].__wrapped__, make(), BIASES[INITIAL_BIAS]))

    return {
        "sources": {"impure": IMPURE_SOURCE.rstrip("\n"), "pure": PURE_SOURCE.rstrip("\n")},
        "names": dict(FUNCTIONS),
        "biases": [{"label": repr(b), "value": b} for b in BIASES],
        "initial_bias": INITIAL_BIAS,
        "inputs": [{"code": code, "type": str(jax.typeof(make()))} for code, make in INPUTS],
        "impure": {**tables["impure"], "jaxprs": jaxprs["impure"]},
        "pure": {**tables["pure"], "jaxprs": jaxprs["pure"]},
        "verification": {
            "sequences": checked,
            "calls": sum(len(s["traced"]) for s in checked) * len(FUNCTIONS),
        },
    }
