"""Output sizes of convolution-like ops: chapter 02's formula, in one place.

:func:`window_count` is the formula every op, figure and explorer uses;
:func:`check_window_fits` raises the one error for a window that does not fit
the padded input; :func:`transposed_size` is the checked output size of a
transposed convolution along one axis. The public :func:`conv_output_size` and
:func:`conv_transpose_output_size` take every argument as an int or a
``(height, width)`` pair and answer in the same form: an int when every argument
is an int, a pair otherwise.
"""

from __future__ import annotations

import numbers

from ._args import nonnegative_pair, positive_pair

__all__ = ["conv_output_size", "conv_transpose_output_size"]

AXES = ("height", "width")


def window_span(kernel_size: int, dilation: int = 1) -> int:
    """Cells spanned by a window of ``kernel_size`` taps ``dilation`` apart: ``d(k-1)+1``."""
    return dilation * (kernel_size - 1) + 1


def window_count(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                 dilation: int = 1, ceil_mode: bool = False) -> int:
    """Number of window positions along one axis: ``floor((i + 2p - d(k-1) - 1) / s) + 1``.

    The unchecked one-axis formula of :func:`conv_output_size`; it is <= 0 exactly
    when the window does not fit (see :func:`check_window_fits`). With
    ``ceil_mode`` the floor is a ceiling, and a last window that would start in
    the right padding is dropped (PyTorch's pooling rule).
    """
    span = size + 2 * padding - window_span(kernel_size, dilation)
    if span < 0:
        return span // stride + 1  # floor division keeps "no window fits" <= 0
    if not ceil_mode:
        return span // stride + 1
    count = -(-span // stride) + 1
    # PyTorch's pooling rule: the last window must start inside the input or the left padding.
    if (count - 1) * stride >= size + padding:
        count -= 1
    return count


def window_starts(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                  dilation: int = 1) -> list[int]:
    """First cell of every window along one axis, in the padded axis: ``[0, s, 2s, ...]``."""
    return [o * stride for o in range(window_count(size, kernel_size, stride, padding, dilation))]


def check_window_fits(fn: str, size: int, kernel_size: int, padding=0, dilation: int = 1, *,
                      axis: str | None = None, given: str = "") -> None:
    """Raise ValueError unless a window fits inside the padded input along one axis.

    Parameters
    ----------
    fn : str
        The function whose argument it is, first in the message.
    size, kernel_size, dilation : int
        ``i``, ``k``, ``d``.
    padding : int or (int, int)
        ``p`` on each side, or ``(before, after)``.
    axis : str, optional
        ``"height"`` or ``"width"``, named in the message.
    given : str
        What the caller adds at the end of the message, e.g. ``"x.shape = (1, 1, 4, 4)"``.

    Notes
    -----
    The window spans ``d(k-1)+1`` cells and fits when that is at most ``i + 2p``,
    i.e. exactly when :func:`window_count` is at least 1.
    """
    before, after = (padding, padding) if isinstance(padding, numbers.Integral) else padding
    span, padded = window_span(kernel_size, dilation), size + before + after
    if span > padded:
        where = f" along the {axis}" if axis else ""
        shown = before if before == after else (before, after)
        raise ValueError(
            f"{fn}: the window does not fit{where}: it spans d*(k-1)+1 = {span} cells "
            f"(kernel_size={kernel_size}, dilation={dilation}), more than the {padded} cells "
            f"of the padded input (size={size}, padding={shown})" + (f"; {given}" if given else ""))


def transposed_size(fn: str, size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                    output_padding: int = 0, dilation: int = 1, *, axis: str | None = None,
                    given: str = "") -> int:
    """Output size of a transposed convolution along one axis, checked.

    ``o = (i - 1) s - 2p + d(k - 1) + output_padding + 1``. Raises ValueError (naming
    ``fn``, the ``axis`` and ending with ``given``, as :func:`check_window_fits`)
    unless ``output_padding`` is smaller than ``stride`` or ``dilation`` and ``o >= 1``.
    """
    where = f" along the {axis}" if axis else ""
    suffix = f"; {given}" if given else ""
    if output_padding >= stride and output_padding >= dilation:
        raise ValueError(
            f"{fn}: output_padding must be smaller than stride or dilation{where}, got "
            f"output_padding={output_padding} with stride={stride} and dilation={dilation}"
            + suffix)
    full = (size - 1) * stride + window_span(kernel_size, dilation) + output_padding
    if full - 2 * padding <= 0:
        raise ValueError(
            f"{fn}: padding={padding} removes the whole output{where}: (size-1)*stride + "
            f"dilation*(kernel_size-1) + output_padding + 1 = {full} (size={size}, "
            f"kernel_size={kernel_size}, stride={stride}, dilation={dilation}, "
            f"output_padding={output_padding}) and 2*padding = {2 * padding} of it is cut off"
            + suffix)
    return full - 2 * padding


def _per_axis(fn: str, **arguments) -> tuple[list[tuple[int, int]], bool]:
    """Every argument as a checked ``(height, width)`` pair, and whether all were ints.

    ``padding`` and ``output_padding`` must be >= 0, every other argument >= 1.
    """
    pairs = [nonnegative_pair(fn, name, value) if name.endswith("padding")
             else positive_pair(fn, name, value) for name, value in arguments.items()]
    return pairs, all(isinstance(v, numbers.Integral) for v in arguments.values())


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
    pairs, scalar = _per_axis(fn, size=size, kernel_size=kernel_size, stride=stride,
                              padding=padding, dilation=dilation)
    out = []
    for axis, i, k, s, p, d in zip((None, None) if scalar else AXES, *pairs):
        check_window_fits(fn, i, k, p, d, axis=axis)
        out.append(window_count(i, k, s, p, d, bool(ceil_mode)))
    return out[0] if scalar else tuple(out)


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
    pairs, scalar = _per_axis(fn, size=size, kernel_size=kernel_size, stride=stride,
                              padding=padding, output_padding=output_padding, dilation=dilation)
    out = [transposed_size(fn, *axis_arguments, axis=axis)
           for axis, *axis_arguments in zip((None, None) if scalar else AXES, *pairs)]
    return out[0] if scalar else tuple(out)
