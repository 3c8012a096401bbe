"""cnnkit.bilinear_kernel: does a transposed convolution with it interpolate bilinearly?"""

import numpy as np
import pytest

import cnnkit
from cnnkit.upsample import bilinear_kernel_loops


def _bilinear_resize(image, factor):
    """Half-pixel bilinear interpolation (as torch's interpolate, align_corners=False), by np.interp per axis."""
    def along(array, axis):
        n = array.shape[axis]
        source = (np.arange(n * factor) + 0.5) / factor - 0.5
        return np.apply_along_axis(lambda line: np.interp(source, np.arange(n), line), axis, array)
    return along(along(image, 0), 1)


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5])
def test_transposed_convolution_with_the_kernel_interpolates_bilinearly_inside(factor, rng):
    """Away from the border, conv_transpose2d(x, bilinear_kernel(f), stride f, padding f // 2) is bilinear resizing."""
    x = rng.standard_normal((6, 7))
    w = cnnkit.bilinear_kernel(factor)
    assert w.shape == (2 * factor - factor % 2,) * 2
    y = cnnkit.conv_transpose2d(x[None, None], w[None, None], stride=factor, padding=factor // 2)[0, 0]
    assert y.shape == (6 * factor, 7 * factor)
    inner = slice(factor, -factor)
    np.testing.assert_allclose(y[inner, inner], _bilinear_resize(x, factor)[inner, inner], atol=1e-12)


@pytest.mark.parametrize("factor", [2, 3, 5])
def test_a_constant_stays_constant_despite_uneven_overlap(factor):
    """Do the weights covering an interior cell add up to 1, even when k is not a multiple of the stride?"""
    y = cnnkit.conv_transpose2d(np.ones((1, 1, 5, 5)), cnnkit.bilinear_kernel(factor)[None, None],
                                stride=factor, padding=factor // 2)[0, 0]
    np.testing.assert_allclose(y[factor:-factor, factor:-factor], 1.0)


@pytest.mark.parametrize("factor", [1, 2, 3, 6])
def test_loops_and_vectorised_agree(factor):
    """Does the readable loop version give the same kernel?"""
    np.testing.assert_allclose(bilinear_kernel_loops(factor), cnnkit.bilinear_kernel(factor), atol=0)


def test_dtype_and_bad_factors():
    """float32 on request; a factor below 1 or not an int is refused by name."""
    assert cnnkit.bilinear_kernel(2, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="bilinear_kernel: factor must be >= 1, got 0"):
        cnnkit.bilinear_kernel(0)
    with pytest.raises(TypeError, match="bilinear_kernel: factor must be an int, got 2.0"):
        cnnkit.bilinear_kernel(2.0)
