"""Record a run's results in an nbgrader gradebook (only the parent process writes it).

The assignment's cells are saved with nbgrader's own GenerateAssignment (into a
throw-away release), then each result becomes a submission whose autograded
scores are set from the result. Re-recording updates rows; nothing duplicates.
Manual grading can then go on in nbgrader's formgrader with this database.
Runs recording into one database take turns (:func:`autograder.gradebook_db.writer_lock`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path


def record_results(db_url: str, course, results: list[dict]) -> None:
    """Write ``results`` (see :func:`autograder.collect.collect_result`) into ``db_url``."""

    from autograder.gradebook_db import writer_lock

    with writer_lock(db_url):  # another run recording into the same database waits for this one
        _record(db_url, course, results)


def _record(db_url: str, course, results: list[dict]) -> None:
    from nbgrader.api import Gradebook

    from autograder.release import generate_into

    assignments = sorted({r["assignment"] for r in results})
    with tempfile.TemporaryDirectory(prefix="autograder-gradebook-") as scratch:
        for name in assignments:
            generate_into(Path(scratch) / name, course.source_directory / name, db_url)
    with Gradebook(db_url) as gradebook:
        for result in sorted(results, key=lambda r: (r["assignment"], r["student_id"])):
            gradebook.update_or_create_student(result["student_id"])
            gradebook.update_or_create_submission(result["assignment"], result["student_id"])
            for notebook in course.notebooks[result["assignment"]]:
                submitted = gradebook.find_submission_notebook(notebook, result["assignment"], result["student_id"])
                for grade in submitted.grades:
                    score = result.get("questions", {}).get(grade.name)
                    if result["status"] == "failed":
                        grade.auto_score, grade.needs_manual_grade = 0.0, False
                    elif score is None:
                        grade.auto_score, grade.needs_manual_grade = None, True
                    else:
                        grade.auto_score, grade.needs_manual_grade = score, False
                submitted.flagged = result["status"] == "flagged"
        gradebook.db.commit()
