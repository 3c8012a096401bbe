"""Known mistakes of chapter 06 (transposed convolution), for the hidden tests' diagnosis.

Two dicts, one per exercise, map a description (completing "your output equals
what you get when ...") to a function that takes the reference's arguments and
returns what that wrong version returns:

- :data:`CONV_TRANSPOSE2D`, with the arguments of ``cnnkit.conv_transpose2d``
  ``(x, w, b=None, stride=1, padding=0, output_padding=0)``;
- :data:`CONV_MATRIX`, with those of ``cnnkit.conv_matrix``
  ``(input_shape, w, stride=1, padding=0)``;
- :data:`BILINEAR_KERNEL`, with that of ``cnnkit.bilinear_kernel`` ``(factor)``.

Each entry stands for a wrong entry of ``tests/banks/06_transposed_conv.py``
(``tests/cnnkit/test_mistakes_transposed.py`` proves they agree).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from cnnkit.sizes import window_count

__all__ = ["CONV_TRANSPOSE2D", "CONV_MATRIX", "BILINEAR_KERNEL"]


def _scatter(x, w, b=None, stride=1, padding=0, output_padding=0, *, step=None, kernel=None,
             overwrite=False, extra=None, dtype=None, crop="every side", bias_ignored=False,
             late_output_padding=False):
    """A scatter-add transposed convolution with one ingredient changed.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out, kh, kw)
        Read as IOHW unless ``kernel`` says otherwise.
    b : ndarray, shape (C_out,), optional
    stride, padding, output_padding : int
        As in ``cnnkit.conv_transpose2d``.
    step : int, optional
        Distance between stamps (``stride`` when None).
    kernel : callable, optional
        ``kernel(w) -> (C_in, C_out, kh, kw)``: how the weights are (mis)read.
    overwrite : bool
        Stamps replace (``=``) instead of adding (``+=``).
    extra : int, optional
        Extra rows/columns of the full result (``output_padding`` when None).
    dtype : numpy dtype, optional
        Dtype of the output array (``result_type(x, w)`` when None).
    crop : {"every side", "end only", "pad instead"}
        How ``padding`` is applied to the full result.
    bias_ignored : bool
        The bias is left out.
    late_output_padding : bool
        The output_padding rows/columns are appended as zeros after cropping and after the bias.

    Returns
    -------
    y : ndarray, shape (N, C_out, OH, OW)
    """
    step = stride if step is None else step
    extra = output_padding if extra is None else extra
    weights = w if kernel is None else kernel(w)
    n, _, h, width = x.shape
    _, c_out, kh, kw = weights.shape
    grow = 0 if late_output_padding else extra
    full = np.zeros((n, c_out, (h - 1) * step + kh + grow, (width - 1) * step + kw + grow),
                    dtype=np.result_type(x, w) if dtype is None else dtype)
    for i in range(h):
        for j in range(width):
            stamp = np.einsum("nc,cohw->nohw", x[:, :, i, j], weights)
            window = (slice(None), slice(None), slice(i * step, i * step + kh), slice(j * step, j * step + kw))
            if overwrite:
                full[window] = stamp
            else:
                full[window] += stamp
    oh = (h - 1) * step - 2 * padding + kh + extra
    ow = (width - 1) * step - 2 * padding + kw + extra
    if crop == "end only":
        y = full[:, :, :oh, :ow]
    elif crop == "pad instead":
        y = np.pad(full, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    elif late_output_padding:
        y = full[:, :, padding:padding + oh - extra, padding:padding + ow - extra]
    else:
        y = full[:, :, padding:padding + oh, padding:padding + ow]
    if b is not None and not bias_ignored:
        y = y + b[None, :, None, None]
    if late_output_padding:
        y = np.pad(y, ((0, 0), (0, 0), (0, extra), (0, extra)))
    return y


#: Known wrong versions of ``conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0)``.
CONV_TRANSPOSE2D = {
    "overlapping stamps are overwritten (=) instead of added (+=)": partial(_scatter, overwrite=True),
    "the kernel is rotated by 180° before it is stamped (stamp w as it is)":
        partial(_scatter, kernel=lambda w: w[:, :, ::-1, ::-1]),
    "w is read as (C_out, C_in, kh, kw) instead of IOHW (C_in, C_out, kh, kw)":
        partial(_scatter, kernel=lambda w: w.transpose(1, 0, 2, 3)),
    "the stamps are placed 1 cell apart, ignoring the stride": partial(_scatter, step=1),
    "output_padding is ignored": partial(_scatter, extra=0),
    "padding adds zeros around the output instead of cropping padding rows and columns from every side":
        partial(_scatter, crop="pad instead"),
    "padding is cropped only at the bottom and right instead of on every side":
        partial(_scatter, crop="end only"),
    "the bias b is ignored": partial(_scatter, bias_ignored=True),
    "the output_padding rows and columns are appended as zeros after cropping and after the bias (they belong to the full result before cropping, and get the bias too)":
        partial(_scatter, late_output_padding=True),
    "the output array takes the integer dtype of x, so the products are truncated":
        lambda x, w, *args, **kwargs: _scatter(x, w, *args, dtype=x.dtype, **kwargs),
}


def _matrix(input_shape, w, stride=1, padding=0, *, step=None, wrap=False, column_stride=None,
            row_stride=None, padded_columns=False, flip=False):
    """The convolution matrix C with one ingredient changed.

    Parameters
    ----------
    input_shape : (int, int)
    w : ndarray, shape (kh, kw)
    stride, padding : int
    step : int, optional
        How far a window moves (``stride`` when None); the size of C still uses ``stride``.
    wrap : bool
        Taps on the padding wrap around to the other side instead of being left out.
    column_stride : {"W", "H"}, optional
        Length of an input row in the column index ``r * row_length + q`` (``"W"`` is right).
    row_stride : {"OW", "OH"}, optional
        Length of an output row in the row index ``i * length + j`` (``"OW"`` is right).
    padded_columns : bool
        Columns index the padded input, ``(H + 2p)(W + 2p)`` of them.
    flip : bool
        The kernel is rotated by 180°.

    Returns
    -------
    C : ndarray, shape (OH * OW, H * W) (or (OH * OW, (H + 2p)(W + 2p)))
    """
    h, width = input_shape
    kh, kw = np.shape(w)
    step = stride if step is None else step
    kernel = np.asarray(w)[::-1, ::-1] if flip else np.asarray(w)
    oh, ow = window_count(h, kh, stride, padding), window_count(width, kw, stride, padding)
    rows_of = {"OH": oh}.get(row_stride, ow)
    hp, wp = (h + 2 * padding, width + 2 * padding) if padded_columns else (h, width)
    line = {"H": hp}.get(column_stride, wp)
    matrix = np.zeros((oh * ow, hp * wp))
    for i in range(oh):
        for j in range(ow):
            for m in range(kh):
                for l in range(kw):
                    r, q = i * step + m, j * step + l
                    if not padded_columns:
                        r, q = r - padding, q - padding
                        if wrap:
                            r, q = r % h, q % width
                        elif not (0 <= r < h and 0 <= q < width):
                            continue
                    matrix[i * rows_of + j, r * line + q] = kernel[m, l]
    return matrix


#: Known wrong versions of ``conv_matrix(input_shape, w, stride=1, padding=0)``.
CONV_MATRIX = {
    "the matrix is returned transposed, shape (H*W, OH*OW) instead of (OH*OW, H*W)":
        lambda *args, **kwargs: _matrix(*args, **kwargs).T,
    "the windows move 1 cell at a time, ignoring the stride (C has the right size)": partial(_matrix, step=1),
    "the kernel is rotated by 180° (C holds w as it is)": partial(_matrix, flip=True),
    "taps on the padding wrap around to the other side of the image instead of being left out":
        partial(_matrix, wrap=True),
    "the columns are those of the padded input, (H+2p)*(W+2p) of them, instead of the H*W input pixels":
        partial(_matrix, padded_columns=True),
    "the column of input pixel (r, q) is r * H + q instead of r * W + q (a row of the input has W pixels)":
        partial(_matrix, column_stride="H"),
    "the row of output (i, j) is i * OH + j instead of i * OW + j (a row of the output has OW cells)":
        partial(_matrix, row_stride="OH"),
}


def _tent_kernel(factor, *, size=None, centre=None, falloff=None, product=True, normalise=False):
    """The bilinear kernel with one ingredient changed.

    Parameters
    ----------
    factor : int
    size : int, optional
        Kernel side (``2 * factor - factor % 2`` when None).
    centre : float, optional
        Peak of the tent (``(size - 1) / 2`` when None).
    falloff : float, optional
        The tent falls by ``|m - centre| / falloff`` (``factor`` when None).
    product : bool
        ``w[m, l]`` is the product of the tents of m and l; False keeps the tent of m only.
    normalise : bool
        Divide by the sum of the weights.

    Returns
    -------
    w : ndarray, shape (size, size)
    """
    size = 2 * factor - factor % 2 if size is None else size
    centre = (size - 1) / 2 if centre is None else centre
    tent = 1 - np.abs(np.arange(size) - centre) / (factor if falloff is None else falloff)
    w = np.outer(tent, tent) if product else np.repeat(tent[:, None], size, axis=1)
    return w / w.sum() if normalise else w


#: Known wrong versions of ``bilinear_kernel(factor)``.
BILINEAR_KERNEL = {
    "the centre of the tent is k // 2 instead of (k - 1) / 2 (off-centre when k is even)":
        lambda factor: _tent_kernel(factor, centre=(2 * factor - factor % 2) // 2),
    "the kernel is 2 * factor wide for odd factors too (k = 2 * factor - factor % 2)":
        lambda factor: _tent_kernel(factor, size=2 * factor),
    "the weights fall off by |m - c| / k instead of |m - c| / factor":
        lambda factor: _tent_kernel(factor, falloff=2 * factor - factor % 2),
    "the weights are divided by their sum (they must not be: the overlapping stamps already add up to 1)":
        partial(_tent_kernel, normalise=True),
    "w[m, l] is the tent of m only, not the product of the tents of m and l":
        partial(_tent_kernel, product=False),
}
