"""Sequential: layers run one after the other, backward in reverse order."""

from __future__ import annotations

import numpy as np

from .layers import Layer, Parameter

__all__ = ["Sequential", "count_params"]


class Sequential(Layer):
    """A chain of layers: ``forward`` runs them in order, ``backward`` in reverse.

    Parameters
    ----------
    *layers : Layer
        Anything with ``forward``, ``backward`` and ``parameters`` methods.

    Examples
    --------
    >>> from cnnkit.nn import Sequential, Linear, ReLU
    >>> model = Sequential(Linear(4, 3, rng=0), ReLU(), Linear(3, 2, rng=1))
    >>> model.forward(np.ones((5, 4), dtype=np.float32)).shape
    (5, 2)
    """

    def __init__(self, *layers) -> None:
        for index, layer in enumerate(layers):
            missing = [m for m in ("forward", "backward", "parameters") if not hasattr(layer, m)]
            if missing:
                raise TypeError(f"Sequential: layer {index} ({type(layer).__name__}) has no "
                                f"{', '.join(missing)} method")
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def train(self, mode: bool = True) -> "Sequential":
        """Set the mode of the chain and of every layer in it (layers without ``train`` keep theirs)."""
        super().train(mode)
        for layer in self.layers:
            if hasattr(layer, "train"):
                layer.train(mode)
        return self

    def zero_grad(self) -> None:
        for parameter in self.parameters():
            parameter.zero_grad()

    def __getitem__(self, index):
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"


def count_params(model) -> int:
    """Number of trainable numbers (weights and biases) in ``model``.

    A convolution with F filters of shape (C, kH, kW) has ``(C kH kW + 1) F``;
    a dense layer from n to m features ``(n + 1) m``.
    """
    return int(sum(p.value.size for p in model.parameters()))
