"""Several devices in one process: meshes, shardings, `shard_map`, `pmap`
and the collectives, as JAX has them on XLA's simulated CPU devices.

XLA's `--xla_force_host_platform_device_count=N` splits one CPU into N
devices that share its memory. jaxlite does the same: with that flag in
`XLA_FLAGS` (or `jax.config.update("jax_num_cpu_devices", N)`) before the
first use of devices, `jax.devices()` lists N `CpuDevice`s. An array placed
with a `NamedSharding` keeps its global value and computes each device's
block (`addressable_shards`) from the spec, as XLA would hold it.

`shard_map` traces its function once on one device's block, with JAX's
varying-manual-axes types (`vma`: `float32[2]{V:data}`), and runs the
resulting jaxpr on every device at once, by batching it along each mesh axis
(the blocks of all devices stacked): `psum` over a mesh axis is a sum along
that batch axis, exactly as under `vmap(..., axis_name=...)`. `pmap` is
`shard_map` over a one-axis mesh, as in JAX 0.10. `jax.jit` on sharded
arguments propagates the shardings through the traced program with
per-primitive rules (computation follows data); on a mesh with explicit axes,
a contraction over sharded dimensions raises JAX's `ShardingTypeError`.
"""

from __future__ import annotations

import collections
import enum
import functools
import os
import re

from jaxlite import _batching as batching, _config, _core as core, _lax as lax, errors
from jaxlite import tree_util as tu
from jaxlite._array import ArrayImpl, to_array
from jaxlite._core import Primitive, ShapedArray, Tracer, get_aval


# ------------------------------------------------------------------ devices
class CpuDevice:
    """One of the simulated CPU devices."""

    __slots__ = ("id",)
    platform = "cpu"
    device_kind = "cpu"
    process_index = 0
    host_id = 0

    def __init__(self, id: int):
        self.id = id

    def __repr__(self):
        return f"CpuDevice(id={self.id})"

    def __str__(self):
        return f"cpu:{self.id}"

    def __hash__(self):
        return hash(("CpuDevice", self.id))

    def __eq__(self, other):
        return isinstance(other, CpuDevice) and other.id == self.id


_config._state.setdefault("jax_num_cpu_devices", -1)
_devices: list = []


def _requested_count() -> int:
    n = _config._state["jax_num_cpu_devices"]
    if n is not None and n > 0:
        return int(n)
    m = re.search(r"--xla_force_host_platform_device_count=(\d+)", os.environ.get("XLA_FLAGS", ""))
    return int(m.group(1)) if m else 1


def devices(backend=None) -> list:
    """The devices, fixed at first use (as JAX fixes them when its backend starts)."""
    if not _devices:
        _devices.extend(CpuDevice(i) for i in range(_requested_count()))
    return list(_devices)


def device_count(*_) -> int:
    return len(devices())


# ------------------------------------------------- object arrays of devices
class DeviceArray:
    """The NumPy object array of devices a mesh holds (`mesh.devices`), with
    NumPy's printing, since there is no NumPy here."""

    def __init__(self, flat, shape):
        self._flat, self.shape = list(flat), tuple(shape)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return len(self._flat)

    @property
    def flat(self):
        return iter(self._flat)

    def reshape(self, *shape):
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return DeviceArray(self._flat, shape)

    def tolist(self):
        def nest(flat, shape):
            if not shape:
                return flat[0]
            step = len(flat) // shape[0] if shape[0] else 0
            return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]
        return nest(self._flat, self.shape)

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        step = self.size // self.shape[0]
        for i in range(self.shape[0]):
            part = self._flat[i * step:(i + 1) * step]
            yield DeviceArray(part, self.shape[1:]) if self.ndim > 1 else part[0]

    def __getitem__(self, i):
        return list(self)[i]

    def __str__(self):
        return _format_object_array(self.tolist(), self.ndim)

    def __repr__(self):
        body = _format_object_array(self.tolist(), self.ndim, prefix="array(", width=75)
        return f"{body}, dtype=object)"


def _format_object_array(nested, ndim, prefix="", width=75):
    """NumPy's `_formatArray` for an object array: separator ' ' in str, ', ' in repr."""
    sep = ", " if prefix else " "

    def rec(a, depth, hanging, curr_width):
        left = ndim - depth
        if left == 0:
            return repr(a)   # NumPy prints the objects of an object array by repr
        if left == 1:
            elem_width = curr_width - max(len(sep.rstrip()), len("]"))
            s, line = "", hanging
            for i, x in enumerate(a):
                word = rec(x, depth + 1, hanging + " ", curr_width - 1)
                if i == len(a) - 1:
                    elem_width = curr_width - len("]")
                if len(line) + len(word) > elem_width and len(line) > len(hanging):
                    s += line.rstrip() + "\n"
                    line = hanging
                line += word
                if i < len(a) - 1:
                    line += sep
            s += line
            return "[" + s[len(hanging):] + "]"
        line_sep = sep.rstrip() + "\n" * (left - 1)
        s = ""
        for i, x in enumerate(a):
            nested_s = rec(x, depth + 1, hanging + " ", curr_width - 1)
            s += hanging + nested_s + (line_sep if i < len(a) - 1 else "")
        return "[" + s[len(hanging):] + "]"

    return prefix + rec(nested, 0, " " * (len(prefix) + 1), width)


def create_device_mesh(mesh_shape, devices_=None, **_):
    """`jax.experimental.mesh_utils.create_device_mesh`: the devices in order."""
    devs = list(devices_) if devices_ is not None else devices()
    n = 1
    for d in mesh_shape:
        n *= d
    if n != len(devs):
        raise ValueError(f"Number of devices {len(devs)} must equal the product of mesh_shape {tuple(mesh_shape)}")
    return DeviceArray(devs, mesh_shape)


# --------------------------------------------------------- meshes and specs
class AxisType(enum.Enum):
    Auto = enum.auto()
    Explicit = enum.auto()
    Manual = enum.auto()

    def __repr__(self):
        return self.name

    __str__ = __repr__


class PartitionSpec:
    """`P('data', None)`: for each array axis, the mesh axis (or axes) it is split over."""

    __slots__ = ("_partitions",)

    def __init__(self, *partitions):
        self._partitions = tuple(tuple(p) if isinstance(p, list) else p for p in partitions)

    def __iter__(self):
        return iter(self._partitions)

    def __len__(self):
        return len(self._partitions)

    def __getitem__(self, i):
        return self._partitions[i]

    def __repr__(self):
        inner = ", ".join(repr(p) for p in self._partitions)
        return f"P({inner}{',' if len(self._partitions) == 1 else ''})"

    __str__ = __repr__

    def __eq__(self, other):
        if isinstance(other, PartitionSpec):
            return self._partitions == other._partitions
        if isinstance(other, tuple):
            return self._partitions == other
        return NotImplemented

    def __hash__(self):
        return hash(self._partitions)


def _trimmed(parts):
    parts = list(parts)
    while parts and parts[-1] is None:
        parts.pop()
    return tuple(parts)


def _axes_of(entry) -> tuple:
    """The mesh axes one spec entry names: None -> (), 'x' -> ('x',)."""
    if entry is None:
        return ()
    return tuple(entry) if isinstance(entry, tuple) else (entry,)


class Mesh:
    """Devices in an n-dimensional grid with named axes."""

    def __init__(self, devices, axis_names, axis_types=None):
        if not isinstance(devices, DeviceArray):
            devices = _device_array_of(devices)
        axis_names = (axis_names,) if isinstance(axis_names, str) else tuple(axis_names)
        if len(axis_names) != devices.ndim:
            raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal the length of its "
                             f"second argument (`axis_names`), but got devices.ndim == {devices.ndim} and "
                             f"len(axis_names) == {len(axis_names)}.")
        if axis_types is None:
            axis_types = (AxisType.Auto,) * len(axis_names)
        elif isinstance(axis_types, AxisType):
            axis_types = (axis_types,)
        self.devices, self.axis_names, self.axis_types = devices, axis_names, tuple(axis_types)

    @property
    def axis_sizes(self):
        return self.devices.shape

    @property
    def shape(self):
        return collections.OrderedDict(zip(self.axis_names, self.axis_sizes))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self):
        return self.devices.size

    @property
    def device_ids(self):
        return DeviceArray([d.id for d in self.devices.flat], self.devices.shape)

    @property
    def abstract_mesh(self):
        return AbstractMesh(self.axis_sizes, self.axis_names, self.axis_types)

    @property
    def empty(self):
        return self.size == 0

    def _axis_list(self):
        return ", ".join(f"{n!r}: {s}" for n, s in zip(self.axis_names, self.axis_sizes))

    def __str__(self):
        return f"Mesh({self._axis_list()}, axis_types={self.axis_types})"

    def __repr__(self):
        return (f"Mesh(axis_sizes={self.axis_sizes}, axis_names={self.axis_names}, "
                f"axis_types={self.axis_types})")

    def _key(self):
        return (tuple(d.id for d in self.devices.flat), self.axis_sizes, self.axis_names, self.axis_types)

    def __eq__(self, other):
        return isinstance(other, Mesh) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @property
    def _explicit(self):
        return all(t is AxisType.Explicit for t in self.axis_types)


def _device_array_of(nested) -> DeviceArray:
    shape, level = [], nested
    while isinstance(level, (list, tuple)):
        shape.append(len(level))
        level = level[0] if level else None
    flat = []

    def walk(x):
        if isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        else:
            flat.append(x)
    walk(nested)
    return DeviceArray(flat, shape)


class AbstractMesh:
    """A mesh's axis names, sizes and types, without its devices."""

    def __init__(self, axis_sizes, axis_names, axis_types):
        self.axis_sizes, self.axis_names, self.axis_types = tuple(axis_sizes), tuple(axis_names), tuple(axis_types)

    def __repr__(self):
        axes = ", ".join(f"{n!r}: {s}" for n, s in zip(self.axis_names, self.axis_sizes))
        return (f"AbstractMesh({axes}, axis_types={self.axis_types}, device_kind=cpu, num_cores=None, "
                f"platform=cpu)")

    __str__ = __repr__


def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """`jax.make_mesh`: the first prod(axis_shapes) devices; axes are `Explicit` by default."""
    axis_shapes, axis_names = tuple(axis_shapes), tuple(axis_names)
    if len(axis_shapes) != len(axis_names):
        raise ValueError(f"Length of axis_shapes {len(axis_shapes)} must equal length of axis_names "
                         f"{len(axis_names)}")
    devs = list(devices) if devices is not None else globals()["devices"]()
    n = 1
    for s in axis_shapes:
        n *= s
    if n > len(devs):
        raise ValueError(f"Number of devices {len(devs)} must be >= the product of mesh_shape {axis_shapes}")
    if axis_types is None:
        axis_types = (AxisType.Explicit,) * len(axis_names)
    return Mesh(DeviceArray(devs[:n], axis_shapes), axis_names, axis_types)


class Sharding:
    """`jax.sharding.Sharding`: the base class."""


class SingleDeviceSharding(Sharding):
    def __init__(self, device, *, memory_kind=None):
        self._device = device

    @property
    def device_set(self):
        return {self._device}

    @property
    def num_devices(self):
        return 1

    @property
    def is_fully_replicated(self):
        return True

    @property
    def memory_kind(self):
        return "device"

    def __repr__(self):
        return f"SingleDeviceSharding(device={self._device!r}, memory_kind=device)"

    def __eq__(self, other):
        return isinstance(other, SingleDeviceSharding) and other._device == self._device

    def __hash__(self):
        return hash(self._device)


class NamedSharding(Sharding):
    """A `PartitionSpec` bound to a mesh."""

    def __init__(self, mesh, spec=None, *, memory_kind=None):
        self.mesh = mesh
        self.spec = PartitionSpec() if spec is None else spec if isinstance(spec, PartitionSpec) \
            else PartitionSpec(*spec)
        for entry in self.spec:
            for a in _axes_of(entry):
                if a not in mesh.axis_names:
                    raise ValueError(f"Resource axis: {a} of {self.spec} is not found in mesh: "
                                     f"{tuple(mesh.axis_names)}.")

    @property
    def memory_kind(self):
        return "device"

    @property
    def device_set(self):
        return set(self.mesh.devices.flat)

    @property
    def num_devices(self):
        return self.mesh.size

    @property
    def addressable_devices(self):
        return self.device_set

    @property
    def is_fully_replicated(self):
        return not any(_axes_of(e) for e in self.spec)

    def __repr__(self):
        return f"NamedSharding(mesh={self.mesh}, spec={self.spec!r}, memory_kind=device)"

    def __eq__(self, other):
        return isinstance(other, NamedSharding) and other.mesh == self.mesh and other.spec == self.spec

    def __hash__(self):
        return hash((self.mesh, self.spec))


class _InferFromArgs:
    def __repr__(self):
        return "jax.sharding.Infer"


Infer = _InferFromArgs()


# --------------------------------------------------------- sharded arrays
def _concrete(x) -> bool:
    """A concrete array (isinstance(x, ArrayImpl) also holds for tracers, as in JAX)."""
    return type(x) is ArrayImpl


def _padded(spec, ndim) -> tuple:
    """A spec as one tuple of mesh axes per array axis."""
    parts = [_axes_of(e) for e in spec]
    return tuple(parts[:ndim] + [()] * (ndim - len(parts)))


def _spec_from(parts, explicit) -> PartitionSpec:
    """A PartitionSpec from per-axis tuples: padded to the rank with None for
    explicit meshes (JAX's aval shardings), trimmed for Auto ones (XLA's)."""
    entries = [None if not p else p[0] if len(p) == 1 else p for p in parts]
    return PartitionSpec(*(entries if explicit else _trimmed(entries)))


def _check_divisible(shape, sharding):
    mesh = sharding.mesh
    for i, axes in enumerate(_padded(sharding.spec, len(shape))):
        n = 1
        for a in axes:
            n *= mesh.shape[a]
        if n > 1 and shape[i] % n:
            shown = (f"NamedSharding(mesh={mesh.abstract_mesh!r}, "   # the sharding of the array's type
                     f"spec={_spec_from(_padded(sharding.spec, len(shape)), True)!r})")
            raise ValueError(
                f"Sharding spec {axes} implies that array axis {i} is partitioned {n} times, but does "
                f"not evenly divide the dimension size {shape[i]}. Got shape: {tuple(shape)} and sharding {shown}")


def _with_sharding(x: ArrayImpl, sharding) -> ArrayImpl:
    out = ArrayImpl(x.data, x.shape, x.dtype, x.weak_type)
    out._sharding = sharding
    return out


def device_put(x, device=None):
    """`jax.device_put`: on a device, or split over a mesh by a NamedSharding."""
    def put(v, where):
        if isinstance(v, Tracer):
            return v
        v = to_array(v)
        if where is None:
            return v
        if isinstance(where, CpuDevice):
            return _with_sharding(v, None if where.id == 0 else SingleDeviceSharding(where))
        if isinstance(where, SingleDeviceSharding):
            return put(v, where._device)
        if isinstance(where, NamedSharding):
            _check_divisible(v.shape, where)
            return _with_sharding(v, where)
        raise TypeError(f"device_put: unsupported destination {where!r}")

    if isinstance(device, (Sharding, CpuDevice)) or device is None:
        return tu.tree_map(lambda v: put(v, device), x)
    return tu.tree_map(put, x, device, is_leaf=lambda s: isinstance(s, (Sharding, CpuDevice)))


def array_sharding(x: ArrayImpl):
    s = getattr(x, "_sharding", None)
    return SingleDeviceSharding(devices()[0]) if s is None else s


class Shard:
    """One device's piece of an array (`x.addressable_shards[i]`)."""

    def __init__(self, device, index, replica_id, data):
        self.device, self.index, self.replica_id, self.data = device, index, replica_id, data

    def __repr__(self):
        return (f"Shard(device={self.device!r}, index={self.index}, replica_id={self.replica_id}, "
                f"data={self.data})")


def _device_coords(mesh):
    """(device, {axis: coordinate}) for each device of the mesh, in mesh order."""
    sizes = mesh.axis_sizes
    out = []
    for flat_i, dev in enumerate(mesh.devices.flat):
        coords, rest = {}, flat_i
        for name, size in reversed(list(zip(mesh.axis_names, sizes))):
            rest, coords[name] = divmod(rest, size)
        out.append((dev, coords))
    return out


def _block_index(shape, parts, mesh, coords):
    index = []
    for d, axes in zip(shape, parts):
        if not axes:
            index.append(slice(None, None, None))
            continue
        pos, n = 0, 1
        for a in axes:
            pos, n = pos * mesh.shape[a] + coords[a], n * mesh.shape[a]
        step = d // n
        index.append(slice(pos * step, (pos + 1) * step, None))
    return tuple(index)


def addressable_shards(x: ArrayImpl) -> list:
    s = array_sharding(x)
    if not isinstance(s, NamedSharding):
        device = next(iter(s.device_set))
        return [Shard(device, tuple(slice(None, None, None) for _ in x.shape), 0,
                      _with_sharding(x, s if device.id else None))]
    parts = _padded(s.spec, x.ndim)
    seen: dict = {}
    shards = []
    for dev, coords in _device_coords(s.mesh):
        index = _block_index(x.shape, parts, s.mesh, coords)
        key = tuple((sl.start, sl.stop) for sl in index)
        replica = seen[key] = seen.get(key, -1) + 1
        data = x[index] if any(sl.start is not None for sl in index) else x
        data = ArrayImpl(data.data, data.shape, data.dtype, data.weak_type)
        data._sharding = SingleDeviceSharding(dev) if dev.id else None
        shards.append(Shard(dev, index, replica, data))
    return shards


class _ShardedAval(ShapedArray):
    """The type of an array on a mesh with explicit axes: `float32[4@data,8]`."""

    __slots__ = ("parts",)

    def __init__(self, aval, parts):
        super().__init__(aval.shape, aval.dtype, aval.weak_type, aval.vma)
        self.parts = parts

    def str_short(self, short_dtypes: bool = True) -> str:
        name = self.dtype.short if short_dtypes else self.dtype.name
        dims = []
        for d, axes in zip(self.shape, self.parts):
            if not axes:
                dims.append(str(d))
            else:
                dims.append(f"{d}@{axes[0]}" if len(axes) == 1 else f"{d}@({','.join(axes)})")
        return f"{name}[{','.join(dims)}]"


def typeof(x):
    """`jax.typeof`: the aval, with the sharding of explicit mesh axes."""
    aval = get_aval(x)
    s = getattr(x, "_sharding", None) if _concrete(x) else None
    if isinstance(s, NamedSharding):
        explicit = {n for n, t in zip(s.mesh.axis_names, s.mesh.axis_types) if t is AxisType.Explicit}
        parts = tuple(tuple(a for a in axes if a in explicit) for axes in _padded(s.spec, aval.ndim))
        if any(parts):
            return _ShardedAval(aval, parts)
    return aval


# ----------------------------------------------------- sharding propagation
class ShardingTypeError(Exception):
    """JAX's error for an operation whose output sharding is ambiguous."""


ShardingTypeError.__module__ = "jax._src.core"


def jit_out_shardings(closed, leaves):
    """The output shardings of a jitted function called on `leaves`, or None
    when no argument is on a mesh. Raises ShardingTypeError where JAX does."""
    shardings = [getattr(x, "_sharding", None) if _concrete(x) else None for x in leaves]
    named = [s for s in shardings if isinstance(s, NamedSharding)]
    if not named:
        return None
    mesh = named[0].mesh
    explicit = mesh._explicit
    in_parts = []
    for x, s in zip(leaves, shardings):
        nd = get_aval(x).ndim
        in_parts.append(_padded(s.spec, nd) if isinstance(s, NamedSharding) and s.mesh == mesh else ((),) * nd)
    out_parts = _propagate(closed.jaxpr, in_parts, mesh, explicit)
    return [NamedSharding(mesh, _spec_from(p, explicit)) for p in out_parts]


def attach(outs, shardings):
    return [_with_sharding(o, s) if _concrete(o) else o for o, s in zip(outs, shardings)]


def _propagate(jaxpr, in_parts, mesh, explicit):
    env = {}

    def read(a):
        if isinstance(a, core.Literal):
            return ((),) * a.aval.ndim
        return env.get(a, ((),) * a.aval.ndim)

    for v, p in zip(jaxpr.invars, in_parts):
        env[v] = p
    for eqn in jaxpr.eqns:
        ins = [read(a) for a in eqn.invars]
        rule = _rules.get(eqn.primitive.name, _elementwise_rule)
        outs = rule(eqn, ins, mesh, explicit)
        for v, p in zip(eqn.outvars, outs):
            env[v] = p
    return [read(a) for a in jaxpr.outvars]


def _elementwise_rule(eqn, ins, mesh, explicit):
    """Outputs shaped like a same-shaped operand take its sharding; others are replicated."""
    outs = []
    for o in eqn.outvars:
        parts = [((),) * o.aval.ndim]
        for a, p in zip(eqn.invars, ins):
            if a.aval.shape == o.aval.shape and any(p):
                parts.append(p)
        merged = tuple(next((p[i] for p in parts if p[i]), ()) for i in range(o.aval.ndim))
        outs.append(merged)
    return outs


def _broadcast_rule(eqn, ins, mesh, explicit):
    shape, dims = eqn.params["shape"], eqn.params["broadcast_dimensions"]
    in_shape = eqn.invars[0].aval.shape
    out = [()] * len(shape)
    for i, d in enumerate(dims):
        if in_shape[i] == shape[d]:
            out[d] = ins[0][i]
    return [tuple(out)]


def _transpose_rule(eqn, ins, mesh, explicit):
    return [tuple(ins[0][i] for i in eqn.params["permutation"])]


def _reduce_rule(eqn, ins, mesh, explicit):
    axes = set(eqn.params["axes"])
    return [tuple(p for i, p in enumerate(ins[0]) if i not in axes)]


def _reshape_rule(eqn, ins, mesh, explicit):
    """A split dimension survives a reshape that keeps it, and everything before it, whole."""
    in_shape, out_shape = eqn.invars[0].aval.shape, eqn.outvars[0].aval.shape
    out = [()] * len(out_shape)
    for i, axes in enumerate(ins[0]):
        if not axes:
            continue
        before = 1
        for d in in_shape[:i]:
            before *= d
        acc = 1
        for j, d in enumerate(out_shape):
            if acc == before and d == in_shape[i]:
                out[j] = axes
                break
            acc *= d
    return [tuple(out)]


def _squeeze_rule(eqn, ins, mesh, explicit):
    dims = {d % len(ins[0]) for d in eqn.params["dimensions"]}
    return [tuple(p for i, p in enumerate(ins[0]) if i not in dims)]


def _dot_rule(eqn, ins, mesh, explicit):
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    lp, rp = ins
    lcs, rcs = [lp[i] for i in lc], [rp[i] for i in rc]
    if any(lcs) or any(rcs):
        if explicit and eqn.params.get("out_sharding") is None:
            def shown(ps):
                return tuple(None if not p else p[0] if len(p) == 1 else p for p in ps)
            raise ShardingTypeError(
                "Contracting dimensions are sharded and it is ambiguous how the output should be sharded. Please "
                "specify the output sharding via the `out_sharding` parameter. Got "
                f"lhs_contracting_spec={shown(lcs)} and rhs_contracting_spec={shown(rcs)}")
    lfree = [i for i in range(len(lp)) if i not in lc and i not in lb]
    rfree = [i for i in range(len(rp)) if i not in rc and i not in rb]
    out, used = [], set()
    for part in [lp[i] or rp[j] for i, j in zip(lb, rb)] + [lp[i] for i in lfree] + [rp[i] for i in rfree]:
        part = () if used & set(part) else part
        used.update(part)
        out.append(part)
    return [tuple(out)]


def _jit_rule(eqn, ins, mesh, explicit):
    return _propagate(eqn.params["jaxpr"].jaxpr, ins, mesh, explicit)


def _shard_map_rule(eqn, ins, mesh, explicit):
    return [_padded(s, o.aval.ndim) for s, o in zip(eqn.params["out_specs"], eqn.outvars)]


def _replicated_rule(eqn, ins, mesh, explicit):
    return [((),) * o.aval.ndim for o in eqn.outvars]


_rules = {
    "broadcast_in_dim": _broadcast_rule, "transpose": _transpose_rule, "reshape": _reshape_rule,
    "squeeze": _squeeze_rule, "dot_general": _dot_rule, "jit": _jit_rule, "shard_map": _shard_map_rule,
    **{name: _reduce_rule for name in ("reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and",
                                       "reduce_or", "argmax", "argmin")},
    **{name: _replicated_rule for name in ("cond", "while", "scan", "custom_jvp_call", "custom_vjp_call",
                                           "gather", "scatter", "scatter-add", "concatenate", "pad", "slice",
                                           "dynamic_slice", "dynamic_update_slice", "iota", "sort", "cumsum")},
}


# ------------------------------------------------------------ collectives
# Axis names bound while `shard_map`/`pmap` trace their function: name -> size.
_axis_env: list = []


def _bound_axis_size(name):
    for env in reversed(_axis_env):
        if name in env:
            return env[name]
    for main in reversed(core.trace_stack):
        if main.trace_type is batching.BatchTrace and main.global_data[1] == name:
            return main.global_data[0]
    raise NameError(f"Found an unbound axis name: {name}. To fix this, please call psum under `jax.shard_map`.")


def _axes_tuple(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _make_collective(name, reduce_fn):
    p = Primitive(name)

    def impl(x, *, axes, axis_index_groups=None):
        # Reached only with a value that is the same on every member of `axes`.
        if name != "psum":
            return lax.convert_element_type(x, x.dtype, weak_type=False)
        n = 1
        for a in axes:
            n *= _bound_axis_size(a)
        out = _jnp().multiply(x, n) if n != 1 else x
        return lax.convert_element_type(out, out.dtype, weak_type=False)

    def batch(trace, vals, dims, *, axes, axis_index_groups=None):
        (x,), (d,) = vals, dims
        if trace.axis_name not in axes:
            return p.bind(x, axes=axes, axis_index_groups=axis_index_groups), d
        rest = tuple(a for a in axes if a != trace.axis_name)
        out = reduce_fn(x, d)
        return (p.bind(out, axes=rest, axis_index_groups=axis_index_groups) if rest else out), None
    batch.needs_trace = True

    core.impl_rules[p] = impl
    core.abstract_eval_rules[p] = lambda a, *, axes, axis_index_groups=None: a.update(vma=a.vma - set(axes),
                                                                                        weak_type=False)
    core.batch_rules[p] = batch
    core.vma_rules.add(p)
    return p


def _jnp():
    from jaxlite import numpy as jnp
    return jnp


def _members(x, d):
    """The values of the members of a batched axis, in order."""
    shape = get_aval(x).shape
    rest = shape[:d] + shape[d + 1:]
    for i in range(shape[d]):
        start = [0] * len(shape)
        limit = list(shape)
        start[d], limit[d] = i, i + 1
        yield lax.reshape(lax.slice_(x, tuple(start), tuple(limit)), rest)


def _all_reduce(op):
    """XLA's all-reduce on CPU: the devices' values combined one after another,
    in device order (so float32 sums round exactly as there)."""
    def reduce(x, d):
        members = _members(x, d)
        out = next(members)
        for m in members:
            out = op(out, m)
        return lax.convert_element_type(out, get_aval(out).dtype, weak_type=False)
    return reduce


psum_p = _make_collective("psum", _all_reduce(lambda a, b: _jnp().add(a, b)))
pmax_p = _make_collective("pmax", _all_reduce(lambda a, b: _jnp().maximum(a, b)))
pmin_p = _make_collective("pmin", _all_reduce(lambda a, b: _jnp().minimum(a, b)))

# pvary: a value the same on every device, taken as varying along `axes`.
pvary_p = Primitive("pvary")
core.impl_rules[pvary_p] = lambda x, *, axes: x
core.abstract_eval_rules[pvary_p] = lambda a, *, axes: a.update(vma=a.vma | set(axes))
core.batch_rules[pvary_p] = lambda vals, dims, *, axes: (pvary_p.bind(vals[0], axes=axes), dims[0])
core.vma_rules.add(pvary_p)


def _linear(p, transpose):
    def jvp(primals, tangents, **params):
        from jaxlite._ad import instantiate
        return p.bind(primals[0], **params), p.bind(instantiate(tangents[0]), **params)
    core.jvp_rules[p] = jvp
    core.transpose_rules[p] = transpose


# psum's transpose hands the (invariant) cotangent to every device; pvary's
# sums the per-device cotangents: the gradient of a replicated value.
_linear(psum_p, lambda ct, x, *, axes, axis_index_groups=None: [pvary_p.bind(ct, axes=axes)])
_linear(pvary_p, lambda ct, x, *, axes: [psum_p.bind(ct, axes=axes, axis_index_groups=None)])


def _vma(x):
    try:
        return get_aval(x).vma
    except TypeError:
        return frozenset()


def insert_pvary(primitive, args):
    """Inside shard_map, operands of one primitive must vary along the same
    mesh axes: the invariant ones are cast with pvary (JAX does the same)."""
    if primitive in core.vma_rules or primitive.multiple_results or len(args) < 2:
        return args
    vmas = [_vma(a) for a in args]
    union = frozenset().union(*vmas)
    if not union or all(v == union for v in vmas):
        return args
    return [a if v == union else pvary_p.bind(a, axes=tuple(sorted(union - v))) for a, v in zip(args, vmas)]


def _collective(p, x, axis_name):
    axes = _axes_tuple(axis_name)
    for a in axes:
        _bound_axis_size(a)

    def one(v):
        if core.vma_hook is not None and p is psum_p:
            missing = tuple(a for a in axes if a not in _vma(v))
            if missing:
                v = pvary_p.bind(v, axes=missing)
        return p.bind(v, axes=axes, axis_index_groups=None)
    return tu.tree_map(one, x)


def psum(x, axis_name, *, axis_index_groups=None):
    return _collective(psum_p, x, axis_name)


def pmean(x, axis_name, *, axis_index_groups=None):
    n = 1
    for a in _axes_tuple(axis_name):
        n *= _bound_axis_size(a)
    return tu.tree_map(lambda v: _jnp().true_divide(v, n), psum(x, axis_name))


def pmax(x, axis_name, *, axis_index_groups=None):
    return _collective(pmax_p, x, axis_name)


def pmin(x, axis_name, *, axis_index_groups=None):
    return _collective(pmin_p, x, axis_name)


def pcast(x, axis_name, *, to):
    """`jax.lax.pcast(x, axes, to='varying')`: make invariant values per-device."""
    if to != "varying":
        raise errors.not_available(f"jax.lax.pcast(..., to={to!r})")
    axes = _axes_tuple(axis_name)
    for a in axes:
        _bound_axis_size(a)

    def one(v):
        missing = tuple(a for a in axes if a not in _vma(v))
        return pvary_p.bind(v, axes=missing) if missing else v
    return tu.tree_map(one, x)


pvary = functools.partial(pcast, to="varying")


axis_index_p = Primitive("axis_index")


def _axis_index_impl(*, axis_name):
    for main in reversed(core.trace_stack):
        if main.trace_type is batching.BatchTrace and main.global_data[1] == axis_name:
            trace = batching.BatchTrace(main)
            return batching.BatchTracer(trace, _jnp().arange(main.global_data[0], dtype="int32"), 0)
    raise NameError(f"Found an unbound axis name: {axis_name}. To fix this, please call psum under `jax.shard_map`.")


core.impl_rules[axis_index_p] = _axis_index_impl
core.abstract_eval_rules[axis_index_p] = lambda *, axis_name: ShapedArray(
    (), _dtype("int32"), False, frozenset([axis_name]) if core.vma_hook is not None else frozenset())
core.vma_rules.add(axis_index_p)


def _dtype(name):
    from jaxlite import _dtypes
    return _dtypes.dtype(name)


def axis_index(axis_name):
    _bound_axis_size(axis_name)
    return axis_index_p.bind(axis_name=axis_name)


# -------------------------------------------------------------- shard_map
shard_map_p = Primitive("shard_map", multiple_results=True)


def _stack_blocks(x, parts, mesh):
    """A global array as the blocks of all devices, stacked: one leading axis
    per mesh axis that `parts` splits over (in mesh order), then the block."""
    shape = get_aval(x).shape
    split_shape, positions = [], {}
    for d, axes in zip(shape, parts):
        n = 1
        for a in axes:
            positions[a] = len(split_shape)
            split_shape.append(mesh.shape[a])
            n *= mesh.shape[a]
        positions[("block", len(positions))] = len(split_shape)
        split_shape.append(d // n)
    x = lax.reshape(x, tuple(split_shape))
    mesh_dims = [positions[a] for a in mesh.axis_names if a in positions]
    block_dims = [i for i in range(len(split_shape)) if i not in mesh_dims]
    return lax.transpose(x, tuple(mesh_dims + block_dims))


def _unstack_blocks(x, parts, mesh):
    """The inverse of `_stack_blocks`."""
    names = [a for a in mesh.axis_names if any(a in p for p in parts)]
    nm = len(names)
    perm = []
    for k, axes in enumerate(parts):
        perm.extend(names.index(a) for a in axes)
        perm.append(nm + k)
    x = lax.transpose(x, tuple(perm))
    shape = get_aval(x).shape
    out, i = [], 0
    for axes in parts:
        n = 1
        for _ in axes:
            n *= shape[i]
            i += 1
        out.append(n * shape[i])
        i += 1
    return lax.reshape(x, tuple(out))


def _shard_map_impl(*args, jaxpr, mesh, in_specs, out_specs, check_vma, pmap_layout=False):
    """Every device's block, stacked, through the body batched along each mesh
    axis. In `pmap_layout` the arguments and results already have one leading
    axis per device (pmap's); otherwise they are global arrays split by the specs."""
    names = mesh.axis_names
    if pmap_layout:
        in_parts = [((names[0],),) if len(s) else () for s in in_specs]
        out_parts = [((names[0],),) for _ in out_specs]
    else:
        in_parts = [_padded(s, get_aval(x).ndim) for s, x in zip(in_specs, args)]
        out_parts = [_padded(s, a.ndim) for s, a in zip(out_specs, jaxpr.out_avals)]
        args = [_stack_blocks(x, p, mesh) for x, p in zip(args, in_parts)]

    def body(*blocks):
        return core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, blocks)

    f = body
    for name, size in reversed(list(zip(names, mesh.axis_sizes))):
        f = _spmd_level(f, name, size,
                        [any(name in p for p in parts) for parts in in_parts],
                        [any(name in p for p in parts) for parts in out_parts])
    outs = f(*args)
    if pmap_layout:
        return outs
    return [_unstack_blocks(o, p, mesh) for o, p in zip(outs, out_parts)]


def _spmd_level(f, name, size, in_mapped, out_mapped):
    """`f` run on every position along one mesh axis: vmap with its name."""
    def g(*args):
        dims = [0 if m else None for m in in_mapped]
        outs = batching.vmap_flat(f, dims, args, size, name)
        res = []
        for (v, d), m in zip(outs, out_mapped):
            if m:
                res.append(batching.batch_at(v, d, size, 0))
            else:   # replicated along this axis: every device holds the same value
                res.append(v if d is None else batching.moveaxis(v, d, 0)[0])
        return res
    return g


def _shard_map_abstract(*avals, jaxpr, mesh, in_specs, out_specs, check_vma, pmap_layout=False):
    outs = []
    for s, a in zip(out_specs, jaxpr.out_avals):
        if pmap_layout:
            outs.append(ShapedArray((mesh.size,) + a.shape, a.dtype, a.weak_type))
            continue
        shape = list(a.shape)
        for i, axes in enumerate(_padded(s, a.ndim)):
            for ax in axes:
                shape[i] *= mesh.shape[ax]
        outs.append(ShapedArray(tuple(shape), a.dtype, a.weak_type))
    return outs


core.impl_rules[shard_map_p] = _shard_map_impl
core.abstract_eval_rules[shard_map_p] = _shard_map_abstract
core.vma_rules.add(shard_map_p)


def _is_spec(x):
    return x is None or isinstance(x, PartitionSpec)


def _broadcast_specs(specs, tree, what):
    """One PartitionSpec per leaf of `tree`, from a prefix tree of specs."""
    proxy = object()
    dummy = tu.tree_unflatten(tree, [proxy] * tree.num_leaves)
    out = []
    try:
        tu.tree_map(lambda s, sub: out.extend([s if s is not None else PartitionSpec()]
                                              * len(tu.tree_leaves(sub))),
                    specs, dummy, is_leaf=_is_spec)
    except ValueError:
        raise ValueError(f"shard_map {what} must be a tree prefix of the corresponding value, got {specs}") from None
    return out


def _rep_error(mesh, spec):
    unmentioned = [a for a in mesh.axis_names if not any(a in _axes_of(e) for e in spec)]
    # JAX 0.10.2 names its internal wrapper here, whatever the function is called.
    return ValueError(
        "shard_map applied to the function '_rem_singleton' was given out_specs which require replication which "
        "can't be statically inferred given the mesh:\n\n"
        f"The mesh given has shape {tuple(mesh.axis_sizes)} with corresponding axis names {mesh.axis_names}.\n\n"
        f"out_specs is {spec} which implies that the corresponding output value is replicated across mesh axis "
        f"'{unmentioned[0]}', but could not infer replication over any axes\n\n"
        "Check if these output values are meant to be replicated over those mesh axes. If not, consider revising "
        "the corresponding out_specs entries. If so, consider disabling the check by passing the check_vma=False "
        "argument to `jax.shard_map`.")


def _trace_body(fun, in_tree, block_avals, env, check_vma):
    """The jaxpr of `fun` on one device's blocks (pytree `in_tree`), with the
    mesh axes of `env` bound, and its output tree."""
    from jaxlite._tracing import trace_to_jaxpr
    out_tree_box = []

    def flat_fun(*blocks):
        out = fun(*tu.tree_unflatten(in_tree, list(blocks)))
        ol, ot = tu.tree_flatten(out)
        out_tree_box.append(ot)
        return ol

    _axis_env.append(env)
    saved = core.vma_hook
    core.vma_hook = insert_pvary if check_vma else None
    try:
        jaxpr, _ = trace_to_jaxpr(flat_fun, block_avals)
    finally:
        core.vma_hook = saved
        _axis_env.pop()
    return jaxpr, out_tree_box[0]


def shard_map(f: F | None = None, /, *, out_specs: Specs, in_specs: Specs | None | InferFromArgs = Infer,
              mesh: Mesh | AbstractMesh | None = None, axis_names: Set[AxisName] = frozenset(),
              check_vma: bool = True) -> F | Callable[[G], G]:
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh, axis_names=axis_names,
                                   check_vma=check_vma)
    if mesh is None:
        raise ValueError("shard_map requires a `mesh`: jaxlite has no ambient mesh (jax.set_mesh)")

    @functools.wraps(f)
    def wrapped(*args):
        leaves, in_tree = tu.tree_flatten(args)
        if in_specs is Infer:
            specs = [s.spec if isinstance(s := getattr(x, "_sharding", None), NamedSharding) else PartitionSpec()
                     for x in leaves]
        else:
            specs = _broadcast_specs(in_specs, in_tree, "in_specs")
        block_avals = []
        for x, spec in zip(leaves, specs):
            aval = get_aval(x)
            parts = _padded(spec, aval.ndim)
            _check_input_spec(x, spec, mesh)
            shape = list(aval.shape)
            for i, axes in enumerate(parts):
                n = 1
                for a in axes:
                    n *= mesh.shape[a]
                shape[i] //= n
            vma = frozenset(a for axes in parts for a in axes) if check_vma else frozenset()
            block_avals.append(ShapedArray(tuple(shape), aval.dtype, aval.weak_type, vma))
        jaxpr, out_tree = _trace_body(f, in_tree, block_avals, dict(mesh.shape), check_vma)
        o_specs = _broadcast_specs(out_specs, out_tree, "out_specs")
        for spec, aval in zip(o_specs, jaxpr.out_avals):
            if len(spec) > aval.ndim:
                raise ValueError(f"shard_map applied to the function '{getattr(f, '__name__', f)}' was given an "
                                 "out_specs entry which is too long to be compatible with the corresponding output "
                                 f"value from the function:\n\nout_specs is {spec} which has length {len(spec)}, "
                                 f"but the output has shape {aval.str_short()}")
        if check_vma:
            for spec, aval in zip(o_specs, jaxpr.out_avals):
                mentioned = {a for e in spec for a in _axes_of(e)}
                if aval.vma - mentioned:
                    raise _rep_error(mesh, spec)
        outs = shard_map_p.bind(*leaves, jaxpr=jaxpr, mesh=mesh, in_specs=tuple(specs), out_specs=tuple(o_specs),
                                check_vma=check_vma)
        if not isinstance(outs[0] if outs else None, Tracer):
            outs = [_with_sharding(o, NamedSharding(mesh, _spec_from(_padded(s, o.ndim), mesh._explicit)))
                    if _concrete(o) else o for o, s in zip(outs, o_specs)]
        return tu.tree_unflatten(out_tree, outs)
    return wrapped


def _check_input_spec(x, spec, mesh):
    if not _concrete(x) or not mesh._explicit:
        return   # (under jit, jaxlite's types carry no shardings to check against)
    s = getattr(x, "_sharding", None)
    have = s.spec if isinstance(s, NamedSharding) and s.mesh == mesh else PartitionSpec()
    nd = get_aval(x).ndim
    if _padded(have, nd) != _padded(spec, nd):
        shown, wanted = _spec_from(_padded(have, nd), True), _spec_from(_padded(spec, nd), True)
        raise ValueError(
            f"in_specs passed to shard_map: {wanted} does not match the specs of the input: {shown} for arg: "
            f"{get_aval(x).str_short(short_dtypes=False)}. `in_specs` is an optional argument so you can omit "
            "specifying it and shard_map will infer the in_specs from the arguments. If you want to reshard your "
            "inputs, you can use `jax.reshard` on the arguments and then pass those args to shard_map.")


# ------------------------------------------------------------------- pmap
class IndivisibleError(ValueError):
    """JAX's error for an array axis that a sharding cannot split evenly."""


_PMAP_AXIS = "_internal_pmap_axis_name"


def pmap(fun=None, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(), devices=None,
         backend=None, axis_size=None, donate_argnums=(), global_arg_shapes=None):
    """Old way of doing parallel map. Use :py:func:`jax.shard_map` instead.

    Maps ``fun`` over the leading axis of its arguments, one slice per device,
    with collectives over ``axis_name``. jaxlite runs it as JAX 0.10 does: as
    ``shard_map`` over a one-axis mesh of the first devices.
    """
    if fun is None:
        return lambda f: pmap(f, axis_name, in_axes=in_axes, out_axes=out_axes, devices=devices)
    from jaxlite._api import _flatten_axes
    name = _PMAP_AXIS if axis_name is None else axis_name
    cache: dict = {}

    @functools.wraps(fun)
    def pmapped(*args):
        leaves, in_tree = tu.tree_flatten(args)
        dims = _flatten_axes("pmap in_axes", tu.tree_structure(args),
                             in_axes if not isinstance(in_axes, list) else tuple(in_axes))
        leaves = [to_array(x) if not isinstance(x, Tracer) else x for x in leaves]
        sizes = {get_aval(x).shape[d] for x, d in zip(leaves, dims) if d is not None}
        n = sizes.pop() if sizes else axis_size
        devs = list(devices) if devices is not None else globals()["devices"]()
        if n > len(devs):   # JAX 0.10 tries to split the axis over all the devices
            if n % len(devs):
                full = NamedSharding(Mesh(DeviceArray(devs, (len(devs),)), (_PMAP_AXIS,)), PartitionSpec(_PMAP_AXIS))
                shape = next(get_aval(x).shape for x, d in zip(leaves, dims) if d is not None)
                raise IndivisibleError(
                    f"Sharding {full!r} implies that array axis 0 is partitioned {len(devs)} times, but the "
                    f"dimension size is {n} (full shape: {shape}, per-dimension tiling factors: [{len(devs)}] "
                    "should evenly divide the shape)")
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one, got "
                             f"shape=({n // len(devs)},) and dimensions=(0,)")
        mesh = Mesh(DeviceArray(devs[:n], (n,)), (name,), (AxisType.Auto,))
        stacked = [batching.moveaxis(x, d, 0) if d else x for x, d in zip(leaves, dims)]
        key = (in_tree, tuple(dims), tuple(get_aval(x) for x in stacked), n)
        entry = cache.get(key)
        if entry is None:
            block_avals = [get_aval(x) if d is None else get_aval(x).update(shape=get_aval(x).shape[1:])
                           for x, d in zip(stacked, dims)]
            entry = cache[key] = _trace_body(fun, in_tree, block_avals, {name: n}, check_vma=False)
        jaxpr, out_tree = entry
        in_specs = tuple(PartitionSpec() if d is None else PartitionSpec(name) for d in dims)
        out_specs = tuple(PartitionSpec(name) for _ in jaxpr.out_avals)
        outs = shard_map_p.bind(*stacked, jaxpr=jaxpr, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                                check_vma=False, pmap_layout=True)
        o_axes = _flatten_axes("pmap out_axes", out_tree, out_axes)
        outs = [batching.moveaxis(o, 0, a) if a else o for o, a in zip(outs, o_axes)]
        sharding = NamedSharding(mesh, PartitionSpec(name))
        outs = [_with_sharding(o, sharding) if _concrete(o) else o for o in outs]
        return tu.tree_unflatten(out_tree, outs)
    return pmapped
