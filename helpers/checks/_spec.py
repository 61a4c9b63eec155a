"""An exercise as data: its cases, its right answer, its contract, its known mistakes and its probes.

A :class:`Spec` says once what a check needs; :meth:`Spec.check` is the check, and the tests are
generated from the same spec (``tests/test_checks_specs.py``: every mistake gets its own ✘ hint,
the reference gets ✔)::

    SPEC = Spec(
        exercise="Exercise 9.9",
        reference=lambda x: 2 * x,
        cases=lambda: [Case(np.arange(3.0))],
        returns="an array of shape (3,)",
        contract=lambda got, case: expect_array(got, "the result", shape=(3,)),
        mistakes=[
            Mistake("you returned zeros: multiply x by 2.", lambda x: 0 * x),
            Mistake("that is x + 2; multiply instead.", lambda x: x + 2),
            caught("the result", lambda x: [2 * x]),  # the contract refuses it; its message names "the result"
        ],
        otherwise="not 2·x for x = [0, 1, 2].",
        success="2·x, element by element.",
    )
    check_double = register("check_double", SPEC)

A check that stays code (a spy, a gradient check, a timing) still writes its right answers and known
mistakes once, next to it, for the same generated tests: ``known(check_x, right=[...], mistakes=[caught(...)])``.

The check calls the student's function on every case through :func:`~helpers.checks._core.call`
(unwritten stub, crash with the failing line and its shapes, time limit, changed inputs), puts the
result through the ``contract`` (type, shape, dtype: it returns the result normalised, or fails with
a hint), and compares it with the reference's.  When they differ, the first mistake whose output
on that case is the same as the student's (and not right there) gives its hint; when none does,
``otherwise`` does (a hint, or a function of the case and the output).  ``first`` probes run before
the cases (is an argument used at all?); once every case agrees, the ``probes`` run (seeds, global
random state, a source scan, or any code).  ``success`` may be a function of the first output.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.checks._core import GlobalRandomUse, call, check, fail, require


@dataclass(frozen=True)
class Case:
    """The arguments of one call (built fresh for every call: a function that changes them harms no other)."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    about: str = ""  # what this case is there to tell apart (documentation; shown by the tests' ids)

    def __init__(self, *args, about: str = "", **kwargs):
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "kwargs", kwargs)
        object.__setattr__(self, "about", about)


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer, written as a wrong implementation, and the hint it deserves.

    ``test_only`` marks a mistake that the contract or a probe catches (not an output to compare
    with): the generated tests still run it through the check and expect ``hint``.
    """

    hint: str
    wrong: Callable
    name: str = ""
    test_only: bool = False
    same: Callable[[Any, Any], bool] | None = (
        None  # how the student's output matches this one (default: the spec's)
    )


def caught(hint: str, wrong: Callable, name: str = "") -> Mistake:
    """A mistake that ``call``, the contract or a probe catches: its message holds ``hint``."""
    return Mistake(hint, wrong, name, test_only=True)


def allclose(a, b, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Same shape and close numbers (for tuples and lists: element by element); labels compare equal."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(allclose(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))
        )
    try:
        a, b = np.asarray(a), np.asarray(b)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "biufc" and b.dtype.kind in "biufc":
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(a, b))


# --------------------------------------------------------------------------- probes


@dataclass(frozen=True)
class Seeded:
    """The seed trio: the same seed gives the same result, another seed another, and no global random state
    (NumPy's or Python's) is drawn from or reseeded.  ``seed`` names the argument that holds the seed."""

    seed: str = "seed"
    equal: Callable[[Any, Any], bool] = allclose
    same: str = "the same seed must give the same result: make rng = np.random.default_rng(seed) once and draw from it."
    other: str = "a different seed gives the same result: does your function use `seed`?"
    global_state: str = "your function uses {which}: draw from rng = np.random.default_rng(seed) instead."

    def run(self, spec: Spec, fn) -> None:
        case = spec.cases()[0]

        def result(seed):
            kwargs = dict(case.kwargs)
            args = list(case.args)
            names = list(inspect.signature(spec.reference).parameters)
            position = names.index(self.seed)
            if position < len(args):
                args[position] = seed
            else:
                kwargs[self.seed] = seed
            return spec._normalised(fn, Case(*args, **kwargs))

        with GlobalRandomUse() as used:
            first = result(0)
        require(not used.used, self.global_state.format(which=used.which))
        require(self.equal(result(0), first), self.same)
        require(not self.equal(result(1), first), self.other)


@dataclass(frozen=True)
class Forbidden:
    """A source scan: the student's code must not call ``pattern`` (a regular expression; comments are
    ignored).  Skipped when the source cannot be read."""

    pattern: str
    hint: str

    def run(self, spec: Spec, fn) -> None:
        try:
            source = inspect.getsource(fn)
        except (OSError, TypeError):
            return
        code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
        require(re.search(self.pattern, code) is None, self.hint)


@dataclass(frozen=True)
class Probe:
    """Code where data cannot say it: ``test(spec, fn)`` fails the check (``require``/``fail``) or returns."""

    test: Callable[[Spec, Callable], None]

    def run(self, spec: Spec, fn) -> None:
        self.test(spec, fn)


# --------------------------------------------------------------------------- the spec


@dataclass
class Spec:
    """One exercise: see the module's docstring."""

    exercise: str
    reference: Callable
    cases: Callable[[], Sequence[Case]]
    returns: str
    success: str | Callable[[Any], str]  # the ✔ message (or of the output on the first case)
    otherwise: (
        str | Callable[[Case, Any], str]
    )  # the hint when no known mistake matches (of the case and output)
    contract: Callable[[Any, Case], Any] = lambda got, case: got
    mistakes: Sequence[Mistake] = ()
    probes: Sequence[Any] = ()
    first: Sequence[Any] = ()  # probes that run before the cases (e.g. "is this argument used at all?")
    same: Callable[[Any, Any], bool] = allclose
    alternatives: Sequence[Callable] = ()  # other right answers (the generated tests expect ✔ for each)
    changed_hint: str = ""
    slow_hint: str = "is there a loop that never ends?"

    def _normalised(self, fn, case: Case):
        got = call(
            fn,
            *case.args,
            returns=self.returns,
            changed_hint=self.changed_hint,
            slow_hint=self.slow_hint,
            **case.kwargs,
        )
        return self.contract(got, case)

    def _quiet(self, fn, case: Case):
        """A known implementation's output on ``case``, normalised (None if the contract refuses it)."""
        try:
            with np.errstate(all="ignore"):
                return self.contract(fn(*case.args, **case.kwargs), case)
        except Exception:  # noqa: BLE001 - a mistake that crashes or breaks the contract matches nothing
            return None

    def run(self, fn) -> str:
        """The check's body: the ✔ message, or a :class:`~helpers.checks._core.CheckFailed` with the hint."""
        for probe in self.first:
            probe.run(self, fn)
        outputs = []
        for case in self.cases():
            got = self._normalised(fn, case)
            outputs.append(got)
            right = self._quiet(self.reference, case)
            if self.same(got, right):
                continue
            for mistake in self.mistakes:
                if mistake.test_only:
                    continue
                wrong, same = self._quiet(mistake.wrong, case), mistake.same or self.same
                # a mistake that gives the right answer on this case tells nothing here
                if wrong is not None and same(got, wrong) and not self.same(right, wrong):
                    fail(mistake.hint)
            fail(self.otherwise(case, got) if callable(self.otherwise) else self.otherwise)
        for probe in self.probes:
            probe.run(self, fn)
        return self.success(outputs[0]) if callable(self.success) else self.success

    def as_check(self, name: str):
        """The public ``check_<name>(fn)`` of this spec (a :func:`~helpers.checks._core.check`)."""

        def run(fn):
            return self.run(fn)

        run.__name__ = run.__qualname__ = name
        run.__doc__ = f"{self.exercise}: the self-check of ``{name.removeprefix('check_')}``."
        checked = check(self.exercise)(run)
        checked.spec = self
        return checked


SPECS: dict[str, Spec] = {}
CODED: dict[str, Callable] = {}  # checks written as code (spies, gradient checks), with their known answers


def known(check, *, right: Sequence[Callable], mistakes: Sequence[Mistake]):
    """Attach to a check written as code its right answers and its known mistakes (each :func:`caught`),
    written once next to it: the generated tests run them all (``tests/test_checks_specs.py``)."""
    check.right, check.mistakes = tuple(right), tuple(mistakes)
    CODED[check.__name__] = check
    return check


def register(name: str, spec: Spec):
    """Register ``spec`` (for the generated tests) and return its check, named ``name``."""
    SPECS[name] = spec
    return spec.as_check(name)


__all__ = [
    "Case",
    "Forbidden",
    "Mistake",
    "Probe",
    "Seeded",
    "Spec",
    "allclose",
    "caught",
    "known",
    "register",
]
