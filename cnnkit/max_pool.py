"""Max pooling: forward and backward, a readable loop version beside the fast one.

The window geometry (kernel, stride, padding, dilation, ceil_mode) is shared with
:mod:`cnnkit.avg_pool`, so it lives here: :func:`pool_geometry` validates the
arguments, and :func:`pad_for_windows` with :class:`WindowCells` let the fast versions
visit the windows one cell ``(a, b)`` at a time, for every output cell at once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._args import as_array, check_ndim, nonnegative_pair, positive_pair, result_dtype
from .sizes import window_count

__all__ = [
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_loops",
    "max_pool2d_backward_loops",
    "PoolGeometry",
    "pool_geometry",
    "padded_size",
    "pad_for_windows",
    "WindowCells",
    "window_offsets",
    "check_dout",
]


class PoolGeometry(NamedTuple):
    """Validated pooling arguments, each a ``(vertical, horizontal)`` pair."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    out_size: tuple[int, int]


def pool_geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode):
    """Validate ``x`` and the pooling arguments of ``fn``; return ``(x, PoolGeometry)``.

    ``x`` comes back as a float ndarray of shape (N, C, H, W). Raises ValueError or
    TypeError naming ``fn`` and the argument, with PyTorch's rules: stride defaults to
    kernel_size, padding may be at most ``kernel_size // 2``, and at least one window
    must fit in the padded input.
    """
    x = as_array(fn, "x", x)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    if 0 in x.shape[2:]:
        raise ValueError(f"{fn}: x must have a non-empty height and width, "
                         f"got shape {tuple(x.shape)}")
    kernel = positive_pair(fn, "kernel_size", kernel_size)
    strides = kernel if stride is None else positive_pair(fn, "stride", stride)
    pads = nonnegative_pair(fn, "padding", padding)
    dilations = positive_pair(fn, "dilation", dilation)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"{fn}: ceil_mode must be True or False, got {ceil_mode!r}")
    if pads[0] > kernel[0] // 2 or pads[1] > kernel[1] // 2:
        raise ValueError(
            f"{fn}: padding must be at most half the kernel size (kernel_size // 2 = "
            f"{(kernel[0] // 2, kernel[1] // 2)}), got padding={padding!r} "
            f"with kernel_size={kernel_size!r}")
    out_size = []
    for axis, size, k, s, p, d in zip(("height", "width"), x.shape[2:], kernel, strides,
                                      pads, dilations):
        span = d * (k - 1) + 1
        if span > size + 2 * p:
            raise ValueError(
                f"{fn}: the pooling window (kernel_size={kernel_size!r}, dilation={dilation!r}) "
                f"spans {span} cells in {axis}, more than the padded input's {size} + 2 * {p} "
                f"= {size + 2 * p} (x.shape = {tuple(x.shape)})")
        out = window_count(size, k, s, p, d, bool(ceil_mode))
        _check_windows_touch_input(fn, axis, size, k, s, p, d, out)
        out_size.append(out)
    return x, PoolGeometry(kernel, strides, pads, dilations, tuple(out_size))


def _check_windows_touch_input(fn, axis, size, k, s, p, d, out):
    """Raise ValueError if a dilated window holds only padding cells along ``axis``.

    Such a window has no maximum and no gradient to route (PyTorch returns -inf and
    then writes out of bounds), so it is refused. Without dilation it cannot happen.
    """
    if d == 1:
        return
    for i in range(out):
        if not any(0 <= i * s - p + a * d < size for a in range(k)):
            raise ValueError(
                f"{fn}: window {i} along the {axis} covers only padding cells (size {size}, "
                f"kernel_size {k}, stride {s}, padding {p}, dilation {d}); "
                f"use less padding or a smaller dilation")


def padded_size(h, w, geometry):
    """``(height, width)`` of the padded input that holds every window of ``geometry``.

    That is ``padding`` cells on the top and left, and on the bottom and right as
    many as the windows reach (more than ``padding`` when a ceil_mode window runs
    past the padded input, fewer when the last rows are never visited).
    """
    (ph, pw), (oh, ow) = geometry.padding, geometry.out_size
    reach_h = window_reach(oh, geometry.kernel[0], geometry.stride[0], geometry.dilation[0])
    reach_w = window_reach(ow, geometry.kernel[1], geometry.stride[1], geometry.dilation[1])
    return max(reach_h, ph + h), max(reach_w, pw + w)


def pad_for_windows(x, geometry, fill):
    """``x`` padded with ``fill`` to :func:`padded_size` (``x`` itself if no padding is needed)."""
    n, c, h, w = x.shape
    ph, pw = geometry.padding
    height, width = padded_size(h, w, geometry)
    if (height, width) == (h, w):
        return x
    padded = np.full((n, c, height, width), fill, dtype=x.dtype)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    return padded


def window_reach(out: int, kernel: int, stride: int, dilation: int) -> int:
    """Number of (padded) cells along one axis that ``out`` windows touch."""
    return (out - 1) * stride + dilation * (kernel - 1) + 1


class WindowCells:
    """Cell ``(a, b)`` of every window at once: ``cells[a, b]`` has shape (N, C, OH, OW).

    ``cells[a, b][n, c, i, j]`` is ``array[n, c, i*sh + a*dh, j*sw + b*dw]``. The array
    is split by stride phase (rows ``p, p + sh, ...``, columns ``q, q + sw, ...``), in
    which every window cell is a plain slice. When windows overlap and ``sw > 1``,
    the phases are copied, so that the many passes over them run on unit-stride data
    (several times faster in numpy); otherwise they are views of ``array``, and
    writing into ``cells[a, b]`` writes into ``array``.
    """

    def __init__(self, array, geometry, zeros=False):
        (kh, kw), (sh, sw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
        self.array, self.out_size, self.stride = array, geometry.out_size, (sh, sw)
        self.starts = {(a, b): divmod(a * dh, sh) + divmod(b * dw, sw)
                       for a in range(kh) for b in range(kw)}
        used = sorted({(p, q) for _, p, _, q in self.starts.values()})
        self.copied = sw > 1 and len(used) < kh * kw
        self.phases = {}
        for p, q in used:
            phase = array[:, :, p::sh, q::sw]
            if self.copied:
                phase = np.zeros(phase.shape, array.dtype) if zeros else phase.copy()
            self.phases[p, q] = phase

    @classmethod
    def zeros(cls, shape, dtype, geometry):
        """Cells of a zero array of ``shape``, to accumulate into; see :meth:`merged`."""
        return cls(np.zeros(shape, dtype), geometry, zeros=True)

    def __getitem__(self, cell):
        row, p, col, q = self.starts[cell]
        oh, ow = self.out_size
        return self.phases[p, q][:, :, row:row + oh, col:col + ow]

    def merged(self):
        """The array, with what was written into copied phases put back in place."""
        if self.copied:
            sh, sw = self.stride
            for (p, q), phase in self.phases.items():
                self.array[:, :, p::sh, q::sw] = phase
        return self.array


def window_offsets(geometry):
    """Every cell ``(a, b)`` of a window, in row-major order."""
    kh, kw = geometry.kernel
    return [(a, b) for a in range(kh) for b in range(kw)]


def check_dout(fn, dout, x, geometry):
    """``dout`` as a float array; ValueError unless it has the forward output's shape."""
    dout = as_array(fn, "dout", dout)
    expected = (*x.shape[:2], *geometry.out_size)
    if dout.shape != expected:
        raise ValueError(
            f"{fn}: dout must have the forward output's shape (N, C, OH, OW) = {expected}, "
            f"got {tuple(dout.shape)}")
    return dout


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
        Window size ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int)
        Cells of ``-inf`` added on each side, at most ``kernel_size // 2``.
    dilation : int or (int, int)
        Spacing between the cells of a window.
    ceil_mode : bool
        Round the output size up, keeping a last partial window if it starts inside
        the input or the left padding.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW), dtype of ``x`` (integers become float64)

    Notes
    -----
    .. math:: out[n, c, i, j] = \\max_{a < k_h,\\, b < k_w}
              x_{pad}[n, c,\\, i s_h + a d_h,\\, j s_w + b d_w]

    where ``x_pad`` is ``x`` padded with :math:`-\\infty`, so padding never wins, and
    ``OH = floor((H + 2 p_h - d_h (k_h - 1) - 1) / s_h) + 1`` (ceil with ``ceil_mode``).

    Examples
    --------
    >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x, geometry = pool_geometry("max_pool2d", x, kernel_size, stride, padding, dilation,
                                ceil_mode)
    cells = WindowCells(pad_for_windows(x, geometry, -np.inf), geometry)
    return _window_maxima(cells, geometry)


def _window_maxima(cells, geometry):
    """Maximum of every window of the (-inf padded) input, shape (N, C, OH, OW)."""
    offsets = window_offsets(geometry)
    out = cells[offsets[0]].copy()
    for cell in offsets[1:]:
        np.maximum(out, cells[cell], out=out)
    return out


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, dilation=1,
                        ceil_mode=False):
    """Gradient of :func:`max_pool2d` with respect to ``x``.

    Parameters
    ----------
    dout : ndarray, shape (N, C, OH, OW)
        Gradient of the loss with respect to the output of ``max_pool2d``.
    x : ndarray, shape (N, C, H, W)
        The input of the forward pass.
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`max_pool2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Notes
    -----
    Each output cell sends its whole gradient to the cell that won its window:
    :math:`dx[n, c, r, q] = \\sum_{(i, j):\\ (r, q) = \\arg\\max W_{ij}} dout[n, c, i, j]`.
    On a tie the winner is the first maximum in row-major order, as in PyTorch
    (other libraries split the gradient or pick another cell). Overlapping windows
    add up their contributions.

    The winners are found by comparing each window cell, in row-major order, with
    the window's maximum. Non-finite values are not treated specially: a window
    whose maximum is nan routes its gradient nowhere (PyTorch picks the nan), and
    an infinite or nan ``dout`` spreads nan over the window (``0 * inf``).
    """
    fn = "max_pool2d_backward"
    x, geometry = pool_geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode)
    dout = check_dout(fn, dout, x, geometry)
    padded = pad_for_windows(x, geometry, -np.inf)
    cells = WindowCells(padded, geometry)
    maxima = _window_maxima(cells, geometry)
    dcells = WindowCells.zeros(padded.shape, result_dtype(dout, x), geometry)
    disjoint = all(s >= d * (k - 1) + 1 for k, s, d in
                   zip(geometry.kernel, geometry.stride, geometry.dilation))
    routed = None if disjoint else np.empty(dout.shape, dtype=dcells.array.dtype)
    claimed = None  # windows whose maximum has been found at an earlier cell
    for cell in window_offsets(geometry):
        wins = cells[cell] == maxima
        if claimed is None:
            claimed = wins
        else:
            np.greater(wins, claimed, out=wins)  # wins and not claimed: ties go to the first
            claimed |= wins
        if disjoint:  # no two windows share a cell: write in place
            np.multiply(dout, wins, out=dcells[cell])
        else:
            np.multiply(dout, wins, out=routed)
            np.add(dcells[cell], routed, out=dcells[cell])
    dpadded = dcells.merged()
    (ph, pw), (h, w) = geometry.padding, x.shape[2:]
    return np.ascontiguousarray(dpadded[:, :, ph:ph + h, pw:pw + w])


def _window_cells(geometry, i, j, h, w):
    """Input cells ``(r, q)`` of window ``(i, j)`` in row-major order, padding left out."""
    (kh, kw), (sh, sw) = geometry.kernel, geometry.stride
    (ph, pw), (dh, dw) = geometry.padding, geometry.dilation
    for a in range(kh):
        for b in range(kw):
            r, q = i * sh - ph + a * dh, j * sw - pw + b * dw
            if 0 <= r < h and 0 <= q < w:
                yield r, q


def max_pool2d_loops(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Loop version of :func:`max_pool2d`: one output cell at a time (slow, for reading)."""
    x, geometry = pool_geometry("max_pool2d_loops", x, kernel_size, stride, padding,
                                dilation, ceil_mode)
    n_batch, channels, h, w = x.shape
    oh, ow = geometry.out_size
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                for j in range(ow):
                    best = -np.inf  # a padding cell is -inf: it never wins
                    for r, q in _window_cells(geometry, i, j, h, w):
                        best = max(best, x[n, c, r, q])
                    out[n, c, i, j] = best
    return out


def max_pool2d_backward_loops(dout, x, kernel_size, stride=None, padding=0, dilation=1,
                              ceil_mode=False):
    """Loop version of :func:`max_pool2d_backward` (slow, for reading)."""
    fn = "max_pool2d_backward_loops"
    x, geometry = pool_geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode)
    dout = check_dout(fn, dout, x, geometry)
    n_batch, channels, h, w = x.shape
    oh, ow = geometry.out_size
    dx = np.zeros(x.shape, dtype=result_dtype(dout, x))
    for n in range(n_batch):
        for c in range(channels):
            for i in range(oh):
                for j in range(ow):
                    best, winner = -np.inf, None
                    for r, q in _window_cells(geometry, i, j, h, w):
                        if x[n, c, r, q] > best:  # ">" keeps the first of equal maxima
                            best, winner = x[n, c, r, q], (r, q)
                    if winner is not None:
                        dx[n, c, winner[0], winner[1]] += dout[n, c, i, j]
    return dx
