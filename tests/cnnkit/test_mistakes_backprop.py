"""Does every known mistake of chapter 04 compute exactly what its bank entry computes?

Each mistake is compared with the wrong entry of ``tests/banks/04_backprop.py`` it
stands for, on cases that include a batch of two, overlapping windows, rows left
over by the stride, padding, ties and integer inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
from bank_entries import (assert_descriptions_complete_the_sentence, assert_one_mistake_per_entry,
                           assert_reproduces, bank_function, one_case_per_mistake, outcome)
from cnnkit.mistakes import backprop as known

CHAPTER = "04_backprop"
#: For each exercise: the known-mistake dict and, in its order, the bank entries they stand for.
STANDS_FOR = {
    "conv2d_backward": (known.CONV2D_BACKWARD, [
        "ignores_stride", "kernel_not_rotated", "padding_not_cropped", "db_summed_over_filters",
        "db_summed_over_batch_only", "dx_overwritten", "dw_averaged_over_batch",
        "dw_keeps_the_last_k_positions", "rows_left_over_put_first", "dx_allocated_like_integer_x"]),
    "max_pool2d_backward": (known.MAX_POOL2D_BACKWARD, [
        "every_tied_maximum", "last_tied_maximum", "overlap_overwritten", "pads_with_zero",
        "stride_defaults_to_one", "dx_allocated_like_integer_x"]),
    "avg_pool2d_backward": (known.AVG_POOL2D_BACKWARD, [
        "not_divided", "overlap_overwritten", "divides_by_cells_inside_input", "padding_not_cropped",
        "divides_by_kernel_side", "dx_allocated_like_integer_x"]),
    "numerical_gradient": (known.NUMERICAL_GRADIENT, [
        "one_sided_difference", "ignores_dout", "divides_by_h", "forgets_to_restore",
        "ignores_the_step_h", "copy_keeps_integer_dtype"]),
}
#: Wrong entries that only ever raise (or equal the reference): no output to recognise.
RAISE_ONLY = {"max_pool2d_backward": ["integer_image_padded_with_minus_inf"]}
REFERENCES = {name: getattr(cnnkit, name) for name in STANDS_FOR}


def _conv_cases():
    rng = np.random.default_rng(5)
    normal = rng.standard_normal

    def case(x, w_shape, stride=1, padding=0):
        ho = (x.shape[2] + 2 * padding - w_shape[2]) // stride + 1
        wo = (x.shape[3] + 2 * padding - w_shape[3]) // stride + 1
        return (normal((x.shape[0], w_shape[0], ho, wo)), x, normal(w_shape)), {"stride": stride, "padding": padding}

    return [case(normal((2, 2, 6, 6)), (3, 2, 3, 3), stride=2),
            case(normal((2, 3, 5, 4)), (2, 3, 3, 2), padding=1),
            case(normal((2, 2, 6, 7)), (2, 2, 3, 3), stride=2, padding=1),
            case(normal((1, 3, 8, 7)), (2, 3, 3, 2), stride=3),
            case(rng.integers(-4, 5, size=(2, 2, 5, 5)), (3, 2, 3, 3), padding=1)]


def _pool_cases():
    rng = np.random.default_rng(6)
    ties = rng.integers(0, 3, size=(2, 2, 6, 6))

    def case(x, k, stride=None, padding=0):
        ho = (x.shape[2] + 2 * padding - k) // (stride or k) + 1
        wo = (x.shape[3] + 2 * padding - k) // (stride or k) + 1
        return (rng.standard_normal(x.shape[:2] + (ho, wo)), x, k), {"stride": stride, "padding": padding}

    return [case(ties.astype(float), 2), case(ties.astype(float), 3, stride=1), case(ties, 3, stride=2),
            case(rng.standard_normal((1, 2, 7, 5)), 3, stride=2),
            case(-np.abs(rng.standard_normal((2, 1, 6, 6))) - 1, 3, stride=2, padding=1),
            case(rng.standard_normal((1, 3, 5, 7)), 3, stride=1, padding=1)]


def _gradient_cases():
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((3, 2))
    return [((np.tanh, rng.standard_normal((3, 4)), rng.standard_normal((3, 4))), {"h": 1e-2}),
            ((lambda v: v ** 3, rng.standard_normal((2, 3)), rng.standard_normal((2, 3))), {"h": 0.5}),
            ((lambda v: np.exp(v) @ matrix, rng.standard_normal((2, 3)), rng.standard_normal((2, 2))), {}),
            ((lambda v: np.sin(v) * v, rng.integers(-3, 4, size=(2, 3)), rng.standard_normal((2, 3))), {"h": 1e-3}),
            ((lambda v: np.array([np.sum(v) ** 3]), rng.standard_normal((2, 3)), np.array([0.5])), {"h": 1e-2})]


CASES = {"conv2d_backward": _conv_cases, "max_pool2d_backward": _pool_cases,
         "avg_pool2d_backward": _pool_cases, "numerical_gradient": _gradient_cases}


def test_every_mistake_stands_for_a_bank_entry_and_every_bank_entry_has_one():
    """Is the table above complete in both directions (entries that only raise listed apart)?"""
    assert_one_mistake_per_entry(CHAPTER, STANDS_FOR, RAISE_ONLY)


@pytest.mark.parametrize("exercise, index", one_case_per_mistake(STANDS_FOR))
def test_the_mistake_reproduces_its_bank_entry(exercise, index):
    """Same output (or both raise) on every case, and a different output from cnnkit's on one."""
    mistakes, entries = STANDS_FOR[exercise]
    wrong = bank_function(CHAPTER, exercise, entries[index])
    assert_reproduces(list(mistakes.values())[index], wrong, REFERENCES[exercise], CASES[exercise]())


def test_entries_without_a_mistake_raise_on_an_integer_image_and_are_right_otherwise():
    """An integer image padded with -inf raises OverflowError; on floats the entry is the reference."""
    wrong = bank_function(CHAPTER, "max_pool2d_backward", "integer_image_padded_with_minus_inf")
    for args, kwargs in _pool_cases():
        result = outcome(wrong, args, kwargs)
        if np.issubdtype(args[1].dtype, np.integer):
            assert result is OverflowError
        else:
            np.testing.assert_allclose(result, cnnkit.max_pool2d_backward(*args, **kwargs))


def test_descriptions_complete_the_sentence():
    """Each description reads after "your output equals what you get when" (lower case, no full stop)."""
    assert_descriptions_complete_the_sentence(STANDS_FOR)
