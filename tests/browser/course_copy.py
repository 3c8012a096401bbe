"""Build the throwaway course the browser suite opens.

The copy holds every chapter of ``solutions/`` with its released twin from
``course/`` (released into the copy with ``autograder.release`` when ``course/``
has none yet), plus the suite's own small chapter from ``tests/browser/fixtures/`` when the
course has no chapter yet (or ``CNN_BROWSER_FIXTURE=1``).
For each chapter it writes two notebooks next to each other (so relative paths to
data files keep working):

- ``course/NN_name/NN_name.ipynb``: the released notebook a student starts from,
  with the ``raises-exception`` tag added to its test and answer cells so that
  JupyterLab's Run All goes on past the tests of unwritten exercises and the
  unanswered questions (as a student would by running cell after cell);
- ``course/NN_name/NN_name_finished.ipynb``: the released notebook with every
  exercise cell replaced by its solution, markers removed -- what a student who
  finished the chapter has.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
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


def use_fixture() -> bool:
    """Whether the suite's fixture chapter runs: when the course has no chapter yet, or CNN_BROWSER_FIXTURE=1."""
    return not chapters_in(REPO_ROOT) or os.environ.get("CNN_BROWSER_FIXTURE") == "1"


def suite_chapters(origin: Path = None) -> list[str]:
    """The chapters the suite opens: the course's, plus the fixture's when :func:`use_fixture`."""
    if origin is None:
        return suite_chapters(REPO_ROOT) + suite_chapters(FIXTURE_ROOT)
    if Path(origin) == FIXTURE_ROOT:
        return chapters_in(FIXTURE_ROOT) if use_fixture() else []
    return chapters_in(origin)


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
    """The released notebook with every solution cell (code or written answer) filled from the source.

    Cells are matched by ``grade_id``; a released solution cell without a source
    twin raises ``ValueError`` (the release is out of date).
    """
    solutions = {
        _nbgrader(cell)["grade_id"]: strip_markers(cell["source"])
        for cell in source.cells if _nbgrader(cell).get("solution") and "grade_id" in _nbgrader(cell)
    }
    finished = nbformat.reads(nbformat.writes(released), as_version=4)
    for cell in finished.cells:  # code exercises, question answers and written (markdown) answers
        meta = _nbgrader(cell)
        if meta.get("solution"):
            grade_id = meta.get("grade_id")
            if grade_id not in solutions:
                raise ValueError(f"finished_notebook: released cell {grade_id!r} has no solution in the source notebook")
            cell.source = solutions[grade_id]
    return finished


def tag_tests_raise(notebook):
    """Tag every test cell and answer cell ``raises-exception`` (Run All continues past them).

    A released answer cell of a check-yourself question is ``raise NotImplementedError()``
    at top level, so it fails too until the student answers.
    """
    for cell in notebook.cells:
        if is_test_cell(cell) or (cell.get("cell_type") == "code" and _nbgrader(cell).get("solution")):
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    return notebook


_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")


def _release_into(root: Path, chapters: list[str]) -> dict[str, str]:
    """Release ``chapters`` into ``root/course`` as ``python -m autograder release`` would; failures by chapter."""
    if not chapters:
        return {}
    from autograder.release import release

    try:
        release(root / "solutions", root / "course", chapters)  # one scratch gradebook for all
        return {}
    except Exception:
        pass
    failures = {}
    for chapter in chapters:  # find which chapter breaks the release
        try:
            release(root / "solutions", root / "course", [chapter])
        except Exception as error:
            failures[chapter] = f"release failed: {type(error).__name__}: {error}"
    return failures


def _write_variants(chapter: str, root: Path) -> None:
    """Write the finished twin and tag the blank notebook's test cells (see the module docstring)."""
    released_path = root / "course" / chapter / f"{chapter}.ipynb"
    released = nbformat.read(released_path, as_version=4)
    source = nbformat.read(root / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    nbformat.write(finished_notebook(released, source), released_path.with_name(f"{chapter}_finished.ipynb"))
    nbformat.write(tag_tests_raise(released), released_path)


@dataclass
class CourseCopy:
    """The throwaway course: its ``root`` and what happened to each chapter.

    Attributes
    ----------
    root : Path
    chapters : list of str
        Chapters ready in the copy (real chapters first, then the fixture).
    released_here : list of str
        Chapters with no released twin in ``course/`` yet, released into the copy
        by ``autograder.release``.
    broken : dict of str to str
        Chapters that could not be prepared, with the reason.
    """

    root: Path
    chapters: list = field(default_factory=list)
    released_here: list = field(default_factory=list)
    broken: dict = field(default_factory=dict)


def build_course_copy(root: Path) -> CourseCopy:
    """Copy every chapter (and the fixture chapter) into ``root``, ready to open."""
    copy = CourseCopy(Path(root))
    (copy.root / "course").mkdir(parents=True, exist_ok=True)
    (copy.root / "solutions").mkdir(parents=True, exist_ok=True)
    origins = {chapter: origin for origin in (REPO_ROOT, FIXTURE_ROOT) for chapter in suite_chapters(origin)}
    for chapter, origin in origins.items():
        shutil.copytree(origin / "solutions" / chapter, copy.root / "solutions" / chapter, ignore=_IGNORE)
        if is_released(origin, chapter):
            shutil.copytree(origin / "course" / chapter, copy.root / "course" / chapter, ignore=_IGNORE)
        else:
            copy.released_here.append(chapter)
    copy.broken.update(_release_into(copy.root, copy.released_here))
    for chapter in origins:
        if chapter in copy.broken:
            continue
        try:
            _write_variants(chapter, copy.root)
        except Exception as error:  # reported by the chapter's own tests
            copy.broken[chapter] = f"{type(error).__name__}: {error}"
        else:
            copy.chapters.append(chapter)
    if (REPO_ROOT / "nbgrader_config.py").is_file():
        shutil.copy(REPO_ROOT / "nbgrader_config.py", copy.root / "nbgrader_config.py")
    return copy
