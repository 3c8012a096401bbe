"""How ``intake`` and ``grade`` are told about the class: options, course file, roster.

``grade`` remembers the course file and roster it was given in
``DIR/.intake.json`` and uses them again when a later run (another batch, an
``export``) names none, so every rebuild of grades.csv applies the same due dates.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course_file import CourseFile, read_course_file
from autograder.roster import Roster, read_roster

REMEMBERED = ".intake.json"


@dataclass
class Settings:
    """The parsed course file and roster."""

    course: CourseFile = field(default_factory=CourseFile)
    roster: Roster = field(default_factory=Roster)


@dataclass
class IntakeOptions:
    """What the command line says about intake (all optional).

    Attributes
    ----------
    course : Path or None
        The course file (:mod:`autograder.course_file`).
    roster : Path or None
        Roster CSV (:mod:`autograder.roster`); default: the course file's ``roster``.
    pattern : str or None
        Entry-name pattern for other layouts; default: the course file's ``[intake] pattern``.
    assignment : str
        Take every notebook as this assignment's.
    strict : bool
        Stop (exit 1) when intake finds anything ambiguous.
    """

    course: Path | None = None
    roster: Path | None = None
    pattern: str | None = None
    assignment: str = ""
    strict: bool = False

    def settings(self, out: Path | None = None) -> Settings:
        """Read the course file and roster; with ``out``, remember them there or recall them."""
        course_path, roster_path = self.course, self.roster
        memory = Path(out) / REMEMBERED if out is not None else None
        if memory is not None and memory.is_file() and course_path is None and roster_path is None:
            remembered = json.loads(memory.read_text(encoding="utf-8"))
            course_path = Path(remembered["course"]) if remembered.get("course") else None
            roster_path = Path(remembered["roster"]) if remembered.get("roster") else None
        course = read_course_file(course_path)
        roster_path = roster_path or course.roster
        roster = read_roster(roster_path)
        if memory is not None and (self.course is not None or self.roster is not None):
            memory.parent.mkdir(parents=True, exist_ok=True)
            memory.write_text(json.dumps({"course": str(Path(course_path).resolve()) if course_path else "",
                                          "roster": str(Path(roster_path).resolve()) if roster_path else ""}))
        return Settings(course, roster)

    def pattern_of(self, settings: Settings) -> str | None:
        """The pattern to use: the option's, else the course file's."""
        return self.pattern or settings.course.pattern


class AmbiguousIntake(Exception):
    """``--strict`` and intake found something a person should decide."""


def run_intake(submissions: Path, source_directory: Path, unpack_dir: Path, options: IntakeOptions,
               settings: Settings, out: Path | None = None, stream=None):
    """Take in ``submissions``, print the preflight to ``stream`` (and save it in ``out``).

    Submissions older than what ``out`` already graded move to the ignored list.

    Raises
    ------
    AmbiguousIntake
        With ``options.strict`` when anything is ambiguous (after the preflight is shown).
    """
    from autograder.intake import Catalog, take_in
    from autograder.intake.model import Ignored
    from autograder.intake.preflight import preflight_text

    intake = take_in(submissions, Catalog.from_source(source_directory), unpack_dir,
                     options.pattern_of(settings), options.assignment)
    if out is not None:
        from autograder.ledger import older_than_recorded

        kept = []
        for submission in intake.submissions:
            reason = older_than_recorded(out, submission)
            if reason:
                intake.ignored.append(Ignored(f"{submission.student_id}/{submission.assignment}", reason))
            else:
                kept.append(submission)
        intake.submissions = kept
    text = preflight_text(intake, settings.course, settings.roster)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "preflight.txt").write_text(text, encoding="utf-8")
    (stream or sys.stdout).write(text)
    if options.strict and intake.ambiguous():
        raise AmbiguousIntake(f"intake found {len(intake.ambiguous())} ambiguous item(s); see the preflight above")
    return intake
