"""netvlad, netvlad_backward and vlad: hand examples, loops == fast, gradients, PyTorch autograd, bad input."""

import numpy as np
import pytest

from cnnkit.gradcheck import numerical_gradient, rel_error
from cnnkit.vlad_pool import netvlad, netvlad_backward, netvlad_loops, vlad


def random_case(rng, n_batch=2, dim=5, height=3, width=4, centres=3, dtype=np.float64):
    """``features, centres, w, b`` of a random valid call."""
    shapes = [(n_batch, dim, height, width), (centres, dim), (centres, dim), (centres,)]
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def torch_netvlad(torch, features, centres, w, b):
    """NetVLAD written in PyTorch from the formula, for autograd to differentiate."""
    x = features.flatten(2).transpose(1, 2)                           # (N, P, D)
    a = torch.softmax(x @ w.T + b, dim=-1)                            # (N, P, K)
    v = a.transpose(1, 2) @ x - a.sum(dim=1)[..., None] * centres     # (N, K, D)
    v = torch.nn.functional.normalize(v, dim=2)
    return torch.nn.functional.normalize(v.flatten(1), dim=1)


def test_hard_vlad_by_hand():
    """1-D descriptors 1, 2, 9 and centres 0, 10: residuals 1 + 2 and -1, normalised."""
    features = np.array([1.0, 2.0, 9.0]).reshape(1, 1, 1, 3)
    centres = np.array([[0.0], [10.0]])
    # V = [3, -1]; intra-normalisation gives [1, -1]; L2 then divides by sqrt(2)
    np.testing.assert_allclose(vlad(features, centres), [[2 ** -0.5, -(2 ** -0.5)]])


def test_hard_vlad_ties_go_to_the_lowest_centre():
    """A descriptor half-way between two centres is counted for the first one only."""
    features = np.array([1.0]).reshape(1, 1, 1, 1)
    np.testing.assert_array_equal(vlad(features, np.array([[0.0], [2.0]])), [[1.0, 0.0]])
    np.testing.assert_array_equal(vlad(features, np.array([[2.0], [0.0]])), [[-1.0, 0.0]])


def test_soft_assignment_tends_to_hard_vlad(rng):
    """With w_k = 2 alpha c_k and b_k = -alpha |c_k|^2, a large alpha gives VLAD."""
    features, centres, _, _ = random_case(rng)
    alpha = 1e4
    w, b = 2 * alpha * centres, -alpha * np.sum(centres ** 2, axis=1)
    np.testing.assert_allclose(netvlad(features, centres, w, b), vlad(features, centres), atol=1e-9)


def test_output_is_intra_and_l2_normalised(rng):
    """Each centre's block of D has the same length, and the whole vector has length 1."""
    features, centres, w, b = random_case(rng, dim=4, centres=3)
    out = netvlad(features, centres, w, b)
    assert out.shape == (2, 12)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(out.reshape(2, 3, 4), axis=2), 3 ** -0.5)


def test_zero_residuals_stay_zero_without_nan():
    """Descriptors sitting on their centre: V = 0 normalises to 0 and the gradient is finite."""
    centres = np.array([[1.0, 2.0], [-3.0, 0.5]])
    features = np.broadcast_to(centres[0][None, :, None, None], (1, 2, 2, 2)).copy()
    w, b = np.array([[1e3, 1e3], [0.0, 0.0]]), np.zeros(2)   # a = 1 on centre 0, exp(-3000) = 0
    assert np.array_equal(vlad(features, centres), np.zeros((1, 4)))
    assert np.array_equal(netvlad(features, centres, w, b), np.zeros((1, 4)))
    assert all(np.isfinite(g).all() for g in netvlad_backward(np.ones((1, 4)), features, centres, w, b))


def test_loops_equal_fast(rng):
    """netvlad_loops and netvlad agree on random inputs of several shapes."""
    for n_batch, dim, height, width, centres in [(2, 5, 3, 4, 3), (1, 1, 1, 1, 1), (3, 2, 5, 1, 6)]:
        args = random_case(rng, n_batch, dim, height, width, centres)
        np.testing.assert_allclose(netvlad(*args), netvlad_loops(*args), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_numerical_gradients(seed):
    """All four analytic gradients match centered differences."""
    rng = np.random.default_rng(seed)
    args = random_case(rng, dim=3, height=2, width=3)
    dout = rng.standard_normal(netvlad(*args).shape)
    grads = netvlad_backward(dout, *args)
    for position, name in enumerate(("dfeatures", "dcentres", "dw", "db")):
        def moved(value, position=position):
            return netvlad(*args[:position], value, *args[position + 1:])
        numeric = numerical_gradient(moved, args[position], dout, 1e-6)
        assert rel_error(grads[position], numeric) < 1e-6, name


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_pytorch_autograd(torch, assert_matches, rng, dtype):
    """Forward and the four gradients agree with the formula written in PyTorch."""
    shapes = [(2, 5, 3, 4, 3), (1, 1, 1, 1, 1), (3, 8, 2, 2, 16), (1, 4, 7, 7, 2)]
    for shape in shapes:
        args = random_case(rng, *shape, dtype=dtype)
        out = netvlad(*args)
        dout = rng.standard_normal(out.shape).astype(dtype)
        tensors = [torch.tensor(a, requires_grad=True) for a in args]
        theirs = torch_netvlad(torch, *tensors)
        theirs.backward(torch.tensor(dout))
        expected = [theirs.detach().numpy()] + [t.grad.numpy() for t in tensors]
        ours = [out, *netvlad_backward(dout, *args)]
        for name, got, wanted in zip(("out", "dfeatures", "dcentres", "dw", "db"), ours, expected):
            assert_matches(got, wanted, dtype, f"{name} for (N, D, H, W, K) = {shape}")


@pytest.mark.parametrize("op", [netvlad, netvlad_loops])
def test_dtypes(op, rng):
    """float32 stays float32; a float64 argument makes it float64."""
    args = random_case(rng, dtype=np.float32)
    assert op(*args).dtype == np.float32
    assert op(*args[:3], args[3].astype(np.float64)).dtype == np.float64
    assert vlad(*args[:2]).dtype == np.float32
    dout = np.ones((2, 15), np.float32)
    assert all(g.dtype == np.float32 for g in netvlad_backward(dout, *args))


FEATURES, CENTRES, B = np.ones((2, 5, 3, 4)), np.ones((3, 5)), np.ones(3)


@pytest.mark.parametrize("op", [netvlad, netvlad_loops])
@pytest.mark.parametrize("args, error, match", [
    ((FEATURES[0], CENTRES, CENTRES, B), ValueError,
     r"features must be 4-D \(N, D, H, W\), got a 3-D array"),
    ((FEATURES, CENTRES[0], CENTRES, B), ValueError, r"centres must be 2-D \(K, D\), got a 1-D"),
    ((FEATURES, np.ones((3, 4)), CENTRES, B), ValueError,
     r"centres must have D = features.shape\[1\] = 5 columns, got centres.shape = \(3, 4\)"),
    ((FEATURES, CENTRES, np.ones((2, 5)), B), ValueError,
     r"w must have shape \(K, D\) = \(3, 5\) like the centres, got shape \(2, 5\)"),
    ((FEATURES, CENTRES, CENTRES, np.ones((3, 1))), ValueError,
     r"b must have shape \(K,\) = \(3,\) like the centres, got shape \(3, 1\)"),
    ((FEATURES, "c", CENTRES, B), TypeError, r"centres must be a numpy array, got str"),
    ((FEATURES, np.ones((0, 5)), np.ones((0, 5)), np.ones(0)), ValueError,
     r"centres must hold at least one centre \(K >= 1\), got centres.shape = \(0, 5\)"),
])
def test_bad_input(op, args, error, match):
    """Every bad argument raises, naming the function, the argument, what was expected and given."""
    with pytest.raises(error, match=op.__name__ + ": " + match):
        op(*args)


def test_vlad_and_backward_bad_input():
    """vlad checks its two arguments; netvlad_backward checks dout's shape (N, K*D)."""
    with pytest.raises(ValueError, match=r"vlad: centres must have D = features.shape\[1\] = 5"):
        vlad(FEATURES, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"netvlad_backward: dout must have the forward output's "
                                         r"shape \(N, K\*D\) = \(2, 15\), got \(2, 5\)"):
        netvlad_backward(np.ones((2, 5)), FEATURES, CENTRES, CENTRES, B)
