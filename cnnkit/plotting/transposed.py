"""Pictures of transposed convolution: the scatter-add, overlap counts and the checkerboard.

A transposed convolution adds one scaled copy of the kernel per input pixel into
the output, ``stride`` cells apart. Where copies overlap, the output is a sum of
several terms; when the kernel size is not a multiple of the stride the number
of overlapping copies changes from cell to cell, which is the checkerboard
pattern. Every number here comes from :func:`cnnkit.conv_transpose2d`.
"""

from __future__ import annotations

import numpy as np

from cnnkit.plotting.backprop import plot_grids

__all__ = ["scatter_contributions", "overlap_counts", "plot_scatter_add", "plot_overlap_counts"]


def _transpose(x2d: np.ndarray, w2d: np.ndarray, stride: int, padding: int = 0) -> np.ndarray:
    import cnnkit

    return cnnkit.conv_transpose2d(x2d[None, None], w2d[None, None], stride=stride, padding=padding)[0, 0]


def scatter_contributions(x, w, stride: int, padding: int = 0) -> np.ndarray:
    """What each input pixel adds to the output of a one-channel transposed convolution.

    Parameters
    ----------
    x : array_like, shape (H, W)
    w : array_like, shape (kh, kw)
    stride, padding : int

    Returns
    -------
    ndarray, shape (H * W, OH, OW)
        Entry ``p`` (row-major pixel index) is ``x[p] * w`` placed at ``(r * stride, c * stride)``
        (minus the padding crop); their sum is ``conv_transpose2d(x, w)``.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    parts = []
    for index in np.ndindex(x.shape):
        single = np.zeros_like(x)
        single[index] = x[index]
        parts.append(_transpose(single, w, stride, padding))
    return np.stack(parts)


def overlap_counts(input_size, kernel_size: int, stride: int) -> np.ndarray:
    """How many kernel copies cover each output cell (a constant input of ones, a kernel of ones).

    Parameters
    ----------
    input_size : int or (int, int)
    kernel_size, stride : int

    Returns
    -------
    ndarray of float, shape (OH, OW) with ``OH = (H - 1) * stride + kernel_size``
        Uniform inside when ``kernel_size % stride == 0``; a checkerboard otherwise.
    """
    h, w = (input_size, input_size) if np.isscalar(input_size) else input_size
    return _transpose(np.ones((h, w)), np.ones((kernel_size, kernel_size)), stride)


def plot_scatter_add(x, w, stride: int):
    """One panel per input pixel (its scaled kernel in place), then the summed output.

    Parameters
    ----------
    x : array_like, shape (H, W)
    w : array_like, shape (kh, kw)
    stride : int

    Returns
    -------
    matplotlib Figure
        Cells reached by more than one copy are framed in the sum.
    """
    x = np.asarray(x, dtype=float)
    parts = scatter_contributions(x, w, stride)
    covered = (parts != 0).sum(axis=0)
    titles = [f"x[{r}, {c}] = {x[r, c]:g} times w" for r, c in np.ndindex(x.shape)]
    highlights = [part != 0 for part in parts] + [covered > 1]
    return plot_grids(list(parts) + [parts.sum(axis=0)], titles + ["sum (framed: overlaps)"],
                      highlights=highlights, cmaps=["Blues"] * len(parts) + ["Greens"])


def plot_overlap_counts(settings, input_size: int = 4):
    """Overlap-count maps for several ``(kernel_size, stride)`` pairs side by side.

    Parameters
    ----------
    settings : sequence of (int, int)
        ``(kernel_size, stride)`` pairs.
    input_size : int
        Side of the constant input.

    Returns
    -------
    matplotlib Figure
    """
    maps = [overlap_counts(input_size, k, s) for k, s in settings]
    titles = [f"k={k}, s={s}" + (" (even)" if k % s == 0 else " (uneven)") for k, s in settings]
    return plot_grids(maps, titles, cmaps=["Oranges"] * len(maps), cell_inches=0.26)
