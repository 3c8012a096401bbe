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


def test_check_yourself_cells_run_in_a_blank_notebook():
    """Is every released q_* cell runnable as it is, leaving its answers None (so its test fails)?"""
    import nbformat

    released = sorted((REPO / "course").glob("*/*.ipynb"))
    if not released:
        pytest.skip("no chapter in course/ yet")
    seen = 0
    for path in released:
        for cell in nbformat.read(str(path), as_version=4).cells:
            if not cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("q_"):
                continue
            namespace: dict = {}
            exec(cell.source, namespace)  # raises if the stub still says NotImplementedError
            answers = {k: v for k, v in namespace.items() if k.startswith("answer_")}
            assert answers and all(v is None for v in answers.values()), (path.name, cell.source)
            seen += 1
    assert seen > 0
