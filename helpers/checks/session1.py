"""Self-checks for session 1: learning from data and data preparation (Exercises 1.1-1.4 and the quiz)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from helpers.checks._core import (
    call,
    check,
    expect_array,
    expect_pair,
    fail,
    load_quiz,
    register_quiz,
    require,
    show,
)
from helpers.checks._spec import Case, Mistake, Probe, Spec, allclose, caught, known, register
from helpers.structures import STRUCTURE_TYPES

__all__ = [
    "check_choose_k_on_validation",
    "check_class_counts",
    "check_cross_validate_scaled",
    "check_sampling_bias_split",
]


# --------------------------------------------------------------------------- Exercise 1.1


def _toy_metadata() -> pd.DataFrame:
    """Eight rows of made-up metadata: FCC 3 + 1, BCC 1 + 2, SC 0 + 1 (clean + experimental).

    The index is not 0..7 (as after filtering or shuffling a table): a loop that looks rows up by label
    (``df.loc[i]`` for i in range(len(df))) fails on it, as it would on the course's data."""
    index = pd.Index([41, 7, 12, 3, 28, 19, 35, 0], name="particle")
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
        },
        index=index,
    )


def _counts_table(got, case: Case) -> pd.DataFrame:
    """The contract of 1.1: a DataFrame, structure types as rows and conditions as columns, no NaN, counts."""
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
    return table.loc[["FCC", "BCC", "SC"], ["clean", "experimental"]].astype(float)


def _counts_by_row_labels(df):
    """A loop that looks rows up by label 0..n-1: right only while the index is 0..n-1."""
    pairs = [(df.loc[i, "structure_type"], df.loc[i, "condition"]) for i in range(len(df))]
    return pd.crosstab(*(pd.Series(list(column)) for column in zip(*pairs)))


def _crosstab(df, **kwargs):
    return pd.crosstab(df["structure_type"], df["condition"], **kwargs)


# a notebook-wide table with all seven types, standing in for the notebook's `pdfs`
_PDFS = {"structure_type": list(STRUCTURE_TYPES) * 2, "condition": ["clean"] * 7 + ["experimental"] * 7}

check_class_counts = register(
    "check_class_counts",
    Spec(
        exercise="Exercise 1.1",
        reference=_crosstab,
        cases=lambda: [Case(_toy_metadata(), about="index not 0..n-1")],
        returns="a DataFrame with one row per structure type and one column per condition",
        contract=_counts_table,
        changed_hint="your function changed the DataFrame it was given; count without modifying it.",
        otherwise=lambda case, table: (
            "wrong counts for "
            + ", ".join(
                f"{t}/{c}"
                for (t, c), n in _counts_table(_crosstab(*case.args), case).stack().items()
                if table.loc[t, c] != n
            )
            + " in a small test table; count rows per pair."
        ),
        success="one row per structure type, one column per condition, the right counts.",
        mistakes=[
            caught("Series", lambda df: df["structure_type"].value_counts(), "Series"),
            caught("swapped", lambda df: pd.crosstab(df["condition"], df["structure_type"]), "swapped"),
            caught("NaN", lambda df: df.groupby(["structure_type", "condition"]).size().unstack(), "NaN"),
            caught(
                "expected exactly",
                lambda df: pd.crosstab(df["structure_type"], df["element"]),
                "other columns",
            ),
            caught("wrong counts", lambda df: _crosstab(df) * 2, "doubled"),
            caught("changed the DataFrame", lambda df: df.pop("element"), "pop"),
            caught("reset_index", lambda df: _crosstab(df).reset_index(), "reset_index"),
            caught("totals", lambda df: _crosstab(df, margins=True), "margins"),
            caught("argument `df`", lambda df: _crosstab(pd.DataFrame(_PDFS)), "notebook table"),
            caught("fractions", lambda df: _crosstab(df, normalize=True), "normalize"),
            caught("KeyError", _counts_by_row_labels, "label lookups"),
        ],
        alternatives=[lambda df: _crosstab(df).iloc[::-1, ::-1]],
    ),
)


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
        require(
            not isinstance(m, (list, tuple)),
            f"{name} is a Python {type(m).__name__}; return a numpy boolean array, one True/False per row "
            "(e.g. a comparison of a column, then .to_numpy()).",
        )
        arr = np.asarray(m)
        if arr.shape != (n,) and arr.ndim == 1 and arr.dtype.kind in "iu":
            fail(f"{name} holds row numbers; return a boolean mask with one True/False per row ({n}).")
        require(arr.shape == (n,), f"{name} must have one entry per row ({n}), got shape {arr.shape}.")
        require(arr.dtype == bool, f"{name} must be boolean (True/False per row), got dtype {arr.dtype}.")
        masks.append(arr)
    return masks[0], masks[1]


def _bias_split(df, column, max_value):
    low = (df[column] <= max_value).to_numpy()
    return low, ~low


def _split_otherwise(case: Case, masks) -> str:
    """Why the masks are not (column <= max_value, the rest) on this case."""
    df, column, max_value = case.args
    train, test = masks
    values = df[column].to_numpy()
    low, below = values <= max_value, values < max_value
    if np.any(train & test):
        return "some rows are in both train and test; the two parts must not overlap."
    if not np.all(train | test):
        return "some rows are in neither part; every row belongs to train or test."
    for other in ("diameter", "d_nn"):
        other_low = df[other].to_numpy() <= max_value
        if other != column and not np.array_equal(other_low, low) and np.array_equal(train, other_low):
            return (
                f"with column={column!r} your train part holds the rows whose {other!r} is <= {max_value}: "
                "do you use the argument `column`?"
            )
    if not np.array_equal(low, below) and np.array_equal(train, below):
        return (
            f"a particle whose {column!r} is exactly max_value = {max_value} belongs to training: the "
            "threshold itself is included, so compare with <=, not <."
        )
    return (
        f"with column={column!r}, max_value={max_value} the train part should hold the rows whose "
        f"{column!r} is <= {max_value} (the threshold itself included)."
    )


def _uses_max_value(spec: Spec, fn) -> None:
    (a, b) = spec.cases()[:2]
    require(
        not np.array_equal(spec._normalised(fn, a)[0], spec._normalised(fn, b)[0]),
        f"your masks did not change when max_value went from {a.args[2]} to {b.args[2]} (on "
        f"{a.args[1]!r}): do you use the argument `max_value`?",
    )


def _split_in_a_new_column(df, column, max_value):
    df["low"] = df[column] <= max_value  # changes the caller's DataFrame
    return df["low"].to_numpy(), ~df["low"].to_numpy()


def _split_by_row_labels(df, column, max_value):
    """A loop that looks rows up by label 0..n-1: right only while the index is 0..n-1."""
    train = np.array([df.loc[i, column] <= max_value for i in range(len(df))])
    return train, ~train


def _strict(df, c, v):
    return (df[c] < v).to_numpy(), (df[c] >= v).to_numpy()


check_sampling_bias_split = register(
    "check_sampling_bias_split",
    Spec(
        exercise="Exercise 1.2",
        reference=_bias_split,
        # a particle exactly on the threshold; the same column with another threshold (again exactly on a
        # particle), to see whether max_value is used; another column
        cases=lambda: [
            Case(_toy_metadata(), "diameter", 12.5, about="on the threshold, index not 0..n-1"),
            Case(_toy_metadata(), "diameter", 15.0, about="another threshold"),
            Case(_toy_metadata(), "d_nn", 2.6, about="another column"),
        ],
        returns="a tuple of two boolean arrays of shape (8,)",
        contract=lambda got, case: _masks(got, len(case.args[0])),
        same=lambda a, b: all(np.array_equal(x, y) for x, y in zip(a, b)),
        changed_hint="your function changed the DataFrame it was given; build the masks without modifying it.",
        first=[Probe(_uses_max_value)],
        otherwise=_split_otherwise,
        success="train on low values, test on high ones: a deliberately biased split.",
        mistakes=[
            Mistake(
                "the masks are swapped: train on the rows with SMALL values, test on the rest.",
                lambda df, c, v: _bias_split(df, c, v)[::-1],
                "swapped",
            ),
            caught("tuple of two", lambda df, c, v: (df[c] > v).to_numpy(), "one mask"),
            caught("<=, not <", _strict, "strict <"),
            caught("`column`", lambda df, c, v: _bias_split(df, "diameter", v), "column ignored"),
            caught("`max_value`", lambda df, c, v: _bias_split(df, c, 12.0), "max_value ignored"),
            caught("DataFrame", lambda df, c, v: (df[df[c] <= v], df[df[c] > v]), "rows"),
            caught(
                "row numbers",
                lambda df, c, v: (np.flatnonzero(df[c] <= v), np.flatnonzero(df[c] > v)),
                "row numbers",
            ),
            caught("changed the DataFrame", _split_in_a_new_column, "new column"),
            caught("both", lambda df, c, v: (_bias_split(df, c, v)[0], np.ones(len(df), bool)), "overlap"),
            caught("neither", lambda df, c, v: ((df[c] <= v).to_numpy(), (df[c] > v + 5).to_numpy()), "gap"),
            caught(
                "boolean",
                lambda df, c, v: (_bias_split(df, c, v)[0].astype(int), _bias_split(df, c, v)[1]),
                "int mask",
            ),
            caught("one entry per row", lambda df, c, v: (np.array([True]), np.array([False])), "one entry"),
            caught("Python list", lambda df, c, v: tuple(list(m) for m in _bias_split(df, c, v)), "lists"),
            caught("KeyError", _split_by_row_labels, "label lookups"),
        ],
        alternatives=[lambda df, c, v: (df[c] <= v, df[c] > v)],  # pandas boolean Series are masks too
    ),
)


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


def _choose_k(X_train, y_train, X_val, y_val, ks):
    scores = _val_scores(X_train, y_train, X_val, y_val, ks)
    return ks[int(np.argmax(scores))], scores


def _k_and_scores(got, case: Case):
    """The contract of 1.3: (best_k, val_scores), one score per k, best_k one number."""
    ks = case.args[4]
    best_k, scores = expect_pair(got, "return a tuple (best_k, val_scores); got {got}.")
    scores = expect_array(scores, "val_scores")
    require(
        scores.shape == (len(ks),),
        f"val_scores needs one accuracy per k ({len(ks)} values), got shape {scores.shape}.",
    )
    if np.ndim(best_k) != 0 or isinstance(best_k, (str, bytes)):
        fail(
            f"best_k should be one k (a number), got {show(best_k)}: when several k tie for the highest "
            "validation score, take the first of them in ks."
        )
    return best_k, scores


def _choose_k_otherwise(case: Case, got) -> str:
    """Why (best_k, val_scores) is not the right one, when no known mistake gives it."""
    X_train, y_train, X_val, y_val, ks = case.args
    best_k, scores = got
    expected = _val_scores(*case.args)
    if not np.allclose(scores, expected, atol=1e-9):
        by_k = _val_scores(X_train, y_train, X_val, y_val, sorted(ks))
        if list(ks) != sorted(ks) and np.allclose(scores, by_k, atol=1e-9):
            return f"your scores are in the order of sorted k; keep the order of ks = {ks}."
        return (
            "val_scores differ from the validation accuracy of KNeighborsClassifier(n_neighbors=k) "
            "fitted on the training set (in the order of ks)."
        )
    winners = [ks[i] for i in np.flatnonzero(expected == expected.max())]
    if best_k in winners:
        return (
            f"with ks={ks}, k = {' and '.join(map(str, winners))} tie for the highest validation score; "
            "take the first of them in ks (np.argmax returns the first maximum)."
        )
    if best_k == int(np.argmax(expected)):
        return f"best_k={show(best_k)} is the position of the best score in ks={ks}; return k itself."
    return f"best_k={show(best_k)} does not have the highest validation score among ks={ks}."


def _same_scores(a, b) -> bool:
    return allclose(a[1], b[1], atol=1e-9)


def _with_scores(pick):
    """A choice of k from the right validation scores, by ``pick(scores, ks)``."""

    def choose(X_train, y_train, X_val, y_val, ks):
        scores = _val_scores(X_train, y_train, X_val, y_val, ks)
        return pick(scores, ks), scores

    return choose


check_choose_k_on_validation = register(
    "check_choose_k_on_validation",
    Spec(
        exercise="Exercise 1.3",
        reference=_choose_k,
        # case 1: k = 5 and k = 9 tie for the best score (the first one, 5, is the answer); case 2: ks unsorted
        cases=lambda: [
            Case(*_knn_case(1), [1, 3, 5, 9, 15, 25], about="a tie for the best k"),
            Case(*_knn_case(2), [25, 11, 7, 3, 1], about="ks not sorted"),
        ],
        returns="(best_k, val_scores) with one score per k",
        contract=_k_and_scores,
        same=lambda a, b: bool(a[0] == b[0]) and _same_scores(a, b),
        otherwise=_choose_k_otherwise,
        success="k is chosen on the validation set; the vault stays closed.",
        mistakes=[
            Mistake(
                "your scores are on the training set; score each model on the validation set.",
                lambda Xt, yt, Xv, yv, ks: _choose_k(Xt, yt, Xt, yt, ks),
                "scored on train",
                same=_same_scores,
            ),
            Mistake(
                "your models are fitted on the validation set (and scored on it): fit on the training set, "
                "score on the validation set.",
                lambda Xt, yt, Xv, yv, ks: _choose_k(Xv, yv, Xv, yv, ks),
                "fitted on validation",
                same=_same_scores,
            ),
            Mistake(
                "best_k is the best score itself; return the k that reaches it.",
                _with_scores(lambda scores, ks: max(scores)),
                "best score",
            ),
            caught(
                "highest validation score",
                _with_scores(lambda scores, ks: ks[int(np.argmin(scores))]),
                "worst k",
            ),
            caught("tuple", lambda *a: _choose_k(*a)[0], "k only"),
            caught("one accuracy per k", lambda *a: (_choose_k(*a)[0], _choose_k(*a)[1][:-1]), "short"),
            caught("differ", lambda Xt, yt, Xv, yv, ks: (ks[0], [0.5] * len(ks)), "made up"),
            caught("ZeroDivisionError", lambda Xt, yt, Xv, yv, ks: 1 / 0, "crash"),
            caught(
                "best_k=2 is the position of the best score",  # shown as a plain number, not np.int64(2)
                _with_scores(lambda scores, ks: np.argmax(scores)),
                "position",
            ),
            caught("tie", _with_scores(lambda scores, ks: max(zip(scores, ks))[1]), "last of ties"),
            caught(
                "order of sorted k",
                lambda Xt, yt, Xv, yv, ks: _choose_k(Xt, yt, Xv, yv, sorted(ks)),
                "sorted ks",
            ),
            caught(
                "take the first of them in ks",
                _with_scores(lambda scores, ks: np.asarray(ks)[scores == np.max(scores)]),
                "every tie as an array",
            ),
        ],
        alternatives=[
            lambda *a: (_choose_k(*a)[0], list(_choose_k(*a)[1])),  # scores as a list
        ],
    ),
)


# --------------------------------------------------------------------------- Exercise 1.4
#
# Typical mistakes, each with its own hint: no scaler at all; one scaler fitted on all of X before the loop
# (the leak the exercise is about); a second scaler fitted on the held-out rows; the held-out rows left
# unscaled; trained on the held-out rows and scored on the training rows (the two index arrays swapped);
# scored on the training rows; folds of one's own instead of those of `cv`; X changed in place; the mean
# returned instead of one accuracy per fold. The check hands the student's function a classifier that
# remembers what it was fitted on and asked to predict, so each mistake is seen directly, whatever the scores.

_SPY_LOGS: dict[str, list] = {}


def _spy_class():
    """A nearest-centroid classifier that logs the rows it is fitted on and asked to predict (built lazily:
    scikit-learn is imported only when the check runs)."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class RecordingClassifier(ClassifierMixin, BaseEstimator):
        """Nearest class mean; every fit and predict is logged under ``log`` (clones share the log)."""

        def __init__(self, log: str = ""):
            self.log = log

        def fit(self, X, y):
            X, y = np.asarray(X, dtype=float), np.asarray(y)
            _SPY_LOGS.setdefault(self.log, []).append(("fit", X.copy()))
            self.classes_ = np.unique(y)
            self.centres_ = np.array([X[y == c].mean(axis=0) for c in self.classes_])
            return self

        def predict(self, X):
            X = np.asarray(X, dtype=float)
            _SPY_LOGS.setdefault(self.log, []).append(("predict", X.copy()))
            distances = ((X[:, None, :] - self.centres_[None, :, :]) ** 2).sum(axis=2)
            return self.classes_[np.argmin(distances, axis=1)]

    return RecordingClassifier


class _RecordingCV:
    """A StratifiedKFold that remembers whether its folds were asked for."""

    def __init__(self, n_splits: int, seed: int):
        from sklearn.model_selection import StratifiedKFold

        self._cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        self.used = False

    def split(self, X, y=None, groups=None):
        self.used = True
        return self._cv.split(X, y, groups)

    def get_n_splits(self, X=None, y=None, groups=None):
        return self._cv.get_n_splits(X, y, groups)

    def __repr__(self):
        return repr(self._cv)


def _scaling_case():
    """40 rows, two classes of unequal sizes (26 and 14, so that accuracy and balanced accuracy differ): one
    informative column of size ~1 between a column of size ~1000 (offset 5000) and one of size ~0.01, so that
    scaled and unscaled rows, and each fold's scaler, differ clearly."""
    rng = np.random.default_rng(3)
    y = np.repeat(["A", "B"], [26, 14])
    signal = np.where(y == "A", -1.0, 1.0) + rng.normal(scale=0.5, size=40)
    X = np.column_stack([signal, 5000 + rng.normal(scale=1000.0, size=40), rng.normal(scale=0.01, size=40)])
    order = rng.permutation(40)
    return X[order], y[order]


def _scaled(fit_rows, rows):
    """``rows`` transformed by a StandardScaler fitted on ``fit_rows``."""
    mean, std = fit_rows.mean(axis=0), fit_rows.std(axis=0)
    return (rows - mean) / std


def _same_rows(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-9)


def _fit_hint(fitted, X, train, test, folds=()) -> str:
    """Why the rows given to fit are not the training rows scaled by their own scaler ('' if they are)."""
    if _same_rows(fitted, _scaled(X[train], X[train])):
        return ""
    if any(_same_rows(fitted, _scaled(X[other], X[train])) for other, _ in folds):
        return (
            "your model was fitted on rows scaled by the scaler of another fold (fitted once, e.g. in the first "
            "fold, and reused): fit a new StandardScaler on the training rows of every fold."
        )
    if _same_rows(fitted, X[train]):
        return "your model was fitted on unscaled rows: scale the training rows with a StandardScaler first."
    if len(fitted) and np.allclose(fitted.min(axis=0), 0) and np.allclose(fitted.max(axis=0), 1):
        return (
            "your training rows are scaled to 0..1 (a MinMaxScaler?); the exercise asks for a StandardScaler "
            "(mean 0 and standard deviation 1 in every column)."
        )
    if _same_rows(fitted, _scaled(X, X[train])):
        return (
            "your scaler was fitted on all of X, the held-out rows of every fold included — the very leak this "
            "exercise is about: fit a new StandardScaler on the training rows of each fold only."
        )
    if len(fitted) == len(test) and (
        _same_rows(fitted, _scaled(X[test], X[test])) or _same_rows(fitted, X[test])
    ):
        return (
            "your model was fitted on the held-out rows: cv.split gives (train_idx, test_idx), in that order; "
            "fit on the training rows and score on the held-out ones."
        )
    if len(fitted) != len(train):
        return (
            f"your model was fitted on {len(fitted)} rows, but the training part of this fold has {len(train)}: "
            "loop over the folds of `cv` (for train_idx, test_idx in cv.split(X, y))."
        )
    return (
        "the rows your model was fitted on are not the training rows of the fold, scaled by a StandardScaler "
        "fitted on them: loop over cv.split(X, y) and use its folds as they come."
    )


def _predict_hint(asked, X, train, test) -> str:
    """Why the rows the model was asked to predict are not the held-out rows scaled with the training scaler."""
    if _same_rows(asked, _scaled(X[train], X[test])):
        return ""
    if _same_rows(asked, X[test]):
        return (
            "you scale the training rows but score the model on unscaled held-out rows: transform them with "
            "the same scaler (scaler.transform) before scoring."
        )
    if _same_rows(asked, _scaled(X[test], X[test])):
        return (
            "you fitted a second scaler on the held-out rows: transform them with the scaler fitted on the "
            "training rows (transform, not fit_transform) — the held-out rows must not shape the preprocessing."
        )
    if _same_rows(asked, _scaled(X[train], X[train])):
        return "you score the model on its own training rows: score it on the held-out rows of each fold."
    return (
        "the rows your model is scored on are not the held-out rows of the fold, transformed with the scaler "
        "of the training rows."
    )


def _folds_of_log(log) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """The log as (rows fitted on, [rows asked to predict after that fit, ...]), one entry per fit."""
    folds = []
    for event, rows in log:
        if event == "fit":
            folds.append((rows, []))
        elif folds:
            folds[-1][1].append(rows)
    return folds


def _listed(scores) -> str:
    return "[" + ", ".join(f"{s:.2f}" for s in scores) + "]"


def _fold_scores(got, n_folds: int) -> np.ndarray:
    if isinstance(got, (numbers.Real, np.ndarray)) and np.ndim(got) == 0 and not isinstance(got, bool):
        fail(
            f"you returned one number ({show(got)}); return one accuracy per fold, an array of shape "
            f"({n_folds},) — the mean and standard deviation come afterwards."
        )
    return expect_array(
        got,
        "the fold accuracies",
        shape=(n_folds,),
        hint=f"return an array of numbers, one accuracy per fold (shape ({n_folds},)); got {type(got).__name__}.",
    )


@check("Exercise 1.4")
def check_cross_validate_scaled(cross_validate_scaled):
    """Exercise 1.4: ``cross_validate_scaled(model, X, y, cv)`` -> one accuracy per fold, scaler fitted per fold."""
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _scaling_case()
    n_folds = 4
    cv = _RecordingCV(n_folds, seed=1)
    folds = list(cv._cv.split(X, y))
    log = f"check-1.4-{id(cv)}"
    _SPY_LOGS[log] = []
    try:
        got = call(
            cross_validate_scaled,
            _spy_class()(log=log),
            X,
            y,
            cv,
            returns=f"one accuracy per fold, an array of shape ({n_folds},)",
            changed_hint="your function changed the X (or y) it was given: scaling in place (X[...] = ..., "
            "X -= ...) rewrites the caller's data. Keep the scaled rows in new arrays.",
        )
        fitted = _folds_of_log(_SPY_LOGS[log])
    finally:
        _SPY_LOGS.pop(log, None)
    require(
        cv.used,
        "your function never asked `cv` for its folds: loop over cv.split(X, y), so that the folds are the "
        "ones the caller chose.",
    )
    require(
        fitted,
        "the model you were given was never fitted: fit copies of `model` (clone(model)) in the folds, not a "
        "classifier of your own.",
    )
    require(
        len(fitted) == n_folds,
        f"`cv` has {n_folds} folds, but your function fitted the model {len(fitted)} time(s): fit a fresh "
        "copy on the training rows of every fold.",
    )
    for i, ((train, test), (rows, asked)) in enumerate(zip(folds, fitted)):
        hint = _fit_hint(rows, X, train, test, folds)
        require(not hint, f"fold {i + 1}: {hint}")
        require(asked, f"fold {i + 1}: the fitted model was never scored; score it on the held-out rows.")
        hints = [_predict_hint(a, X, train, test) for a in asked]
        require("" in hints, f"fold {i + 1}: {hints[-1]}")
    scores = _fold_scores(got, n_folds)
    spy = _spy_class()(log=f"{log}-reference")
    expected = cross_val_score(make_pipeline(StandardScaler(), spy), X, y, cv=cv._cv)
    balanced = cross_val_score(
        make_pipeline(StandardScaler(), spy), X, y, cv=cv._cv, scoring="balanced_accuracy"
    )
    _SPY_LOGS.pop(f"{log}-reference", None)
    require(
        np.allclose(scores, expected, atol=1e-12) or not np.allclose(scores, balanced, atol=1e-12),
        "these are balanced accuracies (the mean recall of the classes); the exercise asks for the accuracy, "
        "the fraction of held-out rows predicted right: model.score(held-out rows, their labels).",
    )
    require(
        np.allclose(scores, expected, atol=1e-12),
        f"the right rows went in, but the returned numbers {_listed(scores)} are not the accuracies of the "
        "fitted models on the held-out rows, in the order of the folds: return model.score(held-out rows, "
        "their labels) of each fold.",
    )
    knn = KNeighborsClassifier(n_neighbors=3)
    got = call(cross_validate_scaled, knn, X, y, cv._cv, returns=f"an array of shape ({n_folds},)")
    scores = _fold_scores(got, n_folds)
    expected = cross_val_score(make_pipeline(StandardScaler(), knn), X, y, cv=cv._cv)
    require(
        np.allclose(scores, expected, atol=1e-12),
        "with a 3-NN classifier your fold accuracies differ from those of a scaler + 3-NN pipeline: "
        "fit a fresh copy of the model given (clone(model)) in each fold.",
    )
    return (
        f"a new scaler in every fold, fitted on its training rows only; fold accuracies {_listed(scores)} "
        "on a test problem, as the pipeline gives."
    )


def _cv(model, X, y, cv, *, scaler="StandardScaler", held_out="train", swap=False, on_train=False, **mistake):
    """Cross-validation with a scaler per fold, right by default, with one typical mistake switched on:
    another scaler, held-out rows scaled by their ``own`` scaler or ``none``, the two parts swapped, scored
    on the training rows, folds of one's own, the first fold's scaler ``once`` for all, balanced accuracy."""
    from sklearn import preprocessing
    from sklearn.base import clone
    from sklearn.metrics import balanced_accuracy_score

    Scaler, scores, first = getattr(preprocessing, scaler), [], None
    for train, test in mistake["folds"](X, y) if "folds" in mistake else cv.split(X, y):
        train, test = (test, train) if swap else (train, test)
        fitted = first if mistake.get("once") and first else Scaler().fit(X[train])
        first = first or fitted
        fold_model = clone(model).fit(fitted.transform(X[train]), y[train])
        rows = train if on_train else test
        scaled = {"train": fitted.transform, "own": Scaler().fit_transform, "none": np.asarray}[held_out](
            X[rows]
        )
        pred = fold_model.predict(scaled)
        balanced = mistake.get("scoring") == "balanced"
        scores.append(balanced_accuracy_score(y[rows], pred) if balanced else np.mean(pred == y[rows]))
    return np.array(scores)


def _cv_by_pipeline(model, X, y, cv):
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=cv)


def _cv_without_clone(model, X, y, cv):
    from sklearn.metrics import accuracy_score
    from sklearn.preprocessing import StandardScaler

    scores = []
    for train, test in cv.split(X, y):
        scaler = StandardScaler().fit(X[train])
        model.fit(scaler.transform(X[train]), y[train])
        scores.append(accuracy_score(y[test], model.predict(scaler.transform(X[test]))))
    return scores  # a list is fine


def _cv_unscaled(model, X, y, cv, scale_all=False):
    from sklearn.model_selection import cross_val_score
    from sklearn.preprocessing import StandardScaler

    return cross_val_score(model, StandardScaler().fit_transform(X) if scale_all else X, y, cv=cv)


def _cv_in_place(model, X, y, cv):
    X -= X.mean(axis=0)  # changes the caller's X
    return _cv(model, X, y, cv)


def _cv_with(transform=None, **mistake):
    """``_cv`` with a mistake, its result passed through ``transform``."""
    return lambda model, X, y, cv: (transform or np.asarray)(_cv(model, X, y, cv, **mistake))


def _folds_of_own(n: int, shuffle: bool = False):
    from sklearn.model_selection import StratifiedKFold

    return lambda X, y: StratifiedKFold(n, shuffle=shuffle, random_state=0 if shuffle else None).split(X, y)


def _knn(model, X, y, cv):
    from sklearn.neighbors import KNeighborsClassifier

    return _cv(KNeighborsClassifier(n_neighbors=5), X, y, cv)


known(
    check_cross_validate_scaled,
    right=[_cv, _cv_by_pipeline, _cv_without_clone],
    mistakes=[
        caught("unscaled rows", _cv_unscaled, "no scaler"),
        caught("fitted on all of X", lambda *a: _cv_unscaled(*a, scale_all=True), "leaky scaler"),
        caught("second scaler", _cv_with(held_out="own"), "second scaler"),
        caught("unscaled held-out rows", _cv_with(held_out="none"), "held-out rows unscaled"),
        caught("fitted on the held-out rows", _cv_with(swap=True), "swapped"),
        caught("its own training rows", _cv_with(on_train=True), "scored on train"),
        caught("never asked `cv`", _cv_with(folds=_folds_of_own(4)), "own folds"),
        caught("never asked `cv`", _cv_with(folds=_folds_of_own(5, shuffle=True)), "five folds"),
        caught("MinMaxScaler", _cv_with(scaler="MinMaxScaler"), "min-max"),
        caught("changed the X", _cv_in_place, "in place"),
        caught("never fitted", _knn, "own model"),
        caught("one number", _cv_with(np.mean), "mean"),
        caught("shape (4,)", _cv_with(lambda s: s[:2]), "two folds"),
        caught("array of numbers", _cv_with(lambda s: dict(enumerate(s))), "dict"),
        caught("not the accuracies", _cv_with(lambda s: 1 - s), "error rate"),
        caught("scaler of another fold", _cv_with(once=True), "first fold's scaler"),
        caught("balanced accuracies", _cv_with(scoring="balanced"), "balanced accuracy"),
        caught("order of the folds", _cv_with(lambda s: s[::-1]), "reversed"),
    ],
)


# --------------------------------------------------------------------------- quiz

register_quiz(load_quiz(1))  # the questions' answers and whys: quizzes/session1.toml
