"""`jax.numpy.linalg`: norms, and the decompositions and solvers of small
matrices (eigh, eigvalsh, solve, inv, det, slogdet, cholesky, qr, svd, pinv,
lstsq) built, as in JAX, on the primitives of `jaxlite._linalg`.

Signs of eigenvectors and singular vectors are LAPACK's choice in JAX and
this module's here; they may differ (a vector v and -v are equally valid).
Eigenvalues, singular values, R's diagonal signs in qr (LAPACK's
convention), and everything built from them agree with JAX to float32
round-off.
"""

from __future__ import annotations

from typing import NamedTuple

from jaxlite import _dtypes, _lax as lax
from jaxlite import numpy as jnp
from jaxlite._core import get_aval
from jaxlite._linalg import cholesky_p, eigh_p, lu_p, qr_p, svd_p, triangular_solve
from jaxlite.errors import not_available
from jaxlite.numpy import _jnp_jit


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


for _cls in (EighResult, QRResult, SlogdetResult, SVDResult):
    _cls.__module__ = "jax._src.numpy.linalg"


def norm(x, ord=None, axis=None, keepdims=False):
    x = jnp.asarray(x)
    if ord is None or ord == 2 and (axis is not None or x.ndim == 1):
        return jnp.sqrt(jnp.sum(x * x, axis=axis, keepdims=keepdims))
    if ord == 1:
        return jnp.sum(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == jnp.inf:
        return jnp.max(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == "fro":
        return jnp.sqrt(jnp.sum(x * x, axis=axis, keepdims=keepdims))
    raise NotImplementedError(f"jaxlite's jnp.linalg.norm does not support ord={ord!r} yet")


# ------------------------------------------------------------------ helpers
def _inexact(name, *args):
    """JAX's ensure_arraylike + promote_dtypes_inexact."""
    jnp._check_arraylike(name, *args)
    return jnp._promote(*args, to_float=True, ranks=False)


def _T(x):
    """The matrix transpose of every matrix in x (JAX's lax_linalg._T)."""
    shape = get_aval(x).shape
    nd = len(shape)
    perm = tuple(range(nd - 2)) + (nd - 1, nd - 2)
    if nd < 2:
        raise TypeError(f"transpose permutation isn't a permutation of operand dimensions, got permutation {perm} "
                        f"for operand shape {shape}.")
    return lax.transpose(x, perm)


def _symmetrize(x):
    """(x + x^T) / 2, with lax.add's shape check, as JAX's symmetrize."""
    return jnp.true_divide(lax.add_p.bind(x, _T(x)), 2)


def _tril(m):
    """The lower triangle of every matrix in m, by an iota mask (JAX's _tril)."""
    aval = get_aval(m)
    *batch, rows, cols = aval.shape
    i = jnp.add(lax.iota_p.bind(dtype=_dtypes.int32, shape=(rows, cols), dimension=0, sharding=None), 0)
    j = lax.iota_p.bind(dtype=_dtypes.int32, shape=(rows, cols), dimension=1, sharding=None)
    mask = jnp.greater_equal(i, j)
    if batch:
        mask = lax.broadcast_in_dim(mask, aval.shape, (len(batch), len(batch) + 1))
    zeros = lax.broadcast_in_dim(lax.convert_element_type(0, aval.dtype), aval.shape, ())
    return lax.select_n_p.bind(mask, zeros, m)


def _diagonal(x):
    """The diagonals of the (..., n, n) matrices in x: every (n+1)-th element."""
    *batch, n, _ = get_aval(x).shape
    flat = jnp.reshape(x, tuple(batch) + (n * n,))
    return flat[..., ::n + 1]


def _square(name, a, message):
    shape = get_aval(a).shape
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(message.format(shape))


# ------------------------------------------------------------ eigh, cholesky
@_jnp_jit(static_argnames=("UPLO", "symmetrize_input"))
def eigh(a, UPLO=None, symmetrize_input=True):
    """Eigenvalues (ascending) and eigenvectors (the columns) of symmetric a."""
    if UPLO is None or UPLO == "L":
        lower = True
    elif UPLO == "U":
        lower = False
    else:
        raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO}")
    a, = _inexact("jnp.linalg.eigh", a)
    if symmetrize_input:
        a = _symmetrize(a)
    v, w = eigh_p.bind(a, algorithm=None, lower=lower, sort_eigenvalues=True, subset_by_index=None)
    return EighResult(w, v)


@_jnp_jit(static_argnames=("UPLO", "symmetrize_input"))
def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    a, = _inexact("jnp.linalg.eigvalsh", a)
    w, _ = eigh(a, UPLO, symmetrize_input=symmetrize_input)
    return w


@_jnp_jit(static_argnames=("upper", "symmetrize_input"))
def cholesky(a, *, upper=False, symmetrize_input=True):
    a, = _inexact("jnp.linalg.cholesky", a)
    if symmetrize_input:
        a = _symmetrize(a)
    factor = _tril(cholesky_p.bind(a))
    return _T(factor) if upper else factor


# ------------------------------------------------------------- solve, inv
def _permute_rows(permutation, b):
    """b[..., permutation, :] as a product with a one-hot matrix, which
    vmap, jvp and transpose all handle."""
    n = get_aval(permutation).shape[-1]
    rows = jnp.equal(jnp.expand_dims(permutation, -1), jnp.arange(n, dtype=_dtypes.int32))
    return jnp.matmul(rows.astype(get_aval(b).dtype), b)


@_jnp_jit()
def _lu_solve(lu, permutation, b):
    x = _permute_rows(permutation, b)
    x = triangular_solve(lu, x, left_side=True, lower=True, unit_diagonal=True)
    return triangular_solve(lu, x, left_side=True, lower=False)


def _vectorize_error(name, size, first, signature):
    return ValueError(f"inconsistent size for core dimension '{name}': {size} vs {first} on vectorized function "
                      f"with excluded=frozenset() and signature='{signature}'")


@_jnp_jit()
def solve(a, b):
    """x with a @ x = b, by LU decomposition with partial pivoting."""
    a, b = _inexact("jnp.linalg.solve", a, b)
    sa, sb = get_aval(a).shape, get_aval(b).shape
    if len(sa) < 2:
        raise ValueError(f"left hand array must be at least two dimensional; got a.shape={sa}")
    if len(sb) > 1 and len(sa) == len(sb) + 1 and sa[-1] == sb[-1] and sa[-1] != sb[-2]:
        raise ValueError(f"Invalid shapes for solve: {sa}, {sb}. Prior to JAX v0.5.0, this would have been treated "
                         "as a batched 1-dimensional solve. To recover this behavior, use "
                         "solve(a, b[..., None]).squeeze(-1).")
    vector = len(sb) == 1
    signature = "(m,m),(m)->(m)" if vector else "(m,m),(m,n)->(m,n)"
    if not vector and len(sb) < 2:
        raise ValueError(f"input with shape {sb} does not have enough dimensions for all core dimensions "
                         f"('m', 'n') on vectorized function with excluded=frozenset() and signature='{signature}'")
    m = sa[-2]
    for size in (sa[-1], sb[-1] if vector else sb[-2]):
        if size != m:
            raise _vectorize_error("m", size, m, signature)
    core_b = sb[-1:] if vector else sb[-2:]
    batch = jnp.broadcast_shapes(sa[:-2], sb[:len(sb) - len(core_b)])
    a = jnp.broadcast_to(a, batch + (m, m))
    b = jnp.broadcast_to(jnp.expand_dims(b, -1) if vector else b, batch + ((m, 1) if vector else core_b))
    lu, _, permutation = lu_p.bind(a)
    x = _lu_solve(lu, permutation, b)
    return jnp.squeeze(x, -1) if vector else x


@_jnp_jit()
def inv(a):
    jnp._check_arraylike("jnp.linalg.inv", a)
    a = jnp.asarray(a)
    _square("inv", a, "Argument to inv must have shape [..., n, n], got {}.")
    shape = get_aval(a).shape
    return solve(a, jnp.broadcast_to(jnp.eye(shape[-1], dtype=get_aval(a).dtype), shape))


# ------------------------------------------------------------ det, slogdet
def _slogdet_lu(a):
    dtype = get_aval(a).dtype
    n = get_aval(a).shape[-1]
    lu, pivots, _ = lu_p.bind(a)
    diag = _diagonal(lu)
    is_zero = jnp.any(jnp.equal(diag, 0), axis=-1)
    parity = jnp.count_nonzero(jnp.not_equal(pivots, jnp.arange(n, dtype=_dtypes.int32)), axis=-1)
    parity = parity + jnp.count_nonzero(jnp.less(diag, 0), axis=-1)
    sign = jnp.where(is_zero, jnp.zeros((), dtype), (1 - 2 * (parity % 2)).astype(dtype))
    logdet = jnp.where(is_zero, jnp.full((), -jnp.inf, dtype), jnp.sum(jnp.log(jnp.abs(diag)), axis=-1))
    return sign, logdet


@_jnp_jit(static_argnames=("method",))
def slogdet(a, *, method=None):
    """The sign and the natural log of the absolute value of det(a)."""
    a, = _inexact("jnp.linalg.slogdet", a)
    _square("slogdet", a, "Argument to slogdet() must have shape [..., n, n], got {}")
    if method == "qr":
        raise NotImplementedError("jaxlite's jnp.linalg.slogdet supports method='lu' (the default) only")
    if method not in (None, "lu"):
        raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' (`None`), and 'qr'.")
    return SlogdetResult(*_slogdet_lu(a))


def _det_2x2(a):
    return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]


def _det_3x3(a):
    return (a[..., 0, 0] * a[..., 1, 1] * a[..., 2, 2] +
            a[..., 0, 1] * a[..., 1, 2] * a[..., 2, 0] +
            a[..., 0, 2] * a[..., 1, 0] * a[..., 2, 1] -
            a[..., 0, 2] * a[..., 1, 1] * a[..., 2, 0] -
            a[..., 0, 0] * a[..., 1, 2] * a[..., 2, 1] -
            a[..., 0, 1] * a[..., 1, 0] * a[..., 2, 2])


@_jnp_jit()
def det(a):
    """The determinant: cofactor formulas for 2x2 and 3x3, else from LU."""
    a, = _inexact("jnp.linalg.det", a)
    _square("det", a, "Argument to _det() must have shape [..., n, n], got {}")
    n = get_aval(a).shape[-1]
    if n == 2:
        return _det_2x2(a)
    if n == 3:
        return _det_3x3(a)
    sign, logdet = _slogdet_lu(a)
    return sign * jnp.exp(logdet)


# ------------------------------------------------------------------ qr, svd
@_jnp_jit(static_argnames=("mode",))
def qr(a, mode="reduced"):
    a, = _inexact("jnp.linalg.qr", a)
    if mode == "raw":
        raise not_available("jnp.linalg.qr(mode='raw')", "jaxlite does not return LAPACK's Householder reflectors.")
    if mode in ("reduced", "r", "full"):
        full_matrices = False
    elif mode == "complete":
        full_matrices = True
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r = qr_p.bind(a, full_matrices=full_matrices, pivoting=False, use_magma=None)
    return r if mode == "r" else QRResult(q, r)


@_jnp_jit(static_argnames=("full_matrices", "compute_uv", "hermitian", "subset_by_index"))
def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    """U, S, Vh with a = U @ diag(S) @ Vh, singular values descending."""
    a, = _inexact("jnp.linalg.svd", a)
    if hermitian:
        raise NotImplementedError("jaxlite's jnp.linalg.svd does not support hermitian=True yet")
    outs = svd_p.bind(a, algorithm=None, compute_uv=compute_uv, full_matrices=full_matrices,
                      subset_by_index=subset_by_index)
    if not compute_uv:
        return outs[0]
    s, u, vh = outs
    return SVDResult(u, s, vh)


@_jnp_jit(static_argnames=("hermitian",))
def _pinv(a, rtol, hermitian):
    a, = _inexact("jnp.linalg.pinv", a)
    shape = get_aval(a).shape
    if rtol is None:
        rtol = 10.0 * max(shape[-2:]) * jnp.finfo(get_aval(a).dtype).eps
    u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
    cutoff = jnp.asarray(rtol)[..., None] * s[..., 0:1]
    s = jnp.where(s > cutoff, s, jnp.inf).astype(get_aval(u).dtype)
    return jnp.matmul(_T(vh), _T(u) / s[..., None])


def pinv(a, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse, from the SVD (NumPy's algorithm)."""
    return _pinv(a, rtol, hermitian)


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """Least-squares solution x of a @ x = b, its residuals, rank and singular values."""
    a, b = _inexact("jnp.linalg.lstsq", a, b)
    sa, sb = get_aval(a).shape, get_aval(b).shape
    if sa[0] != sb[0]:
        raise ValueError("Leading dimensions of input arrays must match")
    vector = len(sb) == 1
    if vector:
        b = b[:, None]
    if len(sa) != 2:
        raise TypeError(f"{len(sa)}-dimensional array given. Array must be two-dimensional")
    if get_aval(b).ndim != 2:
        raise TypeError(f"{len(sb)}-dimensional array given. Array must be one or two-dimensional")
    m, n = sa
    dtype = get_aval(a).dtype
    if rcond is None:
        rcond = float(jnp.finfo(dtype).eps) * max(n, m)
    u, s, vt = svd(a, full_matrices=False)
    mask = (s > 0) & (s >= jnp.asarray(rcond, dtype=dtype) * s[0])
    rank = mask.sum()
    safe_s = jnp.where(mask, s, 1).astype(dtype)
    s_inv = jnp.where(mask, 1 / safe_s, 0)[:, None]
    x = jnp.matmul(vt.T, s_inv * jnp.matmul(u.T, b))
    resid = norm(b - jnp.matmul(a, x), axis=0) ** 2
    if numpy_resid and (int(rank) < n or m <= n):
        resid = jnp.asarray([])
    return (x.ravel() if vector else x), resid, rank, s


def _missing(name):
    def fn(*args, **kwargs):
        raise not_available(f"jnp.linalg.{name}", "jaxlite implements the decompositions of symmetric and general "
                                                  "real matrices with real results only.")
    fn.__name__ = name
    return fn


for _name in ("eig", "eigvals"):
    globals()[_name] = _missing(_name)
