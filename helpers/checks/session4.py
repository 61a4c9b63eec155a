"""Self-checks for session 4, recent trends: active and continual learning, uncertainty, real measurements, few-shot
(4.1-4.6, quiz)."""

from __future__ import annotations

import numpy as np

from helpers.checks._core import (
    GlobalRandomUse,
    call,
    check,
    expect_array,
    expect_number,
    expect_pair,
    fail,
    global_random_hint,
    load_quiz,
    register_quiz,
    require,
)
from helpers.checks._spec import Case, Mistake, Seeded, Spec, allclose, caught, known, register

__all__ = [
    "check_active_learning_curve",
    "check_nearest_centroid_predict",
    "check_predictive_entropy",
    "check_replay_buffer",
    "check_scale_and_rw",
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
        [0.51, 0.49, 0.00],  # 2: fourth (max 0.51), but the smallest gap between the two largest after 4
        [0.05, 0.90, 0.05],  # 3
        [0.34, 0.33, 0.33],  # 4: least confident of all (max 0.34)
        [0.10, 0.10, 0.80],  # 5
        [0.50, 0.45, 0.05],  # 6: third least confident (max 0.50)
        [0.60, 0.10, 0.30],  # 7
    ]
)

# 20 rows whose largest probability repeats: five rows at 0.4, eleven at 0.5, ... With n = 7 the
# cut falls inside the 0.5 group, so which of those rows are chosen depends on how ties are broken.
_TIED_CONFIDENCE = np.array(
    [0.5, 0.4, 0.5, 0.5, 0.7, 0.5, 0.4, 0.9, 0.5, 0.5, 0.4, 0.5, 0.7, 0.5, 0.4, 0.5, 0.9, 0.5, 0.4, 0.5]
)
_TIED_PROBA = np.column_stack([_TIED_CONFIDENCE, (1 - _TIED_CONFIDENCE) * 0.6, (1 - _TIED_CONFIDENCE) * 0.4])


def _least_confident(model, X_pool, n: int) -> np.ndarray:
    """The reference: the n rows whose largest class probability is lowest, ties to the lower index."""
    return np.argsort(model.predict_proba(X_pool).max(axis=1), kind="stable")[:n]


def _indices(idx, X_pool, n: int, k: int) -> np.ndarray:
    """The student's answer as n different row indices, or a failed check that says what is wrong."""
    try:
        idx = np.asarray(idx)
    except (TypeError, ValueError):
        fail(f"return a 1-D array of row indices, got {type(idx).__name__}.")
    require(
        idx.dtype != bool,
        "you returned a boolean mask; return the row indices (integers), e.g. from np.argsort.",
    )
    require(
        not (idx.shape == (n, X_pool.shape[1]) and np.isin(idx, X_pool).all()),
        "you returned rows of X_pool (the points themselves); return their row indices.",
    )
    require(
        not (n > k and idx.shape == (k,)),
        f"you returned {k} indices, one per class: take the largest probability of each row (axis=1), "
        "not of each class.",
    )
    require(
        idx.ndim == 1 and idx.shape[0] == n,
        f"with n={n} expected a 1-D array of {n} indices, got shape {idx.shape}.",
    )
    if not np.issubdtype(idx.dtype, np.integer):
        if np.issubdtype(idx.dtype, np.floating) and np.all((idx >= 0) & (idx <= 1)) and np.any(idx % 1 != 0):
            fail("these look like probabilities; return the row indices of the chosen points.")
        fail(f"indices must be integers, got dtype {idx.dtype}.")
    require(
        len(set(idx.tolist())) == n, "the indices must be different: each pool point can be picked only once."
    )
    require(
        not (np.any(idx < 0) or np.any(idx >= len(X_pool))),
        f"indices must lie between 0 and len(X_pool) - 1 = {len(X_pool) - 1}.",
    )
    return idx


def _sampling_hint(chosen: set, proba: np.ndarray, n: int) -> str:
    """What rule the student's choice follows instead of least confidence."""
    top = np.sort(proba, axis=1)
    entropy = -np.sum(proba * np.log(np.clip(proba, 1e-12, 1)), axis=1)
    rules = {
        "you picked the MOST confident points; uncertainty sampling wants the least confident.": -top[:, -1],
        "that is margin sampling (the gap between the two most likely classes); here the rule is least "
        "confidence: the largest probability of each row.": top[:, -1] - top[:, -2],
        "that is entropy sampling; here the rule is least confidence: the largest probability of each "
        "row.": -entropy,
    }
    for hint, key in rules.items():
        if chosen == set(np.argsort(key, kind="stable")[:n].tolist()):
            return hint
    return (
        "not the least-confident points: for each row take the largest class probability; "
        "the n rows where it is smallest are the ones to label."
    )


def _real_model():
    """A fitted scikit-learn classifier and a pool of 30 points around its decision boundary."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    model = LogisticRegression().fit(X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int))
    return model, rng.normal(size=(30, 2))


def _uncertainty_cases():
    real, X_real = _real_model()
    return [
        Case(
            _FixedProbaModel(_AL_PROBA), np.arange(16.0).reshape(8, 2), 5, about="n larger than the classes"
        ),
        Case(_FixedProbaModel(_AL_PROBA), np.arange(16.0).reshape(8, 2), 3),
        Case(_FixedProbaModel(_AL_PROBA), np.arange(16.0).reshape(8, 2), 1, about="n = 1"),
        Case(_FixedProbaModel(_TIED_PROBA), np.arange(40.0).reshape(20, 2), 7, about="ties at the cut"),
        Case(real, X_real, 5, about="a fitted LogisticRegression"),
    ]


def _indices_contract(idx, case: Case):
    model, X_pool, n = case.args
    return frozenset(_indices(idx, X_pool, n, len(model.classes_)).tolist())


def _by(key):
    """The n rows with the smallest ``key(proba)`` (stable), as a rule of selection (for the mistakes)."""
    return lambda model, X_pool, n: np.argsort(key(model.predict_proba(X_pool)), kind="stable")[:n]


def _margin(p):
    top = np.sort(p, axis=1)
    return top[:, -1] - top[:, -2]


def _uncertainty_otherwise(case: Case, chosen) -> str:
    model, X_pool, n = case.args
    proba = model.predict_proba(X_pool)
    if isinstance(model, _FixedProbaModel):
        if chosen != frozenset(_least_confident(model, X_pool, n).tolist()):
            confidence = proba.max(axis=1)
            if n > 1 and sorted(confidence[list(chosen)]) == sorted(
                confidence[_least_confident(model, X_pool, n)]
            ):
                return (
                    "several rows have the same confidence where the n lowest end, and you broke the tie "
                    'differently: sort with np.argsort(..., kind="stable"), so the lower index comes first, '
                    "the same on every computer."
                )
            if n == 1:
                return "with n=1 it should return the single least-confident point."
        return _sampling_hint(set(chosen), proba, n)
    return (
        "right with the check's fixed probabilities, but not with a fitted LogisticRegression: use "
        "model.predict_proba(X_pool) and no other attribute of the model."
    )


def _unstable_ties(model, X_pool, n):
    """Least confidence, but ties broken towards the higher index (as an unstable sort may do)."""
    confidence = model.predict_proba(X_pool).max(axis=1)
    return np.lexsort((-np.arange(len(confidence)), confidence))[:n]


check_uncertainty_sampling = register(
    "check_uncertainty_sampling",
    Spec(
        exercise="Exercise 4.1",
        reference=_least_confident,
        cases=_uncertainty_cases,
        returns="n row indices, shape (n,)",
        contract=_indices_contract,
        same=lambda a, b: a == b,
        otherwise=_uncertainty_otherwise,
        success="you pick the points whose most likely class has the lowest probability.",
        mistakes=[
            Mistake(
                "you picked the MOST confident points; uncertainty sampling wants the least confident.",
                _by(lambda p: -p.max(axis=1)),
                "most confident",
            ),
            Mistake(
                "that is margin sampling (the gap between the two most likely classes); here the rule is least "
                "confidence: the largest probability of each row.",
                _by(_margin),
                "margin",
            ),
            Mistake(
                "that is entropy sampling; here the rule is least confidence: the largest probability of each row.",
                _by(lambda p: np.sum(p * np.log(np.clip(p, 1e-12, 1)), axis=1)),
                "entropy",
            ),
            caught("stable", _unstable_ties, "ties to the higher index"),
            caught(
                "stable",
                lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=1), kind="heapsort")[:n],
                "heapsort",
            ),
            caught(
                "LogisticRegression",
                lambda m, X, n: np.argsort(m._proba.max(axis=1), kind="stable")[:n],
                "the stand-in model's own attribute",
            ),
            caught("probabilities", lambda m, X, n: np.sort(m.predict_proba(X).max(axis=1))[:n], "values"),
            caught("not the least-confident", lambda m, X, n: np.arange(n), "first rows"),
            caught(
                "boolean mask", lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=1))[:n] > 2, "mask"
            ),
            caught(
                "expected a 1-D array of",
                lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=1))[: n + 1],
                "one too many",
            ),
            caught("rows of X_pool", lambda m, X, n: X[_least_confident(m, X, n)], "rows"),
            caught(
                "one per class",
                lambda m, X, n: np.argsort(m.predict_proba(X).max(axis=0), kind="stable")[:n],
                "axis 0",
            ),
        ],
    ),
)


# --------------------------------------------------------------------------- Exercise 4.2


def _al_data():
    """A small pool (120 points) and validation set (60) of three overlapping 2-D classes."""
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0], [2.2, 0.3], [1.0, 2.0]])
    labels = np.array(["FCC", "HCP", "Icosahedral"])
    pick = rng.integers(0, 3, size=180)
    X = centres[pick] + rng.normal(scale=0.9, size=(180, 2))
    return X[:120], labels[pick[:120]], X[120:], labels[pick[120:]]


_AL_ARGS = {"n_start": 6, "n_step": 4, "budget": 30}


def _al_model():
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=3, weights="distance")


def _al_reference(
    choose, make_model, F_pool, y_pool, F_val, y_val, seed, n_start=20, n_step=10, budget=150, **mistake
):
    """The loop of Exercise 4.2, right by default, with one typical mistake switched on (to recognise it, and
    as the tests' wrong answers): ``score_on`` "train" or "pool", ``fresh`` generator per pick, ``whole_pool``
    offered, picks left ``unmapped``, ``no_refit``, ``global_rng``, ``python_random``, ``seedless``,
    ``permutation``, ``extra_round``, ``early_stop``."""
    import random

    from sklearn.metrics import balanced_accuracy_score

    on = mistake.get
    rng = np.random.default_rng(None if on("seedless") else seed)
    labelled = rng.choice(len(F_pool), size=n_start, replace=False)
    scores, model = [], None
    while True:
        model = model if on("no_refit") and model else make_model().fit(F_pool[labelled], y_pool[labelled])
        X_score, y_score = {"train": (F_pool[labelled], y_pool[labelled]), "pool": (F_pool, y_pool)}.get(
            on("score_on"), (F_val, y_val)
        )
        scores.append(balanced_accuracy_score(y_score, model.predict(X_score)))
        stop = len(labelled) >= budget - (n_step if on("early_stop") else 0)
        if stop and (not on("extra_round") or len(labelled) > budget):
            return np.array(scores)
        rest = np.arange(len(F_pool)) if on("whole_pool") else np.setdiff1d(np.arange(len(F_pool)), labelled)
        if choose != "random":
            picked = choose(model, F_pool[rest], n_step)
            new = picked if on("unmapped") else rest[picked]
        elif on("global_rng"):
            new = np.random.choice(rest, size=n_step, replace=False)
        elif on("python_random"):
            random.seed(seed)
            new = np.array(random.sample(rest.tolist(), n_step))
        elif on("permutation"):
            new = rng.permutation(rest)[:n_step]
        else:
            new = (np.random.default_rng(seed) if on("fresh") else rng).choice(
                rest, size=n_step, replace=False
            )
        labelled = np.concatenate([labelled, new])


def _al_loop(**mistake):
    return lambda *args, **kwargs: _al_reference(*args, **kwargs, **mistake)


class _SpyRule:
    """Least confidence (Exercise 4.1's rule), remembering what the student's loop hands it each round."""

    def __init__(self):
        self.calls = []  # (number of rows offered, number of training rows of the model, distinct training rows)

    def __call__(self, model, X_rest, n):
        fitted = np.asarray(getattr(model, "_fit_X", np.empty((0, 2))))
        distinct = len(np.unique(fitted, axis=0)) if fitted.size else 0
        self.calls.append((len(X_rest), len(fitted), distinct))
        return np.argsort(model.predict_proba(X_rest).max(axis=1), kind="stable")[:n]


@check("Exercise 4.2")
def check_active_learning_curve(active_learning_curve):
    """Exercise 4.2: ``active_learning_curve(choose, make_model, F_pool, y_pool, F_val, y_val, seed, ...)``
    -> balanced accuracy on the validation set after every round."""
    F_pool, y_pool, F_val, y_val = _al_data()
    n_start, n_step, budget = _AL_ARGS["n_start"], _AL_ARGS["n_step"], _AL_ARGS["budget"]
    rounds = (budget - n_start) // n_step + 1

    def run(choose, seed):
        out = call(
            active_learning_curve, choose, _al_model, F_pool, y_pool, F_val, y_val, seed, **_AL_ARGS,
            returns=f"one balanced accuracy per round, shape ({rounds},)",
            slow_hint="does the loop stop when the number of labelled rows reaches the budget?",
        )  # fmt: skip
        try:
            scores = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            fail(f"return the scores as a list or array of numbers, one per round, got {type(out).__name__}.")
        require(scores.ndim == 1, f"return one score per round (a 1-D array), got shape {scores.shape}.")
        return scores

    seed_hint = (
        "the same seed must give the same curve: make rng = np.random.default_rng(seed) once and draw the "
        "random start and every random choice from it."
    )
    global_hint = "your loop uses NumPy's global random state (np.random.*): draw from rng = np.random.default_rng(seed)."
    spy = _SpyRule()
    with GlobalRandomUse() as global_rng:
        scores = run(spy, 0)
    expected = _al_reference(_SpyRule(), _al_model, F_pool, y_pool, F_val, y_val, 0, **_AL_ARGS)
    require(
        len(scores) == rounds,
        f"with n_start={n_start}, n_step={n_step} and budget={budget} there are {rounds} rounds (a score at "
        f"{n_start}, {n_start + n_step}, ..., {budget} labels, the start included); you returned {len(scores)} "
        "scores. Check when the loop stops: score first, then stop once the budget is reached.",
    )
    require(not global_rng.used, global_random_hint(global_rng, global_hint))
    require(np.allclose(run(_SpyRule(), 0), scores), seed_hint)
    offered = [c[0] for c in spy.calls]
    require(
        not (offered and offered[-1] == len(F_pool)),
        "your loop hands the whole pool to the selection rule, labelled rows included; give it only the "
        "rows not labelled yet (e.g. rest = np.setdiff1d(np.arange(len(F_pool)), labelled)).",
    )
    trained = [c[1] for c in spy.calls]
    require(
        len(set(trained)) == len(trained),
        "the model the rule sees has the same number of training rows every round: train a new model on "
        "the labelled rows in every round, after adding the new ones.",
    )
    require(
        all(c[1] == c[2] for c in spy.calls),
        "some rows were labelled twice: the rule returns positions within the rows you gave it (the "
        "unlabelled rest), so map them back to pool indices with rest[...] before adding them.",
    )
    if not np.allclose(scores, expected):
        for where, hint in (
            (
                "train",
                "these are accuracies on the labelled training rows; score on the validation set (F_val, y_val).",
            ),
            ("pool", "these are accuracies on the whole pool; score on the validation set (F_val, y_val)."),
        ):
            wrong = _al_reference(
                _SpyRule(), _al_model, F_pool, y_pool, F_val, y_val, 0, **_AL_ARGS, score_on=where
            )
            require(not np.allclose(scores, wrong), hint)
        fail(
            "the scores differ from the reference loop: start from rng.choice(len(F_pool), size=n_start, "
            "replace=False); each round fit make_model() on the labelled rows, append its balanced accuracy "
            "on the validation set, stop at the budget, then add the n_step rows the rule picks."
        )
    with GlobalRandomUse() as global_rng:
        random0 = run("random", 0)
    require(not global_rng.used, global_random_hint(global_rng, global_hint))
    require(np.allclose(run("random", 0), random0), seed_hint)
    require(
        not np.allclose(
            random0,
            _al_reference("random", _al_model, F_pool, y_pool, F_val, y_val, 0, **_AL_ARGS, fresh=True),
        ),
        "every round makes a fresh generator from the seed, so every round draws the same random numbers again: "
        "make rng = np.random.default_rng(seed) once, before the loop, and draw everything from it.",
    )
    require(
        np.allclose(random0, _al_reference("random", _al_model, F_pool, y_pool, F_val, y_val, 0, **_AL_ARGS)),
        'with choose="random" draw the new rows with rng.choice(rest, size=n_step, replace=False) from the '
        "rows not labelled yet (rng: the generator made from seed).",
    )
    require(
        not np.allclose(run("random", 1), random0),
        "another seed gives the same random curve: draw every random number from rng = np.random.default_rng(seed).",
    )
    return f"{rounds} rounds from {n_start} to {budget} labels, the same curve as the reference for rule and seed."


known(
    check_active_learning_curve,
    right=[_al_loop()],
    mistakes=[
        caught("labelled training rows; score on the validation set", _al_loop(score_on="train"), "train"),
        caught("whole pool; score on the validation set", _al_loop(score_on="pool"), "pool"),
        caught("hands the whole pool to the selection rule", _al_loop(whole_pool=True), "whole pool"),
        caught("map them back to pool indices with rest[...]", _al_loop(unmapped=True), "unmapped"),
        caught("train a new model on the labelled rows in every round", _al_loop(no_refit=True), "no refit"),
        caught("global random state", _al_loop(global_rng=True), "np.random"),
        caught("the same seed must give the same curve", _al_loop(seedless=True), "seedless"),
        caught("rng.choice(rest, size=n_step, replace=False)", _al_loop(permutation=True), "permutation"),
        caught("a fresh generator from the seed", _al_loop(fresh=True), "fresh generator"),
        caught("Python's random module", _al_loop(python_random=True), "random.seed"),
        caught("rounds", _al_loop(early_stop=True), "one round short"),
        caught("rounds", _al_loop(extra_round=True), "one round more"),
        caught("shape", lambda *args, **kwargs: 0.5, "one number"),
    ],
)


def _old_data(n: int = 60, *, by_class: bool = True, index_offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Old examples; sorted by class (20 SC, then 20 FCC, then 20 BCC), as stored data often are, so that
    a 'random' subset that is really the first rows, or one contiguous block, holds one class only.
    Column 0 is the row number (plus ``index_offset``), so the check can see which rows were drawn."""
    X = np.column_stack(
        [np.arange(n, dtype=float) + index_offset, np.linspace(-1, 1, n), np.cos(np.arange(n))]
    )
    names = np.array(["SC", "FCC", "BCC"])
    y = names[np.arange(n) * 3 // n] if by_class else names[np.arange(n) % 3]
    return X, y


def _replay_reference(X_old, y_old, size, seed):
    idx = np.random.default_rng(seed).choice(len(X_old), size=size, replace=False)
    return X_old[idx], y_old[idx]


def _rows(X, y, idx):
    return X[idx], y[idx]


def _contiguous_block(X, y, size, seed):
    start = int(np.random.default_rng(seed).integers(len(X) - size))
    return X[start : start + size], y[start : start + size]


def _python_random(X, y, size, seed):
    import random

    random.seed(seed)
    return _rows(X, y, np.array(random.sample(range(len(X)), size)))


def _shuffles_in_place(X, y, size, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    X[:], y[:] = X[order], y[order]  # changes the caller's X_old and y_old
    return X[:size], y[:size]


def _buffer(got, case: Case):
    """The contract of 4.3: a pair of arrays, rows of X_old unchanged, y with them, no row twice."""
    X_old, y_old, size, _ = case.args
    pair = expect_pair(
        got, "return two things, X_buf and y_buf (e.g. `return X_old[idx], y_old[idx]`); got {got}."
    )
    X_buf, y_buf = (np.asarray(a) for a in pair)
    require(
        X_buf.shape == (size, X_old.shape[1]) and y_buf.shape == (size,),
        f"with size={size} and X_old of shape {X_old.shape} expected shapes ({size}, {X_old.shape[1]}) and "
        f"({size},), got {X_buf.shape} and {y_buf.shape}.",
    )
    rows = X_buf[:, 0] - X_old[0, 0]
    require(
        np.all(np.isin(rows, np.arange(len(X_old)))) and np.allclose(X_buf, X_old[rows.astype(int)]),
        "the buffer must hold rows of X_old, unchanged.",
    )
    require(
        np.array_equal(y_buf, y_old[rows.astype(int)]),
        "y_buf does not match X_buf: pick the same indices for X and y.",
    )
    require(
        len(set(rows.tolist())) == size, "some rows appear twice: sample without replacement (replace=False)."
    )
    rows = rows.astype(int)
    require(
        not set(rows.tolist()) <= set(range(size)),
        "these are just the first rows (maybe shuffled); draw a random sample of all the rows (e.g. rng.choice).",
    )
    require(
        not np.array_equal(np.sort(rows), np.arange(rows.min(), rows.min() + size)),
        "your buffer is one contiguous block of rows; on data stored by class (as here) that is one class "
        "only: draw the rows at random from all of X_old (rng.choice(len(X_old), size, replace=False)).",
    )
    return X_buf, y_buf


REPLAY = register(
    "check_replay_buffer",
    Spec(
        exercise="Exercise 4.3",
        reference=_replay_reference,
        cases=lambda: [Case(*_old_data(), 12, 0, about="old data sorted by class")],
        returns="(X_buf of shape (12, 3), y_buf of shape (12,))",
        contract=_buffer,
        changed_hint="your function changed X_old or y_old (rng.shuffle shuffles in place): draw "
        "indices and index with them, leaving the old data as they were.",
        otherwise="not a random sample of the rows of X_old.",
        probes=[
            Seeded(
                same="the same seed must give the same buffer: use np.random.default_rng(seed).",
                other="a different seed gives the same buffer: does your function use `seed`?",
                global_state="your function changes {which}: draw "
                "from rng = np.random.default_rng(seed) instead.",
            )
        ],
        same=lambda a, b: True,  # any sample the contract accepts is right: the seed probes do the rest
        success="a random, reproducible sample of old examples, X and y kept together.",
        mistakes=[
            caught(
                "these are just the first rows (maybe shuffled)",
                lambda X, y, size, seed: _rows(X, y, np.random.default_rng(seed).permutation(size)),
                "first rows, shuffled",
            ),
            caught("one contiguous block of rows", _contiguous_block, "contiguous block"),
            caught(
                "global random state",
                lambda X, y, size, seed: _rows(X, y, np.random.choice(len(X), size, replace=False)),
                "numpy global",
            ),
            caught("Python's global random state", _python_random, "python random.seed"),
            caught(
                "does your function use `seed`",
                lambda X, y, size, seed: _replay_reference(X, y, size, 0),
                "seed ignored",
            ),
            caught("same seed", lambda X, y, size, seed: _replay_reference(X, y, size, None), "unseeded"),
            caught(
                "sample without replacement",
                lambda X, y, size, seed: _rows(X, y, np.random.default_rng(seed).choice(len(X), size)),
                "with replacement",
            ),
            caught(
                "y_buf does not match X_buf",
                lambda X, y, size, seed: (
                    _replay_reference(X, y, size, seed)[0],
                    _replay_reference(X, y, size, seed + 7)[1],
                ),
                "X and y apart",
            ),
            caught(
                "return two things", lambda X, y, size, seed: _replay_reference(X, y, size, seed)[0], "X only"
            ),
            caught(
                "these are just the first rows", lambda X, y, size, seed: (X[:size], y[:size]), "first rows"
            ),
            caught(
                "the buffer must hold rows of X_old, unchanged",
                lambda X, y, size, seed: (
                    2 * _replay_reference(X, y, size, seed)[0],
                    _replay_reference(X, y, size, seed)[1],
                ),
                "rows changed",
            ),
            caught("shuffles in place", _shuffles_in_place, "in-place shuffle"),
            caught(
                "expected shapes",
                lambda X, y, size, seed: _replay_reference(X, y, size - 1, seed),
                "one short",
            ),
        ],
        alternatives=[
            lambda X, y, size, seed: _rows(X, y, np.random.default_rng(seed).permutation(len(X))[:size]),
        ],
    ),
)
check_replay_buffer = REPLAY


# --------------------------------------------------------------------------- Exercise 4.4

_ENTROPY_ROWS = np.array(
    [
        [0.25, 0.25, 0.25, 0.25],  # ln 4
        [1.0, 0.0, 0.0, 0.0],  # 0
        [0.5, 0.5, 0.0, 0.0],  # ln 2
        [0.7, 0.1, 0.1, 0.1],
        [0.9, 0.05, 0.05, 0.0],  # five rows, four classes: a sum over the wrong axis has the wrong shape
    ]
)


def _entropy(proba):
    p = np.clip(proba, 1e-300, 1.0)
    return -np.sum(np.where(proba > 0, proba * np.log(p), 0.0), axis=1)


def _entropy_contract(h, case: Case):
    (proba,) = case.args
    n, k = proba.shape
    h = expect_array(
        h, "the entropy", hint=f"return a 1-D array of numbers, one per row, got {type(h).__name__}."
    )
    require(
        h.shape != (k,),
        f"you returned {k} values, one per class: sum over the classes of each row (axis=1), not over the rows.",
    )
    require(h.shape == (n,), f"expected one entropy per row, shape ({n},), got shape {h.shape}.")
    require(
        not np.any(np.isnan(h)),
        "NaN for rows with a zero probability: count 0·log(0) as 0 (e.g. np.clip p first).",
    )
    return h


_ZERO_ROWS = (
    "right for the rows without a zero probability, wrong for the rows with one: a zero probability adds "
    "nothing to the sum (0·log 0 counts as 0), it must not change or wipe out the other terms."
)


def _entropy_otherwise(case: Case, h) -> str:
    (proba,) = case.args
    wrong_rows = ~np.isclose(h, _entropy(proba), atol=1e-6)
    with_zero = (proba == 0).any(axis=1)
    if np.array_equal(wrong_rows, with_zero):
        return _ZERO_ROWS
    return "not -Σ p·log(p) per row: a uniform row over 4 classes should give ln 4 ≈ 1.386."


def _entropy_with_nan(proba):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(proba * np.log(proba), axis=1)


def _clipping_in_place(proba):
    proba[proba == 0] = 1e-12  # changes the caller's array
    return -np.sum(proba * np.log(proba), axis=1)


def _scipy_default_axis(proba):
    from scipy.stats import entropy

    return entropy(proba)  # axis=0 by default: one value per class


def _scipy_rows(proba):
    from scipy.stats import entropy

    return entropy(proba, axis=1)


def _nan_to_num_after_sum(proba):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(-np.sum(proba * np.log(proba), axis=1))


check_predictive_entropy = register(
    "check_predictive_entropy",
    Spec(
        exercise="Exercise 4.4",
        reference=_entropy,
        cases=lambda: [Case(_ENTROPY_ROWS.copy())],
        returns="one entropy per row, shape (5,)",
        contract=_entropy_contract,
        same=lambda a, b: allclose(a, b, atol=1e-6),
        changed_hint="your function changed the proba array it was given (e.g. proba[proba == 0] = ...): "
        "compute with a clipped copy, np.clip(proba, 1e-12, 1.0).",
        otherwise=_entropy_otherwise,
        success="0 for a certain prediction, ln(K) for a uniform one.",
        mistakes=[
            Mistake(
                "these are bits (log base 2); use the natural log (np.log) to get nats.",
                lambda p: _entropy(p) / np.log(2),
                "log2",
            ),
            Mistake(
                "these use log base 10; use the natural log (np.log) to get nats.",
                lambda p: _entropy(p) / np.log(10),
                "log10",
            ),
            Mistake(
                "the sign is wrong: entropy is minus the sum of p·log(p), so it is never negative.",
                lambda p: -_entropy(p),
                "sign",
            ),
            Mistake(
                "these are the means over the classes; the entropy is the sum over the classes.",
                lambda p: _entropy(p) / p.shape[1],
                "mean",
            ),
            caught("one per class", lambda p: -np.sum(p * np.log(np.clip(p, 1e-12, 1)), axis=0), "axis 0"),
            caught("NaN for rows with a zero probability", _entropy_with_nan, "0 log 0"),
            Mistake(_ZERO_ROWS, _nan_to_num_after_sum, "nan_to_num after the sum"),
            caught(
                "a uniform row over 4 classes should give ln 4", lambda p: -np.sum(p * p, axis=1), "other"
            ),
            caught(
                "a uniform row over 4 classes should give ln 4", lambda p: 1 - p.max(axis=1), "not entropy"
            ),
            caught("shape (5,)", lambda p: _entropy(p).sum(), "one number"),
            caught("changed the proba", _clipping_in_place, "clipped in place"),
            caught("one per class", _scipy_default_axis, "scipy.stats.entropy, axis 0"),
        ],
        alternatives=[lambda p: -np.sum(p * np.log(np.clip(p, 1e-12, 1.0)), axis=1), _scipy_rows],
    ),
)


# --------------------------------------------------------------------------- Exercise 4.5


def _fit_curves() -> tuple[np.ndarray, np.ndarray]:
    """A PDF-like model curve and 'data': 3.2 times it, plus a smooth misfit, so that only least squares
    gives the right scale (the ratio of the peaks does not)."""
    r = np.linspace(1.5, 20.0, 371)
    model = np.exp(-0.12 * r) * np.sin(2.3 * r) * (1 + 0.3 * np.cos(0.7 * r)) - 0.2 * r * np.exp(-0.2 * r)
    data = 3.2 * model + 0.35 * np.sin(0.9 * r) * np.exp(-0.1 * r)
    return data, model


def _ls(o, m):
    return float(o @ m / (m @ m))


def _rw(o, calc):
    return float(np.sqrt(np.sum((o - calc) ** 2) / np.sum(o**2)))


def _scale_rw(o, m):
    return _ls(o, m), _rw(o, _ls(o, m) * m)


def _scale_rw_contract(out, case: Case):
    scale, rw = expect_pair(out, "return two numbers, `return scale, rw`; got {got}.")
    scale = expect_number(scale, "scale", hint="the scale should be a number, got {got}.")
    rw = expect_number(rw, "rw", hint="Rw should be a number, got {got}.")
    return scale, rw


def _same_scale(a, b) -> bool:
    return abs(a[0] - b[0]) <= 1e-9 * max(abs(b[0]), 1e-300)


def _scale_rw_same(a, b) -> bool:
    return abs(a[0] - b[0]) <= 1e-6 * abs(b[0]) and abs(a[1] - b[1]) < 1e-6


_NOT_LEAST_SQUARES = (
    "your scale does not make the squared difference Σ(Gobs − s·Gmodel)² smallest: set its derivative "
    "with respect to s to zero and solve for s."
)


def _scale_otherwise(case: Case, got) -> str:
    o, m = case.args
    if abs(got[0] - _ls(o, m)) > 1e-6 * abs(_ls(o, m)):
        return _NOT_LEAST_SQUARES
    return "not √(Σ(Gobs − s·Gmodel)² / Σ Gobs²)."


check_scale_and_rw = register(
    "check_scale_and_rw",
    Spec(
        exercise="Exercise 4.5",
        reference=_scale_rw,
        cases=lambda: [
            Case(*_fit_curves()),
            Case(2.0 * _fit_curves()[0], _fit_curves()[1], about="data doubled"),
        ],
        returns="a pair (scale, rw) of numbers",
        contract=_scale_rw_contract,
        same=_scale_rw_same,
        otherwise=_scale_otherwise,
        success="scale {:.3f} by least squares, Rw {:.3f}; doubling the data doubles the scale only.".format(
            *_scale_rw(*_fit_curves())
        ),
        mistakes=[
            Mistake(
                "you returned (rw, scale); the order is (scale, rw).",
                lambda o, m: _scale_rw(o, m)[::-1],
                "order",
            ),
            Mistake(
                "the scale is 1: fit it, the data come on an arbitrary scale.",
                lambda o, m: (1.0, _rw(o, m)),
                "no scale",
                same=_same_scale,
            ),
            Mistake(
                "that is the ratio of the highest points; the best scale makes Σ(Gobs - s·Gmodel)² smallest: set its "
                "derivative with respect to s to zero.",
                lambda o, m: (float(o.max() / m.max()), _rw(o, o.max() / m.max() * m)),
                "peak ratio",
                same=_same_scale,
            ),
            Mistake(
                "that is the ratio of the highest points; the best scale makes Σ(Gobs - s·Gmodel)² smallest: set its "
                "derivative with respect to s to zero.",
                lambda o, m: (
                    float(np.abs(o).max() / np.abs(m).max()),
                    _rw(o, np.abs(o).max() / np.abs(m).max() * m),
                ),
                "|peak| ratio",
                same=_same_scale,
            ),
            Mistake(
                "your scale fits the data to the model (Gmodel ≈ s·Gobs); scale the model to the data, not the "
                "data to the model.",
                lambda o, m: (_ls(m, o), _rw(o, _ls(m, o) * m)),
                "model fitted to data",
                same=_same_scale,
            ),
            Mistake(
                "that is Rw²: take the square root.",
                lambda o, m: (_ls(o, m), _rw(o, _ls(o, m) * m) ** 2),
                "Rw²",
            ),
            Mistake(
                "Rw divides by Σ Gobs², the data, not by the squared model.",
                lambda o, m: (
                    _ls(o, m),
                    float(np.sqrt(np.sum((o - _ls(o, m) * m) ** 2) / np.sum((_ls(o, m) * m) ** 2))),
                ),
                "model in the denominator",
            ),
            Mistake(
                "that uses absolute values; Rw is built from squares: √(Σ(Gobs − Gcalc)² / Σ Gobs²).",
                lambda o, m: (_ls(o, m), float(np.sum(np.abs(o - _ls(o, m) * m)) / np.sum(np.abs(o)))),
                "absolute values",
            ),
            Mistake(
                "your Rw compares the data with the unscaled model; use the scaled one, scale · g_model.",
                lambda o, m: (_ls(o, m), _rw(o, m)),
                "unscaled model in Rw",
            ),
            Mistake(
                _NOT_LEAST_SQUARES,
                lambda o, m: (float(np.mean(o / np.where(m == 0, 1, m))), _rw(o, m)),
                "mean of the ratios",
                same=_same_scale,
            ),
            caught(
                "not √(Σ(Gobs − s·Gmodel)² / Σ Gobs²)",
                lambda o, m: (_ls(o, m), 1 - _rw(o, _ls(o, m) * m)),
                "1 − Rw",
            ),
            caught("return two numbers", _ls, "scale only"),
            caught("should be a number", lambda o, m: ("3.1", 0.1), "a string"),
        ],
        alternatives=[
            lambda o, m: (_ls(o, m), float(np.sqrt(np.mean((o - _ls(o, m) * m) ** 2) / np.mean(o**2)))),
        ],
    ),
)


# --------------------------------------------------------------------------- Exercise 4.6


def _centroids(
    Z_support, y_support, Z_query, *, centre=np.mean, distance="euclidean", farthest=False, labels=None
):
    """Labels of the nearest (or farthest) class centre; ``labels`` (a function of y) pairs the centres with
    labels in another order (the set-order mistake)."""
    classes = np.unique(y_support)
    centres = np.stack([centre(Z_support[y_support == c], axis=0) for c in classes])
    diff = Z_query[:, None, :] - centres[None, :, :]
    if distance == "euclidean":
        d = np.linalg.norm(diff, axis=2)
    elif distance == "manhattan":
        d = np.abs(diff).sum(axis=2)
    else:  # cosine similarity, largest = nearest
        d = -(Z_query @ centres.T) / np.outer(
            np.linalg.norm(Z_query, axis=1), np.linalg.norm(centres, axis=1)
        )
    pick = np.argmax(d, axis=1) if farthest else np.argmin(d, axis=1)
    return (classes if labels is None else labels(y_support))[pick]


def _set_order(y):
    """The classes in set() order, when that differs from sorted order (else reversed, so that the mistake
    is a mistake on every case and under every PYTHONHASHSEED)."""
    order = np.array(list(set(y.tolist())), dtype=y.dtype)
    return order if not np.array_equal(order, np.unique(y)) else order[::-1]


def _label_contract(pred, case: Case):
    _, y_support, Z_query = case.args
    pred = np.asarray(pred)
    require(
        pred.shape == (len(Z_query),),
        f"expected one label per query row, shape ({len(Z_query)},), got shape {pred.shape}.",
    )
    labels = set(np.unique(y_support).tolist())
    values = set(pred.tolist())
    if not values <= labels:
        require(
            not values <= set(range(len(labels))),
            f"return the class labels themselves (here {', '.join(map(repr, sorted(labels)))}), not their positions.",
        )
        fail(f"your labels {sorted(values - labels)} are not labels of y_support.")
    return pred


def _prototype_cases():
    # Class "A": one example near the query at (2.2, 0) but a centroid far away; class "B" compact.
    # The last query is nearer to A's mean than to B's, but nearer to B's than to A's median.
    Z = np.array([[2.0, 0.0], [-6.0, 0.0], [-6.0, 1.0], [4.0, 0.0], [4.0, 0.5], [4.0, -0.5]])
    y = np.array(["A", "A", "A", "B", "B", "B"])
    Q = np.array([[2.2, 0.0], [-5.0, 0.0], [5.0, 0.2], [-1.0, 2.0], [-0.3, 1.1]])
    order = np.array([3, 0, 4, 1, 5, 2])
    # C's mean is (2, 0), D's (1.2, 1.2): from the origin D is nearer in a straight line (1.70 against
    # 2.00), C along the axes (2.0 against 2.4).
    Z2 = np.array([[1.5, 0.0], [2.5, 0.0], [1.2, 0.7], [1.2, 1.7]])
    y2, Q2 = np.array(["C", "C", "D", "D"]), np.array([[0.0, 0.0], [3.0, 0.0]])
    # Three classes of unequal sizes (4, 2, 1) with integer labels 8, 1, 17, whose set() order (8, 1, 17)
    # is not the sorted one, whatever PYTHONHASHSEED: centres paired with labels in another order, class
    # sums instead of means and cosine similarity all give other labels than the nearest mean.
    Z3 = np.array([[0.0, 4.0], [0.5, 4.5], [-0.5, 3.5], [0.0, 4.2], [5.0, 0.0], [5.4, 0.4], [-4.0, -4.0]])
    y3 = np.array([8, 8, 8, 8, 1, 1, 17])
    Q3 = np.array([[0.2, 3.0], [4.0, 1.0], [-3.0, -2.5], [1.0, 0.5], [3.0, 3.0]])
    return [
        Case(Z3, y3, Q3, about="unequal class sizes, labels whose set order is not sorted"),
        Case(Z, y, Q, about="a single example near a query, its class mean far"),
        Case(Z[order], y[order], Q, about="class B listed first"),
        Case(Z2, y2, Q2, about="Euclidean and Manhattan distances disagree"),
    ]


def _relabelled(got, other) -> bool:
    """``got`` is ``other`` up to exchanged labels (centres paired with labels in some order of their own)."""
    pairs = set(zip(np.asarray(other).tolist(), np.asarray(got).tolist()))
    mapping = dict(pairs)
    return len(mapping) == len(pairs) == len(set(mapping.values()))


def _first_example_wins(Zs, ys, Zq):
    """1-nearest neighbour: the label of the closest single example."""
    d = np.linalg.norm(Zq[:, None, :] - Zs[None, :, :], axis=2)
    return ys[np.argmin(d, axis=1)]


def _squared_euclidean(Zs, ys, Zq):
    classes = np.unique(ys)
    centres = np.stack([Zs[ys == c].mean(axis=0) for c in classes])
    return classes[np.argmin(((Zq[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)]


def _distances_over_the_wrong_axis(Zs, ys, Zq):
    classes = np.unique(ys)
    centres = np.stack([Zs[ys == c].mean(axis=0) for c in classes])
    return classes[np.argmin(np.linalg.norm(Zq[:, None, :] - centres[None, :, :], axis=1), axis=0)]


def _prototype_otherwise(case: Case, pred) -> str:
    return "not the nearest class mean: average Z_support per class, then take the closest mean (Euclidean distance)."


check_nearest_centroid_predict = register(
    "check_nearest_centroid_predict",
    Spec(
        exercise="Exercise 4.6",
        reference=_centroids,
        cases=_prototype_cases,
        returns="one label per query row",
        contract=_label_contract,
        same=lambda a, b: np.array_equal(a, b),
        otherwise=_prototype_otherwise,
        success="each query gets the label of the closest class mean (prototype).",
        mistakes=[
            Mistake(
                "you picked the farthest prototype: take the smallest distance (argmin).",
                lambda Zs, ys, Zq: _centroids(Zs, ys, Zq, farthest=True),
                "farthest",
            ),
            Mistake(
                "your prototypes are the class medians; a prototype is the mean of each class (axis=0).",
                lambda Zs, ys, Zq: _centroids(Zs, ys, Zq, centre=np.median),
                "median",
            ),
            Mistake(
                "your prototypes are the class sums; a prototype is the mean of each class (axis=0), which "
                "does not grow with the number of examples.",
                lambda Zs, ys, Zq: _centroids(Zs, ys, Zq, centre=np.sum),
                "sum",
            ),
            Mistake(
                "compare with the class means (prototypes), not with individual examples.",
                _first_example_wins,
                "nearest example",
            ),
            Mistake(
                "your centres and your labels come in different orders (e.g. set() for one, np.unique for the "
                "other; set order is arbitrary): make sure each centroid is paired with its own label.",
                lambda Zs, ys, Zq: _centroids(Zs, ys, Zq, labels=_set_order),
                "set order",
                same=_relabelled,
            ),
            Mistake(
                "that is the Manhattan distance (the sum of |differences|); use the Euclidean distance, "
                "the square root of the sum of squared differences (np.linalg.norm).",
                lambda Zs, ys, Zq: _centroids(Zs, ys, Zq, distance="manhattan"),
                "manhattan",
            ),
            Mistake(
                "that is the cosine similarity (the angle between the vectors, not how far apart they are); "
                "use the Euclidean distance, the square root of the sum of squared differences (np.linalg.norm).",
                lambda Zs, ys, Zq: _centroids(Zs, ys, Zq, distance="cosine"),
                "cosine",
            ),
            caught(
                "not their positions",
                lambda Zs, ys, Zq: np.argmin(
                    np.linalg.norm(
                        Zq[:, None] - np.stack([Zs[ys == c].mean(0) for c in np.unique(ys)])[None], axis=2
                    ),
                    axis=1,
                ),
                "positions",
            ),
            caught("one label per query row", lambda Zs, ys, Zq: _centroids(Zs, ys, Zq)[:-1], "one short"),
            caught(
                "not the nearest class mean", lambda Zs, ys, Zq: np.full(len(Zq), ys[-1]), "one label for all"
            ),
            caught("one label per query row", _distances_over_the_wrong_axis, "argmin over the queries"),
        ],
        alternatives=[_squared_euclidean],
    ),
)


# --------------------------------------------------------------------------- quiz

register_quiz(load_quiz(4))  # the questions' answers and whys: quizzes/session4.toml
