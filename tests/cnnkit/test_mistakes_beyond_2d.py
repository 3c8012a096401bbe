"""Does every known mistake of chapter 08 compute exactly what its bank entry computes?

Each mistake is compared with the wrong entry of ``tests/banks/08_beyond_2d.py`` it
stands for, on cases with stride and padding, non-square shapes, varying channel counts
and several centres.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
from bank_entries import (assert_descriptions_complete_the_sentence, assert_one_mistake_per_entry,
                          assert_reproduces, bank_function, one_case_per_mistake)
from cnnkit.mistakes import beyond_2d as known
from cnnkit.widgets.kernel_stack import stack_cost_formula

CHAPTER = "08_beyond_2d"
STANDS_FOR = {
    "conv3d": (known.CONV3D, ["kernel_flipped", "bias_ignored", "depth_not_strided", "depth_not_padded"]),
    "locally_connected2d": (known.LOCALLY_CONNECTED2D, [
        "one_kernel_for_every_position", "positions_swapped", "kernel_flipped", "one_bias_per_filter"]),
    "stack_cost": (known.STACK_COST, [
        "field_adds_kernel_sizes", "field_is_largest_kernel", "kernel_side_not_squared",
        "reads_own_channel_count_twice", "biases_counted"]),
    "netvlad": (known.NETVLAD, [
        "hard_assignment", "softmax_over_pixels", "residual_sign_flipped", "no_intra_normalisation",
        "no_final_normalisation", "flattened_d_major"]),
}
REFERENCES = {"conv3d": cnnkit.conv3d, "locally_connected2d": cnnkit.locally_connected2d,
              "stack_cost": stack_cost_formula, "netvlad": cnnkit.netvlad}


def _cases(exercise):
    rng = np.random.default_rng(8)
    normal = rng.standard_normal
    if exercise == "conv3d":
        return [((normal((2, 2, 5, 6, 7)), normal((3, 2, 3, 3, 3)), normal(3)), {"stride": 2, "padding": 1}),
                ((normal((1, 3, 4, 5, 5)), normal((2, 3, 2, 3, 2)), None), {}),
                ((rng.integers(0, 256, size=(1, 2, 4, 4, 4)), normal((2, 2, 2, 2, 2)), normal(2)), {"padding": 1})]
    if exercise == "locally_connected2d":
        return [((normal((2, 3, 4, 4)), normal((3, 3, 2, 3, 2, 2)), normal((2, 3, 3))), {}),
                ((normal((1, 2, 5, 5)), normal((3, 3, 4, 2, 3, 3)), None), {}),
                ((normal((1, 1, 3, 4)), normal((2, 2, 1, 1, 2, 3)), normal((1, 2, 2))), {})]
    if exercise == "stack_cost":
        return [(([3, 3], [64, 64, 64]), {}), (([11, 5, 3], [3, 96, 256, 384]), {}),
                (([5, 3, 3, 5], [4, 8, 16, 8, 2]), {})]
    return [_nearest_centre_case(normal((1, 3, 3, 3)), [0, 4]), _nearest_centre_case(normal((1, 4, 3, 2)), [1, 2, 5]),
            _nearest_centre_case(normal((1, 2, 2, 3)), [0, 3])]


def _nearest_centre_case(features, pixels):
    """NetVLAD's arguments with centres taken from the image's own features and w = 2c, b = -|c|^2.

    Every centre is then the nearest one to the feature it was taken from (shifted by 0.01), so
    hard VLAD leaves no centre empty (an empty row would be normalised as 0 / 0).
    """
    centres = features[0].reshape(features.shape[1], -1).T[pixels] + 0.01    # a residual of 0 would be 0 / 0 too
    return (features, centres, 2 * centres, -(centres ** 2).sum(axis=1)), {}


def test_every_mistake_stands_for_a_bank_entry_and_every_bank_entry_has_one():
    """Is the table above complete in both directions?"""
    assert_one_mistake_per_entry(CHAPTER, STANDS_FOR, {})


@pytest.mark.parametrize("exercise, index", one_case_per_mistake(STANDS_FOR))
def test_the_mistake_reproduces_its_bank_entry(exercise, index):
    """Same output (or both raise) on every case, and a different output from the reference on one."""
    mistakes, entries = STANDS_FOR[exercise]
    wrong = bank_function(CHAPTER, exercise, entries[index])
    with np.errstate(all="ignore"):
        assert_reproduces(list(mistakes.values())[index], wrong, REFERENCES[exercise], _cases(exercise))


def test_positions_swapped_is_right_when_all_kernels_are_equal():
    """w[j, i] and w[i, j] agree for a shared kernel: why the tests give every position its own."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 4, 4))
    w = np.broadcast_to(rng.standard_normal((1, 1, 2, 2, 2, 2)), (3, 3, 2, 2, 2, 2))
    np.testing.assert_allclose(known.LOCALLY_CONNECTED2D[list(known.LOCALLY_CONNECTED2D)[1]](x, w),
                               cnnkit.locally_connected2d(x, w))


def test_descriptions_complete_the_sentence():
    """Each description reads after "your output equals what you get when" (lower case, no full stop)."""
    assert_descriptions_complete_the_sentence(STANDS_FOR)
