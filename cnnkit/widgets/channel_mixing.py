"""Channel-mixing explorer: a 1x1 convolution is one small matrix applied at every pixel.

The explorer holds a batch of two photos, shape (2, 3, H, W) (red, green, blue):
a portrait and its mirror image, so that a function mixing up the batch and
channel axes is caught (with one image such a bug goes unseen). It runs the
student's ``conv1x1(x, w)`` (``w`` shaped ``(C_out, C_in)``) and cnnkit's
``conv2d`` with the same weights as a ``(C_out, C_in, 1, 1)`` kernel on the whole
batch, shows every output channel of the first image, and writes out the
product ``K @ x[0, :, row, col]`` at one probe pixel. An output channel with no
negative value is drawn in grey like a photo (0 black); one that goes negative in
a diverging map centred on 0 (see :func:`output_colormap`).

>>> from cnnkit.widgets.channel_mixing import ChannelMixingExplorer
>>> ChannelMixingExplorer(None).status_kind
'missing'
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from cnnkit.widgets._base import Explorer, call_student, compare_outcome, figure_to_png, ipywidgets

__all__ = ["ChannelMixingExplorer", "DEFAULT_WEIGHTS", "output_colormap"]

CHANNELS = ("red", "green", "blue")
# Output 0: a luminance-like average; output 1: red minus blue; output 2: green alone.
DEFAULT_WEIGHTS = np.array([[0.3, 0.6, 0.1],
                            [1.0, 0.0, -1.0],
                            [0.0, 1.0, 0.0]])


def _photos() -> np.ndarray:
    """Grace Hopper shrunk 8 times, and her mirror image: a (2, 3, 75, 64) batch on the 0..1 scale."""
    from cnnkit.images import load_photo

    photo = (load_photo("grace_hopper", shrink_by=8) / 255.0).transpose(2, 0, 1)
    return np.stack([photo, photo[:, :, ::-1]])


def output_colormap(channel: np.ndarray) -> dict:
    """How to draw one output channel: ``imshow`` keyword arguments ``cmap``, ``vmin``, ``vmax``.

    Parameters
    ----------
    channel : ndarray, shape (H, W)

    Returns
    -------
    dict
        Without negative values (a grey mix, a copied colour): ``"gray"`` from 0 (black) to
        ``max(1, channel.max())`` (white), the scale of the 0..1 photo. With negative values:
        ``"RdBu_r"`` symmetric about 0 (red above, blue below).
    """
    low, high = float(np.min(channel)), float(np.max(channel))
    if low >= 0:
        return {"cmap": "gray", "vmin": 0.0, "vmax": max(high, 1.0)}
    limit = max(-low, high)
    return {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}


class ChannelMixingExplorer(Explorer):
    """Mix the red, green and blue channels of a photo with a slider grid of 1x1 weights.

    Parameters
    ----------
    conv1x1 : callable or None
        The student's ``conv1x1(x, w, b=None)`` with ``x`` (N, C_in, H, W) and ``w``
        (C_out, C_in); ``None`` shows "not implemented yet".
    out_channels : int
        Number of output channels (rows of the weight grid), 1 to 3.

    Attributes
    ----------
    controls : dict
        ``"w<o><i>"`` (weight from input channel i to output channel o, -1..1) and
        ``"row"``, ``"col"`` (the probe pixel).
    weights : ndarray, shape (out_channels, 3)
    x : ndarray, shape (2, 3, 75, 64)
        The batch: the photo and its mirror image.
    reference_output, student_output : ndarray or None, shape (2, out_channels, 75, 64)
    pixel_input : ndarray, shape (3,)
        ``x[0, :, row, col]``.
    pixel_result : ndarray, shape (out_channels,)
        ``weights @ pixel_input``: the reference output vector at the probe pixel.
    """

    title = "Channel mixing: a 1x1 convolution at every pixel"

    def __init__(self, conv1x1: Callable | None, out_channels: int = 2, reference: Callable | None = None) -> None:
        if not isinstance(out_channels, int) or not 1 <= out_channels <= 3:
            raise ValueError(f"ChannelMixingExplorer: out_channels must be 1, 2 or 3, got {out_channels!r}")
        super().__init__()
        import cnnkit

        widgets = ipywidgets()
        self.student = conv1x1
        self.reference = reference or (lambda x, w: cnnkit.conv2d(x, w[:, :, None, None]))
        self.x = _photos()
        self.out_channels = out_channels
        self.reference_output = self.student_output = None
        slider = dict(min=-1.0, max=1.0, step=0.05, continuous_update=False, readout_format=".2f")
        for o in range(out_channels):
            for i in range(3):
                self.controls[f"w{o}{i}"] = widgets.FloatSlider(
                    value=float(DEFAULT_WEIGHTS[o, i]), description=f"w[{o},{i}] {CHANNELS[i][0]}", **slider)
        height, width = self.x.shape[2:]
        self.controls["row"] = widgets.IntSlider(value=height // 3, min=0, max=height - 1, description="row",
                                                 continuous_update=False)
        self.controls["col"] = widgets.IntSlider(value=width // 2, min=0, max=width - 1, description="col",
                                                 continuous_update=False)
        self._assemble()

    @property
    def weights(self) -> np.ndarray:
        return np.array([[self.controls[f"w{o}{i}"].value for i in range(3)] for o in range(self.out_channels)])

    def refresh(self) -> None:
        w = self.weights
        row, col = self.controls["row"].value, self.controls["col"].value
        self.reference_output = self.reference(self.x, w)
        self.pixel_input = self.x[0, :, row, col]
        self.pixel_result = w @ self.pixel_input
        outcome = call_student(self.student, self.x, w, name="conv1x1")
        kind, message = compare_outcome(outcome, self.reference_output, name="conv1x1")
        self.student_output = np.asarray(outcome.value, dtype=float) if kind == "ok" else None
        if kind == "ok":
            values = ", ".join(f"{v:.3f}" for v in self.student_output[0, :, row, col])
            message += f"; at ({row}, {col}) your output vector is [{values}]"
        self.set_status(kind, message)
        self.image.value = figure_to_png(self._figure(w, row, col))

    def _figure(self, w, row, col):
        import matplotlib.pyplot as plt

        shown = self.student_output if self.student_output is not None else self.reference_output
        whose = "yours" if self.student_output is not None else "reference"
        figure, axes = plt.subplots(1, 1 + self.out_channels, figsize=(2.3 * (1 + self.out_channels), 2.9))
        axes[0].imshow(np.clip(self.x[0].transpose(1, 2, 0), 0, 1))
        rgb = ", ".join(f"{v:.2f}" for v in self.pixel_input)
        axes[0].set_title(f"input, x[:, {row}, {col}]\n= [{rgb}]", fontsize=8)
        for o in range(self.out_channels):
            ax = axes[o + 1]
            ax.imshow(shown[0, o], **output_colormap(shown[0, o]))
            terms = " + ".join(f"{w[o, i]:.2f}·{CHANNELS[i][0]}" for i in range(3))
            ax.set_title(f"out[{o}] ({whose})\n{terms}\n= {self.pixel_result[o]:.3f} at the probe", fontsize=8)
        for ax in axes:
            ax.plot(col, row, marker="+", color="yellow", markersize=10, markeredgewidth=2)
            ax.set_axis_off()
        return figure
