"""`make lab` starts a JupyterLab that serves the course."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0, proc=None) -> bytes:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"JupyterLab exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.read()
        except OSError as exc:
            last = exc
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s: {last}")


@pytest.mark.skipif(shutil.which("make") is None or sys.platform == "win32", reason="needs make (Unix)")
def test_make_lab_serves_lab_and_api_status(tmp_path):
    port, token = free_port(), "course-test-token"
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(tmp_path), PORT=str(port))
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status = json.loads(wait_for(f"http://127.0.0.1:{port}/api/status?token={token}", proc=proc))
        assert "started" in status
        lab = wait_for(f"http://127.0.0.1:{port}/lab?token={token}").decode("utf-8")
        assert "JupyterLab" in lab
        contents = json.loads(wait_for(f"http://127.0.0.1:{port}/api/contents?token={token}"))
        names = {item["name"] for item in contents["content"]}
        assert {"notebooks", "solutions", "data"} <= names, names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert f"http://localhost:{port}/lab" in out.decode("utf-8", "replace")
