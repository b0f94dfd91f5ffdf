"""jaxlite's array printing matches real JAX character for character.

Every check builds the same array in real JAX (with 64-bit types switched on
only inside the check) and compares ``repr``/``str``/``format`` with what
``jaxlite._format`` prints from the flat list of values.  The module is
loaded by path so these tests do not depend on the rest of jaxlite."""

from __future__ import annotations

import importlib.util
import math
import random
import struct
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location(
    "jaxlite_format_under_test", ROOT / "site_src/py/jaxlite/_format.py")
fmt = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fmt)

FLOATS = ("float16", "float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
DTYPES = FLOATS + INTS + ("bool",)

HYPOTHESIS = settings(max_examples=150, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow])


def real_jax(values, dtype, shape=None):
    """(repr, str, flat values, shape, weak_type) of a real JAX array."""
    data = np.asarray(values, dtype=dtype)
    if shape is not None:
        data = data.reshape(shape)
    with jax.enable_x64(True):
        x = jnp.array(data)
        assert x.dtype == np.dtype(dtype)
        flat = np.asarray(x).reshape(-1).tolist()
        return repr(x), str(x), flat, x.shape, x.aval.weak_type


def assert_prints_like_jax(values, dtype, shape=None):
    want_repr, want_str, flat, shape, weak = real_jax(values, dtype, shape)
    assert fmt.array_repr(flat, shape, dtype, weak) == want_repr
    assert fmt.array_str(flat, shape, dtype) == want_str


# ---------------------------------------------------------------------------
# Hand-picked arrays: each kind of layout NumPy has a rule for
# ---------------------------------------------------------------------------

HAND_PICKED = {
    "floats": ([1.0, 2.0], "float32"),
    "0-d float": (2.5, "float32"),
    "0-d whole float": (6.0, "float32"),
    "0-d float64": (0.1, "float64"),
    "0-d int": (7, "int32"),
    "0-d bool": (True, "bool"),
    "empty": (np.zeros((0, 3)), "float32"),
    "empty 1-d int": (np.zeros((0,)), "int64"),
    "empty inner axis": (np.zeros((2, 0, 4)), "bool"),
    "padded fractions": ([[0.5, 0.5], [0.25, 0.75]], "float32"),
    "float32 shortest digits": ([0.1, 1 / 3, 2 / 3], "float32"),
    "float64 shortest digits": ([0.1, 1 / 3, 2 / 3], "float64"),
    "float16 shortest digits": ([0.1, 1 / 3, 2 / 3], "float16"),
    "at most 8 decimals": ([1.123456789123, 2.0], "float64"),
    "tiny -> scientific": ([1e-5, 1.2345678e-5, 1.5e-5], "float32"),
    "wide ratio -> scientific": ([1e-3, 2.0, 5.0], "float32"),
    "float32 1e6 cutoff": ([999999.0, 1e6], "float32"),
    "float16 1000 cutoff": ([999.0, 1000.0], "float16"),
    "float64 1e8 cutoff": ([99999999.0, 1e8], "float64"),
    "huge": ([1e20, -1e-20], "float64"),
    "huge float32": ([3.4e38, 1.0], "float32"),
    "subnormals": ([1e-45, 1e-40], "float32"),
    "float16 subnormal": ([6e-8, 1.0], "float16"),
    "nan and number": ([np.nan, 1.0], "float32"),
    "nan and -inf": ([np.nan, -np.inf], "float32"),
    "only nan": ([np.nan], "float32"),
    "inf in scientific": ([np.inf, 1e-9, -3.0], "float64"),
    "negative zero": ([-0.0, 1.0], "float32"),
    "0-d negative zero": (-0.0, "float32"),
    "int columns": ([[1, 2], [1, 2], [1, 2]], "int8"),
    "int8 extremes": ([-128, 127, 0], "int8"),
    "uint8": ([0, 255, 7], "uint8"),
    "uint64 max": ([2**64 - 1, 3], "uint64"),
    "int64 min": ([-(2**63), 5], "int64"),
    "bools": ([True, False], "bool"),
    "3-D ints": (np.arange(24).reshape(2, 3, 4), "int32"),
    "4-D float16": (np.ones((2, 2, 2, 2)) / 3, "float16"),
    "wrapping row": (np.arange(30) * 1234.5, "float32"),
    "dtype pushed by a long last line": (np.arange(9) * 1.5 + 0.25, "float32"),
    "dtype just fits": (np.arange(8) * 1.5 + 0.25, "float32"),
    "wrapping 2-D": (np.linspace(-1, 1, 60).reshape(3, 20), "float32"),
    "summarized 1-D": (np.arange(5000), "int32"),
    "summarized 2-D": (np.arange(2000).reshape(20, 100), "float32"),
    "summarized 3-D": (np.arange(1200).reshape(2, 3, 200) * 0.37, "float32"),
    "summarized bools": (np.arange(1001) % 3 == 0, "bool"),
    "summarized with nan": (np.where(np.arange(1500) % 7 == 0, np.nan,
                                     np.arange(1500) * 0.5), "float64"),
}


@pytest.mark.parametrize("name", list(HAND_PICKED))
def test_hand_picked_arrays_print_like_jax(name):
    values, dtype = HAND_PICKED[name]
    assert_prints_like_jax(values, dtype)


def test_weak_typed_scalar_repr_says_weak_type():
    x = jnp.array(2.5)  # a Python float: weakly typed
    assert x.aval.weak_type
    assert fmt.array_repr([2.5], (), "float32", weak_type=True) == repr(x)
    assert repr(x) == "Array(2.5, dtype=float32, weak_type=True)"


def test_documented_examples():
    assert fmt.array_repr([1.0, 2.0], (2,), "float32") == "Array([1., 2.], dtype=float32)"
    assert fmt.array_str([6.0], (), "float32") == "6.0"
    assert fmt.array_str([0.5, 0.5, 0.25, 0.75], (2, 2), "float32") == (
        "[[0.5  0.5 ]\n [0.25 0.75]]")
    assert fmt.array_repr([], (0, 3), "float32") == "Array([], shape=(0, 3), dtype=float32)"


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="dtype 'complex64'"):
        fmt.array_repr([1.0], (1,), "complex64")
    with pytest.raises(ValueError, match="shape"):
        fmt.array_str([1.0, 2.0], (3,), "float32")


# ---------------------------------------------------------------------------
# Random arrays from nasty distributions
# ---------------------------------------------------------------------------

def _nasty_float(rng, kind):
    if kind == "normal":
        return rng.gauss(0, 1)
    if kind == "tiny":
        return rng.choice([1, -1]) * 10 ** rng.uniform(-45, -3)
    if kind == "huge":
        return rng.choice([1, -1]) * 10 ** rng.uniform(3, 300)
    if kind == "integers":
        return float(rng.randint(-1000, 1000))
    if kind == "wide":
        return rng.choice([1, -1]) * 10 ** rng.uniform(-8, 12)
    if kind == "special":
        return rng.choice([math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0,
                           rng.gauss(0, 100)])
    if kind == "repeated":
        return rng.choice([0.1, 0.5, 1 / 3, 100.0, 2.0**-20])
    # "bits": any bit pattern of the dtype, read back as a float
    return struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]


def _nasty_values(rng, dtype, size):
    if dtype == "bool":
        return [rng.random() < 0.5 for _ in range(size)]
    if dtype in INTS:
        info = np.iinfo(dtype)
        small = rng.random() < 0.5
        lo, hi = (max(int(info.min), -100), min(int(info.max), 100)) if small \
            else (int(info.min), int(info.max))
        return [rng.randint(lo, hi) for _ in range(size)]
    kinds = ["normal", "tiny", "huge", "integers", "wide", "special",
             "repeated", "bits"]
    mix = rng.sample(kinds, rng.randint(1, 3))
    with np.errstate(over="ignore", invalid="ignore"):
        return [float(np.asarray(_nasty_float(rng, rng.choice(mix)), dtype))
                for _ in range(size)]


def _shape_of(draw, big):
    if big:
        return draw(st.sampled_from([(1001,), (40, 30), (3, 400), (2, 3, 170),
                                     (1100, 1), (7, 7, 7, 4)]))
    ndim = draw(st.integers(0, 3))
    return tuple(draw(st.lists(st.integers(0, 6 if ndim > 1 else 40),
                               min_size=ndim, max_size=ndim)))


@HYPOTHESIS
@given(st.data())
def test_random_arrays_print_like_jax(data):
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
    big = data.draw(st.integers(0, 19), label="big") == 0
    shape = _shape_of(data.draw, big)
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    values = _nasty_values(random.Random(seed), dtype, math.prod(shape))
    assert_prints_like_jax(values, dtype, shape)


@HYPOTHESIS
@given(st.sampled_from(FLOATS), st.data())
def test_random_float_rows_print_like_jax(dtype, data):
    width = {"float16": 16, "float32": 32, "float64": 64}[dtype]
    element = st.one_of(
        st.floats(width=width),
        st.integers(-10**6, 10**6).map(float),
        st.sampled_from([0.1, 0.25, 1e-4, 1e-5, 999.5, 1e6, 1e8, 1e16, -0.0]),
    )
    values = data.draw(st.lists(element, min_size=1, max_size=12), label="values")
    with np.errstate(over="ignore"):
        assert_prints_like_jax(values, dtype)


# ---------------------------------------------------------------------------
# Dragon4 itself, against NumPy's format_float_positional / _scientific
# ---------------------------------------------------------------------------

@HYPOTHESIS
@given(st.sampled_from(FLOATS), st.integers(0, 2**64 - 1), st.data())
def test_dragon4_matches_numpy_format_float(dtype, bits, data):
    nbits = {"float16": 16, "float32": 32, "float64": 64}[dtype]
    x = np.frombuffer((bits % 2**nbits).to_bytes(nbits // 8, "little"),
                      dtype=dtype)[0]
    if not np.isfinite(x):
        x = np.asarray(data.draw(st.floats(-1e4, 1e4)), dtype)[()]
    unique = data.draw(st.booleans(), label="unique")
    precision = data.draw(st.integers(-1 if unique else 0, 20), label="precision")
    min_digits = data.draw(st.integers(-1, precision if precision > 0 else 20),
                           label="min_digits")
    trim = data.draw(st.sampled_from("k.0-"), label="trim")
    sign = data.draw(st.booleans(), label="sign")
    pad_left = data.draw(st.integers(-1, 6), label="pad_left")
    if precision != 0:
        fractional = data.draw(st.booleans(), label="fractional")
    else:
        fractional = True
    pad_right = data.draw(st.integers(-1, 12), label="pad_right")
    exp_digits = data.draw(st.integers(-1, 4), label="exp_digits")

    def opt(v):
        return None if v < 0 else v

    want = np.format_float_positional(
        x, precision=opt(precision), unique=unique, fractional=fractional,
        trim=trim, sign=sign, pad_left=opt(pad_left), pad_right=opt(pad_right),
        min_digits=opt(min_digits))
    got = fmt.format_positional(
        float(x), dtype, precision=precision, unique=unique,
        fractional=fractional, trim=trim, sign=sign, pad_left=pad_left,
        pad_right=pad_right, min_digits=min_digits)
    assert got == want
    want = np.format_float_scientific(
        x, precision=opt(precision), unique=unique, trim=trim, sign=sign,
        pad_left=opt(pad_left), exp_digits=opt(exp_digits),
        min_digits=opt(min_digits))
    got = fmt.format_scientific(
        float(x), dtype, precision=precision, unique=unique, trim=trim,
        sign=sign, pad_left=pad_left, exp_digits=exp_digits,
        min_digits=min_digits)
    assert got == want


# ---------------------------------------------------------------------------
# Scalars: str of 0-d arrays, NumPy scalar reprs, f-strings
# ---------------------------------------------------------------------------

SCALARS = [
    (0.1, "float32"), (1 / 3, "float32"), (6.0, "float32"), (1e6, "float32"),
    (999999.9, "float32"), (1e-4, "float32"), (1e-4, "float16"),
    (1e-4, "float64"), (1e16, "float64"), (9.999e15, "float64"),
    (999.5, "float16"), (1000.0, "float16"), (65504.0, "float16"),
    (math.nan, "float64"), (math.inf, "float32"), (-math.inf, "float16"),
    (-0.0, "float32"), (0.0, "float64"), (1e-45, "float32"), (1e300, "float64"),
    (3, "int64"), (-128, "int8"), (255, "uint8"), (2**64 - 1, "uint64"),
    (True, "bool"), (False, "bool"),
]


def _numpy_scalar(value, dtype):
    with np.errstate(over="ignore"):
        return np.asarray(value, dtype=dtype)[()]


def _python_value(value, dtype):
    return _numpy_scalar(value, dtype).item()


@pytest.mark.parametrize("value,dtype", SCALARS)
def test_scalar_str_and_repr_match_numpy(value, dtype):
    scalar = _numpy_scalar(value, dtype)
    assert fmt.scalar_str(scalar.item(), dtype) == str(scalar)
    assert fmt.numpy_scalar_repr(scalar.item(), dtype) == repr(scalar)


@HYPOTHESIS
@given(st.sampled_from(FLOATS), st.integers(0, 2**64 - 1))
def test_random_float_scalars_match_numpy(dtype, bits):
    nbits = {"float16": 16, "float32": 32, "float64": 64}[dtype]
    scalar = np.frombuffer((bits % 2**nbits).to_bytes(nbits // 8, "little"),
                           dtype=dtype)[0]
    assert fmt.scalar_str(float(scalar), dtype) == str(scalar)
    assert fmt.numpy_scalar_repr(float(scalar), dtype) == repr(scalar)
    # str of a 0-d JAX array is the str of its NumPy scalar
    assert_prints_like_jax(scalar, dtype)


SPECS = ["", ".5f", "8.2f", "e", ".3g", ">12", "+.2e", "%"]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("value,dtype", [(0.1, "float32"), (1 / 3, "float16"),
                                         (2.5, "float64"), (math.nan, "float32"),
                                         (-1e20, "float32")])
def test_format_of_0d_float_array_matches_jax(value, dtype, spec):
    with jax.enable_x64(True):
        x = jnp.array(np.asarray(value, dtype=dtype))
        want = format(x, spec)
    assert fmt.format_scalar(_python_value(value, dtype), dtype, spec) == want


@pytest.mark.parametrize("spec", ["", "d", "5d", "+d", "x", ".2f"])
@pytest.mark.parametrize("value,dtype", [(3, "int8"), (-7, "int32"),
                                         (2**64 - 1, "uint64"), (True, "bool")])
def test_format_of_0d_int_and_bool_array_matches_jax(value, dtype, spec):
    with jax.enable_x64(True):
        x = jnp.array(np.asarray(value, dtype=dtype))
        want = format(x, spec)
    assert fmt.format_scalar(_python_value(value, dtype), dtype, spec) == want


# ---------------------------------------------------------------------------
# Speed: printing runs in the reader's browser on every cell
# ---------------------------------------------------------------------------

def test_formatting_1000_float32_values_is_fast():
    rng = random.Random(0)
    values = [struct.unpack("f", struct.pack("f", rng.gauss(0, 1)))[0]
              for _ in range(1000)]
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        fmt.array_repr(values, (1000,), "float32")
        best = min(best, time.perf_counter() - start)
    assert best < 0.05, f"formatting 1000 float32 values took {best * 1e3:.1f} ms"
