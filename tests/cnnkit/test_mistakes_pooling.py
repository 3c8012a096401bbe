"""cnnkit.mistakes.pooling: does every known mistake reproduce the bank entry it stands for?

Each wrong entry of tests/banks/03_pooling.py is executed with numpy as np and compared with its
mistake function on cases like the hidden tests' (overlapping windows, padding of an all-negative
map, strides larger than the window, levels that do not divide the size, an integer map).
"""

import numpy as np
import pytest
from bank_entries import check_mistakes, load_bank

import cnnkit
import cnnkit.checking as check
from cnnkit.mistakes import pooling as known

BANK = load_bank("03_pooling")

STANDS_FOR = {
    "max_pool2d": (known.MAX_POOL2D, {
        "zero_padding": "the padding is filled with 0 instead of -inf, so it can win a window of negative values",
        "reshape_trick": "the map is cut into k x k tiles with reshape, which ignores the stride and the padding "
                         "(right only when the windows tile the map)",
        "default_stride_one": "stride=None is taken as stride 1 instead of stride = kernel_size",
        "off_by_one_size": "the output size lacks the + 1 (one window too few on each axis)",
        "max_over_channels_too": "the maximum is also taken over the channels (axis 1)",
        "pads_one_side": "all the padding goes on top and on the left (2p there, none at the bottom or on the "
                         "right)",
    }),
    "avg_pool2d": (known.AVG_POOL2D, {
        "sums_instead_of_averaging": "the window is summed, not averaged (no division by k * k)",
        "averages_over_channels_too": "the mean is also taken over the channels (axis 1)",
        "reshape_trick": "the map is cut into k x k tiles with reshape, which ignores the stride and the padding "
                         "(right only when the windows tile the map)",
        "ignores_padding_in_divisor": "the divisor counts only the real cells, leaving the padding out "
                                      "(count_include_pad=False, TensorFlow's rule)",
        "default_stride_one": "stride=None is taken as stride 1 instead of stride = kernel_size",
        "output_in_input_dtype": "the output array has x's integer dtype, so every mean is truncated towards 0",
    }),
    "global_avg_pool2d": (known.GLOBAL_AVG_POOL2D, {
        "drops_the_spatial_axes": "the spatial axes are dropped: shape (N, C) instead of (N, C, 1, 1)",
        "sums": "the map is summed, not averaged",
        "averages_over_channels": "the mean is also taken over the channels",
        "averages_over_batch": "the mean is also taken over the batch",
        "floor_division": "the sum is divided with // (floor division), which rounds every mean down",
    }),
    "spatial_pyramid_pool": (known.SPATIAL_PYRAMID_POOL, {
        "floor_window": "each window is floor(H / l) cells instead of ceil(H / l), so it misses rows",
        "adaptive_windows": "the windows are PyTorch's adaptive ones (rows floor(iH/l) to ceil((i+1)H/l)) "
                            "instead of SPP-net's (window ceil(H/l), stride floor(H/l))",
        "average_instead_of_max": "each window is averaged instead of maxed",
        "flattens_positions_first": "each level is flattened position first and channel last ((N, l, l, C) "
                                    "order)",
    }),
    "lp_pool2d": (known.LP_POOL2D, {
        "power_mean": "the window is averaged instead of summed (the power mean, without the factor k * k)",
        "forgets_the_root": "the p-th root is missing (that is the sum of x**p)",
        "absolute_values": "|x| is raised to the power p: PyTorch's lp_pool2d uses x**p, so p = 1 is the "
                           "plain sum, negative values included",
        "always_square_root": "the root is always a square root, whatever p",
        "default_stride_one": "stride=None is taken as stride 1 instead of stride = kernel_size",
        "output_in_input_dtype": "the output array has x's integer dtype, so every value is truncated towards 0",
    }),
}

REFERENCES = {"max_pool2d": cnnkit.max_pool2d, "avg_pool2d": cnnkit.avg_pool2d,
              "global_avg_pool2d": cnnkit.global_avg_pool2d,
              "spatial_pyramid_pool": cnnkit.spatial_pyramid_pool,
              "lp_pool2d": lambda x, p, k, stride=None: cnnkit.lp_pool2d(x, p, k, stride)}


def _window_cases(rng, integer=True):
    """The integer map only for average pooling: -inf padding of an integer array raises, in max pooling."""
    return [((rng.normal(size=(2, 3, 8, 8)), 2), {}), ((rng.normal(size=(1, 2, 7, 9)), 3), {"stride": 1}),
            ((-1.0 - rng.random(size=(1, 2, 5, 6)), 3), {"stride": 2, "padding": 1}),
            ((rng.normal(size=(2, 2, 6, 5)), 3), {"stride": 1, "padding": 1}),
            ((rng.normal(size=(1, 1, 5, 7)), 2), {"stride": 3}),
            ((rng.integers(0, 10, size=(2, 2, 6, 6)), 2), {"stride": 1})][:None if integer else -1]


def _cases(exercise, rng):
    if exercise in ("max_pool2d", "avg_pool2d"):
        return _window_cases(rng, integer=exercise == "avg_pool2d")
    if exercise == "global_avg_pool2d":
        return [((rng.normal(size=(3, 4, 5, 7)),), {}), ((rng.integers(0, 10, size=(2, 3, 4, 5)),), {})]
    if exercise == "spatial_pyramid_pool":
        return [((rng.normal(size=(2, 3, 13, 13)), (1, 2, 3, 6)), {}), ((rng.normal(size=(1, 2, 7, 10)), (1, 2, 4)), {}),
                ((rng.normal(size=(2, 4, 8, 8)), (1, 2, 4)), {})]
    return [((rng.normal(size=(2, 3, 6, 6)), 1, 2), {}), ((rng.normal(size=(1, 2, 7, 8)), 2, 3), {"stride": 2}),
            ((rng.random(size=(2, 2, 6, 7)), 3, 2), {"stride": 1}), ((rng.random(size=(1, 3, 5, 5)), 1.5, 2), {}),
            ((rng.integers(0, 10, size=(2, 2, 6, 6)), 2, 2), {})]


@pytest.mark.parametrize("exercise", sorted(STANDS_FOR))
def test_every_mistake_reproduces_its_bank_entry(exercise, rng):
    """Does each known mistake give what its bank entry gives, and differ from the right answer?"""
    known_mistakes, stands_for = STANDS_FOR[exercise]
    with np.errstate(invalid="ignore"):
        check_mistakes(known_mistakes, BANK, exercise, stands_for, _cases(exercise, rng), REFERENCES[exercise])


def test_tensorflow_divisor_is_named_for_a_padded_average():
    """Does an average that leaves the padding out of the divisor get TensorFlow's rule named?"""
    x = np.ones((1, 1, 4, 4))
    given = cnnkit.avg_pool2d(x, 3, 1, 1, count_include_pad=False)
    found = check.diagnose(given, {d: f(x, 3, 1, 1) for d, f in known.AVG_POOL2D.items()})
    assert "TensorFlow" in found
