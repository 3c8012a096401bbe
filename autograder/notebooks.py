"""Reading notebooks and knowing their nbgrader cells.

A source notebook (``solutions/NN_name/NN_name.ipynb``) tells the grader which
cells are exercises, which are tests and how many points each test is worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

#: Cell metadata keys dropped from released notebooks (editor state, timings).
_VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "jupyter")


@dataclass(frozen=True)
class GradedCell:
    """One cell that carries points.

    Attributes
    ----------
    grade_id : str
    points : float
    autograded : bool
        True for a test cell, False for a manually graded answer.
    """

    grade_id: str
    points: float
    autograded: bool


def nbgrader_metadata(cell) -> dict:
    """The cell's ``"nbgrader"`` metadata, or an empty dict."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def is_test_cell(cell) -> bool:
    """An autograder-test cell: graded, not a solution, code."""
    meta = nbgrader_metadata(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def is_exercise_cell(cell) -> bool:
    """An autograded-answer cell: a solution that is not graded by hand."""
    meta = nbgrader_metadata(cell)
    return bool(meta.get("solution")) and not meta.get("grade") and cell.get("cell_type") == "code"


def graded_cells(nb) -> list[GradedCell]:
    """Every cell with points, in notebook order."""
    found = []
    for cell in nb.cells:
        meta = nbgrader_metadata(cell)
        if meta.get("grade"):
            found.append(GradedCell(meta["grade_id"], float(meta.get("points", 0)), is_test_cell(cell)))
    return found


def read_notebook(path: Path):
    """Read ``path`` as an nbformat v4 notebook; ValueError names the file if it is not one."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as error:  # json errors, schema errors, decoding errors
        raise ValueError(f"{Path(path).name} is not a readable notebook ({type(error).__name__}: "
                         f"{str(error).splitlines()[0] if str(error) else ''})") from None
    return nb


def normalised_text(nb) -> str:
    """Stable text of ``nb``: no outputs or execution counts, no editor metadata, sorted keys."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    language = nb.metadata.get("language_info")
    if isinstance(language, dict):
        nb.metadata["language_info"] = {k: v for k, v in language.items() if k in ("name",)}
    return nbformat.writes(nb) + "\n"


def strip_solution_markers(source: str) -> str:
    """The source of a solution cell with its ``### BEGIN/END SOLUTION`` lines removed."""
    return "\n".join(
        line for line in source.splitlines()
        if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )
