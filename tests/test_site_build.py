"""The website's sources, without building it (fast, part of `make test`; Sphinx is not needed).

docs/_ext/course_site.py (the course's Sphinx extension) is imported without Sphinx. The built site
itself is tested in a real browser by tests/test_site.py (`make test-site`).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))


def _module(name: str, folder: str = "tools"):
    spec = importlib.util.spec_from_file_location(name, ROOT / folder / f"{name}.py")
    module = sys.modules.setdefault(name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


site = _module("course_site", "docs/_ext")
build_notebooks = _module("build_notebooks")
DOCS = ROOT / "docs"
SOURCES = sorted(p for p in DOCS.rglob("*.md") if not {"node_modules", "_build"} & set(p.parts))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cell(source: str, outputs=(), **metadata) -> dict:
    return {"cell_type": "code", "source": source, "outputs": list(outputs), "metadata": metadata}


def md_cell(source: str) -> dict:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


PNG = {
    "output_type": "display_data",
    "metadata": {},
    "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
}
WIDGET = {
    "output_type": "execute_result",
    "metadata": {},
    "data": {site.WIDGET_MIME: {"model_id": "x"}, "text/plain": "VBox(children=(...))"},
}
ALT = "What does the toy figure show — a rising line from the lower left to the upper right."


# --------------------------------------------------------------------------- alt texts


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_figure_of_the_solutions_has_an_alt_text(path):
    problems = site.figure_problems(load(path), path.name)
    assert not problems, "add the cell metadata 'alt' (INSTRUCTORS.md, Figures):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "alt, problem",
    [
        (None, "no alt text"),
        ("  ", "no alt text"),
        ("figure_3.png", "file name"),
        ("4d985310ebec0ab70c722acca5fa0e647a00a1feba9901ceb56238a736c0a026.png", "file name"),
        ("a plot", "too short"),
        (ALT, None),
    ],
)
def test_alt_text_must_say_what_the_figure_shows(alt, problem):
    found = site.alt_problem(alt)
    assert (found is None) if problem is None else (problem in found)


def test_a_figure_without_alt_text_is_named_by_notebook_and_cell():
    nb = {
        "cells": [md_cell("# Session 9 · Test"), {**code_cell("plt.plot(x)\nplt.show()", [PNG]), "id": "c-1"}]
    }
    with pytest.raises(site.SiteError, match=r"test\.ipynb, cell c-1 \('plt\.plot\(x\)'\): no alt text"):
        site.session_page(nb, "solutions/test.ipynb")


def test_the_site_gives_each_figure_the_alt_text_of_its_cell():
    nb = {"cells": [md_cell("# Session 1 · Learning from data"), code_cell("plt.show()", [PNG], alt=ALT)]}
    out = site.session_page(nb, "solutions/01_learning_from_data.ipynb")
    assert out["cells"][2]["metadata"]["mystnb"]["image"]["alt"] == ALT
    assert "alt" not in nb["cells"][1]["metadata"].get("mystnb", {}).get("image", {}), "input unchanged"


def test_the_student_copy_keeps_the_alt_text():
    nb = load(SOLUTIONS[0])
    figure = next(c for c in nb["cells"] if site.image_outputs(c))
    figure["metadata"]["alt"] = ALT
    student = build_notebooks.student_notebook(nb, "x")
    copied = next(c for c in student["cells"] if c.get("id") == figure.get("id"))
    assert copied["metadata"] == {"alt": ALT} and copied["outputs"] == []


# --------------------------------------------------------------------------- widgets


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_widget_of_the_solutions_is_shown_as_its_static_twin(path):
    page = site.session_page(load(path), f"solutions/{path.name}")
    for cell in page["cells"]:
        outputs = cell.get("outputs", [])
        assert not any(site.WIDGET_MIME in o.get("data", {}) for o in outputs), "a widget is left"
        if "_widget(" in site.source_of(cell) and cell["cell_type"] == "code":
            assert "static twin is the figure of `plot_" in outputs[0]["data"]["text/markdown"]


def test_a_widget_gives_way_to_a_note_naming_its_twin_above():
    twin = code_cell('plot_pdf_explorer("FCC", "Pt", size=4)\nplt.show()', [PNG], alt=ALT)
    nb = {
        "cells": [
            md_cell("# Session 1 · x"),
            twin,
            md_cell("Explore:"),
            code_cell("pdf_explorer_widget()", [WIDGET]),
        ]
    }
    out = site.session_page(nb, "solutions/01_learning_from_data.ipynb")
    widget = out["cells"][4]
    assert [list(o["data"]) for o in widget["outputs"]] == [["text/markdown"]]
    note = widget["outputs"][0]["data"]["text/markdown"]
    assert "`plot_pdf_explorer(...)` above" in note and "mybinder.org" in note
    assert out["cells"][2]["metadata"]["mystnb"]["image"]["alt"] == ALT


def test_a_widget_without_a_static_twin_above_it_is_a_clear_error():
    nb = {"cells": [md_cell("# Session 1 · x"), code_cell("pdf_explorer_widget()", [WIDGET])]}
    with pytest.raises(site.SiteError, match=r"no static twin above it: a cell that calls one of plot_"):
        site.session_page(nb, "solutions/01_learning_from_data.ipynb")


# --------------------------------------------------------------------------- the pages


def test_each_session_page_says_the_answers_are_visible_and_links_the_student_version():
    page = site.session_page(load(SOLUTIONS[0]), f"solutions/{SOLUTIONS[0].name}")
    note = page["cells"][1]["source"]
    assert note.startswith(":::{admonition} Answers visible")
    assert f"{{download}}`download {SOLUTIONS[0].name} <../../notebooks/{SOLUTIONS[0].name}>`" in note
    assert f"/{site.repository()}/HEAD?urlpath=lab/tree/notebooks/{SOLUTIONS[0].name}" in note


INCLUDE = re.compile(r"```\{include\} (\S+)\n((?::[\w-]+:.*\n)*)```")


@pytest.mark.parametrize("page", SOURCES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_include_marker_is_in_the_included_file_once(page):
    """A page shows part of a file between markers (not headings): renaming a heading breaks nothing."""
    text = page.read_text(encoding="utf-8")
    for target, options in INCLUDE.findall(text):
        included = (page.parent / target).resolve()
        assert included.is_file(), f"{page.name}: includes {target}, which does not exist"
        lines = [line.strip() for line in included.read_text(encoding="utf-8").splitlines()]
        for marker in re.findall(r':(?:start-after|end-before): "(.*)"', options):
            found = lines.count(marker)  # a whole line: nothing of the comment is left on the page
            assert found == 1, f"{page.name}: the marker line {marker!r} is {found} times in {included.name}"


def test_every_datasheet_and_guide_is_a_page_that_includes_it():
    for path in [ROOT / "INSTRUCTORS.md", *(ROOT / "data").rglob("README.md")]:
        page = DOCS / path.relative_to(ROOT)
        assert page.is_file(), f"{page.relative_to(ROOT)}: add it, {{include}} of {path.relative_to(ROOT)}"
        assert "```{include} " in page.read_text(encoding="utf-8")


def test_a_link_to_a_repository_file_goes_to_github_and_a_missing_one_stays_broken():
    repo = site.repository()
    page = DOCS / "data" / "README.md"  # includes data/README.md: links are relative to data/
    assert (
        site.github_url("../helpers/pdf.py#L1", page)
        == f"https://github.com/{repo}/blob/HEAD/helpers/pdf.py#L1"
    )
    assert site.github_url("measured", page) == f"https://github.com/{repo}/tree/HEAD/data/measured"
    assert site.github_url("../helpers/no_such_file.py", page) is None
    assert site.github_url("../../../etc/passwd", page) is None


def test_the_site_takes_the_repository_from_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert site.repository() == pyproject["tool"]["ml4chem"]["repository"]
    assert site.binder_url("notebooks/x.ipynb").startswith(f"https://mybinder.org/v2/gh/{site.repository()}/")


def test_the_build_fails_on_a_warning_and_a_reference_to_nothing():
    cmd = _module("build_site").sphinx_command()
    assert {"-W", "-n", "--keep-going"} <= set(cmd) and cmd[-2:] == [str(DOCS), str(ROOT / "_build" / "html")]


# --------------------------------------------------------------------------- packaging and contributors


def test_the_site_extra_is_pinned_and_stays_out_of_binder():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site_reqs = project["optional-dependencies"]["site"]
    assert site_reqs and all("==" in r for r in site_reqs), site_reqs
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for req in site_reqs:
        assert req.split("==")[0] not in env, f"{req}: Binder runs the lab, not the site"
    lock = load(ROOT / "docs" / "package-lock.json")
    assert load(ROOT / "docs" / "package.json")["dependencies"] == {
        "axe-core": lock["packages"]["node_modules/axe-core"]["version"],  # the accessibility test
        "mathjax": site.mathjax_version(),
    }
    for package in ("mathjax", "axe-core"):
        assert lock["packages"][f"node_modules/{package}"]["integrity"].startswith("sha512-")


def test_make_lab_and_make_test_do_not_need_the_site_tooling():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("venv", "lab", "test", "lint", "$(VENV)/.installed"):
        rule = re.search(rf"^{re.escape(target)}:(.*)$", makefile, re.MULTILINE)
        assert rule, target
        assert "SITE" not in rule[1] and "NODE_MODULES" not in rule[1], (
            f"make {target} depends on the site: {rule[0]}"
        )
    assert re.search(r'uv pip install .*-e "\.\[dev\]"', makefile), "make venv installs the dev extra only"
    assert re.search(r"^test-site:.*\$\(SITE_INSTALLED\)", makefile, re.MULTILINE)
    assert "make test-site" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_site_test_is_not_part_of_make_test():
    pytest_ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    assert "-m 'not site'" in pytest_ini["ini_options"]["addopts"]
    assert "site:" in " ".join(pytest_ini["ini_options"]["markers"])


def test_the_pages_workflow_builds_and_publishes_on_push_to_main():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"]
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert any(s.get("run") == "make site" for s in build["steps"])
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_the_issue_forms_ask_where_what_was_done_and_what_was_expected():
    forms = ROOT / ".github" / "ISSUE_TEMPLATE"
    problem = yaml.safe_load((forms / site.ISSUE_TEMPLATE).read_text(encoding="utf-8"))
    fields = {b["id"]: b for b in problem["body"] if "id" in b}
    for needed in ("notebook", "cell", "what-you-did", "what-you-expected"):
        assert fields[needed]["validations"]["required"] is True, needed
    listed = [o for o in fields["notebook"]["attributes"]["options"] if re.match(r"\d\d_", o)]
    assert listed == [p.stem for p in SOLUTIONS], "the form's notebook list must name every session notebook"
    question = yaml.safe_load((forms / "question.yml").read_text(encoding="utf-8"))
    assert question["body"][0]["id"] == "question" and question["body"][0]["validations"]["required"]
    assert yaml.safe_load((forms / "config.yml").read_text(encoding="utf-8")) == {
        "blank_issues_enabled": False
    }


def test_the_build_does_not_change_the_notebook_it_reads():
    nb = load(SOLUTIONS[1])
    before = copy.deepcopy(nb)
    site.session_page(nb, f"solutions/{SOLUTIONS[1].name}")
    assert nb == before
