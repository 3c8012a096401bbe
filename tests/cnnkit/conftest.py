"""Shared fixtures of the cnnkit tests."""

import numpy as np
import pytest


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
