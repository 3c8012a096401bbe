"""conv3d and conv3d_backward: hand examples, loops == fast, gradient checks, PyTorch, bad input."""

import numpy as np
import pytest

from cnnkit.conv import conv2d
from cnnkit.gradcheck import numerical_gradient, rel_error
from cnnkit.sizes import conv_output_size
from cnnkit.volume_conv import conv3d, conv3d_backward, conv3d_backward_loops, conv3d_loops


def random_case(rng, max_size=6):
    """Shapes and arguments of a random valid conv3d call (every option mixed in)."""
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=3))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=3))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=3))
    padding = tuple(int(p) for p in rng.integers(0, 3, size=3))
    size = [int(rng.integers(max(1, d * (k - 1) + 1 - 2 * p), max_size + 1))
            for k, d, p in zip(kernel, dilation, padding)]
    channels, filters = (int(c) for c in rng.integers(1, 4, size=2))
    x_shape = (int(rng.integers(1, 3)), channels, *size)
    return x_shape, (filters, channels, *kernel), dict(stride=stride, padding=padding,
                                                        dilation=dilation)


def test_cube_of_ones_by_hand():
    """A 2x2x2 kernel of ones on a 3x3x3 cube of ones sums 8 cells; padding 1 gives 1 at corners."""
    x, w = np.ones((1, 1, 3, 3, 3)), np.ones((1, 1, 2, 2, 2))
    np.testing.assert_array_equal(conv3d(x, w, np.array([0.5])), np.full((1, 1, 2, 2, 2), 8.5))
    out = conv3d(x, w, padding=1)
    assert out.shape == (1, 1, 4, 4, 4)
    assert out[0, 0, 0, 0, 0] == 1.0 and out[0, 0, 1, 1, 1] == 8.0 and out[0, 0, 0, 1, 1] == 4.0


def test_depth_stride_and_dilation_by_hand():
    """Along depth only: frames 0..4 hold 0..4; a [1, 1] kernel with dilation 2, stride 2 adds t and t+2."""
    x = np.arange(5.0).reshape(1, 1, 5, 1, 1)
    w = np.ones((1, 1, 2, 1, 1))
    out = conv3d(x, w, stride=(2, 1, 1), dilation=(2, 1, 1))
    np.testing.assert_array_equal(out.ravel(), [0 + 2, 2 + 4])


def test_conv2d_is_conv3d_with_kernel_depth_equal_to_input_depth(rng):
    """A C-channel 2-D convolution is a one-channel 3-D convolution whose kernel spans all C."""
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2))
    out = conv3d(x[:, None], w[:, None], stride=(1, 2, 1), padding=(0, 1, 1))
    assert out.shape[2] == 1   # the kernel cannot slide along depth
    np.testing.assert_allclose(out[:, :, 0], conv2d(x, w, stride=(2, 1), padding=1), atol=1e-12)


def test_loops_equal_fast(rng):
    """Loop and im2col versions agree, forward and backward, on random calls."""
    for _ in range(12):
        x_shape, w_shape, kwargs = random_case(rng, max_size=5)
        x, w, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[0]))
        out = conv3d(x, w, b, **kwargs)
        np.testing.assert_allclose(out, conv3d_loops(x, w, b, **kwargs), rtol=1e-10, atol=1e-12)
        dout = rng.standard_normal(out.shape)
        for got, expected in zip(conv3d_backward(dout, x, w, **kwargs),
                                 conv3d_backward_loops(dout, x, w, **kwargs)):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_numerical_gradients(seed):
    """Analytic dx, dw, db match centered differences (conv3d is linear in each argument)."""
    rng = np.random.default_rng(seed)
    x_shape, w_shape, kwargs = random_case(rng, max_size=4)
    x, w, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[0]))
    dout = rng.standard_normal(conv3d(x, w, b, **kwargs).shape)
    grads = conv3d_backward(dout, x, w, **kwargs)
    numeric = [numerical_gradient(lambda v: conv3d(v, w, b, **kwargs), x, dout, 1e-3),
               numerical_gradient(lambda v: conv3d(x, v, b, **kwargs), w, dout, 1e-3),
               numerical_gradient(lambda v: conv3d(x, w, v, **kwargs), b, dout, 1e-3)]
    for name, analytic, approx in zip(("dx", "dw", "db"), grads, numeric):
        assert rel_error(analytic, approx) < 1e-7, name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch(torch_run, assert_matches, rng, dtype):
    """Output and all three gradients agree with torch.nn.functional.conv3d."""
    cases = [random_case(rng) for _ in range(10)] + [
        ((2, 3, 4, 5, 3), (2, 3, 4, 5, 3), {}),                               # kernel = input
        ((1, 2, 7, 9, 9), (3, 2, 2, 2, 2), dict(stride=(3, 4, 4))),           # stride > kernel
        ((2, 4, 3, 4, 5), (5, 4, 1, 1, 1), {}),                               # 1x1x1
        ((1, 2, 5, 6, 6), (2, 2, 3, 3, 2), dict(padding=(2, 1, 0), dilation=(1, 2, 3))),
        ((1, 1, 1, 1, 1), (1, 1, 3, 3, 3), dict(padding=1)),                  # all padding but one
    ]
    for x_shape, w_shape, kwargs in cases:
        x, w, b = (rng.standard_normal(s).astype(dtype) for s in (x_shape, w_shape, w_shape[0]))
        out = conv3d(x, w, b, **kwargs)
        dout = rng.standard_normal(out.shape).astype(dtype)
        ours = [out, *conv3d_backward(dout, x, w, **kwargs)]
        theirs = torch_run("conv3d", dout, [x, w, b], **kwargs)
        for name, got, expected in zip(("out", "dx", "dw", "db"), ours, theirs):
            assert_matches(got, expected, dtype, f"{name} of {x_shape} * {w_shape}, {kwargs}")


def test_output_size_is_the_formula_per_axis(rng):
    """Each output axis is conv_output_size of that axis alone."""
    for _ in range(10):
        x_shape, w_shape, kwargs = random_case(rng)
        out = conv3d(np.zeros(x_shape), np.zeros(w_shape), **kwargs)
        expected = tuple(conv_output_size(*axis) for axis in zip(
            x_shape[2:], w_shape[2:], kwargs["stride"], kwargs["padding"], kwargs["dilation"]))
        assert out.shape == (x_shape[0], w_shape[0], *expected)


@pytest.mark.parametrize("op", [conv3d, conv3d_loops])
def test_dtypes(op):
    """float32 stays float32; float64, ints and mixtures give float64."""
    x, w, f32 = np.ones((1, 2, 3, 3, 3)), np.ones((2, 2, 2, 2, 2)), np.float32
    assert op(x.astype(f32), w.astype(f32), np.zeros(2, f32)).dtype == f32
    assert op(x.astype(f32), w.astype(f32), np.zeros(2)).dtype == np.float64
    assert op(x.astype(int), w.astype(int)).dtype == np.float64
    for grad in conv3d_backward(np.ones((1, 2, 2, 2, 2), f32), x.astype(f32), w.astype(f32)):
        assert grad.dtype == f32


X = np.ones((2, 3, 4, 5, 6))
W = np.ones((2, 3, 2, 2, 2))


@pytest.mark.parametrize("op", [conv3d, conv3d_loops])
@pytest.mark.parametrize("args, kwargs, error, match", [
    ((X[0], W), {}, ValueError, r"x must be 5-D \(N, C, D, H, W\), got a 4-D array"),
    ((X, W[0]), {}, ValueError, r"w must be 5-D \(F, C, KD, KH, KW\)"),
    ((X, np.ones((2, 4, 2, 2, 2))), {}, ValueError, r"x has 3 channels but w expects 4"),
    ((X, np.ones((2, 3, 5, 2, 2))), {}, ValueError,
     r"the window does not fit along the depth: it spans d\*\(k-1\)\+1 = 5 cells .* "
     r"the 4 cells of the padded input \(size=4, padding=0\); x.shape = \(2, 3, 4, 5, 6\)"),
    ((X, W), dict(dilation=(1, 1, 6)), ValueError, r"the window does not fit along the width"),
    ((X, W), dict(stride=(1, 0, 1)), ValueError, r"stride must be positive, got \(1, 0, 1\)"),
    ((X, W), dict(padding=-1), ValueError, r"padding must be non-negative, got -1"),
    ((X, W), dict(stride=(1, 2)), TypeError, r"stride must be an int or a tuple of 3 ints, got \(1, 2\)"),
    ((X, W), dict(dilation=True), TypeError, r"dilation must be an int or a tuple of 3 ints"),
    ((X, W, np.ones(3)), {}, ValueError, r"b must have shape \(2,\) .*got shape \(3,\)"),
    (("x", W), {}, TypeError, r"x must be a numpy array, got str"),
])
def test_bad_input(op, args, kwargs, error, match):
    """Every bad argument raises, naming the function, the argument, what was expected and given."""
    with pytest.raises(error, match=op.__name__ + ": " + match):
        op(*args, **kwargs)


@pytest.mark.parametrize("op", [conv3d_backward, conv3d_backward_loops])
def test_backward_rejects_dout_of_the_wrong_shape(op):
    """dout must be shaped like the forward's output (N, F, OD, OH, OW)."""
    with pytest.raises(ValueError, match=op.__name__ + r": dout must have the forward output's "
                       r"shape \(N, F, OD, OH, OW\) = \(2, 2, 3, 4, 5\), got \(2, 2, 3, 4\)"):
        op(np.ones((2, 2, 3, 4)), X, W)


def test_empty_batch():
    """N = 0 gives an empty output and zero weight and bias gradients, as in PyTorch."""
    x, w = np.zeros((0, 2, 3, 3, 3)), np.ones((4, 2, 2, 2, 2))
    assert conv3d(x, w, padding=1).shape == (0, 4, 4, 4, 4)
    dx, dw, db = conv3d_backward(np.zeros((0, 4, 2, 2, 2)), x, w)
    assert dx.shape == x.shape and not dw.any() and not db.any()
