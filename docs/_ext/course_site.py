"""The course's own Sphinx extension: what Sphinx and MyST-NB cannot do by configuration alone.

* ``solutions/NN_*.ipynb`` become the pages ``docs/solutions/NN_*.ipynb`` (written at builder-inited,
  git-ignored), each a copy with three changes: every figure gets the alt text of its cell's ``alt``
  metadata as MyST-NB's ``mystnb.image.alt`` (a cell without a usable one is a build error naming it);
  a note on top says the answers are visible and links the student version (download and Binder); an
  ipywidgets explorer, which needs a kernel, shows a note naming its static twin (the figure above it
  drawn by the explorer's ``plot_*`` function of helpers.widgets) instead of a widget placeholder.
* A Markdown link to a repository file that is not a page (``tools/build_site.py``) points to it on
  GitHub; one to a file that does not exist stays a broken reference, an error under ``-W -n``.
* MathJax is served from the site itself (docs/package-lock.json, installed by ``npm ci``).

No Sphinx import at module level: tests/test_site_build.py (part of `make test`) imports this module
without the site tooling.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GENERATED = DOCS / "solutions"  # the session pages (git-ignored)
STATIC = ROOT / "_build" / "site-static"  # MathJax, copied from docs/node_modules
MATHJAX = DOCS / "node_modules" / "mathjax"
MATHJAX_FILE = "tex-svg-full.js"  # every TeX extension built in (nothing loaded later), SVG (no fonts)

ALT_KEY = "alt"  # code-cell metadata: the alt text of the cell's figure (INSTRUCTORS.md, "Figures")
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
FILE_NAME = re.compile(r"^[\w./-]+\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}(\.\w+)?$", re.IGNORECASE)
MIN_ALT_WORDS = 4
ISSUE_TEMPLATE = "notebook-problem.yml"  # .github/ISSUE_TEMPLATE/, linked from every session page


class SiteError(ValueError):
    """Something in the repository that the site cannot show: the message says what and where."""


def repository() -> str:
    """owner/name of the course's GitHub repository: pyproject.toml's [tool.ml4chem] repository."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["ml4chem"]["repository"]


def binder_url(path: str) -> str:
    return f"https://mybinder.org/v2/gh/{repository()}/HEAD?urlpath=lab/tree/{path}"


def sessions() -> list[Path]:
    return sorted((ROOT / "solutions").glob("[0-9]*.ipynb"))


# --------------------------------------------------------------------------- the session pages


def source_of(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def image_outputs(cell: dict) -> list[dict]:
    return [o for o in cell.get("outputs", []) if any(m in o.get("data", {}) for m in IMAGE_MIMES)]


def alt_problem(alt) -> str | None:
    """Why ``alt`` is not a usable alt text (None when it is)."""
    if not isinstance(alt, str) or not alt.strip():
        return "no alt text"
    if FILE_NAME.match(alt.strip()):
        return f"the alt text {alt!r} is a file name"
    if len(alt.split()) < MIN_ALT_WORDS:
        return f"the alt text {alt!r} is too short to say what the figure shows"
    return None


def figure_problems(nb: dict, where: str) -> list[str]:
    """Every figure cell without a usable alt text, or with more than one figure."""
    problems = []
    for cell in nb["cells"]:
        figures = image_outputs(cell) if cell["cell_type"] == "code" else []
        if not figures:
            continue
        first = next((x for x in source_of(cell).splitlines() if x.strip() and "NBVAL" not in x), "")
        at = f"{where}, cell {cell.get('id', '?')} ({first[:70]!r})"
        if len(figures) > 1:
            problems.append(f"{at}: {len(figures)} figures in one cell (one figure, one alt text)")
        problem = alt_problem(cell.get("metadata", {}).get(ALT_KEY))
        if problem:
            problems.append(f"{at}: {problem}")
    return problems


def static_twin(nb: dict, index: int, where: str) -> str:
    """The ``plot_*`` function whose figure, above the widget cell at ``index``, is its static twin.

    The nearest code cell above that shows one figure and calls a ``plot_*`` function of
    helpers.widgets (each explorer module exports the widget and its static twin).
    """
    import helpers.widgets

    plots = [n for n in helpers.widgets.__all__ if n.startswith("plot_")]
    for prev in reversed(nb["cells"][:index]):
        called = [p for p in plots if re.search(rf"\b{p}\(", source_of(prev))]
        if prev["cell_type"] == "code" and called and len(image_outputs(prev)) == 1:
            return called[0]
    cell = nb["cells"][index]
    raise SiteError(
        f"{where}, cell {cell.get('id', index)} shows a widget with no static twin above it: a cell "
        f"that calls one of {', '.join(plots)} and shows its figure, which the site shows instead"
    )


def markdown_output(text: str) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": text}}


def session_page(nb: dict, source: str) -> dict:
    """The notebook as the site shows it (a new dict; ``source`` is its path, solutions/NN_x.ipynb)."""
    problems = figure_problems(nb, source)
    if problems:
        raise SiteError(
            "figures without a usable alt text (add one sentence as the code cell's metadata "
            f'"{ALT_KEY}", see INSTRUCTORS.md, "Figures"):\n  ' + "\n  ".join(problems)
        )
    name = Path(source).name
    student = f"notebooks/{name}"
    if not (ROOT / student).is_file():
        raise SiteError(f"{source}: no student version {student} (run `make notebooks`)")
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb["cells"]):
        meta = cell.setdefault("metadata", {})
        if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
            plot = static_twin(nb, index, source)
            cell["outputs"] = [
                markdown_output(
                    "*Interactive explorer:* it needs a running Python kernel. Open the notebook with "
                    f"`make lab` or [on Binder]({binder_url(student)}) to move its controls. Here, its "
                    f"static twin is the figure of `{plot}(...)` above."
                )
            ]
        elif image_outputs(cell):
            meta.setdefault("mystnb", {}).setdefault("image", {})["alt"] = meta[ALT_KEY]
    issue = f"https://github.com/{repository()}/issues/new?template={ISSUE_TEMPLATE}"
    note = "\n".join(
        [
            ":::{admonition} Answers visible",
            ":class: tip",
            "This page is the **solution notebook**, with every answer and its output. Try the exercises",
            f"first in the student version: {{download}}`download {name} <../../{student}>` and open it",
            f"with `make lab`, or [launch it on Binder]({binder_url(student)}) (the first start takes a",
            f"few minutes). Something wrong or unclear? [Report a problem in a notebook]({issue}).",
            ":::",
        ]
    )
    nb["cells"].insert(1, {"cell_type": "markdown", "id": "site-note", "metadata": {}, "source": note})
    return nb


def write_if_changed(path: Path, data: bytes) -> None:
    """Write only when the content differs (Sphinx rebuilds only what changed), atomically."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_session_pages(dest: Path = GENERATED) -> list[Path]:
    written = []
    for path in sessions():
        nb = json.loads(path.read_text(encoding="utf-8"))
        page = session_page(nb, f"solutions/{path.name}")
        text = json.dumps(page, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_if_changed(dest / path.name, text.encode("utf-8"))
        written.append(dest / path.name)
    for old in dest.glob("*.ipynb"):
        if old not in written:
            old.unlink()
    return written


# --------------------------------------------------------------------------- MathJax and versions


def mathjax_version() -> str:
    lock = json.loads((DOCS / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/mathjax"]["version"]


def copy_mathjax(dest: Path = STATIC) -> None:
    script = MATHJAX / "es5" / MATHJAX_FILE
    installed = (MATHJAX / "package.json").is_file() and json.loads(
        (MATHJAX / "package.json").read_text(encoding="utf-8")
    )["version"]
    if not script.is_file() or installed != mathjax_version():
        raise SiteError(
            f"docs/node_modules has no MathJax {mathjax_version()} (docs/package-lock.json): run `make site`, "
            "which installs it with `npm ci` (once)"
        )
    write_if_changed(dest / "mathjax" / MATHJAX_FILE, script.read_bytes())
    write_if_changed(dest / "mathjax" / "LICENSE", (MATHJAX / "LICENSE").read_bytes())


def site_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = (r.split("#")[0].strip() for r in project["optional-dependencies"]["site"])
    return dict(r.split("==", 1) for r in reqs)


# --------------------------------------------------------------------------- Sphinx hooks


def github_url(target: str, docpath: Path) -> str | None:
    """The GitHub address of the repository file a link of the page ``docpath`` names, or None.

    The pages under docs/ mirror the repository's layout (docs/data/README.md includes
    data/README.md), so a link relative to the page is relative to the file it includes.
    """
    path, _, anchor = target.partition("#")
    if not path or "://" in path:
        return None
    try:
        repo_path = (docpath.parent / path).resolve().relative_to(DOCS.resolve())
    except ValueError:
        return None
    if not (ROOT / repo_path).exists():
        return None  # a broken link: MyST warns, -W makes it an error
    kind = "tree" if (ROOT / repo_path).is_dir() else "blob"
    url = f"https://github.com/{repository()}/{kind}/HEAD/{repo_path.as_posix()}"
    return url + (f"#{anchor}" if anchor else "")


def link_repository_files(app, doctree) -> None:
    """doctree-read: MyST's unresolved links that name a repository file become links to GitHub."""
    from docutils import nodes
    from sphinx import addnodes

    for node in list(doctree.findall(addnodes.pending_xref)):
        if node.get("reftype") != "myst" or node.get("refdomain"):
            continue
        url = github_url(node["reftarget"], Path(app.env.doc2path(node["refdoc"])))
        if url:
            node.replace_self(nodes.reference("", "", *node.children, refuri=url, internal=False))


def setup(app):
    # MathJax first: html_static_path names its folder, which must exist when the builder starts.
    app.connect("config-inited", lambda app, config: copy_mathjax())
    app.connect("builder-inited", lambda app: write_session_pages())
    app.connect("doctree-read", link_repository_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
