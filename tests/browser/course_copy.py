"""Build the throwaway course the browser suite opens.

The copy holds every chapter of ``solutions/`` that has a released twin in
``course/``, plus the suite's own small chapter from ``tests/browser/fixtures/``.
For each chapter it writes two notebooks next to each other (so relative paths to
data files keep working):

- ``course/NN_name/NN_name.ipynb``: the released notebook a student starts from,
  with the ``raises-exception`` tag added to its test cells so that JupyterLab's
  Run All goes on past the tests of unwritten exercises (as a student would by
  running cell after cell);
- ``course/NN_name/NN_name_finished.ipynb``: the released notebook with every
  exercise cell replaced by its solution, markers removed -- what a student who
  finished the chapter has.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROOT = Path(__file__).resolve().parent / "fixtures"
CHAPTER_PATTERN = re.compile(r"^\d\d_[A-Za-z0-9_]+$")
_MARKER = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")


def chapters_in(root: Path) -> list[str]:
    """Chapter names ``NN_name`` with ``solutions/NN_name/NN_name.ipynb`` under ``root``."""
    solutions = Path(root) / "solutions"
    if not solutions.is_dir():
        return []
    return sorted(
        path.name for path in solutions.iterdir()
        if CHAPTER_PATTERN.match(path.name) and (path / f"{path.name}.ipynb").is_file()
    )


def is_released(root: Path, chapter: str) -> bool:
    """Whether ``course/<chapter>/<chapter>.ipynb`` exists under ``root``."""
    return (Path(root) / "course" / chapter / f"{chapter}.ipynb").is_file()


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell) -> bool:
    """An autograder-test cell: graded, not a solution, code."""
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and meta.get("grade", False) and not meta.get("solution", False)


def strip_markers(source: str) -> str:
    """Drop the ``### BEGIN/END SOLUTION`` and ``HIDDEN TESTS`` marker lines of a source cell."""
    return "\n".join(line for line in source.splitlines() if not _MARKER.match(line))


def finished_notebook(released, source):
    """The released notebook with every solution code cell filled from the source notebook.

    Cells are matched by ``grade_id``; a released solution cell without a source
    twin raises ``ValueError`` (the release is out of date).
    """
    solutions = {
        _nbgrader(cell)["grade_id"]: strip_markers(cell["source"])
        for cell in source.cells if _nbgrader(cell).get("solution") and "grade_id" in _nbgrader(cell)
    }
    finished = nbformat.reads(nbformat.writes(released), as_version=4)
    for cell in finished.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            grade_id = meta.get("grade_id")
            if grade_id not in solutions:
                raise ValueError(f"finished_notebook: released cell {grade_id!r} has no solution in the source notebook")
            cell.source = solutions[grade_id]
    return finished


def tag_tests_raise(notebook):
    """Add the ``raises-exception`` tag to every test cell (Run All continues past them)."""
    for cell in notebook.cells:
        if is_test_cell(cell):
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    return notebook


def _copy_chapter(origin: Path, chapter: str, root: Path) -> None:
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(origin / "solutions" / chapter, root / "solutions" / chapter, ignore=ignore)
    shutil.copytree(origin / "course" / chapter, root / "course" / chapter, ignore=ignore)
    released_path = root / "course" / chapter / f"{chapter}.ipynb"
    released = nbformat.read(released_path, as_version=4)
    source = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    nbformat.write(finished_notebook(released, source), released_path.with_name(f"{chapter}_finished.ipynb"))
    nbformat.write(tag_tests_raise(released), released_path)


def build_course_copy(root: Path) -> tuple[list[str], list[str]]:
    """Copy the released chapters and the fixture chapter into ``root``.

    Returns
    -------
    copied : list of str
        Chapters now under ``root`` (real chapters first, then the fixture).
    unreleased : list of str
        Chapters of ``solutions/`` with no released twin in ``course/`` (not copied).
    """
    root = Path(root)
    (root / "course").mkdir(parents=True, exist_ok=True)
    (root / "solutions").mkdir(parents=True, exist_ok=True)
    copied, unreleased = [], []
    for chapter in chapters_in(REPO_ROOT):
        if is_released(REPO_ROOT, chapter):
            _copy_chapter(REPO_ROOT, chapter, root)
            copied.append(chapter)
        else:
            unreleased.append(chapter)
    for chapter in chapters_in(FIXTURE_ROOT):
        _copy_chapter(FIXTURE_ROOT, chapter, root)
        copied.append(chapter)
    if (REPO_ROOT / "nbgrader_config.py").is_file():
        shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return copied, unreleased
