"""What intake finds: notebook files, ignored entries, and the submissions they make."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass
class Stamp:
    """Everything known about when a file was handed in (JSON-safe, saved with each result).

    Attributes
    ----------
    submitted : str
        ISO time the exchange recorded (nbgrader's ``timestamp.txt``), '' if unknown.
        Only this time decides lateness.
    file_time : str
        ISO modification time of the file (zip entry time), '' if unknown; orders
        duplicates only, since a copy or a download changes it.
    attachment : int
        Canvas attachment id (0 if none); Canvas numbers uploads in order.
    resubmission : int
        The ``-N`` an LMS appends to a re-uploaded file of the same name.
    late_mark : bool
        Canvas wrote ``_LATE`` in the file name.
    """

    submitted: str = ""
    file_time: str = ""
    attachment: int = 0
    resubmission: int = 0
    late_mark: bool = False


@dataclass
class Found:
    """One notebook file that belongs to a student and an assignment."""

    shown: str
    path: Path
    student_id: str
    name: str
    lms: str
    assignment: str
    notebook: str
    how: str
    stamp: Stamp


@dataclass
class Ignored:
    """An entry intake did not use, and why; ``ambiguous`` ones fail ``--strict``."""

    shown: str
    reason: str
    ambiguous: bool = False


@dataclass
class Duplicate:
    """Two files for the same student and notebook: which one won, by which rule."""

    student_id: str
    assignment: str
    winner: str
    loser: str
    rule: str
    ambiguous: bool = False


@dataclass
class Submission:
    """One student's notebooks for one assignment (``problem`` set when it cannot be graded).

    ``name`` keeps the student's name as the LMS or folder wrote it; ``origin``
    records the LMS (``lms``, ``files``) and the :class:`Stamp` of the newest file.
    """

    student_id: str
    assignment: str
    notebooks: dict = field(default_factory=dict)
    problem: str | None = None
    name: str = ""
    origin: dict = field(default_factory=dict)

    def digest(self) -> str:
        """sha256 of the submitted files (names and bytes)."""
        digest = hashlib.sha256(f"{self.student_id}\0{self.assignment}\0{self.problem}".encode())
        for name, path in sorted(self.notebooks.items()):
            digest.update(name.encode() + b"\0")
            digest.update(Path(path).read_bytes() if path else b"<missing>")
        return digest.hexdigest()


def origin_of(files: list[Found]) -> dict:
    """The ``origin`` of a submission made of ``files`` (the newest file's stamp)."""
    newest = max(files, key=lambda f: (f.stamp.submitted, f.stamp.attachment, f.stamp.file_time))
    return {"lms": newest.lms, "files": [f.shown for f in files], "stamp": asdict(newest.stamp)}


def iso(moment: datetime | None) -> str:
    """ISO text of an aware datetime, '' for None."""
    return moment.isoformat(timespec="seconds") if moment else ""
