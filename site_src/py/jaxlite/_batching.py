"""vmap: batching by rule. A BatchTracer carries a value with one extra axis
(its batch dimension); each primitive's batching rule says how to apply it
to such values."""

from __future__ import annotations

from jaxlite import _core as core, _lax as lax
from jaxlite._core import ShapedArray, Trace, Tracer, full_lower, get_aval, new_main

not_mapped = None


class BatchTracer(Tracer):
    __slots__ = ("_trace", "val", "batch_dim")

    def __init__(self, trace, val, batch_dim):
        self._trace, self.val, self.batch_dim = trace, val, batch_dim

    @property
    def aval(self):
        aval = get_aval(self.val)
        if self.batch_dim is None:
            return aval
        shape = list(aval.shape)
        del shape[self.batch_dim]
        return ShapedArray(tuple(shape), aval.dtype, aval.weak_type)

    def full_lower(self):
        if self.batch_dim is None:
            return full_lower(self.val)
        return self

    def __repr__(self):
        return f"VmapTracer(aval={self.aval}, batched={get_aval(self.val).strip_weak_type() if False else _plain(get_aval(self.val))})"


def _plain(aval):
    return aval.str_short(short_dtypes=False)


class BatchTrace(Trace):
    def pure(self, val):
        return BatchTracer(self, val, None)

    lift = pure

    @property
    def axis_size(self):
        return self.main.global_data[0]

    @property
    def axis_name(self):
        return self.main.global_data[1]

    def process_primitive(self, primitive, tracers, params):
        vals = [t.val for t in tracers]
        dims = [t.batch_dim for t in tracers]
        if all(d is None for d in dims):
            out = primitive.bind(*vals, **params)
            if primitive.multiple_results:
                return [BatchTracer(self, o, None) for o in out]
            return BatchTracer(self, out, None)
        rule = core.batch_rules.get(primitive)
        if rule is None:
            raise NotImplementedError(f"jaxlite cannot vmap the primitive {primitive.name}")
        if getattr(rule, "needs_trace", False):
            out, out_dims = rule(self, vals, dims, **params)
        else:
            out, out_dims = rule(vals, dims, **params)
        if primitive.multiple_results:
            if not isinstance(out_dims, (list, tuple)):
                out_dims = [out_dims] * len(out)
            return [BatchTracer(self, o, d) for o, d in zip(out, out_dims)]
        return BatchTracer(self, out, out_dims)


# ------------------------------------------------------------ axis helpers
def moveaxis(x, src, dst):
    nd = get_aval(x).ndim
    src, dst = src % nd, dst % nd
    if src == dst:
        return x
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return lax.transpose(x, perm)


def moveaxis_to_front(x, d):
    return x if d == 0 or d is None else moveaxis(x, d, 0)


def expand_front(x):
    aval = get_aval(x)
    if aval.ndim == 0:
        return x
    # JAX computes these dimensions with NumPy: they print as np.int64
    return lax.broadcast_in_dim(x, (1,) + aval.shape, tuple(lax.NpInt(i) for i in range(1, aval.ndim + 1)))


def broadcast_front(x, size):
    aval = get_aval(x)
    return lax.broadcast_in_dim(x, (size,) + aval.shape, tuple(range(1, aval.ndim + 1)))


def batch_at(x, d, size, target):
    """x with its batch axis at `target` (materialising it if unbatched)."""
    if d is None:
        x, d = broadcast_front(x, size), 0
    return moveaxis(x, d, target)


def vmap_flat(f, in_dims, args, axis_size, axis_name=None):
    with new_main(BatchTrace, (axis_size, axis_name)) as main:
        trace = BatchTrace(main)
        tracers_in = [BatchTracer(trace, x, d) if d is not None else x for x, d in zip(args, in_dims)]
        outs = f(*tracers_in)
        tracers_out = [core.full_raise(trace, o) for o in outs]
        vals_out = [(t.val, t.batch_dim) for t in tracers_out]
    return vals_out
