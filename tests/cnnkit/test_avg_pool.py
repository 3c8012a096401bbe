"""avg_pool2d and its backward: hand examples, PyTorch's divisors, loops == fast, errors."""

import numpy as np
import pytest

from cnnkit.avg_pool import (avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_loops,
                             avg_pool2d_loops)
from cnnkit.gradcheck import numerical_gradient, rel_error


def random_arguments(rng, max_size=9):
    """Shape and arguments PyTorch accepts: stride, padding, ceil_mode, count_include_pad."""
    while True:
        h, w = (int(v) for v in rng.integers(1, max_size + 1, size=2))
        kernel = tuple(int(v) for v in rng.integers(1, 5, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 5, size=2))
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        args = (kernel, stride, padding, bool(rng.integers(0, 2)), bool(rng.integers(0, 2)))
        if kernel[0] <= h + 2 * padding[0] and kernel[1] <= w + 2 * padding[1]:
            shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), h, w)
            return shape, args


def test_hand_example_4x4(map_4x4):
    """A 4x4 map pooled 2x2: each output is the mean of its block; dx spreads dout / 4."""
    x = map_4x4
    np.testing.assert_array_equal(avg_pool2d(x, 2)[0, 0], [[2.5, 2.], [2.25, 3.75]])
    dout = np.array([[4., 8.], [12., 16.]]).reshape(1, 1, 2, 2)
    expected = np.kron([[1., 2.], [3., 4.]], np.ones((2, 2)))
    np.testing.assert_array_equal(avg_pool2d_backward(dout, x, 2)[0, 0], expected)


def test_count_include_pad_by_hand():
    """3x3 ones, 3x3 windows, padding 1: corners average 4 ones over 9 cells, or over 4."""
    x = np.ones((1, 1, 3, 3))
    with_pad = avg_pool2d(x, 3, stride=1, padding=1)[0, 0]
    np.testing.assert_allclose(with_pad, np.array([[4, 6, 4], [6, 9, 6], [4, 6, 4]]) / 9)
    without_pad = avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)[0, 0]
    np.testing.assert_allclose(without_pad, np.ones((3, 3)))


@pytest.mark.parametrize("pool", [avg_pool2d, avg_pool2d_loops])
def test_ceil_mode_window_past_the_padded_input(pool):
    """A ceil_mode window running past the padding is clipped to the padded input (as PyTorch).

    6x6 ones, 3x3 windows, stride 2, padding 1: the last window covers rows 5, 6, 7 of
    which 6 is padding and 7 is outside the padded input: it holds one real cell, and
    its divisor is 2 * 2 = 4 with count_include_pad, 1 without.
    """
    x = np.ones((1, 1, 6, 6))
    out = pool(x, 3, stride=2, padding=1, ceil_mode=True)
    assert out.shape == (1, 1, 4, 4)
    assert out[0, 0, 3, 3] == 0.25 and out[0, 0, 0, 0] == 4 / 9
    out = pool(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    np.testing.assert_array_equal(out, np.ones((1, 1, 4, 4)))


def test_overlapping_windows_accumulate():
    """With 2x2 windows at stride 1 the centre of a 3x3 map is in all four windows."""
    dx = avg_pool2d_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)), 2, stride=1)
    np.testing.assert_array_equal(dx[0, 0], [[.25, .5, .25], [.5, 1., .5], [.25, .5, .25]])


@pytest.mark.parametrize("case", range(12))
def test_loops_equal_fast(case):
    """The loop version and the fast version agree on random shapes and arguments."""
    rng = np.random.default_rng(2000 + case)
    shape, args = random_arguments(rng)
    x = rng.standard_normal(shape)
    out = avg_pool2d(x, *args)
    np.testing.assert_allclose(out, avg_pool2d_loops(x, *args), rtol=1e-12, atol=1e-14)
    dout = rng.standard_normal(out.shape)
    np.testing.assert_allclose(avg_pool2d_backward(dout, x, *args),
                               avg_pool2d_backward_loops(dout, x, *args), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("args", [
    (2, None, 0, False, True),
    (3, 1, 1, False, True),                # overlapping, padded
    ((3, 2), (2, 1), (1, 0), True, False),
    (3, 2, 1, True, True),                 # ceil_mode windows past the padding
])
def test_numerical_gradient(rng, args):
    """The backward matches centered differences."""
    x = rng.standard_normal((2, 2, 6, 7))
    dout = rng.standard_normal(avg_pool2d(x, *args).shape)
    expected = numerical_gradient(lambda v: avg_pool2d(v, *args), x, dout)
    # a correct backward gives ~1e-8 (up to 1e-7 on near-zero entries), a wrong one > 1e-2
    assert rel_error(avg_pool2d_backward(dout, x, *args), expected) < 1e-6


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch_on_random_cases(torch_run, assert_matches, rng, dtype):
    """Forward and dx agree with PyTorch over random shapes and every divisor rule."""
    for _ in range(60):
        shape, args = random_arguments(rng)
        x = rng.standard_normal(shape).astype(dtype)
        out = avg_pool2d(x, *args)
        dout = rng.standard_normal(out.shape).astype(dtype)
        out_t, dx_t = torch_run("avg_pool2d", dout, [x], *args)
        assert out.shape == out_t.shape, f"args={args}, shape={shape}"
        assert_matches(out, out_t, dtype)
        assert_matches(avg_pool2d_backward(dout, x, *args), dx_t, dtype)


@pytest.mark.parametrize("shape, args", [
    ((2, 3, 5, 5), (2, 2, 1, True, True)),     # last ceil window would start in the padding
    ((1, 2, 6, 7), (3, 2, 1, True, True)),     # last ceil window runs past the padded input
    ((1, 2, 6, 7), (3, 2, 1, True, False)),
    ((2, 2, 5, 6), ((5, 6), None, 0, False, True)),  # kernel = input size
    ((1, 3, 9, 8), (2, 4, 0, False, True)),    # stride > kernel: cells skipped
    ((2, 2, 9, 9), (3, 2, 1, False, False)),   # AlexNet-style overlapping windows
])
def test_matches_pytorch_on_edge_cases(torch_run, assert_matches, rng, shape, args):
    """The syllabus' edge cases give PyTorch's output and dx, in both versions."""
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(avg_pool2d(x, *args).shape)
    out_t, dx_t = torch_run("avg_pool2d", dout, [x], *args)
    for pool, backward in ((avg_pool2d, avg_pool2d_backward),
                           (avg_pool2d_loops, avg_pool2d_backward_loops)):
        assert_matches(pool(x, *args), out_t, np.float64)
        assert_matches(backward(dout, x, *args), dx_t, np.float64)


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("op", [avg_pool2d, avg_pool2d_loops])
@pytest.mark.parametrize("kwargs, error, message", [
    (dict(x=np.zeros((1, 4, 4)), kernel_size=2), ValueError, r"x must be 4-D"),
    (dict(x=X, kernel_size=(2, -1)), ValueError, r"kernel_size must be positive"),
    (dict(x=X, kernel_size=2, stride=(1, 2, 3)), TypeError, r"stride must be an int or a pair"),
    (dict(x=X, kernel_size=2, padding=-2), ValueError, r"padding must be non-negative"),
    (dict(x=X, kernel_size=2, padding=(0, 2)), ValueError,
     r"padding must be at most half the kernel size"),
    (dict(x=X, kernel_size=5), ValueError,
     r"the window does not fit along the height: it spans d\*\(k-1\)\+1 = 5 cells "
     r"\(kernel_size=5, dilation=1\), more than the 4 cells of the padded input \(size=4, "
     r"padding=0\); x.shape = \(1, 1, 4, 4\)"),
    (dict(x=X, kernel_size=2, count_include_pad=None), TypeError,
     r"count_include_pad must be True or False, got None"),
    (dict(x=X, kernel_size=2, ceil_mode=1), TypeError, r"ceil_mode must be True or False"),
])
def test_bad_arguments(op, kwargs, error, message):
    """Bad input raises an error naming the function, the argument and what was given."""
    with pytest.raises(error, match=f"{op.__name__}: {message}"):
        op(**kwargs)
