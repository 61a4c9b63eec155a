"""`make lab` starts a JupyterLab that serves the course (the server of the ``lab`` fixture, tests/conftest.py)."""

import json
import shutil
import sys

import pytest
from lab_server import wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or sys.platform == "win32", reason="needs make (Unix)"
)


def test_make_lab_serves_lab_and_api_status(lab):
    base, token = lab["base"], lab["token"]
    status = json.loads(wait_for(f"{base}/api/status?token={token}"))
    assert "started" in status
    page = wait_for(f"{base}/lab?token={token}").decode("utf-8")
    assert "JupyterLab" in page
    contents = json.loads(wait_for(f"{base}/api/contents?token={token}"))
    names = {item["name"] for item in contents["content"]}
    assert {"notebooks", "solutions", "data"} <= names, names
    printed = lab["log"].read_text(encoding="utf-8", errors="replace")
    assert f"http://localhost:{lab['port']}/lab" in printed, printed[:500]


def test_make_lab_asks_no_news_question_and_checks_no_updates(lab):
    # the app-wide defaults `make venv` installs (binder/jupyterlab-overrides.json): a student's first
    # notebook opens without the "Would you like to get notified about official Jupyter news?" pop-up
    base, token = lab["base"], lab["token"]
    url = f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
    properties = json.loads(wait_for(url))["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False
