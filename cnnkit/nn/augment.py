"""Data augmentation for the digits: move images by a pixel or two, filling the uncovered border with zeros."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["shift_images", "random_shifts"]


def _check_shift(function: str, name: str, value, size: int, axis: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{function}: {name} must be an integer number of pixels, got {value!r}")
    if abs(int(value)) >= size:
        raise ValueError(f"{function}: {name} must be smaller than the image {axis} in absolute value "
                         f"(|{name}| < {size}), got {value}")
    return int(value)


def _check_images(function: str, images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"{function}: images must have shape (N, C, H, W), got shape {images.shape}")
    return images


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move every image ``dy`` pixels down and ``dx`` pixels right; the uncovered border is 0.

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)
    dy : int, ``|dy| < H``
        Rows to move down (negative: up).
    dx : int, ``|dx| < W``
        Columns to move right (negative: left).

    Returns
    -------
    out : ndarray, shape (N, C, H, W), dtype of ``images``
        A new array (``images`` is not modified); what leaves the frame is lost, nothing
        wraps around.

    Notes
    -----
    .. math:: \\mathrm{out}[n, c, i, j] = \\begin{cases} x[n, c, i - dy, j - dx] &
              0 \\le i - dy < H \\text{ and } 0 \\le j - dx < W \\\\ 0 & \\text{otherwise} \\end{cases}

    Examples
    --------
    >>> shift_images(np.arange(1, 5).reshape(1, 1, 2, 2), 1, 0)[0, 0].tolist()
    [[0, 0], [1, 2]]
    """
    images = _check_images("shift_images", images)
    height, width = images.shape[2:]
    dy = _check_shift("shift_images", "dy", dy, height, "height H")
    dx = _check_shift("shift_images", "dx", dx, width, "width W")
    out = np.zeros_like(images)
    out[:, :, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        images[:, :, max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    return out


def random_shifts(images: np.ndarray, max_shift: int = 1, rng=None) -> np.ndarray:
    """Move each image by its own random ``(dy, dx)``, each drawn uniformly from ``-max_shift..max_shift``.

    Parameters
    ----------
    images : ndarray, shape (N, C, H, W)
    max_shift : int, ``0 <= max_shift < min(H, W)``
    rng : numpy.random.Generator or int, optional
        Source of the shifts (pass one generator for a whole training run).

    Returns
    -------
    out : ndarray, shape (N, C, H, W), dtype of ``images``
        Image ``n`` is ``shift_images(images[n:n+1], dy_n, dx_n)[0]``.
    """
    images = _check_images("random_shifts", images)
    if isinstance(max_shift, (bool, np.bool_)) or not isinstance(max_shift, numbers.Integral) or max_shift < 0:
        raise ValueError(f"random_shifts: max_shift must be an integer >= 0, got {max_shift!r}")
    _check_shift("random_shifts", "max_shift", max_shift, min(images.shape[2:]), "height and width")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))
    out = np.empty_like(images)
    for dy, dx in {tuple(pair) for pair in shifts.tolist()}:  # one call per distinct shift
        chosen = np.all(shifts == (dy, dx), axis=1)
        out[chosen] = shift_images(images[chosen], dy, dx)
    return out
