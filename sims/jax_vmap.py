"""The guide's vmap figure: one function written for a single example, and
`jax.vmap` applying it to every row of a batch at once. The numbers in the
figure (the batch, each row's result, the shapes and the primitives of the
batched program) are real JAX output."""

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

SOURCE = "lambda x: jnp.sum(x ** 2)"


def bake() -> dict:
    import jax
    import jax.numpy as jnp

    f = eval(SOURCE, {"jnp": jnp})
    xs = jnp.arange(12.0).reshape(4, 3)
    batched = jax.vmap(f)(xs)
    one_by_one = [f(x) for x in xs]
    assert all(float(a) == float(b) for a, b in zip(batched, one_by_one))
    single = jax.make_jaxpr(f)(xs[0])
    mapped = jax.make_jaxpr(jax.vmap(f))(xs)
    return {
        "source": SOURCE,
        "xs": [[float(v) for v in row] for row in xs],
        "ys": [float(v) for v in batched],
        "in_shape": list(xs.shape),
        "out_shape": list(batched.shape),
        "example_shape": list(xs[0].shape),
        "single_jaxpr": str(single),
        "batched_jaxpr": str(mapped),
        "batched_primitives": [str(eqn.primitive) for eqn in mapped.jaxpr.eqns],
    }
