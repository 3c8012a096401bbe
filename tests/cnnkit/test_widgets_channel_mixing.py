"""Does the channel-mixing explorer apply the slider matrix at every pixel and judge conv1x1 fairly?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

from cnnkit.widgets.channel_mixing import ChannelMixingExplorer, output_colormap  # noqa: E402


def conv1x1_matmul(x, w, b=None):
    n, c, h, width = x.shape
    out = (w @ x.reshape(n, c, h * width)).reshape(n, w.shape[0], h, width)
    return out if b is None else out + b[None, :, None, None]


def conv1x1_transposed(x, w, b=None):
    """A classic mistake: multiply by w.T (only runs when C_out == C_in)."""
    return conv1x1_matmul(x, w.T, b)


def test_sliders_set_the_matrix_and_the_probe_pixel_is_k_times_x():
    """Selecting only red in output 0 copies the red channel; the probe value is K @ x[:, row, col]."""
    explorer = ChannelMixingExplorer(conv1x1_matmul)
    for i, value in enumerate((1.0, 0.0, 0.0)):
        explorer.controls[f"w0{i}"].value = value
    explorer.controls["row"].value = 10
    explorer.controls["col"].value = 20
    assert explorer.status_kind == "ok"
    np.testing.assert_allclose(explorer.student_output[0, 0], explorer.x[0, 0])
    np.testing.assert_allclose(explorer.pixel_result, explorer.weights @ explorer.x[0, :, 10, 20])
    assert explorer.pixel_result[0] == pytest.approx(explorer.x[0, 0, 10, 20])
    assert f"{explorer.x[0, 0, 10, 20]:.3f}" in explorer.status.value


def test_transposed_weights_are_caught_with_a_square_grid():
    """With three outputs the transposed matrix runs but differs; with two it raises (error)."""
    square = ChannelMixingExplorer(conv1x1_transposed, out_channels=3)
    assert square.status_kind == "differs"
    assert "first mismatch" in square.status.value
    assert ChannelMixingExplorer(conv1x1_transposed, out_channels=2).status_kind == "error"


def conv1x1_reshape_ignores_batch(x, w, b=None):
    """A classic axis bug: every pixel of every image as one column, right only for a batch of one."""
    n, c, h, width = x.shape
    return (w @ x.reshape(c, -1)).reshape(n, w.shape[0], h, width)


def test_batch_axis_bug_is_caught_because_the_batch_holds_two_images():
    """The explorer runs on (photo, mirror image); a bug invisible with N = 1 shows as "differs"."""
    explorer = ChannelMixingExplorer(conv1x1_reshape_ignores_batch)
    assert explorer.x.shape[0] == 2
    np.testing.assert_array_equal(explorer.x[1], explorer.x[0, :, :, ::-1])
    assert explorer.status_kind == "differs"
    one_image = conv1x1_reshape_ignores_batch(explorer.x[:1], explorer.weights)
    np.testing.assert_allclose(one_image, conv1x1_matmul(explorer.x[:1], explorer.weights))


def test_grey_outputs_are_drawn_in_grey_and_signed_ones_in_a_diverging_map():
    """A (1/3, 1/3, 1/3) row is a grey photo (gray, 0 black); (1, 0, -1) goes negative (RdBu_r about 0)."""
    explorer = ChannelMixingExplorer(conv1x1_matmul)
    with explorer.hold():
        for i in range(3):
            explorer.controls[f"w0{i}"].value = 1 / 3
    figure = explorer._figure(explorer.weights, 10, 20)
    grey, signed = (ax.images[0] for ax in figure.axes[1:3])
    assert grey.get_cmap().name == "gray" and grey.get_clim() == (0.0, 1.0)
    assert signed.get_cmap().name == "RdBu_r"
    low, high = signed.get_clim()
    assert low == -high and high == pytest.approx(np.abs(explorer.student_output[0, 1]).max())


def test_output_colormap_scales():
    """Non-negative channels keep the photo's 0..1 scale unless they exceed it; signed ones are symmetric."""
    assert output_colormap(np.array([[0.0, 0.5]])) == {"cmap": "gray", "vmin": 0.0, "vmax": 1.0}
    assert output_colormap(np.array([[0.0, 2.5]]))["vmax"] == 2.5
    assert output_colormap(np.array([[-0.2, 0.1]])) == {"cmap": "RdBu_r", "vmin": -0.2, "vmax": 0.2}


def test_missing_and_bad_arguments():
    """None -> missing; out_channels outside 1..3 is refused with a clear message."""
    assert ChannelMixingExplorer(None).status_kind == "missing"
    with pytest.raises(ValueError, match="out_channels must be 1, 2 or 3"):
        ChannelMixingExplorer(None, out_channels=4)
