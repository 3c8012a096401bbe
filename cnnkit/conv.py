"""2-D convolution (cross-correlation, as in every deep-learning library) and its gradients.

``conv2d_loops`` / ``conv2d_backward_loops`` spell the formula out with Python
loops -- read those first. ``conv2d`` / ``conv2d_backward`` compute the same
numbers with im2col and one matrix product (see ``cnnkit._im2col``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _im2col
from ._args import (as_array, check_bias, check_choice, check_dout, check_groups, check_ndim,
                    nonnegative_pair, positive_pair, result_dtype)
from .sizes import AXES, check_window_fits, window_count

__all__ = ["conv2d", "conv2d_backward", "conv2d_loops", "conv2d_backward_loops"]


class _Conv(NamedTuple):
    """A checked conv2d call: arrays in the result dtype and every size as pairs."""

    x: np.ndarray
    w: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[int, int, int, int]   # top, bottom, left, right
    out_size: tuple[int, int]
    groups: int


def _same_pads(fn, kernel, stride, dilation):
    if stride != (1, 1):
        raise ValueError(f"{fn}: padding='same' needs stride 1, got stride={stride}")
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]   # an odd total puts the extra row below
    return tuple(pads)


def _check_conv2d(fn, x, w, stride, padding, dilation, groups, **others) -> _Conv:
    x = as_array(fn, "x", x)
    w = as_array(fn, "w", w)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    check_ndim(fn, "w", w, 4, "(F, C/groups, kH, kW)")
    groups = check_groups(fn, groups, (x.shape[1], "channels of x (x.shape[1])"),
                          (w.shape[0], "filters of w (w.shape[0])"))
    if x.shape[1] != w.shape[1] * groups:
        grouped = f" x groups={groups}" if groups > 1 else ""
        raise ValueError(f"{fn}: x has {x.shape[1]} channels but w expects "
                         f"{w.shape[1] * groups} (w.shape = {tuple(w.shape)}{grouped})")
    stride = positive_pair(fn, "stride", stride)
    dilation = positive_pair(fn, "dilation", dilation)
    kernel = w.shape[2:]
    if isinstance(padding, str):
        check_choice(fn, "padding", padding, ("valid", "same"))
        pads = (0, 0, 0, 0) if padding == "valid" else _same_pads(fn, kernel, stride, dilation)
    else:
        ph, pw = nonnegative_pair(fn, "padding", padding)
        pads = (ph, ph, pw, pw)
    given = f"x.shape = {tuple(x.shape)}, w.shape = {tuple(w.shape)}"
    out_size = []
    for axis, size, k, s, d, before, after in zip(AXES, x.shape[2:], kernel, stride, dilation,
                                                   pads[::2], pads[1::2]):
        check_window_fits(fn, size, k, (before, after), d, axis=axis, given=given)
        out_size.append(window_count(size + before + after, k, s, 0, d))
    extras = [as_array(fn, name, a) for name, a in others.items() if a is not None]
    dtype = result_dtype(x, w, *extras)
    return _Conv(x.astype(dtype, copy=False), w.astype(dtype, copy=False), stride, dilation,
                 pads, tuple(out_size), groups)


def _checked_dout(fn, dout, conv: _Conv):
    """``dout`` in the result dtype; ValueError unless it is shaped (N, F, OH, OW)."""
    expected = (conv.x.shape[0], conv.w.shape[0]) + conv.out_size
    return check_dout(fn, dout, expected, "(N, F, OH, OW)").astype(conv.x.dtype, copy=False)


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of a batch of images with a bank of filters (``torch.nn.functional.conv2d``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C/groups, kH, kW)
    b : ndarray, shape (F,), optional
    stride, dilation : int or (int, int)
    padding : int or (int, int) or {'valid', 'same'}
        Zeros added on each side. ``'same'`` (stride 1 only) keeps ``H x W``;
        when the dilated kernel is even, the extra row/column goes bottom/right.
    groups : int
        Channels split into ``groups`` blocks; filter block ``g`` sees only input block ``g``.

    Returns
    -------
    ndarray, shape (N, F, OH, OW)
        float32 if every input is float32, else float64.

    Notes
    -----
    With ``X`` the zero-padded input and ``c`` running over the channels of filter ``f``'s group,

    .. math:: O[n, f, i, j] = b[f] + \\sum_c \\sum_m \\sum_l
              X[n, c, i s + m d, j s + l d]\\, K[f, c, m, l]

    and ``OH = floor((H + 2p - d (kH - 1) - 1) / s) + 1`` (same for ``OW``).
    """
    fn = "conv2d"
    conv = _check_conv2d(fn, x, w, stride, padding, dilation, groups, b=b)
    bias = check_bias(fn, b, conv.w.shape[0], conv.x.dtype)
    xp = _im2col.pad_spatial(conv.x, conv.pads)
    out = _im2col.correlate_windows(xp, conv.w, conv.stride, conv.dilation, conv.out_size,
                                    conv.groups)
    if bias is not None:
        out += bias[:, None, None]
    return out


def conv2d_backward(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``conv2d`` with respect to its input, weights and bias.

    Parameters
    ----------
    dout : ndarray, shape (N, F, OH, OW)
        Gradient of the loss with respect to ``conv2d(x, w, b, ...)``.
    x, w, stride, padding, dilation, groups
        As given to :func:`conv2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (F, C/groups, kH, kW)
    db : ndarray, shape (F,)

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial K[f, c, m, l]} = \\sum_{n, i, j} dO[n, f, i, j]\\,
              X[n, c, i s + m d, j s + l d], \\qquad
              \\frac{\\partial L}{\\partial b[f]} = \\sum_{n, i, j} dO[n, f, i, j]

    and ``dX`` (of the padded input) receives ``dO[n, f, i, j] K[f, c, m, l]`` at every
    ``[n, c, i s + m d, j s + l d]``; the padding border is then cut off.
    """
    fn = "conv2d_backward"
    conv = _check_conv2d(fn, x, w, stride, padding, dilation, groups, dout=dout)
    n, _, h, width = conv.x.shape
    dout = _checked_dout(fn, dout, conv)
    top, bottom, left, right = conv.pads
    xp = _im2col.pad_spatial(conv.x, conv.pads)
    dw = _im2col.weight_gradient(xp, dout, conv.w.shape[2:], conv.stride, conv.dilation,
                                 conv.groups)
    dxp = _im2col.scatter_windows(dout, conv.w, conv.stride, conv.dilation, xp.shape[2:],
                                  conv.groups)
    dx = dxp[:, :, top:top + h, left:left + width]
    return np.ascontiguousarray(dx), dw, dout.sum(axis=(0, 2, 3))


def conv2d_loops(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`conv2d`: one output value at a time, the formula as written.

    Same parameters, result and errors as :func:`conv2d`; thousands of times slower.
    """
    fn = "conv2d_loops"
    conv = _check_conv2d(fn, x, w, stride, padding, dilation, groups, b=b)
    bias = check_bias(fn, b, conv.w.shape[0], conv.x.dtype)
    n_batch, (filters, per_group, kh, kw) = conv.x.shape[0], conv.w.shape
    (sh, sw), (dil_h, dil_w), (oh, ow) = conv.stride, conv.dilation, conv.out_size
    top, bottom, left, right = conv.pads
    xp = np.pad(conv.x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    out = np.zeros((n_batch, filters, oh, ow), dtype=conv.x.dtype)
    for n in range(n_batch):
        for f in range(filters):
            g = f // (filters // conv.groups)   # filter f reads the channels of group g
            channels = slice(g * per_group, (g + 1) * per_group)
            for i in range(oh):
                rows = slice(i * sh, i * sh + kh * dil_h, dil_h)   # rows i*s + m*d, m < kh
                for j in range(ow):
                    cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                    # sum over c, m, l of X[n, c, i*s + m*d, j*s + l*d] * K[f, c, m, l]
                    out[n, f, i, j] = np.sum(xp[n, channels, rows, cols] * conv.w[f])
    if bias is not None:
        out += bias[:, None, None]
    return out


def conv2d_backward_loops(dout, x, w, stride=1, padding=0, dilation=1, groups=1):
    """Loop version of :func:`conv2d_backward`: each output value sends its gradient back.

    Same parameters, results and errors as :func:`conv2d_backward`.
    """
    fn = "conv2d_backward_loops"
    conv = _check_conv2d(fn, x, w, stride, padding, dilation, groups, dout=dout)
    dout = _checked_dout(fn, dout, conv)
    (n_batch, _, h, width), (filters, per_group, kh, kw) = conv.x.shape, conv.w.shape
    (sh, sw), (dil_h, dil_w), (oh, ow) = conv.stride, conv.dilation, conv.out_size
    top, bottom, left, right = conv.pads
    xp = np.pad(conv.x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(conv.w)
    for n in range(n_batch):
        for f in range(filters):
            g = f // (filters // conv.groups)   # filter f reads the channels of group g
            channels = slice(g * per_group, (g + 1) * per_group)
            for i in range(oh):
                rows = slice(i * sh, i * sh + kh * dil_h, dil_h)   # rows i*s + m*d, m < kh
                for j in range(ow):
                    cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                    dxp[n, channels, rows, cols] += dout[n, f, i, j] * conv.w[f]
                    dw[f] += dout[n, f, i, j] * xp[n, channels, rows, cols]
    dx = dxp[:, :, top:top + h, left:left + width].copy()   # the padding's gradient is dropped
    return dx, dw, dout.sum(axis=(0, 2, 3))
