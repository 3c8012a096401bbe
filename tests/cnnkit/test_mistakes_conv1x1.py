"""Does every known mistake of chapter 05 compute exactly what its bank entry computes?

Each mistake is compared with the wrong entry of ``tests/banks/05_conv1x1.py`` it
stands for, on cases that include a batch of two, C_in == C_out, one channel,
stride and padding, and 8-bit images.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
from bank_entries import (assert_descriptions_complete_the_sentence, assert_one_mistake_per_entry,
                           assert_reproduces, bank_function, one_case_per_mistake, outcome)
from cnnkit.mistakes import conv1x1 as known

CHAPTER = "05_conv1x1"
STANDS_FOR = {
    "conv1x1": (known.CONV1X1, [
        "transposed_weight_matrix", "bias_along_the_width", "bias_ignored",
        "reshape_scrambles_pixels_and_channels", "reshape_ignores_the_batch_axis",
        "tensordot_leaves_output_channels_first"]),
    "bottleneck_params": (known.BOTTLENECK_PARAMS, [
        "forgets_the_1x1_layer", "kernel_side_not_squared", "kxk_reads_c_in_channels", "one_bias_per_layer"]),
    "depthwise_separable_conv": (known.DEPTHWISE_SEPARABLE_CONV, [
        "depthwise_applied_as_full_convolution", "pointwise_transposed", "stride_ignored", "padding_ignored",
        "pointwise_before_depthwise"]),
    "conv_multiply_adds": (known.CONV_MULTIPLY_ADDS, [
        "ignores_groups", "kernel_side_not_squared", "counts_flops_twice", "divides_output_channels_too"]),
}
#: Wrong entries that raise whenever they are wrong (x with several channels): nothing to recognise.
RAISE_ONLY = {"depthwise_separable_conv": ["conv2d_without_groups"]}


def _conv1x1(x, w, b=None):
    return cnnkit.conv2d(x, w[:, :, None, None], b)


def _separable(x, w_depthwise, w_pointwise, stride=1, padding=0):
    filtered = cnnkit.conv2d(x, w_depthwise, stride=stride, padding=padding, groups=x.shape[1])
    return _conv1x1(filtered, w_pointwise)


def _bottleneck(c_in, c_mid, c_out, kernel_size, bias=False):
    return c_in * c_mid + kernel_size ** 2 * c_mid * c_out + (c_mid + c_out if bias else 0)


def _multiply_adds(c_in, c_out, kernel_size, out_height, out_width, groups=1):
    return out_height * out_width * c_out * (c_in // groups) * kernel_size ** 2


REFERENCES = {"conv1x1": _conv1x1, "bottleneck_params": _bottleneck,
              "depthwise_separable_conv": _separable, "conv_multiply_adds": _multiply_adds}
#: What the other exercises of the notebook provide to a bank entry (their solutions).
NAMESPACE = {"cnnkit": cnnkit, "conv1x1": _conv1x1}


def _cases(exercise):
    rng = np.random.default_rng(8)
    normal = rng.standard_normal
    if exercise == "conv1x1":
        return [((normal((2, 3, 4, 5)), normal((4, 3)), normal(4)), {}),
                ((normal((2, 4, 3, 4)), normal((4, 4)), normal(4)), {}),
                ((normal((1, 2, 3, 3)), normal((3, 2)), None), {}),
                ((rng.integers(0, 256, size=(2, 3, 4, 5)), normal((2, 3)), normal(2)), {})]
    if exercise == "depthwise_separable_conv":
        return [((normal((2, 3, 6, 6)), normal((3, 1, 3, 3)), normal((4, 3))), {}),
                ((normal((1, 4, 7, 5)), normal((4, 1, 3, 3)), normal((4, 4))), {"stride": 2, "padding": 1}),
                ((normal((1, 1, 4, 4)), normal((1, 1, 3, 3)), normal((3, 1))), {"padding": 1}),
                ((rng.integers(0, 256, size=(1, 3, 5, 6)).astype(np.uint8), normal((3, 1, 3, 3)), normal((3, 3))),
                 {"stride": 2, "padding": 1})]
    if exercise == "bottleneck_params":
        return [((256, 64, 256, 3), {}), ((192, 16, 32, 5), {}), ((3, 5, 2, 3), {"bias": True})]
    return [((64, 128, 3, 56, 56), {}), ((32, 32, 3, 112, 112), {"groups": 32}), ((64, 128, 3, 28, 28), {"groups": 4})]


def test_every_mistake_stands_for_a_bank_entry_and_every_bank_entry_has_one():
    """Is the table above complete in both directions (entries that only raise listed apart)?"""
    assert_one_mistake_per_entry(CHAPTER, STANDS_FOR, RAISE_ONLY)


@pytest.mark.parametrize("exercise, index", one_case_per_mistake(STANDS_FOR))
def test_the_mistake_reproduces_its_bank_entry(exercise, index):
    """Same output (or both raise) on every case, and a different output from the reference on one."""
    mistakes, entries = STANDS_FOR[exercise]
    wrong = bank_function(CHAPTER, exercise, entries[index], NAMESPACE)
    assert_reproduces(list(mistakes.values())[index], wrong, REFERENCES[exercise], _cases(exercise))


def test_axis_bugs_are_right_for_a_batch_of_one():
    """The two batch-axis mistakes equal the reference when N = 1: why the visible test needs N = 2."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((1, 3, 4, 5)), rng.standard_normal((2, 3)), rng.standard_normal(2)
    for description in list(known.CONV1X1)[4:]:
        np.testing.assert_allclose(known.CONV1X1[description](x, w, b), _conv1x1(x, w, b))


def test_conv2d_without_groups_raises_unless_there_is_one_channel():
    """conv2d without groups: ValueError for several channels, the right answer for one."""
    wrong = bank_function(CHAPTER, "depthwise_separable_conv", "conv2d_without_groups", NAMESPACE)
    for args, kwargs in _cases("depthwise_separable_conv"):
        result = outcome(wrong, args, kwargs)
        if args[0].shape[1] > 1:
            assert result is ValueError
        else:
            np.testing.assert_allclose(result, _separable(*args, **kwargs))


def test_descriptions_complete_the_sentence():
    """Each description reads after "your output equals what you get when" (lower case, no full stop)."""
    assert_descriptions_complete_the_sentence(STANDS_FOR)
