"""The class roster: LMS id <-> login <-> name (and SIS id, section) of every student.

Read from a CSV with a header row. Canvas's own gradebook export works as it
is (``Student, ID, SIS User ID, SIS Login ID, Section``; its "Points Possible"
row is skipped), and so does a plain ``id,login,name[,sis_id,section]`` file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError

COLUMNS = {
    "id": ("id", "student_id", "user id", "participant id"),
    "login": ("sis login id", "login", "username", "login id"),
    "name": ("student", "name", "full name"),
    "sis_id": ("sis user id", "sis_id", "sis id"),
    "section": ("section",),
}


@dataclass(frozen=True)
class Student:
    """One roster row."""

    id: str
    login: str = ""
    name: str = ""
    sis_id: str = ""
    section: str = ""

    def aliases(self) -> set:
        """Every id this student may be known by (empty ones left out)."""
        return {value for value in (self.id, self.login, self.sis_id) if value}


class Roster:
    """Look students up by LMS id, login or SIS id."""

    def __init__(self, students=()):
        self.students = list(students)
        self._by_alias = {}
        for student in self.students:
            for alias in student.aliases():
                self._by_alias.setdefault(alias, student)

    def find(self, student_id: str) -> Student | None:
        """The student whose id, login or SIS id is ``student_id``."""
        return self._by_alias.get(student_id)

    def aliases(self, student_id: str) -> set:
        """``student_id`` and every other id of the same student."""
        student = self.find(student_id)
        return {student_id} | (student.aliases() if student else set())


def read_roster(path: Path | None) -> Roster:
    """Parse a roster CSV (None gives an empty roster).

    Raises
    ------
    ValueError
        The file is missing, or has no column that could be the LMS id or the login.
    """
    if path is None:
        return Roster()
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise UsageError(f"roster: cannot read {path}: {error.strerror}") from None
    if not rows:
        raise UsageError(f"roster: {path} is empty (expected a header row)")
    header = [cell.strip().lower() for cell in rows[0]]
    where = {key: next((header.index(n) for n in names if n in header), None) for key, names in COLUMNS.items()}
    if where["id"] is None and where["login"] is None:
        raise UsageError(f"roster: {path} needs an ID (or id) or SIS Login ID (or login) column; "
                         f"its header is {rows[0]}")
    students = []
    for row in rows[1:]:
        values = {key: (row[i].strip() if i is not None and i < len(row) else "") for key, i in where.items()}
        if "points possible" in (values["name"].lower(), values["id"].lower()) or not (values["id"] or values["login"]):
            continue
        students.append(Student(**values))
    return Roster(students)
