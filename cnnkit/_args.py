"""Argument checking shared by every cnnkit op.

Every public op validates its inputs here, so that bad input always ends in a
``ValueError`` or ``TypeError`` whose message names the function, the argument,
what was expected and what was given -- never an ``IndexError`` deep inside numpy
and never a silently wrong shape.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_array",
    "check_ndim",
    "int_tuple",
    "pair",
    "positive_pair",
    "nonnegative_pair",
    "check_choice",
    "result_dtype",
    "check_groups",
    "check_bias",
    "check_dout",
]


def as_array(fn: str, name: str, value) -> np.ndarray:
    """Return ``value`` as a numeric ndarray (float inputs keep their dtype).

    Integer and boolean arrays are promoted to float64, so that ``conv2d`` of an
    ``uint8`` image does not overflow. float16/32/64 stay what they are.
    """
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, (list, tuple, numbers.Number)):
        arr = np.asarray(value)
    else:
        raise TypeError(
            f"{fn}: {name} must be a numpy array, got {type(value).__name__}"
        )
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(
            f"{fn}: {name} must hold real numbers, got dtype {arr.dtype}"
        )
    return arr


def check_ndim(fn: str, name: str, arr: np.ndarray, ndim: int, layout: str) -> None:
    """Raise ValueError unless ``arr`` has ``ndim`` dimensions (``layout`` names them)."""
    if arr.ndim != ndim:
        raise ValueError(
            f"{fn}: {name} must be {ndim}-D {layout}, "
            f"got a {arr.ndim}-D array of shape {tuple(arr.shape)}"
        )


def int_tuple(fn: str, name: str, value, length: int = 2, minimum: int | None = None
              ) -> tuple[int, ...]:
    """Turn an int or ``length`` ints into a tuple of ``length`` ints, each ``>= minimum``.

    ``length`` is 2 for ``(vertical, horizontal)`` and 3 for ``(depth, height, width)``.
    """
    expected = "a pair of ints" if length == 2 else f"a tuple of {length} ints"
    is_int = lambda v: isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))  # noqa: E731
    if is_int(value):
        result = (int(value),) * length
    elif isinstance(value, (tuple, list)) and len(value) == length and all(map(is_int, value)):
        result = tuple(int(v) for v in value)
    else:
        raise TypeError(f"{fn}: {name} must be an int or {expected}, got {value!r}")
    if minimum is not None and min(result) < minimum:
        bound = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{fn}: {name} must be {bound}, got {value!r}")
    return result


def pair(fn: str, name: str, value) -> tuple[int, int]:
    """Turn an int or a pair of ints into ``(vertical, horizontal)``."""
    return int_tuple(fn, name, value, 2)


def positive_pair(fn: str, name: str, value) -> tuple[int, int]:
    """Like :func:`pair`, and both entries must be >= 1 (stride, dilation, kernel size)."""
    return int_tuple(fn, name, value, 2, minimum=1)


def nonnegative_pair(fn: str, name: str, value) -> tuple[int, int]:
    """Like :func:`pair`, and both entries must be >= 0 (padding, output_padding)."""
    return int_tuple(fn, name, value, 2, minimum=0)


def check_choice(fn: str, name: str, value, choices: tuple[str, ...]) -> str:
    """Raise ValueError unless ``value`` is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{fn}: {name} must be one of {options}, got {value!r}")
    return value


def result_dtype(*arrays: np.ndarray) -> np.dtype:
    """The float dtype an op returns: float32 only when every input is float32 (or narrower)."""
    return np.result_type(*arrays, np.float32)


def check_groups(fn: str, groups, *channel_counts: tuple[int, str]) -> int:
    """Validate ``groups``: a positive int dividing every ``(count, description)`` given."""
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{fn}: groups must be a positive int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{fn}: groups must be positive, got {groups}")
    for count, description in channel_counts:
        if count % groups:
            raise ValueError(f"{fn}: groups={groups} must divide the {description}, got {count}")
    return int(groups)


def check_bias(fn: str, b, channels: int, dtype) -> np.ndarray | None:
    """Validate an optional bias of length ``channels`` and cast it to ``dtype``."""
    if b is None:
        return None
    b = as_array(fn, "b", b)
    if b.shape != (channels,):
        raise ValueError(f"{fn}: b must have shape ({channels},) (one value per output "
                         f"channel), got shape {tuple(b.shape)}")
    return b.astype(dtype, copy=False)


def check_dout(fn: str, dout, expected: tuple[int, ...], layout: str) -> np.ndarray:
    """``dout`` as a float array; ValueError unless it has the forward output's shape.

    ``expected`` is that shape and ``layout`` names its axes, e.g. ``"(N, C, OH, OW)"``.
    """
    dout = as_array(fn, "dout", dout)
    if dout.shape != tuple(expected):
        raise ValueError(f"{fn}: dout must have the forward output's shape {layout} = "
                         f"{tuple(expected)}, got {tuple(dout.shape)}")
    return dout
