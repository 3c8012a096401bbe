"""Upsampling kernels for the transposed convolution (chapter 06).

A fully convolutional network (Long, Shelhamer and Darrell, "Fully Convolutional
Networks for Semantic Segmentation", 2015) upsamples its coarse score maps with
transposed convolutions whose kernels *start* as bilinear interpolation and are
then learned. :func:`bilinear_kernel` builds that starting kernel.

>>> import cnnkit
>>> cnnkit.bilinear_kernel(2)[0]
array([0.0625, 0.1875, 0.1875, 0.0625])
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["bilinear_kernel", "bilinear_kernel_loops"]


def _check_factor(fn: str, factor) -> int:
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Integral):
        raise TypeError(f"{fn}: factor must be an int, got {factor!r}")
    if factor < 1:
        raise ValueError(f"{fn}: factor must be >= 1, got {factor}")
    return int(factor)


def bilinear_kernel(factor: int, dtype=np.float64) -> np.ndarray:
    """The kernel with which a transposed convolution upsamples by bilinear interpolation.

    Use it as ``conv_transpose2d(x, w[None, None], stride=factor, padding=factor // 2)``:
    an ``H x W`` map becomes ``factor*H x factor*W``, and away from the border every
    output is the bilinear interpolation of its input neighbours (pixel centres at
    half-pixel offsets, as ``torch.nn.functional.interpolate(..., mode="bilinear",
    align_corners=False)``). Near the border the zeros outside the input pull values down.

    Parameters
    ----------
    factor : int
        The upsampling factor (the stride), at least 1.
    dtype : numpy dtype
        Dtype of the kernel.

    Returns
    -------
    w : ndarray, shape (k, k), k = 2 * factor - factor % 2

    Notes
    -----
    .. math:: w_{ml} = \\Big(1 - \\frac{|m - c|}{f}\\Big)\\Big(1 - \\frac{|l - c|}{f}\\Big),
              \\qquad c = \\frac{k - 1}{2}

    The weights of the stamps covering any interior output cell add up to 1, so a
    constant map stays constant: the kernel evens out the uneven overlap of
    ``k mod s != 0`` (odd factors) that would otherwise give a checkerboard.
    """
    factor = _check_factor("bilinear_kernel", factor)
    size = 2 * factor - factor % 2
    centre = (size - 1) / 2
    tent = 1 - np.abs(np.arange(size) - centre) / factor
    return np.outer(tent, tent).astype(dtype)


def bilinear_kernel_loops(factor: int, dtype=np.float64) -> np.ndarray:
    """:func:`bilinear_kernel`, one weight at a time."""
    factor = _check_factor("bilinear_kernel_loops", factor)
    size = 2 * factor - factor % 2
    centre = (size - 1) / 2
    w = np.zeros((size, size), dtype=dtype)
    for m in range(size):
        for l in range(size):
            w[m, l] = (1 - abs(m - centre) / factor) * (1 - abs(l - centre) / factor)
    return w
