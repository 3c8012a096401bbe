"""Find the submissions to grade in a folder.

Two layouts are accepted, even mixed in one folder:

- nbgrader's submitted layout: ``<student_id>/<assignment>/<notebook>.ipynb``;
- one zip file per student, as an LMS exports them. The student id is the
  file name without ``.zip`` (``alice.zip`` -> ``alice``), except for Canvas
  names ``<name>_<id>_<submission>_<file>.zip`` or ``<name>_LATE_<id>_...``,
  where it is the numeric ``<id>``. Inside, the notebook may sit at
  ``<assignment>/<notebook>.ipynb`` or anywhere as ``<notebook>.ipynb``.

Zip entries with absolute paths or ``..`` are skipped, and an archive that
would unpack to more than :data:`MAX_UNPACKED_BYTES` is refused.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import UsageError

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_CANVAS = re.compile(r"^[^_]+_(?:LATE_)?(\d+)_\d+_")
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")


@dataclass
class Submission:
    """One student's notebooks for one assignment (``problem`` set when it cannot be graded)."""

    student_id: str
    assignment: str
    notebooks: dict = field(default_factory=dict)
    problem: str | None = None

    def digest(self) -> str:
        """sha256 of the submitted files (names and bytes)."""
        digest = hashlib.sha256(f"{self.student_id}\0{self.assignment}\0{self.problem}".encode())
        for name, path in sorted(self.notebooks.items()):
            digest.update(name.encode() + b"\0")
            digest.update(Path(path).read_bytes() if path else b"<missing>")
        return digest.hexdigest()


def student_id_of_zip(path: Path) -> str:
    """The student id a zip's file name stands for (see the module docstring)."""
    match = _CANVAS.match(path.name)
    return match.group(1) if match else path.stem


def _unpack(archive: Path, into: Path) -> None:
    with zipfile.ZipFile(archive) as handle:
        members = [m for m in handle.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ValueError(f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB")
        for member in members:
            parts = Path(member.filename).parts
            if member.filename.startswith("/") or ".." in parts or "__MACOSX" in parts:
                continue
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(handle.read(member))


def _find_in_tree(root: Path, assignments: dict) -> list[Submission]:
    """Submissions inside an unpacked zip: every known assignment with at least one notebook."""
    found = []
    for assignment, names in assignments.items():
        notebooks = {}
        for name in names:
            candidates = sorted(root.rglob(f"{name}.ipynb"), key=lambda p: (len(p.parts), str(p)))
            candidates = [p for p in candidates if ".ipynb_checkpoints" not in p.parts]
            notebooks[name] = str(candidates[0]) if candidates else None
        if any(notebooks.values()) or (root / assignment).is_dir():
            found.append(Submission("", assignment, notebooks))
    return found


def collect_submissions(folder: Path, assignments: dict, unpack_dir: Path) -> list[Submission]:
    """Every submission under ``folder``.

    Parameters
    ----------
    folder : Path
        The SUBMISSIONS folder.
    assignments : dict of str to list of str
        Known assignment -> its notebook names (from the source directory).
    unpack_dir : Path
        Where zip files are unpacked (one folder per archive).

    Returns
    -------
    list of Submission
        Sorted by (assignment, student_id). Submissions that cannot be graded
        (corrupt zip, no known notebook, bad student id) carry a ``problem``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"SUBMISSIONS must be a folder, got {folder}")
    found: dict[tuple[str, str], Submission] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            student = entry.name
            items = [Submission(student, a, {n: (str(entry / a / f"{n}.ipynb") if (entry / a / f"{n}.ipynb").is_file() else None) for n in names})
                     for a, names in assignments.items() if (entry / a).is_dir()]
            if not items:
                items = [Submission(student, "unknown", {}, f"no folder of a known assignment ({', '.join(assignments)}) in {entry.name}/")]
        elif entry.suffix.lower() == ".zip":
            student = student_id_of_zip(entry)
            target = Path(unpack_dir) / entry.stem
            try:
                _unpack(entry, target)
                items = _find_in_tree(target, assignments)
                for item in items:
                    item.student_id = student
                if not items:
                    items = [Submission(student, "unknown", {}, f"{entry.name} holds no notebook of a known assignment")]
            except (zipfile.BadZipFile, ValueError, OSError) as error:
                items = [Submission(student, "unknown", {}, f"unreadable zip {entry.name}: {error}")]
        else:
            continue
        for item in items:
            if not _STUDENT_ID.match(item.student_id):
                item.problem = f"invalid student id {item.student_id!r} (letters, digits, . _ @ + - only)"
            found.setdefault((item.assignment, item.student_id), item)
    return [found[key] for key in sorted(found)]
