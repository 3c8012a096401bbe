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
  the end (see :mod:`autograder.integrity`); it also guards each exercise with
  its allow-list (:mod:`autograder.guard`), trusting the cells whose source is
  the instructor's (``trusted_cells``, see :func:`autograder.safeguards.cell_file_name`).
- :class:`ScrubTestOutputs` (feedback): the error of a test cell is shown as
  ``ExceptionName: message``; the traceback, which quotes hidden test lines,
  is dropped. An output of any cell that quotes a line of the instructor's
  solutions or hidden tests (a notebook that read the source from disk) is
  replaced by a notice.
- :class:`CheckCellMetadata`: nbgrader's check of the cells' nbgrader metadata,
  the same checks and errors, with its JSON schema compiled once per process.
  nbgrader's ``jsonschema.validate`` checks the schema itself before every cell:
  0.35 s of CPU a chapter notebook, half of what a worker spends outside the kernel.
"""

from __future__ import annotations

import copy
import functools
import traceback

import nbformat
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Int, List, Unicode

from autograder.integrity import CELL_METADATA_KEY, check_cell_setup, check_cell_source
from autograder.notebooks import is_test_cell


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

    secret = Unicode(help="hex secret of this submission (autograder.verdicts.token)").tag(config=True)
    verdict_fd = Int(-1, help="the verdict channel's file descriptor, inherited by the kernel").tag(config=True)
    exercises = Dict(help="grade_id -> {names, allowed} of the assignment's exercises").tag(config=True)
    trusted_cells = List(Unicode(), help="ipykernel file names of the instructor's code cells").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.secret:
            return nb, resources
        from autograder.verdicts import token

        notebook = resources.get("unique_key", "notebook")
        setup = check_cell_setup(self.verdict_fd, self.exercises, self.trusted_cells)
        cells, index = [], 0

        def check():
            source = check_cell_source(setup, notebook, index, token(bytes.fromhex(self.secret), notebook, index))
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata[CELL_METADATA_KEY] = index
            cell.id = f"autograder-integrity-{index}"
            return cell

        for cell in nb.cells:
            if is_test_cell(cell):
                cells.append(check())
                index += 1
            cells.append(cell)
        cells.append(check())
        nb.cells = cells
        return nb, resources


class ScrubTestOutputs(NbGraderPreprocessor):
    """Replace the traceback of a failed test cell by its one-line error; drop outputs quoting the source."""

    instructor_lines = List(Unicode(), help="lines of solutions and hidden tests no output may quote").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [error_line(output)]
        if self.instructor_lines and cell.get("outputs"):
            cell["outputs"] = [_NOTICE if self._quotes_source(o) else o for o in cell["outputs"]]
        return cell, resources

    def _quotes_source(self, output) -> bool:
        # not the traceback: it quotes the student's own code, which may equal a solution line
        text = str(output.get("text", "")) + str(output.get("evalue", "")) + str(output.get("data", ""))
        return any(line in text for line in self.instructor_lines)


_NOTICE = nbformat.v4.new_output("stream", name="stdout",
                                 text="[output removed by the grader: it quoted the instructor's notebook]\n")


def instructor_lines(source_nb, min_length: int = 20) -> list[str]:
    """Lines of the solution regions and hidden tests of a source notebook, at least ``min_length`` long."""
    found, inside = set(), False
    for cell in source_nb.cells:
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif marker in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif inside and len(marker) >= min_length:
                found.add(marker)
        inside = False
    return sorted(found)


def error_line(output) -> str:
    """``"AssertionError: message"`` for an nbformat error output."""
    name, value = output.get("ename", "Error"), output.get("evalue", "")
    return f"{name}: {value}" if value else name


class _SchemaCheckedOnce(BaseMetadataValidator):
    """nbgrader's per-cell schema check, its jsonschema validator built once (see :class:`CheckCellMetadata`)."""

    _compiled = None

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if self._compiled is None:
            validator_class = validator_for(self.schema)
            validator_class.check_schema(self.schema)
            self._compiled = validator_class(self.schema)
        error = best_match(self._compiled.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class _MetadataValidator(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's MetadataValidator; its own checks call ``super().validate_cell``, which is now :class:`_SchemaCheckedOnce`'s."""


@functools.lru_cache(maxsize=None)
def _metadata_validator() -> _MetadataValidator:
    """The process's one validator (its schema read and compiled once)."""
    return _MetadataValidator()


class CheckCellMetadata(nbgrader_preprocessors.CheckCellMetadata):
    """nbgrader's CheckCellMetadata: the same checks, errors and log, its schema compiled once per process."""

    def preprocess(self, nb, resources):
        try:
            _metadata_validator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message)
        return nb, resources
