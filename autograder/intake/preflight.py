"""The preflight table: every file intake saw and what it made of it."""

from __future__ import annotations

from dataclasses import asdict

from autograder.course_file import CourseFile
from autograder.intake.choose import RULES
from autograder.late import lateness
from autograder.roster import Roster


def late_text(course: CourseFile, roster: Roster, assignment: str, student_id: str, stamp: dict) -> str:
    """What the preflight says about lateness: ``on time``, ``1d 02:15``, ``no due date``, ..."""
    found = lateness(course, assignment, roster.aliases(student_id), stamp)
    if found.late:
        return found.late
    if course.deadline(assignment, roster.aliases(student_id)) is None:
        return "no due date"
    return "on time" if found.known else "time unknown"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def preflight_text(intake, course: CourseFile, roster: Roster) -> str:
    """The preflight report of an :class:`autograder.intake.Intake`."""
    losers = {d.loser for d in intake.duplicates}
    students = {s.student_id for s in intake.submissions}
    lines = [f"{len(intake.files)} notebook file(s), {len(students)} student(s), "
             f"{sum(not s.problem for s in intake.submissions)} submission(s) to grade, "
             f"{len(intake.duplicates)} duplicate(s), {len(intake.ignored)} ignored", ""]
    rows = [["file", "student", "name", "assignment", "time", "late", "used", "matched"]]
    for found in sorted(intake.files, key=lambda f: (f.assignment, f.student_id, f.shown)):
        stamp = asdict(found.stamp)
        when = stamp["submitted"] or (f"{stamp['file_time']} (file time)" if stamp["file_time"] else "-")
        rows.append([found.shown, found.student_id, found.name, found.assignment, when,
                     late_text(course, roster, found.assignment, found.student_id, stamp),
                     "older duplicate" if found.shown in losers else "graded", found.how])
    lines += _table(rows) if len(rows) > 1 else ["(no notebook found)"]
    if intake.duplicates:
        lines += ["", "duplicates: the latest submission wins; the first rule that tells two files apart decides: "
                  + "; ".join(f"{n}. {rule}" for n, (_, rule) in enumerate(RULES, 1))]
        lines += [f"  {d.student_id}/{d.assignment}: kept {d.winner} over {d.loser}: {d.rule}"
                  for d in intake.duplicates]
    problems = [s for s in intake.submissions if s.problem]
    if problems:
        lines += ["", "not gradable (these students get a failed row):"]
        lines += [f"  {s.student_id}: {s.problem}" for s in problems]
    if intake.ignored:
        lines += ["", "ignored:"] + [f"  {i.shown}: {i.reason}" for i in intake.ignored]
    missing = [s for s in roster.students if not (s.aliases() & students)]
    if missing:
        lines += ["", "in the roster, nothing handed in:"] + [f"  {s.id or s.login} {s.name}" for s in missing]
    ambiguous = intake.ambiguous()
    lines += ["", f"ambiguous ({len(ambiguous)}; --strict exits 1 when there are any):" if ambiguous
              else "ambiguous: none"] + [f"  {a}" for a in ambiguous]
    return "\n".join(lines) + "\n"
