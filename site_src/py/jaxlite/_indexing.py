"""Indexing (`x[idx]`) and indexed updates (`x.at[idx].set(v)`), ported from
JAX's jax/_src/numpy/indexing.py and jax/_src/ops/scatter.py so that each
indexing form stages out the same equations as in JAX:

- static ints and slices become `slice` / `rev` / `squeeze` / `broadcast_in_dim`;
- traced scalar indices become a `dynamic_slice` (negative ones wrapped with
  `lt` / `add` / `select_n`);
- everything else (integer arrays, concrete boolean masks, mixtures) becomes
  one XLA `gather`, and every `.at[...]` update one `scatter*`.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from jaxlite import _core as core, _dtypes, _lax as lax
from jaxlite._array import ArrayImpl, to_array
from jaxlite._core import Tracer, get_aval
from jaxlite._gather_scatter import (GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers,
                                     dynamic_slice_indices, gather, scatter, scatter_add, scatter_max, scatter_min,
                                     scatter_mul, scatter_sub)
from jaxlite.errors import NonConcreteBooleanIndexError

_INDEX_DTYPE = _dtypes.int32   # int_dtype_for_shape: int32 unless an axis passes 2**31


# ------------------------------------------------------------ parsing
class IndexType(enum.Enum):
    NONE = "none"
    SLICE = "slice"
    ELLIPSIS = "ellipsis"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ARRAY = "array"


class ParsedIndex(NamedTuple):
    index: object
    typ: IndexType
    consumed_axes: tuple


def _is_integer_index(i) -> bool:
    return isinstance(i, int) and not isinstance(i, bool)


def _is_array(i) -> bool:
    return isinstance(i, (ArrayImpl, Tracer)) or core.numpy_value(i) is not None


def _is_host(i) -> bool:
    """A NumPy array: JAX computes on it with NumPy, eagerly, not with traced primitives."""
    if isinstance(i, (ArrayImpl, Tracer)):
        return type(i) is _HostArray
    return core.numpy_value(i) is not None


def _scalar_type_error(i):
    kind = {bool: "bool", float: "float64", complex: "complex128"}.get(type(i), type(i).__name__)
    return TypeError(f"Indexer must have integer or boolean type, got indexer with type {kind}")


def _index_type(idx) -> IndexType:
    if idx is None:
        return IndexType.NONE
    if idx is Ellipsis:
        return IndexType.ELLIPSIS
    if isinstance(idx, slice):
        return IndexType.SLICE
    if _is_integer_index(idx):
        return IndexType.INTEGER
    if _is_boolean_index(idx):
        return IndexType.BOOLEAN
    if _is_array(idx):
        dt = get_aval(idx).dtype
        if dt.kind in "iu":
            return IndexType.ARRAY
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {dt.name}")
    if isinstance(idx, str):
        raise TypeError(f"JAX does not support string indexing; got idx={idx!r}")
    if isinstance(idx, (list, tuple)):
        if not idx:
            return IndexType.ARRAY
        from jaxlite import numpy as jnp
        dt = get_aval(jnp.asarray(idx)).dtype
        if dt.kind == "b":
            return IndexType.BOOLEAN
        if dt.kind in "iu":
            return IndexType.ARRAY
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {dt.name}")
    if isinstance(idx, (float, complex)):
        raise _scalar_type_error(idx)
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and integer or boolean "
                     f"arrays are valid indices. Got {idx}")


def _is_boolean_index(i) -> bool:
    if isinstance(i, bool) or (_is_array(i) and get_aval(i).dtype.kind == "b"):
        return True
    return isinstance(i, list) and bool(i) and all(isinstance(e, bool) for e in i)


def _ndim(i) -> int:
    if isinstance(i, list):
        from jaxlite import numpy as jnp
        return get_aval(jnp.asarray(i)).ndim
    return get_aval(i).ndim


def _should_unpack_list_index(x) -> bool:
    return (_is_array(x) and _ndim(x) != 0) or isinstance(x, (list, tuple, slice)) or x is Ellipsis or x is None


def _eliminate_deprecated_list_indexing(idx) -> tuple:
    if isinstance(idx, tuple):
        return idx
    if isinstance(idx, list):
        what = "tuple" if any(_should_unpack_list_index(i) for i in idx) else "array"
        raise TypeError("Using a non-tuple sequence for multidimensional indexing is not allowed; use "
                        f"`arr[{what}(seq)]` instead of `arr[seq]`. See https://github.com/jax-ml/jax/issues/4564 "
                        "for more information.")
    return (idx,)


def _parse_indices(indices: tuple, shape) -> list:
    consumed, ellipses, types = [], [], []
    for i, idx in enumerate(indices):
        typ = _index_type(idx)
        types.append(typ)
        if typ in (IndexType.NONE, IndexType.ELLIPSIS):
            consumed.append(0)
            if typ is IndexType.ELLIPSIS:
                ellipses.append(i)
        elif typ is IndexType.BOOLEAN:
            consumed.append(_ndim(idx))
        else:
            consumed.append(1)
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    total = sum(consumed)
    if total > len(shape):
        raise IndexError(f"Too many indices: array is {len(shape)}-dimensional, but {total} were indexed")
    if ellipses:
        consumed[ellipses[0]] = len(shape) - total
    out, dim = [], 0
    for idx, typ, n in zip(indices, types, consumed):
        out.append(ParsedIndex(idx, typ, tuple(range(dim, dim + n))))
        dim += n
    return out


class NDIndexer(NamedTuple):
    """An index parsed against the shape of the array it indexes."""
    shape: tuple
    indices: list

    @classmethod
    def from_raw_indices(cls, idx, shape) -> "NDIndexer":
        return cls(tuple(shape), _parse_indices(_eliminate_deprecated_list_indexing(idx), shape))

    def validate_static_indices(self, normalize_indices=True) -> None:
        for idx in self.indices:
            if idx.typ is IndexType.INTEGER:
                axis, = idx.consumed_axes
                size = self.shape[axis]
                i = idx.index + size if normalize_indices and idx.index < 0 else idx.index
                if not 0 <= i < size:
                    raise IndexError(f"index {idx.index} out of bounds for axis {axis} with size {size} "
                                     f"(normalize_indices={normalize_indices})")

    def validate_slices(self) -> None:
        for position, idx in enumerate(self.indices):
            if idx.typ is IndexType.SLICE:
                for v in (idx.index.start, idx.index.stop, idx.index.step):
                    if isinstance(v, Tracer):
                        raise IndexError(f"Slice entries must be static integers. Got {idx.index} at position "
                                         f"{position}")

    def expand_bool_indices(self) -> "NDIndexer":
        """Boolean masks become the integer arrays of their True positions
        (masks must be concrete); scalar booleans stay."""
        out = []
        for position, idx in enumerate(self.indices):
            if idx.typ is not IndexType.BOOLEAN:
                out.append(idx)
                continue
            if isinstance(idx.index, Tracer):
                raise NonConcreteBooleanIndexError(
                    f"Array boolean indices must be concrete; got {get_aval(idx.index)}\n\n"
                    "See https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError")
            mask = _host_array(idx.index)
            if mask.ndim == 0:
                out.append(ParsedIndex(bool(mask.data[0]), idx.typ, ()))
                continue
            expected = [self.shape[i] for i in idx.consumed_axes]
            if not all(s1 in (0, s2) for s1, s2 in zip(mask.shape, expected)):
                raise IndexError(f"boolean index did not match shape of indexed array in index {position}: got "
                                 f"{mask.shape}, expected {expected}")
            out.extend(ParsedIndex(i, IndexType.ARRAY, (axis,))
                       for i, axis in zip(_nonzero(mask), idx.consumed_axes))
        return NDIndexer(self.shape, out)

    def expand_scalar_bool_indices(self) -> "NDIndexer":
        shape = list(self.shape)
        out = list(self.indices)
        dim = 0
        for i, idx in enumerate(self.indices):
            if idx.typ is IndexType.BOOLEAN and not idx.consumed_axes:
                shape.insert(i, 1)
                out[i] = ParsedIndex(_HostArray(list(range(int(idx.index))), (int(idx.index),), _dtypes.int32, False),
                                     IndexType.ARRAY, (dim,))
                dim += 1
            else:
                n = len(idx.consumed_axes)
                out[i] = ParsedIndex(idx.index, idx.typ, tuple(range(dim, dim + n)))
                dim += n
        return NDIndexer(tuple(shape), out)

    def convert_sequences_to_arrays(self) -> "NDIndexer":
        from jaxlite import numpy as jnp
        return NDIndexer(self.shape, [ParsedIndex(jnp.asarray(i.index), i.typ, i.consumed_axes)
                                      if isinstance(i.index, (list, tuple)) else i for i in self.indices])

    def expand_ellipses(self) -> "NDIndexer":
        out, consumed = [], 0
        for idx in self.indices:
            consumed += len(idx.consumed_axes)
            if idx.typ is IndexType.ELLIPSIS:
                out.extend(ParsedIndex(slice(None), IndexType.SLICE, (a,)) for a in idx.consumed_axes)
            else:
                out.append(idx)
        out.extend(ParsedIndex(slice(None), IndexType.SLICE, (a,)) for a in range(consumed, len(self.shape)))
        return NDIndexer(self.shape, out)

    def normalize_indices(self) -> "NDIndexer":
        """Negative indices counted from the end: static ones now, array ones
        with `select_n(i < 0, i, i + size)`."""
        out = []
        for idx in self.indices:
            if idx.typ is IndexType.INTEGER:
                axis, = idx.consumed_axes
                out.append(ParsedIndex(idx.index + self.shape[axis] if idx.index < 0 else idx.index, idx.typ,
                                       idx.consumed_axes))
            elif idx.typ is IndexType.ARRAY and get_aval(idx.index).dtype.kind != "u":
                axis, = idx.consumed_axes
                i = idx.index
                aval = get_aval(i)
                # lax._const: a weakly typed scalar index gets a Python int, else a typed array
                size = self.shape[axis] if aval.weak_type and not aval.shape else \
                    ArrayImpl([self.shape[axis]], (), aval.dtype, False)
                if _is_host(i):
                    i = to_array(i)
                    negative = _HostArray([v < 0 for v in i.data], i.shape, _dtypes.bool_, False)
                else:
                    negative = i < 0
                out.append(ParsedIndex(lax.select_n_p.bind(negative, i, lax.add_p.bind(i, size)), idx.typ,
                                       idx.consumed_axes))
            else:
                out.append(idx)
        return NDIndexer(self.shape, out)

    def is_advanced_int_indexer(self) -> bool:
        return any(idx.typ in (IndexType.ARRAY, IndexType.BOOLEAN) and _ndim(idx.index) > 0
                   for idx in self.indices)


class _HostArray(ArrayImpl):
    """A NumPy array JAX makes while indexing (np.where of a mask, np.arange):
    JAX computes on it eagerly, with NumPy, so in a trace it is a constant."""
    __slots__ = ()


def _host_array(x) -> ArrayImpl:
    if isinstance(x, list):
        from jaxlite import numpy as jnp
        return to_array(jnp.asarray(x))
    return to_array(x)


def _nonzero(mask: ArrayImpl) -> list:
    """np.where(mask): one int index array per axis of the mask."""
    st = lax.strides(mask.shape)
    hits = [k for k, v in enumerate(mask.data) if v]
    return [_HostArray([(k // s) % d for k in hits], (len(hits),), _dtypes.int32, False)
            for d, s in zip(mask.shape, st)]


def _bool_to_int(mask):
    """Integer index arrays of a concrete mask's True positions (jnp.nonzero)."""
    if isinstance(mask, Tracer):
        raise NonConcreteBooleanIndexError(
            f"Array boolean indices must be concrete; got {get_aval(mask)}\n\n"
            "See https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError")
    return [ArrayImpl(a.data, a.shape, a.dtype, False) for a in _nonzero(to_array(mask))]


def _to_index(x, dtype=_INDEX_DTYPE):
    """`lax.convert_element_type(x, dtype)`; JAX folds the conversion of a
    scalar constant, so no equation is recorded for one."""
    if isinstance(x, (int, bool)) or (not isinstance(x, Tracer) and get_aval(x).ndim == 0):
        a = to_array(x)
        return ArrayImpl(_dtypes.convert_list(a.data, a.dtype, dtype), (), dtype, False)
    return lax.convert_element_type(x, dtype)


def _asarray(x):
    from jaxlite import numpy as jnp
    return x if isinstance(x, (ArrayImpl, Tracer)) else jnp.asarray(x)


def _broadcast_to(x, shape):
    """`lax.broadcast_to`: one broadcast_in_dim onto the trailing axes."""
    aval = get_aval(x)
    if aval.shape == tuple(shape):
        return x
    nlead = len(shape) - aval.ndim
    return lax.broadcast_in_dim(x, tuple(shape), tuple(range(nlead, len(shape))))


def _broadcast_arrays(*args) -> list:
    from jaxlite import numpy as jnp
    shapes = [get_aval(a).shape for a in args]
    if all(s == shapes[0] for s in shapes):
        return list(args)
    shape = jnp.broadcast_shapes(*shapes)
    return [_broadcast_to(a, shape) for a in args]


# ------------------------------------------------------------ x[idx]
def _to_static_slice(indexer: NDIndexer, normalize_indices, mode):
    parsed = GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else GatherScatterMode.from_any(mode)
    if parsed not in (GatherScatterMode.PROMISE_IN_BOUNDS, GatherScatterMode.CLIP):
        raise ValueError("static_slice requires mode='promise_in_bounds' or mode='clip'")
    if parsed is GatherScatterMode.PROMISE_IN_BOUNDS:
        indexer.validate_static_indices(normalize_indices)
    indexer.validate_slices()
    for position, p in enumerate(indexer.indices):
        if p.typ in (IndexType.ARRAY, IndexType.BOOLEAN):
            raise TypeError(f"static_slice: indices must be static scalars or slices. Got index of type "
                            f"{type(p.index)} at position {position}")
    starts, limits, strides, rev_axes, squeeze_axes, newaxis_dims = [], [], [], [], [], []
    for p in indexer.expand_ellipses().indices:
        if p.typ is IndexType.NONE:
            newaxis_dims.append(len(starts) - len(squeeze_axes) + len(newaxis_dims))
        elif p.typ is IndexType.INTEGER:
            axis, = p.consumed_axes
            if indexer.shape[axis] == 0:
                raise IndexError(f"index is out of bounds for axis {axis} with size 0")
            i = p.index + indexer.shape[axis] if normalize_indices and p.index < 0 else p.index
            i = min(max(i, 0), indexer.shape[axis] - 1)
            starts.append(i)
            limits.append(i + 1)
            strides.append(1)
            squeeze_axes.append(axis)
        else:
            axis, = p.consumed_axes
            size = indexer.shape[axis]
            start, stop, stride = p.index.indices(size)
            if stride < 0:
                new_start = min(size, stop + 1 + abs(start - stop - 1) % abs(stride))
                starts.append(new_start)
                limits.append(max(new_start, start + 1))
                strides.append(abs(stride))
                rev_axes.append(axis)
            else:
                starts.append(start)
                limits.append(max(start, stop))
                strides.append(stride)
    return starts, limits, None if all(s == 1 for s in strides) else strides, rev_axes, squeeze_axes, newaxis_dims


def _static_slice(arr, starts, limits, strides, rev_axes, squeeze_axes, newaxis_dims):
    shape = get_aval(arr).shape
    trivial = strides is None and len(shape) == len(starts) and all(
        (s, l) == (0, d) for s, l, d in zip(starts, limits, shape))
    y = arr if trivial else lax.slice_p.bind(arr, start_indices=tuple(starts), limit_indices=tuple(limits),
                                             strides=None if strides is None else tuple(strides))
    return _finish_slice(y, rev_axes, squeeze_axes, newaxis_dims)


def _finish_slice(y, rev_axes, squeeze_axes, newaxis_dims):
    if rev_axes:
        y = lax.rev_p.bind(y, dimensions=tuple(rev_axes))
    if squeeze_axes:
        y = lax.squeeze(y, squeeze_axes)
    if newaxis_dims:
        y = lax.expand_dims(y, newaxis_dims)
    return y


def _to_dynamic_slice(indexer: NDIndexer, mode):
    if mode is not None and GatherScatterMode.from_any(mode) not in (GatherScatterMode.PROMISE_IN_BOUNDS,
                                                                     GatherScatterMode.CLIP):
        raise ValueError("dynamic_slice requires mode='promise_in_bounds' or mode='clip'")
    for position, p in enumerate(indexer.indices):
        if p.typ is IndexType.SLICE and p.index.step not in (None, -1, 1):
            raise TypeError(f"dynamic_slice: only unit steps supported in slice. Got {p.index} at position "
                            f"{position}")
        if p.typ is IndexType.ARRAY and (isinstance(p.index, (list, tuple)) or _ndim(p.index) != 0):
            raise TypeError(f"dynamic_slice: only scalar indices allowed. Got index of type {type(p.index)} at "
                            f"position {position}")
        if p.typ is IndexType.BOOLEAN:
            raise TypeError(f"dynamic_slice: indices must be scalars or slices. Got index of type "
                            f"{type(p.index)} at position {position}")
    from jaxlite import numpy as jnp
    starts, sizes, rev_axes, squeeze_axes, newaxis_dims = [], [], [], [], []
    trivial = True
    for p in indexer.expand_ellipses().indices:
        if p.typ is IndexType.NONE:
            newaxis_dims.append(len(starts) - len(squeeze_axes) + len(newaxis_dims))
        elif p.typ in (IndexType.INTEGER, IndexType.ARRAY):
            trivial = False
            axis, = p.consumed_axes
            if indexer.shape[axis] == 0:
                raise IndexError(f"index is out of bounds for axis {axis} with size 0")
            starts.append(jnp.asarray(p.index))
            sizes.append(1)
            squeeze_axes.append(axis)
        else:
            if p.index != slice(None):
                trivial = False
            axis, = p.consumed_axes
            start, stop, stride = p.index.indices(indexer.shape[axis])
            if stride < 0:
                new_start = stop + 1 + abs(start - stop - 1) % abs(stride)
                starts.append(new_start)
                sizes.append(max(0, start + 1 - new_start))
                rev_axes.append(axis)
            else:
                starts.append(start)
                sizes.append(max(0, stop - start))
    if len(starts) > 1:
        # dynamic_slice's start indices must share one dtype
        starts = [_to_index(i) for i in starts]
    return starts, sizes, rev_axes, squeeze_axes, newaxis_dims, trivial


def _dynamic_slice(arr, starts, sizes, rev_axes, squeeze_axes, newaxis_dims, trivial, normalize_indices):
    y = arr
    if not trivial:
        shape = get_aval(arr).shape
        starts = dynamic_slice_indices(shape, starts, normalize_indices)
        y = lax.dynamic_slice_p.bind(arr, *starts, slice_sizes=tuple(sizes))
    return _finish_slice(y, rev_axes, squeeze_axes, newaxis_dims)


def rewriting_take(arr, idx, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
                   normalize_indices=True):
    """`arr[idx]`: a static slice if it can be, else a dynamic slice, else a gather."""
    arr = arr if isinstance(arr, Tracer) else to_array(arr)
    indexer = NDIndexer.from_raw_indices(idx, get_aval(arr).shape)
    try:
        plan = _to_static_slice(indexer, normalize_indices, mode)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        return _static_slice(arr, *plan)
    try:
        plan = _to_dynamic_slice(indexer, mode)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        return _dynamic_slice(arr, *plan, normalize_indices)
    return _gather(arr, indexer.expand_bool_indices(), indices_are_sorted=indices_are_sorted,
                   unique_indices=unique_indices, mode=mode, fill_value=fill_value,
                   normalize_indices=normalize_indices)


def getitem(x, idx, mode=None, fill_value=None):
    return rewriting_take(x, idx, mode=mode, fill_value=fill_value)


def _gather(arr, indexer, *, indices_are_sorted, unique_indices, mode, fill_value, normalize_indices):
    g = _index_to_gather(indexer, normalize_indices)
    y = arr
    if fill_value is not None:
        if isinstance(fill_value, Tracer):
            from jaxlite.errors import ConcretizationTypeError
            raise ConcretizationTypeError(
                f"Abstract tracer value encountered where concrete value is expected: {fill_value}\n"
                "fill_value argument to indexed get()")
        if get_aval(fill_value).ndim != 0:
            raise ValueError("fill_value argument to indexed get() must be a scalar")
        if isinstance(fill_value, ArrayImpl):
            fill_value = fill_value.data[0]
    if g.scalar_bool_dims:
        y = lax.expand_dims(y, g.scalar_bool_dims)
    if 0 in g.slice_shape:
        aval = get_aval(y)
        return lax.broadcast_in_dim(lax.convert_element_type(0, aval.dtype, aval.weak_type), tuple(g.slice_shape),
                                    ())
    if 0 not in get_aval(g.gather_indices).shape:
        y = gather(y, g.gather_indices, g.dnums, g.gather_slice_shape,
                   unique_indices=unique_indices or g.unique_indices,
                   indices_are_sorted=indices_are_sorted or g.indices_are_sorted, mode=mode, fill_value=fill_value)
    if g.reversed_y_dims:
        y = lax.rev_p.bind(y, dimensions=tuple(g.reversed_y_dims))
    return lax.expand_dims(y, g.newaxis_dims)


class _GatherIndexer(NamedTuple):
    slice_shape: list          # the shape of the result
    gather_slice_shape: list   # the slice sizes of the gather
    gather_indices: object
    dnums: GatherDimensionNumbers
    unique_indices: bool       # (no advanced indices: nothing can repeat)
    indices_are_sorted: bool
    reversed_y_dims: list      # axes of negative-step slices, reversed after the gather
    newaxis_dims: tuple        # `None` axes: inserted after a gather, dropped for a scatter
    scalar_bool_dims: list


def _index_to_gather(indexer: NDIndexer, normalize_indices=True) -> _GatherIndexer:
    from jaxlite import numpy as jnp
    indexer.validate_slices()
    indexer = indexer.convert_sequences_to_arrays()
    is_advanced = [i for i, idx in enumerate(indexer.indices) if idx.typ in (IndexType.ARRAY, IndexType.INTEGER)]
    contiguous = all(b - a == 1 for a, b in zip(is_advanced, is_advanced[1:]))
    indexer = indexer.expand_ellipses()
    scalar_bool_dims = [n for n, i in enumerate(indexer.indices) if i.typ is IndexType.BOOLEAN]
    indexer = indexer.expand_scalar_bool_indices()
    if normalize_indices:
        indexer = indexer.normalize_indices()

    advanced_indexes, idx_advanced_axes, x_advanced_axes = [], [], []
    if indexer.is_advanced_int_indexer():
        without_none = [(i, d) for i, d in enumerate(indexer.indices) if d.typ is not IndexType.NONE]
        for j, (i, e) in enumerate(without_none):
            if e.typ in (IndexType.ARRAY, IndexType.INTEGER):
                advanced_indexes.append(_asarray(e.index))
                idx_advanced_axes.append(i)
                x_advanced_axes.append(j)

    x_axis = y_axis = collapsed_y_axis = 0
    offset_dims, collapsed_slice_dims, start_index_map = [], [], []
    gather_indices, gather_indices_shape = [], []   # (array, start dim) pairs; the shape they broadcast to
    slice_shape, newaxis_dims, reversed_y_dims, gather_slice_shape = [], [], [], []

    for idx_pos, index in enumerate(indexer.indices):
        # the advanced indices go where the first one is, or (not contiguous) in front
        if advanced_indexes and (contiguous and idx_pos == idx_advanced_axes[0] or
                                 not contiguous and idx_pos == 0):
            arrs = _broadcast_arrays(*advanced_indexes)
            shape = get_aval(arrs[0]).shape
            start_dim = len(gather_indices_shape)
            gather_indices.extend((_to_index(a), start_dim) for a in arrs)
            gather_indices_shape += shape
            start_index_map.extend(x_advanced_axes)
            collapsed_slice_dims.extend(x_advanced_axes)
            slice_shape.extend(shape)
            y_axis += len(shape)
            collapsed_y_axis += len(shape)
        if idx_pos in idx_advanced_axes:
            x_axis += 1
            gather_slice_shape.append(1)
            continue
        if index.typ in (IndexType.INTEGER, IndexType.ARRAY) and _ndim(index.index) == 0:
            if indexer.shape[x_axis] == 0:
                raise IndexError(f"index is out of bounds for axis {x_axis} with size 0")
            gather_indices.append((_to_index(index.index), len(gather_indices_shape)))
            collapsed_slice_dims.append(x_axis)
            gather_slice_shape.append(1)
            start_index_map.append(x_axis)
            x_axis += 1
        elif index.typ is IndexType.NONE:
            slice_shape.append(1)
            newaxis_dims.append(y_axis)
            y_axis += 1
        elif index.typ is IndexType.SLICE:
            size = indexer.shape[x_axis]
            start, stop, step = index.index.indices(size)
            slice_size = len(range(start, stop, step))
            slice_shape.append(slice_size)
            if step == 1:
                if slice_size != size:   # a full slice needs no gather index
                    gather_indices.append((_to_index(start), len(gather_indices_shape)))
                    start_index_map.append(x_axis)
                gather_slice_shape.append(slice_size)
                offset_dims.append(collapsed_y_axis)
            else:
                indices = (jnp.array(start, dtype=_INDEX_DTYPE) + jnp.array(step, dtype=_INDEX_DTYPE)
                           * lax.iota_p.bind(dtype=_INDEX_DTYPE, shape=(slice_size,), dimension=0, sharding=None))
                if step < 0:
                    reversed_y_dims.append(collapsed_y_axis)
                    indices = lax.rev_p.bind(indices, dimensions=(0,))
                gather_slice_shape.append(1)
                gather_indices.append((indices, len(gather_indices_shape)))
                start_index_map.append(x_axis)
                gather_indices_shape.append(slice_size)
                collapsed_slice_dims.append(x_axis)
            collapsed_y_axis += 1
            y_axis += 1
            x_axis += 1
        else:
            raise IndexError(f"Got unsupported indexer at position {idx_pos}: {index!r}")

    if not gather_indices:
        gather_indices_array = ArrayImpl([], (0,), _INDEX_DTYPE, False)
    elif len(gather_indices) == 1:
        g, _ = gather_indices[0]
        gather_indices_array = lax.expand_dims(g, (get_aval(g).ndim,))
    else:
        last_dim = len(gather_indices_shape)
        gather_indices_shape.append(1)
        gather_indices_array = lax.concatenate_p.bind(
            *[lax.broadcast_in_dim(g, tuple(gather_indices_shape), tuple(range(i, i + get_aval(g).ndim)))
              for g, i in gather_indices], dimension=last_dim)
    dnums = GatherDimensionNumbers(offset_dims=tuple(offset_dims),
                                   collapsed_slice_dims=tuple(sorted(collapsed_slice_dims)),
                                   start_index_map=tuple(start_index_map))
    return _GatherIndexer(slice_shape, gather_slice_shape, gather_indices_array, dnums, not advanced_indexes,
                          not advanced_indexes, reversed_y_dims, tuple(newaxis_dims), scalar_bool_dims)


# ------------------------------------------------------------ .at[...]
def _scatter_update(x, idx, y, scatter_op, indices_are_sorted, unique_indices, mode=None, normalize_indices=True):
    """`x[idx] op= y`, functionally: one scatter of `y` into `x`."""
    from jaxlite import numpy as jnp
    x = _asarray(x)
    xa = get_aval(x)
    if isinstance(y, int) and not isinstance(y, bool) and xa.dtype.kind in "iu":
        lo, span = _dtypes._INT_RANGE[xa.dtype.name]
        y = jnp.asarray(y, dtype=xa.dtype) if lo <= y < lo + span else jnp.asarray(y)
    else:
        y = _asarray(y)
    indexer = NDIndexer.from_raw_indices(idx, xa.shape).expand_bool_indices()
    g = _index_to_gather(indexer, normalize_indices)
    if 0 in g.slice_shape:
        return x
    x, y = _promote(x, y)
    y = _broadcast_to(y, tuple(g.slice_shape))
    y = lax.squeeze(y, g.newaxis_dims)
    if g.reversed_y_dims:
        y = lax.rev_p.bind(y, dimensions=tuple(g.reversed_y_dims))
    if g.scalar_bool_dims:
        x = lax.expand_dims(x, g.scalar_bool_dims)
    dnums = ScatterDimensionNumbers(update_window_dims=g.dnums.offset_dims,
                                    inserted_window_dims=g.dnums.collapsed_slice_dims,
                                    scatter_dims_to_operand_dims=g.dnums.start_index_map,
                                    operand_batching_dims=g.dnums.operand_batching_dims,
                                    scatter_indices_batching_dims=g.dnums.start_indices_batching_dims)
    out = scatter_op(x, g.gather_indices, y, dnums, indices_are_sorted=g.indices_are_sorted or indices_are_sorted,
                     unique_indices=g.unique_indices or unique_indices, mode=mode)
    if g.scalar_bool_dims:
        out = lax.squeeze(out, g.scalar_bool_dims)
    return lax.convert_element_type(out, xa.dtype, xa.weak_type)


def _promote(x, y):
    """jnp's promote_dtypes for a scatter's operand and updates (a scalar
    constant converts without an equation, as JAX folds it)."""
    (xdt, xweak), (ydt, yweak) = (get_aval(x).dtype, get_aval(x).weak_type), (get_aval(y).dtype,
                                                                              get_aval(y).weak_type)
    dt, weak = _dtypes.promote((xdt, xweak), (ydt, yweak))
    out = []
    for v, vdt, vweak in ((x, xdt, xweak), (y, ydt, yweak)):
        if (vdt, vweak) == (dt, weak):
            out.append(v)
        elif not isinstance(v, Tracer) and get_aval(v).ndim == 0:
            a = to_array(v)
            out.append(ArrayImpl(_dtypes.convert_list(a.data, a.dtype, dt), (), dt, weak))
        else:
            out.append(lax.convert_element_type(v, dt, weak))
    return out


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


class IndexUpdateHelper:
    """`x.at`: index it to get an `_IndexUpdateRef`."""
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


class _IndexUpdateRef:
    """`x.at[idx]`: its methods return updated copies of `x`."""
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array, self.index = array, index

    def __repr__(self):
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
            out_sharding=None, wrap_negative_indices=True):
        return rewriting_take(self.array, self.index, indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode, fill_value=fill_value,
                              normalize_indices=wrap_negative_indices)

    def _update(self, op, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices):
        return _scatter_update(self.array, self.index, values, op, indices_are_sorted, unique_indices, mode=mode,
                               normalize_indices=wrap_negative_indices)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
            wrap_negative_indices=True):
        return self._update(scatter, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
            wrap_negative_indices=True):
        return self._update(scatter_add, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
                 wrap_negative_indices=True):
        return self._update(scatter_sub, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
                 wrap_negative_indices=True):
        return self._update(scatter_mul, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
               wrap_negative_indices=True):
        from jaxlite import numpy as jnp
        return jnp.divide(self.array, _scatter_update(jnp.ones_like(self.array), self.index, values, scatter_mul,
                                                      indices_are_sorted, unique_indices, mode=mode,
                                                      normalize_indices=wrap_negative_indices))

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
              wrap_negative_indices=True):
        from jaxlite import numpy as jnp
        return jnp.power(self.array, _scatter_update(jnp.ones_like(self.array), self.index, values, scatter_mul,
                                                     indices_are_sorted, unique_indices, mode=mode,
                                                     normalize_indices=wrap_negative_indices))

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
            wrap_negative_indices=True):
        return self._update(scatter_min, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, out_sharding=None,
            wrap_negative_indices=True):
        return self._update(scatter_max, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices)
