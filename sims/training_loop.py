"""Gradient descent on Chapter 9's regression problem, one real training step per frame.

The data are the chapter's 32 noisy points from y = 1.5x² − x + 0.5 (noise
0.1 · jax.random.normal with key 0), the model is its quadratic
a·x² + b·x + c with parameters in a dict starting at zero, and the loss is the
mean squared error. For each of 8 learning rates, roughly half a decade apart
from 0.002 to 6 (0.02, 0.2 and 0.6 are the chapter's), the baker runs the
chapter's jitted `train_step` — `jax.value_and_grad` of the loss, then a
`jax.tree.map` update — and records, before every step, the parameters, the
loss and the gradient that step computes, and the model's predictions (a
jitted `model` call) on 40 points of x for drawing the curve. It also records
the least-squares solution (`jnp.linalg.lstsq`) as the lowest loss reachable,
and the eigenvalues of the loss's Hessian (`jax.hessian`): gradient descent
diverges for learning rates above 2/λmax. Non-finite values, which the
diverging rates produce, are written as the strings "inf", "-inf" and "nan".
"""

SCHEMA_VERSION = 1
DEVICES = 1
TIMINGS = ()

STEPS = 80
LEARNING_RATES = (0.002, 0.006, 0.02, 0.06, 0.2, 0.6, 2.0, 6.0)
GRID_POINTS = 40
PREDICTION_DIGITS = 4  # significant digits kept for the curve's predictions
PARAM_NAMES = ("a", "b", "c")
TRUE_COEFFICIENTS = {"a": 1.5, "b": -1.0, "c": 0.5}


def _encode(value, digits=None):
    """A float as JSON: non-finite as "inf"/"-inf"/"nan"; float32 values as the
    shortest decimal that reads back as the same float32, or rounded to
    `digits` significant digits."""
    import math

    import numpy as np

    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if digits is not None:
        return float(f"{v:.{digits - 1}e}")
    return float(str(np.float32(v)))


def bake() -> dict:
    import jax
    import jax.numpy as jnp
    import jax.random as jr
    from jax.flatten_util import ravel_pytree

    # The chapter's data, model and loss, exactly as written there.
    noise_key = jr.key(0)
    x_data = jnp.linspace(-1.5, 1.5, 32)
    y_data = 1.5 * x_data**2 - x_data + 0.5 + 0.1 * jr.normal(noise_key, x_data.shape)

    def model(params, x):
        return params["a"] * x**2 + params["b"] * x + params["c"]

    def loss_fn(params, x, y):
        return jnp.mean((model(params, x) - y) ** 2)

    @jax.jit
    def train_step(params, x, y, lr):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        params = jax.tree.map(lambda p, g: p - lr * g, params, grads)
        return params, loss, grads

    predict = jax.jit(model)
    grid_x = jnp.linspace(-1.5, 1.5, GRID_POINTS)

    def zeros():
        return {name: jnp.array(0.0) for name in PARAM_NAMES}

    # The lowest loss any parameters reach: least squares on the features (x², x, 1).
    features = jnp.stack([x_data**2, x_data, jnp.ones_like(x_data)], axis=1)
    solution = jnp.linalg.lstsq(features, y_data)[0]
    best = dict(zip(PARAM_NAMES, solution))
    best_loss = loss_fn(best, x_data, y_data)

    # The loss is quadratic in the parameters: gradient descent is stable only
    # for learning rates below 2 / (largest eigenvalue of its Hessian).
    flat, unravel = ravel_pytree(zeros())
    hessian = jax.hessian(lambda v: loss_fn(unravel(v), x_data, y_data))(flat)
    eigenvalues = jnp.linalg.eigvalsh(hessian)
    limit = 2.0 / float(eigenvalues[-1])

    runs = []
    for lr in LEARNING_RATES:
        params = zeros()
        losses, params_seen, grads_seen, predictions = [], [], [], []
        for _ in range(STEPS + 1):  # frames 0..STEPS: the state before each step
            params_seen.append([_encode(params[n]) for n in PARAM_NAMES])
            predictions.append([_encode(v, PREDICTION_DIGITS) for v in predict(params, grid_x)])
            params, loss, grads = train_step(params, x_data, y_data, lr)
            losses.append(_encode(loss))
            grads_seen.append([_encode(grads[n]) for n in PARAM_NAMES])
        finite = [isinstance(v, float) for v in losses]
        first_bad = finite.index(False) if not all(finite) else None
        if first_bad is not None or losses[-1] > losses[0]:
            verdict = "diverges"
        elif losses[-1] <= 1.01 * float(best_loss):
            verdict = "converges"
        else:
            verdict = "slow"
        runs.append({
            "lr": lr,
            "verdict": verdict,
            "first_nonfinite_step": first_bad,
            "loss": losses,
            "params": params_seen,
            "grads": grads_seen,
            "predictions": predictions,
        })

    return {
        "steps": STEPS,
        "param_names": list(PARAM_NAMES),
        "true_coefficients": dict(TRUE_COEFFICIENTS),
        "noise_std": 0.1,
        "noise_key": 0,
        "data_x": [_encode(v) for v in x_data],
        "data_y": [_encode(v) for v in y_data],
        "grid_x": [_encode(v) for v in grid_x],
        "prediction_digits": PREDICTION_DIGITS,
        "least_squares": {"params": [_encode(v) for v in solution], "loss": _encode(best_loss)},
        "hessian_eigenvalues": [_encode(v) for v in eigenvalues],
        "stability_limit": _encode(limit),
        "runs": runs,
    }
