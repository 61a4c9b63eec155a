"""The package's map stays true: helpers/__init__.py and the README's layout table name every module."""

from __future__ import annotations

import re
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    p.stem for p in (ROOT / "helpers").glob("*.py") if p.stem != "__init__" and not p.stem.startswith("_")
) + ["checks", "widgets"]


def test_the_package_docstring_names_every_module():
    named = set(re.findall(r"``(\w+)``", helpers.__doc__))
    assert not set(MODULES) - named, f"helpers/__init__.py does not list {sorted(set(MODULES) - named)}"


def test_the_readme_layout_names_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `helpers/` |"))
    named = set(re.findall(r"`(\w+)`", row))
    assert not set(MODULES) - named, f"the README's layout table does not list {sorted(set(MODULES) - named)}"
