"""Do the chapter 07 explorers tell a right network from a wrong one, driven from code?"""

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers are ipywidgets")

import cnnkit.nn as nn  # noqa: E402
from cnnkit.widgets.training import DigitExplorer, NetworkCheckExplorer  # noqa: E402


class LeakyBackwardReLU(nn.ReLU):
    def backward(self, dout):
        return dout  # lets the gradient through where x < 0


class OverwritingLinear(nn.Linear):
    def backward(self, dout):
        dx = super().backward(dout)
        self.weight.grad *= 2  # a grad that is twice too big
        return dx


def _network_with(position, layer):
    def build():
        model = nn.lenet_digits(seed=1)
        model.layers[position] = layer
        return model
    return build


def test_not_written_and_raising_networks_are_reported_plainly():
    assert NetworkCheckExplorer(None).status_kind == "missing"

    def unfinished():
        raise NotImplementedError()

    assert NetworkCheckExplorer(unfinished).status_kind == "missing"

    def broken():
        raise KeyError("conv")

    explorer = NetworkCheckExplorer(broken)
    assert explorer.status_kind == "error" and "KeyError" in explorer.status.value


def test_a_correct_network_passes_every_layer():
    explorer = NetworkCheckExplorer(lambda: nn.lenet_digits(seed=7))
    assert explorer.status_kind == "ok"
    assert len(explorer.rows) == 8
    assert all(r["forward"] == r["backward"] == "ok" for r in explorer.rows)


@pytest.mark.parametrize("position, layer, culprit", [
    (1, LeakyBackwardReLU(), "1: LeakyBackwardReLU"),
    (7, OverwritingLinear(128, 10, rng=0), "7: OverwritingLinear"),
])
def test_a_wrong_layer_is_named(position, layer, culprit):
    explorer = NetworkCheckExplorer(_network_with(position, layer))
    assert explorer.status_kind == "differs"
    assert culprit in explorer.status.value
    wrong = [r["layer"] for r in explorer.rows if "differs" in (r["forward"], r["backward"])]
    assert wrong == [culprit]


def test_wrong_layer_count_and_button_rerun():
    explorer = NetworkCheckExplorer(lambda: nn.Sequential(nn.ReLU()))
    assert explorer.status_kind == "differs" and "1 layer, the reference has 8" in explorer.status.value
    explorer.build_network = lambda: nn.lenet_digits(seed=0)
    explorer.button.click()
    assert explorer.status_kind == "ok"
    explorer.controls["batch"].value = 1
    assert explorer.status_kind == "ok"


def test_digit_explorer_follows_the_slider():
    rng = np.random.default_rng(0)
    images, labels = rng.random((5, 1, 8, 8)).astype(np.float32), np.arange(5)
    model = nn.lenet_digits(seed=0)
    explorer = DigitExplorer(model, images, labels)
    explorer.controls["index"].value = 3
    expected = int(model.forward(images[3:4]).argmax())
    assert explorer.prediction == expected
    assert f"true 3, predicted {expected}" in explorer.status.value
    assert explorer.image.value[:4] == b"\x89PNG"
    assert DigitExplorer(None, images, labels).status_kind == "missing"


class MaskFromDoutReLU(nn.ReLU):
    def backward(self, dout):
        return np.where(dout > 0, dout, 0)


def test_a_known_mistake_of_a_layer_is_named():
    """Does the explorer say which known mistake a wrong layer makes, not only where it differs?"""
    explorer = NetworkCheckExplorer(_network_with(4, MaskFromDoutReLU()))
    assert explorer.status_kind == "differs"
    assert "4: MaskFromDoutReLU" in explorer.status_message
    assert "equals what you get when backward masks with dout > 0" in explorer.status_message


class _Scores:
    """A 'network' whose answer is fixed per image: the image's first pixel is the predicted class."""

    def forward(self, x):
        scores = np.zeros((len(x), 10))
        scores[np.arange(len(x)), x[:, 0, 0, 0].astype(int)] = 5.0
        return scores


def test_next_mistake_walks_through_the_wrong_digits_and_wraps():
    """Does the button visit exactly the misread digits, in order, and come back to the first?"""
    labels = np.array([0, 1, 2, 3, 4, 5])
    answers = np.array([0, 7, 2, 3, 9, 5])          # digits 1 and 4 are read wrong
    images = np.zeros((6, 1, 8, 8))
    images[:, 0, 0, 0] = answers
    explorer = DigitExplorer(_Scores(), images, labels)
    visited = []
    for _ in range(3):
        explorer.next_button.click()
        visited.append(explorer.controls["index"].value)
        assert explorer.prediction != labels[visited[-1]]
    assert visited == [1, 4, 1]
    assert "mistake 1 of 2" in explorer.status_message


def test_next_mistake_with_a_perfect_or_missing_network():
    """No mistakes: the status says so; an unwritten network: the usual 'not implemented'."""
    images = np.zeros((3, 1, 8, 8))
    explorer = DigitExplorer(_Scores(), images, np.zeros(3, dtype=int))
    explorer.next_button.click()
    assert explorer.status_kind == "ok" and "no mistakes" in explorer.status_message
    blank = DigitExplorer(None, images, np.zeros(3, dtype=int))
    blank.next_button.click()
    assert blank.status_kind == "missing"
