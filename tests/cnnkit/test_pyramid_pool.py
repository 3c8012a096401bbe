"""spatial_pyramid_pool: by hand, the SPP windows, PyTorch's pooling level by level, errors."""

import math

import numpy as np
import pytest

from cnnkit.pyramid_pool import spatial_pyramid_pool


def test_spatial_pyramid_pool_by_hand():
    """4x4 map, levels (1, 2): the overall max, then the four 2x2 maxima, in a row."""
    x = np.arange(16.).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(spatial_pyramid_pool(x, levels=(1, 2)),
                                  [[15., 5., 7., 13., 15.]])
    np.testing.assert_array_equal(spatial_pyramid_pool(x, levels=(2,), mode="avg"),
                                  [[2.5, 4.5, 10.5, 12.5]])


def test_spatial_pyramid_pool_windows_when_level_does_not_divide():
    """7 rows, level 4: windows of ceil(7/4) = 2 rows at stride floor(7/4) = 1, the first 4."""
    x = np.zeros((1, 1, 7, 7))
    x[0, 0, 4, 4] = 1.0  # inside the last window (rows 3-4)
    x[0, 0, 6, 6] = 9.0  # beyond every window: rows 5 and 6 are left out
    grid = spatial_pyramid_pool(x, levels=(4,)).reshape(4, 4)
    expected = np.zeros((4, 4))
    expected[3, 3] = 1.0
    np.testing.assert_array_equal(grid, expected)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_spatial_pyramid_pool_matches_pytorch(torch, assert_matches, rng, mode):
    """Each level is PyTorch pooling with kernel ceil(in/l), stride floor(in/l), flattened."""
    functional = torch.nn.functional
    pool = functional.max_pool2d if mode == "max" else functional.avg_pool2d
    levels = (1, 2, 3, 4)
    for h, w in [(13, 13), (7, 9), (16, 8), (5, 4)]:
        x = rng.standard_normal((2, 3, h, w)).astype(np.float32)
        xt = torch.tensor(x)
        expected = torch.cat([
            pool(xt, (math.ceil(h / l), math.ceil(w / l)), (h // l, w // l))[:, :, :l, :l]
            .flatten(1) for l in levels], dim=1).numpy()
        out = spatial_pyramid_pool(x, levels, mode)
        assert out.shape == (2, 3 * sum(l * l for l in levels)) and out.dtype == np.float32
        assert_matches(out, expected, np.float32)
        if h % 4 == 0 and w % 4 == 0 and mode == "max":  # then SPP is adaptive pooling
            adaptive = functional.adaptive_max_pool2d(xt, 4).flatten(1).numpy()
            assert_matches(out[:, -3 * 16:], adaptive, np.float32)


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("call, error, message", [
    (lambda: spatial_pyramid_pool(X, levels=()), TypeError, r"levels must be a non-empty"),
    (lambda: spatial_pyramid_pool(X, levels=3), TypeError, r"levels must be a sequence of ints"),
    (lambda: spatial_pyramid_pool(X, levels=(1, 2.0)), TypeError, r"levels must be a non-empty"),
    (lambda: spatial_pyramid_pool(X, levels=(0, 1)), ValueError, r"every level must be positive"),
    (lambda: spatial_pyramid_pool(X, levels=(1, 5)), ValueError,
     r"level 5 needs an input of at least 5 x 5, got height x width = 4 x 4"),
    (lambda: spatial_pyramid_pool(X, mode="sum"), ValueError,
     r"spatial_pyramid_pool: mode must be one of 'max', 'avg', got 'sum'"),
])
def test_bad_arguments(call, error, message):
    """Bad input raises an error naming the function, the argument and what was given."""
    with pytest.raises(error, match=message):
        call()
