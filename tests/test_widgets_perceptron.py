"""The perceptron stepper: its PLA engine, the static figure, and the widget."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.data import DATA_DIR, GR_COLUMNS, R_GRID
from helpers.widgets import perceptron as pw


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def separable():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    margin = X @ [1.0, -0.7] + 0.1
    X = X[np.abs(margin) > 0.1]
    return X, np.where(X @ [1.0, -0.7] + 0.1 >= 0, 1, -1)


def test_pla_converges_on_separable_data_and_records_every_update(separable):
    X, y = separable
    hist = pw.pla_history(X, y, max_updates=500, seed=0)
    assert hist.converged and hist.n_misclassified[-1] == 0
    assert np.all(pw.predict(hist.weights[-1], X) == y)
    assert hist.weights.shape == (hist.n_updates + 1, 3)
    # each step is the lecture's update w <- w + y x for the picked (misclassified) point
    Xb = np.column_stack([np.ones(len(X)), X])
    for t, i in enumerate(hist.picked):
        assert pw.predict(hist.weights[t], X[[i]])[0] != y[i]
        assert np.allclose(hist.weights[t + 1], hist.weights[t] + y[i] * Xb[i])
    again = pw.pla_history(X, y, max_updates=500, seed=0)
    assert np.array_equal(hist.weights, again.weights)


def test_pla_stops_at_the_limit_on_xor():
    X = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    y = np.array([1, 1, -1, -1])
    hist = pw.pla_history(X, y, max_updates=25, seed=0)
    assert hist.n_updates == 25 and not hist.converged
    assert len(hist.n_misclassified) == 26 and hist.n_misclassified.min() >= 1


def test_predict_uses_the_lectures_sign_convention():
    assert pw.predict(np.array([0.0, 0.0, 0.0]), np.zeros((1, 2)))[0] == 1  # w·x = 0 -> +1


def test_static_plot_has_labelled_axes_and_one_line_per_step(separable):
    X, y = separable
    ax = pw.plot_perceptron_steps(X, y, n_updates=(0, 1, 3), seed=0)
    assert isinstance(ax.figure, matplotlib.figure.Figure)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["after 0 updates", "after 1 update", "after 3 updates"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "y = +1" in legend and "y = −1" in legend


def test_static_plot_says_when_it_converged_early(separable):
    X, y = separable
    n = pw.pla_history(X, y, max_updates=500, seed=0).n_updates
    ax = pw.plot_perceptron_steps(X, y, n_updates=n + 50, seed=0)
    assert ax.lines[-1].get_label() == f"after {n} updates (converged)"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X": np.zeros((5, 3)), "y": np.ones(5)}, "shape \\(n_points, 2\\)"),
        ({"X": np.zeros((5, 2)), "y": np.ones(4)}, "y must have shape"),
        ({"X": np.zeros((5, 2)), "y": np.arange(5)}, "\\+1 and -1"),
        ({"X": np.zeros((2, 2)), "y": np.ones(2), "n_updates": -1}, "n_updates"),
    ],
)
def test_static_plot_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pw.plot_perceptron_steps(**kwargs)


def test_widget_builds_and_step_reset_slider_redraw(separable):
    import ipywidgets as widgets

    X, y = separable
    box = pw.perceptron_stepper_widget(X, y, seed=0)
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


def _fake_pdfs() -> pd.DataFrame:
    """Two FCC and two BCC rows whose G(r) peaks at their own second-neighbour distance."""
    rows = []
    for t, d in [("FCC", 2.88), ("FCC", 2.50), ("BCC", 2.48), ("BCC", 2.73)]:
        shell = d * (np.sqrt(2.0) if t == "FCC" else 2 / np.sqrt(3.0))
        g = np.exp(-((R_GRID - shell) ** 2) / 0.02)
        rows.append({"structure_type": t, "d_nn": d, **dict(zip(GR_COLUMNS, g))})
    rows.append({"structure_type": "SC", "d_nn": 2.5, **dict(zip(GR_COLUMNS, np.zeros(len(R_GRID))))})
    return pd.DataFrame(rows)


def test_second_shell_features_read_g_at_the_two_shells():
    X, y = pw.second_shell_features(_fake_pdfs())
    assert X.shape == (4, 2) and list(y) == [1, 1, -1, -1]  # the SC row is left out
    assert np.all(X[:2, 1] > 0.8) and np.all(X[:2, 0] < 0.1)  # FCC: peak at the FCC shell only
    assert np.all(X[2:, 0] > 0.8) and np.all(X[2:, 1] < 0.1)  # BCC: peak at the BCC shell only


def test_second_shell_features_rejects_other_input():
    with pytest.raises(TypeError, match="DataFrame"):
        pw.second_shell_features(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="d_nn"):
        pw.second_shell_features(pd.DataFrame({"structure_type": ["FCC"]}))


@pytest.mark.skipif(not (DATA_DIR / "pdfs.csv.gz").is_file(), reason="needs the dataset (make data)")
def test_default_data_is_the_separable_fcc_bcc_toy():
    X, y = pw.toy_data()
    assert X.shape == (180, 2) and (y == 1).sum() == (y == -1).sum() == 90
    assert pw.pla_history(X, y, max_updates=1000, seed=0).converged  # linearly separable
    box = pw.perceptron_stepper_widget()
    assert box.history.converged and box.image.value[:4] == b"\x89PNG"
    ax = pw.plot_perceptron_steps(n_updates=(0, 1))
    assert ax.get_xlabel() == pw.TOY_FEATURE_NAMES[0]
    assert "FCC (y = +1)" in [t.get_text() for t in ax.get_legend().get_texts()]
