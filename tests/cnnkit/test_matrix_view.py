"""Is conv_matrix the matrix of conv2d, and its transpose the transposed convolution?"""

import numpy as np
import pytest

import cnnkit
from cnnkit.matrix_view import conv_matrix

CASES = [
    # (C_in, H, W), (C_out, C_in, kh, kw), stride, padding, dilation
    ((1, 4, 4), (1, 1, 3, 3), 1, 0, 1),
    ((2, 5, 7), (3, 2, 2, 3), 1, 0, 1),
    ((3, 7, 6), (2, 3, 3, 3), 2, 1, 1),
    ((1, 6, 5), (2, 1, 3, 2), (2, 1), (0, 2), 1),
    ((2, 7, 7), (1, 2, 3, 3), 1, 2, 2),
    ((1, 5, 5), (1, 1, 5, 5), 1, 0, 1),
    ((2, 3, 3), (2, 2, 1, 1), 3, 1, 1),
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", CASES)
def test_matrix_times_input_is_conv2d(x_shape, w_shape, stride, padding, dilation):
    """C @ x.ravel() == conv2d(x).ravel() for channels, stride, padding, dilation, non-square."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    matrix = conv_matrix(x_shape[1:], w, stride=stride, padding=padding, dilation=dilation)
    expected = cnnkit.conv2d(x[None], w, stride=stride, padding=padding, dilation=dilation)
    assert matrix.shape == (expected.size, x.size)
    np.testing.assert_allclose(matrix @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)


def test_two_dimensional_kernel_by_hand():
    """The 3x3 input, 2x2 kernel matrix, written out: each row the kernel shifted by one window."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    expected = np.array([
        [1, 2, 0, 3, 4, 0, 0, 0, 0],
        [0, 1, 2, 0, 3, 4, 0, 0, 0],
        [0, 0, 0, 1, 2, 0, 3, 4, 0],
        [0, 0, 0, 0, 1, 2, 0, 3, 4],
    ], dtype=float)
    np.testing.assert_array_equal(conv_matrix((3, 3), w), expected)


def test_padding_taps_are_dropped():
    """With padding 1 the corner output reads only the 2x2 corner of the input (4 non-zeros)."""
    matrix = conv_matrix((4, 4), np.ones((3, 3)), padding=1)
    assert matrix.shape == (16, 16)
    assert np.count_nonzero(matrix[0]) == 4
    assert np.count_nonzero(matrix[5]) == 9


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (3, 0)])
def test_transpose_is_conv_transpose2d_and_the_input_gradient(stride, padding):
    """C.T @ y == conv_transpose2d(y) (same weights read as IOHW) == dx of conv2d_backward."""
    rng = np.random.default_rng(3)
    c_in, h, k = 2, 7, 3
    w = rng.standard_normal((3, c_in, k, k))
    matrix = conv_matrix((h, h), w, stride=stride, padding=padding)
    ho = (h + 2 * padding - k) // stride + 1
    dout = rng.standard_normal((1, 3, ho, ho))
    back = (matrix.T @ dout.ravel()).reshape(1, c_in, h, h)
    dx, _, _ = cnnkit.conv2d_backward(dout, np.zeros((1, c_in, h, h)), w, stride=stride, padding=padding)
    np.testing.assert_allclose(back, dx, rtol=1e-12, atol=1e-12)
    extra = (h + 2 * padding - k) % stride          # rows no window reached: output_padding gives them back
    up = cnnkit.conv_transpose2d(dout, w, stride=stride, padding=padding, output_padding=extra)
    np.testing.assert_allclose(back, up, rtol=1e-12, atol=1e-12)


def test_matches_torch_conv2d():
    """A real peer: the matrix reproduces torch.nn.functional.conv2d."""
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle (pip install '.[oracle]')")
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 6, 5))
    w = rng.standard_normal((4, 3, 3, 2))
    expected = torch.nn.functional.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w), stride=(2, 1),
                                          padding=1, dilation=(1, 2)).numpy()
    matrix = conv_matrix((6, 5), w, stride=(2, 1), padding=1, dilation=(1, 2))
    np.testing.assert_allclose(matrix @ x.ravel(), expected.ravel(), rtol=1e-10, atol=1e-10)


def test_dtype_follows_the_kernel():
    """float32 kernels give a float32 matrix, integer kernels float64."""
    assert conv_matrix((3, 3), np.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert conv_matrix((3, 3), np.ones((2, 2), dtype=int)).dtype == np.float64


@pytest.mark.parametrize("args, kwargs, error, words", [
    (((3,), np.ones((2, 2))), {}, TypeError, "input_shape must be a pair"),
    (((3, 3), np.ones((2, 2, 2))), {}, ValueError, "w must be 2-D"),
    (((2, 2), np.ones((3, 3))), {}, ValueError,
     "conv_matrix: the window does not fit along the height"),
    (((3, 3), np.ones((2, 2))), {"stride": 0}, ValueError, "stride must be positive"),
    (((3, 3), np.ones((2, 2))), {"padding": -1}, ValueError, "padding must be non-negative"),
    (((3, 3), "kernel"), {}, TypeError, "w must be a numpy array"),
])
def test_bad_arguments_are_named(args, kwargs, error, words):
    """Bad input raises with the function, the argument and what was given."""
    with pytest.raises(error, match=words):
        conv_matrix(*args, **kwargs)
