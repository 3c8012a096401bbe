"""Speed of cnnkit's pooling against PyTorch CPU at 1 and 2 threads, float32.

Run ``python benchmarks/bench_pool.py`` (``--quick`` for fewer repeats). Each row
times the cnnkit op and the matching PyTorch kernel interleaved in this process
and prints the fastest time per call and the ratio cnnkit / torch; a last table
times the loop versions against the fast ones (skip it with ``--no-loops``).

The backward rows compare with the ATen kernels that autograd calls:
``max_pool2d_with_indices_backward`` receives the argmax indices saved by the
forward pass, while ``cnnkit.max_pool2d_backward(dout, x, ...)`` has to find the
winners again -- so that row measures more work on our side than on PyTorch's.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import (bench_arguments, compare, load_torch, print_loop_speedups,  # noqa: E402
                     print_thread_tables)

from cnnkit.avg_pool import (  # noqa: E402
    avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_loops, avg_pool2d_loops)
from cnnkit.max_pool import (  # noqa: E402
    max_pool2d, max_pool2d_backward, max_pool2d_backward_loops, max_pool2d_loops)
from cnnkit.adaptive_pool import adaptive_avg_pool2d, adaptive_max_pool2d  # noqa: E402

# name, x shape, kernel_size, stride, padding
WINDOW_CASES = [
    ("lenet k2", (64, 6, 28, 28), 2, 2, 0),
    ("cifar k2", (128, 64, 32, 32), 2, 2, 0),
    ("vgg k2", (8, 64, 112, 112), 2, 2, 0),
    ("alexnet k3s2", (32, 64, 55, 55), 3, 2, 0),
    ("resnet k3s2p1", (32, 64, 56, 56), 3, 2, 1),
]
# name, x shape, output size
ADAPTIVE_CASES = [
    ("alexnet 13->6", (64, 256, 13, 13), 6),
    ("vgg 14->7", (16, 512, 14, 14), 7),
    ("global 7->1", (128, 512, 7, 7), 1),
]


def window_rows(torch, name, x_shape, kernel, stride, padding, repeats):
    """Four rows (max fwd/bwd, avg fwd/bwd) of the speed table for one shape."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    dout = rng.standard_normal(max_pool2d(x, kernel, stride, padding).shape, dtype=np.float32)
    ours = {
        "max fwd": lambda: max_pool2d(x, kernel, stride, padding),
        "max bwd": lambda: max_pool2d_backward(dout, x, kernel, stride, padding),
        "avg fwd": lambda: avg_pool2d(x, kernel, stride, padding),
        "avg bwd": lambda: avg_pool2d_backward(dout, x, kernel, stride, padding),
    }
    theirs = dict.fromkeys(ours)
    if torch is not None:
        xt, doutt = torch.from_numpy(x), torch.from_numpy(dout)
        functional, aten = torch.nn.functional, torch.ops.aten
        k, s, p = [kernel, kernel], [stride, stride], [padding, padding]
        _, indices = aten.max_pool2d_with_indices(xt, k, s, p)
        theirs = {
            "max fwd": lambda: functional.max_pool2d(xt, kernel, stride, padding),
            "max bwd": lambda: aten.max_pool2d_with_indices_backward(
                doutt, xt, k, s, p, [1, 1], False, indices),
            "avg fwd": lambda: functional.avg_pool2d(xt, kernel, stride, padding),
            "avg bwd": lambda: aten.avg_pool2d_backward(doutt, xt, k, s, p, False, True, None),
        }
    rows = []
    for op in ours:
        rows.append((f"{op} {name}", *compare(ours[op], theirs[op], repeats)))
        print(f"  measured {rows[-1][0]}", flush=True)
    return rows


def adaptive_rows(torch, name, x_shape, output_size, repeats):
    """Two rows (adaptive avg, adaptive max) of the speed table for one shape."""
    x = np.random.default_rng(0).standard_normal(x_shape, dtype=np.float32)
    theirs_avg = theirs_max = None
    if torch is not None:
        xt, functional = torch.from_numpy(x), torch.nn.functional
        theirs_avg = lambda: functional.adaptive_avg_pool2d(xt, output_size)  # noqa: E731
        theirs_max = lambda: functional.adaptive_max_pool2d(xt, output_size)  # noqa: E731
    rows = [(f"adaptive avg {name}",
             *compare(lambda: adaptive_avg_pool2d(x, output_size), theirs_avg, repeats)),
            (f"adaptive max {name}",
             *compare(lambda: adaptive_max_pool2d(x, output_size), theirs_max, repeats))]
    for row in rows:
        print(f"  measured {row[0]}", flush=True)
    return rows


def loop_speedup():
    """Time each loop version once on the LeNet case against its fast version."""
    _, x_shape, kernel, stride, _ = WINDOW_CASES[0]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    dout = rng.standard_normal(max_pool2d(x, kernel, stride).shape, dtype=np.float32)
    pairs = [
        ("max_pool2d", max_pool2d_loops, max_pool2d, (x,)),
        ("max_pool2d_backward", max_pool2d_backward_loops, max_pool2d_backward, (dout, x)),
        ("avg_pool2d", avg_pool2d_loops, avg_pool2d, (x,)),
        ("avg_pool2d_backward", avg_pool2d_backward_loops, avg_pool2d_backward, (dout, x)),
    ]
    print_loop_speedups(
        [(name, lambda loops=loops, arrays=arrays: loops(*arrays, kernel, stride),
          lambda fast=fast, arrays=arrays: fast(*arrays, kernel, stride))
         for name, loops, fast, arrays in pairs],
        f"loop version vs fast version on x {x_shape}, kernel {kernel}, stride {stride}")


def main(argv=None):
    args = bench_arguments(__doc__.splitlines()[0], argv)
    repeats = args.repeats
    torch = load_torch()

    def measure():
        rows = []
        for name, x_shape, kernel, stride, padding in WINDOW_CASES:
            rows += window_rows(torch, name, x_shape, kernel, stride, padding, repeats)
        for name, x_shape, output_size in ADAPTIVE_CASES:
            rows += adaptive_rows(torch, name, x_shape, output_size, repeats)
        return rows

    print_thread_tables(torch, args.threads, repeats, measure)
    if not args.no_loops:
        loop_speedup()


if __name__ == "__main__":
    main()
