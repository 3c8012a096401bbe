"""Small annotated grids for the backpropagation chapter (and the other gradient pictures).

Every picture in chapters 04-06 is a row of small matrices with their numbers
written in the cells and some cells framed: a gradient routed to a pooling
winner, the inputs one output touched, the overlap of two scattered kernels.
:func:`draw_grid` draws one such matrix on an axes and :func:`plot_grids` lays
several out in a row.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from cnnkit.plotting.grids import draw_matrix

__all__ = ["draw_grid", "plot_grids", "one_hot"]


def _format(value: float) -> str:
    if np.isneginf(value):
        return "-inf"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2g}" if abs(value) < 0.01 else f"{value:.2f}".rstrip("0")


def draw_grid(ax, values, *, title: str | None = None, highlight=None, cmap: str = "Blues",
              annotate: bool = True, frame_color: str = "crimson", center_zero: bool = False):
    """:func:`~cnnkit.plotting.grids.draw_matrix` with the gradient pictures' choices, framed cells.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array_like, shape (H, W)
    title : str, optional
    highlight : array_like of bool, shape (H, W), optional
        Cells framed in ``frame_color``.
    cmap : str
        Colour map; its scale runs from ``min(0, smallest value)`` to the largest
        magnitude, or symmetric about 0 with ``center_zero``. A grey map
        (``"Greys"``, ``"gray"``) draws large values bright, as in a picture.
    annotate : bool
        Write each value in its cell, compactly (skip for large arrays).

    Returns
    -------
    matplotlib AxesImage
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"draw_grid: values must be 2-D, got shape {values.shape}")
    finite = values[np.isfinite(values)]
    vmax = (float(np.abs(finite).max()) if finite.size else 1.0) or 1.0
    low = -vmax if center_zero else min(0.0, finite.min(initial=0))
    draw_matrix(ax, values, fmt=_format, cmap=cmap, show_numbers=annotate, fontsize=8,
                limits=(low, vmax))
    ax.set_axis_off()  # no frame: the cell borders are the picture
    if highlight is not None:
        mask = np.asarray(highlight, dtype=bool)
        if mask.shape != values.shape:
            raise ValueError(f"draw_grid: highlight has shape {mask.shape}, values {values.shape}")
        for i, j in zip(*np.nonzero(mask)):
            ax.add_patch(_rectangle(i, j, frame_color))
    if title:
        ax.set_title(title, fontsize=9)
    return ax.images[-1]


def _rectangle(i: int, j: int, color: str):
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=color, linewidth=2.2)


def plot_grids(arrays: Sequence, titles: Sequence[str], *, highlights: Sequence | None = None,
               cmaps: Sequence[str] | None = None, annotate: bool = True, center_zero: bool = False,
               cell_inches: float = 0.32, suptitle: str | None = None):
    """A row of annotated grids, each panel sized to its array.

    Parameters
    ----------
    arrays : sequence of array_like, each shape (H_i, W_i)
    titles : sequence of str, one per array
    highlights : sequence of (bool array or None), optional
        Cells to frame in each panel.
    cmaps : sequence of str, optional
    annotate, center_zero : bool
        As in :func:`draw_grid`.
    cell_inches : float
        Size of one cell on the page.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    arrays = [np.asarray(a, dtype=float) for a in arrays]
    if len(titles) != len(arrays):
        raise ValueError(f"plot_grids: got {len(arrays)} arrays but {len(titles)} titles")
    highlights = list(highlights) if highlights is not None else [None] * len(arrays)
    cmaps = list(cmaps) if cmaps is not None else ["Blues"] * len(arrays)
    widths = [max(a.shape[1], 4) for a in arrays]  # room for the title
    height = max(a.shape[0] for a in arrays)
    figure, axes = plt.subplots(
        1, len(arrays), figsize=(cell_inches * (sum(widths) + 1.5 * len(arrays)), cell_inches * height + 0.9),
        gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, array, title, mask, cmap in zip(axes[0], arrays, titles, highlights, cmaps):
        draw_grid(ax, array, title=title, highlight=mask, cmap=cmap, annotate=annotate,
                  center_zero=center_zero)
    if suptitle:
        figure.suptitle(suptitle, fontsize=10)
    return figure


def one_hot(shape: tuple[int, ...], index: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """An array of zeros with a single 1 at ``index`` (an upstream gradient that picks one output).

    Parameters
    ----------
    shape : tuple of int
    index : tuple of int, same length as ``shape``

    Returns
    -------
    ndarray, shape ``shape``
    """
    array = np.zeros(shape, dtype=dtype)
    array[tuple(index)] = 1
    return array
