"""Course layout and the one nbgrader configuration every grading path uses.

The layout is configuration, not code: ``solutions/`` holds the instructor
source notebooks, ``course/`` the released student copies, one assignment per
chapter folder ``NN_name/NN_name.ipynb``.

:func:`nbgrader_config` is the only place that says how nbgrader grades here
(limits, kernel, the preprocessors that restore test cells and scrub feedback).
``python -m autograder`` calls it for its scratch courses; the repository's
``nbgrader_config.py`` (formgrader, Validate, nbgrader's own CLI) and the
config ``tools/lab.py`` writes call it through :func:`repository_config`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRECTORY = REPO_ROOT / "solutions"
RELEASE_DIRECTORY = REPO_ROOT / "course"
#: Folder (git-ignored) of the gradebook nbgrader's own tools use in a checkout.
GRADEBOOK_DIRECTORY = ".nbgrader"
COURSE_ID = "cnn-course"
ASSIGNMENT_PATTERN = re.compile(r"^\d\d_[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to every graded notebook.

    Attributes
    ----------
    cell_timeout : int
        Seconds one cell may run before the kernel is interrupted.
    wall_limit : int
        Seconds a whole submission may take before its kernel is killed.
    memory_mb : int
        Address-space cap of the kernel (``RLIMIT_AS``), in MiB.
    sandbox : bool
        Run the kernel under bubblewrap (:mod:`autograder.sandbox`); the CLI
        resolves ``--sandbox auto|on|off`` to this.
    """

    cell_timeout: int = 60
    wall_limit: int = 600
    memory_mb: int = 2048
    sandbox: bool = False

    def __post_init__(self):
        for name in ("cell_timeout", "wall_limit", "memory_mb"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Limits: {name} must be a positive int, got {value!r}")
        if not isinstance(self.sandbox, bool):
            raise ValueError(f"Limits: sandbox must be a bool, got {self.sandbox!r}")


def list_assignments(source_directory: Path) -> list[str]:
    """Assignment names under ``source_directory``: folders ``NN_name`` holding ``NN_name.ipynb``."""
    source_directory = Path(source_directory)
    if not source_directory.is_dir():
        raise UsageError(f"source directory {source_directory} does not exist")
    return sorted(
        path.name for path in source_directory.iterdir()
        if path.is_dir() and ASSIGNMENT_PATTERN.match(path.name)
        and (path / f"{path.name}.ipynb").is_file()
    )


def resolve_assignments(source_directory: Path, requested) -> list[str]:
    """The requested assignment names (all when empty), each checked to exist."""
    available = list_assignments(source_directory)
    if not requested:
        return available
    unknown = [name for name in requested if name not in available]
    if unknown:
        raise UsageError(
            f"unknown assignment(s) {', '.join(unknown)}; {source_directory} has: "
            f"{', '.join(available) or 'none'}"
        )
    return list(requested)


def _put_interpreter_tools_on_path() -> None:
    """nbgrader runs ``alembic`` as a subprocess when it creates a gradebook: find the venv's."""
    import os
    import sys

    tools = os.path.dirname(sys.executable)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


def nbgrader_config(course_root: Path, db_url: str, limits: Limits | None = None, *,
                    source_directory: str = "source", release_directory: str = "release"):
    """A traitlets Config for an nbgrader course rooted at ``course_root``.

    Parameters
    ----------
    course_root : Path
        Holds the source and release folders, ``submitted/``, ``autograded/``, ``feedback/``.
    db_url : str
        SQLAlchemy URL of the gradebook, e.g. ``sqlite:////tmp/x/gradebook.db``.
    limits : Limits, optional
        Per-cell timeout and memory cap of the kernel (the defaults of :class:`Limits`).
    source_directory, release_directory : str
        Folder names under ``course_root`` (nbgrader's defaults for a scratch course).
    """
    from traitlets.config import Config
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader import preprocessors as nbp
    from nbgrader.converters import Autograde

    from autograder import preprocessors as ours
    from autograder.kernel_manager import CappedKernelManager

    limits = limits or Limits()
    _put_interpreter_tools_on_path()
    c = Config()
    c.CourseDirectory.root = str(course_root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.source_directory = source_directory
    c.CourseDirectory.release_directory = release_directory
    c.CourseDirectory.db_url = db_url
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.OverwriteCells.add_missing_cells = True
    c.Execute.timeout = limits.cell_timeout
    c.Execute.kernel_name = "python3"
    c.Execute.kernel_manager_class = CappedKernelManager
    c.Execute.extra_arguments = ["--HistoryManager.enabled=False"]
    c.CappedKernelManager.memory_mb = limits.memory_mb
    c.CappedKernelManager.sandbox = limits.sandbox
    c.Autograde.sanitize_preprocessors = [
        nbp.ClearOutput, nbp.DeduplicateIds, nbp.OverwriteKernelspec, ours.RestoreTestCells,
        nbp.OverwriteCells, ours.InjectIntegrityChecks, ours.CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [  # nbgrader's own list, with the metadata check compiled once
        ours.CheckCellMetadata if step is nbp.CheckCellMetadata else step
        for step in Autograde.autograde_preprocessors.default()]
    c.GenerateFeedback.preprocessors = [
        nbp.GetGrades, ours.ScrubTestOutputs, nbp.ClearHiddenTests, CSSHTMLHeaderPreprocessor,
    ]
    c.ClearHiddenTests.enforce_metadata = False
    return c


def repository_config(root: Path = REPO_ROOT, limits: Limits | None = None):
    """The nbgrader configuration of a checkout of this repository, rooted at ``root``.

    What nbgrader's own tools (formgrader, the Validate button, ``nbgrader
    autograde``, ``nbgrader generate_feedback``) run with: :func:`nbgrader_config`
    with ``solutions/`` as the source folder, ``course/`` as the release folder
    and the gradebook in ``root/.nbgrader/gradebook.db`` (created here: the
    formgrader opens it at start-up; git ignores it).
    """
    root = Path(root).resolve()
    (root / GRADEBOOK_DIRECTORY).mkdir(exist_ok=True)
    db_url = f"sqlite:///{root / GRADEBOOK_DIRECTORY / 'gradebook.db'}"
    return nbgrader_config(root, db_url, limits, source_directory=SOURCE_DIRECTORY.name,
                           release_directory=RELEASE_DIRECTORY.name)
