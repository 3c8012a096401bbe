"""Does the gradient-path explorer show the right cells and judge the student's backward fairly?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

import cnnkit  # noqa: E402
from cnnkit.widgets.gradient_paths import MODES, GradientPathsExplorer  # noqa: E402


def _backward_without_rotation(dout, x, w, stride=1, padding=0):
    """A classic mistake: scatter the kernel rotated by 180 degrees into dx."""
    dx, dw, db = cnnkit.conv2d_backward(dout, x, w, stride=stride, padding=padding)
    flipped = w[:, :, ::-1, ::-1].copy()
    dx_wrong, _, _ = cnnkit.conv2d_backward(dout, x, flipped, stride=stride, padding=padding)
    return dx_wrong, dw, db


def test_reference_is_ok_and_output_touches_its_window():
    """An output cell at stride 2 touches exactly the 3x3 window starting at (2 * row, 2 * col)."""
    explorer = GradientPathsExplorer(cnnkit.conv2d_backward)
    explorer.controls["stride"].value = 2
    explorer.controls["row"].value = 1
    explorer.controls["col"].value = 0
    assert explorer.status_kind == "ok"
    assert explorer.touched == [(r, c) for r in range(2, 5) for c in range(0, 3)]
    assert explorer.reference_map[2:5, 0:3].tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert explorer.image.value[:4] == b"\x89PNG"


def test_input_mode_lists_every_output_reached():
    """Input (3, 2) of a 6x6 image, 3x3 kernel, stride 1: outputs rows 1..3, cols 0..2; the map is the rotated kernel."""
    explorer = GradientPathsExplorer(cnnkit.conv2d_backward)
    explorer.controls["mode"].value = MODES[1]
    explorer.controls["row"].value = 3
    explorer.controls["col"].value = 2
    assert explorer.status_kind == "ok"
    assert explorer.touched == [(r, c) for r in range(1, 4) for c in range(0, 3)]
    assert explorer.reference_map[1:4, 0:3].tolist() == [[9, 8, 7], [6, 5, 4], [3, 2, 1]]


def test_padding_shrinks_the_touched_window_at_the_border():
    """With padding 1, output (0, 0) touches only the 2x2 corner of the real input."""
    explorer = GradientPathsExplorer(cnnkit.conv2d_backward)
    explorer.controls["padding"].value = 1
    assert explorer.touched == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_missing_error_and_wrong_functions_are_reported():
    """None -> missing; an exception -> error; an unrotated kernel -> differs with the index."""
    assert GradientPathsExplorer(None).status_kind == "missing"

    def broken(dout, x, w, stride=1, padding=0):
        raise IndexError("index 7 is out of bounds")

    explorer = GradientPathsExplorer(broken)
    assert explorer.status_kind == "error"
    assert "IndexError" in explorer.status.value

    explorer = GradientPathsExplorer(_backward_without_rotation)
    explorer.controls["row"].value = 1
    assert explorer.status_kind == "differs"
    assert "first mismatch" in explorer.status.value
    assert explorer.student_map is not None


def test_selection_is_clamped_when_the_output_shrinks():
    """Raising the stride shrinks the output grid; the selected cell stays inside it."""
    explorer = GradientPathsExplorer(cnnkit.conv2d_backward)
    explorer.controls["row"].value = 3
    explorer.controls["stride"].value = 3
    assert explorer.controls["row"].value <= 1
    assert explorer.status_kind == "ok"


def test_status_counts_in_the_right_number():
    """Input (1, 1) at stride 2 reaches one output: "1 output reached", never "1 outputs"."""
    explorer = GradientPathsExplorer(cnnkit.conv2d_backward)
    explorer.controls["stride"].value = 2
    explorer.controls["mode"].value = MODES[1]
    explorer.controls["row"].value = 1
    explorer.controls["col"].value = 1
    assert explorer.touched == [(0, 0)]
    assert "(1 output reached)" in explorer.status_message
    explorer.controls["mode"].value = MODES[0]
    assert "(9 inputs touched)" in explorer.status_message
