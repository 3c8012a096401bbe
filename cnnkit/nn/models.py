"""The LeNet-style network of chapter 07, sized for 8x8 digits."""

from __future__ import annotations

import numpy as np

from .containers import Sequential
from .layers import Conv2d, Flatten, Linear, MaxPool2d, ReLU

__all__ = ["lenet_digits"]


def lenet_digits(seed: int = 0, dtype=np.float32, conv1: int = 8, conv2: int = 16) -> Sequential:
    """conv3x3(1->8, pad 1) - ReLU - maxpool 2 - conv3x3(8->16, pad 1) - ReLU - maxpool 2 - flatten - dense(64->10).

    Shapes for a batch of N digits: (N,1,8,8) -> (N,8,8,8) -> (N,8,4,4) -> (N,16,4,4)
    -> (N,16,2,2) -> (N,64) -> (N,10). Softmax is folded into the loss.

    Parameters
    ----------
    seed : int
        Seeds the initial weights (one generator for all layers, in order).
    dtype : numpy dtype
    conv1, conv2 : int
        Number of filters of the two convolutions.
    """
    rng = np.random.default_rng(seed)
    return Sequential(
        Conv2d(1, conv1, 3, padding=1, rng=rng, dtype=dtype), ReLU(), MaxPool2d(2),
        Conv2d(conv1, conv2, 3, padding=1, rng=rng, dtype=dtype), ReLU(), MaxPool2d(2),
        Flatten(),
        Linear(conv2 * 2 * 2, 10, rng=rng, dtype=dtype),
    )
