"""Typed PRNG keys as a dtype that tracers carry, and the primitives that
look inside keys, as JAX's jax._src.random.prng has them: random_seed,
random_bits, random_split, random_fold_in, random_wrap, random_unwrap and
random_clone.

A key array is an ordinary jaxlite array whose dtype is the key dtype
`key<fry>` and whose elements are keys, each the pair (k0, k1) of uint32
words that `jax.random.key_data` shows. A trace sees `key<fry>[4]` like any
aval, so keys pass through jit (its cache is keyed on that aval), vmap,
grad and control flow. Structural primitives (slice, squeeze, reshape,
broadcast_in_dim, concatenate, transpose, select_n, ...) move elements
without looking at them, so they work on key arrays unchanged; the
primitives below are the only ones that open keys, and their evaluation
rules run the threefry code of jaxlite._prng on concrete key data.

Keys are not differentiable: every rule here has a zero JVP.

Key-reuse checking (`jax.debug_key_reuse(True)`) marks a concrete key array
consumed when a primitive or a jit-compiled function uses it to draw bits,
split or fold in, and refuses a consumed key, as JAX's checker does.
"""

from __future__ import annotations

import contextlib

from jaxlite import _config, _core as core, _dtypes, _prng
from jaxlite._ad import defjvp_zero
from jaxlite._array import ArrayImpl
from jaxlite._core import Primitive, ShapedArray, get_aval
from jaxlite import errors


class KeyDType(_dtypes.DType):
    """The dtype of typed threefry keys: `key<fry>`, in jaxprs `key<fry>[]`."""

    __slots__ = ()

    def __init__(self):
        super().__init__("key<fry>", "K", 8)

    def __repr__(self) -> str:
        return self.name

    @property
    def short(self) -> str:
        return self.name

    def __reduce__(self):
        return (KeyDType, ())


KEY_DTYPE = KeyDType()
IMPL_NAME = "fry"


def is_key(x) -> bool:
    """Whether x (an array, tracer or aval) holds typed PRNG keys."""
    return getattr(x, "dtype", None) is KEY_DTYPE


def key_array(keys: list, shape) -> ArrayImpl:
    """A concrete key array from a flat, row-major list of (k0, k1) pairs."""
    return ArrayImpl(keys, tuple(shape), KEY_DTYPE)


def key_data_of(keys: ArrayImpl) -> ArrayImpl:
    """The uint32 data under a concrete key array: its shape plus (2,)."""
    return ArrayImpl([w for k in keys.data for w in k], keys.shape + (2,), _dtypes.uint32)


def key_array_repr(keys: ArrayImpl) -> str:
    return f"Array({keys.shape}, dtype={KEY_DTYPE.name}) overlaying:\n{key_data_of(keys)}"


def _keys_aval(shape) -> ShapedArray:
    return ShapedArray(tuple(shape), KEY_DTYPE)


def _require_keys(name, aval):
    if aval.dtype is not KEY_DTYPE:
        raise TypeError(f"{name} takes key array operand, got keys.dtype=dtype('{aval.dtype.name}')")


# ------------------------------------------------------------ key reuse
def _is_concrete(x) -> bool:
    return isinstance(x, ArrayImpl) and not isinstance(x, core.Tracer)  # (tracers pass isinstance(_, Array))


def _consumed(x) -> bool:
    return _is_concrete(x) and getattr(x, "_consumed", False)


def _mark_consumed(x) -> None:
    if _is_concrete(x) and is_key(x):
        x._consumed = True


def _reuse_error(message: str) -> errors.KeyReuseError:
    return errors.KeyReuseError(f"{message}\nSee https://docs.jax.dev/en/latest/errors.html#jax.errors.KeyReuseError")


_inside_compiled = [0]  # > 0 while a jit-compiled function runs: it was checked as a whole


def consume(args, consumed_positions, where: str) -> None:
    """With key-reuse checking on: refuse an already consumed key among
    `args` at a consuming position, then mark those keys consumed."""
    if not _config._state["jax_debug_key_reuse"] or _inside_compiled[0]:
        return
    for i in consumed_positions:
        if _consumed(args[i]):
            raise _reuse_error(f"Previously-consumed key passed to {where} at index {i}")
    for i in consumed_positions:
        _mark_consumed(args[i])


@contextlib.contextmanager
def compiled_call(jaxpr, args):
    """A call of a jit-compiled function, checked as JAX's checker does: by
    the keys its jaxpr consumes, not op by op."""
    consume(args, jaxpr_consumed_inputs(jaxpr), "jit-compiled function")
    _inside_compiled[0] += 1
    try:
        yield
    finally:
        _inside_compiled[0] -= 1


_CONSUMING: set = set()   # primitives that use up the keys of their first operand
_FORWARDING: dict = {}    # structural primitives: operand positions whose keys flow to the output


def jaxpr_consumed_inputs(jaxpr) -> list:
    """Positions of `jaxpr`'s inputs whose keys it consumes (JAX's key-reuse
    signature), following keys through structural primitives and nested jits.
    Raises KeyReuseError if the jaxpr consumes one key twice."""
    origin = {v: {i} for i, v in enumerate(jaxpr.invars) if is_key(v.aval)}
    used: set = set()
    for eqn in jaxpr.eqns:
        srcs = [origin.get(a, set()) if isinstance(a, core.Var) else set() for a in eqn.invars]
        if eqn.primitive in _CONSUMING:
            _use(srcs[0], used)
        elif eqn.primitive.name in ("jit", "pjit"):
            inner = eqn.params["jaxpr"].jaxpr
            for pos in jaxpr_consumed_inputs(inner):
                _use(srcs[pos], used)
        flows = _FORWARDING.get(eqn.primitive.name)
        if flows is not None:
            merged = set().union(*[srcs[i] for i in flows(len(srcs))])
            for v in eqn.outvars:
                if is_key(v.aval) and merged:
                    origin[v] = merged
    return sorted(used)


def _use(sources: set, used: set) -> None:
    for i in sources:
        if i in used:
            raise _reuse_error(f"In jit, argument {i} is already consumed.")
        used.add(i)


def _first(n):
    return (0,)


for _name in ("slice", "squeeze", "reshape", "broadcast_in_dim", "transpose", "rev", "copy_p", "dynamic_slice",
              "gather", "expand_dims"):
    _FORWARDING[_name] = _first
_FORWARDING["concatenate"] = lambda n: tuple(range(n))
_FORWARDING["select_n"] = lambda n: tuple(range(1, n))


# ------------------------------------------------------------ primitives
def _keys_of(keys: ArrayImpl) -> list:
    return keys.data


def _vectorized_batcher(prim):
    """A primitive that maps over the leading (key) dimensions: its batch
    dimension stays where it is."""
    def rule(args, dims, **params):
        return prim.bind(*args, **params), dims[0]
    return rule


def _zero_jvp_and_vectorized(prim):
    defjvp_zero(prim)
    core.batch_rules[prim] = _vectorized_batcher(prim)


random_seed_p = Primitive("random_seed")


def _seed_impl(seeds, *, impl):
    x64 = seeds.dtype.bits == 64
    return key_array([_prng.seed(int(s), x64) for s in seeds.data], seeds.shape)


def _seed_aval(seeds, *, impl):
    if seeds.dtype.kind not in "iu":
        raise TypeError(f"random_seed expects an integer seed, got dtype {seeds.dtype.name}")
    return _keys_aval(seeds.shape)


core.impl_rules[random_seed_p] = _seed_impl
core.abstract_eval_rules[random_seed_p] = _seed_aval
_zero_jvp_and_vectorized(random_seed_p)

random_bits_p = Primitive("random_bits")


def _bits_impl(keys, *, bit_width, shape):
    consume([keys], (0,), "random_bits")
    out = []
    for k in _keys_of(keys):
        out.extend(_prng.random_bits(k, bit_width, shape))
    return ArrayImpl(out, keys.shape + tuple(shape), _dtypes.dtype(f"uint{bit_width}"))


def _bits_aval(keys, *, bit_width, shape):
    _require_keys("random_bits", keys)
    return ShapedArray(keys.shape + tuple(shape), _dtypes.dtype(f"uint{bit_width}"))


core.impl_rules[random_bits_p] = _bits_impl
core.abstract_eval_rules[random_bits_p] = _bits_aval
_zero_jvp_and_vectorized(random_bits_p)
_CONSUMING.add(random_bits_p)

random_split_p = Primitive("random_split")


def _split_impl(keys, *, shape):
    consume([keys], (0,), "random_split")
    out = []
    for k in _keys_of(keys):
        out.extend(_prng.split_shape(k, shape))
    return key_array(out, keys.shape + tuple(shape))


def _split_aval(keys, *, shape):
    _require_keys("random_split", keys)
    return _keys_aval(keys.shape + tuple(shape))


core.impl_rules[random_split_p] = _split_impl
core.abstract_eval_rules[random_split_p] = _split_aval
_zero_jvp_and_vectorized(random_split_p)
_CONSUMING.add(random_split_p)

random_fold_in_p = Primitive("random_fold_in")


def _broadcast_shape(a, b):
    if not a or not b:
        return a or b
    if len(a) != len(b) or any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise TypeError(f"random_fold_in got incompatible shapes for broadcasting: {a}, {b}.")
    return tuple(max(x, y) if 1 in (x, y) else x for x, y in zip(a, b))


def _fold_in_impl(keys, msgs):
    from jaxlite._lax import expand_data
    consume([keys], (0,), "random_fold_in")
    shape = _broadcast_shape(keys.shape, msgs.shape)
    ks = expand_data(keys.data, keys.shape or (1,) * len(shape), shape) if shape else keys.data
    ms = expand_data(msgs.data, msgs.shape or (1,) * len(shape), shape) if shape else msgs.data
    return key_array([_prng.fold_in(k, int(m)) for k, m in zip(ks, ms)], shape)


def _fold_in_aval(keys, msgs):
    _require_keys("random_fold_in", keys)
    return _keys_aval(_broadcast_shape(keys.shape, msgs.shape))


def _fold_in_batcher(args, dims):
    from jaxlite import _batching as b
    size = next(get_aval(x).shape[d] for x, d in zip(args, dims) if d is not None)
    moved = []
    for x, d in zip(args, dims):
        x = b.moveaxis_to_front(x, d) if d is not None else b.broadcast_front(x, size)
        moved.append(x)
    keys, msgs = moved
    nk, nm = get_aval(keys).ndim, get_aval(msgs).ndim
    if nk != nm:  # equal ranks: pad the lower-rank operand with size-1 axes after the batch axis
        from jaxlite import _lax
        low, high = (keys, msgs) if nk < nm else (msgs, keys)
        la = get_aval(low)
        padded = _lax.broadcast_in_dim(low, la.shape[:1] + (1,) * abs(nk - nm) + la.shape[1:],
                                       (0,) + tuple(range(1 + abs(nk - nm), max(nk, nm))))
        keys, msgs = (padded, high) if nk < nm else (high, padded)
    return random_fold_in_p.bind(keys, msgs), 0


core.impl_rules[random_fold_in_p] = _fold_in_impl
core.abstract_eval_rules[random_fold_in_p] = _fold_in_aval
core.batch_rules[random_fold_in_p] = _fold_in_batcher
defjvp_zero(random_fold_in_p)
_CONSUMING.add(random_fold_in_p)

random_wrap_p = Primitive("random_wrap")


def _wrap_impl(data, *, impl):
    d = data.data
    return key_array([(d[i], d[i + 1]) for i in range(0, len(d), 2)], data.shape[:-1])


def _wrap_aval(data, *, impl):
    return _keys_aval(data.shape[:-1])


def _wrap_batcher(args, dims, *, impl):
    from jaxlite import _batching as b
    return random_wrap_p.bind(b.moveaxis_to_front(args[0], dims[0]), impl=impl), 0


core.impl_rules[random_wrap_p] = _wrap_impl
core.abstract_eval_rules[random_wrap_p] = _wrap_aval
core.batch_rules[random_wrap_p] = _wrap_batcher
defjvp_zero(random_wrap_p)

random_unwrap_p = Primitive("random_unwrap")
core.impl_rules[random_unwrap_p] = key_data_of


def _unwrap_aval(keys):
    _require_keys("random_unwrap", keys)
    return ShapedArray(keys.shape + (2,), _dtypes.uint32)


core.abstract_eval_rules[random_unwrap_p] = _unwrap_aval
_zero_jvp_and_vectorized(random_unwrap_p)

random_clone_p = Primitive("random_clone")
core.impl_rules[random_clone_p] = lambda keys: key_array(list(keys.data), keys.shape)
core.abstract_eval_rules[random_clone_p] = lambda keys: keys
_zero_jvp_and_vectorized(random_clone_p)


# ------------------------------------------------------------ wrappers
def check_key_data(data) -> None:
    """JAX's checks on raw key data (random_wrap), with its messages."""
    if not all(hasattr(data, attr) for attr in ("ndim", "shape", "dtype")):
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data to have ndim, shape, and dtype "
                        f"attributes. Got {data}")
    if data.ndim < 1:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.ndim >= 1; got ndim={data.ndim}")
    if tuple(data.shape[-1:]) != (2,):
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data.shape to end with (2,); got "
                        f"shape={tuple(data.shape)} for impl=PRNGImpl(key_shape=(2,), name='threefry2x32', "
                        "tag='fry')")
    if data.dtype != _dtypes.uint32:
        raise TypeError("JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; "
                        f"got dtype={data.dtype.name}")


def random_seed(seeds):
    return random_seed_p.bind(seeds, impl=IMPL_NAME)


def random_bits(keys, bit_width: int, shape):
    return random_bits_p.bind(keys, bit_width=bit_width, shape=tuple(shape))


def random_split(keys, shape):
    return random_split_p.bind(keys, shape=tuple(shape))


def random_fold_in(keys, msgs):
    return random_fold_in_p.bind(keys, msgs)


def random_wrap(data):
    check_key_data(data)
    return random_wrap_p.bind(data, impl=IMPL_NAME)


def random_unwrap(keys):
    return random_unwrap_p.bind(keys)


def random_clone(keys):
    return random_clone_p.bind(keys)
