"""Self-checks for the exercises and quizzes: call one right after an exercise.

Each ``check_…`` takes the student's answer (usually the function they wrote),
runs it on a small case whose right answer is known, and prints one line:
``✔`` when it is right, ``✘`` with a hint when not — never the solution.
``check_quiz(session, question, answer)`` checks a quiz answer.
"""

from helpers.checks._core import Quiz, check_quiz, register_quiz, report, run_student_code

__all__ = ["Quiz", "check_quiz", "register_quiz", "report", "run_student_code"]

# Each session's checks live in their own module; importing them registers their quiz.
from helpers.checks.session1 import *
from helpers.checks.session2 import *
from helpers.checks.session3 import *
from helpers.checks.session4 import *
