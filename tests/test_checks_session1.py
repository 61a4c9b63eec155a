"""The session-1 self-checks say ✔ to right answers and ✘ to wrong ones and to unwritten stubs."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from helpers.checks import check_quiz
from helpers.checks import session1 as s1
from helpers.checks._core import _QUIZZES
from helpers.structures import STRUCTURE_TYPES


def verdict(capsys) -> str:
    out = capsys.readouterr().out.strip()
    assert out, "the check printed nothing"
    return out


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write your code here")


def test_all_lists_the_checks():
    assert set(s1.__all__) == {
        "check_class_counts",
        "check_sampling_bias_split",
        "check_choose_k_on_validation",
        "check_make_scaled_model",
    }
    for name in s1.__all__:
        assert callable(getattr(s1, name))


# --------------------------------------------------------------------------- Exercise 1.1


def class_counts_right(df):
    return pd.crosstab(df["structure_type"], df["condition"])


# a notebook-wide table with all seven types, standing in for the notebook's `pdfs`
PDFS = pd.DataFrame(
    {"structure_type": list(STRUCTURE_TYPES) * 2, "condition": ["clean"] * 7 + ["experimental"] * 7}
)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (stub, "not done yet"),
        (lambda df: df["structure_type"].value_counts(), "Series"),
        (lambda df: pd.crosstab(df["condition"], df["structure_type"]), "swapped"),
        (lambda df: df.groupby(["structure_type", "condition"]).size().unstack(), "NaN"),
        (lambda df: pd.crosstab(df["structure_type"], df["element"]), "expected exactly"),
        (lambda df: pd.crosstab(df["structure_type"], df["condition"]) * 2, "wrong counts"),
        (lambda df: df.pop("element"), "changed the DataFrame"),
        (lambda df: class_counts_right(df).reset_index(), "reset_index"),
        (lambda df: pd.crosstab(df["structure_type"], df["condition"], margins=True), "totals"),
        (lambda df: class_counts_right(PDFS), "argument `df`"),
        (lambda df: pd.crosstab(df["structure_type"], df["condition"], normalize=True), "fractions"),
    ],
)
def test_class_counts_wrong(capsys, fn, hint):
    s1.check_class_counts(fn)
    out = verdict(capsys)
    assert out.startswith("✘") and hint in out, out


def test_class_counts_right(capsys):
    s1.check_class_counts(class_counts_right)
    assert verdict(capsys).startswith("✔ Exercise 1.1")
    # the same answer with rows and columns in another order is fine too
    s1.check_class_counts(lambda df: class_counts_right(df).iloc[::-1, ::-1])
    assert verdict(capsys).startswith("✔")


# --------------------------------------------------------------------------- Exercise 1.2


def bias_split_right(df, column, max_value):
    low = (df[column] <= max_value).to_numpy()
    return low, ~low


def split_in_a_new_column(df, column, max_value):
    df["low"] = df[column] <= max_value  # changes the caller's DataFrame
    return df["low"].to_numpy(), ~df["low"].to_numpy()


@pytest.mark.parametrize(
    "fn, hint",
    [
        (stub, "not done yet"),
        (lambda df, c, v: (df[c] > v).to_numpy(), "tuple of two"),
        (lambda df, c, v: tuple(reversed(bias_split_right(df, c, v))), "swapped"),
        (lambda df, c, v: ((df[c] < v).to_numpy(), (df[c] >= v).to_numpy()), "threshold"),
        (lambda df, c, v: ((df[c] < v).to_numpy(), (df[c] >= v).to_numpy()), "<=, not <"),
        (lambda df, c, v: bias_split_right(df, "diameter", v), "`column`"),
        (lambda df, c, v: bias_split_right(df, c, 12.0), "`max_value`"),
        (lambda df, c, v: (df[df[c] <= v], df[df[c] > v]), "DataFrame"),
        (lambda df, c, v: (np.flatnonzero(df[c] <= v), np.flatnonzero(df[c] > v)), "row numbers"),
        (split_in_a_new_column, "changed the DataFrame"),
        (lambda df, c, v: ((df[c] <= v).to_numpy(), np.ones(len(df), bool)), "both"),
        (lambda df, c, v: ((df[c] <= v).to_numpy(), (df[c] > v + 5).to_numpy()), "neither"),
        (lambda df, c, v: ((df[c] <= v).to_numpy().astype(int), (df[c] > v).to_numpy()), "boolean"),
        (lambda df, c, v: (np.array([True]), np.array([False])), "one entry per row"),
    ],
)
def test_sampling_bias_split_wrong(capsys, fn, hint):
    s1.check_sampling_bias_split(fn)
    out = verdict(capsys)
    assert out.startswith("✘") and hint in out, out


def test_sampling_bias_split_less_than_is_not_asked_about_the_column(capsys):
    s1.check_sampling_bias_split(lambda df, c, v: ((df[c] < v).to_numpy(), (df[c] >= v).to_numpy()))
    assert "`column`" not in verdict(capsys)


def test_sampling_bias_split_right(capsys):
    s1.check_sampling_bias_split(bias_split_right)
    assert verdict(capsys).startswith("✔ Exercise 1.2")
    # pandas boolean Series are fine as masks
    s1.check_sampling_bias_split(lambda df, c, v: (df[c] <= v, df[c] > v))
    assert verdict(capsys).startswith("✔")


# --------------------------------------------------------------------------- Exercise 1.3


def choose_k_right(X_train, y_train, X_val, y_val, ks):
    scores = [KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train).score(X_val, y_val) for k in ks]
    return ks[int(np.argmax(scores))], scores


def choose_k_on_train(X_train, y_train, X_val, y_val, ks):
    return choose_k_right(X_train, y_train, X_train, y_train, ks)


def choose_k_worst(X_train, y_train, X_val, y_val, ks):
    _, scores = choose_k_right(X_train, y_train, X_val, y_val, ks)
    return ks[int(np.argmin(scores))], scores


def choose_k_position(X_train, y_train, X_val, y_val, ks):
    _, scores = choose_k_right(X_train, y_train, X_val, y_val, ks)
    return np.argmax(scores), scores  # np.int64, the position


def choose_k_last_of_ties(X_train, y_train, X_val, y_val, ks):
    _, scores = choose_k_right(X_train, y_train, X_val, y_val, ks)
    return max(zip(scores, ks))[1], scores  # the largest k among equal scores


def choose_k_best_score(X_train, y_train, X_val, y_val, ks):
    _, scores = choose_k_right(X_train, y_train, X_val, y_val, ks)
    return max(scores), scores


def choose_k_fitted_on_val(X_train, y_train, X_val, y_val, ks):
    return choose_k_right(X_val, y_val, X_val, y_val, ks)


def choose_k_sorted(X_train, y_train, X_val, y_val, ks):
    return choose_k_right(X_train, y_train, X_val, y_val, sorted(ks))


@pytest.mark.parametrize(
    "fn, hint",
    [
        (stub, "not done yet"),
        (choose_k_on_train, "training set"),
        (choose_k_worst, "highest validation score"),
        (lambda *a: choose_k_right(*a)[0], "tuple"),
        (lambda *a: (choose_k_right(*a)[0], choose_k_right(*a)[1][:-1]), "one accuracy per k"),
        (lambda Xt, yt, Xv, yv, ks: (ks[0], [0.5] * len(ks)), "differ"),
        (lambda Xt, yt, Xv, yv, ks: 1 / 0, "ZeroDivisionError"),
        (choose_k_position, "position of the best score"),
        (choose_k_last_of_ties, "tie"),
        (choose_k_best_score, "best score itself"),
        (choose_k_fitted_on_val, "fitted on the validation set"),
        (choose_k_sorted, "order of sorted k"),
    ],
)
def test_choose_k_wrong(capsys, fn, hint):
    s1.check_choose_k_on_validation(fn)
    out = verdict(capsys)
    assert out.startswith("✘") and hint in out, out


def test_choose_k_position_is_shown_as_a_plain_number(capsys):
    s1.check_choose_k_on_validation(choose_k_position)
    out = verdict(capsys)
    assert "best_k=2 " in out and "np.int64" not in out, out


def test_choose_k_right(capsys):
    s1.check_choose_k_on_validation(choose_k_right)
    assert verdict(capsys).startswith("✔ Exercise 1.3")


# --------------------------------------------------------------------------- Exercise 1.4


def scaled_model_right():
    return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))


_SHARED = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def fitted_model():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, ["a", "a", "b", "b"])


@pytest.mark.parametrize(
    "fn, hint",
    [
        (stub, "not done yet"),
        (lambda: KNeighborsClassifier(), "Pipeline"),
        (lambda: make_pipeline(KNeighborsClassifier()), "scaler"),
        (lambda: make_pipeline(KNeighborsClassifier(), StandardScaler()), "scaler"),
        (lambda: make_pipeline(StandardScaler(), StandardScaler()), "classifier"),
        (fitted_model, "unfitted"),
        (lambda: _SHARED, "new pipeline"),
        (lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1, solver="lbfgs")), "max_iter"),
        (lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=200)), "cross_val_score"),
        (lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), "KNeighborsClassifier"),
        (lambda: make_pipeline(MinMaxScaler(), KNeighborsClassifier(n_neighbors=5)), "StandardScaler"),
        (lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=3)), "n_neighbors=5"),
    ],
)
def test_make_scaled_model_wrong(capsys, fn, hint):
    s1.check_make_scaled_model(fn)
    out = verdict(capsys)
    assert out.startswith("✘") and hint in out, out


def test_make_scaled_model_right(capsys):
    s1.check_make_scaled_model(scaled_model_right)
    assert verdict(capsys).startswith("✔ Exercise 1.4")
    s1.check_make_scaled_model(
        lambda: Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier(n_neighbors=5))])
    )
    assert verdict(capsys).startswith("✔")


def test_unscaled_knn_really_fails_the_behaviour_check(capsys):
    """The test problem is built so that a model whose scaler does nothing gets a low score."""
    from sklearn.preprocessing import FunctionTransformer

    s1.check_make_scaled_model(lambda: make_pipeline(FunctionTransformer(), KNeighborsClassifier()))
    out = verdict(capsys)
    assert out.startswith("✘") and "accuracy" in out, out


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
