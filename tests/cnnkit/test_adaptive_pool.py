"""Adaptive and global average pooling: by hand, PyTorch, plain pooling when sizes divide."""

import numpy as np
import pytest

from cnnkit.adaptive_pool import (adaptive_avg_pool2d, adaptive_avg_pool2d_loops,
                                  adaptive_max_pool2d, adaptive_max_pool2d_loops, adaptive_windows,
                                  global_avg_pool2d)
from cnnkit.avg_pool import avg_pool2d
from cnnkit.max_pool import max_pool2d


def test_adaptive_windows_by_hand():
    """5 cells into 3 windows: [0, 2), [1, 4), [3, 5) -- they overlap and cover everything."""
    starts, ends = adaptive_windows(5, 3)
    np.testing.assert_array_equal(starts, [0, 1, 3])
    np.testing.assert_array_equal(ends, [2, 4, 5])
    x = np.arange(5.).reshape(1, 1, 1, 5)
    np.testing.assert_allclose(adaptive_avg_pool2d(x, (1, 3))[0, 0, 0], [0.5, 2., 3.5])
    np.testing.assert_array_equal(adaptive_max_pool2d(x, (1, 3))[0, 0, 0], [1., 3., 4.])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adaptive_matches_pytorch(torch, assert_matches, rng, dtype):
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
            assert_matches(out, expected, dtype)
            assert_matches(loops(x, output_size), expected, dtype)


@pytest.mark.parametrize("in_size, output_size", [
    ((13, 13), 6),        # evenly spaced windows: length 3, stride 2
    ((14, 9), (7, 3)),    # sizes divide
    ((7, 7), 1),          # global
    ((7, 5), (1, 2)),
    ((10, 7), (4, 3)),    # uneven windows on both axes
    ((3, 2), (5, 4)),     # output larger than input: windows repeat cells
])
def test_adaptive_matches_pytorch_on_typical_sizes(torch, assert_matches, rng, in_size,
                                                   output_size):
    """AlexNet's 13 -> 6, VGG-like, global, uneven and growing outputs, as PyTorch."""
    x = rng.standard_normal((2, 3, *in_size))
    functional = torch.nn.functional
    assert_matches(adaptive_avg_pool2d(x, output_size),
                   functional.adaptive_avg_pool2d(torch.tensor(x), output_size).numpy(), np.float64)
    np.testing.assert_array_equal(
        adaptive_max_pool2d(x, output_size),
        functional.adaptive_max_pool2d(torch.tensor(x), output_size).numpy())


def test_adaptive_is_plain_pooling_when_sizes_divide(rng):
    """Output 4x3 from 12x9: windows 3x3 at stride 3, i.e. avg_pool2d / max_pool2d with k=3."""
    x = rng.standard_normal((2, 2, 12, 9))
    np.testing.assert_allclose(adaptive_avg_pool2d(x, (4, 3)), avg_pool2d(x, 3), rtol=1e-12)
    np.testing.assert_array_equal(adaptive_max_pool2d(x, (4, 3)), max_pool2d(x, 3))


def test_global_avg_pool(torch, assert_matches, rng):
    """One mean per feature map, shape (N, C, 1, 1), as adaptive pooling to 1x1."""
    x = rng.standard_normal((3, 4, 5, 7)).astype(np.float32)
    out = global_avg_pool2d(x)
    assert out.shape == (3, 4, 1, 1) and out.dtype == np.float32
    assert_matches(out, torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), 1).numpy(),
                   np.float32)
    assert global_avg_pool2d(np.arange(6.).reshape(1, 1, 2, 3))[0, 0, 0, 0] == 2.5


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("call, error, message", [
    (lambda: adaptive_avg_pool2d(X, 0), ValueError,
     r"adaptive_avg_pool2d: output_size must be positive, got 0"),
    (lambda: adaptive_max_pool2d(X, (2, 0)), ValueError, r"output_size must be positive"),
    (lambda: adaptive_max_pool2d(X, (2,)), TypeError, r"output_size must be an int or a pair"),
    (lambda: adaptive_avg_pool2d(X, 2.5), TypeError, r"output_size must be an int, a pair"),
    (lambda: adaptive_avg_pool2d_loops(X[0, 0], 2), ValueError,
     r"adaptive_avg_pool2d_loops: x must be 4-D"),
    (lambda: adaptive_max_pool2d(np.zeros((1, 1, 0, 3)), 2), ValueError, r"non-empty height"),
    (lambda: global_avg_pool2d(X[0]), ValueError, r"global_avg_pool2d: x must be 4-D"),
])
def test_bad_arguments(call, error, message):
    """Bad input raises an error naming the function, the argument and what was given."""
    with pytest.raises(error, match=message):
        call()
