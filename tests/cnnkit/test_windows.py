"""What max and average pooling share through cnnkit._windows: the dout check and the dtypes."""

import numpy as np
import pytest

from cnnkit.avg_pool import avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_loops, avg_pool2d_loops
from cnnkit.max_pool import max_pool2d, max_pool2d_backward, max_pool2d_backward_loops, max_pool2d_loops

#: forward, backward, loop forward, loop backward of each pooling op
POOLS = {
    "max": (max_pool2d, max_pool2d_backward, max_pool2d_loops, max_pool2d_backward_loops),
    "avg": (avg_pool2d, avg_pool2d_backward, avg_pool2d_loops, avg_pool2d_backward_loops),
}
X = np.zeros((1, 1, 4, 4))


@pytest.mark.parametrize("backward", [ops[i] for ops in POOLS.values() for i in (1, 3)],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("dout_shape", [(2, 1, 2, 2), (1, 1, 3, 3)])
def test_backward_refuses_dout_of_wrong_shape(backward, dout_shape):
    """dout must have the shape of the forward output, and the message gives both shapes."""
    with pytest.raises(ValueError, match=rf"{backward.__name__}: dout must have the forward "
                                         r"output's shape \(N, C, OH, OW\) = \(1, 1, 2, 2\), "
                                         rf"got \({', '.join(map(str, dout_shape))}\)"):
        backward(np.zeros(dout_shape), X, 2)


@pytest.mark.parametrize("kind", POOLS)
def test_dtypes(rng, kind):
    """float32 stays float32, ints become float64, a float64 dout makes dx float64."""
    pool, backward, pool_loops, _ = POOLS[kind]
    x32 = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    out = pool(x32, 2, padding=1)
    assert out.dtype == np.float32
    assert backward(np.ones_like(out), x32, 2, padding=1).dtype == np.float32
    assert backward(np.ones(out.shape), x32, 2, padding=1).dtype == np.float64
    assert pool(np.arange(16).reshape(1, 1, 4, 4), 2).dtype == np.float64
    assert pool_loops(x32, 2).dtype == np.float32
