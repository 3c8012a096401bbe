"""The checking helpers: do their messages let a student fix the code, and can they be fooled?"""

from __future__ import annotations

import numpy as np
import pytest

import cnnkit
from cnnkit import checking
from cnnkit.sizes import conv_output_size


def test_assert_close_accepts_equal_arrays_and_float32_rounding():
    """Is a correct float32 result accepted against a float64 reference?"""
    expected = np.random.default_rng(0).normal(size=(3, 4)) * 50
    checking.assert_close(expected.astype(np.float32), expected)


def test_assert_close_names_shape_and_hint():
    """Does a wrong shape say expected vs given and carry the hint?"""
    with pytest.raises(AssertionError) as info:
        checking.assert_close(np.zeros((4, 5)), np.zeros((4, 4)), name="corr2d(x, k)",
                              hint="the valid output has W - kw + 1 columns")
    message = str(info.value)
    assert "corr2d(x, k) has shape (4, 5), expected (4, 4)" in message
    assert "Hint: the valid output has W - kw + 1 columns" in message


def test_assert_close_reports_first_mismatch_with_both_values():
    """Does a wrong value name the first mismatching index, both values and how many differ?"""
    expected = np.arange(6.0).reshape(2, 3)
    actual = expected.copy()
    actual[1, 0] = 7.5
    actual[1, 2] = -1.0
    with pytest.raises(AssertionError, match=r"index \(1, 0\): expected 3, got 7\.5 \(2 of 6 values differ\)"):
        checking.assert_close(actual, expected)


@pytest.mark.parametrize("bad, phrase", [
    (None, "did you forget to `return`"),
    ("text", "should be a numpy array"),
])
def test_assert_close_explains_non_arrays(bad, phrase):
    """Does returning nothing or a non-array give a plain explanation?"""
    with pytest.raises(AssertionError, match=phrase):
        checking.assert_close(bad, np.zeros(2))


def test_assert_close_rejects_nan():
    """Is a NaN reported with its index rather than passing as 'close'?"""
    with pytest.raises(AssertionError, match=r"nan at index \(1,\)"):
        checking.assert_close(np.array([0.0, np.nan]), np.zeros(2))


def test_tolerance_scales_with_the_data_but_catches_off_by_a_little():
    """Does the default tolerance reject a 0.1% error on large values and accept float32 noise?"""
    expected = np.full(10, 1000.0)
    checking.assert_close(expected * (1 + 1e-6), expected)
    with pytest.raises(AssertionError):
        checking.assert_close(expected * 1.001, expected)


def test_immune_to_monkeypatched_numpy(monkeypatch):
    """Does replacing np.allclose / np.isclose in the kernel leave the checks intact?"""
    monkeypatch.setattr(np, "isclose", lambda *a, **k: np.ones(np.shape(a[0]), bool))
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    with pytest.raises(AssertionError):
        checking.assert_close(np.ones(3), np.zeros(3))


def test_check_function_reports_the_case_and_why():
    """Does check_function say which call failed and what the case tests?"""
    def student(size, kernel_size, stride=1):
        return (size - kernel_size) + 1  # ignores stride

    cases = [(5, 3), {"args": (7, 3), "kwargs": {"stride": 2}, "why": "stride 2"}]
    with pytest.raises(AssertionError) as info:
        checking.check_function(student, conv_output_size, cases, name="conv_output_size")
    assert "conv_output_size(7, 3, stride=2)  [stride 2]" in str(info.value)


def test_check_function_turns_student_errors_into_messages():
    """Is a student's exception reported as one line naming the call, and NotImplementedError as 'not yet'?"""
    def broken(x):
        return x[10]

    def blank(x):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"f\(array\(3,\)\) raised IndexError"):
        checking.check_function(broken, lambda x: x, [(np.zeros(3),)], name="f")
    with pytest.raises(AssertionError, match="f is not implemented yet"):
        checking.check_function(blank, lambda x: x, [(np.zeros(3),)], name="f")


def test_check_function_catches_modified_inputs():
    """Does a function that writes into its input fail even when its output is right?"""
    def in_place(x):
        x *= 2
        return x

    with pytest.raises(AssertionError, match="modified its input"):
        checking.check_function(in_place, lambda x: x * 2, [(np.ones(3),)], name="double")


def test_check_function_checks_every_output_of_a_tuple():
    """Are (dx, dw, db) compared one by one, with the output's name in the message?"""
    def student(x):
        return x, x, x + 1

    with pytest.raises(AssertionError, match="db of"):
        checking.check_function(student, lambda x: (x, x, x), [(np.ones(2),)], name="g",
                                output_names=("dx", "dw", "db"))


def test_forbid_catches_calls_through_every_alias_and_restores():
    """Is the counterpart caught even through an alias taken earlier, and restored afterwards?"""
    from cnnkit import conv_output_size as alias

    def lazy(size, kernel_size):
        return alias(size, kernel_size)

    with pytest.raises(checking.ForbiddenCall, match="called cnnkit's conv_output_size"):
        checking.check_function(lazy, conv_output_size, [(5, 3)], name="conv_output_size",
                                forbidden=["conv_output_size"])
    assert cnnkit.conv_output_size(5, 3) == 3


def test_forbidden_call_is_not_swallowed_by_except_exception():
    """Can a student's `except Exception` fall back silently when the counterpart is forbidden?"""
    def sneaky(size, kernel_size):
        try:
            return cnnkit.conv_output_size(size, kernel_size)
        except Exception:
            return -1

    with pytest.raises(checking.ForbiddenCall):
        with checking.forbid("conv_output_size"):
            sneaky(5, 3)


def test_forbid_rejects_unknown_names():
    """Does a typo in a test's forbidden list fail loudly?"""
    with pytest.raises(ValueError, match="no function named 'conv3d'"):
        with checking.forbid("conv3d"):
            pass
