"""Figures of chapter 07: training curves, confusion matrix, learned filters, feature maps.

Every function returns the matplotlib Figure it drew, so a notebook shows it and
an explorer can turn it into a PNG.
"""

from __future__ import annotations

import numpy as np

__all__ = ["confusion_matrix", "plot_history", "plot_generalisation", "plot_confusion_matrix", "plot_filters",
           "plot_feature_maps", "plot_prediction"]


def confusion_matrix(y_true, y_pred, n_classes: int = 10) -> np.ndarray:
    """Counts ``M[t, p]`` of images of true class ``t`` predicted as ``p``, shape (K, K)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: y_true has shape {y_true.shape} but y_pred {y_pred.shape}")
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def plot_history(history):
    """Loss per mini-batch (and per epoch) beside train/test accuracy per epoch.

    Parameters
    ----------
    history : cnnkit.nn.History
    """
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    steps = np.arange(1, len(history.step_loss) + 1)
    left.plot(steps, history.step_loss, color="#9ecae1", lw=1, label="mini-batch")
    epochs = len(history.epoch_loss)
    if epochs:
        per_epoch = len(history.step_loss) / epochs
        left.plot(per_epoch * np.arange(1, epochs + 1), history.epoch_loss, "o-", color="#08519c",
                  label="epoch mean")
    left.set(xlabel="mini-batch", ylabel="cross-entropy loss", title="loss", yscale="log")
    left.legend()
    epoch_axis = np.arange(1, epochs + 1)
    right.plot(epoch_axis, history.train_accuracy, "o-", label="train")
    if history.test_accuracy:
        right.plot(epoch_axis, history.test_accuracy, "s-", label="test (held out)")
    right.axhline(0.95, color="grey", ls=":", lw=1, label="target 95%")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.01))
    right.legend(loc="lower right")
    figure.tight_layout()
    return figure


def plot_generalisation(histories: dict):
    """Training accuracy (dashed) and held-out accuracy (solid) per epoch of several runs, one colour each.

    Parameters
    ----------
    histories : dict of str to cnnkit.nn.History
        A label per run (``"no dropout"``, ``"dropout 0.5"``); each history with ``test_accuracy``.
    """
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7, 3.6))
    for (label, history), colour in zip(histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        epochs = np.arange(1, len(history.train_accuracy) + 1)
        ax.plot(epochs, history.train_accuracy, "--", color=colour, lw=1.2, label=f"{label}: training")
        ax.plot(epochs, history.test_accuracy, "-", color=colour, lw=2, label=f"{label}: held-out")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0.5, 1.01), title="training (dashed) and held-out (solid) accuracy")
    ax.legend(loc="lower right", fontsize="small", ncol=2)
    figure.tight_layout()
    return figure


def plot_confusion_matrix(y_true, y_pred, n_classes: int = 10):
    """The confusion matrix with its counts; the diagonal holds the correct answers."""
    import matplotlib.pyplot as plt

    matrix = confusion_matrix(y_true, y_pred, n_classes)
    figure, ax = plt.subplots(figsize=(4.8, 4.4))
    ax.imshow(matrix, cmap="Blues")
    for (t, p), count in np.ndenumerate(matrix):
        if count:
            ax.text(p, t, str(count), ha="center", va="center", fontsize=8,
                    color="white" if count > matrix.max() / 2 else "black")
    ax.set(xticks=range(n_classes), yticks=range(n_classes), xlabel="predicted", ylabel="true",
           title=f"confusion matrix ({np.trace(matrix)} of {matrix.sum()} right)")
    figure.tight_layout()
    return figure


def plot_filters(weights, *, title: str = "first-layer filters"):
    """Each filter of an OIHW weight array (first input channel) as a small image.

    Parameters
    ----------
    weights : ndarray, shape (F, C, kH, kW)
    """
    import matplotlib.pyplot as plt

    weights = np.asarray(weights)
    if weights.ndim != 4:
        raise ValueError(f"plot_filters: weights should be OIHW (4-D), got shape {weights.shape}")
    count = weights.shape[0]
    figure, axes = plt.subplots(1, count, figsize=(1.3 * count, 1.6), squeeze=False)
    limit = float(np.abs(weights[:, 0]).max()) or 1.0
    for index, ax in enumerate(axes[0]):
        ax.imshow(weights[index, 0], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set(xticks=[], yticks=[], title=f"filter {index}")
    figure.suptitle(title + " (red +, blue -)", y=1.05)
    return figure


def _activations(model, image):
    """The input and the output of every layer for one (1, C, H, W) image."""
    outputs = [("input", image)]
    x = image
    for layer in model:
        x = layer.forward(x)
        outputs.append((type(layer).__name__, x))
    return outputs


def _mosaic(maps: np.ndarray) -> np.ndarray:
    """Channels (C, h, w) side by side, each scaled to [0, 1], separated by a blank (NaN) column."""
    tiles = []
    for channel in maps:
        low, high = float(channel.min()), float(channel.max())
        tiles.append((channel - low) / (high - low) if high > low else np.zeros_like(channel, dtype=float))
        tiles.append(np.full((channel.shape[0], 1), np.nan))
    return np.concatenate(tiles[:-1], axis=1)


def plot_feature_maps(model, image, *, max_maps: int = 8):
    """One digit and, row by row, the feature maps after each convolution, ReLU and pooling layer.

    Each map is scaled to its own range (dark low, bright high), so the pictures show
    *where* a filter responds, not how strongly compared with the others.

    Parameters
    ----------
    model : cnnkit.nn.Sequential
    image : ndarray, shape (1, C, H, W) or (H, W)
    max_maps : int
        At most this many channels per row.
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    image = image.reshape((1, 1) + image.shape) if image.ndim == 2 else image
    rows = [(name, out) for name, out in _activations(model, image) if np.ndim(out) == 4]
    figure, axes = plt.subplots(len(rows), 1, figsize=(1.1 * max_maps, 1.15 * len(rows)), squeeze=False)
    colours = plt.get_cmap("viridis").copy()
    colours.set_bad("white")
    for ax, (name, out) in zip(axes[:, 0], rows):
        shown = min(out.shape[1], max_maps)
        picture = _mosaic(np.asarray(out[0, :shown], dtype=float))
        ax.imshow(picture, cmap="gray" if name == "input" else colours, aspect="equal",
                  extent=(0, shown * (out.shape[3] + 1) - 1, out.shape[2], 0))
        ax.set_xlim(0, max_maps * (out.shape[3] + 1) - 1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_frame_on(False)
        more = f" (first {shown} of {out.shape[1]})" if out.shape[1] > shown else ""
        ax.set_title(f"{name}: {out.shape[1]} x {out.shape[2]}x{out.shape[3]}{more}", fontsize=8, loc="left")
    figure.suptitle("feature maps of one digit, layer by layer", y=1.0)
    figure.tight_layout()
    return figure


def plot_prediction(image, probabilities, label=None):
    """The digit beside a bar chart of the ten class probabilities."""
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(6.4, 2.6), gridspec_kw={"width_ratios": [1, 2]})
    left.imshow(np.asarray(image).reshape(np.shape(image)[-2:]), cmap="gray_r")
    left.set(xticks=[], yticks=[], title="digit" + (f" (true {label})" if label is not None else ""))
    probabilities = np.asarray(probabilities).ravel()
    colours = ["#2ca02c" if k == probabilities.argmax() else "#9ecae1" for k in range(len(probabilities))]
    right.bar(range(len(probabilities)), probabilities, color=colours)
    right.set(xticks=range(len(probabilities)), ylim=(0, 1), xlabel="class", ylabel="probability",
              title=f"prediction: {int(probabilities.argmax())}")
    figure.tight_layout()
    return figure
