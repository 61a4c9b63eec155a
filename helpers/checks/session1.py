"""Self-checks for session 1: learning from data and data preparation (Exercises 1.1-1.4 and the quiz)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from helpers.checks._core import (
    Question,
    Quiz,
    call,
    check,
    expect_array,
    expect_pair,
    fail,
    register_quiz,
    require,
    show,
)
from helpers.structures import STRUCTURE_TYPES

__all__ = [
    "check_choose_k_on_validation",
    "check_class_counts",
    "check_make_scaled_model",
    "check_sampling_bias_split",
]


# --------------------------------------------------------------------------- Exercise 1.1


def _toy_metadata() -> pd.DataFrame:
    """Eight rows of made-up metadata: FCC 3 + 1, BCC 1 + 2, SC 0 + 1 (clean + experimental)."""
    return pd.DataFrame(
        {
            "structure_type": ["FCC", "FCC", "BCC", "SC", "FCC", "BCC", "FCC", "BCC"],
            "element": ["Pt", "Au", "Fe", "Cu", "Pt", "W", "Ag", "Fe"],
            "condition": [
                "clean",
                "clean",
                "experimental",
                "experimental",
                "experimental",
                "clean",
                "clean",
                "experimental",
            ],
            "diameter": [8.0, 12.5, 9.1, 20.3, 15.0, 11.2, 30.4, 6.6],
            "d_nn": [2.772, 2.885, 2.485, 2.553, 2.772, 2.737, 2.892, 2.485],
        }
    )


_COUNTS = {
    ("FCC", "clean"): 3,
    ("FCC", "experimental"): 1,
    ("BCC", "clean"): 1,
    ("BCC", "experimental"): 2,
    ("SC", "clean"): 0,
    ("SC", "experimental"): 1,
}


@check("Exercise 1.1")
def check_class_counts(class_counts):
    """Exercise 1.1: ``class_counts(df)`` -> DataFrame, rows = structure types, columns = conditions."""
    df = _toy_metadata()
    got = call(
        class_counts,
        df,
        returns="a DataFrame with one row per structure type and one column per condition",
        changed_hint="your function changed the DataFrame it was given; count without modifying it.",
    )
    require(
        not isinstance(got, pd.Series),
        "you returned a Series; return a DataFrame with one row per structure type and one column "
        "per condition.",
    )
    require(isinstance(got, pd.DataFrame), f"expected a pandas DataFrame, got {type(got).__name__}.")
    rows, cols = {str(i) for i in got.index}, {str(c) for c in got.columns}
    require(
        not {"structure_type", "condition"} & cols,
        "the structure types must be the index (the rows) and the conditions the columns, not columns "
        "of their own: leave out reset_index().",
    )
    require(
        "All" not in rows | cols,
        "remove the totals ('All', from margins=True): one row per structure type, one column per condition.",
    )
    require(
        not (rows == {"clean", "experimental"} and {"FCC", "BCC", "SC"} <= cols),
        "rows and columns are swapped: one row per structure type, one column per condition.",
    )
    require(
        not (set(STRUCTURE_TYPES) - {"FCC", "BCC", "SC"}) & (rows | cols),
        "your table has structure types that the test DataFrame given to the function does not have "
        "(it has only FCC, BCC and SC): count the argument `df`, not a table of the notebook such as `pdfs`.",
    )
    require(
        rows == {"FCC", "BCC", "SC"} and cols == {"clean", "experimental"},
        f"on a test table with types FCC, BCC, SC and conditions clean, experimental you returned rows "
        f"{sorted(rows)} and columns {sorted(cols)}; expected exactly those types as rows and those "
        "conditions as columns.",
    )
    table = got.copy()
    table.index = table.index.map(str)
    table.columns = table.columns.map(str)
    require(
        not table.isna().to_numpy().any(),
        "a type that never occurs in a condition must count 0, not NaN (try fill_value=0).",
    )
    values = table.to_numpy(dtype=float)
    require(
        not (values.max() <= 1 and np.any(values % 1 != 0)),
        "these are fractions, not counts (normalize=...?): count how many rows each pair has.",
    )
    wrong = [f"{t}/{c}" for (t, c), n in _COUNTS.items() if table.loc[t, c] != n]
    require(not wrong, f"wrong counts for {', '.join(wrong)} in a small test table; count rows per pair.")
    return "one row per structure type, one column per condition, the right counts."


# --------------------------------------------------------------------------- Exercise 1.2


def _masks(got, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The two masks as boolean arrays of shape (n,), or a failed check that says what is wrong."""
    pair = expect_pair(got, "return a tuple of two boolean masks: (train_mask, test_mask); got {got}.")
    masks = []
    for name, m in zip(("train_mask", "test_mask"), pair):
        require(
            not isinstance(m, pd.DataFrame),
            f"{name} is a DataFrame (rows of df); return boolean masks, one True/False per row.",
        )
        arr = np.asarray(m)
        if arr.shape != (n,) and arr.ndim == 1 and arr.dtype.kind in "iu":
            fail(f"{name} holds row numbers; return a boolean mask with one True/False per row ({n}).")
        require(arr.shape == (n,), f"{name} must have one entry per row ({n}), got shape {arr.shape}.")
        require(arr.dtype == bool, f"{name} must be boolean (True/False per row), got dtype {arr.dtype}.")
        masks.append(arr)
    return masks[0], masks[1]


@check("Exercise 1.2")
def check_sampling_bias_split(sampling_bias_split):
    """Exercise 1.2: ``sampling_bias_split(df, column, max_value)`` -> (train_mask, test_mask)."""
    df = _toy_metadata()
    # Three cases: a particle exactly on the threshold; the same column with another threshold (again
    # exactly on a particle), to see whether max_value is used; another column.
    cases = [("diameter", 12.5), ("diameter", 15.0), ("d_nn", 2.6)]
    results = []
    for column, max_value in cases:
        got = call(
            sampling_bias_split,
            df,
            column,
            max_value,
            returns=f"a tuple of two boolean arrays of shape ({len(df)},)",
            changed_hint="your function changed the DataFrame it was given; build the masks without "
            "modifying it.",
        )
        results.append(_masks(got, len(df)))
    for (column, max_value), (train, test) in zip(cases, results):
        low = df[column].to_numpy() <= max_value
        require(
            not (np.array_equal(train, ~low) and np.array_equal(test, low)),
            "the masks are swapped: train on the rows with SMALL values, test on the rest.",
        )
        require(
            not np.any(train & test), "some rows are in both train and test; the two parts must not overlap."
        )
        require(np.all(train | test), "some rows are in neither part; every row belongs to train or test.")
        for other in ("diameter", "d_nn"):
            other_low = df[other].to_numpy() <= max_value
            require(
                other == column or np.array_equal(other_low, low) or not np.array_equal(train, other_low),
                f"with column={column!r} your train part holds the rows whose {other!r} is <= {max_value}: "
                "do you use the argument `column`?",
            )
    require(
        not np.array_equal(results[0][0], results[1][0]),
        f"your masks did not change when max_value went from {cases[0][1]} to {cases[1][1]} (on "
        f"{cases[0][0]!r}): do you use the argument `max_value`?",
    )
    for (column, max_value), (train, _) in zip(cases, results):
        values = df[column].to_numpy()
        low, below = values <= max_value, values < max_value
        require(
            np.array_equal(low, below) or not np.array_equal(train, below),
            f"a particle whose {column!r} is exactly max_value = {max_value} belongs to training: the "
            "threshold itself is included, so compare with <=, not <.",
        )
        require(
            np.array_equal(train, low),
            f"with column={column!r}, max_value={max_value} the train part should hold the rows whose "
            f"{column!r} is <= {max_value} (the threshold itself included).",
        )
    return "train on low values, test on high ones: a deliberately biased split."


# --------------------------------------------------------------------------- Exercise 1.3


def _knn_case(seed: int):
    """Three noisy 2-D Gaussian blobs split into train and validation, plus the ks to try."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [2.0, 0.5], [1.0, 2.0]])
    y = np.repeat(["A", "B", "C"], 40)
    X = centres[np.repeat(np.arange(3), 40)] + rng.normal(scale=0.9, size=(120, 2))
    order = rng.permutation(120)
    X, y = X[order], y[order]
    return X[:80], y[:80], X[80:], y[80:]


def _val_scores(X_train, y_train, X_val, y_val, ks):
    from sklearn.neighbors import KNeighborsClassifier

    return np.array(
        [KNeighborsClassifier(n_neighbors=k).fit(X_train, y_train).score(X_val, y_val) for k in ks]
    )


def _scores_hint(scores, case, ks) -> str:
    """Why ``scores`` are not the validation accuracies (in the order of ``ks``)."""
    X_train, y_train, X_val, y_val = case
    if np.allclose(scores, _val_scores(X_train, y_train, X_train, y_train, ks), atol=1e-9):
        return "your scores are on the training set; score each model on the validation set."
    if np.allclose(scores, _val_scores(X_val, y_val, X_val, y_val, ks), atol=1e-9):
        return (
            "your models are fitted on the validation set (and scored on it): fit on the training set, "
            "score on the validation set."
        )
    by_k = _val_scores(X_train, y_train, X_val, y_val, sorted(ks))
    if list(ks) != sorted(ks) and np.allclose(scores, by_k, atol=1e-9):
        return f"your scores are in the order of sorted k; keep the order of ks = {ks}."
    return (
        "val_scores differ from the validation accuracy of KNeighborsClassifier(n_neighbors=k) "
        "fitted on the training set (in the order of ks)."
    )


@check("Exercise 1.3")
def check_choose_k_on_validation(choose_k_on_validation):
    """Exercise 1.3: ``choose_k_on_validation(X_train, y_train, X_val, y_val, ks)`` -> (best_k, val_scores)."""
    # case 1: k = 5 and k = 9 tie for the best score (the first one, 5, is the answer)
    for seed, ks in ((1, [1, 3, 5, 9, 15, 25]), (2, [25, 11, 7, 3, 1])):
        case = _knn_case(seed)
        got = call(
            choose_k_on_validation, *case, list(ks), returns=f"(best_k, val_scores) with {len(ks)} scores"
        )
        best_k, scores = expect_pair(got, "return a tuple (best_k, val_scores); got {got}.")
        scores = expect_array(scores, "val_scores")
        require(
            scores.shape == (len(ks),),
            f"val_scores needs one accuracy per k ({len(ks)} values), got shape {scores.shape}.",
        )
        expected = _val_scores(*case, ks)
        require(np.allclose(scores, expected, atol=1e-9), _scores_hint(scores, case, ks))
        winners = [ks[i] for i in np.flatnonzero(expected == expected.max())]
        if best_k in winners and best_k != winners[0]:
            fail(
                f"with ks={ks}, k = {' and '.join(map(str, winners))} tie for the highest validation score; "
                "take the first of them in ks (np.argmax returns the first maximum)."
            )
        if best_k not in winners:
            if isinstance(best_k, (float, np.floating)) and np.isclose(best_k, expected.max()):
                fail("best_k is the best score itself; return the k that reaches it.")
            if best_k == int(np.argmax(expected)):
                fail(f"best_k={show(best_k)} is the position of the best score in ks={ks}; return k itself.")
            fail(f"best_k={show(best_k)} does not have the highest validation score among ks={ks}.")
    return "k is chosen on the validation set; the vault stays closed."


# --------------------------------------------------------------------------- Exercise 1.4


def _scale_case():
    """Two classes told apart by a feature of size ~1, next to a noise feature of size ~1000."""
    rng = np.random.default_rng(3)
    n = 120
    y = np.repeat(["A", "B"], n // 2)
    signal = np.where(y == "A", -1.0, 1.0) + rng.normal(scale=0.4, size=n)
    noise = rng.normal(scale=1000.0, size=n)
    return np.column_stack([signal, noise]), y


@check("Exercise 1.4")
def check_make_scaled_model(make_scaled_model):
    """Exercise 1.4: ``make_scaled_model()`` -> an unfitted Pipeline (StandardScaler first, 5-NN last)."""
    from sklearn.base import TransformerMixin, is_classifier
    from sklearn.exceptions import ConvergenceWarning, NotFittedError
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.validation import check_is_fitted

    model = call(make_scaled_model, returns="a new, unfitted Pipeline")
    require(
        isinstance(model, Pipeline),
        f"expected a sklearn Pipeline (make_pipeline(...)), got {type(model).__name__}.",
    )
    first, last = model.steps[0][1], model.steps[-1][1]
    require(
        len(model.steps) >= 2
        and isinstance(first, TransformerMixin)
        and type(first).__module__.startswith("sklearn.preprocessing"),
        "the first step of the pipeline must be a scaler, e.g. StandardScaler().",
    )
    require(is_classifier(last), f"the last step must be a classifier, got {type(last).__name__}.")
    try:
        check_is_fitted(model)
        fail("return a new, unfitted pipeline; cross-validation fits it on each training fold.")
    except NotFittedError:
        pass
    other = call(make_scaled_model, returns="a new, unfitted Pipeline")
    require(other is not model, "each call must build a new pipeline, not return the same object again.")
    X, y = _scale_case()
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = call(
            cross_val_score,
            model,
            X,
            y,
            cv=cv,
            error_score="raise",
            what="cross_val_score on your pipeline",
            describe_args=False,
        )
    require(
        not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "the classifier did not converge (ConvergenceWarning): raise its max_iter.",
    )
    require(
        scores.mean() >= 0.9,
        f"cross-validated accuracy {scores.mean():.2f} on a test problem where one feature is 1000x "
        "larger than the informative one; a scaled model reaches > 0.9. Is the scaler really first?",
    )
    require(
        type(first) is StandardScaler,
        f"the instructions ask for a StandardScaler (mean 0, standard deviation 1) as the first step; "
        f"yours is {type(first).__name__}, so the next cells would not compare like with like.",
    )
    require(
        isinstance(last, KNeighborsClassifier) and last.n_neighbors == 5,
        "the instructions ask for KNeighborsClassifier(n_neighbors=5) as the last step (the next cells "
        f"compare it with the 5-NN of section 6); yours is {last!r}.",
    )
    return f"a fresh scaler + classifier pipeline; on a test problem CV accuracy {scores.mean():.2f}."


# --------------------------------------------------------------------------- quiz

register_quiz(
    Quiz(
        1,
        {
            1: Question(
                answer="c",
                why=(
                    "E is the experience the program learns from: here, simulated PDFs whose structure type is "
                    "known. T is the prediction, P the accuracy on unseen particles."
                ),
                wrong={
                    "a": "an accuracy on unseen particles is how we measure success: that is P, the performance.",
                    "b": "predicting the structure type is what the program does: that is T, the task.",
                    "d": "Qmax is a setting of the instrument; the program does not learn from it.",
                },
                reread="Theory · What does it mean to learn from data?",
            ),
            2: Question(
                answer="a",
                why=(
                    "The test set chose k, so it is no longer unseen: the best of many test scores is biased "
                    "upwards. Choose on validation (or cross-validation) and open the vault once."
                ),
                wrong={
                    "b": "the model never trained on the test set, but the test set chose k: the best of 50 "
                    "noisy scores is picked because it is high, so it flatters the model.",
                    "c": "picking the maximum of many noisy scores errs upwards, not downwards.",
                    "d": "more rows make each score less noisy, but the best of 50 is still chosen for being "
                    "high: the test set took part in a choice.",
                },
                reread="Practical · 4 · Horseman 2: data snooping",
            ),
            3: Question(
                answer="d",
                why=(
                    "Perfect on the training data but much worse on validation, while a simpler model does "
                    "better on validation: the first model has memorised its training PDFs (overfitting)."
                ),
                wrong={
                    "a": "an underfitting model scores low on its training data too; this one scores 1.00 there.",
                    "b": "snooping makes a validation or test score look too good; here the validation score "
                    "is the low one.",
                    "c": "the validation data are a random part of the same data, and the simpler model does "
                    "fine on them: the gap comes from the flexible model.",
                },
                reread="Practical · 5 · Horsemen 3 and 4: underfitting and overfitting",
            ),
            4: Question(
                answer="b",
                why=(
                    "Fitted on all data, the scaler's mean and standard deviation have seen the held-out fold: "
                    "information from the data used for scoring leaks into training."
                ),
                wrong={
                    "a": "speed is not the reason; a scaler fitted before cross-validation runs just as fast "
                    "and still leaks.",
                    "c": "cross_val_score takes numpy arrays directly, as section 6 does.",
                    "d": "a scaler in a pipeline transforms only X; the labels are never rescaled.",
                },
                reread="Practical · 7 · Feature scaling done right",
            ),
            5: Question(
                answer="b",
                why=(
                    "The Fourier transform stops at Qmax; cutting F(Q) off abruptly puts ripples of wavelength "
                    "about 2π/Qmax on every peak. A larger Qmax gives weaker, faster ripples and sharper peaks."
                ),
                wrong={
                    "a": "thermal motion (Biso) broadens the peaks; it smooths, it adds no oscillations.",
                    "c": "the finite size makes G(r) fade and vanish near the diameter, not oscillate at "
                    "2π/Qmax.",
                    "d": "Qdamp makes G(r) fade at high r, it does not add ripples.",
                },
                reread="Theory · What a pair distribution function shows",
            ),
        },
    )
)
