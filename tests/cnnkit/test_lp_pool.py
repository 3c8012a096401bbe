"""lp_pool2d: by hand, PyTorch for every norm_type (nan included), the loop version, errors."""

import math

import numpy as np
import pytest

from cnnkit.lp_pool import lp_pool2d, lp_pool2d_loops

NORM_TYPES = [1, 2, 3, 0.5, 2.5, math.inf]


def test_lp_pool_by_hand():
    """A 2x2 window of 3, 4, 0, 0: sum 7 (p=1), length 5 (p=2), largest |x| 4 (p=inf)."""
    x = np.array([[3., -4.], [0., 0.]]).reshape(1, 1, 2, 2)
    assert lp_pool2d(x, 2, 2)[0, 0, 0, 0] == pytest.approx(5.0)
    assert lp_pool2d(np.abs(x), 1, 2)[0, 0, 0, 0] == pytest.approx(7.0)
    assert lp_pool2d(x, math.inf, 2)[0, 0, 0, 0] == 4.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lp_pool_matches_pytorch(torch, assert_matches, rng, dtype):
    """lp_pool2d equals PyTorch's for every norm_type, including nan where PyTorch has nan."""
    for trial in range(36):
        h, w = (int(v) for v in rng.integers(2, 9, size=2))
        kernel = (int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1)))
        stride = None if trial % 4 == 0 else tuple(int(v) for v in rng.integers(1, 4, size=2))
        ceil_mode = bool(trial % 2)
        x = rng.standard_normal((2, 3, h, w)).astype(dtype)
        if trial % 3 == 0:
            x = np.abs(x)  # nonnegative: defined for every p
        p = NORM_TYPES[trial % len(NORM_TYPES)]
        expected = torch.nn.functional.lp_pool2d(torch.tensor(x), p, kernel, stride,
                                                 ceil_mode).numpy()
        out = lp_pool2d(x, p, kernel, stride, ceil_mode)
        assert out.dtype == dtype
        assert_matches(out, expected, dtype)
        assert_matches(lp_pool2d_loops(x, p, kernel, stride, ceil_mode), expected, dtype)


X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("call, error, message", [
    (lambda: lp_pool2d(X, 0, 2), ValueError, r"lp_pool2d: norm_type must be > 0, got 0"),
    (lambda: lp_pool2d(X, -2, 2), ValueError, r"norm_type must be > 0, got -2"),
    (lambda: lp_pool2d(X, math.nan, 2), ValueError, r"norm_type must be > 0, got nan"),
    (lambda: lp_pool2d(X, "2", 2), TypeError, r"norm_type must be a positive number, got '2'"),
    (lambda: lp_pool2d(X, 2, 5), ValueError,
     r"lp_pool2d: the window does not fit along the height"),
    (lambda: lp_pool2d(X, 2, 2, stride=0), ValueError, r"lp_pool2d: stride must be positive"),
    (lambda: lp_pool2d_loops(X, 0.0, 2), ValueError, r"lp_pool2d_loops: norm_type must be > 0"),
    (lambda: lp_pool2d(X[0], 2, 2), ValueError, r"lp_pool2d: x must be 4-D"),
])
def test_bad_arguments(call, error, message):
    """Bad input raises an error naming the function, the argument and what was given."""
    with pytest.raises(error, match=message):
        call()
