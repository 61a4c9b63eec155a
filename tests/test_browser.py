"""Real-browser test: every student notebook's widgets render and respond in JupyterLab.

A version mismatch between JupyterLab, ipywidgets and jupyterlab_widgets (the most
common way course widgets break) only shows in a browser: the kernel side works,
nbval passes, and the student sees "Error displaying widget" or a plain
``VBox(children=...)``.  So this test starts JupyterLab as ``make lab`` does, opens
each notebook in notebooks/ in headless Chromium (Playwright, driving Debian's
chromium; Playwright's own browser download is not used), runs every cell before the
first exercise (plus explorer cells that come after it), and checks that

* no cell it ran printed a traceback;
* every explorer renders (no "Error displaying widget" / "Loading widget..."),
  has its slider in the DOM, and moving that slider with the keyboard redraws
  the figure (the ``img`` in the explorer changes);
* the notebook file on disk is left unchanged (autosave is off; JupyterLab's checkpoints
  go to a temporary dir, not notebooks/.ipynb_checkpoints).

A screenshot of each notebook (and of each explorer) goes to screenshots/ (git-ignored).
Skipped only when no chromium binary is installed (.ci/run installs it).

    .venv/bin/python -m pytest -o addopts="" -m browser tests/test_browser.py -v
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ROOT / "screenshots"


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = find_chromium()
if CHROMIUM is not None:  # without chromium the module is skipped and playwright need not be installed
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The slider each explorer is tested with (its description, as in helpers/widgets/*.py).
# An explorer of another class is tested with its first slider.
EXPLORER_SLIDERS = {
    "pdf-explorer": "Qmax (Å⁻¹)",  # helpers/widgets/pdf_explorer.py, DESCRIPTIONS["qmax"]
    "perceptron-stepper": "update #",  # helpers/widgets/perceptron.py
    "learning-rate-explorer": "learning rate γ",  # helpers/widgets/gradient_descent.py
}
EXERCISE = "raise NotImplementedError("
ERROR_LINE = re.compile(r"^\w*(Error|Exception)\b", re.MULTILINE)  # e.g. a SyntaxError (no traceback)
WIDGET_CALL = re.compile(r"^(?!\s*def\s)[^#\n]*\b\w+_widget\(", re.MULTILINE)

NOTEBOOK_TIMEOUT_MS = 90_000  # running the cells of one notebook
UI_TIMEOUT_MS = 30_000  # a widget to appear, a figure to redraw

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="no chromium binary (install Debian's: apt-get install chromium)"
    ),
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lab_page(request):
    """One headless chromium page on the lab for the whole module; notebooks are opened in it in turn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            lab = request.getfixturevalue("lab")  # the shared server (tests/conftest.py)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT_MS)
            console: list[str] = []  # the browser console's errors (shown when a check fails)
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
            load_lab(page, lab)
            yield SimpleNamespace(page=page, console=console)
        finally:
            browser.close()


# --------------------------------------------------------------------------- helpers

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the current tab
CELLS_JS = f"document.querySelectorAll('{PANEL} .jp-Notebook .jp-Cell')"
PROMPTS_JS = (
    f"idx => idx.map(i => ({CELLS_JS}[i].querySelector('.jp-InputArea-prompt') || {{}}).textContent || '')"
)
STARTED_JS = f"i => {CELLS_JS}[i].querySelector('.jp-InputArea-prompt').textContent.trim() !== '[ ]:'"
ALL_DONE_JS = f"""
idx => idx.every(i => /^\\[\\d+\\]:$/.test(
  ({CELLS_JS}[i].querySelector('.jp-InputArea-prompt') || {{}}).textContent.trim()))
"""
KERNEL_IDLE_JS = """
() => {
  const bar = document.getElementById('jp-main-statusbar');
  return !!bar && /\\| Idle/.test(bar.innerText) && !/No Kernel/.test(bar.innerText);
}
"""
SLIDER_VALUE_JS = """
el => {
  const r = el.querySelector('.widget-readout'), h = el.querySelector('.noUi-handle, input[type=range]');
  return (r && r.innerText) || (h && (h.getAttribute('aria-valuenow') || h.value)) || '';
}
"""
IMG_SRCS_JS = "el => Array.from(el.querySelectorAll('img')).map(i => i.getAttribute('src') || '')"
REDRAWN_JS = """
([el, before]) => {
  const now = Array.from(el.querySelectorAll('img')).map(i => i.getAttribute('src') || '');
  return now.length > 0 && now.every(s => s.length > 0) && JSON.stringify(now) !== JSON.stringify(before);
}
"""


def api(lab, method: str, path: str):
    req = urllib.request.Request(
        f"{lab['base']}{path}", method=method, headers={"Authorization": f"token {lab['token']}"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def shut_down_kernels(lab) -> None:
    for session in api(lab, "GET", "/api/sessions"):
        api(lab, "DELETE", f"/api/sessions/{session['id']}")


def load_lab(page, lab) -> None:
    page.goto(f"{lab['base']}/lab?reset&token={lab['token']}")
    page.get_by_role("menuitem", name="File").wait_for(timeout=60_000)


def menu(page, top: str, item: str) -> None:
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item).click()


def open_notebook(page, rel_path: str, n_cells: int) -> None:
    """File > Open from Path…; wait for all cells and for the kernel to be idle."""
    menu(page, "File", "Open from Path…")
    page.locator(".jp-Dialog input").fill(rel_path)
    page.keyboard.press("Enter")
    page.wait_for_function(f"n => {CELLS_JS}.length === n", arg=n_cells, timeout=60_000)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)  # "Python 3 (ipykernel) | Idle"


def close_notebook(page, lab, shut_down: bool) -> None:
    """File > Close Tab, discarding the changes (nothing is saved).

    The kernel keeps running until the server stops (quicker) unless ``shut_down``.
    """
    try:
        page.keyboard.press("Escape")
        if page.locator(PANEL).count():
            menu(page, "File", "Close Tab")
            page.wait_for_function(f"() => document.querySelector('.jp-Dialog') || !{CELLS_JS}.length")
            if page.locator(".jp-Dialog").count():  # "Save your work": Cancel / Discard / Save
                page.locator(".jp-Dialog button", has_text="Discard").click()
            page.locator(PANEL).wait_for(state="detached")
    except PlaywrightError:
        shut_down = True
        load_lab(page, lab)  # start the next notebook from a fresh lab
    if shut_down:
        shut_down_kernels(lab)


def plan(nb_path: Path) -> tuple[int, list[int], list[int]]:
    """(number of cells, indices of the code cells to run, indices of the widget cells).

    Runs every code cell before the first exercise stub, then each widget cell after it.
    """
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    source = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    first_exercise = next((i for i in code if EXERCISE in source[i]), len(cells))
    widgets = [i for i in code if WIDGET_CALL.search(source[i]) and EXERCISE not in source[i]]
    to_run = [i for i in code if i < first_exercise] + [i for i in widgets if i > first_exercise]
    return len(cells), to_run, widgets


def run_cells(page, cells, indices: list[int]) -> None:
    """Select each cell and press Shift+Enter; check that it was queued ([*]:) before going on."""
    previous = None
    for i in indices:
        if previous is None or i != previous + 1:
            cells.nth(i).locator(".jp-InputArea-prompt").click()
            page.keyboard.press("Escape")  # command mode
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(STARTED_JS, arg=i, timeout=10_000)
        except PlaywrightTimeout:
            raise AssertionError(f"cell {i} did not start running after Shift+Enter") from None
        previous = i


def cell_errors(cells, indices: list[int]) -> list[str]:
    errors = []
    for i in indices:
        stderr = cells.nth(i).locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        )
        for k in range(stderr.count()):
            text = stderr.nth(k).inner_text()
            if "Traceback" in text or ERROR_LINE.search(text):
                errors.append(f"cell {i}: {text[-1500:]}")
    return errors


def widget_problems(page) -> list[str]:
    notebook = page.locator(f"{PANEL} .jp-Notebook")
    problems = []
    for bad in ("Error displaying widget", "Loading widget..."):
        hits = notebook.locator(".jp-OutputArea-output", has_text=bad)
        if hits.count():
            problems.append(f"{hits.count()} output(s) show {bad!r}")
    errors = notebook.locator(".jupyter-widgets-error-widget")
    if errors.count():
        problems.append(f"{errors.count()} widget(s) show the ipywidgets error view")
    return problems


def check_explorer(page, explorer, cls: str | None, where: str) -> str:
    """Move the explorer's slider one step with the keyboard; assert the figure is redrawn.

    Returns the slider's new readout.
    """
    sliders = explorer.locator(".widget-slider")
    assert sliders.count() >= 1, f"{where}: the explorer has no slider in the DOM"
    wanted = EXPLORER_SLIDERS.get(cls or "")
    if wanted:
        slider = sliders.filter(has=page.locator(".widget-label", has_text=wanted))
        labels = [sliders.nth(k).locator(".widget-label").inner_text() for k in range(sliders.count())]
        assert slider.count() == 1, f"{where}: no slider labelled {wanted!r} (sliders: {labels})"
    else:
        slider = sliders.first
    handle = slider.locator(".noUi-handle, input[type=range]").first
    handle.wait_for(state="visible")
    try:
        explorer.locator("img").first.wait_for(state="visible")
    except PlaywrightTimeout:
        raise AssertionError(f"{where}: the explorer shows no figure") from None
    before = explorer.evaluate(IMG_SRCS_JS)
    value_before = slider.evaluate(SLIDER_VALUE_JS)
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    at_max = now is not None and top is not None and float(now) >= float(top)
    handle.focus()
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    try:
        page.wait_for_function(
            f"([el, v]) => ({SLIDER_VALUE_JS})(el) !== v", arg=[slider.element_handle(), value_before]
        )
    except PlaywrightTimeout:
        raise AssertionError(f"{where}: the slider {wanted or ''} did not move from {value_before}") from None
    value = slider.evaluate(SLIDER_VALUE_JS)
    try:
        page.wait_for_function(REDRAWN_JS, arg=[explorer.element_handle(), before])
    except PlaywrightTimeout:
        raise AssertionError(
            f"{where}: moving the slider {wanted or ''} from {value_before} to {value} "
            f"did not change the figure within {UI_TIMEOUT_MS / 1000:g} s"
        ) from None
    handle.blur()  # no focus ring in the screenshots
    return value


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("nb_path", NOTEBOOKS or [None], ids=lambda p: p.stem if p else "no-notebooks")
def test_notebook_widgets_render_in_jupyterlab(nb_path, request):
    assert nb_path is not None, "no student notebooks in notebooks/ (run `make notebooks`)"
    lab, lab_page = request.getfixturevalue("lab"), request.getfixturevalue("lab_page")
    page, console = lab_page.page, lab_page.console
    console.clear()
    n_cells, to_run, widget_cells = plan(nb_path)
    before = digest(nb_path)
    SCREENSHOTS.mkdir(exist_ok=True)
    failed_png = SCREENSHOTS / f"{nb_path.stem}.FAILED.png"
    failed_png.unlink(missing_ok=True)
    t0, passed = time.monotonic(), False
    try:
        open_notebook(page, nb_path.relative_to(ROOT).as_posix(), n_cells)
        cells = page.locator(f"{PANEL} .jp-Notebook .jp-Cell")
        run_cells(page, cells, to_run)
        try:
            page.wait_for_function(ALL_DONE_JS, arg=to_run, timeout=NOTEBOOK_TIMEOUT_MS)
        except PlaywrightTimeout:
            prompts = dict(zip(to_run, page.evaluate(PROMPTS_JS, to_run)))
            raise AssertionError(
                f"the cells did not all finish within {NOTEBOOK_TIMEOUT_MS / 1000:g} s; prompts: {prompts}"
            ) from None
        run_seconds = time.monotonic() - t0
        not_run = [i for i in range(n_cells) if i not in to_run]
        stray = [
            i for i, p in zip(not_run, page.evaluate(PROMPTS_JS, not_run)) if re.match(r"\[[\d*]+\]:", p)
        ]
        assert not stray, f"cells {stray} ran but should not have"
        errors = cell_errors(cells, to_run)
        assert not errors, "cells raised errors:\n" + "\n".join(errors)

        checked = []
        for i in widget_cells:
            where = f"{nb_path.name}, cell {i}"
            explorer = cells.nth(i).locator(".jp-OutputArea-output .jupyter-widgets.widget-container").first
            try:
                explorer.wait_for(state="visible")
            except PlaywrightTimeout:
                output = cells.nth(i).locator(".jp-OutputArea-output")
                shown = output.first.inner_text()[:300] if output.count() else "(no output)"
                raise AssertionError(
                    f"{where}: no widget rendered; the output shows {shown!r}; {widget_problems(page)}"
                ) from None
            cls = next((c for c in explorer.get_attribute("class").split() if c in EXPLORER_SLIDERS), None)
            explorer.scroll_into_view_if_needed()
            value = check_explorer(page, explorer, cls, where)
            explorer.screenshot(path=str(SCREENSHOTS / f"{nb_path.stem}__{cls or f'cell{i}'}.png"))
            checked.append(f"{cls or 'widget'} (cell {i}, slider moved to {value})")

        problems = widget_problems(page)
        assert not problems, f"{nb_path.name}: {problems}"
        errors = cell_errors(cells, to_run)
        assert not errors, "errors after moving the sliders:\n" + "\n".join(errors)
        if widget_cells:
            cells.nth(widget_cells[0]).scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{nb_path.stem}.png"))
        print(
            f"{nb_path.name}: opened and ran {len(to_run)} cells in {run_seconds:.1f} s; "
            f"explorers: {', '.join(checked) or 'none'}; {time.monotonic() - t0:.1f} s in all"
        )
        passed = True
    except (AssertionError, PlaywrightError) as exc:
        page.screenshot(path=str(failed_png))
        if console:
            errors = "\n".join(m.splitlines()[0][:300] for m in console[-20:] if m)
            raise AssertionError(f"{exc}\n--- browser console errors ---\n{errors}") from None
        raise
    finally:
        close_notebook(page, lab, shut_down=not passed)  # a failed notebook's kernel may still be busy
    assert digest(nb_path) == before, f"{nb_path.name} was changed on disk by the browser session"
