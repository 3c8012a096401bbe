"""Known mistakes of chapter 00 (welcome): the warm-up exercise ``to_grayscale``.

Each description completes "your output equals what you get when ...";
each function takes ``rgb`` (H, W, 3) like :func:`cnnkit.images.to_grayscale`
and stands for a wrong entry of ``tests/banks/00_welcome.py`` (named in its
comment); ``tests/cnnkit/test_mistakes_welcome.py`` proves it reproduces it.
"""

from __future__ import annotations

import numpy as np

from cnnkit.images import to_grayscale as _reference

__all__ = ["TO_GRAYSCALE"]

_WEIGHTS = np.array([0.299, 0.587, 0.114])


def _back_to_input_dtype(rgb):
    rgb = np.asarray(rgb)
    gray = rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114  # the usual order of the sum
    return gray.astype(rgb.dtype)


#: to_grayscale(rgb): (H, W, 3) -> (H, W), 0.299 R + 0.587 G + 0.114 B.
TO_GRAYSCALE = {
    # plain_mean
    "the three channels are averaged with equal weights (R + G + B) / 3 instead of "
    "0.299 R + 0.587 G + 0.114 B": lambda rgb: np.asarray(rgb, dtype=float).mean(axis=2),
    # weights_reversed
    "the weights go to the channels in reverse order (0.114 to red, 0.299 to blue); "
    "the channels are R, G, B": lambda rgb: np.asarray(rgb, dtype=float) @ _WEIGHTS[::-1],
    # rounds_back_to_uint8
    "the result is converted back to the input's integer dtype, which cuts off the fractions; "
    "return floats": _back_to_input_dtype,
    # keeps_channel_axis
    "the channel axis is kept: shape (H, W, 1) instead of (H, W)":
        lambda rgb: (np.asarray(rgb, dtype=float) @ _WEIGHTS)[:, :, None],
    # wrong_axis
    "the weights are applied along the first axis (rows) instead of the last one (channels)":
        lambda rgb: np.tensordot(_WEIGHTS, np.asarray(rgb, dtype=float)[:3], axes=(0, 0)),
    # divides_by_255
    "the result is divided by 255 (a 0..1 scale); keep the input's scale, 0..255 for a uint8 photo":
        lambda rgb: _reference(rgb) / 255,
}
