"""The notebooks: student copies built from the solutions, lesson template, clean outputs, clear stubs."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))
STUDENTS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
TEMPLATE = ["Aim", "Set-up", "Theory", "Practical", "Discussion", "Quiz", "References"]

_spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text_of(output: dict) -> str:
    if output["output_type"] == "stream":
        return output["text"] if isinstance(output["text"], str) else "".join(output["text"])
    data = output.get("data", {}).get("text/plain", "")
    return data if isinstance(data, str) else "".join(data)


def test_there_are_four_sessions_and_a_student_copy_of_each():
    assert [p.name[:2] for p in SOLUTIONS] == ["01", "02", "03", "04"]
    assert [p.name for p in STUDENTS] == [p.name for p in SOLUTIONS]


def test_student_notebooks_are_exactly_what_the_build_writes():
    expected = build.expected_student_notebooks()
    stale = [
        p.name for p, text in expected.items() if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"notebooks/ out of date, run `make notebooks`: {stale}"


@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_student_notebook_has_no_outputs_answers_or_markers(path):
    for cell in cells(path):
        src = "".join(cell["source"])
        assert "BEGIN SOLUTION" not in src and "END SOLUTION" not in src and "# STUB:" not in src
        assert "NBVAL_" not in src
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    stubs = [c for c in cells(path) if "raise NotImplementedError(" in "".join(c["source"])]
    assert len(stubs) >= 3, "each session has exercises"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_follows_the_course_template(path):
    headings = [
        line.lstrip("#").strip()
        for c in cells(path)
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if re.match(r"^#{1,3} ", line)
    ]
    assert headings[0].startswith("Session "), headings[0]
    positions = []
    for part in TEMPLATE:
        found = [
            i for i, h in enumerate(headings) if h.startswith(part) or h.split(" ", 1)[-1].startswith(part)
        ]
        assert found, f"{path.name}: no '{part}' heading (template: {TEMPLATE})"
        positions.append(found[0])
    assert positions == sorted(positions), f"{path.name}: template sections out of order"


# A 2 x 45 min session (issue 19): what a student must read besides the exercises, how soon they do something,
# and how much code they must read.
CORE_WORDS = 3300  # words of markdown outside sections whose heading ends with "(optional)"
WORDS_BEFORE_FIRST_EXERCISE = 700  # about five minutes of reading before the first "BEGIN SOLUTION" cell
CORE_CODE_LINES = (
    200  # code lines to read, not counting exercises, self-checks, quizzes, "# extra code" cells
)
CALL_ONLY = re.compile(r"\s*(check_\w+|quiz\w*|helpers\.checks\.\w+)\(")


def reading_load(path: Path) -> dict:
    """What a student reads in a solution notebook, outside the sections whose heading ends with '(optional)'.

    An optional section ends at the next heading of the same or a higher level.  ``core`` and ``optional``
    count words (runs of letters) of the markdown; ``before_exercise`` the core words before the first code
    cell with a ``# BEGIN SOLUTION`` marker; ``code`` the core code lines (not blank, not comments) of cells
    that are not an exercise, not only self-check or quiz calls, and do not start with ``# extra code``."""
    load = {"core": 0, "optional": 0, "before_exercise": None, "code": 0}
    level = None  # the level of the optional section we are in
    for cell in cells(path):
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for line in src.splitlines():
                heading = re.match(r"^(#+)\s", line)
                if heading:
                    if level is not None and len(heading.group(1)) <= level:
                        level = None
                    if level is None and line.rstrip().lower().endswith("(optional)"):
                        level = len(heading.group(1))
                words = len(re.findall(r"[A-Za-z]+", line))
                load["core" if level is None else "optional"] += words
        elif cell["cell_type"] == "code" and level is None:
            if "BEGIN SOLUTION" in src:
                if load["before_exercise"] is None:
                    load["before_exercise"] = load["core"]
                continue
            if src.lstrip().startswith("# extra code"):
                continue
            lines = [x for x in src.splitlines() if x.strip() and not x.strip().startswith("#")]
            if lines and all(CALL_ONLY.match(x) for x in lines):
                continue
            load["code"] += len(lines)
    return load


def core_words(path: Path) -> tuple[int, int]:
    load = reading_load(path)
    return load["core"], load["optional"]


def test_core_words_count_what_is_outside_optional_sections(tmp_path):
    nb = tmp_path / "n.ipynb"
    md = "# Session\none two\n## A (optional)\nthree four five\n### deeper\nsix\n## B\nseven"
    nb.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": md}]}), encoding="utf-8")
    assert core_words(nb) == (5, 7)  # Session one two B seven | A optional three four five deeper six


def test_reading_load_counts_words_before_the_first_exercise_and_the_code_to_read(tmp_path):
    def code(src):
        return {"cell_type": "code", "source": src}

    def md(src):
        return {"cell_type": "markdown", "source": src}

    nb_cells = [
        md("# Title\nfour words of prose"),  # 5 words
        code("import numpy as np\n\nx = 1  # one\n# a comment"),  # 2 lines
        code("# extra code – a figure\nplt.plot(x)\nplt.show()"),  # not counted
        md("## Exercise\nwrite it"),  # 3 words
        code("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION"),  # the first exercise
        code("# NBVAL_CHECK_OUTPUT\ncheck_f(f)"),  # a self-check: not counted
        md("## Depth (optional)\nskip me"),
        code("y = 2"),  # inside the optional section: not counted
        md("## Back\nread"),  # 2 words
        code("z = f()\nprint(z)"),  # 2 lines
    ]
    nb = tmp_path / "n.ipynb"
    nb.write_text(json.dumps({"cells": nb_cells}), encoding="utf-8")
    assert reading_load(nb) == {"core": 10, "optional": 4, "before_exercise": 8, "code": 4}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_a_session_fits_90_minutes_and_its_time_plan_adds_up_to_90(path):
    load = reading_load(path)
    assert load["core"] <= CORE_WORDS, (
        f"{path.name}: {load['core']} words of core prose (at most {CORE_WORDS}): cut, or move detail into a "
        "section whose heading ends with '(optional)'"
    )
    assert load["before_exercise"] is not None and load["before_exercise"] <= WORDS_BEFORE_FIRST_EXERCISE, (
        f"{path.name}: {load['before_exercise']} words before the first exercise (at most "
        f"{WORDS_BEFORE_FIRST_EXERCISE}): put theory next to the exercise that uses it"
    )
    assert load["code"] <= CORE_CODE_LINES, (
        f"{path.name}: {load['code']} lines of core code to read (at most {CORE_CODE_LINES}): move plumbing "
        "into helpers, or mark a cell that is not the lesson '# extra code – ...'"
    )
    markdown = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown")
    plan = re.search(r"Time plan.*?\n\n((?:\|[^\n]*\|\n?)+)", markdown, flags=re.DOTALL)
    assert plan, f"{path.name}: no time plan (a 'Time plan' line followed by a table: part | minutes)"
    minutes = [int(m) for m in re.findall(r"\|\s*(\d+)\s*\|\s*$", plan.group(1), flags=re.MULTILINE)]
    assert len(minutes) >= 4 and sum(minutes) == 90, f"{path.name}: the time plan adds up to {minutes}"
    assert "(optional)" in markdown, f"{path.name}: the '(optional)' convention is never explained"


# What the lecture slides teach (/work/shared/seed/lecture-slides.md): every topic and formula stays in its session.
SLIDE_TOPICS = {
    "01": [
        "Mitchell",
        "i.i.d.",
        "sampling or selection bias",
        "data snooping",
        "underfitting",
        "overfitting",
        "Occam's razor",
        "60-20-20",
        "cross-validation",
        "Supervised",
        "Unsupervised",
        "Semi-supervised",
        "Reinforcement",
        "self-supervised",
    ],
    "02": [
        "linearly separable",
        r"\operatorname{sign}(\mathbf{w}^\top\mathbf{x})",
        r"\mathbf{w}(t+1) = \mathbf{w}(t) + y(t)\,\mathbf{x}(t)",
        r"\mathbf{w} = (\mathbf{X}^\top\mathbf{X})^{-1}\mathbf{X}^\top\mathbf{Y}",
        r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        r"\mathbf{w}_{t+1} = \mathbf{w}_t - \gamma",
        "pocket",
    ],
    "03": [
        "XOR",
        "massively parameterised",
        r"\mathcal{O}(N \times D)",
        "chain rule",
        r"\frac{dy}{dx} = \frac{dy}{dw_2}",
        "Forward accumulation",
        "reverse accumulation",
        "dual numbers",
        "softmax",
        "cross-entropy",
        "Weight sharing",
        "receptive field",
        "k-means",
        "silhouette",
    ],
    "04": [
        "covariate shift",
        "data augmentation",
        "autoencoder",
        "generative model",
        "active learning",
        "catastrophic forgetting",
        "predictive entropy",
        "Meta-learning",
        "AlphaFold",
        "R_w",
    ],
}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_slide_topic_and_formula_stays_in_its_session(path):
    markdown = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown")
    missing = [t for t in SLIDE_TOPICS[path.name[:2]] if t.lower() not in markdown.lower()]
    assert not missing, f"{path.name}: slide topics or formulas missing from the prose: {missing}"


def test_written_questions_have_a_model_answer_to_compare_with():
    """After every answer box (a markdown cell tagged 'solution'), a collapsed model answer."""
    for path in SOLUTIONS:
        nb = cells(path)
        for i, c in enumerate(nb):
            if c["cell_type"] == "markdown" and "solution" in c.get("metadata", {}).get("tags", []):
                after = "".join(nb[i + 1]["source"]) if i + 1 < len(nb) else ""
                assert "<details><summary>Compare your answer</summary>" in after, (
                    f"{path.name}, cell {i}: a written question without a model answer after it"
                )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_is_executed_with_clean_outputs(path):
    code = [c for c in cells(path) if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert all(c["execution_count"] is not None for c in code), "run the solution top to bottom"
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "executed out of order: re-run top to bottom"
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error", (
                f"{path.name}: error output in {''.join(c['source'])[:60]!r}"
            )
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), (
                f"{path.name}: stderr (a warning?) in {''.join(c['source'])[:60]!r}: {text_of(out)[:200]}"
            )
            text = text_of(out)
            assert "✘" not in text, f"{path.name}: a self-check fails in the solution: {text[:200]}"
            assert not re.search(r"at 0x[0-9a-f]{6,}", text), f"{path.name}: memory address in output"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_check_call_passes_in_the_solution(path):
    checks = [
        c
        for c in cells(path)
        if c["cell_type"] == "code" and re.search(r"\bcheck_\w+\(", "".join(c["source"]))
    ]
    assert checks, "exercises are followed by self-checks"
    for c in checks:
        assert any("✔" in text_of(o) for o in c["outputs"]), f"no ✔ after {''.join(c['source'])[:80]!r}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_plots_end_with_show_and_label_their_axes(path):
    for c in cells(path):
        src = "".join(c["source"])
        if c["cell_type"] != "code" or "plt.subplots" not in src and "plt.figure" not in src:
            continue
        assert src.rstrip().endswith("plt.show()"), (
            f"{path.name}: plotting cell must end with plt.show(): {src[:80]!r}"
        )
        assert re.search(r"xlabel|plot_pdf|plot_confusion_matrix|plot_\w+\(", src), (
            f"unlabelled: {src[:80]!r}"
        )


def test_stub_replaces_the_answer_and_keeps_the_rest():
    src = "def f(x):\n    # BEGIN SOLUTION Exercise 9.9\n    # STUB: y = ...  # shape (n,)\n    y = 2 * x\n    # END SOLUTION\n    return y"
    out = build.stub_source(src, "test")
    assert "2 * x" not in out and "def f(x):" in out and out.endswith("return y")
    assert "    y = ...  # shape (n,)" in out
    assert 'raise NotImplementedError("Exercise 9.9: write your code here' in out
    compile(out, "stub", "exec")


def test_quiz_stub_keeps_the_placeholder_and_does_not_raise():
    src = '# BEGIN SOLUTION Quiz question 1\n# STUB: answer = "?"  # your letter\nanswer = "c"\n'
    src += "# END SOLUTION\ncheck_quiz(1, 1, answer)"
    out = build.stub_source(src, "test")
    assert out == 'answer = "?"  # your letter\ncheck_quiz(1, 1, answer)'


@pytest.mark.parametrize(
    "src, match",
    [
        ("# BEGIN SOLUTION\nx = 1", "no '# END SOLUTION'"),
        ("x = 1\n# END SOLUTION", "without '# BEGIN SOLUTION'"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "nested"),
    ],
)
def test_broken_markers_are_reported_with_the_line(src, match):
    with pytest.raises(build.BuildError, match=match):
        build.stub_source(src, "nb.ipynb, cell 3")


def test_build_is_deterministic_and_does_not_touch_the_solution():
    nb = json.loads(SOLUTIONS[0].read_text(encoding="utf-8"))
    before = json.dumps(nb, sort_keys=True)
    a = build.dumps(build.student_notebook(nb, "x"))
    b = build.dumps(build.student_notebook(nb, "x"))
    assert a == b and json.dumps(nb, sort_keys=True) == before
    assert [c.get("id") for c in json.loads(a)["cells"]] == [c.get("id") for c in nb["cells"]]


@pytest.mark.parametrize("path", STUDENTS, ids=lambda p: p.name)
def test_student_notebook_run_without_answers_fails_only_at_the_stubs(path):
    """A student who runs everything before writing anything sees only 'write your code here' errors."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    errors = [
        (i, out)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for out in c.outputs
        if out.output_type == "error"
    ]
    assert errors, "the stubs raise NotImplementedError"
    for i, out in errors:
        assert out.ename == "NotImplementedError", f"cell {i}: {out.ename}: {out.evalue}"
        assert "write your code here" in out.evalue, f"cell {i}: {out.evalue}"
