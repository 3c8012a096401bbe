"""Does every known mistake of chapter 03 compute exactly what its bank entry computes?

Each mistake of ``cnnkit.mistakes.pooling`` is compared with the wrong entry of
``tests/banks/03_pooling.py`` it stands for, on cases like the hidden tests' (overlapping
windows, padding of an all-negative map, strides larger than the window, levels that do
not divide the size, an integer map), so a diagnosis is proven against the bank.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
import cnnkit.checking as check
from bank_entries import (assert_descriptions_complete_the_sentence, assert_one_mistake_per_entry,
                           assert_reproduces, bank_function)
from cnnkit.mistakes import pooling as known

CHAPTER = "03_pooling"
#: For each exercise: the known-mistake dict and, in its order, the bank entries they stand for.
STANDS_FOR = {
    "max_pool2d": (known.MAX_POOL2D, ["zero_padding", "reshape_trick", "default_stride_one", "off_by_one_size",
                                      "max_over_channels_too", "pads_one_side"]),
    "avg_pool2d": (known.AVG_POOL2D, ["sums_instead_of_averaging", "averages_over_channels_too", "reshape_trick",
                                      "ignores_padding_in_divisor", "default_stride_one", "output_in_input_dtype"]),
    "global_avg_pool2d": (known.GLOBAL_AVG_POOL2D, ["drops_the_spatial_axes", "sums", "averages_over_channels",
                                                    "averages_over_batch", "floor_division"]),
    "spatial_pyramid_pool": (known.SPATIAL_PYRAMID_POOL, ["floor_window", "adaptive_windows",
                                                          "average_instead_of_max", "flattens_positions_first"]),
    "lp_pool2d": (known.LP_POOL2D, ["power_mean", "forgets_the_root", "absolute_values", "always_square_root",
                                    "default_stride_one", "output_in_input_dtype"]),
}
REFERENCES = {name: getattr(cnnkit, name) for name in STANDS_FOR}


def _window_cases(rng, integer):
    """An integer map only for average pooling: -inf padding of an integer array raises in max pooling."""
    cases = [((rng.normal(size=(2, 3, 8, 8)), 2), {}), ((rng.normal(size=(1, 2, 7, 9)), 3), {"stride": 1}),
             ((-1.0 - rng.random(size=(1, 2, 5, 6)), 3), {"stride": 2, "padding": 1}),
             ((rng.normal(size=(2, 2, 6, 5)), 3), {"stride": 1, "padding": 1}),
             ((rng.normal(size=(1, 1, 5, 7)), 2), {"stride": 3})]
    return cases + ([((rng.integers(0, 10, size=(2, 2, 6, 6)), 2), {"stride": 1})] if integer else [])


def _cases(exercise, nonnegative=False):
    """``nonnegative``: only the lp_pool2d cases where no root is taken of a negative sum (nan is never "same")."""
    rng = np.random.default_rng(3)
    if exercise in ("max_pool2d", "avg_pool2d"):
        return _window_cases(rng, integer=exercise == "avg_pool2d")
    if exercise == "global_avg_pool2d":
        return [((rng.normal(size=(3, 4, 5, 7)),), {}), ((rng.integers(0, 10, size=(2, 3, 4, 5)),), {})]
    if exercise == "spatial_pyramid_pool":
        return [((rng.normal(size=(2, 3, 13, 13)), (1, 2, 3, 6)), {}),
                ((rng.normal(size=(1, 2, 7, 10)), (1, 2, 4)), {}), ((rng.normal(size=(2, 4, 8, 8)), (1, 2, 4)), {})]
    mixed_signs = [((rng.normal(size=(2, 3, 6, 6)), 1, 2), {})]
    return mixed_signs[:0 if nonnegative else 1] + [
        ((rng.normal(size=(1, 2, 7, 8)), 2, 3), {"stride": 2}), ((rng.random(size=(2, 2, 6, 7)), 3, 2), {"stride": 1}),
        ((rng.random(size=(1, 3, 5, 5)), 1.5, 2), {}), ((rng.integers(0, 10, size=(2, 2, 6, 6)), 2, 2), {})]


def test_every_wrong_entry_has_its_mistake_and_every_description_reads_well():
    assert_one_mistake_per_entry(CHAPTER, STANDS_FOR, {})
    assert_descriptions_complete_the_sentence(STANDS_FOR)


@pytest.mark.parametrize("exercise", sorted(STANDS_FOR))
def test_every_mistake_reproduces_its_bank_entry(exercise):
    """Does each known mistake give what its bank entry gives, where that entry differs from the right answer?"""
    mistakes, entries = STANDS_FOR[exercise]
    with np.errstate(invalid="ignore"):
        for mistake, entry in zip(mistakes.values(), entries):
            assert_reproduces(mistake, bank_function(CHAPTER, exercise, entry), REFERENCES[exercise],
                              _cases(exercise, nonnegative=entry == "always_square_root"))


def test_tensorflow_divisor_is_named_for_a_padded_average():
    """An average that leaves the padding out of the divisor is told it follows TensorFlow's rule."""
    x = np.ones((1, 1, 4, 4))
    given = cnnkit.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    assert "TensorFlow" in check.diagnose(given, check.mistake_outputs(known.AVG_POOL2D, x, 3, 1, 1))
