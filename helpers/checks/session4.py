"""Self-checks for session 4, recent trends: active and continual learning, uncertainty, few-shot (4.1-4.4, quiz)."""

from __future__ import annotations

import numpy as np

from helpers.checks._core import (
    GlobalRandomUse,
    Question,
    Quiz,
    call,
    check,
    expect_array,
    expect_pair,
    fail,
    register_quiz,
    require,
)

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


@check("Exercise 4.1")
def check_uncertainty_sampling(uncertainty_sampling):
    """Exercise 4.1: ``uncertainty_sampling(model, X_pool, n)`` -> indices of the n least-confident rows."""
    model = _FixedProbaModel(_AL_PROBA)
    X_pool = np.arange(16.0).reshape(8, 2)
    returns = "{n} row indices, shape ({n},)"
    idx = _indices(call(uncertainty_sampling, model, X_pool, 3, returns=returns.format(n=3)), X_pool, 3, 3)
    chosen = set(idx.tolist())
    if chosen != {4, 1, 6}:
        more = np.asarray(call(uncertainty_sampling, model, X_pool, 5, returns=returns.format(n=5)))
        require(
            more.shape != (3,),
            "with n=5 you return 3 indices, one per class: take the largest probability of each row "
            "(axis=1), not of each class.",
        )
        fail(_sampling_hint(chosen, _AL_PROBA, 3))
    one = np.asarray(call(uncertainty_sampling, model, X_pool, 1, returns=returns.format(n=1))).ravel()
    require(
        one.shape == (1,) and int(one[0]) == 4, "with n=1 it should return the single least-confident point."
    )
    tied = _FixedProbaModel(_TIED_PROBA)
    X_tied = np.arange(40.0).reshape(20, 2)
    idx = _indices(call(uncertainty_sampling, tied, X_tied, 7, returns=returns.format(n=7)), X_tied, 7, 3)
    expected = _least_confident(tied, X_tied, 7)
    if set(idx.tolist()) != set(expected.tolist()):
        require(
            sorted(_TIED_CONFIDENCE[idx]) != sorted(_TIED_CONFIDENCE[expected]),
            "several rows have the same confidence where the n lowest end, and you broke the tie "
            'differently: sort with np.argsort(..., kind="stable"), so the lower index comes first, '
            "the same on every computer.",
        )
        fail(_sampling_hint(set(idx.tolist()), _TIED_PROBA, 7))
    real, X_real = _real_model()
    idx = _indices(call(uncertainty_sampling, real, X_real, 5, returns=returns.format(n=5)), X_real, 5, 2)
    require(
        set(idx.tolist()) == set(_least_confident(real, X_real, 5).tolist()),
        "right with the check's fixed probabilities, but not with a fitted LogisticRegression: use "
        "model.predict_proba(X_pool) and no other attribute of the model.",
    )
    return "you pick the points whose most likely class has the lowest probability."


def _real_model():
    """A fitted scikit-learn classifier and a pool of 30 points around its decision boundary."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    model = LogisticRegression().fit(X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int))
    return model, rng.normal(size=(30, 2))


# --------------------------------------------------------------------------- Exercise 4.2


def _old_data() -> tuple[np.ndarray, np.ndarray]:
    n = 60
    X = np.column_stack([np.arange(n, dtype=float), np.linspace(-1, 1, n), np.cos(np.arange(n))])
    y = np.array(["SC", "FCC", "BCC"])[np.arange(n) % 3]
    return X, y


@check("Exercise 4.2")
def check_replay_buffer(replay_buffer):
    """Exercise 4.2: ``replay_buffer(X_old, y_old, size, seed)`` -> (X_buf, y_buf), a random subsample."""
    X_old, y_old = _old_data()

    def run(seed):
        out = call(
            replay_buffer,
            X_old,
            y_old,
            12,
            seed,
            returns="(X_buf of shape (12, 3), y_buf of shape (12,))",
            changed_hint="your function changed X_old or y_old (rng.shuffle shuffles in place): draw "
            "indices and index with them, leaving the old data as they were.",
        )
        pair = expect_pair(
            out, "return two things, X_buf and y_buf (e.g. `return X_old[idx], y_old[idx]`); got {got}."
        )
        return tuple(np.asarray(a) for a in pair)

    with GlobalRandomUse() as global_rng:
        X_buf, y_buf = run(0)
    require(
        X_buf.shape == (12, 3) and y_buf.shape == (12,),
        f"with size=12 and X_old of shape {X_old.shape} expected shapes (12, 3) and (12,), "
        f"got {X_buf.shape} and {y_buf.shape}.",
    )
    rows = X_buf[:, 0]
    require(
        np.all(np.isin(rows, X_old[:, 0])) and np.allclose(X_buf, X_old[rows.astype(int)]),
        "the buffer must hold rows of X_old, unchanged.",
    )
    require(
        np.array_equal(y_buf, y_old[rows.astype(int)]),
        "y_buf does not match X_buf: pick the same indices for X and y.",
    )
    require(
        len(set(rows.tolist())) == 12, "some rows appear twice: sample without replacement (replace=False)."
    )
    require(
        not np.array_equal(rows, np.arange(12)),
        "these are just the first rows; draw a random sample (e.g. rng.choice).",
    )
    require(
        np.array_equal(run(0)[0], X_buf),
        "the same seed must give the same buffer: use np.random.default_rng(seed).",
    )
    require(
        not np.array_equal(run(1)[0], X_buf),
        "a different seed gives the same buffer: does your function use `seed`?",
    )
    require(
        not global_rng.used,
        "your function changes NumPy's global random state (np.random.seed or np.random.*): draw "
        "from rng = np.random.default_rng(seed) instead.",
    )
    return "a random, reproducible sample of old examples, X and y kept together."


# --------------------------------------------------------------------------- Exercise 4.3


@check("Exercise 4.3")
def check_predictive_entropy(predictive_entropy):
    """Exercise 4.3: ``predictive_entropy(proba)`` -> entropy (nats) of each row of class probabilities."""
    proba = np.array(
        [
            [0.25, 0.25, 0.25, 0.25],  # ln 4
            [1.0, 0.0, 0.0, 0.0],  # 0
            [0.5, 0.5, 0.0, 0.0],  # ln 2
            [0.7, 0.1, 0.1, 0.1],
            [0.9, 0.05, 0.05, 0.0],  # five rows, four classes: a sum over the wrong axis has the wrong shape
        ]
    )
    n, k = proba.shape
    expected = -np.array([np.sum(p[p > 0] * np.log(p[p > 0])) for p in proba])
    h = call(
        predictive_entropy,
        proba,
        returns=f"one entropy per row, shape ({n},)",
        changed_hint="your function changed the proba array it was given (e.g. proba[proba == 0] = ...): "
        "compute with a clipped copy, np.clip(proba, 1e-12, 1.0).",
    )
    h = expect_array(
        h, "the entropy", hint=f"return a 1-D array of numbers, one per row, got {type(h).__name__}."
    )
    require(
        h.shape != (k,),
        f"you returned {k} values, one per class: sum over the classes of each row (axis=1), not over "
        "the rows.",
    )
    require(h.shape == (n,), f"expected one entropy per row, shape ({n},), got shape {h.shape}.")
    require(
        not np.any(np.isnan(h)),
        "NaN for rows with a zero probability: count 0·log(0) as 0 (e.g. np.clip p first).",
    )
    require(
        not np.allclose(h, expected / np.log(2), atol=1e-6),
        "these are bits (log base 2); use the natural log (np.log) to get nats.",
    )
    require(
        not np.allclose(h, expected / np.log(10), atol=1e-6),
        "these use log base 10; use the natural log (np.log) to get nats.",
    )
    require(
        not np.allclose(h, -expected, atol=1e-6),
        "the sign is wrong: entropy is minus the sum of p·log(p), so it is never negative.",
    )
    require(
        not np.allclose(h, expected / k, atol=1e-6),
        "these are the means over the classes; the entropy is the sum over the classes.",
    )
    require(
        np.allclose(h, expected, atol=1e-6),
        "not -Σ p·log(p) per row: a uniform row over 4 classes should give ln 4 ≈ 1.386.",
    )
    return "0 for a certain prediction, ln(K) for a uniform one."


# --------------------------------------------------------------------------- Exercise 4.4


def _nearest(Z_support, y_support, Z_query, *, centre=np.mean, ord=2, farthest=False) -> np.ndarray:
    """Labels of the nearest (or farthest) class centre, with the given centre and norm."""
    classes = np.unique(y_support)
    centres = np.stack([centre(Z_support[y_support == c], axis=0) for c in classes])
    d = np.linalg.norm(Z_query[:, None, :] - centres[None, :, :], ord=ord, axis=2)
    return classes[np.argmax(d, axis=1) if farthest else np.argmin(d, axis=1)]


def _prototype_predictions(fn, Z_support, y_support, Z_query) -> np.ndarray:
    pred = call(
        fn, Z_support, y_support, Z_query, returns=f"one label per query row, shape ({len(Z_query)},)"
    )
    pred = np.asarray(pred)
    require(
        pred.shape == (len(Z_query),),
        f"expected one label per query row, shape ({len(Z_query)},), got shape {pred.shape}.",
    )
    require(
        not np.issubdtype(pred.dtype, np.number),
        "return the class labels themselves (here 'A' or 'B'), not their positions.",
    )
    return pred


@check("Exercise 4.4")
def check_nearest_centroid_predict(nearest_centroid_predict):
    """Exercise 4.4: ``nearest_centroid_predict(Z_support, y_support, Z_query)`` -> predicted labels."""
    # Class "A": one example near the query at (2.2, 0) but a centroid far away; class "B" compact.
    # The last query is nearer to A's mean than to B's, but nearer to B's than to A's median.
    Z_support = np.array([[2.0, 0.0], [-6.0, 0.0], [-6.0, 1.0], [4.0, 0.0], [4.0, 0.5], [4.0, -0.5]])
    y_support = np.array(["A", "A", "A", "B", "B", "B"])
    Z_query = np.array([[2.2, 0.0], [-5.0, 0.0], [5.0, 0.2], [-1.0, 2.0], [-0.3, 1.1]])
    expected = _nearest(Z_support, y_support, Z_query)  # B, A, B, A, A
    pred = _prototype_predictions(nearest_centroid_predict, Z_support, y_support, Z_query)
    if not np.array_equal(pred, expected):
        require(
            not np.array_equal(pred, _nearest(Z_support, y_support, Z_query, farthest=True)),
            "you picked the farthest prototype: take the smallest distance (argmin).",
        )
        require(
            not np.array_equal(pred, _nearest(Z_support, y_support, Z_query, centre=np.median)),
            "your prototypes are the class medians; a prototype is the mean of each class (axis=0).",
        )
        require(
            pred[0] != "A",
            "query 0 is closest to a single example of 'A' but to the MEAN of 'B': compare with the class "
            "means (prototypes), not with individual examples.",
        )
        fail("not the nearest class mean: average Z_support per class, then take the closest mean.")
    order = np.array([3, 0, 4, 1, 5, 2])  # the same support set, class B listed first
    again = _prototype_predictions(nearest_centroid_predict, Z_support[order], y_support[order], Z_query)
    require(
        np.array_equal(again, expected),
        "right when class A comes first in the support set, wrong when B does: make sure each "
        "centroid is paired with its own label.",
    )
    # C's mean is (2, 0), D's (1.2, 1.2): from the origin D is nearer in a straight line (1.70 Å
    # against 2.00), C along the axes (2.0 against 2.4).
    Z2 = np.array([[1.5, 0.0], [2.5, 0.0], [1.2, 0.7], [1.2, 1.7]])
    y2 = np.array(["C", "C", "D", "D"])
    Q2 = np.array([[0.0, 0.0], [3.0, 0.0]])
    pred2 = _prototype_predictions(nearest_centroid_predict, Z2, y2, Q2)
    if not np.array_equal(pred2, _nearest(Z2, y2, Q2)):
        require(
            not np.array_equal(pred2, _nearest(Z2, y2, Q2, ord=1)),
            "that is the Manhattan distance (the sum of |differences|); use the Euclidean distance, "
            "the square root of the sum of squared differences (np.linalg.norm).",
        )
        fail("not the nearest class mean by Euclidean distance on a second test set.")
    return "each query gets the label of the closest class mean (prototype)."


# --------------------------------------------------------------------------- quiz

register_quiz(
    Quiz(
        4,
        {
            1: Question(
                answer="b",
                why=(
                    "the inputs changed (instrument resolution, thermal motion, noise), not the rule that maps a "
                    "structure to its type: covariate shift. Training on inputs that look like the test inputs "
                    "fixes it."
                ),
                wrong={
                    "a": "an overfitted model fails on new clean PDFs too; this one scores well on clean "
                    "validation PDFs.",
                    "c": "the labels are right by construction: the same simulated particles, with the same "
                    "types.",
                    "d": "an underfitted model is poor on clean data as well; this one is good there.",
                },
                reread="Practical · 1 · Distribution shift, and closing the gap with data augmentation",
            ),
            2: Question(
                answer="c",
                why=(
                    "a label costs a measurement or a calculation, so you spend it where the model is least "
                    "sure; points it already classifies confidently teach it little."
                ),
                wrong={
                    "a": "a random PDF is the baseline that active learning is compared with, not its rule.",
                    "b": "a PDF the model is already sure about teaches it little; that is the opposite rule.",
                    "d": "distance from the labelled PDFs is a diversity rule; least confidence looks at the "
                    "model's probabilities.",
                },
                reread="Practical · 3 · Active learning: which PDF should be labelled next?",
            ),
            3: Question(
                answer="a",
                why=(
                    "a few stored old examples keep the loss on the old classes in the gradient, so the new stage "
                    "cannot simply overwrite them."
                ),
                wrong={
                    "b": "nothing is frozen: replay only adds old examples to the new training data.",
                    "c": "the learning rate is the same in both stages; replay changes the data, not the step.",
                    "d": "the network keeps its size; replay adds examples, not units.",
                },
                reread="Practical · 4 · Continual learning: learning in stages without forgetting",
            ),
            4: Question(
                answer="d",
                why=(
                    "high entropy says 'the ensemble is unsure' - a reason to look, not a proof of a new "
                    "structure; and low entropy does not guarantee the input is like the training data."
                ),
                wrong={
                    "a": "entropy measures the ensemble's doubt, not the particle's order: amorphous is one "
                    "possible cause among several.",
                    "b": "an unknown type is one possible cause, but noise, another r range or Qmax can make the "
                    "ensemble just as unsure.",
                    "c": "overfitting is judged on validation data, not from the entropy of one input.",
                },
                reread="Practical · 5 · Uncertainty and out-of-distribution inputs",
            ),
        },
    )
)
