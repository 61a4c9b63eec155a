"""The perceptron pictures (helpers.widgets.perceptron): the static figure and the stepper widget."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import perceptron as pw
from helpers.data import DATA_DIR
from helpers.widgets import perceptron as pwidget
from helpers.widgets.fast_figure import FastFigure


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_static_plot_has_labelled_axes_and_one_line_per_step(separable):
    X, y = separable
    ax = pwidget.plot_perceptron_steps(X, y, n_updates=(0, 1, 3), seed=0)
    assert isinstance(ax.figure, matplotlib.figure.Figure)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["after 0 updates", "after 1 update", "after 3 updates"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "y = +1" in legend and "y = −1" in legend


def test_static_plot_says_when_it_converged_early(separable):
    X, y = separable
    n = pw.pla_history(X, y, max_updates=500, seed=0).n_updates
    ax = pwidget.plot_perceptron_steps(X, y, n_updates=n + 50, seed=0)
    assert ax.lines[-1].get_label() == f"after {n} updates (converged)"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": np.zeros((5, 3)), "y": np.ones(5)}, "shape \\(n_points, 2\\)"),
        ({"X": np.zeros((5, 2)), "y": np.ones(4)}, "y must have shape"),
        ({"X": np.zeros((5, 2)), "y": np.arange(5)}, "\\+1 and -1"),
        ({"X": np.zeros((2, 2)), "y": np.ones(2), "n_updates": -1}, "n_updates"),
        ({"X": np.zeros((2, 2)), "y": np.ones(2), "n_updates": []}, "n_updates"),
    ],
)
def test_static_plot_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pwidget.plot_perceptron_steps(**kwargs)


def test_widget_builds_and_step_reset_slider_redraw(separable):
    import ipywidgets as widgets

    X, y = separable
    box = pwidget.perceptron_stepper_widget(X, y, seed=0)
    assert isinstance(box, widgets.VBox) and "perceptron-stepper" in box._dom_classes
    assert isinstance(box.slider, widgets.IntSlider) and box.slider.description == "update #"
    assert box.slider.continuous_update is False
    assert box.slider.max == box.history.n_updates >= 2
    first_image, first_status = box.image.value, box.status.value
    assert first_image[:4] == b"\x89PNG" and "update 0" in first_status
    box.step_button.click()
    assert box.slider.value == 1
    assert box.image.value != first_image and "update 1: picked point #" in box.status.value
    box.slider.value = box.slider.max  # jump to the end
    assert "converged" in box.status.value and box.step_button.disabled
    box.reset_button.click()
    assert box.slider.value == 0 and box.status.value == first_status


def _drawn(picture) -> dict:
    """What a PerceptronPicture shows: lines and their labels, shading, rings, star, title, legend."""
    lines = [*picture.earlier, picture.line]
    return {
        "lines": [(line.get_label(), np.asarray(line.get_xydata()).round(12).tolist()) for line in lines],
        "regions": np.asarray(picture.regions.get_array()).tolist(),
        "rings": np.asarray(picture.rings.get_offsets()).tolist(),
        "star": np.asarray(picture.star.get_offsets()).tolist(),
        "title": picture.ax.get_title(),
        "legend": [t.get_text() for t in picture.legend.get_texts()],
    }


def test_static_and_live_pictures_are_the_same_picture(separable, monkeypatch):
    """Both figures are drawn by PerceptronPicture: at update t the widget shows the plot of (t - 1, t)."""
    pictures = []
    real = pwidget.PerceptronPicture.__init__
    monkeypatch.setattr(
        pwidget.PerceptronPicture,
        "__init__",
        lambda self, *a, **k: pictures.append(self) or real(self, *a, **k),
    )
    X, y = separable
    box = pwidget.perceptron_stepper_widget(X, y, seed=0)
    box.slider.value = 2
    pwidget.plot_perceptron_steps(X, y, n_updates=(1, 2), seed=0)
    live, static = pictures
    assert _drawn(live) == _drawn(static)
    assert _drawn(static)["legend"] == [
        "y = +1",
        "y = −1",
        "after 1 update",
        "after 2 updates",
        "misclassified",
        "picked next",
    ]
    assert FastFigure(live.ax.figure).png()[:4] == b"\x89PNG"


@pytest.mark.skipif(not (DATA_DIR / "pdfs.csv.gz").is_file(), reason="needs the dataset (make data)")
def test_the_fcc_bcc_toy_of_session_2_is_separable():
    from helpers.data import load_pdfs

    clean = load_pdfs("clean")
    X, y = pw.second_shell_features(clean)
    n = int((clean["structure_type"] == "FCC").sum())  # as many BCC particles
    assert X.shape == (2 * n, 2) and (y == 1).sum() == (y == -1).sum() == n
    assert pw.pla_history(X, y, max_updates=1000, seed=0).converged  # linearly separable
    box = pwidget.perceptron_stepper_widget(X, y, feature_names=pw.TOY_FEATURE_NAMES)
    assert box.history.converged and box.image.value[:4] == b"\x89PNG"
    ax = pwidget.plot_perceptron_steps(X, y, n_updates=(0, 1), class_names=pw.TOY_CLASS_NAMES)
    assert "FCC (y = +1)" in [t.get_text() for t in ax.get_legend().get_texts()]
