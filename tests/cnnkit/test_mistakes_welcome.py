"""Does every known mistake of chapter 00 compute exactly what its bank entry computes?"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit.images
from cnnkit.mistakes import welcome as known

#: In the order of known.TO_GRAYSCALE, the bank entries the mistakes stand for.
ENTRIES = ["plain_mean", "weights_reversed", "rounds_back_to_uint8", "keeps_channel_axis", "wrong_axis",
           "divides_by_255"]


def _inputs():
    rng = np.random.default_rng(5)
    return [(rng.integers(0, 256, size=(4, 7, 3)).astype(np.uint8),),
            (rng.integers(0, 256, size=(3, 3, 3)).astype(np.uint8),),
            (rng.random(size=(5, 3, 3)) * 255,),
            (rng.integers(0, 256, size=(2, 2, 3)).astype(np.uint8),)]


def test_every_mistake_stands_for_a_bank_entry_and_every_bank_entry_has_one(bank):
    assert len(known.TO_GRAYSCALE) == len(ENTRIES)
    assert sorted(ENTRIES) == sorted(bank("00_welcome")["to_grayscale"]["wrong"])


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=ENTRIES)
def test_the_mistake_reproduces_its_bank_entry(index, reproduces_bank_entry):
    """Same output (or both raise) on every input, and a different output from cnnkit's on one."""
    mistake = list(known.TO_GRAYSCALE.values())[index]
    reproduces_bank_entry(mistake, "00_welcome", "to_grayscale", ENTRIES[index], _inputs(),
                          cnnkit.images.to_grayscale)
