"""How pytest-xdist shares the tests between the cores (`make test` runs ``pytest -n auto``).

pyproject.toml sets ``--dist loadscope --no-loadscope-reorder``: xdist hands out
"scopes" (units of work that must stay on one worker), in collection order.  Here:

* the cells of one solution notebook (nbval) are one scope: they share one
  kernel and must run in order on one worker;
* tests/test_lab.py and the browser tests are one scope: they share one JupyterLab
  server (the ``lab`` fixture of tests/conftest.py) and the browser tests one Chromium;
  tests/test_identify.py is one scope too (its shipped-file tables are computed once per module), and so
  are tests/test_series.py (its serial table is the reference of the parallel runs) and
  tests/test_grading.py (one nbgrader course folder, released once);
* every other test is a scope of its own, so it can go to whichever core is free
  (xdist's own loadscope would keep whole modules together: the four
  student-notebook runs of tests/test_notebooks.py would all land on one core);
* the slowest work comes first (browser, the student-notebook runs, the nbval
  notebooks, then the rest), so the cores finish together instead of one waiting
  for the other's long tail.

(``--dist loadgroup`` with ``xdist_group`` marks would say the same, but it does not
group anything with pytest 9.2 and xdist 3.8.0: pytest-dev/pytest-xdist#1386.)
"""

from __future__ import annotations

# Collection order by cost: the first matching prefix decides (lower runs earlier).
_SLOW_FIRST = (
    ("tests/test_lab.py", "tests/test_browser.py", "tests/test_grading.py"),
    (
        "tests/test_notebooks.py::test_student_notebook_run",
        "tests/test_notebooks_accept_other_answers.py",
        "tests/test_identify.py",
        "tests/test_series.py",
    ),
    ("solutions/",),
)
# modules whose tests share an expensive fixture, and the name of their common scope
_SHARED_SCOPES = {
    "tests/test_lab.py": "jupyterlab",
    "tests/test_browser.py": "jupyterlab",
    "tests/test_identify.py": "identify",  # one worker computes the shipped files' tables once, for all its tests
    "tests/test_series.py": "series",  # one worker computes the serial table once
    "tests/test_grading.py": "grading",  # one nbgrader course folder (released once) for all its tests
}


def _rank(nodeid: str) -> int:
    return next(
        (i for i, prefixes in enumerate(_SLOW_FIRST) if nodeid.startswith(prefixes)), len(_SLOW_FIRST)
    )


def _scope(nodeid: str) -> str:
    path = nodeid.split("::")[0]
    if path in _SHARED_SCOPES:
        return _SHARED_SCOPES[path]
    return path if path.startswith("solutions/") else nodeid


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: _rank(item.nodeid))  # stable: the order inside a rank is kept


def pytest_xdist_make_scheduler(config, log):
    """loadscope with the scopes above (only when --dist is loadscope, the default of pyproject.toml)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return CourseScheduling(config, log)
