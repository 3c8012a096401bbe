"""Does the channel-mixing explorer apply the slider matrix at every pixel and judge conv1x1 fairly?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

from cnnkit.widgets.channel_mixing import ChannelMixingExplorer  # noqa: E402


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


def test_missing_and_bad_arguments():
    """None -> missing; out_channels outside 1..3 is refused with a clear message."""
    assert ChannelMixingExplorer(None).status_kind == "missing"
    with pytest.raises(ValueError, match="out_channels must be 1, 2 or 3"):
        ChannelMixingExplorer(None, out_channels=4)
