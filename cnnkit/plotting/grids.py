"""Small matrices drawn with their numbers: sliding windows, padding, pooling.

Row ``r``, column ``c`` of a matrix is the unit square centred on ``(c, r)``,
with row 0 at the top, as ``imshow`` draws it.
"""

from __future__ import annotations

import numpy as np

from cnnkit.sizes import window_count, window_span, window_starts

__all__ = ["draw_matrix", "grey_scale", "text_color", "outline", "show_sliding_window", "window_coverage",
           "show_padded_windows", "show_pooling"]

WINDOW_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                 "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")


#: Grey colour maps a figure may name; every one draws a larger number brighter.
GREY_MAPS = ("gray", "grey", "Greys")


def grey_scale(cmap: str, low: float, high: float) -> tuple[str, float, float]:
    """The colour map and limits that make a grey map read like a picture: bright means large.

    matplotlib's ``"Greys"`` draws large values dark, which inverts a matrix of
    pixel values; every grey map is drawn as ``"gray"`` instead, with the
    smallest value a dark grey (a third of white, never black, so numbers and
    overlays stay visible) and the largest white. Other maps are returned as given.

    Parameters
    ----------
    cmap : str
    low, high : float
        The smallest and largest value to show.

    Returns
    -------
    cmap, vmin, vmax
    """
    if cmap not in GREY_MAPS:
        return cmap, low, high
    return "gray", low - 0.5 * (high - low), high


def text_color(rgba) -> str:
    """``"white"`` on a dark cell colour, ``"black"`` on a light one (perceived luminance < 0.5)."""
    red, green, blue = rgba[:3]
    return "white" if 0.299 * red + 0.587 * green + 0.114 * blue < 0.5 else "black"


def draw_matrix(ax, values, *, fmt="{:g}", cmap: str = "gray", symmetric: bool = False,
                colors=None, show_numbers: bool = True, fontsize: float | None = None,
                limits: tuple[float, float] | None = None):
    """Draw a 2-D array as coloured cells with each number written in its cell.

    With a grey map (the default) a larger number is a brighter cell, as in a
    picture (see :func:`grey_scale`). Each number is written in white on a
    dark cell and in black on a light one; a cell holding inf or nan is left blank
    with its value written in black.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : ndarray, shape (H, W)
    fmt : str or callable
        Format of each number (``"{:g}"``, ``"{:.2f}"``), or a function from a
        number to its text.
    cmap : str
        Colour map of the cells (ignored when ``colors`` is given); ``"gray"``
        and ``"Greys"`` both draw large values bright.
    symmetric : bool
        Centre the colour map on 0 (for kernels with negative weights).
    colors : ndarray of shape (H, W, 3 or 4), optional
        Cell colours to use instead of the colour map.
    show_numbers : bool
    fontsize : float, optional
        Defaults to a size that fits the grid.
    limits : (float, float), optional
        The values drawn darkest and brightest; by default the smallest and
        largest finite values (``symmetric``: plus and minus the largest magnitude).

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"draw_matrix: values must be 2-D, got shape {values.shape}")
    finite = np.isfinite(values)
    if colors is not None:
        colors = np.asarray(colors, dtype=float)
        ax.imshow(colors, interpolation="nearest")
        cell_color = lambda r, c: colors[r, c]  # noqa: E731
    else:
        shown = values[finite]
        low, high = (shown.min(), shown.max()) if shown.size else (0.0, 1.0)
        if symmetric:
            high = max(abs(low), abs(high), 1e-12)
            low = -high
        elif high == low:
            low, high = low - 1.0, high + 1.0
        cmap, low, high = grey_scale(cmap, *(limits if limits is not None else (low, high)))
        shown = ax.imshow(np.where(finite, values, np.nan), cmap=cmap, vmin=low, vmax=high,
                          interpolation="nearest")
        cell_color = lambda r, c: shown.cmap(shown.norm(values[r, c]))  # noqa: E731
    h, w = values.shape
    if show_numbers:
        size = fontsize or max(5.0, min(11.0, 90.0 / max(h, w)))
        text = fmt.format if isinstance(fmt, str) else fmt
        for r in range(h):
            for c in range(w):
                color = text_color(cell_color(r, c)) if finite[r, c] else "black"
                ax.text(c, r, text(values[r, c]), ha="center", va="center", fontsize=size,
                        color=color)
    # Cell borders as two line collections: far cheaper to draw than one tick per cell.
    ax.hlines(np.arange(-0.5, h, 1), -0.5, w - 0.5, color="#999999", linewidth=0.5)
    ax.vlines(np.arange(-0.5, w, 1), -0.5, h - 0.5, color="#999999", linewidth=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def outline(ax, top: int, left: int, height: int, width: int, *, color: str = "#d62728",
            linewidth: float = 2.5, inset: float = 0.0, fill: bool = False, alpha: float = 1.0):
    """Draw a rectangle around the cells ``[top:top+height, left:left+width]``."""
    from matplotlib.patches import Rectangle

    rectangle = Rectangle((left - 0.5 + inset, top - 0.5 + inset), width - 2 * inset,
                          height - 2 * inset, fill=fill, edgecolor=color, facecolor=color,
                          linewidth=linewidth, alpha=alpha)
    ax.add_patch(rectangle)
    return rectangle


def _panels(n: int, sizes):
    import matplotlib.pyplot as plt

    widths = [max(s, 1) for s in sizes]
    figure, axes = plt.subplots(1, n, figsize=(min(16, 0.45 * sum(widths) + 1.2 * n), 3.6),
                                gridspec_kw={"width_ratios": widths})
    return figure, list(np.atleast_1d(axes))


def show_sliding_window(x, kernel, row: int, col: int, output=None):
    """One step of a valid cross-correlation: the window on the input, the kernel, the output cell.

    Parameters
    ----------
    x : ndarray, shape (H, W)
    kernel : ndarray, shape (kh, kw)
    row, col : int
        Output position; the window covers ``x[row:row+kh, col:col+kw]``.
    output : ndarray, shape (H - kh + 1, W - kw + 1), optional
        The feature map; drawn as a third panel with ``output[row, col]`` marked.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    oh, ow = window_count(x.shape[0], kh), window_count(x.shape[1], kw)
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"show_sliding_window: position ({row}, {col}) is outside the "
                         f"{oh}x{ow} output")
    n = 2 if output is None else 3
    figure, axes = _panels(n, [x.shape[1], kw, ow][:n])
    draw_matrix(axes[0], x)
    outline(axes[0], row, col, kh, kw)
    products = x[row:row + kh, col:col + kw] * kernel
    axes[0].set_title(f"input {x.shape}: window at ({row}, {col})", fontsize=10)
    draw_matrix(axes[1], kernel, cmap="coolwarm", symmetric=True)
    axes[1].set_title(f"kernel {kernel.shape}", fontsize=10)
    if output is not None:
        draw_matrix(axes[2], output)
        outline(axes[2], row, col, 1, 1)
        axes[2].set_title(f"output[{row}, {col}] = {products.sum():g}", fontsize=10)
    figure.subplots_adjust(wspace=0.25)
    return figure


def window_coverage(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                    dilation: int = 1) -> np.ndarray:
    """How many window taps land on each cell of the padded axis.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        One axis of a convolution.

    Returns
    -------
    ndarray of int, shape (size + 2 * padding,)
        ``coverage[p + i]`` counts the windows that read input cell ``i``; the
        first and last ``padding`` entries are the padding cells.
    """
    span = window_span(kernel_size, dilation)
    coverage = np.zeros(size + 2 * padding, dtype=int)
    for start in window_starts(size, kernel_size, stride, padding, dilation):
        coverage[start:start + span:dilation] += 1
    return coverage


def show_padded_windows(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                        dilation: int = 1, *, max_windows: int = 40):
    """A square input with its zero padding, every window position and how often each cell is read.

    Each cell shows how many windows read it; input cells are blue, input cells no
    window reads are red, padding cells are grey. The first window (with its dilated taps)
    and, one colour each, every other window's outline are drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    padded = size + 2 * padding
    span = window_span(kernel_size, dilation)
    line = window_coverage(size, kernel_size, stride, padding, dilation)
    coverage = np.outer(line, line)
    colors = np.full((padded, padded, 3), 0.93)  # padding cells: light grey
    inside = (slice(padding, padding + size),) * 2
    colors[inside] = (0.85, 0.9, 1.0)
    colors[inside][coverage[inside] == 0] = (1.0, 0.7, 0.7)  # input cells no window reads
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(min(7.0, 1.2 + 0.42 * padded),) * 2)
    draw_matrix(ax, coverage, fmt="{:g}", colors=colors)
    starts = window_starts(size, kernel_size, stride, padding, dilation)
    windows = [(r, c) for r in starts for c in starts]
    for index, (r, c) in enumerate(windows[:max_windows]):
        outline(ax, r, c, span, span, color=WINDOW_COLORS[index % len(WINDOW_COLORS)],
                linewidth=1.2, inset=0.06 + 0.04 * (index % 4))
    if windows:
        for a in range(kernel_size):
            for b in range(kernel_size):
                ax.plot(b * dilation - 0.3, a * dilation - 0.3, "o", color=WINDOW_COLORS[0],
                        markersize=3)
    outline(ax, padding, padding, size, size, color="black", linewidth=2)
    ax.set_title(f"i={size}, k={kernel_size}, s={stride}, p={padding}, d={dilation}: "
                 f"{len(starts)}x{len(starts)} windows", fontsize=10)
    figure.subplots_adjust(wspace=0.25)
    return figure


def show_pooling(x, kernel_size: int, stride: int, output, *, mode: str = "max",
                 yours=None, max_windows: int = 40):
    """A pooling window picture: which input cell wins each max, or what each output averages.

    Parameters
    ----------
    x : ndarray, shape (H, W)
    kernel_size, stride : int
        Square window, no padding.
    output : ndarray, shape (OH, OW)
        The pooled map (drawn on the right with the same colours).
    mode : {"max", "avg"}
        ``"max"`` fills each window's winning cell (the first maximum, row by row)
        with the window's colour; ``"avg"`` outlines each window.
    yours : ndarray, optional
        A student's pooled map, drawn as a third panel beside the reference.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if mode not in ("max", "avg"):
        raise ValueError(f"show_pooling: mode must be 'max' or 'avg', got {mode!r}")
    x, output = np.asarray(x, dtype=float), np.asarray(output, dtype=float)
    k, s = kernel_size, stride
    oh, ow = window_count(x.shape[0], k, s), window_count(x.shape[1], k, s)
    sizes = [x.shape[1], max(output.shape[1], 2)]
    if yours is not None:
        yours = np.atleast_2d(np.asarray(yours, dtype=float))
        sizes.append(max(yours.shape[1], 2))
    figure, axes = _panels(len(sizes), sizes)
    draw_matrix(axes[0], x, fmt="{:.3g}")
    out_colors = np.ones(output.shape + (4,))
    from matplotlib.colors import to_rgba
    for index, (i, j) in enumerate(np.ndindex(oh, ow)):
        color = WINDOW_COLORS[index % len(WINDOW_COLORS)]
        if index < max_windows:
            window = x[i * s:i * s + k, j * s:j * s + k]
            if mode == "max":
                a, b = np.unravel_index(np.argmax(window), window.shape)
                outline(axes[0], i * s + a, j * s + b, 1, 1, color=color, fill=True, alpha=0.45,
                        linewidth=0)
            outline(axes[0], i * s, j * s, k, k, color=color, linewidth=1.5,
                    inset=0.05 + 0.05 * (index % 3))
        if i < output.shape[0] and j < output.shape[1]:
            out_colors[i, j] = to_rgba(color, 0.45)
    axes[0].set_title(f"input {x.shape}, window {k}, stride {s}", fontsize=10)
    draw_matrix(axes[1], output, fmt="{:.3g}", colors=out_colors)
    axes[1].set_title(f"{mode} pooled {output.shape}", fontsize=10)
    if yours is not None:
        draw_matrix(axes[2], yours, fmt="{:.3g}")
        axes[2].set_title(f"yours {yours.shape}", fontsize=10)
    figure.subplots_adjust(wspace=0.25)
    return figure
