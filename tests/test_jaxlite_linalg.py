"""jaxlite's jnp.linalg (site_src/py/jaxlite/_linalg*.py, numpy/linalg.py)
checked against real JAX in the same process.

jaxlite factors in double precision and rounds once; JAX calls LAPACK in
float32. Results therefore agree to float32 round-off relative to the
matrix's size (a few ulps of its norm, times n). Eigenvectors and singular
vectors are unique only up to sign (LAPACK's choice differs from ours), so
they are checked by their defining properties: A v = w v, orthonormality,
U S V^T = A.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site_src" / "py"))

import jaxlite  # noqa: E402
import jaxlite.numpy as ljnp  # noqa: E402

EPS32 = float(np.finfo(np.float32).eps)
SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def lite(x):
    return ljnp.asarray(np.asarray(x, np.float32).tolist()) if np.ndim(x) else ljnp.asarray(float(x))


def arr(x):
    """A jaxlite (or JAX) array as float64 NumPy, for checking."""
    return np.array(x.tolist() if hasattr(x, "tolist") else x, dtype=np.float64)


def assert_close(mine, real, scale, factor=64):
    mine, real = arr(mine), np.asarray(real, np.float64)
    assert mine.shape == real.shape
    tol = factor * EPS32 * max(scale, 1e-30)
    assert np.all(np.abs(mine - real) <= tol), f"max diff {np.abs(mine - real).max()} > {tol}"


def matrices(min_n=1, max_n=6, batch=False):
    """Random float32 matrices (as NumPy), optionally with a leading batch axis."""
    @st.composite
    def build(draw):
        n = draw(st.integers(min_n, max_n))
        b = draw(st.sampled_from([(), (2,)])) if batch else ()
        seed = draw(st.integers(0, 2**32 - 1))
        return np.random.default_rng(seed).normal(size=b + (n, n)).astype(np.float32)
    return build()


def well_conditioned(a):
    n = a.shape[-1]
    return (a + n * np.eye(n, dtype=np.float32)).astype(np.float32)


def spd(a):
    n = a.shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n, dtype=np.float32)).astype(np.float32)


def symmetric(a):
    return ((a + np.swapaxes(a, -1, -2)) / 2).astype(np.float32)


# --------------------------------------------------------------- eigh
@SETTINGS
@given(matrices(batch=True))
def test_eigvalsh_matches_jax_to_float32_round_off(a):
    a = symmetric(a)
    real = jnp.linalg.eigvalsh(a)
    assert_close(ljnp.linalg.eigvalsh(lite(a)), real, np.abs(a).sum(axis=(-2, -1)).max())


@SETTINGS
@given(matrices(batch=True))
def test_eigh_gives_ascending_eigenvalues_and_orthonormal_eigenvector_columns(a):
    a = symmetric(a)
    w, v = ljnp.linalg.eigh(lite(a))
    w, v = arr(w), arr(v)
    scale = np.abs(a).sum(axis=(-2, -1)).max()
    assert np.all(np.diff(w, axis=-1) >= 0)
    assert_close(a.astype(np.float64) @ v, v * w[..., None, :], scale)
    assert_close(np.swapaxes(v, -1, -2) @ v, np.broadcast_to(np.eye(a.shape[-1]), v.shape), 1.0)
    assert_close(w, jnp.linalg.eigh(a).eigenvalues, scale)


def test_eigh_result_and_jaxprs_print_like_jax():
    a = np.array([[2.0, 1.0], [1.0, 2.0]], np.float32)
    mine, real = ljnp.linalg.eigh(lite(a)), jnp.linalg.eigh(a)
    assert type(mine).__name__ == type(real).__name__ == "EighResult"
    assert repr(mine.eigenvalues) == repr(real.eigenvalues)
    assert type(mine.eigenvectors).__name__ == "ArrayImpl"
    for name in ("eigvalsh", "eigh", "cholesky", "qr", "svd"):
        assert str(jaxlite.make_jaxpr(getattr(ljnp.linalg, name))(ljnp.eye(3))) == \
            str(jax.make_jaxpr(getattr(jnp.linalg, name))(jnp.eye(3))), name


def test_eigvalsh_of_the_books_100x100_matrix_finds_its_largest_eigenvalue():
    u = np.random.default_rng(0).normal(size=100)
    u /= np.linalg.norm(u)
    h = np.eye(100) - 2 * np.outer(u, u)
    a = (h @ np.diag(np.r_[np.linspace(0, 2.5, 99), 5.0]) @ h).astype(np.float32)
    assert_close(ljnp.linalg.eigvalsh(lite(a)), jnp.linalg.eigvalsh(a), 5.0, factor=8)


# --------------------------------------------------- solve, inv, det, slogdet
@SETTINGS
@given(matrices(batch=True))
def test_solve_inv_det_slogdet_match_jax(a):
    a = well_conditioned(a)
    n = a.shape[-1]
    b = np.arange(1, n + 1, dtype=np.float32)
    scale = np.linalg.cond(a.astype(np.float64)).max()
    assert_close(ljnp.linalg.solve(lite(a), lite(b)), jnp.linalg.solve(a, b), scale * np.abs(arr(jnp.linalg.solve(a, b))).max())
    assert_close(ljnp.linalg.inv(lite(a)), jnp.linalg.inv(a), scale * np.abs(np.asarray(jnp.linalg.inv(a))).max())
    real_det = np.asarray(jnp.linalg.det(a), np.float64)
    assert_close(ljnp.linalg.det(lite(a)), real_det, scale * np.abs(real_det).max())
    sign, logdet = ljnp.linalg.slogdet(lite(a))
    assert arr(sign).tolist() == np.asarray(jnp.linalg.slogdet(a).sign).tolist()
    assert_close(logdet, jnp.linalg.slogdet(a).logabsdet, scale * n)


def test_solve_broadcasts_batches_and_right_hand_sides_like_jax():
    a = well_conditioned(np.random.default_rng(1).normal(size=(2, 3, 3)).astype(np.float32))
    for b in (np.ones(3, np.float32), np.ones((3, 4), np.float32), np.ones((2, 3, 4), np.float32),
              np.ones((5, 2, 3, 1), np.float32)):
        real = jnp.linalg.solve(a, b)
        assert_close(ljnp.linalg.solve(lite(a), lite(b)), real, 10)


def test_singular_matrices_give_what_jax_gives():
    s = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    assert repr(ljnp.linalg.det(lite(s))) == repr(jnp.linalg.det(s))
    assert repr(ljnp.linalg.slogdet(lite(s))) == repr(jnp.linalg.slogdet(s))
    z = np.zeros((4, 4), np.float32)
    assert repr(ljnp.linalg.slogdet(lite(z))) == repr(jnp.linalg.slogdet(z))
    assert repr(ljnp.linalg.det(lite(z))) == repr(jnp.linalg.det(z))
    not_pd = np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)
    assert repr(ljnp.linalg.cholesky(lite(not_pd))) == repr(jnp.linalg.cholesky(not_pd))


# ----------------------------------------------------------- cholesky, qr
@SETTINGS
@given(matrices(batch=True))
def test_cholesky_matches_jax(a):
    a = spd(a)
    scale = np.sqrt(np.abs(a).max()) * a.shape[-1]
    assert_close(ljnp.linalg.cholesky(lite(a)), jnp.linalg.cholesky(a), scale)
    assert_close(ljnp.linalg.cholesky(lite(a), upper=True), jnp.linalg.cholesky(a, upper=True), scale)


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from(["reduced", "complete", "r"]), st.integers(0, 99))
def test_qr_matches_jax_with_lapacks_sign_convention(m, n, mode, seed):
    a = np.random.default_rng(seed).normal(size=(m, n)).astype(np.float32)
    mine, real = ljnp.linalg.qr(lite(a), mode=mode), jnp.linalg.qr(a, mode=mode)
    if mode == "r":
        assert_close(mine, real, m * n)
        return
    q, r = arr(mine.Q), arr(mine.R)
    assert_close(q @ r, a, m * n)
    assert_close(q.T @ q, np.eye(q.shape[1]), m)
    assert_close(q, real.Q, m * n * 10)
    assert_close(r, real.R, m * n * 10)


def test_qr_of_the_identity_prints_like_jax():
    assert repr(ljnp.linalg.qr(ljnp.eye(2))) == repr(jnp.linalg.qr(jnp.eye(2)))


# -------------------------------------------------------------------- svd
@SETTINGS
@given(st.integers(1, 5), st.integers(1, 5), st.booleans(), st.integers(0, 99))
def test_svd_reconstructs_with_orthonormal_factors_and_jaxs_singular_values(m, n, full, seed):
    a = np.random.default_rng(seed).normal(size=(m, n)).astype(np.float32)
    u, s, vh = ljnp.linalg.svd(lite(a), full_matrices=full)
    real = jnp.linalg.svd(a, full_matrices=full)
    assert u.shape == real.U.shape and s.shape == real.S.shape and vh.shape == real.Vh.shape
    u, s, vh = arr(u), arr(s), arr(vh)
    k = min(m, n)
    scale = float(np.abs(a).sum())
    assert_close(s, real.S, scale)
    assert_close(ljnp.linalg.svd(lite(a), compute_uv=False), real.S, scale)
    assert_close((u[:, :k] * s) @ vh[:k], a, scale)
    assert_close(u.T @ u, np.eye(u.shape[1]), m)
    assert_close(vh @ vh.T, np.eye(vh.shape[0]), n)


def test_pinv_and_lstsq_match_jax():
    a = np.random.default_rng(3).normal(size=(5, 3)).astype(np.float32)
    b = np.arange(5, dtype=np.float32)
    assert_close(ljnp.linalg.pinv(lite(a)), jnp.linalg.pinv(a), 50)
    for mine, real in zip(ljnp.linalg.lstsq(lite(a), lite(b)), jnp.linalg.lstsq(a, b)):
        assert_close(mine, real, 100)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("name", ["eigvalsh", "eigh", "inv", "det", "slogdet", "cholesky", "qr", "svd"])
@pytest.mark.parametrize("shape", [(2, 3), (3,)])
def test_bad_shapes_raise_jaxs_error(name, shape):
    if name in ("qr", "svd") and shape == (2, 3):
        getattr(ljnp.linalg, name)(ljnp.ones(shape))   # rectangular matrices are fine
        return
    with pytest.raises(Exception) as real:
        getattr(jnp.linalg, name)(jnp.ones(shape))
    with pytest.raises(Exception) as mine:
        getattr(ljnp.linalg, name)(ljnp.ones(shape))
    assert type(mine.value).__name__ == type(real.value).__name__
    assert str(mine.value).splitlines()[0] == str(real.value).splitlines()[0]


@pytest.mark.parametrize("a_shape, b_shape", [((3, 3), (4,)), ((2, 3), (2,)), ((3,), (3,)), ((2, 3, 3), (2, 3))])
def test_solve_shape_errors_are_jaxs(a_shape, b_shape):
    with pytest.raises(ValueError) as real:
        jnp.linalg.solve(jnp.ones(a_shape), jnp.ones(b_shape))
    with pytest.raises(ValueError) as mine:
        ljnp.linalg.solve(ljnp.ones(a_shape), ljnp.ones(b_shape))
    assert str(mine.value).splitlines()[0] == str(real.value).splitlines()[0]


# -------------------------------------------------- transformations
A4 = np.array([[4.0, 1, 2, 0], [1, 3, 0.5, 1], [2, 0.5, 5, 2], [3, 1, 0, 6]], np.float32)
S3 = np.array([[4.0, 1, 2], [1, 3, 0.5], [2, 0.5, 5]], np.float32)


@pytest.mark.parametrize("fn, x", [
    (lambda np_, a: np_.linalg.det(a), A4),
    (lambda np_, a: np_.linalg.det(a), S3),
    (lambda np_, a: np_.linalg.slogdet(a)[1], A4),
    (lambda np_, a: np_.linalg.solve(a, np_.arange(4.0)).sum(), A4),
    (lambda np_, a: (np_.linalg.inv(a) ** 2).sum(), A4),
    (lambda np_, a: np_.linalg.eigvalsh(a)[-1], A4),
    (lambda np_, a: np_.linalg.eigh(a)[1][:, 0].sum() ** 2, S3),
    (lambda np_, a: np_.linalg.cholesky(a).sum(), S3),
    (lambda np_, a: np_.linalg.svd(a, compute_uv=False).sum(), A4),
    (lambda np_, a: np_.linalg.svd(a[:, :3], full_matrices=False)[0][:, 0].sum() ** 2, A4),
], ids=["det", "det3x3", "slogdet", "solve", "inv", "eigvalsh", "eigh-vectors", "cholesky", "svdvals", "svd-u"])
def test_grad_matches_jax(fn, x):
    real = jax.grad(lambda a: fn(jnp, a))(x)
    mine = jaxlite.grad(lambda a: fn(ljnp, a))(lite(x))
    assert_close(mine, real, np.abs(np.asarray(real)).max() * 16)


def test_jvp_and_jit_of_eigh_match_jax():
    t = np.ones((4, 4), np.float32)
    (w, _), (dw, _) = jaxlite.jvp(ljnp.linalg.eigh, (lite(A4),), (lite(t),))
    (rw, _), (rdw, _) = jax.jvp(jnp.linalg.eigh, (A4,), (t,))
    assert_close(w, rw, 20)
    assert_close(dw, rdw, 20)
    assert_close(jaxlite.jit(ljnp.linalg.eigvalsh)(lite(A4)), jnp.linalg.eigvalsh(A4), 20)


def test_vmap_matches_jax():
    batch = np.stack([A4, 2 * A4, A4.T])
    for name in ("eigvalsh", "det", "inv"):
        assert_close(jaxlite.vmap(getattr(ljnp.linalg, name))(lite(batch)),
                     jax.vmap(getattr(jnp.linalg, name))(batch), 2000)
    rhs = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert_close(jaxlite.vmap(ljnp.linalg.solve)(lite(batch), lite(rhs)), jax.vmap(jnp.linalg.solve)(batch, rhs), 50)
    assert_close(jaxlite.vmap(ljnp.linalg.solve, in_axes=(None, 0))(lite(A4), lite(rhs)),
                 jax.vmap(jnp.linalg.solve, in_axes=(None, 0))(A4, rhs), 50)


def test_missing_derivatives_name_the_function():
    with pytest.raises(NotImplementedError, match="jnp.linalg.qr"):
        jaxlite.grad(lambda a: ljnp.linalg.qr(a)[1].sum())(ljnp.eye(2))
