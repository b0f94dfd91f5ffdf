"""The matrix decompositions as primitives, with JAX's lax.linalg names,
outputs and parameters: eigh, lu, cholesky, qr, svd and triangular_solve.

Each primitive takes arrays of shape (..., m, n) and factors every matrix
of the leading batch dimensions in turn with the pure-Python kernels of
`_linalg_kernels` (double precision, rounded once to the output dtype).
So a batch rule only has to move the vmapped axis to the front.

Derivatives follow JAX's rules (jax/_src/lax/linalg.py): JVPs for eigh,
lu, cholesky, svd and triangular_solve, and a transpose for triangular_solve
in its right-hand side, which is all that solve, inv, det and slogdet need
in forward and reverse mode. qr has no derivative rule here yet.

Eigenvectors from `eigh` are computed when first read: `jnp.linalg.eigvalsh`
runs eigh and never looks at them, and for a 100x100 matrix accumulating
them costs five times more than the eigenvalues.
"""

from __future__ import annotations

from jaxlite import _core as core, _dtypes, _lax as lax
from jaxlite import _linalg_kernels as kernels
from jaxlite._ad import Zero, add_tangents, is_undefined
from jaxlite._array import ArrayImpl
from jaxlite._core import Primitive, ShapedArray

eigh_p = Primitive("eigh", multiple_results=True)            # -> eigenvectors v, eigenvalues w
lu_p = Primitive("lu", multiple_results=True)                # -> lu, pivots, permutation
cholesky_p = Primitive("cholesky")
qr_p = Primitive("qr", multiple_results=True)                # -> q, r
svd_p = Primitive("svd", multiple_results=True)              # -> s, u, vt (or s alone)
triangular_solve_p = Primitive("triangular_solve")


# ------------------------------------------------------------ shapes, data
def _check_operand(name, i, aval, rank=2):
    if aval.ndim < rank:
        raise TypeError(f"Input {i} to {name} must have rank at least {rank}, but got shape={aval.shape}")
    if aval.dtype.kind != "f":
        raise TypeError(f"{name} does not accept dtype {aval.dtype.name}. Accepted dtypes are subtypes of "
                        "floating, complexfloating.")


def _matrices(x):
    """The matrices of x (shape (..., m, n)): one list of float rows each."""
    *batch, m, n = x.shape
    data, size = x.data, m * n
    count = lax.size_of(batch)
    return [[data[b * size + i * n:b * size + (i + 1) * n] for i in range(m)] for b in range(count)]


def _array(mats, shape, dtype) -> ArrayImpl:
    flat = [v for mat in mats for row in mat for v in row]
    return ArrayImpl(_dtypes.round_list(dtype, flat), tuple(shape), dtype)


def _vector_array(vecs, shape, dtype) -> ArrayImpl:
    return ArrayImpl(_dtypes.round_list(dtype, [v for vec in vecs for v in vec]), tuple(shape), dtype)


class _DeferredArray(ArrayImpl):
    """A concrete array whose data is computed when first read. To the
    reader it is an ArrayImpl like any other (type, repr, methods)."""

    __slots__ = ("_compute",)

    def __init__(self, compute, shape, dtype):
        super().__init__(None, shape, dtype)
        self._compute = compute

    @property
    def data(self) -> list:
        if self._compute is not None:
            self._data, self._compute = self._compute(), None
        return ArrayImpl.data.fget(self)


_DeferredArray.__module__, _DeferredArray.__qualname__, _DeferredArray.__name__ = \
    ArrayImpl.__module__, ArrayImpl.__qualname__, ArrayImpl.__name__


def _T(x):
    """The matrix transpose of every matrix in x."""
    nd = core.get_aval(x).ndim
    return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _np():
    from jaxlite import numpy as jnp
    return jnp


def _front_batcher(prim):
    """Batch rule of a one-operand primitive: the vmapped axis goes in front,
    where the impl already loops over batch dimensions."""
    def rule(args, dims, **params):
        from jaxlite import _batching
        x = _batching.moveaxis_to_front(args[0], dims[0])
        out = prim.bind(x, **params)
        return out, [0] * len(out) if prim.multiple_results else 0
    return rule


# ------------------------------------------------------------------- eigh
def _eigh_aval(x, *, lower, sort_eigenvalues, subset_by_index, algorithm):
    _check_operand("eigh", 0, x)
    *batch, m, n = x.shape
    if m != n:
        raise ValueError(f"Argument to symmetric eigendecomposition must have shape [..., n, n], got shape {(m, n)}")
    d = n if subset_by_index is None else subset_by_index[1] - subset_by_index[0]
    return [ShapedArray(tuple(batch) + (n, d), x.dtype), ShapedArray(tuple(batch) + (d,), x.dtype)]


def _eigh_impl(x, *, lower, sort_eigenvalues, subset_by_index, algorithm):
    v_aval, w_aval = _eigh_aval(core.get_aval(x), lower=lower, sort_eigenvalues=sort_eigenvalues,
                                subset_by_index=subset_by_index, algorithm=algorithm)
    lo, hi = subset_by_index or (0, x.shape[-1])
    results = [kernels.eigh(a, lower) for a in _matrices(x)]
    values = [w[lo:hi] for w, _ in results]

    def vectors():   # as columns: v[i][j] is component i of eigenvector j
        return _array([kernels.transpose(vecs()[lo:hi]) for _, vecs in results], v_aval.shape, x.dtype).data

    v = _DeferredArray(vectors, v_aval.shape, x.dtype)
    return [v, _vector_array(values, w_aval.shape, x.dtype)]


def _symmetrize(x):
    return (x + _T(x)) / 2


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues, subset_by_index, algorithm):
    """First-order perturbation theory, for distinct eigenvalues (JAX's rule)."""
    jnp = _np()
    (a,), (a_dot,) = primals, tangents
    n = a.shape[-1]
    if not (subset_by_index is None or tuple(subset_by_index) == (0, n)):
        raise NotImplementedError("Derivatives not defined for partial eigen decomposition.")
    v, w = eigh_p.bind(_symmetrize(a), lower=lower, sort_eigenvalues=sort_eigenvalues,
                       subset_by_index=subset_by_index, algorithm=algorithm)
    eye = jnp.eye(n, dtype=a.dtype)
    f_mat = (eye + jnp.expand_dims(w, -2) - jnp.expand_dims(w, -1)) ** -1 - eye
    vt_adot_v = jnp.matmul(jnp.matmul(_T(v), a_dot), v)
    dv = jnp.matmul(v, f_mat * vt_adot_v)
    dw = jnp.sum(vt_adot_v * eye, axis=-1)
    return [v, w], [dv, dw]


core.impl_rules[eigh_p] = _eigh_impl
core.abstract_eval_rules[eigh_p] = _eigh_aval
core.jvp_rules[eigh_p] = _eigh_jvp
core.batch_rules[eigh_p] = _front_batcher(eigh_p)


# --------------------------------------------------------------------- lu
def _lu_aval(x):
    _check_operand("lu", 0, x)
    *batch, m, n = x.shape
    batch = tuple(batch)
    return [ShapedArray(x.shape, x.dtype), ShapedArray(batch + (min(m, n),), _dtypes.int32),
            ShapedArray(batch + (m,), _dtypes.int32)]


def _lu_impl(x):
    avals = _lu_aval(core.get_aval(x))
    results = [kernels.lu(a) for a in _matrices(x)]
    return [_array([r[0] for r in results], avals[0].shape, x.dtype),
            ArrayImpl([p for r in results for p in r[1]], avals[1].shape, _dtypes.int32),
            ArrayImpl([p for r in results for p in r[2]], avals[2].shape, _dtypes.int32)]


def _lu_jvp(primals, tangents):
    """L' = L tril(X, -1), U' = triu(X) U with X = L^-1 P A' U^-1 (JAX's rule)."""
    jnp = _np()
    (a,), (a_dot,) = primals, tangents
    *_, m, n = a.shape
    if m != n:
        raise NotImplementedError("jaxlite differentiates the LU decomposition of square matrices only")
    lu, pivots, permutation = lu_p.bind(a)
    eye = jnp.eye(n, dtype=a.dtype)
    l_mat = jnp.tril(lu, -1) + eye
    u_mat = jnp.triu(lu)
    rows = (jnp.expand_dims(permutation, -1) == jnp.arange(n, dtype=permutation.dtype)).astype(a.dtype)
    la = triangular_solve(l_mat, jnp.matmul(rows, a_dot), left_side=True, lower=True, unit_diagonal=True)
    lau = triangular_solve(u_mat, la, left_side=False, lower=False)
    lu_dot = jnp.matmul(l_mat, jnp.tril(lau, -1)) + jnp.matmul(jnp.triu(lau), u_mat)
    return [lu, pivots, permutation], [lu_dot, Zero(core.get_aval(pivots)), Zero(core.get_aval(permutation))]


core.impl_rules[lu_p] = _lu_impl
core.abstract_eval_rules[lu_p] = _lu_aval
core.jvp_rules[lu_p] = _lu_jvp
core.batch_rules[lu_p] = _front_batcher(lu_p)


# ------------------------------------------------------- triangular_solve
def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                     unit_diagonal=False):
    """`jax.lax.linalg.triangular_solve`."""
    return triangular_solve_p.bind(a, b, conjugate_a=conjugate_a, left_side=left_side, lower=lower,
                                   transpose_a=transpose_a, unit_diagonal=unit_diagonal)


def _ts_aval(a, b, *, left_side, **_):
    _check_operand("triangular_solve", 0, a)
    _check_operand("triangular_solve", 1, b)
    if a.ndim != b.ndim:
        raise TypeError(f"All inputs to triangular_solve must have the same number of batch dimensions, but got "
                        f"{[a.ndim - 2, b.ndim - 2]} batch dimensions for the inputs.")
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"The first input to triangular_solve must be a square matrix. Got shape {a.shape[-2:]}.")
    if a.shape[-1] != b.shape[-2 if left_side else -1]:
        raise ValueError(f"Incompatible shapes for arguments to triangular_solve: {a.shape[-2:]} and "
                         f"{b.shape[-2:]}.")
    return ShapedArray(b.shape, b.dtype, a.weak_type and b.weak_type)


def _ts_impl(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    aval = _ts_aval(core.get_aval(a), core.get_aval(b), left_side=left_side)
    xs = [kernels.triangular_solve(am, bm, left_side, lower, transpose_a, unit_diagonal)
          for am, bm in zip(_matrices(a), _matrices(b))]
    return _array(xs, aval.shape, b.dtype)


def _ts_jvp(primals, tangents, **params):
    jnp = _np()
    (a, b), (a_dot, b_dot) = primals, tangents
    out = triangular_solve_p.bind(a, b, **params)
    tangent = Zero(core.get_aval(out))
    if not isinstance(b_dot, Zero):
        tangent = triangular_solve_p.bind(a, b_dot, **params)
    if not isinstance(a_dot, Zero):
        # d(op(A)^-1 B) = -op(A)^-1 op(dA) X, with dA masked to the triangle used
        k = 1 if params["unit_diagonal"] else 0
        g = jnp.tril(a_dot, -k) if params["lower"] else jnp.triu(a_dot, k)
        g = -g
        g = _T(g) if params["transpose_a"] else g
        if params["left_side"]:
            t_a = triangular_solve_p.bind(a, jnp.matmul(g, out), **params)
        else:
            t_a = triangular_solve_p.bind(a, jnp.matmul(out, g), **params)
        tangent = add_tangents(tangent, t_a)
    return out, tangent


def _ts_transpose(ct, a, b, *, transpose_a, **params):
    if is_undefined(a):
        raise NotImplementedError("jaxlite cannot transpose triangular_solve in its matrix argument")
    return [None, triangular_solve_p.bind(a, ct, transpose_a=not transpose_a, **params)]


def _ts_batcher(args, dims, **params):
    from jaxlite import _batching
    size = next(core.get_aval(x).shape[d] for x, d in zip(args, dims) if d is not None)
    a, b = (_batching.batch_at(x, d, size, 0) for x, d in zip(args, dims))
    return triangular_solve_p.bind(a, b, **params), 0


core.impl_rules[triangular_solve_p] = _ts_impl
core.abstract_eval_rules[triangular_solve_p] = _ts_aval
core.jvp_rules[triangular_solve_p] = _ts_jvp
core.transpose_rules[triangular_solve_p] = _ts_transpose
core.batch_rules[triangular_solve_p] = _ts_batcher


# --------------------------------------------------------------- cholesky
def _cholesky_aval(x):
    _check_operand("cholesky", 0, x)
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"The input to cholesky must be a square matrix. Got shape {x.shape[-2:]}.")
    return ShapedArray(x.shape, x.dtype)


def _cholesky_impl(x):
    """The lower factor; zeros above the diagonal, all NaN where x is not
    positive definite."""
    aval = _cholesky_aval(core.get_aval(x))
    return _array([kernels.cholesky(a) for a in _matrices(x)], aval.shape, x.dtype)


def _cholesky_jvp(primals, tangents):
    """Forward-mode rule from arXiv:1602.07527, as JAX has it."""
    jnp = _np()
    (x,), (sigma_dot,) = primals, tangents
    n = x.shape[-1]
    l_mat = jnp.tril(cholesky_p.bind(x))
    tmp = triangular_solve(l_mat, sigma_dot, left_side=False, transpose_a=True, conjugate_a=True, lower=True)
    inner = triangular_solve(l_mat, tmp, left_side=True, transpose_a=False, lower=True)
    phi = jnp.tril(inner) / (1 + jnp.eye(n, dtype=x.dtype))
    return l_mat, jnp.matmul(l_mat, phi)


core.impl_rules[cholesky_p] = _cholesky_impl
core.abstract_eval_rules[cholesky_p] = _cholesky_aval
core.jvp_rules[cholesky_p] = _cholesky_jvp
core.batch_rules[cholesky_p] = _front_batcher(cholesky_p)


# --------------------------------------------------------------------- qr
def _qr_aval(x, *, pivoting, full_matrices, use_magma):
    _check_operand("qr", 0, x)
    if pivoting:
        raise NotImplementedError("jaxlite's QR decomposition does not pivot (pivoting=True)")
    *batch, m, n = x.shape
    k = m if full_matrices else min(m, n)
    return [ShapedArray(tuple(batch) + (m, k), x.dtype), ShapedArray(tuple(batch) + (k, n), x.dtype)]


def _qr_impl(x, *, pivoting, full_matrices, use_magma):
    q_aval, r_aval = _qr_aval(core.get_aval(x), pivoting=pivoting, full_matrices=full_matrices, use_magma=use_magma)
    results = [kernels.qr(a, full_matrices) for a in _matrices(x)]
    return [_array([q for q, _ in results], q_aval.shape, x.dtype),
            _array([r for _, r in results], r_aval.shape, x.dtype)]


def _no_jvp(name):
    def rule(primals, tangents, **params):
        raise NotImplementedError(f"jaxlite cannot differentiate {name} yet: the {name.split('.')[-1]} primitive "
                                  "has no JVP rule in jaxlite")
    return rule


core.impl_rules[qr_p] = _qr_impl
core.abstract_eval_rules[qr_p] = _qr_aval
core.jvp_rules[qr_p] = _no_jvp("jnp.linalg.qr")
core.batch_rules[qr_p] = _front_batcher(qr_p)


# -------------------------------------------------------------------- svd
def _svd_aval(x, *, full_matrices, compute_uv, subset_by_index, algorithm):
    _check_operand("svd", 0, x)
    if subset_by_index is not None:
        raise NotImplementedError("jaxlite's SVD does not take subset_by_index")
    *batch, m, n = x.shape
    batch, k = tuple(batch), min(m, n)
    s = ShapedArray(batch + (k,), x.dtype)
    if not compute_uv:
        return [s]
    return [s, ShapedArray(batch + (m, m if full_matrices else k), x.dtype),
            ShapedArray(batch + (n if full_matrices else k, n), x.dtype)]


def _svd_impl(x, **params):
    avals = _svd_aval(core.get_aval(x), **params)
    results = [kernels.svd(a, params["full_matrices"], params["compute_uv"]) for a in _matrices(x)]
    s = _vector_array([r[0] for r in results], avals[0].shape, x.dtype)
    if not params["compute_uv"]:
        return [s]
    return [s, _array([r[1] for r in results], avals[1].shape, x.dtype),
            _array([r[2] for r in results], avals[2].shape, x.dtype)]


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, subset_by_index, algorithm):
    """JAX's rule (jax/_src/lax/linalg.py), for distinct nonzero singular values."""
    jnp = _np()
    (a,), (da,) = primals, tangents
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True, subset_by_index=subset_by_index,
                          algorithm=algorithm)
    m, n = a.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("Singular value decomposition JVP not implemented for full matrices")
    ut, v = _T(u), _T(vt)
    s_dim = jnp.expand_dims(s, -2)
    ds_mat = jnp.matmul(jnp.matmul(ut, da), v)
    k = s.shape[-1]
    eye = jnp.eye(k, dtype=a.dtype)
    ds = jnp.sum(ds_mat * eye, axis=-1)
    if not compute_uv:
        return [s], [ds]
    s_diffs = (s_dim + _T(s_dim)) * (s_dim - _T(s_dim))
    f_mat = 1 / (s_diffs + eye) - eye
    dss = s_dim * ds_mat
    sds = _T(s_dim) * ds_mat
    s_zeros = (s == 0).astype(s.dtype)
    s_inv = 1 / (s + s_zeros) - s_zeros
    du_dv_diag = 0.5 * (ds_mat - _T(ds_mat)) * (jnp.expand_dims(s_inv, -2) * eye)
    du = jnp.matmul(u, f_mat * (dss + _T(dss)) + du_dv_diag)
    dv = jnp.matmul(v, f_mat * (sds + _T(sds)))
    if m > n:
        dav = jnp.matmul(da, v)
        du = du + (dav - jnp.matmul(u, jnp.matmul(ut, dav))) / s_dim
    if n > m:
        dahu = jnp.matmul(_T(da), u)
        dv = dv + (dahu - jnp.matmul(v, jnp.matmul(vt, dahu))) / s_dim
    return [s, u, vt], [ds, du, _T(dv)]


core.impl_rules[svd_p] = _svd_impl
core.abstract_eval_rules[svd_p] = _svd_aval
core.jvp_rules[svd_p] = _svd_jvp
core.batch_rules[svd_p] = _front_batcher(svd_p)
