"""Pooling explorer (chapter 03): window, stride and padding sliders over a small feature map.

For max pooling the picture fills, in each window's colour, the input cell that
wins the window (the first maximum, row by row, as PyTorch picks it); for average
pooling it outlines the cells each output averages. Padding cells are drawn grey
around the map: -inf for max pooling (they never win), 0 for average pooling
(counted in the divisor). The student's pooled map is drawn beside the reference's.

>>> explorer = PoolingExplorer(max_pool2d, avg_pool2d)
>>> explorer.controls["kernel_size"].value = 3
>>> explorer.controls["stride"].value = 1      # overlapping windows
>>> explorer.status_kind
'ok'
"""

from __future__ import annotations

import html

import numpy as np

from cnnkit.widgets._base import Explorer, call_student, compare_outcome, figure_to_png, ipywidgets

__all__ = ["PoolingExplorer", "sample_feature_map"]


def sample_feature_map(size: int = 6, seed: int = 3) -> np.ndarray:
    """A ``size x size`` map of small integers (0..9), with ties, as floats."""
    return np.random.default_rng(seed).integers(0, 10, size=(size, size)).astype(float)


class PoolingExplorer(Explorer):
    """Max or average pooling of a small map with the student's functions and cnnkit's.

    Parameters
    ----------
    max_pool, avg_pool : callable or None
        The student's ``max_pool2d(x, kernel_size, stride=None, padding=0)`` and
        ``avg_pool2d(...)`` taking ``x`` of shape (N, C, H, W); ``None`` shows
        "not implemented yet".
    feature_map : ndarray, shape (H, W), optional
        Defaults to :func:`sample_feature_map` (6 x 6).

    Attributes
    ----------
    controls : dict
        ``mode`` ("max" or "avg"), ``kernel_size``, ``stride`` and ``padding``
        (IntSliders; the padding goes up to ``kernel_size // 2``, as the exercises allow).
    padded : ndarray, shape (H + 2p, W + 2p)
        The map the windows slide over: -inf (max) or 0 (avg) in the padding.
    reference_output, student_output : ndarray, shape (OH, OW), or None
    winners : dict
        For max pooling, output cell ``(i, j)`` -> input cell ``(r, c)`` that wins it
        (coordinates of the unpadded map; padding never wins).
    explanation : ipywidgets.HTML
        How the first output cells are computed, in numbers.
    """

    title = "Pooling explorer: which cells does each output read?"

    def __init__(self, max_pool=None, avg_pool=None, *, feature_map=None):
        super().__init__()
        widgets = ipywidgets()
        self.students = {"max": max_pool, "avg": avg_pool}
        self.x = np.asarray(feature_map if feature_map is not None else sample_feature_map(), dtype=float)
        if self.x.ndim != 2:
            raise ValueError(f"PoolingExplorer: feature_map must be 2-D (H, W), got shape {self.x.shape}")
        self.reference_output = self.student_output = None
        self.winners: dict[tuple[int, int], tuple[int, int]] = {}
        self.controls = {
            "mode": widgets.ToggleButtons(options=["max", "avg"], value="max", description="pooling"),
            "kernel_size": widgets.IntSlider(value=2, min=1, max=min(4, *self.x.shape),
                                             description="window", continuous_update=False),
            "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride",
                                        continuous_update=False),
            "padding": widgets.IntSlider(value=0, min=0, max=1, description="padding",
                                         continuous_update=False),
        }
        self.padded = self.x
        # registered before _assemble's refresh observer, so the padding range follows the window first
        self.controls["kernel_size"].observe(self._limit_padding, names="value")
        self.explanation = widgets.HTML()
        self._assemble([self.explanation])

    def refresh(self) -> None:
        import cnnkit
        from cnnkit.plotting.grids import show_pooling

        mode = self.controls["mode"].value
        k, s = self.controls["kernel_size"].value, self.controls["stride"].value
        p = self.controls["padding"].value
        reference = cnnkit.max_pool2d if mode == "max" else cnnkit.avg_pool2d
        batch = self.x[None, None]
        self.reference_output = reference(batch, k, stride=s, padding=p)[0, 0]
        self.padded = np.pad(self.x, p, constant_values=-np.inf if mode == "max" else 0.0)
        name = f"{mode}_pool2d"
        outcome = call_student(self.students[mode], batch.copy(), k, stride=s, padding=p, name=name)
        kind, message = compare_outcome(outcome, self.reference_output[None, None], name=name)
        self.student_output = None
        if outcome.kind == "ok":
            given = np.asarray(outcome.value, dtype=float)
            if given.ndim == 4:
                self.student_output = given[0, 0]
        self._explain(mode, k, s, p)
        figure = show_pooling(self.padded, k, s, self.reference_output, mode=mode, yours=self.student_output)
        self._grey_out_padding(figure.axes[0], p)
        self.image.value = figure_to_png(figure)
        self.set_status(kind, message)

    def _limit_padding(self, change) -> None:
        """Padding goes up to k // 2 (every window keeps a real cell); lowering the limit clamps it, quietly."""
        holding, self._holding = self._holding, True
        try:
            self.controls["padding"].max = change["new"] // 2
        finally:
            self._holding = holding

    def _grey_out_padding(self, ax, p: int) -> None:
        from cnnkit.plotting.grids import outline

        height, width = self.padded.shape
        for top, left, rows, cols in [(0, 0, p, width), (height - p, 0, p, width),
                                      (p, 0, height - 2 * p, p), (p, width - p, height - 2 * p, p)]:
            if rows > 0 and cols > 0:
                outline(ax, top, left, rows, cols, color="#bbbbbb", fill=True, alpha=0.6, linewidth=0)
        if p:
            outline(ax, p, p, height - 2 * p, width - 2 * p, color="black", linewidth=1.5)
            fill = "-inf" if np.isinf(self.padded[0, 0]) else "0"
            ax.set_title(f"input {self.x.shape} padded by {p} ({fill}), window "
                         f"{self.controls['kernel_size'].value}, stride {self.controls['stride'].value}",
                         fontsize=10)

    def _explain(self, mode: str, k: int, s: int, p: int) -> None:
        out_h, out_w = self.reference_output.shape
        self.winners = {}
        lines = [f"{out_h} x {out_w} outputs; windows {'overlap' if k > s else 'do not overlap'}"
                 + ("" if s <= k else f" and skip {s - k} cell(s) between them")
                 + ("" if not p else f"; {p} cell(s) of {'-inf' if mode == 'max' else '0'} padding "
                    f"on each side" + (" (counted in the divisor)" if mode == "avg" else " (never wins)"))]
        for i, j in np.ndindex(out_h, out_w):
            window = self.padded[i * s:i * s + k, j * s:j * s + k]
            a, b = np.unravel_index(np.argmax(window), window.shape)
            self.winners[(i, j)] = (int(i * s + a - p), int(j * s + b - p))
            if len(lines) > 3:
                continue
            where = (f"x[{i * s}:{i * s + k}, {j * s}:{j * s + k}]" if not p else
                     f"padded[{i * s}:{i * s + k}, {j * s}:{j * s + k}]")
            if mode == "max":
                lines.append(f"out[{i}, {j}] = max of {where} = {window.max():g}, "
                             f"won by cell {self.winners[(i, j)]}")
            else:
                terms = " + ".join(f"{v:g}" for v in window.ravel())
                lines.append(f"out[{i}, {j}] = ({terms}) / {window.size} = {window.mean():.4g}")
        self.explanation.value = "<br>".join(html.escape(line) for line in lines)
