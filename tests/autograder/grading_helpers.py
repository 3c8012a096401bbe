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




def give_hand_score(out: Path, student: str, grade_id: str, score: float, comment: str = "",
                    assignment: str = ASSIGNMENT) -> None:
    """What formgrader does when a grader types a score (and a comment) for one cell of a submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(out) / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade(grade_id, assignment, assignment, student)
        grade.manual_score, grade.needs_manual_grade = score, False
        if comment:
            gradebook.find_comment(grade_id, assignment, assignment, student).manual_comment = comment
        gradebook.db.commit()


def with_written_answer(notebook_path: Path, answer: str, target: Path | None = None) -> Path:
    """Write ``notebook_path`` (or a copy at ``target``) with ``answer`` in its written_* cell."""
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("written_"):
            cell.source = answer
    target = Path(target or notebook_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target
