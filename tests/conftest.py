"""Shared fixtures of the tests: one JupyterLab server, started the way `make lab` starts it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest
from lab_server import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


# JupyterLab user settings for the test's private settings dir: no news/update
# notifications, no autosave (the notebooks on disk must stay as built), and every
# cell in the DOM (no virtual scrolling), so cells can be located by index.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab started by `make lab` on a free port, with private config/data/settings dirs.

    One server for tests/test_lab.py and tests/test_browser.py (the root conftest.py keeps the two
    modules on one xdist worker): starting JupyterLab costs seconds of CPU.
    """
    tmp = tmp_path_factory.mktemp("lab")
    for name, values in LAB_SETTINGS.items():
        path = tmp / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    # JupyterLab makes a checkpoint of every notebook it opens: keep them out of the tree.
    server_config = {"FileCheckpoints": {"checkpoint_dir": str(tmp / "checkpoints")}}
    (tmp / "config").mkdir()
    (tmp / "config" / "jupyter_server_config.json").write_text(json.dumps(server_config), encoding="utf-8")
    port, token = free_port(), "course-test-token"
    env = dict(
        os.environ,
        JUPYTER_TOKEN=token,
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        IPYTHONDIR=str(tmp / "ipython"),
        PORT=str(port),
    )
    env.pop("MPLBACKEND", None)  # the kernel must use the inline backend, as for a student
    log = tmp / "lab.log"
    with open(log, "wb") as out:
        # `-o .venv/.installed`: run the lab target as is, but never (re)install packages from a test.
        proc = subprocess.Popen(
            ["make", "-s", "-o", ".venv/.installed", "lab", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(f"{base}/api/status?token={token}", proc=proc)
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}\n--- lab log ---\n{log.read_text(encoding='utf-8', errors='replace')[-3000:]}"
            ) from None
        yield {"base": base, "token": token, "log": log, "port": port}
    finally:
        stop_process_group(proc)


def stop_process_group(proc: subprocess.Popen) -> None:
    """SIGTERM the group started by `make lab` (make, jupyter lab, kernels); SIGKILL after 20 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:  # the whole group has exited already
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture
def separable():
    """Linearly separable 2-D points with labels ±1 (the perceptron's engine and pictures)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    margin = X @ [1.0, -0.7] + 0.1
    X = X[np.abs(margin) > 0.1]
    return X, np.where(X @ [1.0, -0.7] + 0.1 >= 0, 1, -1)
