"""Does check_layer catch wrong layers with a useful message, and does choose_ops fall back honestly?"""

import numpy as np
import pytest

import cnnkit
import cnnkit.nn as nn
from cnnkit.checking import ForbiddenCall
from cnnkit.nn.checking import check_layer, choose_ops


class OverwritingLinear(nn.Linear):
    def backward(self, dout):
        self.weight.grad = dout.T @ self.x  # replaces instead of adding
        self.bias.grad = dout.sum(axis=0)
        return dout @ self.weight.value


class InPlaceReLU(nn.ReLU):
    def forward(self, x):
        self.mask = x > 0
        x[~self.mask] = 0
        return x


class CopyingReLU(nn.Layer):
    def forward(self, x):
        return nn.ReLU().forward(x)


def test_a_correct_layer_passes(rng):
    check_layer(nn.Linear(5, 3), nn.Linear(5, 3, rng=rng, dtype=np.float64), rng.standard_normal((4, 5)),
                name="Linear")
    check_layer(nn.Conv2d(2, 3, 3, padding=1), nn.Conv2d(2, 3, 3, padding=1, rng=rng),
                rng.standard_normal((2, 2, 5, 5)).astype(np.float32), name="Conv2d")


@pytest.mark.parametrize("layer, reference, shape, message", [
    (OverwritingLinear(5, 3), nn.Linear(5, 3, rng=0, dtype=np.float64), (4, 5), "after two backward passes"),
    (InPlaceReLU(), nn.ReLU(), (3, 4), "modified its input"),
    (nn.Linear(4, 3), nn.Linear(5, 3, rng=0), (2, 5), r"shapes \[\(3, 4\), \(3,\)\]"),
])
def test_wrong_layers_are_named(rng, layer, reference, shape, message):
    with pytest.raises(AssertionError, match=message):
        check_layer(layer, reference, rng.standard_normal(shape), name="layer")


def test_not_written_and_forbidden_layers(rng):
    with pytest.raises(AssertionError, match="ReLU.forward is not implemented yet"):
        check_layer(nn.Layer(), nn.ReLU(), rng.standard_normal((2, 2)), name="ReLU")
    with pytest.raises(ForbiddenCall):
        check_layer(CopyingReLU(), nn.ReLU(), rng.standard_normal((2, 2)), name="ReLU",
                    forbidden=[nn.ReLU.forward])


def test_choose_ops_keeps_good_functions_and_says_why_others_fall_back(capsys):
    def shifted_conv(x, w, b=None, stride=1, padding=0):
        return cnnkit.conv2d(x, w, b, stride=stride, padding=padding) + 1.0

    def unwritten(*args, **kwargs):
        raise NotImplementedError()

    chosen = choose_ops({"conv2d": shifted_conv, "max_pool2d": cnnkit.max_pool2d,
                         "max_pool2d_backward": unwritten})
    assert chosen["conv2d"] is cnnkit.conv2d
    assert chosen["max_pool2d"] is cnnkit.max_pool2d
    assert chosen["max_pool2d_backward"] is cnnkit.max_pool2d_backward
    printed = capsys.readouterr().out
    assert "conv2d              : cnnkit's (your conv2d differs from cnnkit" in printed
    assert "max_pool2d          : yours" in printed
    assert "max_pool2d_backward : cnnkit's (your max_pool2d_backward is not implemented yet" in printed
    assert "conv2d_backward     : cnnkit's (your conv2d_backward is not given)" in printed
    with pytest.raises(ValueError, match="no probe for"):
        choose_ops({"relu": unwritten})


def test_not_written_names_the_method_or_function_to_write():
    """Does a bare NotImplementedError (as released) say which method or function is still to write?"""
    from cnnkit.nn.checking import not_written

    class ReLU(nn.Layer):
        def forward(self, x):
            raise NotImplementedError()

    def train_step(*args):
        raise NotImplementedError()

    for call, where in [(lambda: nn.Sequential(ReLU()).forward(np.ones(2)), "ReLU.forward"),
                        (lambda: train_step(1), "train_step")]:
        with pytest.raises(NotImplementedError) as failure:
            call()
        assert not_written(failure.value) == (f"{where}: replace `raise NotImplementedError()` with your code "
                                              "and run its cell")
    with pytest.raises(NotImplementedError) as failure:
        nn.Layer().backward(np.ones(2))
    assert not_written(failure.value).startswith("Layer.backward is not written yet: replace")
