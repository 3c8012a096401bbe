"""Grade one submission in a scratch nbgrader course (runs inside a worker process).

A worker imports nbgrader once and grades many submissions. For each assignment
it builds a template once (nbgrader GenerateAssignment into a private scratch
course, which fills a template gradebook with the source cells, points and
checksums). Each submission then gets its own temporary directory with a copy
of that source and gradebook, so student code cannot reach ``solutions/``,
the run's gradebook or another student's files through relative paths. The
autograded notebooks are copied to ``Task.autograded_dir`` before the scratch
directory goes (for formgrader and the feedback, see :mod:`autograder.graded_course`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import Limits

_TEMPLATES: dict[str, "Template"] = {}
_STATE: dict[str, object] = {}


@dataclass
class Task:
    """One student's submission of one assignment.

    Attributes
    ----------
    student_id, assignment : str
    notebooks : dict of str to (str or None)
        Notebook name (no suffix) -> path of the submitted file, or None if missing.
    source_assignment : str
        ``solutions/NN_name``.
    limits : Limits
    autograded_dir : str or None
        Where the autograded notebooks are copied (for hand grading and feedback,
        see :mod:`autograder.graded_course`); None keeps nothing.
    """

    student_id: str
    assignment: str
    notebooks: dict
    source_assignment: str
    limits: Limits = field(default_factory=Limits)
    autograded_dir: str | None = None


@dataclass
class Template:
    course: Path
    db_file: Path
    released_metadata: dict
    notebook_names: list


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def initialise_worker() -> None:
    """Import nbgrader, silence its console logging and write the integrity manifest."""
    from autograder.integrity import write_manifest
    from autograder.kernel import KERNEL_ENVIRONMENT
    import nbgrader.converters  # noqa: F401  (the expensive import, done once)

    os.environ.update(KERNEL_ENVIRONMENT)
    warnings.simplefilter("ignore")  # SQLAlchemy and jupyter deprecation chatter
    logger = logging.getLogger("traitlets")
    logger.handlers[:] = []
    logger.propagate = False
    capture = _Capture()
    logger.addHandler(capture)
    logger.setLevel(logging.WARNING)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
    write_manifest(scratch / "manifest.json")
    _STATE.update(capture=capture, scratch=scratch, manifest=str(scratch / "manifest.json"))


def _template(source_assignment: str) -> Template:
    from autograder.notebooks import read_notebook
    from autograder.release import generate_into

    if source_assignment not in _TEMPLATES:
        root = Path(tempfile.mkdtemp(prefix="template-", dir=_STATE["scratch"]))
        db_file = root / "gradebook.db"
        released = generate_into(root / "course", Path(source_assignment), f"sqlite:///{db_file}")
        metadata, names = {}, []
        for path in sorted(released.glob("*.ipynb")):
            names.append(path.stem)
            for cell in read_notebook(path).cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id:
                    metadata[grade_id] = dict(cell.metadata)
        _TEMPLATES[source_assignment] = Template(root / "course", db_file, metadata, names)
    return _TEMPLATES[source_assignment]


def _children() -> list[int]:
    """Process ids whose parent is this process (the kernel being graded)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                found.append(int(entry))
    return found


def _kill_children(flag: dict) -> None:
    flag["fired"] = True
    for pid in _children():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _last_error(log: str) -> str:
    """The last ``SomethingError: message`` line of nbgrader's log, else its last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return ((errors or lines or ["unknown error"])[-1])[:200]


def grade_task(task: Task) -> dict:
    """Grade ``task``; never raises for a bad submission (the result says ``failed``)."""
    if not _STATE:
        initialise_worker()
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="submission-", dir=_STATE["scratch"]))
    try:
        result = _grade_in(scratch, task)
    except Exception as error:  # an unexpected grader error must not stop the batch
        result = failed(task, f"grader error: {type(error).__name__}: {error}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def failed(task: Task, reason: str) -> dict:
    """The result of a submission that could not be graded."""
    return {"student_id": task.student_id, "assignment": task.assignment, "status": "failed",
            "reason": reason, "questions": {}, "messages": {}}


def _grade_in(scratch: Path, task: Task) -> dict:
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    from autograder.config import nbgrader_config
    from autograder.notebooks import read_notebook

    template = _template(task.source_assignment)
    course = scratch / "course"
    shutil.copytree(template.course / "source", course / "source")
    (scratch / "db").mkdir()
    shutil.copy(template.db_file, scratch / "db" / "gradebook.db")
    db_url = f"sqlite:///{scratch / 'db' / 'gradebook.db'}"
    submitted = course / "submitted" / task.student_id / task.assignment
    submitted.mkdir(parents=True)
    for name in template.notebook_names:
        path = task.notebooks.get(name)
        if path is None:
            return failed(task, f"missing notebook {name}.ipynb")
        try:
            read_notebook(path)
        except ValueError as error:
            return failed(task, f"corrupt notebook: {error}")
        shutil.copy(path, submitted / f"{name}.ipynb")

    nonce = secrets.token_hex(8)
    config = nbgrader_config(course, db_url, task.limits)
    config.RestoreTestCells.released_metadata = template.released_metadata
    config.InjectIntegrityChecks.nonce = nonce
    config.InjectIntegrityChecks.manifest_path = _STATE["manifest"]
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id, coursedir.student_id = task.assignment, task.student_id

    capture = _STATE["capture"]
    capture.lines.clear()
    wall = {"fired": False}
    watchdog = threading.Timer(task.limits.wall_limit, _kill_children, args=(wall,))
    watchdog.start()
    try:
        autograde = Autograde(coursedir=coursedir, config=config)
        autograde.force, autograde.create_student = True, True
        autograde.start()
    except Exception:
        if wall["fired"]:
            return failed(task, f"wall limit of {task.limits.wall_limit}s exceeded")
        log = "\n".join(capture.lines)
        if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log.lower():
            return failed(task, "kernel died (the notebook killed or crashed its Python process)")
        return failed(task, f"nbgrader could not grade it: {_last_error(log)}")
    finally:
        watchdog.cancel()
    if wall["fired"]:
        return failed(task, f"wall limit of {task.limits.wall_limit}s exceeded")

    from autograder.collect import collect_result

    result = collect_result(task, course, db_url, nonce)
    if task.autograded_dir:
        from autograder.graded_course import stage

        stage(course / "autograded" / task.student_id / task.assignment, Path(task.autograded_dir))
    return result
