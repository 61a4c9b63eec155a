"""Write the student notebooks in notebooks/ from the solution notebooks in solutions/.

The solutions are the single source. In a solution code cell, the answer to an
exercise stands between two marker lines::

    def perceptron(X, y, max_updates=1000, seed=0):
        # BEGIN SOLUTION Exercise 2.1
        # STUB: w = ...  # the weights, shape (d + 1,)
        ...the answer...
        # END SOLUTION
        return w

The student copy keeps everything outside the markers; between them it gets a
stub, at the marker's indentation: the ``# STUB:`` lines (uncommented; they say
what to write and what shape the answer has) and a
``raise NotImplementedError("Exercise 2.1: write your code here ...")``.
A block labelled ``Quiz ...`` gets only its ``# STUB:`` lines (e.g.
``answer = "?"``): ``check_quiz`` itself answers ✘ until a letter is filled in.
A markdown cell tagged ``solution`` (a written answer) becomes an empty answer
box. Outputs, execution counts, solution-only tags and nbval markers are
stripped; cell ids and a figure cell's ``alt`` text (cell metadata) are kept;
JSON is written with sorted keys, so building twice gives identical files.

    python tools/build_notebooks.py            # write notebooks/ from solutions/
    python tools/build_notebooks.py --check    # exit 1 if notebooks/ is not up to date
    python tools/build_notebooks.py --execute  # first re-run every solution in place (stores outputs)
    python tools/build_notebooks.py --grading  # also write the nbgrader course folder _build/grading/

The grading folder (``make grading``) is an nbgrader course, generated from the same solutions by
the same stub rules: ``source/session<N>/<notebook>.ipynb`` (one assignment per session) and
``nbgrader_config.py``.  Every cell with a solution block is an nbgrader solution cell whose
release text is the course's stub (kept in the cell's metadata; the config's ``CourseStubs``
puts it in instead of nbgrader's generic ``# YOUR CODE HERE``); a written answer is a solution
cell too.  After every cell that ends with a self-check (``check_…(…)``, quizzes included) comes
an autograded test cell, locked, that runs the same check in raising mode (``strict=True``): it
raises an AssertionError whose message is the ✘ line, so nbgrader gives 0 points and its
feedback shows the hint; a ✔ gives the cell's points (:data:`POINTS`).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
GRADING = ROOT / "_build" / "grading"

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\b(?P<label>.*)$")
END = re.compile(r"^[ \t]*# END SOLUTION\b")
STUB = re.compile(r"^[ \t]*# STUB:(?P<code> ?.*)$")
NBVAL_MARK = re.compile(r"^\s*# NBVAL_[A-Z_]+\s*$")
SOLUTION_TAGS = {"solution"}
KEPT_METADATA = ("alt",)  # cell metadata the student copy keeps besides tags: a figure's alt text
ANSWER_BOX = "✍️ **Your answer:** *(double-click this cell and write your answer here)*"


class BuildError(ValueError):
    """A solution notebook whose markers cannot be turned into a student notebook."""


def stub_source(source: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION block of a code cell's source by its stub."""
    out: list[str] = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if not m:
            if END.match(lines[i]):
                raise BuildError(f"{where}: '# END SOLUTION' without '# BEGIN SOLUTION' (line {i + 1})")
            if not NBVAL_MARK.match(lines[i]):
                out.append(lines[i])
            i += 1
            continue
        indent, label = m["indent"], m["label"].strip() or "Exercise"
        j = i + 1
        stubs: list[str] = []
        while j < len(lines) and not END.match(lines[j]):
            if BEGIN.match(lines[j]):
                raise BuildError(f"{where}: nested '# BEGIN SOLUTION' (line {j + 1})")
            s = STUB.match(lines[j])
            if s:
                stubs.append(indent + s["code"].strip())
            j += 1
        if j == len(lines):
            raise BuildError(f"{where}: '# BEGIN SOLUTION' (line {i + 1}) has no '# END SOLUTION'")
        if label.startswith("Quiz"):  # a quiz answer: the stub line is all (check_quiz says ✘ to "?")
            out.extend(stubs)
        else:
            out.append(f"{indent}# ✍️ {label}: your code goes here (replace the line that raises the error).")
            out.extend(stubs)
            message = f"{label}: write your code here (see the instructions above)"
            out.append(f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})")
        i = j + 1
    return "\n".join(out)


def student_notebook(nb: dict, where: str) -> dict:
    """The student version of a solution notebook (a new dict; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    for k, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t not in SOLUTION_TAGS]
        is_solution_md = "solution" in cell.get("metadata", {}).get("tags", [])
        metadata = {"tags": tags} if tags else {}
        metadata.update({k: cell["metadata"][k] for k in KEPT_METADATA if k in cell.get("metadata", {})})
        if cell["cell_type"] == "code":
            source = stub_source(source, f"{where}, cell {k}")
            cell.update(outputs=[], execution_count=None)
        elif cell["cell_type"] == "markdown" and is_solution_md:
            source = ANSWER_BOX
        cell["source"] = source
        cell["metadata"] = metadata
    nb["metadata"] = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


# --------------------------------------------------------------------------- the nbgrader source

POINTS = {"exercise": 2, "agreement": 1, "quiz": 1}
"""Points of an autograded cell: an exercise's check, a second check of the same exercise
(``check_agreement``: your accuracy against scikit-learn's), one quiz question."""

CHECK_CALL = re.compile(r"^(?P<call>(?P<name>check_\w+)\((?P<args>.*)\))\s*$")
ASSIGNMENT = re.compile(r"^(?P<n>\d+)_")


def _grade_id(text: str, used: set[str]) -> str:
    """An nbgrader cell id from ``text`` (letters, digits, _ and -), made unique within the notebook."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "cell"
    grade_id, k = base, 1
    while grade_id in used:
        k += 1
        grade_id = f"{base}-{k}"
    used.add(grade_id)
    return grade_id


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, points: int = 0) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
    }
    if grade:
        meta["points"] = points
    return meta


def _exercise_of(name: str, call: str) -> tuple[str, str]:
    """(label, kind) of a self-check call: ``("Exercise 2.1", "exercise")``, ``("Session 2 quiz Q3", "quiz")``."""
    quiz = re.match(r"check_quiz\(\s*(\d+)\s*,\s*(\d+)", call)
    if quiz:
        return f"Session {quiz[1]} quiz Q{quiz[2]}", "quiz"
    import inspect

    import helpers.checks

    check = getattr(helpers.checks, name)
    if check.exercise is not None:
        return check.exercise, "exercise"
    label = re.search(r"exercise\s*=\s*[\"']([^\"']+)", call)
    return (label[1] if label else inspect.signature(check).parameters["exercise"].default), "agreement"


def grading_notebook(nb: dict, where: str) -> dict:
    """The nbgrader source notebook of a solution notebook (a new dict; ``nb`` is not changed)."""
    release = student_notebook(nb, where)
    out = copy.deepcopy(release)
    out["cells"] = []
    used: set[str] = set()
    for k, (cell, student) in enumerate(zip(nb["cells"], release["cells"])):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        kept = "\n".join(line for line in source.split("\n") if not NBVAL_MARK.match(line))
        new = copy.deepcopy(student)
        blocks = [m["label"].strip() for m in map(BEGIN.match, source.split("\n")) if m]
        written = cell["cell_type"] == "markdown" and "solution" in cell.get("metadata", {}).get("tags", [])
        if (cell["cell_type"] == "code" and blocks) or written:
            what = "written-answer" if written else f"{blocks[0] or 'answer'}-answer"
            new["source"] = source if written else kept
            # nbgrader wants a written (markdown) answer graded by hand: 0 points unless an instructor gives it some
            new["metadata"]["nbgrader"] = _nbgrader(_grade_id(what, used), solution=True, grade=written)
            new["metadata"]["ml4chem"] = {"release": student["source"]}
        out["cells"].append(new)
        if cell["cell_type"] != "code":
            continue
        lines = [
            line for line in kept.strip().split("\n") if line.strip() and not line.lstrip().startswith("#")
        ]
        found = CHECK_CALL.match(lines[-1]) if lines else None
        if not found:
            continue
        label, kind = _exercise_of(found["name"], found["call"])
        call = found["call"][:-1] + (", " if found["args"].strip() else "") + "strict=True)"
        points = POINTS[kind]
        grade_id = _grade_id(f"{label}-grade", used)
        out["cells"].append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": grade_id,
                "metadata": {"nbgrader": _nbgrader(grade_id, solution=False, grade=True, points=points)},
                "outputs": [],
                "source": f"# Autograded, {points} point{'s' * (points != 1)}: {label}'s self-check in raising "
                f"mode (a ✘ raises with its hint).\n{call}",
            }
        )
    return out


def assignment_name(notebook: Path) -> str:
    """``session2`` for ``02_perceptron.ipynb``: one nbgrader assignment per session."""
    return f"session{int(ASSIGNMENT.match(notebook.name)['n'])}"


NBGRADER_CONFIG = '''"""nbgrader's configuration for the "ML for Chemistry" course (written by tools/build_notebooks.py --grading).

source/session<N>/ holds one assignment per session, generated from solutions/ by the course's stub rules.
"""

from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    SaveCells,
)


class CourseStubs(ClearSolutions):
    """The course's stub for a solution cell (what notebooks/ has: the ``# STUB:`` hints and a
    NotImplementedError naming the exercise), not nbgrader's generic ``# YOUR CODE HERE``."""

    def preprocess_cell(self, cell, resources, cell_index):
        release = cell.metadata.get("ml4chem", {}).get("release")
        if release is None:
            return super().preprocess_cell(cell, resources, cell_index)
        cell.source = release
        return cell, resources


c = get_config()  # noqa: F821 - provided by traitlets when it reads this file
c.CourseDirectory.root = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
# The assignments, one per session (generate_assignment adds each to the gradebook): %(assignments)s
c.GenerateAssignment.preprocessors = [
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    CourseStubs,
    ClearOutput,
    CheckCellMetadata,
    ComputeChecksums,
    SaveCells,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
]
# The notebooks run well within this; a student's endless loop is stopped by the check's own time limit.
c.ExecutePreprocessor.timeout = 300
# A self-check's ✘ is an AssertionError whose message is the hint: feedback shows it as it is.
c.ExecutePreprocessor.allow_errors = True
'''


def expected_grading_files(dest: Path = GRADING) -> dict[Path, str]:
    """Path in the grading folder -> the exact text the build writes there."""
    files = {}
    assignments = []
    for src in sorted(SOLUTIONS.glob("[0-9]*.ipynb")):
        name = assignment_name(src)
        assignments.append(name)
        files[dest / "source" / name / src.name] = dumps(grading_notebook(load(src), src.name))
    files[dest / "nbgrader_config.py"] = NBGRADER_CONFIG % {"assignments": ", ".join(assignments)}
    return files


def write_grading(dest: Path = GRADING) -> list[Path]:
    """Write the nbgrader course folder ``dest`` (config and source/); return the files written."""
    files = expected_grading_files(dest)
    for path, text in files.items():
        atomic_write_text(path, text)
    return list(files)


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private (0600); give it normal permissions
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def expected_student_notebooks() -> dict[Path, str]:
    """Student notebook path -> the exact text the build writes for it."""
    return {
        NOTEBOOKS / src.name: dumps(student_notebook(load(src), src.name))
        for src in sorted(SOLUTIONS.glob("[0-9]*.ipynb"))
    }


def execute_solution(path: Path, timeout: int = 120) -> None:
    """Run a solution notebook top to bottom in its folder and store its outputs in place."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nb["metadata"] = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "code":
            cell["outputs"] = coalesce_streams(cell["outputs"])
    atomic_write_text(path, dumps(nb))


def coalesce_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks, so a re-run stores the same JSON however the kernel split them."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        same_stream = prev is not None and prev["output_type"] == out["output_type"] == "stream"
        if same_stream and prev["name"] == out["name"]:
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
            continue
        merged.append(out)
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that notebooks/ is up to date")
    parser.add_argument(
        "--execute", nargs="*", metavar="NB", help="re-run these solutions (all if none) first"
    )
    parser.add_argument(
        "--grading",
        nargs="?",
        const=str(GRADING),
        metavar="DIR",
        help="also write the nbgrader course folder (default _build/grading/)",
    )
    args = parser.parse_args(argv)
    if args.execute is not None:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")  # as in `make test`, so nbval sees the same numbers
        targets = [Path(p) for p in args.execute] or sorted(SOLUTIONS.glob("[0-9]*.ipynb"))
        for path in targets:
            print(f"executing {path.name} ...", flush=True)
            execute_solution(path.resolve())
    try:
        expected = expected_student_notebooks()
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in expected.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    extra = [p for p in NOTEBOOKS.glob("*.ipynb") if p not in expected]
    if args.check:
        for p in stale + extra:
            print(f"out of date: {p.relative_to(ROOT)} (run `make notebooks`)", file=sys.stderr)
        return 1 if stale or extra else 0
    for p in stale:
        atomic_write_text(p, expected[p])
        print(f"wrote {p.relative_to(ROOT)}")
    for p in extra:
        p.unlink()
        print(f"removed {p.relative_to(ROOT)} (no solution notebook of that name)")
    if args.grading:
        for p in write_grading(Path(args.grading).resolve()):
            print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
