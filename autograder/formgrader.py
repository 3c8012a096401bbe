"""``formgrader DIR``: nbgrader's formgrader on a graded folder, for hand grading.

``grade`` leaves ``DIR`` as an nbgrader course (:mod:`autograder.graded_course`):
the autograded notebooks, the gradebook and a ``nbgrader_config.py`` naming them.
This starts JupyterLab the way ``make lab`` does (``tools/lab.py``: the course's
settings, state kept in ``DIR/.lab-state/``, the environment's tools on PATH), with
``DIR`` as its root and working directory, and opens ``/formgrader``. Hand scores
and comments go into the gradebook; ``python -m autograder feedback DIR`` (or
``export DIR``) then carries them into the pages and grades.csv.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from autograder.config import REPO_ROOT
from autograder.errors import UsageError
from autograder.graded_course import CONFIG_FILE, gradebook_url

LAUNCHER = REPO_ROOT / "tools" / "lab.py"


def _lab_module():
    """``tools/lab.py`` (outside the package: ``make lab`` runs it as a script)."""
    name = "course_lab_launcher"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, LAUNCHER)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules[name]


def formgrader_launch(out: Path, port: int | None = None, token: str | None = None, open_browser: bool = True):
    """How to start formgrader on ``out``: a ``tools/lab.py`` ``LabLaunch`` (argv, env, cwd, url)."""
    out = Path(out)
    if not (out / CONFIG_FILE).is_file():
        raise UsageError(f"formgrader: DIR {out} is not a graded folder (no {CONFIG_FILE}; run "
                         f"`python -m autograder grade SUBMISSIONS --out {out}` first)")
    if gradebook_url(out) is None:
        raise UsageError(f"formgrader: {out} was graded with --db none: it has no gradebook to grade in")
    if not LAUNCHER.is_file():
        raise UsageError(f"formgrader: needs the course's launcher {LAUNCHER} (a checkout of the repository)")
    return _lab_module().lab_launch(out, port=port, token=token, open_browser=open_browser,
                                    default_url="/formgrader")


def run_formgrader(out: Path, port: int | None = None, token: str | None = None, open_browser: bool = True) -> None:
    """Replace this process by JupyterLab showing formgrader on ``out`` (returns only on error)."""
    launch = formgrader_launch(out, port, token, open_browser)
    print(f"formgrader on {Path(out).resolve()}: {launch.url or 'http://127.0.0.1:8888'}/formgrader "
          "(Ctrl+C stops it)", flush=True)
    os.chdir(launch.cwd)
    os.execvpe(launch.argv[0], launch.argv, launch.env)
