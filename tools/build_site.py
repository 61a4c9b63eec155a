"""Build the course website: static HTML in _build/html/ from the solution notebooks as stored.

    python tools/build_site.py               # = make site: stage the pages, then run Sphinx (MyST-NB)
    python tools/build_site.py --stage-only  # only write the Sphinx sources to _build/site-src/

Nothing is executed: the pages show the outputs stored in solutions/. Nothing is downloaded: the theme,
its scripts and fonts come with the pinned packages (the ``site`` extra of pyproject.toml), MathJax
with docs/package-lock.json (``npm ci``, run by ``make site``), and the site serves them itself.

The pages, each derived from the repository, so that a new notebook or datasheet needs no edit here:

* ``index`` — the landing page: the README's introduction, the sessions (title, first paragraph and
  time plan of every ``solutions/NN_*.ipynb``; without a "Time plan" section, the notebook's
  sections), how to start (the README's "Start here" and "Binder" sections);
* ``solutions/NN_*`` — one page per session, from the solution notebook, with a note on top that the
  answers are visible, a download link to the student version ``notebooks/NN_*.ipynb`` and a Binder
  link for it. Every figure gets the alt text of its cell's ``alt`` metadata (a build error names the
  cells without one); an ipywidgets explorer, which needs a kernel, is shown as its static twin: the
  figure of the nearest cell above it that calls the explorer's ``plot_*`` function (the pairs are
  the import lines of helpers/widgets/__init__.py);
* ``INSTRUCTORS``, every datasheet ``data/**/README.md``, the whole ``README`` (course overview) and
  ``licence`` (the README's licence section, LICENSE, credits).

Links between these pages stay links; links to other files of the repository point to them on
GitHub; a link to a file that does not exist is a build error. Images from the web (the README's
Binder badge) are replaced by their alt text, so that opening a page requests nothing from outside.
The GitHub repository (for Binder and source links) is the one in the README's Binder link, or
``SITE_REPOSITORY=owner/name`` (the Pages workflow sets it).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"  # conf.py and the site's own static files
BUILD = ROOT / "_build"
STAGE = BUILD / "site-src"  # the Sphinx sources, written by stage()
STATIC = BUILD / "site-static"  # static files copied in at build time (MathJax)
HTML = BUILD / "html"
DOCTREES = BUILD / "doctrees"
MATHJAX_PACKAGE = DOCS / "node_modules" / "mathjax"
MATHJAX_FILE = "tex-svg-full.js"  # every TeX extension built in (nothing loaded later), SVG (no font files)
WIDGETS_INIT = ROOT / "helpers" / "widgets" / "__init__.py"

ALT_KEY = "alt"  # code-cell metadata: the alt text of the cell's figure (INSTRUCTORS.md, "Figures")
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
ISSUE_TEMPLATE = "notebook-problem.yml"  # .github/ISSUE_TEMPLATE/, linked from every session page

README_INTRO_END = "## "  # the introduction is everything before the first level-2 heading
README_START = "Start here"  # README sections the landing page shows (by the start of their heading)
README_BINDER = "Binder"
README_SESSIONS = "The sessions"
README_LICENCE = "Licence"
BINDER_LINK = re.compile(
    r"https://mybinder\.org/v2/gh/(?P<repo>[\w.-]+/[\w.-]+)/(?P<ref>[\w.-]+)\?urlpath=(?P<urlpath>[^)\s\"'>]+)"
)
REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+")
TIME_PLAN = re.compile(r"\btime[ -]plan\b", re.IGNORECASE)
FILE_NAME = re.compile(r"^[\w./-]+\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}(\.\w+)?$", re.IGNORECASE)
MIN_ALT_WORDS = 4


class SiteError(ValueError):
    """Something in the repository that the site cannot show: the message says what and where."""


# --------------------------------------------------------------------------- small helpers


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source_of(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def sessions() -> list[Path]:
    """The solution notebooks, one per session page."""
    return sorted(SOLUTIONS.glob("[0-9]*.ipynb"))


def datasheets() -> list[Path]:
    """Every datasheet: data/README.md and the README.md of any folder below data/."""
    return sorted(ROOT.glob("data/**/README.md"))


def markdown_pages() -> dict[str, Path]:
    """Staged page path -> repository file, for the Markdown pages taken over as they are."""
    pages = {"README.md": ROOT / "README.md", "INSTRUCTORS.md": ROOT / "INSTRUCTORS.md"}
    pages.update({rel(p): p for p in datasheets()})
    return pages


def expected_pages() -> list[str]:
    """The HTML pages of the site, relative to _build/html (what tests/test_site.py opens)."""
    docs = ["index", "licence", *(Path(p).with_suffix("").as_posix() for p in markdown_pages())]
    docs += [f"solutions/{p.stem}" for p in sessions()]
    return sorted([*(f"{d}.html" for d in docs), "search.html"])


def repository() -> tuple[str, str]:
    """(owner/name, git ref) of the GitHub repository: SITE_REPOSITORY, else the README's Binder link."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = BINDER_LINK.search(readme)
    if not m:
        raise SiteError("README.md: no Binder link (https://mybinder.org/v2/gh/OWNER/NAME/REF?urlpath=...)")
    repo = os.environ.get("SITE_REPOSITORY") or m["repo"]
    if not REPOSITORY.fullmatch(repo):
        raise SiteError(f"SITE_REPOSITORY={repo!r}: expected owner/name, e.g. my-org/ml4chem-course")
    return repo, m["ref"]


def binder_url(path: str) -> str:
    """A Binder link that opens ``path`` (a file of the repository) in JupyterLab."""
    repo, ref = repository()
    return f"https://mybinder.org/v2/gh/{repo}/{ref}?urlpath=lab/tree/{path}"


def github_url(path: str, directory: bool = False) -> str:
    repo, _ = repository()
    return f"https://github.com/{repo}/{'tree' if directory else 'blob'}/HEAD/{path}"


# --------------------------------------------------------------------------- Markdown


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)
REMOTE_IMAGE = re.compile(r"!\[([^\]]*)\]\((https?://[^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)(\s+\"[^\"]*\")?\)")
LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^)\s]+)(\s+\"[^\"]*\")?\)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def code_blocks(md: str) -> list[tuple[bool, str]]:
    """Split Markdown into (is_code, text) chunks at its fenced code blocks."""
    chunks: list[tuple[bool, str]] = []
    fence = None
    block: list[str] = []
    for line in md.splitlines(keepends=True):
        m = FENCE.match(line)
        if fence is None and m:
            chunks.append((False, "".join(block)))
            block, fence = [line], m[1]
        elif fence is not None and line.strip().startswith(fence) and not line.strip(fence[0]).strip():
            block.append(line)
            chunks.append((True, "".join(block)))
            block, fence = [], None
        else:
            block.append(line)
    chunks.append((fence is not None, "".join(block)))
    return [(code, text) for code, text in chunks if text]


def map_prose(md: str, fn) -> str:
    """Apply ``fn`` to the prose of ``md``: code blocks and inline code are left as they are."""
    return "".join(text if is_code else _map_unquoted(text, fn) for is_code, text in code_blocks(md))


def _map_unquoted(text: str, fn) -> str:
    spans = INLINE_CODE.findall(text) and [m[0] for m in INLINE_CODE.finditer(text)]
    masked = INLINE_CODE.sub(lambda m: f"\x00{spans.index(m[0])}\x00", text)
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m[1])], fn(masked))


def prose_lines(md: str):
    """(line, in_code) for every line of a Markdown text (headings inside code fences do not count)."""
    fence = None
    for line in md.splitlines():
        m = FENCE.match(line)
        if fence is None and m:
            fence = m[1]
            yield line, True
        elif fence is not None:
            if line.strip().startswith(fence) and not line.strip(fence[0]).strip():
                fence = None
            yield line, True
        else:
            yield line, False


def sections(md: str, level: int = 2) -> list[tuple[str, str]]:
    """[(heading text, body)] of the level-``level`` sections; the text before the first is under ''."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line, in_code in prose_lines(md):
        m = HEADING.match(line) if not in_code else None
        if m and len(m[1]) == level:
            out.append((m[2], []))
        else:
            out[-1][1].append(line)
    return [(title, "\n".join(body).strip("\n")) for title, body in out]


def section(md: str, starts_with: str, where: str) -> str:
    found = [body for title, body in sections(md) if title.startswith(starts_with)]
    if not found:
        raise SiteError(f"{where}: no section '## {starts_with}…' (the site shows it on the landing page)")
    return found[0]


def shift_headings(md: str, top: int) -> str:
    """Demote the headings of ``md`` so that its highest one has level ``top``."""
    levels = [len(m[1]) for line, code in prose_lines(md) if not code for m in [HEADING.match(line)] if m]
    if not levels:
        return md
    shift = max(0, top - min(levels))
    lines = []
    for line, code in prose_lines(md):
        m = HEADING.match(line) if not code else None
        lines.append("#" * min(6, len(m[1]) + shift) + " " + m[2] if m else line)
    return "\n".join(lines)


@dataclass
class LinkContext:
    """How to rewrite the links of one Markdown text."""

    source: str  # the repository path of the text, for messages and for resolving relative links
    page: str  # the staged page the text ends up in (links are made relative to it)
    pages: dict[str, str]  # repository path -> staged page path, for the files that are site pages
    anchor_page: str | None = None  # a page for "#anchor" links (text taken out of that page)


def rewrite_links(md: str, ctx: LinkContext, images: dict[str, Path] | None = None) -> str:
    """Links to site pages stay (relative to the staged page), to other repository files go to GitHub.

    Remote images become their alt text; local images are collected into ``images`` (staged path ->
    file). A link or image to a file that does not exist raises SiteError.
    """
    src_dir = posixpath.dirname(ctx.source)
    page_dir = posixpath.dirname(ctx.page)

    def target_for(target: str, kind: str) -> str:
        if SCHEME.match(target):
            return target
        if target.startswith("#"):
            if ctx.anchor_page:
                return posixpath.relpath(ctx.anchor_page, page_dir or ".") + target
            return target
        path, hash_, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(src_dir, path)) if path else ctx.source
        if resolved.startswith("../"):
            raise SiteError(f"{ctx.source}: the {kind} {target!r} points outside the repository")
        if resolved in ctx.pages:
            return posixpath.relpath(ctx.pages[resolved], page_dir or ".") + hash_ + anchor
        full = ROOT / resolved
        if not full.exists():
            raise SiteError(f"{ctx.source}: the {kind} {target!r} points to {resolved}, which does not exist")
        return github_url(resolved, directory=full.is_dir()) + hash_ + anchor

    def fix(text: str) -> str:
        text = REMOTE_IMAGE.sub(lambda m: m[1], text)

        def image(m: re.Match) -> str:
            alt, target = m[1].strip(), m[2]
            if not alt:
                raise SiteError(f"{ctx.source}: the image {target!r} has no alt text (![what it shows](...))")
            resolved = posixpath.normpath(posixpath.join(src_dir, target))
            if not (ROOT / resolved).is_file():
                raise SiteError(
                    f"{ctx.source}: the image {target!r} points to {resolved}, which does not exist"
                )
            if images is not None:
                images[resolved] = ROOT / resolved
            return f"![{alt}]({posixpath.relpath(resolved, page_dir or '.')}{m[3] or ''})"

        text = IMAGE.sub(image, text)
        return LINK.sub(lambda m: f"[{m[1]}]({target_for(m[2], 'link')}{m[3] or ''})", text)

    return map_prose(md, fix)


# --------------------------------------------------------------------------- notebooks


def image_outputs(cell: dict) -> list[dict]:
    return [o for o in cell.get("outputs", []) if any(m in o.get("data", {}) for m in IMAGE_MIMES)]


def first_line(cell: dict) -> str:
    """The cell's first line of code, to name it in a message (nbval marks skipped)."""
    lines = [
        line for line in source_of(cell).splitlines() if line.strip() and not line.startswith("# NBVAL_")
    ]
    return (lines or [""])[0][:70]


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
    """Every figure cell of a notebook without a usable alt text, or with more than one figure."""
    problems = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or not image_outputs(cell):
            continue
        at = f"{where}, cell {cell.get('id', '?')} ({first_line(cell)!r})"
        if len(image_outputs(cell)) > 1:
            problems.append(
                f"{at}: {len(image_outputs(cell))} figures in one cell (one figure, one alt text)"
            )
        problem = alt_problem(cell.get("metadata", {}).get(ALT_KEY))
        if problem:
            problems.append(f"{at}: {problem}")
    return problems


def widget_twins(init: Path = WIDGETS_INIT) -> dict[str, str]:
    """Explorer function -> its static twin, from the import lines of helpers/widgets/__init__.py.

    Each explorer module is imported with one line, ``from ... import x_widget, plot_x``: the widget
    and the static figure of the same picture.
    """
    twins = {}
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [a.asname or a.name for a in node.names]
            widgets = [n for n in names if n.endswith("_widget")]
            plots = [n for n in names if n.startswith("plot_")]
            if len(widgets) == 1 and len(plots) == 1:
                twins[widgets[0]] = plots[0]
    return twins


WIDGET_CALL = re.compile(r"^(?!\s*(?:def|#))[^#\n]*?\b(\w+_widget)\(", re.MULTILINE)


def static_twin(nb: dict, index: int, twins: dict[str, str], where: str) -> tuple[str, str, dict]:
    """(explorer, twin function, twin cell) for the widget cell at ``index``."""
    cell = nb["cells"][index]
    calls = WIDGET_CALL.findall(source_of(cell))
    at = f"{where}, cell {cell.get('id', index)}"
    known = [c for c in calls if c in twins]
    if not known:
        raise SiteError(
            f"{at} shows a widget, but calls no explorer of helpers.widgets ({', '.join(sorted(twins))}): "
            "the site cannot show a static figure for it"
        )
    explorer = known[-1]
    plot = twins[explorer]
    call = re.compile(rf"\b{re.escape(plot)}\(")
    for prev in reversed(nb["cells"][:index]):
        if prev["cell_type"] == "code" and call.search(source_of(prev)) and len(image_outputs(prev)) == 1:
            return explorer, plot, prev
    raise SiteError(
        f"{at}: {explorer}() has no static twin above it — a cell that calls {plot}(...) and shows its "
        "figure, which the site displays in place of the widget"
    )


def widget_note(explorer: str, plot: str, student_path: str) -> str:
    return (
        f"*Interactive explorer.* `{explorer}()` needs a running Python kernel: open the notebook in "
        f"JupyterLab (`make lab`) or [on Binder]({binder_url(student_path)}) to move its controls. "
        f"Here, its static twin `{plot}(...)`, the figure it starts from:"
    )


def session_note(student_download: str, student_path: str) -> str:
    repo, _ = repository()
    name = posixpath.basename(student_path)
    issue = f"https://github.com/{repo}/issues/new?template={ISSUE_TEMPLATE}"
    return "\n".join(
        [
            ":::{admonition} Answers visible",
            ":class: tip",
            "This page is the **solution notebook**, with every answer and its output. Try the exercises",
            f"first in the student version: {{download}}`download {name} <{student_download}>` and open",
            f"it with `make lab`, or [launch it on Binder]({binder_url(student_path)}) (the first start",
            f"takes a few minutes). Something wrong or unclear? [Report a problem in a notebook]({issue}).",
            ":::",
        ]
    )


def site_notebook(nb: dict, source: str, page: str, pages: dict[str, str], twins: dict[str, str]) -> dict:
    """The notebook as the site shows it (a new dict): note on top, alt texts, widgets as figures.

    ``source`` is the solution's repository path, ``page`` its staged path.
    """
    problems = figure_problems(nb, source)
    if problems:
        raise SiteError(
            "figures without a usable alt text (add one sentence as the code cell's metadata "
            f'"{ALT_KEY}", see INSTRUCTORS.md, "Figures"):\n  ' + "\n  ".join(problems)
        )
    nb = copy.deepcopy(nb)
    student_path = f"notebooks/{posixpath.basename(source)}"
    if not (ROOT / student_path).is_file():
        raise SiteError(f"{source}: no student version {student_path} (run `make notebooks`)")
    page_dir = posixpath.dirname(page)
    ctx = LinkContext(source=source, page=page, pages=pages)
    titled = False
    for index, cell in enumerate(nb["cells"]):
        meta = cell.setdefault("metadata", {})
        if cell["cell_type"] == "markdown":
            text = rewrite_links(source_of(cell), ctx)
            if not titled:
                lines = text.split("\n")
                h1 = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
                if h1 is None:
                    raise SiteError(f"{source}: the first Markdown cell has no '# Session N · …' title")
                note = session_note(posixpath.relpath(student_path, page_dir), student_path)
                text = "\n".join([*lines[: h1 + 1], "", note, "", *lines[h1 + 1 :]])
                titled = True
            cell["source"] = text
            continue
        if cell["cell_type"] != "code":
            continue
        if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
            explorer, plot, twin = static_twin(nb, index, twins, source)
            picture = copy.deepcopy(image_outputs(twin)[0])
            picture.update(output_type="display_data", metadata=picture.get("metadata", {}))
            picture.pop("execution_count", None)
            note = {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/markdown": widget_note(explorer, plot, student_path)},
            }
            cell["outputs"] = [note, picture]
            meta.setdefault(ALT_KEY, twin["metadata"][ALT_KEY])
        if image_outputs(cell):
            meta.setdefault("mystnb", {}).setdefault("image", {})["alt"] = meta[ALT_KEY]
    return nb


def notebook_title(nb: dict, where: str) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line, code in prose_lines(source_of(cell)):
                if not code and line.startswith("# "):
                    return line[2:].strip()
    raise SiteError(f"{where}: no '# Session N · …' title")


def notebook_summary(nb: dict) -> str:
    """The first paragraph after the title (what you can do after the session)."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", source_of(cell)) if p.strip()]
        body = [p for p in paragraphs if not p.startswith("#")]
        if body:
            return body[0]
    return ""


LIST_OR_TABLE = re.compile(r"^\s*(\||[-*+]\s|\d+[.)]\s)")


def time_plan(nb: dict) -> str | None:
    """The notebook's time plan, as Markdown, or None.

    Either a section whose heading says "time plan" (up to the next heading of the same or a higher
    level), or a paragraph that starts with "**Time plan" with the list or table right after it (up to
    the next heading, or the first blank line not followed by more of that list or table).
    """
    lines = [
        (line, code)
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line, code in [*prose_lines(source_of(c)), ("", False)]
    ]
    for i, (line, code) in enumerate(lines):
        m = HEADING.match(line) if not code else None
        if m and TIME_PLAN.search(m[2]):
            body = []
            for later, later_code in lines[i + 1 :]:
                h = HEADING.match(later) if not later_code else None
                if h and len(h[1]) <= len(m[1]):
                    break
                body.append(later)
            return "\n".join(body).strip() or None
        if not code and re.match(r"^\*\*time[ -]plan", line.strip(), re.IGNORECASE):
            body = []
            rest = lines[i:]
            for k, (later, later_code) in enumerate(rest):
                if not later_code and HEADING.match(later):
                    break
                if not later_code and not later.strip():
                    following = next((x for x, _ in rest[k + 1 :] if x.strip()), "")
                    if (
                        not LIST_OR_TABLE.match(following)
                        or len(body) > 1
                        and not LIST_OR_TABLE.match(body[-1])
                    ):
                        break
                body.append(later)
            return "\n".join(body).strip()
    return None


def outline(nb: dict) -> str:
    """The notebook's sections as a Markdown list: each level-2 heading with its level-3 headings."""
    items: list[tuple[str, list[str]]] = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line, code in prose_lines(source_of(cell)):
            m = HEADING.match(line) if not code else None
            if not m:
                continue
            if len(m[1]) == 2:
                items.append((m[2], []))
            elif len(m[1]) == 3 and items:
                items[-1][1].append(m[2])
    return "\n".join(f"- **{title}**" + (": " + " · ".join(subs) if subs else "") for title, subs in items)


# --------------------------------------------------------------------------- the generated pages


def session_page(path: Path) -> str:
    return f"solutions/{path.name}"


def landing_page(
    readme: str, notebooks: dict[Path, dict], pages: dict[str, str], images: dict[str, Path]
) -> str:
    """The landing page: the README's introduction and sessions, each session's plan, how to start."""
    ctx = LinkContext(source="README.md", page="index.md", pages=pages, anchor_page="README.md")
    title = next(
        (line[2:].strip() for line, code in prose_lines(readme) if not code and line.startswith("# ")), None
    )
    if not title:
        raise SiteError("README.md: no '# title' line")
    intro = sections(readme)[0][1]
    intro = "\n".join(line for line in intro.splitlines() if not line.startswith("# "))
    overview = rewrite_links(section(readme, README_SESSIONS, "README.md"), ctx, images)
    parts = [f"# {title}", "", rewrite_links(intro, ctx).strip(), "", "## The sessions", "", overview, ""]
    for path, nb in notebooks.items():
        where = rel(path)
        page = session_page(path)
        plan = time_plan(nb)
        parts += [f"### {notebook_title(nb, where)}", "", notebook_summary(nb), ""]
        if plan:
            plan = rewrite_links(shift_headings(plan, 5), LinkContext(where, "index.md", pages, page))
            parts += ["**Time plan**", "", plan, ""]
        else:
            parts += ["**Its parts** (the notebook has no time plan yet):", "", outline(nb), ""]
        number = path.name[:2].lstrip("0")
        student = binder_url(f"notebooks/{path.name}")
        parts += [f"[Read session {number} →]({page}) · student version: [launch on Binder]({student})", ""]
    parts += ["## How to start", ""]
    parts += [rewrite_links(shift_headings(section(readme, README_START, "README.md"), 3), ctx), ""]
    parts += [
        "### On Binder",
        "",
        rewrite_links(shift_headings(section(readme, README_BINDER, "README.md"), 4), ctx),
        "",
    ]
    parts += [
        "## More on this site",
        "",
        "- [For instructors](INSTRUCTORS.md): how the course is built and how to change it",
        *(f"- [{markdown_title(p)}]({rel(p)})" for p in datasheets()),
        "- [The whole README](README.md): data, performance, Windows, the repository's layout",
        "- [Licence and credits](licence.md)",
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: Sessions",
        "",
        *(session_page(p) for p in notebooks),
        "```",
        "",
        "```{toctree}",
        ":hidden:",
        ":caption: About the course",
        "",
        "INSTRUCTORS",
        *(rel(p).removesuffix(".md") for p in datasheets()),
        "Course overview (README) <README>",
        "licence",
        "```",
        "",
    ]
    return "\n".join(parts)


def markdown_title(path: Path) -> str:
    for line, code in prose_lines(path.read_text(encoding="utf-8")):
        if not code and line.startswith("# "):
            return line[2:].strip()
    raise SiteError(f"{rel(path)}: no '# title' line")


def site_pins() -> dict[str, str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        from pip._vendor import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(
        r.split("==", 1)
        for r in (x.split(";")[0].split("#")[0].strip() for x in project["optional-dependencies"]["site"])
    )


def mathjax_version() -> str:
    lock = load(DOCS / "package-lock.json")
    return lock["packages"]["node_modules/mathjax"]["version"]


def licence_page(readme: str, notebooks: dict[Path, dict], pages: dict[str, str]) -> str:
    ctx = LinkContext(source="README.md", page="licence.md", pages=pages, anchor_page="README.md")
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8").strip()
    pins = site_pins()
    parts = [
        "# Licence and credits",
        "",
        "## Licence",
        "",
        rewrite_links(section(readme, README_LICENCE, "README.md"), ctx),
        "",
        "The code's licence (`LICENSE`):",
        "",
        "```text",
        licence,
        "```",
        "",
        "## Credits",
        "",
        "### Data",
        "",
    ]
    for path in datasheets():
        first = next((body for title, body in sections(path.read_text(encoding="utf-8")) if title), "")
        first = re.split(r"\n\s*\n", first.strip())[0] if first.strip() else ""
        ds_ctx = LinkContext(source=rel(path), page="licence.md", pages=pages)
        parts += [f"**[{markdown_title(path)}]({rel(path)})**", "", rewrite_links(first, ds_ctx), ""]
    parts += ["### References of the sessions", ""]
    parts += [
        f"- [{notebook_title(nb, rel(p))}: references]({session_page(p)}#references)"
        for p, nb in notebooks.items()
    ]
    parts += [
        "",
        "### This website",
        "",
        "Built from the executed solution notebooks, as stored, with "
        + ", ".join(f"{name} {version}" for name, version in sorted(pins.items()))
        + f"; formulas are typeset by MathJax {mathjax_version()} (Apache License 2.0), which the site "
        "serves itself, as it does every script and font: reading it needs no network.",
        "",
    ]
    return "\n".join(parts)


# --------------------------------------------------------------------------- staging and building


def page_map(notebooks) -> dict[str, str]:
    """Repository path -> staged page path, for every file that is a page of the site."""
    pages = {p: p for p in markdown_pages()} | {rel(p): session_page(p) for p in notebooks}
    return pages | {"LICENSE": "licence.md"}


def write_if_changed(path: Path, data: bytes) -> None:
    """Write only when the content differs, so that Sphinx rebuilds only what changed."""
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def notebook_json(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def stage(dest: Path = STAGE) -> dict[str, bytes]:
    """Write the Sphinx sources into ``dest``; return them (staged path -> content).

    Files in ``dest`` that are not part of the site any more are removed.
    """
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    notebooks = {p: load(p) for p in sessions()}
    if not notebooks:
        raise SiteError("no solution notebooks in solutions/ (solutions/NN_topic.ipynb)")
    md_pages = markdown_pages()
    pages = page_map(notebooks)
    twins = widget_twins()
    files: dict[str, bytes] = {}
    images: dict[str, Path] = {}
    problems = [p for path, nb in notebooks.items() for p in figure_problems(nb, rel(path))]
    if problems:
        raise SiteError(
            "figures without a usable alt text (add one sentence as the code cell's metadata "
            f'"{ALT_KEY}", see INSTRUCTORS.md, "Figures"):\n  ' + "\n  ".join(problems)
        )
    for path, nb in notebooks.items():
        page = session_page(path)
        files[page] = notebook_json(site_notebook(nb, rel(path), page, pages, twins)).encode("utf-8")
        files[f"notebooks/{path.name}"] = (NOTEBOOKS / path.name).read_bytes()  # the download
    for page, path in md_pages.items():
        text = path.read_text(encoding="utf-8")
        files[page] = rewrite_links(text, LinkContext(page, page, pages), images).encode("utf-8")
    files["index.md"] = landing_page(readme, notebooks, pages, images).encode("utf-8")
    files["licence.md"] = licence_page(readme, notebooks, pages).encode("utf-8")
    for staged, path in images.items():
        files[staged] = path.read_bytes()
    for staged, data in files.items():
        write_if_changed(dest / staged, data)
    for old in sorted(p for p in dest.rglob("*") if p.is_file()):
        if old.relative_to(dest).as_posix() not in files:
            old.unlink()
    return files


def stage_mathjax(dest: Path = STATIC) -> Path:
    """Copy MathJax (installed by `make site` with npm ci) into the site's static files."""
    script = MATHJAX_PACKAGE / "es5" / MATHJAX_FILE
    if not script.is_file():
        raise SiteError(
            f"{rel(script)} is missing: run `make site` (it installs MathJax {mathjax_version()} from "
            "docs/package-lock.json with `npm ci`, once)"
        )
    installed = load(MATHJAX_PACKAGE / "package.json")["version"]
    if installed != mathjax_version():
        raise SiteError(
            f"docs/node_modules has MathJax {installed}, docs/package-lock.json pins {mathjax_version()}: "
            "run `make site` (npm ci)"
        )
    write_if_changed(dest / "mathjax" / MATHJAX_FILE, script.read_bytes())
    write_if_changed(dest / "mathjax" / "LICENSE", (MATHJAX_PACKAGE / "LICENSE").read_bytes())
    return dest


def build(out: Path = HTML, quiet: bool = True) -> float:
    """Stage the sources and run Sphinx; return the seconds it took. Warnings are errors."""
    t0 = time.monotonic()
    before = (
        {p.relative_to(STAGE).as_posix() for p in STAGE.rglob("*") if p.is_file()}
        if STAGE.exists()
        else set()
    )
    files = stage()
    stage_mathjax()
    if before - set(files):  # a page went away: start from a clean output, no stale pages
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(DOCTREES, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(DOCS), "-d", str(DOCTREES)]
    cmd += ["-W", "--keep-going", "-n", *(["-q"] if quiet else []), str(STAGE), str(out)]
    result = subprocess.run(cmd, check=False, cwd=ROOT)
    if result.returncode:
        raise SiteError(f"Sphinx failed (exit {result.returncode}); its messages are above")
    return time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage-only", action="store_true", help=f"only write the sources to {rel(STAGE)}/")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    try:
        if args.stage_only:
            files = stage()
            print(f"staged {len(files)} files in {rel(STAGE)}/")
            return 0
        seconds = build(quiet=not args.verbose)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file())
    print(f"site built in {seconds:.1f} s: {rel(HTML)}/index.html ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
