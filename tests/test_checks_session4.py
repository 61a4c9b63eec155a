"""Session 4's self-checks: a right answer prints ✔, wrong answers and the unfinished stub print ✘."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import check_quiz
from helpers.checks.session4 import (
    __all__ as session4_all,
)
from helpers.checks.session4 import (
    check_nearest_centroid_predict,
    check_predictive_entropy,
    check_replay_buffer,
    check_uncertainty_sampling,
)


def _verdict(capsys) -> str:
    out = capsys.readouterr().out.strip()
    assert out.count("\n") == 0, f"a check prints exactly one line, got:\n{out}"
    return out


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write your code here")


def test_all_lists_the_checks():
    assert sorted(session4_all) == [
        "check_nearest_centroid_predict",
        "check_predictive_entropy",
        "check_replay_buffer",
        "check_uncertainty_sampling",
    ]


# --------------------------------------------------------------------------- 4.1 uncertainty sampling


def uncertainty_sampling_ok(model, X_pool, n):
    confidence = model.predict_proba(X_pool).max(axis=1)
    return np.argsort(confidence)[:n]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=1))[::-1][:n], "MOST confident"),
        (lambda m, X, n: np.sort(m.predict_proba(X).max(axis=1))[:n], "probabilities"),
        (lambda m, X, n: np.arange(n), "not the least-confident"),
        (lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=1))[:n] > 2, "boolean mask"),
        (lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=1))[: n + 1], "3 indices"),
        (lambda m, X, n: np.argsort(m.predict_proba(X).min(axis=1))[:n], "not the least-confident"),
        (_stub, "not done yet"),
    ],
)
def test_uncertainty_sampling_wrong(capsys, wrong, hint):
    check_uncertainty_sampling(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.1") and hint in out


def test_uncertainty_sampling_right(capsys):
    check_uncertainty_sampling(uncertainty_sampling_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.1")


def test_uncertainty_sampling_with_real_model():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    idx = uncertainty_sampling_ok(model, X, 5)
    assert np.all(np.abs(X[idx, 0]) <= np.sort(np.abs(X[:, 0]))[10])  # near the boundary


# --------------------------------------------------------------------------- 4.2 replay buffer


def replay_buffer_ok(X_old, y_old, size, seed):
    idx = np.random.default_rng(seed).choice(len(X_old), size=size, replace=False)
    return X_old[idx], y_old[idx]


def _mismatched(X, y, size, seed):
    rng = np.random.default_rng(seed)
    return X[rng.choice(len(X), size, replace=False)], y[rng.choice(len(X), size, replace=False)]


def _with_replacement(X, y, size, seed):
    idx = np.random.default_rng(seed).choice(len(X), size, replace=True)
    return X[idx], y[idx]


def _changed_rows(X, y, size, seed):
    X_buf, y_buf = replay_buffer_ok(X, y, size, seed)
    return 2 * X_buf, y_buf


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda X, y, size, seed: (X[:size], y[:size]), "first rows"),
        (lambda X, y, size, seed: replay_buffer_ok(X, y, size, 0), "does your function use `seed`"),
        (_with_replacement, "without replacement"),
        (lambda X, y, size, seed: replay_buffer_ok(X, y, size, None), "same seed"),
        (_mismatched, "pick the same indices"),
        (lambda X, y, size, seed: replay_buffer_ok(X, y, size, seed)[0], "return two things"),
        (lambda X, y, size, seed: replay_buffer_ok(X, y, size - 1, seed), "expected shapes"),
        (_changed_rows, "unchanged"),
        (_stub, "not done yet"),
    ],
)
def test_replay_buffer_wrong(capsys, wrong, hint):
    check_replay_buffer(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.2") and hint in out


def test_replay_buffer_right(capsys):
    check_replay_buffer(replay_buffer_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.2")


# --------------------------------------------------------------------------- 4.3 predictive entropy


def predictive_entropy_ok(proba):
    p = np.clip(proba, 1e-12, 1.0)
    return -np.sum(proba * np.log(p), axis=1)


def _entropy_with_nan(proba):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(proba * np.log(proba), axis=1)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_entropy_with_nan, "0·log(0)"),
        (lambda p: predictive_entropy_ok(p) / np.log(2), "bits"),
        (lambda p: -predictive_entropy_ok(p), "sign"),
        (lambda p: predictive_entropy_ok(p).sum(), "shape (4,)"),
        (lambda p: 1 - p.max(axis=1), "not -Σ"),
        (_stub, "not done yet"),
    ],
)
def test_predictive_entropy_wrong(capsys, wrong, hint):
    check_predictive_entropy(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.3") and hint in out


def test_predictive_entropy_right(capsys):
    check_predictive_entropy(predictive_entropy_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.3")


# --------------------------------------------------------------------------- 4.4 nearest centroid


def nearest_centroid_ok(Z_support, y_support, Z_query):
    classes = np.unique(y_support)
    centroids = np.stack([Z_support[y_support == c].mean(axis=0) for c in classes])
    d = np.linalg.norm(Z_query[:, None, :] - centroids[None, :, :], axis=2)
    return classes[np.argmin(d, axis=1)]


def _labels_out_of_order(Z_support, y_support, Z_query):
    """Centroids in order of appearance, labels in sorted order: right only if the two agree."""
    seen = list(dict.fromkeys(y_support.tolist()))
    centroids = np.stack([Z_support[y_support == c].mean(axis=0) for c in seen])
    d = np.linalg.norm(Z_query[:, None, :] - centroids[None, :, :], axis=2)
    return np.unique(y_support)[np.argmin(d, axis=1)]


def nearest_neighbour(Z_support, y_support, Z_query):
    d = np.linalg.norm(Z_query[:, None, :] - Z_support[None, :, :], axis=2)
    return y_support[np.argmin(d, axis=1)]


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (nearest_neighbour, "not with individual examples"),
        (
            lambda Zs, ys, Zq: np.argmin(
                np.linalg.norm(
                    Zq[:, None] - np.stack([Zs[ys == c].mean(0) for c in np.unique(ys)])[None], axis=2
                ),
                axis=1,
            ),
            "labels themselves",
        ),
        (lambda Zs, ys, Zq: np.full(len(Zq), ys[-1]), "not the nearest class mean"),
        (lambda Zs, ys, Zq: nearest_centroid_ok(Zs, ys, Zq)[:-1], "one label per query"),
        (_labels_out_of_order, "paired with its own label"),
        (_stub, "not done yet"),
    ],
)
def test_nearest_centroid_wrong(capsys, wrong, hint):
    check_nearest_centroid_predict(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.4") and hint in out


def test_nearest_centroid_right(capsys):
    check_nearest_centroid_predict(nearest_centroid_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.4")


# --------------------------------------------------------------------------- quiz


@pytest.mark.parametrize("question, answer", [(1, "b"), (2, "c"), (3, "a"), (4, "d")])
def test_quiz_right_and_wrong(capsys, question, answer):
    check_quiz(4, question, answer)
    assert _verdict(capsys).startswith(f"✔ Session 4 quiz Q{question}")
    wrong = "a" if answer != "a" else "b"
    check_quiz(4, question, wrong)
    assert _verdict(capsys).startswith(f"✘ Session 4 quiz Q{question}")
    check_quiz(4, question, "?")
    assert _verdict(capsys).startswith(f"✘ Session 4 quiz Q{question}")
