"""numpylite (site_src/py/numpylite), the browser's small NumPy, checked against real NumPy.

Every check runs the same code on real NumPy (in this test process) and on
numpylite and compares what a reader sees: reprs and strs character for
character, dtypes, error types and messages, and the legacy random stream
bit for bit.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_src" / "py"))

import numpylite as npl  # noqa: E402
import jaxlite  # noqa: E402
import jaxlite.numpy as ljnp  # noqa: E402

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"]
shapes = st.lists(st.integers(0, 4), max_size=3).map(tuple)


def values_for(dtype: str, n: int):
    """A strategy for n Python values that the dtype holds exactly (after NumPy's own rounding)."""
    if dtype == "bool":
        return st.lists(st.booleans(), min_size=n, max_size=n)
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        return st.lists(st.integers(int(info.min), int(info.max)), min_size=n, max_size=n)
    width = {"float16": 16, "float32": 32, "float64": 64}[dtype]
    return st.lists(st.floats(width=width, allow_nan=True, allow_infinity=True), min_size=n, max_size=n)


@st.composite
def arrays(draw, dtypes=DTYPES, shape=None):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(shapes) if shape is None else shape
    flat = draw(values_for(dtype, math.prod(shape)))
    return np.array(flat, dtype=dtype).reshape(shape)


def lite(a: np.ndarray):
    """The same array in numpylite."""
    return npl.array(a.tolist(), dtype=a.dtype.name) if a.size else npl.zeros(a.shape, a.dtype.name)


def outcome(fn, *args):
    """('ok', repr) or ('error', type name, first line), warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", repr(fn(*args))
        except Exception as exc:  # noqa: BLE001 - the error is what is compared
            return "error", type(exc).__name__, str(exc).split("\n")[0]


# ------------------------------------------------------------------ printing
@SETTINGS
@given(arrays())
def test_repr_and_str_match_numpy(a):
    b = lite(a)
    assert repr(b) == repr(a)
    assert str(b) == str(a)


@SETTINGS
@given(arrays(shape=()))
def test_scalars_print_like_numpy_scalars(a):
    real, mine = a[()], lite(a)[()]
    assert type(mine).__name__ == type(real).__name__
    assert repr(mine) == repr(real) and str(mine) == str(real)


def test_long_and_empty_arrays_say_their_shape():
    for make in (lambda m: m.arange(2000.0), lambda m: m.zeros((0, 3)), lambda m: m.array([]),
                 lambda m: m.ones((3, 30)), lambda m: m.linspace(0.0, 1.0, 7, dtype=m.float32)):
        assert repr(make(npl)) == repr(make(np))


def test_types_print_as_numpy_types():
    assert str(type(npl.zeros(2))) == "<class 'numpy.ndarray'>"
    assert str(type(npl.float64(1))) == "<class 'numpy.float64'>"
    assert isinstance(npl.float64(1), float) and not isinstance(npl.int64(1), int)


# ------------------------------------------------------------------ promotion and arithmetic
def test_type_promotion_table_matches_numpy():
    for x in DTYPES:
        for y in DTYPES:
            assert npl.promote_types(x, y).name == np.promote_types(x, y).name, (x, y)


BINARY = ["add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "power", "maximum",
          "minimum", "less", "equal", "logical_and", "bitwise_and", "arctan2"]
UNARY = ["negative", "absolute", "sign", "square", "sqrt", "exp", "log", "log1p", "sin", "cos", "tanh",
         "floor", "isnan", "isfinite", "logical_not", "invert"]
python_scalars = st.one_of(st.booleans(), st.integers(-300, 300), st.floats(-1e3, 1e3))


TRANSCENDENTAL = {"exp", "log", "log1p", "sin", "cos", "tanh", "arctan2"}


def assert_same_ufunc_result(name, args, lite_args):
    real = outcome(getattr(np, name), *args)
    mine = outcome(getattr(npl, name), *lite_args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = np.asarray(getattr(np, name)(*args)) if real[0] == "ok" else None
    if name in TRANSCENDENTAL and out is not None and out.dtype.itemsize < 8:
        # NumPy's float32 (and float16, computed in float32) sin, exp, ... are
        # its own SIMD kernels, within a few ulp; numpylite rounds the double
        # result, so here values may differ by those few ulp.
        got = np.array(npl.asarray(getattr(npl, name)(*lite_args)).tolist(), dtype=out.dtype)
        spacing = np.abs(np.spacing(out.astype(np.float32))).astype(np.float64)
        close = np.abs(got.astype(np.float64) - out.astype(np.float64)) <= 4 * spacing
        assert np.all(close | (got == out) | (np.isnan(got) & np.isnan(out)))
        assert mine[0] == "ok"
    else:
        assert mine == real


@SETTINGS
@given(st.sampled_from(BINARY), arrays(shape=(3,)), st.one_of(arrays(shape=(3,)), arrays(shape=()),
                                                           python_scalars))
def test_binary_ufuncs_match_numpy(name, a, b):
    other = lite(b) if isinstance(b, np.ndarray) else b
    assert_same_ufunc_result(name, (a, b), (lite(a), other))
    assert_same_ufunc_result(name, (b, a), (other, lite(a)))


@SETTINGS
@given(st.sampled_from(UNARY), arrays(shape=(4,)))
def test_unary_ufuncs_match_numpy(name, a):
    assert_same_ufunc_result(name, (a,), (lite(a),))


def test_python_scalars_are_weak_and_numpy_scalars_strong():
    cases = [lambda m: m.ones(2, m.int32) + m.ones(2, m.float32), lambda m: m.ones(2, m.int16) + m.ones(2, m.float16),
             lambda m: m.ones(2, m.int32) * 2.5, lambda m: m.ones(2, m.uint8) + m.ones(2, m.int8),
             lambda m: m.ones(2, m.float32) + 1.0, lambda m: m.ones(2, m.float16) * m.float32(2.0),
             lambda m: m.float64(1.0) / 3, lambda m: (m.array(1e8) + 1.0) - 1e8, lambda m: m.float64(1.0) + 1e-8 == 1.0,
             lambda m: m.array([1, 2], dtype=m.int8) + 1000, lambda m: m.array([1.0, 0.0, -1.0]) / 0.0,
             lambda m: m.sum([1, 2, 3]), lambda m: m.array([True]) + 1]
    for case in cases:
        assert outcome(case, npl) == outcome(case, np)


@SETTINGS
@given(arrays(dtypes=["float32", "float64", "int32", "bool"], shape=None), st.sampled_from([None, 0, -1]))
def test_reductions_match_numpy_bit_for_bit(a, axis):
    a = a + 0  # no -0.0: which zero NumPy's SIMD max keeps is an accident of its lanes
    for name in ("sum", "mean", "max", "argmax", "std", "prod", "any"):
        if axis is not None and a.ndim == 0:
            continue
        got = outcome(lambda x: getattr(npl, name)(x, axis=axis), lite(a))
        assert got == outcome(lambda x: getattr(np, name)(x, axis=axis), a), name


@pytest.mark.parametrize("n", [5, 8, 17, 128, 129, 300])
def test_float_sums_are_numpys_pairwise_sums(n):
    a = np.random.RandomState(n).standard_normal(n) * 10 ** np.arange(n) % 7
    for dtype in ("float32", "float64"):
        x = a.astype(dtype)
        assert repr(npl.sum(lite(x))) == repr(np.sum(x))
        assert repr(lite(x.reshape(1, -1)).sum(axis=1)) == repr(x.reshape(1, -1).sum(axis=1))


def test_linspace_arange_outer_and_matmul_match_numpy():
    for make in (lambda m: m.linspace(0.0, 1.0, 5), lambda m: m.linspace(-3, 3, 8), lambda m: m.linspace(0, 1, 7,
                 endpoint=False), lambda m: m.arange(0, 1, 0.1), lambda m: m.arange(3), lambda m: m.arange(5.0),
                 lambda m: m.outer(m.arange(3.0), m.arange(4)), lambda m: m.arange(6.0).reshape(2, 3) @ m.ones(3),
                 lambda m: m.arange(6).reshape(2, 3).T @ m.arange(6).reshape(2, 3),
                 lambda m: m.allclose(m.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1.0 + 1e-9])):
        assert outcome(make, npl) == outcome(make, np)


# ------------------------------------------------------------------ mutation and indexing
def test_arrays_are_mutable_and_names_alias():
    for m in (npl, np):
        a = m.array([1, 2, 3])
        a[0] = 99
        b = m.zeros(3)
        c = b
        c[0] = 1.0
        d = m.array([0, 0, 0])
        d[[0, 0, 2]] += 1
        assert (repr(a), repr(b), repr(d)) == ("array([99,  2,  3])", "array([1., 0., 0.])", "array([1, 0, 1])")


def test_basic_indexing_gives_views_and_advanced_indexing_copies():
    def run(m):
        a = m.arange(12).reshape(3, 4)
        row = a[1]
        row[0] = -1
        a.T[3, 2] = -2
        picked = a[[0, 2]]
        picked[0, 0] = 100
        a[a > 8] = 0
        a[:, 1] += 10
        return repr(a), repr(picked), repr(a[..., None, 1:3]), repr(a[1:, [0, 2]]), repr(a[[0, 1], [1, 2]])
    assert run(npl) == run(np)


@pytest.mark.parametrize("code", [
    "a[10]", "a[-4]", "a[1, 2]", "a[[0, 5]]", "a[1.5]", "a[np.array([True, False])]", "a.reshape(4)",
    "a + np.ones(2)", "a[None, :, None].shape", "a[::-1][1:]", "a[np.array(2)]", "a[0] * a[1:]",
    "np.zeros(3, np.int8) + 1.5", "b = a.copy(); b += 1.5", "float(a)", "a.sum(axis=2)"])
def test_errors_and_edge_cases_match_numpy(code):
    def run(m):
        space = {"np": m, "a": m.array([1, 2, 3])}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(code if "=" in code else f"out = {code}", "<cell>", "exec"), space)
                return "ok", repr(space.get("out"))
            except Exception as exc:  # noqa: BLE001
                return "error", type(exc).__name__, str(exc).split("\n")[0]
    assert run(npl) == run(np)


# ------------------------------------------------------------------ np.random (legacy)
@SETTINGS
@given(st.integers(0, 2**32 - 1), st.lists(st.sampled_from(["randn", "rand", "normal", "uniform", "randn3",
                                                             "normal_arr"]), min_size=1, max_size=8))
def test_legacy_random_stream_is_bit_exact(seed, calls):
    def run(m):
        m.random.seed(seed)
        out = []
        for call in calls:
            value = {"randn": lambda: m.random.randn(), "rand": lambda: m.random.rand(2),
                     "normal": lambda: m.random.normal(1.0, 2.0), "uniform": lambda: m.random.uniform(-1, 3, size=3),
                     "randn3": lambda: m.random.randn(3, 1), "normal_arr": lambda: m.random.normal([0.0, 10.0])}[call]()
            out.append(repr(value) if isinstance(value, float) else (repr(value.tolist()), value.dtype.name))
        return out
    assert run(npl) == run(np)


def test_random_state_objects_and_array_seeds_match_numpy():
    for seed in (0, 7, [1, 2, 3]):
        assert npl.random.RandomState(seed).randn(5).tolist() == np.random.RandomState(seed).randn(5).tolist()


# ------------------------------------------------------------------ with jaxlite
def test_numpy_arrays_enter_jaxlite_strongly_typed():
    x64 = npl.array([0.1, 0.2])
    assert repr(ljnp.asarray(x64)) == "Array([0.1, 0.2], dtype=float32)"
    assert jaxlite.typeof(npl.zeros(3)) == jaxlite.typeof(ljnp.zeros(3))
    assert repr(jaxlite.make_jaxpr(lambda x: x * npl.float64(2))(1.0)) == repr(
        jaxlite.make_jaxpr(lambda x: x * ljnp.float32(2))(1.0))
    assert type(ljnp.ones(2) + npl.ones(2)).__name__ == "ArrayImpl"
    assert type(npl.ones(2) + ljnp.ones(2)).__name__ == "ArrayImpl"
    with jaxlite.enable_x64(True):
        assert ljnp.asarray(x64).dtype == npl.float64


def test_jaxlite_arrays_convert_to_numpy_and_tracers_refuse():
    x = ljnp.arange(3.0)
    assert repr(npl.asarray(x)) == "array([0., 1., 2.], dtype=float32)"
    assert repr(npl.negative(x)) == repr(np.negative(np.arange(3.0, dtype=np.float32)))

    @jaxlite.jit
    def softplus(v):
        return npl.log1p(npl.exp(v))
    with pytest.raises(jaxlite.errors.TracerArrayConversionError,
                       match=r"^The numpy.ndarray conversion method __array__\(\) was called on traced array "
                             r"with shape float32\[2\]"):
        softplus(ljnp.array([0.0, 1.0]))


def test_a_missing_numpy_feature_says_so():
    with pytest.raises(AttributeError, match="numpy.fft is not in the small NumPy"):
        npl.fft
    assert not hasattr(npl, "polyfit")
