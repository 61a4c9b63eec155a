"""The session-1 self-checks say ✔ to right answers and ✘ to wrong ones and to unwritten stubs."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from helpers.checks import _core, check_quiz
from helpers.checks import session1 as s1
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


def cv_scaled_right(model, X, y, cv):
    scores = []
    for train, test in cv.split(X, y):
        scaler = StandardScaler().fit(X[train])
        fold_model = clone(model).fit(scaler.transform(X[train]), y[train])
        scores.append(fold_model.score(scaler.transform(X[test]), y[test]))
    return np.array(scores)


def cv_scaled_by_pipeline(model, X, y, cv):
    return cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv)


def cv_scaled_without_clone(model, X, y, cv):
    scores = []
    for train, test in cv.split(X, y):
        scaler = StandardScaler().fit(X[train])
        model.fit(scaler.transform(X[train]), y[train])
        scores.append(accuracy_score(y[test], model.predict(scaler.transform(X[test]))))
    return scores  # a list is fine


def cv_with(model, X, y, cv, *, scale_train, scale_test, swap=False, score_on_train=False, folds=None):
    """Cross-validation with the typical mistakes: how the two parts are scaled, which part is which."""
    scores = []
    for train, test in folds if folds is not None else cv.split(X, y):
        if swap:
            train, test = test, train
        fold_model = clone(model).fit(scale_train(X, train), y[train])
        rows = train if score_on_train else test
        scores.append(fold_model.score(scale_test(X, train, rows), y[rows]))
    return np.array(scores)


def fitted_on(rows):
    return lambda X, train: StandardScaler().fit(X[rows(X, train)]).transform(X[train])


OWN = lambda X, train: StandardScaler().fit_transform(X[train])
WITH_TRAIN = lambda X, train, rows: StandardScaler().fit(X[train]).transform(X[rows])


def cv_no_scaler(model, X, y, cv):
    return cross_val_score(model, X, y, cv=cv)


def cv_leaky(model, X, y, cv):
    X_scaled = StandardScaler().fit_transform(X)  # the scaler has seen every held-out row
    return cross_val_score(model, X_scaled, y, cv=cv)


def cv_second_scaler(model, X, y, cv):
    return cv_with(
        model,
        X,
        y,
        cv,
        scale_train=OWN,
        scale_test=lambda X, train, rows: StandardScaler().fit_transform(X[rows]),
    )


def cv_test_unscaled(model, X, y, cv):
    return cv_with(model, X, y, cv, scale_train=OWN, scale_test=lambda X, train, rows: X[rows])


def cv_swapped(model, X, y, cv):
    return cv_with(model, X, y, cv, scale_train=OWN, scale_test=WITH_TRAIN, swap=True)


def cv_scored_on_train(model, X, y, cv):
    return cv_with(model, X, y, cv, scale_train=OWN, scale_test=WITH_TRAIN, score_on_train=True)


def cv_own_folds(model, X, y, cv):
    folds = StratifiedKFold(n_splits=4).split(X, y)  # the caller's cv is ignored
    return cv_with(model, X, y, cv, scale_train=OWN, scale_test=WITH_TRAIN, folds=folds)


def cv_five_folds(model, X, y, cv):
    return cv_scaled_right(model, X, y, StratifiedKFold(n_splits=5, shuffle=True, random_state=0))


def cv_min_max(model, X, y, cv):
    scores = []
    for train, test in cv.split(X, y):
        scaler = MinMaxScaler().fit(X[train])
        fold_model = clone(model).fit(scaler.transform(X[train]), y[train])
        scores.append(fold_model.score(scaler.transform(X[test]), y[test]))
    return np.array(scores)


def cv_in_place(model, X, y, cv):
    X -= X.mean(axis=0)  # changes the caller's X
    return cv_scaled_right(model, X, y, cv)


def cv_own_model(model, X, y, cv):
    return cv_scaled_right(KNeighborsClassifier(n_neighbors=5), X, y, cv)


def cv_first_fold_scaler(model, X, y, cv):
    scaler, scores = None, []
    for train, test in cv.split(X, y):
        scaler = scaler or StandardScaler().fit(X[train])  # fitted once, in the first fold
        fitted = clone(model).fit(scaler.transform(X[train]), y[train])
        scores.append(fitted.score(scaler.transform(X[test]), y[test]))
    return np.array(scores)


def cv_balanced_accuracy(model, X, y, cv):
    from sklearn.metrics import balanced_accuracy_score

    scores = []
    for train, test in cv.split(X, y):
        scaler = StandardScaler().fit(X[train])
        fitted = clone(model).fit(scaler.transform(X[train]), y[train])
        scores.append(balanced_accuracy_score(y[test], fitted.predict(scaler.transform(X[test]))))
    return np.array(scores)


def cv_error_rate(model, X, y, cv):
    return 1 - cv_scaled_right(model, X, y, cv)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (stub, "not done yet"),
        (cv_no_scaler, "unscaled rows"),
        (cv_leaky, "fitted on all of X"),
        (cv_second_scaler, "second scaler"),
        (cv_test_unscaled, "unscaled held-out rows"),
        (cv_swapped, "fitted on the held-out rows"),
        (cv_scored_on_train, "its own training rows"),
        (cv_own_folds, "never asked `cv`"),
        (cv_five_folds, "never asked `cv`"),
        (cv_min_max, "MinMaxScaler"),
        (cv_in_place, "changed the X"),
        (cv_own_model, "never fitted"),
        (lambda model, X, y, cv: cv_scaled_right(model, X, y, cv).mean(), "one number"),
        (lambda model, X, y, cv: cv_scaled_right(model, X, y, cv)[:2], "shape (4,)"),
        (lambda model, X, y, cv: dict(enumerate(cv_scaled_right(model, X, y, cv))), "array of numbers"),
        (cv_error_rate, "not the accuracies"),
        (cv_first_fold_scaler, "scaler of another fold"),
        (cv_balanced_accuracy, "balanced accuracies"),
        (lambda model, X, y, cv: cv_scaled_right(model, X, y, cv)[::-1], "order of the folds"),
    ],
)
def test_cross_validate_scaled_wrong(capsys, fn, hint):
    s1.check_cross_validate_scaled(fn)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 1.4") and hint in out, out


@pytest.mark.parametrize("fn", [cv_scaled_right, cv_scaled_by_pipeline, cv_scaled_without_clone])
def test_cross_validate_scaled_right(capsys, fn):
    s1.check_cross_validate_scaled(fn)
    assert verdict(capsys).startswith("✔ Exercise 1.4")


def test_the_test_problem_tells_the_mistakes_apart():
    """On the check's data, scaling matters and every fold's scaler differs from the one fitted on all rows."""
    X, y = s1._scaling_case()
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=1)
    knn = KNeighborsClassifier(n_neighbors=3)
    assert cv_scaled_right(knn, X, y, cv).mean() - cv_no_scaler(knn, X, y, cv).mean() > 0.2
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
