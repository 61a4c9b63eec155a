"""Self-checks for session 2: the perceptron, linear and logistic regression, gradient descent.

Each check runs the student's function on a small case whose right answer is
known and prints one ✔ or ✘ line (with a hint, never the solution).
"""

from __future__ import annotations

import inspect
import re
import signal
import threading

import numpy as np

from helpers.checks._core import Quiz, register_quiz, report, run_student_code

__all__ = [
    "check_agreement",
    "check_learning_rate",
    "check_logistic_regression_gd",
    "check_normal_equation",
    "check_one_vs_rest",
    "check_perceptron",
]

TIME_LIMIT = 10.0
"""Seconds a student's function may run on a check's small problem before it counts as stuck."""


class _TooSlow(BaseException):  # not an Exception, so run_student_code lets it through
    pass


def _run_with_time_limit(exercise: str, fn, *args, **kwargs):
    """Like :func:`run_student_code`, but a call that runs longer than :data:`TIME_LIMIT` is stopped.

    The limit uses SIGALRM, so it only works in the main thread on Unix (where Jupyter runs
    cells); elsewhere the call runs without a limit.
    """
    use_alarm = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not use_alarm:
        return run_student_code(exercise, fn, *args, **kwargs)

    def on_alarm(signum, frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        return run_student_code(exercise, fn, *args, **kwargs)
    except _TooSlow:
        report(
            exercise,
            False,
            f"your function was still running after {TIME_LIMIT:g} s on a small problem — "
            "does your loop stop after max_updates updates?",
        )
        return False, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _h(w, X) -> np.ndarray:
    """The lecture's h(x) = sign(w0 + w·x), with +1 for w·x >= 0."""
    return np.where(w[0] + X @ w[1:] >= 0, 1, -1)


def _as_weights(exercise: str, w, d: int):
    """The weights as a float array of shape (d + 1,), or None after a ✘ line."""
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        report(exercise, False, f"w should be a numpy array of numbers, got {type(w).__name__}.")
        return None
    if w.shape == (d,):
        report(
            exercise,
            False,
            f"w has {d} entries, one per feature; it needs {d + 1}: add the bias column x0 = 1 "
            "to X inside your function, so w[0] is the bias w0.",
        )
        return None
    if w.shape != (d + 1,):
        report(
            exercise, False, f"w should have shape ({d + 1},) for {d} features plus the bias; got {w.shape}."
        )
        return None
    if not np.all(np.isfinite(w)):
        report(exercise, False, "w contains NaN or infinite values.")
        return None
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


def _unpack_perceptron(ex: str, got, d: int):
    if not (isinstance(got, tuple) and len(got) == 2):
        report(ex, False, "return two things: `return w, n_updates`.")
        return None, None
    w, n = got
    w = _as_weights(ex, w, d)
    if w is None:
        return None, None
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        report(ex, False, f"n_updates should be an int (how many times w changed), got {type(n).__name__}.")
        return None, None
    return w, int(n)


def check_perceptron(perceptron) -> None:
    """Exercise 2.1: ``perceptron(X, y, max_updates, seed) -> (w, n_updates)``."""
    ex = "Exercise 2.1"
    X, y = _separable_set()
    X_before, y_before = X.copy(), y.copy()
    ok, got = _run_with_time_limit(ex, perceptron, X, y, max_updates=1000, seed=0)
    if not ok:
        return
    if not (np.array_equal(X, X_before) and np.array_equal(y, y_before)):
        report(
            ex,
            False,
            "your function changed the X or y it was given; work on a copy (np.column_stack makes one).",
        )
        return
    w, n = _unpack_perceptron(ex, got, X.shape[1])
    if w is None:
        return
    wrong = int(np.sum(_h(w, X) != y))
    if wrong:
        report(
            ex,
            False,
            f"on a linearly separable set of {len(y)} points your w still misclassifies {wrong} "
            f"(after {n} updates). The PLA must keep updating while any point is misclassified: "
            "check the update w ← w + y·x and the test for 'misclassified' (sign(w·x) ≠ y, with "
            "sign(0) = +1).",
        )
        return
    if not 0 <= n <= 1000:
        report(ex, False, f"n_updates = {n}, but it must be between 0 and max_updates = 1000.")
        return
    ok, again = _run_with_time_limit(ex, perceptron, X, y, max_updates=1000, seed=0)
    if not ok:
        return
    w2, _ = _unpack_perceptron(ex, again, X.shape[1])
    if w2 is None:
        return
    if not np.allclose(w, w2):
        report(
            ex,
            False,
            "two calls with the same seed gave different w: create the generator inside your "
            "function with rng = np.random.default_rng(seed) and use only it for random numbers.",
        )
        return
    Xn, yn = _xor_set()
    ok, got = _run_with_time_limit(ex, perceptron, Xn, yn, max_updates=50, seed=0)
    if not ok:
        return
    w, n = _unpack_perceptron(ex, got, 2)
    if w is None:
        return
    if n != 50:
        report(
            ex,
            False,
            f"on data that no line can separate the PLA never converges, so it should stop after "
            f"exactly max_updates = 50 updates; yours reported {n}.",
        )
        return
    report(
        ex,
        True,
        "your perceptron separates a separable set and stops at max_updates on a non-separable one.",
    )


def check_agreement(acc_mine, acc_sklearn, tol: float = 0.05, exercise: str = "Exercise 2.1") -> None:
    """Your perceptron and scikit-learn's should reach about the same accuracy (within ``tol``)."""
    for name, acc in (("acc_mine", acc_mine), ("acc_sklearn", acc_sklearn)):
        if isinstance(acc, bool) or not isinstance(acc, (int, float, np.integer, np.floating)):
            report(exercise, False, f"{name} should be a number (an accuracy), got {type(acc).__name__}.")
            return
        if not 0.0 <= float(acc) <= 1.0:
            report(exercise, False, f"{name} = {acc!r} is not an accuracy between 0 and 1.")
            return
    diff = abs(float(acc_mine) - float(acc_sklearn))
    if diff > tol:
        report(
            exercise,
            False,
            f"the accuracies differ by {diff:.3f} (more than {tol:g}). Same data and split for both? "
            "If your perceptron stopped at max_updates, it may not have converged.",
        )
        return
    report(exercise, True, f"the two accuracies agree within {tol:g} (difference {diff:.3f}).")


# --------------------------------------------------------------------------- Exercise 2.2


def _blobs(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = {"Au": (0.0, 2.0), "Fe": (-2.0, -1.0), "Co": (2.0, -1.0)}
    X = np.vstack([rng.normal(c, 0.4, size=(n_per_class, 2)) for c in centres.values()])
    y = np.repeat(list(centres), n_per_class)
    return X, y


def check_one_vs_rest(one_vs_rest_predict) -> None:
    """Exercise 2.2: ``one_vs_rest_predict(X_train, y_train, X) -> labels`` (one perceptron per class)."""
    ex = "Exercise 2.2"
    X_train, y_train = _blobs(15, seed=3)
    X_new, y_new = _blobs(20, seed=4)
    ok, pred = _run_with_time_limit(ex, one_vs_rest_predict, X_train, y_train, X_new)
    if not ok:
        return
    pred = np.asarray(pred)
    if pred.shape != (len(X_new),):
        report(ex, False, f"return one label per row of X: shape ({len(X_new)},), got {pred.shape}.")
        return
    if pred.dtype.kind in "iuf" and not np.isin(pred, np.unique(y_train)).all():
        report(
            ex,
            False,
            "you returned numbers; return the class labels themselves (e.g. classes[np.argmax(scores, axis=1)]).",
        )
        return
    unknown = set(pred.tolist()) - set(y_train.tolist())
    if unknown:
        report(ex, False, f"your labels {sorted(map(str, unknown))[:3]} are not classes of y_train.")
        return
    acc = float(np.mean(pred == y_new))
    if acc < 0.95:
        report(
            ex,
            False,
            f"on three well-separated clusters your predictions are only {acc:.0%} right. For each class c, "
            "train a perceptron on labels +1 (class c) / −1 (the rest); predict the class whose w·x is "
            "largest.",
        )
        return
    report(ex, True, f"three clusters, three perceptrons: {acc:.0%} of new points classified correctly.")


# --------------------------------------------------------------------------- Exercise 2.3


def _uses_inv(fn) -> bool:
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
    return re.search(r"\binv\s*\(", code) is not None


def check_normal_equation(fit_normal_equation) -> None:
    """Exercise 2.3: ``fit_normal_equation(X, y) -> w`` of shape (d + 1,), w[0] the intercept."""
    ex = "Exercise 2.3"
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 3))
    y = 1.5 + X @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.normal(size=30)
    X_before = X.copy()
    ok, w = run_student_code(ex, fit_normal_equation, X, y)
    if not ok:
        return
    if not np.array_equal(X, X_before):
        report(ex, False, "your function changed the X it was given; build the design matrix as a new array.")
        return
    w = _as_weights(ex, w, X.shape[1])
    if w is None:
        return
    Xb = np.column_stack([np.ones(len(X)), X])
    w_ref = np.linalg.lstsq(Xb, y, rcond=None)[0]
    if not np.allclose(w, w_ref, rtol=1e-6, atol=1e-8):
        w_no_intercept = np.linalg.lstsq(X, y, rcond=None)[0]
        if np.allclose(w[1:], w_no_intercept, rtol=1e-6, atol=1e-8):
            hint = "your slopes are those of a fit without intercept: is the column of ones in X?"
        else:
            hint = "solve (XᵀX) w = Xᵀy with X including the column of ones."
        report(ex, False, f"w does not minimise the squared error on a small test problem; {hint}")
        return
    if _uses_inv(fit_normal_equation):
        report(
            ex,
            False,
            "the numbers are right, but you form the inverse (inv). Solve the linear system instead: "
            "np.linalg.solve(A, b) is faster and more accurate than inv(A) @ b.",
        )
        return
    report(ex, True, "w matches the least-squares solution (to 1e-6) and you solved the system without inv.")


# --------------------------------------------------------------------------- Exercise 2.4


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _reference_gd(X, y, lr, n_steps):
    Xb = np.column_stack([np.ones(len(X)), X])
    w = np.zeros(Xb.shape[1])
    losses = []
    for _ in range(n_steps):
        z = Xb @ w
        losses.append(np.mean(np.logaddexp(0.0, z) - y * z))
        w = w - lr * Xb.T @ (_sigmoid(z) - y) / len(y)
    return w, np.array(losses)


def check_logistic_regression_gd(logistic_regression_gd) -> None:
    """Exercise 2.4: ``logistic_regression_gd(X, y, lr, n_steps) -> (w, losses)``."""
    ex = "Exercise 2.4"
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 2))
    y = (X @ np.array([1.5, -1.0]) + 0.3 + rng.normal(scale=0.8, size=40) > 0).astype(int)
    lr, n_steps = 0.5, 100
    ok, got = _run_with_time_limit(ex, logistic_regression_gd, X, y, lr, n_steps)
    if not ok:
        return
    if not (isinstance(got, tuple) and len(got) == 2):
        report(ex, False, "return two things: `return w, losses`.")
        return
    w = _as_weights(ex, got[0], X.shape[1])
    if w is None:
        return
    losses = np.asarray(got[1], dtype=float).ravel()
    if len(losses) != n_steps:
        report(
            ex,
            False,
            f"losses should hold one value per step, the loss before that step ({n_steps} values); "
            f"yours has {len(losses)}.",
        )
        return
    w_ref, losses_ref = _reference_gd(X, y, lr, n_steps)
    if not np.isclose(losses[0], np.log(2.0), rtol=1e-6):
        report(
            ex,
            False,
            f"the first loss should be ln 2 ≈ 0.693 (w starts at zero, so σ(w·x) = 0.5 for every point); "
            f"yours is {losses[0]:.4g}. Start from w = np.zeros(d + 1) and record the loss before updating.",
        )
        return
    if not np.allclose(losses, losses_ref, rtol=1e-6, atol=1e-9):
        report(
            ex,
            False,
            "the losses differ from gradient descent on the cross-entropy: check the gradient "
            "(1/N) Xᵀ(σ(Xw) − y) (with the bias column in X) and the step w ← w − lr · gradient.",
        )
        return
    if not np.allclose(w, w_ref, rtol=1e-6, atol=1e-9):
        report(
            ex,
            False,
            "the losses are right but the returned w is not the final one: return w after the last step.",
        )
        return
    report(
        ex,
        True,
        f"your gradient descent matches, and the loss fell from {losses[0]:.3f} to {losses[-1]:.3f}.",
    )


# --------------------------------------------------------------------------- Exercise 2.5

GOOD_LOSS_FRACTION = 1e-3
"""Exercise 2.5: after 50 steps the loss must be below this fraction of where it started."""


def check_learning_rate(pick_learning_rate) -> None:
    """Exercise 2.5: ``pick_learning_rate() -> γ`` that brings the explorer's loss down fast, without diverging."""
    from helpers.gradient_descent import W_START, loss, loss_after_steps

    ex = "Exercise 2.5"
    ok, rate = run_student_code(ex, pick_learning_rate)
    if not ok:
        return
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        report(ex, False, f"return one number, the learning rate γ; got {type(rate).__name__}.")
        return
    if not np.isfinite(rate) or rate <= 0:
        report(ex, False, f"a learning rate must be a positive number; got {rate!r}.")
        return
    f0, f50 = float(loss(W_START)), loss_after_steps(float(rate), 50)
    if not np.isfinite(f50) or f50 > f0:
        report(ex, False, f"with γ = {rate:g} the loss grows: gradient descent diverges. Try a smaller γ.")
        return
    if f50 > GOOD_LOSS_FRACTION * f0:
        report(
            ex,
            False,
            f"with γ = {rate:g} the loss after 50 steps is {f50:.2g}, still above {GOOD_LOSS_FRACTION:g} × "
            f"its start ({f0:.2f}). Look at the explorer: is your γ too small, or so large that the steps "
            "zig-zag?",
        )
        return
    report(
        ex, True, f"γ = {rate:g} brings the loss from {f0:.2f} to {f50:.2g} in 50 steps without diverging."
    )


# --------------------------------------------------------------------------- quiz

register_quiz(
    2,
    Quiz(
        "Session 2",
        {
            1: (
                "b",
                (
                    "The PLA only changes w for a misclassified point, and w ← w + y·x raises y·(w·x) by "
                    "|x|², moving the line towards classifying that point correctly."
                ),
            ),
            2: (
                "c",
                (
                    "If no hyperplane separates the classes, some point is always misclassified, so the plain "
                    "PLA never stops by itself; an update limit stops it, and the pocket keeps the best w seen."
                ),
            ),
            3: (
                "b",
                (
                    "solve() factorises XᵀX and solves the system directly: fewer operations and smaller "
                    "rounding errors than forming the inverse and multiplying by it."
                ),
            ),
            4: (
                "d",
                (
                    "Along the steep direction each step multiplies the distance to the minimum by |1 − γλ|; "
                    "for γ > 2/λ that factor is above 1, so every step overshoots further."
                ),
            ),
            5: (
                "a",
                (
                    "A test score is an unbiased estimate of performance on new data only if the test set never "
                    "influenced a choice; every look that changes the model spends that independence."
                ),
            ),
        },
    ),
)
