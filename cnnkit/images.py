"""Real photos as float arrays, for the chapters' figures and explorers.

The photos ship with matplotlib (``matplotlib.cbook.get_sample_data``), so nothing
is downloaded. Pixel values stay on the 0..255 scale of an 8-bit image, as
floats, so that ``photo[0, 0]`` reads like the numbers an image file holds.

>>> rgb = load_photo()            # Grace Hopper, shape (600, 512, 3)
>>> gray = to_grayscale(rgb)      # shape (600, 512)
"""

from __future__ import annotations

import numpy as np

__all__ = ["PHOTOS", "load_photo", "to_grayscale", "shrink"]

#: Photo names accepted by :func:`load_photo` and the file each one reads.
PHOTOS = {
    "grace_hopper": "grace_hopper.jpg",         # 600 x 512 portrait, RGB
    "present": "Minduka_Present_Blue_Pack.png",  # 128 x 128 drawing, RGBA
}

#: ITU-R BT.601 luma weights for red, green and blue.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def shrink(image: np.ndarray, factor: int) -> np.ndarray:
    """Make an image ``factor`` times smaller by averaging ``factor x factor`` blocks.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
    factor : int
        ``>= 1``; rows and columns that do not fill a whole block are dropped.

    Returns
    -------
    ndarray, shape (H // factor, W // factor) or (H // factor, W // factor, C)
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"shrink: factor must be an int >= 1, got {factor!r}")
    image = np.asarray(image, dtype=float)
    if image.ndim not in (2, 3):
        raise ValueError(f"shrink: image must be (H, W) or (H, W, C), got shape {image.shape}")
    h, w = image.shape[0] // factor, image.shape[1] // factor
    if h == 0 or w == 0:
        raise ValueError(f"shrink: factor={factor} is larger than the image {image.shape[:2]}")
    cropped = image[: h * factor, : w * factor]
    blocks = cropped.reshape(h, factor, w, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


def load_photo(name: str = "grace_hopper", *, gray: bool = False, shrink_by: int = 1) -> np.ndarray:
    """Load a sample photo as floats on the 0..255 scale.

    Parameters
    ----------
    name : str
        One of :data:`PHOTOS` (``"grace_hopper"`` or ``"present"``).
    gray : bool
        Return one luminance channel instead of red, green and blue.
    shrink_by : int
        Average ``shrink_by x shrink_by`` blocks (see :func:`shrink`) to get a
        smaller picture that loops over quickly.

    Returns
    -------
    ndarray, float64, shape (H, W, 3), or (H, W) when ``gray``
        ``grace_hopper`` is 600 x 512; ``present`` is 128 x 128 (its
        transparency channel is dropped, transparent pixels become white).
    """
    if name not in PHOTOS:
        raise ValueError(f"load_photo: name must be one of {sorted(PHOTOS)}, got {name!r}")
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg

    raw = mpimg.imread(cbook.get_sample_data(PHOTOS[name], asfileobj=False))
    pixels = raw.astype(float) if raw.dtype == np.uint8 else raw.astype(float) * 255.0
    if pixels.shape[-1] == 4:  # composite over white, drop alpha
        alpha = pixels[..., 3:] / 255.0
        pixels = pixels[..., :3] * alpha + 255.0 * (1.0 - alpha)
    if gray:
        pixels = to_grayscale(pixels)
    if shrink_by != 1:
        pixels = shrink(pixels, shrink_by)
    return pixels


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """Luminance of an RGB image: ``0.299 R + 0.587 G + 0.114 B``.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3)

    Returns
    -------
    ndarray, float64, shape (H, W), on the scale of the input
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"to_grayscale: rgb must have shape (H, W, 3), got {rgb.shape}")
    return rgb.astype(float) @ np.asarray(LUMA_WEIGHTS)
