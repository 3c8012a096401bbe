"""Known mistakes of chapter 07's data augmentation exercise (``shift_images``).

:data:`SHIFT_IMAGES` maps a description (completing "your output equals what you get
when ...") to a wrong version with the arguments of :func:`cnnkit.nn.shift_images`,
``(images, dy, dx)``. Each stands for a wrong entry of ``tests/banks/07_lenet.py``
(``tests/cnnkit/test_mistakes_augmentation.py`` proves they agree). A version that
moves the pixels right but writes into ``images`` needs no entry here:
``check_function`` reports a modified input on its own.
"""

from __future__ import annotations

import numpy as np

from cnnkit.nn.augment import shift_images as _shift

__all__ = ["SHIFT_IMAGES"]


def _wraps_around(images, dy, dx):
    return np.roll(images, (dy, dx), axis=(2, 3))


def _swaps_axes(images, dy, dx):
    return _shift(images, dx, dy)


def _opposite_direction(images, dy, dx):
    return _shift(images, -dy, -dx)


def _repeats_edge(images, dy, dx):
    height, width = images.shape[2:]
    pad_y, pad_x = abs(dy), abs(dx)
    padded = np.pad(images, ((0, 0), (0, 0), (pad_y, pad_y), (pad_x, pad_x)), mode="edge")
    return padded[:, :, pad_y - dy:pad_y - dy + height, pad_x - dx:pad_x - dx + width]


#: Known wrong versions of ``shift_images(images, dy, dx)``.
SHIFT_IMAGES = {
    "the image wraps around (np.roll): what leaves one side comes back on the other instead of "
    "the uncovered border being 0": _wraps_around,
    "dy moves the columns and dx the rows (dy is the vertical shift, along axis 2)": _swaps_axes,
    "the image moves the opposite way (a positive dy moves it down, a positive dx to the right)":
        _opposite_direction,
    "the uncovered border repeats the edge pixels (np.pad with mode='edge') instead of being 0": _repeats_edge,
}
