"""Softmax and the softmax cross-entropy loss with its gradient."""

from __future__ import annotations

import numpy as np

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy", "SoftmaxCrossEntropy"]


def _check_logits_labels(logits, labels):
    logits = np.asarray(logits)
    if logits.dtype.kind != "f":
        logits = logits.astype(np.float64)
    if logits.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits should have shape (N, K), got {logits.shape}")
    labels = np.asarray(labels)
    if labels.shape != (logits.shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"softmax_cross_entropy: labels should be {logits.shape[0]} integers (one per row of "
            f"logits), got shape {labels.shape} of dtype {labels.dtype}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ValueError(f"softmax_cross_entropy: labels must lie in 0..{logits.shape[1] - 1}, "
                         f"got values from {labels.min()} to {labels.max()}")
    return logits, labels


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log softmax`` along the last axis, computed after subtracting each row's maximum.

    Notes
    -----
    .. math:: \\log p_k = (z_k - m) - \\log \\sum_j e^{z_j - m}, \\qquad m = \\max_j z_j

    Subtracting ``m`` changes nothing mathematically and keeps ``exp`` from overflowing.
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities ``exp(z_k) / sum_j exp(z_j)`` along the last axis (max-shifted)."""
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax probabilities, and its gradient with respect to the logits.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
        Raw class scores (the last Linear layer's output).
    labels : ndarray of int, shape (N,)
        The true class of each row, in ``0 .. K-1``.

    Returns
    -------
    loss : float
        :math:`L = -\\frac{1}{N} \\sum_n \\log p_{n, y_n}` (as ``torch.nn.functional.cross_entropy``).
    dlogits : ndarray, shape (N, K), dtype of ``logits``
        :math:`\\partial L / \\partial z_{n,k} = (p_{n,k} - [k = y_n]) / N`.
    """
    logits, labels = _check_logits_labels(logits, labels)
    n = logits.shape[0]
    log_probs = log_softmax(logits)
    rows = np.arange(n)
    loss = float(-log_probs[rows, labels].mean())
    dlogits = np.exp(log_probs)
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits.astype(logits.dtype, copy=False)


class SoftmaxCrossEntropy:
    """The loss as an object: ``loss = criterion(logits, labels)``, then ``criterion.backward()``."""

    def __init__(self) -> None:
        self.dlogits = None

    def __call__(self, logits, labels) -> float:
        loss, self.dlogits = softmax_cross_entropy(logits, labels)
        return loss

    def backward(self) -> np.ndarray:
        """Gradient of the last loss with respect to its logits, shape (N, K)."""
        if self.dlogits is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward called before the loss was computed")
        return self.dlogits
