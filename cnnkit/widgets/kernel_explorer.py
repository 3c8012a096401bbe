"""Kernel explorer (chapter 01): a kernel slides over a photo.

Pick a classic kernel (or type your own) and a photo; the explorer shows the
input with the window at a chosen output position, the numbers under that
window, the kernel, the reference feature map and the student's ``corr2d``
result beside it.

>>> explorer = KernelExplorer(corr2d)          # corr2d written in the notebook
>>> explorer.controls["kernel"].value = "sharpen"
>>> explorer.status_kind
'ok'
"""

from __future__ import annotations

import html
import re

import numpy as np

from cnnkit.widgets._base import Explorer, call_student, compare_outcome, figure_to_png, ipywidgets

__all__ = ["CUSTOM", "KERNELS", "KernelExplorer", "parse_kernel"]

#: The classic 3x3 kernels of chapter 01, by name.
KERNELS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "edge (diagonal)": [[1, 0, -1], [0, 0, 0], [-1, 0, 1]],
    "edge (all directions)": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box blur": (np.ones((3, 3)) / 9).tolist(),
    "gaussian blur": (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16).tolist(),
    "vertical edge (Sobel)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
}
#: The dropdown entry that reads the kernel typed in the text box.
CUSTOM = "custom (type below)"


def parse_kernel(text: str) -> np.ndarray:
    """Read a kernel typed as rows separated by ``;`` or new lines, numbers by spaces or commas.

    Fractions such as ``1/9`` are allowed.

    >>> parse_kernel("1 0 -1; 2 0 -2; 1 0 -1").shape
    (3, 3)
    """
    rows = [row for row in re.split(r"[;\n]", str(text)) if row.strip()]
    if not rows:
        raise ValueError("the kernel is empty: type rows such as '0 -1 0; -1 5 -1; 0 -1 0'")
    matrix = []
    for row in rows:
        numbers = []
        for token in re.split(r"[,\s]+", row.strip()):
            if not re.fullmatch(r"[-+]?[\d.]+(/[\d.]+)?", token):
                raise ValueError(f"cannot read {token!r} as a number")
            top, _, bottom = token.partition("/")
            numbers.append(float(top) / (float(bottom) if bottom else 1.0))
        matrix.append(numbers)
    if len({len(row) for row in matrix}) != 1:
        raise ValueError(f"every row needs the same number of entries, got {[len(r) for r in matrix]}")
    return np.array(matrix)


def _default_reference(x, k):
    import cnnkit

    return cnnkit.corr2d(x, k)


class KernelExplorer(Explorer):
    """Slide a kernel over a photo with the student's ``corr2d`` and the reference.

    Parameters
    ----------
    student : callable or None
        ``corr2d(x, k)`` taking ``x`` (H, W) and ``k`` (kh, kw), returning the
        valid cross-correlation (H - kh + 1, W - kw + 1). ``None`` shows
        "not implemented yet".
    reference : callable, optional
        Defaults to ``cnnkit.corr2d``.
    shrink_by : int
        Shrink the photos this many times (4 makes Grace Hopper 150 x 128), so
        that a loop implementation answers quickly.

    Attributes
    ----------
    controls : dict
        ``kernel`` (dropdown of :data:`KERNELS`), ``custom`` (text), ``photo``,
        ``row`` and ``col`` (the output position whose window is marked).
    kernel, reference_output, student_output : ndarray or None
        What the last refresh used and computed.
    readout : ipywidgets.HTML
        The sum of products at the marked position, reference and student's.
    """

    title = "Kernel explorer: slide a kernel over a photo"

    def __init__(self, student=None, *, reference=None, shrink_by: int = 4):
        super().__init__()
        from cnnkit.images import PHOTOS, load_photo

        widgets = ipywidgets()
        self.student = student
        self.reference = reference or _default_reference
        self.photos = {name: load_photo(name, gray=True, shrink_by=max(1, shrink_by // 2)
                                        if name == "present" else shrink_by) for name in PHOTOS}
        self.kernel = self.reference_output = self.student_output = None
        self._busy = False
        self.controls = {
            "kernel": widgets.Dropdown(options=[*KERNELS, CUSTOM], value="edge (all directions)",
                                       description="kernel"),
            "custom": widgets.Text(value="1 0 -1; 2 0 -2; 1 0 -1", description="custom",
                                   continuous_update=False),
            "photo": widgets.Dropdown(options=list(self.photos), value="grace_hopper",
                                      description="photo"),
            "row": widgets.IntSlider(value=40, min=0, max=147, description="window row",
                                     continuous_update=False),
            "col": widgets.IntSlider(value=60, min=0, max=125, description="window col",
                                     continuous_update=False),
        }
        self.readout = widgets.HTML()
        self._assemble([self.readout])

    def _current_kernel(self) -> np.ndarray:
        name = self.controls["kernel"].value
        if name == CUSTOM:
            return parse_kernel(self.controls["custom"].value)
        return np.array(KERNELS[name], dtype=float)

    def _fit_sliders(self, out_h: int, out_w: int) -> None:
        self._busy = True  # changing a slider's max may move its value: no nested refresh
        try:
            for key, size in (("row", out_h), ("col", out_w)):
                slider = self.controls[key]
                slider.max = max(size - 1, 0)
                slider.value = min(slider.value, slider.max)
        finally:
            self._busy = False

    def refresh(self) -> None:
        if self._busy:
            return
        x = self.photos[self.controls["photo"].value]
        try:
            kernel = self._current_kernel()
        except ValueError as error:
            self.readout.value = ""
            self.set_status("error", f"cannot read the custom kernel: {error}")
            return
        if kernel.shape[0] > x.shape[0] or kernel.shape[1] > x.shape[1]:
            self.set_status("error", f"the kernel {kernel.shape} is larger than the photo {x.shape}")
            return
        self.kernel = kernel
        self.reference_output = np.asarray(self.reference(x, kernel))
        self._fit_sliders(*self.reference_output.shape)
        outcome = call_student(self.student, x, kernel, name="corr2d")
        kind, message = compare_outcome(outcome, self.reference_output, name="corr2d")
        self.student_output = np.asarray(outcome.value, dtype=float) if outcome.kind == "ok" else None
        self._draw(x, kernel)
        self.set_status(kind, message)

    def _draw(self, x: np.ndarray, kernel: np.ndarray) -> None:
        import matplotlib.pyplot as plt

        from cnnkit.plotting.grids import draw_matrix, outline
        from cnnkit.plotting.images import show_image

        row, col = self.controls["row"].value, self.controls["col"].value
        kh, kw = kernel.shape
        patch = x[row:row + kh, col:col + kw]
        expected = float(self.reference_output[row, col])
        theirs = ""
        if self.student_output is not None and self.student_output.shape == self.reference_output.shape:
            theirs = f"; yours: {float(self.student_output[row, col]):.4g}"
        self.readout.value = html.escape(
            f"out[{row}, {col}] = sum(window * kernel) = {expected:.4g}{theirs}")
        figure, axes = plt.subplots(1, 5, figsize=(15, 3.2))
        show_image(axes[0], x, title=f"input {x.shape}")
        outline(axes[0], row, col, kh, kw, linewidth=1.5)
        draw_matrix(axes[1], patch, fmt="{:.0f}")
        axes[1].set_title(f"window x[{row}:{row + kh}, {col}:{col + kw}]", fontsize=10)
        draw_matrix(axes[2], kernel, fmt="{:.3g}", cmap="coolwarm", symmetric=True)
        axes[2].set_title(f"kernel {kernel.shape}", fontsize=10)
        show_image(axes[3], self.reference_output, title=f"reference {self.reference_output.shape}")
        outline(axes[3], row, col, 1, 1, linewidth=1.5)
        if self.student_output is not None and self.student_output.ndim == 2:
            show_image(axes[4], self.student_output, title=f"yours {self.student_output.shape}")
        else:
            axes[4].axis("off")
            axes[4].text(0.5, 0.5, "your corr2d:\nnothing to show yet", ha="center", va="center")
        figure.subplots_adjust(wspace=0.25)
        self.image.value = figure_to_png(figure)
