"""Self-checks for the exercises and quizzes: call one right after an exercise.

Each ``check_<function>`` takes the student's answer (the function they wrote,
``check_perceptron(perceptron)``), runs it on a small case whose right answer is
known, and returns a :class:`Verdict` that shows as one line: ``✔`` when it is right,
``✘`` with a hint that points at the mistake when not — never the solution
(``strict=True`` makes a ✘ raise, for grading).  ``check_quiz(session, question, answer)``
checks a quiz answer (quizzes/session<N>.toml).  How a check is written: an exercise's
spec (:mod:`helpers.checks._spec`) or code (:mod:`helpers.checks._core`).
"""

from helpers.checks import _core, session1, session2, session3, session4
from helpers.checks._core import *

# Each session's checks live in their own module; importing them registers their quiz.
from helpers.checks.session1 import *
from helpers.checks.session2 import *
from helpers.checks.session3 import *
from helpers.checks.session4 import *

__all__ = _core.__all__ + session1.__all__ + session2.__all__ + session3.__all__ + session4.__all__
