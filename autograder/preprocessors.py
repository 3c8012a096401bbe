"""nbgrader preprocessors the grader adds to autograding and feedback.

- :class:`RestoreTestCells` (before OverwriteCells, which then restores the
  source and checksum of locked cells): every cell that claims a
  ``grade_id`` gets the released cell's nbgrader metadata back; test cells get
  their whole metadata back, so tags such as ``skip-execution`` or
  ``raises-exception`` added by a student are dropped. A ``grade_id`` the
  source does not know loses its nbgrader metadata (it is the student's cell).
  The released metadata is rebuilt from the gradebook (as OverwriteCells reads
  it), so nbgrader's own ``autograde`` and the grader's workers restore alike.
- :class:`InjectIntegrityChecks`: a check cell before every test cell and at
  the end (see :mod:`autograder.integrity`); it also guards each exercise
  against calling its cnnkit counterpart.
- :class:`ScrubTestOutputs` (feedback): the error of a test cell is shown as
  ``ExceptionName: message``; the traceback, which quotes hidden test lines,
  is dropped.
"""

from __future__ import annotations

import copy

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from autograder.integrity import CELL_METADATA_KEY, check_cell_source
from autograder.notebooks import is_exercise_cell, is_test_cell


def released_metadata(db_url: str, assignment: str, notebook: str) -> dict:
    """grade_id -> the metadata nbgrader's release gives that cell, rebuilt from the gradebook.

    Equal to the released notebook's ``deletable``, ``editable`` and
    ``nbgrader`` metadata (``checksum`` is the source cell's: OverwriteCells sets it anyway).
    """
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        source = gradebook.find_notebook(notebook, assignment)
        points = {cell.name: cell.max_score for cell in source.grade_cells}
        tasks = {cell.name: cell.max_score for cell in source.task_cells}
        solutions = {cell.name for cell in source.solution_cells}
        found = {}
        for cell in source.source_cells:
            meta = {"cell_type": cell.cell_type, "checksum": cell.checksum, "grade": cell.name in points,
                    "grade_id": cell.name, "locked": cell.locked, "schema_version": 3,
                    "solution": cell.name in solutions}
            if cell.name in points:
                meta["points"] = points[cell.name]
            if cell.name in tasks:
                meta.update(task=True, points=tasks[cell.name])
            found[cell.name] = {"deletable": False, "nbgrader": meta, **({"editable": False} if cell.locked else {})}
    return found


class RestoreTestCells(NbGraderPreprocessor):
    """Give graded cells back the metadata of the released notebook."""

    def preprocess(self, nb, resources):
        about = resources["nbgrader"]
        self._released = released_metadata(about["db_url"], about["assignment"], about["notebook"])
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        nbgrader = cell.metadata.get("nbgrader")
        if nbgrader is None:
            return cell, resources
        grade_id = nbgrader.get("grade_id")
        released = self._released.get(grade_id) if grade_id else None
        if released is None:
            del cell.metadata["nbgrader"]
            return cell, resources
        if is_test_cell({"cell_type": cell.cell_type, "metadata": released}):
            restored = copy.deepcopy(released)
        else:
            restored = {**cell.metadata, "nbgrader": copy.deepcopy(released["nbgrader"])}
        cell.metadata = nbformat.from_dict(restored)
        return cell, resources


class InjectIntegrityChecks(NbGraderPreprocessor):
    """Insert a check cell before each test cell and one at the end."""

    nonce = Unicode(help="random token of this grading run").tag(config=True)
    manifest_path = Unicode(help="JSON manifest written by the worker").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.nonce:
            return nb, resources
        self._exercises = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
                           if is_exercise_cell(cell) and "grade_id" in cell.metadata["nbgrader"]]
        cells, index = [], 0
        for cell in nb.cells:
            if is_test_cell(cell):
                cells.append(self._check_cell(index))
                index += 1
            cells.append(cell)
        cells.append(self._check_cell(index))
        nb.cells = cells
        return nb, resources

    def _check_cell(self, index):
        cell = nbformat.v4.new_code_cell(
            check_cell_source(self.nonce, index, self.manifest_path, self._exercises))
        cell.metadata[CELL_METADATA_KEY] = index
        cell.id = f"autograder-integrity-{index}"
        return cell


class ScrubTestOutputs(NbGraderPreprocessor):
    """Replace the traceback of a failed test cell by its one-line error."""

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [error_line(output)]
        return cell, resources


def error_line(output) -> str:
    """``"AssertionError: message"`` for an nbformat error output."""
    name, value = output.get("ename", "Error"), output.get("evalue", "")
    return f"{name}: {value}" if value else name
