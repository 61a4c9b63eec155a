"""Session 4's self-checks: a right answer prints ✔, wrong answers and the unfinished stub print ✘."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import _core, check_quiz
from helpers.checks import session4 as s4
from helpers.checks._core import _QUIZZES
from helpers.checks.session4 import (
    __all__ as session4_all,
)
from helpers.checks.session4 import (
    check_active_learning_curve,
    check_nearest_centroid_predict,
    check_predictive_entropy,
    check_replay_buffer,
    check_scale_and_rw,
    check_uncertainty_sampling,
)


def _verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: write your code here")


def test_all_lists_the_checks():
    assert sorted(session4_all) == [
        "check_active_learning_curve",
        "check_nearest_centroid_predict",
        "check_predictive_entropy",
        "check_replay_buffer",
        "check_scale_and_rw",
        "check_uncertainty_sampling",
    ]


# --------------------------------------------------------------------------- 4.1 uncertainty sampling


def uncertainty_sampling_ok(model, X_pool, n):
    confidence = model.predict_proba(X_pool).max(axis=1)
    return np.argsort(confidence, kind="stable")[:n]


def _confidence(model, X):
    return model.predict_proba(X).max(axis=1)


def unstable_ties(model, X_pool, n):
    """Least confidence, but ties broken towards the higher index (as an unstable sort may do)."""
    confidence = _confidence(model, X_pool)
    return np.lexsort((-np.arange(len(confidence)), confidence))[:n]


def heapsort_ties(model, X_pool, n):
    return np.argsort(_confidence(model, X_pool), kind="heapsort")[:n]


def margin(model, X_pool, n):
    p = np.sort(model.predict_proba(X_pool), axis=1)
    return np.argsort(p[:, -1] - p[:, -2], kind="stable")[:n]


def entropy(model, X_pool, n):
    p = model.predict_proba(X_pool)
    return np.argsort(np.sum(p * np.log(np.clip(p, 1e-12, 1)), axis=1), kind="stable")[:n]


def fixed_model_only(model, X_pool, n):
    """Right on the check's stand-in model, which it reads directly: fails on a real classifier."""
    return np.argsort(model._proba.max(axis=1), kind="stable")[:n]


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
        (unstable_ties, "stable"),
        (heapsort_ties, "stable"),
        (margin, "margin sampling"),
        (entropy, "entropy sampling"),
        (lambda m, X, n: X[np.argsort(_confidence(m, X), kind="stable")[:n]], "rows of X_pool"),
        (lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=0), kind="stable")[:n], "one per class"),
        (fixed_model_only, "LogisticRegression"),
    ],
)
def test_uncertainty_sampling_wrong(capsys, wrong, hint):
    check_uncertainty_sampling(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.1") and hint in out, out


def test_the_tied_case_really_has_ties_at_the_cut():
    """A non-stable order of the tied rows changes which rows are chosen (else the check could not tell)."""
    model, X = s4._FixedProbaModel(s4._TIED_PROBA), np.zeros((20, 2))
    assert set(heapsort_ties(model, X, 7)) != set(uncertainty_sampling_ok(model, X, 7))
    assert set(unstable_ties(model, X, 7)) != set(uncertainty_sampling_ok(model, X, 7))


def test_uncertainty_sampling_right(capsys):
    check_uncertainty_sampling(uncertainty_sampling_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.1")


def test_uncertainty_sampling_with_real_model():
    """The check's reference, on a fitted classifier, picks the pool points closest to its boundary."""
    model, X_pool = s4._real_model()
    chosen = s4._least_confident(model, X_pool, 5)
    closest = np.argsort(np.abs(model.decision_function(X_pool)))[:5]  # binary: low confidence = near w·x = 0
    assert set(chosen.tolist()) == set(closest.tolist())


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


def _global_seed(X, y, size, seed):
    np.random.seed(seed)  # reproducible, but it changes NumPy's global random state
    idx = np.random.choice(len(X), size=size, replace=False)
    return X[idx], y[idx]


def _shuffles_in_place(X, y, size, seed):
    rng = np.random.default_rng(seed)
    rng.shuffle(X)  # changes the caller's X_old
    return X[:size], y[:size]


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
        (_global_seed, "global random state"),
        (_shuffles_in_place, "shuffles in place"),
        (lambda X, y, size, seed: replay_buffer_ok(X, y, size + 1, seed), "expected shapes"),
    ],
)
def test_replay_buffer_wrong(capsys, wrong, hint):
    check_replay_buffer(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.3") and hint in out, out


def test_replay_buffer_right(capsys):
    check_replay_buffer(replay_buffer_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.3")


# --------------------------------------------------------------------------- 4.4 predictive entropy


def predictive_entropy_ok(proba):
    p = np.clip(proba, 1e-12, 1.0)
    return -np.sum(proba * np.log(p), axis=1)


def _entropy_clipping_in_place(proba):
    proba[proba == 0] = 1e-12  # changes the caller's array
    return -np.sum(proba * np.log(proba), axis=1)


def _scipy_entropy_default_axis(proba):
    from scipy.stats import entropy

    return entropy(proba)  # axis=0 by default: one value per class


def _entropy_with_nan(proba):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(proba * np.log(proba), axis=1)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_entropy_with_nan, "0·log(0)"),
        (lambda p: predictive_entropy_ok(p) / np.log(2), "bits"),
        (lambda p: -predictive_entropy_ok(p), "sign"),
        (lambda p: predictive_entropy_ok(p).sum(), "shape (5,)"),
        (lambda p: 1 - p.max(axis=1), "not -Σ"),
        (_stub, "not done yet"),
        (lambda p: -np.sum(p * np.log(np.clip(p, 1e-12, 1.0)), axis=0), "one per class"),
        (lambda p: -np.mean(p * np.log(np.clip(p, 1e-12, 1.0)), axis=1), "means over the classes"),
        (lambda p: predictive_entropy_ok(p) / np.log(10), "base 10"),
        (_entropy_clipping_in_place, "changed the proba"),
        (_scipy_entropy_default_axis, "one per class"),
    ],
)
def test_predictive_entropy_wrong(capsys, wrong, hint):
    check_predictive_entropy(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.4") and hint in out, out


def test_predictive_entropy_right(capsys):
    check_predictive_entropy(predictive_entropy_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.4")


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


def _prototypes(Z_support, y_support, centre=np.mean):
    classes = np.unique(y_support)
    return classes, np.stack([centre(Z_support[y_support == c], axis=0) for c in classes])


def manhattan(Z_support, y_support, Z_query):
    classes, prototypes = _prototypes(Z_support, y_support)
    return classes[np.argmin(np.abs(Z_query[:, None, :] - prototypes[None]).sum(axis=2), axis=1)]


def farthest(Z_support, y_support, Z_query):
    classes, prototypes = _prototypes(Z_support, y_support)
    return classes[np.argmax(np.linalg.norm(Z_query[:, None, :] - prototypes[None], axis=2), axis=1)]


def medians(Z_support, y_support, Z_query):
    classes, prototypes = _prototypes(Z_support, y_support, np.median)
    return classes[np.argmin(np.linalg.norm(Z_query[:, None, :] - prototypes[None], axis=2), axis=1)]


def distances_over_the_wrong_axis(Z_support, y_support, Z_query):
    classes, prototypes = _prototypes(Z_support, y_support)
    distances = np.linalg.norm(Z_query[:, None, :] - prototypes[None, :, :], axis=1)  # shape (q, d)
    return classes[np.argmin(distances, axis=0)]


def squared_euclidean(Z_support, y_support, Z_query):
    classes, prototypes = _prototypes(Z_support, y_support)
    return classes[np.argmin(((Z_query[:, None, :] - prototypes[None]) ** 2).sum(axis=2), axis=1)]


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
        (manhattan, "Manhattan"),
        (farthest, "farthest prototype"),
        (medians, "medians"),
        (distances_over_the_wrong_axis, "one label per query row"),
    ],
)
def test_nearest_centroid_wrong(capsys, wrong, hint):
    check_nearest_centroid_predict(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.6") and hint in out, out


def test_nearest_centroid_right(capsys):
    check_nearest_centroid_predict(nearest_centroid_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.6")
    check_nearest_centroid_predict(squared_euclidean)  # the same nearest prototype
    assert _verdict(capsys).startswith("✔ Exercise 4.6")


# --------------------------------------------------------------------------- quiz


@pytest.mark.parametrize("question, answer", [(1, "b"), (2, "c"), (3, "a"), (4, "d"), (5, "b")])
def test_quiz_right_and_wrong(capsys, question, answer):
    check_quiz(4, question, answer)
    assert _verdict(capsys).startswith(f"✔ Session 4 quiz Q{question}")
    for wrong, why in _QUIZZES[4].questions[question].wrong.items():
        check_quiz(4, question, wrong)
        out = _verdict(capsys)
        assert out.startswith(f"✘ Session 4 quiz Q{question}") and why in out and "Reread “Practical" in out
    check_quiz(4, question, "?")
    assert _verdict(capsys).startswith(f"✘ Session 4 quiz Q{question}")


# --------------------------------------------------------------------------- 4.2 the active-learning loop


def _loop(
    score=None,
    whole_pool=False,
    unmapped=False,
    no_refit=False,
    global_rng=False,
    seedless=False,
    random_choice=None,
    extra_round=False,
    early_stop=False,
):
    """The loop of Exercise 4.2, right by default, with one typical mistake switched on."""
    from sklearn.metrics import balanced_accuracy_score

    def loop(choose, make_model, F_pool, y_pool, F_val, y_val, seed, n_start=20, n_step=10, budget=150):
        rng = np.random.default_rng(None if seedless else seed)
        labelled = rng.choice(len(F_pool), size=n_start, replace=False)
        scores, model = [], None
        while True:
            if model is None or not no_refit:
                model = make_model().fit(F_pool[labelled], y_pool[labelled])
            X_score, y_score = (F_pool[labelled], y_pool[labelled]) if score == "train" else (F_val, y_val)
            if score == "pool":
                X_score, y_score = F_pool, y_pool
            scores.append(balanced_accuracy_score(y_score, model.predict(X_score)))
            stop = len(labelled) >= budget - (n_step if early_stop else 0)
            if stop and (not extra_round or len(labelled) > budget):
                break
            rest = np.arange(len(F_pool)) if whole_pool else np.setdiff1d(np.arange(len(F_pool)), labelled)
            if choose == "random":
                if global_rng:
                    new = np.random.choice(rest, size=n_step, replace=False)
                elif random_choice == "permutation":
                    new = rng.permutation(rest)[:n_step]
                else:
                    new = rng.choice(rest, size=n_step, replace=False)
            else:
                picked = choose(model, F_pool[rest], n_step)
                new = picked if unmapped else rest[picked]
            labelled = np.concatenate([labelled, new])
        return np.array(scores)

    return loop


def test_active_learning_loop_right(capsys):
    check_active_learning_curve(_loop())
    assert _verdict(capsys).startswith("✔ Exercise 4.2")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_loop(score="train"), "labelled training rows; score on the validation set"),
        (_loop(score="pool"), "whole pool; score on the validation set"),
        (_loop(whole_pool=True), "hands the whole pool to the selection rule"),
        (_loop(unmapped=True), "map them back to pool indices with rest[...]"),
        (_loop(no_refit=True), "train a new model on the labelled rows in every round"),
        (_loop(global_rng=True), "global random state"),
        (_loop(seedless=True), "the same seed must give the same curve"),
        (_loop(random_choice="permutation"), "rng.choice(rest, size=n_step, replace=False)"),
        (_loop(early_stop=True), "rounds"),
        (_loop(extra_round=True), "rounds"),
        (_stub, "not done yet"),
        (lambda *args, **kwargs: 0.5, "shape"),
    ],
)
def test_active_learning_loop_wrong(capsys, wrong, hint):
    check_active_learning_curve(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.2") and hint in out, out


# --------------------------------------------------------------------------- 4.5 scale and Rw


def scale_and_rw_ok(g_obs, g_model):
    scale = (g_obs @ g_model) / (g_model @ g_model)
    return scale, np.sqrt(np.sum((g_obs - scale * g_model) ** 2) / np.sum(g_obs**2))


def _ls(g_obs, g_model):
    return (g_obs @ g_model) / (g_model @ g_model)


def test_scale_and_rw_right(capsys):
    check_scale_and_rw(scale_and_rw_ok)
    assert _verdict(capsys).startswith("✔ Exercise 4.5")
    check_scale_and_rw(lambda o, m: (_ls(o, m), np.sqrt(np.mean((o - _ls(o, m) * m) ** 2) / np.mean(o**2))))
    assert _verdict(capsys).startswith("✔ Exercise 4.5")  # means instead of sums: the same ratio


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda o, m: scale_and_rw_ok(o, m)[::-1], "you returned (rw, scale)"),
        (lambda o, m: (1.0, scale_and_rw_ok(o, m)[1]), "the scale is 1"),
        (lambda o, m: (np.abs(o).max() / np.abs(m).max(), 0.1), "ratio of the highest points"),
        (lambda o, m: (o.max() / m.max(), 0.1), "ratio of the highest points"),
        (lambda o, m: ((m @ o) / (o @ o), 0.1), "fits the data to the model"),
        (
            lambda o, m: (np.mean(o / np.where(m == 0, 1, m)), 0.1),
            "set its derivative with respect to s to zero",
        ),
        (lambda o, m: (_ls(o, m), np.sum((o - _ls(o, m) * m) ** 2) / np.sum(o**2)), "Rw²"),
        (
            lambda o, m: (
                _ls(o, m),
                np.sqrt(np.sum((o - _ls(o, m) * m) ** 2) / np.sum((_ls(o, m) * m) ** 2)),
            ),
            "not by the squared model",
        ),
        (lambda o, m: (_ls(o, m), np.sum(np.abs(o - _ls(o, m) * m)) / np.sum(np.abs(o))), "absolute values"),
        (lambda o, m: (_ls(o, m), np.sqrt(np.sum((o - m) ** 2) / np.sum(o**2))), "unscaled model"),
        (lambda o, m: (_ls(o, m), 1 - np.sqrt(np.sum((o - _ls(o, m) * m) ** 2) / np.sum(o**2))), "not √"),
        (lambda o, m: _ls(o, m), "return two numbers"),
        (lambda o, m: ("3.1", 0.1), "should be a number"),
        (_stub, "not done yet"),
    ],
)
def test_scale_and_rw_wrong(capsys, wrong, hint):
    check_scale_and_rw(wrong)
    out = _verdict(capsys)
    assert out.startswith("✘ Exercise 4.5") and hint in out, out
