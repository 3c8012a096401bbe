"""Shared fixtures of the cnnkit tests."""

import functools
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from cnnkit import _im2col

#: Agreement with a reference (PyTorch, the loops) per dtype, relative to the data's scale.
TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 2e-4}


@pytest.fixture
def rng():
    """A fixed-seed generator, so that every random case is reproducible."""
    return np.random.default_rng(20261121)


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


BANKS = Path(__file__).resolve().parents[1] / "banks"


@functools.lru_cache(maxsize=None)
def _bank(chapter: str) -> dict:
    spec = importlib.util.spec_from_file_location(f"bank_{chapter}", BANKS / f"{chapter}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXERCISES


def _outcome(function, args):
    try:
        return np.asarray(function(*args), dtype=float)
    except Exception as error:  # a mistake may fail exactly where its bank entry fails
        return type(error)


@pytest.fixture
def bank():
    """The EXERCISES dict of a bank: ``bank("01_convolution")["corr2d"]["wrong"]``."""
    return _bank


@pytest.fixture
def reproduces_bank_entry():
    """Assert that a known mistake computes what a bank's wrong entry computes.

    Call ``reproduces_bank_entry(mistake, chapter, exercise, entry, inputs, reference,
    namespace={...})``: the entry's source is run with ``np`` (and ``namespace``,
    e.g. the other exercises' solutions); on every tuple of ``inputs`` both must
    raise or give the same array, and on at least one the entry must differ from
    ``reference`` (else the inputs do not show the mistake).
    """
    def check(mistake, chapter, exercise, entry, inputs, reference, namespace=None):
        scope = {"np": np, **(namespace or {})}
        exec(_bank(chapter)[exercise]["wrong"][entry], scope)
        wrong, differs = scope[exercise], False
        for args in inputs:
            from_bank, from_mistake = _outcome(wrong, args), _outcome(mistake, args)
            if isinstance(from_bank, type):
                assert isinstance(from_mistake, type), f"{entry} raised {from_bank.__name__}, the mistake did not"
                continue
            assert not isinstance(from_mistake, type), f"the mistake raised {from_mistake.__name__}, {entry} did not"
            assert from_mistake.shape == from_bank.shape, (from_mistake.shape, from_bank.shape)
            np.testing.assert_allclose(from_mistake, from_bank, rtol=1e-10, atol=1e-10)
            expected = _outcome(reference, args)
            differs |= from_bank.shape != expected.shape or not np.allclose(from_bank, expected)
        assert differs, f"{entry} agrees with the reference on every input: the inputs miss the mistake"

    return check
