"""The perceptron of session 2 (helpers.perceptron): the PLA engine and the second-shell toy features."""

import numpy as np
import pandas as pd
import pytest

from helpers import perceptron as pw
from helpers.data import GR_COLUMNS, R_GRID


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


def test_pla_refuses_a_limit_that_is_not_a_whole_number():
    with pytest.raises(TypeError, match="max_updates must be an integer"):
        pw.pla_history(np.zeros((2, 2)), np.ones(2), max_updates=2.5)
    with pytest.raises(ValueError, match="max_updates must be >= 0"):
        pw.pla_history(np.zeros((2, 2)), np.ones(2), max_updates=-1)


def test_pla_stops_at_the_limit_on_xor():
    X = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    y = np.array([1, 1, -1, -1])
    hist = pw.pla_history(X, y, max_updates=25, seed=0)
    assert hist.n_updates == 25 and not hist.converged
    assert len(hist.n_misclassified) == 26 and hist.n_misclassified.min() >= 1


def test_predict_uses_the_lectures_sign_convention():
    assert pw.predict(np.array([0.0, 0.0, 0.0]), np.zeros((1, 2)))[0] == 1  # w·x = 0 -> +1


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
