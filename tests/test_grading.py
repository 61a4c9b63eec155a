"""Grading with nbgrader, round trip with nbgrader's own commands: the course folder that `make grading` writes
(tools/build_notebooks.py --grading), generate_assignment, autograde, generate_feedback, export.

A right submission gets full marks, the untouched release (almost) nothing, a wrong answer loses that
exercise's points, and the feedback shows the check's ✘ hint.  `make test` runs session 2 (the fastest
notebook) fully and releases every session; ML4CHEM_GRADING_SESSIONS=1,2,3,4 runs the round trip on more.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as build

BIN = Path(sys.executable).parent
NBGRADER = shutil.which("nbgrader", path=str(BIN))

SESSIONS = [int(s) for s in os.environ.get("ML4CHEM_GRADING_SESSIONS", "2").split(",")]

# One wrong answer per session (a known mistake, made by editing the right answer) and the hint it must get.
# An exercise that later exercises build on (3.1's forward pass feeds 3.2) would cost those points too.
WRONG = {
    1: (
        "Exercise 1.2",
        "train_mask = (df[column] <= max_value)",
        "train_mask = (df[column] < max_value)",
        "not <",
    ),
    2: (
        "Exercise 2.3",
        "Xb = np.column_stack([np.ones(len(X)), X])",
        "Xb = np.column_stack([X, np.ones(len(X))])",
        "your intercept is the last entry of w",
    ),
    3: (
        "Exercise 3.4",
        "best_k = int(ks[int(np.argmax(scores))])",
        "best_k = int(np.argmax(scores))",
        "that is the position in ks, not the k itself",
    ),
    4: (
        "Exercise 4.4",
        "p = np.clip(proba, 1e-12, 1.0)",
        "p = proba",
        "NaN for rows with a zero probability",
    ),
}


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "OMP_NUM_THREADS": "1"}
    run = subprocess.run(
        [NBGRADER, *args], check=False, cwd=course, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ERROR" not in run.stderr, run.stderr
    return run


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The course folder, with every session released."""
    if NBGRADER is None:
        pytest.skip("nbgrader is not installed: run `make grading` (make test installs it)")
    course = tmp_path_factory.mktemp("grading")
    build.write_grading(course)
    nbgrader(course, "generate_assignment", "session*", "--force")  # every session in one run
    return course


def _notebook(course: Path, folder: str, session: int) -> tuple[Path, dict]:
    (path,) = (course / folder / f"session{session}").glob("*.ipynb")
    return path, json.loads(path.read_text(encoding="utf-8"))


def _right_letter(session: int, question: int) -> str:
    source = (ROOT / "helpers" / "checks" / "quizzes" / f"session{session}.toml").read_text(encoding="utf-8")
    return tomllib.loads(source)["questions"][str(question)]["answer"]


def submissions(course: Path, session: int) -> dict[str, dict]:
    """right (the answers put into the release), blank (the release as it is), wrong (one exercise and quiz Q1)."""
    _, release = _notebook(course, "release", session)
    _, source = _notebook(course, "source", session)
    answers = {
        c["metadata"]["nbgrader"]["grade_id"]: c["source"]
        for c in source["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    }
    right = json.loads(json.dumps(release))
    for cell in right["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    wrong = json.loads(json.dumps(right))
    exercise, old, new, _ = WRONG[session]
    letter = _right_letter(session, 1)
    other = "a" if letter != "a" else "b"
    edited = 0
    for cell in wrong["cells"]:
        text = "".join(cell["source"])
        if f"BEGIN SOLUTION {exercise}" in text and old in text:
            cell["source"], edited = text.replace(old, new), edited + 1
        elif "BEGIN SOLUTION Quiz question 1" in text:
            cell["source"], edited = text.replace(f'answer = "{letter}"', f'answer = "{other}"'), edited + 1
    assert edited == 2, "the wrong submission edits one exercise and quiz question 1"
    return {"right": right, "blank": release, "wrong": wrong}


def grade(course: Path, session: int) -> dict[str, float]:
    assignment = f"session{session}"
    path, _ = _notebook(course, "release", session)
    for student, nb in submissions(course, session).items():
        target = course / "submitted" / student / assignment / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(nb), encoding="utf-8")
    nbgrader(course, "autograde", assignment, "--create", "--force")
    nbgrader(course, "generate_feedback", assignment, "--force")
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == assignment]
    return {r["student_id"]: (float(r["score"]), float(r["max_score"])) for r in rows}


@pytest.mark.parametrize("src", sorted(build.SOLUTIONS.glob("[0-9]*.ipynb")), ids=lambda p: p.name)
def test_every_answer_is_a_solution_cell_and_every_check_is_followed_by_a_graded_cell(src):
    """The grading source (no nbgrader needed): what nbgrader relies on, cell by cell."""
    nb = build.grading_notebook(build.load(src), src.name)
    cells = nb["cells"]
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in cells if "nbgrader" in c["metadata"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    for i, cell in enumerate(cells):
        text = "".join(cell["source"])
        meta = cell["metadata"].get("nbgrader", {})
        if "BEGIN SOLUTION" in text:  # nbgrader matches the marker anywhere: every such cell must be marked
            assert meta.get("solution"), text[:80]
            assert "BEGIN SOLUTION" not in cell["metadata"]["ml4chem"]["release"]
        calls = [line for line in text.strip().split("\n") if line.startswith("check_")]
        if calls and not meta.get("grade"):
            graded = cells[i + 1]
            assert graded["metadata"]["nbgrader"]["grade"] and graded["metadata"]["nbgrader"]["locked"]
            assert "".join(graded["source"]).endswith(calls[-1][:-1] + ", strict=True)")
            assert graded["metadata"]["nbgrader"]["points"] in build.POINTS.values()
    assert build.assignment_name(src) == f"session{int(src.name[:2])}"


def test_the_release_keeps_the_course_stubs_and_self_checks(course):
    for session in (1, 2, 3, 4):
        _, release = _notebook(course, "release", session)
        (student,) = [
            build.load(p) for p in build.NOTEBOOKS.glob(f"{session:02d}_*.ipynb")
        ]  # what notebooks/ has (from the same stub rules)
        student_code = [c["source"] for c in student["cells"] if c["cell_type"] == "code"]
        released = [
            "".join(c["source"])
            for c in release["cells"]
            if c["cell_type"] == "code" and not c["metadata"].get("nbgrader", {}).get("grade")
        ]
        assert released == student_code, f"session {session}: the release differs from notebooks/"
        text = json.dumps(release)
        assert "YOUR CODE HERE" not in text and "BEGIN SOLUTION" not in text
        tests = [
            c
            for c in release["cells"]
            if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
        ]
        assert tests and all("strict=True)" in "".join(c["source"]) for c in tests)
        assert sum(c["metadata"]["nbgrader"]["points"] for c in tests) >= 10


@pytest.mark.parametrize("session", SESSIONS)
def test_round_trip_right_full_marks_blank_nothing_wrong_loses_its_points(course, session):
    scores = grade(course, session)
    total = scores["right"][1]
    print(f"session {session}: " + ", ".join(f"{k} {v[0]:g}/{v[1]:g}" for k, v in scores.items()))
    assert scores["right"][0] == total
    assert scores["blank"][0] <= 0.1 * total
    exercise = WRONG[session][0]
    _, source = _notebook(course, "source", session)
    lost = sum(
        c["metadata"]["nbgrader"]["points"]
        for c in source["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
        and c["cell_type"] == "code"
        and (f"{exercise}'s self-check" in "".join(c["source"]) or "quiz Q1's" in "".join(c["source"]))
    )
    assert scores["wrong"][0] == total - lost
    (feedback,) = (course / "feedback" / "wrong" / f"session{session}").glob("*.html")
    page = html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text(encoding="utf-8")))
    assert WRONG[session][3] in page, "the feedback shows the check's ✘ hint"
    assert f"✘ {exercise}:" in page and "✘ Session" in page
