"""Walk a SUBMISSIONS folder: every layout an LMS or nbgrader produces.

A top-level entry is, in this order:

- named by an LMS rule or the custom pattern (:func:`autograder.intake.names.owner_of`):
  that student's file, folder or zip;
- a folder or zip holding such entries (Canvas's ``submissions.zip``, Moodle's
  download zip, a folder they were unpacked into, a folder holding such a zip),
  a folder or zip of two or more zips only, and nbgrader's ``submitted/``: walked
  the same way;
- any other folder or zip: the student whose name it has (``alice/``, ``alice.zip``,
  nbgrader's ``submitted/<student>/``);
- a loose notebook nobody owns, or a file that is no notebook: ignored, with the reason.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.errors import UsageError
from autograder.intake.catalog import Catalog
from autograder.intake.model import Found, Ignored, Stamp, iso
from autograder.intake.names import Owner, clean_id, owner_of
from autograder.intake.unpack import unpack


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "~")) or path.name in ("__MACOSX", ".ipynb_checkpoints")


def _file_time(path: Path) -> str:
    return iso(datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))


def read_timestamp(path: Path) -> str:
    """The time in nbgrader's ``timestamp.txt`` as ISO text in UTC.

    nbgrader writes ``2025-10-08 21:00:00.000000 UTC``; an ISO time with an offset,
    or a zone name (``Europe/Berlin``) after the time, work too. No zone means UTC.

    Raises
    ------
    ValueError
        The text is not such a time.
    """
    parts = path.read_text().split()
    moment = datetime.fromisoformat(" ".join(parts[:2]))
    zone = parts[2] if len(parts) > 2 else ""
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=timezone.utc if zone in ("", "UTC", "GMT", "Z") else ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"unknown time zone {zone!r}") from None
    return iso(moment.astimezone(timezone.utc))


class Scanner:
    """Collects :class:`Found` notebooks, :class:`Ignored` entries and per-student problems.

    Parameters
    ----------
    catalog : Catalog
    unpack_dir : Path
        Where zips are unpacked, one new folder per zip.
    pattern : re.Pattern or None
        Custom entry-name pattern with named groups ``id``, ``name``, ``assignment``.
    assignment : str
        When set, every notebook is taken as this assignment's (one LMS assignment's download).
    """

    def __init__(self, catalog: Catalog, unpack_dir: Path, pattern: re.Pattern | None = None,
                 assignment: str = ""):
        self.catalog, self.unpack_dir, self.pattern, self.assignment = catalog, Path(unpack_dir), pattern, assignment
        self.found: list[Found] = []
        self.ignored: list[Ignored] = []
        self.problems: dict[str, tuple[Owner, str]] = {}
        self._unmatched: list[tuple] = []
        self.empty: list[tuple[Owner, str]] = []
        self._zips = 0

    def ignore(self, shown: str, reason: str, ambiguous: bool = False) -> None:
        self.ignored.append(Ignored(shown, reason, ambiguous))

    def walk(self, folder: Path, shown: str = "") -> None:
        """Read every entry of ``folder`` (shown in the preflight with the prefix ``shown``)."""
        for entry in sorted(Path(folder).iterdir()):
            label = shown + entry.name
            if _hidden(entry):
                self.ignore(label, "hidden or system file")
                continue
            owner = owner_of(entry.name, entry.is_dir(), self.pattern)
            if entry.is_dir():
                self._folder_or_zip(entry, label + "/", owner)
            elif entry.suffix.lower() == ".zip":
                target = self.unpack_dir / f"{self._zips:04d}"
                self._zips += 1
                try:
                    for skipped in unpack(entry, target):
                        self.ignore(f"{label}!/{skipped}", "zip entry outside its folder (absolute, .. or __MACOSX)")
                except ValueError as error:
                    who = owner or Owner("zip", clean_id(entry.stem), entry.stem)
                    self._problem(who, f"{entry.name}: {error}", label)
                    continue
                self._folder_or_zip(target, label + "!/", owner, stem=entry.stem)
            elif entry.suffix.lower() == ".ipynb":
                if owner is None:
                    self.ignore(label, "a notebook whose name names no student (expected <student>/..., "
                                "a Canvas or Moodle file name, or a --pattern match)", ambiguous=True)
                else:
                    self._notebook(entry, label, owner, owner.rest or entry.name, self._stamp(entry, owner))
            elif owner is None:
                self.ignore(label, "not a notebook, zip or folder")
            else:
                self.ignore(label, f"not a notebook ({owner.lms} file of {owner.student_id})")
                self._problem(owner, f"handed in no notebook ({owner.rest or entry.name})", label)

    def _folder_or_zip(self, root: Path, shown: str, owner: Owner | None, stem: str = "") -> None:
        if owner is None and self._is_container(root):
            self.walk(root, shown)
            return
        if owner is None:
            raw = stem or root.name
            owner = Owner("zip" if stem else "folder", clean_id(raw), raw)
        self._unit(root, shown, owner)

    def _is_container(self, folder: Path) -> bool:
        entries = [e for e in folder.iterdir() if not _hidden(e)]
        named = [e for e in entries if owner_of(e.name, e.is_dir(), self.pattern)]
        zips = [e for e in entries if e.suffix.lower() == ".zip"]
        downloads = [z for z in zips if self._is_download(z)]
        return bool(named or downloads) or folder.name == "submitted" or (len(zips) >= 2 and len(zips) == len(entries))

    def _is_download(self, archive: Path) -> bool:
        """Is ``archive`` an LMS download (its top-level entries named after students)?"""
        try:
            with zipfile.ZipFile(archive) as handle:
                names = {n.split("/")[0]: n.count("/") > 0 for n in handle.namelist()}
        except (zipfile.BadZipFile, OSError):
            return False
        return any(owner_of(name, is_dir, self.pattern) for name, is_dir in names.items())

    def _stamp(self, path: Path, owner: Owner, submitted: str = "") -> Stamp:
        return Stamp(submitted=submitted, file_time=_file_time(path),
                     attachment=int(owner.attachment or 0), late_mark=owner.late_mark)

    def _unit(self, root: Path, shown: str, owner: Owner) -> None:
        """One student's folder or unpacked zip."""
        if not owner.student_id:
            self._problem(owner, f"{shown} gives no usable student id", shown)
            return
        before, others, hidden = len(self.found), [], 0
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root)
            if any(_hidden(Path(part)) for part in relative.parts):
                hidden += 1
                continue
            if path.suffix.lower() != ".ipynb":
                if path.name not in ("timestamp.txt", "submission_secret.txt"):  # the exchange's own files
                    others.append(relative.as_posix())
                continue
            folder_assignment = relative.parts[0] if len(relative.parts) > 1 and \
                relative.parts[0] in self.catalog.notebooks else ""
            submitted = ""
            stamp_file = root / folder_assignment / "timestamp.txt" if folder_assignment else root / "timestamp.txt"
            if stamp_file.is_file():
                try:
                    submitted = read_timestamp(stamp_file)
                except (ValueError, IndexError, OverflowError):
                    self.ignore(shown + stamp_file.relative_to(root).as_posix(), "unreadable timestamp", True)
            self._notebook(path, shown + relative.as_posix(), owner, path.name,
                           self._stamp(path, owner, submitted), folder_assignment)
        if others:
            listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            self.ignore(shown, f"{len(others)} file(s) that are not notebooks: {listed}")
        if hidden:
            self.ignore(shown, f"{hidden} hidden, checkpoint or __MACOSX file(s)")
        if len(self.found) == before and not any(item[2] is owner for item in self._unmatched):
            empty = [a for a in self.catalog.notebooks if (root / a).is_dir()]
            for assignment in empty:
                self.empty.append((owner, assignment))
                self.ignore(f"{shown}{assignment}/", "an assignment folder without its notebook")
            if not empty:
                self._problem(owner, f"{shown} holds no notebook of a known assignment "
                                     f"({', '.join(self.catalog.notebooks)})", shown)

    def _notebook(self, path: Path, shown: str, owner: Owner, file_name: str, stamp: Stamp,
                  folder_assignment: str = "") -> None:
        assignment = self.assignment or owner.assignment or folder_assignment
        if assignment and assignment not in self.catalog.notebooks:
            self.ignore(shown, f"assignment {assignment!r} is not in the course", ambiguous=True)
            return
        match = self.catalog.match(path, file_name, assignment)
        if match is None:
            self._unmatched.append((path, shown, owner, stamp, assignment, file_name))
            return
        assignment, notebook, how, resubmission = match
        stamp.resubmission = resubmission
        self.found.append(Found(shown, path, owner.student_id, owner.name, owner.lms, assignment, notebook,
                                how, stamp))

    def finish(self) -> None:
        """Settle the notebooks no name or content matched.

        One such notebook is taken as its assignment's when the assignment is known
        (``--assignment``, the nbgrader folder, the pattern), has one notebook, and
        the student handed in nothing else for it; any other is ignored as ambiguous.
        """
        groups: dict = {}
        for item in self._unmatched:
            groups.setdefault((item[2].student_id, item[4]), []).append(item)
        have = {(f.student_id, f.assignment) for f in self.found}
        for (student, assignment), items in sorted(groups.items()):
            notebooks = self.catalog.notebooks.get(assignment, {})
            if assignment and len(notebooks) == 1 and len(items) == 1 and (student, assignment) not in have:
                path, shown, owner, stamp, _, _ = items[0]
                self.found.append(Found(shown, path, student, owner.name, owner.lms, assignment, next(iter(notebooks)),
                                        f"as the only notebook {student} handed in for {assignment}", stamp))
                continue
            for _, shown, owner, _, _, file_name in items:
                reason = f"{file_name} matches no notebook of the course by name or content"
                self.ignore(shown, f"{student}: {reason}", ambiguous=True)
                self._problem(owner, reason, shown)
        self._unmatched = []

    def _problem(self, owner: Owner, reason: str, shown: str) -> None:
        self.problems.setdefault(owner.student_id or shown, (owner, reason))
