"""XLA's gather and scatter as JAX's primitives (jax/_src/lax/slicing.py):
`gather`, `scatter`, `scatter-add`, `scatter-sub`, `scatter-mul`,
`scatter-min` and `scatter-max`, with JAX's dimension numbers, modes and
parameters, and their evaluation, shape, JVP, transpose and batching rules.

Gather: for each index vector (the last axis of `indices`), a window of
`slice_sizes` starting there is cut from the operand; `offset_dims` say where
the window's axes land in the output, `collapsed_slice_dims` drop size-1
window axes. Scatter is its mirror image. Out-of-bounds windows are clamped
(CLIP, PROMISE_IN_BOUNDS for gathers) or filled / dropped (FILL_OR_DROP, and
PROMISE_IN_BOUNDS for scatters, as XLA:CPU does).
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from jaxlite import _core as core, _dtypes, _lax as lax
from jaxlite._array import ArrayImpl
from jaxlite._core import Jaxpr, JaxprEqn, Primitive, ShapedArray, Var, get_aval

NpInt = lax.NpInt


class GatherDimensionNumbers(NamedTuple):
    """How the axes of `operand`, `start_indices` and the output of a gather relate."""
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """How the axes of `operand`, `scatter_indices` and `updates` of a scatter relate."""
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


class GatherScatterMode(enum.Enum):
    """How a gather or scatter treats out-of-bounds indices."""
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()
    ONE_HOT = enum.auto()

    @staticmethod
    def from_any(s):
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        if s == "one_hot":
            return GatherScatterMode.ONE_HOT
        raise ValueError(f'Unknown gather mode "{s}"')


def _np_add1(dims) -> tuple:
    """`tuple(np.add(1, dims))`, as JAX's batching rules shift axes: NumPy integers."""
    return tuple(NpInt(int(d) + 1) for d in dims)


def _plus1(dims) -> tuple:
    """`tuple(1 + d for d in dims)`: Python ints stay Python ints."""
    return tuple(NpInt(d + 1) if isinstance(d, NpInt) else int(d) + 1 for d in dims)


_transposing: list = []   # non-empty while a transpose rule runs


def _transposition(rule):
    """A transpose rule whose scatters carry the transposition's update_jaxpr."""
    def wrapped(*args, **params):
        _transposing.append(True)
        try:
            return rule(*args, **params)
        finally:
            _transposing.pop()
    return wrapped


def _bdim_at_front(x, bdim, size):
    """JAX's batching.bdim_at_front: an unbatched value is broadcast (its axes
    numbered with NumPy, so they print as np.int64)."""
    from jaxlite import _batching as b
    if bdim is not None:
        return b.moveaxis(x, bdim, 0)
    shape = get_aval(x).shape
    return lax.broadcast_in_dim(x, (size,) + shape, tuple(NpInt(i) for i in range(1, len(shape) + 1)))


# ------------------------------------------------------------------ gather
gather_p = Primitive("gather")


def _default_fill(dtype):
    if dtype.kind == "f":
        return float("nan")
    if dtype.kind == "b":
        return True
    lo, span = _dtypes._INT_RANGE[dtype.name]
    return lo if dtype.kind == "i" else lo + span - 1


def _gather_shape(indices_shape, dnums, slice_sizes) -> tuple:
    rank = len(dnums.offset_dims) + len(indices_shape) - 1
    batch = iter(indices_shape[:-1])
    window = iter(s for i, s in enumerate(slice_sizes)
                  if i not in dnums.collapsed_slice_dims and i not in dnums.operand_batching_dims)
    return tuple(next(window) if i in dnums.offset_dims else next(batch) for i in range(rank))


def _check_sorted(dims, op, name):
    if any(dims[i] < dims[i - 1] for i in range(1, len(dims))):
        raise TypeError(f"{name} in {op} op must be sorted; got {dims}")


def _gather_aval(operand, indices, *, dimension_numbers, slice_sizes, unique_indices, indices_are_sorted, mode,
                 fill_value):
    if indices.dtype.kind not in "iu":
        raise ValueError("indices must have an integer type")
    dn = dimension_numbers
    if not indices.shape:
        raise TypeError("Gather index leaf dimension must be within [0, rank(indices) + 1). rank(indices) is 0 and "
                        "gather index leaf dimension is -1.")
    _check_sorted(dn.offset_dims, "gather", "offset_dims")
    if len(dn.start_index_map) != indices.shape[-1]:
        raise TypeError(f"Gather op has {len(dn.start_index_map)} elements in start_index_map and the bound of "
                        f"dimension index_vector_dim={indices.ndim - 1} of indices is {indices.shape[-1]}. These "
                        f"two numbers must be equal.")
    _check_sorted(dn.collapsed_slice_dims, "gather", "collapsed_slice_dims")
    if operand.ndim != len(slice_sizes):
        raise TypeError(f"Gather op must have one slice size for every input dimension; got: "
                        f"len(slice_sizes)={len(slice_sizes)}, input_shape.rank={operand.ndim}")
    if len(slice_sizes) != len(dn.offset_dims) + len(dn.collapsed_slice_dims) + len(dn.operand_batching_dims):
        raise TypeError(f"All components of the offset index in a gather op must either be a offset dimension or "
                        f"explicitly collapsed/batching; got len(slice_sizes)={len(slice_sizes)}, "
                        f"output_slice_sizes={dn.offset_dims}, collapsed_slice_dims={dn.collapsed_slice_dims}, "
                        f"operand_batching_dims={dn.operand_batching_dims}.")
    for i, (s, d) in enumerate(zip(slice_sizes, operand.shape)):
        if 0 not in indices.shape and not 0 <= s <= d:
            raise TypeError(f"Slice size at index {i} in gather op is out of range, must be within [0, {d} + 1), "
                            f"got {s}.")
    for i, d in enumerate(dn.collapsed_slice_dims):
        if slice_sizes[d] != 1:
            raise TypeError(f"Gather op can only collapse slice dims with bound 1, but bound is {slice_sizes[d]} "
                            f"for index {d} at position {i}.")
    return ShapedArray(_gather_shape(indices.shape, dn, slice_sizes), operand.dtype, operand.weak_type)


def _window_starts(shape, indices, index_map, window, batching, clip):
    """Flat operand offset of each window (None where it is out of bounds and
    not clipped), for each index vector in `indices`. `batching` pairs operand
    batching dims with the indices' batch dims they follow."""
    ist = indices.shape
    k = ist[-1]
    batch_shape = ist[:-1]
    bst = lax.strides(batch_shape)
    ost = lax.strides(shape)
    bounds = [(ost[d], shape[d] - window[d]) for d in index_map]
    data = indices.data
    out = []
    for b in range(lax.size_of(batch_shape)):
        base = 0
        for (stride, hi), s in zip(bounds, data[b * k:(b + 1) * k]):
            s = int(s)
            if s < 0 or s > hi:
                if not clip:
                    base = None
                    break
                s = 0 if s < 0 else hi
            base += s * stride
        if base is not None:
            for od, bd in batching:
                base += (b // bst[bd]) % batch_shape[bd] * ost[od]
        out.append(base)
    return out


def _permute(data, shape, perm):
    """Data of `transpose(x, perm)` for x of `shape`."""
    if list(perm) == list(range(len(perm))):
        return data
    st = lax.strides(shape)
    return [data[i] for i in lax._index_map(tuple(shape[p] for p in perm), [st[p] for p in perm])]


def _gather_impl(operand, indices, *, dimension_numbers, slice_sizes, unique_indices, indices_are_sorted, mode,
                 fill_value):
    dn = dimension_numbers
    mode = GatherScatterMode.from_any(mode)
    fill = mode is GatherScatterMode.FILL_OR_DROP
    starts = _window_starts(operand.shape, indices, dn.start_index_map, slice_sizes,
                            list(zip(dn.operand_batching_dims, dn.start_indices_batching_dims)), clip=not fill)
    window = lax._index_map(tuple(slice_sizes), lax.strides(operand.shape))
    data = operand.data
    if fill:
        fv = _default_fill(operand.dtype) if fill_value is None else fill_value
        fv = _dtypes.convert_list([fv], _dtypes.scalar_info(fv)[0], operand.dtype)[0]
    out = []
    for base in starts:
        if base is None:
            out.extend([fv] * len(window))
        else:
            out.extend([data[base + w] for w in window])
    out_shape = _gather_shape(indices.shape, dn, slice_sizes)
    # `out` holds (batch dims..., window dims...); the output interleaves them
    batch_pos = [i for i in range(len(out_shape)) if i not in dn.offset_dims]
    tmp_shape = tuple(out_shape[i] for i in batch_pos) + tuple(out_shape[i] for i in dn.offset_dims)
    order = batch_pos + list(dn.offset_dims)
    perm = [order.index(i) for i in range(len(out_shape))]
    return ArrayImpl(_permute(out, tmp_shape, perm), out_shape, operand.dtype, operand.weak_type)


core.impl_rules[gather_p] = _gather_impl
core.abstract_eval_rules[gather_p] = _gather_aval


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """`jax.lax.gather`."""
    parsed = GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else GatherScatterMode.from_any(mode)
    if parsed is GatherScatterMode.FILL_OR_DROP:
        if fill_value is None:
            fill_value = _default_fill(get_aval(operand).dtype)
    else:
        fill_value = None
    return gather_p.bind(operand, start_indices, dimension_numbers=dimension_numbers,
                         slice_sizes=tuple(int(s) for s in slice_sizes), unique_indices=bool(unique_indices),
                         indices_are_sorted=bool(indices_are_sorted), mode=parsed, fill_value=fill_value)


def _gather_jvp(primals, tangents, *, dimension_numbers, slice_sizes, unique_indices, indices_are_sorted, mode,
                fill_value):
    from jaxlite._ad import Zero
    operand, indices = primals
    out = gather_p.bind(operand, indices, dimension_numbers=dimension_numbers, slice_sizes=slice_sizes,
                        unique_indices=unique_indices, indices_are_sorted=indices_are_sorted, mode=mode,
                        fill_value=fill_value)
    if isinstance(tangents[0], Zero):
        return out, Zero(get_aval(out))
    return out, gather(tangents[0], indices, dimension_numbers, slice_sizes, unique_indices=unique_indices,
                       indices_are_sorted=indices_are_sorted, mode=mode, fill_value=0)


def _gather_transpose(t, operand, indices, *, dimension_numbers, slice_sizes, unique_indices, indices_are_sorted,
                      mode, fill_value):
    dn = dimension_numbers
    zeros = _full(operand.aval.shape, 0, get_aval(t).dtype)
    sdn = ScatterDimensionNumbers(update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
                                  scatter_dims_to_operand_dims=dn.start_index_map,
                                  operand_batching_dims=dn.operand_batching_dims,
                                  scatter_indices_batching_dims=dn.start_indices_batching_dims)
    return [scatter_add(zeros, indices, t, sdn, unique_indices=unique_indices,
                        indices_are_sorted=indices_are_sorted, mode=mode), None]


def _gather_batch(vals, dims, *, dimension_numbers, slice_sizes, unique_indices, indices_are_sorted, mode,
                  fill_value):
    from jaxlite import _batching as b
    operand, indices = vals
    operand_bdim, indices_bdim = dims
    dn = dimension_numbers
    if operand_bdim is not None and indices_bdim is None:
        operand = b.moveaxis(operand, operand_bdim, 0)
        dnums = GatherDimensionNumbers(
            offset_dims=(0,) + _np_add1(dn.offset_dims), collapsed_slice_dims=_np_add1(dn.collapsed_slice_dims),
            start_index_map=_np_add1(dn.start_index_map), operand_batching_dims=_np_add1(dn.operand_batching_dims),
            start_indices_batching_dims=dn.start_indices_batching_dims)
        return gather(operand, indices, dnums, (get_aval(operand).shape[0],) + tuple(slice_sizes),
                      unique_indices=unique_indices, indices_are_sorted=indices_are_sorted, mode=mode,
                      fill_value=fill_value), 0
    if operand_bdim is None:
        indices = b.moveaxis(indices, indices_bdim, 0)
        dnums = GatherDimensionNumbers(
            offset_dims=_plus1(dn.offset_dims), collapsed_slice_dims=dn.collapsed_slice_dims,
            start_index_map=dn.start_index_map, operand_batching_dims=dn.operand_batching_dims,
            start_indices_batching_dims=_np_add1(dn.start_indices_batching_dims))
        # batched accesses into one array may no longer be sorted or unique
        return gather(operand, indices, dnums, slice_sizes, unique_indices=False, indices_are_sorted=False,
                      mode=mode, fill_value=fill_value), 0
    operand = b.moveaxis(operand, operand_bdim, 0)
    indices = b.moveaxis(indices, indices_bdim, 0)
    dnums = GatherDimensionNumbers(
        offset_dims=_np_add1(dn.offset_dims), collapsed_slice_dims=_np_add1(dn.collapsed_slice_dims),
        start_index_map=_np_add1(dn.start_index_map),
        operand_batching_dims=(0,) + _np_add1(dn.operand_batching_dims),
        start_indices_batching_dims=(0,) + _np_add1(dn.start_indices_batching_dims))
    size = get_aval(operand).shape[0]
    return gather(operand, indices, dnums, (0 if size == 0 else 1,) + tuple(slice_sizes),
                  unique_indices=unique_indices, indices_are_sorted=indices_are_sorted, mode=mode,
                  fill_value=fill_value), 0


core.jvp_rules[gather_p] = _gather_jvp
core.transpose_rules[gather_p] = _transposition(_gather_transpose)
core.batch_rules[gather_p] = _gather_batch


# ------------------------------------------------------------------ scatter
scatter_p = Primitive("scatter")
scatter_add_p = Primitive("scatter-add")
scatter_sub_p = Primitive("scatter-sub")
scatter_mul_p = Primitive("scatter-mul")
scatter_min_p = Primitive("scatter-min")
scatter_max_p = Primitive("scatter-max")

_COMBINE = {scatter_p: lambda a, u: u, scatter_add_p: lambda a, u: a + u, scatter_sub_p: lambda a, u: a - u,
            scatter_mul_p: lambda a, u: a * u, scatter_min_p: lax._min, scatter_max_p: lax._max}
_UPDATE_PRIM = {scatter_add_p: lax.add_p, scatter_sub_p: lax.sub_p, scatter_mul_p: lax.mul_p,
                scatter_min_p: lax.min_p, scatter_max_p: lax.max_p}
_update_jaxprs: dict = {}


def _update_jaxpr(prim, dtype):
    """The combining computation JAX records with a scatter (`update_jaxpr`),
    made once per (primitive, dtype) as JAX caches it: one object, so a jaxpr
    that uses it twice prints it once, as `let jaxpr = ...`. JAX's cache key
    includes the trace context, so scatters made while transposing (in `grad`)
    get another object than those of the forward computation."""
    key = (prim, dtype.name, bool(_transposing))
    if key not in _update_jaxprs:
        aval = ShapedArray((), dtype)
        x, y, out = Var(aval), Var(aval), Var(aval)
        _update_jaxprs[key] = Jaxpr([], [x, y], [out], [JaxprEqn(_UPDATE_PRIM[prim], [x, y], {}, [out])])
    return _update_jaxprs[key]


def _window_sizes(operand_rank, updates_shape, dn) -> list:
    sizes, pos = [], 0
    for i in range(operand_rank):
        if i in dn.inserted_window_dims or i in dn.operand_batching_dims:
            sizes.append(1)
        else:
            sizes.append(updates_shape[dn.update_window_dims[pos]])
            pos += 1
    return sizes


def _scatter_aval(operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers,
                  indices_are_sorted, unique_indices, mode):
    if indices.dtype.kind not in "iu":
        raise ValueError("indices must have an integer type")
    if operand.dtype != updates.dtype:
        raise TypeError(f"lax.scatter requires arguments to have the same dtypes, got {operand.dtype.name}, "
                        f"{updates.dtype.name}.")
    dn = dimension_numbers
    window = len(dn.update_window_dims) + len(dn.inserted_window_dims) + len(dn.operand_batching_dims)
    if operand.ndim != window:
        raise TypeError(f"Scatter op has window of size {window}; doesn't match operand of rank {operand.ndim}.")
    if len(dn.scatter_dims_to_operand_dims) != indices.shape[-1]:
        raise TypeError(f"Scatter op has {len(dn.scatter_dims_to_operand_dims)} elements in "
                        f"scatter_dims_to_operand_dims and the bound of dimension "
                        f"index_vector_dim={indices.ndim - 1} of indices is {indices.shape[-1]}. These two numbers "
                        f"must be equal")
    scatter_dims = [d for d in range(updates.ndim) if d not in dn.update_window_dims]
    for i, d in zip(scatter_dims, indices.shape[:-1]):
        if updates.shape[i] != d:
            raise TypeError(f"Bounds of the scatter dimensions of updates must be the same as the bounds of the "
                            f"corresponding dimensions of scatter indices. For scatter dimension {i}, updates bound "
                            f"is {updates.shape[i]}, indices bound is {d}.")
    return ShapedArray(operand.shape, operand.dtype, operand.weak_type)


def _scatter_impl(prim):
    combine = _COMBINE[prim]

    def impl(operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        dn = dimension_numbers
        dtype = operand.dtype
        sizes = _window_sizes(operand.ndim, updates.shape, dn)
        starts = _window_starts(operand.shape, indices, dn.scatter_dims_to_operand_dims, sizes,
                                list(zip(dn.operand_batching_dims, dn.scatter_indices_batching_dims)),
                                clip=GatherScatterMode.from_any(mode) is GatherScatterMode.CLIP)
        window = lax._index_map(tuple(sizes), lax.strides(operand.shape))
        # updates as (scatter dims..., window dims...)
        order = [d for d in range(updates.ndim) if d not in dn.update_window_dims] + list(dn.update_window_dims)
        upd = _permute(updates.data, updates.shape, order)
        out = list(operand.data)
        exact = prim is scatter_p or dtype.kind not in "fiu" or dtype.name == "float64"
        n = len(window)
        for b, base in enumerate(starts):
            if base is None:
                continue
            for w, u in zip(window, upd[b * n:(b + 1) * n]):
                v = combine(out[base + w], u)
                out[base + w] = v if exact else _dtypes.round_scalar(dtype, v)
        return ArrayImpl(out, operand.shape, dtype, operand.weak_type)
    return impl


for _p in _COMBINE:
    core.impl_rules[_p] = _scatter_impl(_p)
    core.abstract_eval_rules[_p] = _scatter_aval


def _scatter_bind(prim, operand, indices, updates, dnums, indices_are_sorted, unique_indices, mode):
    jaxpr = None if prim is scatter_p else _update_jaxpr(prim, get_aval(operand).dtype)
    return prim.bind(operand, indices, updates, update_jaxpr=jaxpr, update_consts=(), dimension_numbers=dnums,
                     indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                     mode=GatherScatterMode.from_any(mode))


def _scatter_api(prim, name):
    def op(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
           unique_indices=False, mode=None):
        return _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers, indices_are_sorted,
                             unique_indices, mode)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"`jax.lax.{name}`."
    return op


scatter = _scatter_api(scatter_p, "scatter")
scatter_add = _scatter_api(scatter_add_p, "scatter_add")
scatter_sub = _scatter_api(scatter_sub_p, "scatter_sub")
scatter_mul = _scatter_api(scatter_mul_p, "scatter_mul")
scatter_min = _scatter_api(scatter_min_p, "scatter_min")
scatter_max = _scatter_api(scatter_max_p, "scatter_max")


def _full(shape, value, dtype):
    """`lax.full`: a scalar literal broadcast (no equation for shape ())."""
    return lax.broadcast_in_dim(lax.convert_element_type(value, dtype), tuple(shape), ())


def _select(pred, on_true, on_false):
    """`lax.select`: `select_n(pred, on_false, on_true)`."""
    return lax.select_n_p.bind(pred, on_false, on_true)


def _inverse_gather(dn, shape_rank, updates_shape):
    """The gather that reads back what a scatter with `dn` wrote."""
    gdn = GatherDimensionNumbers(offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
                                 start_index_map=dn.scatter_dims_to_operand_dims,
                                 operand_batching_dims=dn.operand_batching_dims,
                                 start_indices_batching_dims=dn.scatter_indices_batching_dims)
    return gdn, _window_sizes(shape_rank, updates_shape, dn)


def _aval_of(x):
    return x.aval if _undefined(x) else get_aval(x)


def _undefined(x) -> bool:
    from jaxlite._ad import is_undefined
    return is_undefined(x)


def _scatter_addsub_jvp(prim):
    def rule(primals, tangents, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        from jaxlite._ad import Zero, instantiate
        operand, indices, updates = primals
        g_operand, _, g_updates = tangents
        params = dict(update_jaxpr=update_jaxpr, update_consts=update_consts, dimension_numbers=dimension_numbers,
                      indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
        out = prim.bind(operand, indices, updates, **params)
        if isinstance(g_operand, Zero) and isinstance(g_updates, Zero):
            return out, Zero(get_aval(out))
        return out, prim.bind(instantiate(g_operand), indices, instantiate(g_updates), **params)
    return rule


def _scatter_addsub_transpose(prim):
    def rule(t, operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        operand_t = t if _undefined(operand) else None
        update_t = None
        if _undefined(updates):
            gdn, sizes = _inverse_gather(dimension_numbers, get_aval(t).ndim, updates.aval.shape)
            update_t = gather(t, indices, gdn, sizes, mode=mode, fill_value=0)
            if prim is scatter_sub_p:
                update_t = lax.neg_p.bind(update_t)
        return [operand_t, None, update_t]
    return rule


def _scatter_mul_jvp(primals, tangents, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted,
                     unique_indices, mode):
    from jaxlite._ad import Zero, add_tangents
    operand, indices, updates = primals
    g_operand, _, g_updates = tangents
    params = dict(update_jaxpr=update_jaxpr, update_consts=update_consts, dimension_numbers=dimension_numbers,
                  indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    out = scatter_mul_p.bind(operand, indices, updates, **params)
    ts = []
    if not isinstance(g_operand, Zero):
        ts.append(scatter_mul_p.bind(g_operand, indices, updates, **params))
    if not isinstance(g_updates, Zero):
        if not unique_indices:
            raise NotImplementedError("scatter_mul gradients are only implemented if `unique_indices=True`")
        zeros = _full(get_aval(operand).shape, 0, get_aval(operand).dtype)
        ts.append(lax.mul_p.bind(operand, scatter_add(zeros, indices, g_updates, dimension_numbers,
                                                      indices_are_sorted=indices_are_sorted,
                                                      unique_indices=unique_indices, mode=mode)))
    tangent = Zero(get_aval(out))
    for t in ts:
        tangent = add_tangents(tangent, t)
    return out, tangent


def _scatter_mul_transpose(t, operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers,
                           indices_are_sorted, unique_indices, mode):
    operand_t = update_t = None
    if _undefined(operand):
        operand_t = scatter_mul(t, indices, updates, dimension_numbers, indices_are_sorted=indices_are_sorted,
                                unique_indices=unique_indices, mode=mode)
    if _undefined(updates):
        if not unique_indices:
            raise NotImplementedError("scatter_mul gradients are only implemented if `unique_indices=True`")
        gdn, sizes = _inverse_gather(dimension_numbers, get_aval(t).ndim, updates.aval.shape)
        update_t = gather(lax.mul_p.bind(t, operand), indices, gdn, sizes, mode=mode, fill_value=0)
    return [operand_t, None, update_t]


def _scatter_extremal_jvp(prim):
    def rule(primals, tangents, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        from jaxlite._ad import Zero, instantiate
        operand, indices, updates = primals
        g_operand, _, g_updates = tangents
        dn = dimension_numbers
        out = prim.bind(operand, indices, updates, update_jaxpr=update_jaxpr, update_consts=update_consts,
                        dimension_numbers=dn, indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                        mode=mode)
        if isinstance(g_operand, Zero) and isinstance(g_updates, Zero):
            return out, Zero(get_aval(out))
        g_operand, g_updates = instantiate(g_operand), instantiate(g_updates)
        oa, ua = get_aval(operand), get_aval(updates)
        gdn, sizes = _inverse_gather(dn, oa.ndim, ua.shape)
        zeros_o = lambda: _full(oa.shape, 0, oa.dtype)
        zeros_u = lambda: _full(ua.shape, 0, ua.dtype)
        ones_u = lambda: _full(ua.shape, 1, ua.dtype)
        initial_vals = gather(operand, indices, gdn, sizes)
        target_vals = gather(out, indices, gdn, sizes)
        successful = lax.eq_p.bind(updates, target_vals)
        retained = lax.eq_p.bind(initial_vals, target_vals)
        # several updates contending for one place share its tangent equally
        num_updates = gather(scatter_add(zeros_o(), indices, _select(successful, ones_u(), zeros_u()), dn),
                             indices, gdn, sizes)
        num_refs = gather(scatter_add(zeros_o(), indices, ones_u(), dn), indices, gdn, sizes)
        updates_normalizer = _select(retained, 1.0 / (num_updates + 1), 1.0 / num_updates)
        updates_coef = _select(successful, updates_normalizer, zeros_u())
        operand_normalizer = _select(retained, 1.0 / (num_updates + 1),
                                     _full(get_aval(num_updates).shape, 0, get_aval(num_updates).dtype))
        operand_coef = (-1.0 + operand_normalizer) / num_refs
        target_tangents = gather(g_operand, indices, gdn, sizes)
        tangent_updates = target_tangents * operand_coef + g_updates * updates_coef
        return out, scatter_add(g_operand, indices, tangent_updates, dn, indices_are_sorted=indices_are_sorted,
                                unique_indices=unique_indices, mode=mode)
    return rule


def _scatter_jvp(primals, tangents, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted,
                 unique_indices, mode):
    from jaxlite._ad import Zero, instantiate
    if update_jaxpr is not None:
        raise NotImplementedError("scatter_apply JVP not implemented")
    operand, indices, updates = primals
    g_operand, _, g_updates = tangents
    dn = dimension_numbers
    params = dict(update_jaxpr=update_jaxpr, update_consts=update_consts, dimension_numbers=dn,
                  indices_are_sorted=indices_are_sorted, mode=mode)
    if isinstance(g_operand, Zero) and isinstance(g_updates, Zero):
        out = scatter_p.bind(operand, indices, updates, unique_indices=unique_indices, **params)
        return out, Zero(get_aval(out))
    g_operand, g_updates = instantiate(g_operand), instantiate(g_updates)
    if unique_indices:
        # updates do not overlap: the tangent is scattered like the primal
        return (scatter_p.bind(operand, indices, updates, unique_indices=True, **params),
                scatter_p.bind(g_operand, indices, g_updates, unique_indices=True, **params))
    # Overlapping updates: which one wins is unspecified, so (as JAX does) tag
    # each update with an id, scatter the ids, read back which id won, and
    # scatter-add the winners' primal and tangent values into masked operands.
    oa, ua = get_aval(operand), get_aval(updates)
    ids_shape = list(ua.shape)
    for d in dn.update_window_dims:
        ids_shape[d] = 1
    num_ids = lax.size_of(ids_shape)
    id_dtype = _dtypes.uint32
    update_ids = lax.add_p.bind(lax.reshape(lax.iota_p.bind(dtype=id_dtype, shape=(num_ids,), dimension=0,
                                                            sharding=None), tuple(ids_shape)),
                                _full(ua.shape, 1, id_dtype))
    scattered_ids = scatter(_full(oa.shape, 0, id_dtype), indices, update_ids, dn,
                            indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    gdn, sizes = _inverse_gather(dn, oa.ndim, ua.shape)
    gathered_ids = gather(scattered_ids, indices, gdn, sizes)
    untouched = lambda: lax.eq_p.bind(scattered_ids, _full(oa.shape, 0, id_dtype))
    won = lambda: lax.eq_p.bind(update_ids, gathered_ids)
    masked_operand = _select(untouched(), operand, _full(oa.shape, 0, oa.dtype))
    masked_updates = _select(won(), updates, _full(ua.shape, 0, ua.dtype))
    masked_g_operand = _select(untouched(), g_operand, _full(oa.shape, 0, oa.dtype))
    masked_g_updates = _select(won(), g_updates, _full(ua.shape, 0, ua.dtype))
    out = scatter_add(masked_operand, indices, masked_updates, dn, indices_are_sorted=indices_are_sorted,
                      unique_indices=unique_indices, mode=mode)
    tangent = scatter_add(masked_g_operand, indices, masked_g_updates, dn, indices_are_sorted=indices_are_sorted,
                          unique_indices=unique_indices, mode=mode)
    return out, tangent


def _scatter_transpose(t, operand, indices, updates, *, update_jaxpr, update_consts, dimension_numbers,
                       indices_are_sorted, unique_indices, mode):
    if not unique_indices:
        raise NotImplementedError("scatter transpose is only implemented where unique_indices=True")
    ushape = _aval_of(updates).shape
    operand_t = update_t = None
    if _undefined(operand):
        # cotangents of the overwritten entries are zero
        operand_t = scatter(t, indices, _full(ushape, 0, get_aval(t).dtype), dimension_numbers,
                            indices_are_sorted=indices_are_sorted, unique_indices=True, mode=mode)
    if _undefined(updates):
        gdn, sizes = _inverse_gather(dimension_numbers, get_aval(t).ndim, ushape)
        update_t = gather(t, indices, gdn, sizes, mode=mode, fill_value=0)
    return [operand_t, None, update_t]


def _scatter_batch(prim):
    def rule(vals, dims, *, update_jaxpr, update_consts, dimension_numbers, indices_are_sorted, unique_indices,
             mode):
        operand, indices, updates = vals
        operand_bdim, indices_bdim, updates_bdim = dims
        dn = dimension_numbers
        params = dict(update_jaxpr=update_jaxpr, update_consts=update_consts, indices_are_sorted=indices_are_sorted,
                      unique_indices=unique_indices, mode=mode)
        size = next(get_aval(x).shape[d] for x, d in zip(vals, dims) if d is not None)
        operand = _bdim_at_front(operand, operand_bdim, size)
        updates = _bdim_at_front(updates, updates_bdim, size)
        if indices_bdim is None:
            dnums = ScatterDimensionNumbers(
                update_window_dims=(0,) + _np_add1(dn.update_window_dims),
                inserted_window_dims=_np_add1(dn.inserted_window_dims),
                scatter_dims_to_operand_dims=_np_add1(dn.scatter_dims_to_operand_dims),
                operand_batching_dims=_np_add1(dn.operand_batching_dims),
                scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
            return prim.bind(operand, indices, updates, dimension_numbers=dnums, **params), 0
        indices = _bdim_at_front(indices, indices_bdim, size)
        dnums = ScatterDimensionNumbers(
            update_window_dims=_np_add1(dn.update_window_dims),
            inserted_window_dims=_np_add1(dn.inserted_window_dims),
            scatter_dims_to_operand_dims=_np_add1(dn.scatter_dims_to_operand_dims),
            operand_batching_dims=(0,) + _np_add1(dn.operand_batching_dims),
            scatter_indices_batching_dims=(0,) + _np_add1(dn.scatter_indices_batching_dims))
        return prim.bind(operand, indices, updates, dimension_numbers=dnums, **params), 0
    return rule


for _p in (scatter_add_p, scatter_sub_p):
    core.jvp_rules[_p] = _scatter_addsub_jvp(_p)
    core.transpose_rules[_p] = _transposition(_scatter_addsub_transpose(_p))
core.jvp_rules[scatter_mul_p] = _scatter_mul_jvp
core.transpose_rules[scatter_mul_p] = _transposition(_scatter_mul_transpose)
core.jvp_rules[scatter_min_p] = _scatter_extremal_jvp(scatter_min_p)
core.jvp_rules[scatter_max_p] = _scatter_extremal_jvp(scatter_max_p)
core.jvp_rules[scatter_p] = _scatter_jvp
core.transpose_rules[scatter_p] = _transposition(_scatter_transpose)
for _p in _COMBINE:
    core.batch_rules[_p] = _scatter_batch(_p)


# ----------------------------------------- dynamic slices batch as gathers
def _batch_dynamic_slice_indices(indices, bdims):
    """The scalar start indices of a dynamic slice as one index array (and its batch dim)."""
    if not indices:
        return ArrayImpl([], (0,), _dtypes.int32, False), None
    size = next((get_aval(x).shape[d] for x, d in zip(indices, bdims) if d is not None), None)
    if size is None:
        return _concatenate([lax.broadcast_in_dim(i, (1,), ()) for i in indices], 0), None
    return _concatenate([lax.broadcast_in_dim(x, (size, 1), (0,) if d is not None else ())
                         for x, d in zip(indices, bdims)], 1), 0


def _concatenate(xs, dimension):
    """`lax.concatenate`: one operand is returned as it is."""
    return xs[0] if len(xs) == 1 else lax.concatenate_p.bind(*xs, dimension=dimension)


def _dynamic_slice_batch(vals, dims, *, slice_sizes):
    operand, *starts = vals
    operand_bdim, *start_bdims = dims
    nd = tuple(range(get_aval(operand).ndim - (0 if operand_bdim is None else 1)))
    dnums = GatherDimensionNumbers(offset_dims=nd, collapsed_slice_dims=(), start_index_map=nd)
    index, index_bdim = _batch_dynamic_slice_indices(starts, start_bdims)
    return _gather_batch([operand, index], [operand_bdim, index_bdim], dimension_numbers=dnums,
                         slice_sizes=tuple(slice_sizes), unique_indices=True, indices_are_sorted=True,
                         mode=GatherScatterMode.CLIP, fill_value=None)


def _dynamic_update_slice_batch(vals, dims):
    operand, update, *starts = vals
    operand_bdim, update_bdim, *start_bdims = dims
    ushape = list(get_aval(update).shape)
    if update_bdim is not None:
        del ushape[update_bdim]
    nd = tuple(range(len(ushape)))
    dnums = ScatterDimensionNumbers(update_window_dims=nd, inserted_window_dims=(), scatter_dims_to_operand_dims=nd)
    index, index_bdim = _batch_dynamic_slice_indices(starts, start_bdims)
    rule = core.batch_rules[scatter_p]
    return rule([operand, index, update], [operand_bdim, index_bdim, update_bdim], update_jaxpr=None,
                update_consts=(), dimension_numbers=dnums, indices_are_sorted=True, unique_indices=True,
                mode=GatherScatterMode.CLIP)


core.batch_rules[lax.dynamic_slice_p] = _dynamic_slice_batch
core.batch_rules[lax.dynamic_update_slice_p] = _dynamic_update_slice_batch


def dynamic_slice_indices(shape, start_indices, allow_negative_indices=True):
    """Start indices of a dynamic slice with negative ones counted from the
    end (`select_n(i < 0, i, i + d)`), as `lax.dynamic_slice` normalises them."""
    from jaxlite import numpy as jnp
    out = []
    for i, d in zip(start_indices, shape):
        dt = _dtypes.int32 if isinstance(i, int) else get_aval(i).dtype
        if dt.kind == "u" or not allow_negative_indices:
            out.append(i)
        elif isinstance(i, int) and not isinstance(i, bool):
            out.append(lax.convert_element_type(i + d if i < 0 else i, dt))
        else:
            d_arr = lax.convert_element_type(d, dt)
            out.append(lax.select_n_p.bind(jnp.less(i, 0), i, jnp.add(i, d_arr)))
    return out
