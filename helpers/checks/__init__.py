"""Self-checks for the exercises and quizzes: call one right after an exercise.

Each ``check_…`` takes the student's answer (usually the function they wrote),
runs it on a small case whose right answer is known, and prints one line:
``✔`` when it is right, ``✘`` with a hint when not — never the solution.
``check_quiz(session, question, answer)`` checks a quiz answer.
"""

from helpers.checks._core import Quiz, report, run_student_code

__all__ = ["Quiz", "report", "run_student_code", "check_quiz"]

_QUIZZES: dict[int, Quiz] = {}


def register_quiz(session: int, quiz: Quiz) -> None:
    _QUIZZES[session] = quiz


def check_quiz(session: int, question: int, answer: str) -> None:
    """Check the answer (a letter a-d) to question ``question`` of session ``session``'s quiz."""
    if session not in _QUIZZES:
        report("quiz", False, f"there is no quiz for session {session!r}; sessions are {sorted(_QUIZZES)}.")
        return
    _QUIZZES[session].check(question, answer)


# Each session's checks live in their own module; importing them registers their quiz.
from helpers.checks.session1 import *  # noqa: E402,F403
from helpers.checks.session2 import *  # noqa: E402,F403
from helpers.checks.session3 import *  # noqa: E402,F403
from helpers.checks.session4 import *  # noqa: E402,F403
