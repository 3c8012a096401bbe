"""A multi-channel convolution drawn as volumes: input, one kernel, output maps.

Each channel is a grid of cells drawn as a card; the cards of one array are
stacked with a small offset up and to the right, so an array of ``C`` channels
reads as a block of depth ``C``. The kernel is a block of the same depth as the
input: one ``k x k`` slice per input channel, all of them summed into one
output value.
"""

from __future__ import annotations

import numpy as np

from cnnkit.sizes import window_count

__all__ = ["show_kernel_volume"]

_CHANNEL_TINTS = ("#f4b6b6", "#b8e0b8", "#b7cdf0", "#f2d9a6", "#d9c2ec", "#c9c9c9")
_OFFSET = np.array([0.55, 0.45])  # how far each card behind sits, in cells (right, up)


def _card(ax, origin, rows: int, cols: int, face: str, *, layer: int, marked=None,
          mark: str = "#d62728", label: str | None = None):
    """One channel: a rows x cols grid whose top-left corner is at ``origin``; ``marked`` cells filled.

    ``layer`` orders the cards: a higher layer hides what lies behind it.
    """
    from matplotlib.patches import Rectangle

    left, top = origin
    z = 10 + 2 * layer
    ax.add_patch(Rectangle((left, top - rows), cols, rows, facecolor=face, edgecolor="#444444",
                           linewidth=0.9, zorder=z))
    ax.hlines(top - np.arange(1, rows), left, left + cols, color="#888888", linewidth=0.4, zorder=z + 1)
    ax.vlines(left + np.arange(1, cols), top - rows, top, color="#888888", linewidth=0.4, zorder=z + 1)
    if marked is not None:
        r, c, height, width = marked
        ax.add_patch(Rectangle((left + c, top - r - height), width, height, facecolor=mark, alpha=0.6,
                               edgecolor=mark, linewidth=1.5, zorder=z + 1))
    if label:
        ax.text(left + cols / 2, top - rows - 0.3, label, ha="center", va="top", fontsize=8)


def _block(ax, x0: float, rows: int, cols: int, depth: int, *, tints, marked=None, names=None):
    """``depth`` cards, the first in front; returns the block's right edge."""
    for index in reversed(range(depth)):
        origin = np.array([x0, rows]) + index * _OFFSET
        _card(ax, origin, rows, cols, tints[index % len(tints)], layer=depth - index, marked=marked)
    if names:
        ax.text(x0 + cols + depth * _OFFSET[0] + 0.1, rows + (depth - 1) * _OFFSET[1],
                "\n".join(reversed(names)), fontsize=7, va="top")
    return x0 + cols + depth * _OFFSET[0]


def show_kernel_volume(in_channels: int = 3, size: int = 6, kernel_size: int = 3, out_channels: int = 2,
                       position: tuple[int, int] = (1, 2)):
    """Input (C_in x H x W), one kernel (C_in x k x k) and the C_out output maps, as blocks.

    Parameters
    ----------
    in_channels, out_channels : int
        C_in and C_out.
    size : int
        H = W of the input.
    kernel_size : int
        k; the valid output is (size - k + 1) x (size - k + 1).
    position : (int, int)
        Output position whose window is marked on every input channel, and
        whose value is marked in the first output map.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    out = window_count(size, kernel_size)
    row, col = position
    if not (1 <= kernel_size <= size and 0 <= row < out and 0 <= col < out):
        raise ValueError(f"show_kernel_volume: need 1 <= kernel_size <= size and position inside the "
                         f"{out}x{out} output, got kernel_size={kernel_size}, size={size}, position={position}")
    figure, ax = plt.subplots(figsize=(9, 3.6))
    window = (row, col, kernel_size, kernel_size)
    x = _block(ax, 0.0, size, size, in_channels, tints=_CHANNEL_TINTS, marked=window,
               names=[f"channel {c}" for c in range(in_channels)])
    ax.text(x + 1.2, size / 2, "and", fontsize=10, ha="center", va="center")
    k_left = x + 2.2
    top_pad = (size - kernel_size) / 2
    for index in reversed(range(in_channels)):
        origin = np.array([k_left, size - top_pad]) + index * _OFFSET
        _card(ax, origin, kernel_size, kernel_size, _CHANNEL_TINTS[index % len(_CHANNEL_TINTS)],
              layer=in_channels - index)
    x = k_left + kernel_size + in_channels * _OFFSET[0]
    ax.text(k_left + kernel_size / 2, top_pad - 0.5,
            f"one kernel: {in_channels} x {kernel_size} x {kernel_size}\n(one slice per input channel)",
            ha="center", va="top", fontsize=8)
    ax.text(x + 0.9, size / 2, "\u2192", fontsize=20, ha="center", va="center")
    o_left = x + 1.8
    o_pad = (size - out) / 2
    for index in reversed(range(out_channels)):
        origin = np.array([o_left, size - o_pad]) + index * _OFFSET
        marked = (row, col, 1, 1) if index == 0 else None
        _card(ax, origin, out, out, "#fff3c4" if index == 0 else "#eeeeee", layer=out_channels - index,
              marked=marked)
    ax.text(o_left + out / 2, o_pad - 0.5,
            f"{out_channels} output maps, {out} x {out}\n(kernel 0 gives the front one)",
            ha="center", va="top", fontsize=8)
    ax.text(size / 2, -0.3, f"input: {in_channels} x {size} x {size}", ha="center", va="top", fontsize=8)
    ax.set_title(f"One kernel spans every input channel: its {in_channels * kernel_size ** 2} weights meet "
                 f"the marked {in_channels} x {kernel_size} x {kernel_size} block of the input;\n"
                 f"the sum of the {in_channels * kernel_size ** 2} products (+ bias) is the marked output value",
                 fontsize=9)
    right = o_left + out + out_channels * _OFFSET[0] + 0.5
    ax.set_xlim(-0.5, right)
    ax.set_ylim(-2.2, size + max(in_channels, out_channels) * _OFFSET[1] + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return figure
