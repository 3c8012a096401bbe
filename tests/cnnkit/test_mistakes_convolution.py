"""Does every known mistake of chapter 01 compute exactly what its bank entry computes?

The diagnosis names a mistake when the learner's output equals it; that is only
true if the mistake function reproduces the wrong code it stands for. Each one
is compared with its bank entry (run with numpy as np and cnnkit's corr2d, as the
bank harness fills the other exercises with the solution) on random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
from cnnkit.mistakes import convolution as known

#: For each exercise: the known-mistake dict and, in its order, the bank entries they stand for.
STANDS_FOR = {
    "corr2d": (known.CORR2D, ["off_by_one_output", "flips_kernel", "assumes_square_kernel",
                              "output_axes_swapped", "same_size_output", "allocates_like_input"]),
    "convolve2d": (known.CONVOLVE2D, ["forgets_flip", "flips_rows_only", "flips_columns_only",
                                      "transposes_instead_of_rotating", "full_mode", "allocates_like_input"]),
    "conv2d": (known.CONV2D, ["channels_not_summed", "bias_added_per_channel", "forgets_bias",
                              "flips_kernels", "bias_on_last_axis", "allocates_like_input"]),
    "conv_params": (known.CONV_PARAMS, ["ignores_bias_flag", "bias_per_input_channel",
                                        "forgets_input_channels", "square_kernels_only"]),
}
GAUSSIAN = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16  # sixteenths: exact sums, nothing to round


def _conv_params(c_in, c_out, k, bias=True):
    kh, kw = (k, k) if np.isscalar(k) else k
    return (kh * kw * c_in + bias) * c_out


REFERENCES = {"corr2d": cnnkit.corr2d, "convolve2d": cnnkit.convolve2d, "conv2d": cnnkit.conv2d,
              "conv_params": _conv_params}


def _inputs(exercise):
    rng = np.random.default_rng(3)
    image = lambda *shape: rng.integers(0, 256, size=shape)  # noqa: E731
    if exercise in ("corr2d", "convolve2d"):
        return [(rng.normal(size=(7, 9)), rng.normal(size=(2, 4))),
                (rng.normal(size=(6, 6)), rng.normal(size=(3, 3))),
                (rng.normal(size=(5, 8)), rng.normal(size=(3, 1))),
                (image(8, 8), GAUSSIAN)]
    if exercise == "conv2d":
        return [(rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)),
                (rng.normal(size=(2, 2, 5, 7)), rng.normal(size=(3, 2, 3, 5)), rng.normal(size=3)),
                (image(2, 3, 6, 6), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2))]
    return [(4, 2, 2), (3, 64, 3), (64, 128, (3, 1)), (16, 8, (1, 5), False), (7, 1, 1, True)]


def test_every_mistake_stands_for_a_bank_entry_and_every_bank_entry_has_one(bank):
    """Is the table above complete in both directions?"""
    for exercise, (mistakes, entries) in STANDS_FOR.items():
        assert len(mistakes) == len(entries), exercise
        assert sorted(entries) == sorted(bank("01_convolution")[exercise]["wrong"]), exercise


@pytest.mark.parametrize("exercise, index", [(e, i) for e, (_, entries) in STANDS_FOR.items()
                                             for i in range(len(entries))],
                         ids=[f"{e}-{n}" for e, (_, entries) in STANDS_FOR.items() for n in entries])
def test_the_mistake_reproduces_its_bank_entry(exercise, index, reproduces_bank_entry):
    """Same output (or both raise) on every input, and a different output from cnnkit's on one."""
    mistakes, entries = STANDS_FOR[exercise]
    mistake = list(mistakes.values())[index]
    reproduces_bank_entry(mistake, "01_convolution", exercise, entries[index], _inputs(exercise),
                          REFERENCES[exercise], namespace={"corr2d": cnnkit.corr2d})


def test_built_on_your_corr2d_equals_the_reference_exactly_when_corr2d_is_right():
    """A right convolve2d/conv2d on top of the learner's corr2d: blamed only when that corr2d is wrong."""
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(6, 7)), rng.normal(size=(2, 3))
    xs, w, b = rng.normal(size=(2, 3, 5, 6)), rng.normal(size=(4, 3, 2, 3)), rng.normal(size=4)
    right = known.built_on_your_corr2d(cnnkit.corr2d)
    (convolve,), (layer,) = right["convolve2d"].values(), right["conv2d"].values()
    np.testing.assert_allclose(convolve(x, k), cnnkit.convolve2d(x, k))
    np.testing.assert_allclose(layer(xs, w, b), cnnkit.conv2d(xs, w, b))
    wrong = known.built_on_your_corr2d(lambda x, k: cnnkit.corr2d(x, k) + 1)
    (convolve,), (layer,) = wrong["convolve2d"].values(), wrong["conv2d"].values()
    np.testing.assert_allclose(convolve(x, k), cnnkit.convolve2d(x, k) + 1)
    np.testing.assert_allclose(layer(xs, w, b), cnnkit.conv2d(xs, w, b) + 3)  # +1 per input channel
