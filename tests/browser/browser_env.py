"""The browser suite's plumbing: Chromium, and Jupyter servers started on a free port with a throwaway HOME.

Tests import these from here, never from ``conftest`` (``tests/autograder`` has a
``conftest`` too, and only one module of that name can be imported when both run).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import time
import urllib.error
from pathlib import Path

import pytest

from lab_driver import LabServer

CHROMIUM = os.environ.get("CNN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Python playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CNN_CHROMIUM)"
    return None


def require_browser() -> None:
    """Skip (fail under CI=true) when the browser or Playwright is missing."""
    reason = _missing_browser()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser suite cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(home: Path) -> dict:
    """``os.environ`` with HOME and the Jupyter, IPython, matplotlib and XDG folders moved into ``home``."""
    env = dict(os.environ)
    env.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / ".mpl"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env.pop(name, None)
    return env


@contextlib.contextmanager
def running(argv, env, cwd, server: LabServer, what: str = "JupyterLab", timeout: float = 90):
    """Start ``argv`` (logging to ``server.log``), wait until ``server`` answers, yield it; stop it afterwards."""
    with open(server.log, "w") as log_file:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{server.log.read_text()[-3000:]}", pytrace=False)
        try:
            server.api("GET", "/api/status")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"{what} did not answer in {timeout:.0f} s:\n{server.log.read_text()[-3000:]}",
                            pytrace=False)
            time.sleep(0.5)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
