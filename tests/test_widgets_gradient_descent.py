"""The learning-rate explorer: gradient descent on a quadratic bowl, the static figure, and the widget."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.widgets import gradient_descent as gd


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


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


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((0.0, 10), ValueError, "positive"),
        ((-1.0, 10), ValueError, "positive"),
        (("a", 10), TypeError, "number"),
    ],
)
def test_bad_rates_are_refused(args, error, match):
    with pytest.raises(error, match=match):
        gd.gradient_descent(*args)
    with pytest.raises(ValueError, match="n_steps"):
        gd.gradient_descent(0.5, -1)


def test_static_plot_one_curve_per_rate_log_scale_labelled():
    ax = gd.plot_learning_rates(rates=(0.01, 0.5, 5.0), n_steps=50)
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 3
    assert "too slow" in legend[0] and "good" in legend[1] and "diverging" in legend[2]


def test_path_plot_is_labelled():
    ax = gd.plot_descent_path(1.5, 20)
    assert "w₁" in ax.get_xlabel() and "w₂" in ax.get_ylabel()


def test_widget_builds_and_sliders_redraw():
    import ipywidgets as widgets

    box = gd.learning_rate_widget()
    assert isinstance(box, widgets.VBox) and "learning-rate-explorer" in box._dom_classes
    assert isinstance(box.rate_slider, widgets.FloatLogSlider)
    assert box.rate_slider.description == "learning rate γ" and box.steps_slider.description == "steps"
    assert not box.rate_slider.continuous_update and not box.steps_slider.continuous_update
    first_image, first_status = box.image.value, box.status.value
    assert first_image[:4] == b"\x89PNG" and "good" in first_status
    box.rate_slider.value = 5.0
    assert box.image.value != first_image and "diverg" in box.status.value
    box.steps_slider.value = 120
    assert "120 steps" in box.status.value
