"""A non-editable install works: the wheel holds every module and the shipped data, and an installed copy
imports, finds its data and loads it (as on a JupyterHub image built with `pip install .`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "helpers").rglob("*.py")
)

CHECK = """
import importlib, json, sys
from pathlib import Path
modules = json.loads(sys.argv[1])
for name in modules:
    importlib.import_module(name)
import helpers
from helpers.data import DATA_DIR, load_pdfs
from helpers.measured import SHIPPED, load_gr
from helpers.checks import check_quiz
assert check_quiz(1, 1, "c").passed, "the quizzes' data files are installed"
df = load_pdfs("clean")
sizes = [len(load_gr(f.path)[0]) for f in SHIPPED]
print(json.dumps({"helpers": helpers.__file__, "data": str(DATA_DIR), "rows": len(df), "measured": sizes}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built offline (no build isolation: setuptools is pinned in the dev extra) from a copy."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", src / "data")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            out,
            src,
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("*.whl")
    return found


def test_the_wheel_holds_every_module_and_the_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in [*(ROOT / "helpers").rglob("*.py"), *(ROOT / "helpers").rglob("*.toml")]:
        assert path.relative_to(ROOT).as_posix() in names, path
    for path in (ROOT / "data").rglob("*"):
        if path.is_file():
            assert "helpers/_data/" + path.relative_to(ROOT / "data").as_posix() in names, path


def test_an_installed_copy_imports_everything_and_finds_its_data(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(MODULES)],
        cwd=tmp_path,  # not the course folder
        env=env,
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["helpers"]).is_relative_to(site), result  # the installed copy, not the checkout
    assert Path(result["data"]) == site / "helpers" / "_data"
    assert result["rows"] == 840 and len(result["measured"]) == 6 and min(result["measured"]) >= 2001
