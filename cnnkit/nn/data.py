"""The 8x8 handwritten digits of scikit-learn as NCHW arrays, split once under a seed.

``sklearn.datasets.load_digits`` ships inside scikit-learn (no download): 1797
images of 8x8 pixels with intensities 0..16, ten classes of about 180 each.
"""

from __future__ import annotations

from pathlib import Path
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
    images, target = digit_images()
    x = (images / 16.0).astype(dtype)[:, None, :, :]
    y = target.astype(np.int64)
    train, test = split_indices(y, test_fraction, seed)
    return DigitSplit(np.ascontiguousarray(x[train]), y[train], np.ascontiguousarray(x[test]), y[test])


def digit_images() -> tuple[np.ndarray, np.ndarray]:
    """``images`` (1797, 8, 8) float64 in 0..16 and ``target`` (1797,), as ``sklearn.datasets.load_digits`` gives them.

    Read from scikit-learn's own data file without importing scikit-learn, whose
    import (scipy with it) costs 1.3 s in every kernel that loads the digits.
    """
    import gzip
    import importlib.util

    package = Path(importlib.util.find_spec("sklearn").origin).parent
    with gzip.open(package / "datasets" / "data" / "digits.csv.gz") as file:
        table = np.loadtxt(file, delimiter=",")
    return table[:, :-1].reshape(-1, 8, 8), table[:, -1].astype(int)


def split_indices(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices of scikit-learn's stratified ``train_test_split`` of ``y``, in its order.

    The chapters' split (``test_fraction`` 0.25, ``seed`` 0) is stored with the
    package (``STORED_SPLIT``; a test checks it against scikit-learn's); any
    other is computed by scikit-learn.
    """
    if (test_fraction, seed) == (0.25, 0) and len(y) == 1797:
        with np.load(STORED_SPLIT) as stored:
            return stored["train"].astype(np.intp), stored["test"].astype(np.intp)
    return sklearn_split_indices(y, test_fraction, seed)


def sklearn_split_indices(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`split_indices` gives, always computed by ``sklearn.model_selection.train_test_split``."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(np.arange(len(y)), test_size=test_fraction, random_state=seed, stratify=y)
    return train, test


STORED_SPLIT = Path(__file__).resolve().parent / "digits_split_0.25_seed0.npz"
