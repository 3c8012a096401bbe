"""cnnkit.checking.assert_answer: the check-yourself answers of every chapter."""

import numpy as np
import pytest

from cnnkit.checking import assert_answer
from cnnkit.checking.answers import _normalised_answer


@pytest.mark.parametrize("value, like, expected", [
    (10, 0, 10),
    (np.int64(10), 0, 10),
    (10.0, 0, 10),
    (np.float32(320), 0, 320),
    ((4, 16), (3, 5), (4, 16)),
    ([4, 16], (3, 5), (4, 16)),
    (np.array([4, 16]), (3, 5), (4, 16)),
    ((np.int64(4), 16.0), (3, 5), (4, 16)),
    ({"b", "e"}, {"a"}, frozenset({"b", "e"})),
    (["B", "e"], {"a"}, frozenset({"b", "e"})),
    (("e", "b"), {"a"}, frozenset({"b", "e"})),
    (2, 0.0, 2.0),
    (np.float32(0.5), 0.0, 0.5),
    ((1.5, 2), (0.0, 0.0), (1.5, 2.0)),
    (" conv2 ", "conv1", "conv2"),
    (np.True_, True, True),
])
def test_equivalent_forms_are_accepted(value, like, expected):
    """Are a list for a tuple, numpy ints, whole floats and lists for sets accepted and normalised?"""
    assert assert_answer(value, expected, name="answer", like=like) is None  # nbgrader: no partial credit
    given = _normalised_answer(value, like)
    if isinstance(given, frozenset):
        given = frozenset(item.lower() for item in given)
    assert given == expected and type(given) is type(expected)


@pytest.mark.parametrize("value, like, wanted", [
    ((4,), (3, 5), "answer should be a tuple of 2 integers, such as (3, 5); got tuple (4,)"),
    ({4, 16}, (3, 5), "answer should be a tuple of 2 integers, such as (3, 5); got set"),
    ("be", {"a"}, "answer should be a set of strings, such as {'a'}; got str 'be'"),
    (10.5, 0, "answer should be an integer, such as 0; got float 10.5"),
    (True, 0, "answer should be an integer, such as 0; got bool True"),
    ("10", 0, "answer should be an integer, such as 0; got str '10'"),
    (("a", 1), (0.0, 0.0), "answer should be a tuple of 2 numbers, such as (0.0, 0.0); got tuple ('a', 1)"),
    (None, 0, "answer is None: replace None with your answer and run the cell"),
])
def test_a_wrong_form_says_exactly_what_is_wanted(value, like, wanted):
    """Does a wrong form name the wanted form, an example, and what was given?"""
    with pytest.raises(AssertionError) as failure:
        assert_answer(value, name="answer", like=like)
    assert str(failure.value).startswith(wanted)


def test_a_wrong_value_says_why():
    """Is a wrong value rejected with the derivation given by the test?"""
    with pytest.raises(AssertionError, match=r"answer = 11 is not right: \(5 - 1\) \* 2"):
        assert_answer(11, 10, name="answer", like=0, why="(5 - 1) * 2 - 2 + 3 + 1 = 10")


def test_the_form_alone_is_checked_without_expected():
    """Does the visible part (no expected value) pass any answer of the right form?"""
    assert_answer([7, 7], name="answer", like=(3, 5))


def test_floats_use_the_given_tolerance():
    """Is a float answer compared within atol/rtol ("3 decimals are enough")?"""
    assert_answer(0.115, 1 / 256 + 1 / 9, name="answer", like=0.0, atol=5e-4)
    with pytest.raises(AssertionError, match="is not right"):
        assert_answer(0.12, 1 / 256 + 1 / 9, name="answer", like=0.0, atol=5e-4)


def test_choices_are_matched_without_case_and_named_when_wrong():
    """Does a string answer match its choices case-insensitively, and list them when it matches none?"""
    assert_answer("Conv2", "conv2", name="answer", like="conv1", choices=("conv1", "conv2"))
    with pytest.raises(AssertionError, match="should be one of 'conv1', 'conv2'; got 'pool'"):
        assert_answer("pool", name="answer", like="conv1", choices=("conv1", "conv2"))


def test_a_set_with_a_wrong_member_is_wrong():
    """Is a set compared as a whole (a missing or extra letter is wrong)?"""
    with pytest.raises(AssertionError, match="is not right"):
        assert_answer({"b"}, {"b", "e"}, name="answer", like={"a"})
