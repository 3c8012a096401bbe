"""Layers with a forward and a backward pass, in the style of micrograd and CS231n.

Each layer's ``forward(x)`` remembers what its ``backward`` needs; ``backward(dout)``
takes the gradient of the loss with respect to the layer's output and returns the
gradient with respect to its input, *adding* the gradients of its parameters to
``parameter.grad`` (so two backward passes accumulate, as in PyTorch, until the
optimiser's ``zero_grad``).

The convolution and pooling layers compute with cnnkit's ops by default; pass
``forward_fn=`` / ``backward_fn=`` to run your own functions instead (same
arguments as cnnkit's).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import init

__all__ = ["Parameter", "Layer", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "Flatten", "Linear"]


class Parameter:
    """A trainable array and the gradient accumulated for it.

    Attributes
    ----------
    value : ndarray
        The weights themselves (updated in place by the optimisers).
    grad : ndarray, shape of ``value``
        Sum of the gradients of every backward pass since the last :meth:`zero_grad`.
    name : str
        ``"weight"`` or ``"bias"``, used in messages.
    """

    def __init__(self, value: np.ndarray, name: str = "param") -> None:
        self.value = np.asarray(value)
        self.grad = np.zeros_like(self.value)
        self.name = name

    def zero_grad(self) -> None:
        """Set the accumulated gradient back to zero."""
        self.grad[...] = 0

    def __repr__(self) -> str:
        return f"Parameter({self.name}, shape={self.value.shape}, dtype={self.value.dtype})"


class Layer:
    """Base class: a layer without parameters whose forward and backward are still to write.

    Attributes
    ----------
    training : bool
        True (the default) while training, False after :meth:`eval`; only layers that behave
        differently in the two modes (:class:`~cnnkit.nn.Dropout`) read it.
    """

    training = True

    def train(self, mode: bool = True) -> "Layer":
        """Switch to training mode (``mode=False``: evaluation mode), as ``torch.nn.Module.train``."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {mode!r}")
        self.training = bool(mode)
        return self

    def eval(self) -> "Layer":
        """Switch to evaluation mode (the same as ``train(False)``)."""
        return self.train(False)

    def parameters(self) -> list[Parameter]:
        """The layer's trainable parameters (empty for ReLU, pooling, flatten)."""
        return [value for value in vars(self).values() if isinstance(value, Parameter)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.forward is not written yet")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.backward is not written yet")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def _check_forward_ran(self, attribute: str) -> None:
        if getattr(self, attribute, None) is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _resolve(function: Callable | None, default_name: str) -> Callable:
    """The learner's function if given, else cnnkit's public op of that name."""
    if function is not None:
        if not callable(function):
            raise TypeError(f"{default_name} replacement must be callable, got {type(function).__name__}")
        return function
    import cnnkit

    return getattr(cnnkit, default_name)


class Conv2d(Layer):
    """A convolution layer: ``conv2d(x, weight, bias, stride, padding)``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride, padding : int or (int, int)
    rng : numpy.random.Generator or int, optional
        Source of the He-normal initial weights.
    dtype : numpy dtype
        float32 by default (fast); float64 for gradient checks.
    forward_fn, backward_fn : callable, optional
        Replacements for ``cnnkit.conv2d`` / ``cnnkit.conv2d_backward``.

    Attributes
    ----------
    weight : Parameter, shape (out_channels, in_channels, kH, kW)
    bias : Parameter, shape (out_channels,)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, *,
                 rng=None, dtype=np.float32, forward_fn: Callable | None = None,
                 backward_fn: Callable | None = None) -> None:
        kh, kw = (kernel_size, kernel_size) if np.isscalar(kernel_size) else tuple(kernel_size)
        shape = (int(out_channels), int(in_channels), int(kh), int(kw))
        self.weight = Parameter(init.he_normal(shape, rng, dtype), "weight")
        self.bias = Parameter(init.zeros((shape[0],), dtype), "bias")
        self.stride, self.padding = stride, padding
        self.forward_fn = _resolve(forward_fn, "conv2d")
        self.backward_fn = _resolve(backward_fn, "conv2d_backward")
        self.x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : (N, C, H, W) -> (N, F, OH, OW)."""
        self.x = x
        return self.forward_fn(x, self.weight.value, self.bias.value,
                               stride=self.stride, padding=self.padding)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout : (N, F, OH, OW) -> dx : (N, C, H, W); adds to weight.grad and bias.grad."""
        self._check_forward_ran("x")
        dx, dw, db = self.backward_fn(dout, self.x, self.weight.value,
                                      stride=self.stride, padding=self.padding)
        self.weight.grad += dw
        self.bias.grad += db
        return dx

    def __repr__(self) -> str:
        o, i, kh, kw = self.weight.value.shape
        return f"Conv2d({i}, {o}, kernel_size=({kh}, {kw}), stride={self.stride}, padding={self.padding})"


class _Pool2d(Layer):
    """Shared body of the pooling layers: no parameters, one op forward and one backward."""

    op_name = ""

    def __init__(self, kernel_size, stride=None, padding=0, *, forward_fn: Callable | None = None,
                 backward_fn: Callable | None = None) -> None:
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.forward_fn = _resolve(forward_fn, self.op_name)
        self.backward_fn = _resolve(backward_fn, f"{self.op_name}_backward")
        self.x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : (N, C, H, W) -> (N, C, OH, OW)."""
        self.x = x
        return self.forward_fn(x, self.kernel_size, stride=self.stride, padding=self.padding)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout : (N, C, OH, OW) -> dx : (N, C, H, W)."""
        self._check_forward_ran("x")
        return self.backward_fn(dout, self.x, self.kernel_size, stride=self.stride,
                                padding=self.padding)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding})")


class MaxPool2d(_Pool2d):
    """Max pooling (``cnnkit.max_pool2d``); the gradient goes to each window's first maximum."""

    op_name = "max_pool2d"


class AvgPool2d(_Pool2d):
    """Average pooling (``cnnkit.avg_pool2d``); the gradient is spread evenly over each window."""

    op_name = "avg_pool2d"


class ReLU(Layer):
    """``max(x, 0)`` elementwise; the gradient passes where ``x > 0`` and is 0 elsewhere."""

    def __init__(self) -> None:
        self.mask = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : any shape -> same shape."""
        self.mask = x > 0
        return np.where(self.mask, x, np.zeros((), dtype=x.dtype))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._check_forward_ran("mask")
        return np.where(self.mask, dout, np.zeros((), dtype=dout.dtype))


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W) in C order (channel, then row, then column), as ``torch.flatten(x, 1)``."""

    def __init__(self) -> None:
        self.input_shape = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self._check_forward_ran("input_shape")
        return dout.reshape(self.input_shape)


class Linear(Layer):
    """A dense layer ``y = x W^T + b`` with W shaped (out_features, in_features), as ``torch.nn.Linear``.

    Parameters
    ----------
    in_features, out_features : int
    rng : numpy.random.Generator or int, optional
    dtype : numpy dtype
    initializer : callable, optional
        ``initializer(shape, rng, dtype)``; :func:`cnnkit.nn.init.he_normal` by default,
        :func:`cnnkit.nn.init.xavier_uniform` suits a last layer followed by softmax.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial W} = dY^T X, \\quad
              \\frac{\\partial L}{\\partial b} = \\sum_n dY_n, \\quad
              \\frac{\\partial L}{\\partial X} = dY\\, W
    """

    def __init__(self, in_features: int, out_features: int, *, rng=None, dtype=np.float32,
                 initializer: Callable = init.he_normal) -> None:
        shape = (int(out_features), int(in_features))
        self.weight = Parameter(initializer(shape, rng, dtype), "weight")
        self.bias = Parameter(init.zeros((shape[0],), dtype), "bias")
        self.x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : (N, in_features) -> (N, out_features)."""
        if x.ndim != 2 or x.shape[1] != self.weight.value.shape[1]:
            raise ValueError(f"Linear: x should have shape (N, {self.weight.value.shape[1]}), "
                             f"got {x.shape} (put a Flatten before a Linear)")
        self.x = x
        return x @ self.weight.value.T + self.bias.value

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout : (N, out_features) -> dx : (N, in_features)."""
        self._check_forward_ran("x")
        self.weight.grad += dout.T @ self.x
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.value

    def __repr__(self) -> str:
        o, i = self.weight.value.shape
        return f"Linear({i}, {o})"
