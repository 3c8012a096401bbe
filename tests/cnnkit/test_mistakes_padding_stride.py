"""cnnkit.mistakes.padding_stride: does every known mistake reproduce the bank entry it stands for?

Each wrong entry of tests/banks/02_padding_stride.py is executed with numpy as np and compared
with its mistake function on cases like the hidden tests' (strides that leave rows over, windows
that do not fit, an integer image), so a diagnosis in a hidden test is proven against the bank.
"""

import numpy as np
import pytest
from bank_entries import check_mistakes, entry, load_bank

import cnnkit
import cnnkit.checking as check
from cnnkit.mistakes import padding_stride as known

BANK = load_bank("02_padding_stride")
PAD_ENTRY = entry(BANK, "pad", "correct", "np_pad")
SIZE_ENTRY = entry(BANK, "conv_output_size", "correct", "floor_division_and_check")

STANDS_FOR = {
    "pad": (known.PAD, {
        "pads_one_side": "the zeros go only after the data (2p at the bottom and on the right, none on top or "
                         "on the left)",
        "pads_every_axis": "every axis is padded, the batch and channel axes too",
        "rows_and_columns_swapped": "ph and pw are swapped (ph pads the columns, pw the rows)",
        "repeats_border_values": "the border values are repeated (mode='edge') instead of adding zeros",
    }),
    "conv_output_size": (known.CONV_OUTPUT_SIZE, {
        "truncates_with_int": "the division uses int() truncation instead of floor (int(-0.5) is 0, the floor "
                              "of -0.5 is -1)",
        "returns_nonpositive_instead_of_raising": "no ValueError is raised when no window fits (the formula's "
                                                  "o <= 0 is returned)",
        "ignores_stride": "the stride is ignored",
        "off_by_one": "the + 1 is missing (that counts the steps between windows, not the windows)",
        "rounds_up": "the division rounds up instead of down",
        "ignores_dilation": "the dilation is ignored (the window spans k cells instead of d(k-1)+1)",
        "padding_on_one_side": "the padding is added on one side only (i + p instead of i + 2p)",
    }),
    "same_padding": (known.SAME_PADDING, {
        "never_raises": "no ValueError is raised when d(k - 1) is odd (the half is rounded down)",
        "ignores_dilation": "the dilation is ignored: p = (k - 1) / 2",
        "full_padding": "p is the full padding d(k - 1) instead of half of it",
        "half_kernel_times_dilation": "p is computed as d * (k // 2), half the kernel instead of half the span "
                                      "d(k - 1)",
    }),
    "conv2d": (known.CONV2D, {
        "ignores_stride_when_sliding": "the windows move 1 cell at a time instead of `stride` cells (window "
                                       "(i, j) starts at (i, j))",
        "ignores_dilation": "the dilation is ignored inside the window (its taps are next to each other)",
        "stride_and_dilation_swapped": "stride and dilation are swapped (windows move d cells, taps are s "
                                       "cells apart)",
        "off_by_one_output": "the output size lacks the + 1 (one window too few on each axis)",
        "pads_one_side": "all the padding goes on top and on the left (2p there, none at the bottom or on the "
                         "right)",
        "forgets_bias": "the bias is left out",
        "output_in_input_dtype": "the output array has x's integer dtype, so every value is truncated towards 0",
    }),
    "receptive_field": (known.RECEPTIVE_FIELD, {
        "ignores_strides": "the strides are ignored (every layer adds d(k - 1))",
        "jump_updated_too_early": "a layer's own stride already multiplies its d(k - 1) (the jump is updated "
                                  "too early)",
        "ignores_dilation": "the dilation is ignored",
        "adds_kernel_sizes": "the kernel sizes are added up",
    }),
}


def _pad_reference(x, padding):
    ph, pw = (padding, padding) if np.isscalar(padding) else padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def _cases(exercise, rng):
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
            w = rng.normal(size=w_shape)
            return (x, w, rng.normal(size=w_shape[0]) if bias else None), kwargs
        return [case((2, 3, 9, 8), (4, 3, 3, 2), stride=2), case((1, 2, 7, 7), (3, 2, 3, 3), padding=2),
                case((2, 1, 10, 9), (2, 1, 3, 3), dilation=2),
                case((1, 3, 11, 10), (2, 3, 2, 3), stride=3, padding=1, dilation=2),
                case((2, 2, 6, 7), (3, 2, 3, 3), bias=False, integer=True, stride=2, padding=1)]
    return [(([(3, 2), (3, 1)],), {}), (([(3, 1, 2), (3, 1, 4)],), {}), (([(11, 4), (3, 2), (5, 1)],), {}),
            (([],), {})]


def _same_padding_reference(kernel_size, dilation=1):
    half, odd = divmod(dilation * (kernel_size - 1), 2)
    if odd:
        raise ValueError("no symmetric padding keeps the size")
    return half


REFERENCES = {"pad": _pad_reference, "conv_output_size": cnnkit.conv_output_size,
              "same_padding": _same_padding_reference, "conv2d": cnnkit.conv2d,
              "receptive_field": lambda layers: entry(BANK, "receptive_field", "correct", "top_down")(layers)}


@pytest.mark.parametrize("exercise", sorted(STANDS_FOR))
def test_every_mistake_reproduces_its_bank_entry(exercise, rng):
    """Does each known mistake give what its bank entry gives, and differ from the right answer?"""
    known_mistakes, stands_for = STANDS_FOR[exercise]
    check_mistakes(known_mistakes, BANK, exercise, stands_for, _cases(exercise, rng), REFERENCES[exercise],
                   pad=PAD_ENTRY, conv_output_size=SIZE_ENTRY)


def test_truncation_is_told_apart_from_a_missing_error():
    """Does the diagnosis of conv_output_size(4, 5, stride=2) = 1 name int() truncation?"""
    outputs = {d: f(4, 5, stride=2) for d, f in known.CONV_OUTPUT_SIZE.items()}
    assert check.diagnose(1, outputs).startswith("the division uses int() truncation")
    assert check.diagnose(0, outputs).startswith("no ValueError is raised")
