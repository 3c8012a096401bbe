"""Turn an autograded scratch course into one result record.

Scores come from nbgrader's gradebook; failure messages, timeouts, memory
errors and the integrity verdicts come from the executed notebook and the
verdict channel (:mod:`autograder.safeguards`); the notebook is then rewritten
without the injected check cells (feedback is generated from it).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.integrity import executed_checks, remove_check_cells
from autograder.notebooks import is_test_cell
from autograder.preprocessors import error_line


def collect_result(task, course: Path, db_url: str, safeguards) -> dict:
    """The result of a graded submission.

    Returns
    -------
    dict
        ``student_id, assignment, status ("graded" | "flagged"), reason,
        questions {grade_id: score or None}, max_points {grade_id: points},
        messages {grade_id: "AssertionError: ..."}, autograded [grade_id]``.
        ``None`` marks a cell that waits for manual grading.
    """
    from nbgrader.api import Gradebook

    questions, max_points, messages, notes, checks, autograded_ids = {}, {}, {}, [], {}, []
    with Gradebook(db_url) as gradebook:
        submission = gradebook.find_submission(task.assignment, task.student_id)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                auto = grade.auto_score if not grade.needs_manual_grade else None
                questions[grade.name] = None if auto is None else float(auto)
                max_points[grade.name] = float(grade.max_score)
    autograded = course / "autograded" / task.student_id / task.assignment
    for path in sorted(autograded.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        checks.update(executed_checks(nb, path.stem))
        notes += safeguards.explain(nb)
        remove_check_cells(nb)
        nbformat.write(nb, str(path))
        for cell in nb.cells:
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            names = {o.get("ename") for o in errors}
            if "CellTimeoutError" in names or "KeyboardInterrupt" in names:
                notes.append(f"a cell ran past the {task.limits.cell_timeout}s cell timeout")
            if "MemoryError" in names:
                notes.append(f"a cell hit the {task.limits.memory_mb} MiB memory cap")
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if is_test_cell(cell) and grade_id:
                autograded_ids.append(grade_id)
            if is_test_cell(cell) and errors and grade_id:
                messages[grade_id] = error_line(errors[0])
    notes = sorted(set(notes + safeguards.notes()))
    problems = safeguards.problems(checks)
    status = "flagged" if problems else "graded"
    reason = "; ".join(problems + notes)
    return {"student_id": task.student_id, "assignment": task.assignment, "status": status,
            "reason": reason, "questions": questions, "max_points": max_points, "messages": messages,
            "autograded": sorted(autograded_ids)}
