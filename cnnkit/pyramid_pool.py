"""Spatial pyramid pooling (He et al., SPP-net): a fixed-length vector for any input size.

NCHW input, the dtype kept (float32 stays float32); forward only.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._args import check_choice
from ._windows import pool_input
from .avg_pool import avg_pool2d
from .max_pool import max_pool2d

__all__ = ["spatial_pyramid_pool"]


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
    x = pool_input(fn, x)
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
