"""Speed of chapter 08's ops (conv3d, locally_connected2d, netvlad) against PyTorch CPU, float32.

Run ``python benchmarks/bench_beyond2d.py`` (``--quick`` for fewer repeats). Each row
times the cnnkit op and its PyTorch counterpart interleaved in this process and
prints the median time per call and the ratio cnnkit / torch:

* conv3d: ``torch.nn.functional.conv3d``; the backward row against
  ``torch.ops.aten.convolution_backward`` (all three gradients, no forward pass);
* locally_connected2d: PyTorch has no such layer, so it is ``F.unfold`` and one batched
  product per position (``torch.bmm``; the tests' ``einsum`` is far slower); "fwd+bwd"
  rows time the forward and the backward on both sides (autograd for PyTorch);
* netvlad: the formula written in PyTorch, "fwd" and "fwd+bwd" as above.

The last table times the loop versions against the fast ones (``--no-loops`` skips it).
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import (bench_arguments, compare, load_torch, print_loop_speedups,  # noqa: E402
                     print_thread_tables)

from cnnkit.locally_connected import (  # noqa: E402
    locally_connected2d, locally_connected2d_backward, locally_connected2d_loops)
from cnnkit.sizes import window_count  # noqa: E402
from cnnkit.vlad_pool import netvlad, netvlad_backward, netvlad_loops  # noqa: E402
from cnnkit.volume_conv import conv3d, conv3d_backward, conv3d_backward_loops, conv3d_loops  # noqa: E402

# name, x shape, w shape, keyword arguments
CONV3D_CASES = [
    ("c3d 3->32 3x3x3 pad1", (4, 3, 16, 56, 56), (32, 3, 3, 3, 3), dict(padding=1)),
    ("video 64->64 3x3x3 pad1", (2, 64, 8, 28, 28), (64, 64, 3, 3, 3), dict(padding=1)),
    ("volume 1->8 5x5x5 s2", (2, 1, 32, 32, 32), (8, 1, 5, 5, 5), dict(stride=2)),
]
# name, x shape, filters, kernel
LOCAL_CASES = [
    ("small 8->16 3x3", (64, 8, 14, 14), 16, 3),
    ("deepface-like 16->16 9x9", (16, 16, 25, 25), 16, 9),
]
# name, features shape, centres K
NETVLAD_CASES = [
    ("vgg conv5 D512 30x40 K64", (4, 512, 30, 40), 64),
    ("small D64 7x7 K16", (32, 64, 7, 7), 16),
]


def _arrays(*shapes):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]


def _triple(value):
    return list(value) if isinstance(value, (tuple, list)) else [value] * 3


def conv3d_rows(torch, name, x_shape, w_shape, kwargs, repeats):
    x, w = _arrays(x_shape, w_shape)
    dout, = _arrays(conv3d(x, w, **kwargs).shape)
    theirs_fwd = theirs_bwd = None
    if torch is not None:
        xt, wt, doutt = (torch.from_numpy(a) for a in (x, w, dout))
        theirs_fwd = lambda: torch.nn.functional.conv3d(xt, wt, **kwargs)  # noqa: E731
        args = ([w_shape[0]], _triple(kwargs.get("stride", 1)), _triple(kwargs.get("padding", 0)),
                _triple(kwargs.get("dilation", 1)), False, [0, 0, 0], 1, [True, True, True])
        theirs_bwd = lambda: torch.ops.aten.convolution_backward(doutt, xt, wt, *args)  # noqa: E731
    return [(f"conv3d {name} fwd", *compare(lambda: conv3d(x, w, **kwargs), theirs_fwd, repeats)),
            (f"conv3d {name} bwd",
             *compare(lambda: conv3d_backward(dout, x, w, **kwargs), theirs_bwd, repeats))]


def _torch_fwd_bwd(torch, formula, arrays, dout):
    """No-argument callables: PyTorch's forward, and its forward + autograd backward."""
    plain = [torch.from_numpy(a) for a in arrays]
    doutt = torch.from_numpy(dout)

    def forward():
        with torch.no_grad():
            return formula(*plain)

    def forward_backward():
        tensors = [t.clone().requires_grad_() for t in plain]
        formula(*tensors).backward(doutt)

    return forward, forward_backward


def local_rows(torch, name, x_shape, filters, kernel, repeats):
    oh = window_count(x_shape[2], kernel)
    x, w, b = _arrays(x_shape, (oh, oh, filters, x_shape[1], kernel, kernel), (filters, oh, oh))
    dout, = _arrays((x_shape[0], filters, oh, oh))
    theirs = (None, None)
    if torch is not None:
        def formula(xt, wt, bt):
            cols = torch.nn.functional.unfold(xt, kernel).permute(2, 0, 1)        # (L, N, K)
            out = torch.bmm(cols, wt.reshape(oh * oh, filters, -1).transpose(1, 2))  # (L, N, F)
            return out.permute(1, 2, 0).reshape(x_shape[0], filters, oh, oh) + bt
        theirs = _torch_fwd_bwd(torch, formula, (x, w, b), dout)

    def ours_both():
        locally_connected2d(x, w, b)
        locally_connected2d_backward(dout, x, w)

    return [(f"local {name} fwd", *compare(lambda: locally_connected2d(x, w, b), theirs[0], repeats)),
            (f"local {name} fwd+bwd", *compare(ours_both, theirs[1], repeats))]


def netvlad_rows(torch, name, features_shape, n_centres, repeats):
    dim = features_shape[1]
    args = _arrays(features_shape, (n_centres, dim), (n_centres, dim), (n_centres,))
    args[2] *= 0.1   # softer assignments, as after training
    dout, = _arrays((features_shape[0], n_centres * dim))
    theirs = (None, None)
    if torch is not None:
        def formula(features, centres, w, b):
            x = features.flatten(2).transpose(1, 2)
            a = torch.softmax(x @ w.T + b, dim=-1)
            v = a.transpose(1, 2) @ x - a.sum(dim=1)[..., None] * centres
            v = torch.nn.functional.normalize(v, dim=2)
            return torch.nn.functional.normalize(v.flatten(1), dim=1)
        theirs = _torch_fwd_bwd(torch, formula, args, dout)

    def ours_both():
        netvlad(*args)
        netvlad_backward(dout, *args)

    return [(f"netvlad {name} fwd", *compare(lambda: netvlad(*args), theirs[0], repeats)),
            (f"netvlad {name} fwd+bwd", *compare(ours_both, theirs[1], repeats))]


def loop_speedup():
    """The loop versions once each on small inputs, against the fast versions."""
    x3, w3 = _arrays((4, 3, 8, 16, 16), (8, 3, 3, 3, 3))
    dout3, = _arrays(conv3d(x3, w3).shape)
    x2, w2 = _arrays((16, 3, 16, 16), (14, 14, 8, 3, 3, 3))
    vlad_args = _arrays((16, 32, 14, 14), (16, 32), (16, 32), (16,))
    print_loop_speedups([
        ("conv3d", lambda: conv3d_loops(x3, w3), lambda: conv3d(x3, w3)),
        ("conv3d_backward", lambda: conv3d_backward_loops(dout3, x3, w3),
         lambda: conv3d_backward(dout3, x3, w3)),
        ("locally_connected2d", lambda: locally_connected2d_loops(x2, w2),
         lambda: locally_connected2d(x2, w2)),
        ("netvlad", lambda: netvlad_loops(*vlad_args), lambda: netvlad(*vlad_args)),
    ], "loop version vs fast version on small inputs")


def main(argv=None):
    args = bench_arguments(__doc__.splitlines()[0], argv)
    repeats, torch = args.repeats, load_torch()

    def measure():
        rows = []
        for timed, cases in ((conv3d_rows, CONV3D_CASES), (local_rows, LOCAL_CASES),
                             (netvlad_rows, NETVLAD_CASES)):
            for case in cases:
                rows += timed(torch, *case, repeats)
                print(f"  measured {case[0]}", flush=True)
        return rows

    print_thread_tables(torch, args.threads, repeats, measure)
    if not args.no_loops:
        loop_speedup()


if __name__ == "__main__":
    main()
