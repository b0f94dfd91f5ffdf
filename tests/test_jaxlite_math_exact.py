"""jaxlite's float32 transcendental functions, bit for bit against real JAX.

XLA:CPU's float32 ``sin``, ``exp``, ``tanh``... are not correctly rounded;
jaxlite replays its kernels (site_src/py/jaxlite/_xla_math.py). On an x86-64
CPU with FMA and glibc (the machine they were replayed from) every result
must be identical, bit for bit; elsewhere real JAX's own kernels may differ,
and a 1-ulp difference is tolerated. Each comparison runs a few thousand
float32 inputs: random over narrow and wide ranges, and edge cases (signed
zeros, denormals, the overflow thresholds, inf, NaN, neighbours of multiples
of pi/2).
"""

from __future__ import annotations

import platform
import struct
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_src" / "py"))

import jaxlite  # noqa: E402
import jaxlite.numpy as ljnp  # noqa: E402


def _replayed_machine() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return " fma " in Path("/proc/cpuinfo").read_text().replace("\n", " ")
    except OSError:
        return False


ALLOWED_ULPS = 0 if _replayed_machine() else 1


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(20240610)
    k = np.arange(-60, 61)
    near_half_pi = (k * (np.pi / 2)).astype(np.float32)
    specials = [0.0, -0.0, 1e-45, -1e-45, 1e-40, -2e-39, 1.1754944e-38, 1e-30, 1e-7, -1e-7, 3e-4,
                -5e-4, 0.5, -0.5, 0.75, 1.0, -1.0, 2.0, 3.7, 3.8, 3.85, 8.0, 9.0, 20.0, -20.5,
                88.72, 88.73, 89.0, -87.33, -87.34, -88.0, -104.0, 120.0, 1e10, 3.4028235e38,
                -3.4028235e38, np.inf, -np.inf, np.nan]
    return np.concatenate([
        rng.uniform(-10, 10, 2000), rng.uniform(-1, 1, 500), rng.uniform(-130, 130, 500),
        np.exp(rng.uniform(-87, 88, 1000)) * rng.choice([-1, 1], 1000),
        near_half_pi, np.nextafter(near_half_pi, np.float32(np.inf)),
        np.nextafter(near_half_pi, np.float32(-np.inf)), specials,
    ]).astype(np.float32)


INPUTS = _inputs()
POSITIVE = np.abs(INPUTS)
UNIT = np.concatenate([np.random.default_rng(1).uniform(-1, 1, 2000),
                       [-1.0, 1.0, 0.0, -0.0, 0.999999, -0.9999999, 1e-40]]).astype(np.float32)


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ulp distance between float32 arrays, 0 where both are NaN."""
    ia, ib = (x.view(np.int32).astype(np.int64) for x in (a, b))
    ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)
    ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
    return np.where(np.isnan(a) & np.isnan(b), 0, np.abs(ia - ib))


def assert_bit_exact(jax_fn, jaxlite_fn, x: np.ndarray, dtype=np.float32):
    with np.errstate(over="ignore"):  # float16 overflows to inf, on purpose
        x = x.astype(dtype)
    ref = np.asarray(jax_fn(jnp.asarray(x))).astype(np.float32)
    mine = np.asarray(jaxlite_fn(ljnp.asarray(x.astype(np.float32).tolist(), dtype=dtype.__name__)).tolist(),
                      np.float32)
    gaps = _ulps(ref, mine)
    bad = np.nonzero(gaps > ALLOWED_ULPS)[0]
    assert not len(bad), (
        f"{len(bad)} of {x.size} values differ by up to {gaps.max()} ulp; first: "
        f"x={float(x[bad[0]])!r} JAX {float(ref[bad[0]])!r} jaxlite {float(mine[bad[0]])!r}")


UNARY = [
    ("sin", jnp.sin, ljnp.sin, INPUTS),
    ("cos", jnp.cos, ljnp.cos, INPUTS),
    ("exp", jnp.exp, ljnp.exp, INPUTS),
    ("log", jnp.log, ljnp.log, POSITIVE),
    ("log_negative", jnp.log, ljnp.log, INPUTS),
    ("tanh", jnp.tanh, ljnp.tanh, INPUTS),
    ("logistic", lax.logistic, jaxlite.lax.logistic, INPUTS),
    ("sigmoid", jax.nn.sigmoid, jaxlite.nn.sigmoid, INPUTS),
    ("log1p", jnp.log1p, ljnp.log1p, INPUTS),
    ("expm1", jnp.expm1, ljnp.expm1, INPUTS),
    ("erf", lax.erf, jaxlite.lax.erf, INPUTS),
    ("erf_inv", lax.erf_inv, lambda x: jaxlite._lax.erf_inv_p.bind(x), UNIT),
]


@pytest.mark.parametrize("name,jax_fn,jaxlite_fn,x", UNARY, ids=[u[0] for u in UNARY])
def test_float32_function_is_bit_exact_with_xla_cpu(name, jax_fn, jaxlite_fn, x):
    assert_bit_exact(jax_fn, jaxlite_fn, x)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16], ids=["float16", "bfloat16"])
@pytest.mark.parametrize("name,jax_fn,jaxlite_fn,x", UNARY, ids=[u[0] for u in UNARY])
def test_narrow_floats_widen_to_the_float32_kernel(name, jax_fn, jaxlite_fn, x, dtype):
    assert_bit_exact(jax_fn, jaxlite_fn, x[::4], dtype)


@pytest.mark.parametrize("name,jax_fn,jaxlite_fn,x", UNARY, ids=[u[0] for u in UNARY])
def test_rank0_operands_match_too(name, jax_fn, jaxlite_fn, x):
    """A scalar compiles on its own; XLA:CPU's rank-0 erf clamps earlier."""
    for v in list(x[::97]) + [np.float32(3.8), np.float32(-3.79)]:
        ref = np.float32(jax_fn(jnp.float32(v)))
        mine = np.float32(float(jaxlite_fn(ljnp.float32(float(v)))))
        assert _ulps(np.array([ref]), np.array([mine]))[0] <= ALLOWED_ULPS, (name, float(v), ref, mine)


def _pow_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(0, 10, 1500), np.exp(rng.uniform(-40, 40, 500)),
                        rng.uniform(-10, 10, 500), np.round(rng.uniform(-10, 10, 300)),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-40, 2.0, 0.5, 8.0]])
    y = np.concatenate([rng.uniform(-5, 5, 1500), rng.uniform(-2, 2, 500), np.round(rng.uniform(-6, 6, 500)),
                        rng.uniform(-3, 3, 300),
                        [0.5, 2.0, -1.0, 3.0, 0.0, np.nan, np.inf, -0.5, -np.inf, 1 / 3, -0.0]])
    return x.astype(np.float32), y.astype(np.float32)


@pytest.mark.parametrize("dtype", [np.float32, jnp.float16, jnp.bfloat16], ids=["float32", "float16", "bfloat16"])
def test_pow_is_bit_exact_with_xla_cpu(dtype):
    x, y = _pow_inputs()
    with np.errstate(over="ignore"):
        x, y = x.astype(dtype), y.astype(dtype)
    ref = np.asarray(lax.pow(jnp.asarray(x), jnp.asarray(y))).astype(np.float32)
    name = np.dtype(dtype).name
    mine = np.asarray(jaxlite._lax.pow_p.bind(ljnp.asarray(x.astype(np.float32).tolist(), dtype=name),
                                      ljnp.asarray(y.astype(np.float32).tolist(), dtype=name)).tolist(), np.float32)
    gaps = _ulps(ref, mine)
    bad = np.nonzero(gaps > ALLOWED_ULPS)[0]
    assert not len(bad), [(float(x[i]), float(y[i]), float(ref[i]), float(mine[i])) for i in bad[:5]]


def test_finite_differences_show_jaxs_round_off():
    """docs/chapters/04-grad.md: (f(x + h) - f(x)) / h prints float32 noise,
    which is only the same noise when sin is the same to the last bit."""
    def f(x, np_=jnp):
        return np_.sin(x) ** 2 + 1

    for h in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]:
        ref = float((f(jnp.float32(0.5) + h) - f(jnp.float32(0.5))) / h)
        x = ljnp.float32(0.5)
        mine = float((f(x + h, ljnp) - f(x, ljnp)) / h)
        assert mine == ref, (h, ref, mine)
