"""Max pooling: forward and backward, a readable loop version beside the fast one.

The window geometry (kernel, stride, padding, dilation, ceil_mode) is shared with
every pooling op and lives in :mod:`cnnkit._windows`.
"""

from __future__ import annotations

import numpy as np

from ._args import result_dtype
from ._windows import WindowCells, check_pool_dout, pad_for_windows, pool_geometry, window_offsets

__all__ = [
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_loops",
    "max_pool2d_backward_loops",
]


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
        Window size ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int)
        Cells of ``-inf`` added on each side, at most ``kernel_size // 2``.
    dilation : int or (int, int)
        Spacing between the cells of a window.
    ceil_mode : bool
        Round the output size up, keeping a last partial window if it starts inside
        the input or the left padding.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW), dtype of ``x`` (integers become float64)

    Notes
    -----
    .. math:: out[n, c, i, j] = \\max_{a < k_h,\\, b < k_w}
              x_{pad}[n, c,\\, i s_h + a d_h,\\, j s_w + b d_w]

    where ``x_pad`` is ``x`` padded with :math:`-\\infty`, so padding never wins, and
    ``OH = floor((H + 2 p_h - d_h (k_h - 1) - 1) / s_h) + 1`` (ceil with ``ceil_mode``).

    Examples
    --------
    >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x, geometry = pool_geometry("max_pool2d", x, kernel_size, stride, padding, dilation,
                                ceil_mode)
    cells = WindowCells(pad_for_windows(x, geometry, -np.inf), geometry)
    return _window_maxima(cells, geometry)


def _window_maxima(cells, geometry):
    """Maximum of every window of the (-inf padded) input, shape (N, C, OH, OW)."""
    offsets = window_offsets(geometry)
    out = cells[offsets[0]].copy()
    for cell in offsets[1:]:
        np.maximum(out, cells[cell], out=out)
    return out


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, dilation=1,
                        ceil_mode=False):
    """Gradient of :func:`max_pool2d` with respect to ``x``.

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
        Gradient of the loss with respect to the output of ``max_pool2d``.
    x : ndarray, shape (N, C, H, W)
        The input of the forward pass.
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`max_pool2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Notes
    -----
    Each output cell sends its whole gradient to the cell that won its window:
    :math:`dx[n, c, r, q] = \\sum_{(i, j):\\ (r, q) = \\arg\\max W_{ij}} dout[n, c, i, j]`.
    On a tie the winner is the first maximum in row-major order, as in PyTorch
    (other libraries split the gradient or pick another cell). Overlapping windows
    add up their contributions.

    The winners are found by comparing each window cell, in row-major order, with
    the window's maximum. Non-finite values are not treated specially: a window
    whose maximum is nan routes its gradient nowhere (PyTorch picks the nan), and
    an infinite or nan ``dout`` spreads nan over the window (``0 * inf``).
    """
    fn = "max_pool2d_backward"
    x, geometry = pool_geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode)
    dout = check_pool_dout(fn, dout, x, geometry)
    padded = pad_for_windows(x, geometry, -np.inf)
    cells = WindowCells(padded, geometry)
    maxima = _window_maxima(cells, geometry)
    dcells = WindowCells.zeros(padded.shape, result_dtype(dout, x), geometry)
    disjoint = all(s >= d * (k - 1) + 1 for k, s, d in
                   zip(geometry.kernel, geometry.stride, geometry.dilation))
    routed = None if disjoint else np.empty(dout.shape, dtype=dcells.array.dtype)
    claimed = None  # windows whose maximum has been found at an earlier cell
    for cell in window_offsets(geometry):
        wins = cells[cell] == maxima
        if claimed is None:
            claimed = wins
        else:
            np.greater(wins, claimed, out=wins)  # wins and not claimed: ties go to the first
            claimed |= wins
        if disjoint:  # no two windows share a cell: write in place
            np.multiply(dout, wins, out=dcells[cell])
        else:
            np.multiply(dout, wins, out=routed)
            np.add(dcells[cell], routed, out=dcells[cell])
    return dcells.input_gradient(x.shape)


def max_pool2d_loops(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Loop version of :func:`max_pool2d`: one output cell at a time (slow, for reading)."""
    x, geometry = pool_geometry("max_pool2d_loops", x, kernel_size, stride, padding,
                                dilation, ceil_mode)
    (kh, kw), (sh, sw), (dil_h, dil_w) = geometry.kernel, geometry.stride, geometry.dilation
    n_batch, channels = x.shape[:2]
    oh, ow = geometry.out_size
    xp = pad_for_windows(x, geometry, -np.inf)   # a padding cell is -inf: it never wins
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                rows = slice(i * sh, i * sh + kh * dil_h, dil_h)   # rows i*s + a*d, a < kh
                for j in range(ow):
                    cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                    out[n, c, i, j] = np.max(xp[n, c, rows, cols])
    return out


def max_pool2d_backward_loops(dout, x, kernel_size, stride=None, padding=0, dilation=1,
                              ceil_mode=False):
    """Loop version of :func:`max_pool2d_backward` (slow, for reading)."""
    fn = "max_pool2d_backward_loops"
    x, geometry = pool_geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode)
    dout = check_pool_dout(fn, dout, x, geometry)
    (kh, kw), (sh, sw), (dil_h, dil_w) = geometry.kernel, geometry.stride, geometry.dilation
    (ph, pw), (oh, ow) = geometry.padding, geometry.out_size
    n_batch, channels, h, w = x.shape
    xp = pad_for_windows(x, geometry, -np.inf)   # a padding cell is -inf: it never wins
    dxp = np.zeros(xp.shape, dtype=result_dtype(dout, x))
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                rows = slice(i * sh, i * sh + kh * dil_h, dil_h)   # rows i*s + a*d, a < kh
                for j in range(ow):
                    cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                    # argmax gives the first maximum in row-major order, as PyTorch on a tie
                    a, b = np.unravel_index(np.argmax(xp[n, c, rows, cols]), (kh, kw))
                    dxp[n, c, i * sh + a * dil_h, j * sw + b * dil_w] += dout[n, c, i, j]
    return dxp[:, :, ph:ph + h, pw:pw + w].copy()   # the padding's gradient is dropped
