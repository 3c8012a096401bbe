"""Helpers of the grader's tests: run the real CLI, read grades.csv, the fixture course.

Everything here runs the real CLI (``python -m autograder``) in a subprocess,
with real nbgrader and real kernels.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SOURCE = REPO / "tests" / "fixtures" / "solutions"
ASSIGNMENT = "99_fixture"
HIDDEN_MARKER = "HIDDEN-TEST-MARKER-7f3a"
LIMITS = ["--timeout", "20", "--wall", "120", "--memory", "1536"]


def autograder(*args, check=True, timeout=1200):
    """Run ``python -m autograder ARGS`` and return the CompletedProcess."""
    process = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                             capture_output=True, text=True, timeout=timeout)
    if check and process.returncode != 0:
        raise AssertionError(f"autograder {' '.join(map(str, args))} exited {process.returncode}\n"
                             f"stdout:\n{process.stdout}\nstderr:\n{process.stderr}")
    return process


def autograded_points(source: Path = FIXTURE_SOURCE, assignment: str = ASSIGNMENT) -> float:
    """Points of the autograded test cells of ``assignment`` (max_score also counts written answers)."""
    from autograder.notebooks import graded_cells, read_notebook

    notebook = read_notebook(source / assignment / f"{assignment}.ipynb")
    return sum(cell.points for cell in graded_cells(notebook) if cell.autograded)


def read_grades(path: Path) -> dict:
    """grades.csv as {student_id: row}."""
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


