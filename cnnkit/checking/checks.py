"""Run the learner's function on a list of cases: against the reference, or where it must refuse."""

from __future__ import annotations

import copy

from cnnkit.checking import _numpy as np
from cnnkit.checking.asserts import assert_close
from cnnkit.checking.calls import call_learner, describe_call, split_case
from cnnkit.checking.diagnosis import diagnose, mistake_outputs, run_mistakes
from cnnkit.checking.differences import equals


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
    for case in cases:
        args, kwargs, why = split_case(case)
        call = describe_call(name, args, kwargs) + (f"  [{why}]" if why else "")
        expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        given_args, given_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        actual = call_learner(student, given_args, given_kwargs, name=name, call=call,
                              forbidden=forbidden).value_or_raise(hint)
        for before, after in zip(args, given_args):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after):
                raise AssertionError(f"your {call} modified its input array; work on a copy")
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
                             mistakes=run_mistakes(mistakes, args, kwargs))


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
            outputs = {d: o for d, o in run_mistakes(mistakes, args, kwargs).items()
                       if isinstance(o, tuple) and len(o) == len(output_names)}
            whole = [d for d, o in outputs.items() if equals(actual, o, rtol, atol)]
            outputs = {d: outputs[d] for d in whole + [d for d in outputs if d not in whole]}
        assert_close(got, want, name=f"{out_name} of {call}", **tolerance,
                     mistakes={d: o[index] for d, o in outputs.items()})


def check_raises(student, cases, *, name: str, error: type = ValueError, forbidden=(), mistakes=None) -> None:
    """Require ``student`` to raise ``error`` on every case: arguments it must refuse.

    Parameters
    ----------
    student : callable
    cases : iterable
        As in :func:`check_function`; a case's ``why`` says what is wrong with its
        arguments ("a 5-cell window does not fit in 4 cells") and is quoted when
        the student returns instead of raising.
    name : str
        The function's name, used in messages.
    error : type
        The exception class expected (a subclass is accepted).
    forbidden : iterable of callables or cnnkit names
        As in :func:`check_function`.
    mistakes : dict of str to callable, optional
        Known mistakes; when the student returns a value, the first mistake that
        returns the same value is named.

    Examples
    --------
    >>> def half(n):
    ...     return n // 2
    >>> check_raises(half, [{"args": (3,), "why": "3 is odd"}], name="half")
    Traceback (most recent call last):
    ...
    AssertionError: your half(3) returned 1, but 3 is odd: raise a ValueError
    """
    for case in cases:
        args, kwargs, why = split_case(case)
        call = describe_call(name, args, kwargs)
        outcome = call_learner(student, copy.deepcopy(args), copy.deepcopy(kwargs), name=name, call=call,
                               forbidden=forbidden, none_is_error=False)
        if isinstance(outcome.error, error):
            continue
        if outcome.kind == "error" and outcome.error is not None:
            outcome.message += f"; expected a {error.__name__}" + (f" ({why})" if why else "")
        outcome.value_or_raise()
        message = f"your {call} returned {outcome.value!r}, but " + (f"{why}: " if why else "it should not: ")
        message += f"raise a {error.__name__}"
        found = diagnose(outcome.value, mistake_outputs(mistakes, *args, **kwargs)) if mistakes else None
        if found is not None:
            message += f". Your output equals what you get when {found}."
        raise AssertionError(message)
