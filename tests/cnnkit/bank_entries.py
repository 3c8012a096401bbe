"""Run a bank's wrong entry beside the known mistake that stands for it (tests of ``cnnkit.mistakes``).

The diagnosis names a mistake when the learner's output equals it; that is only
true if the mistake function computes what the wrong code computes. These
helpers exec a bank entry's source (with numpy as ``np`` and whatever the other
exercises provide) and compare it with the mistake on a list of cases, outputs
that are tuples (``dx, dw, db``) included.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
from pathlib import Path

import numpy as np

BANKS = Path(__file__).resolve().parents[1] / "banks"


@functools.lru_cache(maxsize=None)
def load_bank(chapter: str) -> dict:
    """The EXERCISES dict of ``tests/banks/<chapter>.py``."""
    spec = importlib.util.spec_from_file_location(f"bank_{chapter}", BANKS / f"{chapter}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def bank_function(chapter: str, exercise: str, entry: str, namespace: dict | None = None):
    """The function a wrong entry defines, run in a namespace with ``np`` (and ``namespace``)."""
    scope = {"np": np, **(namespace or {})}
    exec(load_bank(chapter)[exercise]["wrong"][entry], scope)
    return scope[exercise]


def outcome(function, args, kwargs):
    """What ``function`` returns as float arrays (a tuple stays a tuple), or the type of what it raised.

    A result that is not numeric (None, a forgotten ``return``) counts as raising TypeError.
    """
    try:
        value = function(*args, **kwargs)
        if isinstance(value, tuple):
            return tuple(np.asarray(v, dtype=float) for v in value)
        return np.asarray(value, dtype=float)
    except Exception as error:  # a mistake may fail exactly where its bank entry fails
        return type(error)


def same(a, b, rtol: float = 1e-10, atol: float = 1e-10) -> bool:
    """Equal results: both raised, or same structure, shapes and values (to 1e-10 by default)."""
    if isinstance(a, type) or isinstance(b, type):
        return isinstance(a, type) and isinstance(b, type)
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(same(x, y, rtol, atol) for x, y in zip(a, b)))
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


def assert_reproduces(mistake, wrong, reference, cases, entry: str = "the entry"):
    """On every case the mistake equals the wrong entry; on at least one the entry differs from the reference.

    ``cases`` is a list of ``(args, kwargs)``; each function gets its own deep copy. The entry
    differs from the reference beyond numpy's default tolerance (rounding noise is no mistake).
    """
    differs = False
    for number, (args, kwargs) in enumerate(cases):
        from_bank = outcome(wrong, *copy.deepcopy((args, kwargs)))
        from_mistake = outcome(mistake, *copy.deepcopy((args, kwargs)))
        assert same(from_mistake, from_bank), (f"case {number} ({kwargs}): the mistake gives "
                                               f"{_shown(from_mistake)}, {entry} {_shown(from_bank)}")
        if not isinstance(from_bank, type):
            expected = outcome(reference, *copy.deepcopy((args, kwargs)))
            differs |= not same(from_bank, expected, rtol=1e-5, atol=1e-8)
    assert differs, f"{entry} agrees with the reference on every case: the cases miss the mistake"


def _shown(result) -> str:
    if isinstance(result, type):
        return f"raises {result.__name__}"
    if isinstance(result, tuple):
        return "(" + ", ".join(_shown(r) for r in result) + ")"
    return f"shape {result.shape}"


def one_case_per_mistake(stands_for: dict) -> list:
    """pytest parameters ``(exercise, index)``, one per mistake, with the bank entry's name as id."""
    import pytest

    return [pytest.param(exercise, index, id=f"{exercise}-{entry}")
            for exercise, (_, entries) in stands_for.items() for index, entry in enumerate(entries)]


def assert_one_mistake_per_entry(chapter: str, stands_for: dict, raise_only: dict) -> None:
    """Every mistake names one wrong entry, and every wrong entry has a mistake or is listed as raising.

    ``stands_for`` maps an exercise to ``(mistakes dict, [bank entry per mistake, in order])``;
    ``raise_only`` maps an exercise to the entries that have no output to recognise.
    """
    for exercise, (mistakes, entries) in stands_for.items():
        assert len(mistakes) == len(entries), exercise
        listed = sorted(entries + raise_only.get(exercise, []))
        assert listed == sorted(load_bank(chapter)[exercise]["wrong"]), exercise


def assert_descriptions_complete_the_sentence(stands_for: dict) -> None:
    """Each description reads after "your output equals what you get when": lower case, no full stop."""
    for mistakes, _ in stands_for.values():
        for description in mistakes:
            assert description[0].islower() and not description.endswith("."), description
