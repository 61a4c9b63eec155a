"""Self-checks for session 3: multilayer perceptrons and clustering.

* :func:`check_forward` — Exercise 3.1, the forward pass of a one-hidden-layer MLP
  (tanh hidden layer, softmax output).
* :func:`check_gradients` — Exercise 3.2, the backward pass: compares the
  student's gradients with central finite differences of the student's own loss.
* :func:`check_choose_k` — Exercise 3.3, choosing the number of k-means
  clusters by the silhouette score.

Each check runs the student's function on a small case whose answer is known and
prints one ✔/✘ line (with a hint, never the solution).  The session-3 quiz is
registered here too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.checks._core import Quiz, register_quiz, report, run_student_code

__all__ = ["check_choose_k", "check_forward", "check_gradients"]

PARAM_NAMES = ("W1", "b1", "W2", "b2")
GRAD_TOLERANCE = 1e-6
"""Largest accepted relative error between analytic and finite-difference gradients."""


# --------------------------------------------------------------------------- a tiny test network


def tiny_mlp(n_in: int = 4, n_hidden: int = 5, n_out: int = 3, n_samples: int = 6, seed: int = 0):
    """A small random network and batch for testing an MLP implementation.

    Returns ``(params, X, Y)``: ``params`` a dict with ``W1`` (n_in, n_hidden),
    ``b1`` (n_hidden,), ``W2`` (n_hidden, n_out), ``b2`` (n_out,); ``X`` of shape
    (n_samples, n_in); ``Y`` one-hot labels of shape (n_samples, n_out).
    """
    for name, value in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out), ("n_samples", n_samples)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if n_out < 2:
        raise ValueError(f"n_out must be at least 2 (a softmax over classes), got {n_out}")
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(0.0, 0.7, size=(n_in, n_hidden)),
        "b1": rng.normal(0.0, 0.3, size=n_hidden),
        "W2": rng.normal(0.0, 0.7, size=(n_hidden, n_out)),
        "b2": rng.normal(0.0, 0.3, size=n_out),
    }
    X = rng.normal(0.0, 1.0, size=(n_samples, n_in))
    labels = np.arange(n_samples) % n_out
    rng.shuffle(labels)
    Y = np.eye(n_out)[labels]
    return params, X, Y


def _copy(params: dict) -> dict:
    return {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}


def _reference_forward(params: dict, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return H, E / E.sum(axis=1, keepdims=True)


def _reference_loss(params: dict, X: np.ndarray, Y: np.ndarray) -> float:
    _, P = _reference_forward(params, X)
    return float(-np.mean(np.sum(Y * np.log(P), axis=1)))


# --------------------------------------------------------------------------- Exercise 3.1


def check_forward(forward: Callable) -> None:
    """Exercise 3.1: ``forward(params, X)`` must return ``(H, P)``.

    ``H`` (n, n_hidden): the tanh hidden activations; ``P`` (n, K): the softmax
    class probabilities (every row sums to 1, also for very large inputs).
    """
    ex = "Exercise 3.1"
    params, X, _ = tiny_mlp()
    ok, out = run_student_code(ex, forward, _copy(params), X.copy())
    if not ok:
        return
    if not isinstance(out, tuple) or len(out) != 2:
        report(ex, False, f"forward should return a pair (H, P), got {type(out).__name__}.")
        return
    H_ref, P_ref = _reference_forward(params, X)
    try:
        H, P = (np.asarray(a, dtype=float) for a in out)
    except (TypeError, ValueError):
        report(ex, False, "H and P should be numpy arrays of numbers (is one of them still `...`?).")
        return
    if H.shape != H_ref.shape:
        report(ex, False, f"H should have shape (n, n_hidden) = {H_ref.shape}, got {H.shape}.")
        return
    if P.shape != P_ref.shape:
        report(ex, False, f"P should have shape (n, K) = {P_ref.shape}, got {P.shape}.")
        return
    if not np.allclose(H, H_ref, atol=1e-8):
        report(ex, False, "the hidden activations H are wrong: the hidden layer is tanh(X W1 + b1).")
        return
    if not np.allclose(P.sum(axis=1), 1.0, atol=1e-8):
        report(ex, False, "the rows of P do not sum to 1: apply the softmax along each row (axis=1).")
        return
    if not np.allclose(P, P_ref, atol=1e-8):
        report(ex, False, "P sums to 1 but has the wrong values: the logits are H W2 + b2, then softmax.")
        return
    big = _copy(params)
    big["W2"] = big["W2"] * 1000.0  # logits of order 1000: exp overflows unless the row maximum is subtracted
    with np.errstate(over="ignore", invalid="ignore"):  # an unstable softmax overflows here: we say so below
        ok, out = run_student_code(ex, forward, big, X.copy())
    if not ok:
        return
    P_big = np.asarray(out[1], dtype=float)  # same function as above, so out is a pair of arrays
    if not np.all(np.isfinite(P_big)) or not np.allclose(P_big, _reference_forward(big, X)[1], atol=1e-8):
        report(
            ex,
            False,
            "correct for small logits, but with logits of order 1000 P contains nan or inf: "
            "subtract each row's largest logit before np.exp (it does not change the softmax).",
        )
        return
    report(ex, True, "H and P are right, and the softmax is numerically stable.")


# --------------------------------------------------------------------------- Exercise 3.2


def _numerical_gradients(loss_fn: Callable[[dict], float], params: dict, eps: float) -> dict:
    grads = {}
    for name in PARAM_NAMES:
        g = np.zeros_like(params[name])
        for idx in np.ndindex(params[name].shape):
            plus, minus = _copy(params), _copy(params)
            plus[name][idx] += eps
            minus[name][idx] -= eps
            g[idx] = (loss_fn(plus) - loss_fn(minus)) / (2.0 * eps)
        grads[name] = g
    return grads


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||): 0 when equal, 1 when opposite or one is zero."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_gradients(loss_and_grads: Callable, eps: float = 1e-5) -> None:
    """Exercise 3.2: gradient check of ``loss_and_grads(params, X, Y) -> (loss, grads)``.

    On a tiny random network, compares each analytic gradient with central finite
    differences, (L(w + eps) - L(w - eps)) / (2 eps), of the student's own loss,
    prints the largest relative error ||g_analytic - g_numeric|| / (||g_analytic|| + ||g_numeric||)
    and passes when it is below 1e-6 and the loss is the mean cross-entropy.
    """
    ex = "Exercise 3.2"
    params, X, Y = tiny_mlp()
    ok, out = run_student_code(ex, loss_and_grads, _copy(params), X.copy(), Y.copy())
    if not ok:
        return
    if not isinstance(out, tuple) or len(out) != 2:
        report(ex, False, f"loss_and_grads should return a pair (loss, grads), got {type(out).__name__}.")
        return
    loss, grads = out
    if not isinstance(grads, dict) or set(grads) != set(PARAM_NAMES):
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        report(ex, False, f"grads should be a dict with keys {list(PARAM_NAMES)}, got {got}.")
        return
    for name in PARAM_NAMES:
        shape = np.shape(grads[name])
        if shape != params[name].shape:
            report(
                ex,
                False,
                f"grads[{name!r}] should have the shape of {name}, {params[name].shape}, got {shape}.",
            )
            return
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        report(ex, False, f"the loss should be a single number, got {type(loss).__name__}.")
        return
    ref_loss = _reference_loss(params, X, Y)
    if not np.isclose(loss, ref_loss, rtol=1e-6):
        hint = (
            "it looks like the sum over samples: take the mean"
            if np.isclose(loss, ref_loss * len(X), rtol=1e-6)
            else "it should be the mean over samples of -sum_k Y_nk log P_nk"
        )
        report(ex, False, f"the loss is {loss:.6f} but should be {ref_loss:.6f}: {hint}.")
        return

    def loss_only(p: dict) -> float:
        return float(loss_and_grads(p, X.copy(), Y.copy())[0])

    try:
        numeric = _numerical_gradients(loss_only, params, eps)
    except Exception as exc:  # noqa: BLE001 - the student's code crashed on a perturbed copy
        report(ex, False, f"your function raised {type(exc).__name__} during the gradient check: {exc}")
        return
    errors = {
        name: _relative_error(np.asarray(grads[name], dtype=float), numeric[name]) for name in PARAM_NAMES
    }
    worst = max(errors.values())
    if worst < GRAD_TOLERANCE:
        report(
            ex,
            True,
            f"analytic and finite-difference gradients agree (max relative error {worst:.1e} < {GRAD_TOLERANCE:g}).",
        )
        return
    bad = [n for n in PARAM_NAMES if errors[n] >= GRAD_TOLERANCE]
    ratios = [
        np.linalg.norm(grads[n]) / np.linalg.norm(numeric[n]) for n in bad if np.linalg.norm(numeric[n]) > 0
    ]
    if len(ratios) == len(PARAM_NAMES) and np.allclose(ratios, ratios[0], rtol=1e-3):
        hint = f"all four are off by the same factor {ratios[0]:.3g}: check the 1/n of the mean in dL/dZ."
    elif bad in (["b1"], ["b2"], ["b1", "b2"]):
        hint = "a bias gradient is the sum of the upstream gradient over the samples (axis=0)."
    elif bad in (["W1", "b1"], ["W1"]):
        hint = "the output layer is right; check the step back through W2 and the tanh (its derivative)."
    else:
        hint = "start at the output: for softmax + cross-entropy, dL/dZ = (P - Y) / n."
    detail = ", ".join(f"{n} {errors[n]:.1e}" for n in bad)
    report(ex, False, f"gradients disagree with finite differences (relative error {detail}): {hint}")


# --------------------------------------------------------------------------- Exercise 3.3


def _blobs(seed: int = 0) -> tuple[np.ndarray, int]:
    """Four well-separated, unequal 2-D clusters: the silhouette score peaks at k = 4."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0], [6.0, 6.0]])
    counts = [40, 30, 25, 35]
    X = np.vstack([c + rng.normal(0.0, 0.6, size=(n, 2)) for c, n in zip(centres, counts)])
    return X, len(centres)


def _reference_silhouettes(X: np.ndarray, ks, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    return np.array(
        [silhouette_score(X, KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)) for k in ks]
    )


def check_choose_k(choose_k_by_silhouette: Callable) -> None:
    """Exercise 3.3: ``choose_k_by_silhouette(X, ks, seed) -> (best_k, scores)``.

    Runs it on four well-separated 2-D blobs with ks = 2..7; the best k is 4 and
    ``scores`` must hold one silhouette score per k, in the order of ``ks``.
    """
    ex = "Exercise 3.3"
    X, true_k = _blobs()
    ks = list(range(2, 8))
    ok, out = run_student_code(ex, choose_k_by_silhouette, X.copy(), list(ks), 0)
    if not ok:
        return
    if not isinstance(out, tuple) or len(out) != 2:
        report(ex, False, f"return a pair (best_k, scores), got {type(out).__name__}.")
        return
    best_k, scores = out
    try:
        scores = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        report(ex, False, "scores should be a list or array of numbers, one per k.")
        return
    if scores.shape != (len(ks),):
        report(
            ex,
            False,
            f"scores should hold one number per k in ks ({len(ks)} of them), got shape {scores.shape}.",
        )
        return
    if np.any(scores < -1) or np.any(scores > 1):
        report(ex, False, "silhouette scores lie between -1 and 1; use sklearn.metrics.silhouette_score.")
        return
    ref = _reference_silhouettes(X, ks, 0)
    if not np.allclose(scores, ref, atol=0.02):
        report(
            ex,
            False,
            "the scores are not the silhouette scores of k-means clusterings: for each k, fit "
            "KMeans(n_clusters=k, n_init=10, random_state=seed) and score its labels with silhouette_score(X, labels).",
        )
        return
    if isinstance(best_k, bool) or not isinstance(best_k, (int, np.integer)):
        report(ex, False, f"best_k should be an integer (a number of clusters), got {type(best_k).__name__}.")
        return
    if best_k != true_k:
        hint = (
            " — that is the position in ks, not the k itself"
            if best_k == int(np.argmax(ref))
            else " — the best k is the one with the highest silhouette score"
        )
        report(ex, False, f"on four well-separated blobs best_k should be {true_k}, got {best_k}{hint}.")
        return
    report(ex, True, f"the silhouette score peaks at k = {best_k} on four well-separated blobs.")


# --------------------------------------------------------------------------- quiz

register_quiz(
    3,
    Quiz(
        "Session 3",
        {
            1: (
                "c",
                (
                    "A perceptron's boundary is one hyperplane, a straight line in 2-D; XOR puts the two classes on "
                    "opposite diagonals, so every line misclassifies some corner. A hidden layer bends the boundary."
                ),
            ),
            2: (
                "b",
                (
                    "(291 + 1) x 64 + (64 + 1) x 7 = 18 688 + 455 = 19 143: a weight for every input-hidden pair plus "
                    "a bias per hidden unit, and the same for the hidden-output layer."
                ),
            ),
            3: (
                "a",
                (
                    "Backpropagation applies the chain rule from the loss backwards, layer by layer, reusing the "
                    "values stored in the forward pass; it gives all gradients for about the cost of one forward "
                    "pass. Gradient descent then uses them."
                ),
            ),
            4: (
                "d",
                (
                    "An octahedron is fcc crystal bounded by {111} facets: the same interatomic distances, so the "
                    "peaks sit at the same r; only the shape (how peak heights fade with r) differs."
                ),
            ),
            5: (
                "b",
                (
                    "The ARI compares two partitions regardless of cluster numbering (0 for chance). Low ARI against "
                    "the types and higher against the metal show the clusters follow the lattice constant, the "
                    "largest variation among raw PDFs."
                ),
            ),
        },
    ),
)
