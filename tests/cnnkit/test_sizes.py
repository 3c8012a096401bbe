"""Output-size formulas: hand examples, PyTorch's shapes, and bad arguments."""

import itertools
import re

import numpy as np
import pytest

from cnnkit.sizes import conv_output_size, conv_transpose_output_size


def test_seed_examples():
    """Do the seeds' examples come out: 6x6 by 3x3 -> 4x4, 96 by 8 -> 89, padding 1 keeps 6?"""
    assert conv_output_size(6, 3) == 4
    assert conv_output_size(96, 8) == 89
    assert conv_output_size(6, 3, padding=1) == 6
    assert conv_transpose_output_size(2, 4, stride=3) == 7


def test_int_in_int_out_pair_in_pair_out():
    """Is the answer an int for ints and a tuple as soon as one argument is a pair?"""
    assert isinstance(conv_output_size(7, 3), int)
    assert conv_output_size((7, 9), 3) == (5, 7)
    assert conv_output_size(7, (3, 1), stride=(2, 1)) == (3, 7)
    assert conv_transpose_output_size((3, 4), 3, stride=2, output_padding=(1, 0)) == (8, 9)


def test_formula_by_hand():
    """Stride, padding and dilation each enter the formula where they should."""
    assert conv_output_size(32, 3, stride=2, padding=1) == 16
    assert conv_output_size(10, 3, dilation=2) == 6        # dilated kernel spans 5
    assert conv_output_size(5, 5) == 1                     # kernel = input
    assert conv_output_size(5, 1, stride=7) == 1           # stride > input
    assert conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1) == 8


@pytest.mark.parametrize(
    "size, kernel, stride, padding, expected",
    [(5, 2, 2, 0, 3), (6, 3, 2, 1, 4), (4, 2, 2, 1, 3), (5, 3, 3, 1, 2)],
)
def test_ceil_mode_by_hand(size, kernel, stride, padding, expected):
    """ceil_mode rounds up but drops a last window that would start in the right padding."""
    assert conv_output_size(size, kernel, stride, padding, ceil_mode=True) == expected


def test_matches_pytorch_pooling_and_conv_shapes(torch):
    """Every small combination gives the shape PyTorch's max_pool2d and conv2d give."""
    functional = torch.nn.functional
    for size, kernel, stride, dilation in itertools.product(
            range(1, 9), range(1, 5), range(1, 4), range(1, 3)):
        for padding in range(0, kernel // 2 + 1):
            if (kernel - 1) * dilation + 1 > size + 2 * padding:
                continue
            x = torch.zeros(1, 1, size, size)
            for ceil_mode in (False, True):
                expected = functional.max_pool2d(x, kernel, stride, padding, dilation,
                                                 ceil_mode=ceil_mode).shape[-1]
                assert conv_output_size(size, kernel, stride, padding, dilation,
                                        ceil_mode) == expected
            w = torch.zeros(1, 1, kernel, kernel)
            for extra in range(max(stride, dilation)):
                args = (size, kernel, stride, padding, extra, dilation)
                try:
                    y = functional.conv_transpose2d(x, w, stride=stride, padding=padding,
                                                    output_padding=extra, dilation=dilation)
                    torch_size = y.shape[-1]
                except RuntimeError:  # PyTorch: "Output size is too small"
                    torch_size = 0
                if torch_size == 0:  # PyTorch returns an empty output at 0; we refuse
                    with pytest.raises(ValueError, match="removes the whole output"):
                        conv_transpose_output_size(*args)
                else:
                    assert conv_transpose_output_size(*args) == torch_size


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(size=3, kernel_size=5), ValueError,
         r"the window does not fit: it spans d\*\(k-1\)\+1 = 5 cells \(kernel_size=5, "
         r"dilation=1\), more than the 3 cells of the padded input \(size=3, padding=0\)$"),
        (dict(size=3, kernel_size=2, dilation=3), ValueError, r"dilation=3"),
        (dict(size=3, kernel_size=1, stride=0), ValueError, r"stride must be positive, got 0"),
        (dict(size=3, kernel_size=1, padding=-1), ValueError, r"padding must be non-negative"),
        (dict(size=3, kernel_size=2.5), TypeError, r"kernel_size must be an int or a pair"),
        (dict(size=(3, 3, 3), kernel_size=2), TypeError, r"size must be an int or a pair"),
    ],
)
def test_conv_output_size_rejects(kwargs, error, match):
    """Impossible sizes and malformed arguments raise and name the argument."""
    with pytest.raises(error, match=r"conv_output_size: .*" + match):
        conv_output_size(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(size=3, kernel_size=3, stride=2, output_padding=2), r"output_padding must be smaller"),
        (dict(size=1, kernel_size=1, padding=1), r"padding=1 removes the whole output"),
        (dict(size=3, kernel_size=3, dilation=0), r"dilation must be positive"),
    ],
)
def test_conv_transpose_output_size_rejects(kwargs, match):
    """output_padding >= stride and dilation, or padding eating the output, are ValueErrors."""
    with pytest.raises(ValueError, match=r"conv_transpose_output_size: " + match):
        conv_transpose_output_size(**kwargs)


def _does_not_fit(call):
    with pytest.raises(ValueError) as error:
        call()
    return str(error.value)


def test_every_op_words_a_window_that_does_not_fit_the_same_way():
    """One check, one message: the same words from the size formula, convolutions and pooling."""
    import cnnkit
    from cnnkit.conv import conv2d_loops

    x, big = np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 3))
    messages = {
        "conv_output_size": _does_not_fit(lambda: cnnkit.conv_output_size((2, 2), 3)),
        "conv2d": _does_not_fit(lambda: cnnkit.conv2d(x, big)),
        "conv2d_loops": _does_not_fit(lambda: conv2d_loops(x, big)),
        "corr2d": _does_not_fit(lambda: cnnkit.corr2d(x[0, 0], big[0, 0])),
        "conv_matrix": _does_not_fit(lambda: cnnkit.conv_matrix((2, 2), big[0, 0])),
        "max_pool2d": _does_not_fit(lambda: cnnkit.max_pool2d(x, 3, padding=1, dilation=2)),
        "avg_pool2d": _does_not_fit(lambda: cnnkit.avg_pool2d(x, 3)),
        "lp_pool2d": _does_not_fit(lambda: cnnkit.lp_pool2d(x, 2, 3)),
    }
    for fn, message in messages.items():
        expected = (rf"{fn}: the window does not fit along the height: it spans d\*\(k-1\)\+1 = "
                    rf"\d+ cells \(kernel_size=3, dilation=\d\), more than the \d+ cells of the "
                    rf"padded input \(size=2, padding=\d\)")
        assert re.match(expected, message), message
