"""jaxlite's typed PRNG keys under transformations, checked against real JAX.

Keys are a dtype (`key<fry>`) that tracers carry: they pass through jit
(whose jaxprs print `key<fry>[]`), vmap over a batch of keys, grad (as
non-differentiable inputs) and lax control flow, and the values drawn
inside are JAX's bit for bit. Key-reuse checking (`jax.debug_key_reuse`)
raises JAX's KeyReuseError.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_src" / "py"))

import jaxlite  # noqa: E402
import jaxlite.numpy as ljnp  # noqa: E402
import jaxlite.random as lr  # noqa: E402


def same(real, mine):
    """Identical values, shapes and dtypes (bit for bit)."""
    real = np.asarray(real)
    assert list(mine.shape) == list(real.shape)
    assert mine.dtype.name == real.dtype.name
    assert mine.tolist() == real.tolist()


def test_key_arrays_print_and_type_like_jax():
    assert repr(lr.split(lr.key(3))) == repr(jax.random.split(jax.random.key(3)))
    assert str(jaxlite.typeof(lr.key(0))) == str(jax.typeof(jax.random.key(0)))
    assert str(lr.key(0).dtype) == "key<fry>"


@pytest.mark.parametrize("sampler, args", [
    ("normal", ((3,),)), ("uniform", ((5,),)), ("bits", ((4,),)), ("randint", ((6,), 0, 10)),
    ("bernoulli", (0.3, (7,))), ("uniform", ((3,), None, 0.0, 10.0)),
])
def test_samplers_under_jit_match_jax_bit_for_bit(sampler, args):
    real = jax.jit(lambda k: getattr(jax.random, sampler)(k, *args))(jax.random.key(5))
    mine = jaxlite.jit(lambda k: getattr(lr, sampler)(k, *args))(lr.key(5))
    same(real, mine)


def test_jit_caches_on_the_key_aval_and_gives_new_draws_for_new_keys():
    calls = []

    @jaxlite.jit
    def noisy(x, key):
        calls.append(1)
        return x + 0.1 * lr.normal(key, x.shape)

    k1, k2 = lr.split(lr.key(5))
    a, b, c = noisy(ljnp.zeros(3), k1), noisy(ljnp.zeros(3), k1), noisy(ljnp.zeros(3), k2)
    assert len(calls) == 1
    assert a.tolist() == b.tolist() != c.tolist()


def test_make_jaxpr_shows_key_types_and_the_random_primitives():
    text = str(jaxlite.make_jaxpr(lambda k: lr.split(k, 3))(lr.key(0)))
    assert text == str(jax.make_jaxpr(lambda k: jax.random.split(k, 3))(jax.random.key(0)))
    text = str(jaxlite.make_jaxpr(lambda k: lr.normal(k, (3,)))(lr.key(0)))
    assert text == str(jax.make_jaxpr(lambda k: jax.random.normal(k, (3,)))(jax.random.key(0)))
    text = str(jaxlite.make_jaxpr(lambda s: lr.key(s))(1))
    assert text == str(jax.make_jaxpr(lambda s: jax.random.key(s))(1))


def test_vmap_over_a_batch_of_keys_matches_jax_and_a_python_loop():
    real = jax.vmap(lambda k: jax.random.normal(k, (3,)))(jax.random.split(jax.random.key(11), 4))
    keys = lr.split(lr.key(11), 4)
    mine = jaxlite.vmap(lambda k: lr.normal(k, (3,)))(keys)
    same(real, mine)
    assert ljnp.stack([lr.normal(k, (3,)) for k in keys]).tolist() == mine.tolist()


def test_vmap_of_split_fold_in_and_key_data():
    real = jax.vmap(lambda k, i: jax.random.key_data(jax.random.fold_in(jax.random.split(k)[1], i)))(
        jax.random.split(jax.random.key(2), 3), jnp.arange(3))
    mine = jaxlite.vmap(lambda k, i: lr.key_data(lr.fold_in(lr.split(k)[1], i)))(
        lr.split(lr.key(2), 3), ljnp.arange(3))
    same(real, mine)


def test_grad_treats_keys_as_non_differentiable_inputs():
    def f(jr, np_):
        def loss(w, key):
            return np_.sum(w * jr.normal(key, (3,)))
        return loss

    real = jax.jit(jax.value_and_grad(f(jax.random, jnp)))(jnp.ones(3), jax.random.key(4))
    mine = jaxlite.jit(jaxlite.value_and_grad(f(lr, ljnp)))(ljnp.ones(3), lr.key(4))
    same(real[1], mine[1])
    with pytest.raises(TypeError, match="but got key<fry>"):
        jaxlite.grad(lambda k: lr.normal(k))(lr.key(0))


def test_keys_as_a_scan_carry():
    def f(jr, lax):
        def step(key, _):
            key, sub = jr.split(key)
            return key, jr.uniform(sub)
        return lambda k: lax.scan(step, k, None, length=4)[1]

    same(f(jax.random, jax.lax)(jax.random.key(9)), f(lr, jaxlite.lax)(lr.key(9)))


@pytest.mark.parametrize("bad, error", [
    (lambda jr: jr.normal(42, (3,)), TypeError),
    (lambda jr: jr.normal(jr.split(jr.key(0), 4), (3,)), ValueError),
    (lambda jr: jr.key(0) + 1, TypeError),
    (lambda jr: jr.normal([1, 2]), TypeError),
])
def test_errors_have_jax_type_and_message(bad, error):
    with pytest.raises(error) as real:
        bad(jax.random)
    with pytest.raises(error) as mine:
        bad(lr)
    assert str(mine.value) == str(real.value)


def test_key_reuse_checking_reports_like_jax():
    def reuse(jax_, jr):
        with jax_.debug_key_reuse(True):
            key = jr.key(0)
            jr.normal(key, (3,))
            jr.normal(key, (3,))

    with pytest.raises(jax.errors.KeyReuseError) as real:
        reuse(jax, jax.random)
    with pytest.raises(jaxlite.errors.KeyReuseError) as mine:
        reuse(jaxlite, lr)
    assert str(mine.value) == str(real.value)
    assert isinstance(mine.value, TypeError)


def test_key_reuse_inside_one_jit_and_fresh_keys_pass():
    with jaxlite.debug_key_reuse(True):
        with pytest.raises(jaxlite.errors.KeyReuseError, match="In jit, argument 0 is already consumed."):
            jaxlite.jit(lambda k: (lr.normal(k), lr.uniform(k)))(lr.key(5))
        key = lr.key(1)
        for _ in range(3):
            key, sub = lr.split(key)
            lr.normal(sub)
        k = lr.key(2)
        lr.normal(lr.clone(k))
        lr.normal(k)
    k = lr.key(3)
    lr.normal(k)
    lr.normal(k)  # checking is off outside the scope
