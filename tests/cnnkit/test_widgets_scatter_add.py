"""Does the scatter-add stepper build the output pixel by pixel and show the checkerboard?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need ipywidgets")

import cnnkit  # noqa: E402
from cnnkit.widgets.scatter_add import ScatterAddExplorer  # noqa: E402


def _without_overlap_sum(x, w, b=None, stride=1, padding=0, output_padding=0):
    """A classic mistake: assign each scaled kernel instead of adding it."""
    k = w.shape[-1]
    h = x.shape[-1]
    out = np.zeros((1, 1, (h - 1) * stride + k, (h - 1) * stride + k))
    for r in range(h):
        for c in range(h):
            out[0, 0, r * stride:r * stride + k, c * stride:c * stride + k] = x[0, 0, r, c] * w[0, 0]
    return out


def test_first_step_is_one_scaled_kernel():
    """After one step only x[0, 0] = 1 has been scattered: the kernel itself in the top-left corner."""
    explorer = ScatterAddExplorer(cnnkit.conv_transpose2d)
    assert explorer.status_kind == "ok"
    out = explorer.reference_output
    assert out.shape == (7, 7)                          # (3 - 1) * 2 + 3
    np.testing.assert_array_equal(out[:3, :3], np.arange(1.0, 10.0).reshape(3, 3))
    assert np.count_nonzero(out) == 9


def test_every_step_adds_one_copy_and_the_last_is_the_full_transposed_convolution():
    """Step 9 equals conv_transpose2d of the whole input; the overlap cell (2, 2) sums four copies."""
    explorer = ScatterAddExplorer(cnnkit.conv_transpose2d)
    explorer.controls["step"].value = 9
    w = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    full = cnnkit.conv_transpose2d(explorer.x[None, None], w, stride=2)[0, 0]
    np.testing.assert_array_equal(explorer.reference_output, full)
    assert explorer.reference_output[2, 2] == 1 * 9 + 2 * 7 + 4 * 3 + 5 * 1
    assert explorer.status_kind == "ok"


def test_counts_show_the_checkerboard_only_when_k_is_not_a_multiple_of_s():
    """k=3, s=2: counts alternate 1/2/4 (uneven); k=4, s=2: a flat interior of 4 (even)."""
    explorer = ScatterAddExplorer(cnnkit.conv_transpose2d)
    assert explorer.uneven
    assert set(np.unique(explorer.counts)) == {1.0, 2.0, 4.0}
    explorer.controls["kernel"].value = 4
    assert not explorer.uneven
    assert np.all(explorer.counts[2:-2, 2:-2] == 4)


def test_missing_error_and_overwriting_are_reported():
    """None -> missing; an exception -> error; assignment instead of += -> differs once copies overlap."""
    assert ScatterAddExplorer(None).status_kind == "missing"

    def broken(x, w, b=None, stride=1, padding=0, output_padding=0):
        raise ValueError("shapes do not match")

    assert ScatterAddExplorer(broken).status_kind == "error"
    explorer = ScatterAddExplorer(_without_overlap_sum)
    explorer.controls["step"].value = 2                 # copies of x[0, 0] and x[0, 1] overlap in column 2
    assert explorer.status_kind == "differs"
    assert "first mismatch" in explorer.status.value
    assert explorer.student_output is not None


def test_a_known_mistake_is_named_in_the_status_line():
    """Does the status line say which known mistake the output equals (overwriting, a rotated kernel)?"""
    explorer = ScatterAddExplorer(_without_overlap_sum)
    explorer.controls["step"].value = 2
    assert "equals what you get when overlapping stamps are overwritten" in explorer.status_message

    def rotated(x, w, b=None, stride=1, padding=0, output_padding=0):
        return cnnkit.conv_transpose2d(x, w[:, :, ::-1, ::-1], stride=stride)

    explorer = ScatterAddExplorer(rotated)
    assert explorer.status_kind == "differs"
    assert "the kernel is rotated by 180°" in explorer.status_message


def test_an_unknown_mistake_gets_only_the_mismatch():
    """Is no mistake named when the output matches none of them?"""
    explorer = ScatterAddExplorer(lambda x, w, b=None, stride=1, padding=0, output_padding=0:
                                  cnnkit.conv_transpose2d(x, w, stride=stride) + 1.0)
    assert explorer.status_kind == "differs"
    assert "first mismatch" in explorer.status_message and "equals what you get" not in explorer.status_message
