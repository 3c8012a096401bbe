"""locally_connected2d and its backward: shared weights = conv2d, loops == fast, gradients, PyTorch, bad input."""

import numpy as np
import pytest

from cnnkit.conv import conv2d
from cnnkit.gradcheck import numerical_gradient, rel_error
from cnnkit.locally_connected import (locally_connected2d, locally_connected2d_backward,
                                      locally_connected2d_backward_loops, locally_connected2d_loops)
from cnnkit.sizes import conv_output_size


def random_case(rng, max_size=7):
    """Arrays ``x, w, b`` and keyword arguments of a random valid call."""
    kernel = tuple(int(k) for k in rng.integers(1, 4, size=2))
    stride = tuple(int(s) for s in rng.integers(1, 4, size=2))
    padding = tuple(int(p) for p in rng.integers(0, 2, size=2))
    size = tuple(int(rng.integers(max(1, k - 2 * p), max_size + 1)) for k, p in zip(kernel, padding))
    n_batch, channels, filters = (int(v) for v in rng.integers(1, 4, size=3))
    oh, ow = conv_output_size(size, kernel, stride, padding)
    x = rng.standard_normal((n_batch, channels, *size))
    w = rng.standard_normal((oh, ow, filters, channels, *kernel))
    return x, w, rng.standard_normal((filters, oh, ow)), dict(stride=stride, padding=padding)


def torch_locally_connected(torch, x, w, b, stride, padding):
    """The same layer in PyTorch: unfold the windows, one product per position."""
    oh, ow, filters = w.shape[:3]
    cols = torch.nn.functional.unfold(x, w.shape[4:], stride=stride, padding=padding)  # (N, K, L)
    out = torch.einsum("nkl,lfk->nfl", cols, w.reshape(oh * ow, filters, -1))
    return out.reshape(x.shape[0], filters, oh, ow) + b


def test_each_position_uses_its_own_filter():
    """On ones, output (i, j) is the sum of w[i, j]: positions do not share weights."""
    w = np.arange(2 * 2 * 1 * 1 * 2 * 2, dtype=float).reshape(2, 2, 1, 1, 2, 2)
    out = locally_connected2d(np.ones((1, 1, 3, 3)), w)
    np.testing.assert_array_equal(out[0, 0], w.sum(axis=(2, 3, 4, 5)))


def test_shared_weights_give_conv2d(rng):
    """When every position holds the same filter bank, the layer is a convolution."""
    for _ in range(5):
        x, w, _, kwargs = random_case(rng)
        shared = np.broadcast_to(w[0, 0], w.shape)
        np.testing.assert_allclose(locally_connected2d(x, shared, **kwargs),
                                   conv2d(x, w[0, 0], **kwargs), atol=1e-12)


def test_loops_equal_fast(rng):
    """Loop and vectorised versions agree, forward and backward, on random calls."""
    for _ in range(15):
        x, w, b, kwargs = random_case(rng)
        out = locally_connected2d(x, w, b, **kwargs)
        np.testing.assert_allclose(out, locally_connected2d_loops(x, w, b, **kwargs), atol=1e-12)
        dout = rng.standard_normal(out.shape)
        for got, expected in zip(locally_connected2d_backward(dout, x, w, **kwargs),
                                 locally_connected2d_backward_loops(dout, x, w, **kwargs)):
            np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_numerical_gradients(seed):
    """Analytic dx, dw, db match centered differences."""
    rng = np.random.default_rng(seed)
    x, w, b, kwargs = random_case(rng, max_size=5)
    dout = rng.standard_normal(locally_connected2d(x, w, b, **kwargs).shape)
    grads = locally_connected2d_backward(dout, x, w, **kwargs)
    numeric = [numerical_gradient(lambda v: locally_connected2d(v, w, b, **kwargs), x, dout, 1e-3),
               numerical_gradient(lambda v: locally_connected2d(x, v, b, **kwargs), w, dout, 1e-3),
               numerical_gradient(lambda v: locally_connected2d(x, w, v, **kwargs), b, dout, 1e-3)]
    for name, analytic, approx in zip(("dx", "dw", "db"), grads, numeric):
        assert rel_error(analytic, approx) < 1e-7, name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch(torch, assert_matches, rng, dtype):
    """Output and gradients agree with an unfold-based PyTorch formula run through autograd."""
    cases = [random_case(rng) for _ in range(15)]
    for kernel, stride, padding in [((5, 4), 1, 0), ((1, 1), 1, 0), ((2, 3), (3, 4), (1, 1)),
                                    ((3, 3), 1, 1)]:   # kernel = input, 1x1, stride > kernel
        size = (5, 4)
        oh, ow = conv_output_size(size, kernel, stride, padding)
        cases.append((rng.standard_normal((2, 3, *size)), rng.standard_normal((oh, ow, 2, 3, *kernel)),
                      rng.standard_normal((2, oh, ow)), dict(stride=stride, padding=padding)))
    for x, w, b, kwargs in cases:
        x, w, b = (a.astype(dtype) for a in (x, w, b))
        out = locally_connected2d(x, w, b, **kwargs)
        dout = rng.standard_normal(out.shape).astype(dtype)
        tensors = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        theirs = torch_locally_connected(torch, *tensors, **kwargs)
        theirs.backward(torch.tensor(dout))
        expected = [theirs.detach().numpy()] + [t.grad.numpy() for t in tensors]
        ours = [out, *locally_connected2d_backward(dout, x, w, **kwargs)]
        for name, got, wanted in zip(("out", "dx", "dw", "db"), ours, expected):
            assert_matches(got, wanted, dtype, f"{name} of x {x.shape}, w {w.shape}, {kwargs}")


@pytest.mark.parametrize("op", [locally_connected2d, locally_connected2d_loops])
def test_dtypes(op):
    """float32 stays float32; float64 and mixtures give float64."""
    x, w, f32 = np.ones((1, 2, 3, 3)), np.ones((2, 2, 1, 2, 2, 2)), np.float32
    assert op(x.astype(f32), w.astype(f32), np.zeros((1, 2, 2), f32)).dtype == f32
    assert op(x.astype(f32), w.astype(f32), np.zeros((1, 2, 2))).dtype == np.float64
    for grad in locally_connected2d_backward(np.ones((1, 1, 2, 2), f32), x.astype(f32),
                                             w.astype(f32)):
        assert grad.dtype == f32


X = np.ones((2, 3, 5, 5))
W = np.ones((3, 3, 4, 3, 3, 3))    # 3x3 kernel, 5x5 input: 3x3 positions


@pytest.mark.parametrize("op", [locally_connected2d, locally_connected2d_loops])
@pytest.mark.parametrize("args, kwargs, error, match", [
    ((X[0], W), {}, ValueError, r"x must be 4-D \(N, C, H, W\), got a 3-D array"),
    ((X, W[0]), {}, ValueError, r"w must be 6-D \(OH, OW, F, C, KH, KW\), got a 5-D array"),
    ((X, np.ones((3, 3, 4, 2, 3, 3))), {}, ValueError, r"x has 3 channels but w expects 2"),
    ((X, W), dict(padding=1), ValueError,
     r"w must have one filter bank per output position, shape \(OH, OW, ...\) = \(5, 5\) .* "
     r"got w.shape\[:2\] = \(3, 3\)"),
    ((X, np.ones((1, 1, 4, 3, 6, 3))), {}, ValueError,
     r"the window does not fit along the height: it spans d\*\(k-1\)\+1 = 6 cells"),
    ((X, W, np.ones(4)), {}, ValueError,
     r"b must have shape \(F, OH, OW\) = \(4, 3, 3\) .*got shape \(4,\)"),
    ((X, W), dict(stride=0), ValueError, r"stride must be positive, got 0"),
    ((X, W), dict(padding=(0, 1, 0)), TypeError, r"padding must be an int or a pair of ints"),
    (("x", W), {}, TypeError, r"x must be a numpy array, got str"),
])
def test_bad_input(op, args, kwargs, error, match):
    """Every bad argument raises, naming the function, the argument, what was expected and given."""
    with pytest.raises(error, match=op.__name__ + ": " + match):
        op(*args, **kwargs)


@pytest.mark.parametrize("op", [locally_connected2d_backward, locally_connected2d_backward_loops])
def test_backward_rejects_dout_of_the_wrong_shape(op):
    """dout must be shaped like the forward's output (N, F, OH, OW)."""
    with pytest.raises(ValueError, match=op.__name__ + r": dout must have the forward output's "
                       r"shape \(N, F, OH, OW\) = \(2, 4, 3, 3\), got \(2, 4, 3\)"):
        op(np.ones((2, 4, 3)), X, W)


def test_empty_batch():
    """N = 0 gives an empty output and zero weight and bias gradients."""
    x = np.zeros((0, 3, 5, 5))
    assert locally_connected2d(x, W).shape == (0, 4, 3, 3)
    dx, dw, db = locally_connected2d_backward(np.zeros((0, 4, 3, 3)), x, W)
    assert dx.shape == x.shape and not dw.any() and not db.any()
