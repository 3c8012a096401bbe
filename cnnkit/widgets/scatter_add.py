"""Scatter-add stepper: a transposed convolution built one input pixel at a time.

Step ``t`` shows the output after the first ``t`` input pixels (row-major) have
each added their scaled copy of the kernel, as computed by the student's
``conv_transpose2d`` and by cnnkit's. Because a transposed convolution is linear,
the partial output after ``t`` steps is the transposed convolution of the input
with every later pixel set to zero, so the student's function is called exactly
as written. When the student's output differs, the status line names the known
mistake (:mod:`cnnkit.mistakes.transposed`) that gives the same output. A heat map counts how many kernel copies cover each output cell:
it is uneven (a checkerboard) whenever the kernel size is not a multiple of the
stride.

>>> from cnnkit.widgets.scatter_add import ScatterAddExplorer
>>> ScatterAddExplorer(None).status_kind
'missing'
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from cnnkit.checking import ForbiddenCall, diagnose
from cnnkit.mistakes.transposed import CONV_TRANSPOSE2D
from cnnkit.plotting.backprop import plot_grids
from cnnkit.plotting.transposed import overlap_counts
from cnnkit.widgets._base import Explorer, call_student, compare_outcome, figure_to_png, ipywidgets

__all__ = ["ScatterAddExplorer"]

INPUT = np.array([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0],
                  [7.0, 8.0, 9.0]])


class ScatterAddExplorer(Explorer):
    """Step through the scatter-add of a one-channel transposed convolution.

    Parameters
    ----------
    conv_transpose2d : callable or None
        The student's ``conv_transpose2d(x, w, b=None, stride=1, ...)`` with NCHW ``x``
        and IOHW ``w``; ``None`` shows "not implemented yet".

    Attributes
    ----------
    controls : dict
        ``"step"`` (pixels scattered so far, 0..9), ``"kernel"`` (side k), ``"stride"``.
    student_output, reference_output : ndarray or None, shape ((3 - 1) s + k, (3 - 1) s + k)
        The output after ``step`` pixels.
    counts : ndarray, shape like the output
        Kernel copies covering each output cell once every pixel is scattered.
    uneven : bool
        ``k % s != 0``: the number of copies per cell alternates (the checkerboard), or
        leaves gaps when ``s > k``.
    """

    title = "Transposed convolution, one input pixel at a time"

    def __init__(self, conv_transpose2d: Callable | None, reference: Callable | None = None) -> None:
        super().__init__()
        import cnnkit

        widgets = ipywidgets()
        self.student = conv_transpose2d
        self.reference = reference or cnnkit.conv_transpose2d
        self.x = INPUT.copy()
        self.student_output = None
        self.reference_output = None
        self.counts = None
        self.uneven = False
        slider = dict(continuous_update=False)
        self.controls = {
            "step": widgets.IntSlider(value=1, min=0, max=self.x.size, description="step", **slider),
            "kernel": widgets.IntSlider(value=3, min=1, max=5, description="kernel", **slider),
            "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride", **slider),
        }
        self._assemble()

    def _partial_input(self, step: int) -> np.ndarray:
        """The input with every pixel after the first ``step`` (row-major) set to zero."""
        kept = np.zeros(self.x.size)
        kept[:step] = 1
        return self.x * kept.reshape(self.x.shape)

    def refresh(self) -> None:
        step = self.controls["step"].value
        k = self.controls["kernel"].value
        s = self.controls["stride"].value
        w = np.arange(1.0, k * k + 1).reshape(k, k)
        partial = self._partial_input(step)
        self.reference_output = self.reference(partial[None, None], w[None, None], stride=s)[0, 0]
        if self.student is None:
            outcome = call_student(None, name="conv_transpose2d")
        else:
            outcome = call_student(self.student, partial[None, None], w[None, None], stride=s,
                                   name="conv_transpose2d")
        kind, message = compare_outcome(outcome, self.reference_output[None, None],
                                        name="conv_transpose2d")
        self.student_output = np.asarray(outcome.value, dtype=float)[0, 0] if kind in ("ok", "differs") \
            and np.shape(outcome.value) == (1, 1) + self.reference_output.shape else None
        self.counts = overlap_counts(self.x.shape, k, s)
        self.uneven = k % s != 0
        if kind == "ok":
            message += f" after {step} of {self.x.size} pixels"
        elif kind == "differs":
            found = diagnose(outcome.value, self._known_mistakes(partial, w, s))
            if found:
                message += f" -- it equals what you get when {found}"
        self.set_status(kind, message)
        self.image.value = figure_to_png(self._figure(step, w))

    def _known_mistakes(self, partial: np.ndarray, w: np.ndarray, stride: int) -> dict:
        """``{description: output}`` of each known mistake that differs from the reference here."""
        outputs = {}
        for description, mistake in CONV_TRANSPOSE2D.items():
            try:
                output = mistake(partial[None, None], w[None, None], stride=stride)
            except (Exception, ForbiddenCall):  # a mistake that cannot run on this input cannot be the one
                continue
            if diagnose(output, {"reference": self.reference_output[None, None]}) is None:
                outputs[description] = output
        return outputs

    def _figure(self, step: int, w: np.ndarray):
        current = np.zeros(self.x.shape, dtype=bool)
        if step:
            current[np.unravel_index(step - 1, self.x.shape)] = True
        arrays = [self.x, w, self.reference_output]
        titles = [f"input: {step} scattered\n(framed: latest)", "kernel w", "reference output"]
        if self.student_output is not None and self.student_output.shape == self.reference_output.shape:
            arrays.append(self.student_output)
            titles.append("your output")
        arrays.append(self.counts)
        titles.append("copies per cell" + ("\n(uneven: checkerboard)" if self.uneven else "\n(even)"))
        masks = [current] + [None] * (len(arrays) - 1)
        cmaps = ["Greys", "Oranges", "Blues", "Purples", "Reds"]
        return plot_grids(arrays, titles, highlights=masks, cmaps=cmaps[:len(arrays) - 1] + ["Reds"])
