"""Average pooling: forward and backward, a readable loop version beside the fast one.

The window geometry and the helpers that visit every window one cell at a time
come from :mod:`cnnkit._windows`. What is special here is the divisor of each window,
which follows PyTorch exactly (see :func:`window_divisors`).
"""

from __future__ import annotations

import numpy as np

from ._args import result_dtype
from ._windows import (WindowCells, check_pool_dout, pad_for_windows, padded_size, pool_geometry,
                       window_offsets)

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "avg_pool2d_loops",
    "avg_pool2d_backward_loops",
]


def _validated(fn, x, kernel_size, stride, padding, ceil_mode, count_include_pad):
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"{fn}: count_include_pad must be True or False, "
                        f"got {count_include_pad!r}")
    return pool_geometry(fn, x, kernel_size, stride, padding, 1, ceil_mode)


def _divisor_of_window(start, kernel, size, padding, count_include_pad):
    """Divisor of the window that starts at padded-free index ``start`` along one axis.

    ``start`` may be negative (the window begins in the left padding). The window
    is clipped to the padded input ``[-padding, size + padding)``; that length is
    the divisor with ``count_include_pad``, the number of real input cells without.
    """
    end = min(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return min(end, size) - max(start, 0)


def window_divisors(size, kernel, stride, padding, out, count_include_pad):
    """Divisors of the ``out`` windows along one axis, as an int array of shape (out,).

    The divisor of a 2-D window is the product of its row and column divisors.
    """
    return np.array([_divisor_of_window(i * stride - padding, kernel, size, padding,
                                        count_include_pad) for i in range(out)])


def _divisor_grid(x, geometry, count_include_pad):
    """Divisor of every window, shape (OH, OW), dtype of ``x``."""
    rows, cols = (window_divisors(size, k, s, p, o, count_include_pad)
                  for size, k, s, p, o in zip(x.shape[2:], geometry.kernel, geometry.stride,
                                              geometry.padding, geometry.out_size))
    return np.outer(rows, cols).astype(x.dtype)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
        Window size ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int)
        Cells of zeros added on each side, at most ``kernel_size // 2``.
    ceil_mode : bool
        Round the output size up, keeping a last partial window if it starts inside
        the input or the left padding.
    count_include_pad : bool
        Count the padding cells in the divisor (True, the default) or only the real
        input cells (False).

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW), dtype of ``x`` (integers become float64)

    Notes
    -----
    .. math:: out[n, c, i, j] = \\frac{1}{D_{ij}} \\sum_{a < k_h,\\, b < k_w}
              x_{pad}[n, c,\\, i s_h + a,\\, j s_w + b]

    with ``x_pad`` padded with zeros. The divisor :math:`D_{ij}` is ``kh * kw`` for a
    window that lies inside the padded input. A ceil_mode window that runs past the
    padded input is clipped to it first; with ``count_include_pad=False`` only the
    real input cells of the window are counted (the rules of PyTorch).

    Examples
    --------
    >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x, geometry = _validated("avg_pool2d", x, kernel_size, stride, padding, ceil_mode,
                             count_include_pad)
    total = _window_sums(pad_for_windows(x, geometry, 0), geometry)
    total /= _divisor_grid(x, geometry, count_include_pad)
    return total


def _window_sums(xp, geometry):
    """Sum of every window of the padded input ``xp``, shape (N, C, OH, OW), a new array.

    The sum is separable: first the ``kh`` rows of each window are added for every
    column (shape (N, C, OH, Wp)), then ``kw`` columns of that, so ``kh + kw`` passes
    instead of ``kh * kw``, and the first pass runs over whole contiguous rows.
    """
    (kh, kw), (sh, sw), (oh, ow) = geometry.kernel, geometry.stride, geometry.out_size
    row_span, col_span = sh * (oh - 1) + 1, sw * (ow - 1) + 1
    rows = xp[:, :, :row_span:sh].copy()
    for a in range(1, kh):
        rows += xp[:, :, a:a + row_span:sh]
    total = rows[..., :col_span:sw].copy()
    for b in range(1, kw):
        total += rows[..., b:b + col_span:sw]
    return total


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True):
    """Gradient of :func:`avg_pool2d` with respect to ``x``.

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
        Gradient of the loss with respect to the output of ``avg_pool2d``.
    x : ndarray, shape (N, C, H, W)
        The input of the forward pass (only its shape and dtype matter).
    kernel_size, stride, padding, ceil_mode, count_include_pad
        As in :func:`avg_pool2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Notes
    -----
    Each output cell spreads its gradient evenly over the cells of its window:
    :math:`dx[n, c, r, q] = \\sum_{(i, j):\\ (r, q) \\in W_{ij}} dout[n, c, i, j] / D_{ij}`.
    Overlapping windows add up; the share that falls on padding is dropped.
    """
    fn = "avg_pool2d_backward"
    x, geometry = _validated(fn, x, kernel_size, stride, padding, ceil_mode,
                             count_include_pad)
    dout = check_pool_dout(fn, dout, x, geometry)
    dtype = result_dtype(dout, x)
    share = dout.astype(dtype) / _divisor_grid(x, geometry, count_include_pad).astype(dtype)
    dcells = WindowCells.zeros((*x.shape[:2], *padded_size(*x.shape[2:], geometry)), dtype,
                               geometry)
    for cell in window_offsets(geometry):
        np.add(dcells[cell], share, out=dcells[cell])
    return dcells.input_gradient(x.shape)


def avg_pool2d_loops(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True):
    """Loop version of :func:`avg_pool2d`: one output cell at a time (slow, for reading)."""
    x, geometry = _validated("avg_pool2d_loops", x, kernel_size, stride, padding, ceil_mode,
                             count_include_pad)
    (kh, kw), (sh, sw), (oh, ow) = geometry.kernel, geometry.stride, geometry.out_size
    n_batch, channels = x.shape[:2]
    xp = pad_for_windows(x, geometry, 0)   # padding cells add zeros
    divisors = _divisor_grid(x, geometry, count_include_pad)   # kh * kw, less at a clipped edge
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, c, i, j] = np.sum(window) / divisors[i, j]
    return out


def avg_pool2d_backward_loops(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True):
    """Loop version of :func:`avg_pool2d_backward` (slow, for reading)."""
    fn = "avg_pool2d_backward_loops"
    x, geometry = _validated(fn, x, kernel_size, stride, padding, ceil_mode, count_include_pad)
    dout = check_pool_dout(fn, dout, x, geometry)
    (kh, kw), (sh, sw), (oh, ow) = geometry.kernel, geometry.stride, geometry.out_size
    (ph, pw), (n_batch, channels, h, w) = geometry.padding, x.shape
    dtype = result_dtype(dout, x)
    divisors = _divisor_grid(x, geometry, count_include_pad).astype(dtype)
    dxp = np.zeros((n_batch, channels, *padded_size(h, w, geometry)), dtype=dtype)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                for j in range(ow):
                    share = dout[n, c, i, j] / divisors[i, j]   # equal for every cell
                    dxp[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw] += share
    return dxp[:, :, ph:ph + h, pw:pw + w].copy()   # the padding's gradient is dropped
