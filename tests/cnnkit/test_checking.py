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
    with pytest.raises(ValueError, match="no function named 'conv4d'"):
        with checking.forbid("conv4d"):
            pass


# --- mistake diagnosis ------------------------------------------------------

def _unflipped(x, k):
    return cnnkit.corr2d(x, k)


def _scaled(x, k):
    return 2 * cnnkit.convolve2d(x, k)


CONVOLVE_MISTAKES = {
    "the kernel is not flipped (that is cross-correlation)": _unflipped,
    "every value is doubled": _scaled,
}
ASYMMETRIC = (np.arange(25.0).reshape(5, 5) ** 1.5, np.array([[1.0, 2.0], [0.0, -1.0]]))


def test_a_known_mistake_is_named_when_the_output_equals_it():
    """Does a convolve2d that forgot the flip get told exactly that, with the mismatch line?"""
    with pytest.raises(AssertionError) as info:
        checking.check_function(_unflipped, cnnkit.convolve2d, [ASYMMETRIC], name="convolve2d",
                                hint="flip the kernel", mistakes=CONVOLVE_MISTAKES)
    message = str(info.value)
    assert message.startswith(
        "convolve2d(array(5, 5), array(2, 2)) is wrong: your output equals what you get when "
        "the kernel is not flipped (that is cross-correlation).\nfirst mismatch at index (0, 0)")
    assert "Hint" not in message


def test_the_first_matching_description_wins():
    """When two descriptions give the same output, is the first in the dict's order named?"""
    twins = {"first wording": _unflipped, "second wording": _unflipped}
    with pytest.raises(AssertionError, match="when first wording\\."):
        checking.check_function(_unflipped, cnnkit.convolve2d, [ASYMMETRIC], name="c", mistakes=twins)
    assert checking.diagnose([1.0, 2.0], {"a": [0.0, 0.0], "b": [1.0, 2.0], "c": [1.0, 2.0]}) == "b"


def test_a_mistake_that_raises_is_skipped():
    """Does a mistake that cannot run on this case give way to the next one?"""
    def crashes(x, k):
        raise ValueError("not for this case")

    mistakes = {"it crashes": crashes, **CONVOLVE_MISTAKES}
    with pytest.raises(AssertionError, match="kernel is not flipped"):
        checking.check_function(_unflipped, cnnkit.convolve2d, [ASYMMETRIC], name="c", mistakes=mistakes)


def test_a_mistake_hitting_a_forbidden_call_is_skipped():
    """A mistake built on the learner's other function that calls cnnkit must not blame this exercise."""
    def cheating_helper(x, k):
        with checking.forbid("corr2d"):
            return cnnkit.corr2d(x, k)

    mistakes = {"built on your helper": cheating_helper, **CONVOLVE_MISTAKES}
    with pytest.raises(AssertionError, match="kernel is not rotated|kernel is not flipped"):
        checking.check_function(_unflipped, cnnkit.convolve2d, [ASYMMETRIC], name="c", mistakes=mistakes)


def test_an_unknown_mistake_falls_back_to_the_usual_message_and_hint():
    """Is an output that matches no known mistake reported as before, hint included?"""
    def off_by_one(x, k):
        return cnnkit.convolve2d(x, k) + 1

    with pytest.raises(AssertionError) as info:
        checking.check_function(off_by_one, cnnkit.convolve2d, [ASYMMETRIC], name="c",
                                hint="flip the kernel", mistakes=CONVOLVE_MISTAKES)
    message = str(info.value)
    assert "your output equals" not in message
    assert "first mismatch at index (0, 0)" in message and message.endswith("Hint: flip the kernel")


def test_a_wrong_shape_is_diagnosed_and_otherwise_reported_with_its_hint():
    """Is a mistake that changes the shape named, and an unknown shape still explained?"""
    def full(x, k):
        return np.zeros((6, 6))

    with pytest.raises(AssertionError) as info:
        checking.check_function(full, cnnkit.convolve2d, [ASYMMETRIC], name="c",
                                mistakes={"the output is full size": full})
    assert str(info.value).endswith("the output is full size.\nit has shape (6, 6), expected (4, 4)")
    with pytest.raises(AssertionError, match=r"has shape \(6, 6\), expected \(4, 4\)\nHint: valid"):
        checking.check_function(full, cnnkit.convolve2d, [ASYMMETRIC], name="c", hint="valid",
                                mistakes=CONVOLVE_MISTAKES)


def test_a_mistake_equal_to_the_right_answer_is_never_named():
    """A variant that is right on this case (within tolerance) must not be blamed for another bug."""
    expected = np.full(2, 100.0)          # tolerance here: 1e-3 + 1e-4 * 100 = 0.011
    harmless = expected + 0.009           # equals the answer within tolerance
    actual = expected + 0.018             # wrong, yet within tolerance of `harmless`
    assert checking.diagnose(actual, {"the kernel is not flipped": harmless}) is not None
    with pytest.raises(AssertionError) as info:
        checking.assert_close(actual, expected, mistakes={"the kernel is not flipped": harmless})
    assert "not flipped" not in str(info.value) and "first mismatch" in str(info.value)


def test_tuples_are_diagnosed_output_by_output_with_output_names():
    """Is the failing output of a (dx, dw) tuple named, preferring a mistake that matches the whole tuple?"""
    def reference(x):
        return x * 2, x * 3

    def student(x):
        return x * 2, x * 4

    mistakes = {
        "dw matches but dx is off too": lambda x: (x * 5, x * 4),
        "dw uses 4 instead of 3": lambda x: (x * 2, x * 4),
        "not a tuple": lambda x: x,
    }
    with pytest.raises(AssertionError) as info:
        checking.check_function(student, reference, [(np.arange(1.0, 4.0),)], name="g",
                                output_names=("dx", "dw"), mistakes=mistakes)
    assert str(info.value).startswith("dw of g(array(3,)) is wrong: your output equals what you get "
                                      "when dw uses 4 instead of 3.")
    assert checking.diagnose((np.ones(2), np.zeros(2)), {"pair": (np.ones(2), np.zeros(2))}) == "pair"
    assert checking.diagnose((np.ones(2),), {"pair": (np.ones(2), np.zeros(2))}) is None


def test_the_diagnosis_honours_the_tolerance():
    """Does a mistake count as matched within rtol/atol only, as the check itself does?"""
    value = np.full(3, 100.0)
    assert checking.diagnose(value * (1 + 1e-6), {"m": value}) == "m"
    assert checking.diagnose(value * 1.01, {"m": value}) is None
    assert checking.diagnose(value * 1.01, {"m": value}, rtol=0.05) == "m"
    assert checking.diagnose(value + 0.5, {"m": value}, rtol=0.0, atol=1.0) == "m"
    assert checking.diagnose(np.ones(3), {"m": np.ones(4)}) is None
    assert checking.diagnose(None, {"m": np.ones(4)}) is None


def test_assert_close_names_a_precomputed_mistake():
    """Does assert_close accept {description: value} and name the match?"""
    with pytest.raises(AssertionError, match=r"^s is wrong: your output equals what you get when the "
                                             r"division truncates\.\nfirst mismatch"):
        checking.assert_close(np.array([1.0]), np.array([0.0]), name="s",
                              mistakes={"it rounds": np.array([2.0]), "the division truncates": np.array([1.0])})


def test_the_hint_is_kept_when_the_function_raises():
    """Does an exception in the student's code still carry the prepared hint?"""
    def broken(x, k):
        return x[10, 10]

    with pytest.raises(AssertionError) as info:
        checking.check_function(broken, cnnkit.convolve2d, [ASYMMETRIC], name="convolve2d",
                                hint="the output has H - kh + 1 rows", mistakes=CONVOLVE_MISTAKES)
    assert str(info.value) == ("your convolve2d(array(5, 5), array(2, 2)) raised IndexError: index 10 is out "
                               "of bounds for axis 0 with size 5\nHint: the output has H - kh + 1 rows")


def test_running_the_mistakes_writes_nothing_to_stderr(capfd):
    """A test cell writing to stderr loses its points: are the mistakes' warnings silenced?"""
    import warnings

    def noisy(x, k):
        warnings.warn("deprecated")
        return np.log(np.zeros_like(cnnkit.convolve2d(x, k)))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.raises(AssertionError):
            checking.check_function(_unflipped, cnnkit.convolve2d, [ASYMMETRIC], name="c",
                                    mistakes={"noisy": noisy, **CONVOLVE_MISTAKES})
    assert capfd.readouterr().err == ""


def test_a_failure_in_a_function_the_exercise_calls_is_not_blamed_on_the_exercise():
    """conv2d calling an unwritten (or broken) corr2d: does the message name corr2d, not conv2d alone?"""
    def corr2d(x, k):
        raise NotImplementedError()

    def conv2d(x, k):
        return corr2d(x, k)

    with pytest.raises(AssertionError, match=r"^your conv2d calls corr2d, which is not written yet .* write corr2d first"):
        checking.check_function(conv2d, cnnkit.corr2d, [ASYMMETRIC], name="conv2d")

    def broken_corr2d(x, k):
        return x[100]

    def conv2d_on_broken(x, k):
        return broken_corr2d(x, k)

    with pytest.raises(AssertionError, match=r"raised IndexError: .* \(in broken_corr2d, which conv2d calls\)"):
        checking.check_function(conv2d_on_broken, cnnkit.corr2d, [ASYMMETRIC], name="conv2d")
    with pytest.raises(AssertionError, match=r"^your conv2d is not implemented yet: write it above"):
        checking.check_function(corr2d, cnnkit.corr2d, [ASYMMETRIC], name="conv2d")


def test_an_error_inside_numpy_is_placed_in_the_learner_s_function():
    """A broadcasting error raised deep in numpy: is it the exercise's own bug (no 'which ... calls')?"""
    def corr2d(x, k):
        return np.add(x, k)

    with pytest.raises(AssertionError) as info:
        checking.check_function(corr2d, cnnkit.corr2d, [ASYMMETRIC], name="corr2d")
    assert "raised ValueError" in str(info.value) and "which" not in str(info.value)


def test_mistake_outputs_feed_a_visible_assert_close():
    """Can a hand-worked visible check name the mistake too, skipping mistakes that cannot run?"""
    def crashes(x, k):
        raise ValueError("not here")

    x, k = ASYMMETRIC
    outputs = checking.mistake_outputs({"it crashes": crashes, **CONVOLVE_MISTAKES}, x, k)
    assert list(outputs) == list(CONVOLVE_MISTAKES)
    with pytest.raises(AssertionError, match="when the kernel is not flipped"):
        checking.assert_close(cnnkit.corr2d(x, k), cnnkit.convolve2d(x, k), name="convolve2d(x, k)",
                              mistakes=outputs)


def test_a_wrong_number_is_reported_without_an_empty_index():
    """A scalar result (a parameter count) says 'expected 32, got 34', not 'index ()'."""
    with pytest.raises(AssertionError, match=r"^conv_params\(4, 2, 2\) is wrong: expected 32, got 34$"):
        checking.assert_close(34, 32, name="conv_params(4, 2, 2)")
