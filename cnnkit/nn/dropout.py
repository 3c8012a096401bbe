"""Dropout: a layer that behaves differently while training and while evaluating."""

from __future__ import annotations

import numbers

import numpy as np

from .layers import Layer

__all__ = ["Dropout"]


def _check_probability(p) -> float:
    """``p`` as a float in [0, 1], or a clear error naming it."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise TypeError(f"Dropout: p must be a number in [0, 1] (the probability of dropping a unit), "
                        f"got {p!r} of type {type(p).__name__}")
    if not 0 <= p <= 1:  # also rejects nan
        raise ValueError(f"Dropout: p must lie in [0, 1] (the probability of dropping a unit), got {p}")
    return float(p)


class Dropout(Layer):
    """Inverted dropout, as ``torch.nn.Dropout``: zero each unit with probability ``p`` while training.

    In training mode every entry of ``x`` is kept with probability ``1 - p`` and then scaled
    by ``1 / (1 - p)``, so that each output has the expected value of its input; in
    evaluation mode (after ``eval()``) the layer is the identity and nothing needs rescaling
    at test time.

    Parameters
    ----------
    p : float in [0, 1]
        Probability of dropping a unit. ``p = 0`` keeps everything; ``p = 1`` drops
        everything (the output and the gradient are zeros, as in PyTorch).
    rng : numpy.random.Generator or int, optional
        Source of the masks; an int seeds a new generator, so the same seed gives the same
        sequence of masks.

    Attributes
    ----------
    mask : ndarray, shape of the last training input, or None
        The last training forward's scaled mask ``keep / (1 - p)`` (entries 0 or 1/(1-p)),
        which :meth:`backward` multiplies the gradient by; None after an evaluation forward.

    Notes
    -----
    With :math:`m_i \\sim \\mathrm{Bernoulli}(1 - p)` drawn anew at every forward,

    .. math:: y_i = \\frac{m_i\\, x_i}{1 - p}, \\qquad
              \\frac{\\partial L}{\\partial x_i} = \\frac{m_i}{1 - p}\\,\\frac{\\partial L}{\\partial y_i},
              \\qquad \\mathbb{E}[y_i] = x_i.

    Examples
    --------
    >>> drop = Dropout(0.5, rng=0)
    >>> out = drop.forward(np.ones((2, 4)))          # entries 0 or 2
    >>> sorted(set(out.ravel().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    >>> drop.eval().forward(np.ones((2, 4))).tolist()
    [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
    """

    def __init__(self, p: float = 0.5, *, rng=None) -> None:
        self.p = _check_probability(p)
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.mask = None
        self._ran = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : any shape -> same shape (and dtype; integers become float64)."""
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
        self._ran = True
        if not self.training:
            self.mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1 else 1.0 / (1.0 - self.p)
        self.mask = (keep * scale).astype(x.dtype)
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout : shape of x -> dx = dout * mask (the same mask as the forward), dout itself in eval mode."""
        self._check_forward_ran("_ran")
        if self.mask is None:
            return dout
        if np.shape(dout) != self.mask.shape:
            raise ValueError(f"Dropout.backward: dout has shape {np.shape(dout)} but the forward input "
                             f"had shape {self.mask.shape}")
        return dout * self.mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
