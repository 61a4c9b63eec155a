"""The session-2 self-checks say ✔ to right answers and ✘ to wrong ones and to unwritten stubs."""

import threading

import numpy as np

from helpers.checks import _core, check_quiz
from helpers.checks import session2 as s2
from helpers.checks._core import _QUIZZES


def verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


def test_all_lists_the_checks():
    assert set(s2.__all__) == {
        "check_perceptron",
        "check_agreement",
        "check_one_vs_rest_predict",
        "check_fit_normal_equation",
        "check_logistic_regression_gd",
        "check_pick_learning_rate",
    }
    for name in s2.__all__:
        assert callable(getattr(s2, name))


# --------------------------------------------------------------------------- Exercise 2.1


# 2.1 is a spec (tests/test_checks_specs.py); the time limit is a matter of call, tested here.
perceptron_right = s2._perceptron


def perceptron_never_stops(X, y, max_updates=1000, seed=0):
    w, n = perceptron_right(X, y, max_updates, seed)
    if n == max_updates:  # "while not converged" without a limit
        while True:
            pass
    return w, n


def test_perceptron_that_never_stops_is_stopped(capsys, monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.5)
    s2.check_perceptron(perceptron_never_stops)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 2.1") and "still running" in out, out
    assert not [t for t in threading.enumerate() if t.name == "student code"], "the endless loop was stopped"


def test_agreement(capsys):
    s2.check_agreement(0.95, 0.97)
    assert verdict(capsys).startswith("✔")
    s2.check_agreement(0.80, 0.97)
    assert "differ by 0.170" in verdict(capsys)
    s2.check_agreement(95, 0.97)
    assert verdict(capsys).startswith("✘")
    s2.check_agreement("0.9", 0.97)
    assert verdict(capsys).startswith("✘")


# --------------------------------------------------------------------------- Exercise 2.2
# 2.2 is a spec (tests/test_checks_specs.py), its mistakes through the global `perceptron` included.


def test_one_vs_rest_through_the_global_perceptron_restores_the_global(capsys):
    assert s2.check_one_vs_rest_predict(s2._ovr_calls).passed
    assert not s2.check_one_vs_rest_predict(s2._calls_with(pick=np.argmin)).passed
    assert s2.perceptron is s2._perceptron


# --------------------------------------------------------------------------- Exercise 2.3


# 2.3 is a spec: its mistakes are tested by tests/test_checks_specs.py.


# 2.4 and 2.5 are specs: tests/test_checks_specs.py


# --------------------------------------------------------------------------- quiz


def test_quiz_has_five_questions_and_checks_letters(capsys):
    quiz = _QUIZZES[2]
    right = {q: question.answer for q, question in quiz.questions.items()}
    assert sorted(right) == [1, 2, 3, 4, 5]
    for q, a in right.items():
        check_quiz(2, q, a)
        assert verdict(capsys).startswith(f"✔ Session 2 quiz Q{q}")
        for wrong in sorted(set("abcd") - {a}):
            check_quiz(2, q, wrong)
            out = verdict(capsys)
            assert out.startswith(f"✘ Session 2 quiz Q{q}") and quiz.questions[q].wrong[wrong] in out, out
            assert quiz.questions[q].reread in out
    check_quiz(2, 1, "?")
    assert "one letter" in verdict(capsys)
