"""Session 4's self-checks written as code (4.1 and 4.3-4.6 are specs: tests/test_checks_specs.py), and the quiz."""

from __future__ import annotations

import random

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


def test_the_tied_case_really_has_ties_at_the_cut():
    """A non-stable order of the tied rows changes which rows are chosen (else the check could not tell)."""
    model, X = s4._FixedProbaModel(s4._TIED_PROBA), np.zeros((20, 2))
    assert set(s4._unstable_ties(model, X, 7)) != set(uncertainty_sampling_ok(model, X, 7))


def test_uncertainty_sampling_with_real_model():
    """The check's reference, on a fitted classifier, picks the pool points closest to its boundary."""
    model, X_pool = s4._real_model()
    chosen = s4._least_confident(model, X_pool, 5)
    closest = np.argsort(np.abs(model.decision_function(X_pool)))[:5]  # binary: low confidence = near w·x = 0
    assert set(chosen.tolist()) == set(closest.tolist())


# 4.3-4.6 are specs: their mistakes are tested by tests/test_checks_specs.py.


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
    python_random=False,
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
                elif python_random:
                    random.seed(seed)
                    new = np.array(random.sample(rest.tolist(), n_step))
                elif random_choice == "fresh":
                    new = np.random.default_rng(seed).choice(rest, size=n_step, replace=False)
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
        (_loop(random_choice="fresh"), "a fresh generator from the seed"),
        (_loop(python_random=True), "Python's random module"),
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
