"""Does shift_images move images with zero fill (as torch.roll followed by zeroing the wrapped border)?"""

import numpy as np
import pytest

import cnnkit.nn as nn


def _by_index(images, dy, dx):
    """The definition, entry by entry: out[.., i, j] = x[.., i - dy, j - dx] where that exists, else 0."""
    out = np.zeros_like(images)
    height, width = images.shape[2:]
    for i in range(height):
        for j in range(width):
            if 0 <= i - dy < height and 0 <= j - dx < width:
                out[:, :, i, j] = images[:, :, i - dy, j - dx]
    return out


SHIFTS = [(0, 0), (1, 0), (0, 1), (-1, 2), (2, -1), (-2, -2), (6, 0), (0, -8)]


@pytest.mark.parametrize("dy, dx", SHIFTS)
def test_shift_matches_the_definition(rng, dy, dx):
    images = rng.standard_normal((3, 2, 7, 9))
    np.testing.assert_array_equal(nn.shift_images(images, dy, dx), _by_index(images, dy, dx))


@pytest.mark.parametrize("dy, dx", [(1, 0), (-2, 1), (0, -3)])
def test_shift_matches_torch_roll_with_the_wrapped_border_zeroed(torch, rng, dy, dx):
    """A peer: torch.roll moves the image the same way but wraps; zeroing what wrapped gives the shift."""
    images = rng.standard_normal((2, 1, 6, 8))
    rolled = torch.roll(torch.tensor(images), shifts=(dy, dx), dims=(2, 3)).numpy()
    rows, cols = np.arange(6)[:, None] - dy, np.arange(8)[None, :] - dx
    inside = (rows >= 0) & (rows < 6) & (cols >= 0) & (cols < 8)
    np.testing.assert_array_equal(nn.shift_images(images, dy, dx), np.where(inside, rolled, 0))


def test_shift_keeps_dtype_and_leaves_the_input_alone():
    images = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    before = images.copy()
    out = nn.shift_images(images, 1, -1)
    assert out.dtype == np.float32 and out is not images
    np.testing.assert_array_equal(images, before)
    assert nn.shift_images(images.astype(np.int64), 0, 1).dtype == np.int64


@pytest.mark.parametrize("args, error, message", [
    ((np.ones((4, 4)), 1, 0), ValueError, r"images must have shape \(N, C, H, W\), got shape \(4, 4\)"),
    ((np.ones((1, 1, 4, 5)), 4, 0), ValueError, r"\|dy\| < 4\), got 4"),
    ((np.ones((1, 1, 4, 5)), 0, -5), ValueError, r"\|dx\| < 5\), got -5"),
    ((np.ones((1, 1, 4, 5)), 1.5, 0), TypeError, r"dy must be an integer number of pixels, got 1.5"),
])
def test_bad_arguments_name_the_argument_expected_and_given(args, error, message):
    with pytest.raises(error, match="shift_images: .*" + message):
        nn.shift_images(*args)


def test_random_shifts_moves_each_image_by_its_own_seeded_shift(rng):
    """Is every image one of the (2k+1)^2 shifts of itself, several shifts used, and the run reproducible?"""
    images = rng.random((40, 1, 8, 8))
    out = nn.random_shifts(images, max_shift=1, rng=5)
    np.testing.assert_array_equal(out, nn.random_shifts(images, max_shift=1, rng=5))
    used = set()
    for image, moved in zip(images, out):
        matches = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                   if np.array_equal(nn.shift_images(image[None], dy, dx)[0], moved)]
        assert matches, "an image is not a shift of itself by at most one pixel"
        used.add(matches[0])
    assert len(used) >= 5
    np.testing.assert_array_equal(nn.random_shifts(images, max_shift=0, rng=5), images)
    with pytest.raises(ValueError, match="random_shifts: max_shift must be an integer >= 0, got -1"):
        nn.random_shifts(images, max_shift=-1)
