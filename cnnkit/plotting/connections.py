"""How layers connect, drawn in 1-D (chapter 08).

- :func:`show_connection_patterns`: fully connected, locally connected, convolution and
  local (tiled) convolution side by side, one colour per distinct weight, with the number
  of weights in each title.
- :func:`show_stack_receptive_field`: a stack of stride-1 layers as rows of cells, the
  cells one top cell depends on filled, row by row down to the input.
"""

from __future__ import annotations

import numpy as np

__all__ = ["connection_weights", "show_connection_patterns", "show_stack_receptive_field"]

PATTERNS = ("fully connected", "locally connected", "convolution", "local convolution")


def connection_weights(pattern: str, n_inputs: int, kernel_size: int, tile: int = 2) -> np.ndarray:
    """Which weight each connection uses: an int matrix (n_outputs, n_inputs), -1 for no connection.

    Parameters
    ----------
    pattern : str
        One of ``PATTERNS``.
    n_inputs : int
        Input cells; every pattern has ``n_inputs - kernel_size + 1`` output cells
        (as a valid, stride-1 window gives).
    kernel_size : int
        Window of the local patterns.
    tile : int
        Local convolution: neighbouring outputs in groups of ``tile`` share one kernel.

    Returns
    -------
    ndarray of int, shape (n_outputs, n_inputs)
        The number of distinct weights is ``ids.max() + 1``.
    """
    if pattern not in PATTERNS:
        raise ValueError(f"connection_weights: pattern must be one of {PATTERNS}, got {pattern!r}")
    n_out = n_inputs - kernel_size + 1
    if pattern == "fully connected":
        return np.arange(n_out * n_inputs).reshape(n_out, n_inputs)
    ids = -np.ones((n_out, n_inputs), dtype=int)
    for i in range(n_out):
        kernel = {"locally connected": i, "convolution": 0, "local convolution": i // tile}[pattern]
        ids[i, i:i + kernel_size] = kernel * kernel_size + np.arange(kernel_size)
    return ids


def show_connection_patterns(n_inputs: int = 6, kernel_size: int = 3, tile: int = 2):
    """Four panels: inputs at the bottom, outputs on top, one colour per distinct weight."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(PATTERNS), figsize=(3.2 * len(PATTERNS), 2.6))
    colours = plt.get_cmap("tab20")
    for ax, pattern in zip(axes, PATTERNS):
        ids = connection_weights(pattern, n_inputs, kernel_size, tile)
        n_out = ids.shape[0]
        inputs_x = np.arange(n_inputs)
        outputs_x = np.linspace(0, n_inputs - 1, n_out) if n_out > 1 else np.array([(n_inputs - 1) / 2])
        for i, j in zip(*np.nonzero(ids >= 0)):
            ax.plot([inputs_x[j], outputs_x[i]], [0, 1], color=colours(ids[i, j] % 20), linewidth=1.6)
        ax.scatter(inputs_x, np.zeros(n_inputs), s=60, color="#444444", zorder=3)
        ax.scatter(outputs_x, np.ones(n_out), s=60, color="#1f77b4", zorder=3)
        ax.set_title(f"{pattern}\n{ids.max() + 1} weights", fontsize=10)
        ax.set_xlim(-0.5, n_inputs - 0.5)
        ax.set_ylim(-0.25, 1.25)
        ax.axis("off")
    figure.tight_layout()
    return figure


def show_stack_receptive_field(kernel_sizes, ax=None):
    """Rows of cells, input at the bottom: what one top cell of a stride-1 stack depends on.

    Parameters
    ----------
    kernel_sizes : sequence of int
        Kernel side of each layer, first layer first.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    sizes = [int(k) for k in kernel_sizes]
    field = 1 + sum(k - 1 for k in sizes)
    width = field + 4
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.45 * width), 0.6 * (len(sizes) + 1) + 0.6))
    seen = field                          # cells of the row read by the top cell, going down
    rows = [1]
    for k in reversed(sizes):
        rows.append(rows[-1] + k - 1)
    rows = rows[::-1]                     # rows[0]: the input row's filled cells (= field)
    for level, filled in enumerate(rows):
        start = (width - filled) // 2
        for cell in range(width):
            inside = start <= cell < start + filled
            ax.add_patch(Rectangle((cell, level), 0.92, 0.8, linewidth=0.6, edgecolor="#555555",
                                   facecolor="#f28e2b" if inside else "#eeeeee"))
        label = "input" if level == 0 else f"layer {level}: {sizes[level - 1]}x{sizes[level - 1]}"
        ax.text(width + 0.3, level + 0.4, label, va="center", fontsize=9)
    ax.set_title(f"receptive field {seen}x{seen}", fontsize=10)
    ax.set_xlim(0, width + 4.5)
    ax.set_ylim(-0.2, len(rows))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax.figure
