"""Do He and Xavier initialisation have the variances their formulas promise?"""

import numpy as np
import pytest

import cnnkit.nn as nn
from cnnkit.nn import init


def test_fans_follow_pytorch():
    assert init.fan_in_and_fan_out((16, 8, 3, 3)) == (72, 144)
    assert init.fan_in_and_fan_out((10, 64)) == (64, 10)
    with pytest.raises(ValueError, match="at least 2"):
        init.fan_in_and_fan_out((5,))


def test_he_normal_std():
    """std(w) = sqrt(2 / fan_in) within 2% on 200k samples (sampling error ~0.2%)."""
    weights = init.he_normal((500, 50, 2, 2), rng=0, dtype=np.float64)
    assert weights.std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)
    assert abs(weights.mean()) < 0.1 * weights.std()


def test_xavier_uniform_bound_and_std():
    weights = init.xavier_uniform((300, 700), rng=0, dtype=np.float64)
    bound = np.sqrt(6 / 1000)
    assert np.abs(weights).max() <= bound
    assert weights.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)


def test_same_seed_same_network_different_seed_different():
    first, again, other = nn.lenet_digits(seed=3), nn.lenet_digits(seed=3), nn.lenet_digits(seed=4)
    for a, b, c in zip(first.parameters(), again.parameters(), other.parameters()):
        np.testing.assert_array_equal(a.value, b.value)
    assert not np.array_equal(first[0].weight.value, other[0].weight.value)


def test_he_keeps_relu_activations_at_scale():
    """Through 10 He-initialised Linear+ReLU layers the mean square activation stays within 2x of the input's."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2000, 256))
    start = np.mean(x ** 2)
    for _ in range(10):
        x = nn.ReLU().forward(nn.Linear(256, 256, rng=rng, dtype=np.float64).forward(x))
    assert 0.5 < np.mean(x ** 2) / start < 2


def test_bad_rng_is_refused():
    with pytest.raises(TypeError, match="rng"):
        init.he_normal((2, 2), rng="seed")
