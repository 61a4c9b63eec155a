"""Gradient descent on the quadratic bowl of the learning-rate explorer (helpers.gradient_descent)."""

import numpy as np
import pytest

from helpers import gradient_descent as gd


def test_the_gradient_is_the_gradient_of_the_loss():
    w, eps = np.array([0.3, -1.2]), 1e-6
    numeric = [(gd.loss(w + eps * e) - gd.loss(w - eps * e)) / (2 * eps) for e in np.eye(2)]
    assert np.allclose(gd.gradient(w), numeric, atol=1e-6)
    assert gd.loss(gd.W_STAR) == 0
    assert np.allclose(np.linalg.eigvalsh(gd.A), sorted(gd.CURVATURES))


def test_descent_path_follows_the_update_rule():
    path, losses = gd.gradient_descent(0.5, 5)
    assert path.shape == (6, 2) and losses.shape == (6,)
    assert np.allclose(path[0], gd.W_START)
    for t in range(5):
        assert np.allclose(path[t + 1], path[t] - 0.5 * gd.gradient(path[t]))
    assert np.all(np.diff(losses) < 0)


@pytest.mark.parametrize(
    "rate, verdict",
    [(0.01, "too slow"), (0.5, "good"), (1.5, "good"), (1.97, "oscillating"), (5.0, "diverging")],
)
def test_rates_are_classified(rate, verdict):
    assert gd.classify_rate(rate, 50) == verdict


def test_divergence_stops_the_run_and_is_reported_as_inf():
    path, losses = gd.gradient_descent(5.0, 50)
    assert np.isinf(losses[-1]) and np.isnan(path[-1]).all()
    assert np.isinf(gd.loss_after_steps(5.0, 50))
    assert 2 / max(gd.CURVATURES) == 2.0  # the stability limit the notebook quotes
