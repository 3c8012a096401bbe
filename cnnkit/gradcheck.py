"""Numerical gradients by centered differences, and the relative error used to compare them."""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "rel_error"]


def numerical_gradient(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                       dout: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of ``sum(f(x) * dout)`` with respect to ``x`` by centered differences.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to an array shaped like ``dout``.
    x : ndarray, any shape
        Point at which to differentiate. It is not modified: the function
        perturbs a copy, one entry at a time.
    dout : ndarray, shape of ``f(x)``
        Upstream gradient; the result is the vector-Jacobian product ``J^T dout``.
    h : float
        Step. Use float64 inputs: in float32 the rounding error of ``f`` swamps
        any useful step.

    Returns
    -------
    ndarray, shape and dtype of ``x``

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial x_i} \\approx
              \\frac{L(x + h e_i) - L(x - h e_i)}{2h}, \\qquad L(x) = \\sum f(x) \\odot dout

    The error is O(h^2) plus rounding of order eps * |L| / h (about 1e-9 for a
    small conv layer in float64 with ``h = 1e-5``). That is large relative to a
    gradient entry close to zero, so :func:`rel_error` of a correct backward is
    usually about 1e-8 but can reach 1e-6 or 1e-5 on an unlucky draw. It costs
    ``2 * x.size`` calls of ``f``.
    """
    point = np.array(x, copy=True)
    if point.dtype.kind != "f":
        point = point.astype(np.float64)
    dout = np.asarray(dout)
    grad = np.zeros_like(point)
    flat_point = point.reshape(-1)  # a view: writing to it perturbs ``point``
    flat_grad = grad.reshape(-1)
    for index in range(flat_point.size):
        original = flat_point[index]
        flat_point[index] = original + h
        plus = np.sum(np.asarray(f(point)) * dout)
        flat_point[index] = original - h
        minus = np.sum(np.asarray(f(point)) * dout)
        flat_point[index] = original
        flat_grad[index] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b) -> float:
    """Largest elementwise relative error between two arrays of the same shape.

    Parameters
    ----------
    a, b : ndarray, same shape

    Returns
    -------
    float
        ``max(|a - b| / max(1e-8, |a| + |b|))``, CS231n's measure. Rough scale for a
        gradient check in float64: below 1e-6 the backward is right; 1e-6 to 1e-3,
        look at the entry (one close to zero, or a kink within h, explains it);
        above 1e-2 the gradient is wrong.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"rel_error: a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
