"""Known mistakes of chapter 07 (the LeNet capstone), for the hidden tests' diagnosis.

Each dict maps a description (completing "your output equals what you get when ...")
to a wrong version, standing for a wrong entry of ``tests/banks/07_lenet.py``
(``tests/cnnkit/test_mistakes_lenet.py`` proves they agree):

- :data:`RELU`, :data:`LINEAR`, :data:`CONV2D_LAYER`: layer classes, subclasses of
  cnnkit's ``nn.ReLU``, ``nn.Linear``, ``nn.Conv2d`` with a wrong ``forward`` or
  ``backward``; :func:`cnnkit.nn.checking.check_layer` runs them beside the learner's
  layer (``mistakes=``), and :data:`LAYERS` maps each reference class to its dict;
- :data:`SOFTMAX_CROSS_ENTROPY`: functions ``(logits, labels) -> (loss, dlogits)``;
- :data:`COUNT_PARAMS`: functions ``(model) -> int``;
- :data:`TRAIN_STEP`: functions ``(model, loss_fn, optimizer, xb, yb) -> loss`` that
  update the model as the wrong step does (see :func:`cnnkit.nn.checking.check_train_step`).
"""

from __future__ import annotations

import numpy as np

from cnnkit.nn import layers as _layers
from cnnkit.nn.losses import softmax_cross_entropy as _reference_loss

__all__ = ["RELU", "LINEAR", "CONV2D_LAYER", "LAYERS", "SOFTMAX_CROSS_ENTROPY", "COUNT_PARAMS",
           "TRAIN_STEP"]


# ---------------------------------------------------------------- ReLU
class _ReLUPassesEverything(_layers.ReLU):
    def backward(self, dout):
        return dout


class _ReLUMaskFromDout(_layers.ReLU):
    def backward(self, dout):
        return np.where(dout > 0, dout, 0)


class _ReLUTimesOutput(_layers.ReLU):
    def forward(self, x):
        self.out = np.maximum(x, 0)
        return self.out

    def backward(self, dout):
        return dout * self.out


class _ReLUPassesAtZero(_layers.ReLU):
    def backward(self, dout):
        return np.where(self.mask | (self.x_at_zero), dout, 0)

    def forward(self, x):
        self.x_at_zero = x == 0
        return super().forward(x)


class _ReLUAbs(_layers.ReLU):
    def forward(self, x):
        self.mask = x > 0
        return np.abs(x)


#: Known wrong versions of the ReLU layer (classes, as ``nn.ReLU``).
RELU = {
    "backward returns dout unchanged (it must block the gradient where x <= 0)": _ReLUPassesEverything,
    "backward masks with dout > 0 instead of with the forward input x > 0": _ReLUMaskFromDout,
    "backward multiplies dout by the output max(x, 0) instead of by the mask x > 0": _ReLUTimesOutput,
    "backward lets the gradient through where x == 0 (test x > 0, not x >= 0)": _ReLUPassesAtZero,
    "forward returns |x| instead of max(x, 0)": _ReLUAbs,
}


# ---------------------------------------------------------------- Linear
class _LinearWeightGradTransposed(_layers.Linear):
    def backward(self, dout):
        self.weight.grad += (self.x.T @ dout).reshape(self.weight.value.shape)
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.value


class _LinearOverwrites(_layers.Linear):
    def backward(self, dout):
        self.weight.grad = dout.T @ self.x
        self.bias.grad = dout.sum(axis=0)
        return dout @ self.weight.value


class _LinearBiasGradMean(_layers.Linear):
    def backward(self, dout):
        self.weight.grad += dout.T @ self.x
        self.bias.grad += dout.mean(axis=0)
        return dout @ self.weight.value


class _LinearWithoutBias(_layers.Linear):
    def forward(self, x):
        self.x = x
        return x @ self.weight.value.T


class _LinearDxTransposed(_layers.Linear):
    def backward(self, dout):
        self.weight.grad += dout.T @ self.x
        self.bias.grad += dout.sum(axis=0)
        return dout @ self.weight.value.T


#: Known wrong versions of the Linear layer (classes, as ``nn.Linear``).
LINEAR = {
    "weight.grad is x.T @ dout reshaped to W's shape instead of dout.T @ x": _LinearWeightGradTransposed,
    "the gradients are overwritten (=) instead of accumulated (+=)": _LinearOverwrites,
    "bias.grad is the mean of dout over the batch instead of its sum": _LinearBiasGradMean,
    "forward leaves out the bias": _LinearWithoutBias,
    "dx is dout @ W.T instead of dout @ W": _LinearDxTransposed,
}


# ---------------------------------------------------------------- Conv2d
class _ConvLayer(_layers.Conv2d):
    """nn.Conv2d whose backward can be given wrong arguments or a wrong bookkeeping."""

    def _grads(self, dout, *, keywords=True, swap=False):
        first, second = (self.x, dout) if swap else (dout, self.x)
        if keywords:
            return self.backward_fn(first, second, self.weight.value, stride=self.stride, padding=self.padding)
        return self.backward_fn(first, second, self.weight.value)


class _ConvOverwrites(_ConvLayer):
    def backward(self, dout):
        dx, self.weight.grad, self.bias.grad = self._grads(dout)
        return dx


class _ConvBackwardDropsStridePadding(_ConvLayer):
    def backward(self, dout):
        dx, dw, db = self._grads(dout, keywords=False)
        self.weight.grad += dw
        self.bias.grad += db
        return dx


class _ConvReturnsDw(_ConvLayer):
    def backward(self, dout):
        _, dw, db = self._grads(dout)
        self.weight.grad += dw
        self.bias.grad += db
        return dw


class _ConvWithoutBias(_ConvLayer):
    def forward(self, x):
        self.x = x
        return self.forward_fn(x, self.weight.value, None, stride=self.stride, padding=self.padding)


class _ConvSwapsDoutAndX(_ConvLayer):
    def backward(self, dout):
        dx, dw, db = self._grads(dout, swap=True)
        self.weight.grad += dw
        self.bias.grad += db
        return dx


#: Known wrong versions of the Conv2d layer (classes, as ``nn.Conv2d``).
CONV2D_LAYER = {
    "the gradients are overwritten (=) instead of accumulated (+=)": _ConvOverwrites,
    "backward calls backward_fn without the layer's stride and padding": _ConvBackwardDropsStridePadding,
    "backward returns dw instead of dx": _ConvReturnsDw,
    "forward passes no bias to forward_fn": _ConvWithoutBias,
    "backward passes (x, dout) to backward_fn instead of (dout, x)": _ConvSwapsDoutAndX,
}

#: The reference layer class -> the known mistakes of the learner's layer of that kind.
LAYERS = {_layers.ReLU: RELU, _layers.Linear: LINEAR, _layers.Conv2d: CONV2D_LAYER}


# ---------------------------------------------------------------- softmax cross-entropy
def _softmax_loss(logits, labels, *, shift=True, axis=1, log=True, reduce=np.mean, pick="rows",
                  one_hot=True, divide=True, dtype=None, cast=False):
    """Softmax cross-entropy with one ingredient changed: ``(loss, dlogits)``."""
    logits = np.asarray(logits)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=axis, keepdims=True) if shift else logits
    exps = np.exp(shifted)
    probs = exps / exps.sum(axis=axis, keepdims=True)
    rows = np.arange(n) if pick == "rows" else slice(None)
    picked = probs[rows, labels]
    loss = float(-reduce(np.log(picked) if log else picked))
    dlogits = np.zeros_like(logits) if dtype == "logits" else np.zeros(logits.shape)
    dlogits[...] = probs
    if one_hot:
        dlogits[rows, labels] -= 1
    dlogits = dlogits / n if divide else dlogits
    return loss, dlogits.astype(logits.dtype) if cast else dlogits


def _with(**changes):
    return lambda logits, labels: _softmax_loss(logits, labels, **changes)


#: Known wrong versions of ``softmax_cross_entropy(logits, labels) -> (loss, dlogits)``.
SOFTMAX_CROSS_ENTROPY = {
    "the row maximum is not subtracted before np.exp (exp of a score near 1000 overflows to inf)":
        _with(shift=False),
    "softmax normalises each column (axis=0) instead of each row (axis=1)": _with(axis=0),
    "dlogits is not divided by the batch size N": _with(divide=False),
    "dlogits is p / N, without subtracting the one-hot label": _with(one_hot=False),
    "the loss is summed over the batch instead of averaged": _with(reduce=np.sum),
    "probs[:, labels] takes every label for every row (use probs[np.arange(N), labels])": _with(pick="all"),
    "the loss is -p[y] instead of -log p[y]": _with(log=False),
    "dlogits takes the integer dtype of the logits (np.zeros_like(logits)), so the probabilities are truncated":
        _with(dtype="logits"),
    "dlogits is cast to the integer dtype of the logits (.astype(logits.dtype)), which truncates it to 0":
        _with(cast=True),
}


# ---------------------------------------------------------------- count_params
#: Known wrong versions of ``count_params(model) -> int``.
COUNT_PARAMS = {
    "the biases are left out (only arrays with 2 or more axes counted)":
        lambda model: sum(p.value.size for p in model.parameters() if p.value.ndim > 1),
    "it counts parameter arrays instead of their entries": lambda model: len(model.parameters()),
    "it adds len(p.value) (the first axis) instead of p.value.size":
        lambda model: sum(len(p.value) for p in model.parameters()),
    "it counts layers instead of numbers": lambda model: len(model.layers),
}


# ---------------------------------------------------------------- train_step
def _never_zeroes(model, loss_fn, optimizer, xb, yb):
    loss, dlogits = loss_fn(model.forward(xb), yb)
    model.backward(dlogits)
    optimizer.step()
    return float(loss)


def _steps_before_backward(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss, dlogits = loss_fn(model.forward(xb), yb)
    optimizer.step()
    model.backward(dlogits)
    return float(loss)


def _backward_of_logits(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    logits = model.forward(xb)
    loss, _ = loss_fn(logits, yb)
    model.backward(logits / len(yb))
    optimizer.step()
    return float(loss)


def _ignores_loss_fn(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss, dlogits = _reference_loss(model.forward(xb), yb)
    model.backward(dlogits)
    optimizer.step()
    return float(loss)


#: Known wrong versions of ``train_step(model, loss_fn, optimizer, xb, yb) -> loss``.
TRAIN_STEP = {
    "the gradients are never zeroed, so each step adds the new gradients to all the old ones": _never_zeroes,
    "optimizer.step() runs while the gradients are zero (after zero_grad() and before model.backward() "
    "fills them), so the weights never move": _steps_before_backward,
    "model.backward() gets the logits instead of dlogits": _backward_of_logits,
    "the loss is computed with cnnkit's softmax_cross_entropy instead of the loss_fn argument":
        _ignores_loss_fn,
}
