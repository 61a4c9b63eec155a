"""What every self-check shares: one pattern for a check, one way to call student code, the quiz.

A check is a function decorated with :func:`check`.  It calls the student's code
through :func:`call`, tests the result with :func:`require` (or the ``expect_…``
helpers) and returns the ✔ message; the first failed test stops it with a ✘ line::

    @check("Exercise 9.9")
    def check_double(double):
        got = expect_array(call(double, np.arange(3.0), returns="shape (3,)"), "the result", shape=(3,))
        require(not np.allclose(got, 0), "you returned zeros: multiply x by 2.")
        require(np.allclose(got, [0, 2, 4]), "not 2·x for x = [0, 1, 2].")
        return "2·x, element by element."

:func:`call` turns everything that can go wrong in student code into a ✘ line that
names the mistake: "not written yet" (the stub's ``NotImplementedError``), a crash
(with the line that raised and the shapes of the arrays on it, and the shapes the
function was called with), a call that runs longer than :data:`TIME_LIMIT`, and a
function that changes the arrays it was given.
"""

from __future__ import annotations

import contextvars
import copy
import ctypes
import functools
import html
import inspect
import linecache
import numbers
import os
import random
import re
import sys
import sysconfig
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.validation import check_scalar

PASS, FAIL = "✔", "✘"

TIME_LIMIT = 10.0
"""Seconds a student's function may run on a check's small problem before it counts as stuck."""

_exercise: contextvars.ContextVar[str] = contextvars.ContextVar("exercise", default="")


class CheckFailed(Exception):
    """Stops a check with a ✘ line; the message is the hint (it points at the mistake, never the answer)."""


def require(condition, hint: str) -> None:
    """Fail the check with ``hint`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(hint)


def fail(hint: str):
    """Fail the check with ``hint``."""
    raise CheckFailed(hint)


# --------------------------------------------------------------------------- the verdict

# Text on background, both >= 4.5:1 (WCAG AA for normal text; tests/test_checks_core.py computes it):
# the course's green #228833 and red #EE6677 stay as the bar on the left, the text is a darker shade.
VERDICT_COLOURS = {
    True: {"bar": "#228833", "text": "#1a6b2b", "background": "#e4f1e7"},
    False: {"bar": "#EE6677", "text": "#a3233a", "background": "#fdecef"},
}

STRICT_ENV = "ML4CHEM_STRICT"
"""With this environment variable set to 1, a failed check raises :class:`AssertionError` (grading)."""


class CheckError(AssertionError):
    """A failed check in raising mode: the message is the ✘ line (the hint), the traceback adds nothing."""


@dataclass(frozen=True)
class Verdict:
    """What a check returns: ``passed``, the ``exercise`` it is about and the ``message`` (the hint on ✘).

    Shown in JupyterLab as one coloured line (``text/html``) with the same line as ``text/plain``
    (what nbval, a terminal and ``print`` show).  ``verdict.raise_if_failed()`` turns a ✘ into an
    :class:`AssertionError` whose message is the ✘ line (what an autograder needs).
    """

    passed: bool
    exercise: str
    message: str

    def __str__(self) -> str:
        return f"{PASS if self.passed else FAIL} {self.exercise}: {self.message}"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.passed

    def _repr_html_(self) -> str:
        c = VERDICT_COLOURS[self.passed]
        return (
            f'<div style="border-left: 4px solid {c["bar"]}; background: {c["background"]}; '
            f'color: {c["text"]}; padding: 2px 8px; margin: 2px 0"><b>{PASS if self.passed else FAIL} '
            f"{html.escape(self.exercise)}:</b> {html.escape(self.message)}</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": str(self), "text/html": self._repr_html_()}

    def raise_if_failed(self) -> Verdict:
        """Return the verdict if it passed; raise :class:`CheckError` (an AssertionError) with the ✘ line if not."""
        __tracebackhide__ = True  # IPython and pytest shorten tracebacks through frames that set this
        if not self.passed:
            raise CheckError(str(self)) from None
        return self


_LATEST: list[Verdict] = []


def latest() -> Verdict | None:
    """The last verdict any check gave in this process (for tests that run a notebook's code)."""
    return _LATEST[-1] if _LATEST else None


def _strict_from_env() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes"}


def verdict(label: str, ok: bool, message: str, strict: bool | None = None) -> Verdict:
    """The verdict ``✔/✘ label: message``; with ``strict`` (default: :data:`STRICT_ENV`) a ✘ raises."""
    __tracebackhide__ = True
    result = Verdict(bool(ok), label, message)
    _LATEST[:] = [result]
    if strict if strict is not None else _strict_from_env():
        result.raise_if_failed()
    return result


def report(label: str, ok: bool, message: str) -> Verdict:
    """The :class:`Verdict` of one line (kept for callers of the old name)."""
    return verdict(label, ok, message)


# --------------------------------------------------------------------------- the check decorator


def check(exercise: str | None = None):
    """Make ``fn`` a self-check of ``exercise`` (e.g. ``"Exercise 2.1"``).

    The decorated function returns the ✔ message; a :class:`CheckFailed` raised anywhere in it
    (by :func:`require`, :func:`fail`, :func:`call`, the ``expect_…`` helpers) becomes the ✘
    line.  With ``exercise=None`` the check takes the label from its own ``exercise`` argument.
    The check returns a :class:`Verdict`; ``strict=True`` (or the environment variable
    :data:`STRICT_ENV`) makes a ✘ raise an :class:`AssertionError` instead (grading).
    """

    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args, strict: bool | None = None, **kwargs):
            __tracebackhide__ = True
            label = exercise
            if label is None:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                label = bound.arguments["exercise"]
            token = _exercise.set(label)
            try:
                message = fn(*args, **kwargs)
            except CheckFailed as failure:
                ok, message = False, str(failure)
            else:
                ok = True
            finally:
                _exercise.reset(token)
            return verdict(label, ok, message, strict)

        run.exercise = exercise
        return run

    return decorate


# --------------------------------------------------------------------------- calling student code


class _Stopped(BaseException):
    """Raised inside a student's function that ran out of time (not an Exception: nothing catches it)."""


def _describe(name: str, value) -> str:
    """``X: shape (60, 2)``, ``seed = 0``, ``params: {W1: (4, 5), ...}``: a name and what it holds."""
    if isinstance(value, np.generic):
        value = value.item()
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and not isinstance(value, type):
        return f"{name}: shape {shape}"
    if isinstance(value, (bool, numbers.Number, str)) or value is None:
        return f"{name} = {value!r}"[:60]
    if isinstance(value, Mapping):
        parts = [_describe(str(k), v).replace(": shape ", ": ") for k, v in list(value.items())[:6]]
        return f"{name}: {{{', '.join(parts)}}}"
    if isinstance(value, (list, tuple)):
        return f"{name}: a {type(value).__name__} of {len(value)}"
    return f"{name}: a {type(value).__name__}"


def _normalised(path) -> str:
    return os.path.normcase(str(Path(path).resolve()))  # Windows: one case for C:\ and c:\


def _library_dirs() -> tuple[str, ...]:
    """Python's own and the installed packages' folders, and the course's helpers package."""
    paths = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    return (*sorted(_normalised(p) for p in paths), _normalised(Path(__file__).parent.parent))


def _student_frame(exc: BaseException):
    """The innermost frame of the traceback that is neither the course's helpers nor a library."""
    libraries = _library_dirs()
    found = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith("<frozen") or _normalised(filename).startswith(libraries):
            continue
        found = frame, lineno
    return found


def _where(exc: BaseException, arguments) -> str:
    """``, at line 7 of f, `scores[:, k] = ...` (scores: shape (60, 3), k = 3)``, or '' when unknown.

    The variables named on that line are described, except the ``arguments`` of the call itself
    (the message lists those anyway).
    """
    found = _student_frame(exc)
    if found is None:
        return ""
    frame, lineno = found
    line = re.sub(r"\s+#.*$", "", linecache.getline(frame.f_code.co_filename, lineno).strip())
    if not line:
        return ""
    shown = []
    for name in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", line)):
        value = frame.f_locals.get(name, _describe)
        if value is not _describe and not callable(value) and not any(value is a for a in arguments):
            shown.append(_describe(name, value))
    names = f" ({', '.join(shown[:6])})" if shown else ""
    return f", at line {lineno} of {frame.f_code.co_name}, `{line[:100]}`{names}"


def _bind(fn, args, kwargs) -> dict:
    """The arguments by the student's own parameter names (positions when the names are unknown)."""
    try:
        return dict(inspect.signature(fn).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return {f"argument {i + 1}": a for i, a in enumerate(args)} | kwargs


def _snapshot(value):
    if isinstance(value, (np.ndarray, list, dict)) or type(value).__module__.startswith("pandas"):
        return copy.deepcopy(value)
    return None


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if hasattr(a, "equals") and type(a).__module__.startswith("pandas"):
        return type(a) is type(b) and a.equals(b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _stop(thread: threading.Thread) -> None:
    """Raise :class:`_Stopped` inside ``thread`` (CPython; delivered at its next Python bytecode)."""
    api = getattr(ctypes, "pythonapi", None)
    if api is not None and thread.is_alive():
        api.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Stopped))
        thread.join(1.0)


class _LineTracker:
    """Stands in for ``sys.stdout`` while student code runs: passes everything on, remembers the last character.

    A student's function that prints and is stopped mid-line must not glue the ✘ line to its output.
    """

    def __init__(self, stream):
        self._stream, self.last = stream, "\n"

    def write(self, text):
        if text:
            self.last = text[-1]
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _run_limited(fn, args, kwargs, limit: float):
    """``fn(*args, **kwargs)`` in a daemon thread; raises :class:`_Stopped` if it is not done in ``limit`` s."""
    context = contextvars.copy_context()  # numpy's errstate, the notebook cell its prints belong to, ...
    box = {}

    def target():
        try:
            box["value"] = context.run(fn, *args, **kwargs)
        except _Stopped:
            box["stopped"] = True
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="student code", daemon=True)
    stdout = sys.stdout = _LineTracker(sys.stdout)
    try:
        worker.start()
        worker.join(limit)
        if worker.is_alive():
            _stop(worker)
            if stdout.last != "\n":
                stdout.write("\n")
            raise _Stopped
    except KeyboardInterrupt:  # the kernel was interrupted: stop the student's code too
        _stop(worker)
        raise
    finally:
        sys.stdout = stdout._stream
    if "error" in box:
        raise box.pop("error")
    return box["value"]


def call(
    fn,
    *args,
    returns: str = "",
    slow_hint: str = "is there a loop that never ends?",
    changed_hint: str = "",
    check_inputs: bool = True,
    what: str = "your function",
    describe_args: bool = True,
    **kwargs,
):
    """Call the student's ``fn(*args, **kwargs)`` and return its result, or fail the check.

    The call runs with a time limit of :data:`TIME_LIMIT` seconds.  It fails (with a ✘ line
    that names the problem, never the solution) when ``fn`` is not a function, is the unwritten
    stub, raises, runs too long (``slow_hint`` says what to look at), or changes an array,
    list, dict or DataFrame it was given (``changed_hint`` replaces the default message;
    ``check_inputs=False`` allows it).
    ``returns`` describes the expected result (``"labels of shape (60,)"``) for the message
    after a crash, which also names the arguments' shapes (unless ``describe_args=False``)
    and ``what`` was called.  The options are keyword-only and never passed on to ``fn``.
    """
    if not callable(fn):
        fail(f"expected a function, got {type(fn).__name__}.")
    named = _bind(fn, args, kwargs)
    before = {name: _snapshot(value) if check_inputs else None for name, value in named.items()}
    try:
        result = _run_limited(fn, args, kwargs, TIME_LIMIT)
    except _Stopped:
        fail(f"{what} was still running after {TIME_LIMIT:g} s on a small problem — {slow_hint}")
    except NotImplementedError as exc:
        exercise = re.match(r"(Exercise \d+\.\d+)", str(exc))
        if exercise and exercise.group(1) != _exercise.get():
            fail(f"{what} uses {exercise.group(1)}, which is not done yet: finish that one first.")
        fail("not done yet — fill in the cell marked ✍️ above, run it, then run this check.")
    except Exception as exc:  # noqa: BLE001 - any crash in student code becomes a ✘ line
        message = " ".join(str(exc).split())[:300]
        where = _where(exc, named.values())
        called = ", ".join(_describe(name, value) for name, value in named.items())
        called = f" — called with {called}" if describe_args and called else ""
        expected = f"; it should return {returns}" if returns else ""
        fail(f"{what} raised {type(exc).__name__}: {message}{where}{called}{expected}.")
    for name, value in named.items():
        if before[name] is not None and not _same(before[name], value):
            fail(
                changed_hint
                or f"{what} changed its argument `{name}` (the caller's data): work on a copy or on new "
                "arrays, and leave the inputs as they were."
            )
    return result


# --------------------------------------------------------------------------- expected results


def _kind(value) -> str:
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    return type(value).__name__


def expect_pair(value, hint: str) -> tuple:
    """``value`` as a pair (a tuple or list of two); otherwise fail with ``hint`` (``{got}`` names what came)."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        fail(hint.format(got=_kind(value)))
    return tuple(value)


def expect_array(value, name: str, *, shape=None, dtype=float, hint: str = "") -> np.ndarray:
    """``value`` as a numpy array of ``dtype`` (and ``shape``, if given); otherwise fail.

    ``hint`` replaces the message for a value that is not an array of numbers; a wrong shape
    fails with "{name} should have shape {shape}, got …".
    """
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        fail(hint or f"{name} should be an array of numbers, got {_kind(value)}.")
    if shape is not None and array.shape != tuple(shape):
        fail(f"{name} should have shape {tuple(shape)}, got {array.shape}.")
    return array


def expect_number(value, name: str, *, hint: str, bounds_hint: str = "", **bounds) -> float:
    """``value`` as a float within ``bounds`` (those of :func:`helpers.validation.check_scalar`), or fail.

    ``hint`` is the message for a value that is not a number (``{got}`` names its type),
    ``bounds_hint`` the one for a number out of bounds or not finite (``{value}`` shows it;
    default: check_scalar's message).
    """
    try:
        return check_scalar(value, name, **bounds)
    except TypeError:
        fail(hint.format(got=type(value).__name__))
    except ValueError as exc:
        fail(bounds_hint.format(value=show(value)) if bounds_hint else f"{exc}.")


def expect_int(value, name: str, hint: str) -> int:
    """``value`` as an int (a Python or numpy integer, not a bool); otherwise fail with ``hint``."""
    try:
        return check_scalar(value, name, numbers.Integral)
    except (TypeError, ValueError):
        fail(hint.format(got=type(value).__name__, value=show(value)))


def show(value) -> str:
    """``repr`` of a value as a student wrote it: ``2``, not ``np.int64(2)``."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ", threshold=10)
    return repr(value)


class GlobalRandomUse:
    """``with GlobalRandomUse() as rng:`` ... ``rng.used``: did the code inside draw from a global random
    state, NumPy's (``np.random.*``, ``np.random.seed``) or Python's (``random.random``, ``random.seed``)?

    Inside, both global states start from a fixed point, so no earlier state can hide a change;
    afterwards the caller's states are restored.  ``rng.which`` names the one that was used.
    """

    _START = 20240607

    def __enter__(self):
        self._saved = np.random.get_state(), random.getstate()
        np.random.seed(self._START)
        random.seed(self._START)
        self._start = np.random.get_state(), random.getstate()
        self.used, self.which = False, ""
        return self

    def __exit__(self, *exc):
        now = np.random.get_state()
        numpy_used = not (np.array_equal(now[1], self._start[0][1]) and now[2:] == self._start[0][2:])
        python_used = random.getstate() != self._start[1]
        self.used = numpy_used or python_used
        self.which = (
            "NumPy's global random state (np.random.*)"
            if numpy_used
            else "Python's global random state (the random module)"
            if python_used
            else ""
        )
        np.random.set_state(self._saved[0])
        random.setstate(self._saved[1])
        return False


PYTHON_RANDOM_HINT = (
    "your function uses Python's random module (random.seed, random.choice, ...), whose global state every "
    "other piece of code shares: draw from rng = np.random.default_rng(seed) instead."
)


def global_random_hint(used: GlobalRandomUse, numpy_hint: str) -> str:
    """The hint for a global random state that was used: ``numpy_hint`` for NumPy's, one for Python's."""
    return numpy_hint if used.which.startswith("NumPy") else PYTHON_RANDOM_HINT


# --------------------------------------------------------------------------- quizzes

LETTERS = ("a", "b", "c", "d")


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: the right letter and why, why each other option is wrong,
    and the section of the notebook to reread."""

    answer: str
    why: str
    wrong: Mapping[str, str]
    reread: str

    def __post_init__(self):
        if self.answer not in LETTERS:
            raise ValueError(f"answer must be one of the letters {', '.join(LETTERS)}, got {self.answer!r}")
        others = set(LETTERS) - {self.answer}
        if set(self.wrong) != others:
            raise ValueError(
                f"wrong must explain exactly the options {sorted(others)}, got {sorted(self.wrong)}"
            )
        if not (self.why and self.reread and all(self.wrong.values())):
            raise ValueError("why, reread and every explanation in wrong must be non-empty")


class Quiz:
    """A session's multiple-choice questions, checked one at a time (the answers are never shown)."""

    def __init__(self, session: int, questions: Mapping[int, Question]):
        self.session = session
        self.name = f"Session {session}"
        self.questions = dict(questions)

    def check(self, question: int, answer, strict: bool | None = None) -> Verdict:
        if question not in self.questions:
            numbers_ = ", ".join(str(q) for q in sorted(self.questions))
            message = f"there is no question {question!r}; the questions are {numbers_}."
            return verdict(f"{self.name} quiz", False, message, strict)
        q = self.questions[question]
        label = f"{self.name} quiz Q{question}"
        given = str(answer).strip().lower().strip("()")
        if given not in LETTERS:
            return verdict(label, False, f"answer with one letter, a to d (got {answer!r}).", strict)
        if given == q.answer:
            return verdict(label, True, f"correct. {q.why}", strict)
        message = f"not {given}: {q.wrong[given]} Reread “{q.reread}” and try another letter."
        return verdict(label, False, message, strict)


_QUIZZES: dict[int, Quiz] = {}


def load_quiz(session: int) -> Quiz:
    """Session ``session``'s quiz from its data file ``helpers/checks/quizzes/session<N>.toml``.

    One table per question: ``answer`` (the right letter), ``reread`` (the section to go back to) and
    ``why`` (a sentence for every option: why it is right, for the answer, or why it is wrong).
    """
    import tomllib
    from importlib.resources import files

    source = files("helpers.checks") / "quizzes" / f"session{session}.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    questions = {}
    for number, q in data["questions"].items():
        why = dict(q["why"])
        if set(why) != set(LETTERS):
            raise ValueError(f"{source.name}, question {number}: `why` must explain each of {LETTERS}")
        answer = q["answer"]
        wrong = {letter: text for letter, text in why.items() if letter != answer}
        questions[int(number)] = Question(
            answer=answer, why=why.get(answer, ""), wrong=wrong, reread=q["reread"]
        )
    return Quiz(session, questions)


def register_quiz(quiz: Quiz) -> Quiz:
    """Make ``quiz`` the quiz of its session (called once by each session's checks module)."""
    _QUIZZES[quiz.session] = quiz
    return quiz


def check_quiz(session: int, question: int, answer, strict: bool | None = None) -> Verdict:
    """Check the answer (a letter a-d) to question ``question`` of session ``session``'s quiz."""
    if session not in _QUIZZES:
        message = f"there is no quiz for session {session!r}; sessions are {sorted(_QUIZZES)}."
        return verdict("quiz", False, message, strict)
    return _QUIZZES[session].check(question, answer, strict)


__all__ = [
    "STRICT_ENV",
    "TIME_LIMIT",
    "CheckError",
    "CheckFailed",
    "GlobalRandomUse",
    "Question",
    "Quiz",
    "Verdict",
    "call",
    "check",
    "check_quiz",
    "expect_array",
    "expect_int",
    "expect_number",
    "expect_pair",
    "fail",
    "global_random_hint",
    "load_quiz",
    "register_quiz",
    "report",
    "require",
    "show",
    "verdict",
]
