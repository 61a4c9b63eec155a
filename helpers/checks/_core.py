"""What every self-check shares: one way to say ✔ or ✘, and the quiz."""

from __future__ import annotations

from collections.abc import Callable

PASS, FAIL = "✔", "✘"


def report(exercise: str, ok: bool, message: str) -> None:
    """Print one verdict line: ``✔ Exercise 2.1: message`` or ``✘ Exercise 2.1: message``."""
    print(f"{PASS if ok else FAIL} {exercise}: {message}")


def run_student_code(exercise: str, fn: Callable, *args, **kwargs):
    """Call the student's function; turn 'not written yet' and crashes into a ✘ line.

    Returns ``(True, result)`` when the call worked, ``(False, None)`` after printing
    a ✘ line that names the problem (never the solution).
    """
    if not callable(fn):
        report(exercise, False, f"expected a function, got {type(fn).__name__}.")
        return False, None
    try:
        return True, fn(*args, **kwargs)
    except NotImplementedError:
        report(
            exercise, False, "not done yet — fill in the cell marked ✍️ above, run it, then run this check."
        )
    except Exception as exc:  # noqa: BLE001 — any crash in student code becomes a ✘ line, not a traceback
        report(exercise, False, f"your function raised {type(exc).__name__}: {exc}")
    return False, None


class Quiz:
    """Multiple-choice questions whose answers are checked, not shown.

    ``questions`` maps a question number to ``(correct letter, explanation)``.
    """

    def __init__(self, name: str, questions: dict[int, tuple[str, str]]):
        self.name = name
        self.questions = questions

    def check(self, question: int, answer: str) -> None:
        if question not in self.questions:
            numbers = ", ".join(str(q) for q in sorted(self.questions))
            report(
                f"{self.name} quiz", False, f"there is no question {question!r}; the questions are {numbers}."
            )
            return
        correct, why = self.questions[question]
        given = str(answer).strip().lower().strip("()")
        if given not in {"a", "b", "c", "d"}:
            report(
                f"{self.name} quiz Q{question}", False, f"answer with one letter, a to d (got {answer!r})."
            )
        elif given == correct:
            report(f"{self.name} quiz Q{question}", True, f"correct. {why}")
        else:
            report(
                f"{self.name} quiz Q{question}",
                False,
                "not quite — reread the section and try another letter.",
            )


_QUIZZES: dict[int, Quiz] = {}


def register_quiz(session: int, quiz: Quiz) -> None:
    """Make ``quiz`` the quiz of ``session`` (called once by each session's checks module)."""
    _QUIZZES[session] = quiz


def check_quiz(session: int, question: int, answer: str) -> None:
    """Check the answer (a letter a-d) to question ``question`` of session ``session``'s quiz."""
    if session not in _QUIZZES:
        report("quiz", False, f"there is no quiz for session {session!r}; sessions are {sorted(_QUIZZES)}.")
        return
    _QUIZZES[session].check(question, answer)
