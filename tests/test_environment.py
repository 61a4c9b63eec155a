"""The pinned environment is the same everywhere: pyproject.toml, environment.yml (Binder), the venv."""

import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the backport, pinned in the dev extra
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[=<>!~\[ ;]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
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
    assert _environment_yml_pins() == _pyproject_pins()


def test_environment_yml_python_satisfies_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    py = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert py and tuple(int(x) for x in py[0].split("=")[-1].split(".")[:2]) >= (3, 10)


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
