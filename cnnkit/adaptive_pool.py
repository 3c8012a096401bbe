"""Adaptive pooling (to a fixed output size) and global average pooling.

NCHW input, the dtype kept (float32 stays float32); forward only. The windows of
adaptive pooling are :func:`adaptive_windows`, as in PyTorch.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._windows import pool_input
from .avg_pool import avg_pool2d
from .max_pool import max_pool2d

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "adaptive_avg_pool2d_loops",
    "adaptive_max_pool2d_loops",
    "global_avg_pool2d",
]


def _adaptive_output_size(fn, x, output_size):
    """``output_size`` as a pair of positive ints; a None entry keeps the input size."""
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise TypeError(f"{fn}: output_size must be an int or a pair, got {output_size!r}")
    result = []
    for size, input_size in zip(sizes, x.shape[2:]):
        if size is None:
            size = input_size
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
            raise TypeError(f"{fn}: output_size must be an int, a pair of ints or None "
                            f"entries, got {output_size!r}")
        if size < 1:
            raise ValueError(f"{fn}: output_size must be positive, got {output_size!r}")
        result.append(int(size))
    return tuple(result)


def adaptive_windows(in_size, out_size):
    """Start and end indices of the ``out_size`` adaptive windows over ``in_size`` cells.

    Window ``i`` is ``[floor(i * in / out), ceil((i + 1) * in / out))``: the windows
    cover the whole input, differ in length by at most one and may overlap.
    Returns two int arrays of shape (out_size,).
    """
    index = np.arange(out_size)
    starts = (index * in_size) // out_size
    ends = -((-(index + 1) * in_size) // out_size)
    return starts, ends


def _even_windows(in_size, out_size):
    """``(kernel, stride)`` if the adaptive windows along an axis are equally long and
    evenly spaced (as 13 -> 6: length 3, stride 2), else None."""
    starts, ends = adaptive_windows(in_size, out_size)
    lengths, steps = set((ends - starts).tolist()), set(np.diff(starts).tolist())
    if len(lengths) == 1 and len(steps) <= 1 and 0 not in steps:
        return lengths.pop(), steps.pop() if steps else 1
    return None


def _adaptive_pool(fn, x, output_size, reduce, window_pool):
    """Adaptive pooling with ``reduce`` (np.max or np.mean).

    Evenly spaced windows are plain pooling (``window_pool`` with a kernel and a
    stride); other windows are pooled one axis at a time, rows first: the max (or
    mean) over a rectangle is the max (mean) over its columns of the max (mean)
    over its rows.
    """
    x = pool_input(fn, x)
    oh, ow = _adaptive_output_size(fn, x, output_size)
    n_batch, channels, h, w = x.shape
    if (oh, ow) == (1, 1):
        return reduce(x.reshape(n_batch, channels, 1, h * w), axis=3, keepdims=True)
    even = (_even_windows(h, oh), _even_windows(w, ow))
    if None not in even:
        (kh, sh), (kw, sw) = even
        return window_pool(x, (kh, kw), (sh, sw))
    rows = np.empty((n_batch, channels, oh, w), dtype=x.dtype)
    for i, (start, end) in enumerate(zip(*adaptive_windows(h, oh))):
        reduce(x[:, :, start:end, :], axis=2, out=rows[:, :, i, :])
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    for j, (start, end) in enumerate(zip(*adaptive_windows(w, ow))):
        reduce(rows[:, :, :, start:end], axis=3, out=out[:, :, :, j])
    return out


def adaptive_avg_pool2d(x, output_size):
    """Average pooling to a fixed output size, as ``torch.nn.functional.adaptive_avg_pool2d``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    output_size : int or (int or None, int or None)
        ``(OH, OW)``; a None entry keeps that input size.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW), dtype of ``x``

    Notes
    -----
    .. math:: out[n, c, i, j] = \\operatorname{mean} x[n, c, h_i:h'_i, w_j:w'_j],
              \\quad h_i = \\lfloor i H / OH \\rfloor,\\ h'_i = \\lceil (i+1) H / OH \\rceil

    (see :func:`adaptive_windows`). When ``OH`` divides ``H`` and ``OW`` divides ``W``
    this is ``avg_pool2d`` with kernel and stride ``(H / OH, W / OW)``.
    """
    return _adaptive_pool("adaptive_avg_pool2d", x, output_size, np.mean, avg_pool2d)


def adaptive_max_pool2d(x, output_size):
    """Max pooling to a fixed output size, as ``torch.nn.functional.adaptive_max_pool2d``.

    Same parameters, shapes (``x`` (N, C, H, W) in, (N, C, OH, OW) out, dtype kept) and
    windows as :func:`adaptive_avg_pool2d`, with the max instead of the mean.
    """
    return _adaptive_pool("adaptive_max_pool2d", x, output_size, np.max, max_pool2d)


def _adaptive_pool_loops(fn, x, output_size, reduce):
    x = pool_input(fn, x)
    oh, ow = _adaptive_output_size(fn, x, output_size)
    n_batch, channels, h, w = x.shape
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                top, bottom = (i * h) // oh, math.ceil((i + 1) * h / oh)
                for j in range(ow):
                    left, right = (j * w) // ow, math.ceil((j + 1) * w / ow)
                    out[n, c, i, j] = reduce(x[n, c, top:bottom, left:right])
    return out


def adaptive_avg_pool2d_loops(x, output_size):
    """Loop version of :func:`adaptive_avg_pool2d` (slow, for reading)."""
    return _adaptive_pool_loops("adaptive_avg_pool2d_loops", x, output_size, np.mean)


def adaptive_max_pool2d_loops(x, output_size):
    """Loop version of :func:`adaptive_max_pool2d` (slow, for reading)."""
    return _adaptive_pool_loops("adaptive_max_pool2d_loops", x, output_size, np.max)


def global_avg_pool2d(x):
    """Average of each feature map over all its positions.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    out : ndarray, shape (N, C, 1, 1), dtype of ``x``

    Notes
    -----
    :math:`out[n, c, 0, 0] = \\frac{1}{HW} \\sum_{r, q} x[n, c, r, q]`, the same as
    ``adaptive_avg_pool2d(x, 1)`` or ``avg_pool2d(x, (H, W))``.
    """
    x = pool_input("global_avg_pool2d", x)
    return x.mean(axis=(2, 3), keepdims=True)
