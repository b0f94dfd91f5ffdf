"""`jax.random` on jaxlite: typed PRNG keys and the samplers, as JAX writes them.

Keys are arrays of the key dtype `key<fry>` (jaxlite._random_prims): the
primitives random_seed, random_split, random_fold_in and random_bits open
them and run threefry2x32 (jaxlite._prng) on concrete key data. Every
sampler is JAX's own algorithm on those bits, staged as lax operations
inside a jit-compiled function of JAX's name (`_uniform`, `_normal`, ...),
so the same code runs on concrete keys, under jit (where `make_jaxpr`
prints JAX's equations), under vmap over a batch of keys and under grad.

Values are JAX's bit for bit (threefry, integer samplers, uniform, normal,
bernoulli); samplers that take a float log or erf (gumbel, exponential,
categorical, truncated_normal) use jaxlite's correctly rounded log and erf,
which can differ from XLA's in the last bit.
"""

from __future__ import annotations

import functools
import math
import operator

from jaxlite import _config, _dtypes, _lax as L
from jaxlite import _random_prims as prims
from jaxlite._api import jit
from jaxlite._array import ArrayImpl
from jaxlite._core import Tracer, get_aval
from jaxlite._random_prims import is_key

__all__ = ["key", "PRNGKey", "split", "fold_in", "key_data", "wrap_key_data", "key_impl", "clone", "bits",
           "uniform", "normal", "truncated_normal", "bernoulli", "randint", "gumbel", "exponential",
           "categorical", "permutation", "choice"]


def _jnp():
    from jaxlite import numpy as jnp
    return jnp


# ------------------------------------------------------------------ keys
def _arraylike(x) -> bool:
    return isinstance(x, (ArrayImpl, Tracer, bool, int, float))


def _check_prng_key(name: str, key, *, allow_batched: bool = False):
    """(typed key array, whether it was raw uint32 key data), with JAX's errors."""
    if is_key(key):
        typed, wrapped = key, False
    elif _arraylike(key):
        typed, wrapped = prims.random_wrap(key), True
    else:
        raise TypeError(f"unexpected PRNG key type {type(key)}")
    if not allow_batched and get_aval(typed).ndim:
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{tuple(key.shape)} != (). Use jax.vmap for batching.")
    return typed, wrapped


def _return_keys(wrapped: bool, keys):
    return prims.random_unwrap(keys) if wrapped else keys


def _seed_array(ctor_name: str, seed):
    if is_key(seed):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given a PRNG key.")
    if getattr(seed, "ndim", 0):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given an array of shape {tuple(seed.shape)} "
                        "!= (). Use jax.vmap for batching")
    if isinstance(seed, int) and not isinstance(seed, bool):
        if not -2 ** 63 <= seed < 2 ** 63:
            raise OverflowError(f"Python int {seed} too large to convert to int64")
        # JAX makes an int64 of it, which its default 32-bit mode narrows to int32.
        if _config.x64_enabled():
            return ArrayImpl([seed], (), _dtypes.int64)
        return ArrayImpl(_dtypes.round_list(_dtypes.int32, [seed]), (), _dtypes.int32)
    if isinstance(seed, (ArrayImpl, Tracer)) and seed.dtype.kind in "iu":
        return seed
    raise TypeError(f"PRNG key seed must be an integer; got {seed!r}.")


def key(seed, *, impl=None, dtype=None):
    """A typed PRNG key (`key<fry>[]`) from an integer seed."""
    return prims.random_seed(_seed_array("key", seed))


def PRNGKey(seed, *, impl=None):
    """A legacy key: the uint32[2] key data of `key(seed)`."""
    return prims.random_unwrap(prims.random_seed(_seed_array("PRNGKey", seed)))


def split(key, num=2):
    typed, wrapped = _check_prng_key("split", key)
    return _return_keys(wrapped, _split(typed, num))


def _split(key, num=2):
    """split() inside the samplers, on a typed key."""
    shape = tuple(num) if isinstance(num, (tuple, list)) else (num,)
    return prims.random_split(key, tuple(operator.index(d) for d in shape))


def fold_in(key, data):
    typed, wrapped = _check_prng_key("fold_in", key)
    if getattr(data, "ndim", 0):
        raise TypeError("fold_in accepts a scalar, but was given an array of"
                        f"shape {tuple(data.shape)} != (). Use jax.vmap for batching.")
    if isinstance(data, int) and not isinstance(data, bool) and not 0 <= data < 2 ** 32:
        raise OverflowError(f"Python integer {data} out of bounds for uint32")
    return _return_keys(wrapped, prims.random_fold_in(typed, _jnp().asarray(data, dtype=_dtypes.uint32)))


def key_data(keys):
    """The uint32 data under typed keys: their shape plus (2,)."""
    typed, _ = _check_prng_key("key_data", keys, allow_batched=True)
    return prims.random_unwrap(typed)


def wrap_key_data(key_bits_array, *, impl=None, dtype=None):
    return prims.random_wrap(key_bits_array)


def key_impl(keys):
    _check_prng_key("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    """A copy of `key` that key-reuse checking treats as fresh."""
    return prims.random_clone(key)


# ------------------------------------------------------------- samplers
def _shape(shape) -> tuple:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def _user_dtype(dtype, default):
    return _dtypes.canonicalize(_dtypes.dtype(default if dtype is None else dtype))


def _const(value, dtype):
    """A concrete scalar of `dtype` (JAX's np.array(value, dtype))."""
    return ArrayImpl(_dtypes.round_list(dtype, [value]), (), dtype)


def _check_shape(name, shape, *param_shapes):
    if param_shapes:
        out = _broadcast_shapes(shape, *param_shapes)
        if out != tuple(shape):
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape argument, and the "
                             f"result of broadcasting the shapes must equal the shape argument, but got result "
                             f"{out} for shape argument {tuple(shape)}.")


def _broadcast_shapes(*shapes):
    nd = max(len(s) for s in shapes)
    padded = [(1,) * (nd - len(s)) + tuple(s) for s in shapes]
    out = []
    for dims in zip(*padded):
        big = {d for d in dims if d != 1}
        if len(big) > 1:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes={[tuple(s) for s in shapes]}")
        out.append(big.pop() if big else 1)
    return tuple(out)


def _broadcast_to_rank(x, rank):
    aval = get_aval(x)
    if aval.ndim == rank:
        return x
    pad = rank - aval.ndim
    return L.broadcast_in_dim(x, (1,) * pad + aval.shape, tuple(range(pad, rank)))


_NMANT = {"float16": 10, "bfloat16": 7, "float32": 23, "float64": 52}
_ONE_BITS = {"float16": 0x3C00, "bfloat16": 0x3F80, "float32": 0x3F800000, "float64": 0x3FF0000000000000}


def bits(key, shape=(), dtype=None):
    key, _ = _check_prng_key("bits", key)
    dt = _user_dtype(dtype, "uint64" if _config.x64_enabled() else "uint32")
    if dt.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dt.name}")
    return prims.random_bits(key, dt.bits, _shape(shape))


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    key, _ = _check_prng_key("uniform", key)
    dt = _user_dtype(dtype, float)
    shape = _shape(shape)
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `uniform` must be a float dtype, got {dt.name}")
    return _uniform(key, minval, maxval, shape, dt)


@functools.partial(jit, static_argnums=(3, 4))
def _uniform(key, minval, maxval, shape, dtype):
    _check_shape("uniform", shape)
    minval = L.convert_element_type(minval, dtype)
    maxval = L.convert_element_type(maxval, dtype)
    minval = _broadcast_to_rank(minval, len(shape))
    maxval = _broadcast_to_rank(maxval, len(shape))
    nbits, nmant = dtype.bits, _NMANT[dtype.name]
    rng_bits = 8 if nmant < 8 else nbits
    uint_dtype = _dtypes.dtype(f"uint{nbits}")
    bits = prims.random_bits(key, rng_bits, shape)
    if rng_bits != nbits:
        bits = L.convert_element_type(bits, uint_dtype)
    # Random mantissa bits under the exponent of 1.0 give a float in [1, 2); minus 1, then scale.
    float_bits = L.shift_right_logical_p.bind(bits, _const(rng_bits - nmant, uint_dtype))
    float_bits = L.or_p.bind(float_bits, _const(_ONE_BITS[dtype.name], uint_dtype))
    floats = L.sub_p.bind(L.bitcast_convert_type(float_bits, dtype), _const(1.0, dtype))
    scaled = L.add_p.bind(L.mul_p.bind(floats, L.sub_p.bind(maxval, minval)), minval)
    return L.max_p.bind(minval, L.reshape(scaled, shape))


def normal(key, shape=(), dtype=None):
    key, _ = _check_prng_key("normal", key)
    shape = _shape(shape)
    dt = _user_dtype(dtype, float)
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `normal` must be a float or complex dtype, got {dt.name}")
    return _normal(key, shape, dt)


@functools.partial(jit, static_argnums=(1, 2))
def _normal(key, shape, dtype):
    return _normal_real(key, shape, dtype)


@functools.partial(jit, static_argnums=(1, 2))
def _normal_real(key, shape, dtype):
    _check_shape("normal", shape)
    u = uniform(key, shape, dtype, _nextafter_toward_zero(-1.0, dtype), _const(1.0, dtype))
    return L.mul_p.bind(_const(math.sqrt(2.0), dtype), L.erf_inv_p.bind(u))


def _nextafter_toward_zero(x: float, dtype):
    """The float of `dtype` next to x toward zero (np.nextafter in that dtype)."""
    if dtype.name == "float64":
        return _const(math.nextafter(x, 0.0), dtype)
    import struct
    code = {"float32": "f", "float16": "e"}.get(dtype.name)
    if code is None:  # bfloat16: the top half of a float32
        bits = struct.unpack("<I", struct.pack("<f", x))[0] - 0x10000
        return _const(struct.unpack("<f", struct.pack("<I", bits))[0], dtype)
    int_code = {"f": "I", "e": "H"}[code]
    raw = struct.unpack(f"<{int_code}", struct.pack(f"<{code}", x))[0] - 1  # |x| one ulp smaller
    return _const(struct.unpack(f"<{code}", struct.pack(f"<{int_code}", raw))[0], dtype)


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    key, _ = _check_prng_key("truncated_normal", key)
    dt = _user_dtype(dtype, float)
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `truncated_normal` must be a float dtype, got {dt.name}")
    if shape is not None:
        shape = _shape(shape)
    return _truncated_normal(key, lower, upper, shape, dt)


@functools.partial(jit, static_argnums=(3, 4))
def _truncated_normal(key, lower, upper, shape, dtype):
    jnp = _jnp()
    if shape is None:
        shape = _broadcast_shapes(jnp.shape(lower), jnp.shape(upper))
    else:
        _check_shape("truncated_normal", shape, jnp.shape(lower), jnp.shape(upper))
    sqrt2 = _const(math.sqrt(2.0), dtype)
    lower = L.convert_element_type(lower, dtype)
    upper = L.convert_element_type(upper, dtype)
    a = L.erf_p.bind(L.div_p.bind(lower, sqrt2))
    b = L.erf_p.bind(L.div_p.bind(upper, sqrt2))
    u = uniform(key, shape, dtype, minval=a, maxval=b)
    out = L.mul_p.bind(sqrt2, L.erf_inv_p.bind(u))
    # Clamp into the open interval (lower, upper), which rounding can leave.
    return jnp.clip(out, L.nextafter_p.bind(L.stop_gradient_p.bind(lower), _const(math.inf, dtype)),
                    L.nextafter_p.bind(L.stop_gradient_p.bind(upper), _const(-math.inf, dtype)))


def bernoulli(key, p=0.5, shape=None, mode="low"):
    if shape is not None:
        shape = _shape(shape)
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    key, _ = _check_prng_key("bernoulli", key)
    dt = get_aval(p).dtype
    if dt.kind != "f":
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {dt.name}.")
    p = L.convert_element_type(p, dt)
    return _bernoulli(key, p, shape=shape, mode=mode)


@functools.partial(jit, static_argnames=("shape", "mode"))
def _bernoulli(key, p, shape, mode):
    if shape is None:
        shape = get_aval(p).shape
    else:
        _check_shape("bernoulli", shape, get_aval(p).shape)
    dt = get_aval(p).dtype
    if mode == "high":
        u1, u2 = uniform(key, (2, *shape), dt)
        u2 = u2 * _const(2.0 ** -_NMANT[dt.name], dt)
        return u2 < p - u1
    return uniform(key, shape, dt) < p


def randint(key, shape, minval, maxval, dtype=None):
    key, _ = _check_prng_key("randint", key)
    dt = _user_dtype(dtype, int)
    shape = _shape(shape)
    if dt.kind not in "iu":
        raise TypeError(f"randint only accepts integer dtypes, got {dt.name}")
    sample_dt = dt
    if dt.bits < 32:  # sampled in 32 bits to avoid biased results, as JAX does
        jnp = _jnp()
        lo, hi = _int_range(dt)
        sample_dt = _dtypes.int32
        minval = jnp.clip(jnp.asarray(minval).astype("int32"), lo, hi)
        maxval = jnp.clip(jnp.asarray(maxval).astype("int32"), lo, hi + 1)
    return _randint(key, minval, maxval, shape, sample_dt).astype(dt)


def _int_range(dt):
    lo, span = _dtypes._INT_RANGE[dt.name]
    return lo, lo + span - 1


def _convert_and_clip_integer(val, dtype):
    jnp = _jnp()
    vdt = get_aval(val).dtype
    lo = max(_int_range(dtype)[0], _int_range(vdt)[0])
    hi = min(_int_range(dtype)[1], _int_range(vdt)[1])
    return jnp.clip(val, _const(lo, vdt), _const(hi, vdt)).astype(dtype)


@functools.partial(jit, static_argnums=(3, 4))
def _randint(key, minval, maxval, shape, dtype):
    jnp = _jnp()
    _check_shape("randint", shape, jnp.shape(minval), jnp.shape(maxval))
    minval, maxval = jnp.asarray(minval), jnp.asarray(maxval)
    if get_aval(minval).dtype.kind not in "iu":
        minval = minval.astype(int)
    if get_aval(maxval).dtype.kind not in "iu":
        maxval = maxval.astype(int)
    maxval_out_of_range = L.gt_p.bind(
        maxval, _convert_and_clip_integer(_const(_int_range(dtype)[1], dtype), get_aval(maxval).dtype))
    minval = _broadcast_to_rank(_convert_and_clip_integer(minval, dtype), len(shape))
    maxval = _broadcast_to_rank(_convert_and_clip_integer(maxval, dtype), len(shape))
    nbits = dtype.bits
    k1, k2 = _split(key)
    higher_bits = prims.random_bits(k1, nbits, shape)
    lower_bits = prims.random_bits(k2, nbits, shape)
    unsigned = _dtypes.dtype(f"uint{nbits}")
    span = L.convert_element_type(L.sub_p.bind(maxval, minval), unsigned)
    # maxval <= minval: span 1, so minval comes back (jax-ml/jax#222)
    span = L.select_n_p.bind(L.le_p.bind(maxval, minval), span,
                             L.broadcast_in_dim(_const(1, unsigned), get_aval(span).shape, ()))
    # maxval past the dtype's range: the span is one larger (wrapping to 0 means "everything")
    span = L.select_n_p.bind(L.and_p.bind(maxval_out_of_range, L.gt_p.bind(maxval, minval)), span,
                             L.add_p.bind(span, _const(1, unsigned)))
    # (higher * 2**nbits + lower) % span, without 2*nbits-bit integers
    multiplier = L.rem_p.bind(_const(2 ** (nbits // 2), unsigned), span)
    multiplier = L.rem_p.bind(L.mul_p.bind(multiplier, multiplier), span)
    offset = L.add_p.bind(L.mul_p.bind(L.rem_p.bind(higher_bits, span), multiplier),
                          L.rem_p.bind(lower_bits, span))
    offset = L.rem_p.bind(offset, span)
    return L.add_p.bind(minval, L.convert_element_type(offset, dtype))


def exponential(key, shape=(), dtype=None):
    key, _ = _check_prng_key("exponential", key)
    dt = _user_dtype(dtype, float)
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `exponential` must be a float dtype, got {dt.name}")
    return _exponential(key, _shape(shape), dt)


@functools.partial(jit, static_argnums=(1, 2))
def _exponential(key, shape, dtype):
    _check_shape("exponential", shape)
    u = uniform(key, shape, dtype)
    # 1 - u moves log's domain to (0, 1]
    return L.neg_p.bind(L.log1p_p.bind(L.neg_p.bind(u)))


_TINY = {"float16": 2.0 ** -14, "bfloat16": 2.0 ** -126, "float32": 2.0 ** -126, "float64": 2.0 ** -1022}


def gumbel(key, shape=(), dtype=None, mode="low"):
    key, _ = _check_prng_key("gumbel", key)
    dt = _user_dtype(dtype, float)
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `gumbel` must be a float dtype, got {dt.name}")
    if mode != "low":
        raise NotImplementedError(f"jaxlite's gumbel implements mode='low' (JAX's default), not {mode!r}")
    return _gumbel(key, _shape(shape), dt)


@functools.partial(jit, static_argnums=(1, 2))
def _gumbel(key, shape, dtype):
    _check_shape("gumbel", shape)
    jnp = _jnp()
    u = _uniform(key, _TINY[dtype.name], 1.0, shape, dtype)
    return -jnp.log(-jnp.log(u))


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    jnp = _jnp()
    key, _ = _check_prng_key("categorical", key)
    logits = jnp.asarray(logits)
    ndim = logits.ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    axis = axis % ndim
    batch_shape = tuple(d for i, d in enumerate(logits.shape) if i != axis)
    if shape is None:
        shape = batch_shape
    else:
        shape = _shape(shape)
        _check_shape("categorical", shape, batch_shape)
    if not replace:
        raise NotImplementedError("jaxlite's categorical samples with replacement only (replace=True)")
    shape_prefix = shape[:len(shape) - len(batch_shape)]
    logits_shape = list(shape[len(shape) - len(batch_shape):])
    logits_shape.insert(axis, logits.shape[axis])
    noise = gumbel(key, (*shape_prefix, *logits_shape), logits.dtype)
    return jnp.argmax(noise + logits, axis=axis + len(shape_prefix))


def permutation(key, x, axis=0, independent=False):
    jnp = _jnp()
    key, _ = _check_prng_key("permutation", key)
    if not getattr(x, "ndim", 0):
        if get_aval(x).dtype.kind not in "iu":
            raise TypeError("x must be an integer or at least 1-dimensional")
        return _shuffle(key, jnp.arange(int(x)), 0)
    axis = axis % x.ndim
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    ind = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, ind, axis)


@functools.partial(jit, static_argnums=(2,))
def _shuffle(key, x, axis):
    # Sort by fresh random 32-bit keys, a few times: tjablin@'s heuristic
    # number of rounds makes a collision in every round unlikely.
    size = get_aval(x).size
    num_rounds = int(math.ceil(3 * math.log(max(1, size)) / math.log(2 ** 32 - 1)))
    for _ in range(num_rounds):
        key, subkey = _split(key)
        sort_keys = prims.random_bits(subkey, 32, get_aval(x).shape)
        _, x = L.sort_p.bind(sort_keys, x, dimension=axis, is_stable=True, num_keys=1)
    return x


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    jnp = _jnp()
    key, _ = _check_prng_key("choice", key)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    shape = tuple(shape)
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = int(a)
    else:
        axis = axis % arr.ndim
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) "
                         "when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n_inputs)
            return ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
        slices = (slice(None),) * axis + (slice(n_draws),)
        result = permutation(key, n_inputs if arr.ndim == 0 else arr, axis)[slices]
    else:
        p_arr = jnp.asarray(p)
        if p_arr.dtype.kind != "f":
            p_arr = p_arr.astype(_dtypes.default_float())
        if p_arr.shape != (n_inputs,):
            raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis]. "
                             f"p has shape {p_arr.shape} and a.shape[axis] is {n_inputs}.")
        if replace:
            p_cuml = jnp.cumsum(p_arr)
            r = p_cuml[-1] * (1 - uniform(key, shape, dtype=p_cuml.dtype))
            # searchsorted(p_cuml, r, side="left"): how many cumulative sums lie below r
            ind = jnp.sum(p_cuml < r[..., None], axis=-1).astype(int)
        else:
            g = gumbel(key, (n_inputs,), dtype=p_arr.dtype) + jnp.log(p_arr)
            ind = jnp.argsort(-g)[:n_draws].astype(int)
        result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
    return result.reshape(shape if arr.ndim == 0 else arr.shape[:axis] + shape + arr.shape[axis + 1:])

