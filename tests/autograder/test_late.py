"""The course file, lateness and the late penalty."""

from __future__ import annotations

import pytest

from autograder.course_file import read_course_file
from autograder.late import lateness
from autograder.report import row_of

COURSE = """\
timezone = "Europe/Berlin"

[late]
grace_minutes = 10
percent_per_day = 10
zero_after_days = 3

[assignments.01_convolution]
due = 2025-10-06T23:59:00

[assignments.02_pooling]
due = 2025-10-13

[[extensions]]
student = "4242"
assignment = "01_convolution"
days = 2

[[extensions]]
student = "alice"
due = 2025-10-20T12:00:00+00:00
"""


@pytest.fixture
def course(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(COURSE)
    return read_course_file(path)


def _stamp(utc_time):
    return {"submitted": utc_time, "late_mark": False}


@pytest.mark.parametrize("submitted, late, penalty", [
    ("2025-10-06T21:59:00+00:00", "", 0),              # 23:59 in Berlin (UTC+2): on time
    ("2025-10-06T22:08:00+00:00", "", 0),              # 9 minutes late: within the grace
    ("2025-10-06T22:30:00+00:00", "0d 00:31", 10),     # a started day
    ("2025-10-08T22:00:00+00:00", "2d 00:01", 30),     # three started days
    ("2025-10-10T22:00:00+00:00", "4d 00:01", 100),    # more than zero_after_days
])
def test_percent_per_started_day_grace_and_zero_after(course, submitted, late, penalty):
    """Are local due times, the grace, per-day percent and zero-after-N-days applied as documented?"""
    found = lateness(course, "01_convolution", {"bob"}, _stamp(submitted))
    assert (found.late, found.penalty) == (late, penalty)


def test_extensions_by_days_or_by_date_and_the_end_of_a_due_date(course):
    """Do extensions (days for one assignment, a date for all) and a bare due date work?"""
    assert lateness(course, "01_convolution", {"4242"}, _stamp("2025-10-08T21:00:00+00:00")).penalty == 0
    assert lateness(course, "01_convolution", {"4242"}, _stamp("2025-10-08T23:00:00+00:00")).penalty == 10
    assert lateness(course, "02_pooling", {"alice"}, _stamp("2025-10-20T11:00:00+00:00")).penalty == 0
    assert lateness(course, "02_pooling", {"bob"}, _stamp("2025-10-13T21:59:00+00:00")).penalty == 0
    assert lateness(course, "02_pooling", {"bob"}, _stamp("2025-10-13T22:15:00+00:00")).penalty == 10


def test_a_late_mark_without_a_time_counts_one_day(course):
    found = lateness(course, "01_convolution", {"4242"}, {"submitted": "", "late_mark": True})
    assert (found.late, found.days, found.penalty) == ("LATE mark (no time)", 1, 10)
    assert not lateness(course, "01_convolution", {"4242"}, {"submitted": "", "late_mark": False}).known


def test_the_penalty_applies_to_the_total_and_the_raw_score_stays(course):
    """Is score = raw * (1 - penalty) with raw_score, late and penalty beside it?"""
    result = {"student_id": "bob", "assignment": "01_convolution", "status": "graded",
              "questions": {"test_a": 4.0, "test_b": 2.0}, "autograded": ["test_a", "test_b"]}
    late = lateness(course, "01_convolution", {"bob"}, _stamp("2025-10-08T22:00:00+00:00"))
    row = row_of(result, 8.0, "Bob", late, "2025-10-08T22:00:00+00:00")
    assert (row["score"], row["raw_score"], row["late"], row["penalty"]) == ("4.2", "6", "2d 00:01", "30%")


@pytest.mark.parametrize("text, message", [
    ("[late]\npercent_per_day = -5\n", r"late\.percent_per_day: expected a number >= 0, got -5"),
    ("[late]\npercent = 5\n", r"\[late\] has unknown key\(s\) percent"),
    ('[assignments.01_x]\ndue = "next monday"\n', r"assignments\.01_x\.due: expected a date or time"),
    ('[[extensions]]\nstudent = "a"\n', r"extension 1: expected student and one of due or days"),
    ('timezone = "Mars/Olympus"\n', r"timezone must be a name like 'Europe/Berlin'"),
    ("due = [", r"is not valid TOML"),
])
def test_bad_course_files_name_the_key(tmp_path, text, message):
    path = tmp_path / "course.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_course_file(path)
