"""Does every known mistake of chapter 07's shift_images compute exactly what its bank entry computes?"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit.checking as check
import cnnkit.nn as nn
from bank_entries import (assert_descriptions_complete_the_sentence, assert_one_mistake_per_entry,
                           assert_reproduces, bank_function)
from cnnkit.mistakes import augmentation as known

CHAPTER = "07_lenet"
STANDS_FOR = {"shift_images": (known.SHIFT_IMAGES, ["wraps_around", "swaps_axes", "opposite_direction",
                                                    "repeats_edge"])}
#: caught by check_function's "modified its input array" check, not by a mistake
CAUGHT_OTHERWISE = {"shift_images": ["writes_into_images"]}


def _cases():
    """Like the hidden tests': shifts of each sign and axis, none, the largest, float32, several channels."""
    rng = np.random.default_rng(4)
    return [((rng.random((2, 1, 8, 8)), dy, dx), {}) for dy, dx in [(1, 0), (0, 2), (-1, 1), (2, -2), (0, 0)]] + [
        ((rng.random((1, 3, 5, 7)).astype(np.float32), -4, 6), {}), ((rng.random((3, 2, 6, 6)), 1, -1), {})]


def test_every_wrong_entry_has_its_mistake_and_every_description_reads_well():
    assert_one_mistake_per_entry(CHAPTER, STANDS_FOR, CAUGHT_OTHERWISE)
    assert_descriptions_complete_the_sentence(STANDS_FOR)


@pytest.mark.parametrize("entry", STANDS_FOR["shift_images"][1])
def test_every_mistake_reproduces_its_bank_entry(entry):
    """Does each known mistake give what its bank entry gives, where that entry differs from the right answer?"""
    mistakes, entries = STANDS_FOR["shift_images"]
    mistake = list(mistakes.values())[entries.index(entry)]
    assert_reproduces(mistake, bank_function(CHAPTER, "shift_images", entry), nn.shift_images, _cases())


def test_writing_into_the_input_is_reported_as_such():
    """The entry that shifts images in place gets the right values back but is told it modified its input."""
    writes = bank_function(CHAPTER, "shift_images", "writes_into_images")
    images = np.arange(16.0).reshape(1, 1, 4, 4)
    with pytest.raises(AssertionError, match="modified its input array"):
        check.check_function(writes, nn.shift_images, [(images, 1, 0)], name="shift_images",
                             mistakes=known.SHIFT_IMAGES)


def test_a_wrapped_image_is_diagnosed_by_name():
    """A learner using np.roll is told the image wraps around, not just shown a mismatch."""
    wraps = bank_function(CHAPTER, "shift_images", "wraps_around")
    with pytest.raises(AssertionError, match="wraps around"):
        check.check_function(wraps, nn.shift_images, [(np.arange(16.0).reshape(1, 1, 4, 4), 1, -1)],
                             name="shift_images", mistakes=known.SHIFT_IMAGES)
