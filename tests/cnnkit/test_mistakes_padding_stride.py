"""Does every known mistake of chapter 02 compute exactly what its bank entry computes?

Each mistake of ``cnnkit.mistakes.padding_stride`` is compared with the wrong entry of
``tests/banks/02_padding_stride.py`` it stands for, on cases like the hidden tests'
(strides that leave rows over, windows that do not fit, an integer image), so a
diagnosis in a hidden test is proven against the bank, not asserted.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
import cnnkit.checking as check
from bank_entries import (assert_descriptions_complete_the_sentence, assert_one_mistake_per_entry,
                           assert_reproduces, bank_function, load_bank)
from cnnkit.mistakes import padding_stride as known

CHAPTER = "02_padding_stride"
#: For each exercise: the known-mistake dict and, in its order, the bank entries they stand for.
STANDS_FOR = {
    "pad": (known.PAD, ["pads_one_side", "pads_every_axis", "rows_and_columns_swapped", "repeats_border_values"]),
    "conv_output_size": (known.CONV_OUTPUT_SIZE, [
        "truncates_with_int", "returns_nonpositive_instead_of_raising", "ignores_stride", "off_by_one",
        "rounds_up", "ignores_dilation", "padding_on_one_side"]),
    "same_padding": (known.SAME_PADDING, ["never_raises", "ignores_dilation", "full_padding",
                                          "half_kernel_times_dilation"]),
    "conv2d": (known.CONV2D, [
        "ignores_stride_when_sliding", "ignores_dilation", "stride_and_dilation_swapped", "off_by_one_output",
        "pads_one_side", "forgets_bias", "output_in_input_dtype"]),
    "receptive_field": (known.RECEPTIVE_FIELD, ["ignores_strides", "jump_updated_too_early", "ignores_dilation",
                                                "adds_kernel_sizes"]),
}
#: Wrong entries with no mistake of their own: a right value of the wrong type (told by a type check
#: in the test), or the same output as a listed entry (proven below).
RAISE_ONLY = {"conv_output_size": ["numpy_floor_returns_float", "truncates_then_checks_the_result"],
              "same_padding": ["true_division"]}
#: The exercises the bank's conv2d entries call.
HELPERS = {"pad": "np_pad", "conv_output_size": "floor_division_and_check"}


def _helpers():
    namespace = {"np": np}
    for name, entry in HELPERS.items():
        exec(load_bank(CHAPTER)[name]["correct"][entry], namespace)
    return {name: namespace[name] for name in HELPERS}


def _pad_reference(x, padding):
    ph, pw = (padding, padding) if np.isscalar(padding) else padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def _same_padding_reference(kernel_size, dilation=1):
    half, odd = divmod(dilation * (kernel_size - 1), 2)
    if odd:
        raise ValueError("no symmetric padding keeps the size")
    return half


def _receptive_field_reference(layers):
    field = 1
    for layer in reversed(layers):
        k, s, d = (tuple(layer) + (1,))[:3]
        field = (field - 1) * s + d * (k - 1) + 1
    return field


REFERENCES = {"pad": _pad_reference, "conv_output_size": cnnkit.conv_output_size,
              "same_padding": _same_padding_reference, "conv2d": cnnkit.conv2d,
              "receptive_field": _receptive_field_reference}


def _cases(exercise):
    rng = np.random.default_rng(2)
    if exercise == "pad":
        return [((rng.normal(size=(2, 3, 4, 5)), 2), {}), ((rng.normal(size=(1, 2, 3, 3)), (2, 1)), {}),
                ((rng.normal(size=(3, 1, 2, 4)), (1, 3)), {})]
    if exercise == "conv_output_size":
        return [((227, 11), {"stride": 4}), ((32, 5), {"padding": 2}), ((10, 4), {"stride": 3, "padding": 1}),
                ((9, 3), {"stride": 2, "dilation": 2}), ((4, 5), {"stride": 2}), ((2, 4), {"stride": 3}),
                ((1, 7), {})]
    if exercise == "same_padding":
        return [((3,), {}), ((7, 1), {}), ((5, 3), {}), ((4, 2), {}), ((2, 1), {}), ((4, 3), {})]
    if exercise == "conv2d":
        def case(x_shape, w_shape, bias=True, integer=False, **kwargs):
            x = rng.integers(0, 10, size=x_shape) if integer else rng.normal(size=x_shape)
            return (x, rng.normal(size=w_shape), rng.normal(size=w_shape[0]) if bias else None), kwargs
        return [case((2, 3, 9, 8), (4, 3, 3, 2), stride=2), case((1, 2, 7, 7), (3, 2, 3, 3), padding=2),
                case((2, 1, 10, 9), (2, 1, 3, 3), dilation=2),
                case((1, 3, 11, 10), (2, 3, 2, 3), stride=3, padding=1, dilation=2),
                case((2, 2, 6, 7), (3, 2, 3, 3), bias=False, integer=True, stride=2, padding=1)]
    return [(([(3, 2), (3, 1)],), {}), (([(3, 1, 2), (3, 1, 4)],), {}), (([(11, 4), (3, 2), (5, 1)],), {}),
            (([],), {})]


def test_every_wrong_entry_has_its_mistake_and_every_description_reads_well():
    assert_one_mistake_per_entry(CHAPTER, STANDS_FOR, RAISE_ONLY)
    assert_descriptions_complete_the_sentence(STANDS_FOR)


@pytest.mark.parametrize("exercise", sorted(STANDS_FOR))
def test_every_mistake_reproduces_its_bank_entry(exercise):
    """Does each known mistake give what its bank entry gives, where that entry differs from the right answer?"""
    mistakes, entries = STANDS_FOR[exercise]
    for mistake, entry in zip(mistakes.values(), entries):
        wrong = bank_function(CHAPTER, exercise, entry, _helpers())
        assert_reproduces(mistake, wrong, REFERENCES[exercise], _cases(exercise))


def test_truncation_is_told_apart_from_a_missing_error():
    """conv_output_size(4, 5, stride=2): 1 is int() truncation (also when the result is checked), 0 no ValueError."""
    truncation = "the division uses int() truncation instead of floor (int(-0.5) is 0, the floor of -0.5 is -1)"
    returns_a_value = [case for case in _cases("conv_output_size") if case[0] != (1, 7)]   # -5 is refused there
    assert_reproduces(known.CONV_OUTPUT_SIZE[truncation],
                      bank_function(CHAPTER, "conv_output_size", "truncates_then_checks_the_result"),
                      cnnkit.conv_output_size, returns_a_value)
    outputs = check.mistake_outputs(known.CONV_OUTPUT_SIZE, 4, 5, stride=2)
    assert check.diagnose(1, outputs) == truncation
    assert check.diagnose(0, outputs).startswith("no ValueError is raised")
