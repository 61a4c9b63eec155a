"""The website's sources, without building it (fast, part of `make test`; Sphinx is not needed).

The built site itself is tested in a real browser by tests/test_site.py (`make test-site`).
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


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = sys.modules.setdefault(name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


site = _module("build_site")
build_notebooks = _module("build_notebooks")


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
        site.site_notebook(nb, "solutions/test.ipynb", "solutions/test.ipynb", {}, {})


def test_the_site_gives_each_figure_the_alt_text_of_its_cell():
    nb = {"cells": [md_cell("# Session 1 · Learning from data"), code_cell("plt.show()", [PNG], alt=ALT)]}
    out = site.site_notebook(nb, "solutions/01_learning_from_data.ipynb", "solutions/01.ipynb", {}, {})
    assert out["cells"][1]["metadata"]["mystnb"]["image"]["alt"] == ALT
    assert "alt" not in nb["cells"][1]["metadata"].get("mystnb", {}).get("image", {}), "input unchanged"


def test_the_student_copy_keeps_the_alt_text():
    nb = load(SOLUTIONS[0])
    figure = next(c for c in nb["cells"] if site.image_outputs(c))
    figure["metadata"]["alt"] = ALT
    student = build_notebooks.student_notebook(nb, "x")
    copied = next(c for c in student["cells"] if c.get("id") == figure.get("id"))
    assert copied["metadata"] == {"alt": ALT} and copied["outputs"] == []


# --------------------------------------------------------------------------- widgets


def test_every_explorer_of_helpers_widgets_has_a_static_twin():
    import helpers.widgets

    widgets = {n for n in helpers.widgets.__all__ if n.endswith("_widget")}
    twins = site.widget_twins()
    assert set(twins) == widgets
    assert all(plot in helpers.widgets.__all__ for plot in twins.values())


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_widget_of_the_solutions_is_shown_as_its_static_twin(path):
    nb = load(path)
    twins = site.widget_twins()
    widget_cells = [
        i
        for i, c in enumerate(nb["cells"])
        if any(site.WIDGET_MIME in o.get("data", {}) for o in c.get("outputs", []))
    ]
    for i in widget_cells:
        explorer, plot, twin = site.static_twin(nb, i, twins, path.name)
        assert twins[explorer] == plot and plot in site.source_of(twin)


def test_a_widget_is_replaced_by_the_figure_of_its_twin():
    twin = code_cell('plot_pdf_explorer("FCC", "Pt", size=4)\nplt.show()', [PNG], alt=ALT)
    nb = {
        "cells": [
            md_cell("# Session 1 · x"),
            twin,
            md_cell("Explore:"),
            code_cell("pdf_explorer_widget()", [WIDGET]),
        ]
    }
    twins = {"pdf_explorer_widget": "plot_pdf_explorer"}
    out = site.site_notebook(nb, "solutions/01_learning_from_data.ipynb", "solutions/01.ipynb", {}, twins)
    widget = out["cells"][3]
    assert [list(o["data"]) for o in widget["outputs"]] == [["text/markdown"], ["image/png", "text/plain"]]
    assert widget["outputs"][1]["data"]["image/png"] == PNG["data"]["image/png"]
    assert widget["metadata"]["mystnb"]["image"]["alt"] == ALT
    assert "Binder" in widget["outputs"][0]["data"]["text/markdown"]


def test_a_widget_without_a_static_twin_above_it_is_a_clear_error():
    nb = {"cells": [md_cell("# Session 1 · x"), code_cell("pdf_explorer_widget()", [WIDGET])]}
    twins = {"pdf_explorer_widget": "plot_pdf_explorer"}
    with pytest.raises(site.SiteError, match=r"no static twin above it .* calls plot_pdf_explorer"):
        site.site_notebook(nb, "solutions/01_learning_from_data.ipynb", "solutions/01.ipynb", {}, twins)


# --------------------------------------------------------------------------- the landing page


def notebook(*markdown: str) -> dict:
    return {"cells": [md_cell(m) for m in markdown]}


def test_the_time_plan_section_of_a_notebook_is_found():
    nb = notebook(
        "# Session 1 · x\n\nWhat you learn.",
        "## Time plan\n\n| part | minutes |\n|---|---|\n| theory | 20 |",
        "| practical | 60 |\n\n### Notes\n\nTake a break.",
        "## Aim and learning objectives\n\n- one",
    )
    plan = site.time_plan(nb)
    assert plan.startswith("| part | minutes |") and "| practical | 60 |" in plan and "Take a break." in plan
    assert "Aim" not in plan


def test_a_bold_time_plan_paragraph_is_found_too():
    nb = notebook(
        "# Session 1 · x\n\nWhat you learn.\n\n**Time plan** (90 min): theory 20, practical 60.\n\nMore."
    )
    assert site.time_plan(nb) == "**Time plan** (90 min): theory 20, practical 60."


def test_a_bold_time_plan_line_takes_the_table_below_it():
    table = "| part | minutes |\n|---|---|\n| theory | 20 |\n| practical | 70 |"
    nb = notebook(f"# Session 1 · x\n\n**Time plan (90 min)**\n\n{table}\n\nThe aim of this session.")
    assert site.time_plan(nb) == f"**Time plan (90 min)**\n\n{table}"


def test_without_a_time_plan_the_landing_page_lists_the_parts():
    nb = notebook(
        "# Session 1 · x", "## Theory\n\n### A\n\n```python\n## not a heading\n```\n### B", "## Quiz"
    )
    assert site.time_plan(nb) is None
    assert site.outline(nb) == "- **Theory**: A · B\n- **Quiz**"


def test_the_landing_page_shows_the_time_plan_of_a_notebook_that_has_one():
    nb = load(SOLUTIONS[0])
    nb["cells"].insert(1, md_cell("## Time plan\n\n| part | minutes |\n|---|---|\n| theory | 20 |"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = site.landing_page(readme, {SOLUTIONS[0]: nb}, site.page_map([SOLUTIONS[0]]), {})
    assert "**Time plan**\n\n| part | minutes |\n|---|---|\n| theory | 20 |" in page
    assert "no time plan yet" not in page


def test_title_and_summary_come_from_the_first_cell():
    nb = load(SOLUTIONS[0])
    assert site.notebook_title(nb, "x").startswith("Session 1 · ")
    assert site.notebook_summary(nb).startswith("After this session")


# --------------------------------------------------------------------------- links and pages


def context(source="README.md", page="README.md", **kw):
    pages = {"README.md": "README.md", "INSTRUCTORS.md": "INSTRUCTORS.md", "data/README.md": "data/README.md"}
    return site.LinkContext(source=source, page=page, pages=pages, **kw)


def test_links_to_site_pages_stay_and_other_files_go_to_github():
    repo, _ = site.repository()
    md = "[a](INSTRUCTORS.md#nbval-marks) [b](helpers/data.py) [c](tests/) [d](https://x.org) [e](#top)"
    out = site.rewrite_links(md, context(source="README.md", page="index.md", anchor_page="README.md"))
    assert "[a](INSTRUCTORS.md#nbval-marks)" in out
    assert f"[b](https://github.com/{repo}/blob/HEAD/helpers/data.py)" in out
    assert f"[c](https://github.com/{repo}/tree/HEAD/tests)" in out
    assert "[d](https://x.org)" in out and "[e](README.md#top)" in out


def test_links_are_made_relative_to_the_page_they_end_up_in():
    out = site.rewrite_links(
        "[datasheet](../data/README.md)", context("solutions/01.ipynb", "solutions/01.ipynb")
    )
    assert out == "[datasheet](../data/README.md)"


def test_code_is_not_rewritten_and_remote_images_become_their_alt_text():
    md = "[![Binder](https://example.org/badge.svg)](https://example.org/run)\n`[x](nowhere)`\n```\n[y](nowhere)\n```\n"
    out = site.rewrite_links(md, context())
    assert out.startswith("[Binder](https://example.org/run)\n`[x](nowhere)`\n```\n[y](nowhere)\n```")


@pytest.mark.parametrize(
    "md, match",
    [
        ("[gone](no/such/file.md)", "points to no/such/file.md, which does not exist"),
        ("![](docs/img/pdf_explorer.png)", "has no alt text"),
        ("![a figure of it](docs/img/missing.png)", "which does not exist"),
    ],
)
def test_a_broken_link_or_image_is_a_build_error(md, match):
    with pytest.raises(site.SiteError, match=match):
        site.rewrite_links(md, context())


def test_the_repository_comes_from_the_readme_or_site_repository(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert site.repository()[0] in readme
    monkeypatch.setenv("SITE_REPOSITORY", "my-org/ml4chem-course")
    assert site.binder_url("notebooks/01.ipynb").startswith(
        "https://mybinder.org/v2/gh/my-org/ml4chem-course/"
    )
    monkeypatch.setenv("SITE_REPOSITORY", "not a repository")
    with pytest.raises(site.SiteError, match="expected owner/name"):
        site.repository()


def test_staging_writes_every_page_with_nothing_from_outside(tmp_path):
    files = site.stage(tmp_path)
    docs = {Path(p).with_suffix(".html").as_posix() for p in files if p.endswith((".md", ".ipynb"))}
    docs = {d for d in docs if not d.startswith("notebooks/")}
    assert sorted(docs | {"search.html"}) == site.expected_pages()
    for path in SOLUTIONS:
        staged = json.loads(files[f"solutions/{path.name}"])
        assert ":::{admonition} Answers visible" in site.source_of(staged["cells"][0])
        assert files[f"notebooks/{path.name}"] == (ROOT / "notebooks" / path.name).read_bytes()
    for name, data in files.items():
        if name.endswith(".md"):
            assert not re.search(r"!\[[^\]]*\]\(https?:", data.decode("utf-8")), f"{name}: remote image"
    (tmp_path / "stale.md").write_text("# old", encoding="utf-8")
    site.stage(tmp_path)
    assert not (tmp_path / "stale.md").exists(), "a page that is gone must not stay in the sources"


def test_every_datasheet_is_a_page():
    pages = site.expected_pages()
    for readme in (ROOT / "data").rglob("README.md"):
        assert readme.relative_to(ROOT).with_suffix(".html").as_posix() in pages


# --------------------------------------------------------------------------- packaging and contributors


def test_the_site_extra_is_pinned_and_stays_out_of_binder():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site_reqs = project["optional-dependencies"]["site"]
    assert site_reqs and all("==" in r for r in site_reqs), site_reqs
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for req in site_reqs:
        assert req.split("==")[0] not in env, f"{req}: Binder runs the lab, not the site"
    lock = load(ROOT / "docs" / "package-lock.json")
    assert load(ROOT / "docs" / "package.json")["dependencies"] == {"mathjax": site.mathjax_version()}
    assert lock["packages"]["node_modules/mathjax"]["integrity"].startswith("sha512-")


def test_make_lab_and_make_test_do_not_need_the_site_tooling():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("venv", "lab", "test", "lint", "$(VENV)/.installed"):
        rule = re.search(rf"^{re.escape(target)}:(.*)$", makefile, re.MULTILINE)
        assert rule, target
        assert "SITE" not in rule[1] and "MATHJAX" not in rule[1], (
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
    site.site_notebook(
        nb, f"solutions/{SOLUTIONS[1].name}", f"solutions/{SOLUTIONS[1].name}", {}, site.widget_twins()
    )
    assert nb == before
