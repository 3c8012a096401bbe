"""The run's nbgrader gradebook: autograded scores in, hand grades out.

Only the parent process writes it. :func:`record_results` saves each result as
a submission with its autograded scores; formgrader adds hand scores and
comments to the same database. Recording again never undoes hand grading: a
cell with a hand score keeps it and stays graded, unless the answer it judged
changed (a new submission), when it is flagged for review as nbgrader does
(the score stays; formgrader shows "needs manual grade" until it is saved again).
:func:`hand_grades` reads them back for grades.csv and the feedback.
Runs recording into one database take turns (:func:`autograder.gradebook_db.writer_lock`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.owned_folders import owned_folder


@dataclass(frozen=True)
class HandGrade:
    """What a grader set on one cell of one submission in formgrader.

    Attributes
    ----------
    manual : float or None
        The hand score; None when the grader gave none (the autograded score counts).
    extra : float
        Extra credit, added to whichever score counts.
    review : bool
        A hand score exists but the answer changed since it was given.
    """

    manual: float | None = None
    extra: float = 0.0
    review: bool = False

    def value(self, auto: float | None) -> float | None:
        """The cell's score: the hand score, else ``auto``, plus extra credit (None if neither)."""
        base = self.manual if self.manual is not None else auto
        return None if base is None else base + self.extra


@dataclass
class HandGrading:
    """Hand grades and comments of one submission, by grade_id."""

    grades: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)


def record_results(db_url: str, course, records: list[dict]) -> None:
    """Write results into ``db_url``, keeping every hand grade.

    Parameters
    ----------
    db_url : str
    course : autograder.grade.Course
    records : list of dict
        Results (see :func:`autograder.collect.collect_result`) with three more keys:
        ``timestamp`` (the exchange's timestamp text or None), ``review`` (grade_ids
        whose hand score judged an answer that has since changed) and ``name``.
    """
    from autograder.gradebook_db import writer_lock

    with writer_lock(db_url):  # another run recording into the same database waits for this one
        _record(db_url, course, records)


def _record(db_url: str, course, records: list[dict]) -> None:
    import warnings

    from nbgrader.api import Gradebook

    from autograder.release import generate_into

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy autoflush chatter in nbgrader's api
    assignments = sorted({r["assignment"] for r in records})
    with owned_folder("autograder-gradebook-") as scratch:
        for name in assignments:
            generate_into(Path(scratch) / name, course.source_directory / name, db_url)
    with Gradebook(db_url) as gradebook:
        for record in sorted(records, key=lambda r: (r["assignment"], r["student_id"])):
            student = gradebook.update_or_create_student(record["student_id"])
            if record.get("name") and not (student.first_name or student.last_name):
                student.last_name = record["name"]
            submission = gradebook.update_or_create_submission(record["assignment"], record["student_id"])
            if record.get("timestamp"):
                from nbgrader.utils import parse_utc

                submission.timestamp = parse_utc(record["timestamp"])
            else:
                submission.timestamp = None
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    _update(grade, record)
                notebook.flagged = record["status"] == "flagged"
        gradebook.db.commit()


def _update(grade, record: dict) -> None:
    """Set one cell's autograded score; a hand score stays (flagged when its answer changed)."""
    score = record.get("questions", {}).get(grade.name)
    if record["status"] == "failed":
        grade.auto_score = 0.0
    else:
        grade.auto_score = score
    if grade.manual_score is not None:
        if grade.name in record.get("review", ()):
            grade.needs_manual_grade = True
    else:
        grade.needs_manual_grade = record["status"] != "failed" and score is None


def hand_grades(db_url: str | None) -> dict:
    """Every hand grade and comment in ``db_url``: ``{(assignment, student): HandGrading}``."""
    if not db_url or (db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file()):
        return {}
    from nbgrader.api import (Assignment, BaseCell, Comment, Grade, Gradebook, SubmittedAssignment,
                              SubmittedNotebook)

    found: dict = {}
    with Gradebook(db_url) as gradebook:
        def query(*columns):
            return (gradebook.db.query(Assignment.name, SubmittedAssignment.student_id, BaseCell.name, *columns)
                    .join(SubmittedAssignment, SubmittedAssignment.assignment_id == Assignment.id)
                    .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id))

        grades = (query(Grade.manual_score, Grade.extra_credit, Grade.needs_manual_grade)
                  .join(Grade, Grade.notebook_id == SubmittedNotebook.id).join(BaseCell, BaseCell.id == Grade.cell_id))
        for assignment, student, cell, manual, extra, needs in grades:
            if manual is not None or extra:
                found.setdefault((assignment, student), HandGrading()).grades[cell] = \
                    HandGrade(manual, extra or 0.0, bool(needs) and manual is not None)
        comments = (query(Comment.manual_comment)
                    .join(Comment, Comment.notebook_id == SubmittedNotebook.id)
                    .join(BaseCell, BaseCell.id == Comment.cell_id))
        for assignment, student, cell, comment in comments:
            if comment:
                found.setdefault((assignment, student), HandGrading()).comments[cell] = comment
    return found
