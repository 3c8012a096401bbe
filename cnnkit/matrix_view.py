"""Convolution as a matrix: the dense matrix C with ``conv2d(x).ravel() == C @ x.ravel()``.

A convolution is linear in its input, so for a fixed kernel and input size it is
a matrix. Most entries of that matrix are zero (each output reads only one
window), and every row holds the same kernel weights, shifted. Seeing it as a
matrix explains transposed convolution: ``C.T`` maps an output-sized array back
to an input-sized one, and that is exactly ``conv_transpose2d`` and the input
gradient of ``conv2d``. The matrix is dense and meant for small teaching
examples (an ``8 x 8`` input and ``3 x 3`` kernel give a ``36 x 64`` matrix).
"""

from __future__ import annotations

import numpy as np

from ._args import as_array, nonnegative_pair, pair, positive_pair, result_dtype
from .sizes import AXES, check_window_fits, window_count

__all__ = ["conv_matrix"]


def _check_input_shape(fn: str, input_shape) -> tuple[int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise TypeError(f"{fn}: input_shape must be a pair (H, W), got {input_shape!r}")
    size = pair(fn, "input_shape", tuple(input_shape))
    if min(size) < 1:
        raise ValueError(f"{fn}: input_shape must be positive, got {input_shape!r}")
    return size


def _as_oihw(fn: str, w) -> np.ndarray:
    w = as_array(fn, "w", w)
    if w.ndim == 2:
        return w[None, None]
    if w.ndim == 4:
        return w
    raise ValueError(
        f"{fn}: w must be 2-D (kh, kw) or 4-D (C_out, C_in, kh, kw), got a {w.ndim}-D array "
        f"of shape {tuple(w.shape)}"
    )


def conv_matrix(input_shape, w, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The matrix of ``conv2d`` (no bias) on an input of spatial size ``input_shape``.

    Parameters
    ----------
    input_shape : (int, int)
        ``(H, W)``, the spatial size of the input.
    w : ndarray, shape (kh, kw) or (C_out, C_in, kh, kw)
        One kernel (one channel in, one channel out) or a bank of OIHW filters.
    stride, padding, dilation : int or (int, int)
        As in :func:`cnnkit.conv2d` (zero padding on each side).

    Returns
    -------
    C : ndarray, shape (OH * OW, H * W) for a 2-D ``w``, (C_out * OH * OW, C_in * H * W) for a 4-D ``w``
        float32 if ``w`` is float32, else float64. With ``x`` of shape (H, W), resp.
        (C_in, H, W), ``C @ x.ravel()`` equals ``conv2d(x[None, None], w[None, None]).ravel()``,
        resp. ``conv2d(x[None], w).ravel()`` (row-major order: channel, row, column).

    Notes
    -----
    Row ``(f, i, j)`` of ``C`` is output ``O[f, i, j]``; it holds ``K[f, c, m, l]`` in
    column ``(c, i s + m d - p, j s + l d - p)`` for every tap whose input position
    lies inside the image (taps on the zero padding contribute nothing):

    .. math:: O[f, i, j] = \\sum_{c, m, l} K[f, c, m, l]\\, X[c, i s + m d - p, j s + l d - p]

    ``C.T`` is the transposed convolution with the same kernel (IOHW view of ``w``),
    and ``C.T @ dout.ravel()`` is the input gradient of ``conv2d``.

    Examples
    --------
    >>> import numpy as np
    >>> conv_matrix((3, 3), np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
           [0., 1., 2., 0., 3., 4., 0., 0., 0.],
           [0., 0., 0., 1., 2., 0., 3., 4., 0.],
           [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    """
    fn = "conv_matrix"
    h, width = _check_input_shape(fn, input_shape)
    kernel = _as_oihw(fn, w)
    stride = positive_pair(fn, "stride", stride)
    padding = nonnegative_pair(fn, "padding", padding)
    dilation = positive_pair(fn, "dilation", dilation)
    c_out, c_in, kh, kw = kernel.shape
    if min(kh, kw) < 1:
        raise ValueError(f"{fn}: w has an empty kernel (w.shape = {tuple(np.shape(w))})")
    given = f"input_shape = {(h, width)}, w.shape = {tuple(np.shape(w))}"
    for axis, size, k, p, d in zip(AXES, (h, width), (kh, kw), padding, dilation):
        check_window_fits(fn, size, k, p, d, axis=axis, given=given)
    oh, ow = (window_count(size, k, s, p, d) for size, k, s, p, d in
              zip((h, width), (kh, kw), stride, padding, dilation))
    # Every (output row i, tap m) pair reads input row i*s + m*d - p; same for columns.
    rows = np.arange(oh)[:, None] * stride[0] + np.arange(kh)[None, :] * dilation[0] - padding[0]
    cols = np.arange(ow)[:, None] * stride[1] + np.arange(kw)[None, :] * dilation[1] - padding[1]
    f, c, i, j, m, l = np.meshgrid(np.arange(c_out), np.arange(c_in), np.arange(oh), np.arange(ow),
                                   np.arange(kh), np.arange(kw), indexing="ij")
    r, q = rows[i, m], cols[j, l]
    inside = (r >= 0) & (r < h) & (q >= 0) & (q < width)
    matrix = np.zeros((c_out * oh * ow, c_in * h * width), dtype=result_dtype(kernel))
    out_index = (f * oh + i) * ow + j
    in_index = (c * h + r) * width + q
    # Within one row every (c, m, l) names a different column, so plain assignment is enough.
    matrix[out_index[inside], in_index[inside]] = kernel[f[inside], c[inside], m[inside], l[inside]]
    return matrix
