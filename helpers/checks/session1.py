"""Self-checks for session 1: learning from data and data preparation.

Each check runs the student's function on a small case whose right answer is
known and prints one ✔ or ✘ line (with a hint, never the solution).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from helpers.checks._core import Quiz, register_quiz, report, run_student_code

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


def check_class_counts(class_counts) -> None:
    """Exercise 1.1: ``class_counts(df)`` -> DataFrame, rows = structure types, columns = conditions."""
    ex = "Exercise 1.1"
    df = _toy_metadata()
    before = df.copy()
    ok, got = run_student_code(ex, class_counts, df)
    if not ok:
        return
    if not df.equals(before):
        report(ex, False, "your function changed the DataFrame it was given; count without modifying it.")
        return
    if isinstance(got, pd.Series):
        report(
            ex,
            False,
            "you returned a Series; return a DataFrame with one row per structure type and one column "
            "per condition.",
        )
        return
    if not isinstance(got, pd.DataFrame):
        report(ex, False, f"expected a pandas DataFrame, got {type(got).__name__}.")
        return
    expected = {
        ("FCC", "clean"): 3,
        ("FCC", "experimental"): 1,
        ("BCC", "clean"): 1,
        ("BCC", "experimental"): 2,
        ("SC", "clean"): 0,
        ("SC", "experimental"): 1,
    }
    rows, cols = {str(i) for i in got.index}, {str(c) for c in got.columns}
    if rows == {"clean", "experimental"} and {"FCC", "BCC", "SC"} <= cols:
        report(
            ex, False, "rows and columns are swapped: one row per structure type, one column per condition."
        )
        return
    if rows != {"FCC", "BCC", "SC"} or cols != {"clean", "experimental"}:
        report(
            ex,
            False,
            f"on a test table with types FCC, BCC, SC and conditions clean, experimental you returned rows "
            f"{sorted(rows)} and columns {sorted(cols)}; expected exactly those types as rows and those "
            "conditions as columns.",
        )
        return
    table = got.copy()
    table.index = table.index.map(str)
    table.columns = table.columns.map(str)
    if table.isna().to_numpy().any():
        report(ex, False, "a type that never occurs in a condition must count 0, not NaN (try fill_value=0).")
        return
    wrong = [f"{t}/{c}" for (t, c), n in expected.items() if table.loc[t, c] != n]
    if wrong:
        report(ex, False, f"wrong counts for {', '.join(wrong)} in a small test table; count rows per pair.")
        return
    report(ex, True, "one row per structure type, one column per condition, the right counts.")


# --------------------------------------------------------------------------- Exercise 1.2


def check_sampling_bias_split(sampling_bias_split) -> None:
    """Exercise 1.2: ``sampling_bias_split(df, column, max_value)`` -> (train_mask, test_mask)."""
    ex = "Exercise 1.2"
    df = _toy_metadata()
    # the first case has a particle exactly on the threshold; the second uses another column
    for column, max_value in (("diameter", 12.5), ("d_nn", 2.6)):
        ok, got = run_student_code(ex, sampling_bias_split, df.copy(), column, max_value)
        if not ok:
            return
        if not isinstance(got, tuple) or len(got) != 2:
            report(ex, False, "return a tuple of two boolean masks: (train_mask, test_mask).")
            return
        masks = []
        for name, m in zip(("train_mask", "test_mask"), got):
            arr = np.asarray(m)
            if arr.shape != (len(df),):
                report(ex, False, f"{name} must have one entry per row ({len(df)}), got shape {arr.shape}.")
                return
            if arr.dtype != bool:
                report(ex, False, f"{name} must be boolean (True/False per row), got dtype {arr.dtype}.")
                return
            masks.append(arr)
        train, test = masks
        low = df[column].to_numpy() <= max_value
        if np.array_equal(train, ~low) and np.array_equal(test, low):
            report(ex, False, "the masks are swapped: train on the rows with SMALL values, test on the rest.")
            return
        if np.any(train & test):
            report(ex, False, "some rows are in both train and test; the two parts must not overlap.")
            return
        if not np.all(train | test):
            report(ex, False, "some rows are in neither part; every row belongs to train or test.")
            return
        if not np.array_equal(train, low):
            report(
                ex,
                False,
                f"with column={column!r}, max_value={max_value} the train part should hold the rows whose "
                f"{column!r} is <= {max_value} (the threshold itself included). Do you use the argument "
                "`column`?",
            )
            return
    report(ex, True, "train on low values, test on high ones: a deliberately biased split.")


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


def check_choose_k_on_validation(choose_k_on_validation) -> None:
    """Exercise 1.3: ``choose_k_on_validation(X_train, y_train, X_val, y_val, ks)`` -> (best_k, val_scores)."""
    ex = "Exercise 1.3"
    for seed, ks in ((1, [1, 3, 5, 9, 15, 25]), (2, [25, 11, 7, 3, 1])):
        X_train, y_train, X_val, y_val = _knn_case(seed)
        ok, got = run_student_code(
            ex, choose_k_on_validation, X_train.copy(), y_train.copy(), X_val.copy(), y_val.copy(), list(ks)
        )
        if not ok:
            return
        if not isinstance(got, tuple) or len(got) != 2:
            report(ex, False, "return a tuple (best_k, val_scores).")
            return
        best_k, scores = got
        scores = np.asarray(scores, dtype=float)
        if scores.shape != (len(ks),):
            report(
                ex,
                False,
                f"val_scores needs one accuracy per k ({len(ks)} values), got shape {scores.shape}.",
            )
            return
        expected = _val_scores(X_train, y_train, X_val, y_val, ks)
        if not np.allclose(scores, expected, atol=1e-9):
            train_scores = _val_scores(X_train, y_train, X_train, y_train, ks)
            if np.allclose(scores, train_scores, atol=1e-9):
                report(
                    ex, False, "your scores are on the training set; score each model on the validation set."
                )
            else:
                report(
                    ex,
                    False,
                    "val_scores differ from the validation accuracy of KNeighborsClassifier(n_neighbors=k) "
                    "fitted on the training set (in the order of ks).",
                )
            return
        winners = {ks[i] for i in np.flatnonzero(expected == expected.max())}
        if best_k not in winners:
            report(ex, False, f"best_k={best_k!r} does not have the highest validation score among ks={ks}.")
            return
    report(ex, True, "k is chosen on the validation set; the vault stays closed.")


# --------------------------------------------------------------------------- Exercise 1.4


def _scale_case():
    """Two classes told apart by a feature of size ~1, next to a noise feature of size ~1000."""
    rng = np.random.default_rng(3)
    n = 120
    y = np.repeat(["A", "B"], n // 2)
    signal = np.where(y == "A", -1.0, 1.0) + rng.normal(scale=0.4, size=n)
    noise = rng.normal(scale=1000.0, size=n)
    return np.column_stack([signal, noise]), y


def check_make_scaled_model(make_scaled_model) -> None:
    """Exercise 1.4: ``make_scaled_model()`` -> an unfitted Pipeline (scaler first, classifier last)."""
    from sklearn.base import TransformerMixin, is_classifier
    from sklearn.exceptions import ConvergenceWarning, NotFittedError
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    ex = "Exercise 1.4"
    ok, model = run_student_code(ex, make_scaled_model)
    if not ok:
        return
    if not isinstance(model, Pipeline):
        report(ex, False, f"expected a sklearn Pipeline (make_pipeline(...)), got {type(model).__name__}.")
        return
    first, last = model.steps[0][1], model.steps[-1][1]
    if len(model.steps) < 2 or not (
        isinstance(first, TransformerMixin) and type(first).__module__.startswith("sklearn.preprocessing")
    ):
        report(ex, False, "the first step of the pipeline must be a scaler, e.g. StandardScaler().")
        return
    if not is_classifier(last):
        report(ex, False, f"the last step must be a classifier, got {type(last).__name__}.")
        return
    try:
        check_is_fitted(model)
        report(ex, False, "return a new, unfitted pipeline; cross-validation fits it on each training fold.")
        return
    except NotFittedError:
        pass
    ok, other = run_student_code(ex, make_scaled_model)
    if not ok:
        return
    if other is model:
        report(ex, False, "each call must build a new pipeline, not return the same object again.")
        return
    X, y = _scale_case()
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scores = cross_val_score(model, X, y, cv=cv, error_score="raise")
        except Exception as exc:  # noqa: BLE001 - any failure of the student's pipeline becomes a ✘ line
            report(ex, False, f"cross_val_score failed on your pipeline: {type(exc).__name__}: {exc}")
            return
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        report(ex, False, "the classifier did not converge (ConvergenceWarning): raise its max_iter.")
        return
    if not scores.mean() >= 0.9:
        report(
            ex,
            False,
            f"cross-validated accuracy {scores.mean():.2f} on a test problem where one feature is 1000x "
            "larger than the informative one; a scaled model reaches > 0.9. Is the scaler really first?",
        )
        return
    report(
        ex, True, f"a fresh scaler + classifier pipeline; on a test problem CV accuracy {scores.mean():.2f}."
    )


# --------------------------------------------------------------------------- quiz

_WHY = {
    1: (
        "E is the experience the program learns from: here, simulated PDFs whose structure type is known. "
        "T is the prediction, P the accuracy on unseen particles."
    ),
    2: (
        "The test set chose k, so it is no longer unseen: the best of many test scores is biased upwards. "
        "Choose on validation (or cross-validation) and open the vault once."
    ),
    3: (
        "Perfect on the training data but much worse on validation, while a simpler model does better on "
        "validation: the first model has memorised its training PDFs (overfitting)."
    ),
    4: (
        "Fitted on all data, the scaler's mean and standard deviation have seen the held-out fold: "
        "information from the data used for scoring leaks into training."
    ),
    5: (
        "The Fourier transform stops at Qmax; cutting F(Q) off abruptly puts ripples of wavelength about "
        "2π/Qmax on every peak. A larger Qmax gives weaker, faster ripples and sharper peaks."
    ),
}

register_quiz(
    1,
    Quiz(
        "Session 1", {q: (letter, _WHY[q]) for q, letter in {1: "c", 2: "a", 3: "d", 4: "b", 5: "b"}.items()}
    ),
)
