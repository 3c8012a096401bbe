"""The cumulative gradebook: the newest graded submission of every student and assignment.

``DIR/.latest/<assignment>/<student>.json`` holds, for each pair ever graded
into ``DIR``, the result of its newest submission with where it came from
(:class:`autograder.intake.Submission` ``origin``), its points and columns.
Grading a batch rewrites only its own students' files, so grades.csv, rebuilt
from all of them, adds batches up. A submission older than the one already
recorded (by the rules of :mod:`autograder.intake.choose`) does not replace it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from autograder.course_file import CourseFile
from autograder.graded_course import gradebook_url
from autograder.intake.choose import later
from autograder.intake.model import Stamp
from autograder.late import lateness
from autograder.gradebook import hand_grades
from autograder.report import grades_csv_text, row_of
from autograder.roster import Roster

LATEST = ".latest"


def _path(out: Path, assignment: str, student_id: str) -> Path:
    return Path(out) / LATEST / quote(assignment, safe="") / f"{quote(student_id, safe='')}.json"


def entries(out: Path) -> list[dict]:
    """Every recorded entry of ``out``, sorted by assignment and student."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((Path(out) / LATEST).glob("*/*.json"))]
    return sorted(found, key=lambda e: (e["assignment"], e["student_id"]))


def older_than_recorded(out: Path, submission) -> str:
    """Why ``submission`` must not replace what ``out`` holds ('' when it may)."""
    path = _path(out, submission.assignment, submission.student_id)
    if not path.is_file() or submission.problem:
        return ""
    recorded = json.loads(path.read_text(encoding="utf-8"))
    new, old = submission.origin.get("stamp", {}), recorded["origin"].get("stamp", {})
    if not old or not new:
        return ""
    verdict, rule = later(Stamp(**new), Stamp(**old))
    if verdict >= 0:
        return ""
    return (f"older than the submission already graded in {out} ({', '.join(recorded['origin']['files'])}): "
            f"{rule}; kept that one")


def record(out: Path, submission, result: dict, key: str, max_score: float, columns: list[str]) -> None:
    """Save ``result`` as the newest of ``submission``'s student and assignment (``max_score``: every graded cell)."""
    path = _path(out, submission.assignment, submission.student_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"student_id": submission.student_id, "assignment": submission.assignment,
             "name": submission.name, "origin": submission.origin, "key": key, "result": result,
             "max_score": max_score, "columns": columns}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(entry, sort_keys=True, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def rows_of(chosen: list[dict], course: CourseFile, roster: Roster, hand: dict | None = None) -> list[dict]:
    """grades.csv rows of ledger entries, with the name, lateness, penalty and hand grades.

    ``hand`` is :func:`autograder.gradebook.hand_grades`' answer (None: no hand grades).
    """
    rows, hand = [], hand or {}
    for entry in chosen:
        student = roster.find(entry["student_id"])
        late = lateness(course, entry["assignment"], roster.aliases(entry["student_id"]),
                        entry["origin"].get("stamp", {}))
        name = (student.name if student and student.name else "") or entry.get("name", "")
        rows.append(row_of(entry["result"], entry["max_score"], name, late,
                           entry["origin"].get("stamp", {}).get("submitted", ""),
                           hand.get((entry["assignment"], entry["student_id"]))))
    return rows


def write_grades(out: Path, course: CourseFile, roster: Roster, hand: bool = True) -> list[dict]:
    """Rebuild ``out/grades.csv`` from every recorded entry; return all its rows.

    ``hand=False`` leaves the gradebook's hand grades out (it could not be opened).
    """
    chosen = entries(out)
    columns = []
    for entry in chosen:
        columns += [c for c in entry["columns"] if c not in columns]
    rows = rows_of(chosen, course, roster, hand_grades(gradebook_url(out)) if hand else None)
    (Path(out) / "grades.csv").write_text(grades_csv_text(rows, columns), encoding="utf-8")
    return rows


def record_run(out: Path, course, chosen: dict, results: dict, settings, hand: bool = True) -> list[dict]:
    """Record a run's results and rebuild grades.csv; return the run's own rows.

    Parameters
    ----------
    course : autograder.grade.Course
        Gives ``cells[assignment]`` and ``question_columns({assignment})``.
    chosen : dict of str to Submission
        Cache key -> the submission graded under it.
    results : dict of str to dict
        Cache key -> its result.
    settings : autograder.intake.options.Settings
    hand : bool
        Count the gradebook's hand grades (False: it could not be written, so it is not read either).
    """
    for key, submission in chosen.items():
        assignment = submission.assignment
        record(out, submission, results[key], key, sum(c.points for c in course.cells.get(assignment, [])),
               course.question_columns({assignment}))
    mine = {(s.student_id, s.assignment) for s in chosen.values()}
    rows = write_grades(out, settings.course, settings.roster, hand)
    return [row for row in rows if (row["student_id"], row["assignment"]) in mine]
