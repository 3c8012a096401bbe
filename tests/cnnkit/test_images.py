"""Does cnnkit.images load the sample photos as 0..255 floats and convert them to gray correctly?"""

import numpy as np
import pytest

from cnnkit.images import PHOTOS, load_photo, shrink, to_grayscale


def test_grace_hopper_is_the_raw_jpeg_as_floats():
    """The portrait is 600 x 512 x 3, float64, equal to the uint8 pixels matplotlib reads."""
    import matplotlib.cbook as cbook
    import matplotlib.pyplot as plt

    raw = plt.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    photo = load_photo("grace_hopper")
    assert photo.shape == (600, 512, 3) and photo.dtype == np.float64
    np.testing.assert_array_equal(photo, raw.astype(float))


def test_present_drops_alpha_and_stays_in_range():
    """The RGBA drawing becomes RGB on the 0..255 scale (transparent pixels white)."""
    photo = load_photo("present")
    assert photo.shape == (128, 128, 3)
    assert 0.0 <= photo.min() and photo.max() <= 255.0 + 1e-9
    assert photo.max() > 200  # not left on matplotlib's 0..1 scale


def test_gray_and_shrink_options_compose():
    """gray=True gives (H, W); shrink_by=4 averages 4 x 4 blocks."""
    gray = load_photo("grace_hopper", gray=True)
    small = load_photo("grace_hopper", gray=True, shrink_by=4)
    assert gray.shape == (600, 512) and small.shape == (150, 128)
    assert small[3, 5] == pytest.approx(gray[12:16, 20:24].mean())


def test_to_grayscale_by_hand():
    """Pixel (200, 100, 50): 0.299*200 + 0.587*100 + 0.114*50 = 124.2; white stays 255."""
    rgb = np.array([[[200, 100, 50], [255, 255, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(to_grayscale(rgb), [[124.2, 255.0]])


def test_shrink_by_hand_drops_the_incomplete_block():
    """A 5 x 4 ramp shrunk by 2 keeps 2 x 2 block means; the fifth row is dropped."""
    image = np.arange(20.0).reshape(5, 4)
    np.testing.assert_allclose(shrink(image, 2), [[2.5, 4.5], [10.5, 12.5]])


@pytest.mark.parametrize("call, message", [
    (lambda: load_photo("mona_lisa"), "name must be one of"),
    (lambda: to_grayscale(np.zeros((4, 4))), "shape \\(H, W, 3\\)"),
    (lambda: shrink(np.zeros((4, 4)), 0), "factor must be an int >= 1"),
    (lambda: shrink(np.zeros((4, 4)), 5), "larger than the image"),
])
def test_bad_arguments_say_what_was_expected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_every_listed_photo_loads():
    for name in PHOTOS:
        assert load_photo(name, gray=True).ndim == 2
