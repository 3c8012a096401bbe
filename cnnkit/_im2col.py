"""The vectorised engine behind conv2d, conv_transpose2d and corr2d (im2col / col2im).

Three kernels, all on an input that is *already padded*:

* :func:`correlate_windows` -- ``out[n, f, i, j] = sum_{c,m,l} xp[n, c, i*s + m*d, j*s + l*d] w[f, c, m, l]``
  (the forward of a convolution; im2col + one matrix product),
* :func:`weight_gradient` -- the gradient of that sum with respect to ``w``,
* :func:`scatter_windows` -- its gradient with respect to ``xp`` (col2im: every
  output position adds its weighted kernel back onto the window it came from).

A transposed convolution is the same three kernels with the roles of input and
output swapped, so ``conv_transpose.py`` calls them too.

Layout. The column matrix holds one column per output position of the whole
batch, ``(G, C/G * kH * kW, N * OH * R)``, so that each op is one large matrix
product per group (many small BLAS calls waste their time starting threads).
``R`` is the number of columns per output row: ``OW``, or -- with stride 1, when
the padding adds little -- the whole padded width ``Wp`` ("wide" rows). Wide rows
compute a few throw-away positions that wrap around the right edge, but then
every kernel offset reads and writes long contiguous runs of memory, which
makes the im2col copy and the col2im additions several times faster.

Groups are handled by viewing channels as ``(G, channels per group)`` and letting
``np.matmul`` broadcast over the group axis.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

__all__ = ["pad_spatial", "im2col", "correlate_windows", "weight_gradient", "scatter_windows"]

WIDE_ROWS_MAX_WASTE = 1.5   # use wide rows when Wp <= 1.5 * OW
PER_IMAGE_MIN_COLUMNS = 256  # forward: one product per image from this many outputs per image


def pad_spatial(x: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    """Zero-pad the last two axes by ``(top, bottom, left, right)``; no copy if all are 0."""
    top, bottom, left, right = pads
    if top == bottom == left == right == 0:
        return x
    out = np.zeros(x.shape[:-2] + (x.shape[-2] + top + bottom, x.shape[-1] + left + right),
                   dtype=x.dtype)
    out[..., top:top + x.shape[-2], left:left + x.shape[-1]] = x
    return out


def wide_rows(padded_width: int, out_width: int, stride) -> bool:
    """Whether the column matrix uses wide rows (``R = Wp``) rather than ``R = OW``."""
    return tuple(stride) == (1, 1) and padded_width <= WIDE_ROWS_MAX_WASTE * out_width


def row_length(padded_width: int, out_width: int, stride) -> int:
    """Columns per output row in the column matrix: ``Wp`` (wide rows) or ``OW``."""
    return padded_width if wide_rows(padded_width, out_width, stride) else out_width


def _with_spare_row(a: np.ndarray, needed: bool) -> np.ndarray:
    """``a`` (..., H, W) as a C-contiguous array with one zero row appended if ``needed``.

    Wide rows starting at a column offset ``l * d > 0`` run past the last row by
    ``l * d`` elements; the spare row keeps those reads and writes inside the buffer.
    """
    if not needed:
        return np.ascontiguousarray(a)
    out = np.zeros(a.shape[:-2] + (a.shape[-2] + 1, a.shape[-1]), dtype=a.dtype)
    out[..., :-1, :] = a
    return out


def im2col(xp: np.ndarray, kernel, stride, dilation, out_size, groups: int) -> np.ndarray:
    """Copy every window of ``xp`` into a column.

    Parameters
    ----------
    xp : ndarray, shape (N, C, Hp, Wp)
    kernel, stride, dilation, out_size : (int, int)
    groups : int

    Returns
    -------
    ndarray, shape (G, C/G * kH * kW, N * OH * R)
        Column ``(n * OH + i) * R + j`` of group ``g`` holds the window under output
        ``(i, j)`` of image ``n``; ``R = row_length(Wp, OW, stride)``; columns with
        ``j >= OW`` (wide rows only) hold windows that wrap around the edge.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    n, c, hp, wp = xp.shape
    if wide_rows(wp, ow, stride):
        src = _with_spare_row(xp, dw * (kw - 1) > 0)
        st = src.strides
        # (C, kH, kW, N, OH, Wp): element [c, m, l, n, i, j] = xp[n, c, i + m*dh, j + l*dw],
        # read past the row end into the next row (or the spare row); stays inside src
        windows = as_strided(src, (c, kh, kw, n, oh, wp),
                             (st[1], dh * st[2], dw * st[3], st[0], st[2], st[3]),
                             writeable=False)
        cols = windows.copy()   # the one copy (always a new, writeable array)
        return cols.reshape(groups, (c // groups) * kh * kw, n * oh * wp)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    # (N, C, positions_h, positions_w, span_h, span_w): a view, nothing copied yet
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw, ::dh, ::dw]
    # (C, kH, kW, N, OH, OW); the reshape below is the one copy
    windows = windows.transpose(1, 4, 5, 0, 2, 3)
    return windows.reshape(groups, (c // groups) * kh * kw, n * oh * ow)


def _channels_first(a: np.ndarray, groups: int, row_len: int) -> np.ndarray:
    """(N, F, OH, OW) -> (G, F/G, N * OH * R), matching :func:`im2col`; zeros where j >= OW."""
    n, f, oh, ow = a.shape
    if row_len == ow:
        return a.transpose(1, 0, 2, 3).reshape(groups, f // groups, n * oh * ow)
    out = np.zeros((f, n, oh, row_len), dtype=a.dtype)
    out[..., :ow] = a.transpose(1, 0, 2, 3)
    return out.reshape(groups, f // groups, n * oh * row_len)


def correlate_windows(xp, w, stride, dilation, out_size, groups):
    """Forward of a convolution on a padded input.

    Parameters
    ----------
    xp : ndarray, shape (N, C, Hp, Wp)
    w : ndarray, shape (F, C/G, kH, kW)
    out_size : (int, int)
        ``(OH, OW)``; may be smaller than the number of window positions.

    Returns
    -------
    ndarray, shape (N, F, OH, OW), C-contiguous
    """
    f, cg, kh, kw = w.shape
    (oh, ow), n = out_size, xp.shape[0]
    kernels = w.reshape(groups, f // groups, cg * kh * kw)             # (G, F/G, K)
    if (kh, kw) == (1, 1) and tuple(stride) == (1, 1) and xp.shape[2:] == (oh, ow):
        # a 1x1 kernel over the whole input: every image already is its column matrix
        out = np.matmul(kernels, xp.reshape(n, groups, cg, oh * ow))  # (N, G, F/G, OH*OW)
        return out.reshape(n, f, oh, ow)
    cols = im2col(xp, (kh, kw), stride, dilation, out_size, groups)   # (G, K, N*OH*R)
    row_len = row_length(xp.shape[3], ow, stride)
    if oh * row_len < PER_IMAGE_MIN_COLUMNS:
        # small images: one large product, then one transposing copy of the output
        out = np.matmul(kernels, cols).reshape(f, n, oh, row_len)         # (F, N, OH, R)
        return np.ascontiguousarray(out[..., :ow].transpose(1, 0, 2, 3))
    # one product per image, (F/G, K) @ (K, OH*R), read in place from the column matrix
    # (BLAS takes its row stride): the result is laid out (N, F, OH, R) as returned,
    # with no transposing copy of the output
    per_image = cols.reshape(groups, cols.shape[1], n, oh * row_len).transpose(2, 0, 1, 3)
    out = np.matmul(kernels, per_image).reshape(n, f, oh, row_len)    # (N, F, OH, R)
    return out if row_len == ow else np.ascontiguousarray(out[..., :ow])


def weight_gradient(xp, dout, kernel, stride, dilation, groups):
    """Gradient of ``sum(correlate_windows(xp, w) * dout)`` with respect to ``w``.

    Parameters
    ----------
    xp : ndarray, shape (N, C, Hp, Wp)
    dout : ndarray, shape (N, F, OH, OW)
    kernel : (int, int)

    Returns
    -------
    ndarray, shape (F, C/G, kH, kW)
    """
    f, c = dout.shape[1], xp.shape[1]
    cols = im2col(xp, kernel, stride, dilation, dout.shape[2:], groups)   # (G, K, N*OH*R)
    row_len = row_length(xp.shape[3], dout.shape[3], stride)
    grads = _channels_first(dout, groups, row_len)
    if row_len > dout.shape[3] and not np.isfinite(xp).all():
        # wrapped windows meet zero gradients; zero them too, or 0 * inf = nan would
        # leak an inf of the input into weights that never read it
        cols.reshape(cols.shape[:2] + (-1, row_len))[..., dout.shape[3]:] = 0
    # contract over images and positions at once; BLAS reads the transposes in place.
    # The output (F/G x K) is small and the shared side N*P huge: OpenBLAS then splits
    # the work between its threads along the output's rows only, and is several times
    # slower with 2 threads than with 1 unless the longer of F/G and K is the row side.
    if cols.shape[1] >= grads.shape[1]:
        dw = np.matmul(cols, grads.swapaxes(-1, -2)).swapaxes(-1, -2)     # (K, F/G) computed
    else:
        dw = np.matmul(grads, cols.swapaxes(-1, -2))                      # (F/G, K) computed
    return dw.reshape(f, c // groups, *kernel)


def scatter_windows(dout, w, stride, dilation, padded_size, groups):
    """Gradient of ``sum(correlate_windows(xp, w) * dout)`` with respect to ``xp`` (col2im).

    Parameters
    ----------
    dout : ndarray, shape (N, F, OH, OW)
    w : ndarray, shape (F, C/G, kH, kW)
    padded_size : (int, int)
        ``(Hp, Wp)`` of the padded input; it may exceed what the windows cover
        (the uncovered rows/columns get zero).

    Returns
    -------
    ndarray, shape (N, C, Hp, Wp)
        A transposed view of a channels-first buffer: crop it, then copy.
    """
    n, f, oh, ow = dout.shape
    _, cg, kh, kw = w.shape
    (sh, sw), (dh, dw), (hp, wp) = stride, dilation, padded_size
    kernels_t = w.reshape(groups, f // groups, cg * kh * kw).swapaxes(-1, -2)  # (G, K, F/G)
    if not wide_rows(wp, ow, stride):
        # images last: (G, F/G, OH*OW*N), so each kernel offset below adds runs of N
        # values (a row of OW values with stride s is far slower to add in numpy)
        images_last = dout.transpose(1, 2, 3, 0).reshape(groups, f // groups, oh * ow * n)
        cols_images_last = np.matmul(kernels_t, images_last)                 # (G, K, OH*OW*N)
        return _scatter_images_last(cols_images_last.reshape(groups * cg, kh, kw, oh, ow, n),
                                    stride, dilation, padded_size)
    # wide rows: offset (m, l) adds one contiguous run per image; the wrapped
    # positions carry zeros (dout was zero-padded there)
    cols = np.matmul(kernels_t, _channels_first(dout, groups, wp))             # (G, K, N*OH*Wp)
    cols = cols.reshape(groups * cg, kh, kw, n, oh * wp)
    spare = 1 if dw * (kw - 1) > 0 else 0
    dxp = np.zeros((groups * cg, n, (hp + spare) * wp), dtype=cols.dtype)
    for m in range(kh):
        for l in range(kw):
            start = m * dh * wp + l * dw
            dxp[:, :, start:start + oh * wp] += cols[:, m, l]
    dxp = dxp.reshape(groups * cg, n, hp + spare, wp)[:, :, :hp]
    return dxp.transpose(1, 0, 2, 3)


def _scatter_images_last(cols, stride, dilation, padded_size):
    """col2im of ``cols`` (C, kH, kW, OH, OW, N): (N, C, Hp, Wp), a transposed view."""
    (sh, sw), (dh, dw), (hp, wp) = stride, dilation, padded_size
    c, kh, kw, oh, ow, n = cols.shape
    dxp = np.zeros((c, hp, wp, n), dtype=cols.dtype)
    for m in range(kh):
        rows = slice(m * dh, m * dh + sh * (oh - 1) + 1, sh)
        for l in range(kw):
            columns = slice(l * dw, l * dw + sw * (ow - 1) + 1, sw)
            dxp[:, rows, columns] += cols[:, m, l]
    return dxp.transpose(3, 0, 1, 2)
