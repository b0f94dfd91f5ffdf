"""`jax.random` on jaxlite: typed PRNG keys and the distributions, bit-exact
with JAX's threefry2x32 (the algorithms live in jaxlite._prng).

Keys here are concrete: jaxlite evaluates random functions on known keys.
Inside jit/vmap/grad, pass keys in from outside or split them beforehand.
"""

from __future__ import annotations

from jaxlite import _config, _dtypes, _prng
from jaxlite._array import ArrayImpl, to_array
from jaxlite._core import Tracer
from jaxlite import errors


class KeyDType:
    name = "key<fry>"

    def __repr__(self):
        return "key<fry>"

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, KeyDType) or other == "key<fry>"

    def __hash__(self):
        return hash("key<fry>")


KEY_DTYPE = KeyDType()


class PRNGKeyArray:
    """An array of typed keys (`jax.random.key`): each element is two uint32 words."""

    __slots__ = ("_keys", "shape")

    def __init__(self, keys: list, shape):
        self._keys, self.shape = keys, tuple(shape)

    dtype = KEY_DTYPE

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, idx):
        data = key_data(self)
        sub = data[idx] if not isinstance(idx, tuple) else data[idx + (slice(None),)]
        return wrap_key_data(sub)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return wrap_key_data(key_data(self).reshape(tuple(shape) + (2,)))

    def __repr__(self):
        return f"Array({self.shape}, dtype=key<fry>) overlaying:\n{key_data(self)}"

    def __str__(self):
        return repr(self)

    def _binop_error(self, other, name="add"):
        o = getattr(other, "dtype", None)
        other_name = o.name if o is not None else _dtypes.scalar_info(other)[0].name
        raise TypeError(f"{name} does not accept dtypes key<fry>, {other_name}.")

    def __add__(self, o): self._binop_error(o)
    __radd__ = __add__
    def __mul__(self, o): self._binop_error(o, "mul")
    __rmul__ = __mul__


def _keys_of(key, what="key"):
    if isinstance(key, Tracer):
        raise NotImplementedError(
            "jaxlite evaluates random functions on concrete keys only: this key is a traced value (inside jit, "
            "vmap or grad). Split keys outside the transformed function, or run the cell without jit.")
    if isinstance(key, PRNGKeyArray):
        return key._keys, key.shape
    arr = to_array(key)
    if arr.dtype != _dtypes.uint32 or not arr.shape or arr.shape[-1] != 2:
        raise TypeError(f"JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got "
                        f"dtype={arr.dtype.name}")
    d = arr.data
    return [(d[i], d[i + 1]) for i in range(0, len(d), 2)], arr.shape[:-1]


def _single(key):
    keys, shape = _keys_of(key)
    if shape != ():
        raise TypeError(f"{'random function'} accepts a single key, but was given a key array of shape {shape} != (). "
                        "Use jax.vmap for batching.")
    return keys[0]


def key(seed, *, impl=None):
    return PRNGKeyArray([_prng.seed(int(to_array(seed).item()), _config.x64_enabled())], ())


def PRNGKey(seed, *, impl=None):
    k = _prng.seed(int(to_array(seed).item()), _config.x64_enabled())
    return ArrayImpl(list(k), (2,), _dtypes.uint32)


def key_data(keys):
    ks, shape = _keys_of(keys)
    return ArrayImpl([w for k in ks for w in k], tuple(shape) + (2,), _dtypes.uint32)


def wrap_key_data(data, *, impl=None):
    d = to_array(data)
    return PRNGKeyArray([(d.data[i], d.data[i + 1]) for i in range(0, len(d.data), 2)], d.shape[:-1])


def key_impl(keys):
    return "fry"


def _like(key, keys, shape):
    if isinstance(key, PRNGKeyArray):
        return PRNGKeyArray(keys, shape)
    return ArrayImpl([w for k in keys for w in k], tuple(shape) + (2,), _dtypes.uint32)


def split(key, num=2):
    k = _single(key)
    shape = (num,) if isinstance(num, int) else tuple(num)
    keys = _prng.split_shape(k, shape) if not isinstance(num, int) else _prng.split(k, num)
    return _like(key, keys, shape)


def fold_in(key, data):
    k = _single(key)
    return _like(key, [_prng.fold_in(k, int(to_array(data).item()))], ())


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def _out(vals, shape, dt):
    return ArrayImpl(_dtypes.round_list(dt, vals), shape, dt)


def _float_dtype(dtype):
    dt = _dtypes.canonicalize(_dtypes.dtype(dtype)) if dtype is not None else _dtypes.default_float()
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `uniform` must be a float dtype, got {dt.name}")
    return dt


def bits(key, shape=(), dtype=None):
    dt = _dtypes.dtype(dtype) if dtype is not None else _dtypes.uint32
    shape = _shape(shape)
    return ArrayImpl(_prng.random_bits(_single(key), dt.bits, shape), shape, dt)


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    dt = _float_dtype(dtype)
    shape = _shape(shape)
    return _out(_prng.uniform(_single(key), shape, dt.name, float(to_array(minval).item()),
                              float(to_array(maxval).item())), shape, dt)


def normal(key, shape=(), dtype=None):
    dt = _float_dtype(dtype)
    shape = _shape(shape)
    return _out(_prng.normal(_single(key), shape, dt.name), shape, dt)


def truncated_normal(key, lower, upper, shape=(), dtype=None):
    dt = _float_dtype(dtype)
    shape = _shape(shape)
    return _out(_prng.truncated_normal(_single(key), float(lower), float(upper), shape, dt.name), shape, dt)


def bernoulli(key, p=0.5, shape=None):
    parr = to_array(p)
    shape = parr.shape if shape is None else _shape(shape)
    vals = _prng.bernoulli(_single(key), parr.data if parr.shape else parr.data[0], shape, parr.shape)
    return ArrayImpl(vals, shape, _dtypes.bool_)


def randint(key, shape, minval, maxval, dtype=None):
    dt = _dtypes.canonicalize(_dtypes.dtype(dtype)) if dtype is not None else _dtypes.default_int()
    shape = _shape(shape)
    return ArrayImpl(_prng.randint(_single(key), shape, int(to_array(minval).item()), int(to_array(maxval).item()),
                                   dt.name), shape, dt)


def gumbel(key, shape=(), dtype=None):
    dt = _float_dtype(dtype)
    shape = _shape(shape)
    return _out(_prng.gumbel(_single(key), shape, dt.name), shape, dt)


def exponential(key, shape=(), dtype=None):
    dt = _float_dtype(dtype)
    shape = _shape(shape)
    return _out(_prng.exponential(_single(key), shape, dt.name), shape, dt)


def categorical(key, logits, axis=-1, shape=None):
    arr = to_array(logits)
    vals = _prng.categorical(_single(key), arr.data, arr.shape, axis, shape)
    if shape is None:
        ax = axis % arr.ndim
        out_shape = tuple(d for i, d in enumerate(arr.shape) if i != ax)
    else:
        out_shape = _shape(shape)
    return ArrayImpl(vals, out_shape, _dtypes.default_int())


def permutation(key, x, axis=0, independent=False):
    if isinstance(x, int):
        return ArrayImpl(_prng.permutation(_single(key), x), (x,), _dtypes.default_int())
    arr = to_array(x)
    vals = _prng.permutation(_single(key), arr.data, axis, independent, x_shape=arr.shape)
    return ArrayImpl(vals, arr.shape, arr.dtype, arr.weak_type)


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    if isinstance(a, int):
        shape = _shape(shape)
        pv = None if p is None else to_array(p).data
        return ArrayImpl(_prng.choice(_single(key), a, shape, replace, pv), shape, _dtypes.default_int())
    arr = to_array(a)
    idx = choice(key, arr.shape[0], shape, replace, p)
    return arr[idx]


def clone(key):
    return key
