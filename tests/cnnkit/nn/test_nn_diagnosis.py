"""cnnkit.nn.diagnosis: does a wrong training step or a wrong piece of the network get named?"""

import numpy as np
import pytest

import cnnkit.nn as nn
from cnnkit.mistakes import lenet as known
from cnnkit.nn.diagnosis import check_train_step, why_training_failed


@pytest.fixture(scope="module")
def digits():
    return nn.load_digits_nchw(seed=0)


def _batches(digits, count=3):
    return [(digits.x_train[i:i + 16].astype(np.float64), digits.y_train[i:i + 16]) for i in range(0, 16 * count, 16)]


def _doubled_loss(logits, labels):
    loss, dlogits = nn.softmax_cross_entropy(2 * logits, labels)
    return loss, 2 * dlogits


def _step(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss, dlogits = loss_fn(model.forward(xb), yb)
    model.backward(dlogits)
    optimizer.step()
    return float(loss)


def test_a_correct_step_passes(digits):
    """Do a correct step and one written another way (zeroing each parameter) pass?"""
    check_train_step(_step, _batches(digits), mistakes=known.TRAIN_STEP, loss_fn=_doubled_loss)

    def zero_each(model, loss_fn, optimizer, xb, yb):
        for p in model.parameters():
            p.grad[...] = 0
        loss, dlogits = loss_fn(model.forward(xb), yb)
        model.backward(dlogits)
        optimizer.step()
        return np.float32(loss)

    check_train_step(zero_each, _batches(digits), mistakes=known.TRAIN_STEP)


@pytest.mark.parametrize("description", sorted(known.TRAIN_STEP))
def test_every_known_mistake_is_named(digits, description):
    """Is each known wrong step caught, and named, within three steps (with a loss other than cnnkit's)?"""
    with pytest.raises(AssertionError) as failure:
        check_train_step(known.TRAIN_STEP[description], _batches(digits), mistakes=known.TRAIN_STEP,
                         loss_fn=_doubled_loss)
    assert f"your output equals what you get when {description}" in str(failure.value)


def test_never_zeroing_shows_only_from_the_second_step(digits):
    """One step cannot see gradients that are never zeroed; the second step does."""
    never = known.TRAIN_STEP["the gradients are never zeroed, so each step adds the new gradients to all the old ones"]
    check_train_step(never, _batches(digits, 1))
    with pytest.raises(AssertionError, match="after step 2 of 2"):
        check_train_step(never, _batches(digits, 2))


def test_a_step_that_returns_nothing_or_raises_is_reported(digits):
    """None instead of the loss, and an exception, get one plain line each."""
    def silent(model, loss_fn, optimizer, xb, yb):
        _step(model, loss_fn, optimizer, xb, yb)

    with pytest.raises(AssertionError, match="should return the loss of the batch as a float, got NoneType"):
        check_train_step(silent, _batches(digits, 1))

    def broken(model, loss_fn, optimizer, xb, yb):
        raise KeyError("logits")

    with pytest.raises(AssertionError, match="your train_step at step 1 raised KeyError"):
        check_train_step(broken, _batches(digits, 1))


class _DoutMaskReLU(nn.ReLU):
    def backward(self, dout):
        return np.where(dout > 0, dout, 0)


def _network(relu=nn.ReLU):
    def build():
        model = nn.lenet_digits(seed=2)
        model.layers[1] = relu()
        return model
    return build


def test_why_training_failed_names_the_first_culprit(digits):
    """A wrong layer first, else a wrong loss, else a wrong step, else 'run it again'."""
    images, labels = digits.x_train[:64], digits.y_train[:64]
    why = why_training_failed(_network(_DoutMaskReLU), nn.softmax_cross_entropy, _step, images, labels)
    assert why.startswith("layer 1: _DoutMaskReLU does not match cnnkit's") and "masks with dout > 0" in why
    unshifted = known.SOFTMAX_CROSS_ENTROPY[
        "the row maximum is not subtracted before np.exp (exp of a score near 1000 overflows to inf)"]
    why = why_training_failed(_network(), unshifted, _step, images, labels)
    assert "the row maximum is not subtracted" in why
    never = known.TRAIN_STEP["the gradients are never zeroed, so each step adds the new gradients to all the old ones"]
    why = why_training_failed(_network(), nn.softmax_cross_entropy, never, images, labels)
    assert "the gradients are never zeroed" in why
    why = why_training_failed(_network(), nn.softmax_cross_entropy, _step, images, labels)
    assert why.startswith("every layer, the loss and train_step match cnnkit's")
