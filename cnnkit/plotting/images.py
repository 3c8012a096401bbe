"""Pictures of photos, their channels and feature maps.

Every function returns a new :class:`matplotlib.figure.Figure` (or draws on the
axes it is given) and never calls ``plt.show``; a notebook shows the returned
figure, an explorer turns it into PNG bytes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["show_image", "show_channels", "show_row"]

_CHANNEL_COLORS = ("red", "green", "blue")


def _channel_cmap(color: str):
    """Black for 0 up to the pure colour for 255, so bright means "much of this colour"."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(f"black_to_{color}", ["black", color])


def _figure(n_panels: int, width: float = 3.2, height: float = 3.2):
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, n_panels, figsize=(width * n_panels, height), squeeze=False)
    return figure, list(axes[0])


def show_image(ax, image, *, title: str | None = None, cmap: str = "gray", colorbar: bool = False,
               limits: tuple[float, float] | None = None):
    """Draw a grayscale ``(H, W)`` or RGB ``(H, W, 3)`` image (values 0..255 or any range).

    A grayscale image is stretched from its minimum to its maximum unless
    ``limits`` fixes the display range, so a feature map with negative values is
    visible too; an RGB image on the 0..255 scale is shown as it is (clipped).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    image : ndarray, shape (H, W) or (H, W, 3)
    title : str, optional
    cmap : str
        Colour map of a one-channel image.
    colorbar : bool
        Add a colour bar that reads values off the picture.
    limits : (low, high), optional
        Display range of a one-channel image: ``low`` is black, ``high`` white,
        values outside are clipped (``(0, 255)`` shows every map on the photo's
        own scale, so pictures can be compared by eye).
    """
    image = np.asarray(image, dtype=float)
    if image.ndim == 3 and image.shape[2] == 3:
        shown = ax.imshow(np.clip(image / 255.0, 0.0, 1.0))
    elif image.ndim == 2:
        low, high = limits if limits is not None else (None, None)
        shown = ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
    else:
        raise ValueError(f"show_image: image must be (H, W) or (H, W, 3), got shape {image.shape}")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    return shown


def show_channels(rgb, *, title: str = "photo"):
    """The photo and its red, green and blue matrices side by side.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), values 0..255

    Returns
    -------
    matplotlib.figure.Figure with four panels
    """
    rgb = np.asarray(rgb, dtype=float)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"show_channels: rgb must have shape (H, W, 3), got {rgb.shape}")
    figure, axes = _figure(4, width=2.8)
    show_image(axes[0], rgb, title=f"{title} {rgb.shape}")
    for c, (ax, name) in enumerate(zip(axes[1:], _CHANNEL_COLORS)):
        shown = ax.imshow(rgb[:, :, c], cmap=_channel_cmap(name), vmin=0, vmax=255)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{name}: rgb[:, :, {c}]", fontsize=10)
    figure.colorbar(shown, ax=axes[-1], fraction=0.046, pad=0.04)
    figure.subplots_adjust(wspace=0.25)
    return figure


def show_row(images, titles=None, *, cmap: str = "gray", limits: tuple[float, float] | None = None):
    """Several images (photos or feature maps) in one row, each with its title.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W) or (H, W, 3)
    titles : sequence of str, optional
    limits : (low, high), optional
        One display range for every one-channel image (see :func:`show_image`);
        by default each is stretched from its own minimum to its maximum.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = list(images)
    titles = list(titles) if titles is not None else [None] * len(images)
    if len(titles) != len(images):
        raise ValueError(f"show_row: got {len(images)} images but {len(titles)} titles")
    figure, axes = _figure(len(images), width=2.8, height=3.0)
    for ax, image, title in zip(axes, images, titles):
        show_image(ax, image, title=title, cmap=cmap, limits=limits)
    figure.subplots_adjust(wspace=0.25)
    return figure
