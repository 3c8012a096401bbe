"""What chapter 07's tests call: compare a learner's layer with cnnkit's, and choose ops with fallback.

:func:`check_layer` gives the learner's layer the reference layer's weights,
runs both forward and backward on the same arrays and raises an AssertionError
that says what differs (output, ``dx`` or a parameter's ``grad``), including
gradients that are overwritten instead of accumulated.

:func:`choose_ops` probes the learner's own ``conv2d`` / ``max_pool2d`` (and
their backward functions) on a tiny example and keeps each one only if it
agrees with cnnkit, saying which ones fall back; :func:`cnnkit_ops` gives
cnnkit's four, which the chapter's training runs on.
"""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np

from cnnkit.checking import assert_close, call_learner, describe_mismatch, forbid
from cnnkit.checking.diagnosis import run_quietly

__all__ = ["check_layer", "choose_ops", "cnnkit_ops", "known_layer_outputs", "not_written", "PROBES"]


def _run(call: str, function, *args, hint: str | None = None):
    """``function(*args)`` through :func:`cnnkit.checking.call_learner`; an AssertionError unless it returns."""
    return call_learner(function, args, name=call, none_is_error=False).value_or_raise(hint)


def _share_weights(layer, reference, name: str) -> None:
    mine, theirs = list(layer.parameters()), list(reference.parameters())
    if [np.shape(p.value) for p in mine] != [p.value.shape for p in theirs]:
        raise AssertionError(f"{name} has parameters of shapes {[np.shape(p.value) for p in mine]}, "
                             f"expected {[p.value.shape for p in theirs]}")
    for parameter, ref in zip(mine, theirs):
        parameter.value = ref.value.copy()
        parameter.grad = np.zeros_like(ref.value)


def _stages(layer, x, dout, backward: bool) -> dict:
    """Run ``layer`` as :func:`check_layer` runs the learner's layer; every intermediate result by stage.

    Stages: ``"forward"``, then (with ``backward``) ``"dx"``, ``"grad <name>"`` after one
    backward pass and ``"grad2 <name>"`` after a second one.
    """
    stages = {"forward": layer.forward(x.copy())}
    if backward:
        for p in layer.parameters():
            p.grad = np.zeros_like(p.value)
        stages["dx"] = layer.backward(dout.copy())
        stages.update({f"grad {p.name}": p.grad.copy() for p in layer.parameters()})
        layer.backward(dout.copy())
        stages.update({f"grad2 {p.name}": p.grad.copy() for p in layer.parameters()})
    return stages


class _KnownMistakes:
    """The stages of each known mistaken layer, computed on first use (only when a check fails)."""

    def __init__(self, mistakes, reference, x, backward: bool) -> None:
        # clones of the reference (same weights, stride, ops) turned into each mistaken class
        self._twins = {d: _as_class(reference, cls) for d, cls in dict(mistakes or {}).items()}
        self._x, self._backward, self._dout, self._stages = x, backward, None, None

    def at(self, stage: str, dout) -> dict:
        if self._stages is None:
            self._stages = {}
            for description, twin in self._twins.items():
                ran, stages = run_quietly(_stages, twin, self._x, dout, self._backward)
                if ran:  # a mistake that cannot run here cannot be the learner's
                    self._stages[description] = stages
        return {d: stages[stage] for d, stages in self._stages.items() if stage in stages}


def _as_class(layer, cls):
    twin = copy.deepcopy(layer)
    twin.__class__ = cls
    return twin


def check_layer(layer, reference, x, *, name: str, backward: bool = True, seed: int = 7,
                forbidden=(), hint: str | None = None, mistakes=None) -> None:
    """Raise AssertionError unless ``layer`` matches ``reference`` forward (and backward).

    Parameters
    ----------
    layer : the learner's layer
        With ``forward``, ``backward`` and ``parameters()`` (Parameter objects).
    reference : cnnkit.nn layer
        Its weights are copied into ``layer`` first.
    x : ndarray
        The input batch.
    name : str
        Used in messages, e.g. ``"Linear(5, 3)"``.
    backward : bool
        Also compare ``dx`` and every ``grad``, then run backward once more and
        check that the gradients doubled (they must accumulate with ``+=``).
    seed : int
        Seeds the upstream gradient ``dout``.
    forbidden : iterable of callables
        Must not be called while the learner's code runs (e.g. ``cnnkit.nn.ReLU.forward``).
    hint : str, optional
        The usual mistake, added to mismatch messages when no known mistake matches.
    mistakes : dict of str to class, optional
        Known mistakes (:mod:`cnnkit.mistakes.lenet`): subclasses of the reference's
        class with a wrong ``forward`` or ``backward``. When a result of the learner's
        layer differs, each mistaken layer (with the same weights) runs the same
        steps, and the message names the first whose result equals the learner's.
    """
    _share_weights(layer, reference, name)
    known = _KnownMistakes(mistakes, reference, x, backward)
    expected = _stages(reference, x, np.zeros(0), backward=False)["forward"]
    dout = np.random.default_rng(seed).standard_normal(expected.shape).astype(expected.dtype)
    expected = _stages(reference, x, dout, backward)
    given_x = x.copy()

    def compare(actual, stage, what, stage_hint=hint):
        try:
            assert_close(actual, expected[stage], name=what, hint=stage_hint)
        except AssertionError:
            if not mistakes:
                raise
            assert_close(actual, expected[stage], name=what, hint=stage_hint, mistakes=known.at(stage, dout))

    with forbid(*forbidden):
        out = _run(f"{name}.forward", layer.forward, given_x, hint=hint)
        if not np.array_equal(given_x, x):
            raise AssertionError(f"{name}.forward modified its input x; compute a new array instead")
        compare(out, "forward", f"{name}.forward(x)")
        if not backward:
            return
        dx = _run(f"{name}.backward", layer.backward, dout.copy(), hint=hint)
        compare(dx, "dx", f"dx = {name}.backward(dout)")
        for parameter, ref in zip(layer.parameters(), reference.parameters()):
            compare(parameter.grad, f"grad {ref.name}", f"{name}.{ref.name}.grad after backward")
        _run(f"{name}.backward", layer.backward, dout.copy(), hint=hint)
    for parameter, ref in zip(layer.parameters(), reference.parameters()):
        compare(parameter.grad, f"grad2 {ref.name}", f"{name}.{ref.name}.grad after two backward passes",
                stage_hint="gradients accumulate: add to .grad (+=) instead of replacing it; "
                           "the optimiser's zero_grad() sets them back to 0")


def known_layer_outputs(mistakes, reference, x, dout=None, stage: str = "forward") -> dict:
    """What each known mistaken layer gives at one stage, for ``check.assert_close(mistakes=...)``.

    Parameters
    ----------
    mistakes : dict of str to class
        As in :func:`check_layer` (:mod:`cnnkit.mistakes.lenet`).
    reference : cnnkit.nn layer
        Gives the mistaken layers their weights (and stride, padding, ops).
    x : ndarray
        The input.
    dout : ndarray, optional
        The upstream gradient, for the stages after ``"forward"``.
    stage : str
        ``"forward"``, ``"dx"``, ``"grad <name>"`` (after one backward pass) or
        ``"grad2 <name>"`` (after two), e.g. ``"grad weight"``.

    Returns
    -------
    dict of str to ndarray
        The mistakes that ran, and their result at ``stage``.
    """
    backward = stage != "forward"
    return _KnownMistakes(mistakes, reference, x, backward).at(stage, dout if backward else None)


def _probe_arrays():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    return rng, x, w, b


def _probes():
    rng, x, w, b = _probe_arrays()
    conv_dout = rng.standard_normal((2, 4, 6, 5))
    pool_dout = rng.standard_normal((2, 3, 3, 2))
    return {
        "conv2d": ((x, w, b), dict(stride=1, padding=1)),
        "conv2d_backward": ((conv_dout, x, w), dict(stride=1, padding=1)),
        "max_pool2d": ((x, 2), dict(stride=2, padding=0)),
        "max_pool2d_backward": ((pool_dout, x, 2), dict(stride=2, padding=0)),
    }


PROBES = tuple(_probes())


def _disagreement(name: str, function: Callable | None, args, kwargs) -> str | None:
    """None if ``function`` agrees with cnnkit on the probe, else why it does not."""
    import cnnkit

    if function is None:
        return f"your {name} is not given"
    outcome = call_learner(function, copy.deepcopy(args), kwargs, name=name)
    if outcome.kind != "ok":
        return outcome.message
    given = outcome.value
    expected = getattr(cnnkit, name)(*copy.deepcopy(args), **kwargs)
    pairs = zip(given, expected) if isinstance(expected, tuple) else [(given, expected)]
    for got, want in pairs:
        if np.shape(got) != np.shape(want):
            return f"your {name} gave shape {np.shape(got)}, expected {np.shape(want)}"
        problem = describe_mismatch(got, want)
        if problem:
            return f"your {name} differs from cnnkit: {problem}"
    return None


def choose_ops(own: dict, verbose: bool = True) -> dict:
    """Keep each of the learner's functions that agrees with cnnkit on a tiny probe; else use cnnkit's.

    Parameters
    ----------
    own : dict
        Maps names among :data:`PROBES` (``"conv2d"``, ``"conv2d_backward"``,
        ``"max_pool2d"``, ``"max_pool2d_backward"``) to the learner's functions or None.
    verbose : bool
        Print one line per function saying whose version is used and why.

    Returns
    -------
    dict
        The same names mapped to the function to use.
    """
    import cnnkit

    unknown = set(own) - set(PROBES)
    if unknown:
        raise ValueError(f"choose_ops: no probe for {sorted(unknown)}; known names are {list(PROBES)}")
    chosen = {}
    for name, (args, kwargs) in _probes().items():
        problem = _disagreement(name, own.get(name), args, kwargs)
        chosen[name] = getattr(cnnkit, name) if problem else own[name]
        if verbose:
            print(f"{name:20s}: " + ("yours" if problem is None else f"cnnkit's ({problem})"))
    return chosen


def cnnkit_ops() -> dict:
    """cnnkit's own four ops, by the names of :data:`PROBES` (what training runs on: fast and right)."""
    import cnnkit

    return {name: getattr(cnnkit, name) for name in PROBES}


def not_written(error: NotImplementedError) -> str:
    """Say which exercise a NotImplementedError comes from, for a "Not written yet:" line.

    The released exercise cells raise a bare ``NotImplementedError()``; the innermost
    frame of its traceback names the method (``ReLU.forward``) or function still to write.

    Parameters
    ----------
    error : NotImplementedError

    Returns
    -------
    str
        e.g. ``"ReLU.forward: replace `raise NotImplementedError()` with your code and run its cell"``.
    """
    tb, frame = error.__traceback__, None
    while tb is not None:
        frame, tb = tb.tb_frame, tb.tb_next
    where = str(error).strip()
    if frame is not None and not where:
        owner = frame.f_locals.get("self")
        name = frame.f_code.co_name
        where = f"{type(owner).__name__}.{name}" if owner is not None else name
    return f"{where or 'an exercise'}: replace `raise NotImplementedError()` with your code and run its cell"
