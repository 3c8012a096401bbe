"""Make cnnkit functions raise while the learner's code runs, so an exercise cannot call its own answer."""

from __future__ import annotations

import contextlib
import sys


class ForbiddenCall(BaseException):
    """Raised when an exercise calls the cnnkit function it is meant to implement.

    It derives from ``BaseException`` so that ``except Exception`` in student
    code does not swallow it.
    """


ForbiddenCall.__module__ = "cnnkit.checking"  # the name a learner sees in a traceback


def _trap(*args, **kwargs):
    # This code object is swapped into other modules' functions, whose globals
    # are not ours: reach everything through builtins only.
    checking = __import__("cnnkit.checking", fromlist=["ForbiddenCall"])
    name = __import__("sys")._getframe().f_code.co_name
    raise checking.ForbiddenCall(
        f"this exercise asks you to write it yourself, but your code called cnnkit's {name}"
    )


def _functions_named(target) -> list:
    """A cnnkit name becomes the public function plus its ``_loops`` twin; a callable stays itself."""
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
    functions = [f for target in targets for f in _functions_named(target)]
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
