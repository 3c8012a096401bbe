"""Transposed 2-D convolution ("deconvolution", fractionally strided convolution).

A transposed convolution runs a convolution backwards: every input pixel stamps a
copy of the kernel, scaled by its value, onto the output, ``stride`` pixels apart,
and overlapping stamps add up. It is exactly the input-gradient of ``conv2d``
with the same weights, so the fast version reuses conv2d's col2im scatter, and its
gradients are a conv2d forward (for ``dx``) and a conv2d weight-gradient (for ``dw``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _im2col
from ._args import (as_array, check_bias, check_dout, check_groups, check_ndim, nonnegative_pair,
                    positive_pair, result_dtype)
from .sizes import AXES, transposed_size

__all__ = ["conv_transpose2d", "conv_transpose2d_backward", "conv_transpose2d_loops",
           "conv_transpose2d_backward_loops"]


class _ConvT(NamedTuple):
    """A checked conv_transpose2d call: arrays in the result dtype and sizes as pairs."""

    x: np.ndarray
    w: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out_size: tuple[int, int]
    groups: int

    @property
    def out_channels(self) -> int:
        return self.w.shape[1] * self.groups

    @property
    def padded_size(self) -> tuple[int, int]:
        return tuple(o + 2 * p for o, p in zip(self.out_size, self.padding))


def _check_conv_transpose2d(fn, x, w, stride, padding, output_padding, groups, dilation,
                            **others) -> _ConvT:
    x = as_array(fn, "x", x)
    w = as_array(fn, "w", w)
    check_ndim(fn, "x", x, 4, "(N, C_in, H, W)")
    check_ndim(fn, "w", w, 4, "(C_in, C_out/groups, kH, kW)")
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"{fn}: x has {x.shape[1]} channels but w expects {w.shape[0]} "
                         f"(w.shape = {tuple(w.shape)}; w[c] is the kernel that input "
                         f"channel c stamps onto the output)")
    groups = check_groups(fn, groups, (x.shape[1], "channels of x (x.shape[1])"))
    stride = positive_pair(fn, "stride", stride)
    padding = nonnegative_pair(fn, "padding", padding)
    output_padding = nonnegative_pair(fn, "output_padding", output_padding)
    dilation = positive_pair(fn, "dilation", dilation)
    given = f"x.shape = {tuple(x.shape)}, w.shape = {tuple(w.shape)}"
    out_size = [transposed_size(fn, i, k, s, p, extra, d, axis=axis, given=given)
                for axis, i, k, s, p, extra, d in zip(AXES, x.shape[2:], w.shape[2:], stride,
                                                      padding, output_padding, dilation)]
    dtype = result_dtype(x, w, *[as_array(fn, name, a) for name, a in others.items()
                                 if a is not None])
    return _ConvT(x.astype(dtype, copy=False), w.astype(dtype, copy=False), stride, padding,
                  dilation, tuple(out_size), groups)


def _crop(yp: np.ndarray, conv: _ConvT) -> np.ndarray:
    (ph, pw), (oh, ow) = conv.padding, conv.out_size
    return np.ascontiguousarray(yp[:, :, ph:ph + oh, pw:pw + ow])


def _checked_dout(fn, dout, conv: _ConvT):
    """``dout`` in the result dtype; ValueError unless it is shaped (N, C_out, OH, OW)."""
    expected = (conv.x.shape[0], conv.out_channels) + conv.out_size
    return check_dout(fn, dout, expected, "(N, C_out, OH, OW)").astype(conv.x.dtype, copy=False)


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution (as ``torch.nn.functional.conv_transpose2d``).

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out/groups, kH, kW)
    b : ndarray, shape (C_out,), optional
    stride, dilation : int or (int, int)
        Distance between the stamps of neighbouring input pixels; spacing of kernel taps.
    padding : int or (int, int)
        Rows/columns cut from each side of the full result (undoes a conv2d's padding).
    output_padding : int or (int, int)
        Rows/columns added at the bottom/right, ``< stride`` or ``< dilation``; picks
        which of the input sizes that a strided conv2d maps to ``H`` to produce.
    groups : int

    Returns
    -------
    ndarray, shape (N, C_out, OH, OW)
        ``OH = (H - 1) s - 2p + d (kH - 1) + output_padding + 1``.

    Notes
    -----
    With ``c`` in the output channels of input channel ``c_in``'s group,

    .. math:: Y_{full}[n, c, i s + m d, j s + l d] \\mathrel{+}= X[n, c_{in}, i, j]\\, K[c_{in}, c, m, l]

    then ``Y = Y_full[:, :, p : p + OH, p : p + OW] + b``. This is the adjoint of
    ``conv2d``: ``<conv2d(x, w), y> = <x, conv_transpose2d(y, w)>`` for the same arguments.
    """
    fn = "conv_transpose2d"
    conv = _check_conv_transpose2d(fn, x, w, stride, padding, output_padding, groups, dilation,
                                   b=b)
    bias = check_bias(fn, b, conv.out_channels, conv.x.dtype)
    yp = _im2col.scatter_windows(conv.x, conv.w, conv.stride, conv.dilation, conv.padded_size,
                                 conv.groups)
    out = _crop(yp, conv)
    if bias is not None:
        out += bias[:, None, None]
    return out


def conv_transpose2d_backward(dout, x, w, stride=1, padding=0, output_padding=0, groups=1,
                              dilation=1):
    """Gradients of :func:`conv_transpose2d` with respect to input, weights and bias.

    Parameters
    ----------
    dout : ndarray, shape (N, C_out, OH, OW)
    x, w, stride, padding, output_padding, groups, dilation
        As given to :func:`conv_transpose2d`.

    Returns
    -------
    dx : ndarray, shape (N, C_in, H, W)
    dw : ndarray, shape (C_in, C_out/groups, kH, kW)
    db : ndarray, shape (C_out,)

    Notes
    -----
    With ``dY`` the gradient zero-padded by ``p`` (the rows the forward cropped),

    .. math:: dX[n, c_{in}, i, j] = \\sum_{c, m, l} dY[n, c, i s + m d, j s + l d]\\, K[c_{in}, c, m, l]

    .. math:: dK[c_{in}, c, m, l] = \\sum_{n, i, j} X[n, c_{in}, i, j]\\, dY[n, c, i s + m d, j s + l d]

    i.e. ``dX`` is ``conv2d(dY, w)`` and ``dK`` is conv2d's weight gradient with the
    roles of input and output swapped.
    """
    fn = "conv_transpose2d_backward"
    conv = _check_conv_transpose2d(fn, x, w, stride, padding, output_padding, groups, dilation,
                                   dout=dout)
    ph, pw = conv.padding
    doutp = _im2col.pad_spatial(_checked_dout(fn, dout, conv), (ph, ph, pw, pw))
    dx = _im2col.correlate_windows(doutp, conv.w, conv.stride, conv.dilation,
                                   conv.x.shape[2:], conv.groups)
    dw = _im2col.weight_gradient(doutp, conv.x, conv.w.shape[2:], conv.stride, conv.dilation,
                                 conv.groups)
    return dx, dw, doutp.sum(axis=(0, 2, 3))


def conv_transpose2d_loops(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                           dilation=1):
    """Loop version of :func:`conv_transpose2d`: each input pixel stamps its scaled kernel.

    Same parameters, result and errors as :func:`conv_transpose2d`.
    """
    fn = "conv_transpose2d_loops"
    conv = _check_conv_transpose2d(fn, x, w, stride, padding, output_padding, groups, dilation,
                                   b=b)
    bias = check_bias(fn, b, conv.out_channels, conv.x.dtype)
    (n_batch, in_channels, h, width), (_, per_group, kh, kw) = conv.x.shape, conv.w.shape
    (sh, sw), (dil_h, dil_w) = conv.stride, conv.dilation
    yp = np.zeros((n_batch, conv.out_channels) + conv.padded_size, dtype=conv.x.dtype)
    for n in range(n_batch):
        for c_in in range(in_channels):
            g = c_in // (in_channels // conv.groups)   # input channel c_in stamps group g's outputs
            outs = slice(g * per_group, (g + 1) * per_group)
            for i in range(h):
                rows = slice(i * sh, i * sh + kh * dil_h, dil_h)   # rows i*s + m*d, m < kh
                for j in range(width):
                    cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                    # Y_full[n, c, i*s + m*d, j*s + l*d] += X[n, c_in, i, j] * K[c_in, c, m, l]
                    yp[n, outs, rows, cols] += conv.x[n, c_in, i, j] * conv.w[c_in]
    out = _crop(yp, conv)
    if bias is not None:
        out += bias[:, None, None]
    return out


def conv_transpose2d_backward_loops(dout, x, w, stride=1, padding=0, output_padding=0, groups=1,
                                    dilation=1):
    """Loop version of :func:`conv_transpose2d_backward`: one input pixel at a time.

    Same parameters, results and errors as :func:`conv_transpose2d_backward`.
    """
    fn = "conv_transpose2d_backward_loops"
    conv = _check_conv_transpose2d(fn, x, w, stride, padding, output_padding, groups, dilation,
                                   dout=dout)
    dout = _checked_dout(fn, dout, conv)
    (n_batch, in_channels, h, width), (_, per_group, kh, kw) = conv.x.shape, conv.w.shape
    (sh, sw), (dil_h, dil_w), (ph, pw) = conv.stride, conv.dilation, conv.padding
    doutp = np.pad(dout, ((0, 0), (0, 0), (ph, ph), (pw, pw)))   # the border the forward cut off
    dx, dw = np.zeros_like(conv.x), np.zeros_like(conv.w)
    for n in range(n_batch):
        for c_in in range(in_channels):
            g = c_in // (in_channels // conv.groups)   # input channel c_in stamps group g's outputs
            outs = slice(g * per_group, (g + 1) * per_group)
            for i in range(h):
                rows = slice(i * sh, i * sh + kh * dil_h, dil_h)   # rows i*s + m*d, m < kh
                for j in range(width):
                    cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                    # the stamp of X[n, c_in, i, j] covered these outputs: collect their gradients
                    dx[n, c_in, i, j] = np.sum(doutp[n, outs, rows, cols] * conv.w[c_in])
                    dw[c_in] += conv.x[n, c_in, i, j] * doutp[n, outs, rows, cols]
    return dx, dw, doutp.sum(axis=(0, 2, 3))
