"""cnnkit.mistakes.transposed: does every known mistake reproduce the bank entry it stands for?

The bank (tests/banks/06_transposed_conv.py) holds the wrong answers as notebook cell sources;
each is executed here with numpy as np and compared with its mistake function on random inputs,
so a diagnosis in a hidden test is proven against the bank, not asserted.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import cnnkit
from cnnkit.mistakes import transposed as known

BANK_PATH = Path(__file__).resolve().parents[1] / "banks" / "06_transposed_conv.py"

# bank entry -> the description of the mistake that stands for it
CONV_TRANSPOSE2D = {
    "assigns_instead_of_adding": "overlapping stamps are overwritten (=) instead of added (+=)",
    "kernel_flipped": "the kernel is rotated by 180° before it is stamped (stamp w as it is)",
    "weights_read_as_oihw": "w is read as (C_out, C_in, kh, kw) instead of IOHW (C_in, C_out, kh, kw)",
    "stride_ignored": "the stamps are placed 1 cell apart, ignoring the stride",
    "output_padding_dropped": "output_padding is ignored",
    "padding_added_instead_of_cropped": "padding adds zeros around the output instead of cropping padding "
                                        "rows and columns from every side",
    "crops_padding_only_at_the_end": "padding is cropped only at the bottom and right instead of on every side",
    "bias_ignored": "the bias b is ignored",
    "bias_added_before_output_padding": "the output_padding rows and columns are appended as zeros after "
                                        "cropping and after the bias (they belong to the full result before "
                                        "cropping, and get the bias too)",
    "integer_output_when_x_is_integer": "the output array takes the integer dtype of x, so the products are "
                                        "truncated",
}
CONV_MATRIX = {
    "returns_the_transpose": "the matrix is returned transposed, shape (H*W, OH*OW) instead of (OH*OW, H*W)",
    "stride_ignored_in_windows": "the windows move 1 cell at a time, ignoring the stride (C has the right size)",
    "kernel_flipped": "the kernel is rotated by 180° (C holds w as it is)",
    "padding_taps_wrap_around": "taps on the padding wrap around to the other side of the image instead of "
                                "being left out",
    "columns_of_the_padded_input": "the columns are those of the padded input, (H+2p)*(W+2p) of them, instead "
                                   "of the H*W input pixels",
    "columns_use_the_height": "the column of input pixel (r, q) is r * H + q instead of r * W + q (a row of "
                              "the input has W pixels)",
    "rows_use_the_output_height": "the row of output (i, j) is i * OH + j instead of i * OW + j (a row of the "
                                  "output has OW cells)",
}

BILINEAR_KERNEL = {
    "centre_at_half_the_size": "the centre of the tent is k // 2 instead of (k - 1) / 2 (off-centre when k is even)",
    "always_twice_the_factor": "the kernel is 2 * factor wide for odd factors too (k = 2 * factor - factor % 2)",
    "falls_off_by_the_size": "the weights fall off by |m - c| / k instead of |m - c| / factor",
    "normalised_to_sum_one": "the weights are divided by their sum (they must not be: the overlapping stamps "
                             "already add up to 1)",
    "one_direction_only": "w[m, l] is the tent of m only, not the product of the tents of m and l",
}


def _bank():
    spec = importlib.util.spec_from_file_location("bank_06_transposed_conv", BANK_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def _compiled(source: str, name: str):
    namespace = {"np": np}
    exec(source, namespace)
    return namespace[name]


def _transpose_cases(rng):
    """(args, kwargs) of conv_transpose2d: strides, padding, output_padding, bias, an integer x."""
    def case(x_shape, w_shape, bias=True, integer=False, **kwargs):
        x = rng.integers(-3, 4, x_shape) if integer else rng.standard_normal(x_shape)
        b = rng.standard_normal(w_shape[1]) if bias else None
        return (x, rng.standard_normal(w_shape), b), kwargs

    return [case((2, 3, 4, 4), (3, 2, 3, 3), stride=2, padding=1, output_padding=1),
            case((1, 2, 3, 5), (2, 3, 2, 3), stride=3, output_padding=2),
            case((2, 2, 3, 4), (2, 2, 5, 3), stride=2, padding=2, output_padding=1),
            case((1, 2, 3, 3), (2, 2, 3, 3), stride=2, output_padding=1, integer=True)]


def _matrix_cases(rng):
    """(args, kwargs) of conv_matrix: non-square inputs (both orientations), stride and padding."""
    return [(((5, 7), rng.standard_normal((3, 2))), {"stride": 2, "padding": 1}),
            (((7, 5), rng.standard_normal((2, 3))), {"stride": 1, "padding": 0}),
            (((6, 7), rng.standard_normal((3, 3))), {"stride": 2, "padding": 0})]


def _assert_reproduces(bank_fn, mistake, cases, entry):
    """The bank entry and the mistake agree on every case where the bank entry returns."""
    compared = 0
    for args, kwargs in cases:
        try:
            expected = bank_fn(*args, **kwargs)
        except Exception:
            with pytest.raises(Exception):
                mistake(*args, **kwargs)
            continue
        given = mistake(*args, **kwargs)
        assert np.shape(given) == np.shape(expected), entry
        np.testing.assert_allclose(given, expected, rtol=1e-10, atol=1e-10, err_msg=entry)
        compared += 1
    assert compared, f"{entry}: no case to compare on"


@pytest.mark.parametrize("entry", sorted(CONV_TRANSPOSE2D))
def test_conv_transpose2d_mistake_reproduces_bank_entry(entry, rng):
    """Does the mistake give exactly what the bank's wrong conv_transpose2d gives?"""
    source = _bank()["conv_transpose2d"]["wrong"][entry]
    _assert_reproduces(_compiled(source, "conv_transpose2d"), known.CONV_TRANSPOSE2D[CONV_TRANSPOSE2D[entry]],
                       _transpose_cases(rng), entry)


@pytest.mark.parametrize("entry", sorted(CONV_MATRIX))
def test_conv_matrix_mistake_reproduces_bank_entry(entry, rng):
    """Does the mistake give exactly what the bank's wrong conv_matrix gives?"""
    source = _bank()["conv_matrix"]["wrong"][entry]
    _assert_reproduces(_compiled(source, "conv_matrix"), known.CONV_MATRIX[CONV_MATRIX[entry]],
                       _matrix_cases(rng), entry)


@pytest.mark.parametrize("entry", sorted(BILINEAR_KERNEL))
def test_bilinear_kernel_mistake_reproduces_bank_entry(entry):
    """Does the mistake give exactly what the bank's wrong bilinear_kernel gives, for factors 1 to 6?"""
    source = _bank()["bilinear_kernel"]["wrong"][entry]
    _assert_reproduces(_compiled(source, "bilinear_kernel"), known.BILINEAR_KERNEL[BILINEAR_KERNEL[entry]],
                       _factor_cases(), entry)


def _factor_cases(rng=None):
    return [((factor,), {}) for factor in range(1, 7)]


@pytest.mark.parametrize("exercise, mapping, mistakes", [
    ("conv_transpose2d", CONV_TRANSPOSE2D, known.CONV_TRANSPOSE2D),
    ("conv_matrix", CONV_MATRIX, known.CONV_MATRIX),
    ("bilinear_kernel", BILINEAR_KERNEL, known.BILINEAR_KERNEL)])
def test_every_wrong_entry_and_every_mistake_is_paired(exercise, mapping, mistakes):
    """Is each wrong bank entry diagnosed by a mistake, and each mistake backed by a bank entry?"""
    assert set(mapping) == set(_bank()[exercise]["wrong"])
    assert set(mapping.values()) == set(mistakes)


@pytest.mark.parametrize("mistakes, reference, cases", [
    (known.CONV_TRANSPOSE2D, cnnkit.conv_transpose2d, _transpose_cases),
    (known.CONV_MATRIX, cnnkit.conv_matrix, _matrix_cases),
    (known.BILINEAR_KERNEL, cnnkit.bilinear_kernel, _factor_cases)])
def test_every_mistake_differs_from_the_reference(mistakes, reference, cases, rng):
    """Is every mistake really wrong on the cases a hidden test uses (else it could not be told apart)?"""
    for description, mistake in mistakes.items():
        differs = False
        for args, kwargs in cases(rng):
            expected = reference(*args, **kwargs)
            try:
                given = mistake(*args, **kwargs)
            except Exception:
                differs = True
                continue
            differs |= np.shape(given) != expected.shape or not np.allclose(given, expected)
        assert differs, description
