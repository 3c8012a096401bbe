"""The vectorised engine behind conv2d, conv_transpose2d and corr2d (im2col / col2im).

Three kernels, all on an input that is *already padded*:

* :func:`correlate_windows` -- ``out[n, f, i, j] = sum_{c,m,l} xp[n, c, i*s + m*d, j*s + l*d] w[f, c, m, l]``
  (the forward of a convolution; im2col + one batched matmul),
* :func:`weight_gradient` -- the gradient of that sum with respect to ``w``,
* :func:`scatter_windows` -- its gradient with respect to ``xp`` (col2im: every
  output position adds its weighted kernel back onto the window it came from).

A transposed convolution is the same three kernels with the roles of input and
output swapped, so ``conv_transpose.py`` calls them too.

Groups are handled by viewing channels as ``(G, channels per group)`` and letting
``np.matmul`` broadcast over the group axis.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._args import as_array

__all__ = ["pad_spatial", "im2col", "correlate_windows", "weight_gradient", "scatter_windows",
           "window_slices", "check_groups", "check_bias"]


def pad_spatial(x: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    """Zero-pad the last two axes by ``(top, bottom, left, right)``; no copy if all are 0."""
    top, bottom, left, right = pads
    if top == bottom == left == right == 0:
        return x
    out = np.zeros(x.shape[:-2] + (x.shape[-2] + top + bottom, x.shape[-1] + left + right),
                   dtype=x.dtype)
    out[..., top:top + x.shape[-2], left:left + x.shape[-1]] = x
    return out


def im2col(xp: np.ndarray, kernel, stride, dilation, out_size, groups: int) -> np.ndarray:
    """Copy every window of ``xp`` into a column.

    Parameters
    ----------
    xp : ndarray, shape (N, C, Hp, Wp)
    kernel, stride, dilation, out_size : (int, int)
    groups : int

    Returns
    -------
    ndarray, shape (G, C/G * kH * kW, N * Ho * Wo)
        Column ``(n * Ho + i) * Wo + j`` of group ``g`` holds the window under output
        ``(i, j)`` of image ``n``. Putting the whole batch side by side makes each op
        one large matrix product instead of N small ones (small BLAS calls waste
        most of their time starting threads).
    """
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_size
    n = xp.shape[0]
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # (N, C, positions_h, positions_w, span_h, span_w): a view, nothing copied yet
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]
    # (C, kH, kW, N, Ho, Wo); the reshape below is the one copy
    windows = windows.transpose(1, 4, 5, 0, 2, 3)
    return windows.reshape(groups, -1, n * ho * wo)


def _channels_first(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, F, Ho, Wo) -> (G, F/G, N * Ho * Wo), the layout that matches :func:`im2col`."""
    n, f, ho, wo = a.shape
    return a.transpose(1, 0, 2, 3).reshape(groups, f // groups, n * ho * wo)


def correlate_windows(xp, w, stride, dilation, out_size, groups):
    """Forward of a convolution on a padded input.

    Parameters
    ----------
    xp : ndarray, shape (N, C, Hp, Wp)
    w : ndarray, shape (F, C/G, kH, kW)

    Returns
    -------
    ndarray, shape (N, F, Ho, Wo), C-contiguous
    """
    f, _, kh, kw = w.shape
    cols = im2col(xp, (kh, kw), stride, dilation, out_size, groups)   # (G, K, N*P)
    kernels = w.reshape(groups, f // groups, -1)                       # (G, F/G, K)
    out = np.matmul(kernels, cols)                                     # (G, F/G, N*P)
    out = out.reshape(f, xp.shape[0], *out_size).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(out)


def weight_gradient(xp, dout, kernel, stride, dilation, groups):
    """Gradient of ``sum(correlate_windows(xp, w) * dout)`` with respect to ``w``.

    Parameters
    ----------
    xp : ndarray, shape (N, C, Hp, Wp)
    dout : ndarray, shape (N, F, Ho, Wo)
    kernel : (int, int)

    Returns
    -------
    ndarray, shape (F, C/G, kH, kW)
    """
    f = dout.shape[1]
    c = xp.shape[1]
    cols = im2col(xp, kernel, stride, dilation, dout.shape[2:], groups)   # (G, K, N*P)
    # contract over images and positions at once; BLAS reads the transpose in place
    dw = np.matmul(_channels_first(dout, groups), cols.swapaxes(-1, -2))  # (G, F/G, K)
    return dw.reshape(f, c // groups, *kernel)


def scatter_windows(dout, w, stride, dilation, padded_size, groups):
    """Gradient of ``sum(correlate_windows(xp, w) * dout)`` with respect to ``xp`` (col2im).

    Parameters
    ----------
    dout : ndarray, shape (N, F, Ho, Wo)
    w : ndarray, shape (F, C/G, kH, kW)
    padded_size : (int, int)
        ``(Hp, Wp)`` of the padded input; it may exceed what the windows cover
        (the uncovered rows/columns get zero).

    Returns
    -------
    ndarray, shape (N, C, Hp, Wp)
        A transposed view of a channels-first buffer: crop it, then copy.
    """
    n, f, ho, wo = dout.shape
    _, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    kernels_t = w.reshape(groups, f // groups, cg * kh * kw).swapaxes(-1, -2)  # (G, K, F/G)
    cols = np.matmul(kernels_t, _channels_first(dout, groups))                 # (G, K, N*P)
    cols = cols.reshape(groups * cg, kh, kw, n, ho, wo)
    dxp = np.zeros((groups * cg, n) + tuple(padded_size), dtype=cols.dtype)
    for m in range(kh):
        rows = slice(m * dh, m * dh + sh * (ho - 1) + 1, sh)
        for l in range(kw):
            columns = slice(l * dw, l * dw + sw * (wo - 1) + 1, sw)
            dxp[:, :, rows, columns] += cols[:, m, l]
    return dxp.transpose(1, 0, 2, 3)


def window_slices(i: int, j: int, kernel, stride, dilation) -> tuple[slice, slice]:
    """Rows and columns of the padded input that output position ``(i, j)`` reads.

    Row ``i * s + m * d`` for ``m = 0 .. kH-1`` (and the same for columns): the
    slices the loop versions use to pick out one window.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    return (slice(i * sh, i * sh + dh * (kh - 1) + 1, dh),
            slice(j * sw, j * sw + dw * (kw - 1) + 1, dw))


def check_groups(fn: str, groups, in_channels: int, out_channels: int, in_name: str,
                 out_name: str) -> int:
    """Validate ``groups``: a positive int dividing both channel counts."""
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{fn}: groups must be a positive int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{fn}: groups must be positive, got {groups}")
    for count, name in ((in_channels, in_name), (out_channels, out_name)):
        if count % groups:
            raise ValueError(f"{fn}: groups={groups} must divide the {name}, got {count}")
    return int(groups)


def check_bias(fn: str, b, channels: int, dtype) -> np.ndarray | None:
    """Validate an optional bias of length ``channels`` and cast it to ``dtype``."""
    if b is None:
        return None
    b = as_array(fn, "b", b)
    if b.shape != (channels,):
        raise ValueError(f"{fn}: b must have shape ({channels},) (one value per output "
                         f"channel), got shape {tuple(b.shape)}")
    return b.astype(dtype, copy=False)
