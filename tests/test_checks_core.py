"""The pattern every self-check shares: @check, call (time limit, crashes, changed inputs), expect_*, quizzes."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from helpers.checks import _core
from helpers.checks._core import (
    LETTERS,
    Question,
    Quiz,
    call,
    check,
    expect_array,
    expect_int,
    expect_number,
    expect_pair,
    fail,
    require,
)


def verdict(capsys) -> str:
    """The line of the last verdict a check gave (and forget it, so that the next call must give its own)."""
    given = _core.latest()
    assert given is not None, "the check gave no verdict"
    _core._LATEST.clear()
    return str(given)


@check("Exercise 9.9")
def check_double(double):
    got = expect_array(call(double, np.arange(3.0), returns="shape (3,)"), "the result", shape=(3,))
    require(not np.allclose(got, 0), "you returned zeros: multiply x by 2.")
    require(np.allclose(got, [0, 2, 4]), "not 2·x for x = [0, 1, 2].")
    return "2·x, element by element."


def test_a_check_returns_one_verdict_line(capsys):
    assert str(check_double(lambda x: 2 * x)) == "✔ Exercise 9.9: 2·x, element by element."
    check_double(lambda x: 2 * x)
    assert verdict(capsys) == "✔ Exercise 9.9: 2·x, element by element."
    check_double(lambda x: 0 * x)
    assert verdict(capsys) == "✘ Exercise 9.9: you returned zeros: multiply x by 2."
    check_double(lambda x: x[:2])
    assert verdict(capsys) == "✘ Exercise 9.9: the result should have shape (3,), got (2,)."


def test_the_label_can_come_from_the_checks_own_argument(capsys):
    @check(exercise=None)
    def check_value(value, exercise="Exercise 9.8"):
        require(value == 1, "not 1.")
        return "1."

    check_value(1)
    assert verdict(capsys) == "✔ Exercise 9.8: 1."
    check_value(2, exercise="Exercise 9.7")
    assert verdict(capsys) == "✘ Exercise 9.7: not 1."


def test_a_bug_in_a_check_itself_is_not_hidden():
    @check("Exercise 9.9")
    def broken(fn):
        return 1 / 0

    with pytest.raises(ZeroDivisionError):
        broken(None)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (None, "expected a function, got NoneType"),
        (np.zeros(3), "expected a function, got ndarray"),
    ],
)
def test_call_refuses_what_is_not_a_function(capsys, fn, hint):
    check_double(fn)
    assert hint in verdict(capsys)


def test_call_says_which_earlier_exercise_is_not_done(capsys):
    def uses_an_unfinished_helper(x):
        raise NotImplementedError("Exercise 2.1: write your code here (see the instructions above)")

    check_double(uses_an_unfinished_helper)
    assert "uses Exercise 2.1, which is not done yet" in verdict(capsys)

    def stub(x):
        raise NotImplementedError("Exercise 9.9: write your code here (see the instructions above)")

    check_double(stub)
    assert "not done yet — fill in the cell" in verdict(capsys)


def test_a_crash_names_the_line_the_shapes_on_it_and_the_arguments(capsys):
    def double(x):
        weights = np.ones((2, 2))
        return weights @ x

    check_double(double)
    out = verdict(capsys)
    assert out.startswith("✘ Exercise 9.9: your function raised ValueError: matmul"), out
    assert "of double, `return weights @ x` (weights: shape (2, 2))" in out, out
    assert "called with x: shape (3,); it should return shape (3,)." in out, out
    assert out.count("\n") == 0


@pytest.mark.parametrize(
    "change, name",
    [
        (lambda a: a.__setitem__(0, 5.0), "a"),
        (lambda a: a.sort(), "a"),
    ],
)
def test_call_notices_a_changed_array(change, name):
    def fn(a):
        change(a)
        return a

    with pytest.raises(_core.CheckFailed, match=f"changed its argument `{name}`"):
        call(fn, np.array([3.0, 1.0, 2.0]))


@pytest.mark.parametrize(
    "make, change",
    [
        (lambda: pd.DataFrame({"x": [1, 2]}), lambda d: d.insert(1, "y", 0)),
        (lambda: {"W": np.zeros(2)}, lambda d: d["W"].__iadd__(1.0)),
        (lambda: [1, 2], lambda d: d.append(3)),
    ],
)
def test_call_notices_changed_dataframes_dicts_and_lists(make, change):
    with pytest.raises(_core.CheckFailed, match="changed its argument"):
        call(lambda data: change(data), make())
    call(lambda data: change(data), make(), check_inputs=False)  # allowed when the check says so


def test_call_runs_student_code_with_a_time_limit_and_stops_it(capsys, monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.3)

    def endless(x):
        while True:
            print("still", "here")  # stopped between two words, or anywhere: the verdict gets its own line

    t0 = time.perf_counter()
    check_double(endless)
    out = verdict(capsys)
    assert time.perf_counter() - t0 < 3
    assert out.splitlines()[-1].startswith("✘ Exercise 9.9: your function was still running after 0.3 s"), out
    time.sleep(0.1)
    assert not [t for t in threading.enumerate() if t.name == "student code"], "the loop was stopped"


def test_student_code_sees_the_callers_numpy_error_settings():
    with np.errstate(over="ignore"):
        assert call(lambda: np.geterr()["over"]) == "ignore"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#228833", "#e4f1e7") == pytest.approx(3.88, abs=0.01)  # the old ✔ line


@pytest.mark.parametrize("passed", [True, False])
def test_verdict_text_reaches_wcag_aa_contrast_on_its_background(passed):
    colours = _core.VERDICT_COLOURS[passed]
    assert contrast(colours["text"], colours["background"]) >= 4.5
    html = _core.Verdict(passed, "Exercise 9.9", "m")._repr_html_()
    assert f"color: {colours['text']}" in html and f"background: {colours['background']}" in html


def test_a_verdict_shows_as_coloured_html_with_the_same_plain_text():
    v = check_double(lambda x: 0 * x)
    assert isinstance(v, _core.Verdict) and not v.passed and not v
    assert (v.exercise, v.message) == ("Exercise 9.9", "you returned zeros: multiply x by 2.")
    bundle = v._repr_mimebundle_()
    assert bundle["text/plain"] == str(v) == repr(v) == "✘ Exercise 9.9: you returned zeros: multiply x by 2."
    assert "✘ Exercise 9.9:" in bundle["text/html"] and "#EE6677" in bundle["text/html"]
    escaped = _core.Verdict(False, "Exercise 9.9", "use <= , not <")._repr_html_()
    assert "use &lt;= , not &lt;" in escaped
    assert check_double(lambda x: 2 * x).passed


def test_a_check_prints_nothing_itself(capsys):
    check_double(lambda x: 0 * x)
    assert capsys.readouterr().out == ""


def test_raising_mode_turns_a_cross_into_an_assertion_error_with_the_hint(monkeypatch):
    assert check_double(lambda x: 2 * x, strict=True).passed
    with pytest.raises(AssertionError, match=r"^✘ Exercise 9.9: you returned zeros: multiply x by 2\.$"):
        check_double(lambda x: 0 * x, strict=True)
    with pytest.raises(AssertionError, match="you returned zeros"):
        check_double(lambda x: 0 * x).raise_if_failed()
    monkeypatch.setenv(_core.STRICT_ENV, "1")
    with pytest.raises(AssertionError, match="not done yet"):
        check_double(lambda x: (_ for _ in ()).throw(NotImplementedError("Exercise 9.9: write")))
    with pytest.raises(AssertionError, match="answer with one letter"):
        _core.check_quiz(1, 1, "?")
    assert not check_double(lambda x: 0 * x, strict=False).passed


@pytest.mark.parametrize(
    "helper, value, match",
    [
        (lambda v: expect_pair(v, "return (a, b); got {got}."), (1, 2, 3), "got a tuple of 3"),
        (lambda v: expect_int(v, "k", "k should be an int, got {got}."), 2.0, "got float"),
        (lambda v: expect_int(v, "k", "k should be an int, got {got}."), True, "got bool"),
        (lambda v: expect_number(v, "acc", hint="a number, got {got}.", min_val=0.0), "0.5", "got str"),
        (lambda v: expect_number(v, "acc", hint="?", bounds_hint="{value} < 0", min_val=0.0), -1, "-1 < 0"),
        (lambda v: expect_array(v, "H"), [[1], [2, 3]], "H should be an array of numbers"),
    ],
)
def test_expect_helpers_fail_with_their_hint(helper, value, match):
    with pytest.raises(_core.CheckFailed, match=match):
        helper(value)


def test_expect_helpers_pass_numpy_values_through():
    assert expect_pair([1, 2], "?") == (1, 2)
    assert expect_int(np.int64(3), "k", "?") == 3
    assert expect_number(np.float64(0.5), "acc", hint="?", min_val=0.0, max_val=1.0) == 0.5
    assert _core.show(np.int64(2)) == "2"
    with pytest.raises(_core.CheckFailed, match="stop"):
        fail("stop")


# --------------------------------------------------------------------------- quizzes


def _question(**kw):
    args = {
        "answer": "b",
        "why": "because.",
        "wrong": {"a": "no.", "c": "no.", "d": "no."},
        "reread": "Theory",
    }
    return Question(**(args | kw))


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"answer": ""}, "answer must be one of"),
        ({"answer": "ab"}, "answer must be one of"),
        ({"answer": "e"}, "answer must be one of"),
        ({"wrong": {"a": "no.", "c": "no."}}, "wrong must explain exactly"),
        ({"wrong": {"a": "no.", "b": "no.", "c": "no."}}, "wrong must explain exactly"),
        ({"reread": ""}, "non-empty"),
        ({"wrong": {"a": "no.", "c": "", "d": "no."}}, "non-empty"),
    ],
)
def test_a_question_needs_one_letter_and_an_explanation_of_every_other_option(kw, match):
    with pytest.raises(ValueError, match=match):
        _question(**kw)


def test_every_registered_quiz_has_a_right_letter_and_three_explained_wrong_ones():
    assert sorted(_core._QUIZZES) == [1, 2, 3, 4]
    for quiz in _core._QUIZZES.values():
        for question in quiz.questions.values():
            assert question.answer in set(LETTERS)  # a set: "" and "ab" are not in it
            assert sorted({question.answer, *question.wrong}) == list(LETTERS)
            assert len(set(question.wrong.values())) == 3, "each wrong option has its own explanation"


def test_a_quiz_answer_is_read_leniently_but_must_be_one_letter(capsys):
    quiz = Quiz(9, {1: _question()})
    for answer in ("b", " B ", "(b)", "b)"):
        quiz.check(1, answer)
        assert verdict(capsys) == "✔ Session 9 quiz Q1: correct. because."
    quiz.check(1, "c")
    assert verdict(capsys) == "✘ Session 9 quiz Q1: not c: no. Reread “Theory” and try another letter."
    for answer in ("", "ab", "?", 2):
        quiz.check(1, answer)
        assert "answer with one letter" in verdict(capsys)
    quiz.check(7, "b")
    assert "there is no question 7; the questions are 1." in verdict(capsys)
    _core.check_quiz(99, 1, "a")
    assert "there is no quiz for session 99" in verdict(capsys)


@pytest.mark.parametrize(
    "code, used",
    [
        (lambda: np.random.default_rng(0).normal(), False),
        (lambda: np.random.normal(), True),
        (lambda: np.random.seed(0), True),
        (lambda: (np.random.seed(0), np.random.choice(60, 12, replace=False)), True),
    ],
)
def test_global_random_use_is_seen_whatever_the_state_before(code, used):
    for earlier in (None, 0):  # even when the state before is the very state the code leaves behind
        np.random.seed(earlier)
        code()
        before = np.random.get_state()
        with _core.GlobalRandomUse() as rng:
            code()
        assert rng.used is used
        after = np.random.get_state()
        assert np.array_equal(after[1], before[1]) and after[2:] == before[2:], (
            "the caller's state is restored"
        )
