"""Is softmax cross-entropy torch's cross_entropy, with the right gradient and stable for large logits?"""

import numpy as np
import pytest

import cnnkit
import cnnkit.nn as nn


def test_matches_torch_cross_entropy(torch, rng):
    """Loss and dlogits equal torch.nn.functional.cross_entropy (mean over the batch) and its grad."""
    logits = rng.standard_normal((6, 10)) * 3
    labels = rng.integers(0, 10, size=6)
    loss, dlogits = nn.softmax_cross_entropy(logits, labels)
    tl = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(tl, torch.tensor(labels))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dlogits, tl.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_gradient_matches_centered_differences(rng):
    """dlogits agrees with numerical_gradient of the loss (rel error ~1e-9 in float64)."""
    logits = rng.standard_normal((4, 5))
    labels = np.array([0, 4, 2, 2])
    _, dlogits = nn.softmax_cross_entropy(logits, labels)
    numeric = cnnkit.numerical_gradient(lambda z: np.array(nn.softmax_cross_entropy(z, labels)[0]),
                                        logits, np.array(1.0))
    assert cnnkit.rel_error(dlogits, numeric) < 1e-7


def test_large_logits_stay_finite():
    """Logits of 1000 would overflow exp without subtracting the row maximum."""
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]])
    with np.errstate(over="raise", invalid="raise"):
        loss, dlogits = nn.softmax_cross_entropy(logits, np.array([0, 2]))
    assert np.isfinite(loss) and np.isfinite(dlogits).all()
    assert loss == pytest.approx((0.0 + (1.0 + np.log1p(np.exp(-1.0)))) / 2)
    np.testing.assert_allclose(nn.softmax(logits).sum(axis=1), 1.0)


def test_float32_logits_give_float32_gradient(rng):
    logits = rng.standard_normal((3, 4)).astype(np.float32)
    _, dlogits = nn.softmax_cross_entropy(logits, np.array([1, 2, 3]))
    assert dlogits.dtype == np.float32


@pytest.mark.parametrize("labels, match", [
    (np.array([0, 1]), "3 integers"),
    (np.array([0.0, 1.0, 2.0]), "integers"),
    (np.array([0, 1, 5]), "0..3"),
])
def test_bad_labels_are_refused(labels, match):
    with pytest.raises(ValueError, match=match):
        nn.softmax_cross_entropy(np.zeros((3, 4)), labels)


def test_loss_object_remembers_gradient(rng):
    criterion = nn.SoftmaxCrossEntropy()
    with pytest.raises(RuntimeError):
        criterion.backward()
    logits = rng.standard_normal((2, 3))
    loss = criterion(logits, np.array([0, 1]))
    expected_loss, expected_grad = nn.softmax_cross_entropy(logits, np.array([0, 1]))
    assert loss == expected_loss
    np.testing.assert_array_equal(criterion.backward(), expected_grad)
