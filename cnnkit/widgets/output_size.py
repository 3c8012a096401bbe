"""Output-size explorer (chapter 02): input size, kernel, stride, padding, dilation.

The picture is the padded input with every window position and, in each cell,
how many windows read it. The status line compares the student's
``conv_output_size`` with the formula; the verdict line says plainly when no
window fits (o <= 0) or when some input rows are never read.

>>> explorer = OutputSizeExplorer(conv_output_size)
>>> explorer.controls["stride"].value = 2
>>> explorer.output_size
3
"""

from __future__ import annotations

import html

from cnnkit.widgets._base import Explorer, call_student, figure_to_png, ipywidgets

__all__ = ["OutputSizeExplorer", "unused_input_cells"]


def unused_input_cells(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                       dilation: int = 1) -> list[int]:
    """Indices of the input cells (along one axis) that no window reads."""
    from cnnkit.plotting.grids import window_coverage

    coverage = window_coverage(size, kernel_size, stride, padding, dilation)
    return [i for i in range(size) if coverage[padding + i] == 0]


class OutputSizeExplorer(Explorer):
    """Sliders for ``i, k, s, p, d`` with the student's output size beside the formula's.

    Parameters
    ----------
    student : callable or None
        ``conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1)``
        returning an int. For a combination where no window fits it must raise
        ``ValueError``, as :func:`cnnkit.conv_output_size` does (returning the
        formula's number <= 0 is shown as a difference).

    Attributes
    ----------
    controls : dict
        ``size``, ``kernel_size``, ``stride``, ``padding``, ``dilation`` (IntSliders).
    output_size : int
        ``floor((i + 2p - d(k-1) - 1) / s) + 1``; may be <= 0 for an invalid combination.
    unused : list of int
        Input rows (and, the input being square, columns) that no window reads.
    verdict : ipywidgets.HTML
        The formula with the numbers filled in, and the warnings.
    """

    title = "Output size: o = floor((i + 2p - d(k-1) - 1) / s) + 1"

    def __init__(self, student=None):
        super().__init__()
        widgets = ipywidgets()
        self.student = student
        self.output_size = 0
        self.unused: list[int] = []

        def slider(name, value, low, high):
            return widgets.IntSlider(value=value, min=low, max=high, description=name,
                                     continuous_update=False)

        self.controls = {
            "size": slider("input i", 7, 1, 14),
            "kernel_size": slider("kernel k", 3, 1, 7),
            "stride": slider("stride s", 1, 1, 4),
            "padding": slider("padding p", 0, 0, 4),
            "dilation": slider("dilation d", 1, 1, 3),
        }
        self.verdict = widgets.HTML()
        self._assemble([self.verdict])

    def _values(self):
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        from cnnkit.plotting.grids import show_padded_windows
        from cnnkit.sizes import window_count

        v = self._values()
        i, k, s, p, d = v["size"], v["kernel_size"], v["stride"], v["padding"], v["dilation"]
        span = d * (k - 1) + 1
        self.output_size = window_count(i, k, s, p, d)
        lines = [f"o = floor(({i} + 2*{p} - {d}*({k}-1) - 1) / {s}) + 1 = {self.output_size}"]
        if self.output_size <= 0:
            self.unused = list(range(i))
            lines.append(f"Invalid: the window spans {span} cells but the padded input has only "
                         f"{i + 2 * p}; no window fits (o = {self.output_size} <= 0).")
        else:
            self.unused = unused_input_cells(i, k, s, p, d)
            if self.unused:
                lines.append(f"Warning: input rows/columns {self.unused} are never read by any "
                             f"window (red cells): the stride skips them.")
            if p >= span:
                lines.append(f"Warning: padding {p} >= window span {span}: some windows see only zeros.")
        self.verdict.value = "<br>".join(html.escape(line) for line in lines)
        self.image.value = figure_to_png(show_padded_windows(i, k, s, p, d))
        self._compare(self.student, v)

    def _compare(self, student, v) -> None:
        outcome = call_student(student, v["size"], v["kernel_size"], stride=v["stride"],
                               padding=v["padding"], dilation=v["dilation"],
                               name="conv_output_size")
        expected = self.output_size
        if outcome.kind == "missing":
            self.set_status("missing", outcome.message)
        elif outcome.kind == "error":
            if expected <= 0 and "ValueError" in outcome.message:
                self.set_status("ok", "your conv_output_size rejects this combination, as it should")
            else:
                self.set_status("error", outcome.message)
        else:
            given = outcome.value
            try:
                same = expected > 0 and int(given) == given == expected
            except (TypeError, ValueError):
                same = False
            if same:
                self.set_status("ok", f"your conv_output_size gives {expected}, as the formula does")
            elif expected <= 0:
                self.set_status("differs", f"your conv_output_size gives {given!r}, but no window fits: "
                                           "raise a ValueError, as cnnkit.conv_output_size does")
            else:
                self.set_status("differs", f"your conv_output_size gives {given!r}, "
                                           f"the formula gives {expected}")
