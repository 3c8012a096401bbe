"""Output sizes of convolution-like ops.

Both functions take every argument as an int or a ``(height, width)`` pair and
answer in the same form: an int when every argument is an int, a pair otherwise.
"""

from __future__ import annotations

import numbers

from ._args import nonnegative_pair, positive_pair

__all__ = ["conv_output_size", "conv_transpose_output_size", "window_count"]


def window_count(size: int, kernel_size: int, stride: int, padding: int,
                 dilation: int, ceil_mode: bool = False) -> int:
    """Number of window positions along one axis (may be <= 0 when none fits).

    This is the unchecked one-axis formula that the ops share; the public
    :func:`conv_output_size` validates its arguments and calls it.
    """
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if span < 0:
        return span // stride + 1  # floor division keeps "no window fits" <= 0
    if not ceil_mode:
        return span // stride + 1
    count = -(-span // stride) + 1
    # PyTorch's pooling rule: the last window must start inside the input or the left padding.
    if (count - 1) * stride >= size + padding:
        count -= 1
    return count


def _all_ints(*values) -> bool:
    return all(isinstance(v, numbers.Integral) for v in values)


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Spatial output size of a convolution or pooling window sliding over an input.

    Parameters
    ----------
    size : int or (int, int)
        Input height/width ``i``.
    kernel_size : int or (int, int)
        Window size ``k``.
    stride, padding, dilation : int or (int, int)
        ``s >= 1``, ``p >= 0`` (on both sides), ``d >= 1``.
    ceil_mode : bool
        Round up instead of down, as PyTorch pooling does (a window starting in
        the right padding is dropped).

    Returns
    -------
    int or (int, int)
        ``o`` -- an int if every size argument is an int, else a pair.

    Notes
    -----
    .. math:: o = \\left\\lfloor \\frac{i + 2p - d(k-1) - 1}{s} \\right\\rfloor + 1

    With ``ceil_mode`` the floor becomes a ceiling, then ``o`` drops by one if
    ``(o - 1) s >= i + p``.

    Examples
    --------
    >>> conv_output_size(96, 8)
    89
    >>> conv_output_size((32, 28), 3, stride=2, padding=1)
    (16, 14)
    """
    fn = "conv_output_size"
    sizes = positive_pair(fn, "size", size)
    kernels = positive_pair(fn, "kernel_size", kernel_size)
    strides = positive_pair(fn, "stride", stride)
    paddings = nonnegative_pair(fn, "padding", padding)
    dilations = positive_pair(fn, "dilation", dilation)
    out = []
    for i, k, s, p, d in zip(sizes, kernels, strides, paddings, dilations):
        o = window_count(i, k, s, p, d, bool(ceil_mode))
        if o <= 0:
            raise ValueError(
                f"{fn}: no window fits: size={i} padded by {p} on each side is smaller than "
                f"the dilated kernel d*(k-1)+1 = {d * (k - 1) + 1} (kernel_size={k}, "
                f"dilation={d}); output size would be {o}")
        out.append(o)
    if _all_ints(size, kernel_size, stride, padding, dilation):
        return out[0]
    return tuple(out)


def conv_transpose_output_size(size, kernel_size, stride=1, padding=0, output_padding=0,
                               dilation=1):
    """Spatial output size of a transposed convolution.

    Parameters
    ----------
    size : int or (int, int)
        Input height/width ``i``.
    kernel_size : int or (int, int)
        Kernel size ``k``.
    stride, padding, output_padding, dilation : int or (int, int)
        ``s >= 1``, ``p >= 0``, ``0 <= output_padding < max(s, d)``, ``d >= 1``.

    Returns
    -------
    int or (int, int)
        ``o`` -- an int if every size argument is an int, else a pair.

    Notes
    -----
    .. math:: o = (i - 1) s - 2p + d(k - 1) + \\text{output\\_padding} + 1

    This inverts :func:`conv_output_size`: a convolution with the same
    arguments maps size ``o`` back to ``i``. ``output_padding`` picks among the
    several ``o`` that a strided convolution maps to the same ``i``.

    Examples
    --------
    >>> conv_transpose_output_size(2, 4, stride=3)
    7
    """
    fn = "conv_transpose_output_size"
    sizes = positive_pair(fn, "size", size)
    kernels = positive_pair(fn, "kernel_size", kernel_size)
    strides = positive_pair(fn, "stride", stride)
    paddings = nonnegative_pair(fn, "padding", padding)
    extras = nonnegative_pair(fn, "output_padding", output_padding)
    dilations = positive_pair(fn, "dilation", dilation)
    out = []
    for i, k, s, p, extra, d in zip(sizes, kernels, strides, paddings, extras, dilations):
        if extra >= s and extra >= d:
            raise ValueError(
                f"{fn}: output_padding must be smaller than stride or dilation, "
                f"got output_padding={extra} with stride={s}, dilation={d}")
        o = (i - 1) * s - 2 * p + d * (k - 1) + extra + 1
        if o <= 0:
            raise ValueError(
                f"{fn}: padding={p} removes the whole output: (size-1)*stride + "
                f"dilation*(kernel_size-1) + output_padding + 1 = {o + 2 * p} with size={i}, "
                f"kernel_size={k}, stride={s}, dilation={d}; output size would be {o}")
        out.append(o)
    if _all_ints(size, kernel_size, stride, padding, output_padding, dilation):
        return out[0]
    return tuple(out)
