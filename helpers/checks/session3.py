"""Self-checks for session 3: multilayer perceptrons and clustering.

* :func:`check_forward` — Exercise 3.1, the forward pass of a one-hidden-layer MLP
  (tanh hidden layer, softmax output).
* :func:`check_loss_and_grads` — Exercise 3.2, the backward pass: compares the
  student's gradients with central finite differences of the student's own loss.
* :func:`check_conv1d` — Exercise 3.3, the forward pass of a 1-D convolutional layer
  (a cross-correlation of every sample with every filter, summed over the input channels).
* :func:`check_choose_k_by_silhouette` — Exercise 3.4, choosing the number of
  k-means clusters by the silhouette score.

The session-3 quiz is registered here too.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from helpers.checks._core import (
    call,
    check,
    expect_array,
    expect_int,
    expect_pair,
    fail,
    load_quiz,
    register_quiz,
    require,
)
from helpers.checks._spec import Case, Mistake, Probe, Spec, allclose, caught, known, register

__all__ = ["check_choose_k_by_silhouette", "check_conv1d", "check_forward", "check_loss_and_grads"]

PARAM_NAMES = ("W1", "b1", "W2", "b2")
GRAD_TOLERANCE = 1e-6
"""Largest accepted relative error between analytic and finite-difference gradients."""


# --------------------------------------------------------------------------- a tiny test network


def _tiny_network():
    """A small random network and batch: 4 inputs, 5 hidden units, 3 classes, 6 samples.

    Returns ``(params, X, Y)``: ``params`` a dict with ``W1`` (4, 5), ``b1`` (5,), ``W2`` (5, 3),
    ``b2`` (3,); ``X`` of shape (6, 4); ``Y`` one-hot labels of shape (6, 3).
    """
    n_in, n_hidden, n_out, n_samples = 4, 5, 3, 6
    rng = np.random.default_rng(0)
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


def _softmax(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _reference_forward(params: dict, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    H = np.tanh(X @ params["W1"] + params["b1"])
    return H, _softmax(H @ params["W2"] + params["b2"])


def _reference_loss(params: dict, X: np.ndarray, Y: np.ndarray) -> float:
    _, P = _reference_forward(params, X)
    return float(-np.mean(np.sum(Y * np.log(P), axis=1)))


# --------------------------------------------------------------------------- Exercise 3.1


def _layers(params, X, *, hidden=np.tanh, b1=True, b2=True, softmax=None):
    """The forward pass with one part changed (for the known mistakes)."""
    H = hidden(X @ params["W1"] + (params["b1"] if b1 else 0.0))
    Z = H @ params["W2"] + (params["b2"] if b2 else 0.0)
    return H, (softmax or _softmax)(Z)


def _forward_contract(out, case: Case):
    params, X = case.args
    n, hidden, k = len(X), params["W1"].shape[1], params["W2"].shape[1]
    out = expect_pair(out, "forward should return a pair (H, P), got {got}.")
    H, P = (
        expect_array(a, name, hint="H and P should be numpy arrays of numbers (is one of them still `...`?).")
        for a, name in zip(out, "HP")
    )
    require(
        not (H.shape == (n, k) and P.shape == (n, hidden)),
        "you returned (P, H): return the hidden activations first, (H, P).",
    )
    require(H.shape == (n, hidden), f"H should have shape (n, n_hidden) = {(n, hidden)}, got {H.shape}.")
    require(P.shape == (n, k), f"P should have shape (n, K) = {(n, k)}, got {P.shape}.")
    return H, P


def _same_h(got, wrong) -> bool:
    return allclose(got[0], wrong[0], rtol=0, atol=1e-8)


def _same_p(got, wrong) -> bool:
    return allclose(got[1], wrong[1], rtol=0, atol=1e-8)


def _forward_otherwise(case: Case, got) -> str:
    params, X = case.args
    H, P = got
    if not np.allclose(H, _reference_forward(params, X)[0], atol=1e-8):
        return "the hidden activations H are wrong: the hidden layer is tanh(X W1 + b1)."
    if not np.allclose(P.sum(axis=1), 1.0, atol=1e-8):
        return "the rows of P do not sum to 1: apply the softmax along each row (axis=1)."
    return "P sums to 1 but has the wrong values: the logits are H W2 + b2, then softmax."


def _forward_cases():
    params, X, _ = _tiny_network()
    big = _copy(params)
    big["W2"] = big["W2"] * 1000.0  # logits of order 1000: exp overflows unless the row maximum is subtracted
    return [Case(params, X), Case(big, X.copy(), about="logits of order 1000")]


def _no_shift(Z):
    with np.errstate(over="ignore", invalid="ignore"):
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)


def _column_max(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _column_softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _no_keepdims(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    E = np.exp(Z - Z.max(axis=1))  # (6, 3) - (6,): broadcasting fails
    return H, E / E.sum(axis=1, keepdims=True)


def _standardises_X_in_place(params, X):
    X -= X.mean(axis=0)  # changes the caller's X
    return _reference_forward(params, X)


def _half_done(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    return H, ...  # the stub line left in place


check_forward = register(
    "check_forward",
    Spec(
        exercise="Exercise 3.1",
        reference=_reference_forward,
        cases=_forward_cases,
        returns="(H of shape (6, 5), P of shape (6, 3))",
        contract=_forward_contract,
        same=lambda a, b: _same_h(a, b) and _same_p(a, b),
        otherwise=_forward_otherwise,
        success="H and P are right, and the softmax is numerically stable.",
        mistakes=[
            Mistake(
                "you left out the bias b1: H = tanh(X W1 + b1).",
                lambda p, X: _layers(p, X, b1=False),
                "no b1",
                same=_same_h,
            ),
            Mistake(
                "H is X W1 + b1 before the activation: apply np.tanh to it.",
                lambda p, X: _layers(p, X, hidden=lambda A: A),
                "no activation",
                same=_same_h,
            ),
            Mistake(
                "that is the sigmoid of X W1 + b1; the hidden layer uses tanh.",
                lambda p, X: _layers(p, X, hidden=lambda A: 1.0 / (1.0 + np.exp(-A))),
                "sigmoid",
                same=_same_h,
            ),
            Mistake(
                "that is ReLU; this network's hidden layer uses tanh(X W1 + b1).",
                lambda p, X: _layers(p, X, hidden=lambda A: np.maximum(A, 0.0)),
                "relu",
                same=_same_h,
            ),
            Mistake(
                "correct for small logits, but with logits of order 1000 P contains nan or inf: subtract each "
                "row's largest logit before np.exp (it does not change the softmax).",
                lambda p, X: _layers(p, X, softmax=_no_shift),
                "unstable softmax",
                same=_same_p,
            ),
            Mistake(
                "P sums to 1 but is not a softmax: exponentiate the logits first, P = exp(Z) / sum of exp(Z).",
                lambda p, X: _layers(p, X, softmax=lambda Z: Z / Z.sum(axis=1, keepdims=True)),
                "no exponential",
                same=_same_p,
            ),
            Mistake(
                "P sums to 1 but has the wrong values: you left out the bias b2 (logits H W2 + b2).",
                lambda p, X: _layers(p, X, b2=False),
                "no b2",
                same=_same_p,
            ),
            Mistake(
                "P sums to 1 but you subtracted each column's maximum; subtract each row's largest logit "
                "(Z.max(axis=1, keepdims=True)).",
                lambda p, X: _layers(p, X, softmax=_column_max),
                "column max",
                same=_same_p,
            ),
            caught(
                "do not sum to 1", lambda p, X: _layers(p, X, softmax=_column_softmax), "softmax over axis 0"
            ),
            caught(
                "do not sum to 1",
                lambda p, X: (_reference_forward(p, X)[0], 2 * _reference_forward(p, X)[1]),
                "P doubled",
            ),
            caught("pair (H, P)", lambda p, X: _reference_forward(p, X)[1], "P only"),
            caught("still `...`", _half_done, "P still ..."),
            caught("you returned (P, H)", lambda p, X: _reference_forward(p, X)[::-1], "swapped"),
            caught("operands could not be broadcast together", _no_keepdims, "no keepdims"),
            caught("changed its argument `X`", _standardises_X_in_place, "X changed in place"),
        ],
    ),
)


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


def _loss_value(loss, ref_loss: float, n: int, k: int) -> float:
    """The loss as a float, or a failed check that says why it is not the mean cross-entropy."""
    shape = np.shape(loss)
    if shape == (n,):
        fail(f"the loss has shape {shape}, one value per sample: take their mean.")
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        fail(f"the loss should be a single number, got {type(loss).__name__}.")
    if not np.isclose(loss, ref_loss, rtol=1e-6):
        if np.isclose(loss, ref_loss * n, rtol=1e-6):
            hint = "it looks like the sum over samples: take the mean"
        elif np.isclose(loss, ref_loss / k, rtol=1e-6):
            hint = "it looks like the mean over samples and classes: sum over the classes, then average over the samples"
        else:
            hint = "it should be the mean over samples of -sum_k Y_nk log P_nk"
        fail(f"the loss is {loss:.6f} but should be {ref_loss:.6f}: {hint}.")
    return loss


def _gradients_hint(grads: dict, numeric: dict, bad: list[str]) -> str:
    norms = {n: np.linalg.norm(numeric[n]) for n in PARAM_NAMES}
    ratios = [np.linalg.norm(grads[n]) / norms[n] for n in bad if norms[n] > 0]
    cosines = [
        float(np.sum(grads[n] * numeric[n]) / (np.linalg.norm(grads[n]) * norms[n]))
        for n in bad
        if norms[n] > 0 and np.linalg.norm(grads[n]) > 0
    ]
    if len(cosines) == len(PARAM_NAMES) and np.allclose(cosines, -1.0, atol=1e-6):
        return (
            "every gradient points the wrong way (the sign is flipped): dL/dZ = (P - Y) / n, not (Y - P) / n."
        )
    if len(ratios) == len(PARAM_NAMES) and np.allclose(ratios, ratios[0], rtol=1e-3):
        return f"all four are off by the same factor {ratios[0]:.3g}: check the 1/n of the mean in dL/dZ."
    if bad in (["b1"], ["b2"], ["b1", "b2"]):
        return "a bias gradient is the sum of the upstream gradient over the samples (axis=0)."
    if bad in (["W1", "b1"], ["W1"]):
        return "the output layer is right; check the step back through W2 and the tanh (its derivative)."
    return "start at the output: for softmax + cross-entropy, dL/dZ = (P - Y) / n."


@check("Exercise 3.2")
def check_loss_and_grads(loss_and_grads: Callable, eps: float = 1e-5):
    """Exercise 3.2: gradient check of ``loss_and_grads(params, X, Y) -> (loss, grads)``.

    On a tiny random network, compares each analytic gradient with central finite
    differences, (L(w + eps) - L(w - eps)) / (2 eps), of the student's own loss,
    prints the largest relative error ||g_analytic - g_numeric|| / (||g_analytic|| + ||g_numeric||)
    and passes when it is below 1e-6 and the loss is the mean cross-entropy.
    """
    params, X, Y = _tiny_network()
    returns = "(loss, a dict of gradients with the keys and shapes of params)"
    # A student's in-place update of params would not break the check: every call gets copies.
    out = call(loss_and_grads, _copy(params), X.copy(), Y.copy(), returns=returns, check_inputs=False)
    loss, grads = expect_pair(out, "loss_and_grads should return a pair (loss, grads), got {got}.")
    if not isinstance(grads, dict) or set(grads) != set(PARAM_NAMES):
        got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        fail(f"grads should be a dict with keys {list(PARAM_NAMES)}, got {got}.")
    for name in PARAM_NAMES:
        shape = np.shape(grads[name])
        require(
            shape == params[name].shape,
            f"grads[{name!r}] should have the shape of {name}, {params[name].shape}, got {shape}.",
        )
    _loss_value(loss, _reference_loss(params, X, Y), len(X), Y.shape[1])

    def loss_only(p: dict) -> float:
        got = call(
            loss_and_grads,
            p,
            X.copy(),
            Y.copy(),
            returns=returns,
            check_inputs=False,
            what="your function (in the gradient check, on a perturbed copy of params)",
        )
        return float(got[0])

    numeric = _numerical_gradients(loss_only, params, eps)
    grads = {name: np.asarray(grads[name], dtype=float) for name in PARAM_NAMES}
    errors = {name: _relative_error(grads[name], numeric[name]) for name in PARAM_NAMES}
    worst = max(errors.values())
    bad = [n for n in PARAM_NAMES if errors[n] >= GRAD_TOLERANCE]
    detail = ", ".join(f"{n} {errors[n]:.1e}" for n in bad)
    require(
        not bad,
        f"gradients disagree with finite differences (relative error {detail}): "
        f"{_gradients_hint(grads, numeric, bad)}",
    )
    if worst < 1e-8:  # a round bound, so that the line is the same on every machine (nbval checks it)
        return (
            f"analytic and finite-difference gradients agree (max relative error < 1e-08, "
            f"tolerance {GRAD_TOLERANCE:g})."
        )
    return f"analytic and finite-difference gradients agree (max relative error {worst:.1e} < {GRAD_TOLERANCE:g})."


def _loss_and_grads(params, X, Y):
    n = len(X)
    H, P = _reference_forward(params, X)
    loss = -np.mean(np.sum(Y * np.log(P), axis=1))
    dZ = (P - Y) / n
    dA = (dZ @ params["W2"].T) * (1 - H**2)
    return loss, {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dZ, "b2": dZ.sum(axis=0)}


def _grads_with(change):
    """The right (loss, grads) passed through ``change(loss, grads, params, X, Y)``: one mistake in a line."""
    return lambda params, X, Y: change(*_loss_and_grads(params, X, Y), params, X, Y)


def _no_tanh_derivative(loss, grads, params, X, Y):
    dA = ((_reference_forward(params, X)[1] - Y) / len(X)) @ params["W2"].T
    return loss, dict(grads, W1=X.T @ dA, b1=dA.sum(axis=0))


def _log_p(params, X, Y):
    return Y * np.log(_reference_forward(params, X)[1])


known(
    check_loss_and_grads,
    right=[_loss_and_grads],
    mistakes=[
        caught("W1", _grads_with(_no_tanh_derivative), "no tanh derivative"),
        caught(
            "same factor",
            _grads_with(lambda L, g, p, X, Y: (L, {k: v * len(X) for k, v in g.items()})),
            "sum",
        ),
        caught(
            "sum of the upstream gradient",
            _grads_with(
                lambda L, g, p, X, Y: (L, dict(g, b2=((_reference_forward(p, X)[1] - Y) / len(X)).mean(0)))
            ),
            "bias mean",
        ),
        caught("take the mean", _grads_with(lambda L, g, p, X, Y: (L * len(X), g)), "summed loss"),
        caught(
            "should have the shape of W1", _grads_with(lambda L, g, *_: (L, dict(g, W1=g["W1"].T))), "W1.T"
        ),
        caught("keys", _grads_with(lambda L, g, *_: (L, {k: v for k, v in g.items() if k != "b1"})), "no b1"),
        caught("sign is flipped", _grads_with(lambda L, g, *_: (L, {k: -v for k, v in g.items()})), "sign"),
        caught(
            "sum over the classes",
            _grads_with(lambda L, g, p, X, Y: (-np.mean(_log_p(p, X, Y)), g)),
            "mean/K",
        ),
        caught(
            "one value per sample",
            _grads_with(lambda L, g, p, X, Y: (-np.sum(_log_p(p, X, Y), axis=1), g)),
            "loss per sample",
        ),
    ],
)


# --------------------------------------------------------------------------- Exercise 3.3

CONV_SLOW = 0.1
"""Seconds one call of conv1d may take on a batch of 128 PDFs (the CNN's training makes about 500 calls)."""


def _conv_case(N: int = 3, C: int = 2, L: int = 11, K: int = 4, F: int = 5, seed: int = 3):
    """``(x, w, b)`` of shapes (N, C, L), (F, C, K), (F,): all sizes differ, so a swapped axis shows.

    The filters are far from symmetric (a flipped filter gives other numbers) and the biases far from 0.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, size=(N, C, L))
    w = rng.normal(0.0, 1.0, size=(F, C, K)) + np.linspace(-1.0, 1.0, K)  # a slope along k: not symmetric
    b = rng.uniform(1.0, 2.0, size=F) * rng.choice([-1.0, 1.0], size=F)
    return x, w, b


def _reference_conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The layer by scipy.signal.correlate ('valid'), one sample, filter and channel at a time."""
    from scipy.signal import correlate

    N, C, _ = x.shape
    F = w.shape[0]
    return np.array(
        [
            [b[f] + sum(correlate(x[n, c], w[f, c], mode="valid") for c in range(C)) for f in range(F)]
            for n in range(N)
        ]
    )


def _conv_shape_hint(shape: tuple, N: int, C: int, L: int, K: int, F: int) -> str:
    valid = L - K + 1
    known = {
        (N, F, L): f"your output has L = {L} positions, the length of x ('same'); a layer without padding "
        f"keeps only the positions where the whole filter fits inside x: L - K + 1 = {valid} ('valid').",
        (N, F, L + K - 1): f"your output has L + K - 1 = {L + K - 1} positions ('full', the filter also "
        f"hanging over the ends); keep only the L - K + 1 = {valid} where it fits inside x ('valid').",
        (
            N,
            F,
            valid - 1,
        ): f"one position short ({valid - 1} instead of L - K + 1 = {valid}): the last window "
        f"starts at i = L - K = {L - K} — does your loop reach it?",
        (N, F, valid + 1): f"one position too many ({valid + 1} instead of L - K + 1 = {valid}): the last "
        f"window starts at i = L - K = {L - K} and must fit inside x.",
        (
            F,
            N,
            valid,
        ): "the axes are swapped: the output has shape (N, F, L - K + 1), samples first, then filters.",
        (N, valid, F): "the axes are in the wrong order: the output has shape (N, F, L - K + 1), "
        "the positions last.",
        (N, F, C, valid): "you kept one output per input channel: sum the products over the channels c too.",
        (
            F,
            valid,
        ): "you summed over the samples: every sample n gets its own output, shape (N, F, L - K + 1).",
        (
            N,
            valid,
        ): "one output per sample, but there are F filters: shape (N, F, L - K + 1), one row per filter.",
    }
    hint = known.get(shape, "")
    return f"the output should have shape (N, F, L - K + 1) = {(N, F, valid)}, got {shape}" + (
        f": {hint}" if hint else "."
    )


def _conv_values_hint(got: np.ndarray, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> str:
    """Why ``got`` (of the right shape) is not the layer's output: the typical mistakes, one by one."""
    ref = _reference_conv1d(x, w, b)
    no_bias = ref - b[:, None]
    close = functools.partial(np.allclose, got, rtol=1e-7, atol=1e-9)
    if close(_reference_conv1d(x, w[:, :, ::-1], b)):
        return (
            "you flipped the filter: sum_k w[k] x[i - k] (or np.convolve) is the mathematical convolution. "
            "A convolutional layer computes the cross-correlation sum_k w[f, c, k] x[n, c, i + k], no flip."
        )
    if close(no_bias):
        return "the bias is missing: add b[f] to every output of filter f."
    extra = (got - no_bias) / b[:, None]
    if np.allclose(extra, np.round(extra[0, 0, 0]), atol=1e-7) and round(extra[0, 0, 0]) not in (0, 1):
        return f"you added the bias b[f] {round(extra[0, 0, 0])} times (inside a loop?): once per output."
    if close(no_bias / w.shape[2] + b[:, None]):
        return "you averaged over the window: the layer sums w[f, c, k] x[n, c, i + k] over k, it does not divide by K."
    if close(_reference_conv1d(x[:, :1], w[:, :1], b)):
        return "you used only the first input channel: sum the products over every channel c = 0 ... C - 1."
    unbiased = got - b[:, None]
    if np.allclose(got, got[:, :1], atol=1e-9) or np.allclose(unbiased, unbiased[:, :1], atol=1e-9):
        return "every filter gives the same output: filter f uses its own weights w[f]."
    K = w.shape[2]
    padded = np.concatenate([x[:, :, 1:], np.zeros_like(x[:, :, :1])], axis=2)
    if close(_reference_conv1d(padded, w, b)) or np.allclose(got[..., :-1], ref[..., 1:], atol=1e-9):
        return "your windows start one position late: output i uses x[i], ..., x[i + K - 1]."
    if np.allclose(got[..., 1:], ref[..., :-1], atol=1e-9):
        return "your windows start one position early: output i uses x[i], ..., x[i + K - 1]."
    if close(_reference_conv1d(x[:, ::-1], w, b)):
        return "the channels are paired the wrong way round: w[f, c] multiplies the channel x[n, c]."
    return f"right shape, wrong numbers: output[n, f, i] = b[f] + sum over c and k = 0 ... {K - 1} of w[f, c, k] x[n, c, i + k]."


@check("Exercise 3.3")
def check_conv1d(conv1d: Callable):
    """Exercise 3.3: ``conv1d(x, w, b)`` -> the 'valid' cross-correlation, shape (N, F, L - K + 1).

    ``x`` (N, C, L): N samples of C channels and L positions; ``w`` (F, C, K): F filters of width K;
    ``b`` (F,).  Compared with ``scipy.signal.correlate`` on a small case whose sizes all differ (a
    swapped axis, a flipped filter, a missing or repeated bias show), then on a batch of 128 PDFs of
    the size the CNN trains on, which must also be fast enough for training.
    """
    x, w, b = _conv_case()
    (N, C, L), (F, _, K) = x.shape, w.shape
    returns = f"an array of shape (N, F, L - K + 1) = {(N, F, L - K + 1)}"
    got = expect_array(
        call(conv1d, x.copy(), w.copy(), b.copy(), returns=returns),
        "the output",
        hint="conv1d should return a numpy array of numbers (is it still `...`?).",
    )
    require(got.shape == (N, F, L - K + 1), _conv_shape_hint(got.shape, N, C, L, K, F))
    require(
        np.allclose(got, _reference_conv1d(x, w, b), rtol=1e-7, atol=1e-9), _conv_values_hint(got, x, w, b)
    )

    x, w, b = _conv_case(N=128, C=1, L=109, K=21, F=8, seed=4)
    seconds = np.inf
    for _ in range(2):  # the better of two calls: a busy machine can slow one down
        start = time.perf_counter()
        got = call(conv1d, x, w, b, returns="an array of shape (128, 8, 89)")
        seconds = min(seconds, time.perf_counter() - start)
        if seconds <= CONV_SLOW:
            break
    got = expect_array(got, "the output", shape=(128, 8, 89))
    require(
        np.allclose(got, np.einsum("ncik,fck->nfi", sliding_window_view(x, 21, axis=2), w) + b[:, None]),
        "right on the small test case, wrong on a batch of 128 PDFs with one channel (C = 1): "
        "does your code assume a particular number of samples, channels or filters?",
    )
    require(
        seconds <= CONV_SLOW,
        f"right, but slow: {seconds:.2f} s for a batch of 128 PDFs, and training the CNN calls it about 500 "
        "times. Loop over the K filter positions (each step one array operation), or use "
        "numpy.lib.stride_tricks.sliding_window_view, rather than over samples and positions.",
    )
    return "the valid cross-correlation, the right shape (N, F, L - K + 1), every filter and channel, with the bias."


def _conv1d(x, w, b):
    windows = sliding_window_view(x, w.shape[2], axis=2)  # (N, C, L - K + 1, K)
    return np.einsum("ncik,fck->nfi", windows, w) + b[:, None]


def _conv1d_over_k(x, w, b, *, bias_in_loop=False):
    K, L_out = w.shape[2], x.shape[2] - w.shape[2] + 1
    out = np.zeros((len(x), len(w), L_out)) + (0 if bias_in_loop else b[:, None])
    for k in range(K):
        out += np.einsum("ncl,fc->nfl", x[:, :, k : k + L_out], w[:, :, k]) + (
            b[:, None] if bias_in_loop else 0
        )
    return out


def _conv1d_numpy(x, w, b, *, how=np.correlate):
    return np.array(
        [
            [b[f] + sum(how(x[n, c], w[f, c], "valid") for c in range(x.shape[1])) for f in range(len(w))]
            for n in range(len(x))
        ]
    )


def _conv1d_every_position(x, w, b):
    N, C, L = x.shape
    F, _, K = w.shape
    out = np.zeros((N, F, L - K + 1))
    for n in range(N):
        for f in range(F):
            for i in range(L - K + 1):
                s = b[f]
                for c in range(C):
                    for k in range(K):
                        s += w[f, c, k] * x[n, c, i + k]
                out[n, f, i] = s
    return out


def _conv1d_centres_x_in_place(x, w, b):
    x -= x.mean(axis=2, keepdims=True)  # changes the caller's x
    return _conv1d(x, w, b)


def _padded(left, right):
    """The layer on x padded with ``left(K)`` and ``right(K)`` zeros."""
    return lambda x, w, b: _conv1d(np.pad(x, ((0, 0), (0, 0), (left(w.shape[2]), right(w.shape[2])))), w, b)


def _three_samples_only(x, w, b):
    return np.stack([_conv1d(x[[n % 3]] if n < 3 else x[[0]], w, b)[0] for n in range(len(x))])


def _channels_not_summed(x, w, b):
    return np.einsum("ncik,fck->nfci", sliding_window_view(x, w.shape[2], axis=2), w) + b[:, None, None]


def _left_as_stub(x, w, b):
    out = ...
    return out


known(
    check_conv1d,
    right=[_conv1d, _conv1d_over_k, _conv1d_numpy],
    mistakes=[
        caught("still `...`", _left_as_stub, "stub"),
        caught("flipped the filter", lambda x, w, b: _conv1d(x, w[:, :, ::-1], b), "convolution"),
        caught(
            "mathematical convolution", lambda x, w, b: _conv1d_numpy(x, w, b, how=np.convolve), "np.convolve"
        ),
        caught("('same')", _padded(lambda K: (K - 1) // 2, lambda K: K // 2), "same"),
        caught("('full'", _padded(lambda K: K - 1, lambda K: K - 1), "full"),
        caught("one position short", lambda x, w, b: _conv1d(x, w, b)[:, :, :-1], "range(L - K)"),
        caught("one position too many", _padded(lambda K: 0, lambda K: 1), "range(L - K + 2)"),
        caught("the bias is missing", lambda x, w, b: _conv1d(x, w, 0 * b), "no bias"),
        caught(
            "added the bias b[f] 4 times",
            lambda x, w, b: _conv1d_over_k(x, w, b, bias_in_loop=True),
            "bias K times",
        ),
        caught(
            "raised ValueError", lambda x, w, b: _conv1d(x, w, 0 * b) + b[None, None, :], "bias on positions"
        ),
        caught(
            "averaged over the window", lambda x, w, b: _conv1d(x, w, 0 * b) / w.shape[2] + b[:, None], "mean"
        ),
        caught("only the first input channel", lambda x, w, b: _conv1d(x[:, :1], w[:, :1], b), "one channel"),
        caught("sum the products over the channels", _channels_not_summed, "channels not summed"),
        caught("axes are swapped", lambda x, w, b: _conv1d(x, w, b).transpose(1, 0, 2), "filters first"),
        caught(
            "positions last", lambda x, w, b: _conv1d(x, w, b).transpose(0, 2, 1), "positions before filters"
        ),
        caught("summed over the samples", lambda x, w, b: _conv1d(x, w, b).sum(axis=0), "samples summed"),
        caught(
            "its own weights w[f]",
            lambda x, w, b: np.repeat(_conv1d(x, w[:1], b[:1]), len(w), axis=1),
            "one filter for all",
        ),
        caught(
            "channels are paired the wrong way round", lambda x, w, b: _conv1d(x[:, ::-1], w, b), "channels"
        ),
        caught("assume a particular number", _three_samples_only, "three samples"),
        caught("right, but slow", _conv1d_every_position, "five loops"),
        caught("changed its argument `x`", _conv1d_centres_x_in_place, "x centred in place"),
    ],
)


# --------------------------------------------------------------------------- Exercise 3.4


def _blobs(seed: int = 0) -> tuple[np.ndarray, int]:
    """Four well-separated, unequal 2-D clusters: the silhouette score peaks at k = 4."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0], [6.0, 6.0]])
    counts = [40, 30, 25, 35]
    X = np.vstack([c + rng.normal(0.0, 0.6, size=(n, 2)) for c, n in zip(centres, counts)])
    return X, len(centres)


def _by_silhouette(X, ks, seed, *, n_init=10):
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    scores = [
        silhouette_score(X, KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(X)) for k in ks
    ]
    return int(ks[int(np.argmax(scores))]), scores


def _k_and_silhouettes(out, case: Case):
    """The contract of 3.4: (best_k, scores), one score per k, each in [-1, 1], best_k an integer."""
    ks = case.args[1]
    best_k, scores = expect_pair(out, "return a pair (best_k, scores), got {got}.")
    scores = expect_array(scores, "scores", hint="scores should be a list or array of numbers, one per k.")
    require(
        scores.shape == (len(ks),),
        f"scores should hold one number per k in ks ({len(ks)} of them), got shape {scores.shape}.",
    )
    require(
        not (np.any(scores < -1) or np.any(scores > 1)),
        "silhouette scores lie between -1 and 1; use sklearn.metrics.silhouette_score.",
    )
    return expect_int(
        best_k, "best_k", "best_k should be an integer (a number of clusters), got {got}."
    ), scores


def _same_silhouettes(a, b) -> bool:
    return allclose(a[1], b[1], rtol=0)


def _silhouette_otherwise(case: Case, got) -> str:
    X, ks, seed = case.args
    best_k = got[0]
    ref = np.asarray(_by_silhouette(X, ks, seed)[1])
    if not _same_silhouettes(got, (None, ref)):
        return (
            "the scores are not the silhouette scores of k-means clusterings: for each k, fit "
            "KMeans(n_clusters=k, n_init=10, random_state=seed) and score its labels with "
            "silhouette_score(X, labels)."
        )
    hint = (
        " — that is the position in ks, not the k itself"
        if best_k == int(np.argmax(ref))
        else " — the best k is the one with the highest silhouette score"
    )
    return f"on {case.about} best_k should be {ks[int(np.argmax(ref))]}, got {best_k}{hint}."


def _same_seed_same_scores(spec: Spec, fn) -> None:
    case = spec.cases()[1]
    require(
        _same_silhouettes(spec._normalised(fn, case), spec._normalised(fn, case)),
        "two calls with the same seed gave different scores: pass random_state=seed to KMeans.",
    )


_calls = itertools.count(100)


def _unseeded(X, ks, seed):
    """random_state=None, made deterministic for the tests: every call starts k-means from other centres."""
    return _by_silhouette(X, ks, next(_calls))


def _scales_X_in_place(X, ks, seed):
    X /= X.std()  # changes the caller's X
    return _by_silhouette(X, ks, seed)


def _pick(rule):
    """A choice of k from the right scores by ``rule(scores, ks)``."""
    return lambda X, ks, seed: (rule(_by_silhouette(X, ks, seed)[1], ks), _by_silhouette(X, ks, seed)[1])


def _lowest_inertia(X, ks, seed):
    from sklearn.cluster import KMeans

    inertias = [KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X).inertia_ for k in ks]
    return int(ks[int(np.argmin(inertias))]), inertias


check_choose_k_by_silhouette = register(
    "check_choose_k_by_silhouette",
    Spec(
        exercise="Exercise 3.4",
        reference=_by_silhouette,
        # four well-separated blobs, where the best k is 4; then structureless points where k-means depends
        # on its seed, with another seed
        cases=lambda: [
            Case(_blobs()[0], list(range(2, 8)), 0, about="four well-separated blobs"),
            Case(
                np.random.default_rng(1).uniform(0.0, 1.0, size=(60, 2)),
                [3, 5, 6, 8],
                7,
                about="structureless points",
            ),
        ],
        returns="(best_k, one score per k)",
        contract=_k_and_silhouettes,
        same=lambda a, b: a[0] == b[0] and _same_silhouettes(a, b),
        first=[Probe(_same_seed_same_scores)],
        otherwise=_silhouette_otherwise,
        success=lambda got: f"the silhouette score peaks at k = {got[0]} on four well-separated blobs.",
        mistakes=[
            Mistake(
                "with seed=7 you get the scores of seed 0: pass the argument seed on, random_state=seed.",
                lambda X, ks, seed: _by_silhouette(X, ks, 0),
                "seed ignored",
                same=_same_silhouettes,
            ),
            caught("position in ks", _pick(lambda s, ks: int(np.argmax(s))), "position"),
            caught("silhouette", _lowest_inertia, "lowest inertia"),
            caught("highest silhouette", _pick(lambda s, ks: ks[int(np.argmin(s))]), "smallest"),
            caught(
                "one number per k",
                lambda X, ks, seed: (_by_silhouette(X, ks, seed)[0], _by_silhouette(X, ks, seed)[1][:-1]),
                "too few scores",
            ),
            caught("pair (best_k, scores)", lambda X, ks, seed: _by_silhouette(X, ks, seed)[0], "k only"),
            caught("same seed gave different scores", _unseeded, "unseeded"),
            caught("n_init=10", lambda X, ks, seed: _by_silhouette(X, ks, seed, n_init=1), "one start"),
            caught(
                "one number per k",
                lambda X, ks, seed: _by_silhouette(X, list(range(2, 8)), seed),
                "ks hard-coded",
            ),
            caught("should be an integer", _pick(lambda s, ks: max(s)), "best score"),
            caught("changed its argument `X`", _scales_X_in_place, "X scaled in place"),
        ],
    ),
)


# --------------------------------------------------------------------------- quiz

register_quiz(load_quiz(3))  # the questions' answers and whys: quizzes/session3.toml
