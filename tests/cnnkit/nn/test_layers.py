"""Does every layer agree with PyTorch forward and backward, and with centered differences?"""

import numpy as np
import pytest

import cnnkit
import cnnkit.nn as nn


def _forward_backward(layer, x, dout):
    out = layer.forward(x)
    return out, layer.backward(dout)


def _torch_grads(torch, module_fn, x, dout, params=()):
    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    out = module_fn(tx, *tparams)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), tx.grad.numpy(), [p.grad.numpy() for p in tparams]


CONV_CASES = [
    dict(n=2, c=3, h=7, w=6, f=4, k=3, stride=1, padding=1),
    dict(n=1, c=1, h=8, w=8, f=2, k=(3, 2), stride=2, padding=0),
    dict(n=3, c=2, h=5, w=9, f=1, k=5, stride=(1, 2), padding=(2, 1)),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"k{c['k']}s{c['stride']}p{c['padding']}")
def test_conv2d_layer_matches_torch(torch, rng, case):
    """Are Conv2d's output, dx, weight.grad and bias.grad those of torch.nn.functional.conv2d?"""
    layer = nn.Conv2d(case["c"], case["f"], case["k"], stride=case["stride"], padding=case["padding"],
                      rng=rng, dtype=np.float64)
    layer.bias.value[...] = rng.standard_normal(case["f"])
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"]))
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    ref_out, ref_dx, (ref_dw, ref_db) = _torch_grads(
        torch, lambda t, w, b: torch.nn.functional.conv2d(t, w, b, stride=case["stride"],
                                                          padding=case["padding"]),
        x, dout, (layer.weight.value, layer.bias.value))
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.weight.grad, ref_dw, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, ref_db, rtol=1e-10, atol=1e-10)


def test_conv2d_layer_gradients_match_centered_differences(rng):
    """Does Conv2d.backward agree with cnnkit.numerical_gradient for x and the weights?"""
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=rng, dtype=np.float64)
    x = rng.standard_normal((2, 2, 5, 6))
    dout = rng.standard_normal(layer.forward(x).shape)
    dx = layer.backward(dout)
    assert cnnkit.rel_error(dx, cnnkit.numerical_gradient(layer.forward, x, dout)) < 1e-7
    weight = layer.weight.value.copy()

    def through_weight(w):
        layer.weight.value = w
        return layer.forward(x)

    numeric_dw = cnnkit.numerical_gradient(through_weight, weight, dout)
    assert cnnkit.rel_error(layer.weight.grad, numeric_dw) < 1e-7


def test_parameter_gradients_accumulate_until_zeroed(rng):
    """Do two backward passes add their gradients, and does zero_grad reset them (as in PyTorch)?"""
    for layer in (nn.Conv2d(1, 2, 3, rng=rng, dtype=np.float64), nn.Linear(4, 3, rng=rng, dtype=np.float64)):
        x = rng.standard_normal((2, 1, 4, 4) if isinstance(layer, nn.Conv2d) else (2, 4))
        dout = rng.standard_normal(layer.forward(x).shape)
        layer.backward(dout)
        once = [p.grad.copy() for p in layer.parameters()]
        layer.backward(dout)
        for parameter, first in zip(layer.parameters(), once):
            np.testing.assert_allclose(parameter.grad, 2 * first)
            parameter.zero_grad()
            assert not parameter.grad.any()


@pytest.mark.parametrize("kind, torch_name", [("MaxPool2d", "max_pool2d"), ("AvgPool2d", "avg_pool2d")])
@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1), ((3, 2), (2, 1), 0)])
def test_pool_layers_match_torch(torch, rng, kind, torch_name, kernel, stride, padding):
    """Do the pooling layers give torch's output and input gradient, overlapping windows included?"""
    layer = getattr(nn, kind)(kernel, stride=stride, padding=padding)
    x = rng.standard_normal((2, 3, 7, 6))
    dout = rng.standard_normal(layer.forward(x).shape)
    out, dx = _forward_backward(layer, x, dout)
    function = getattr(torch.nn.functional, torch_name)
    ref_out, ref_dx, _ = _torch_grads(torch, lambda t: function(t, kernel, stride=stride, padding=padding),
                                      x, dout)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-10, atol=1e-12)


def test_relu_and_flatten_match_torch(torch, rng):
    """ReLU passes the gradient only where x > 0 (0 at x == 0, like torch); Flatten keeps C, H, W order."""
    x = rng.standard_normal((2, 3, 4, 5))
    x[0, 0, 0, :2] = 0.0
    dout = rng.standard_normal(x.shape)
    out, dx = _forward_backward(nn.ReLU(), x, dout)
    ref_out, ref_dx, _ = _torch_grads(torch, torch.relu, x, dout)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(dx, ref_dx)
    flat_dout = rng.standard_normal((2, 60))
    out, dx = _forward_backward(nn.Flatten(), x, flat_dout)
    ref_out, ref_dx, _ = _torch_grads(torch, lambda t: torch.flatten(t, 1), x, flat_dout)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(dx, ref_dx)


def test_linear_matches_torch(torch, rng):
    """Does Linear (weight out x in) give torch.nn.functional.linear's output and gradients?"""
    layer = nn.Linear(5, 3, rng=rng, dtype=np.float64)
    layer.bias.value[...] = rng.standard_normal(3)
    x = rng.standard_normal((4, 5))
    dout = rng.standard_normal((4, 3))
    out, dx = _forward_backward(layer, x, dout)
    ref_out, ref_dx, (ref_dw, ref_db) = _torch_grads(
        torch, torch.nn.functional.linear, x, dout, (layer.weight.value, layer.bias.value))
    np.testing.assert_allclose(out, ref_out, rtol=1e-12)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, ref_dw, rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, ref_db, rtol=1e-12)


def test_learner_functions_replace_cnnkit_ops(rng):
    """Are forward_fn/backward_fn called instead of cnnkit's ops, with the layer's stride and padding?"""
    calls = []

    def my_conv(x, w, b=None, stride=1, padding=0):
        calls.append(("conv", stride, padding))
        return cnnkit.conv2d(x, w, b, stride=stride, padding=padding)

    def my_pool(x, kernel_size, stride=None, padding=0):
        calls.append(("pool", kernel_size))
        return cnnkit.max_pool2d(x, kernel_size, stride=stride, padding=padding)

    model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1, rng=rng, forward_fn=my_conv),
                          nn.MaxPool2d(2, forward_fn=my_pool))
    model.forward(rng.standard_normal((1, 1, 8, 8)).astype(np.float32))
    assert calls == [("conv", 2, 1), ("pool", 2)]
    with pytest.raises(TypeError, match="callable"):
        nn.Conv2d(1, 2, 3, forward_fn="conv2d")


def test_backward_before_forward_and_bad_linear_input_are_refused(rng):
    """Clear errors: backward before forward, and a 4-D batch straight into a Linear."""
    with pytest.raises(RuntimeError, match="before forward"):
        nn.ReLU().backward(np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(N, 4\).*Flatten"):
        nn.Linear(4, 2, rng=rng).forward(np.ones((2, 1, 2, 2), dtype=np.float32))


def test_float32_in_float32_out(rng):
    """A float32 network keeps float32 activations and gradients (the fast default)."""
    model = nn.lenet_digits(seed=1)
    x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    out = model.forward(x)
    assert out.dtype == np.float32 and out.shape == (3, 10)
    dx = model.backward(np.ones_like(out))
    assert dx.dtype == np.float32 and dx.shape == x.shape
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
