"""The course website in a real browser: it builds, and every page works offline.

The ``site`` fixture builds the site from scratch as ``make site`` does (tools/build_site.py: Sphinx
with -W -n), then every page is opened in headless Chromium (Playwright driving Debian's chromium, as
tests/test_browser.py does) twice: from disk (file://) and served on 127.0.0.1. On each page:

* no request leaves the site (file:// under _build/html, or the local server), none fails, no 4xx/5xx;
* no console error and no uncaught exception; no script is included twice (Thebe's classic mistake);
* every image is drawn (naturalWidth > 0) and has an alt text that says something (not a file name);
* every formula is typeset by the bundled MathJax (an ``mjx-container`` in every ``.math``, no TeX
  error, assistive MathML for screen readers) and no raw TeX (``$$``, ``\\(``) is left in the text;
  every session page has formulas;
* no widget placeholder is left (widgets are shown as their static twin figure);
* every link inside the site points to a file of the site, and its #anchor exists there;

and the search page finds a session, again without a request or a console error.

On a desktop (1280 px) and on a phone (390 px), every page: does not scroll sideways (a box that does
— a formula, a table, a figure on a phone — shows the scroll cue and takes the keyboard's focus); keeps
its figures readable on the phone (at least 1.5 times the column, or their own size); has no serious or
critical axe-core violation (axe-core from docs/package-lock.json); and its navigation opens and closes.

Without the browser, on the built HTML: the pages are exactly the expected ones, each session page has
its note, the download of the student notebook (byte-identical) and its Binder link, and each figure
carries the alt text of its notebook cell. Screenshots of the landing page and of every session page go
to screenshots/ (git-ignored).

Not part of `make test` (pyproject's addopts deselect the ``site`` marker); run it with

    make test-site        # = .venv/bin/python -m pytest -m site tests/test_site.py
"""

from __future__ import annotations

import functools
import html
import importlib.util
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lab_server import free_port
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
_spec = importlib.util.spec_from_file_location("course_site", DOCS / "_ext" / "course_site.py")
course_site = sys.modules.setdefault("course_site", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(course_site)

HTML = ROOT / "_build" / "html"
SESSIONS = course_site.sessions()
PAGES = sorted(
    [
        *(
            p.relative_to(DOCS).with_suffix(".html").as_posix()
            for p in DOCS.rglob("*.md")
            if not {"node_modules", "_build"} & set(p.relative_to(DOCS).parts)
        ),
        *(f"solutions/{p.stem}.html" for p in SESSIONS),
        "search.html",
    ]
)
BUILD_TIMEOUT_S = 240  # the budget for `make site` on a fresh clone, tooling install included
AXE = DOCS / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}

pytestmark = [
    pytest.mark.site,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium binary (install Debian's: apt-get install chromium)"
    ),
]

RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$\\[A-Za-z]")
ALLOWED_SCHEMES = ("data:", "blob:", "about:")

# What the page reports after it has loaded, its images have been drawn and MathJax has finished.
PAGE_REPORT_JS = """
async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.complete ? null :
    new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const article = document.querySelector('article') || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, script, style, mjx-container').forEach(e => e.remove());
  const maths = Array.from(document.querySelectorAll('.math'));
  return {
    images: imgs.map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'), width: i.naturalWidth})),
    math: maths.length,
    mathUntypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
    mathErrors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent.slice(0, 80)),
    assistive: document.querySelectorAll('mjx-assistive-mml').length,
    prose: prose.textContent,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    scripts: Array.from(document.scripts).map(s => s.src || 'inline: ' + s.textContent.trim().slice(0, 200)),
    widgets: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
  };
}
"""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site():
    """The site, built from scratch with tools/build_site.py (what `make site` runs)."""
    shutil.rmtree(HTML, ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / "doctrees", ignore_errors=True)
    t0 = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_site.py")],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=BUILD_TIMEOUT_S,
    )
    assert result.returncode == 0, (
        f"the site does not build:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    print(f"{result.stdout.strip()} (test: {time.monotonic() - t0:.1f} s)")
    return HTML


@pytest.fixture(scope="module")
def server(site):
    """The built site served on 127.0.0.1 (a free port), as `python -m http.server` would."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


# --------------------------------------------------------------------------- helpers


def local_file(url: str, base: str) -> Path | None:
    """The file of the site a URL points to (None when the URL is not inside the site)."""
    if not url.startswith(base):
        return None
    path = HTML / unquote(urlsplit(url).path[len(urlsplit(base).path) :])
    return path / "index.html" if path.is_dir() else path


@functools.cache
def ids_in(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(html.unescape(m) for m in re.findall(r"\bid=\"([^\"]+)\"", text))


def alt_problem(alt: str | None) -> str | None:
    if alt is None:
        return "no alt attribute"
    return course_site.alt_problem(alt)


def open_page(browser, url: str, base: str, width: int = 1300):
    """Open ``url`` in a new context; return (page, report, problems)."""
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((base, *ALLOWED_SCHEMES))
            else problems.append(f"request to outside the site: {r.url}")
        ),
    )
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
    page.goto(url, wait_until="load")
    report = page.evaluate(PAGE_REPORT_JS)
    page.wait_for_timeout(200)  # late console errors of deferred scripts
    return context, page, report, problems


def check_report(name: str, report: dict, base: str) -> list[str]:
    problems = []
    for img in report["images"]:
        src = (img["src"] or "")[:80]
        if not img["width"]:
            problems.append(f"image not drawn (naturalWidth 0): {src}")
        problem = alt_problem(img["alt"])
        if problem:
            problems.append(f"image {src}: {problem}")
    if report["mathUntypeset"]:
        problems.append(f"formulas not typeset by MathJax: {report['mathUntypeset'][:5]}")
    if report["mathErrors"]:
        problems.append(f"TeX errors: {report['mathErrors'][:5]}")
    if report["math"] and not report["assistive"]:
        problems.append("formulas without assistive MathML (screen readers read nothing)")
    if name.startswith("solutions/") and not report["math"]:
        problems.append("a session page without typeset formulas")
    raw = sorted({m.group(0) for m in RAW_TEX.finditer(report["prose"])})
    if raw:
        where = RAW_TEX.search(report["prose"]).start()
        problems.append(
            f"raw TeX left in the text {raw}: …{report['prose'][max(0, where - 60) : where + 60]!r}…"
        )
    if "-->" in report["prose"] or "<!--" in report["prose"]:
        problems.append("an HTML comment (an include marker?) shows as text")
    if report["widgets"]:
        problems.append(f"{report['widgets']} widget placeholder(s) instead of the static figure")
    if "VBox(children" in report["prose"] or "Error displaying widget" in report["prose"]:
        problems.append("a widget's text repr is shown instead of its static figure")
    dupes = sorted({s for s in report["scripts"] if report["scripts"].count(s) > 1})
    if dupes:
        problems.append(f"scripts included twice: {dupes}")
    for href in report["links"]:
        if urlsplit(href).scheme in ("http", "https", "mailto") and not href.startswith(base):
            continue  # a link to elsewhere: nothing is requested unless the reader follows it
        target = local_file(href, base)
        if target is None:
            problems.append(f"link outside the site: {href}")
        elif not target.is_file():
            problems.append(
                f"broken link: {href} (no {target.relative_to(HTML) if HTML in target.parents else target})"
            )
        elif urlsplit(href).fragment and target.suffix == ".html":
            anchor = unquote(urlsplit(href).fragment)
            if anchor not in ids_in(target):
                problems.append(f"broken anchor: {href} (no id {anchor!r} in {target.relative_to(HTML)})")
    return problems


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("mode", ["file", "http"])
@pytest.mark.parametrize("name", PAGES)
def test_page_works_offline_in_chromium(name, mode, site, browser, request):
    base = site.as_uri() + "/" if mode == "file" else request.getfixturevalue("server")
    context, page, report, problems = open_page(browser, base + name, base)
    try:
        problems += check_report(name, report, base)
        if mode == "file" and (name == "index.html" or name.startswith("solutions/")):
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"site_{Path(name).stem}.png"))
    finally:
        context.close()
    assert not problems, f"{name} ({mode}):\n  " + "\n  ".join(dict.fromkeys(problems))
    print(
        f"{name} ({mode}): {len(report['images'])} images, {report['math']} formulas, {len(report['links'])} links"
    )


@pytest.mark.parametrize("mode", ["file", "http"])
def test_search_finds_the_sessions_offline(mode, site, browser, request):
    base = site.as_uri() + "/" if mode == "file" else request.getfixturevalue("server")
    context, page, _, problems = open_page(browser, base + "search.html?q=perceptron", base)
    try:
        page.locator("#search-results", has_text="Search finished").wait_for(timeout=15_000)
        found = page.evaluate(
            "Array.from(document.querySelectorAll('#search-results li a')).map(a => a.href)"
        )
        page.wait_for_timeout(500)  # the results' own requests, if any
    finally:
        context.close()
    assert any(href.startswith(base + "solutions/02_perceptron.html") for href in found), found
    assert not problems, f"search ({mode}):\n  " + "\n  ".join(dict.fromkeys(problems))


def test_the_site_has_exactly_the_expected_pages(site):
    built = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith("_")
    )
    assert built == PAGES


@pytest.mark.parametrize("path", SESSIONS, ids=lambda p: p.stem)
def test_session_page_links_the_student_version(path, site):
    page = (site / "solutions" / f"{path.stem}.html").read_text(encoding="utf-8")
    assert "Answers visible" in page and "solution notebook" in page
    downloads = re.findall(r'href="(\.\./_downloads/[^"]+)"', page)
    assert downloads, "no download link to the student notebook"
    file = (site / "solutions" / html.unescape(downloads[0])).resolve()
    assert file.name == path.name
    assert file.read_bytes() == (ROOT / "notebooks" / path.name).read_bytes(), (
        "the download is not notebooks/"
    )
    binder = f"?urlpath=lab/tree/notebooks/{path.name}"
    assert binder in html.unescape(page), f"no Binder link for notebooks/{path.name}"


@pytest.mark.parametrize("path", SESSIONS, ids=lambda p: p.stem)
def test_every_figure_shows_with_the_alt_text_of_its_cell(path, site):
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    page = (site / "solutions" / f"{path.stem}.html").read_text(encoding="utf-8")
    alts = [html.unescape(a) for a in re.findall(r'<img[^>]*\balt="([^"]*)"', page)]
    wanted = [c["metadata"][course_site.ALT_KEY] for c in nb["cells"] if course_site.image_outputs(c)]
    assert alts == wanted


def test_landing_page_shows_every_session_and_how_to_start(site):
    import json

    page = html.unescape((site / "index.html").read_text(encoding="utf-8"))
    for path in SESSIONS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        title = next(
            line[2:].strip()
            for c in nb["cells"]
            if c["cell_type"] == "markdown"
            for line in course_site.source_of(c).splitlines()
            if line.startswith("# ")
        )
        assert title in page and f'href="solutions/{path.stem}.html"' in page
    assert page.count("Time plan") <= 1, "the landing page shows a time plan twice"
    text = re.sub(r"<[^>]+>", "", page)
    assert "make lab" in text and f"mybinder.org/v2/gh/{course_site.repository()}/" in page


# --------------------------------------------------------------------------- phone, desktop, axe

LAYOUT_JS = """
() => {
  const column = (document.querySelector('article') || document.body).clientWidth;
  const boxes = Array.from(document.querySelectorAll(
    'div.math, mjx-container[display="true"], .pst-scrollable-table-container, div.cell_output'));
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    column,
    scrollingWithoutCue: boxes.filter(b => b.scrollWidth > b.clientWidth + 1
        && !(b.classList.contains('course-scrolls') && b.tabIndex === 0))
      .map(b => b.className + ': ' + b.textContent.trim().slice(0, 60)),
    figures: Array.from(document.querySelectorAll('div.cell_output img')).map(
      i => ({alt: i.alt.slice(0, 50), shown: i.getBoundingClientRect().width, natural: i.naturalWidth})),
  };
}
"""


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => ['serious', 'critical'].includes(v.impact))
             .map(v => `${v.impact} ${v.id} (${v.nodes.length}): ${v.help}; e.g. ${v.nodes[0].target.join(' ')}`
                       + ` ${v.nodes[0].failureSummary.split('\\n').slice(1, 2).join('')}`)"""
    )
    return found


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_the_screen_and_has_no_serious_accessibility_problem(name, width, server, browser):
    base = server  # over http: axe reads the style sheets, which file:// pages may not
    context, page, _, problems = open_page(browser, base + name, base, width=width)
    try:
        page.wait_for_timeout(300)  # course.js marks the boxes that scroll once MathJax has finished
        layout = page.evaluate(LAYOUT_JS)
        problems += axe_violations(page)
        if width == WIDTHS["phone"] and name.startswith("solutions/02"):
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"site_phone_{Path(name).stem}.png"))
    finally:
        context.close()
    if layout["overflow"] > 0:
        problems.append(f"the page scrolls sideways by {layout['overflow']} px")
    problems += [
        f"scrolls sideways with no cue or keyboard focus: {b}" for b in layout["scrollingWithoutCue"]
    ]
    if width == WIDTHS["phone"]:
        for fig in layout["figures"]:
            if fig["shown"] + 1 < min(fig["natural"], 1.5 * layout["column"]):
                problems.append(f"figure shrunk to {fig['shown']:.0f} px (of {fig['natural']}): {fig['alt']}")
    assert not problems, f"{name} at {width} px:\n  " + "\n  ".join(dict.fromkeys(problems))


NAVIGATION_JS = """
async (kind) => {
  const visible = Array.from(document.querySelectorAll(`.${kind}-toggle`)).filter(b => b.offsetParent !== null);
  if (!visible.length) return {visible: 0};
  const sidebar = document.getElementById(`pst-${kind}-sidebar`);
  const dialog = document.getElementById(`pst-${kind}-sidebar-modal`);
  const shown = () => (dialog && dialog.open) || (sidebar && !sidebar.classList.contains('pst-sidebar-hidden')
      && sidebar.getBoundingClientRect().width > 0 && getComputedStyle(sidebar).visibility !== 'hidden');
  const pause = () => new Promise(r => setTimeout(r, 400));
  const before = shown();
  visible[0].click(); await pause();
  const after = shown();
  if (dialog && dialog.open) { dialog.close(); } else { visible[0].click(); }
  await pause();
  return {visible: visible.length, before, after, again: shown()};
}
"""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_navigation_opens_and_closes(width, site, browser):
    context, page, _, problems = open_page(
        browser, site.as_uri() + "/solutions/01_learning_from_data.html", site.as_uri() + "/", width=width
    )
    try:
        primary = page.evaluate(NAVIGATION_JS, "primary")
        secondary = page.evaluate(NAVIGATION_JS, "secondary") if width == WIDTHS["phone"] else None
    finally:
        context.close()
    assert primary["visible"], "no visible ☰ button"
    assert primary["after"] != primary["before"] and primary["again"] == primary["before"], primary
    if width == WIDTHS["phone"]:
        assert not primary["before"], "the navigation covers the page on a phone before ☰ is pressed"
        assert secondary["visible"] and secondary["after"] and not secondary["again"], secondary
    assert not problems, problems


@pytest.mark.parametrize(
    "markdown, message",
    [
        ("[a page](no_such_page.md)", "no_such_page"),
        ("[a heading](#no-such-heading)", "no-such-heading"),
        ("[a file](../helpers/no_such_module.py)", "no_such_module"),
    ],
)
def test_a_reference_to_nothing_fails_the_build(markdown, message, tmp_path):
    """-W -n: the site's own settings turn a broken link into a failed build that names it."""
    (tmp_path / "index.md").write_text(f"# Test\n\nSee {markdown}.\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html", "-c", str(DOCS)]
    result = subprocess.run(
        [*cmd, "-d", str(tmp_path / "doctrees"), str(tmp_path), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        cwd=ROOT,
    )
    assert result.returncode != 0 and message in result.stderr, result.stderr[-2000:]


def test_axe_core_is_the_pinned_one():
    import json

    lock = json.loads((DOCS / "package-lock.json").read_text(encoding="utf-8"))
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == lock["packages"]["node_modules/axe-core"]["version"], "run `make test-site` (npm ci)"


@pytest.mark.parametrize("pin", sorted(course_site.site_pins().items()), ids=lambda p: p[0])
def test_site_tooling_is_installed_as_pinned(pin):
    name, wanted = pin
    try:
        assert version(name) == wanted
    except PackageNotFoundError:
        pytest.fail(f"{name} is not installed: `make test-site` installs the site extra")
