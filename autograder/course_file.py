"""The course file: due dates, extensions, the late policy, the roster and the LMS columns.

A small TOML file an instructor edits (one per class and term; keep it with the
grades, outside the repository)::

    timezone = "Europe/Berlin"   # due dates written without an offset are in this zone (default UTC)
    roster = "roster.csv"        # optional; relative to this file

    [late]
    grace_minutes = 10           # handed in up to 10 minutes after the due time is on time
    percent_per_day = 10         # points off per started day late (default 0: no penalty)
    zero_after_days = 7          # optional: more than 7 days late scores 0

    [assignments.01_convolution]
    due = 2025-10-06T23:59:00    # or a date (2025-10-06 means the end of that day)
    canvas_column = "01 Convolution (48213)"   # optional: its column in Canvas's gradebook

    [[extensions]]
    student = "4242"             # LMS id, login or SIS id
    assignment = "01_convolution"   # optional: every assignment when left out
    days = 3                     # or: due = 2025-10-09T23:59:00

    [intake]
    pattern = '(?P<id>s\\d{6})_(?P<name>[^_]+)\\.zip'   # optional, see ``intake --help``
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.errors import UsageError

COURSE_FILE_NAME = "course.toml"


@dataclass
class Extension:
    """A later due date for one student (one or every assignment)."""

    student: str
    assignment: str = ""
    due: datetime | None = None
    days: float = 0.0


@dataclass
class CourseFile:
    """The parsed course file (every field has a default: an empty file is valid)."""

    path: Path | None = None
    zone: tzinfo = timezone.utc
    due: dict = field(default_factory=dict)
    canvas_columns: dict = field(default_factory=dict)
    extensions: list = field(default_factory=list)
    grace: timedelta = timedelta(0)
    percent_per_day: float = 0.0
    zero_after_days: int | None = None
    roster: Path | None = None
    pattern: str | None = None

    def deadline(self, assignment: str, aliases) -> datetime | None:
        """The due time of ``assignment`` for the student known by any of ``aliases``."""
        due = self.due.get(assignment)
        for extension in self.extensions:
            if extension.student in aliases and extension.assignment in ("", assignment):
                due = extension.due or (due + timedelta(days=extension.days) if due else None)
        return due


def _moment(value, zone: tzinfo, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{where}: expected a date or time like 2025-10-06T23:59:00, got {value!r}") from None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), zone)
    raise UsageError(f"{where}: expected a date or time like 2025-10-06T23:59:00, got {value!r}")


def _number(table: dict, key: str, where: str, default):
    value = table.get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
        raise UsageError(f"{where}.{key}: expected a number >= 0, got {value!r}")
    return value


def read_course_file(path: Path | None) -> CourseFile:
    """Parse ``path`` (None gives the defaults: no due dates, no penalty).

    Raises
    ------
    ValueError
        Naming the file, the key, what was expected and what was given.
    """
    if path is None:
        return CourseFile()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"--course: cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"--course: {path} is not valid TOML: {error}") from None
    where = path.name
    try:
        zone = ZoneInfo(data.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{where}: timezone must be a name like 'Europe/Berlin', got {data.get('timezone')!r}") from None
    late = data.get("late", {})
    course = CourseFile(path=path, zone=zone, grace=timedelta(minutes=_number(late, "grace_minutes", f"{where}: late", 0)),
                        percent_per_day=float(_number(late, "percent_per_day", f"{where}: late", 0)),
                        zero_after_days=_number(late, "zero_after_days", f"{where}: late", None),
                        pattern=data.get("intake", {}).get("pattern"))
    unknown = sorted(set(late) - {"grace_minutes", "percent_per_day", "zero_after_days"})
    if unknown:
        raise UsageError(f"{where}: [late] has unknown key(s) {', '.join(unknown)} "
                         "(expected grace_minutes, percent_per_day, zero_after_days)")
    for name, table in data.get("assignments", {}).items():
        if "due" in table:
            course.due[name] = _moment(table["due"], zone, f"{where}: assignments.{name}.due")
        if "canvas_column" in table:
            course.canvas_columns[name] = str(table["canvas_column"])
    for number, table in enumerate(data.get("extensions", []), 1):
        label = f"{where}: extension {number}"
        if "student" not in table or ("due" in table) == ("days" in table):
            raise UsageError(f"{label}: expected student and one of due or days, got {sorted(table)}")
        course.extensions.append(Extension(
            str(table["student"]), str(table.get("assignment", "")),
            _moment(table["due"], zone, f"{label}.due") if "due" in table else None,
            float(_number(table, "days", label, 0))))
    if "roster" in data:
        course.roster = (path.parent / data["roster"]).resolve()
    return course
