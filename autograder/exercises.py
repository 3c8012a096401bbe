"""What each exercise of a chapter is: the names it defines and what it may call.

Every exercise (an autograded-answer cell whose ``grade_id`` is not ``q_*``)
is introduced by a markdown cell, and the line of that cell that starts with
``**You may call:**`` is the exercise's allow-list, read by the student and by
the grader alike::

    **You may call:** numpy only (no cnnkit).
    **You may call:** numpy, `cnnkit.conv2d`.

cnnkit names are written in backticks as ``cnnkit.NAME`` (``cnnkit.nn.Sequential``
for the layers library). While the exercise's function runs at grading time,
every other cnnkit computation is forbidden (:mod:`autograder.guard`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.cnnkit_code import resolve
from autograder.notebooks import is_exercise_cell, nbgrader_metadata, read_notebook, strip_solution_markers

ALLOW_LINE = re.compile(r"^\s*\*\*You may call:\*\*\s*(?P<body>.+?)\s*$")
_CNNKIT_NAME = re.compile(r"`(cnnkit(?:\.[A-Za-z_]\w*)+)`")
NUMPY_ONLY = "numpy only (no cnnkit)."


@dataclass(frozen=True)
class Exercise:
    """One exercise of a source notebook.

    Attributes
    ----------
    grade_id : str
        The grade_id of the exercise cell (``corr2d``, ``conv2d_layer``).
    names : tuple of str
        Functions and classes the solution defines at the top level (``("Conv2d",)``).
    allowed : tuple of str
        cnnkit names the exercise may call, as written (``("cnnkit.conv2d",)``).
    """

    grade_id: str
    names: tuple
    allowed: tuple


def is_exercise(cell) -> bool:
    """An exercise cell proper: an answer cell that is not a check-yourself ``q_*`` cell."""
    return is_exercise_cell(cell) and not nbgrader_metadata(cell).get("grade_id", "q_").startswith("q_")


def allow_lines(source: str) -> list[str]:
    """The bodies of the ``**You may call:**`` lines of a markdown source."""
    return [m.group("body") for m in map(ALLOW_LINE.match, source.splitlines()) if m]


def parse_allowed(body: str, where: str) -> tuple:
    """cnnkit names of one ``**You may call:**`` line; ValueError if it is malformed.

    Parameters
    ----------
    body : str
        The text after ``**You may call:**``.
    where : str
        Named in the error (``"01_convolution.ipynb, exercise corr2d"``).
    """
    names = tuple(_CNNKIT_NAME.findall(body))
    if not body.startswith("numpy"):
        raise ValueError(f"{where}: the 'You may call' line should start with 'numpy', got {body!r}")
    if not names and body != NUMPY_ONLY:
        raise ValueError(f"{where}: a 'You may call' line without cnnkit names must read "
                         f"{NUMPY_ONLY!r}, got {body!r}")
    for name in names:
        if resolve(name) is None:
            raise ValueError(f"{where}: `{name}` is not a public cnnkit name")
    return names


def defined_names(source: str) -> tuple:
    """Top-level functions and classes defined by a cell's source (solution markers removed)."""
    try:
        tree = ast.parse(strip_solution_markers(source))
    except SyntaxError:
        return ()
    return tuple(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))


def read_exercises(nb, where: str = "notebook") -> list[Exercise]:
    """Every exercise of a source notebook with its allow-list.

    Raises
    ------
    ValueError
        When the cell right before an exercise is not a markdown cell with
        exactly one well-formed ``**You may call:**`` line.
    """
    found = []
    for index, cell in enumerate(nb.cells):
        if not is_exercise(cell):
            continue
        grade_id = nbgrader_metadata(cell)["grade_id"]
        label = f"{where}, exercise {grade_id}"
        before = nb.cells[index - 1] if index else None
        if before is None or before.cell_type != "markdown":
            raise ValueError(f"{label}: the cell right before the exercise must be a markdown cell "
                             "with its '**You may call:**' line")
        lines = allow_lines(before.source)
        if len(lines) != 1:
            raise ValueError(f"{label}: expected exactly one '**You may call:**' line in the markdown "
                             f"cell before the exercise, found {len(lines)}")
        found.append(Exercise(grade_id, defined_names(cell.source), parse_allowed(lines[0], label)))
    return found


def source_exercises(source_assignment: Path) -> list[Exercise]:
    """The exercises of every notebook of ``solutions/NN_name`` (an empty list if it has none)."""
    found = []
    for path in sorted(Path(source_assignment).glob("*.ipynb")):
        found += read_exercises(read_notebook(path), path.name)
    return found


def exercise_of_test(test_id: str, exercises) -> str | None:
    """The exercise a test cell belongs to: the longest ``e`` with ``test_id`` = ``test_e`` or ``test_e_*``."""
    matches = [e for e in exercises if test_id == f"test_{e}" or test_id.startswith(f"test_{e}_")]
    return max(matches, key=len) if matches else None
