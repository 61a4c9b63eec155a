"""The pinned environment is the same everywhere: pyproject.toml, environment.yml (Binder), the venv."""

import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[=<>!~\[ ;]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def _pyproject_pins(extras: tuple[str, ...] = ("dev",)) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = project["dependencies"] + [r for e in extras for r in project["optional-dependencies"][e]]
    pins = {}
    for req in reqs:
        assert "==" in req, f"pyproject.toml: {req!r} is not pinned to an exact version"
        pins[_name(req)] = req.split("==", 1)[1].split(";")[0].strip()
    return pins


def _environment_yml_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1, "environment.yml must have exactly one pip: section"
    return {_name(r): r.split("==", 1)[1].strip() for r in pip_lists[0]}


def test_environment_yml_lists_the_same_packages_and_versions_as_pyproject():
    # Binder gets what students use (the dependencies) and the notebook release that fits JupyterLab
    # (the binder extra); no test or website tooling.
    assert _environment_yml_pins() == _pyproject_pins(extras=("binder",))


def test_python_version_agrees_everywhere():
    """README, requires-python, environment.yml and ruff name the same minimum Python (the pins need it)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    minimum = pyproject["project"]["requires-python"].removeprefix(">=")
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python={minimum}" in env["dependencies"]
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + minimum.replace(".", "")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"Python ≥ (3\.\d+)", readme) == [minimum], "README.md: say 'Python ≥ 3.11' once"
    assert "setuptools>=77" in pyproject["build-system"]["requires"]  # SPDX license strings


def _repository() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ml4chem"][
        "repository"
    ]


def test_the_repository_address_is_set_once_and_the_readme_uses_it():
    repo = _repository()
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", repo), f"pyproject.toml [tool.ml4chem] repository = {repo!r}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"https://mybinder\.org/v2/gh/([^/\s]+/[^/\s]+)/", readme)
    assert links, "README.md: no Binder badge or link"
    assert set(links) == {repo}, (
        f"README.md's Binder links name {sorted(set(links))}, pyproject.toml [tool.ml4chem] names {repo!r}: "
        "set the same owner/name in both"
    )


def test_environment_yml_python_satisfies_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    py = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert py and tuple(int(x) for x in py[0].split("=")[-1].split(".")[:2]) >= (3, 11)


def test_binder_uses_the_root_environment_file():
    # repo2docker reads only binder/ when that folder exists, so binder/ must see the same file.
    binder_env = ROOT / "binder" / "environment.yml"
    assert binder_env.read_text(encoding="utf-8") == (ROOT / "environment.yml").read_text(encoding="utf-8")


def test_binder_postbuild_installs_the_helpers_package():
    post = (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")
    commands = [line.strip() for line in post.splitlines() if line.strip() and not line.startswith("#")]
    assert any(re.fullmatch(r"python -m pip install (--no-deps )?-e \.", c) for c in commands), commands
    if sys.platform != "win32":  # Windows file systems have no executable bit
        assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


@pytest.mark.parametrize("package", sorted(_pyproject_pins()))
def test_installed_version_matches_pin(package):
    assert version(package) == _pyproject_pins()[package]


def test_the_tests_import_only_pinned_or_standard_packages():
    """Every third-party module a test imports is pinned in pyproject.toml, or installed by a pinned package."""
    import ast

    pins = _pyproject_pins()
    installed_by = {  # module -> the pinned package that brings it
        "IPython": "jupyterlab",
        "PIL": "matplotlib",
        "nbclient": "nbval",
        "nbformat": "nbval",
        "sklearn": "scikit-learn",
        "xdist": "pytest-xdist",
        "yaml": "pyyaml",
    }
    local = {
        "helpers",
        "lab_server",
        "build_notebooks",
        "test_browser",
    }  # test_browser: shared browser settings
    imported = set()
    for path in [ROOT / "conftest.py", *(ROOT / "tests").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - local
    unpinned = sorted(m for m in third_party if _name(installed_by.get(m, m)) not in pins)
    assert not unpinned, f"tests import packages that pyproject.toml does not pin: {unpinned}"


@pytest.mark.skipif(shutil.which("make") is None or sys.platform == "win32", reason="needs make (POSIX)")
def test_make_venv_replaces_a_venv_of_the_wrong_python_and_names_the_fix(tmp_path):
    """A .venv half-made by an old Python is removed; an old $(PYTHON) is named, with the fix."""
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")  # an unusable Python
    (venv / "bin" / "python").chmod(0o755)
    result = subprocess.run(
        ["make", "-s", "venv", f"VENV={venv}", "PYTHON=/bin/false"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and not venv.exists()
    assert "made by a Python older than 3.11" in result.stderr
    assert (
        "the course needs Python >= 3.11" in result.stderr and "make venv PYTHON=python3.11" in result.stderr
    )


def test_make_lab_opens_the_notebooks_folder():
    # LabApp's own default URL (/lab) overrides ServerApp's: only LabApp.default_url makes / open notebooks/.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lab = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)[1]
    assert "--LabApp.default_url=/lab/tree/notebooks" in lab
