"""One-channel 2-D cross-correlation and convolution with scipy.signal's three modes.

``corr2d`` slides the kernel as it is (what deep-learning "convolution" does);
``convolve2d`` flips it first (the textbook convolution). Both return the same
numbers as ``scipy.signal.correlate2d`` / ``scipy.signal.convolve2d`` for
``mode`` in ``'valid'``, ``'same'``, ``'full'`` -- with one difference: in
``'valid'`` mode the kernel must fit inside ``x`` (scipy would swap the two).
"""

from __future__ import annotations

import numpy as np

from . import _im2col
from ._args import as_array, check_choice, check_ndim, result_dtype
from .sizes import AXES, check_window_fits, window_count

__all__ = ["corr2d", "convolve2d", "corr2d_loops"]

MODES = ("valid", "same", "full")


def _prepare(fn, x, k, mode, flip):
    """Checked float arrays, the kernel to slide (flipped for convolve2d), and padded x."""
    x, k = as_array(fn, "x", x), as_array(fn, "k", k)
    check_ndim(fn, "x", x, 2, "(H, W)")
    check_ndim(fn, "k", k, 2, "(kH, kW)")
    check_choice(fn, "mode", mode, MODES)
    for name, arr in (("x", x), ("k", k)):
        if arr.size == 0:
            raise ValueError(f"{fn}: {name} must not be empty, got shape {arr.shape}")
    if mode == "valid":
        for axis, size, kernel_size in zip(AXES, x.shape, k.shape):
            check_window_fits(fn, size, kernel_size, axis=axis,
                              given=f"mode='valid', x.shape = {x.shape}, k.shape = {k.shape}")
    dtype = result_dtype(x, k)
    x, k = x.astype(dtype, copy=False), k.astype(dtype, copy=False)
    pads = []
    for size in k.shape:
        if mode == "valid":
            before = 0
        elif mode == "full":
            before = size - 1
        elif flip:   # scipy centres 'same' at index (k-1)//2 of the full result ...
            before = size - 1 - (size - 1) // 2
        else:        # ... which, for a correlation, puts the extra zero after the input
            before = (size - 1) // 2
        after = before if mode != "same" else size - 1 - before
        pads += [before, after]
    kernel = k[::-1, ::-1] if flip else k
    return _im2col.pad_spatial(x, tuple(pads)), kernel


def _valid_correlation(xp: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out_size = tuple(window_count(size, k) for size, k in zip(xp.shape, kernel.shape))
    out = _im2col.correlate_windows(xp[None, None], kernel[None, None], (1, 1), (1, 1),
                                    out_size, 1)
    return out[0, 0]


def corr2d(x, k, mode="valid"):
    """2-D cross-correlation of one image with one kernel (``scipy.signal.correlate2d``).

    Parameters
    ----------
    x : ndarray, shape (H, W)
    k : ndarray, shape (kH, kW)
    mode : {'valid', 'same', 'full'}
        ``'valid'``: only where ``k`` lies inside ``x``, shape ``(H - kH + 1, W - kW + 1)``;
        ``'full'``: wherever they overlap, ``(H + kH - 1, W + kW - 1)``;
        ``'same'``: the centre of 'full' with the shape of ``x``.

    Returns
    -------
    ndarray, shape given by ``mode``

    Notes
    -----
    .. math:: (x \\star k)[i, j] = \\sum_{m=0}^{kH-1} \\sum_{l=0}^{kW-1} x[i + m, j + l]\\, k[m, l]

    with ``x`` zero outside its bounds and ``i, j`` shifted by the mode's padding.

    Examples
    --------
    >>> corr2d(np.arange(16.).reshape(4, 4), np.ones((3, 3)))
    array([[45., 54.],
           [81., 90.]])
    """
    return _valid_correlation(*_prepare("corr2d", x, k, mode, flip=False))


def convolve2d(x, k, mode="valid"):
    """2-D convolution of one image with one kernel (``scipy.signal.convolve2d``).

    Same parameters and shapes as :func:`corr2d`; the kernel is flipped in both
    directions before sliding.

    Notes
    -----
    .. math:: (x * k)[i, j] = \\sum_{m} \\sum_{l} x[i - m, j - l]\\, k[m, l]
              = (x \\star k_{flipped})[i - kH + 1, j - kW + 1]
    """
    return _valid_correlation(*_prepare("convolve2d", x, k, mode, flip=True))


def corr2d_loops(x, k, mode="valid"):
    """Loop version of :func:`corr2d`: one output value at a time.

    Same parameters, result and errors as :func:`corr2d`.
    """
    xp, kernel = _prepare("corr2d_loops", x, k, mode, flip=False)
    kh, kw = kernel.shape
    out = np.zeros((window_count(xp.shape[0], kh), window_count(xp.shape[1], kw)), xp.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            # out[i, j] = sum over m, l of x[i + m, j + l] * k[m, l]
            out[i, j] = np.sum(xp[i:i + kh, j:j + kw] * kernel)
    return out
