"""Call the learner's function and classify what happened: the one place that words it.

Every check and every explorer calls the learner's code through
:func:`call_learner`, which returns an :class:`Outcome`: ``"ok"`` with the value,
``"missing"`` (not written yet) or ``"error"`` (it raised, or returned None), each
with one line that starts "your <name> ...". A check turns a failed outcome into
an AssertionError (:meth:`Outcome.value_or_raise`); an explorer shows its message.
:class:`ForbiddenCall` is never classified: it always propagates.
"""

from __future__ import annotations

import os
import sysconfig
from dataclasses import dataclass
from typing import Any, Callable

import numpy

from cnnkit.checking import _numpy as np
from cnnkit.checking.forbidding import ForbiddenCall, forbid

#: the kinds of :class:`Outcome` (also the status kinds of an explorer, with "differs")
OUTCOME_KINDS = ("ok", "missing", "error")


@dataclass
class Outcome:
    """What calling a learner's function gave.

    Attributes
    ----------
    kind : str
        ``"ok"`` (returned a value), ``"missing"`` (not written yet) or ``"error"``.
    value : Any
        The returned value when ``kind == "ok"``.
    message : str
        One line for the learner ("your corr2d raised IndexError: ..."); empty when ok.
    error : BaseException or None
        The exception the function raised, if any.
    """

    kind: str
    value: Any = None
    message: str = ""
    error: BaseException | None = None

    def value_or_raise(self, hint: str | None = None):
        """The returned value, or an AssertionError with the message (and the hint, after an error).

        The AssertionError has the attribute ``kind`` (``"missing"`` or ``"error"``), so a
        caller that collects verdicts need not parse the message.
        """
        if self.kind == "ok":
            return self.value
        failure = AssertionError(self.message + (f"\nHint: {hint}" if hint and self.kind == "error" else ""))
        failure.kind = self.kind
        raise failure


def describe_call(name: str, args=(), kwargs=None) -> str:
    """``name(array(2, 3), 2, stride=1)``: a call with its arrays shown by shape (and dtype unless float64)."""
    def show(value):
        if isinstance(value, np.ndarray):
            return f"array{tuple(value.shape)}" + ("" if value.dtype == float else f"[{value.dtype}]")
        return repr(value)

    parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in dict(kwargs or {}).items()]
    return f"{name}({', '.join(parts)})"


def split_case(case) -> tuple[tuple, dict, str | None]:
    """A test case (a tuple of arguments, or a dict with ``args``, ``kwargs``, ``why``) as ``(args, kwargs, why)``."""
    if isinstance(case, dict):
        return tuple(case.get("args", ())), dict(case.get("kwargs", {})), case.get("why")
    return tuple(case), {}, None


def _library_folders() -> tuple[str, ...]:
    cnnkit_folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    numpy_folder = os.path.dirname(numpy.__file__)
    return (numpy_folder + os.sep, cnnkit_folder + os.sep, sysconfig.get_paths()["stdlib"] + os.sep)


_LIBRARIES = _library_folders()


def _raised_in(error: BaseException, function) -> str | None:
    """The learner's other function where ``error`` was raised, or None if it was ``function`` itself.

    The innermost frame outside numpy, cnnkit and the standard library is the
    learner's code that failed; naming it keeps a message from blaming the
    function under test for a bug in one it calls (conv2d calling a corr2d
    that is not written yet). A lambda or a wrapper of cnnkit's own (an explorer
    calls the learner's function through one) names nobody.
    """
    own = getattr(function, "__name__", None)
    where = getattr(getattr(function, "__code__", None), "co_filename", "")
    if own is None or own.startswith("<") or where.startswith(_LIBRARIES):
        return None
    inner, tb = None, error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not code.co_filename.startswith(_LIBRARIES) and not code.co_name.startswith("<"):
            inner = code.co_name
        tb = tb.tb_next
    return inner if inner not in (None, own) else None


def call_learner(function: Callable | None, args=(), kwargs=None, *, name: str, call: str | None = None,
                 forbidden=(), none_is_error: bool = True) -> Outcome:
    """Call the learner's ``function(*args, **kwargs)`` and classify the outcome.

    Parameters
    ----------
    function : callable or None
        The learner's function (None: not written yet).
    args : tuple
    kwargs : dict, optional
    name : str
        The function's name ("corr2d", "ReLU.forward"); messages say "your <name> ...".
    call : str, optional
        The call as shown when it raises or returns None (``describe_call``); ``name`` by default.
    forbidden : iterable of callables or cnnkit names
        Must not be called while ``function`` runs (:func:`forbid`).
    none_is_error : bool
        Classify a returned None as an error ("did you forget to `return` the result?").

    Returns
    -------
    Outcome

    Examples
    --------
    >>> call_learner(lambda x: x[3], ([1, 2],), name="pick").message
    'your pick raised IndexError: list index out of range'
    """
    subject = f"your {call or name}"
    if function is None:
        return Outcome("missing", message=f"your {name} is not implemented yet: write it above and run its cell")
    if not callable(function):
        return Outcome("error", message=f"your {name} is not a function but {type(function).__name__}: "
                                        "run the cell where you define it")
    try:
        with forbid(*forbidden):
            value = function(*args, **dict(kwargs or {}))
    except NotImplementedError as error:
        inner = _raised_in(error, function)
        if inner is None:
            message = f"your {name} is not implemented yet: write it above and run its cell"
        else:
            message = (f"your {name} calls {inner}, which is not written yet (it raises "
                       f"NotImplementedError): write {inner} first")
        return Outcome("missing", message=message, error=error)
    except ForbiddenCall:
        raise
    except Exception as error:  # the learner's bug, in one line, without our frames
        inner = _raised_in(error, function)
        where = f" (in {inner}, which {name} calls)" if inner else ""
        return Outcome("error", message=f"{subject} raised {type(error).__name__}: {error}{where}", error=error)
    if value is None and none_is_error:
        return Outcome("error", message=f"{subject} returned None: did you forget to `return` the result?")
    return Outcome("ok", value=value)
