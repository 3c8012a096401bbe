"""cnnkit.checking.diagnose with inf and nan: an overflow the learner reproduced is still named."""

import numpy as np
import pytest

from cnnkit.checking import assert_close, diagnose


def test_nan_and_inf_at_the_same_places_match():
    """Does a result with nan/inf where the mistake has them (and close values elsewhere) match it?"""
    overflowed = np.array([[np.nan, 0.5], [np.inf, -np.inf]])
    assert diagnose(overflowed.copy(), {"no max subtraction": overflowed}) == "no max subtraction"
    assert diagnose(np.float64(np.nan), {"no max subtraction": np.nan}) == "no max subtraction"


@pytest.mark.parametrize("actual", [
    np.array([[np.nan, 0.5], [1.0, -np.inf]]),     # inf where the candidate is finite
    np.array([[np.nan, 0.6], [np.inf, -np.inf]]),  # a finite value differs
    np.array([[np.inf, 0.5], [np.inf, -np.inf]]),  # inf where the candidate has nan
])
def test_other_non_finite_patterns_do_not_match(actual):
    """Is a different pattern of inf/nan, or a different finite value, still told apart?"""
    assert diagnose(actual, {"mistake": np.array([[np.nan, 0.5], [np.inf, -np.inf]])}) is None


def test_assert_close_names_an_overflow_mistake():
    """Does assert_close name the mistake for a nan result instead of only 'it contains nan'?"""
    with pytest.raises(AssertionError, match="your output equals what you get when exp overflows"):
        assert_close(np.array([np.nan, np.nan]), [0.3, 0.7], name="probs",
                     mistakes={"exp overflows": np.array([np.nan, np.nan])})
