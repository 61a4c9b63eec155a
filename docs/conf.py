"""Sphinx configuration of the course website: `make site` runs

    sphinx-build -W -n --keep-going -b html docs _build/html     (tools/build_site.py)

The pages are docs/*.md, which include the repository's Markdown files (MyST ``{include}``, between
``<!-- site: ... -->`` markers where a page shows part of one), and the session pages, which the local
extension docs/_ext/course_site.py writes from solutions/ at the start of the build.

Offline by design: notebooks are not executed, no widget manager or Thebe is loaded from a CDN,
MathJax is served from _static/ (docs/package-lock.json), and the theme's launch buttons are off.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
import course_site

REPOSITORY = course_site.repository()  # pyproject.toml's [tool.ml4chem] repository

project = "ML for Chemistry"
author = "the course's authors"
copyright = "the course's authors. Code: MIT; course text, notebooks and data: CC BY 4.0"
language = "en"

extensions = ["myst_nb", "course_site"]
exclude_patterns = ["_build", "_ext", "_templates", "node_modules", "img", "Thumbs.db", ".DS_Store"]

# MyST (Markdown pages and notebook Markdown cells)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "substitution"]
myst_heading_anchors = 4  # GitHub-style anchors, so the README's #section links work here too
myst_substitutions = {
    "site_tools": ", ".join(f"{name} {v}" for name, v in sorted(course_site.site_pins().items())),
    "mathjax_version": course_site.mathjax_version(),
}

# MyST-NB: show the notebooks as stored
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # never load the widget manager (a CDN script): widgets become their static twins
nb_output_stderr = "show"
nb_merge_streams = True

# MathJax from the site itself (course_site copies it from docs/node_modules into a static folder)
mathjax_path = f"mathjax/{course_site.MATHJAX_FILE}"

templates_path = ["_templates"]  # the search button without a mismatching aria-label
html_theme = "sphinx_book_theme"
html_title = "ML for Chemistry"
html_static_path = ["_static", str(course_site.STATIC)]
html_css_files = ["course.css"]  # phones: wrapping code, scrolling formulas and tables, figures
html_js_files = ["course.js"]  # the navigation toggles, the search button's name, empty table headers
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
    "launch_buttons": {},  # no Binder/Thebe buttons: the note on each session page links the student copy
    "footer_content_items": ["copyright"],
}
