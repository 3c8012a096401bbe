"""Fixtures of the browser suite: one JupyterLab (started like ``make lab``) and one Chromium.

The server runs ``tools/lab.py``'s launch on a free local port, with a
throwaway HOME, in a throwaway copy of the course (see ``course_copy.py``). The
browser is the system Chromium driven by Playwright. Without Chromium or
Playwright the suite skips with the reason; with ``CI=true`` it fails instead,
so CI never passes by skipping.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))

from browser_env import CHROMIUM, CHROMIUM_ARGS, free_port, isolated_env, require_browser, running  # noqa: E402,F401
from course_copy import build_course_copy  # noqa: E402
from lab_driver import LabServer  # noqa: E402

SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"


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
