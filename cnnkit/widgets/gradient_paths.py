"""Gradient-path explorer: which inputs and weights one output touched, which outputs one input reaches.

The explorer runs the student's ``conv2d_backward`` on a one-channel example
and draws what it returns next to what ``cnnkit.conv2d_backward`` returns.

- Mode ``"output -> inputs"``: pick an output cell ``(row, col)``. The upstream
  gradient is one-hot at that cell, so ``dx`` is the kernel laid over the
  window that produced the cell (the inputs it touched, each weighted by the
  weight that multiplied it) and ``dw`` is that window of the input (what each
  weight was multiplied by).
- Mode ``"input -> outputs"``: pick an input cell. For every output cell the
  explorer asks the student's function for ``d out[i, j] / d x[row, col]``
  (one backward call per output cell); the non-zero entries are every output
  the input reaches.

>>> from cnnkit.widgets.gradient_paths import GradientPathsExplorer
>>> explorer = GradientPathsExplorer(None)          # nothing written yet
>>> explorer.status_kind
'missing'
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from cnnkit.plotting.backprop import one_hot, plot_grids
from cnnkit.sizes import window_count
from cnnkit.widgets._base import Explorer, call_student, compare_outcome, figure_to_png, ipywidgets

__all__ = ["GradientPathsExplorer", "MODES"]

MODES = ("output -> inputs", "input -> outputs")
INPUT_SIZE = 6


def example_input(size: int = INPUT_SIZE) -> np.ndarray:
    """The fixed input image, shape (size, size): small integers, easy to read off the picture."""
    return (np.arange(size * size).reshape(size, size) % 7 + 1).astype(np.float64)


def example_kernel(k: int) -> np.ndarray:
    """A k x k kernel 1..k*k, so that a rotated or unrotated kernel is visible at a glance."""
    return np.arange(1, k * k + 1, dtype=np.float64).reshape(k, k)


def _count(number: int, noun: str) -> str:
    """``"1 output"``, ``"4 outputs"``: a count with its noun in the right number."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


class GradientPathsExplorer(Explorer):
    """Follow the gradient of one conv2d output back to its inputs, or one input forward to its outputs.

    Parameters
    ----------
    conv2d_backward : callable or None
        The student's ``conv2d_backward(dout, x, w, stride, padding) -> (dx, dw, db)``
        with NCHW ``dout``/``x`` and OIHW ``w``; ``None`` shows "not implemented yet".

    Attributes
    ----------
    controls : dict
        ``"mode"`` (one of :data:`MODES`), ``"kernel"``, ``"stride"``, ``"padding"``,
        ``"row"``, ``"col"`` (the selected output or input cell).
    student_map, reference_map : ndarray or None
        What is compared: in ``"output -> inputs"`` mode the ``dx`` of a one-hot
        upstream gradient, shape (6, 6); in ``"input -> outputs"`` mode
        ``d out / d x[row, col]`` for every output cell, shape (OH, OW).
    touched : list of (int, int)
        Cells where the reference map is non-zero: the inputs the selected output
        touched, or the outputs the selected input reaches.
    """

    title = "Gradient paths through a convolution"

    def __init__(self, conv2d_backward: Callable | None, reference: Callable | None = None) -> None:
        super().__init__()
        import cnnkit

        widgets = ipywidgets()
        self.student = conv2d_backward
        self.reference = reference or cnnkit.conv2d_backward
        self.x = example_input()
        self.student_map = None
        self.reference_map = None
        self.touched: list[tuple[int, int]] = []
        slider = dict(continuous_update=False)
        self.controls = {
            "mode": widgets.Dropdown(options=list(MODES), value=MODES[0], description="mode"),
            "kernel": widgets.IntSlider(value=3, min=1, max=4, description="kernel", **slider),
            "stride": widgets.IntSlider(value=1, min=1, max=3, description="stride", **slider),
            "padding": widgets.IntSlider(value=0, min=0, max=2, description="padding", **slider),
            "row": widgets.IntSlider(value=0, min=0, max=INPUT_SIZE - 1, description="row", **slider),
            "col": widgets.IntSlider(value=0, min=0, max=INPUT_SIZE - 1, description="col", **slider),
        }
        self._assemble()

    # -- geometry -------------------------------------------------------------------------
    def _setting(self):
        k = self.controls["kernel"].value
        s = self.controls["stride"].value
        p = min(self.controls["padding"].value, k - 1)
        out = window_count(INPUT_SIZE, k, s, p)
        return k, s, p, out

    def _clamp_cell(self, limit: int) -> tuple[int, int]:
        """Keep the row/col sliders inside the grid being selected from."""
        for name in ("row", "col"):
            control = self.controls[name]
            if control.max != limit - 1:
                control.max = limit - 1  # may clamp .value, which re-enters refresh: harmless
        return self.controls["row"].value, self.controls["col"].value

    # -- the two maps ---------------------------------------------------------------------
    def _backward(self, function, dout, w, s, p):
        return function(dout[None, None], self.x[None, None], w[None, None], stride=s, padding=p)

    def _dx_of(self, function, cell, out, w, s, p):
        if function is None:
            return call_student(None, name="conv2d_backward")
        outcome = call_student(self._backward, function, one_hot((out, out), cell), w, s, p,
                               name="conv2d_backward")
        if outcome.kind == "ok":
            value = outcome.value
            if not isinstance(value, tuple) or len(value) != 3:
                outcome.kind, outcome.message = "error", (
                    "conv2d_backward should return a tuple (dx, dw, db)")
            else:
                outcome.value = np.asarray(value[0], dtype=float).reshape(-1)[: INPUT_SIZE ** 2]
                if np.asarray(value[0]).size != INPUT_SIZE ** 2:
                    outcome.kind, outcome.message = "differs", (
                        f"your dx has shape {np.shape(value[0])}, expected (1, 1, 6, 6): dx is shaped like x")
                else:
                    outcome.value = outcome.value.reshape(INPUT_SIZE, INPUT_SIZE)
        return outcome

    def _maps(self, function, mode, cell, out, w, s, p):
        """Return an Outcome whose value is the map drawn for ``function``."""
        if mode == MODES[0]:
            return self._dx_of(function, cell, out, w, s, p)
        reach = np.zeros((out, out))
        for target in np.ndindex(out, out):
            outcome = self._dx_of(function, target, out, w, s, p)
            if outcome.kind != "ok":
                return outcome
            reach[target] = outcome.value[cell]
        outcome.value = reach
        return outcome

    # -- drawing --------------------------------------------------------------------------
    def refresh(self) -> None:
        mode = self.controls["mode"].value
        k, s, p, out = self._setting()
        w = example_kernel(k)
        cell = self._clamp_cell(out if mode == MODES[0] else INPUT_SIZE)
        reference = self._maps(self.reference, mode, cell, out, w, s, p)
        self.reference_map = reference.value
        self.touched = [tuple(int(v) for v in c) for c in np.argwhere(self.reference_map != 0)]
        student = self._maps(self.student, mode, cell, out, w, s, p)
        self.student_map = student.value if student.kind == "ok" else None
        kind, message = compare_outcome(student, self.reference_map, name="conv2d_backward")
        if kind == "ok":
            noun, verb = ("input", "touched") if mode == MODES[0] else ("output", "reached")
            message += f" ({_count(len(self.touched), noun)} {verb})"
        self.set_status(kind, message)
        self.image.value = figure_to_png(self._figure(mode, cell, out, w))

    def _figure(self, mode, cell, out, w):
        touched = self.reference_map != 0
        if mode == MODES[0]:
            input_title, input_mask = "input x\n(framed: touched)", touched
            label = "dx, one-hot dout"
        else:
            input_title, input_mask = f"input x\ncell {cell}", one_hot(self.x.shape, cell) > 0
            label = "d out / d x[cell]"
        arrays, titles = [self.x, w, self.reference_map], [input_title, "kernel w", f"reference\n{label}"]
        if self.student_map is not None:
            arrays.append(self.student_map)
            titles.append(f"yours\n{label}")
        masks = [input_mask, None] + [touched] * (len(arrays) - 2)
        return plot_grids(arrays, titles, highlights=masks,
                          cmaps=["gray", "Oranges", "Blues", "Purples"][: len(arrays)])
