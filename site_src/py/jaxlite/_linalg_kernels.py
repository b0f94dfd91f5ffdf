"""Dense linear algebra on one small matrix, in pure Python.

The LAPACK routines JAX calls on CPU, written here from the mathematics:
matrices are lists of rows of Python floats (doubles), so a float32 input is
factored in double precision and its results rounded once at the end. Inner
loops run over whole rows (list comprehensions, `sum(map(mul, ...))`), not
over single elements, which keeps a 100x100 matrix within a fraction of a
second in CPython.

Each function takes and returns plain nested lists and knows nothing of
arrays, dtypes or batching; `jaxlite._linalg` wraps them as primitives.
"""

from __future__ import annotations

import math
from operator import mul

_EPS = 2.0 ** -52  # double precision, the arithmetic used here
_NAN = float("nan")


def _finite(a) -> bool:
    return all(math.isfinite(x) for row in a for x in row)


def _dot(x, y) -> float:
    return sum(map(mul, x, y))


def _divide_row(row, d):
    """row / d elementwise with IEEE semantics (Python raises on x / 0.0)."""
    if d != 0:
        return [x / d for x in row]
    sign = math.copysign(1.0, d)
    return [_NAN if x != x or x == 0 else math.copysign(math.inf, x) * sign for x in row]


def transpose(a):
    return [list(col) for col in zip(*a)]


# ------------------------------------------------------------ eigh (syevd)
def _tridiagonalize(a):
    """Householder reduction of the symmetric matrix a (rows, consumed) to
    tridiagonal form T = Q^T a Q. Returns (d, e, reflectors): the diagonal,
    the subdiagonal (e[i] couples i and i+1) and the reflectors (k, tau, v)
    with H_k = I - tau v v^T acting on indices k+1.., Q = H_0 H_1 ... ."""
    n = len(a)
    d, e, reflectors = [0.0] * n, [0.0] * n, []
    block = [list(row) for row in a]  # the active trailing block, shrinking
    for k in range(n - 2):
        d[k] = block[0][0]
        x = [row[0] for row in block[1:]]
        rest = [row[1:] for row in block[1:]]
        alpha = x[0]
        sigma = _dot(x[1:], x[1:])
        if sigma == 0.0:
            e[k] = alpha
            block = rest
            continue
        beta = -math.copysign(math.sqrt(alpha * alpha + sigma), alpha)
        tau = (beta - alpha) / beta
        scale = 1.0 / (alpha - beta)
        v = [1.0] + [xi * scale for xi in x[1:]]
        e[k] = beta
        # rest <- H rest H, as the symmetric rank-2 update rest - v w^T - w v^T
        p = [tau * _dot(row, v) for row in rest]
        half = 0.5 * tau * _dot(p, v)
        w = [pi - half * vi for pi, vi in zip(p, v)]
        block = [[c - vi * wj - wi * vj for c, vj, wj in zip(row, v, w)] for row, vi, wi in zip(rest, v, w)]
        reflectors.append((k, tau, v))
    if n >= 2:
        d[n - 2], e[n - 2], d[n - 1] = block[0][0], block[1][0], block[1][1]
    elif n == 1:
        d[0] = block[0][0]
    return d, e, reflectors


def _accumulate(n, reflectors):
    """Q^T (as rows) for Q = H_0 H_1 ... H_{n-3}, by backward accumulation."""
    q = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for k, tau, v in reversed(reflectors):
        lo = k + 1
        rows = q[lo:]
        # rows <- H rows, on the trailing columns lo.. (the rest are zero there)
        u = [0.0] * (n - lo)
        for vi, row in zip(v, rows):
            if vi:
                u = [uj + vi * rj for uj, rj in zip(u, row[lo:])]
        for vi, row in zip(v, rows):
            if vi:
                t = tau * vi
                row[lo:] = [rj - t * uj for rj, uj in zip(row[lo:], u)]
    return transpose(q)


def _tridiagonal_ql(d, e, zt):
    """Eigenvalues of the symmetric tridiagonal (d, e), in place in d, by the
    implicit QL algorithm with Wilkinson-style shifts; each plane rotation is
    also applied to the rows of zt (eigenvectors as rows) when zt is given.
    Returns False if some eigenvalue did not converge."""
    n = len(d)
    e[n - 1] = 0.0
    for l in range(n):
        iterations = 0
        while True:
            m = l
            while m < n - 1:
                dd = abs(d[m]) + abs(d[m + 1])
                if abs(e[m]) <= _EPS * dd:
                    break
                m += 1
            if m == l:
                break
            iterations += 1
            if iterations > 60:
                return False
            g = (d[l + 1] - d[l]) / (2.0 * e[l])
            r = math.hypot(g, 1.0)
            g = d[m] - d[l] + e[l] / (g + math.copysign(r, g))
            s = c = 1.0
            p = 0.0
            underflow = False
            for i in range(m - 1, l - 1, -1):
                f, b = s * e[i], c * e[i]
                r = math.hypot(f, g)
                e[i + 1] = r
                if r == 0.0:  # deflate here and start the sweep again
                    d[i + 1] -= p
                    e[m] = 0.0
                    underflow = True
                    break
                s, c = f / r, g / r
                g = d[i + 1] - p
                r = (d[i] - g) * s + 2.0 * c * b
                p = s * r
                d[i + 1] = g + p
                g = c * r - b
                if zt is not None:
                    zi, zj = zt[i], zt[i + 1]
                    zt[i + 1] = [s * x + c * y for x, y in zip(zi, zj)]
                    zt[i] = [c * x - s * y for x, y in zip(zi, zj)]
            if underflow:
                continue
            d[l] -= p
            e[l] = g
            e[m] = 0.0
    return True


def eigh(a, lower=True):
    """Eigenvalues (ascending) of the symmetric matrix whose lower (or upper)
    triangle is a's, and a function that computes the matching eigenvectors
    (as rows, one per eigenvalue) when called. The eigenvalues alone cost a
    fifth of the whole; both runs of the QL iteration do the same arithmetic
    on the eigenvalues, so the two agree exactly."""
    n = len(a)
    if lower:
        sym = [[a[i][j] if j <= i else a[j][i] for j in range(n)] for i in range(n)]
    else:
        sym = [[a[i][j] if j >= i else a[j][i] for j in range(n)] for i in range(n)]
    if not _finite(sym):
        return [_NAN] * n, lambda: [[_NAN] * n for _ in range(n)]
    d, e, reflectors = _tridiagonalize(sym)
    values, work = list(d), list(e)
    if n and not _tridiagonal_ql(values, work, None):
        return [_NAN] * n, lambda: [[_NAN] * n for _ in range(n)]
    order = sorted(range(n), key=values.__getitem__)

    def vectors():
        zt = _accumulate(n, reflectors)
        if n:
            _tridiagonal_ql(d, e, zt)
        return [zt[i] for i in order]

    return [values[i] for i in order], vectors


# -------------------------------------------------------------- lu (getrf)
def lu(a):
    """LU factorization with partial pivoting of the m x n matrix a:
    (lu, pivots, permutation) as LAPACK's getrf gives them: L below the
    diagonal (unit diagonal implied), U on and above it; pivots[j] is the row
    swapped with row j at step j; permutation the resulting row order."""
    rows = [list(r) for r in a]
    m, n = len(rows), (len(rows[0]) if rows else 0)
    perm, pivots = list(range(m)), []
    for j in range(min(m, n)):
        p, best = j, -1.0
        for i in range(j, m):
            mag = abs(rows[i][j])
            if mag > best or mag != mag and best == best:
                p, best = i, mag
        pivots.append(p)
        if p != j:
            rows[j], rows[p] = rows[p], rows[j]
            perm[j], perm[p] = perm[p], perm[j]
        pivot = rows[j][j]
        if pivot == 0.0:
            continue
        tail = rows[j][j + 1:]
        for i in range(j + 1, m):
            r = rows[i]
            f = r[j] / pivot
            r[j] = f
            if f:
                r[j + 1:] = [x - f * y for x, y in zip(r[j + 1:], tail)]
    return rows, pivots, perm


# ---------------------------------------------------- triangular_solve (trsm)
def triangular_solve(a, b, left_side, lower, transpose_a, unit_diagonal):
    """X with op(a) X = b (left_side) or X op(a) = b, op(a) = a or a^T, using
    only the triangle of a that `lower` names."""
    flip = bool(transpose_a) != (not left_side)   # solve with a^T instead of a
    t = transpose(a) if flip else a
    low = bool(lower) != flip
    rhs = b if left_side else transpose(b)
    m = len(t)
    x = [None] * m
    order = range(m) if low else range(m - 1, -1, -1)
    for i in order:
        acc = rhs[i]
        row = t[i]
        for j in (range(i) if low else range(i + 1, m)):
            f = row[j]
            if f:
                acc = [p - f * q for p, q in zip(acc, x[j])]
        x[i] = list(acc) if unit_diagonal else _divide_row(acc, row[i])
    return x if left_side else transpose(x)


# ------------------------------------------------------------ cholesky (potrf)
def cholesky(a):
    """Lower Cholesky factor from a's lower triangle; all NaN if a is not
    positive definite (what JAX returns when LAPACK reports failure)."""
    n = len(a)
    rows = []
    for i in range(n):
        ai, row = a[i], []
        for j in range(i):
            row.append((ai[j] - _dot(row, rows[j][:j])) / rows[j][j])
        s = ai[i] - _dot(row, row)
        if not s > 0.0:
            return [[_NAN] * n for _ in range(n)]
        row.append(math.sqrt(s))
        rows.append(row + [0.0] * (n - i - 1))
    return rows


# -------------------------------------------------------- qr (geqrf + orgqr)
def qr(a, full_matrices):
    """Householder QR of the m x n matrix a with LAPACK's conventions (the
    reflector that maps x to beta e_1 has beta = -sign(x_0) |x|, so R's
    diagonal signs are LAPACK's). Returns (q, r) as rows: q is m x m
    (full_matrices) or m x k, r is m x n or k x n, k = min(m, n)."""
    m, n = len(a), (len(a[0]) if a else 0)
    k = min(m, n)
    cols = transpose(a) if m else [[] for _ in range(n)]
    reflectors = []
    for j in range(k):
        x = cols[j][j:]
        alpha = x[0]
        sigma = _dot(x[1:], x[1:])
        if sigma == 0.0:   # H = I; LAPACK's orgqr still writes -tau * x below Q's diagonal
            reflectors.append((0.0, x[1:]))
            continue
        beta = -math.copysign(math.sqrt(alpha * alpha + sigma), alpha)
        tau = (beta - alpha) / beta
        scale = 1.0 / (alpha - beta)
        v = [1.0] + [xi * scale for xi in x[1:]]
        cols[j][j:] = [beta] + [0.0] * (m - j - 1)
        for c in range(j + 1, n):
            col = cols[c]
            f = tau * _dot(v, col[j:])
            if f:
                col[j:] = [y - f * vi for y, vi in zip(col[j:], v)]
        reflectors.append((tau, v))
    kr = m if full_matrices else k
    r = [[cols[c][i] if c >= i else 0.0 for c in range(n)] for i in range(kr)]
    kq = m if full_matrices else k
    qcols = [[1.0 if i == c else 0.0 for i in range(m)] for c in range(kq)]
    for j in range(k - 1, -1, -1):
        tau, v = reflectors[j]
        if tau == 0.0:
            if j < kq:
                qcols[j][j + 1:] = [-0.0 * x for x in v]
            continue
        for col in qcols:
            f = tau * _dot(v, col[j:])
            if f:
                col[j:] = [y - f * vi for y, vi in zip(col[j:], v)]
    return transpose(qcols) if qcols else [[] for _ in range(m)], r


# -------------------------------------------------------------- svd (gesdd)
def _complete_basis(vectors, dim, count):
    """`vectors` (orthonormal rows of length dim) extended to `count` rows by
    Gram-Schmidt on the unit vectors, taking the least-covered ones first."""
    out = [list(v) for v in vectors]
    for i in sorted(range(dim), key=lambda i: sum(v[i] * v[i] for v in out)):
        if len(out) >= count:
            break
        u = [1.0 if j == i else 0.0 for j in range(dim)]
        for _ in range(2):   # twice is enough for orthogonality in floating point
            for v in out:
                f = _dot(u, v)
                u = [x - f * y for x, y in zip(u, v)]
        norm = math.sqrt(_dot(u, u))
        if norm > 1e-8:
            out.append([x / norm for x in u])
    return out


def svd(a, full_matrices=True, compute_uv=True):
    """Singular values (descending) and, with compute_uv, U and V^T (rows).

    From the eigendecomposition of the Gram matrix a^T a in double
    precision: s_i = sqrt(lambda_i) is then accurate to about
    sqrt(2**-52) |a| ~ 1.5e-8 |a| even for the smallest singular values,
    below float32's resolution of |a|, which is the accuracy LAPACK's float32
    SVD promises. U's columns are a v_i / s_i, orthonormalized (modified
    Gram-Schmidt), and completed to a basis where s_i is too small to say."""
    m, n = len(a), (len(a[0]) if a else 0)
    if m < n:   # A^T = U' S V'^T, so A = V' S U'^T
        s, u, vt = svd(transpose(a), full_matrices, compute_uv)
        return (s, None, None) if not compute_uv else (s, transpose(vt), transpose(u))
    if not _finite(a):
        nan_u = [[_NAN] * (m if full_matrices else n) for _ in range(m)]
        nan_vt = [[_NAN] * n for _ in range(n)]
        return [_NAN] * n, nan_u if compute_uv else None, nan_vt if compute_uv else None
    cols = transpose(a) if n else []
    gram = [[_dot(ci, cj) for cj in cols[:i + 1]] for i, ci in enumerate(cols)]   # lower triangle
    values, vectors = eigh(gram)
    s = [math.sqrt(v) if v > 0.0 else 0.0 for v in reversed(values)]
    if not compute_uv:
        return s, None, None
    vt = vectors()[::-1]
    floor = (s[0] if s else 0.0) * max(m, n) * math.sqrt(_EPS)   # below this, a v_i is round-off
    ucols = []
    for si, vi in zip(s, vt):
        if si <= floor:
            break
        w = [_dot(row, vi) for row in a]
        for u in ucols:
            f = _dot(w, u)
            w = [x - f * y for x, y in zip(w, u)]
        norm = math.sqrt(_dot(w, w))
        if norm <= floor:
            break
        ucols.append([x / norm for x in w])
    ucols = _complete_basis(ucols, m, m if full_matrices else n)
    return s, transpose(ucols), vt
