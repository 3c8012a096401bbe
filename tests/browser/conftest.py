"""Fixtures of the browser suite: one JupyterLab (started like ``make lab``) and one Chromium.

The server runs ``tools/lab.py``'s launch on a free local port, with a
throwaway HOME, in a throwaway copy of the course (see ``course_copy.py``). The
browser is the system Chromium driven by Playwright. Without Chromium or
Playwright the suite skips with the reason; with ``CI=true`` it fails instead,
so CI never passes by skipping.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))

from course_copy import build_course_copy  # noqa: E402
from lab_driver import LabServer  # noqa: E402

CHROMIUM = os.environ.get("CNN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"


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


@pytest.fixture(scope="session")
def course_root(tmp_path_factory):
    """A throwaway copy of the course (a ``course_copy.CourseCopy``)."""
    require_browser()
    return build_course_copy(tmp_path_factory.mktemp("course-root"))


@pytest.fixture(scope="session")
def lab_server(course_root, tmp_path_factory):
    """JupyterLab on a free port, launched by tools/lab.py's ``lab_launch``, stopped at the end."""
    from lab import lab_launch

    root = course_root.root
    home = tmp_path_factory.mktemp("home")
    token = secrets.token_hex(16)
    launch = lab_launch(root, port=free_port(), token=token, open_browser=False, base_env=isolated_env(home))
    server = LabServer(url=launch.url, token=token, root=root, log=home / "jupyterlab.log")
    with running(launch.argv, launch.env, launch.cwd, server) as started:
        yield started


@pytest.fixture(scope="session")
def browser(lab_server):
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, lab_server):
    """A fresh browser page; afterwards every kernel is shut down to free the cores."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()
    lab_server.shut_down_kernels()


@pytest.fixture(scope="session")
def screenshots_dir():
    """``artifacts/screenshots/`` in the repository (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
