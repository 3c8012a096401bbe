"""nbgrader preprocessors the grader adds to autograding and feedback.

- :class:`RestoreTestCells` (before OverwriteCells, which then restores the
  source and checksum of locked cells): every cell that claims a
  ``grade_id`` gets the released cell's nbgrader metadata back; test cells get
  their whole metadata back, so tags such as ``skip-execution`` or
  ``raises-exception`` added by a student are dropped. A ``grade_id`` the
  source does not know loses its nbgrader metadata (it is the student's cell).
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
from traitlets import Dict, Unicode

from autograder.integrity import CELL_METADATA_KEY, check_cell_source
from autograder.notebooks import is_exercise_cell, is_test_cell


class RestoreTestCells(NbGraderPreprocessor):
    """Give graded cells back the metadata of the released notebook."""

    released_metadata = Dict(help="grade_id -> cell metadata of the released notebook").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        nbgrader = cell.metadata.get("nbgrader")
        if nbgrader is None:
            return cell, resources
        grade_id = nbgrader.get("grade_id")
        released = self.released_metadata.get(grade_id) if grade_id else None
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
