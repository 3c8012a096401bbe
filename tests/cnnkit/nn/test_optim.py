"""Do SGD (with momentum) and Adam move the parameters exactly as torch.optim does?"""

import numpy as np
import pytest

import cnnkit.nn as nn


def _run_both(torch, make_ours, make_theirs, rng, steps=5):
    values = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    grads = [[rng.standard_normal(v.shape) for v in values] for _ in range(steps)]
    ours = [nn.Parameter(v.copy()) for v in values]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    optimizer, reference = make_ours(ours), make_theirs(theirs)
    for step_grads in grads:
        optimizer.zero_grad()
        for p, t, g in zip(ours, theirs, step_grads):
            p.grad += g
            t.grad = torch.tensor(g)
        optimizer.step()
        reference.step()
    return ours, theirs


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_torch(torch, rng, momentum):
    """Five SGD steps with the same gradients land on torch.optim.SGD's parameters."""
    ours, theirs = _run_both(torch, lambda p: nn.SGD(p, lr=0.1, momentum=momentum),
                             lambda t: torch.optim.SGD(t, lr=0.1, momentum=momentum), rng)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lr, betas", [(1e-3, (0.9, 0.999)), (0.05, (0.5, 0.9))])
def test_adam_matches_torch(torch, rng, lr, betas):
    """Five Adam steps (bias-corrected) land on torch.optim.Adam's parameters."""
    ours, theirs = _run_both(torch, lambda p: nn.Adam(p, lr=lr, betas=betas),
                             lambda t: torch.optim.Adam(t, lr=lr, betas=betas), rng)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_first_adam_step_moves_each_weight_by_lr():
    """With bias correction the first step is lr * g / (|g| + eps): about lr for every weight."""
    parameter = nn.Parameter(np.zeros(3))
    parameter.grad[...] = [1e-3, -2.0, 50.0]
    nn.Adam([parameter], lr=0.01).step()
    np.testing.assert_allclose(parameter.value, [-0.01, 0.01, -0.01], rtol=1e-4)


def test_float32_parameters_stay_float32():
    parameter = nn.Parameter(np.ones(2, dtype=np.float32))
    parameter.grad[...] = 1
    for optimizer in (nn.SGD([parameter], lr=0.1, momentum=0.5), nn.Adam([parameter])):
        optimizer.step()
        assert parameter.value.dtype == np.float32


@pytest.mark.parametrize("make, match", [
    (lambda p: nn.SGD(p, lr=0), "lr must be positive"),
    (lambda p: nn.SGD(p, momentum=1.0), "momentum"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), "betas"),
    (lambda p: nn.SGD([], lr=0.1), "empty"),
])
def test_bad_hyperparameters_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make([nn.Parameter(np.zeros(1))])
