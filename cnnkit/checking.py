"""The checking helpers that the chapters' tests call.

A failing test must tell a student what to fix without reading the test: the
expected and the given shape, the first mismatching index with both values, and
a hint at the usual mistake. Four helpers do all of it:

- :func:`assert_close` compares one result with the expected array;
- :func:`check_function` runs a student's function and the reference on a list
  of cases and compares every output;
- :func:`diagnose` names the known mistake (``cnnkit.mistakes``) whose result
  equals the student's, so a failure says what went wrong, not only where;
- :func:`forbid` makes a cnnkit function raise while the student's code runs, so
  an exercise that merely calls its cnnkit counterpart earns nothing.

Student code runs in the same kernel as the tests. This module binds the numpy
functions it relies on when it is imported (before any student cell runs), so a
student who later replaces ``np.allclose`` changes nothing here; replacing these
helpers themselves is caught by the grader's integrity check.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import warnings

import numpy as _np

__all__ = [
    "ForbiddenCall",
    "assert_answer",
    "assert_close",
    "assert_shape",
    "check_function",
    "describe_mismatch",
    "diagnose",
    "forbid",
]

# Bound at import time: later monkeypatching of numpy does not reach these.
_asarray = _np.asarray
_ndarray = _np.ndarray
_abs = _np.abs
_isfinite = _np.isfinite
_isclose = _np.isclose
_argwhere = _np.argwhere
_count_nonzero = _np.count_nonzero
_max = _np.max
_ndindex_shape = _np.shape
_array_equal = _np.array_equal
_errstate = _np.errstate
_integer = _np.integer
_floating = _np.floating


class ForbiddenCall(BaseException):
    """Raised when an exercise calls the cnnkit function it is meant to implement.

    It derives from ``BaseException`` so that ``except Exception`` in student
    code does not swallow it.
    """


def _fmt(value) -> str:
    return f"{float(value):.6g}"


def assert_shape(actual, expected_shape, *, name: str = "output", hint: str | None = None) -> None:
    """Raise AssertionError unless ``actual`` is an array of ``expected_shape``.

    Parameters
    ----------
    actual : array_like
        What the student's code returned.
    expected_shape : tuple of int
    name : str
        What ``actual`` is, used in the message (``"conv2d(x, w)"``).
    hint : str, optional
        The usual mistake behind a wrong shape.
    """
    if actual is None:
        raise AssertionError(f"{name} is None: did you forget to `return` the result?")
    if not isinstance(actual, _ndarray):
        try:
            actual = _asarray(actual, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(
                f"{name} should be a numpy array, got {type(actual).__name__}"
            ) from None
    if tuple(actual.shape) != tuple(expected_shape):
        message = f"{name} has shape {tuple(actual.shape)}, expected {tuple(expected_shape)}"
        if hint:
            message += f"\nHint: {hint}"
        raise AssertionError(message)


def describe_mismatch(actual, expected, *, rtol: float = 1e-4, atol: float | None = None) -> str | None:
    """Say where ``actual`` and ``expected`` (same shape) first differ, or None if they agree.

    ``atol`` defaults to ``1e-5`` times the largest magnitude in ``expected``
    (at least ``1e-5``), so the tolerance scales with the data and admits a
    correct float32 implementation.
    """
    actual = _asarray(actual, dtype=float)
    expected = _asarray(expected, dtype=float)
    if atol is None:
        scale = float(_max(_abs(expected))) if expected.size else 0.0
        atol = 1e-5 * max(1.0, scale)
    finite = _isfinite(actual)
    if not finite.all():
        index = tuple(int(i) for i in _argwhere(~finite)[0])
        return f"it contains {actual[index]} at index {index} (expected {_fmt(expected[index])})"
    close = _isclose(actual, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    index = tuple(int(i) for i in _argwhere(~close)[0])
    wrong = int(_count_nonzero(~close))
    return (
        f"first mismatch at index {index}: expected {_fmt(expected[index])}, "
        f"got {_fmt(actual[index])} ({wrong} of {actual.size} values differ)"
    )


def _as_numbers(value):
    """``value`` as a float array, or None when it is not numeric."""
    if value is None:
        return None
    try:
        return _asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _equals(actual, candidate, rtol: float, atol: float | None) -> bool:
    """Same shape and close within the tolerance (tuples compared item by item)."""
    if isinstance(candidate, tuple):
        return (isinstance(actual, tuple) and len(actual) == len(candidate)
                and all(_equals(a, c, rtol, atol) for a, c in zip(actual, candidate)))
    actual, candidate = _as_numbers(actual), _as_numbers(candidate)
    if actual is None or candidate is None or actual.shape != candidate.shape:
        return False
    # inf and nan where the mistake has them too (an overflow the learner reproduced) count as equal
    finite = _isfinite(candidate)
    if not _array_equal(finite, _isfinite(actual)) or not _array_equal(
            actual[~finite], candidate[~finite], equal_nan=True):
        return False
    with _errstate(all="ignore"):
        return describe_mismatch(actual[finite], candidate[finite], rtol=rtol, atol=atol) is None


def diagnose(actual, candidates, *, rtol: float = 1e-4, atol: float | None = None) -> str | None:
    """Name the known mistake whose result equals ``actual``, or None.

    Parameters
    ----------
    actual : array_like or tuple of array_like
        What the student's code returned.
    candidates : dict of str to array_like
        ``{description: what that mistake returns}``; a description completes
        the sentence "your output equals what you get when ...". The first
        match in the dict's order wins. A tuple value matches a tuple
        ``actual`` of the same length whose items all match.
    rtol, atol : float
        As in :func:`describe_mismatch`; a candidate must have ``actual``'s
        shape and agree within this tolerance.

    Returns
    -------
    str or None
        The matching description.

    Examples
    --------
    >>> diagnose([3.0, 4.0], {"the bias is ignored": [1.0, 2.0], "the bias is added twice": [3.0, 4.0]})
    'the bias is added twice'
    """
    for description, value in dict(candidates or {}).items():
        if _equals(actual, value, rtol, atol):
            return description
    return None


def _shape_problem(actual, expected_shape) -> str | None:
    """What :func:`assert_shape` would say about ``actual`` (as "it ..."), or None."""
    try:
        assert_shape(actual, expected_shape, name="it")
    except AssertionError as problem:
        return str(problem)
    return None


def assert_close(actual, expected, *, name: str = "output", rtol: float = 1e-4,
                 atol: float | None = None, hint: str | None = None, mistakes=None) -> None:
    """Raise AssertionError with a helpful message unless ``actual`` matches ``expected``.

    Checks, in order: a value was returned, it is an array, the shape, finite
    values, and closeness (``|a - e| <= atol + rtol * |e|``).

    Parameters
    ----------
    actual, expected : array_like
        The student's result and the reference result.
    name : str
        What is compared, e.g. ``"corr2d(x, k)"``.
    rtol, atol : float
        Tolerances; see :func:`describe_mismatch` for the default ``atol``.
    hint : str, optional
        The usual mistake, appended to the message when no known mistake matches.
    mistakes : dict of str to array_like, optional
        Known mistakes and what each returns here (see :func:`diagnose`). When
        ``actual`` equals one of them (and it differs from ``expected``), the
        message names that mistake instead of giving the hint.
    """
    expected = _asarray(expected)
    shape_problem = problem = _shape_problem(actual, expected.shape)
    if shape_problem is None:
        problem = describe_mismatch(actual, expected, rtol=rtol, atol=atol)
        if problem is None:
            return
    if mistakes:
        plausible = {d: v for d, v in mistakes.items() if not _equals(v, expected, rtol, atol)}
        found = diagnose(actual, plausible, rtol=rtol, atol=atol)
        if found is not None:
            raise AssertionError(
                f"{name} is wrong: your output equals what you get when {found}.\n{problem}"
            )
    if shape_problem is not None:
        assert_shape(actual, expected.shape, name=name, hint=hint)
    message = f"{name} is wrong: {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise AssertionError(message)


def _describe_case(args, kwargs) -> str:
    def show(value):
        if isinstance(value, _ndarray):
            return f"array{tuple(value.shape)}" + ("" if value.dtype == float else f"[{value.dtype}]")
        return repr(value)

    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _split_case(case):
    if isinstance(case, dict):
        return tuple(case.get("args", ())), dict(case.get("kwargs", {})), case.get("why")
    return tuple(case), {}, None


def _run_mistakes(mistakes, args, kwargs) -> dict:
    """``{description: output}`` of every known mistake on fresh copies of one case.

    A mistake that raises is left out, also with :class:`ForbiddenCall` (a
    mistake built on the learner's other function, which calls cnnkit, must
    not blame this exercise); warnings are silenced (a test cell that writes to
    stderr would lose its points).
    """
    outputs = {}
    for description, mistake in dict(mistakes or {}).items():
        try:
            with warnings.catch_warnings(), _errstate(all="ignore"):
                warnings.simplefilter("ignore")
                outputs[description] = mistake(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except (Exception, ForbiddenCall):
            continue
    return outputs


def check_function(student, reference, cases, *, name: str, forbidden=(), rtol: float = 1e-4,
                   atol: float | None = None, hint: str | None = None,
                   output_names: tuple[str, ...] | None = None, mistakes=None) -> None:
    """Compare ``student`` with ``reference`` on every case; raise on the first difference.

    Parameters
    ----------
    student, reference : callable
        The student's function and cnnkit's.
    cases : iterable
        Each case is a tuple of positional arguments, or a dict with ``args``,
        ``kwargs`` and ``why`` (a few words on what the case tests, shown when it
        fails: ``"stride 2 with padding"``).
    name : str
        The function's name, used in messages.
    forbidden : iterable of callables or cnnkit names
        Functions that must not be called while ``student`` runs (see :func:`forbid`).
    rtol, atol, hint
        As in :func:`assert_close`. The hint is also given when ``student`` raises.
    output_names : tuple of str, optional
        Names of the outputs when the function returns a tuple (``("dx", "dw", "db")``).
    mistakes : dict of str to callable, optional
        Known mistakes (``cnnkit.mistakes``): ``{description: function}``, each
        function taking ``reference``'s arguments and returning what that wrong
        variant returns (a tuple when ``output_names`` is given). On a failing
        case every mistake runs on fresh copies of the arguments; the first
        whose output equals the student's is named in the message
        ("your output equals what you get when <description>."). A mistake
        that raises is skipped; when none matches, the message is the usual
        one plus ``hint``.

    Notes
    -----
    Each function gets its own deep copy of the arguments, and the student's
    function is also checked not to modify its inputs.
    """
    if student is None or not callable(student):
        raise AssertionError(f"{name} is not defined: run the cell where you wrote it")
    hint_line = f"\nHint: {hint}" if hint else ""
    for case in cases:
        args, kwargs, why = _split_case(case)
        call = f"{name}({_describe_case(args, kwargs)})" + (f"  [{why}]" if why else "")
        expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        given_args, given_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        try:
            with forbid(*forbidden):
                actual = student(*given_args, **given_kwargs)
        except NotImplementedError:
            raise AssertionError(f"{name} is not implemented yet") from None
        except ForbiddenCall:
            raise
        except Exception as error:  # the student's bug, reported without our frames
            raise AssertionError(
                f"{call} raised {type(error).__name__}: {error}{hint_line}"
            ) from None
        for before, after in zip(args, given_args):
            if isinstance(before, _ndarray) and not _array_equal(before, after):
                raise AssertionError(f"{call} modified its input array; work on a copy")
        if output_names:
            _check_outputs(actual, expected, call, output_names, mistakes, args, kwargs,
                           rtol=rtol, atol=atol, hint=hint)
        else:
            try:
                assert_close(actual, expected, name=call, rtol=rtol, atol=atol, hint=hint)
            except AssertionError:
                if not mistakes:
                    raise
                assert_close(actual, expected, name=call, rtol=rtol, atol=atol, hint=hint,
                             mistakes=_run_mistakes(mistakes, args, kwargs))


def _check_outputs(actual, expected, call, output_names, mistakes, args, kwargs, **tolerance):
    """Compare a tuple of outputs one by one, diagnosing the first that differs.

    A mistake whose whole tuple equals the student's is preferred over one that
    matches only the failing output.
    """
    if not isinstance(actual, tuple) or len(actual) != len(output_names):
        raise AssertionError(
            f"{call} should return a tuple {', '.join(output_names)}, got "
            f"{type(actual).__name__}" + (f" of length {len(actual)}" if isinstance(actual, tuple) else "")
        )
    rtol, atol = tolerance["rtol"], tolerance["atol"]
    outputs = None
    for index, (out_name, got, want) in enumerate(zip(output_names, actual, expected)):
        try:
            assert_close(got, want, name=f"{out_name} of {call}", **tolerance)
            continue
        except AssertionError:
            if not mistakes:
                raise
        if outputs is None:
            outputs = {d: o for d, o in _run_mistakes(mistakes, args, kwargs).items()
                       if isinstance(o, tuple) and len(o) == len(output_names)}
            whole = [d for d, o in outputs.items() if _equals(actual, o, rtol, atol)]
            outputs = {d: outputs[d] for d in whole + [d for d in outputs if d not in whole]}
        assert_close(got, want, name=f"{out_name} of {call}", **tolerance,
                     mistakes={d: o[index] for d, o in outputs.items()})


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
        if isinstance(value, (bool, _np.bool_)):
            return bool(value)
    elif isinstance(like, int):
        if isinstance(value, (int, _integer)) and not isinstance(value, (bool, _np.bool_)):
            return int(value)
        if isinstance(value, (float, _floating)) and float(value).is_integer():
            return int(value)
    elif isinstance(like, float):
        if isinstance(value, (int, float, _integer, _floating)) and not isinstance(value, (bool, _np.bool_)):
            return float(value)
    elif isinstance(like, str):
        if isinstance(value, str):
            return value.strip()
    elif isinstance(like, tuple):
        if isinstance(value, (tuple, list, _ndarray)) and len(value) == len(like):
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


def _trap(*args, **kwargs):
    # This code object is swapped into other modules' functions, whose globals
    # are not ours: reach everything through builtins only.
    checking = __import__("cnnkit.checking", fromlist=["ForbiddenCall"])
    name = __import__("sys")._getframe().f_code.co_name
    raise checking.ForbiddenCall(
        f"this exercise asks you to write it yourself, but your code called cnnkit's {name}"
    )


def _resolve(target):
    """A cnnkit name becomes the public function plus its ``_loops`` twin."""
    if callable(target):
        return [target]
    import cnnkit

    function = getattr(cnnkit, target, None)
    if function is None:
        raise ValueError(f"forbid: cnnkit has no function named {target!r}")
    found = [function]
    module = sys.modules.get(function.__module__)
    twin = getattr(module, f"{target}_loops", None)
    if twin is not None:
        found.append(twin)
    return found


@contextlib.contextmanager
def forbid(*targets):
    """Make the given functions raise :class:`ForbiddenCall` inside the ``with`` block.

    The function's code object is swapped, so every reference to it is caught,
    including ``from cnnkit import conv2d as c`` made earlier.

    Parameters
    ----------
    *targets : callable or str
        Python functions, or names of cnnkit's public functions (a name also
        forbids its readable ``<name>_loops`` twin).

    Examples
    --------
    >>> import cnnkit
    >>> with forbid("corr2d"):
    ...     cnnkit.corr2d([[1.0]], [[1.0]])
    Traceback (most recent call last):
    ...
    cnnkit.checking.ForbiddenCall: this exercise asks you to write it yourself, but your code called cnnkit's corr2d
    """
    functions = [f for target in targets for f in _resolve(target)]
    saved = []
    try:
        for function in functions:
            code = getattr(function, "__code__", None)
            if code is None or code.co_freevars:
                continue
            saved.append((function, code))
            function.__code__ = _trap.__code__.replace(co_name=function.__name__)
        yield
    finally:
        for function, code in reversed(saved):
            function.__code__ = code
