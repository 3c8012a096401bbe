"""Where two arrays differ, and whether a result equals a candidate within the tolerance."""

from __future__ import annotations

from cnnkit.checking import _numpy as np


def fmt(value) -> str:
    """A number as shown in messages (6 significant digits)."""
    return f"{float(value):.6g}"


def describe_mismatch(actual, expected, *, rtol: float = 1e-4, atol: float | None = None) -> str | None:
    """Say where ``actual`` and ``expected`` (same shape) first differ, or None if they agree.

    ``atol`` defaults to ``1e-5`` times the largest magnitude in ``expected``
    (at least ``1e-5``), so the tolerance scales with the data and admits a
    correct float32 implementation.
    """
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if atol is None:
        scale = float(np.max_(np.abs_(expected))) if expected.size else 0.0
        atol = 1e-5 * max(1.0, scale)
    finite = np.isfinite(actual)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        return f"it contains {actual[index]} at index {index} (expected {fmt(expected[index])})"
    close = np.isclose(actual, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    if actual.ndim == 0:  # one number: no index to name
        return f"expected {fmt(expected)}, got {fmt(actual)}"
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    wrong = int(np.count_nonzero(~close))
    return (
        f"first mismatch at index {index}: expected {fmt(expected[index])}, "
        f"got {fmt(actual[index])} ({wrong} of {actual.size} values differ)"
    )


def _as_numbers(value):
    """``value`` as a float array, or None when it is not numeric."""
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def equals(actual, candidate, rtol: float, atol: float | None) -> bool:
    """Same shape and close within the tolerance (tuples compared item by item).

    inf and nan where the candidate has them too (an overflow the learner
    reproduced) count as equal.
    """
    if isinstance(candidate, tuple):
        return (isinstance(actual, tuple) and len(actual) == len(candidate)
                and all(equals(a, c, rtol, atol) for a, c in zip(actual, candidate)))
    actual, candidate = _as_numbers(actual), _as_numbers(candidate)
    if actual is None or candidate is None or actual.shape != candidate.shape:
        return False
    finite = np.isfinite(candidate)
    if not np.array_equal(finite, np.isfinite(actual)) or not np.array_equal(
            actual[~finite], candidate[~finite], equal_nan=True):
        return False
    with np.errstate(all="ignore"):
        return describe_mismatch(actual[finite], candidate[finite], rtol=rtol, atol=atol) is None
