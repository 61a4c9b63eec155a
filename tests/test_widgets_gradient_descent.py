"""The learning-rate explorer (helpers.widgets.gradient_descent): the static figure and the widget."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from helpers import gradient_descent as gd
from helpers.widgets import gradient_descent as gdw


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((0.0, 10), ValueError, r"rate \(the learning rate γ\) must be > 0"),
        ((-1.0, 10), ValueError, "must be > 0"),
        (("a", 10), TypeError, "must be a number"),
        ((True, 10), TypeError, "must be a number"),
        ((0.5, -1), ValueError, "n_steps must be >= 0"),
        ((0.5, 2.0), TypeError, "n_steps must be an integer"),
    ],
)
def test_bad_rates_and_steps_are_refused(args, error, match):
    with pytest.raises(error, match=match):
        gd.gradient_descent(*args)
    with pytest.raises(error, match=match):
        gdw.plot_learning_rates(rates=args[0], n_steps=args[1])


def test_static_plot_one_curve_per_rate_log_scale_labelled():
    ax = gdw.plot_learning_rates(rates=(0.01, 0.5, 5.0), n_steps=50)
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 3
    assert "too slow" in legend[0] and "good" in legend[1] and "diverging" in legend[2]


def test_static_plot_before_the_exercise_names_the_rates_without_a_verdict():
    ax = gdw.plot_learning_rates(rates=(0.01, 0.5, 5.0), n_steps=50, verdicts=False)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "γ = 0.01" and legend[1] == "γ = 0.5", legend
    assert not any(word in " ".join(legend) for word in ("good", "slow", "diverging"))


def test_widget_builds_and_sliders_redraw():
    import ipywidgets as widgets

    box = gdw.learning_rate_widget()
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


def test_widget_shows_the_path_on_the_contours():
    box = gdw.learning_rate_widget(rate=1.5, n_steps=20)
    ax_path = box.image  # the PNG; the figure's axes are checked through the drawing function
    assert ax_path.value[:4] == b"\x89PNG"
    fig = matplotlib.figure.Figure()
    ax = fig.subplots()
    gdw._path_panel(ax, 1.5, 20)
    assert "w₁" in ax.get_xlabel() and "w₂" in ax.get_ylabel()
    assert len(ax.lines[0].get_xdata()) == 21  # w_0 ... w_20
