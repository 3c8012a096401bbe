"""Grade one submission in a scratch nbgrader course: the :class:`Worker`.

A worker imports nbgrader once and grades many submissions. It owns a scratch
folder (``autograder-worker-*``, also ``tempfile.tempdir`` while it lives: the
kernels' connection files go there) with the integrity manifest and, per
assignment, a template built once by nbgrader's GenerateAssignment (source
cells, points and checksums in a template gradebook). Each submission gets its
own folder inside it with a copy of that source and gradebook, so student code
cannot reach ``solutions/``, the run's gradebook or another student's files
through relative paths. Closing the worker removes the folder; a folder deleted
under a running worker is made again before the next task; the folder of a worker
that was killed (SIGKILL: no clean-up ran) is removed when the next worker starts
(:mod:`autograder.owned_folders`). The autograded
notebooks are copied to ``Task.autograded_dir`` before a submission's folder goes
(for formgrader and the feedback, see :mod:`autograder.graded_course`).

A result is final when it reflects the submission (graded, flagged, or failed
because of the notebook: missing, corrupt, kernel died, wall limit). When the
grader itself fails (nbgrader error, vanished folder, locked database, ...) it
is a *grader error* (:func:`is_grader_error`): never cached, retried once
(:mod:`autograder.pool`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import Limits
from autograder.owned_folders import fresh_owned_folder

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
    notebook_names: list


class _Capture(logging.Handler):
    """Keeps nbgrader's warnings and errors (the reason a notebook could not be graded)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def failed(task: Task, reason: str) -> dict:
    """The final result of a submission that could not be graded because of the submission."""
    return {"student_id": task.student_id, "assignment": task.assignment, "status": "failed",
            "reason": reason, "questions": {}, "messages": {}}


def grader_error(task: Task, detail: str) -> dict:
    """The result of a grading attempt that failed because of the grader, not the submission."""
    return {**failed(task, f"grader error: {detail}"), "grader_error": True}


def is_grader_error(result: dict) -> bool:
    """Whether ``result`` is a grader error (retry it; never cache it)."""
    return bool(result.get("grader_error"))


class Worker:
    """Grades :class:`Task` s in scratch nbgrader courses under a scratch folder it owns.

    Parameters
    ----------
    parent : Path, optional
        Where the worker's folder is made (default: the system's temporary folder).

    Use as a context manager (or call :meth:`close`): the folder goes at the end.
    """

    def __init__(self, parent: Path | None = None):
        from autograder.kernel import KERNEL_ENVIRONMENT
        import nbgrader.converters  # noqa: F401  (the expensive import, done once)

        os.environ.update(KERNEL_ENVIRONMENT)
        warnings.simplefilter("ignore")  # SQLAlchemy and jupyter deprecation chatter
        logger = logging.getLogger("traitlets")
        logger.handlers[:] = []
        logger.propagate = False
        self.capture = _Capture()
        logger.addHandler(self.capture)
        logger.setLevel(logging.WARNING)
        self.scratch = fresh_owned_folder("autograder-worker-", parent)  # killed workers' folders go first
        self._tempdir_before = tempfile.tempdir
        tempfile.tempdir = str(self.scratch)  # the kernels' connection files and the like go with us
        self._templates: dict[str, Template] = {}
        self._ensure_scratch()

    @property
    def manifest(self) -> Path:
        """The integrity manifest (:func:`autograder.integrity.write_manifest`)."""
        return self.scratch / "manifest.json"

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:  # interrupted or broken mid-task: its kernel must not outlive us
            stop_kernels()
        self.close()

    def close(self) -> None:
        """Remove the scratch folder and restore what the worker changed in this process."""
        shutil.rmtree(self.scratch, ignore_errors=True)
        logging.getLogger("traitlets").removeHandler(self.capture)
        tempfile.tempdir = self._tempdir_before

    def abort(self) -> None:
        """Stop at once (from a signal handler): kill the kernel being graded, remove the folder."""
        stop_kernels()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def grade(self, task: Task) -> dict:
        """Grade ``task``; never raises (see the module docstring for final results and grader errors)."""
        started = time.monotonic()
        try:
            self._ensure_scratch()
            scratch = Path(tempfile.mkdtemp(prefix="submission-", dir=self.scratch))
            try:
                result = self._grade_in(scratch, task)
                if not (scratch / "course").is_dir():  # whatever happened then, it is not the notebook's doing
                    result = grader_error(task, "the scratch folder vanished while grading")
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        except Exception as error:  # a fault of the grader must not stop the batch
            result = grader_error(task, f"{type(error).__name__}: {error}")
        result["seconds"] = round(time.monotonic() - started, 2)
        return result

    def _ensure_scratch(self) -> None:
        """Make the folder and the manifest (again, if they vanished)."""
        from autograder.integrity import write_manifest

        if self.manifest.is_file():
            return
        self._templates.clear()
        self.scratch.mkdir(parents=True, exist_ok=True)
        write_manifest(self.manifest)

    def _template(self, source_assignment: str) -> Template:
        from autograder.release import generate_into

        template = self._templates.get(source_assignment)
        if template is None or not template.db_file.is_file():
            root = Path(tempfile.mkdtemp(prefix="template-", dir=self.scratch))
            db_file = root / "gradebook.db"
            released = generate_into(root / "course", Path(source_assignment), f"sqlite:///{db_file}")
            names = [path.stem for path in sorted(released.glob("*.ipynb"))]
            template = self._templates[source_assignment] = Template(root / "course", db_file, names)
        return template

    def _grade_in(self, scratch: Path, task: Task) -> dict:
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory

        from autograder.config import nbgrader_config
        from autograder.notebooks import read_notebook
        from autograder.safeguards import Safeguards

        template = self._template(task.source_assignment)
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

        config = nbgrader_config(course, db_url, task.limits)
        safeguards = Safeguards(Path(task.source_assignment), str(self.manifest))
        safeguards.open(config, submitted)
        config.CappedKernelManager.sandbox_scratch = str(scratch)
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id, coursedir.student_id = task.assignment, task.student_id

        self.capture.lines.clear()
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
            log = "\n".join(self.capture.lines)
            if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log.lower():
                return failed(task, "kernel died (the notebook killed or crashed its Python process)")
            return grader_error(task, f"nbgrader could not grade it: {_last_error(log)}")
        finally:
            watchdog.cancel()
            safeguards.close()
        if wall["fired"]:
            return failed(task, f"wall limit of {task.limits.wall_limit}s exceeded")

        from autograder.collect import collect_result

        result = collect_result(task, course, db_url, safeguards)
        if task.autograded_dir:
            from autograder.graded_course import stage

            stage(course / "autograded" / task.student_id / task.assignment, Path(task.autograded_dir))
        return result


def stop_kernels() -> None:
    """Kill every kernel this process started, with its process group (no /proc needed, so macOS too)."""
    from autograder.kernel_manager import kill_running_kernels

    kill_running_kernels()


def _kill_children(flag: dict) -> None:
    """The wall limit: kill the kernel being graded."""
    flag["fired"] = True
    stop_kernels()


def _last_error(log: str) -> str:
    """The last ``SomethingError: message`` line of nbgrader's log, else its last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
    return ((errors or lines or ["unknown error"])[-1])[:200]
