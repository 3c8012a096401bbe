"""Run the entries of a chapter's bank (tests/banks/) as functions, for the tests of cnnkit.mistakes.

A known mistake is proven, not asserted: it must give what the bank's wrong entry gives
(same shape and values, or both raise) on every case.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import numpy as np

BANKS = Path(__file__).resolve().parents[1] / "banks"


def load_bank(chapter: str) -> dict:
    """``EXERCISES`` of ``tests/banks/<chapter>.py``."""
    spec = importlib.util.spec_from_file_location(f"bank_{chapter}", BANKS / f"{chapter}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def entry(bank: dict, exercise: str, kind: str, name: str, **namespace):
    """The function defined by one bank entry, run with numpy as ``np`` (plus ``namespace``)."""
    scope = {"np": np, **namespace}
    exec(bank[exercise][kind][name], scope)
    return scope[exercise]


def outcome(function, args, kwargs):
    """``("value", result)`` or ``("raises", exception type name)`` on fresh copies of the arguments."""
    try:
        return "value", function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as error:  # the bank entry's own failure is part of what it does
        return "raises", type(error).__name__


def assert_same_outcome(mistake, bank_function, args, kwargs, label: str) -> None:
    """The mistake returns what the bank entry returns (same shape, close values), or both raise."""
    (kind, got), (want_kind, want) = outcome(mistake, args, kwargs), outcome(bank_function, args, kwargs)
    assert kind == want_kind, f"{label}: the mistake {kind} ({got!r:.80}) but the bank entry {want_kind} ({want!r:.80})"
    if kind == "value":
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        assert got.shape == want.shape, f"{label}: shape {got.shape} vs the bank entry's {want.shape}"
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=label)


def check_mistakes(known: dict, bank: dict, exercise: str, stands_for: dict, cases, reference,
                   **namespace) -> None:
    """Prove every mistake of ``known`` against the bank entry it stands for, and that it is a mistake.

    Parameters
    ----------
    known : dict of str to callable
        A ``cnnkit.mistakes`` dict.
    stands_for : dict of str to str
        Bank wrong entry -> description of its mistake; it must name every description of ``known``.
    cases : list of (args, kwargs)
    reference : callable
        The right answer: every mistake must differ from it (or raise where it does not) on some case.
    namespace
        Names the bank entries call (the chapter's other exercises).
    """
    assert sorted(stands_for.values()) == sorted(known), "every known mistake stands for one bank entry"
    assert set(stands_for) <= set(bank[exercise]["wrong"]), "every mapped entry is a wrong entry of the bank"
    for name, description in stands_for.items():
        bank_function = entry(bank, exercise, "wrong", name, **namespace)
        differs = False
        for number, (args, kwargs) in enumerate(cases):
            assert_same_outcome(known[description], bank_function, args, kwargs, f"{exercise}/{name} case {number}")
            try:
                assert_same_outcome(known[description], reference, args, kwargs, "")
            except AssertionError:
                differs = True
        assert differs, f"{exercise}/{name}: the mistake gives the right answer on every case"
