"""What a file or folder name says: whose it is, which notebook it is.

LMS downloads encode the student in the name of each entry:

- Canvas: ``<name>_<user id>_<attachment id>_<file>``, with ``_LATE`` after the
  name when Canvas marked the submission late (``doejane_LATE_4242_99999_01_convolution.ipynb``).
  A re-upload of a file with the same name gets ``-1``, ``-2`` before the suffix.
- Moodle: a folder ``<full name>_<participant id>_assignsubmission_file_`` per
  student (``_`` at the end before Moodle 4.1), or flat files
  ``<full name>_<participant id>_assignsubmission_file_<file>``.
- Anything else: a regular expression with the named groups ``id`` (required),
  ``name`` and ``assignment`` (optional), matched against the whole entry name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CANVAS = re.compile(r"^(?P<name>.+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assign(?:submission|feedback)_[a-z]+_?$")
MOODLE_FILE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_[a-z]+_(?P<file>.+)$")
_COPY_SUFFIXES = [
    (re.compile(r"^(?P<stem>.+?)\s*\((?P<n>\d+)\)$"), "a download copy suffix ' (N)'"),
    (re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)$"), "an LMS re-upload suffix '-N'"),
    (re.compile(r"^(?P<stem>.+?)[\s_-]*(?:-\s*)?copy(?:\s*\d+)?$", re.IGNORECASE), "a 'copy' suffix"),
    (re.compile(r"^copy of\s+(?P<stem>.+)$", re.IGNORECASE), "a 'Copy of' prefix"),
]


@dataclass
class Owner:
    """Whose an entry is, as its name says.

    Attributes
    ----------
    lms : str
        ``canvas``, ``moodle``, ``pattern`` or ``folder`` (the name itself is the id).
    student_id : str
        The LMS's id (Canvas user id, Moodle participant id) or the cleaned name.
    name : str
        The name as written (spaces and accents kept).
    rest : str
        What follows the student part: the submitted file's own name ('' for folders).
    attachment : str
        Canvas attachment id ('' elsewhere).
    late_mark : bool
        Canvas wrote ``_LATE`` in the name.
    assignment : str
        An assignment named by a custom pattern ('' otherwise).
    """

    lms: str
    student_id: str
    name: str
    rest: str = ""
    attachment: str = ""
    late_mark: bool = False
    assignment: str = ""


def clean_id(raw: str) -> str:
    """A student id safe as a folder name: spaces become ``_``, letters of any script stay.

    ``'José García'`` -> ``'José_García'``; characters other than letters,
    digits and ``. _ @ + -`` are dropped. Returns '' when nothing is left.
    """
    text = unicodedata.normalize("NFC", raw).strip()
    text = re.sub(r"\s+", "_", text)
    text = re.sub(r"[^\w.@+-]", "", text)
    return text.lstrip("._-+@")


def owner_of(entry_name: str, is_dir: bool, pattern: re.Pattern | None = None) -> Owner | None:
    """Whose ``entry_name`` (a top-level file, zip or folder) is, from LMS naming rules.

    Returns None when the name follows no LMS rule (the caller decides: a
    folder or zip named after the student, or a loose file nobody owns).
    """
    if pattern is not None:
        match = pattern.fullmatch(entry_name)
        if match:
            groups = match.groupdict()
            raw = groups.get("id") or ""
            return Owner("pattern", clean_id(raw), groups.get("name") or raw, "",
                         assignment=groups.get("assignment") or "")
    if is_dir:
        match = MOODLE_FOLDER.match(entry_name)
        return Owner("moodle", match["id"], match["name"]) if match else None
    match = MOODLE_FILE.match(entry_name)
    if match:
        return Owner("moodle", match["id"], match["name"], match["file"])
    match = CANVAS.match(entry_name)
    if match:
        return Owner("canvas", match["id"], match["name"], match["file"], match["attachment"],
                     bool(match["late"]))
    return None


def _normal(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", unicodedata.normalize("NFC", text).lower()).strip("_")


@dataclass
class NameMatch:
    """A file name matched to a known notebook: which one, how, and the re-upload number."""

    notebook: str
    how: str
    resubmission: int = 0


def match_notebook_name(stem: str, notebooks) -> NameMatch | None:
    """The known notebook a file stem names, allowing for renames by browsers and LMSs.

    Tried in order: the exact name (case, spaces, ``-``/``_`` ignored); the name
    without copy suffixes (``01_convolution (1)``, ``01_convolution-2``,
    ``Copy of 01_convolution``); the one known name the stem starts with.
    """
    known = {_normal(name): name for name in notebooks}
    text, hows, number = stem, [], 0
    for _ in range(4):
        if _normal(text) in known:
            how = "its name" if not hows else "its name without " + " and ".join(hows)
            return NameMatch(known[_normal(text)], how, number)
        for suffix, description in _COPY_SUFFIXES:
            match = suffix.match(text)
            if match:
                text = match["stem"]
                hows.append(description)
                if "n" in match.groupdict() and match["n"] and description.startswith("an LMS"):
                    number = int(match["n"])
                break
        else:
            break
    starts = [name for key, name in known.items() if _normal(stem).startswith(key)]
    if len(starts) == 1:
        return NameMatch(starts[0], f"its name starting with {starts[0]}")
    return None
