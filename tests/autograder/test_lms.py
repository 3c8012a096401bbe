"""The cumulative gradebook, the roster and the LMS files (no grading: fast)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from autograder.intake.model import Submission
from autograder.intake.options import IntakeOptions
from autograder.ledger import older_than_recorded, record, write_grades
from autograder.lms import export
from autograder.roster import read_roster

CANVAS_EXPORT = """\
Student,ID,SIS User ID,SIS Login ID,Section,01 Convolution (48213)
    Points Possible,,,,,10
"Doe, Jane",4242,S-01,jdoe,Section A,
"Roe, Rick",88,S-02,rroe,Section B,
"""


def _submission(student, lms="canvas", attachment=0, submitted="", name="", late_mark=False):
    stamp = {"submitted": submitted, "file_time": "", "attachment": attachment, "resubmission": 0,
             "late_mark": late_mark}
    return Submission(student, "01_convolution", {}, None, name or student,
                      {"lms": lms, "files": [f"{student}.ipynb"], "stamp": stamp})


def _result(student, points):
    return {"student_id": student, "assignment": "01_convolution", "status": "graded", "reason": "",
            "questions": {"test_a": points}, "autograded": ["test_a"]}


def _record(out, submission, points):
    record(out, submission, _result(submission.student_id, points), f"key-{points}", 10.0, ["test_a"])


def _grades(out):
    return {r["student_id"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}


def test_batches_add_up_and_a_regrade_replaces_only_its_row(tmp_path):
    """Two batches into one folder: does grades.csv hold both, with the re-graded student replaced?"""
    out = tmp_path / "graded"
    settings = IntakeOptions().settings(out)
    for student, points in [("4242", 4.0), ("77", 6.0), ("88", 7.0)]:
        _record(out, _submission(student, attachment=1000), points)
    write_grades(out, settings.course, settings.roster)
    _record(out, _submission("4242", attachment=1500, late_mark=True), 9.0)
    write_grades(out, settings.course, settings.roster)
    assert {s: r["score"] for s, r in _grades(out).items()} == {"4242": "9", "77": "6", "88": "7"}


def test_an_older_submission_does_not_replace_a_newer_one(tmp_path):
    out = tmp_path / "graded"
    _record(out, _submission("4242", attachment=1500), 9.0)
    reason = older_than_recorded(out, _submission("4242", attachment=1001))
    assert "older than the submission already graded" in reason and "attachment id" in reason
    assert older_than_recorded(out, _submission("4242", attachment=1600)) == ""
    assert older_than_recorded(out, _submission("77", attachment=1)) == ""


def test_roster_reads_canvas_gradebook_export(tmp_path):
    """Is Canvas's own export a roster (Points Possible row skipped), found by id, login or SIS id?"""
    path = tmp_path / "roster.csv"
    path.write_text(CANVAS_EXPORT)
    roster = read_roster(path)
    assert [s.id for s in roster.students] == ["4242", "88"]
    assert roster.find("jdoe").name == "Doe, Jane" and roster.find("S-02").id == "88"
    assert roster.aliases("4242") == {"4242", "jdoe", "S-01"}


def _canvas_reupload_parse(file_name):
    """Canvas's rule for a re-uploaded file: the first two all-digit '_' parts are user and attachment id."""
    user, attachment = [part for part in file_name.split("_") if re.fullmatch(r"\d+", part)][:2]
    return user, attachment


def _moodle_import_parse(path):
    """Moodle's rule for a feedback zip: a path part '<name>_<id>_<plugin type>_<plugin>' names the student."""
    for part in path.split("/"):
        info = part.split("_", 4)
        if len(info) >= 4 and info[1].isdigit():
            return info[1], info[2], info[3]
    return None


def test_export_writes_canvas_import_and_feedback_bundles(tmp_path):
    """Are the Canvas CSV columns right, ids mapped through the roster, and bundle names what Canvas/Moodle parse?"""
    out = tmp_path / "graded"
    (tmp_path / "roster.csv").write_text(CANVAS_EXPORT)
    (tmp_path / "course.toml").write_text('roster = "roster.csv"\n[late]\npercent_per_day = 10\n'
                                          '[assignments.01_convolution]\ndue = 2025-10-06T23:59:00Z\n'
                                          'canvas_column = "01 Convolution (48213)"\n')
    _record(out, _submission("4242", attachment=1500, name="doejane", late_mark=True), 8.0)
    _record(out, _submission("12345", lms="moodle", name="José García"), 5.0)
    _record(out, _submission("rroe", lms="folder", submitted="2025-10-06T20:00:00+00:00"), 7.0)
    _record(out, _submission("ghost", lms="folder"), 1.0)
    for student in ("4242", "12345"):
        page = out / "feedback" / student / "01_convolution" / "01_convolution.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>{student}</p>")
    lines = export(out, tmp_path / "course.toml")
    rows = list(csv.reader(io.StringIO((out / "lms" / "canvas-import.csv").read_text())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01 Convolution (48213)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    by_id = {row[1] or row[3]: row for row in rows[2:]}
    assert by_id["4242"] == ["Doe, Jane", "4242", "S-01", "jdoe", "Section A", "7.2"]  # LATE: one day, 10%
    assert by_id["88"] == ["Roe, Rick", "88", "S-02", "rroe", "Section B", "7"]      # exchange login -> Canvas id
    assert by_id["ghost"][5] == "1" and any("ghost" in line and "--roster" in line for line in lines)
    [canvas_name] = zipfile.ZipFile(out / "lms" / "canvas-feedback-01_convolution.zip").namelist()
    assert _canvas_reupload_parse(canvas_name) == ("4242", "1500")
    [moodle_name] = zipfile.ZipFile(out / "lms" / "moodle-feedback-01_convolution.zip").namelist()
    assert _moodle_import_parse(moodle_name) == ("12345", "assignsubmission", "file")
    assert moodle_name.startswith("José García_12345_")
    assert _grades(out)["4242"]["penalty"] == "10%" and _grades(out)["4242"]["raw_score"] == "8"
    written = read_roster(out / "lms" / "roster.csv")
    assert written.find("rroe").id == "88" and written.find("12345").name == "José García"
    assert written.find("ghost").login == "ghost" and not written.find("ghost").id
