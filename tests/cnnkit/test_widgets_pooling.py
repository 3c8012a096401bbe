"""Does the pooling explorer show the winners, the averages and judge the student's pooling fairly?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

import cnnkit  # noqa: E402
from cnnkit.widgets.pooling import PoolingExplorer, sample_feature_map  # noqa: E402


def _reshape_max_pool(x, kernel_size, stride=None, padding=0):
    """A classic mistake: the reshape trick, right only when windows tile the map."""
    n, c, h, w = x.shape
    k = kernel_size
    return x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k).max(axis=(3, 5))


def test_overlapping_max_pooling_winners():
    explorer = PoolingExplorer(cnnkit.max_pool2d, cnnkit.avg_pool2d)
    explorer.controls["kernel_size"].value = 3
    explorer.controls["stride"].value = 1
    assert explorer.status_kind == "ok"
    assert explorer.reference_output.shape == (4, 4) and "overlap" in explorer.explanation.value
    for (i, j), (r, c) in explorer.winners.items():
        assert i <= r < i + 3 and j <= c < j + 3
        assert explorer.x[r, c] == explorer.x[i:i + 3, j:j + 3].max()
    assert explorer.image.value[:4] == b"\x89PNG"


def test_ties_go_to_the_first_maximum_row_by_row():
    explorer = PoolingExplorer(cnnkit.max_pool2d, feature_map=np.array([[0, 5, 5, 1], [5, 2, 0, 5]]))
    assert explorer.winners == {(0, 0): (0, 1), (0, 1): (0, 2)}


def test_average_mode_spells_out_the_mean():
    explorer = PoolingExplorer(None, cnnkit.avg_pool2d, feature_map=np.arange(16.0).reshape(4, 4))
    explorer.controls["mode"].value = "avg"
    assert explorer.status_kind == "ok"
    assert "out[0, 0] = (0 + 1 + 4 + 5) / 4 = 2.5" in explorer.explanation.value
    explorer.controls["mode"].value = "max"
    assert explorer.status_kind == "missing"


def test_reshape_trick_passes_tiling_but_not_overlap():
    explorer = PoolingExplorer(_reshape_max_pool)
    assert explorer.status_kind == "ok"            # 2x2 stride 2 on 6x6 tiles exactly
    explorer.controls["kernel_size"].value = 3
    explorer.controls["stride"].value = 1
    assert explorer.status_kind == "differs"
    assert explorer.student_output.shape == (2, 2)


def test_stride_larger_than_window_is_explained_and_bad_map_rejected():
    explorer = PoolingExplorer(cnnkit.max_pool2d)
    explorer.controls["kernel_size"].value = 1
    explorer.controls["stride"].value = 3
    assert "skip 2 cell(s)" in explorer.explanation.value
    assert sample_feature_map().shape == (6, 6)
    with pytest.raises(ValueError, match="must be 2-D"):
        PoolingExplorer(feature_map=np.zeros((1, 1, 4, 4)))


def _ignores_padding_max_pool(x, kernel_size, stride=None, padding=0):
    """A classic mistake: the padding argument is accepted and ignored."""
    return cnnkit.max_pool2d(x, kernel_size, stride)


def test_padding_slider_pads_with_minus_inf_for_max_and_zero_for_avg():
    """Window 3, stride 1, padding 1 keeps 6x6; padding never wins a max and counts in an average."""
    explorer = PoolingExplorer(cnnkit.max_pool2d, cnnkit.avg_pool2d)
    explorer.controls["kernel_size"].value = 3
    explorer.controls["stride"].value = 1
    explorer.controls["padding"].value = 1
    assert explorer.status_kind == "ok" and explorer.reference_output.shape == (6, 6)
    assert explorer.padded.shape == (8, 8) and np.isneginf(explorer.padded[0]).all()
    assert "-inf padding" in explorer.explanation.value and "never wins" in explorer.explanation.value
    for (i, j), (r, c) in explorer.winners.items():       # unpadded coordinates, inside the map
        assert 0 <= r < 6 and 0 <= c < 6 and explorer.x[r, c] == explorer.reference_output[i, j]
    explorer.controls["mode"].value = "avg"
    assert explorer.status_kind == "ok" and (explorer.padded[0] == 0).all()
    corner = explorer.x[:2, :2].sum() / 9
    assert explorer.reference_output[0, 0] == pytest.approx(corner)
    assert f"/ 9 = {corner:.4g}" in explorer.explanation.value


def test_padding_is_limited_to_half_the_window_and_ignored_padding_differs():
    explorer = PoolingExplorer(_ignores_padding_max_pool)
    assert explorer.controls["padding"].max == 1                 # window 2
    with explorer.hold():                                        # the limit follows the window at once
        explorer.controls["kernel_size"].value = 4
        explorer.controls["padding"].value = 2
    assert explorer.controls["padding"].value == 2 and explorer.reference_output.shape == (4, 4)   # (6+4-4)//2+1
    assert explorer.status_kind == "differs"
    explorer.controls["kernel_size"].value = 1
    assert explorer.controls["padding"].value == 0 and explorer.status_kind == "ok"
