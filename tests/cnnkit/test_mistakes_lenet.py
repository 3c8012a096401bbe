"""cnnkit.mistakes.lenet: does every known mistake reproduce the bank entry it stands for?

The bank (tests/banks/07_lenet.py) holds the wrong answers as notebook cell sources; each is
executed here (with np, nn and OPS as in the notebook) and run beside its mistake on the same
inputs and weights, so a diagnosis in a hidden test is proven against the bank, not asserted.
"""

import copy
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import cnnkit
import cnnkit.nn as nn
from cnnkit.mistakes import lenet as known
from cnnkit.nn.checking import _stages

BANK_PATH = Path(__file__).resolve().parents[1] / "banks" / "07_lenet.py"
OPS = {name: getattr(cnnkit, name) for name in ("conv2d", "conv2d_backward", "max_pool2d", "max_pool2d_backward")}

# bank entry -> the description of the mistake that stands for it (per exercise)
PAIRS = {
    "relu": {
        "backward_passes_everything": "backward returns dout unchanged (it must block the gradient where x <= 0)",
        "backward_masks_with_dout": "backward masks with dout > 0 instead of with the forward input x > 0",
        "backward_multiplies_by_output": "backward multiplies dout by the output max(x, 0) instead of by the mask x > 0",
        "passes_gradient_at_zero": "backward lets the gradient through where x == 0 (test x > 0, not x >= 0)",
        "forward_abs": "forward returns |x| instead of max(x, 0)",
    },
    "linear": {
        "transposed_weight_grad": "weight.grad is x.T @ dout reshaped to W's shape instead of dout.T @ x",
        "overwrites_grads": "the gradients are overwritten (=) instead of accumulated (+=)",
        "bias_grad_mean": "bias.grad is the mean of dout over the batch instead of its sum",
        "forgets_bias": "forward leaves out the bias",
        "dx_with_transposed_weight": "dx is dout @ W.T instead of dout @ W",
    },
    "conv2d_layer": {
        "overwrites_grads": "the gradients are overwritten (=) instead of accumulated (+=)",
        "backward_drops_stride_and_padding": "backward calls backward_fn without the layer's stride and padding",
        "returns_dw": "backward returns dw instead of dx",
        "forward_without_bias": "forward passes no bias to forward_fn",
        "swaps_dout_and_x": "backward passes (x, dout) to backward_fn instead of (dout, x)",
    },
    "softmax_cross_entropy": {
        "no_max_shift": "the row maximum is not subtracted before np.exp (exp of a score near 1000 overflows to inf)",
        "softmax_over_columns": "softmax normalises each column (axis=0) instead of each row (axis=1)",
        "gradient_not_divided_by_batch": "dlogits is not divided by the batch size N",
        "forgets_one_hot": "dlogits is p / N, without subtracting the one-hot label",
        "loss_summed_not_averaged": "the loss is summed over the batch instead of averaged",
        "indexes_every_row_with_every_label": "probs[:, labels] takes every label for every row "
                                              "(use probs[np.arange(N), labels])",
        "loss_without_log": "the loss is -p[y] instead of -log p[y]",
        "dlogits_zeros_like_logits": "dlogits takes the integer dtype of the logits (np.zeros_like(logits)), so "
                                     "the probabilities are truncated",
        "dlogits_cast_to_logits_dtype": "dlogits is cast to the integer dtype of the logits (.astype(logits.dtype)), "
                                        "which truncates it to 0",
    },
    "count_params": {
        "weights_only": "the biases are left out (only arrays with 2 or more axes counted)",
        "counts_arrays": "it counts parameter arrays instead of their entries",
        "counts_first_axis": "it adds len(p.value) (the first axis) instead of p.value.size",
        "counts_layers": "it counts layers instead of numbers",
    },
    "train_step": {
        "never_zeroes_gradients": "the gradients are never zeroed, so each step adds the new gradients to all the "
                                  "old ones",
        # two orders that both step with zeroed gradients: one mistake, the same weights
        "steps_before_backward": "optimizer.step() runs while the gradients are zero (after zero_grad() and before "
                                 "model.backward() fills them), so the weights never move",
        "zeroes_between_backward_and_step": "optimizer.step() runs while the gradients are zero (after zero_grad() "
                                            "and before model.backward() fills them), so the weights never move",
        "backward_of_logits": "model.backward() gets the logits instead of dlogits",
        "ignores_loss_fn": "the loss is computed with cnnkit's softmax_cross_entropy instead of the loss_fn argument",
    },
}
# Wrong bank entries caught by a check other than the comparison of results, so without a mistake:
CAUGHT_OTHERWISE = {
    ("relu", "forward_in_place"): "check_layer refuses a forward that modifies its input x",
}
MISTAKES = {"relu": known.RELU, "linear": known.LINEAR, "conv2d_layer": known.CONV2D_LAYER,
            "softmax_cross_entropy": known.SOFTMAX_CROSS_ENTROPY, "count_params": known.COUNT_PARAMS,
            "train_step": known.TRAIN_STEP}
CLASS_NAMES = {"relu": "ReLU", "linear": "Linear", "conv2d_layer": "Conv2d"}


def _bank():
    spec = importlib.util.spec_from_file_location("bank_07_lenet", BANK_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def _compiled(exercise: str, entry: str, name: str):
    namespace = {"np": np, "nn": nn, "OPS": OPS}
    exec(_bank()[exercise]["wrong"][entry], namespace)
    return namespace[name]


def _layer_cases(exercise, rng):
    """(reference layer, the bank class's constructor arguments, input) for each layer exercise."""
    if exercise == "relu":
        x = rng.standard_normal((3, 4, 4, 4))
        x[:, :, :2] = 0.0
        return [(nn.ReLU(), (), x)]
    if exercise == "linear":
        return [(nn.Linear(n, m, rng=rng, dtype=np.float64), (n, m), rng.standard_normal((b, n)))
                for n, m, b in [(5, 3, 4), (4, 4, 3)]]
    cases = []
    for shape, c, f, k, s, p in [((2, 3, 7, 6), 3, 4, 3, 1, 1), ((1, 1, 8, 8), 1, 2, 3, 2, 0),
                                 ((2, 3, 5, 5), 3, 3, 3, 1, 1)]:
        reference = nn.Conv2d(c, f, k, stride=s, padding=p, rng=rng, dtype=np.float64)
        reference.bias.value[...] = rng.standard_normal(f)
        cases.append((reference, (c, f, k, s, p), rng.standard_normal(shape)))
    return cases


def _run_stages(layer, x, dout):
    try:
        return _stages(layer, x, dout, backward=True)
    except Exception as error:
        return type(error)


@pytest.mark.parametrize("exercise, entry", [(e, n) for e in CLASS_NAMES for n in PAIRS[e]])
def test_layer_mistake_reproduces_bank_entry(exercise, entry, rng):
    """Does the mistaken layer give, at every stage check_layer looks at, what the bank's layer gives?"""
    bank_class = _compiled(exercise, entry, CLASS_NAMES[exercise])
    mistake = known.LAYERS[{"relu": nn.ReLU, "linear": nn.Linear, "conv2d_layer": nn.Conv2d}[exercise]][
        PAIRS[exercise][entry]]
    for reference, arguments, x in _layer_cases(exercise, rng):
        twin = copy.deepcopy(reference)
        twin.__class__ = mistake
        bank_layer = bank_class(*arguments)
        for mine, theirs in zip(bank_layer.parameters(), reference.parameters()):
            mine.value = theirs.value.copy()
        dout = rng.standard_normal(reference.forward(x.copy()).shape)
        expected, given = _run_stages(bank_layer, x, dout), _run_stages(twin, x, dout)
        if isinstance(expected, type):
            assert given is expected, entry
            continue
        assert set(given) == set(expected), entry
        for stage in expected:
            np.testing.assert_allclose(given[stage], expected[stage], rtol=1e-12, err_msg=f"{entry}: {stage}")


def _sce_cases(rng):
    return [(rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)),
            (1000 + rng.standard_normal((4, 5)) * 3, np.array([0, 4, 4, 1])),
            (rng.integers(-4, 5, (5, 3)), np.array([0, 1, 2, 2, 0]))]


@pytest.mark.parametrize("entry", sorted(PAIRS["softmax_cross_entropy"]))
def test_softmax_mistake_reproduces_bank_entry(entry, rng):
    """Do the mistaken loss and gradient equal the bank entry's (large and integer scores included)?"""
    bank_fn = _compiled("softmax_cross_entropy", entry, "softmax_cross_entropy")
    mistake = known.SOFTMAX_CROSS_ENTROPY[PAIRS["softmax_cross_entropy"][entry]]
    with np.errstate(all="ignore"):
        for logits, labels in _sce_cases(rng):
            expected, given = bank_fn(logits.copy(), labels), mistake(logits.copy(), labels)
            np.testing.assert_allclose(given[0], expected[0], rtol=1e-12, err_msg=entry)
            np.testing.assert_allclose(given[1], expected[1], rtol=1e-12, err_msg=entry)


@pytest.mark.parametrize("entry", sorted(PAIRS["count_params"]))
def test_count_params_mistake_reproduces_bank_entry(entry):
    """Does the mistaken count equal the bank entry's on several models?"""
    bank_fn = _compiled("count_params", entry, "count_params")
    mistake = known.COUNT_PARAMS[PAIRS["count_params"][entry]]
    for model in [nn.lenet_digits(), nn.Sequential(nn.Conv2d(3, 5, (2, 4), rng=0), nn.ReLU()),
                  nn.Sequential(nn.Linear(3, 2, rng=0))]:
        assert mistake(model) == bank_fn(model), entry


def _trained_weights(step, loss_fn, steps=2):
    model = nn.lenet_digits(seed=3, dtype=np.float64, conv1=4, conv2=6)
    optimizer = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rng = np.random.default_rng(5)
    losses = []
    for _ in range(steps):
        xb, yb = rng.random((6, 1, 8, 8)), rng.integers(0, 10, 6)
        losses.append(step(model, loss_fn, optimizer, xb, yb))
    return losses, np.concatenate([p.value.ravel() for p in model.parameters()])


def _doubled_loss(logits, labels):
    loss, dlogits = nn.softmax_cross_entropy(2 * logits, labels)
    return loss, 2 * dlogits


@pytest.mark.parametrize("entry", sorted(PAIRS["train_step"]))
def test_train_step_mistake_reproduces_bank_entry(entry):
    """After two steps, do the mistaken step and the bank entry give the same losses and weights?"""
    bank_fn = _compiled("train_step", entry, "train_step")
    mistake = known.TRAIN_STEP[PAIRS["train_step"][entry]]
    for loss_fn in (nn.softmax_cross_entropy, _doubled_loss):
        expected, given = _trained_weights(bank_fn, loss_fn), _trained_weights(mistake, loss_fn)
        np.testing.assert_allclose(given[0], expected[0], rtol=1e-12, err_msg=entry)
        np.testing.assert_allclose(given[1], expected[1], rtol=1e-12, err_msg=entry)


@pytest.mark.parametrize("exercise", sorted(MISTAKES))
def test_every_wrong_entry_and_every_mistake_is_paired(exercise):
    """Is each wrong bank entry diagnosed by a mistake (or caught otherwise), and each mistake backed by one?"""
    otherwise = {entry for (name, entry) in CAUGHT_OTHERWISE if name == exercise}
    assert set(PAIRS[exercise]) | otherwise == set(_bank()[exercise]["wrong"])
    assert set(PAIRS[exercise].values()) == set(MISTAKES[exercise])
