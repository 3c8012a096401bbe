"""Speed of cnnkit's convolutions against PyTorch CPU at 1 and 2 threads, float32.

Run ``python benchmarks/bench_conv.py`` (``--quick`` for fewer repeats). Each row
times the cnnkit op and the matching PyTorch kernel interleaved in this process
and prints the fastest time per call and the ratio cnnkit / torch. The backward
rows compare with ``torch.ops.aten.convolution_backward`` (all three gradients,
no forward pass), which is what autograd calls. The last table compares the fast
versions with the loop versions on a LeNet layer.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import (bench_arguments, compare, load_torch, print_loop_speedups,  # noqa: E402
                     print_thread_tables)

from cnnkit.conv import conv2d, conv2d_backward, conv2d_backward_loops, conv2d_loops  # noqa: E402
from cnnkit.conv_transpose import conv_transpose2d, conv_transpose2d_backward  # noqa: E402

# name, x shape, w shape, keyword arguments
CONV_CASES = [
    ("lenet 6->16 5x5", (64, 6, 14, 14), (16, 6, 5, 5), dict()),
    ("cifar 3->64 3x3 pad1", (128, 3, 32, 32), (64, 3, 3, 3), dict(padding=1)),
    ("vgg 64->64 3x3 pad1", (8, 64, 56, 56), (64, 64, 3, 3), dict(padding=1)),
    ("strided 64->128 s2", (32, 64, 32, 32), (128, 64, 3, 3), dict(stride=2, padding=1)),
    ("1x1 64->128", (32, 64, 28, 28), (128, 64, 1, 1), dict()),
]
TRANSPOSE_CASES = [
    ("dcgan 128->64 4x4 s2", (64, 128, 8, 8), (128, 64, 4, 4), dict(stride=2, padding=1)),
    ("upsample 64->32 3x3 s2", (16, 64, 16, 16), (64, 32, 3, 3),
     dict(stride=2, padding=1, output_padding=1)),
]
LENET = CONV_CASES[0]


def _pair(value):
    return list(value) if isinstance(value, (tuple, list)) else [value, value]


def _torch_backward(torch, transposed, dout, x, w, kwargs):
    """A no-argument callable running PyTorch's convolution backward kernel."""
    args = (
        [w.shape[1] * kwargs.get("groups", 1) if transposed else w.shape[0]],
        _pair(kwargs.get("stride", 1)), _pair(kwargs.get("padding", 0)),
        _pair(kwargs.get("dilation", 1)), transposed, _pair(kwargs.get("output_padding", 0)),
        kwargs.get("groups", 1), [True, True, True],
    )
    return lambda: torch.ops.aten.convolution_backward(dout, x, w, *args)


def time_op(torch, name, forward, backward, torch_forward, transposed, x_shape, w_shape, kwargs,
            repeats):
    """Two rows (forward, backward) of the speed table for one shape."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    w = rng.standard_normal(w_shape, dtype=np.float32)
    dout = rng.standard_normal(forward(x, w, **kwargs).shape, dtype=np.float32)
    theirs_fwd = theirs_bwd = None
    if torch is not None:
        xt, wt, doutt = (torch.from_numpy(a) for a in (x, w, dout))
        theirs_fwd = lambda: torch_forward(xt, wt, **kwargs)  # noqa: E731
        theirs_bwd = _torch_backward(torch, transposed, doutt, xt, wt, kwargs)
    rows = [(f"{name} fwd", *compare(lambda: forward(x, w, **kwargs), theirs_fwd, repeats)),
            (f"{name} bwd", *compare(lambda: backward(dout, x, w, **kwargs), theirs_bwd, repeats))]
    for row in rows:
        print(f"  measured {row[0]}", flush=True)
    return rows


def loop_speedup():
    """Time the loop versions once each on the LeNet layer against the fast versions."""
    _, x_shape, w_shape, kwargs = LENET
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    w = rng.standard_normal(w_shape, dtype=np.float32)
    dout = rng.standard_normal(conv2d(x, w).shape, dtype=np.float32)
    print_loop_speedups([
        ("conv2d", lambda: conv2d_loops(x, w), lambda: conv2d(x, w)),
        ("conv2d_backward", lambda: conv2d_backward_loops(dout, x, w),
         lambda: conv2d_backward(dout, x, w)),
    ], f"loop version vs fast version on the LeNet layer x {x_shape}, w {w_shape}")


def main(argv=None):
    args = bench_arguments(__doc__.splitlines()[0], argv)
    repeats = args.repeats
    torch = load_torch()
    functional = torch.nn.functional if torch is not None else None

    def measure():
        rows = []
        for name, x_shape, w_shape, kwargs in CONV_CASES:
            rows += time_op(torch, "conv2d " + name, conv2d, conv2d_backward,
                            functional and functional.conv2d, False, x_shape, w_shape, kwargs,
                            repeats)
        for name, x_shape, w_shape, kwargs in TRANSPOSE_CASES:
            rows += time_op(torch, "conv_t " + name, conv_transpose2d, conv_transpose2d_backward,
                            functional and functional.conv_transpose2d, True, x_shape, w_shape,
                            kwargs, repeats)
        return rows

    print_thread_tables(torch, args.threads, repeats, measure)
    if not args.no_loops:
        loop_speedup()


if __name__ == "__main__":
    main()
