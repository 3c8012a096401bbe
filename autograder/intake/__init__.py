"""Intake: find every submission in a folder of LMS or nbgrader downloads.

:func:`take_in` walks the folder (:mod:`autograder.intake.scan`), matches each
notebook to a student and an assignment (:mod:`autograder.intake.names`,
:mod:`autograder.intake.catalog`), keeps the latest of duplicates
(:mod:`autograder.intake.choose`) and returns an :class:`Intake` that the
preflight table (:mod:`autograder.intake.preflight`) shows in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import UsageError
from autograder.intake.catalog import Catalog
from autograder.intake.choose import choose
from autograder.intake.model import Duplicate, Found, Ignored, Stamp, Submission, origin_of
from autograder.intake.scan import Scanner
from autograder.intake.unpack import MAX_UNPACKED_BYTES

__all__ = ["Catalog", "Intake", "MAX_UNPACKED_BYTES", "Stamp", "Submission", "take_in"]


@dataclass
class Intake:
    """Everything intake decided.

    Attributes
    ----------
    submissions : list of Submission
        One per student and assignment, sorted; a student with nothing gradable
        gets one with assignment ``unknown`` and a ``problem``.
    files : list of Found
        Every notebook matched to a student and an assignment (winners and losers).
    ignored : list of Ignored
    duplicates : list of Duplicate
    """

    submissions: list = field(default_factory=list)
    files: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)

    def ambiguous(self) -> list[str]:
        """What a person should look at: ignored notebooks nobody owns, ties between duplicates."""
        return ([f"{i.shown}: {i.reason}" for i in self.ignored if i.ambiguous]
                + [f"{d.student_id}/{d.assignment}: {d.winner} or {d.loser}? {d.rule}"
                   for d in self.duplicates if d.ambiguous])


def take_in(folder: Path, catalog: Catalog, unpack_dir: Path, pattern: str | None = None,
            assignment: str = "") -> Intake:
    """Every submission under ``folder``.

    Parameters
    ----------
    folder : Path
        The SUBMISSIONS folder (see :mod:`autograder.intake.scan` for the layouts).
    catalog : Catalog
        The course's assignments and notebooks.
    unpack_dir : Path
        Where zips are unpacked.
    pattern : str, optional
        Regular expression for entry names of any other layout, with the named
        groups ``id`` (required), ``name`` and ``assignment``.
    assignment : str, optional
        Take every notebook as this assignment's (a download of one LMS assignment).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"SUBMISSIONS must be a folder, got {folder}")
    if assignment and assignment not in catalog.notebooks:
        raise UsageError(f"--assignment: unknown assignment {assignment!r}; the course has: "
                         f"{', '.join(catalog.notebooks) or 'none'}")
    compiled = None
    if pattern:
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise UsageError(f"--pattern: not a regular expression ({error}): {pattern!r}") from None
        if "id" not in compiled.groupindex:
            raise UsageError(f"--pattern must have a named group (?P<id>...), got {pattern!r}")
    scanner = Scanner(catalog, unpack_dir, compiled, assignment)
    scanner.walk(folder)
    scanner.finish()
    return _assemble(scanner)


def _assemble(scanner: Scanner) -> Intake:
    intake = Intake(files=scanner.found, ignored=scanner.ignored)
    by_notebook: dict = {}
    for found in scanner.found:
        by_notebook.setdefault((found.student_id, found.assignment, found.notebook), []).append(found)
    chosen: dict = {}
    for key in sorted(by_notebook):
        winner, duplicates = choose(by_notebook[key])
        intake.duplicates += duplicates
        chosen.setdefault(key[:2], []).append(winner)
    for (student, assignment), winners in sorted(chosen.items()):
        notebooks = {nb: None for nb in scanner.catalog.notebooks[assignment]}
        notebooks.update({w.notebook: str(w.path) for w in winners})
        intake.submissions.append(Submission(student, assignment, notebooks, None, winners[0].name,
                                             origin_of(winners)))
    for owner, assignment in scanner.empty:  # graded as "missing notebook"
        if (owner.student_id, assignment) not in chosen:
            chosen[(owner.student_id, assignment)] = []
            intake.submissions.append(Submission(owner.student_id, assignment,
                                                 dict.fromkeys(scanner.catalog.notebooks[assignment]), None,
                                                 owner.name, {"lms": owner.lms, "files": [], "stamp": {}}))
    have = {student for student, _ in chosen}
    for student, (owner, reason) in sorted(scanner.problems.items()):
        if student not in have:
            intake.submissions.append(Submission(owner.student_id or student, "unknown", {}, reason, owner.name,
                                                 {"lms": owner.lms, "files": [], "stamp": {}}))
    intake.submissions.sort(key=lambda s: (s.assignment, s.student_id))
    return intake
