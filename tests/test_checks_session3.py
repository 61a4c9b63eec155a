"""Session 3 self-checks: a right answer gets ✔, wrong answers and unwritten stubs get ✘."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from helpers.checks import _core, check_quiz
from helpers.checks import session3 as S3
from helpers.checks._core import _QUIZZES
from helpers.checks.session3 import (
    check_conv1d,
    check_loss_and_grads,
)

# --------------------------------------------------------------------------- right answers


def forward(params, X):
    H = np.tanh(X @ params["W1"] + params["b1"])
    Z = H @ params["W2"] + params["b2"]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return H, E / E.sum(axis=1, keepdims=True)


def loss_and_grads(params, X, Y):
    n = len(X)
    H, P = forward(params, X)
    loss = -np.mean(np.sum(Y * np.log(P), axis=1))
    dZ = (P - Y) / n
    dA = (dZ @ params["W2"].T) * (1 - H**2)
    grads = {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dZ, "b2": dZ.sum(axis=0)}
    return loss, grads


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise 3.x: write your code here (see the instructions above)")


def verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


# --------------------------------------------------------------------------- Exercise 3.1


# 3.1 is a spec: its mistakes are tested by tests/test_checks_specs.py.


# --------------------------------------------------------------------------- Exercise 3.2


def test_gradients_right_answer_passes_and_reports_a_tiny_error(capsys):
    assert check_loss_and_grads(loss_and_grads).passed
    out = verdict(capsys)
    assert out.startswith("✔ Exercise 3.2") and "max relative error" in out, out
    assert "max relative error < 1e-08" in out, out  # a right answer is exact to rounding


def test_gradient_check_does_not_change_or_depend_on_mutated_params(capsys):
    def mutating(params, X, Y):
        loss, grads = loss_and_grads(params, X, Y)
        params["W1"] -= 0.1 * grads["W1"]  # a student's in-place update must not break the check
        return loss, grads

    check_loss_and_grads(mutating)
    assert verdict(capsys).startswith("✔ Exercise 3.2")


def no_tanh_derivative(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    _, P = forward(params, X)
    dA = ((P - Y) / len(X)) @ params["W2"].T
    return loss, dict(grads, W1=X.T @ dA, b1=dA.sum(axis=0))


def summed_gradients(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    return loss, {k: v * len(X) for k, v in grads.items()}


def bias_mean(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    _, P = forward(params, X)
    return loss, dict(grads, b2=((P - Y) / len(X)).mean(axis=0))


def summed_loss(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    return loss * len(X), grads


def wrong_shapes(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    return loss, dict(grads, W1=grads["W1"].T)


def missing_key(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    del grads["b1"]
    return loss, grads


def sign_flipped(params, X, Y):
    loss, grads = loss_and_grads(params, X, Y)
    return loss, {k: -v for k, v in grads.items()}


def loss_over_classes_too(params, X, Y):
    _, grads = loss_and_grads(params, X, Y)
    return -np.mean(Y * np.log(forward(params, X)[1])), grads


def loss_per_sample(params, X, Y):
    _, grads = loss_and_grads(params, X, Y)
    return -np.sum(Y * np.log(forward(params, X)[1]), axis=1), grads


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (stub, "not done yet"),
        (no_tanh_derivative, "W1"),
        (summed_gradients, "same factor"),
        (bias_mean, "sum of the upstream gradient"),
        (summed_loss, "take the mean"),
        (wrong_shapes, "should have the shape of W1"),
        (missing_key, "keys"),
        (sign_flipped, "disagree"),
        (sign_flipped, "sign is flipped"),
        (loss_over_classes_too, "sum over the classes"),
        (loss_per_sample, "one value per sample"),
    ],
    ids=lambda x: getattr(x, "__name__", "hint"),
)
def test_gradients_wrong_answers_fail_with_a_hint(capsys, wrong, hint):
    check_loss_and_grads(wrong)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 3.2") and hint in out, out


# --------------------------------------------------------------------------- Exercise 3.3


def conv1d(x, w, b):
    windows = sliding_window_view(x, w.shape[2], axis=2)  # (N, C, L - K + 1, K)
    return np.einsum("ncik,fck->nfi", windows, w) + b[:, None]


def conv1d_loop_over_k(x, w, b):
    K, L_out = w.shape[2], x.shape[2] - w.shape[2] + 1
    out = np.zeros((len(x), len(w), L_out)) + b[:, None]
    for k in range(K):
        out += np.einsum("ncl,fc->nfl", x[:, :, k : k + L_out], w[:, :, k])
    return out


def conv1d_numpy_correlate(x, w, b):
    return np.array(
        [
            [
                b[f] + sum(np.correlate(x[n, c], w[f, c], "valid") for c in range(x.shape[1]))
                for f in range(len(w))
            ]
            for n in range(len(x))
        ]
    )


@pytest.mark.parametrize("right", [conv1d, conv1d_loop_over_k, conv1d_numpy_correlate])
def test_conv1d_right_answers_pass(capsys, right):
    check_conv1d(right)
    assert verdict(capsys).startswith("✔ Exercise 3.3")


def flipped_filter(x, w, b):  # the mathematical convolution
    return conv1d(x, w[:, :, ::-1], b)


def numpy_convolve(x, w, b):
    return np.array(
        [
            [
                b[f] + sum(np.convolve(x[n, c], w[f, c], "valid") for c in range(x.shape[1]))
                for f in range(len(w))
            ]
            for n in range(len(x))
        ]
    )


def same_length(x, w, b):
    K = w.shape[2]
    padded = np.pad(x, ((0, 0), (0, 0), ((K - 1) // 2, K // 2)))
    return conv1d(padded, w, b)


def full_length(x, w, b):
    K = w.shape[2]
    return conv1d(np.pad(x, ((0, 0), (0, 0), (K - 1, K - 1))), w, b)


def one_window_short(x, w, b):
    return conv1d(x, w, b)[:, :, :-1]  # range(L - K) windows


def one_window_too_many(x, w, b):
    return conv1d(np.pad(x, ((0, 0), (0, 0), (0, 1))), w, b)  # range(L - K + 2), the last padded


def no_bias(x, w, b):
    return conv1d(x, w, np.zeros_like(b))


def bias_in_the_k_loop(x, w, b):
    K, L_out = w.shape[2], x.shape[2] - w.shape[2] + 1
    out = np.zeros((len(x), len(w), L_out))
    for k in range(K):
        out += np.einsum("ncl,fc->nfl", x[:, :, k : k + L_out], w[:, :, k]) + b[:, None]
    return out


def bias_along_positions(x, w, b):
    return conv1d(x, w, np.zeros_like(b)) + b[None, None, :]  # the wrong axis: cannot broadcast


def mean_over_window(x, w, b):
    return conv1d(x, w, np.zeros_like(b)) / w.shape[2] + b[:, None]


def first_channel_only(x, w, b):
    return conv1d(x[:, :1], w[:, :1], b)


def channels_not_summed(x, w, b):
    windows = sliding_window_view(x, w.shape[2], axis=2)
    return np.einsum("ncik,fck->nfci", windows, w) + b[:, None, None]


def filters_first(x, w, b):
    return conv1d(x, w, b).transpose(1, 0, 2)


def positions_before_filters(x, w, b):
    return conv1d(x, w, b).transpose(0, 2, 1)


def summed_over_samples(x, w, b):
    return conv1d(x, w, b).sum(axis=0)


def one_filter_for_all(x, w, b):
    return np.repeat(conv1d(x, w[:1], b[:1]), len(w), axis=1)


def channels_paired_wrongly(x, w, b):
    return conv1d(x[:, ::-1], w, b)


def works_for_three_samples_only(x, w, b):
    return np.stack(
        [conv1d(x[[n % 3]], w, b)[0] if n < 3 else conv1d(x[[0]], w, b)[0] for n in range(len(x))]
    )


def loop_over_every_position(x, w, b):
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


def centres_x_in_place(x, w, b):
    x -= x.mean(axis=2, keepdims=True)  # changes the caller's x
    return conv1d(x, w, b)


def left_as_stub(x, w, b):
    out = ...
    return out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (stub, "not done yet"),
        (left_as_stub, "still `...`"),
        (flipped_filter, "flipped the filter"),
        (numpy_convolve, "mathematical convolution"),
        (same_length, "('same')"),
        (full_length, "('full'"),
        (one_window_short, "one position short"),
        (one_window_too_many, "one position too many"),
        (no_bias, "the bias is missing"),
        (bias_in_the_k_loop, "added the bias b[f] 4 times"),
        (bias_along_positions, "raised ValueError"),
        (mean_over_window, "averaged over the window"),
        (first_channel_only, "only the first input channel"),
        (channels_not_summed, "sum the products over the channels"),
        (filters_first, "axes are swapped"),
        (positions_before_filters, "positions last"),
        (summed_over_samples, "summed over the samples"),
        (one_filter_for_all, "its own weights w[f]"),
        (channels_paired_wrongly, "channels are paired the wrong way round"),
        (works_for_three_samples_only, "assume a particular number"),
        (loop_over_every_position, "right, but slow"),
        (centres_x_in_place, "changed its argument `x`"),
    ],
    ids=lambda x: getattr(x, "__name__", "hint"),
)
def test_conv1d_wrong_answers_fail_with_a_hint(capsys, wrong, hint):
    check_conv1d(wrong)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 3.3") and hint in out, out


def test_conv1d_reference_is_the_formula():
    x, w, b = S3._conv_case()
    formula = np.array(
        [
            [
                [
                    b[f]
                    + sum(w[f, c, k] * x[n, c, i + k] for c in range(x.shape[1]) for k in range(w.shape[2]))
                    for i in range(x.shape[2] - w.shape[2] + 1)
                ]
                for f in range(len(w))
            ]
            for n in range(len(x))
        ]
    )
    assert np.allclose(S3._reference_conv1d(x, w, b), formula)


# 3.4 is a spec: tests/test_checks_specs.py


# --------------------------------------------------------------------------- quiz


def test_session3_quiz_is_registered_with_one_right_letter_per_question(capsys):
    quiz = _QUIZZES[3]
    assert 3 <= len(quiz.questions) <= 5
    for q, question in quiz.questions.items():
        assert question.answer in {"a", "b", "c", "d"} and question.why and question.reread
        assert set(question.wrong) == {"a", "b", "c", "d"} - {question.answer}
        check_quiz(3, q, question.answer)
        assert verdict(capsys).startswith(f"✔ Session 3 quiz Q{q}")
        for wrong, why in question.wrong.items():
            check_quiz(3, q, wrong)
            out = verdict(capsys)
            assert out.startswith(f"✘ Session 3 quiz Q{q}") and why in out and question.reread in out, out


def test_public_checks_are_exported():
    assert set(S3.__all__) == {
        "check_forward",
        "check_loss_and_grads",
        "check_conv1d",
        "check_choose_k_by_silhouette",
    }
    import helpers.checks as C

    for name in S3.__all__:
        assert getattr(C, name) is getattr(S3, name)
