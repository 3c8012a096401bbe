"""The result cache of ``grade``: ``DIR/.results/<key>.json``, one file per submission.

The key hashes everything that decides a grade: the submitted files, the
assignment's source folder (its tests), cnnkit (the hidden tests' reference
and tolerances), the grader's own code (``autograder/``), the versions of
Python, numpy and nbgrader and the limits (sandbox included). Change any of
them and the submission is graded again. Feedback pages are not part of it:
the parent writes them from the kept autograded notebooks (:mod:`autograder.feedback`).
A grader error is never stored (see :func:`autograder.worker.is_grader_error`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from autograder.owned_folders import owned_folder
from autograder.worker import is_grader_error

#: The installed distributions whose version decides a grade.
GRADING_DISTRIBUTIONS = ("numpy", "nbgrader")
_FIND_CNNKIT = ("import importlib.util as u; s = u.find_spec('cnnkit'); "
                "print(list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else '')")


def tree_digest(folder: Path) -> str:
    """sha256 of every file under ``folder`` (names and bytes; caches and checkpoints left out)."""
    folder = Path(folder)
    digest = hashlib.sha256()
    skipped = {"__pycache__", ".ipynb_checkpoints"}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not skipped & set(p.parts)):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def package_folders() -> dict:
    """The grader's code (as this process runs it) and cnnkit (as a grading kernel imports it).

    A kernel does not see this process's working directory (it runs in the
    submission's folder), so cnnkit is looked up the way the kernel does: by
    this interpreter, in a folder with nothing in it, with the kernel's environment.
    """
    from autograder.kernel import KERNEL_ENVIRONMENT

    with owned_folder("autograder-find-") as nowhere:
        found = subprocess.run([sys.executable, "-c", _FIND_CNNKIT], cwd=nowhere, capture_output=True, text=True,
                               env={**os.environ, **KERNEL_ENVIRONMENT}).stdout.strip()
    if not found:
        raise RuntimeError(f"a grading kernel of {sys.executable} cannot import cnnkit (is it installed?)")
    return {"autograder": Path(__file__).resolve().parent, "cnnkit": Path(found)}


def grading_environment() -> dict:
    """What decides a grade besides the submission and the assignment: packages' code and versions."""
    return {
        "packages": {name: tree_digest(folder) for name, folder in package_folders().items()},
        "versions": {"python": sys.version, **{name: importlib.metadata.version(name)
                                               for name in GRADING_DISTRIBUTIONS}},
    }


class ResultCache:
    """Results of earlier runs, keyed by everything that decides a grade.

    Parameters
    ----------
    folder : Path
        ``DIR/.results`` (created).
    assignment_digests : dict of str to str
        Assignment -> :func:`tree_digest` of its source folder.
    limits : Limits
    """

    def __init__(self, folder: Path, assignment_digests: dict, limits):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.assignment_digests = dict(assignment_digests)
        self._common = json.dumps({"environment": grading_environment(), "limits": asdict(limits)}, sort_keys=True)

    def key(self, submission) -> str:
        """The key of a :class:`autograder.intake.model.Submission`."""
        payload = json.dumps([submission.digest(), self.assignment_digests.get(submission.assignment),
                              self._common])
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def load(self, key: str) -> dict | None:
        """The stored result of ``key``, or None."""
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def save(self, key: str, result: dict) -> bool:
        """Store ``result`` (atomically) unless it is a grader error; return whether it was stored."""
        if is_grader_error(result):
            return False
        path = self.folder / f"{key}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(result, sort_keys=True, indent=1))
        os.replace(temporary, path)
        return True
