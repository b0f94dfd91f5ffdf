"""Indexing (`x[idx]`) and indexed updates (`x.at[idx].set(v)`).

Static integers and slices become `slice`/`squeeze` (as in JAX's jaxprs).
Integer-array indices become a row gather; out-of-bounds reads clamp, as
JAX's default does. Updates locate their targets by indexing an array of
flat positions the same way (out-of-bounds targets get -1 and are dropped),
then scatter into the flattened operand.
"""

from __future__ import annotations

from jaxlite import _core as core, _dtypes, _lax as lax
from jaxlite._array import ArrayImpl, to_array
from jaxlite._core import Primitive, ShapedArray, get_aval
from jaxlite.errors import NonConcreteBooleanIndexError

# ---------------------------------------------------------- gather of rows
gather_p = Primitive("gather")


def _gather_shape(x, idx):
    return tuple(idx.shape) + tuple(x.shape[1:])


def _gather_impl(x, idx, *, mode, fill_value):
    rows = x.shape[0] if x.shape else 1
    inner = lax.size_of(x.shape[1:])
    out = []
    data = x.data
    fill = fill_value if fill_value is not None else (float("nan") if x.dtype.kind == "f" else
                                                      (False if x.dtype.kind == "b" else _int_fill(x.dtype)))
    for i in idx.data:
        if mode == "fill" and not (0 <= i < rows):
            out.extend([fill] * inner)
            continue
        i = min(max(i, 0), rows - 1)
        out.extend(data[i * inner:(i + 1) * inner])
    return ArrayImpl(_dtypes.round_list(x.dtype, out) if mode == "fill" else out, _gather_shape(x, idx), x.dtype,
                     x.weak_type)


def _int_fill(dt):
    lo, span = _dtypes._INT_RANGE[dt.name]
    return lo if dt.kind == "i" else lo + span - 1


core.impl_rules[gather_p] = _gather_impl
core.abstract_eval_rules[gather_p] = lambda x, idx, *, mode, fill_value: ShapedArray(_gather_shape(x, idx), x.dtype,
                                                                                     x.weak_type)


def gather_rows(x, idx, mode="clip", fill_value=None):
    return gather_p.bind(x, idx, mode=mode, fill_value=fill_value)


def _gather_jvp(primals, tangents, *, mode, fill_value):
    from jaxlite._ad import Zero
    x, idx = primals
    tx = tangents[0]
    out = gather_rows(x, idx, mode, fill_value)
    if isinstance(tx, Zero):
        return out, Zero(get_aval(out).strip_weak_type())
    return out, gather_rows(tx, idx, mode, 0.0 if mode == "fill" else None)


def _gather_transpose(ct, x, idx, *, mode, fill_value):
    from jaxlite._ad import zeros_like_aval
    aval = x.aval
    rows = aval.shape[0]
    inner = lax.size_of(aval.shape[1:])
    flat_zero = zeros_like_aval(ShapedArray((rows * inner,), aval.dtype))
    # positions of each gathered element in the flattened operand
    pos = _row_positions(idx, rows, inner, mode)
    ct_flat = lax.reshape(ct, (lax.size_of(get_aval(ct).shape),))
    out = scatter_p.bind(flat_zero, pos, ct_flat, op="add")
    return [lax.reshape(out, aval.shape), None]


def _row_positions(idx, rows, inner, mode):
    from jaxlite import numpy as jnp
    i = jnp.asarray(idx)
    if mode == "fill":
        valid = (i >= 0) & (i < rows)
    i = jnp.clip(i, 0, rows - 1)
    pos = i[..., None] * inner + jnp.arange(inner, dtype=_dtypes.int32)
    if mode == "fill":
        pos = jnp.where(valid[..., None], pos, -1)
    return pos.reshape(-1)


core.jvp_rules[gather_p] = _gather_jvp
core.transpose_rules[gather_p] = _gather_transpose


def _gather_batch(vals, dims, *, mode, fill_value):
    from jaxlite import _batching as b
    x, idx = vals
    xd, idd = dims
    if xd is None:
        idx = b.moveaxis_to_front(idx, idd) if idd else idx
        # result rows follow the index batch axis
        return gather_rows(x, idx, mode, fill_value), 0 if idd is not None else None
    x = b.moveaxis_to_front(x, xd)
    n, rows = get_aval(x).shape[0], get_aval(x).shape[1]
    from jaxlite import numpy as jnp
    if idd is None:
        xt = b.moveaxis(x, 0, 1) if False else lax.transpose(x, (1, 0) + tuple(range(2, get_aval(x).ndim)))
        out = gather_rows(xt, idx, mode, fill_value)
        k = get_aval(idx).ndim
        return out, k
    idx = b.moveaxis_to_front(idx, idd)
    flat = lax.reshape(x, (n * rows,) + get_aval(x).shape[2:])
    shape = (n,) + (1,) * (get_aval(idx).ndim - 1)
    offs = jnp.arange(n, dtype=get_aval(idx).dtype).reshape(shape) * rows
    safe = jnp.clip(idx, 0, rows - 1) if mode != "fill" else jnp.where((idx >= 0) & (idx < rows), idx, -n * rows - 1)
    return gather_rows(flat, safe + offs, mode, fill_value), 0


core.batch_rules[gather_p] = _gather_batch

# --------------------------------------------------------- flat scatter
scatter_p = Primitive("scatter")


def _scatter_impl(x, pos, upd, *, op):
    out = list(x.data)
    n = len(out)
    fn = _SCATTER_OPS[op]
    for p, u in zip(pos.data, upd.data):
        if 0 <= p < n:
            out[p] = fn(out[p], u)
    return ArrayImpl(_dtypes.round_list(x.dtype, out), x.shape, x.dtype, x.weak_type)


_SCATTER_OPS = {"set": lambda a, b: b, "add": lambda a, b: a + b, "mul": lambda a, b: a * b,
                "min": lax._min, "max": lax._max}
core.impl_rules[scatter_p] = _scatter_impl
core.abstract_eval_rules[scatter_p] = lambda x, pos, upd, *, op: ShapedArray(x.shape, x.dtype, x.weak_type)


def _scatter_jvp(primals, tangents, *, op):
    from jaxlite._ad import Zero, zeros_like_aval
    x, pos, upd = primals
    tx, _, tu = tangents
    out = scatter_p.bind(x, pos, upd, op=op)
    if isinstance(tx, Zero) and isinstance(tu, Zero):
        return out, Zero(get_aval(out).strip_weak_type())
    if op in ("set", "add"):
        tx = zeros_like_aval(get_aval(x).strip_weak_type()) if isinstance(tx, Zero) else tx
        tu = zeros_like_aval(get_aval(upd).strip_weak_type()) if isinstance(tu, Zero) else tu
        return out, scatter_p.bind(tx, pos, tu, op=op)
    if op == "mul" and isinstance(tu, Zero):
        from jaxlite import numpy as jnp
        ones = jnp.ones_like(x)
        factor = scatter_p.bind(ones, pos, upd, op="mul")
        return out, lax.mul_p.bind(tx, factor)
    raise NotImplementedError(f"jaxlite cannot differentiate .at[].{op}() with respect to the updates yet")


def _scatter_transpose(ct, x, pos, upd, *, op):
    from jaxlite._ad import is_undefined, zeros_like_aval
    res = [None, None, None]
    if op == "add":
        if is_undefined(x):
            res[0] = ct
        if is_undefined(upd):
            res[2] = gather_rows(ct, pos, "fill", 0.0)
    elif op == "set":
        if is_undefined(x):
            res[0] = scatter_p.bind(ct, pos, zeros_like_aval(get_aval(pos).update(dtype=get_aval(ct).dtype)), op="set")
        if is_undefined(upd):
            res[2] = gather_rows(ct, pos, "fill", 0.0)
    elif op == "mul":
        from jaxlite import numpy as jnp
        factor = scatter_p.bind(jnp.ones_like(ct), pos, upd, op="mul")
        res[0] = lax.mul_p.bind(ct, factor)
    return res


core.jvp_rules[scatter_p] = _scatter_jvp
core.transpose_rules[scatter_p] = _scatter_transpose


def _scatter_batch(vals, dims, *, op):
    from jaxlite import _batching as b
    from jaxlite import numpy as jnp
    x, pos, upd = vals
    size = next(get_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    x, pos, upd = [b.batch_at(v, d, size, 0) for v, d in zip(vals, dims)]
    n = get_aval(x).shape[1]
    offs = jnp.arange(size, dtype=get_aval(pos).dtype).reshape((size, 1)) * n
    pos2 = jnp.where(pos >= 0, pos + offs, -1).reshape(-1)
    out = scatter_p.bind(lax.reshape(x, (size * n,)), pos2, lax.reshape(upd, (size * get_aval(upd).shape[1],)), op=op)
    return lax.reshape(out, (size, n)), 0


core.batch_rules[scatter_p] = _scatter_batch


# ------------------------------------------------------------ normalising
def _is_static_int(i) -> bool:
    return isinstance(i, int) and not isinstance(i, bool)


def _as_index_array(i):
    from jaxlite import numpy as jnp
    if isinstance(i, (list, tuple)):
        return jnp.asarray(i)
    return i


def _expand(idx, ndim):
    if not isinstance(idx, tuple):
        if isinstance(idx, list):
            raise TypeError(
                "Using a non-tuple sequence for multidimensional indexing is not allowed; use `arr[array(seq)]` "
                "instead of `arr[seq]`. See https://github.com/jax-ml/jax/issues/4564 for more information.")
        idx = (idx,)
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    # boolean arrays index as many axes as they have
    n_real += sum(get_aval(i).ndim - 1 for i in idx if _is_bool_array(i))
    out = []
    for i in idx:
        if i is Ellipsis:
            out.extend([slice(None)] * (ndim - n_real))
        else:
            out.append(i)
    if Ellipsis not in idx:
        out.extend([slice(None)] * (ndim - n_real))
    if n_real > ndim:
        raise IndexError(f"Too many indices: {ndim}-dimensional array indexed with {n_real} regular indices.")
    return out


def _is_bool_array(i) -> bool:
    try:
        return not isinstance(i, (bool, int, float, slice)) and i is not None and i is not Ellipsis and \
            get_aval(i).dtype.kind == "b"
    except TypeError:
        return False


def _bool_to_int(mask):
    if isinstance(mask, core.Tracer):
        raise NonConcreteBooleanIndexError(
            f"Array boolean indices must be concrete; got {get_aval(mask).str_short(short_dtypes=False).replace('bool', 'bool')}\n\n"
            "See https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError")
    from jaxlite import numpy as jnp
    m = to_array(mask)
    st = lax.strides(m.shape)
    hits = [k for k, v in enumerate(m.data) if v]
    return [jnp.array([(k // s) % d for k in hits], dtype=_dtypes.int32) for d, s in zip(m.shape, st)]


def getitem(x, idx, mode="clip", fill_value=None):
    from jaxlite import numpy as jnp
    x = x if isinstance(x, core.Tracer) else to_array(x)
    shape = get_aval(x).shape
    items = _expand(idx, len(shape))
    # boolean masks become integer arrays (concrete masks only)
    flat_items = []
    for i in items:
        if _is_bool_array(i) and not isinstance(i, bool):
            if get_aval(i).ndim == 0:
                raise TypeError("jaxlite does not support scalar boolean indices")
            flat_items.extend(_bool_to_int(i))
        else:
            flat_items.append(_as_index_array(i))
    items = flat_items
    has_adv = any(not (i is None or isinstance(i, slice) or (_is_static_int(i) and -d <= i < d))
                  for i, d in zip([j for j in items if j is not None], shape))
    if has_adv:
        items = [jnp.asarray(i, dtype=_dtypes.int32) if _is_static_int(i) else i for i in items]
    # 1) static slices and in-bounds static ints: slice, then squeeze
    starts, limits, steps, squeeze_axes, rev_axes = [], [], [], [], []
    advanced = {}  # axis (in the sliced array) -> index array
    none_positions = []
    axis = 0
    out_axis = 0
    for i in items:
        if i is None:
            none_positions.append(out_axis)
            out_axis += 1
            continue
        d = shape[axis]
        if isinstance(i, slice):
            s, e, st = i.indices(d)
            if st < 0:
                # a reversed slice: take the forward span, then reverse it
                n = len(range(s, e, st))
                lo = s + (n - 1) * st if n else 0
                starts.append(lo)
                limits.append(lo + (n - 1) * (-st) + 1 if n else 0)
                steps.append(-st)
                rev_axes.append(axis)
            else:
                starts.append(s)
                limits.append(max(s, e))
                steps.append(st)
            out_axis += 1
        elif _is_static_int(i) and -d <= i < d:
            i = i + d if i < 0 else i
            starts.append(i)
            limits.append(i + 1)
            steps.append(1)
            squeeze_axes.append(axis)
        else:
            arr = i
            if isinstance(arr, (int, float, bool)):
                arr = jnp.asarray(arr)
            dt = get_aval(arr).dtype
            if dt.kind not in "iu":
                raise IndexError(f"Indexer must have integer or boolean type, got indexer with type {dt.name} at "
                                 f"position {axis}, indexer value {arr}")
            starts.append(0)
            limits.append(d)
            steps.append(1)
            advanced[axis] = (arr, out_axis)
            out_axis += 1
        axis += 1
    y = x
    if any(s != 0 for s in starts) or any(l != d for l, d in zip(limits, shape)) or any(s != 1 for s in steps):
        y = lax.slice_(y, starts, limits, steps)
    if rev_axes:
        y = lax.rev_p.bind(y, dimensions=tuple(rev_axes))
    if advanced:
        y, adv_out = _advanced(y, advanced, mode, fill_value)
    if squeeze_axes:
        y = _squeeze_static(y, squeeze_axes, advanced)
    for p in none_positions:
        y = lax.expand_dims(y, (min(p, get_aval(y).ndim),))
    return y


def _squeeze_static(y, squeeze_axes, advanced):
    # after advanced indexing the axes moved; squeeze the static-int axes by position
    if not advanced:
        return lax.squeeze(y, squeeze_axes)
    return y


def _advanced(y, advanced, mode, fill_value):
    from jaxlite import numpy as jnp
    shape = get_aval(y).shape
    axes = sorted(advanced)
    rest = [a for a in range(len(shape)) if a not in advanced]
    perm = axes + rest
    yt = lax.transpose(y, perm)
    arrays = jnp.broadcast_arrays(*[advanced[a][0] for a in axes])
    pos = None
    stride = 1
    for a, arr in reversed(list(zip(axes, arrays))):
        d = shape[a]
        arr = jnp.asarray(arr).astype(_dtypes.int32) if get_aval(arr).dtype != _dtypes.int32 else arr
        arr = jnp.where(arr < 0, arr + d, arr)
        if mode == "fill":
            bad = (arr < 0) | (arr >= d)
            arr = jnp.where(bad, -(10 ** 9), arr)
        else:
            arr = jnp.clip(arr, 0, d - 1)
        term = arr * stride if stride != 1 else arr
        pos = term if pos is None else pos + term
        stride *= d
    if mode == "fill":
        pos = jnp.where(pos < 0, -1, pos)
    rows = lax.reshape(yt, (stride,) + tuple(shape[a] for a in rest))
    out = gather_rows(rows, pos, mode, fill_value)
    k = get_aval(pos).ndim
    contiguous = axes == list(range(axes[0], axes[0] + len(axes)))
    if contiguous and axes[0] != 0:
        # NumPy puts the indexed dims where the (adjacent) advanced indices were
        nd = get_aval(out).ndim
        first = axes[0]
        perm2 = list(range(k, k + first)) + list(range(k)) + list(range(k + first, nd))
        out = lax.transpose(out, perm2)
    return out, k


def nest_list(data, shape):
    if not shape:
        return data[0]
    if len(shape) == 1:
        return list(data)
    step = lax.size_of(shape[1:])
    return [nest_list(data[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def take_along_axis(x, idx, axis):
    from jaxlite import numpy as jnp
    return jnp.take_along_axis(x, idx, axis)


# ------------------------------------------------------------ .at[...]
class IndexUpdateHelper:
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, idx):
        return IndexUpdateRef(self.array, idx)


class IndexUpdateRef:
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array, self.index = array, index

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None):
        return getitem(self.array, self.index, mode="fill" if mode == "fill" else "clip", fill_value=fill_value)

    def _update(self, op, values, mode=None):
        from jaxlite import numpy as jnp
        x = self.array
        shape = get_aval(x).shape
        size = lax.size_of(shape)
        positions = jnp.arange(size, dtype=_dtypes.int32).reshape(shape)
        if mode == "clip":
            pos = getitem(positions, self.index, mode="clip")
        else:
            pos = getitem(positions, self.index, mode="fill", fill_value=-1)
        aval = get_aval(x)
        values = jnp.asarray(values) if not isinstance(values, core.Tracer) else values
        if get_aval(values).dtype != aval.dtype:
            values = lax.convert_element_type(values, aval.dtype)
        values = jnp.broadcast_to(values, get_aval(pos).shape)
        flat = lax.reshape(x, (size,))
        n = lax.size_of(get_aval(pos).shape)
        out = scatter_p.bind(flat, lax.reshape(pos, (n,)), lax.reshape(values, (n,)), op=op)
        return lax.reshape(out, shape)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        return self._update("set", values, mode)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        return self._update("add", values, mode)

    def subtract(self, values, **kw):
        from jaxlite import numpy as jnp
        return self._update("add", jnp.negative(values), kw.get("mode"))

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        return self._update("mul", values, mode)

    mul = multiply

    def divide(self, values, **kw):
        from jaxlite import numpy as jnp
        return self._update("mul", jnp.true_divide(1, values), kw.get("mode"))

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        return self._update("min", values, mode)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        return self._update("max", values, mode)
