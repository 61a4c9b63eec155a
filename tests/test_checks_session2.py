"""The session-2 self-checks say ✔ to right answers and ✘ to wrong ones and to unwritten stubs."""

import threading

import numpy as np
import pytest

from helpers.checks import _core, check_quiz
from helpers.checks import session2 as s2
from helpers.checks._core import _QUIZZES


def verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write your code here")


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


def ovr_right(X_train, y_train, X, max_updates=1000, seed=0):
    classes = np.unique(y_train)
    Xb = np.column_stack([np.ones(len(X)), X])
    W = np.array(
        [perceptron_right(X_train, np.where(y_train == c, 1, -1), max_updates, seed)[0] for c in classes]
    )
    return classes[np.argmax(Xb @ W.T, axis=1)]


def ovr_indices(X_train, y_train, X, max_updates=1000, seed=0):
    classes = np.unique(y_train)
    Xb = np.column_stack([np.ones(len(X)), X])
    W = np.array(
        [perceptron_right(X_train, np.where(y_train == c, 1, -1), max_updates, seed)[0] for c in classes]
    )
    return np.argmax(Xb @ W.T, axis=1)


def ovr_argmin(X_train, y_train, X, max_updates=1000, seed=0):
    classes = np.unique(y_train)
    Xb = np.column_stack([np.ones(len(X)), X])
    W = np.array(
        [perceptron_right(X_train, np.where(y_train == c, 1, -1), max_updates, seed)[0] for c in classes]
    )
    return classes[np.argmin(Xb @ W.T, axis=1)]


def ovr_scores(X_train, y_train, X, max_updates=1000, seed=0, bias=True, fixed=None):
    """The scores of the K perceptrons; ``fixed`` overrides (max_updates, seed) as a student might."""
    classes = np.unique(y_train)
    max_updates, seed = fixed or (max_updates, seed)
    W = np.array(
        [perceptron_right(X_train, np.where(y_train == c, 1, -1), max_updates, seed)[0] for c in classes]
    )
    return classes, (W[:, 0] if bias else 0) + X @ W[:, 1:].T


def ovr_no_bias(X_train, y_train, X, max_updates=1000, seed=0):
    classes, scores = ovr_scores(X_train, y_train, X, max_updates, seed, bias=False)
    return classes[np.argmax(scores, axis=1)]


def ovr_ignores_max_updates(X_train, y_train, X, max_updates=1000, seed=0):
    classes, scores = ovr_scores(X_train, y_train, X, fixed=(1000, seed))
    return classes[np.argmax(scores, axis=1)]


def ovr_ignores_seed(X_train, y_train, X, max_updates=1000, seed=0):
    classes, scores = ovr_scores(X_train, y_train, X, fixed=(max_updates, 0))
    return classes[np.argmax(scores, axis=1)]


def ovr_ignores_both(X_train, y_train, X, max_updates=1000, seed=0):
    classes, scores = ovr_scores(X_train, y_train, X, fixed=(1000, 0))
    return classes[np.argmax(scores, axis=1)]


def ovr_argmax_over_rows(X_train, y_train, X, max_updates=1000, seed=0):
    _, scores = ovr_scores(X_train, y_train, X, max_updates, seed)
    return np.argmax(scores, axis=0)  # one value per class


def ovr_labels_of_argmax_over_rows(X_train, y_train, X, max_updates=1000, seed=0):
    classes, scores = ovr_scores(X_train, y_train, X, max_updates, seed)
    return classes[np.argmax(scores, axis=0)]  # IndexError: row numbers used as class numbers


def ovr_one_column_short(X_train, y_train, X, max_updates=1000, seed=0):
    classes = np.unique(y_train)
    scores = np.empty((len(X), len(classes) - 1))
    for k, c in enumerate(classes):
        w, _ = perceptron_right(X_train, np.where(y_train == c, 1, -1), max_updates, seed)
        scores[:, k] = w[0] + X @ w[1:]
    return classes[np.argmax(scores, axis=1)]


def test_one_vs_rest_right_answer_passes(capsys):
    s2.check_one_vs_rest_predict(ovr_right)
    assert verdict(capsys).startswith("✔ Exercise 2.2")


@pytest.mark.parametrize(
    "fn, hint",
    [
        (stub, "not done yet"),
        (ovr_indices, "class labels"),
        (ovr_argmin, "largest"),
        (lambda X_train, y_train, X: y_train[:5], "one label per row"),
        (lambda X_train, y_train, X: np.full(len(X), "Pt"), "not classes"),
        (ovr_no_bias, "bias w[0]"),
        (ovr_ignores_max_updates, "pass max_updates on"),
        (ovr_ignores_seed, "pass seed on"),
        (ovr_ignores_both, "pass max_updates on"),
        (lambda X_train, y_train, X, **kw: ovr_scores(X_train, y_train, X, **kw)[1], "one score per row"),
        (ovr_argmax_over_rows, "along axis=1"),
        (ovr_labels_of_argmax_over_rows, "classes: shape (3,), scores: shape (60, 3)"),
        (lambda Xt, yt, X, **kw: ovr_right(Xt, yt, Xt, **kw), "one per row of X_train"),
        (ovr_one_column_short, "scores: shape (60, 2), k = 2"),
    ],
)
def test_one_vs_rest_wrong_answers_fail(capsys, fn, hint):
    s2.check_one_vs_rest_predict(fn)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 2.2") and hint in out, out


# The same answers as a notebook writes them: calling the global `perceptron` (the student's Exercise 2.1),
# which the check replaces by a stand-in with known weights while it runs.
perceptron = perceptron_right


def ovr_calls(X_train, y_train, X, max_updates=1000, seed=0, labels=None, score=None, classes_used=None):
    """One-vs-rest through the global `perceptron`, with a replaceable labelling and scoring (the mistakes)."""
    classes = np.unique(y_train)
    scores = np.empty((len(X), len(classes)))
    for k, c in enumerate(classes if classes_used is None else classes_used(classes)):
        y_k = np.where(y_train == c, 1, -1) if labels is None else labels(y_train, c)
        w, _ = perceptron(X_train, y_k, max_updates=max_updates, seed=seed)
        scores[:, k] = w[0] + X @ w[1:] if score is None else score(w, X)
    return classes[np.argmax(scores, axis=1)]


def ovr_calls_min(X_train, y_train, X, max_updates=1000, seed=0):
    classes = np.unique(y_train)
    W = np.array([perceptron(X_train, np.where(y_train == c, 1, -1), max_updates, seed)[0] for c in classes])
    return classes[np.argmin(W[:, 0] + X @ W[:, 1:].T, axis=1)]


def ovr_calls_fixed(X_train, y_train, X, max_updates=1000, seed=0):
    return ovr_calls(X_train, y_train, X)  # max_updates and seed not passed on


def test_one_vs_rest_through_the_global_perceptron_passes_and_the_global_is_restored(capsys):
    s2.check_one_vs_rest_predict(ovr_calls)
    assert verdict(capsys).startswith("✔ Exercise 2.2")
    assert perceptron is perceptron_right


@pytest.mark.parametrize(
    "fn, hint",
    [
        (
            lambda *a, **k: ovr_calls(*a, **k, score=lambda w, X: np.where(w[0] + X @ w[1:] >= 0, 1, -1)),
            "only +1 or −1",
        ),
        (lambda *a, **k: ovr_calls(*a, **k, score=lambda w, X: X @ w[1:]), "leave out the bias"),
        (ovr_calls_min, "smallest"),
        (lambda *a, **k: ovr_calls(*a, **k, labels=lambda y, c: (y == c).astype(int)), "0/1"),
        (lambda *a, **k: ovr_calls(*a, **k, labels=lambda y, c: y == c), "True/False"),
        (lambda *a, **k: ovr_calls(*a, **k, labels=lambda y, c: np.where(y == c, -1, 1)), "wrong way round"),
        (lambda *a, **k: ovr_calls(*a, **k, labels=lambda y, c: y), "+1 and −1 only"),
        (lambda *a, **k: ovr_calls(*a, **k, classes_used=lambda cl: cl[:-1]), "called perceptron 2 time(s)"),
        (
            lambda *a, **k: ovr_calls(*a, **k, labels=lambda y, c: np.where(y == "Au", 1, -1)),
            "exactly the rows",
        ),
        (ovr_calls_fixed, "pass max_updates on"),
        (
            lambda X_train, y_train, X, max_updates=1000, seed=0: ovr_calls(X_train, y_train, X, max_updates),
            "pass seed on",
        ),
    ],
)
def test_one_vs_rest_through_the_global_perceptron_wrong(capsys, fn, hint):
    s2.check_one_vs_rest_predict(fn)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 2.2") and hint in out, out
    assert perceptron is perceptron_right


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
