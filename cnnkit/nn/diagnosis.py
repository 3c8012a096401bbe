"""Check a whole network, a training step, and say why a trained network falls short (chapter 07).

- :func:`check_layers` compares every layer of the learner's network with cnnkit's
  reference network, forward and backward, each on the reference's input, naming a
  known mistake of the layer (:mod:`cnnkit.mistakes.lenet`) when its result equals one;
- :func:`check_train_step` runs the learner's ``train_step`` and cnnkit's on twin
  networks, step after step, and names the known mistake whose weights the learner's
  step reproduces (a step that never zeroes the gradients shows only at step 2);
- :func:`why_training_failed` looks for the first culprit when the trained network
  misses the accuracy bar: a layer, the loss, or the training step.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from cnnkit.checking import assert_close, call_learner, check_function, diagnose
from cnnkit.checking.diagnosis import run_quietly
from cnnkit.mistakes import lenet as known
from cnnkit.nn.checking import check_layer

__all__ = ["check_layers", "check_train_step", "why_training_failed"]


def _layers(model) -> list:
    return list(getattr(model, "layers", model))


def _verdict(mine, reference, x, name: str, backward: bool, seed: int) -> tuple[str, str]:
    """Run :func:`cnnkit.nn.checking.check_layer` and turn its outcome into (kind, message)."""
    try:
        check_layer(mine, reference, x, name=name, backward=backward, seed=seed,
                    mistakes=known.LAYERS.get(type(reference)))
    except AssertionError as failure:  # a failed call says its kind (call_learner); a comparison differs
        return getattr(failure, "kind", "differs"), " ".join(str(failure).split())
    return "ok", "matches the reference"


def _check_one_layer(index: int, mine, reference, x, seed: int) -> dict:
    """Forward, then backward, of one layer beside the reference layer, on the reference's input."""
    name = type(mine).__name__
    forward, message = _verdict(mine, reference, x, name, False, seed)
    backward = "missing"
    if forward == "ok":
        backward, message = _verdict(mine, reference, x, name, True, seed)
    return {"layer": f"{index}: {name}", "forward": forward, "backward": backward, "message": message}


def check_layers(model, reference, x, seed: int = 0) -> list[dict]:
    """One verdict per layer: ``{"layer", "forward", "backward", "message"}``.

    ``forward`` and ``backward`` are status kinds (ok/differs/missing/error).

    Parameters
    ----------
    model : Sequential or list of layers
        The learner's network; its parameters are overwritten by the reference's.
    reference : cnnkit.nn.Sequential
    x : ndarray, shape (N, C, H, W)
    seed : int
        Seeds the upstream gradients.
    """
    mine, theirs = _layers(model), _layers(reference)
    if len(mine) != len(theirs):
        names = ", ".join(type(layer).__name__ for layer in theirs)
        count = f"{len(mine)} layer{'s' if len(mine) != 1 else ''}"
        return [{"layer": "network", "forward": "differs", "backward": "differs",
                 "message": f"{count}, the reference has {len(theirs)}: {names}"}]
    rows = []
    for index, (layer, ref) in enumerate(zip(mine, theirs)):
        rows.append(_check_one_layer(index, layer, ref, x, seed + index))
        x = ref.forward(x)
    return rows


def _twins(seed: int):
    """A fresh float64 reference network and its SGD-with-momentum optimiser."""
    from cnnkit import nn

    model = nn.lenet_digits(seed=seed, dtype=np.float64)
    return model, nn.SGD(model.parameters(), lr=0.05, momentum=0.9)


def _state(loss, model) -> tuple:
    """(loss as a 0-d array, then every parameter's value): what a step leaves behind."""
    return (np.asarray(float(loss)),) + tuple(p.value.copy() for p in model.parameters())


def _mistake_states(mistakes, loss_fn, batches, seed: int) -> dict:
    """``{description: (loss, weights)}`` of each known mistaken step after ``len(batches)`` steps."""
    states = {}
    for description, step in dict(mistakes or {}).items():
        model, optimizer = _twins(seed)
        ran, losses = run_quietly(lambda: [step(model, loss_fn, optimizer, xb, yb) for xb, yb in batches])
        if ran:  # a mistake that cannot run cannot be the learner's
            states[description] = _state(losses[-1], model)
    return states


def check_train_step(step, batches, *, loss_fn=None, name: str = "train_step", seed: int = 4,
                     mistakes=None) -> None:
    """Raise AssertionError unless ``step`` updates a network exactly as ``cnnkit.nn.train_step``.

    Twin float64 LeNets (same seed) and SGD optimisers with momentum take one step per batch, the
    learner's ``step`` on one and cnnkit's on the other; after every step the returned loss and
    every weight must agree.

    Parameters
    ----------
    step : callable
        The learner's ``train_step(model, loss_fn, optimizer, xb, yb) -> loss``.
    batches : list of (ndarray (B, 1, 8, 8), ndarray of int (B,))
        One mini-batch per step; two or more show a step that never zeroes the gradients.
    loss_fn : callable, optional
        Passed to both steps; ``cnnkit.nn.softmax_cross_entropy`` by default. Another
        loss shows a step that ignores its ``loss_fn`` argument.
    name : str
        Used in messages.
    seed : int
        Seeds the twin networks.
    mistakes : dict of str to callable, optional
        Known wrong steps (:data:`cnnkit.mistakes.lenet.TRAIN_STEP`); the message names
        the one whose loss and weights equal the learner's after the failing step.
    """
    from cnnkit import nn

    loss_fn = loss_fn or nn.softmax_cross_entropy
    (mine, opt_mine), (theirs, opt_theirs) = _twins(seed), _twins(seed)
    for index, (xb, yb) in enumerate(batches, start=1):
        expected = nn.train_step(theirs, loss_fn, opt_theirs, xb, yb)
        given = call_learner(step, (mine, loss_fn, opt_mine, xb, yb), name=name, call=f"{name} at step {index}",
                             forbidden=[nn.train_step], none_is_error=False).value_or_raise()
        if not isinstance(given, (numbers.Real, np.number)) or np.ndim(given) != 0:
            raise AssertionError(f"{name} should return the loss of the batch as a float, got "
                                 f"{type(given).__name__}")
        state, right = _state(given, mine), _state(expected, theirs)
        candidates, found = {}, None
        if mistakes and diagnose(state, {"right": right}) is None:
            candidates = _mistake_states(mistakes, loss_fn, batches[:index], seed)
            found = diagnose(state, candidates)
        hint = "zero the gradients, then forward, loss (with the loss_fn given), backward, step; return the loss"
        labels = [f"the loss {name} returned at step {index}"] + [
            f"{q.name} of shape {q.value.shape} after step {index} of {len(batches)}" for q in theirs.parameters()]
        for position, (label, got, want) in enumerate(zip(labels, state, right)):
            assert_close(got, want, name=label, hint=hint,
                         mistakes={found: candidates[found][position]} if found else None)


def why_training_failed(build_network, loss_fn, step, images, labels) -> str:
    """The first reason a network trained with these pieces can miss the accuracy bar.

    Parameters
    ----------
    build_network : callable
        Returns the learner's (untrained) network.
    loss_fn, step : callable
        The learner's ``softmax_cross_entropy`` and ``train_step``.
    images : ndarray, shape (N, 1, 8, 8), N >= 48
    labels : ndarray of int, shape (N,)

    Returns
    -------
    str
        Which layer, the loss or the step differs from cnnkit's (with the known mistake when
        one matches), or, when all agree, that the training cell did not finish.
    """
    from cnnkit import nn

    try:
        rows = check_layers(build_network(), nn.lenet_digits(seed=0, dtype=np.float64),
                            np.asarray(images[:4], dtype=np.float64))
    except Exception as error:  # building the network failed
        return f"building the network raised {type(error).__name__}: {error}"
    for row in rows:
        if row["forward"] != "ok" or row["backward"] != "ok":
            return f"layer {row['layer']} does not match cnnkit's: {row['message']}"
    rng = np.random.default_rng(0)
    cases = [(rng.standard_normal((8, 10)) * 3, labels[:8]), (1000 + rng.standard_normal((4, 10)), labels[:4])]
    batches = [(np.asarray(images[i:i + 16], dtype=np.float64), labels[i:i + 16]) for i in (0, 16, 32)]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):  # an overflow must not reach stderr
            warnings.simplefilter("ignore")
            check_function(loss_fn, nn.softmax_cross_entropy, cases, name="softmax_cross_entropy",
                           output_names=("loss", "dlogits"), mistakes=known.SOFTMAX_CROSS_ENTROPY)
            check_train_step(step, batches, mistakes=known.TRAIN_STEP)
    except AssertionError as failure:
        return str(failure)
    return ("every layer, the loss and train_step match cnnkit's, so the network itself is right: run the "
            "notebook again from the top (the training cell must run to the end, after every exercise cell)")
