"""Shared fixtures of the cnnkit tests."""

import numpy as np
import pytest

from bank_entries import assert_reproduces, bank_function, load_bank

from cnnkit import _im2col

#: Agreement with a reference (PyTorch, the loops) per dtype, relative to the data's scale.
TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-4}


@pytest.fixture
def rng():
    """A fixed-seed generator, so that every random case is reproducible."""
    return np.random.default_rng(20261121)


@pytest.fixture
def map_4x4():
    """The 4x4 feature map of the max and average pooling hand examples, shape (1, 1, 4, 4)."""
    return np.array([[1., 3., 2., 0.],
                     [4., 2., 1., 5.],
                     [0., 1., 7., 2.],
                     [6., 2., 3., 3.]]).reshape(1, 1, 4, 4)


@pytest.fixture
def torch():
    """PyTorch with 2 threads, or a visible skip when it is not installed."""
    module = pytest.importorskip("torch", reason="PyTorch is the reference peer for this test")
    module.set_num_threads(2)
    return module


@pytest.fixture
def assert_matches():
    """``assert_matches(ours, theirs, dtype, what="")``: same dtype and shape, entries close.

    ``ours`` must have the dtype ``dtype`` and the shape of ``theirs``, and every entry be
    within the dtype's tolerance relative to the scale of the data, ``max(1, max |theirs|)``
    (so that a float32 op passes and a wrong one does not); nan must stand where
    ``theirs`` has nan. ``what`` names the comparison in the failure message.
    """
    def check(ours, theirs, dtype, what=""):
        ours, theirs = np.asarray(ours), np.asarray(theirs)
        assert ours.dtype == np.dtype(dtype), f"{what}: dtype {ours.dtype}, expected {dtype}"
        assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, expected {theirs.shape}"
        tolerance = TOLERANCE[np.dtype(dtype)]
        scale = max(1.0, float(np.nanmax(np.abs(theirs), initial=0.0)))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=tolerance * scale, equal_nan=True,
                                   err_msg=what)

    return check


@pytest.fixture
def torch_run(torch):
    """``torch_run(name, dout, arrays, *args, **kwargs)``: PyTorch's output and gradients.

    Runs ``torch.nn.functional.<name>(*arrays, *args, **kwargs)``, back-propagates
    ``dout`` and returns ``[out, d arrays[0], d arrays[1], ...]`` as numpy arrays.
    """
    def run(name, dout, arrays, *args, **kwargs):
        tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = getattr(torch.nn.functional, name)(*tensors, *args, **kwargs)
        out.backward(torch.tensor(dout))
        return [out.detach().numpy()] + [t.grad.numpy() for t in tensors]

    return run


@pytest.fixture(params=[0.0, 1.5, float("inf")], ids=["narrow", "auto", "wide"])
def im2col_layout(request, monkeypatch):
    """Runs the test once per column layout of im2col: rows of OW, the automatic one, padded rows."""
    monkeypatch.setattr(_im2col, "WIDE_ROWS_MAX_WASTE", request.param)
    return request.param


@pytest.fixture
def bank():
    """The EXERCISES dict of a bank: ``bank("01_convolution")["corr2d"]["wrong"]`` (``bank_entries.load_bank``)."""
    return load_bank


@pytest.fixture
def reproduces_bank_entry():
    """Assert that a known mistake computes what a bank's wrong entry computes.

    Call ``reproduces_bank_entry(mistake, chapter, exercise, entry, inputs, reference,
    namespace={...})``: the entry's source is run with ``np`` (and ``namespace``,
    e.g. the other exercises' solutions); on every tuple of positional ``inputs`` both
    must raise or give the same result, and on at least one the entry must differ from
    ``reference`` (else the inputs do not show the mistake). The work is
    ``bank_entries.assert_reproduces``'s.
    """
    def check(mistake, chapter, exercise, entry, inputs, reference, namespace=None):
        assert_reproduces(mistake, bank_function(chapter, exercise, entry, namespace), reference,
                          [(tuple(args), {}) for args in inputs], entry=entry)

    return check


@pytest.fixture
def loops_agree(rng):
    """``loops_agree(fast, loops, x, w, b, **kwargs)``: a conv op and its loop twin agree, forward and backward.

    ``fast`` and ``loops`` are ``(forward, backward)`` pairs (``conv2d, conv2d_backward``);
    the backward passes get the same random ``dout`` and must agree on every gradient.
    """
    def check(fast, loops, x, w, b, **kwargs):
        out = fast[0](x, w, b, **kwargs)
        np.testing.assert_allclose(out, loops[0](x, w, b, **kwargs), rtol=1e-10, atol=1e-12)
        dout = rng.standard_normal(out.shape)
        for got, expected in zip(fast[1](dout, x, w, **kwargs), loops[1](dout, x, w, **kwargs)):
            np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)

    return check


@pytest.fixture
def agrees_with_torch(torch_run, assert_matches, rng):
    """``agrees_with_torch(name, forward, backward, x, w, b, **kwargs)``: output and dx, dw, db as PyTorch's.

    ``name`` is the ``torch.nn.functional`` op; the comparison is :func:`assert_matches` in
    ``x``'s dtype, relative to each result's scale.
    """
    def check(name, forward, backward, x, w, b, **kwargs):
        out = forward(x, w, b, **kwargs)
        dout = rng.standard_normal(out.shape).astype(x.dtype)
        ours = [out, *backward(dout, x, w, **kwargs)]
        theirs = torch_run(name, dout, [x, w, b], **kwargs)
        for what, got, expected in zip(("out", "dx", "dw", "db"), ours, theirs):
            assert_matches(got, expected, x.dtype, f"{what} of {x.shape} * {w.shape}, {kwargs}")

    return check
