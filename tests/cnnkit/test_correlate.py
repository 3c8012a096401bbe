"""corr2d / convolve2d: hand examples, loops == fast, scipy.signal's three modes, bad input."""

import numpy as np
import pytest

from cnnkit.correlate import convolve2d, corr2d, corr2d_loops

MODES = ("valid", "same", "full")


def test_vertical_edge_6x6_by_hand():
    """A bright-left/dark-right 6x6 image and a [1, 0, -1] edge kernel give 30 on the edge."""
    x = np.zeros((6, 6))
    x[:, :3] = 10.0
    k = np.array([[1.0, 0.0, -1.0]] * 3)
    # each window straddling the edge sees 3 rows of (10 - 0) in its first column: 30
    expected = np.array([[0.0, 30.0, 30.0, 0.0]] * 4)
    np.testing.assert_array_equal(corr2d(x, k), expected)
    np.testing.assert_array_equal(corr2d_loops(x, k), expected)


def test_flip_separates_correlation_from_convolution():
    """With a corner kernel, correlation gives x[i,j] - x[i+2,j+2]; convolution the opposite."""
    x = np.arange(36.0).reshape(6, 6)
    k = np.zeros((3, 3))
    k[0, 0], k[2, 2] = 1.0, -1.0
    # x[i, j] - x[i + 2, j + 2] = -(2 * 6 + 2) = -14 everywhere
    np.testing.assert_array_equal(corr2d(x, k), np.full((4, 4), -14.0))
    np.testing.assert_array_equal(convolve2d(x, k), np.full((4, 4), 14.0))


def test_96_by_8_gives_89():
    """The seed's 96x96 image with an 8x8 feature: 89x89 outputs, each summing 64 ones."""
    out = corr2d(np.ones((96, 96)), np.ones((8, 8)))
    assert out.shape == (89, 89)
    np.testing.assert_array_equal(out, 64.0)


def test_full_and_same_by_hand():
    """1-row example: 'full' sees partial overlaps at both ends, 'same' keeps the centre."""
    x = np.array([[1.0, 2.0, 3.0]])
    k = np.array([[1.0, 10.0]])
    np.testing.assert_array_equal(corr2d(x, k, "full"), [[10.0, 21.0, 32.0, 3.0]])
    np.testing.assert_array_equal(corr2d(x, k, "same"), [[21.0, 32.0, 3.0]])
    np.testing.assert_array_equal(convolve2d(x, k, "full"), [[1.0, 12.0, 23.0, 30.0]])
    np.testing.assert_array_equal(convolve2d(x, k, "same"), [[1.0, 12.0, 23.0]])


def _random_cases(rng, count=40):
    for _ in range(count):
        h, w, kh, kw = rng.integers(1, 8, size=4)
        for mode in MODES:
            if mode == "valid" and (kh > h or kw > w):
                continue
            yield rng.standard_normal((h, w)), rng.standard_normal((kh, kw)), mode


def test_loops_equal_fast(rng):
    """The loop version and the im2col version agree on random shapes in every mode."""
    for x, k, mode in _random_cases(rng):
        np.testing.assert_allclose(corr2d(x, k, mode), corr2d_loops(x, k, mode),
                                   rtol=1e-12, atol=1e-12)


def test_matches_scipy_in_all_modes(rng):
    """Same numbers and shapes as scipy.signal, including even kernels and kernels larger than x."""
    signal = pytest.importorskip("scipy.signal", reason="scipy.signal is the reference peer")
    for x, k, mode in _random_cases(rng, count=80):
        for ours, theirs in ((corr2d, signal.correlate2d), (convolve2d, signal.convolve2d)):
            expected = theirs(x, k, mode)
            got = ours(x, k, mode)
            assert got.shape == expected.shape, (ours.__name__, mode, x.shape, k.shape)
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", [corr2d, convolve2d, corr2d_loops])
def test_dtypes(op):
    """float32 stays float32, float64 stays float64, ints and mixtures give float64."""
    x = np.arange(20).reshape(4, 5)
    k = np.ones((2, 2))
    assert op(x.astype(np.float32), k.astype(np.float32)).dtype == np.float32
    assert op(x.astype(np.float64), k).dtype == np.float64
    assert op(x.astype(np.float32), k).dtype == np.float64
    assert op(x, k.astype(np.int64)).dtype == np.float64


@pytest.mark.parametrize("op", [corr2d, convolve2d, corr2d_loops])
@pytest.mark.parametrize(
    "x, k, mode, error, match",
    [
        (np.ones((1, 4, 4)), np.ones((2, 2)), "valid", ValueError, r"x must be 2-D .*3-D"),
        (np.ones((4, 4)), np.ones(3), "valid", ValueError, r"k must be 2-D .*1-D"),
        (np.ones((4, 4)), np.ones((2, 2)), "middle", ValueError, r"mode must be one of .*'middle'"),
        (np.ones((3, 4)), np.ones((4, 2)), "valid", ValueError,
         r"the window does not fit along the height: .* = 4 cells .* the 3 cells .*; "
         r"mode='valid', x.shape = \(3, 4\), k.shape = \(4, 2\)"),
        (np.ones((0, 4)), np.ones((1, 1)), "full", ValueError, r"x must not be empty"),
        (np.ones((4, 4)), "kernel", "valid", TypeError, r"k must be a numpy array"),
    ],
)
def test_bad_input(op, x, k, mode, error, match):
    """Bad input raises, naming the function and the argument."""
    with pytest.raises(error, match=op.__name__ + ": " + match):
        op(x, k, mode)
