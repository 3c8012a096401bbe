"""Does Dropout follow torch.nn.Dropout: inverted scaling, identity in eval, p of the units dropped, mask in backward?"""

import numpy as np
import pytest

import cnnkit.nn as nn


def _torch_dropout(torch, x, p, dout, training=True):
    """torch.nn.Dropout's output and dx on ``x`` (float64) for the upstream gradient ``dout``."""
    torch.manual_seed(0)
    module = torch.nn.Dropout(p)
    module.train(training)
    tx = torch.tensor(x, requires_grad=True)
    out = module(tx)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), tx.grad.numpy()


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_training_output_keeps_or_zeroes_and_scales_like_torch(torch, rng, p):
    """Is every output entry either 0 or x / (1 - p), for ours as for PyTorch's?"""
    x = rng.uniform(1.0, 2.0, size=(4, 3, 5, 5))
    dout = rng.standard_normal(x.shape)
    ours = nn.Dropout(p, rng=1).forward(x)
    theirs, _ = _torch_dropout(torch, x, p, dout)
    for out in (ours, theirs):
        kept = out != 0
        np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
        assert 0 < kept.mean() < 1


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_fraction_dropped_is_p_within_four_standard_deviations(torch, rng, p):
    """Over 40,000 units, is the share of zeros p (binomial spread), for ours as for PyTorch's?"""
    x = np.ones((100, 400))
    tolerance = 4 * np.sqrt(p * (1 - p) / x.size)
    ours = nn.Dropout(p, rng=rng).forward(x)
    theirs, _ = _torch_dropout(torch, x, p, np.ones_like(x))
    assert abs(np.mean(ours == 0) - p) < tolerance
    assert abs(np.mean(theirs == 0) - p) < tolerance


def test_expected_output_is_the_input(rng):
    """Averaged over many masks, does the inverted scaling give back x?"""
    x = rng.uniform(0.5, 1.5, size=(8,))
    mean = nn.Dropout(0.3, rng=2).forward(np.broadcast_to(x, (20000, 8))).mean(axis=0)
    np.testing.assert_allclose(mean, x, rtol=0.03)


def test_gradient_is_dout_times_the_forward_mask_like_torch(torch, rng):
    """Is dx = dout * mask / (1 - p) with the forward's mask, as PyTorch's autograd gives?"""
    p = 0.4
    x = rng.uniform(1.0, 2.0, size=(3, 2, 4, 4))
    dout = rng.standard_normal(x.shape)
    drop = nn.Dropout(p, rng=3)
    out = drop.forward(x)
    dx = drop.backward(dout)
    theirs_out, theirs_dx = _torch_dropout(torch, x, p, dout)
    for forward, grad in ((out, dx), (theirs_out, theirs_dx)):
        np.testing.assert_allclose(grad, dout * (forward != 0) / (1 - p), rtol=1e-12)
    np.testing.assert_allclose(dx, dout * drop.mask, rtol=0)


def test_eval_mode_is_the_identity_forward_and_backward(torch, rng):
    """After eval(), are output and gradient the input and dout unchanged, as PyTorch's eval mode?"""
    x, dout = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((2, 3, 4, 4))
    drop = nn.Dropout(0.5, rng=0).eval()
    assert drop.training is False
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(dout), dout)
    theirs_out, theirs_dx = _torch_dropout(torch, x, 0.5, dout, training=False)
    np.testing.assert_array_equal(theirs_out, x)
    np.testing.assert_array_equal(theirs_dx, dout)
    drop.train()
    assert drop.training is True and np.any(drop.forward(x) == 0)


def test_p_zero_keeps_everything_and_p_one_drops_everything(rng):
    """p = 0: identity while training too; p = 1: zeros forward and backward (PyTorch's convention)."""
    x, dout = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    keep_all = nn.Dropout(0.0, rng=0)
    np.testing.assert_array_equal(keep_all.forward(x), x)
    np.testing.assert_array_equal(keep_all.backward(dout), dout)
    drop_all = nn.Dropout(1, rng=0)
    assert not np.any(drop_all.forward(x)) and not np.any(drop_all.backward(dout))


def test_same_seed_same_masks_and_each_forward_draws_a_new_mask():
    """Is a run reproducible from its seed, with a fresh mask at every forward?"""
    x = np.ones((50, 20))
    first, second = nn.Dropout(0.5, rng=7), nn.Dropout(0.5, rng=7)
    a1, a2 = first.forward(x), first.forward(x)
    np.testing.assert_array_equal(a1, second.forward(x))
    np.testing.assert_array_equal(a2, second.forward(x))
    assert not np.array_equal(a1, a2)


def test_dtype_is_kept_and_integers_become_float64():
    """float32 in, float32 out (mask included); an integer input is promoted to float64."""
    drop = nn.Dropout(0.5, rng=0)
    out = drop.forward(np.ones((4, 4), dtype=np.float32))
    assert out.dtype == np.float32 and drop.mask.dtype == np.float32
    assert drop.backward(np.ones((4, 4), dtype=np.float32)).dtype == np.float32
    assert drop.forward(np.ones((4, 4), dtype=np.int64)).dtype == np.float64


@pytest.mark.parametrize("p, error, given", [(-0.1, ValueError, "-0.1"), (1.5, ValueError, "1.5"),
                                             (float("nan"), ValueError, "nan"), ("0.5", TypeError, "'0.5'"),
                                             (True, TypeError, "True"), (None, TypeError, "None")])
def test_bad_p_is_refused_naming_the_argument_what_was_expected_and_given(p, error, given):
    with pytest.raises(error, match=r"Dropout: p must .*\[0, 1\].*got " + given.replace(".", r"\.")):
        nn.Dropout(p)


def test_backward_before_forward_and_with_a_wrong_shape_are_clear_errors():
    drop = nn.Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match="Dropout.backward called before forward"):
        drop.backward(np.ones(3))
    drop.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dout has shape \(3, 2\) but the forward input had shape \(2, 3\)"):
        drop.backward(np.ones((3, 2)))


def test_sequential_train_and_eval_reach_every_layer():
    """Does Sequential.eval()/train() switch the chain and each of its layers, as torch.nn.Module does?"""
    model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5, rng=0), nn.Linear(16, 3, rng=0))
    assert model.eval() is model
    assert [layer.training for layer in model] == [False] * 3 and model.training is False
    model.train()
    assert [layer.training for layer in model] == [True] * 3 and model.training is True
    with pytest.raises(TypeError, match="Sequential.train: mode must be True or False, got 'no'"):
        model.train("no")


def test_predict_runs_in_eval_mode_and_restores_the_mode():
    """Are nn.predict's scores free of dropout (equal on two calls), with training mode back afterwards?"""
    model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5, rng=0), nn.Linear(16, 3, rng=0))
    x = np.random.default_rng(0).standard_normal((5, 1, 4, 4))
    first = nn.predict(model, x)
    np.testing.assert_array_equal(first, nn.predict(model, x))
    np.testing.assert_allclose(first, model[2].forward(model[0].forward(x)), rtol=1e-6)
    assert model.training and model[1].training
    model.eval()
    nn.predict(model, x)
    assert not model.training and not model[1].training
