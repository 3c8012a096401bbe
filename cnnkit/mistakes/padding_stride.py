"""Known mistakes of chapter 02 (padding, stride and output size), for the hidden tests' diagnosis.

Each dict maps a description (completing "your output equals what you get when ...")
to a function that takes the reference's arguments and returns what that mistake
returns. Every entry stands for a wrong entry of ``tests/banks/02_padding_stride.py``;
``tests/cnnkit/test_mistakes_padding_stride.py`` proves that it reproduces it.

>>> from cnnkit.mistakes import padding_stride as known
>>> known.CONV_OUTPUT_SIZE["the division uses int() truncation instead of floor "
...                        "(int(-0.5) is 0, the floor of -0.5 is -1)"](4, 5, stride=2)
1
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["PAD", "CONV_OUTPUT_SIZE", "SAME_PADDING", "CONV2D", "RECEPTIVE_FIELD"]


def _pair(padding):
    return (padding, padding) if np.isscalar(padding) else tuple(padding)


def _spatial_pad(x, top, bottom, left, right, **how):
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), **how)


# ---------------------------------------------------------------- pad(x, padding)

def _pad_after_only(x, padding):
    ph, pw = _pair(padding)
    return _spatial_pad(x, 0, 2 * ph, 0, 2 * pw)


def _pad_every_axis(x, padding):
    return np.pad(x, padding)


def _pad_swapped(x, padding):
    ph, pw = _pair(padding)
    return _spatial_pad(x, pw, pw, ph, ph)


def _pad_edge(x, padding):
    ph, pw = _pair(padding)
    return _spatial_pad(x, ph, ph, pw, pw, mode="edge")


PAD = {
    "the zeros go only after the data (2p at the bottom and on the right, none on top or on the left)":
        _pad_after_only,
    "every axis is padded, the batch and channel axes too": _pad_every_axis,
    "ph and pw are swapped (ph pads the columns, pw the rows)": _pad_swapped,
    "the border values are repeated (mode='edge') instead of adding zeros": _pad_edge,
}
"""Mistakes of ``pad(x, padding)``, x of shape (N, C, H, W)."""


# ---------------------------------------------------------------- conv_output_size

def _numerator(size, kernel_size, padding, dilation):
    return size + 2 * padding - dilation * (kernel_size - 1) - 1


CONV_OUTPUT_SIZE = {
    "the division uses int() truncation instead of floor (int(-0.5) is 0, the floor of -0.5 is -1)":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            int(_numerator(size, kernel_size, padding, dilation) / stride) + 1,
    "no ValueError is raised when no window fits (the formula's o <= 0 is returned)":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            _numerator(size, kernel_size, padding, dilation) // stride + 1,
    "the stride is ignored":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            _numerator(size, kernel_size, padding, dilation) + 1,
    "the + 1 is missing (that counts the steps between windows, not the windows)":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            _numerator(size, kernel_size, padding, dilation) // stride,
    "the division rounds up instead of down":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            math.ceil(_numerator(size, kernel_size, padding, dilation) / stride) + 1,
    "the dilation is ignored (the window spans k cells instead of d(k-1)+1)":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            _numerator(size, kernel_size, padding, 1) // stride + 1,
    "the padding is added on one side only (i + p instead of i + 2p)":
        lambda size, kernel_size, stride=1, padding=0, dilation=1:
            (_numerator(size, kernel_size, padding, dilation) - padding) // stride + 1,
}
"""Mistakes of ``conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1)``."""


# ---------------------------------------------------------------- same_padding

def _half(span):
    if span % 2:
        raise ValueError(f"no symmetric padding for a span of {span + 1} cells")
    return span // 2


SAME_PADDING = {
    "no ValueError is raised when d(k - 1) is odd (the half is rounded down)":
        lambda kernel_size, dilation=1: dilation * (kernel_size - 1) // 2,
    "the dilation is ignored: p = (k - 1) / 2":
        lambda kernel_size, dilation=1: _half(kernel_size - 1),
    "p is the full padding d(k - 1) instead of half of it":
        lambda kernel_size, dilation=1: 2 * _half(dilation * (kernel_size - 1)),
    "p is computed as d * (k // 2), half the kernel instead of half the span d(k - 1)":
        lambda kernel_size, dilation=1: dilation * (kernel_size // 2),
}
"""Mistakes of ``same_padding(kernel_size, dilation=1)`` (its result only; the
ValueError for an odd ``d(k - 1)`` is checked separately)."""


# ---------------------------------------------------------------- conv2d

def _windows(xp, w, out_size, step, tap):
    """Correlate every (N, C) window of ``xp`` with every filter, for a chosen geometry.

    Window (i, j) starts at (i * step, j * step) and its taps are ``tap`` cells
    apart. Raises (as the learner's code does) when a window runs off ``xp``.
    """
    filters, _, kh, kw = w.shape
    out = np.zeros((xp.shape[0], filters) + tuple(out_size))
    for i, j in np.ndindex(*out_size):
        top, left = i * step, j * step
        window = xp[:, :, top:top + (kh - 1) * tap + 1:tap, left:left + (kw - 1) * tap + 1:tap]
        out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


def _geometry_mistake(*, step, tap, shrink=0, all_padding_first=False):
    """A conv2d whose windows move by ``step(s, d)`` with taps ``tap(s, d)`` apart."""
    def conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
        x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
        p = padding
        xp = _spatial_pad(x, 2 * p, 0, 2 * p, 0) if all_padding_first else _spatial_pad(x, p, p, p, p)
        out_size = [(size + 2 * p - dilation * (k - 1) - 1) // stride + 1 - shrink
                    for size, k in zip(x.shape[2:], w.shape[2:])]
        out = _windows(xp, w, out_size, step(stride, dilation), tap(stride, dilation))
        return out if b is None else out + np.asarray(b)[None, :, None, None]
    return conv2d


def _conv2d_without_bias(x, w, b=None, stride=1, padding=0, dilation=1):
    import cnnkit

    return cnnkit.conv2d(x, w, None, stride=stride, padding=padding, dilation=dilation)


def _conv2d_in_input_dtype(x, w, b=None, stride=1, padding=0, dilation=1):
    """The output allocated with x's dtype: an integer x truncates every sum towards 0."""
    x = np.asarray(x)
    out = _conv2d_without_bias(x, w, None, stride, padding, dilation)
    if np.issubdtype(x.dtype, np.integer):
        out = np.trunc(out).astype(x.dtype)
    return out if b is None else out + np.asarray(b)[None, :, None, None]


CONV2D = {
    "the windows move 1 cell at a time instead of `stride` cells (window (i, j) starts at (i, j))":
        _geometry_mistake(step=lambda s, d: 1, tap=lambda s, d: d),
    "the dilation is ignored inside the window (its taps are next to each other)":
        _geometry_mistake(step=lambda s, d: s, tap=lambda s, d: 1),
    "stride and dilation are swapped (windows move d cells, taps are s cells apart)":
        _geometry_mistake(step=lambda s, d: d, tap=lambda s, d: s),
    "the output size lacks the + 1 (one window too few on each axis)":
        _geometry_mistake(step=lambda s, d: s, tap=lambda s, d: d, shrink=1),
    "all the padding goes on top and on the left (2p there, none at the bottom or on the right)":
        _geometry_mistake(step=lambda s, d: s, tap=lambda s, d: d, all_padding_first=True),
    "the bias is left out": _conv2d_without_bias,
    "the output array has x's integer dtype, so every value is truncated towards 0":
        _conv2d_in_input_dtype,
}
"""Mistakes of ``conv2d(x, w, b=None, stride=1, padding=0, dilation=1)``, NCHW/OIHW."""


# ---------------------------------------------------------------- receptive_field

def _layers(layers):
    return [(tuple(layer) + (1,))[:3] for layer in layers]


def _field(layers, *, use_strides=True, jump_first=False, use_dilation=True):
    field, jump = 1, 1
    for k, s, d in _layers(layers):
        d = d if use_dilation else 1
        if jump_first and use_strides:
            jump *= s
        field += d * (k - 1) * jump
        if not jump_first and use_strides:
            jump *= s
    return field


RECEPTIVE_FIELD = {
    "the strides are ignored (every layer adds d(k - 1))":
        lambda layers: _field(layers, use_strides=False),
    "a layer's own stride already multiplies its d(k - 1) (the jump is updated too early)":
        lambda layers: _field(layers, jump_first=True),
    "the dilation is ignored":
        lambda layers: _field(layers, use_dilation=False),
    "the kernel sizes are added up": lambda layers: max(1, sum(layer[0] for layer in layers)),
}
"""Mistakes of ``receptive_field(layers)``, layers a list of (k, s) or (k, s, d)."""
