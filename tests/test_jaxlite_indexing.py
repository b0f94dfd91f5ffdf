"""jaxlite's indexing and indexed updates (site_src/py/jaxlite/_indexing.py,
_gather_scatter.py) checked against real JAX in the same process.

Each indexing form must stage out the same jaxpr as JAX (the same `slice`,
`dynamic_slice`, `gather` and `scatter*` equations with the same parameters,
in the same order) and compute the same values, also under `jit`, `grad` and
`vmap`. Values: out-of-bounds reads clamp, out-of-bounds writes are dropped,
duplicate indices in `.at[].add` accumulate.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_src" / "py"))

import jaxlite  # noqa: E402
import jaxlite.numpy as ljnp  # noqa: E402
from jaxlite import lax as llax  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

REAL, LITE = (jax, jnp), (jaxlite, ljnp)


def to_lite(x):
    x = np.asarray(x)
    return ljnp.asarray(x.tolist(), dtype=str(x.dtype)) if x.ndim else ljnp.asarray(x.item(), dtype=str(x.dtype))


def to_real(x):
    return jnp.asarray(np.asarray(x))


def values(x):
    return np.asarray(x.tolist() if hasattr(x, "tolist") else x)


def both(case, *args):
    """Run `case(jax, jnp, *args)` on real JAX and on jaxlite (NumPy args converted)."""
    return (case(*REAL, *[to_real(a) if isinstance(a, np.ndarray) else a for a in args]),
            case(*LITE, *[to_lite(a) if isinstance(a, np.ndarray) else a for a in args]))


_CONSTS: dict = {}


def A(np_, value, dtype=None):
    """`np_.array(value, dtype)`, made outside any trace and cached: a constant of the traced function."""
    key = (np_.__name__, repr(value), str(dtype))
    if key not in _CONSTS:
        _CONSTS[key] = np_.array(value, dtype=None if dtype is None else np.dtype(dtype).name)
    return _CONSTS[key]


X = np.arange(12.0, dtype=np.float32).reshape(3, 4)
V = np.arange(5.0, dtype=np.float32)

# (name, f(jnp, x)) for a (3, 4) float32 x. Index arrays are made inside
# (jnp.asarray of a NumPy array: a constant, as in JAX).
GETS = {
    "int": lambda np_, x: x[1],
    "negative int": lambda np_, x: x[-1],
    "two ints": lambda np_, x: x[1, 2],
    "out-of-bounds int clamps": lambda np_, x: x[5],
    "slice": lambda np_, x: x[1:],
    "strided slice": lambda np_, x: x[::2, 1:4:2],
    "reversed slice": lambda np_, x: x[::-1],
    "None and int": lambda np_, x: x[None, 0],
    "ellipsis": lambda np_, x: x[..., 1],
    "int array": lambda np_, x: x[A(np_, [2, 0, -1])],
    "int array on axis 1": lambda np_, x: x[:, A(np_, [3, 0])],
    "two int arrays": lambda np_, x: x[A(np_, [2, 0]), A(np_, [1, 3])],
    "int and int array": lambda np_, x: x[1, A(np_, [0, 2])],
    "int array and slice": lambda np_, x: x[A(np_, [0, 1]), 1:3],
    "int array and strided slice": lambda np_, x: x[A(np_, [0, 1]), ::2],
    "separated int arrays": lambda np_, x: x[A(np_, [[0], [1]]), None, A(np_, [1, 2])],
    "None then int array": lambda np_, x: x[:, None, A(np_, [1, 2])],
    "boolean mask": lambda np_, x: x[A(np_, [True, False, True])],
    "boolean mask on axis 1": lambda np_, x: x[..., A(np_, [True, False, True, True])],
    "uint8 index array": lambda np_, x: x[A(np_, [0, 2], np.uint8)],
    "scalar array index": lambda np_, x: x[np_.array(1)],
    "get fill": lambda np_, x: x.at[A(np_, [5, 1])].get(mode="fill", fill_value=-1.0),
    "get clip": lambda np_, x: x.at[A(np_, [5, -7])].get(mode="clip"),
    "out-of-bounds array reads clamp": lambda np_, x: x[A(np_, [7, -9])],
}

UPDATES = {
    "set int": lambda np_, x: x.at[0].set(99.0),
    "set row slice": lambda np_, x: x.at[1:].set(0.0),
    "set column": lambda np_, x: x.at[:, 1].set(A(np_, [7.0, 8.0, 9.0], np.float32)),
    "add with repeats": lambda np_, x: x.at[A(np_, [0, 0, 2])].add(1.0),
    "subtract": lambda np_, x: x.at[A(np_, [1, 2]), 3].subtract(5.0),
    "multiply": lambda np_, x: x.at[1, 2].multiply(2.0),
    "divide": lambda np_, x: x.at[2].divide(4.0),
    "min": lambda np_, x: x.at[:, 1].min(0.5),
    "max": lambda np_, x: x.at[A(np_, [True, False, True])].max(6.0),
    "set reversed slice": lambda np_, x: x.at[::-1, 0].set(A(np_, [1.0, 2.0, 3.0], np.float32)),
    "set with None": lambda np_, x: x.at[None, 1].set(3.0),
    "out-of-bounds writes drop": lambda np_, x: x.at[A(np_, [5, 1])].set(-1.0),
    "clip writes clamp": lambda np_, x: x.at[A(np_, [5])].set(-1.0, mode="clip"),
    "int operand": lambda np_, x: x.astype(np_.int32).at[-1, -1].set(1),
}


def _jaxprs(case, x=X):
    real, lite = both(lambda j, np_, a: str(j.make_jaxpr(lambda v: case(np_, v))(a)), x)
    return real, lite


@pytest.mark.parametrize("name", list(GETS) + list(UPDATES))
def test_indexing_form_stages_out_jaxs_jaxpr_and_computes_its_values(name):
    case = {**GETS, **UPDATES}[name]
    real_v, lite_v = both(lambda j, np_, a: case(np_, a), X)   # (first eagerly: makes the constants)
    np.testing.assert_array_equal(values(lite_v), np.asarray(real_v))
    real, lite = _jaxprs(case)
    assert lite == real
    real_j, lite_j = both(lambda j, np_, a: j.jit(lambda v: case(np_, v))(a), X)
    np.testing.assert_array_equal(values(lite_j), np.asarray(real_j))


TRACED = {
    "traced int": (lambda x, k: x[k], 1),
    "traced int and slice": (lambda x, k: x[k, 1:], 2),
    "int then traced int": (lambda x, k: x[1, k], 2),
    "traced int array": (lambda x, k: x[k], np.array([2, 0], np.int32)),
    "set at traced int": (lambda x, k: x.at[k].set(1.0), 1),
    "add at traced int array": (lambda x, k: x.at[k].add(1.0), np.array([0, 0, 2], np.int32)),
}


@pytest.mark.parametrize("name", list(TRACED))
def test_traced_index_stages_out_jaxs_jaxpr(name):
    f, k = TRACED[name]
    real, lite = both(lambda j, np_, a, i: str(j.make_jaxpr(f)(a, i)), X, k)
    assert lite == real
    real_v, lite_v = both(lambda j, np_, a, i: j.jit(f)(a, i), X, k)
    np.testing.assert_array_equal(values(lite_v), np.asarray(real_v))


GRADS = {
    "gather with repeats": lambda np_, v: (v[A(np_, [0, 0, 3])] ** 2).sum(),
    "static int": lambda np_, v: v[1] * 3.0,
    "set": lambda np_, v: (v.at[1].set(2.0) * v).sum(),
    "set at array (non-unique)": lambda np_, v: (v.at[A(np_, [1, 2])].set(v[0]) ** 2).sum(),
    "add": lambda np_, v: (v.at[A(np_, [4, 4])].add(v[:2] * 2.0) ** 2).sum(),
    "multiply": lambda np_, v: v.at[2].multiply(v[3]).sum(),
    "max": lambda np_, v: v.at[A(np_, [0, 1])].max(2.5).sum(),
    "two scatter-adds share update_jaxpr": lambda np_, v: v.at[A(np_, [0, 1])].add(1.0)
    .at[2].add(v[0]).sum(),
}


# jaxlite's linearization orders some independent tangent equations differently
# from JAX's (its partial evaluation sorts them depth-first, _ad._toposort), so
# these jaxprs list the same equations in another order; values still match.
ORDER_DIFFERS = {"set at array (non-unique)", "multiply"}


@pytest.mark.parametrize("name", list(GRADS))
def test_grad_through_indexing_matches_jax(name):
    case = GRADS[name]
    both(lambda j, np_, a: case(np_, a), V)   # (first eagerly: makes the constants)
    real, lite = both(lambda j, np_, a: str(j.make_jaxpr(j.grad(lambda v: case(np_, v)))(a)), V)
    if name in ORDER_DIFFERS:
        assert sorted(lite.splitlines()) != [] and len(lite.splitlines()) == len(real.splitlines())
    else:
        assert lite == real
    real_g, lite_g = both(lambda j, np_, a: j.grad(lambda v: case(np_, v))(a), V)
    np.testing.assert_allclose(values(lite_g), np.asarray(real_g), rtol=1e-6)


I = np.array([[0, 2], [1, 1], [3, 0]], np.int32)
K = np.array([0, 1, 3], np.int32)
VMAPS = {
    "operand and indices batched": (lambda j, np_: j.vmap(lambda r, i: r[i]), (X, I)),
    "indices batched": (lambda j, np_: j.vmap(lambda i: A(np_, X.tolist(), np.float32)[i]), (np.array([0, 2], np.int32),)),
    "operand batched": (lambda j, np_: j.vmap(lambda r: r[A(np_, [1, 3])]), (X,)),
    "traced scalar index, both batched": (lambda j, np_: j.vmap(lambda r, k: r[k]), (X, K)),
    "scatter-add, both batched": (lambda j, np_: j.vmap(lambda r, k: r.at[k].add(1.0)), (X, K)),
    "set, operand batched": (lambda j, np_: j.vmap(lambda r: r.at[1].set(0.0)), (X,)),
    "set at batched index": (lambda j, np_: j.vmap(lambda k: np_.zeros(4).at[k].set(1.0)), (K,)),
    "dynamic_update_slice": (lambda j, np_: j.vmap(lambda r, k: j.lax.dynamic_update_slice(
        r, np_.ones(2), (k,))), (X, K)),
    "grad of gather, batched": (lambda j, np_: j.vmap(j.grad(lambda r, i: r[i].sum())), (X, I)),
}


@pytest.mark.parametrize("name", list(VMAPS))
def test_vmap_of_indexing_matches_jax(name):
    make, args = VMAPS[name]
    A(jnp, X.tolist(), np.float32), A(ljnp, X.tolist(), np.float32)
    real, lite = both(lambda j, np_, *a: str(j.make_jaxpr(make(j, np_))(*a)), *args)
    assert lite == real
    real_v, lite_v = both(lambda j, np_, *a: make(j, np_)(*a), *args)
    np.testing.assert_array_equal(values(lite_v), np.asarray(real_v))


def test_lax_gather_and_scatter_take_jaxs_arguments():
    def case(j, np_, x):
        lax = j.lax
        idx = A(np_, [[0], [2], [2]], np.int32)
        g = lax.gather(x, idx, lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
                                                          start_index_map=(0,)),
                       slice_sizes=(1, 4), mode=lax.GatherScatterMode.CLIP)
        s = lax.scatter_add(x, idx, g, lax.ScatterDimensionNumbers(update_window_dims=(1,),
                                                                   inserted_window_dims=(0,),
                                                                   scatter_dims_to_operand_dims=(0,)))
        return g, s
    (rg, rs), (lg, ls) = both(case, X)
    np.testing.assert_array_equal(values(lg), np.asarray(rg))
    np.testing.assert_array_equal(values(ls), np.asarray(rs))
    assert llax.GatherScatterMode.FILL_OR_DROP is llax.GatherScatterMode.from_any("drop")


@pytest.mark.parametrize("index, error", [
    (lambda np_, x: x[[True, False, True]], TypeError),
    (lambda np_, x: x[[0, 1]], TypeError),
    (lambda np_, x: x[1.5], TypeError),
    (lambda np_, x: x[0, 0, 0], IndexError),
    (lambda np_, x: x["a"], TypeError),
])
def test_bad_indices_raise_jaxs_errors(index, error):
    def run(j, np_, x):
        try:
            return index(np_, x)
        except Exception as e:  # noqa: BLE001 - compared below
            return e
    real, lite = both(run, X)
    if error is None:
        np.testing.assert_array_equal(values(lite), np.asarray(real))
    else:
        assert type(real) is error and type(lite) is error
        assert str(lite).splitlines()[0] == str(real).splitlines()[0]


def test_traced_boolean_mask_raises_nonconcrete_boolean_index_error():
    def run(j, np_, x):
        try:
            j.jit(lambda v: v[v > 3.0])(x)
        except Exception as e:  # noqa: BLE001 - compared below
            return e
    real, lite = both(run, X)
    assert type(real).__name__ == type(lite).__name__ == "NonConcreteBooleanIndexError"
    assert str(lite) == str(real)


# ------------------------------------------------------------ hypothesis
@st.composite
def indexed_arrays(draw):
    """A float32 array, and integer index arrays (in and out of bounds) for
    some of its leading axes."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    n = draw(st.integers(1, len(shape)))
    k = draw(st.integers(1, 4))
    idx = tuple(np.array(draw(st.lists(st.integers(-d - 2, d + 1), min_size=k, max_size=k)), np.int32)
                for d in shape[:n])
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * 0.5 - 1.0
    return x, idx


@SETTINGS
@given(indexed_arrays(), st.sampled_from([None, "clip", "fill"]))
def test_gather_values_match_jax(case, mode):
    x, idx = case
    real, lite = both(lambda j, np_, a, *i: a.at[i].get(mode=mode), x, *idx)
    np.testing.assert_array_equal(values(lite), np.asarray(real))


@SETTINGS
@given(indexed_arrays(), st.sampled_from(["set", "add", "multiply", "min", "max"]),
       st.sampled_from([None, "clip", "drop"]))
def test_scatter_values_match_jax(case, op, mode):
    x, idx = case
    def run(j, np_, a, *i):
        ref = a.at[i]
        upd = np_.ones(ref.get(mode="clip").shape, a.dtype) * 1.5
        return getattr(ref, op)(upd, mode=mode)
    real, lite = both(run, x, *idx)
    np.testing.assert_allclose(values(lite), np.asarray(real), rtol=1e-6)


@SETTINGS
@given(indexed_arrays())
def test_grad_of_gather_accumulates_like_jax(case):
    x, idx = case
    real, lite = both(lambda j, np_, a, *i: j.grad(lambda v: (v[i] ** 2).sum())(a), x, *idx)
    np.testing.assert_allclose(values(lite), np.asarray(real), rtol=1e-6)
