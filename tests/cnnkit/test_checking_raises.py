"""cnnkit.checking.check_raises and mistake_outputs: arguments a learner's function must refuse."""

import pytest

import cnnkit
from cnnkit.checking import ForbiddenCall, check_raises, mistake_outputs

MISTAKES = {
    "the division uses int() truncation": lambda size, kernel: int((size - kernel) / 2) + 1,
    "a mistake that raises is left out": lambda size, kernel: 1 / 0,
    "no ValueError is raised": lambda size, kernel: (size - kernel) // 2 + 1,
}
NO_FIT = [{"args": (4, 5), "why": "a 5-cell window does not fit in 4 cells"}]


def _refuses(size, kernel):
    if kernel > size:
        raise ValueError(f"a {kernel}-cell window does not fit in {size} cells")
    return (size - kernel) // 2 + 1


def test_a_function_that_raises_passes():
    """Does a function raising the expected error (or a subclass) pass every case?"""
    check_raises(_refuses, NO_FIT + [(3, 9)], name="count", mistakes=MISTAKES)

    class NoFit(ValueError):
        pass

    def raises_subclass(size, kernel):
        raise NoFit("no")

    check_raises(raises_subclass, NO_FIT, name="count")


def test_a_returned_value_is_diagnosed():
    """Does returning instead of raising say why the call must fail and name the mistake it matches?"""
    with pytest.raises(AssertionError) as failure:
        check_raises(lambda size, kernel: int((size - kernel) / 2) + 1, NO_FIT, name="count", mistakes=MISTAKES)
    assert str(failure.value) == ("your count(4, 5) returned 1, but a 5-cell window does not fit in 4 cells: raise a "
                                  "ValueError. Your output equals what you get when the division uses int() "
                                  "truncation.")
    with pytest.raises(AssertionError, match=r"returned 0, but .*when no ValueError is raised\.$"):
        check_raises(lambda size, kernel: 0, NO_FIT, name="count", mistakes=MISTAKES)
    with pytest.raises(AssertionError, match=r"^your count\(4, 5\) returned 7, but a 5-cell window does not fit in 4 "
                                             r"cells: raise a ValueError$"):
        check_raises(lambda size, kernel: 7, NO_FIT, name="count", mistakes=MISTAKES)


def test_other_errors_and_unwritten_functions():
    """Is a different exception reported with the expected one, and NotImplementedError as not written yet?"""
    def wrong_error(size, kernel):
        raise TypeError("sizes must be ints")

    with pytest.raises(AssertionError, match=r"raised TypeError: sizes must be ints; expected a ValueError "
                                             r"\(a 5-cell window"):
        check_raises(wrong_error, NO_FIT, name="count")

    def unwritten(size, kernel):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="count is not implemented yet"):
        check_raises(unwritten, NO_FIT, name="count")


def test_forbidden_calls_still_count():
    """Does calling the forbidden cnnkit function raise ForbiddenCall even though it would raise ValueError?"""
    with pytest.raises(ForbiddenCall):
        check_raises(lambda size, kernel: cnnkit.conv_output_size(size, kernel), NO_FIT, name="conv_output_size",
                     forbidden=["conv_output_size"])


def test_mistake_outputs_leaves_raising_mistakes_out_and_copies_arguments():
    """Does mistake_outputs skip a mistake that raises and give each mistake its own copy?"""
    assert mistake_outputs(MISTAKES, 4, 5) == {"the division uses int() truncation": 1, "no ValueError is raised": 0}
    box = [1]

    def appends(values):
        values.append(2)
        return len(values)

    assert mistake_outputs({"a": appends, "b": appends}, box) == {"a": 2, "b": 2}
    assert box == [1]
