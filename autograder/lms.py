"""The LMS round trip: Canvas's gradebook import file and bulk feedback zips.

``export DIR`` writes, in ``DIR/lms/``:

- ``canvas-import.csv``: Canvas's gradebook import format: ``Student, ID, SIS User
  ID, SIS Login ID, Section``, then one column per assignment (its
  ``canvas_column`` in the course file, e.g. ``01 Convolution (48213)`` to fill
  an existing Canvas assignment, else the assignment's name, which Canvas adds
  as a new one) holding the score after the late penalty. A ``Points Possible``
  row comes first. Canvas matches a row by ID, SIS User ID or SIS Login ID; the
  roster fills them, and a Canvas download gives the ID itself.
- ``canvas-feedback-<assignment>.zip``: each feedback page named
  ``<name>_<user id>_<attachment id>_<notebook>.html`` after the file Canvas
  handed out, for the assignment's "Re-upload submissions".
- ``moodle-feedback-<assignment>.zip``: ``<Full Name>_<participant id>_assignsubmission_file/
  <notebook>.html``, for Moodle's "Upload multiple feedback files in a zip".
- ``roster.csv``: every graded student's LMS id, login and name as far as known
  (from the roster, else from the download), readable back as a roster.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from autograder.errors import UsageError
from autograder.intake.options import IntakeOptions
from autograder.ledger import entries, write_grades

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_import_text(rows: list[dict], settings, canvas_ids: set) -> tuple[str, list[str]]:
    """The Canvas import CSV of grades.csv ``rows``, and notes on students Canvas cannot match.

    ``canvas_ids`` are the student ids that came from a Canvas download (Canvas user ids).
    """
    assignments = sorted({r["assignment"] for r in rows if r["assignment"] != "unknown"})
    headers = [settings.course.canvas_columns.get(a, a) for a in assignments]
    points = {a: next(r["max_score"] for r in rows if r["assignment"] == a) for a in assignments}
    scores: dict = {}
    for row in rows:
        if row["assignment"] in points:
            scores.setdefault(row["student_id"], {"name": row["name"]})[row["assignment"]] = row["score"]
    buffer, notes = io.StringIO(), []
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CANVAS_COLUMNS + headers)
    writer.writerow(["Points Possible", "", "", "", ""] + [points[a] for a in assignments])
    for student_id, found in sorted(scores.items()):
        student = settings.roster.find(student_id)
        if student:
            identity = [student.name or found["name"], student.id, student.sis_id, student.login, student.section]
        elif student_id in canvas_ids:
            identity = [found["name"], student_id, "", "", ""]
        else:
            identity = [found["name"] or student_id, "", "", student_id, ""]
            notes.append(f"{student_id}: not in the roster and not from a Canvas download; "
                         "written as SIS Login ID (give --roster to map it)")
        writer.writerow(identity + [found.get(a, "") for a in assignments])
    return buffer.getvalue(), notes


def roster_text(chosen: list[dict], settings) -> str:
    """``roster.csv`` of every graded student: ``id,login,name,sis_id,section,source`` (a roster can be read back)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "login", "name", "sis_id", "section", "source"])
    seen = set()
    for entry in sorted(chosen, key=lambda e: e["student_id"]):
        student = settings.roster.find(entry["student_id"])
        if entry["student_id"] in seen:
            continue
        seen.add(entry["student_id"])
        if student:
            writer.writerow([student.id, student.login, student.name, student.sis_id, student.section, "roster"])
        elif entry["origin"].get("lms") in ("canvas", "moodle"):
            writer.writerow([entry["student_id"], "", entry.get("name", ""), "", "", entry["origin"]["lms"]])
        else:
            writer.writerow(["", entry["student_id"], entry.get("name", ""), "", "", entry["origin"].get("lms", "")])
    return buffer.getvalue()


def _feedback_pages(out: Path, entry: dict) -> list[Path]:
    return sorted((Path(out) / "feedback" / entry["student_id"] / entry["assignment"]).glob("*.html"))


def bundle_name(entry: dict, page: Path) -> str | None:
    """The name ``page`` (a feedback file) gets in its LMS's bulk upload, None if it has none."""
    origin = entry["origin"]
    if origin.get("lms") == "canvas" and origin.get("stamp", {}).get("attachment"):
        name = re.sub(r"[^A-Za-z]", "", entry.get("name", "")) or "student"
        return f"{name}_{entry['student_id']}_{origin['stamp']['attachment']}_{page.name}"
    if origin.get("lms") == "moodle":
        name = (entry.get("name") or "Student").replace("_", " ").replace("/", " ")
        return f"{name}_{entry['student_id']}_assignsubmission_file/{page.name}"
    return None


def write_bundles(out: Path, target: Path) -> list[Path]:
    """One feedback zip per LMS and assignment in ``target``; return their paths."""
    bundles: dict = {}
    for entry in entries(out):
        for page in _feedback_pages(out, entry):
            name = bundle_name(entry, page)
            if name:
                bundles.setdefault((entry["origin"]["lms"], entry["assignment"]), []).append((name, page))
    written = []
    for (lms, assignment), pages in sorted(bundles.items()):
        path = target / f"{lms}-feedback-{assignment}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, page in sorted(pages):
                archive.write(page, name)
        written.append(path)
    return written


def export(out: Path, course: Path | None = None, roster: Path | None = None) -> list[str]:
    """Rebuild ``out/grades.csv`` and the feedback pages ``grade`` wrote, write ``out/lms/``; return lines to print."""
    out = Path(out)
    if not (out / ".latest").is_dir():
        raise UsageError(f"export: {out} holds no graded results (run `python -m autograder grade ... --out {out}`)")
    settings = IntakeOptions(course, roster).settings(out)
    chosen = entries(out)
    with_pages = {(e["assignment"], e["student_id"]) for e in chosen
                  if (out / "feedback" / e["student_id"] / e["assignment"]).is_dir()}
    if with_pages:  # the bundles carry pages that agree with the CSV, hand grades included
        from autograder.feedback import write_feedback

        write_feedback(out, with_pages)
    rows = write_grades(out, settings.course, settings.roster)
    canvas_ids = {e["student_id"] for e in chosen if e["origin"].get("lms") == "canvas"}
    target = out / "lms"
    target.mkdir(exist_ok=True)
    text, notes = canvas_import_text(rows, settings, canvas_ids)
    (target / "canvas-import.csv").write_text(text, encoding="utf-8")
    (target / "roster.csv").write_text(roster_text(chosen, settings), encoding="utf-8")
    waiting = [f"{r['student_id']}/{r['assignment']}" for r in rows if r.get("to_grade")]
    if waiting:
        notes.append(f"{len(waiting)} submission(s) have written answers still to grade by hand (to_grade in "
                     f"grades.csv; python -m autograder formgrader {out}): {', '.join(waiting[:5])}"
                     + (" ..." if len(waiting) > 5 else ""))
    written = [out / "grades.csv", target / "canvas-import.csv", target / "roster.csv"] + write_bundles(out, target)
    return [f"wrote {path}" for path in written] + [f"note: {note}" for note in notes]
