"""Right answers never break the lesson: each session runs to the end with answers written differently.

The self-checks accept an exercise's answer as a list as well as an array (they convert it); so must every
later cell that reuses the student's function.  Each session is run here, in-process, with every exercise
function replaced by a wrapper that returns its arrays as lists (tuples stay tuples), and nothing may fail
and no self-check may answer ✘.  Session 3's forward pass is run through the dual numbers in many more ways
in tests/test_autodiff.py; its other reused answers (conv1d, choose_k_by_silhouette) are used only through numpy
functions that take lists and arrays alike."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

# the exercise functions whose results later cells reuse (the quiz and pick_learning_rate are not reused)
EXERCISES = {
    "01_learning_from_data": [
        "class_counts",
        "sampling_bias_split",
        "choose_k_on_validation",
        "cross_validate_scaled",
    ],
    "02_perceptron": ["perceptron", "one_vs_rest_predict", "fit_normal_equation", "logistic_regression_gd"],
    "04_recent_trends": [
        "uncertainty_sampling",
        "replay_buffer",
        "predictive_entropy",
        "scale_and_rw",
        "nearest_centroid_predict",
    ],
}


def as_lists(value):
    """An answer written with lists where the reference returns arrays."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return tuple(as_lists(v) for v in value)
    return value


def returning_lists(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return as_lists(f(*args, **kwargs))

    return wrapper


def code_cells(name: str) -> list[str]:
    nb = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("name", sorted(EXERCISES), ids=str)
def test_session_runs_to_the_end_with_answers_returned_as_lists(name, monkeypatch):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(ROOT / "solutions")
    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    replaced = []
    for i, src in enumerate(code_cells(name)):
        if re.fullmatch(r"\w+_widget\(.*\)", src.strip(), flags=re.DOTALL):
            continue  # an explorer: it only draws
        with contextlib.redirect_stdout(out):
            try:
                exec(compile(src, f"{name}, code cell {i}", "exec"), namespace)  # noqa: S102 - the course's notebook
            except Exception as error:  # pragma: no cover - the message is the point
                raise AssertionError(
                    f"{name}, code cell {i} fails with answers returned as lists ({', '.join(replaced)}): "
                    f"{type(error).__name__}: {error}\n{src[:300]}"
                ) from error
        for f in EXERCISES[name]:
            if re.search(rf"^def {f}\(", src, flags=re.MULTILINE) and "BEGIN SOLUTION" in src:
                namespace[f] = returning_lists(namespace[f])
                replaced.append(f)
    assert sorted(replaced) == sorted(EXERCISES[name]), replaced
    assert "✘" not in out.getvalue(), out.getvalue()[-2000:]
