"""jaxlite's PRNG (site_src/py/jaxlite/_prng.py) checked against real JAX.

Keys, bits and integer samples must be identical. Float samples must be
identical too on an x86-64 CPU with FMA, the machine XLA:CPU's kernels were
replayed from; elsewhere JAX's own float kernels may differ, and a 1-ulp
difference is tolerated. Every float comparison reports its largest ulp gap.

Set JAXLITE_PRNG_EXHAUSTIVE=1 to also compare normal, gumbel and exponential
on every one of the 2**23 uniform values they can start from (minutes).
"""

from __future__ import annotations

import importlib.util
import math
import os
import platform
import time
from fractions import Fraction
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jax import lax
from jax._src.random import threefry2x32 as jax_threefry

ROOT = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location(
    "jaxlite_prng_under_test", ROOT / "site_src" / "py" / "jaxlite" / "_prng.py")
prng = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(prng)


def _cpu_has_fma() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " fma " in flags.replace("\n", " ")


ALLOWED_ULPS = 0 if _cpu_has_fma() else 1

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

uint32s = st.integers(0, 2**32 - 1)
keys = st.tuples(uint32s, uint32s)
shapes = st.lists(st.integers(0, 4), max_size=3).map(tuple)

SOME_KEYS = [(0, 0), (0, 42), (3, 4294967295), (2718281828, 314159265)]


# --- helpers ---------------------------------------------------------------

def jax_key(key):
    """A real JAX key holding exactly the raw key data ``key``."""
    return jax.random.wrap_key_data(np.array(key, dtype=np.uint32))


def key_tuples(keys_array) -> list[tuple[int, int]]:
    data = np.asarray(jax.random.key_data(keys_array)).reshape(-1, 2)
    return [(int(a), int(b)) for a, b in data]


def flat(array) -> list:
    return np.asarray(array).ravel().tolist()


def ulp_gaps(ref, mine, dtype: str) -> np.ndarray:
    """Distance in ulps; a NaN is 0 from a NaN and infinitely far from numbers."""
    int_type = {"float32": np.int32, "float16": np.int16, "float64": np.int64}[dtype]
    a = np.asarray(ref, dtype=dtype).ravel()
    b = np.asarray(mine, dtype=dtype).ravel()

    def ordered(x):  # bit patterns as ints that step by one per ulp across zero
        bits = x.view(int_type).astype(np.int64)
        return np.where(bits < 0, -(bits & np.iinfo(int_type).max), bits)

    gaps = np.abs(ordered(a) - ordered(b))
    both_nan = np.isnan(a) & np.isnan(b)
    return np.where(both_nan, 0, np.where(np.isnan(a) | np.isnan(b), 2**62, gaps))


def assert_floats_match(ref, mine, dtype: str = "float32"):
    ref_list = flat(ref)
    assert len(ref_list) == len(mine), (len(ref_list), len(mine))
    if not ref_list:
        return
    gaps = ulp_gaps(ref_list, mine, dtype)
    worst = int(gaps.max())
    assert worst <= ALLOWED_ULPS, (
        f"{int((gaps > 0).sum())} of {len(gaps)} {dtype} values differ; max ulp "
        f"{worst}; first at {int(np.argmax(gaps > 0))}")


# --- threefry, keys, bits ----------------------------------------------------

@pytest.mark.parametrize("key, counter, expected", [
    # Known-answer vectors of Random123 (Salmon et al. 2011), threefry2x32_20.
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
])
def test_threefry_reproduces_random123_known_answers(key, counter, expected):
    out0, out1 = prng.threefry_2x32(*key, [counter[0]], [counter[1]])
    assert (out0[0], out1[0]) == expected


@SETTINGS
@given(key=keys, pairs=st.lists(st.tuples(uint32s, uint32s), min_size=1, max_size=64))
def test_threefry_matches_jax_hash(key, pairs):
    # Many pairs: jaxlite hashes them all at once, packed side by side in one integer.
    x0 = [a for a, _ in pairs]
    x1 = [b for _, b in pairs]
    ref = jax_threefry.threefry_2x32(
        np.array(key, np.uint32), np.array(x0 + x1, np.uint32))
    out0, out1 = prng.threefry_2x32(*key, x0, x1)
    assert flat(ref) == out0 + out1


@pytest.mark.parametrize("n", [0, 1, 42, -1, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
                               2**32 - 1, 2**32, 2**32 + 5, 2**40 + 7, 2**63 - 1, -2**63])
def test_seed_matches_key_and_legacy_PRNGKey(n):
    assert key_tuples(jax.random.key(n)) == [prng.seed(n)]
    assert tuple(flat(jax.random.PRNGKey(n))) == prng.seed(n)


@SETTINGS
@given(n=st.integers(-2**63, 2**63 - 1))
def test_seed_matches_key_for_any_int64(n):
    assert key_tuples(jax.random.key(n)) == [prng.seed(n)]


@pytest.mark.parametrize("n", [2**63, -2**63 - 1, 2**70])
def test_seed_outside_int64_overflows_like_jax(n):
    with pytest.raises(OverflowError):
        jax.random.key(n)
    with pytest.raises(OverflowError, match="64-bit"):
        prng.seed(n)


@pytest.fixture
def x64():
    """Real JAX in 64-bit mode for the duration of one test."""
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("n", [0, -1, 2**32 + 5, 2**40 + 7, -2**40, 2**63 - 1, -2**63])
def test_seed_in_x64_mode_keeps_the_high_word(x64, n):
    assert key_tuples(jax.random.key(n)) == [prng.seed(n, x64=True)]


@SETTINGS
@given(key=keys, num=st.integers(0, 5))
def test_split_matches_jax(key, num):
    assert key_tuples(jax.random.split(jax_key(key), num)) == prng.split(key, num)


@pytest.mark.parametrize("shape", [(2, 3), (1,), (0, 2), (2, 1, 2)])
def test_split_into_a_shape_matches_jax(shape):
    key = (7, 11)
    assert key_tuples(jax.random.split(jax_key(key), shape)) == prng.split_shape(key, shape)
    assert prng.split(key, shape) == prng.split_shape(key, shape)


@SETTINGS
@given(key=keys, data=uint32s)
def test_fold_in_matches_jax(key, data):
    assert key_tuples(jax.random.fold_in(jax_key(key), data)) == [prng.fold_in(key, data)]


@pytest.mark.parametrize("data", [-1, 2**32])
def test_fold_in_rejects_data_outside_uint32_like_jax(data):
    with pytest.raises(OverflowError):
        jax.random.fold_in(jax.random.key(0), data)
    with pytest.raises(OverflowError, match="uint32"):
        prng.fold_in((0, 0), data)


@SETTINGS
@given(key=keys, shape=shapes, dtype=st.sampled_from(["uint8", "uint16", "uint32"]))
def test_bits_match_jax(key, shape, dtype):
    width = np.dtype(dtype).itemsize * 8
    assert flat(jax.random.bits(jax_key(key), shape, dtype)) == prng.random_bits(key, width, shape)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_64_bit_bits_match_jax_in_x64_mode(x64, shape):
    key = (123, 456)
    ref = jax.random.bits(jax_key(key), shape, jnp.uint64)
    assert flat(ref) == prng.random_bits(key, 64, shape)


def test_scalar_and_empty_shapes():
    key = (0, 42)
    assert flat(jax.random.bits(jax_key(key))) == prng.random_bits(key, 32, ())
    assert prng.random_bits(key, 32, (3, 0)) == []
    assert prng.split(key, 0) == []


def test_bad_inputs_get_errors_that_say_what_to_do():
    with pytest.raises(TypeError, match="seed"):
        prng.uniform(42, (3,))
    with pytest.raises(ValueError, match="non-negative"):
        prng.uniform((0, 0), (2, -1))
    with pytest.raises(ValueError, match="float dtype"):
        prng.uniform((0, 0), (2,), "int32")
    with pytest.raises(ValueError, match="8, 16, 32 or 64"):
        prng.random_bits((0, 0), 12, (2,))


# --- float arithmetic ----------------------------------------------------------

def _exact_fma32(a: float, b: float, c: float) -> float:
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    return prng.f32(_round_fraction_to_f32(exact))


def _round_fraction_to_f32(x: Fraction) -> float:
    """Round a Fraction to float32, ties to even, by scaling to the float32 grid."""
    if x == 0:
        return 0.0
    exp = math.floor(math.log2(abs(x)))
    while Fraction(2) ** exp > abs(x):
        exp -= 1
    while Fraction(2) ** (exp + 1) <= abs(x):
        exp += 1
    ulp = Fraction(2) ** (exp - 23)
    q, r = divmod(x / ulp, 1)
    if r > Fraction(1, 2) or (r == Fraction(1, 2) and q % 2 == 1):
        q += 1
    return float(q * ulp)


floats32 = st.floats(-1e6, 1e6, width=32, allow_subnormal=False)


@settings(max_examples=300, deadline=None)
@given(a=floats32, b=floats32, c=floats32)
def test_fused_multiply_add_rounds_once(a, b, c):
    expected = _exact_fma32(a, b, c)
    if 0 < abs(expected) < 2.0 ** -126:
        expected = 0.0  # XLA:CPU flushes denormal results to zero
    assert prng._fma32(a, b, c) == expected


def test_fused_multiply_add_breaks_a_double_rounding_tie():
    # a*b = 2 - 2**-45, so a*b + c = 2**25 + 6 - 2**-45: a double rounds it to
    # the float32 midpoint 2**25 + 6, whose tie would go up to 2**25 + 8.
    a, b, c = 1 + 2.0**-23, 2 - 2.0**-22, 2.0**25 + 4
    assert (a * b + c) == 2.0**25 + 6
    assert prng._fma32(a, b, c) == 2.0**25 + 4 == _exact_fma32(a, b, c)


def test_float32_rounding_overflows_to_infinity_and_flushes_denormals():
    assert prng.f32(1e300) == math.inf and prng.f32(-1e300) == -math.inf
    assert prng.f32(0.1) == float(np.float32(0.1))
    assert prng.round_to("float16", 0.1) == float(np.float16(0.1))
    assert prng._r32(1e-40) == 0.0 and prng.f32(1e-40) != 0.0
    assert float(jax.jit(lambda x: x * 0.5)(np.float32(2e-38))) == prng._r32(2e-38 * 0.5)


# --- XLA:CPU float32 kernels ----------------------------------------------------

def _normal_u_grid(js) -> np.ndarray:
    """The uniform values normal() can draw: (2j + 1) / 2**24 - 1."""
    js = np.asarray(js, dtype=np.float64)
    return ((2 * js + 1) / 2.0**24 - 1).astype(np.float32)


def _kernel_inputs() -> dict[str, np.ndarray]:
    rs = np.random.RandomState(0)
    tails = np.r_[np.arange(0, 1500), np.arange(2**23 - 1500, 2**23),
                  np.arange(2**22 - 500, 2**22 + 500), rs.randint(0, 2**23, 3000)]
    any_bits = rs.randint(0, 0x7F800000, 4000).astype(np.uint32).view(np.float32)
    in_unit = rs.randint(0, 0x3F800000, 4000).astype(np.uint32).view(np.float32)
    in_unit = np.where(rs.rand(4000) < 0.5, -in_unit, in_unit)
    return {
        "erf_inv": np.r_[_normal_u_grid(tails), in_unit, [-1.0, 1.0, 0.0]].astype(np.float32),
        "log": np.r_[any_bits, (tails / 2.0**23).astype(np.float32),
                     [0.0, -0.0, np.inf, -1.0, 1.0, 1e-40, np.nan]].astype(np.float32),
        "log1p": np.r_[-(tails / 2.0**23), in_unit, any_bits[:500],
                       [-1.0, -2.0, 0.0, 0.41421354, -0.41421354, np.inf, np.nan]
                       ].astype(np.float32),
        "erf": np.r_[rs.randn(3000) * 2,
                     [-4.0, -3.7439211, 0.0, 3.7439211, 6.0]].astype(np.float32),
    }


KERNELS = {
    "erf_inv": (lax.erf_inv, prng._erf_inv_f32),
    "log": (jnp.log, prng._log_f32),
    "log1p": (jnp.log1p, prng._log1p_f32),
    "erf": (lax.erf, prng._erf_f32),
}


@pytest.mark.parametrize("name", ["erf_inv", "log", "log1p"])
def test_float32_kernel_replicas_match_xla(name):
    inputs = _kernel_inputs()[name]
    jax_fn, ours = KERNELS[name]
    assert_floats_match(jax.jit(jax_fn)(inputs), [ours(float(x)) for x in inputs])


def test_erf_replica_matches_xla_on_scalars():
    # truncated_normal evaluates erf on its two scalar bounds; XLA:CPU's
    # vectorised erf for large arrays is a different kernel.
    inputs = _kernel_inputs()["erf"][::25]
    erf = jax.jit(lax.erf)
    assert_floats_match([erf(x) for x in inputs], [prng._erf_f32(float(x)) for x in inputs])


# --- distributions ---------------------------------------------------------------

@pytest.mark.parametrize("key", SOME_KEYS)
@pytest.mark.parametrize("shape", [(), (7,), (3, 50)])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("minval, maxval", [(0.0, 1.0), (-3.0, 7.5), (2.0, 2.1), (5.0, -5.0)])
def test_uniform_matches_jax(key, shape, dtype, minval, maxval):
    ref = jax.random.uniform(jax_key(key), shape, dtype, minval, maxval)
    assert_floats_match(ref, prng.uniform(key, shape, dtype, minval, maxval), dtype)


@SETTINGS
@given(key=keys, shape=shapes)
def test_uniform_matches_jax_for_any_key_and_shape(key, shape):
    assert_floats_match(jax.random.uniform(jax_key(key), shape), prng.uniform(key, shape))


@pytest.mark.parametrize("minval, maxval", [(0.0, 1.0), (-3.3, 7.1)])
def test_float64_uniform_matches_jax_in_x64_mode(x64, minval, maxval):
    key = (9, 10)
    ref = jax.random.uniform(jax_key(key), (300,), jnp.float64, minval, maxval)
    assert_floats_match(ref, prng.uniform(key, (300,), "float64", minval, maxval), "float64")


@pytest.mark.parametrize("key", SOME_KEYS)
@pytest.mark.parametrize("shape", [(), (5,), (40, 50)])
def test_normal_matches_jax(key, shape):
    assert_floats_match(jax.random.normal(jax_key(key), shape), prng.normal(key, shape))


def test_float16_normal_matches_jax_across_its_uniform_values():
    # 8192 draws cover nearly all 1024 float16 uniform values normal() can use.
    key = (1, 2)
    ref = jax.random.normal(jax_key(key), (8192,), jnp.float16)
    assert_floats_match(ref, prng.normal(key, (8192,), "float16"), "float16")


@pytest.mark.parametrize("key", SOME_KEYS[:2])
@pytest.mark.parametrize("lower, upper", [(-1.0, 2.0), (-6.0, 6.0), (0.5, 0.6), (-8.0, -5.5),
                                          (3.0, 4.0), (-2.0, 0.0)])
def test_truncated_normal_matches_jax(key, lower, upper):
    ref = jax.random.truncated_normal(jax_key(key), lower, upper, (500,))
    mine = prng.truncated_normal(key, lower, upper, (500,))
    assert_floats_match(ref, mine)
    assert all(lower < x < upper for x in mine)


@pytest.mark.parametrize("key", SOME_KEYS)
@pytest.mark.parametrize("shape", [(), (2000,)])
def test_exponential_and_gumbel_match_jax(key, shape):
    assert_floats_match(jax.random.exponential(jax_key(key), shape), prng.exponential(key, shape))
    assert_floats_match(jax.random.gumbel(jax_key(key), shape), prng.gumbel(key, shape))


@pytest.mark.parametrize("p, shape", [(0.5, (100,)), (0.03, (10, 10)), (0.0, (5,)), (1.0, (5,)),
                                      (1e-40, (5,))])
def test_bernoulli_with_scalar_p_matches_jax(p, shape):
    key = (5, 6)
    assert flat(jax.random.bernoulli(jax_key(key), p, shape)) == prng.bernoulli(key, p, shape)


def test_bernoulli_with_array_p_broadcasts_like_jax():
    key, p = (5, 6), [0.1, 0.5, 0.9]
    assert flat(jax.random.bernoulli(jax_key(key), jnp.array(p))) == prng.bernoulli(key, p)
    assert (flat(jax.random.bernoulli(jax_key(key), jnp.array(p), (4, 3)))
            == prng.bernoulli(key, p, (4, 3)))
    p2 = [[0.2], [0.7]]
    assert (flat(jax.random.bernoulli(jax_key(key), jnp.array(p2), (2, 5)))
            == prng.bernoulli(key, [0.2, 0.7], (2, 5), p_shape=(2, 1)))


@pytest.mark.parametrize("minval, maxval, dtype", [
    (0, 10, "int32"), (-2**31, 2**31 - 1, "int32"), (-7, 3, "int32"), (5, 5, "int32"),
    (7, 3, "int32"), (0, 256, "uint8"), (-5, 300, "int8"), (-3, 1000, "int16"),
    (0, 70000, "uint16"), (0, 2**31 - 1, "uint32"), (100, 2**31 - 1, "int32"),
])
def test_randint_matches_jax(minval, maxval, dtype):
    key = (77, 88)
    ref = jax.random.randint(jax_key(key), (3, 40), minval, maxval, dtype)
    assert flat(ref) == prng.randint(key, (3, 40), minval, maxval, dtype)


@SETTINGS
@given(key=keys, bounds=st.tuples(st.integers(-2**31, 2**31 - 1), st.integers(-2**31, 2**31 - 1)))
def test_randint_matches_jax_for_any_int32_bounds(key, bounds):
    ref = jax.random.randint(jax_key(key), (6,), *bounds)
    assert flat(ref) == prng.randint(key, (6,), *bounds)


def test_randint_bounds_outside_int32_overflow_like_jax():
    with pytest.raises(OverflowError):
        jax.random.randint(jax.random.key(0), (2,), 0, 2**31)
    with pytest.raises(OverflowError, match="int32"):
        prng.randint((0, 0), (2,), 0, 2**31)


@pytest.mark.parametrize("logits_shape, axis, shape", [
    ((5,), -1, None), ((3, 5), -1, None), ((3, 5), 0, None), ((3, 5), 1, (7, 3)),
    ((5,), 0, (6,)), ((1, 4), -1, (2, 3)), ((2, 3, 4), 1, None),
])
def test_categorical_matches_jax(logits_shape, axis, shape):
    key = (31, 41)
    logits = np.random.RandomState(3).randn(*logits_shape).astype(np.float32)
    ref = jax.random.categorical(jax_key(key), logits, axis=axis, shape=shape)
    mine = prng.categorical(key, logits.ravel().tolist(), logits_shape, axis, shape)
    assert flat(ref) == mine


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1700])
def test_permutation_of_a_range_matches_jax(n):
    key = (2, 3)
    assert flat(jax.random.permutation(jax_key(key), n)) == prng.permutation(key, n)


@pytest.mark.parametrize("axis, independent", [(0, False), (1, False), (1, True), (0, True)])
def test_permutation_of_an_array_matches_jax(axis, independent):
    key = (2, 3)
    x = np.arange(20).reshape(4, 5)
    ref = jax.random.permutation(jax_key(key), x, axis, independent)
    assert flat(ref) == prng.permutation(key, flat(x), axis, independent, x_shape=(4, 5))


@pytest.mark.parametrize("shape, replace, p", [
    ((5,), True, None), ((2, 3), False, None), ((20,), True, [0.1, 0.2, 0.3, 0.15, 0.25]),
    ((3,), False, [0.1, 0.2, 0.3, 0.15, 0.25]), ((4,), True, [0.0, 1.0, 0.0, 3.0, 0.5]),
])
def test_choice_matches_jax(shape, replace, p):
    key = (8, 9)
    n = 10 if p is None else len(p)
    ref = jax.random.choice(jax_key(key), n, shape, replace, None if p is None else jnp.array(p))
    assert flat(ref) == prng.choice(key, n, shape, replace, p)


@pytest.mark.parametrize("n", [1, 16, 17, 50, 300, 2000, 5000])
def test_cumsum_adds_in_xlas_order(n):
    # choice(p=...) builds its CDF with jnp.cumsum, which XLA splits into rows.
    p = np.random.RandomState(n).rand(n).astype(np.float32)
    assert_floats_match(jnp.cumsum(p), prng._cumsum_f32(p.tolist()))


def test_choice_with_many_weights_matches_jax():
    key, p = (4, 5), np.random.RandomState(1).rand(300).astype(np.float32)
    ref = jax.random.choice(jax_key(key), 300, (500,), p=jnp.array(p))
    assert flat(ref) == prng.choice(key, 300, (500,), p=p.tolist())


def test_normal_of_1000_values_is_fast_in_cpython():
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        prng.normal((0, 1), (1000,))
        best = min(best, time.perf_counter() - start)
    assert best < 0.1, f"normal((1000,)) took {best:.3f} s"


# --- opt-in exhaustive check -------------------------------------------------------

@pytest.mark.skipif(os.environ.get("JAXLITE_PRNG_EXHAUSTIVE") != "1",
                    reason="takes minutes; set JAXLITE_PRNG_EXHAUSTIVE=1")
@pytest.mark.parametrize("name", ["normal", "gumbel", "exponential"])
def test_every_float32_uniform_value_maps_like_jax(name):
    mantissas = np.arange(2**23, dtype=np.uint32)
    lo = np.float32(np.nextafter(np.float32(-1), np.float32(0)))
    tiny = np.float32(np.finfo(np.float32).tiny)

    @jax.jit
    def ref(m):  # JAX's samplers, from the float32 in [1, 2) onwards
        f = lax.bitcast_convert_type(m | np.uint32(0x3F800000), jnp.float32) - 1
        if name == "normal":
            u = jnp.maximum(lo, f * (np.float32(1) - lo) + lo)
            return np.float32(np.sqrt(2)) * lax.erf_inv(u)
        if name == "gumbel":
            return -jnp.log(-jnp.log(jnp.maximum(tiny, f * (1 - tiny) + tiny)))
        return -jnp.log1p(-jnp.maximum(np.float32(0), f))

    sampler = {"normal": prng.normal, "gumbel": prng.gumbel,
               "exponential": prng.exponential}[name]
    original = prng.random_bits
    prng.random_bits = lambda key, width, shape: (mantissas << 9).tolist()
    try:
        mine = sampler((0, 0), (2**23,))
    finally:
        prng.random_bits = original
    assert_floats_match(ref(mantissas), mine)
