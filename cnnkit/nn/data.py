"""The 8x8 handwritten digits of scikit-learn as NCHW arrays, split once under a seed.

``sklearn.datasets.load_digits`` ships inside scikit-learn (no download): 1797
images of 8x8 pixels with intensities 0..16, ten classes of about 180 each.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["DigitSplit", "load_digits_nchw"]


class DigitSplit(NamedTuple):
    """Train and test arrays: x float (N, 1, 8, 8) in [0, 1], y int64 (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_nchw(test_fraction: float = 0.25, seed: int = 0, dtype=np.float32) -> DigitSplit:
    """Load the digits, scale to [0, 1] and split them, stratified by class.

    Parameters
    ----------
    test_fraction : float
        Share of the images held out for testing (0.25 gives 450 of 1797).
    seed : int
        Fixes the split: the same seed always gives the same images.
    dtype : numpy dtype

    Returns
    -------
    DigitSplit
        ``x_train`` (N_train, 1, 8, 8), ``y_train`` (N_train,), ``x_test``, ``y_test``.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"load_digits_nchw: test_fraction must lie in (0, 1), got {test_fraction}")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(dtype)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y)
    return DigitSplit(np.ascontiguousarray(x_train), y_train, np.ascontiguousarray(x_test), y_test)
