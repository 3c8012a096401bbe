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

# Loops as a learner writes them in chapters 02-04 (numpy only: cnnkit's own loop versions would
# be calls the exercises' "You may call" lines forbid).
LOOP_OPS = '''
def my_conv2d(x, w, b=None, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n_batch, _, h, width = xp.shape
    filters, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (width - kw) // stride + 1
    out = np.zeros((n_batch, filters, oh, ow))
    for n in range(n_batch):
        for f in range(filters):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[n, f, i, j] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return out


def my_conv2d_backward(dout, x, w, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp, dw = np.zeros_like(xp, dtype=float), np.zeros_like(w, dtype=float)
    filters, _, kh, kw = w.shape
    for n in range(dout.shape[0]):
        for f in range(filters):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]
                    dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]
    dx = dxp[:, :, padding:dxp.shape[2] - padding, padding:dxp.shape[3] - padding]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def my_max_pool2d(x, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    oh = (xp.shape[2] - kernel_size) // stride + 1
    ow = (xp.shape[3] - kernel_size) // stride + 1
    out = np.zeros(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out


def my_max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    dxp = np.zeros_like(xp, dtype=float)
    for n in range(dout.shape[0]):
        for c in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = xp[n, c, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
                    m, l = np.unravel_index(np.argmax(window), window.shape)
                    dxp[n, c, i * stride + m, j * stride + l] += dout[n, c, i, j]
    return dxp[:, :, padding:dxp.shape[2] - padding, padding:dxp.shape[3] - padding]
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
