"""Compare one result with the expected array: shape first, then values, then the known mistake."""

from __future__ import annotations

from cnnkit.checking import _numpy as np
from cnnkit.checking.diagnosis import diagnose
from cnnkit.checking.differences import describe_mismatch, equals


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
    if not isinstance(actual, np.ndarray):
        try:
            actual = np.asarray(actual, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(
                f"{name} should be a numpy array, got {type(actual).__name__}"
            ) from None
    if tuple(actual.shape) != tuple(expected_shape):
        message = f"{name} has shape {tuple(actual.shape)}, expected {tuple(expected_shape)}"
        if hint:
            message += f"\nHint: {hint}"
        raise AssertionError(message)


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
    expected = np.asarray(expected)
    shape_problem = problem = _shape_problem(actual, expected.shape)
    if shape_problem is None:
        problem = describe_mismatch(actual, expected, rtol=rtol, atol=atol)
        if problem is None:
            return
    if mistakes:
        plausible = {d: v for d, v in mistakes.items() if not equals(v, expected, rtol, atol)}
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
