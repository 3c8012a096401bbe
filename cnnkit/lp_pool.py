"""Power-average (Lp) pooling, as ``torch.nn.functional.lp_pool2d``.

NCHW input, the dtype kept (float32 stays float32); forward only. ``p = 1`` is sum
pooling, ``p = 2`` L2 pooling, ``p = inf`` max pooling of ``|x|``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._windows import pool_geometry
from .avg_pool import avg_pool2d
from .max_pool import max_pool2d

__all__ = ["lp_pool2d", "lp_pool2d_loops"]


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
    n_batch, channels = x.shape[:2]
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
