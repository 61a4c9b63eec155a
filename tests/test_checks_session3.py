"""Session 3 self-checks: a right answer gets ✔, wrong answers and unwritten stubs get ✘."""

from __future__ import annotations

import numpy as np

from helpers.checks import _core, check_quiz
from helpers.checks import session3 as S3
from helpers.checks._core import _QUIZZES
from helpers.checks.session3 import (
    check_loss_and_grads,
)

# --------------------------------------------------------------------------- right answers


loss_and_grads = S3._loss_and_grads


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


# 3.2's mistakes live next to its check: tests/test_checks_specs.py


# --------------------------------------------------------------------------- Exercise 3.3


# 3.3's right answers and mistakes live next to its check: tests/test_checks_specs.py


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
