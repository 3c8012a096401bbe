"""Weight initialisation: He (Kaiming) for ReLU networks, Xavier (Glorot) for tanh/linear ones.

A layer's weights must start random (identical weights get identical gradients
and never become different) and at a scale that keeps the variance of the
activations roughly constant from layer to layer.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fan_in_and_fan_out", "he_normal", "xavier_uniform", "zeros"]


def fan_in_and_fan_out(shape: tuple[int, ...]) -> tuple[int, int]:
    """Number of inputs and outputs each weight connects, as PyTorch counts them.

    Parameters
    ----------
    shape : tuple of int
        ``(out_features, in_features)`` for a dense layer, ``(F, C, kH, kW)`` (OIHW)
        for a convolution.

    Returns
    -------
    fan_in, fan_out : int
        ``C * kH * kW`` and ``F * kH * kW`` for a convolution.
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) < 2:
        raise ValueError(f"fan_in_and_fan_out: shape needs at least 2 dimensions, got {shape}")
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def _generator(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


def he_normal(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """Normal weights with standard deviation ``sqrt(2 / fan_in)`` (He et al., 2015).

    Parameters
    ----------
    shape : tuple of int
        Weight shape, see :func:`fan_in_and_fan_out`.
    rng : numpy.random.Generator or int or None
    dtype : numpy dtype

    Notes
    -----
    A ReLU zeroes half of its inputs on average, halving the second moment;
    the factor 2 in :math:`\\mathrm{Var}(w) = 2 / \\mathrm{fan\\_in}` makes up for it.
    """
    fan_in, _ = fan_in_and_fan_out(shape)
    std = np.sqrt(2.0 / fan_in)
    return (_generator(rng).standard_normal(shape) * std).astype(dtype)


def xavier_uniform(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """Uniform weights on ``[-a, a]`` with ``a = sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio, 2010).

    Notes
    -----
    The variance of U(-a, a) is :math:`a^2 / 3 = 2 / (\\mathrm{fan\\_in} + \\mathrm{fan\\_out})`,
    a compromise that keeps both forward activations and backward gradients at scale.
    """
    fan_in, fan_out = fan_in_and_fan_out(shape)
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return _generator(rng).uniform(-bound, bound, size=shape).astype(dtype)


def zeros(shape, dtype=np.float32) -> np.ndarray:
    """Zeros, the usual start for biases."""
    return np.zeros(shape, dtype=dtype)
