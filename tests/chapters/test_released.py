"""course/ is what ``python -m autograder release`` generates from solutions/ (not stale)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.config import SOURCE_DIRECTORY, list_assignments

REPO = Path(__file__).resolve().parents[2]


def test_course_is_not_stale():
    """Does `release --check` find course/ identical to a fresh release of solutions/?"""
    if not SOURCE_DIRECTORY.is_dir() or not list_assignments(SOURCE_DIRECTORY):
        pytest.skip("no chapter in solutions/ yet")
    run = subprocess.run([sys.executable, "-m", "autograder", "release", "--check"], cwd=REPO,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, (
        "course/ is stale; run `python -m autograder release` and commit course/.\n" + run.stdout + run.stderr
    )
