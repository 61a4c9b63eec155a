"""Self-checks for session 2: the perceptron, linear and logistic regression, gradient descent (2.1-2.5, quiz)."""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from helpers.checks._core import (
    GlobalRandomUse,
    call,
    check,
    expect_int,
    expect_number,
    expect_pair,
    fail,
    global_random_hint,
    load_quiz,
    register_quiz,
    require,
)
from helpers.checks._spec import Case, Forbidden, Mistake, Probe, Spec, allclose, caught, register

__all__ = [
    "check_agreement",
    "check_fit_normal_equation",
    "check_logistic_regression_gd",
    "check_one_vs_rest_predict",
    "check_perceptron",
    "check_pick_learning_rate",
]

_ENDLESS_PLA = "does your loop stop after max_updates updates?"


def _h(w, X) -> np.ndarray:
    """The lecture's h(x) = sign(w0 + w·x), with +1 for w·x >= 0."""
    return np.where(w[0] + X @ w[1:] >= 0, 1, -1)


def _as_weights(w, d: int) -> np.ndarray:
    """The weights as a float array of shape (d + 1,), or a failed check that says what is wrong."""
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        fail(f"w should be a numpy array of numbers, got {type(w).__name__}.")
    require(
        w.shape != (d,),
        f"w has {d} entries, one per feature; it needs {d + 1}: add the bias column x0 = 1 "
        "to X inside your function, so w[0] is the bias w0.",
    )
    require(
        w.shape == (d + 1,), f"w should have shape ({d + 1},) for {d} features plus the bias; got {w.shape}."
    )
    require(np.all(np.isfinite(w)), "w contains NaN or infinite values.")
    return w


# --------------------------------------------------------------------------- Exercise 2.1


def _separable_set(n: int = 40, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """2-D points with labels ±1 on either side of a line, none closer than 0.15 to it."""
    rng = np.random.default_rng(seed)
    w_true = np.array([0.2, 1.0, -0.8])
    X = np.empty((0, 2))
    while len(X) < n:
        P = rng.uniform(-1, 1, size=(2 * n, 2))
        margin = (w_true[0] + P @ w_true[1:]) / np.linalg.norm(w_true[1:])
        X = np.vstack([X, P[np.abs(margin) > 0.15]])
    X = X[:n]
    return X, _h(w_true, X)


def _xor_set() -> tuple[np.ndarray, np.ndarray]:
    """Points that no line separates: the four corners of a square, labelled like XOR, plus jitter."""
    rng = np.random.default_rng(2)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = np.repeat(corners, 5, axis=0) + rng.normal(scale=0.1, size=(20, 2))
    y = np.repeat([1, 1, -1, -1], 5)
    return X, y


def _run_perceptron(perceptron, X, y, max_updates: int, seed: int) -> tuple[np.ndarray, int]:
    """The student's ``perceptron(X, y, max_updates=..., seed=...)`` as (w of shape (d + 1,), int n_updates)."""
    got = call(
        perceptron,
        X,
        y,
        max_updates=max_updates,
        seed=seed,
        returns=f"(w of shape ({X.shape[1] + 1},), n_updates)",
        slow_hint=_ENDLESS_PLA,
        changed_hint="your function changed the X or y it was given; work on a copy (np.column_stack makes one).",
    )
    return _w_and_count(got, X.shape[1])


def _w_and_count(got, d: int) -> tuple[np.ndarray, int]:
    """The contract of 2.1: (w of shape (d + 1,), an int n_updates)."""
    w, n = expect_pair(got, "return two things: `return w, n_updates` (got {got}).")
    w = _as_weights(w, d)
    n = expect_int(n, "n_updates", "n_updates should be an int (how many times w changed), got {got}.")
    return w, n


def _one_update_hint(w0, w1, X, y) -> str:
    """Why w1 is not w0 + y·x for one point x misclassified by w0 (or '' if it is)."""
    Xb = np.column_stack([np.ones(len(X)), X])
    step = w1 - w0
    wrong = _h(w0, X) != y
    for i in range(len(X)):
        if np.allclose(step, y[i] * Xb[i]):
            return (
                ""
                if wrong[i]
                else (
                    f"your first update used point #{i}, which the starting w classifies correctly; "
                    "update with a misclassified point."
                )
            )
    if np.allclose(step, (y[wrong, None] * Xb[wrong]).sum(axis=0)):
        return (
            "one update changed w by the sum of y·x over all misclassified points; the PLA updates with "
            "one of them at a time: w ← w + y·x."
        )
    for i in np.flatnonzero(wrong):
        ratio = step @ Xb[i] / (y[i] * Xb[i] @ Xb[i])
        if not np.isclose(ratio, 1) and np.allclose(step, ratio * y[i] * Xb[i]):
            return f"one update changed w by {ratio:.3g}·y·x; the PLA's update is w ← w + y·x (no factor)."
    return (
        "one update should change w by y·x of one misclassified point (x with its bias coordinate 1): "
        "w ← w + y·x."
    )


def _perceptron(X, y, max_updates=1000, seed=0, *, start=None, pick=None, step=None, rng=None):
    """The PLA, with a replaceable start, pick and update (to write the typical mistakes in one line each)."""
    rng = np.random.default_rng(seed) if rng is None else rng
    Xb = np.column_stack([np.ones(len(X)), X])
    w = rng.normal(size=Xb.shape[1]) if start is None else start
    n = 0
    while n < max_updates:
        wrong = np.flatnonzero(np.where(Xb @ w >= 0, 1, -1) != y)
        if len(wrong) == 0:
            break
        i = rng.choice(wrong) if pick is None else pick(wrong)
        w = w + (y[i] * Xb[i] if step is None else step(Xb, wrong, i))
        n += 1
    return w, n


def _perceptron_no_bias(X, y, max_updates=1000, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=X.shape[1])
    for _ in range(max_updates):
        wrong = np.flatnonzero(np.where(X @ w >= 0, 1, -1) != y)
        if len(wrong) == 0:
            break
        i = rng.choice(wrong)
        w = w + y[i] * X[i]
    return w, 0


def _perceptron_global_seed(X, y, max_updates=1000, seed=0):
    np.random.seed(seed)  # reproducible, but it changes NumPy's global random state
    return _perceptron(X, y, max_updates, rng=np.random, start=np.random.normal(size=X.shape[1] + 1))


def _perceptron_normalises_in_place(X, y, max_updates=1000, seed=0):
    X /= np.abs(X).max()  # changes the caller's X
    return _perceptron(X, y, max_updates, seed)


def _perceptron_wrong_shape(X, y, max_updates=1000, seed=0):
    rng = np.random.default_rng(seed)
    Xb = np.column_stack([np.ones(len(X)), X])
    w = rng.normal(size=X.shape[1])  # forgot the + 1
    scores = Xb @ w
    return w, len(scores)


def _counted(adjust):
    """The right perceptron whose n_updates is ``adjust(n, max_updates)``."""

    def perceptron(X, y, max_updates=1000, seed=0):
        w, n = _perceptron(X, y, max_updates, seed)
        return w, adjust(n, max_updates)

    return perceptron


def _perceptron_probes(spec: Spec, perceptron) -> None:
    """What one run on a separable set cannot say: separation, seeds, max_updates, one update at a time."""
    X, y = _separable_set()
    with GlobalRandomUse() as global_rng:
        w, n = _run_perceptron(perceptron, X, y, max_updates=1000, seed=0)
    wrong = int(np.sum(_h(w, X) != y))
    require(
        not wrong,
        f"on a linearly separable set of {len(y)} points your w still misclassifies {wrong} "
        f"(after {n} updates). The PLA must keep updating while any point is misclassified: "
        "check the update w ← w + y·x and the test for 'misclassified' (sign(w·x) ≠ y, with "
        "sign(0) = +1).",
    )
    require(0 <= n <= 1000, f"n_updates = {n}, but it must be between 0 and max_updates = 1000.")
    w2, _ = _run_perceptron(perceptron, X, y, max_updates=1000, seed=0)
    require(
        np.allclose(w, w2),
        "two calls with the same seed gave different w: create the generator inside your "
        "function with rng = np.random.default_rng(seed) and use only it for random numbers.",
    )
    require(
        not global_rng.used,
        global_random_hint(
            global_rng,
            "your function changes NumPy's global random state (np.random.seed or np.random.*): create "
            "rng = np.random.default_rng(seed) inside the function and draw every random number from it.",
        ),
    )
    Xn, yn = _xor_set()
    _, n_xor = _run_perceptron(perceptron, Xn, yn, max_updates=50, seed=0)
    require(
        n_xor == 50,
        f"on data that no line can separate the PLA never converges, so it should stop after "
        f"exactly max_updates = 50 updates; yours reported {n_xor}.",
    )
    starts = [_run_perceptron(perceptron, X, y, max_updates=0, seed=s) for s in (0, 1)]
    require(
        all(n0 == 0 for _, n0 in starts),
        f"with max_updates=0 your function reported {starts[0][1]} updates; it may make none.",
    )
    require(
        not np.allclose(starts[0][0], 0),
        "with max_updates=0 you return w = 0: start from a random w, rng.normal(size=d + 1).",
    )
    require(
        not np.allclose(starts[0][0], starts[1][0]),
        "seeds 0 and 1 give the same starting w: create the generator from the argument, "
        "rng = np.random.default_rng(seed).",
    )
    picks_first = []
    for seed in range(5):
        w0, _ = _run_perceptron(perceptron, X, y, max_updates=0, seed=seed)
        w1, n1 = _run_perceptron(perceptron, X, y, max_updates=1, seed=seed)
        require(
            n1 == 1, f"with max_updates=1 (and a misclassified start) n_updates should be 1; yours is {n1}."
        )
        hint = _one_update_hint(w0, w1, X, y)
        require(not hint, hint)
        Xb = np.column_stack([np.ones(len(X)), X])
        used = next(i for i in range(len(X)) if np.allclose(w1 - w0, y[i] * Xb[i]))
        picks_first.append(used == np.flatnonzero(_h(w0, X) != y)[0])
    require(
        not all(picks_first),
        "you always update with the first misclassified point; pick one at random with rng.choice.",
    )
    if n > 0:
        w_n, _ = _run_perceptron(perceptron, X, y, max_updates=n, seed=0)
        require(
            np.allclose(w_n, w),
            f"n_updates = {n}, but with max_updates = {n} your function ends with another w: "
            "n_updates should count how many times w changed.",
        )
        w_before, _ = _run_perceptron(perceptron, X, y, max_updates=n - 1, seed=0)
        require(
            np.any(_h(w_before, X) != y),
            f"n_updates = {n}, but {n - 1} updates already separate the points: count only the updates "
            "of w, not the final check that finds no misclassified point.",
        )


check_perceptron = register(
    "check_perceptron",
    Spec(
        exercise="Exercise 2.1",
        reference=_perceptron,
        cases=lambda: [Case(*_separable_set(), max_updates=1000, seed=0)],
        returns="(w of shape (3,), n_updates)",
        contract=lambda got, case: _w_and_count(got, case.args[0].shape[1]),
        slow_hint=_ENDLESS_PLA,
        changed_hint="your function changed the X or y it was given; work on a copy (np.column_stack makes one).",
        same=lambda a, b: True,  # the picks are random: the probes judge the result
        otherwise="",
        probes=[Probe(_perceptron_probes)],
        success="your perceptron separates a separable set and stops at max_updates on a non-separable one.",
        mistakes=[
            caught("bias", _perceptron_no_bias, "no bias"),
            caught(
                "misclassifies",
                lambda X, y, max_updates=1000, seed=0: _perceptron(
                    X, y, max_updates, seed, step=lambda Xb, _, i: -y[i] * Xb[i]
                ),
                "wrong sign",
            ),
            caught(
                "same seed",
                lambda X, y, max_updates=1000, seed=0: _perceptron(X, y, max_updates, seed=None),
                "unseeded",
            ),
            caught("exactly max_updates", _counted(lambda n, m: min(n, m - 1)), "one short"),
            caught("return two things", lambda X, y, max_updates=1000, seed=0: np.zeros(3), "w only"),
            caught("global random state", _perceptron_global_seed, "np.random.seed"),
            caught(
                "w = 0",
                lambda X, y, max_updates=1000, seed=0: _perceptron(
                    X, y, max_updates, seed, start=np.zeros(3)
                ),
                "zero start",
            ),
            caught(
                "seeds 0 and 1",
                lambda X, y, max_updates=1000, seed=0: _perceptron(X, y, max_updates, 0),
                "seed ignored",
            ),
            caught(
                "sum of y·x",
                lambda X, y, max_updates=1000, seed=0: _perceptron(
                    X, y, max_updates, seed, step=lambda Xb, wrong, i: y[wrong] @ Xb[wrong]
                ),
                "batch update",
            ),
            caught(
                "no factor",
                lambda X, y, max_updates=1000, seed=0: _perceptron(
                    X, y, max_updates, seed, step=lambda Xb, _, i: 0.5 * y[i] * Xb[i]
                ),
                "learning rate",
            ),
            caught(
                "first misclassified",
                lambda X, y, max_updates=1000, seed=0: _perceptron(
                    X, y, max_updates, seed, pick=lambda wrong: wrong[0]
                ),
                "first mistake",
            ),
            caught(
                "count only the updates",
                _counted(
                    lambda n, m: n + 1 if n < m else n
                ),  # one loop pass more than updates when it converged
                "counts the last check",
            ),
            caught("should be an int", _counted(lambda n, m: float(n)), "float count"),
            caught("changed the X or y", _perceptron_normalises_in_place, "X normalised in place"),
            caught(
                "your function raised ValueError",  # the failing line's shapes: student code only (test_checks_core)
                _perceptron_wrong_shape,
                "w one short",
            ),
        ],
    ),
)


@check(exercise=None)
def check_agreement(acc_mine, acc_sklearn, tol: float = 0.05, exercise: str = "Exercise 2.1"):
    """Your perceptron and scikit-learn's should reach about the same accuracy (within ``tol``)."""
    accuracies = [
        expect_number(
            acc,
            name,
            hint=f"{name} should be a number (an accuracy), got {{got}}.",
            bounds_hint=f"{name} = {{value}} is not an accuracy between 0 and 1.",
            min_val=0.0,
            max_val=1.0,
        )
        for name, acc in (("acc_mine", acc_mine), ("acc_sklearn", acc_sklearn))
    ]
    diff = abs(accuracies[0] - accuracies[1])
    require(
        diff <= tol,
        f"the accuracies differ by {diff:.3f} (more than {tol:g}). Same data and split for both? "
        "If your perceptron stopped at max_updates, it may not have converged.",
    )
    return f"the two accuracies agree within {tol:g} (difference {diff:.3f})."


# --------------------------------------------------------------------------- Exercise 2.2


def _blobs(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated clusters away from the origin: a line through the origin cannot cut them apart."""
    rng = np.random.default_rng(seed)
    centres = {"Au": (4.0, 6.0), "Fe": (2.0, 3.0), "Co": (6.0, 3.0)}
    X = np.vstack([rng.normal(c, 0.4, size=(n_per_class, 2)) for c in centres.values()])
    y = np.repeat(list(centres), n_per_class)
    return X, y


def _ovr_predictions(fn, X_train, y_train, X, **kwargs) -> np.ndarray:
    pred = call(
        fn,
        X_train,
        y_train,
        X,
        **kwargs,
        returns=f"one label per row of X, shape ({len(X)},)",
        slow_hint=_ENDLESS_PLA,
    )
    return _labels(pred, X_train, y_train, X)


def _labels(pred, X_train, y_train, X) -> np.ndarray:
    """The contract of 2.2: one label of y_train per row of X."""
    pred = np.asarray(pred)
    k = len(np.unique(y_train))
    require(
        pred.shape != (len(X), k),
        f"you returned an array of shape {pred.shape}, one score per row and class; return the class "
        "with the largest score of each row.",
    )
    require(
        pred.shape != (k,),
        f"you returned {k} values, one per class: take the largest score of each row of X (argmax "
        "along axis=1, over the classes).",
    )
    require(
        pred.shape != (len(X_train),),
        f"you returned {len(X_train)} labels, one per row of X_train; predict the rows of X "
        f"({len(X)} of them).",
    )
    require(pred.shape == (len(X),), f"return one label per row of X: shape ({len(X)},), got {pred.shape}.")
    require(
        not (pred.dtype.kind in "iuf" and not np.isin(pred, np.unique(y_train)).all()),
        "you returned numbers; return the class labels themselves (e.g. classes[np.argmax(scores, axis=1)]).",
    )
    unknown = set(pred.tolist()) - set(y_train.tolist())
    require(not unknown, f"your labels {sorted(map(str, unknown))[:3]} are not classes of y_train.")
    return pred


# A stand-in for the student's perceptron: while the check runs, the name `perceptron` that
# one_vs_rest_predict looks up is bound to it, so the weights are known and every call is seen. It returns,
# for the class whose rows are labelled +1, hand-made weights on which the typical mistakes give other labels
# than the right rule (largest w[0] + w·x): the ±1 of h as the score (ties), the bias left out, the smallest
# score. Classes in np.unique order: Au, Co, Fe.
_STAND_IN_WEIGHTS = {"Au": (-5.0, 1.0, 0.0), "Co": (-6.0, 0.0, 1.0), "Fe": (-10.0, 1.0, 1.0)}
_STAND_IN_POINTS = np.array([[2.0, 4.0], [8.0, 1.0], [9.0, 9.0], [1.0, 1.0], [3.0, 8.0]])


def _uses_global(fn, name: str) -> bool:
    """Does ``fn`` look ``name`` up as a global — itself, in a comprehension or function inside it, or in a
    function of the same namespace that it calls (a helper the student wrote)?"""
    namespace = getattr(fn, "__globals__", None)
    if getattr(fn, "__code__", None) is None or namespace is None or name not in namespace:
        return False
    stack, seen = [fn.__code__], set()
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        if name in code.co_names:
            return True
        stack.extend(k for k in code.co_consts if inspect.iscode(k))
        for used in code.co_names:
            helper = namespace.get(used)
            if inspect.isfunction(helper) and helper.__globals__ is namespace:
                stack.append(helper.__code__)
    return False


class _StandInPerceptron:
    """Records how it is called and returns the hand-made weights of the class labelled +1."""

    def __init__(self, y_train):
        self.y_train = np.asarray(y_train)
        self.calls = []

    def __call__(self, X, y, max_updates=1000, seed=0):
        labels = np.asarray(y)
        self.calls.append({"labels": labels.copy(), "max_updates": max_updates, "seed": seed})
        for c, w in _STAND_IN_WEIGHTS.items():
            if labels.shape == self.y_train.shape and np.array_equal(labels == 1, self.y_train == c):
                return np.array(w), 0
        return np.zeros(np.shape(X)[1] + 1), 0


def _stand_in_hint(calls, y_train, max_updates: int, seed: int) -> str:
    """What is wrong with the calls one_vs_rest_predict made to its perceptron ('' if nothing)."""
    classes = np.unique(y_train)
    if len(calls) != len(classes):
        return (
            f"your function called perceptron {len(calls)} time(s) for {len(classes)} classes: train one "
            "perceptron per class, each on +1 (this class) / −1 (the rest)."
        )
    for call_ in calls:
        labels = call_["labels"]
        if labels.shape != y_train.shape:
            return f"perceptron got labels of shape {labels.shape}; give it one label per training row {y_train.shape}."
        values = set(np.unique(labels).tolist())
        if labels.dtype == bool or values <= {0, 1}:
            return (
                "the labels you train each perceptron on are 0/1 (or True/False); the perceptron learns from "
                "+1 (this class) and −1 (the rest): np.where(y_train == c, 1, -1)."
            )
        if not values <= {-1, 1}:
            return f"the labels you train a perceptron on are {sorted(map(str, values))[:4]}; use +1 and −1 only."
        if any(np.array_equal(labels == -1, y_train == c) for c in classes):
            return "your labels are the wrong way round: +1 for the class the perceptron is for, −1 for the rest."
        if call_["max_updates"] != max_updates:
            return (
                f"called with max_updates={max_updates}, your function gave perceptron "
                f"max_updates={call_['max_updates']!r}: pass max_updates on to perceptron."
            )
        if call_["seed"] != seed:
            return f"called with seed={seed}, your function gave perceptron seed={call_['seed']!r}: pass seed on to perceptron."
    trained = [c for c in classes for call_ in calls if np.array_equal(call_["labels"] == 1, y_train == c)]
    if sorted(trained) != sorted(classes):
        return "train one perceptron for each class, each with +1 for exactly the rows of its class."
    return ""


def _scoring_hint(pred, classes) -> str:
    """Why the labels for the stand-in's weights are not those of the largest w[0] + w·x ('' if they are)."""
    W = np.array([_STAND_IN_WEIGHTS[c] for c in classes])
    raw = W[:, 0] + _STAND_IN_POINTS @ W[:, 1:].T
    if np.array_equal(pred, classes[np.argmax(raw, axis=1)]):
        return ""
    if np.array_equal(pred, classes[np.argmax(np.where(raw >= 0, 1, -1), axis=1)]):
        return (
            "you score the rows with h(w, X), which is only +1 or −1, so several classes tie and the first one "
            "wins: score with the value itself, w[0] + X @ w[1:], and take the largest."
        )
    if np.array_equal(pred, classes[np.argmax(_STAND_IN_POINTS @ W[:, 1:].T, axis=1)]):
        return "your scores leave out the bias w[0]: score with w[0] + X @ w[1:]."
    if np.array_equal(pred, classes[np.argmin(raw, axis=1)]):
        return "you predict the class with the smallest score; take the largest."
    return (
        "for weights known to the check, your labels are not those of the largest w[0] + X @ w[1:]: stack the "
        "K scores as the columns of an (M, K) array and take the argmax of each row."
    )


def _stand_in_probe(spec: Spec, one_vs_rest_predict) -> None:
    """When the function calls the notebook's global `perceptron`, a stand-in with known weights sees every
    call and makes the typical scoring mistakes give other labels."""
    if not _uses_global(one_vs_rest_predict, "perceptron"):
        return
    X_train, y_train = _blobs(15, seed=3)
    stand_in = _StandInPerceptron(y_train)
    namespace = one_vs_rest_predict.__globals__
    yours = namespace["perceptron"]
    namespace["perceptron"] = stand_in
    try:
        pred = _ovr_predictions(
            one_vs_rest_predict, X_train, y_train, _STAND_IN_POINTS, max_updates=7, seed=5
        )
    finally:
        namespace["perceptron"] = yours
    hint = _stand_in_hint(stand_in.calls, y_train, max_updates=7, seed=5)
    require(not hint, hint)
    hint = _scoring_hint(pred, np.unique(y_train))
    require(not hint, hint)


def _passes_on_max_updates_and_seed(spec: Spec, one_vs_rest_predict) -> None:
    (X_train, y_train, X_new), y_new = spec.cases()[0].args, _blobs(20, seed=4)[1]
    untrained = _ovr_predictions(one_vs_rest_predict, X_train, y_train, X_new, max_updates=0, seed=0)
    require(
        np.mean(untrained == y_new) < 0.9,
        "with max_updates=0 no perceptron may make a single update, yet your predictions are as good as "
        "trained ones: pass max_updates on to perceptron.",
    )
    by_seed = [
        _ovr_predictions(one_vs_rest_predict, X_train, y_train, X_new, max_updates=3, seed=s)
        for s in range(3)
    ]
    require(
        not all(np.array_equal(by_seed[0], p) for p in by_seed[1:]),
        "seeds 0, 1 and 2 give exactly the same predictions after 3 updates per perceptron: pass seed on "
        "to perceptron.",
    )


def _accuracy(pred) -> float:
    return float(np.mean(pred == _blobs(20, seed=4)[1]))


def _ovr_otherwise(case: Case, pred) -> str:
    acc = _accuracy(pred)
    if acc < 0.2:
        return (
            f"on three well-separated clusters only {acc:.0%} of your predictions are right, fewer than by "
            "guessing: do you predict the class with the smallest score? Take the largest."
        )
    return (
        f"on three well-separated clusters your predictions are only {acc:.0%} right. For each class c, "
        "train a perceptron on labels +1 (class c) / −1 (the rest); predict the class whose w[0] + w·x is "
        "largest — with the bias w[0]: these clusters do not sit around the origin."
    )


def _ovr(
    X_train,
    y_train,
    X,
    max_updates=1000,
    seed=0,
    *,
    train=None,
    labels=None,
    score=None,
    pick=np.argmax,
    **kw,
):
    """One-vs-rest with replaceable training, labelling, scoring and pick (the typical mistakes in one line)."""
    classes = np.unique(y_train)
    fixed_updates, fixed_seed = kw.get("fixed", (None, None))  # a value of its own instead of the argument
    max_updates = max_updates if fixed_updates is None else fixed_updates
    seed = seed if fixed_seed is None else fixed_seed
    used = kw.get("classes_used", lambda cl: cl)(classes)
    scores = np.zeros((len(X), len(classes) - kw.get("short", 0)))
    for k, c in enumerate(used):
        y_k = np.where(y_train == c, 1, -1) if labels is None else labels(y_train, c)
        w, _ = (train or _perceptron)(X_train, y_k, max_updates, seed)
        scores[:, k] = w[0] + X @ w[1:] if score is None else score(w, X)
    return kw.get("out", lambda classes, scores: classes[pick(scores, axis=1)])(classes, scores)


# The global a notebook's one_vs_rest_predict calls (Exercise 2.1's answer); the check's stand-in replaces it
# while it runs, so the mistakes written through it are told apart by the calls they make.
perceptron = _perceptron


def _ovr_calls(X_train, y_train, X, max_updates=1000, seed=0, **mistake):
    """One-vs-rest through the global `perceptron`, as a notebook writes it."""

    def train(X, y, max_updates, seed):
        return perceptron(X, y, max_updates=max_updates, seed=seed)

    return _ovr(X_train, y_train, X, max_updates, seed, train=train, **mistake)


def _ovr_with(**mistake):
    return lambda X_train, y_train, X, max_updates=1000, seed=0: _ovr(
        X_train, y_train, X, max_updates, seed, **mistake
    )


def _calls_with(**mistake):
    return lambda X_train, y_train, X, max_updates=1000, seed=0: _ovr_calls(
        X_train, y_train, X, max_updates, seed, **mistake
    )


check_one_vs_rest_predict = register(
    "check_one_vs_rest_predict",
    Spec(
        exercise="Exercise 2.2",
        reference=_ovr,
        cases=lambda: [
            Case(*_blobs(15, seed=3), _blobs(20, seed=4)[0], about="new points of the same clusters")
        ],
        returns="one label per row of X, shape (60,)",
        contract=lambda pred, case: _labels(pred, *case.args),
        slow_hint=_ENDLESS_PLA,
        same=lambda a, b: _accuracy(a) >= 0.95,  # judged by the true labels of the new points
        first=[Probe(_stand_in_probe)],
        otherwise=_ovr_otherwise,
        probes=[Probe(_passes_on_max_updates_and_seed)],
        success=lambda pred: (
            f"three clusters, three perceptrons: {_accuracy(pred):.0%} of new points classified correctly."
        ),
        mistakes=[
            caught(
                "class labels", _ovr_with(out=lambda classes, scores: np.argmax(scores, axis=1)), "indices"
            ),
            caught("largest", _ovr_with(pick=np.argmin), "smallest score"),
            caught("one label per row", lambda X_train, y_train, X: y_train[:5], "five labels"),
            caught("not classes", lambda X_train, y_train, X: np.full(len(X), "Pt"), "unknown label"),
            caught("bias w[0]", _ovr_with(score=lambda w, X: X @ w[1:]), "no bias"),
            caught("pass max_updates on", _ovr_with(fixed=(1000, None)), "max_updates ignored"),
            caught("pass seed on", _ovr_with(fixed=(None, 0)), "seed ignored"),
            caught("pass max_updates on", _ovr_with(fixed=(1000, 0)), "both ignored"),
            caught("one score per row", _ovr_with(out=lambda classes, scores: scores), "scores"),
            caught(
                "along axis=1",
                _ovr_with(out=lambda classes, scores: np.argmax(scores, axis=0)),
                "argmax over rows",
            ),
            caught(
                "IndexError",  # row numbers used as class numbers
                _ovr_with(out=lambda classes, scores: classes[np.argmax(scores, axis=0)]),
                "labels of argmax over rows",
            ),
            caught(
                "one per row of X_train",
                lambda Xt, yt, X, max_updates=1000, seed=0: _ovr(Xt, yt, Xt, max_updates, seed),
                "X_train predicted",
            ),
            caught("IndexError", _ovr_with(short=1), "one column short"),
            # through the global `perceptron`, which the stand-in replaces
            caught(
                "only +1 or −1",
                _calls_with(score=lambda w, X: np.where(w[0] + X @ w[1:] >= 0, 1, -1)),
                "h as score",
            ),
            caught("leave out the bias", _calls_with(score=lambda w, X: X @ w[1:]), "global, no bias"),
            caught("smallest", _calls_with(pick=np.argmin), "global, smallest"),
            caught("0/1", _calls_with(labels=lambda y, c: (y == c).astype(int)), "0/1 labels"),
            caught("True/False", _calls_with(labels=lambda y, c: y == c), "bool labels"),
            caught(
                "wrong way round", _calls_with(labels=lambda y, c: np.where(y == c, -1, 1)), "labels reversed"
            ),
            caught("+1 and −1 only", _calls_with(labels=lambda y, c: y), "class names as labels"),
            caught(
                "called perceptron 2 time(s)",
                _calls_with(classes_used=lambda cl: cl[:-1]),
                "one class left out",
            ),
            caught(
                "exactly the rows",
                _calls_with(labels=lambda y, c: np.where(y == "Au", 1, -1)),
                "one class for all",
            ),
            caught(
                "pass max_updates on",
                lambda X_train, y_train, X, max_updates=1000, seed=0: _ovr_calls(X_train, y_train, X),
                "global, nothing passed on",
            ),
            caught(
                "pass seed on",
                lambda X_train, y_train, X, max_updates=1000, seed=0: _ovr_calls(
                    X_train, y_train, X, max_updates
                ),
                "global, seed not passed on",
            ),
        ],
        alternatives=[_ovr_calls],
    ),
)


# --------------------------------------------------------------------------- Exercise 2.3


def _design(X):
    return np.column_stack([np.ones(len(X)), X])


def _normal_equation(X, y):
    Xb = _design(X)
    return np.linalg.solve(Xb.T @ Xb, Xb.T @ y)


def _regression_case():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 3))
    y = 1.5 + X @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=30)
    return [Case(X, y)]


def _weights_contract(w, case: Case):
    return _as_weights(w, case.args[0].shape[1])


def _no_intercept(X, y):
    return np.concatenate([[0.0], np.linalg.solve(X.T @ X, X.T @ y)])


def _ones_last(X, y):
    Xb = np.column_stack([X, np.ones(len(X))])
    return np.linalg.solve(Xb.T @ Xb, Xb.T @ y)


def _with_inv(X, y):
    Xb = _design(X)
    return np.linalg.inv(Xb.T @ Xb) @ Xb.T @ y


def _with_pinv(X, y):
    return np.linalg.pinv(_design(X)) @ y


def _with_sklearn(X, y):
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(X, y)
    return np.concatenate([[model.intercept_], model.coef_])


def _centring_in_place(X, y):
    X -= X.mean(axis=0)  # changes the caller's X
    return _normal_equation(X, y)


_LEAST_SQUARES = "w does not minimise the squared error on a small test problem; "

check_fit_normal_equation = register(
    "check_fit_normal_equation",
    Spec(
        exercise="Exercise 2.3",
        reference=_normal_equation,
        cases=_regression_case,
        returns="w of shape (4,)",
        contract=_weights_contract,
        same=lambda a, b: allclose(a, b, rtol=1e-6, atol=1e-8),
        changed_hint="your function changed the X it was given; build the design matrix as a new array.",
        otherwise=_LEAST_SQUARES + "solve (XᵀX) w = Xᵀy with X including the column of ones.",
        probes=[
            Forbidden(
                r"\b(LinearRegression|Ridge|polyfit)\b",
                "the numbers are right, but a ready-made model fitted them (scikit-learn's LinearRegression): this "
                "exercise is the normal equation itself — build the design matrix with its column of ones and "
                "solve (XᵀX) w = Xᵀy with np.linalg.solve.",
            ),
            Forbidden(
                r"\bp?inv\s*\(",
                "the numbers are right, but you form the inverse (inv or pinv). Solve the linear system instead: "
                "np.linalg.solve(A, b) is faster and more accurate than inv(A) @ b.",
            ),
        ],
        success="w matches the least-squares solution (to 1e-6) and you solved the system without inv.",
        mistakes=[
            Mistake(
                _LEAST_SQUARES
                + "your slopes are those of a fit without intercept: is the column of ones in X?",
                _no_intercept,
                "no column of ones",
                same=lambda a, b: allclose(a[1:], b[1:], rtol=1e-6, atol=1e-8),
            ),
            Mistake(
                _LEAST_SQUARES
                + "your intercept is the last entry of w; put the column of ones first, so that w[0] is it.",
                _ones_last,
                "ones last",
            ),
            caught("bias column", lambda X, y: np.linalg.solve(X.T @ X, X.T @ y), "d weights"),
            caught(_LEAST_SQUARES, lambda X, y: np.zeros(X.shape[1] + 1), "zeros"),
            caught("LinearRegression", _with_sklearn, "scikit-learn"),
            caught("inv", _with_inv, "inverse"),
            caught("inv or pinv", _with_pinv, "pseudo-inverse"),
            caught("changed the X", _centring_in_place, "X centred in place"),
        ],
        alternatives=[lambda X, y: np.linalg.lstsq(_design(X), y, rcond=None)[0]],
    ),
)


# --------------------------------------------------------------------------- Exercise 2.4


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _reference_gd(X, y, lr, n_steps, *, step=1.0, start=None):
    """Gradient descent on the mean cross-entropy (``step`` scales each step: -1 uphill, N the summed gradient)."""
    Xb = np.column_stack([np.ones(len(X)), X])
    w = np.zeros(Xb.shape[1]) if start is None else start
    losses = []
    for _ in range(n_steps):
        z = Xb @ w
        losses.append(np.mean(np.logaddexp(0.0, z) - y * z))
        w = w - step * lr * Xb.T @ (_sigmoid(z) - y) / len(y)
    return w, np.array(losses)


def _gd_case():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 2))
    y = (X @ np.array([1.5, -1.0]) + 0.3 + rng.normal(scale=0.8, size=40) > 0).astype(int)
    return [Case(X, y, 0.5, 100)]


def _w_and_losses(got, case: Case):
    """The contract of 2.4: (w, losses), one loss per step, the first the mean loss at w = 0 (ln 2)."""
    X, y, _, n_steps = case.args
    w, losses = expect_pair(got, "return two things: `return w, losses` (got {got}).")
    w = _as_weights(w, X.shape[1])
    losses = np.asarray(losses, dtype=float).ravel()
    require(
        len(losses) == n_steps,
        f"losses should hold one value per step, the loss before that step ({n_steps} values); "
        f"yours has {len(losses)}.",
    )
    require(
        not np.isclose(losses[0], len(y) * np.log(2.0), rtol=1e-6),
        f"the first loss is {losses[0]:.4g} = N·ln 2 for N = {len(y)} points: that is the sum of the "
        "cross-entropy over the points; take the mean.",
    )
    require(
        np.isclose(losses[0], np.log(2.0), rtol=1e-6),
        f"the first loss should be ln 2 ≈ 0.693 (w starts at zero, so σ(w·x) = 0.5 for every point); "
        f"yours is {losses[0]:.4g}. Start from w = np.zeros(d + 1) and record the loss before updating.",
    )
    return w, losses


def _same_losses(a, b) -> bool:
    return allclose(a[1], b[1])


def _gd_otherwise(case: Case, got) -> str:
    if _same_losses(got, _reference_gd(*case.args)):
        return "the losses are right but the returned w is not the final one: return w after the last step."
    return (
        "the losses differ from gradient descent on the cross-entropy: check the gradient "
        "(1/N) Xᵀ(σ(Xw) − y) (with the bias column in X) and the step w ← w − lr · gradient."
    )


def _gd_losses_after(X, y, lr, n_steps):
    return _reference_gd(X, y, lr, n_steps)[0], _reference_gd(X, y, lr, n_steps + 1)[1][1:]


check_logistic_regression_gd = register(
    "check_logistic_regression_gd",
    Spec(
        exercise="Exercise 2.4",
        reference=_reference_gd,
        cases=_gd_case,
        returns="(w of shape (3,), losses of shape (100,))",
        contract=_w_and_losses,
        slow_hint="does your loop run exactly n_steps times?",
        otherwise=_gd_otherwise,
        success=lambda got: (
            f"your gradient descent matches, and the loss fell from {got[1][0]:.3f} to {got[1][-1]:.3f}."
        ),
        mistakes=[
            Mistake(
                "the loss grows: you step uphill. Step against the gradient: w ← w − lr · gradient.",
                lambda X, y, lr, n: _reference_gd(X, y, lr, n, step=-1.0),
                "uphill",
                same=_same_losses,
            ),
            Mistake(
                "your steps are N = 40 times too large: the gradient is the mean over the points, "
                "(1/N) Xᵀ(σ(Xw) − y).",
                lambda X, y, lr, n: _reference_gd(X, y, lr, n, step=len(y)),
                "summed gradient",
                same=_same_losses,
            ),
            caught(
                "take the mean",
                lambda X, y, lr, n: (_reference_gd(X, y, lr, n)[0], len(y) * _reference_gd(X, y, lr, n)[1]),
                "summed loss",
            ),
            caught(
                "np.zeros",
                lambda X, y, lr, n: _reference_gd(X, y, lr, n, start=np.random.default_rng(0).normal(size=3)),
                "random start",
            ),
            caught("ln 2", _gd_losses_after, "losses after the step"),
            caught(
                "final one",
                lambda X, y, lr, n: (np.zeros(X.shape[1] + 1), _reference_gd(X, y, lr, n)[1]),
                "w never updated",
            ),
            caught("one value per step", lambda X, y, lr, n: _reference_gd(X, y, lr, n + 1), "one step more"),
            caught("return two things", lambda X, y, lr, n: _reference_gd(X, y, lr, n)[0], "w only"),
        ],
    ),
)


# --------------------------------------------------------------------------- Exercise 2.5

GOOD_LOSS_FRACTION = 1e-3
"""Exercise 2.5: after 50 steps the loss must be below this fraction of where it started."""


def _rate(rate, case: Case):
    """The contract of 2.5: one positive number that brings the loss down enough in 50 steps, without diverging."""
    from helpers.gradient_descent import W_START, loss, loss_after_steps

    rate = expect_number(
        rate,
        "γ",
        hint="return one number, the learning rate γ; got {got}.",
        bounds_hint="a learning rate must be a positive number; got {value}.",
        target_type=numbers.Real,
        min_val=0.0,
        include_boundaries="neither",
    )
    f0, f50 = float(loss(W_START)), loss_after_steps(rate, 50)
    require(
        np.isfinite(f50) and f50 <= f0,
        f"with γ = {rate:g} the loss grows: gradient descent diverges. Try a smaller γ.",
    )
    require(
        f50 <= GOOD_LOSS_FRACTION * f0,
        f"with γ = {rate:g} the loss after 50 steps is {f50:.2g}, still above {GOOD_LOSS_FRACTION:g} × "
        f"its start ({f0:.2f}). Look at the explorer: is your γ too small, or so large that the steps "
        "zig-zag?",
    )
    return rate, f0, f50


check_pick_learning_rate = register(
    "check_pick_learning_rate",
    Spec(
        exercise="Exercise 2.5",
        reference=lambda: 1.0,
        cases=lambda: [Case()],
        returns="one positive number",
        contract=_rate,
        same=lambda a, b: True,  # any γ the contract accepts is right
        otherwise="",
        success=lambda got: (
            f"γ = {got[0]:g} brings the loss from {got[1]:.2f} to {got[2]:.2g} in 50 steps without diverging."
        ),
        mistakes=[
            caught("still above", lambda: 0.01, "too small"),
            caught("diverges", lambda: 5.0, "too large"),
            caught("positive", lambda: -1.0, "negative"),
            caught("one number", lambda: "0.5", "text"),
            caught("positive", lambda: 0.0, "zero"),
            caught("positive", lambda: float("nan"), "nan"),
            caught("one number", lambda: [1.0], "list"),
            caught("one number", lambda: True, "bool"),
            caught("zig-zag", lambda: 2.0, "zig-zag"),
        ],
        alternatives=[lambda: np.float64(1.0), lambda: 0.5, lambda: 1.5],
    ),
)


# --------------------------------------------------------------------------- quiz

register_quiz(load_quiz(2))  # the questions' answers and whys: quizzes/session2.toml
