"""jaxlite's simulated devices (site_src/py/jaxlite/_sharding.py) checked
against real JAX on 8 simulated CPU devices.

One program exercises meshes, partition specs, shardings, `device_put` and
its shards, `jax.typeof` on explicit mesh axes, sharding propagation through
`jit`, `shard_map` (vma types, collectives, replication checks, gradients of
replicated parameters), `pmap` and its errors. It runs twice in fresh
processes with `XLA_FLAGS=--xla_force_host_platform_device_count=8`: once in
real JAX, once on jaxlite under `python -S` (as in the browser). Every line
it prints must be the same.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLAG = "--xla_force_host_platform_device_count=8"

PROGRAM = r'''
import functools
import jax, jax.numpy as jnp
from jax.sharding import NamedSharding, PartitionSpec as P, Mesh, AxisType
from jax.experimental import mesh_utils

def show(label, f):
    try:
        print(label, "->", f())
    except Exception as e:
        print(label, "!!", type(e).__name__, str(e).split("\n")[0])

mesh = jax.make_mesh((2, 4), ('data', 'model'))
auto = jax.make_mesh((8,), ('i',), axis_types=(AxisType.Auto,))
show("devices", lambda: (jax.device_count(), jax.local_device_count(), jax.devices()[3], str(jax.devices()[3])))
show("mesh", lambda: (str(mesh), repr(mesh), mesh.axis_names, mesh.size, dict(mesh.shape)))
show("mesh.devices", lambda: str(mesh.devices))
show("mesh.devices repr", lambda: repr(mesh.devices))
show("device_ids", lambda: str(mesh.device_ids))
show("old mesh", lambda: repr(Mesh(mesh_utils.create_device_mesh((4, 2)), ('a', 'b'))))
show("1d devices", lambda: str(auto.devices))
show("specs", lambda: (P(), P('data'), P(None, 'model'), P(('data', 'model'),), P('data', None) == P('data')))
show("named", lambda: repr(NamedSharding(mesh, P('model', 'data'))))
show("auto named", lambda: repr(NamedSharding(auto, P('i'))))
x = jnp.arange(32.0).reshape(4, 8)
show("single", lambda: repr(x.sharding))
show("on device 3", lambda: repr(jax.device_put(x, jax.devices()[3]).sharding))
for spec in [P(), P('data'), P(None, 'model'), P('model', 'data'), P(None, ('data', 'model'))]:
    a = jax.device_put(x, NamedSharding(mesh, spec))
    show(f"typeof {spec}", lambda: jax.typeof(a))
    show(f"shards {spec}", lambda: [(s.device.id, s.index, s.replica_id) for s in a.addressable_shards])
    show(f"shard 5 {spec}", lambda: a.addressable_shards[5])
show("typeof auto", lambda: jax.typeof(jax.device_put(jnp.arange(8.0), NamedSharding(auto, P('i')))))
show("indivisible", lambda: jax.device_put(jnp.ones((2, 6)), NamedSharding(mesh, P(None, 'model'))))
show("indivisible 2", lambda: jax.device_put(x, NamedSharding(mesh, P(('model', 'data')))))
xs = jax.device_put(x, NamedSharding(mesh, P('data', 'model')))
show("jit elementwise", lambda: jax.jit(lambda a: jnp.sin(a) * 2 + 1)(xs).sharding.spec)
show("jit reduce rows", lambda: jax.jit(lambda a: a.sum(axis=0))(xs).sharding.spec)
show("jit reduce all", lambda: jax.jit(lambda a: a.sum())(xs).sharding.spec)
show("jit transpose", lambda: jax.typeof(jax.jit(lambda a: a.T)(xs)))
show("jit dot ok", lambda: jax.typeof(jax.jit(lambda a, b: a @ b)(
    jax.device_put(x, NamedSharding(mesh, P('data', None))), jax.device_put(x.T, NamedSharding(mesh, P(None, 'model'))))))
show("jit dot ambiguous", lambda: jax.jit(lambda a, b: a @ b)(xs, jax.device_put(x.T, NamedSharding(mesh, P('model', None)))))
xa = jax.device_put(jnp.arange(16.0).reshape(8, 2), NamedSharding(auto, P('i')))
show("auto jit", lambda: (jax.jit(lambda a: a * 3)(xa).sharding.spec, jax.jit(lambda a: a.sum(0))(xa).sharding.spec))

def body(b):
    print("  block", jax.typeof(b))
    row = jax.lax.psum(b.sum(axis=1, keepdims=True), 'model')
    print("  row", jax.typeof(row))
    return row, jax.lax.psum(b.sum(), ('data', 'model')), jax.lax.pmax(b.max(keepdims=True), 'data')
show("shard_map 2d", lambda: jax.shard_map(body, mesh=mesh, in_specs=P('data', 'model'),
                                           out_specs=(P('data'), P(), P(None, 'model')))(xs))
show("shard_map infer", lambda: jax.shard_map(lambda b: b * 2, mesh=mesh, out_specs=P('data', 'model'))(xs))
show("shard_map mismatch", lambda: jax.shard_map(lambda b: b, mesh=mesh, in_specs=P('data'), out_specs=P('data'))(x))
show("shard_map unreplicated", lambda: jax.shard_map(lambda b: b, mesh=mesh, in_specs=P('data', 'model'),
                                                     out_specs=P('data'))(xs))
show("invariant psum", lambda: jax.shard_map(lambda b: jax.lax.psum(jnp.float32(3.0), 'model'), mesh=mesh,
                                             in_specs=P('data', 'model'), out_specs=P())(xs))
show("out spec too long", lambda: jax.shard_map(lambda b: jax.lax.axis_index('model')[None] + 10 * jax.lax.axis_index('data'),
                                         mesh=mesh, in_specs=P('data', 'model'), out_specs=P('data', 'model'))(xs))
show("axis_index", lambda: jax.shard_map(lambda b: jax.lax.axis_index('model')[None, None] + 10 * jax.lax.axis_index('data'),
                                         mesh=mesh, in_specs=P('data', 'model'), out_specs=P('data', 'model'))(xs))
w = jnp.array([1.0, 2.0])
dm = jax.make_mesh((8,), ('d',))
xd = jax.device_put(jnp.arange(16.0).reshape(8, 2), NamedSharding(dm, P('d')))
loss = lambda w, x: (x @ w).sum()
show("grad invariant", lambda: jax.shard_map(lambda w, x: jax.grad(loss)(w, x), mesh=dm,
                                             in_specs=(P(), P('d')), out_specs=P())(w, xd))
show("grad varying", lambda: jax.shard_map(lambda w, x: jax.grad(loss)(jax.lax.pcast(w, 'd', to='varying'), x)[None],
                                           mesh=dm, in_specs=(P(), P('d')), out_specs=P('d'))(w, xd))
show("grad pmean loss", lambda: jax.shard_map(lambda w, x: jax.grad(lambda w: jax.lax.pmean(loss(w, x), 'd'))(w),
                                              mesh=dm, in_specs=(P(), P('d')), out_specs=P())(w, xd))
show("jit shard_map out", lambda: jax.jit(jax.shard_map(lambda b: b * 2, mesh=dm, in_specs=P('d'),
                                                        out_specs=P('d')))(xd).sharding.spec)
show("pmap", lambda: jax.pmap(lambda a, b: (a + b, jax.lax.psum(a, 'k'), jax.lax.axis_index('k')), axis_name='k',
                              in_axes=(0, None))(jnp.arange(8.0), 100.0))
show("pmap out_axes", lambda: jax.pmap(lambda a: a * 2, out_axes=1)(jnp.arange(16.0).reshape(8, 2)))
show("pmap sharding", lambda: jax.pmap(lambda a: a)(jnp.arange(8.0)).sharding)
show("pmap unbound", lambda: jax.pmap(lambda a: jax.lax.psum(a, 'z'))(jnp.arange(8.0)))
show("pmap too many", lambda: jax.pmap(lambda a: a)(jnp.arange(9.0)))
show("pmap 4", lambda: jax.pmap(lambda a: a * 2)(jnp.arange(4.0)).sharding)
show("vmap psum", lambda: jax.vmap(lambda a: a / jax.lax.psum(a, 'v'), axis_name='v')(jnp.arange(1.0, 5.0)))
'''

JAXLITE_PRELUDE = f"""
import sys
sys.path.insert(0, {str(ROOT / "site_src" / "py")!r})
import jaxlite
jaxlite.install_as_jax()
"""


def _run(args, source, devices=True):
    env = dict(os.environ)
    env.pop("XLA_FLAGS", None)
    if devices:
        env["XLA_FLAGS"] = FLAG
    env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run([*args, "-c", source], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def outputs():
    real = _run([sys.executable], PROGRAM)
    lite = _run([sys.executable, "-S"], JAXLITE_PRELUDE + PROGRAM)
    return real, lite


def test_jaxlite_prints_what_real_jax_prints_on_8_devices(outputs):
    real, lite = outputs
    assert "!! AttributeError" not in lite and "!! NotImplementedError" not in lite
    diff = "\n".join(difflib.unified_diff(real.splitlines(), lite.splitlines(), "real JAX", "jaxlite", lineterm=""))
    assert real == lite, diff


def test_one_device_without_the_flag():
    source = JAXLITE_PRELUDE + "import jax; print(jax.devices(), jax.device_count())"
    assert _run([sys.executable, "-S"], source, devices=False) == "[CpuDevice(id=0)] 1\n"


def test_device_count_from_config():
    source = JAXLITE_PRELUDE + ("import jax; jax.config.update('jax_num_cpu_devices', 4); "
                                "print(jax.devices()[-1], jax.make_mesh((2, 2), ('a', 'b')))")
    assert _run([sys.executable, "-S"], source, devices=False) == "cpu:3 Mesh('a': 2, 'b': 2, axis_types=(Explicit, Explicit))\n"
