"""The session-1 self-checks say ✔ to right answers and ✘ to wrong ones and to unwritten stubs."""

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

from helpers.checks import _core, check_quiz
from helpers.checks import session1 as s1
from helpers.checks._core import _QUIZZES


def verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


def test_all_lists_the_checks():
    assert set(s1.__all__) == {
        "check_class_counts",
        "check_sampling_bias_split",
        "check_choose_k_on_validation",
        "check_cross_validate_scaled",
    }
    for name in s1.__all__:
        assert callable(getattr(s1, name))


# --------------------------------------------------------------------------- Exercise 1.1


# 1.1 is a spec: tests/test_checks_specs.py


# --------------------------------------------------------------------------- Exercise 1.2


# 1.2 is a spec: tests/test_checks_specs.py


def test_sampling_bias_split_less_than_is_not_asked_about_the_column(capsys):
    s1.check_sampling_bias_split(lambda df, c, v: ((df[c] < v).to_numpy(), (df[c] >= v).to_numpy()))
    assert "`column`" not in verdict(capsys)


# --------------------------------------------------------------------------- Exercise 1.3


# 1.3 is a spec: tests/test_checks_specs.py


# --------------------------------------------------------------------------- Exercise 1.4


# 1.4 is written as code (a spy); its right answers and mistakes live next to it: tests/test_checks_specs.py


def test_the_test_problem_tells_the_mistakes_apart():
    """On the check's data, scaling matters and every fold's scaler differs from the one fitted on all rows."""
    X, y = s1._scaling_case()
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=1)
    knn = KNeighborsClassifier(n_neighbors=3)
    assert s1._cv(knn, X, y, cv).mean() - s1._cv_unscaled(knn, X, y, cv).mean() > 0.2
    for train, _ in cv.split(X, y):
        assert not np.allclose(X[train].mean(axis=0), X.mean(axis=0), rtol=1e-3)


# --------------------------------------------------------------------------- quiz


def test_quiz_registered_with_one_right_letter_each(capsys):
    answers = {1: "c", 2: "a", 3: "d", 4: "b", 5: "b"}
    assert {q: question.answer for q, question in _QUIZZES[1].questions.items()} == answers
    for q, right in answers.items():
        check_quiz(1, q, right)
        assert verdict(capsys).startswith(f"✔ Session 1 quiz Q{q}")
        explanations = set()
        for wrong in set("abcd") - {right}:
            check_quiz(1, q, wrong)
            out = verdict(capsys)
            why = _QUIZZES[1].questions[q].wrong[wrong]
            assert out.startswith("✘") and why in out and "Reread “" in out, out
            explanations.add(why)
        assert len(explanations) == 3, "every wrong option has its own explanation"
    check_quiz(1, 1, "?")
    assert "one letter" in verdict(capsys)
