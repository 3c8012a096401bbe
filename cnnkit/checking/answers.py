"""Check a check-yourself answer (``answer_... = ...``): its form always, its value when known."""

from __future__ import annotations

from cnnkit.checking import _numpy as np


def _answer_form(like) -> str:
    """In words, the form of which ``like`` is an example: "an integer", "a tuple of 2 integers" ..."""
    if isinstance(like, bool):
        return "True or False"
    if isinstance(like, int):
        return "an integer"
    if isinstance(like, float):
        return "a number"
    if isinstance(like, str):
        return "a string"
    if isinstance(like, tuple):
        return f"a tuple of {len(like)} " + (
            "integers" if all(type(item) is int for item in like) else "numbers" if all(
                isinstance(item, (int, float)) for item in like) else "values")
    return "a set of " + ("strings" if all(isinstance(item, str) for item in like) else "values")


def _normalised_answer(value, like):
    """``value`` in the form of ``like`` (a list for a tuple, a numpy int for an int ...), or raise ValueError."""
    if isinstance(like, bool):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
    elif isinstance(like, int):
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            return int(value)
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return int(value)
    elif isinstance(like, float):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return float(value)
    elif isinstance(like, str):
        if isinstance(value, str):
            return value.strip()
    elif isinstance(like, tuple):
        if isinstance(value, (tuple, list, np.ndarray)) and len(value) == len(like):
            return tuple(_normalised_answer(item, form) for item, form in zip(value, like))
    elif isinstance(like, (set, frozenset)):
        if isinstance(value, (set, frozenset, list, tuple)):
            form = next(iter(like))
            items = {_normalised_answer(item, form) for item in value}
            return frozenset(item.lower() if isinstance(item, str) else item for item in items)
    raise ValueError(value)


def _answers_agree(given, expected, rtol: float, atol: float) -> bool:
    if isinstance(expected, tuple):
        return all(_answers_agree(g, e, rtol, atol) for g, e in zip(given, expected))
    if isinstance(expected, float):
        return abs(given - expected) <= atol + rtol * abs(expected)
    return given == expected


def assert_answer(value, expected=None, *, name: str, like, choices=None, why: str | None = None,
                  rtol: float = 1e-6, atol: float = 0.0):
    """Check a check-yourself answer: its form always, its value when ``expected`` is given.

    Equivalent forms are accepted: numpy integers and whole floats for an int, a
    list or an array for a tuple, a list or tuple for a set (strings in a set are
    compared in lower case; surrounding spaces of a string are ignored). When the
    form is wrong the message says exactly what is wanted, with ``like`` as an example.

    Parameters
    ----------
    value : object
        The learner's answer (``answer_...``).
    expected : object, optional
        The right answer, in the form of ``like``; leave it out in the visible part of a test.
    name : str
        The answer's variable name, used in messages.
    like : int, float, str, bool, tuple or set
        An example of the wanted form, e.g. ``0``, ``0.0``, ``"conv1"``, ``(3, 5)``, ``{"a", "c"}``.
    choices : iterable of str, optional
        The only strings allowed (for a string answer).
    why : str, optional
        How the right answer is found, added to the message of a wrong value.
    rtol, atol : float
        Tolerances for numbers in the form of a float: ``|given - expected| <= atol + rtol * |expected|``.

    Returns
    -------
    None
        Nothing, on purpose: a test cell whose last line returns a number would have nbgrader
        take that number as the cell's partial credit.

    Examples
    --------
    >>> assert_answer([4, 16], (4, 16), name="answer_shape", like=(3, 5))
    >>> assert_answer(16, name="answer_shape", like=(3, 5))
    Traceback (most recent call last):
    ...
    AssertionError: answer_shape should be a tuple of 2 integers, such as (3, 5); got int 16
    """
    if value is None:
        raise AssertionError(f"{name} is None: replace None with your answer and run the cell")
    try:
        given = _normalised_answer(value, like)
    except (ValueError, TypeError, StopIteration):
        raise AssertionError(f"{name} should be {_answer_form(like)}, such as {like!r}; "
                             f"got {type(value).__name__} {value!r}") from None
    if choices is not None:
        allowed = {str(choice).lower(): choice for choice in choices}
        if str(given).lower() not in allowed:
            raise AssertionError(f"{name} should be one of {', '.join(map(repr, allowed.values()))}; "
                                 f"got {value!r}")
        given = allowed[str(given).lower()]
    if expected is not None and not _answers_agree(given, _normalised_answer(expected, like), rtol, atol):
        raise AssertionError(f"{name} = {value!r} is not right" + (f": {why}" if why else ""))
