"""conv_transpose2d and its backward: hand example, adjoint of conv2d, gradients, PyTorch, bad input."""

import numpy as np
import pytest

from cnnkit.conv import conv2d, conv2d_backward
from cnnkit.conv_transpose import (conv_transpose2d, conv_transpose2d_backward,
                                   conv_transpose2d_backward_loops, conv_transpose2d_loops)
from cnnkit.gradcheck import numerical_gradient, rel_error
from cnnkit.sizes import conv_transpose_output_size


def random_case(rng, max_size=4):
    """Shapes and arguments of a random valid conv_transpose2d call."""
    groups = int(rng.choice([1, 1, 2]))
    in_channels = groups * int(rng.integers(1, 3))
    out_per_group = int(rng.integers(1, 3))
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    dilation = tuple(int(d) for d in rng.integers(1, 3, size=2))
    output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
    size = tuple(int(v) for v in rng.integers(1, max_size + 1, size=2))
    # largest padding that leaves at least one output row/column
    padding = tuple(
        int(rng.integers(0, ((i - 1) * s + d * (k - 1) + extra) // 2 + 1))
        for i, k, s, d, extra in zip(size, kernel, stride, dilation, output_padding))
    x_shape = (int(rng.integers(1, 3)), in_channels, *size)
    w_shape = (in_channels, out_per_group, *kernel)
    kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                  dilation=dilation)
    return x_shape, w_shape, kwargs


def test_seed_example_2x2_kernel_4x4_stride_3_by_hand():
    """Each input pixel stamps a 4x4 block of ones times its value; stamps 3 apart overlap once."""
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    w = np.ones((1, 1, 4, 4))
    # rows/columns 0-2 belong to one stamp; row/column 3 is where neighbouring stamps overlap
    expected = np.array([
        [1, 1, 1, 3, 2, 2, 2],
        [1, 1, 1, 3, 2, 2, 2],
        [1, 1, 1, 3, 2, 2, 2],
        [4, 4, 4, 10, 6, 6, 6],   # 1+3 | 1+2+3+4 | 2+4
        [3, 3, 3, 7, 4, 4, 4],
        [3, 3, 3, 7, 4, 4, 4],
        [3, 3, 3, 7, 4, 4, 4],
    ], dtype=float).reshape(1, 1, 7, 7)
    np.testing.assert_array_equal(conv_transpose2d(x, w, stride=3), expected)
    np.testing.assert_array_equal(conv_transpose2d_loops(x, w, stride=3), expected)


def test_padding_crops_and_output_padding_extends():
    """padding cuts rows/columns off both sides; output_padding adds zeros at the bottom/right."""
    x = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    w = np.ones((1, 1, 4, 4))
    full = conv_transpose2d(x, w, stride=3)
    np.testing.assert_array_equal(conv_transpose2d(x, w, stride=3, padding=1), full[..., 1:6, 1:6])
    extended = conv_transpose2d(x, w, stride=3, output_padding=2)
    assert extended.shape == (1, 1, 9, 9)
    np.testing.assert_array_equal(extended[..., :7, :7], full)
    np.testing.assert_array_equal(extended[..., 7:, :], 0.0)


def test_loops_equal_fast(rng, im2col_layout, loops_agree):
    """Loop and scatter versions agree, forward and backward, on random calls (every layout)."""
    for _ in range(25):
        x_shape, w_shape, kwargs = random_case(rng)
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        loops_agree((conv_transpose2d, conv_transpose2d_backward),
                    (conv_transpose2d_loops, conv_transpose2d_backward_loops),
                    x, w, rng.standard_normal(w_shape[1] * kwargs["groups"]), **kwargs)


@pytest.mark.parametrize("seed", range(6))
def test_numerical_gradients(seed):
    """Analytic dx, dw, db match centered differences (float64, rel_error < 1e-7)."""
    rng = np.random.default_rng(100 + seed)
    x_shape, w_shape, kwargs = random_case(rng)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[1] * kwargs["groups"])
    dout = rng.standard_normal(conv_transpose2d(x, w, b, **kwargs).shape)
    dx, dw, db = conv_transpose2d_backward(dout, x, w, **kwargs)
    h = 1e-3   # linear in each argument: no truncation error, less rounding error
    assert rel_error(dx, numerical_gradient(lambda v: conv_transpose2d(v, w, b, **kwargs),
                                            x, dout, h)) < 1e-7
    assert rel_error(dw, numerical_gradient(lambda v: conv_transpose2d(x, v, b, **kwargs),
                                            w, dout, h)) < 1e-7
    assert rel_error(db, numerical_gradient(lambda v: conv_transpose2d(x, w, v, **kwargs),
                                            b, dout, h)) < 1e-7


@pytest.mark.parametrize(
    "stride, padding, dilation, groups",
    [(1, 0, 1, 1), (2, 1, 1, 1), (3, 2, 2, 1), ((2, 1), (0, 1), (1, 2), 2), (2, 0, 1, 4)],
)
def test_adjoint_of_conv2d(rng, stride, padding, dilation, groups):
    """<conv2d(x, w), y> = <x, conv_transpose2d(y, w)>, and the latter is conv2d's dx."""
    x = rng.standard_normal((2, 4, 9, 8))
    w = rng.standard_normal((4, 4 // groups, 3, 2))
    conv_args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    y = rng.standard_normal(conv2d(x, w, **conv_args).shape)
    # output_padding recovers the input rows a strided conv2d skipped at the end
    strides, pads, dils = (np.broadcast_to(v, 2) for v in (stride, padding, dilation))
    output_padding = tuple(
        int((size + 2 * p - d * (k - 1) - 1) % s)
        for size, k, s, p, d in zip(x.shape[2:], w.shape[2:], strides, pads, dils))
    back = conv_transpose2d(y, w, output_padding=output_padding, **conv_args)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.vdot(conv2d(x, w, **conv_args), y), np.vdot(x, back),
                               rtol=1e-10)
    np.testing.assert_allclose(back, conv2d_backward(y, x, w, **conv_args)[0], rtol=1e-10,
                               atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch(agrees_with_torch, rng, dtype):
    """Output and all three gradients agree with PyTorch relative to their scale."""
    cases = [random_case(rng, max_size=6) for _ in range(30)] + [
        ((1, 2, 2, 2), (2, 3, 4, 4), dict(stride=3)),                         # the seed's case
        ((2, 2, 3, 3), (2, 1, 2, 2), dict(stride=4, output_padding=3)),        # stride > kernel
        ((1, 2, 3, 4), (2, 2, 3, 3), dict(dilation=3, output_padding=2)),      # op >= stride
    ]
    for x_shape, w_shape, kwargs in cases:
        x = rng.standard_normal(x_shape).astype(dtype)
        w = rng.standard_normal(w_shape).astype(dtype)
        b = rng.standard_normal(w_shape[1] * kwargs.get("groups", 1)).astype(dtype)
        agrees_with_torch("conv_transpose2d", conv_transpose2d, conv_transpose2d_backward, x, w, b, **kwargs)


def test_output_size_matches_formula(rng):
    """The output shape is conv_transpose_output_size of the input size."""
    for _ in range(20):
        x_shape, w_shape, kwargs = random_case(rng)
        out = conv_transpose2d(np.zeros(x_shape), np.zeros(w_shape), **kwargs)
        assert out.shape[1] == w_shape[1] * kwargs["groups"]
        assert out.shape[2:] == conv_transpose_output_size(
            x_shape[2:], w_shape[2:], kwargs["stride"], kwargs["padding"],
            kwargs["output_padding"], kwargs["dilation"])


@pytest.mark.parametrize("op", [conv_transpose2d, conv_transpose2d_loops])
def test_dtypes(op):
    """float32 stays float32; float64, ints and mixtures give float64."""
    x, w = np.ones((1, 2, 3, 3)), np.ones((2, 3, 2, 2))
    f32 = np.float32
    assert op(x.astype(f32), w.astype(f32), np.zeros(3, f32)).dtype == f32
    assert op(x.astype(f32), w).dtype == np.float64
    assert op(x.astype(int), w.astype(int)).dtype == np.float64
    for grad in conv_transpose2d_backward(np.ones((1, 3, 4, 4), f32), x.astype(f32),
                                          w.astype(f32)):
        assert grad.dtype == f32


X = np.ones((2, 4, 3, 3))
W = np.ones((4, 2, 3, 3))


@pytest.mark.parametrize("op", [conv_transpose2d, conv_transpose2d_loops])
@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((X[0], W), {}, ValueError, r"x must be 4-D \(N, C_in, H, W\), got a 3-D array"),
        ((X, W[0]), {}, ValueError, r"w must be 4-D \(C_in, C_out/groups, kH, kW\)"),
        ((X, np.ones((3, 2, 3, 3))), {}, ValueError,
         r"x has 4 channels but w expects 3 \(w.shape = \(3, 2, 3, 3\)"),
        ((X, W), dict(groups=3), ValueError, r"groups=3 must divide the channels of x"),
        ((X, W), dict(stride=0), ValueError, r"stride must be positive, got 0"),
        ((X, W), dict(dilation=0), ValueError, r"dilation must be positive, got 0"),
        ((X, W), dict(padding=-1), ValueError, r"padding must be non-negative"),
        ((X, W), dict(padding="same"), TypeError, r"padding must be an int or a pair of ints"),
        ((X, W), dict(output_padding=-1), ValueError, r"output_padding must be non-negative"),
        ((X, W), dict(stride=2, output_padding=2), ValueError,
         r"output_padding must be smaller than stride or dilation along the height, got "
         r"output_padding=2 with stride=2 and dilation=1; x.shape = \(2, 4, 3, 3\)"),
        ((X, W), dict(padding=3), ValueError,
         r"padding=3 removes the whole output along the height: .* = 5 \(size=3, "
         r"kernel_size=3, .*\) and 2\*padding = 6 of it is cut off"),
        ((X, W, np.ones(4)), {}, ValueError, r"b must have shape \(2,\) .*got shape \(4,\)"),
    ],
)
def test_bad_input(op, args, kwargs, error, match):
    """Every bad argument raises, naming the function and the argument."""
    with pytest.raises(error, match=op.__name__ + ": " + match):
        op(*args, **kwargs)


@pytest.mark.parametrize("op", [conv_transpose2d_backward, conv_transpose2d_backward_loops])
def test_backward_rejects_dout_of_the_wrong_shape(op):
    """dout must be shaped like the forward's output, (N, C_out, OH, OW)."""
    with pytest.raises(ValueError, match=op.__name__ + r": dout must have the forward output's "
                                          r"shape \(N, C_out, OH, OW\) = \(2, 2, 5, 5\), "
                                          r"got \(2, 2, 3, 3\)"):
        op(np.ones((2, 2, 3, 3)), X, W)


def test_empty_batch():
    """N = 0 gives an empty output and zero weight/bias gradients, as in PyTorch."""
    x, w = np.zeros((0, 2, 3, 3)), np.ones((2, 4, 3, 3))
    assert conv_transpose2d(x, w, stride=2).shape == (0, 4, 7, 7)
    dx, dw, db = conv_transpose2d_backward(np.zeros((0, 4, 7, 7)), x, w, stride=2)
    assert dx.shape == x.shape
    np.testing.assert_array_equal(dw, np.zeros_like(w))
    np.testing.assert_array_equal(db, np.zeros(4))
