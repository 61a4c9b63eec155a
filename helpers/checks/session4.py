"""Self-checks for session 4 (recent trends): active learning, continual learning, uncertainty, few-shot.

Each check runs the student's function on a tiny case whose answer is known
and prints one ✔ or ✘ line (with a hint, never the solution).
"""

from __future__ import annotations

import numpy as np

from helpers.checks._core import Quiz, register_quiz, report, run_student_code

__all__ = [
    "check_nearest_centroid_predict",
    "check_predictive_entropy",
    "check_replay_buffer",
    "check_uncertainty_sampling",
]


# --------------------------------------------------------------------------- Exercise 4.1


class _FixedProbaModel:
    """A stand-in for a fitted classifier: ``predict_proba`` returns fixed rows, whatever X is."""

    classes_ = np.array(["FCC", "HCP", "Icosahedral"])

    def __init__(self, proba: np.ndarray):
        self._proba = np.asarray(proba, dtype=float)

    def predict_proba(self, X):
        X = np.asarray(X)
        if X.shape[0] != self._proba.shape[0]:
            raise ValueError(f"this test model expects {self._proba.shape[0]} rows, got {X.shape[0]}")
        return self._proba.copy()

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


_AL_PROBA = np.array(
    [
        [0.98, 0.01, 0.01],  # 0: very confident
        [0.40, 0.35, 0.25],  # 1: least confident (max 0.40)
        [0.70, 0.20, 0.10],  # 2
        [0.05, 0.90, 0.05],  # 3
        [0.34, 0.33, 0.33],  # 4: least confident of all (max 0.34)
        [0.10, 0.10, 0.80],  # 5
        [0.50, 0.45, 0.05],  # 6: third least confident (max 0.50)
        [0.60, 0.10, 0.30],  # 7
    ]
)


def check_uncertainty_sampling(uncertainty_sampling) -> None:
    """Exercise 4.1: ``uncertainty_sampling(model, X_pool, n)`` -> indices of the n least-confident rows."""
    ex = "Exercise 4.1"
    model = _FixedProbaModel(_AL_PROBA)
    X_pool = np.arange(16.0).reshape(8, 2)
    ok, idx = run_student_code(ex, uncertainty_sampling, model, X_pool, 3)
    if not ok:
        return
    try:
        idx = np.asarray(idx)
    except Exception:  # noqa: BLE001 - anything that is not array-like
        report(ex, False, f"return a 1-D array of row indices, got {type(idx).__name__}.")
        return
    if idx.dtype == bool:
        report(
            ex, False, "you returned a boolean mask; return the row indices (integers), e.g. from np.argsort."
        )
        return
    if idx.ndim != 1 or idx.shape[0] != 3:
        report(ex, False, f"with n=3 expected a 1-D array of 3 indices, got shape {idx.shape}.")
        return
    if not np.issubdtype(idx.dtype, np.integer):
        if np.issubdtype(idx.dtype, np.floating) and np.all((idx >= 0) & (idx <= 1)) and np.any(idx % 1 != 0):
            report(ex, False, "these look like probabilities; return the row indices of the chosen points.")
        else:
            report(ex, False, f"indices must be integers, got dtype {idx.dtype}.")
        return
    if len(set(idx.tolist())) != 3:
        report(ex, False, "the indices must be different: each pool point can be picked only once.")
        return
    if np.any(idx < 0) or np.any(idx >= len(X_pool)):
        report(ex, False, f"indices must lie between 0 and len(X_pool) - 1 = {len(X_pool) - 1}.")
        return
    chosen = set(idx.tolist())
    if chosen == {4, 1, 6}:
        second = run_student_code(ex, uncertainty_sampling, model, X_pool, 1)
        if not second[0]:
            return
        one = np.asarray(second[1]).ravel()
        if one.shape != (1,) or int(one[0]) != 4:
            report(ex, False, "with n=1 it should return the single least-confident point.")
            return
        report(ex, True, "you pick the points whose most likely class has the lowest probability.")
    elif chosen == {0, 3, 5}:
        report(
            ex, False, "you picked the MOST confident points; uncertainty sampling wants the least confident."
        )
    else:
        report(
            ex,
            False,
            "not the least-confident points: for each row take the largest class probability; "
            "the n rows where it is smallest are the ones to label.",
        )


# --------------------------------------------------------------------------- Exercise 4.2


def _old_data() -> tuple[np.ndarray, np.ndarray]:
    n = 60
    X = np.column_stack([np.arange(n, dtype=float), np.linspace(-1, 1, n), np.cos(np.arange(n))])
    y = np.array(["SC", "FCC", "BCC"])[np.arange(n) % 3]
    return X, y


def check_replay_buffer(replay_buffer) -> None:
    """Exercise 4.2: ``replay_buffer(X_old, y_old, size, seed)`` -> (X_buf, y_buf), a random subsample."""
    ex = "Exercise 4.2"
    X_old, y_old = _old_data()
    ok, out = run_student_code(ex, replay_buffer, X_old.copy(), y_old.copy(), 12, 0)
    if not ok:
        return
    if not isinstance(out, tuple) or len(out) != 2:
        report(ex, False, "return two things, X_buf and y_buf (e.g. `return X_old[idx], y_old[idx]`).")
        return
    X_buf, y_buf = (np.asarray(a) for a in out)
    if X_buf.shape != (12, 3) or y_buf.shape != (12,):
        report(
            ex,
            False,
            f"with size=12 and X_old of shape {X_old.shape} expected shapes (12, 3) and (12,), "
            f"got {X_buf.shape} and {y_buf.shape}.",
        )
        return
    rows = X_buf[:, 0]
    if not np.all(np.isin(rows, X_old[:, 0])) or not np.allclose(X_buf, X_old[rows.astype(int)]):
        report(ex, False, "the buffer must hold rows of X_old, unchanged.")
        return
    if not np.array_equal(y_buf, y_old[rows.astype(int)]):
        report(ex, False, "y_buf does not match X_buf: pick the same indices for X and y.")
        return
    if len(set(rows.tolist())) != 12:
        report(ex, False, "some rows appear twice: sample without replacement (replace=False).")
        return
    if np.array_equal(rows, np.arange(12)):
        report(ex, False, "these are just the first rows; draw a random sample (e.g. rng.choice).")
        return
    ok, again = run_student_code(ex, replay_buffer, X_old.copy(), y_old.copy(), 12, 0)
    if not ok:
        return
    if not np.array_equal(np.asarray(again[0]), X_buf):
        report(ex, False, "the same seed must give the same buffer: use np.random.default_rng(seed).")
        return
    ok, other = run_student_code(ex, replay_buffer, X_old.copy(), y_old.copy(), 12, 1)
    if not ok:
        return
    if np.array_equal(np.asarray(other[0]), X_buf):
        report(ex, False, "a different seed gives the same buffer: does your function use `seed`?")
        return
    report(ex, True, "a random, reproducible sample of old examples, X and y kept together.")


# --------------------------------------------------------------------------- Exercise 4.3


def check_predictive_entropy(predictive_entropy) -> None:
    """Exercise 4.3: ``predictive_entropy(proba)`` -> entropy (nats) of each row of class probabilities."""
    ex = "Exercise 4.3"
    proba = np.array(
        [
            [0.25, 0.25, 0.25, 0.25],  # ln 4
            [1.0, 0.0, 0.0, 0.0],  # 0
            [0.5, 0.5, 0.0, 0.0],  # ln 2
            [0.7, 0.1, 0.1, 0.1],
        ]
    )
    expected = -np.array([np.sum(p[p > 0] * np.log(p[p > 0])) for p in proba])
    ok, h = run_student_code(ex, predictive_entropy, proba.copy())
    if not ok:
        return
    try:
        h = np.asarray(h, dtype=float)
    except (TypeError, ValueError):
        report(ex, False, f"return a 1-D array of numbers, one per row, got {type(h).__name__}.")
        return
    if h.shape != (4,):
        report(ex, False, f"expected one entropy per row, shape (4,), got shape {h.shape}.")
        return
    if np.any(np.isnan(h)):
        report(ex, False, "NaN for rows with a zero probability: count 0·log(0) as 0 (e.g. np.clip p first).")
        return
    if np.allclose(h, expected / np.log(2), atol=1e-6):
        report(ex, False, "these are bits (log base 2); use the natural log (np.log) to get nats.")
        return
    if np.allclose(h, -expected, atol=1e-6):
        report(ex, False, "the sign is wrong: entropy is minus the sum of p·log(p), so it is never negative.")
        return
    if not np.allclose(h, expected, atol=1e-6):
        report(ex, False, "not -Σ p·log(p) per row: a uniform row over 4 classes should give ln 4 ≈ 1.386.")
        return
    report(ex, True, "0 for a certain prediction, ln(K) for a uniform one.")


# --------------------------------------------------------------------------- Exercise 4.4


def check_nearest_centroid_predict(nearest_centroid_predict) -> None:
    """Exercise 4.4: ``nearest_centroid_predict(Z_support, y_support, Z_query)`` -> predicted labels."""
    ex = "Exercise 4.4"
    # Class "A": one example near the query at (2.2, 0) but a centroid far away; class "B" compact.
    Z_support = np.array([[2.0, 0.0], [-6.0, 0.0], [-6.0, 1.0], [4.0, 0.0], [4.0, 0.5], [4.0, -0.5]])
    y_support = np.array(["A", "A", "A", "B", "B", "B"])
    Z_query = np.array([[2.2, 0.0], [-5.0, 0.0], [5.0, 0.2], [-1.0, 2.0]])
    centroids = {c: Z_support[y_support == c].mean(axis=0) for c in ("A", "B")}
    expected = np.array(
        [min(centroids, key=lambda c: np.linalg.norm(q - centroids[c])) for q in Z_query]
    )  # B, A, B, A
    ok, pred = run_student_code(
        ex, nearest_centroid_predict, Z_support.copy(), y_support.copy(), Z_query.copy()
    )
    if not ok:
        return
    pred = np.asarray(pred)
    if pred.shape != (len(Z_query),):
        report(
            ex, False, f"expected one label per query row, shape ({len(Z_query)},), got shape {pred.shape}."
        )
        return
    if np.issubdtype(pred.dtype, np.number):
        report(ex, False, "return the class labels themselves (here 'A' or 'B'), not their positions.")
        return
    if np.array_equal(pred, expected):
        order = np.array([3, 0, 4, 1, 5, 2])  # the same support set, class B listed first
        ok, again = run_student_code(
            ex, nearest_centroid_predict, Z_support[order], y_support[order], Z_query
        )
        if ok and np.array_equal(np.asarray(again), expected):
            report(ex, True, "each query gets the label of the closest class mean (prototype).")
        elif ok:
            report(
                ex,
                False,
                "right when class A comes first in the support set, wrong when B does: make sure each "
                "centroid is paired with its own label.",
            )
        return
    if pred[0] == "A":
        report(
            ex,
            False,
            "query 0 is closest to a single example of 'A' but to the MEAN of 'B': compare with the class "
            "means (prototypes), not with individual examples.",
        )
        return
    report(ex, False, "not the nearest class mean: average Z_support per class, then take the closest mean.")


# --------------------------------------------------------------------------- quiz

register_quiz(
    4,
    Quiz(
        "Session 4",
        {
            1: (
                "b",
                (
                    "the inputs changed (instrument resolution, thermal motion, noise), not the rule that maps a "
                    "structure to its type: covariate shift. Training on inputs that look like the test inputs fixes it."
                ),
            ),
            2: (
                "c",
                (
                    "a label costs a measurement or a calculation, so you spend it where the model is least sure; "
                    "points it already classifies confidently teach it little."
                ),
            ),
            3: (
                "a",
                (
                    "a few stored old examples keep the loss on the old classes in the gradient, so the new stage "
                    "cannot simply overwrite them."
                ),
            ),
            4: (
                "d",
                (
                    "high entropy says 'the ensemble is unsure' - a reason to look, not a proof of a new structure; "
                    "and low entropy does not guarantee the input is like the training data."
                ),
            ),
        },
    ),
)
