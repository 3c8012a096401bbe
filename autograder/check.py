"""``check``: grade one notebook with the full hidden tests, for a student or a self-learner.

Prints the points of each question and, for a failed test, its one-line error
(the assertion message the test wrote), never the hidden test source or its
traceback. Grading runs like ``grade`` with one worker process
(:mod:`autograder.pool`): a grader error is retried once, Ctrl-C stops the
worker and its kernel, and the temporary folder goes when the check ends.
"""

from __future__ import annotations

from pathlib import Path

from autograder.config import Limits, list_assignments
from autograder.errors import UsageError
from autograder.notebooks import read_notebook
from autograder.owned_folders import owned_folder
from autograder.report import format_number

EXIT_FULL_MARKS, EXIT_POINTS_MISSING, EXIT_NOT_GRADED = 0, 1, 3


def _assignment_for(notebook: Path, source_directory: Path, assignment: str | None) -> str:
    if not Path(source_directory).is_dir():
        raise UsageError(f"check: needs the instructor's notebooks with the hidden tests in {source_directory}, "
                         "which the students' repository does not have; run the visible tests with the "
                         "Validate button in JupyterLab instead")
    available = list_assignments(source_directory)
    name = assignment or notebook.stem
    if name not in available:
        raise UsageError(f"check: no assignment {name!r} in {source_directory} (name the notebook "
                         f"NN_name.ipynb or pass --assignment; available: {', '.join(available) or 'none'})")
    return name


def run_check(notebook: Path, *, source_directory: Path, assignment: str | None = None,
              limits: Limits | None = None, stream) -> int:
    """Grade ``notebook``, print the report on ``stream``, return the exit code."""
    from autograder.grade import Course
    from autograder.pool import grade_all
    from autograder.worker import Task

    notebook = Path(notebook)
    if not notebook.is_file():
        raise UsageError(f"check: NOTEBOOK {notebook} does not exist")
    name = _assignment_for(notebook, Path(source_directory), assignment)
    try:
        read_notebook(notebook)
    except ValueError as error:  # answer at once, before the slow start-up of the grader
        stream.write(f"{notebook.name}: could not be graded: corrupt notebook: {error}\n")
        return EXIT_NOT_GRADED
    course = Course(source_directory)
    stems = course.notebooks[name]
    task = Task(student_id="self-check", assignment=name, notebooks={stems[0]: str(notebook.resolve())},
                source_assignment=str(Path(source_directory) / name), limits=limits or Limits())
    results = []
    with owned_folder("autograder-check-") as scratch:
        grade_all([task], jobs=1, scratch=scratch, on_result=lambda index, result: results.append(result))
    [result] = results
    if result["status"] == "failed":
        stream.write(f"{notebook.name}: could not be graded: {result['reason']}\n")
        return EXIT_NOT_GRADED
    cells = course.cells[name]
    earned = sum(result["questions"].get(c.grade_id) or 0 for c in cells if c.autograded)
    total = course.max_score(name)
    stream.write(f"{notebook.name}: {format_number(earned)} / {format_number(total)} autograded points\n\n")
    width = max(len(c.grade_id) for c in cells) if cells else 10
    for cell in cells:
        score = result["questions"].get(cell.grade_id)
        if not cell.autograded:
            stream.write(f"  {cell.grade_id:<{width}}  {'-':>5} / {format_number(cell.points):<4} graded by hand\n")
            continue
        message = result["messages"].get(cell.grade_id, "ok" if score == cell.points else "")
        shown = f"{format_number(score or 0):>5} / {format_number(cell.points):<4}"
        first, *rest = (message or "").splitlines() or [""]
        stream.write(f"  {cell.grade_id:<{width}}  {shown} {first}\n")
        for line in rest:
            stream.write(f"  {'':<{width}}  {'':>12} {line}\n")
    if result["status"] == "flagged":
        stream.write(f"\nFlagged: {result['reason']}\n")
    elif result.get("reason"):
        stream.write(f"\nNote: {result['reason']}\n")
    return EXIT_FULL_MARKS if earned == total and result["status"] == "graded" else EXIT_POINTS_MISSING
