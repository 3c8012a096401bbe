"""Name the known mistake (``cnnkit.mistakes``) whose result equals the learner's.

A failure that says what went wrong, not only where: :func:`mistake_outputs`
runs the known mistakes on the arguments of the call under test, and
:func:`diagnose` picks the first whose output equals the learner's.
"""

from __future__ import annotations

import copy
import warnings

from cnnkit.checking import _numpy as np
from cnnkit.checking.differences import equals
from cnnkit.checking.forbidding import ForbiddenCall


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
        if equals(actual, value, rtol, atol):
            return description
    return None


def run_quietly(function, *args, **kwargs) -> tuple[bool, object]:
    """``(True, function(*args, **kwargs))``, or ``(False, None)`` when it raises.

    For running known mistakes: warnings and numpy's floating-point errors are
    silenced (a test cell that writes to stderr would lose its points), and a
    mistake that raises is no candidate, also with :class:`ForbiddenCall` (a
    mistake built on the learner's other function, which calls cnnkit, must not
    blame this exercise).
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return True, function(*args, **kwargs)
    except (Exception, ForbiddenCall):
        return False, None


def run_mistakes(mistakes, args, kwargs) -> dict:
    """``{description: output}`` of every known mistake on fresh copies of one case (see :func:`run_quietly`)."""
    outputs = {}
    for description, mistake in dict(mistakes or {}).items():
        ran, output = run_quietly(mistake, *copy.deepcopy(args), **copy.deepcopy(kwargs))
        if ran:
            outputs[description] = output
    return outputs


def mistake_outputs(mistakes, *args, **kwargs) -> dict:
    """What each known mistake returns on these arguments, for :func:`assert_close`'s ``mistakes``.

    Parameters
    ----------
    mistakes : dict of str to callable
        ``{description: function}`` as in :func:`check_function`.
    *args, **kwargs
        The arguments of the call under test (each mistake gets its own copy).

    Returns
    -------
    dict of str to object
        ``{description: output}``, without the mistakes that raise.

    Examples
    --------
    A visible test can name the mistake too::

        check.assert_close(convolve2d(small, corner), [[5, 6], [8, 9]], name="convolve2d(small, corner)",
                           mistakes=check.mistake_outputs(known.CONVOLVE2D, small, corner))
    """
    return run_mistakes(mistakes, args, kwargs)
