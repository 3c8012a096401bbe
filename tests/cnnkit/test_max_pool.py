"""max_pool2d and its backward: hand examples, loops == fast, gradient checks, PyTorch, errors."""

import numpy as np
import pytest

from cnnkit.gradcheck import numerical_gradient, rel_error
from cnnkit.max_pool import (max_pool2d, max_pool2d_backward, max_pool2d_backward_loops,
                             max_pool2d_loops)


def random_arguments(rng, max_size=9):
    """Shape and pooling arguments PyTorch accepts: stride, padding, dilation, ceil_mode."""
    while True:
        h, w = (int(v) for v in rng.integers(1, max_size + 1, size=2))
        kernel = tuple(int(v) for v in rng.integers(1, 5, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 5, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
        ceil_mode = bool(rng.integers(0, 2))
        args = (kernel, stride, padding, dilation, ceil_mode)
        try:
            max_pool2d(np.zeros((1, 1, h, w)), *args)
        except ValueError:  # no window fits, or a dilated window holds only padding
            continue
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), h, w)
        return shape, args


def test_hand_example_4x4(map_4x4):
    """A 4x4 map pooled 2x2: each output is the largest of its block, and only it gets gradient."""
    x = map_4x4
    np.testing.assert_array_equal(max_pool2d(x, 2)[0, 0], [[4., 5.], [6., 7.]])
    dout = np.array([[10., 20.], [30., 40.]]).reshape(1, 1, 2, 2)
    expected = np.zeros((4, 4))
    expected[1, 0], expected[1, 3], expected[3, 0], expected[2, 2] = 10., 20., 30., 40.
    np.testing.assert_array_equal(max_pool2d_backward(dout, x, 2)[0, 0], expected)


def test_padding_is_minus_infinity():
    """A padded max pool of an all-negative map stays negative: padding never wins."""
    x = -np.arange(1., 10.).reshape(1, 1, 3, 3)  # -1 ... -9
    out = max_pool2d(x, 2, stride=2, padding=1)
    # windows: {-1}, {-2,-3}, {-4,-7}, {-5,-6,-8,-9}
    np.testing.assert_array_equal(out[0, 0], [[-1., -2.], [-4., -5.]])
    dx = max_pool2d_backward(np.ones_like(out), x, 2, stride=2, padding=1)
    np.testing.assert_array_equal(dx[0, 0], [[1., 1., 0.], [1., 1., 0.], [0., 0., 0.]])


def test_tie_goes_to_first_maximum():
    """Equal maxima: the whole gradient goes to the first one in row-major order."""
    x = np.array([[0., 2.], [2., 2.]]).reshape(1, 1, 2, 2)
    dx = max_pool2d_backward(np.full((1, 1, 1, 1), 5.), x, 2)
    np.testing.assert_array_equal(dx[0, 0], [[0., 5.], [0., 0.]])
    dx = max_pool2d_backward_loops(np.full((1, 1, 1, 1), 5.), np.ones((1, 1, 2, 2)), 2)
    np.testing.assert_array_equal(dx[0, 0], [[5., 0.], [0., 0.]])


def test_overlapping_windows_accumulate():
    """A peak in the middle wins all four 2x2 windows (stride 1) and collects all four gradients."""
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 9.
    dout = np.array([[1., 2.], [3., 4.]]).reshape(1, 1, 2, 2)
    dx = max_pool2d_backward(dout, x, 2, stride=1)
    assert dx[0, 0, 1, 1] == 10. and np.count_nonzero(dx) == 1


def test_dilation_and_ceil_mode_by_hand():
    """Dilation 2 picks every other cell; ceil_mode keeps a last window cut off by the edge."""
    x = np.arange(25.).reshape(1, 1, 5, 5)
    np.testing.assert_array_equal(max_pool2d(x, 2, stride=1, dilation=2)[0, 0, 0], [12., 13., 14.])
    np.testing.assert_array_equal(max_pool2d(x, 2, ceil_mode=True)[0, 0],
                                  [[6., 8., 9.], [16., 18., 19.], [21., 23., 24.]])


@pytest.mark.parametrize("case", range(12))
def test_loops_equal_fast(case):
    """The loop version and the fast version agree on random shapes and arguments."""
    rng = np.random.default_rng(1000 + case)
    shape, args = random_arguments(rng)
    x = rng.integers(-2, 3, size=shape).astype(np.float64)  # small ints: many ties
    out = max_pool2d(x, *args)
    np.testing.assert_array_equal(out, max_pool2d_loops(x, *args))
    dout = rng.standard_normal(out.shape)
    np.testing.assert_allclose(max_pool2d_backward(dout, x, *args),
                               max_pool2d_backward_loops(dout, x, *args), rtol=1e-12)


@pytest.mark.parametrize("args", [
    (2, None, 0, 1, False),
    (3, 1, 1, 1, False),          # overlapping, padded
    ((3, 2), (2, 1), (1, 0), (1, 2), True),
    (3, 2, 1, 1, True),           # ceil_mode with padding
])
def test_numerical_gradient(rng, args):
    """The backward matches centered differences (distinct values, so no tie is ambiguous)."""
    shape = (2, 2, 7, 6)
    x = (rng.permutation(np.prod(shape)) * 0.1).reshape(shape) - 3.0
    dout = rng.standard_normal(max_pool2d(x, *args).shape)
    expected = numerical_gradient(lambda v: max_pool2d(v, *args), x, dout)
    # a correct backward gives ~1e-8 (up to 1e-7 on near-zero entries), a wrong one > 1e-2
    assert rel_error(max_pool2d_backward(dout, x, *args), expected) < 1e-6


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch_on_random_cases(torch_run, assert_matches, rng, dtype):
    """Forward and dx agree with PyTorch on random shapes, ties and all-negative inputs."""
    for trial in range(60):
        shape, args = random_arguments(rng)
        if trial % 3 == 0:
            x = rng.integers(-2, 3, size=shape).astype(dtype)  # frequent ties
        elif trial % 3 == 1:
            x = -rng.uniform(1, 2, size=shape).astype(dtype)   # all negative
        else:
            x = rng.standard_normal(shape).astype(dtype)
        out = max_pool2d(x, *args)
        dout = rng.standard_normal(out.shape).astype(dtype)
        out_t, dx_t = torch_run("max_pool2d", dout, [x], *args)
        assert out.shape == out_t.shape, f"args={args}, shape={shape}"
        assert_matches(out, out_t, dtype)
        assert_matches(max_pool2d_backward(dout, x, *args), dx_t, dtype)


@pytest.mark.parametrize("shape, args", [
    ((2, 3, 5, 5), (2, 2, 1, 1, True)),      # last ceil window would start in the padding
    ((1, 2, 6, 7), (3, 2, 1, 1, True)),      # last ceil window runs past the padded input
    ((2, 2, 5, 6), ((5, 6), None, 0, 1, False)),  # kernel = input size
    ((1, 3, 9, 8), (2, 4, 0, 1, False)),     # stride > kernel: cells skipped
    ((2, 2, 9, 9), (3, 2, 1, 1, False)),     # AlexNet-style overlapping windows
    ((1, 1, 9, 9), (3, 1, 1, 3, True)),      # dilated
])
def test_matches_pytorch_on_edge_cases(torch_run, assert_matches, rng, shape, args):
    """The syllabus' edge cases give PyTorch's output and dx (ties included), in both versions."""
    x = rng.integers(-3, 2, size=shape).astype(np.float64)
    dout = rng.standard_normal(max_pool2d(x, *args).shape)
    out_t, dx_t = torch_run("max_pool2d", dout, [x], *args)
    for pool, backward in ((max_pool2d, max_pool2d_backward),
                           (max_pool2d_loops, max_pool2d_backward_loops)):
        np.testing.assert_array_equal(pool(x, *args), out_t)
        assert_matches(backward(dout, x, *args), dx_t, np.float64)


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("op", [max_pool2d, max_pool2d_loops])
@pytest.mark.parametrize("kwargs, error, message", [
    (dict(x=np.zeros((4, 4)), kernel_size=2), ValueError, r"x must be 4-D"),
    (dict(x="image", kernel_size=2), TypeError, r"x must be a numpy array"),
    (dict(x=X, kernel_size=0), ValueError, r"kernel_size must be positive"),
    (dict(x=X, kernel_size=2.5), TypeError, r"kernel_size must be an int or a pair"),
    (dict(x=X, kernel_size=2, stride=0), ValueError, r"stride must be positive, got 0"),
    (dict(x=X, kernel_size=2, dilation=(1, 0)), ValueError, r"dilation must be positive"),
    (dict(x=X, kernel_size=2, padding=-1), ValueError, r"padding must be non-negative"),
    (dict(x=X, kernel_size=3, padding=2), ValueError,
     r"padding must be at most half the kernel size .*got padding=2"),
    (dict(x=X, kernel_size=(2, 7)), ValueError,
     r"the window does not fit along the width: it spans d\*\(k-1\)\+1 = 7 cells"),
    (dict(x=X, kernel_size=3, dilation=2), ValueError,
     r"the window does not fit along the height: .*= 5 cells \(kernel_size=3, dilation=2\)"),
    (dict(x=np.zeros((1, 1, 2, 4)), kernel_size=2, padding=1, dilation=3), ValueError,
     r"window 0 along the height covers only padding cells"),
    (dict(x=X, kernel_size=2, ceil_mode="yes"), TypeError, r"ceil_mode must be True or False"),
    (dict(x=np.zeros((1, 1, 0, 4)), kernel_size=1), ValueError,
     r"x must have a non-empty height and width"),
])
def test_bad_arguments(op, kwargs, error, message):
    """Bad input raises an error naming the function, the argument and what was given."""
    with pytest.raises(error, match=f"{op.__name__}: {message}"):
        op(**kwargs)
