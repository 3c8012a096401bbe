"""numerical_gradient and rel_error on functions whose gradient is known exactly."""

import numpy as np
import pytest

from cnnkit.gradcheck import numerical_gradient, rel_error


def test_gradient_of_a_linear_map_is_its_transpose(rng):
    """For f(x) = A x the vector-Jacobian product with dout is A^T dout."""
    a = rng.standard_normal((4, 3))
    x = rng.standard_normal(3)
    dout = rng.standard_normal(4)
    grad = numerical_gradient(lambda v: a @ v, x, dout)
    assert rel_error(grad, a.T @ dout) < 1e-9


def test_gradient_of_a_nonlinear_function_on_a_4d_array(rng):
    """For f(x) = x**3 the gradient is 3 x**2 dout, entry by entry, whatever the shape."""
    x = rng.standard_normal((2, 3, 2, 2))
    dout = rng.standard_normal(x.shape)
    grad = numerical_gradient(lambda v: v ** 3, x, dout)
    assert grad.shape == x.shape
    assert rel_error(grad, 3 * x ** 2 * dout) < 1e-7


def test_input_is_left_unchanged(rng):
    """The caller's array is exactly the same afterwards (no leftover perturbation)."""
    x = rng.standard_normal((3, 3))
    before = x.copy()
    numerical_gradient(np.sin, x, np.ones((3, 3)))
    assert np.array_equal(x, before)


def test_rel_error_definition():
    """rel_error is the max over elements of |a-b| / max(1e-8, |a|+|b|)."""
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)
    # elementwise denominator: a small entry with a large relative error dominates
    assert rel_error(np.array([1000.0, 1e-3]), np.array([1000.0, 2e-3])) == pytest.approx(1 / 3)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0


def test_rel_error_shape_mismatch():
    """Arrays of different shapes are an error, not a broadcast."""
    with pytest.raises(ValueError, match=r"rel_error: a and b must have the same shape"):
        rel_error(np.zeros(3), np.zeros((3, 1)))
