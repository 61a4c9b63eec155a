"""Session 4's self-checks written as code (4.1 and 4.3-4.6 are specs: tests/test_checks_specs.py), and the quiz."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import _core, check_quiz
from helpers.checks import session4 as s4
from helpers.checks._core import _QUIZZES
from helpers.checks.session4 import (
    __all__ as session4_all,
)


def _verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


def test_all_lists_the_checks():
    assert sorted(session4_all) == [
        "check_active_learning_curve",
        "check_nearest_centroid_predict",
        "check_predictive_entropy",
        "check_replay_buffer",
        "check_scale_and_rw",
        "check_uncertainty_sampling",
    ]


# --------------------------------------------------------------------------- 4.1 uncertainty sampling


def uncertainty_sampling_ok(model, X_pool, n):
    confidence = model.predict_proba(X_pool).max(axis=1)
    return np.argsort(confidence, kind="stable")[:n]


def test_the_tied_case_really_has_ties_at_the_cut():
    """A non-stable order of the tied rows changes which rows are chosen (else the check could not tell)."""
    model, X = s4._FixedProbaModel(s4._TIED_PROBA), np.zeros((20, 2))
    assert set(s4._unstable_ties(model, X, 7)) != set(uncertainty_sampling_ok(model, X, 7))


def test_uncertainty_sampling_with_real_model():
    """The check's reference, on a fitted classifier, picks the pool points closest to its boundary."""
    model, X_pool = s4._real_model()
    chosen = s4._least_confident(model, X_pool, 5)
    closest = np.argsort(np.abs(model.decision_function(X_pool)))[:5]  # binary: low confidence = near w·x = 0
    assert set(chosen.tolist()) == set(closest.tolist())


# 4.3-4.6 are specs: their mistakes are tested by tests/test_checks_specs.py.


# --------------------------------------------------------------------------- quiz


@pytest.mark.parametrize("question, answer", [(1, "b"), (2, "c"), (3, "a"), (4, "d"), (5, "b")])
def test_quiz_right_and_wrong(capsys, question, answer):
    check_quiz(4, question, answer)
    assert _verdict(capsys).startswith(f"✔ Session 4 quiz Q{question}")
    for wrong, why in _QUIZZES[4].questions[question].wrong.items():
        check_quiz(4, question, wrong)
        out = _verdict(capsys)
        assert out.startswith(f"✘ Session 4 quiz Q{question}") and why in out and "Reread “Practical" in out
    check_quiz(4, question, "?")
    assert _verdict(capsys).startswith(f"✘ Session 4 quiz Q{question}")


# 4.2's right answer and mistakes live next to its check: tests/test_checks_specs.py
