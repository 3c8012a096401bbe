"""Do the gradient grids (chapters 04-06) write every number readably, whatever the colour map?"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnkit.plotting.backprop import draw_grid, plot_grids  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _colours(ax):
    return {t.get_text(): t.get_color() for t in ax.texts}


def test_gray_map_draws_large_values_bright_with_dark_text():
    """With "gray" the largest value is a white cell written in black, the smallest a black cell in white."""
    figure, ax = plt.subplots()
    image = draw_grid(ax, [[0.0, 9.0]], cmap="gray")
    assert image.to_rgba(9.0)[:3] == pytest.approx((1.0, 1.0, 1.0))
    assert _colours(ax) == {"0": "white", "9": "black"}


def test_sequential_maps_keep_white_text_on_their_dark_end():
    """With "Blues" (large = dark blue) the large value is written in white, the small one in black."""
    figure, ax = plt.subplots()
    draw_grid(ax, [[0.0, 9.0]], cmap="Blues")
    assert _colours(ax) == {"0": "black", "9": "white"}


def test_minus_infinity_is_written_and_framed_cells_counted():
    """A -inf cell (max-pool padding) is written as -inf; highlights frame exactly the masked cells."""
    figure = plot_grids([np.array([[-np.inf, 1.0], [2.0, 3.0]])], ["x"], highlights=[np.eye(2) > 0], cmaps=["gray"])
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.texts] == ["-inf", "1", "2", "3"]
    assert len(ax.patches) == 2
