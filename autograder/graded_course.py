"""The graded folder ``DIR`` (``grade --out DIR``) as an nbgrader course.

After every run ``DIR`` holds nbgrader's own course layout, so that formgrader
(hand grading) and ``nbgrader release_feedback`` (the exchange) work on it:

- ``source/<assignment>/``: the source notebooks the run graded against;
- ``submitted/<student>/<assignment>/``: the graded submission as handed in, with
  the exchange's ``timestamp.txt`` and ``submission_secret.txt`` when it has them;
- ``autograded/<student>/<assignment>/``: the autograded notebooks (what
  formgrader shows) and the same two files;
- ``feedback/<student>/<assignment>/``: the pages of :mod:`autograder.feedback`;
- ``gradebook.db`` (or ``--db``): the scores, and the hand grades formgrader adds;
- ``nbgrader_config.py``: points nbgrader's tools at all of this.

A worker copies a submission's autograded notebooks to ``DIR/.staged/<key>/``;
the parent moves the ones it records into ``autograded/`` (:func:`keep_run`), so
the notebooks there are always those of the result in grades.csv.
``DIR/.hand/<assignment>/<student>.json`` remembers the graded submission's
digest and a fingerprint of each hand-graded answer: a hand score is flagged for
review only when the answer it judged has changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote

from autograder.notebooks import is_test_cell, nbgrader_metadata, read_notebook
from autograder.owned_folders import owned_folder

STAGED, HAND_STATE, SETTINGS = ".staged", ".hand", ".gradebook.json"
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")
CONFIG_FILE = "nbgrader_config.py"
CONFIG_TEXT = '''\
"""nbgrader settings of this graded folder, written by `python -m autograder grade`.

formgrader (`python -m autograder formgrader {out}`) and `nbgrader release_feedback`
read it when run in this folder. It is rewritten by every `grade`.
"""

from autograder.graded_course import nbgrader_settings

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
c.merge(nbgrader_settings({out!r}))
'''


def step_dir(out: Path, step: str, student_id: str, assignment: str) -> Path:
    """``DIR/<step>/<student>/<assignment>`` (nbgrader's ``directory_structure``)."""
    return Path(out) / step / student_id / assignment


def staged_dir(out: Path, key: str) -> Path:
    """Where a worker leaves the autograded notebooks of the submission graded under ``key``."""
    return Path(out) / STAGED / key


def stage(autograded: Path, target: Path) -> None:
    """Copy a scratch course's ``autograded/<student>/<assignment>`` folder to ``target`` (in the worker).

    The copy is made beside ``target`` and renamed into place: a worker stopped
    half-way leaves no half-copied ``target`` that :func:`is_kept` would trust.
    """
    partial = target.with_name(f"{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(autograded, partial)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)


def stage_files(files: dict, target: Path) -> None:
    """:func:`stage` for notebooks that arrive as bytes (``relative path -> bytes``, from a Dask worker).

    A path that would leave ``target`` is not written.
    """
    with owned_folder("autograder-received-") as scratch:
        received = scratch / "files"  # beside the folder's OWNER file, which is not staged
        received.mkdir()
        for name, data in files.items():
            path = received / name
            if received.resolve() in path.resolve().parents:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        stage(received, target)


def _state_path(out: Path, assignment: str, student_id: str) -> Path:
    return Path(out) / HAND_STATE / quote(assignment, safe="") / f"{quote(student_id, safe='')}.json"


def _state(out: Path, assignment: str, student_id: str) -> dict:
    path = _state_path(out, assignment, student_id)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def is_kept(out: Path, key: str, student_id: str, assignment: str) -> bool:
    """Whether the autograded notebooks of the submission graded under ``key`` are in ``out``."""
    if staged_dir(out, key).is_dir():
        return True
    return (_state(out, assignment, student_id).get("key") == key
            and step_dir(out, "autograded", student_id, assignment).is_dir())


def answer_fingerprints(folder: Path) -> dict:
    """sha256 of the source of every hand-graded cell of the notebooks in ``folder``, by grade_id."""
    found = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        for cell in read_notebook(path).cells:
            meta = nbgrader_metadata(cell)
            if meta.get("grade") and not is_test_cell(cell) and meta.get("grade_id"):
                found[meta["grade_id"]] = hashlib.sha256(cell.source.encode()).hexdigest()
    return found


def _copy_submission(out: Path, submission) -> list[Path]:
    """Copy the submitted notebooks (and exchange files) to ``submitted/``; return the exchange files."""
    target = step_dir(out, "submitted", submission.student_id, submission.assignment)
    shutil.rmtree(target, ignore_errors=True)
    files = [(Path(path), f"{name}.ipynb") for name, path in sorted(submission.notebooks.items())
             if path and Path(path).is_file()]
    if submission.origin.get("stamp", {}).get("submitted"):  # the time came from the exchange's timestamp.txt
        folders = dict.fromkeys(path.parent for path, _ in files)
        files += [(folder / name, name) for folder in folders for name in EXCHANGE_FILES if (folder / name).is_file()]
    for path, name in files:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return [path for path, name in files if name in EXCHANGE_FILES]


def _publish(out: Path, key: str, submission, result: dict) -> set:
    """Put one recorded submission in place; return the grade_ids whose hand score needs review."""
    student, assignment = submission.student_id, submission.assignment
    target = step_dir(out, "autograded", student, assignment)
    old = _state(out, assignment, student)
    exchange = _copy_submission(out, submission)
    staged = staged_dir(out, key)
    if result["status"] == "failed":
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(staged, ignore_errors=True)
        if target.parent.is_dir() and not any(target.parent.iterdir()):
            target.parent.rmdir()
        return set()
    if staged.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
    for path in exchange:
        shutil.copy(path, target / path.name)
    answers, digest = answer_fingerprints(target), submission.digest()
    review = set()
    if old and old.get("submission") != digest:
        review = {g for g, fingerprint in answers.items() if old.get("answers", {}).get(g) != fingerprint}
        review |= set(result.get("autograded", []))
    path = _state_path(out, assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": key, "submission": digest, "answers": answers}, indent=1), encoding="utf-8")
    return review


def keep_run(out: Path, course, chosen: dict, results: dict, db_url: str | None) -> tuple:
    """Make ``out`` the nbgrader course of everything graded into it, with this run's results.

    Parameters
    ----------
    out : Path
    course : autograder.grade.Course
    chosen : dict of str to Submission
        Cache key -> the submission graded under it (its files must still exist).
    results : dict of str to dict
        Cache key -> its result.
    db_url : str or None
        The gradebook (None: ``out/gradebook.db``; ``"none"``: no gradebook, no hand grading).

    Returns
    -------
    db_url : str or None
        The gradebook's URL (None: none), as :func:`gradebook_url` now answers.
    records : list of dict
        What :func:`autograder.gradebook.record_results` must record in it: the
        results with the exchange's ``timestamp``, the ``review`` grade_ids and ``name``.
    """
    out = Path(out)
    review, timestamps = {}, {}
    for key, submission in chosen.items():
        pair = (submission.assignment, submission.student_id)
        if submission.assignment not in course.assignments:
            continue
        review[pair] = _publish(out, key, submission, results[key])
        stamp_file = step_dir(out, "submitted", *reversed(pair)) / "timestamp.txt"
        timestamps[pair] = stamp_file.read_text().strip() if stamp_file.is_file() else None
    for name in sorted({s.assignment for s in chosen.values()} & set(course.assignments)):
        target = out / "source" / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(course.source_directory / name, target,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for partial in (out / STAGED).glob("*.partial"):  # copies of workers stopped half-way
        shutil.rmtree(partial, ignore_errors=True)
    if (out / STAGED).is_dir() and not any((out / STAGED).iterdir()):
        (out / STAGED).rmdir()
    db_url = None if db_url == "none" else (db_url or f"sqlite:///{(out / 'gradebook.db').resolve()}")
    (out / SETTINGS).write_text(json.dumps({"db_url": db_url}), encoding="utf-8")
    (out / CONFIG_FILE).write_text(CONFIG_TEXT.format(out=str(out.resolve())), encoding="utf-8")
    records = [dict(results[k], timestamp=timestamps[pair], review=sorted(review[pair]), name=s.name)
               for k, s in chosen.items() if (pair := (s.assignment, s.student_id)) in review]
    return db_url, records


def gradebook_url(out: Path) -> str | None:
    """The gradebook ``grade`` filled for ``out`` (None when it was run with ``--db none`` or never)."""
    path = Path(out) / SETTINGS
    return json.loads(path.read_text(encoding="utf-8")).get("db_url") if path.is_file() else None


def nbgrader_settings(out: str):
    """The traitlets Config nbgrader's own tools use on the graded folder ``out``."""
    from autograder.config import COURSE_ID, nbgrader_config

    config = nbgrader_config(Path(out), gradebook_url(out) or f"sqlite:///{Path(out) / 'gradebook.db'}")
    config.CourseDirectory.course_id = COURSE_ID
    return config

