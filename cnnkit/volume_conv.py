"""3-D convolution (video frames, medical volumes) and its gradients.

The kernel slides along depth as well as height and width; each axis follows
chapter 02's output-size formula on its own. ``conv3d_loops`` /
``conv3d_backward_loops`` spell the formula out with loops -- read those first.
``conv3d`` copies every window into a column (im2col, through
``sliding_window_view``) and multiplies by the flattened filters once;
``conv3d_backward`` adds the columns back with one loop over the kernel taps.

A 2-D convolution of a C-channel image is the special case "kernel depth = input
depth": ``conv3d`` of ``x[:, None]`` with ``w[:, None]`` (KD = C) is
``conv2d(x, w)`` with an output depth of 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._args import as_array, check_bias, check_dout, check_ndim, int_tuple, result_dtype
from .sizes import check_window_fits, window_count, window_span

__all__ = ["conv3d", "conv3d_backward", "conv3d_loops", "conv3d_backward_loops"]

AXES_3D = ("depth", "height", "width")


class _Conv3d(NamedTuple):
    """A checked conv3d call: arrays in the result dtype and every size as a triple."""

    x: np.ndarray
    w: np.ndarray
    stride: tuple[int, int, int]
    padding: tuple[int, int, int]
    dilation: tuple[int, int, int]
    out_size: tuple[int, int, int]


def _check_conv3d(fn, x, w, stride, padding, dilation, **others) -> _Conv3d:
    x = as_array(fn, "x", x)
    w = as_array(fn, "w", w)
    check_ndim(fn, "x", x, 5, "(N, C, D, H, W)")
    check_ndim(fn, "w", w, 5, "(F, C, KD, KH, KW)")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{fn}: x has {x.shape[1]} channels but w expects {w.shape[1]} "
                         f"(x.shape = {tuple(x.shape)}, w.shape = {tuple(w.shape)})")
    stride = int_tuple(fn, "stride", stride, 3, minimum=1)
    padding = int_tuple(fn, "padding", padding, 3, minimum=0)
    dilation = int_tuple(fn, "dilation", dilation, 3, minimum=1)
    given = f"x.shape = {tuple(x.shape)}, w.shape = {tuple(w.shape)}"
    out_size = []
    for axis, size, k, s, p, d in zip(AXES_3D, x.shape[2:], w.shape[2:], stride, padding,
                                      dilation):
        check_window_fits(fn, size, k, p, d, axis=axis, given=given)
        out_size.append(window_count(size, k, s, p, d))
    extras = [as_array(fn, name, a) for name, a in others.items() if a is not None]
    dtype = result_dtype(x, w, *extras)
    return _Conv3d(x.astype(dtype, copy=False), w.astype(dtype, copy=False), stride, padding,
                   dilation, tuple(out_size))


def _pad(conv: _Conv3d) -> np.ndarray:
    """``x`` with ``padding`` zeros on both sides of depth, height and width."""
    return np.pad(conv.x, [(0, 0), (0, 0)] + [(p, p) for p in conv.padding])


def _tap_slices(tap, conv: _Conv3d):
    """Cells ``o*s + tap*d`` (o < output size) of the padded input, one slice per axis."""
    return tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                 for t, s, d, o in zip(tap, conv.stride, conv.dilation, conv.out_size))


def _columns(xp: np.ndarray, conv: _Conv3d) -> np.ndarray:
    """im2col: (N, C*KD*KH*KW, OD*OH*OW); column ``p`` holds the window under output ``p``."""
    kernel = conv.w.shape[2:]
    spans = [window_span(k, d) for k, d in zip(kernel, conv.dilation)]
    # (N, C, positions_d, positions_h, positions_w, span_d, span_h, span_w): a view
    windows = sliding_window_view(xp, spans, axis=(2, 3, 4))
    (sd, sh, sw), (dd, dh, dw), (od, oh, ow) = conv.stride, conv.dilation, conv.out_size
    windows = windows[:, :, :sd * (od - 1) + 1:sd, :sh * (oh - 1) + 1:sh, :sw * (ow - 1) + 1:sw,
                      ::dd, ::dh, ::dw]
    # (N, C, KD, KH, KW, OD, OH, OW); the reshape is the one copy
    windows = windows.transpose(0, 1, 5, 6, 7, 2, 3, 4)
    return windows.reshape(xp.shape[0], int(np.prod(conv.w.shape[1:])), od * oh * ow)


def _checked_dout(fn, dout, conv: _Conv3d):
    expected = (conv.x.shape[0], conv.w.shape[0]) + conv.out_size
    return check_dout(fn, dout, expected, "(N, F, OD, OH, OW)").astype(conv.x.dtype, copy=False)


def conv3d(x, w, b=None, stride=1, padding=0, dilation=1):
    """3-D convolution of a batch of volumes with a bank of filters (as ``torch...conv3d``).

    Parameters
    ----------
    x : ndarray, shape (N, C, D, H, W)
    w : ndarray, shape (F, C, KD, KH, KW)
    b : ndarray, shape (F,), optional
    stride, padding, dilation : int or (int, int, int)
        Per axis ``(depth, height, width)``; ``padding`` zeros go on both sides.

    Returns
    -------
    ndarray, shape (N, F, OD, OH, OW)
        float32 if every input is float32, else float64.

    Notes
    -----
    With ``X`` the zero-padded input,

    .. math:: O[n, f, t, i, j] = b[f] + \\sum_{c, q, m, l}
              X[n, c, t s_D + q d_D, i s_H + m d_H, j s_W + l d_W]\\, K[f, c, q, m, l]

    and ``OD = floor((D + 2p - d (KD - 1) - 1) / s) + 1`` (same for ``OH``, ``OW``).
    The layer has ``F * C * KD * KH * KW + F`` parameters.
    """
    fn = "conv3d"
    conv = _check_conv3d(fn, x, w, stride, padding, dilation, b=b)
    n_batch, filters = conv.x.shape[0], conv.w.shape[0]
    bias = check_bias(fn, b, filters, conv.x.dtype)
    cols = _columns(_pad(conv), conv)                                 # (N, K, P)
    out = np.matmul(conv.w.reshape(filters, cols.shape[1]), cols)    # (N, F, P)
    out = out.reshape(n_batch, filters, *conv.out_size)
    if bias is not None:
        out += bias[:, None, None, None]
    return out


def conv3d_backward(dout, x, w, stride=1, padding=0, dilation=1):
    """Gradients of ``conv3d`` with respect to its input, weights and bias.

    Parameters
    ----------
    dout : ndarray, shape (N, F, OD, OH, OW)
        Gradient of the loss with respect to ``conv3d(x, w, b, ...)``.
    x, w, stride, padding, dilation
        As given to :func:`conv3d`.

    Returns
    -------
    dx : ndarray, shape (N, C, D, H, W)
    dw : ndarray, shape (F, C, KD, KH, KW)
    db : ndarray, shape (F,)

    Notes
    -----
    ``dK[f, c, q, m, l] = sum_{n,t,i,j} dO[n, f, t, i, j] X[n, c, t s + q d, i s + m d, j s + l d]``,
    ``db[f] = sum_{n,t,i,j} dO[n, f, t, i, j]``, and each ``dO[n, f, t, i, j] K[f, c, q, m, l]``
    is added to ``dX`` at the cell it was multiplied with; the padding's share is dropped.
    """
    fn = "conv3d_backward"
    conv = _check_conv3d(fn, x, w, stride, padding, dilation, dout=dout)
    dout = _checked_dout(fn, dout, conv)
    n_batch, filters = dout.shape[:2]
    xp = _pad(conv)
    flat_dout = dout.reshape(n_batch, filters, int(np.prod(conv.out_size)))   # (N, F, P)
    flat_w = conv.w.reshape(filters, int(np.prod(conv.w.shape[1:])))          # (F, K)
    cols = _columns(xp, conv)                                         # (N, K, P)
    # sum over images of dO @ cols^T; BLAS splits such a product between its threads along
    # the output's rows, and is several times faster when the longer of F, K is that side
    if cols.shape[1] >= filters:
        dw = np.matmul(cols, flat_dout.transpose(0, 2, 1)).sum(axis=0).T   # (K, F) computed
    else:
        dw = np.matmul(flat_dout, cols.transpose(0, 2, 1)).sum(axis=0)     # (F, K) computed
    dcols = np.matmul(flat_w.T, flat_dout)                            # (N, K, P)
    dcols = dcols.reshape(n_batch, *conv.w.shape[1:], *conv.out_size)
    dxp = np.zeros_like(xp)
    for tap in np.ndindex(*conv.w.shape[2:]):                         # col2im, one tap at a time
        dxp[np.s_[:, :] + _tap_slices(tap, conv)] += dcols[np.s_[:, :] + tap]
    inside = tuple(slice(p, p + size) for p, size in zip(conv.padding, conv.x.shape[2:]))
    dx = np.ascontiguousarray(dxp[np.s_[:, :] + inside])
    return dx, dw.reshape(conv.w.shape), dout.sum(axis=(0, 2, 3, 4))


def conv3d_loops(x, w, b=None, stride=1, padding=0, dilation=1):
    """Loop version of :func:`conv3d`: one output value at a time, the formula as written.

    Same parameters, result and errors as :func:`conv3d`; thousands of times slower.
    """
    fn = "conv3d_loops"
    conv = _check_conv3d(fn, x, w, stride, padding, dilation, b=b)
    bias = check_bias(fn, b, conv.w.shape[0], conv.x.dtype)
    n_batch, (filters, _, kd, kh, kw) = conv.x.shape[0], conv.w.shape
    (sd, sh, sw), (dil_d, dil_h, dil_w), (od, oh, ow) = conv.stride, conv.dilation, conv.out_size
    xp = _pad(conv)
    out = np.zeros((n_batch, filters, od, oh, ow), dtype=conv.x.dtype)
    for n in range(n_batch):
        for f in range(filters):
            for t in range(od):
                planes = slice(t * sd, t * sd + kd * dil_d, dil_d)   # depths t*s + q*d, q < kd
                for i in range(oh):
                    rows = slice(i * sh, i * sh + kh * dil_h, dil_h)
                    for j in range(ow):
                        cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                        out[n, f, t, i, j] = np.sum(xp[n, :, planes, rows, cols] * conv.w[f])
    if bias is not None:
        out += bias[:, None, None, None]
    return out


def conv3d_backward_loops(dout, x, w, stride=1, padding=0, dilation=1):
    """Loop version of :func:`conv3d_backward`: each output value sends its gradient back.

    Same parameters, results and errors as :func:`conv3d_backward`.
    """
    fn = "conv3d_backward_loops"
    conv = _check_conv3d(fn, x, w, stride, padding, dilation, dout=dout)
    dout = _checked_dout(fn, dout, conv)
    (n_batch, filters), (kd, kh, kw) = dout.shape[:2], conv.w.shape[2:]
    (sd, sh, sw), (dil_d, dil_h, dil_w), (od, oh, ow) = conv.stride, conv.dilation, conv.out_size
    xp = _pad(conv)
    dxp, dw = np.zeros_like(xp), np.zeros_like(conv.w)
    for n in range(n_batch):
        for f in range(filters):
            for t in range(od):
                planes = slice(t * sd, t * sd + kd * dil_d, dil_d)   # depths t*s + q*d, q < kd
                for i in range(oh):
                    rows = slice(i * sh, i * sh + kh * dil_h, dil_h)
                    for j in range(ow):
                        cols = slice(j * sw, j * sw + kw * dil_w, dil_w)
                        dxp[n, :, planes, rows, cols] += dout[n, f, t, i, j] * conv.w[f]
                        dw[f] += dout[n, f, t, i, j] * xp[n, :, planes, rows, cols]
    (pd, ph, pw), (d, h, width) = conv.padding, conv.x.shape[2:]
    dx = dxp[:, :, pd:pd + d, ph:ph + h, pw:pw + width].copy()   # the padding's gradient is dropped
    return dx, dw, dout.sum(axis=(0, 2, 3, 4))
