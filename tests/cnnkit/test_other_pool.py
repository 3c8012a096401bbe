"""Lp, adaptive, global average and spatial pyramid pooling: by hand, PyTorch, loops, errors."""

import math

import numpy as np
import pytest

from cnnkit.avg_pool import avg_pool2d
from cnnkit.max_pool import max_pool2d
from cnnkit.adaptive_pool import (adaptive_avg_pool2d, adaptive_avg_pool2d_loops,
                                  adaptive_max_pool2d, adaptive_max_pool2d_loops, adaptive_windows,
                                  global_avg_pool2d)
from cnnkit.lp_pool import lp_pool2d, lp_pool2d_loops
from cnnkit.pyramid_pool import spatial_pyramid_pool

TOLERANCE = {np.float64: 1e-9, np.float32: 2e-4}
NORM_TYPES = [1, 2, 3, 0.5, 2.5, math.inf]


def assert_close(ours, theirs, dtype):
    """Equal up to the dtype's tolerance relative to the data scale; nan where theirs is nan."""
    tol = TOLERANCE[dtype]
    scale = max(1.0, float(np.nanmax(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * scale, equal_nan=True)


def test_lp_pool_by_hand():
    """A 2x2 window of 3, 4, 0, 0: sum 7 (p=1), length 5 (p=2), largest |x| 4 (p=inf)."""
    x = np.array([[3., -4.], [0., 0.]]).reshape(1, 1, 2, 2)
    assert lp_pool2d(x, 2, 2)[0, 0, 0, 0] == pytest.approx(5.0)
    assert lp_pool2d(np.abs(x), 1, 2)[0, 0, 0, 0] == pytest.approx(7.0)
    assert lp_pool2d(x, math.inf, 2)[0, 0, 0, 0] == 4.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lp_pool_matches_pytorch(torch, rng, dtype):
    """lp_pool2d equals PyTorch's for every norm_type, including nan where PyTorch has nan."""
    for trial in range(36):
        h, w = (int(v) for v in rng.integers(2, 9, size=2))
        kernel = (int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))
        stride = None if trial % 4 == 0 else tuple(int(v) for v in rng.integers(1, 4, size=2))
        ceil_mode = bool(trial % 2)
        x = rng.standard_normal((2, 3, h, w)).astype(dtype)
        if trial % 3 == 0:
            x = np.abs(x)  # nonnegative: defined for every p
        p = NORM_TYPES[trial % len(NORM_TYPES)]
        expected = torch.nn.functional.lp_pool2d(torch.tensor(x), p, kernel, stride,
                                                 ceil_mode).numpy()
        out = lp_pool2d(x, p, kernel, stride, ceil_mode)
        assert out.dtype == dtype
        assert_close(out, expected, dtype)
        assert_close(lp_pool2d_loops(x, p, kernel, stride, ceil_mode), expected, dtype)


def test_adaptive_windows_by_hand():
    """5 cells into 3 windows: [0, 2), [1, 4), [3, 5) -- they overlap and cover everything."""
    starts, ends = adaptive_windows(5, 3)
    np.testing.assert_array_equal(starts, [0, 1, 3])
    np.testing.assert_array_equal(ends, [2, 4, 5])
    x = np.arange(5.).reshape(1, 1, 1, 5)
    np.testing.assert_allclose(adaptive_avg_pool2d(x, (1, 3))[0, 0, 0], [0.5, 2., 3.5])
    np.testing.assert_array_equal(adaptive_max_pool2d(x, (1, 3))[0, 0, 0], [1., 3., 4.])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adaptive_matches_pytorch(torch, rng, dtype):
    """Adaptive average and max pooling equal PyTorch's, also for outputs larger than inputs."""
    functional = torch.nn.functional
    for trial in range(30):
        h, w = (int(v) for v in rng.integers(1, 12, size=2))
        output_size = (int(rng.integers(1, 9)), int(rng.integers(1, 9)))
        if trial % 5 == 0:
            output_size = (output_size[0], None)
        x = rng.standard_normal((2, 3, h, w)).astype(dtype)
        xt = torch.tensor(x)
        for ours, loops, theirs in (
                (adaptive_avg_pool2d, adaptive_avg_pool2d_loops, functional.adaptive_avg_pool2d),
                (adaptive_max_pool2d, adaptive_max_pool2d_loops, functional.adaptive_max_pool2d)):
            expected = theirs(xt, output_size).numpy()
            out = ours(x, output_size)
            assert out.dtype == dtype
            assert_close(out, expected, dtype)
            assert_close(loops(x, output_size), expected, dtype)


@pytest.mark.parametrize("in_size, output_size", [
    ((13, 13), 6),        # evenly spaced windows: length 3, stride 2
    ((14, 9), (7, 3)),    # sizes divide
    ((7, 7), 1),          # global
    ((7, 5), (1, 2)),
    ((10, 7), (4, 3)),    # uneven windows on both axes
    ((3, 2), (5, 4)),     # output larger than input: windows repeat cells
])
def test_adaptive_matches_pytorch_on_typical_sizes(torch, rng, in_size, output_size):
    """AlexNet's 13 -> 6, VGG-like, global, uneven and growing outputs, as PyTorch."""
    x = rng.standard_normal((2, 3, *in_size))
    functional = torch.nn.functional
    assert_close(adaptive_avg_pool2d(x, output_size),
                 functional.adaptive_avg_pool2d(torch.tensor(x), output_size).numpy(), np.float64)
    np.testing.assert_array_equal(
        adaptive_max_pool2d(x, output_size),
        functional.adaptive_max_pool2d(torch.tensor(x), output_size).numpy())


def test_adaptive_is_plain_pooling_when_sizes_divide(rng):
    """Output 4x3 from 12x9: windows 3x3 at stride 3, i.e. avg_pool2d / max_pool2d with k=3."""
    x = rng.standard_normal((2, 2, 12, 9))
    np.testing.assert_allclose(adaptive_avg_pool2d(x, (4, 3)), avg_pool2d(x, 3), rtol=1e-12)
    np.testing.assert_array_equal(adaptive_max_pool2d(x, (4, 3)), max_pool2d(x, 3))


def test_global_avg_pool(torch, rng):
    """One mean per feature map, shape (N, C, 1, 1), as adaptive pooling to 1x1."""
    x = rng.standard_normal((3, 4, 5, 7)).astype(np.float32)
    out = global_avg_pool2d(x)
    assert out.shape == (3, 4, 1, 1) and out.dtype == np.float32
    assert_close(out, torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), 1).numpy(),
                 np.float32)
    assert global_avg_pool2d(np.arange(6.).reshape(1, 1, 2, 3))[0, 0, 0, 0] == 2.5


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
def test_spatial_pyramid_pool_matches_pytorch(torch, rng, mode):
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
        assert_close(out, expected, np.float32)
        if h % 4 == 0 and w % 4 == 0 and mode == "max":  # then SPP is adaptive pooling
            adaptive = functional.adaptive_max_pool2d(xt, 4).flatten(1).numpy()
            assert_close(out[:, -3 * 16:], adaptive, np.float32)


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("call, error, message", [
    (lambda: lp_pool2d(X, 0, 2), ValueError, r"lp_pool2d: norm_type must be > 0, got 0"),
    (lambda: lp_pool2d(X, -2, 2), ValueError, r"norm_type must be > 0, got -2"),
    (lambda: lp_pool2d(X, math.nan, 2), ValueError, r"norm_type must be > 0, got nan"),
    (lambda: lp_pool2d(X, "2", 2), TypeError, r"norm_type must be a positive number, got '2'"),
    (lambda: lp_pool2d(X, 2, 5), ValueError, r"lp_pool2d: the window does not fit along the height"),
    (lambda: lp_pool2d(X, 2, 2, stride=0), ValueError, r"lp_pool2d: stride must be positive"),
    (lambda: lp_pool2d_loops(X, 0.0, 2), ValueError, r"lp_pool2d_loops: norm_type must be > 0"),
    (lambda: lp_pool2d(X[0], 2, 2), ValueError, r"lp_pool2d: x must be 4-D"),
    (lambda: adaptive_avg_pool2d(X, 0), ValueError,
     r"adaptive_avg_pool2d: output_size must be positive, got 0"),
    (lambda: adaptive_max_pool2d(X, (2, 0)), ValueError, r"output_size must be positive"),
    (lambda: adaptive_max_pool2d(X, (2,)), TypeError, r"output_size must be an int or a pair"),
    (lambda: adaptive_avg_pool2d(X, 2.5), TypeError, r"output_size must be an int, a pair"),
    (lambda: adaptive_avg_pool2d_loops(X[0, 0], 2), ValueError,
     r"adaptive_avg_pool2d_loops: x must be 4-D"),
    (lambda: adaptive_max_pool2d(np.zeros((1, 1, 0, 3)), 2), ValueError, r"non-empty height"),
    (lambda: global_avg_pool2d(X[0]), ValueError, r"global_avg_pool2d: x must be 4-D"),
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
