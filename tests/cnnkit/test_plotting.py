"""Do the chapter figures draw what they claim (cells, windows, coverage counts) without a display?"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnkit.plotting import grids, images  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draw_matrix_writes_every_number_row_by_row():
    figure, ax = plt.subplots()
    grids.draw_matrix(ax, np.array([[1, 2.5], [-3, 4]]))
    assert _texts(ax) == ["1", "2.5", "-3", "4"]


def test_window_coverage_counts_by_hand():
    """i=6, k=3, s=1: corners read once, the middle four cells three times per axis."""
    np.testing.assert_array_equal(grids.window_coverage(6, 3), [1, 2, 3, 3, 2, 1])
    # i=8, k=3, s=2: windows at 0, 2, 4; the last cell (7) is never read.
    np.testing.assert_array_equal(grids.window_coverage(8, 3, stride=2), [1, 1, 2, 1, 2, 1, 1, 0])
    # padding 1, dilation 2: padded cells [P, x0, x1, x2, P], windows read {0, 2}, {1, 3}, {2, 4}.
    np.testing.assert_array_equal(grids.window_coverage(3, 2, padding=1, dilation=2), [1, 1, 2, 1, 1])


def test_window_coverage_agrees_with_conv_output_size():
    """The number of windows implied by the coverage of a 1-wide kernel is the output size."""
    import cnnkit

    for size, k, s, p, d in [(7, 3, 2, 1, 1), (10, 3, 3, 0, 2), (5, 5, 1, 2, 1)]:
        cover = grids.window_coverage(size, k, s, p, d)
        assert cover.sum() == k * cnnkit.conv_output_size(size, k, stride=s, padding=p, dilation=d)


def test_sliding_window_title_shows_the_sum_of_products():
    """Classic 5x5 binary image with the X kernel: output[0, 1] = 3."""
    x = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
    k = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    figure = grids.show_sliding_window(x, k, 0, 1, output=np.zeros((3, 3)))
    assert figure.axes[2].get_title() == "output[0, 1] = 3"
    with pytest.raises(ValueError, match="outside the 3x3 output"):
        grids.show_sliding_window(x, k, 3, 0)


def test_padded_windows_title_counts_windows():
    figure = grids.show_padded_windows(5, 3, stride=2, padding=1)
    assert "3x3 windows" in figure.axes[0].get_title()
    # 7x7 padded grid: one number per cell
    assert len(figure.axes[0].texts) == 49


def test_pooling_picture_and_bad_mode():
    x = np.arange(16.0).reshape(4, 4)
    figure = grids.show_pooling(x, 2, 2, np.array([[5.0, 7.0], [13.0, 15.0]]), yours=np.zeros((2, 2)))
    assert len(figure.axes) == 3 and _texts(figure.axes[1]) == ["5", "7", "13", "15"]
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
        grids.show_pooling(x, 2, 2, x, mode="sum")


def test_image_helpers_make_the_promised_panels():
    rgb = np.random.default_rng(0).integers(0, 256, size=(6, 5, 3)).astype(float)
    assert len(images.show_channels(rgb).axes) == 5  # 4 panels + a colour bar
    assert len(images.show_row([rgb[:, :, 0], rgb], ["a", "b"]).axes) == 2
    with pytest.raises(ValueError, match="got 2 images but 1 titles"):
        images.show_row([rgb, rgb], ["only one"])
    with pytest.raises(ValueError, match="shape \\(H, W, 3\\)"):
        images.show_channels(rgb[:, :, 0])


def _brightness(rgba):
    return 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2]


@pytest.mark.parametrize("cmap", ["gray", "Greys"])
def test_a_larger_number_is_a_brighter_cell_and_every_number_stays_readable(cmap):
    """The letter T (255 around, 20 on the letter): is the background bright and the letter dark?"""
    from cnnkit.plotting import backprop

    letter = np.full((3, 3), 255.0)
    letter[0] = letter[:, 1] = 20.0
    figure, (left, right) = plt.subplots(1, 2)
    grids.draw_matrix(left, letter, cmap=cmap)
    backprop.draw_grid(right, letter, cmap=cmap)
    for ax in (left, right):
        image = ax.images[0]
        bright, dark = (_brightness(image.cmap(image.norm(v))) for v in (255.0, 20.0))
        assert bright > 0.95 and 0.2 < dark < 0.45, (bright, dark)
        colors = {t.get_text(): t.get_color() for t in ax.texts}
        assert colors["255"] == "black" and colors["20"] == "white"


def test_text_colour_follows_the_cell_colour():
    """White on dark cells, black on light ones, for any colour map (here a symmetric kernel)."""
    figure, ax = plt.subplots()
    grids.draw_matrix(ax, np.array([[-1.0, 0.0, 1.0]]), cmap="coolwarm", symmetric=True)
    assert [t.get_color() for t in ax.texts] == ["white", "black", "white"]
    assert grids.text_color((0.1, 0.1, 0.1)) == "white" and grids.text_color((0.9, 0.9, 0.8)) == "black"


def test_a_fixed_display_range_clips_instead_of_stretching():
    """With limits=(0, 255), is a sharpened map that overshoots clipped, on the same scale as the photo?"""
    figure = images.show_row([np.array([[0.0, 255.0]]), np.array([[-40.0, 300.0]])], limits=(0, 255))
    for ax in figure.axes:
        assert ax.images[0].get_clim() == (0, 255)
    figure = images.show_row([np.array([[-40.0, 300.0]])])
    assert figure.axes[0].images[0].get_clim() == (-40.0, 300.0)


def test_kernel_volume_counts_the_weights_and_checks_the_position():
    """Does the volume picture state C_in*k*k weights and the output size, and refuse a window outside?"""
    from cnnkit.plotting import volumes

    figure = volumes.show_kernel_volume(in_channels=4, size=7, kernel_size=3, out_channels=5, position=(0, 4))
    ax = figure.axes[0]
    assert "its 36 weights" in ax.get_title()
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "input: 4 x 7 x 7" in texts and "5 output maps, 5 x 5" in texts and "one kernel: 4 x 3 x 3" in texts
    with pytest.raises(ValueError, match="position inside the 4x4 output"):
        volumes.show_kernel_volume(position=(4, 0))
