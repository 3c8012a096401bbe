"""Chapter 07 with the learner's own loop ops pasted in: slow but right must earn every point.

Chapter 07 invites pasting the loop versions of conv2d, max_pool2d and their backward passes
written in chapters 01-04. They are correct and about a thousand times slower than cnnkit's, so
training with them would run for a quarter of an hour and hit the 60 s cell timeout. The
chapter therefore trains with cnnkit's ops inside the learner's layers (TRAIN_OPS) and uses the
learner's ops only where a few calls suffice. This test grades such a notebook through the
real pipeline (`python -m autograder check`, default limits) and requires full marks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.notebooks import is_exercise_cell, nbgrader_metadata, strip_solution_markers

REPO = Path(__file__).resolve().parents[2]
NAME = "07_lenet"

# cnnkit's readable loop versions, standing for the learner's own chapter 01-04 functions.
LOOP_OPS = '''
from cnnkit.conv import conv2d_loops as my_conv2d, conv2d_backward_loops as my_conv2d_backward
from cnnkit.max_pool import max_pool2d_loops as my_max_pool2d, max_pool2d_backward_loops as my_max_pool2d_backward
'''


@pytest.mark.slow
def test_loop_ops_earn_every_point(tmp_path):
    """Does a notebook whose own ops are loops pass every autograded test within the cell timeout?"""
    source = nbformat.read(str(REPO / "solutions" / NAME / f"{NAME}.ipynb"), as_version=4)
    released = nbformat.read(str(REPO / "course" / NAME / f"{NAME}.ipynb"), as_version=4)
    solutions = {nbgrader_metadata(c)["grade_id"]: strip_solution_markers(c.source)
                 for c in source.cells if is_exercise_cell(c)}
    pasted = 0
    for cell in released.cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if is_exercise_cell(cell) and grade_id in solutions:
            cell.source = solutions[grade_id]
        elif cell.cell_type == "code" and cell.source.startswith("def my_conv2d("):
            cell.source = LOOP_OPS
            pasted += 1
    assert pasted == 1, "the cell of the learner's own ops (def my_conv2d ...) was not found"
    notebook = tmp_path / f"{NAME}.ipynb"
    nbformat.write(released, str(notebook))
    run = subprocess.run([sys.executable, "-m", "autograder", "check", str(notebook)], cwd=REPO,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"own loop ops lose points:\n{run.stdout}\n{run.stderr}"
