"""Power-average (Lp), adaptive, global average and spatial pyramid pooling.

All take NCHW input and keep the dtype (float32 stays float32). Only forward
passes: the backward ops of the course are those of max and average pooling.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._args import as_array, check_choice, check_ndim
from .avg_pool import avg_pool2d
from .max_pool import max_pool2d, pool_geometry

__all__ = [
    "lp_pool2d",
    "lp_pool2d_loops",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "adaptive_avg_pool2d_loops",
    "adaptive_max_pool2d_loops",
    "adaptive_windows",
    "global_avg_pool2d",
    "spatial_pyramid_pool",
]


def _check_norm_type(fn, norm_type):
    if isinstance(norm_type, (bool, np.bool_)) or not isinstance(norm_type, numbers.Real):
        raise TypeError(f"{fn}: norm_type must be a positive number, got {norm_type!r}")
    if not norm_type > 0:  # also refuses nan
        raise ValueError(f"{fn}: norm_type must be > 0, got {norm_type!r}")
    return float(norm_type)


def lp_pool2d(x, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling, as ``torch.nn.functional.lp_pool2d``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    norm_type : float
        The power ``p > 0``; ``p = 1`` is sum pooling, ``p = 2`` is L2 pooling and
        ``p = inf`` is max pooling of ``|x|``.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``. There is no padding.
    ceil_mode : bool

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW), dtype of ``x``

    Notes
    -----
    .. math:: out[n, c, i, j] = \\Big(\\sum_{(r, q) \\in W_{ij}} x[n, c, r, q]^p\\Big)^{1/p}

    so L2 pooling is :math:`\\sqrt{\\sum x^2}`. Like PyTorch this is computed as
    ``(avg_pool2d(x ** p) * kh * kw) ** (1 / p)``: a ceil_mode window that runs past
    the input is averaged over its real cells and then multiplied by the full
    ``kh * kw``. Where ``x ** p`` or the ``1/p``-th root of a negative sum is not a real
    number (negative inputs with fractional ``p``), the result is nan, as in PyTorch.
    """
    fn = "lp_pool2d"
    p = _check_norm_type(fn, norm_type)
    x, geometry = pool_geometry(fn, x, kernel_size, stride, 0, 1, ceil_mode)
    kh, kw = geometry.kernel
    if math.isinf(p):
        return max_pool2d(np.abs(x), geometry.kernel, geometry.stride, 0, 1, ceil_mode)
    with np.errstate(invalid="ignore"):
        mean = avg_pool2d(np.power(x, p), geometry.kernel, geometry.stride, 0, ceil_mode)
        return np.power(mean * (kh * kw), 1.0 / p)


def lp_pool2d_loops(x, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Loop version of :func:`lp_pool2d` (slow, for reading)."""
    fn = "lp_pool2d_loops"
    p = _check_norm_type(fn, norm_type)
    x, geometry = pool_geometry(fn, x, kernel_size, stride, 0, 1, ceil_mode)
    (kh, kw), (sh, sw), (oh, ow) = geometry.kernel, geometry.stride, geometry.out_size
    n_batch, channels, h, w = x.shape
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    with np.errstate(invalid="ignore"):
        for n in range(n_batch):
            for c in range(channels):
                for i in range(oh):
                    for j in range(ow):
                        window = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                        if math.isinf(p):
                            out[n, c, i, j] = np.abs(window).max()
                            continue
                        total = np.sum(np.power(window, p))
                        # PyTorch's scaling of a ceil_mode window cut off by the input edge
                        total *= (kh * kw) / window.size
                        out[n, c, i, j] = np.power(total, 1.0 / p)
    return out


def _input_4d(fn, x):
    x = as_array(fn, "x", x)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    if 0 in x.shape[2:]:
        raise ValueError(f"{fn}: x must have a non-empty height and width, "
                         f"got shape {tuple(x.shape)}")
    return x


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
    x = _input_4d(fn, x)
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
    Same windows as :func:`adaptive_avg_pool2d`, with the max instead of the mean.
    """
    return _adaptive_pool("adaptive_max_pool2d", x, output_size, np.max, max_pool2d)


def _adaptive_pool_loops(fn, x, output_size, reduce):
    x = _input_4d(fn, x)
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
    x = _input_4d("global_avg_pool2d", x)
    return x.mean(axis=(2, 3), keepdims=True)


def _check_levels(fn, levels, x):
    if isinstance(levels, (numbers.Integral, str)) or not hasattr(levels, "__iter__"):
        raise TypeError(f"{fn}: levels must be a sequence of ints such as (1, 2, 4), "
                        f"got {levels!r}")
    levels = tuple(levels)
    if not levels or not all(isinstance(l, numbers.Integral)
                             and not isinstance(l, (bool, np.bool_)) for l in levels):
        raise TypeError(f"{fn}: levels must be a non-empty sequence of ints, got {levels!r}")
    if min(levels) < 1:
        raise ValueError(f"{fn}: every level must be positive, got levels={levels!r}")
    if max(levels) > min(x.shape[2:]):
        raise ValueError(
            f"{fn}: level {max(levels)} needs an input of at least {max(levels)} x "
            f"{max(levels)}, got height x width = {x.shape[2]} x {x.shape[3]}")
    return levels


def spatial_pyramid_pool(x, levels=(1, 2, 4), mode="max"):
    """Spatial pyramid pooling (He et al., SPP-net): a fixed-length vector for any input size.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        ``H`` and ``W`` must be at least ``max(levels)``.
    levels : sequence of int
        Level ``l`` pools each feature map into an ``l x l`` grid.
    mode : {'max', 'avg'}

    Returns
    -------
    out : ndarray, shape (N, C * sum(l ** 2 for l in levels)), dtype of ``x``
        For each level in order, the ``(N, C, l, l)`` grid flattened to
        ``(N, C * l * l)`` (channel, then row, then column); the levels side by side.

    Notes
    -----
    Level ``l`` uses the windows of the SPP paper: size :math:`\\lceil H / l \\rceil`,
    stride :math:`\\lfloor H / l \\rfloor` (and the same for ``W``), and keeps the
    first ``l`` of them. These always fit in the input; when ``l`` does not divide
    ``H`` they skip the last ``(H mod l) - 1`` rows.

    Each level is an adaptive pooling to ``(l, l)`` with other windows:
    :func:`adaptive_max_pool2d` starts window ``i`` at :math:`\\lfloor iH/l \\rfloor`
    and covers the whole input. When ``l`` divides ``H`` and ``W`` both give the same
    result.
    """
    fn = "spatial_pyramid_pool"
    x = _input_4d(fn, x)
    check_choice(fn, "mode", mode, ("max", "avg"))
    levels = _check_levels(fn, levels, x)
    n_batch, _, h, w = x.shape
    pooled = []
    for level in levels:
        kernel = (-(-h // level), -(-w // level))
        stride = (h // level, w // level)
        used = x[:, :, :(level - 1) * stride[0] + kernel[0], :(level - 1) * stride[1] + kernel[1]]
        if mode == "max":
            grid = max_pool2d(used, kernel, stride)
        else:
            grid = avg_pool2d(used, kernel, stride)
        pooled.append(grid[:, :, :level, :level].reshape(n_batch, -1))
    return np.concatenate(pooled, axis=1)
