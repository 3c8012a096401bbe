"""Optimisers that update :class:`~cnnkit.nn.layers.Parameter` values in place, as ``torch.optim``."""

from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Adam"]


class _Optimizer:
    def __init__(self, parameters, lr: float) -> None:
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: lr must be positive, got {lr}")
        self.lr = float(lr)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to zero (call before each backward pass)."""
        for parameter in self.parameters:
            parameter.zero_grad()


class SGD(_Optimizer):
    """Stochastic gradient descent with optional momentum, as ``torch.optim.SGD``.

    Parameters
    ----------
    parameters : iterable of Parameter
    lr : float
    momentum : float
        0 gives plain gradient descent.

    Notes
    -----
    .. math:: v \\leftarrow \\mu v + g, \\qquad \\theta \\leftarrow \\theta - \\eta v

    with ``v = g`` at the first step (PyTorch's convention).
    """

    def __init__(self, parameters, lr: float = 0.01, momentum: float = 0.0) -> None:
        super().__init__(parameters, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.velocity = [None] * len(self.parameters)

    def step(self) -> None:
        """Move every parameter against its gradient."""
        for index, parameter in enumerate(self.parameters):
            update = parameter.grad
            if self.momentum:
                previous = self.velocity[index]
                update = update.copy() if previous is None else self.momentum * previous + update
                self.velocity[index] = update
            parameter.value -= (self.lr * update).astype(parameter.value.dtype, copy=False)


class Adam(_Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam`` without weight decay.

    Notes
    -----
    With step count ``t`` starting at 1:

    .. math:: m \\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\quad
              v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2, \\quad
              \\theta \\leftarrow \\theta - \\eta
              \\frac{m / (1 - \\beta_1^t)}{\\sqrt{v / (1 - \\beta_2^t)} + \\epsilon}

    The bias corrections undo the pull of ``m = v = 0`` towards zero in the first steps.
    """

    def __init__(self, parameters, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(parameters, lr)
        beta1, beta2 = betas
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"Adam: betas must lie in [0, 1), got {betas}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [np.zeros_like(p.value) for p in self.parameters]
        self.v = [np.zeros_like(p.value) for p in self.parameters]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        correction1 = 1 - self.beta1 ** self.t
        correction2 = 1 - self.beta2 ** self.t
        for parameter, m, v in zip(self.parameters, self.m, self.v):
            g = parameter.grad
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            denominator = np.sqrt(v / correction2) + self.eps
            parameter.value -= (self.lr / correction1 * m / denominator).astype(parameter.value.dtype,
                                                                               copy=False)
