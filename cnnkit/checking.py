"""The checking helpers that the chapters' tests call.

A failing test must tell a student what to fix without reading the test: the
expected and the given shape, the first mismatching index with both values, and
a hint at the usual mistake. Three helpers do all of it:

- :func:`assert_close` compares one result with the expected array;
- :func:`check_function` runs a student's function and the reference on a list
  of cases and compares every output;
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

import numpy as _np

__all__ = [
    "ForbiddenCall",
    "assert_close",
    "assert_shape",
    "check_function",
    "describe_mismatch",
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


def assert_close(actual, expected, *, name: str = "output", rtol: float = 1e-4,
                 atol: float | None = None, hint: str | None = None) -> None:
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
        The usual mistake, appended to the message.
    """
    expected = _asarray(expected)
    assert_shape(actual, expected.shape, name=name, hint=hint)
    problem = describe_mismatch(actual, expected, rtol=rtol, atol=atol)
    if problem is not None:
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


def check_function(student, reference, cases, *, name: str, forbidden=(), rtol: float = 1e-4,
                   atol: float | None = None, hint: str | None = None,
                   output_names: tuple[str, ...] | None = None) -> None:
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
        As in :func:`assert_close`.
    output_names : tuple of str, optional
        Names of the outputs when the function returns a tuple (``("dx", "dw", "db")``).

    Notes
    -----
    Each function gets its own deep copy of the arguments, and the student's
    function is also checked not to modify its inputs.
    """
    if student is None or not callable(student):
        raise AssertionError(f"{name} is not defined: run the cell where you wrote it")
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
                f"{call} raised {type(error).__name__}: {error}"
            ) from None
        for before, after in zip(args, given_args):
            if isinstance(before, _ndarray) and not _array_equal(before, after):
                raise AssertionError(f"{call} modified its input array; work on a copy")
        if output_names:
            if not isinstance(actual, tuple) or len(actual) != len(output_names):
                raise AssertionError(
                    f"{call} should return a tuple {', '.join(output_names)}, got "
                    f"{type(actual).__name__}" + (f" of length {len(actual)}" if isinstance(actual, tuple) else "")
                )
            for out_name, got, want in zip(output_names, actual, expected):
                assert_close(got, want, name=f"{out_name} of {call}", rtol=rtol, atol=atol, hint=hint)
        else:
            assert_close(actual, expected, name=call, rtol=rtol, atol=atol, hint=hint)


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


#: function -> its own code object, while :func:`forbid` has swapped in the trap.
_SWAPPED: dict = {}


@contextlib.contextmanager
def forbid(*targets):
    """Make the given functions raise :class:`ForbiddenCall` inside the ``with`` block.

    The function's code object is swapped, so every reference to it is caught,
    including ``from cnnkit import conv2d as c`` made earlier. At grading time the
    exercise's ``**You may call:**`` line wins: what it allows runs normally
    inside the exercise (see :func:`allowing`).

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
            if code is None or code.co_freevars or function in _SWAPPED:
                continue
            saved.append((function, code))
            _SWAPPED[function] = code
            function.__code__ = _trap.__code__.replace(co_name=function.__name__)
        yield
    finally:
        for function, code in reversed(saved):
            function.__code__ = code
            _SWAPPED.pop(function, None)


@contextlib.contextmanager
def allowing(functions):
    """Inside the block, ``functions`` that :func:`forbid` has trapped run their own code again.

    The grader's guard uses it so that what an exercise's ``**You may call:**``
    line allows is not forbidden by a test's ``forbidden=[...]`` list.
    """
    restored = []
    try:
        for function in functions:
            code = _SWAPPED.get(function)
            if code is not None:
                restored.append((function, function.__code__))
                function.__code__ = code
        yield
    finally:
        for function, trap in reversed(restored):
            function.__code__ = trap
