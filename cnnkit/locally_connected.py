"""Locally connected ("unshared") 2-D layers: a convolution whose filters differ at every position.

Each output position ``(i, j)`` has its own bank of filters ``w[i, j]``, which sees
only the window under ``(i, j)``: the connections of a convolution, the weights of
nothing shared. DeepFace used three such layers on aligned faces, where an eye
always lands on the same pixels. ``locally_connected2d_loops`` spells the formula
out; ``locally_connected2d`` copies the windows (im2col) and makes one batched
matrix product, one small product per position.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._args import (as_array, check_dout, check_ndim, nonnegative_pair, positive_pair,
                    result_dtype)
from .sizes import AXES, check_window_fits, window_count

__all__ = ["locally_connected2d", "locally_connected2d_backward", "locally_connected2d_loops",
           "locally_connected2d_backward_loops"]


class _Local(NamedTuple):
    """A checked locally_connected2d call: arrays in the result dtype, sizes as pairs."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, int]
    padding: tuple[int, int]


def _check_local(fn, x, w, b, stride, padding, **others) -> _Local:
    x = as_array(fn, "x", x)
    w = as_array(fn, "w", w)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    check_ndim(fn, "w", w, 6, "(OH, OW, F, C, KH, KW)")
    if x.shape[1] != w.shape[3]:
        raise ValueError(f"{fn}: x has {x.shape[1]} channels but w expects {w.shape[3]} "
                         f"(x.shape = {tuple(x.shape)}, w.shape = {tuple(w.shape)})")
    stride = positive_pair(fn, "stride", stride)
    padding = nonnegative_pair(fn, "padding", padding)
    given = f"x.shape = {tuple(x.shape)}, w.shape = {tuple(w.shape)}"
    out_size = []
    for axis, size, k, s, p in zip(AXES, x.shape[2:], w.shape[4:], stride, padding):
        check_window_fits(fn, size, k, p, axis=axis, given=given)
        out_size.append(window_count(size, k, s, p))
    if tuple(out_size) != w.shape[:2]:
        raise ValueError(f"{fn}: w must have one filter bank per output position, shape "
                         f"(OH, OW, ...) = {tuple(out_size)} for this x, kernel, stride and "
                         f"padding, got w.shape[:2] = {tuple(w.shape[:2])}; {given}")
    if b is not None:
        b = as_array(fn, "b", b)
        expected = (w.shape[2], *out_size)
        if b.shape != expected:
            raise ValueError(f"{fn}: b must have shape (F, OH, OW) = {expected} (one value per "
                             f"filter and output position), got shape {tuple(b.shape)}")
    extras = [as_array(fn, name, a) for name, a in others.items() if a is not None]
    dtype = result_dtype(x, w, *([] if b is None else [b]), *extras)
    cast = (lambda a: None if a is None else a.astype(dtype, copy=False))  # noqa: E731
    return _Local(cast(x), cast(w), cast(b), stride, padding)


def _pad(local: _Local) -> np.ndarray:
    (ph, pw) = local.padding
    return np.pad(local.x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def _columns(xp: np.ndarray, local: _Local) -> np.ndarray:
    """im2col per position: (OH*OW, N, C*KH*KW); row ``[p, n]`` is image n's window under p."""
    oh, ow, _, _, kh, kw = local.w.shape
    sh, sw = local.stride
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))   # (N, C, rows, cols, KH, KW)
    windows = windows[:, :, :sh * (oh - 1) + 1:sh, :sw * (ow - 1) + 1:sw]
    columns = int(np.prod(local.w.shape[3:]))                   # C * KH * KW
    return windows.transpose(2, 3, 0, 1, 4, 5).reshape(oh * ow, xp.shape[0], columns)


def _checked_dout(fn, dout, local: _Local):
    oh, ow, filters = local.w.shape[:3]
    expected = (local.x.shape[0], filters, oh, ow)
    return check_dout(fn, dout, expected, "(N, F, OH, OW)").astype(local.x.dtype, copy=False)


def locally_connected2d(x, w, b=None, stride=1, padding=0):
    """Locally connected layer: a 2-D convolution with a different filter bank at each output.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (OH, OW, F, C, KH, KW)
        ``w[i, j]`` is the filter bank of output position ``(i, j)``; ``(OH, OW)``
        must be the output size that ``x``, the kernel, ``stride`` and ``padding`` give.
    b : ndarray, shape (F, OH, OW), optional
        One bias per filter and position.
    stride, padding : int or (int, int)

    Returns
    -------
    ndarray, shape (N, F, OH, OW)
        float32 if every input is float32, else float64.

    Notes
    -----
    .. math:: O[n, f, i, j] = b[f, i, j] + \\sum_{c, m, l}
              X[n, c, i s + m, j s + l]\\, K[i, j, f, c, m, l]

    with ``X`` the zero-padded input: ``OH * OW`` times the weights of a
    convolution with the same kernel (``OH * OW * F * (C * KH * KW + 1)`` parameters).
    """
    fn = "locally_connected2d"
    local = _check_local(fn, x, w, b, stride, padding)
    oh, ow, filters = local.w.shape[:3]
    cols = _columns(_pad(local), local)                              # (P, N, K)
    kernels = local.w.reshape(oh * ow, filters, cols.shape[2])       # (P, F, K)
    out = np.matmul(cols, kernels.transpose(0, 2, 1))                # (P, N, F)
    out = np.ascontiguousarray(out.transpose(1, 2, 0))
    out = out.reshape(local.x.shape[0], filters, oh, ow)
    if local.b is not None:
        out += local.b
    return out


def locally_connected2d_backward(dout, x, w, stride=1, padding=0):
    """Gradients of ``locally_connected2d`` with respect to its input, weights and bias.

    Parameters
    ----------
    dout : ndarray, shape (N, F, OH, OW)
    x, w, stride, padding
        As given to :func:`locally_connected2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (OH, OW, F, C, KH, KW)
    db : ndarray, shape (F, OH, OW)

    Notes
    -----
    ``dK[i, j, f, c, m, l] = sum_n dO[n, f, i, j] X[n, c, i s + m, j s + l]`` (no sum over
    positions: nothing is shared), ``db[f, i, j] = sum_n dO[n, f, i, j]``, and
    ``dO[n, f, i, j] K[i, j, f, c, m, l]`` is added to ``dX[n, c, i s + m, j s + l]``.
    """
    fn = "locally_connected2d_backward"
    local = _check_local(fn, x, w, None, stride, padding, dout=dout)
    dout = _checked_dout(fn, dout, local)
    oh, ow, filters, channels, kh, kw = local.w.shape
    n_batch = dout.shape[0]
    xp = _pad(local)
    grads = dout.reshape(n_batch, filters, oh * ow).transpose(2, 0, 1)     # (P, N, F)
    dw = np.matmul(grads.transpose(0, 2, 1), _columns(xp, local))          # (P, F, K)
    dcols = np.matmul(grads, local.w.reshape(oh * ow, filters, -1))        # (P, N, K)
    dcols = dcols.reshape(oh, ow, n_batch, channels, kh, kw).transpose(2, 3, 4, 5, 0, 1)
    (sh, sw), dxp = local.stride, np.zeros_like(xp)
    for m in range(kh):                                                    # col2im, tap by tap
        for l in range(kw):
            dxp[:, :, m:m + sh * (oh - 1) + 1:sh, l:l + sw * (ow - 1) + 1:sw] += dcols[:, :, m, l]
    (ph, pw), (h, width) = local.padding, local.x.shape[2:]
    dx = np.ascontiguousarray(dxp[:, :, ph:ph + h, pw:pw + width])
    return dx, dw.reshape(local.w.shape), dout.sum(axis=0)


def locally_connected2d_loops(x, w, b=None, stride=1, padding=0):
    """Loop version of :func:`locally_connected2d`: one output value at a time.

    Same parameters, result and errors as :func:`locally_connected2d`.
    """
    fn = "locally_connected2d_loops"
    local = _check_local(fn, x, w, b, stride, padding)
    oh, ow, filters, _, kh, kw = local.w.shape
    (sh, sw), xp = local.stride, _pad(local)
    out = np.zeros((xp.shape[0], filters, oh, ow), dtype=local.x.dtype)
    for n in range(xp.shape[0]):
        for f in range(filters):
            for i in range(oh):
                for j in range(ow):
                    window = xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, f, i, j] = np.sum(window * local.w[i, j, f])   # the (i, j)th filter
    if local.b is not None:
        out += local.b
    return out


def locally_connected2d_backward_loops(dout, x, w, stride=1, padding=0):
    """Loop version of :func:`locally_connected2d_backward`.

    Same parameters, results and errors as :func:`locally_connected2d_backward`.
    """
    fn = "locally_connected2d_backward_loops"
    local = _check_local(fn, x, w, None, stride, padding, dout=dout)
    dout = _checked_dout(fn, dout, local)
    oh, ow, filters, _, kh, kw = local.w.shape
    (sh, sw), xp = local.stride, _pad(local)
    dxp, dw = np.zeros_like(xp), np.zeros_like(local.w)
    for n in range(xp.shape[0]):
        for f in range(filters):
            for i in range(oh):
                for j in range(ow):
                    rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * local.w[i, j, f]
                    dw[i, j, f] += dout[n, f, i, j] * xp[n, :, rows, cols]
    (ph, pw), (h, width) = local.padding, local.x.shape[2:]
    dx = dxp[:, :, ph:ph + h, pw:pw + width].copy()   # the padding's gradient is dropped
    return dx, dw, dout.sum(axis=0)
