"""helpers.optim.adam: mini-batch Adam on a dict of numpy arrays."""

import numpy as np
import pytest

from helpers.optim import adam


def least_squares(params, X, Y):
    residual = X @ params["w"] + params["b"] - Y
    return float(np.mean(residual**2)), {
        "w": 2 * X.T @ residual / len(X),
        "b": 2 * residual.mean(axis=0),
    }


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    w_true, b_true = np.array([[1.0], [-2.0], [0.5]]), np.array([0.3])
    return X, X @ w_true + b_true, {"w": np.zeros((3, 1)), "b": np.zeros(1)}, w_true, b_true


def test_adam_fits_a_linear_model(problem):
    X, Y, start, w_true, b_true = problem
    params, losses = adam(least_squares, start, X, Y, lr=0.05, epochs=200, batch_size=16, seed=0)
    assert losses.shape == (200,) and losses[-1] < 1e-6 < losses[0]
    assert np.allclose(params["w"], w_true, atol=1e-3) and np.allclose(params["b"], b_true, atol=1e-3)
    assert np.all(start["w"] == 0) and np.all(start["b"] == 0)  # the caller's params are untouched


def test_one_full_batch_step_is_the_adam_update(problem):
    X, Y, start, *_ = problem
    params, losses = adam(least_squares, start, X, Y, lr=0.1, epochs=1, batch_size=len(X))
    loss, g = least_squares(start, X, Y)
    # after one step m̂ = g and v̂ = g², so every weight moves by lr · g / (|g| + eps) ≈ lr · sign(g)
    for name in start:
        assert np.allclose(params[name], start[name] - 0.1 * g[name] / (np.abs(g[name]) + 1e-8))
    assert losses[0] == pytest.approx(loss)


def test_the_seed_decides_the_batches(problem):
    X, Y, start, *_ = problem
    a, _ = adam(least_squares, start, X, Y, epochs=3, batch_size=7, seed=1)
    b, _ = adam(least_squares, start, X, Y, epochs=3, batch_size=7, seed=1)
    c, _ = adam(least_squares, start, X, Y, epochs=3, batch_size=7, seed=2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["w"], c["w"])


def test_every_sample_is_used_once_per_epoch_with_a_smaller_last_batch(problem):
    X, Y, start, *_ = problem
    seen = []

    def recording(params, Xb, Yb):
        seen.append(len(Xb))
        return least_squares(params, Xb, Yb)

    adam(recording, start, X, Y, epochs=2, batch_size=30)
    assert seen == [30, 30, 30, 10] * 2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": "0.1"}, TypeError, "lr"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 2.5}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"betas": (0.9, 1.0)}, ValueError, "betas"),
    ],
)
def test_arguments_are_validated(problem, kwargs, error, match):
    X, Y, start, *_ = problem
    with pytest.raises(error, match=match):
        adam(least_squares, start, X, Y, **kwargs)


def test_gradients_that_do_not_match_the_params_are_refused(problem):
    X, Y, start, *_ = problem
    with pytest.raises(ValueError, match="keys"):
        adam(lambda p, X, Y: (0.0, {"w": p["w"]}), start, X, Y, epochs=1)
    with pytest.raises(ValueError, match="shape"):
        adam(lambda p, X, Y: (0.0, {"w": p["w"].T, "b": p["b"]}), start, X, Y, epochs=1)
    with pytest.raises(ValueError, match="same number of samples"):
        adam(least_squares, start, X, Y[:-1], epochs=1)
    with pytest.raises(TypeError, match="dict"):
        adam(least_squares, [start["w"]], X, Y, epochs=1)
