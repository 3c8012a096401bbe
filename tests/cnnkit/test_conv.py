"""conv2d and conv2d_backward: hand examples, loops == fast, gradient checks, PyTorch, bad input."""

import numpy as np
import pytest

from cnnkit.conv import conv2d, conv2d_backward, conv2d_backward_loops, conv2d_loops
from cnnkit.gradcheck import numerical_gradient, rel_error
from cnnkit.sizes import conv_output_size


def random_case(rng, max_size=7):
    """Shapes and arguments of a random valid conv2d call (all features mixed in)."""
    groups = int(rng.choice([1, 1, 2, 3]))
    channels = groups * int(rng.integers(1, 3))
    filters = groups * int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    padding = tuple(int(p) for p in rng.integers(0, 3, size=2))
    if rng.random() < 0.2:
        stride, padding = (1, 1), str(rng.choice(["same", "valid"]))
    size = []
    for axis in range(2):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        pad = 0 if isinstance(padding, str) else 2 * padding[axis]
        size.append(int(rng.integers(max(1, span - pad), max_size + 1)))
    x_shape = (int(rng.integers(1, 3)), channels, *size)
    w_shape = (filters, channels // groups, *kernel)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return x_shape, w_shape, kwargs


def test_edge_example_by_hand():
    """The 6x6 edge example through the 4-D API, with a bias of 1: 31 on the edge, 1 elsewhere."""
    x = np.zeros((1, 1, 6, 6))
    x[..., :3] = 10.0
    w = np.array([[1.0, 0.0, -1.0]] * 3).reshape(1, 1, 3, 3)
    expected = np.array([[1.0, 31.0, 31.0, 1.0]] * 4).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(conv2d(x, w, np.array([1.0])), expected)
    np.testing.assert_array_equal(conv2d_loops(x, w, np.array([1.0])), expected)


def test_channels_sum_and_stride_padding_by_hand():
    """Two channels add up; stride 2 with padding 1 on a 3x3 input of ones reads corners."""
    x = np.ones((1, 2, 3, 3))
    x[0, 1] *= 2.0                            # channel 1 holds 2s
    w = np.ones((1, 2, 3, 3))
    out = conv2d(x, w, stride=2, padding=1)
    # each output sees a 2x2 corner of the 3x3 input: 4 ones + 4 twos = 12
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), 12.0))


def test_same_padding_keeps_the_size_with_even_kernels():
    """padding='same' keeps H x W; for an even kernel the extra zero row is at the bottom."""
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 0] = 1.0                       # picks the top-left of each window
    out = conv2d(x, w, padding="same")
    assert out.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(out, x)     # no padding on the top/left: windows start at (i, j)


def test_loops_equal_fast(rng, im2col_layout, loops_agree):
    """Loop and im2col versions agree, forward and backward, on random calls (every layout)."""
    for _ in range(25):
        x_shape, w_shape, kwargs = random_case(rng)
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        loops_agree((conv2d, conv2d_backward), (conv2d_loops, conv2d_backward_loops),
                    x, w, rng.standard_normal(w_shape[0]), **kwargs)


@pytest.mark.parametrize("seed", range(6))
def test_numerical_gradients(seed):
    """Analytic dx, dw, db match centered differences (float64, rel_error < 1e-7)."""
    rng = np.random.default_rng(seed)
    x_shape, w_shape, kwargs = random_case(rng, max_size=5)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    dout = rng.standard_normal(conv2d(x, w, b, **kwargs).shape)
    dx, dw, db = conv2d_backward(dout, x, w, **kwargs)
    # conv2d is linear in each argument, so a large step h has no truncation error and
    # keeps rounding error (eps * |L| / h) small even for entries whose gradient is tiny
    h = 1e-3
    numeric_dx = numerical_gradient(lambda v: conv2d(v, w, b, **kwargs), x, dout, h)
    numeric_dw = numerical_gradient(lambda v: conv2d(x, v, b, **kwargs), w, dout, h)
    numeric_db = numerical_gradient(lambda v: conv2d(x, w, v, **kwargs), b, dout, h)
    assert rel_error(dx, numeric_dx) < 1e-7
    assert rel_error(dw, numeric_dw) < 1e-7
    assert rel_error(db, numeric_db) < 1e-7


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch(agrees_with_torch, rng, dtype):
    """Output and all three gradients agree with PyTorch relative to their scale."""
    cases = [random_case(rng) for _ in range(30)] + [
        ((2, 3, 5, 4), (4, 3, 5, 4), dict(padding=0)),                  # kernel = input
        ((1, 2, 9, 9), (3, 2, 2, 2), dict(stride=4)),                   # stride > kernel
        ((1, 4, 6, 7), (4, 1, 3, 3), dict(groups=4, padding=1)),        # depthwise
        ((2, 2, 7, 6), (2, 2, 2, 4), dict(padding="same", dilation=(3, 1))),
    ]
    for x_shape, w_shape, kwargs in cases:
        x = rng.standard_normal(x_shape).astype(dtype)
        w = rng.standard_normal(w_shape).astype(dtype)
        b = rng.standard_normal(w_shape[0]).astype(dtype)
        agrees_with_torch("conv2d", conv2d, conv2d_backward, x, w, b, **kwargs)


def test_output_size_matches_formula(rng):
    """conv2d's output shape is conv_output_size of the input size."""
    for _ in range(20):
        x_shape, w_shape, kwargs = random_case(rng)
        if isinstance(kwargs["padding"], str):
            continue
        out = conv2d(np.zeros(x_shape), np.zeros(w_shape), **kwargs)
        assert out.shape[2:] == conv_output_size(x_shape[2:], w_shape[2:], kwargs["stride"],
                                                 kwargs["padding"], kwargs["dilation"])


@pytest.mark.parametrize("op", [conv2d, conv2d_loops])
def test_dtypes(op):
    """float32 stays float32; float64, ints and float32/float64 mixtures give float64."""
    x, w = np.ones((1, 2, 4, 4)), np.ones((3, 2, 2, 2))
    f32 = np.float32
    assert op(x.astype(f32), w.astype(f32), np.zeros(3, f32)).dtype == f32
    assert op(x.astype(f32), w.astype(f32), np.zeros(3)).dtype == np.float64
    assert op(x, w.astype(f32)).dtype == np.float64
    assert op(x.astype(int), w.astype(int)).dtype == np.float64
    dout = np.ones((1, 3, 3, 3), f32)
    for grad in conv2d_backward(dout, x.astype(f32), w.astype(f32)):
        assert grad.dtype == f32


X = np.ones((2, 4, 6, 6))
W = np.ones((3, 4, 3, 3))


@pytest.mark.parametrize("op", [conv2d, conv2d_loops])
@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((X[0], W), {}, ValueError, r"x must be 4-D \(N, C, H, W\), got a 3-D array"),
        ((X, W[0]), {}, ValueError, r"w must be 4-D"),
        ((X, np.ones((3, 2, 3, 3))), {}, ValueError,
         r"x has 4 channels but w expects 2 \(w.shape = \(3, 2, 3, 3\)\)"),
        ((X, np.ones((3, 4, 7, 3))), {}, ValueError,
         r"the window does not fit along the height: it spans d\*\(k-1\)\+1 = 7 cells "
         r"\(kernel_size=7, dilation=1\), more than the 6 cells of the padded input "
         r"\(size=6, padding=0\); x.shape = \(2, 4, 6, 6\), w.shape = \(3, 4, 7, 3\)"),
        ((X, np.ones((3, 4, 9, 3))), dict(padding=1), ValueError,
         r"the window does not fit along the height: .* = 9 cells .* the 8 cells "
         r".*\(size=6, padding=1\)"),
        ((X, W), dict(dilation=3), ValueError,
         r"the window does not fit along the height: .* = 7 cells \(kernel_size=3, dilation=3\)"),
        ((X, W), dict(stride=0), ValueError, r"stride must be positive, got 0"),
        ((X, W), dict(dilation=(1, -1)), ValueError, r"dilation must be positive"),
        ((X, W), dict(padding=-1), ValueError, r"padding must be non-negative"),
        ((X, W), dict(padding="full"), ValueError, r"padding must be one of 'valid', 'same', got 'full'"),
        ((X, W), dict(padding="same", stride=2), ValueError, r"padding='same' needs stride 1"),
        ((X, W), dict(stride=1.5), TypeError, r"stride must be an int or a pair"),
        ((X, np.ones((3, 1, 3, 3))), dict(groups=3), ValueError, r"groups=3 must divide the channels of x"),
        ((X, np.ones((3, 2, 3, 3))), dict(groups=2), ValueError, r"groups=2 must divide the filters of w"),
        ((X, W), dict(groups=0), ValueError, r"groups must be positive, got 0"),
        ((X, W), dict(groups=2.0), TypeError, r"groups must be a positive int, got 2.0"),
        ((X, W, np.ones(4)), {}, ValueError, r"b must have shape \(3,\) .*got shape \(4,\)"),
        (("x", W), {}, TypeError, r"x must be a numpy array, got str"),
    ],
)
def test_bad_input(op, args, kwargs, error, match):
    """Every bad argument raises, naming the function and the argument."""
    with pytest.raises(error, match=op.__name__ + ": " + match):
        op(*args, **kwargs)


@pytest.mark.parametrize("op", [conv2d_backward, conv2d_backward_loops])
def test_backward_rejects_dout_of_the_wrong_shape(op):
    """dout must be shaped like the forward's output, (N, F, OH, OW)."""
    with pytest.raises(ValueError, match=op.__name__ + r": dout must have the forward output's "
                                          r"shape \(N, F, OH, OW\) = \(2, 3, 4, 4\), "
                                          r"got \(2, 3, 6, 6\)"):
        op(np.ones((2, 3, 6, 6)), X, W)
    with pytest.raises(ValueError, match=op.__name__ + r": x has 4 channels but w expects 2"):
        op(np.ones((2, 3, 4, 4)), X, np.ones((3, 2, 3, 3)))


def test_empty_batch():
    """N = 0 gives an empty output and zero weight/bias gradients, as in PyTorch."""
    x, w = np.zeros((0, 2, 5, 5)), np.ones((3, 2, 3, 3))
    assert conv2d(x, w, padding=1).shape == (0, 3, 5, 5)
    dx, dw, db = conv2d_backward(np.zeros((0, 3, 3, 3)), x, w)
    assert dx.shape == (0, 2, 5, 5)
    np.testing.assert_array_equal(dw, np.zeros_like(w))
    np.testing.assert_array_equal(db, np.zeros(3))


def test_inf_reaches_only_the_weight_gradients_that_read_it():
    """An inf in the last column feeds only the kernel column that touches it (as in PyTorch)."""
    x = np.ones((1, 1, 4, 6))
    x[0, 0, 1, 5] = np.inf
    _, dw, _ = conv2d_backward(np.ones((1, 1, 3, 5)), x, np.ones((1, 1, 2, 2)))
    # kernel column 0 reads input columns 0..4 (3 x 5 ones = 15); column 1 reads the inf
    np.testing.assert_array_equal(dw[0, 0], [[15.0, np.inf], [15.0, np.inf]])
