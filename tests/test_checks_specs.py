"""Tests generated from the exercises' specs (helpers/checks/_spec.py): every known mistake of every spec,
run through its check, gets its own ✘ hint; the reference gets ✔; and both hold under several
PYTHONHASHSEED values (set and dict order must not decide a verdict)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import helpers.checks  # registers every spec
from helpers.checks._spec import CODED, SPECS

ROOT = Path(__file__).resolve().parent.parent

MISTAKES = [
    pytest.param(name, i, id=f"{SPECS[name].exercise}-{m.name or i}")
    for name, spec in sorted(SPECS.items())
    for i, m in enumerate(spec.mistakes)
]


def _check(name):
    return getattr(helpers.checks, name)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_reference_gets_a_tick(name):
    spec = SPECS[name]
    given = _check(name)(spec.reference)
    assert given.passed, given
    success = (
        spec.success(spec._quiet(spec.reference, spec.cases()[0])) if callable(spec.success) else spec.success
    )
    assert given.exercise == spec.exercise and given.message == success


@pytest.mark.parametrize(
    "name, i",
    [(name, i) for name, spec in sorted(SPECS.items()) for i in range(len(spec.alternatives))],
)
def test_other_right_answers_get_a_tick(name, i):
    given = _check(name)(SPECS[name].alternatives[i])
    assert given.passed, given


@pytest.mark.parametrize("name, i", MISTAKES)
def test_every_mistake_gets_its_own_hint(name, i):
    spec = SPECS[name]
    mistake = spec.mistakes[i]
    given = _check(name)(mistake.wrong)
    assert not given.passed, f"{mistake.name or mistake.hint!r} got a ✔"
    if mistake.test_only:  # caught by the contract, call or a probe: ``hint`` is a part of their message
        assert mistake.hint in given.message, given
    else:  # recognised by its output: the message is its hint
        assert given.message == mistake.hint, given


def test_every_spec_names_its_mistakes_and_hints_are_distinct_per_mistake_kind():
    for name, spec in SPECS.items():
        assert spec.mistakes, f"{name} knows no mistakes"
        assert len({m.name for m in spec.mistakes}) == len(spec.mistakes), name


def test_the_public_checks_are_the_specs_checks():
    for name, spec in SPECS.items():
        assert _check(name).spec is spec


@pytest.mark.parametrize(
    "name, i", [(name, i) for name, check in sorted(CODED.items()) for i in range(len(check.right))]
)
def test_right_answers_of_checks_written_as_code_get_a_tick(name, i):
    given = CODED[name](CODED[name].right[i])
    assert given.passed, given


@pytest.mark.parametrize(
    "name, i",
    [
        pytest.param(name, i, id=f"{name}-{m.name or i}")
        for name, check in sorted(CODED.items())
        for i, m in enumerate(check.mistakes)
    ],
)
def test_mistakes_of_checks_written_as_code_get_their_hint(name, i):
    mistake = CODED[name].mistakes[i]
    given = CODED[name](mistake.wrong)
    assert not given.passed and mistake.hint in given.message, (mistake.name, given)


VERDICTS = """
import json
import helpers.checks
from helpers.checks._spec import CODED, SPECS
out = {}
for name, spec in sorted(SPECS.items()):
    check = getattr(helpers.checks, name)
    out[name] = [str(check(spec.reference))] + [str(check(m.wrong)) for m in spec.mistakes]
    out[name] += [str(check(a)) for a in spec.alternatives]
print(json.dumps(out))
"""


def test_verdicts_do_not_depend_on_the_hash_seed():
    """Set and dict order change with PYTHONHASHSEED; the verdicts must not (one process per seed)."""
    results = []
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", VERDICTS], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        results.append(json.loads(run.stdout))
    assert all(r == results[0] for r in results[1:])
    for name, (right, *wrong) in results[0].items():
        assert right.startswith("✔"), (name, right)
        n = len(SPECS[name].mistakes)
        assert all(v.startswith("✔") for v in wrong[n:]), (name, wrong[n:])
        for verdict, mistake in zip(wrong[:n], SPECS[name].mistakes):
            assert verdict.startswith("✘") and mistake.hint in verdict, (name, verdict)
