"""The window geometry every pooling op shares.

:func:`pool_geometry` validates the input and the pooling arguments (kernel, stride,
padding, dilation, ceil_mode) with PyTorch's rules and computes the output size.
The fast versions then visit the windows one cell ``(a, b)`` at a time, for every
output cell at once: :func:`pad_for_windows` pads the input as far as the windows
reach, and :class:`WindowCells` hands out cell ``(a, b)`` of every window as one
array of shape (N, C, OH, OW).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._args import as_array, check_dout, check_ndim, nonnegative_pair, positive_pair
from .sizes import check_window_fits, window_count, window_span

__all__ = [
    "PoolGeometry",
    "pool_input",
    "pool_geometry",
    "padded_size",
    "pad_for_windows",
    "window_reach",
    "WindowCells",
    "window_offsets",
    "check_pool_dout",
]


def pool_input(fn, x):
    """``x`` as a float ndarray (N, C, H, W) with ``H, W >= 1``; else an error naming ``fn``.

    Every pooling op checks its input here.
    """
    x = as_array(fn, "x", x)
    check_ndim(fn, "x", x, 4, "(N, C, H, W)")
    if 0 in x.shape[2:]:
        raise ValueError(f"{fn}: x must have a non-empty height and width, "
                         f"got shape {tuple(x.shape)}")
    return x


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
    x = pool_input(fn, x)
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
        check_window_fits(fn, size, k, p, d, axis=axis, given=f"x.shape = {tuple(x.shape)}")
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
    return (out - 1) * stride + window_span(kernel, dilation)


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
        self.padding = geometry.padding
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

    def input_gradient(self, x_shape):
        """The :meth:`merged` gradient of the padded input, cropped to ``x_shape`` (N, C, H, W).

        What the windows routed onto padding cells is dropped; the result is C-contiguous.
        """
        (ph, pw), (h, w) = self.padding, x_shape[2:]
        return np.ascontiguousarray(self.merged()[:, :, ph:ph + h, pw:pw + w])


def window_offsets(geometry):
    """Every cell ``(a, b)`` of a window, in row-major order."""
    kh, kw = geometry.kernel
    return [(a, b) for a in range(kh) for b in range(kw)]


def check_pool_dout(fn, dout, x, geometry):
    """``dout`` as a float array; ValueError unless it has the pooled shape (N, C, OH, OW)."""
    return check_dout(fn, dout, (*x.shape[:2], *geometry.out_size), "(N, C, OH, OW)")
