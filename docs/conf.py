"""Sphinx configuration of the course website (`make site`; tools/build_site.py stages the sources).

Offline by design: notebooks are not executed, no widget manager or Thebe is loaded from a CDN,
MathJax is served from _static/ (docs/package-lock.json), and the theme's launch buttons are off.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import build_site  # the one place that knows the repository, the pages and MathJax

REPOSITORY, _REF = build_site.repository()

project = "ML for Chemistry"
author = "the course's authors"
copyright = "the course's authors. Code: MIT; course text, notebooks and data: CC BY 4.0"
language = "en"

extensions = ["myst_nb"]
exclude_patterns = ["notebooks"]  # the student notebooks are downloads, not pages

# MyST (Markdown pages and notebook Markdown cells)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 4  # GitHub-style anchors, so the README's #section links work here too

# MyST-NB: show the notebooks as stored
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # never load the widget manager (a CDN script): widgets become static figures
nb_output_stderr = "show"
nb_merge_streams = True

# MathJax from the site itself (tools/build_site.py copies it into a static folder)
mathjax_path = f"mathjax/{build_site.MATHJAX_FILE}"

html_theme = "sphinx_book_theme"
html_title = "ML for Chemistry"
html_static_path = ["_static", str(build_site.STATIC)]
html_favicon = "_static/favicon.svg"  # also spares the browser's request for a missing /favicon.ico
html_copy_source = False  # the sources are the repository's; the student notebooks are linked as downloads
html_show_sourcelink = False
html_use_index = False
html_show_search_summary = False  # summaries fetch every result page: blocked (console errors) from file://
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}  # without it the theme logs "invalid theme mode" on a first visit
html_theme_options = {
    "repository_url": f"https://github.com/{REPOSITORY}",
    "repository_branch": "HEAD",
    "use_repository_button": True,
    "use_download_button": False,  # each session page links its student version itself
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "launch_buttons": {},
    "footer_content_items": [
        "copyright"
    ],  # no Binder/Thebe buttons: the note on each session page links the student copy
}
