"""The allow-list enforced by real grading of chapter notebooks (slow: real kernels)."""

from __future__ import annotations

import nbformat
import pytest

from autograder.notebooks import is_exercise_cell, nbgrader_metadata, strip_solution_markers
from grading_helpers import REPO, autograder, full_autograded_marks, read_grades

pytestmark = pytest.mark.slow

# (student, chapter, exercise, source of the exercise cell)
SUBMISSIONS = [
    ("corr2d-via-conv2d", "01_convolution", "corr2d",
     "import numpy as np\nimport cnnkit\n\n\ndef corr2d(x, k):\n"
     "    return cnnkit.conv2d(np.asarray(x, float)[None, None], np.asarray(k, float)[None, None])[0, 0]\n"),
    ("avg-pool-via-grouped-conv2d", "03_pooling", "avg_pool2d",
     "import numpy as np\nimport cnnkit\n\n\ndef avg_pool2d(x, kernel_size, stride=None, padding=0):\n"
     "    k = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)\n"
     "    w = np.ones((x.shape[1], 1) + k, dtype=x.dtype) / (k[0] * k[1])\n"
     "    return cnnkit.conv2d(x, w, stride=kernel_size if stride is None else stride, padding=padding,\n"
     "                         groups=x.shape[1])\n"),
    ("depthwise-with-conv2d", "05_conv1x1", "depthwise_separable_conv",
     "import cnnkit\n\n\ndef depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):\n"
     "    filtered = cnnkit.conv2d(x, w_depthwise, stride=stride, padding=padding, groups=x.shape[1])\n"
     "    return conv1x1(filtered, w_pointwise)\n"),
]


def _submission(chapter: str, exercise: str, source: str):
    """The released notebook with every exercise solved, ``exercise`` holding ``source``."""
    solved = {nbgrader_metadata(c)["grade_id"]: strip_solution_markers(c.source)
              for c in nbformat.read(REPO / "solutions" / chapter / f"{chapter}.ipynb", as_version=4).cells
              if is_exercise_cell(c)}
    solved[exercise] = source
    nb = nbformat.read(REPO / "course" / chapter / f"{chapter}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if is_exercise_cell(cell) and grade_id in solved:
            cell.source = solved[grade_id]
    return nb


def test_only_what_the_line_allows_earns_points(tmp_path):
    """Do corr2d through conv2d and avg_pool2d through a grouped conv2d earn nothing, and an allowed conv2d full marks?"""
    inbox = tmp_path / "inbox"
    for student, chapter, exercise, source in SUBMISSIONS:
        folder = inbox / student / chapter
        folder.mkdir(parents=True)
        nbformat.write(_submission(chapter, exercise, source), folder / f"{chapter}.ipynb")
    autograder("grade", inbox, "--out", tmp_path / "out", "--jobs", 1, "--no-feedback", "--timeout", 120)
    grades = read_grades(tmp_path / "out" / "grades.csv")
    for student, chapter, exercise, _ in SUBMISSIONS[:2]:
        row = grades[student]
        own = {c: row[c] for c in row if c.startswith(f"test_{exercise}") and row[c] != ""}
        assert own and all(float(v) == 0 for v in own.values()), (student, own)
        assert row["status"] == "graded" and f"forbidden call: {exercise} called cnnkit.conv.conv2d" in row["reason"], row
    allowed = grades["depthwise-with-conv2d"]
    assert allowed["status"] == "graded" and full_autograded_marks(allowed, REPO / "solutions"), allowed
