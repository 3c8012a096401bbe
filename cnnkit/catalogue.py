"""A map of every convolution and pooling of the course, computed by calling cnnkit.

Each row names a variant, says what it changes, and reports the parameter count
and the output shape that the cnnkit op gives on one example input: nothing in
the table is typed by hand except the words, so it cannot drift from the ops.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .adaptive_pool import adaptive_max_pool2d, global_avg_pool2d
from .avg_pool import avg_pool2d
from .conv import conv2d
from .conv_transpose import conv_transpose2d
from .locally_connected import locally_connected2d
from .lp_pool import lp_pool2d
from .max_pool import max_pool2d
from .pyramid_pool import spatial_pyramid_pool
from .vlad_pool import netvlad, vlad
from .volume_conv import conv3d

__all__ = ["conv_and_pool_catalogue"]

#: The example input: one image of C = 4 channels, 8 x 8 (a volume of depth 4 for conv3d).
N, C, H, W, DEPTH = 1, 4, 8, 8, 4
#: Filters F of size K x K, and the K_CENTRES of (Net)VLAD.
F, K, K_CENTRES = 4, 3, 8
IMAGE = {"x": (N, C, H, W)}


class _Variant(NamedTuple):
    name: str
    kind: str           # "convolution" or "pooling"
    changes: str
    op: object
    arrays: dict        # argument name -> shape; the first is the input, the others are learned
    options: dict       # keyword arguments


def _conv(name, changes, w_shape, **options):
    return _Variant(name, "convolution", changes, conv2d,
                    {**IMAGE, "w": w_shape, "b": (w_shape[0],)}, options)


def _pool(name, changes, op, **options):
    return _Variant(name, "pooling", changes, op, dict(IMAGE), options)


def _variants():
    out_h = H - K + 1   # a valid 3 x 3 convolution's output size, for the unshared weights
    centres = {"centres": (K_CENTRES, C)}
    return [
        _conv("standard", "F filters of C x K x K slide over the image, the same weights at "
              "every position", (F, C, K, K)),
        _conv("strided", "the window jumps s cells: the output shrinks about s times per axis, "
              "same weights", (F, C, K, K), stride=2),
        _conv("dilated", "taps d cells apart: a (d(K-1)+1)-wide view with K x K weights",
              (F, C, K, K), dilation=2),
        _conv("full (wide)", "K-1 zeros on each side: every partial overlap counts, the output "
              "grows by K-1", (F, C, K, K), padding=K - 1),
        _conv("1x1", "mixes the channels at each pixel, no spatial extent", (F, C, 1, 1)),
        _conv("grouped", "channels split into g groups, each filter sees C/g of them: g times "
              "fewer weights", (F, C // 2, K, K), groups=2),
        _conv("depthwise", "one filter per channel (groups = C): no mixing of channels",
              (C, 1, K, K), groups=C),
        _Variant("transposed", "convolution", "each input cell stamps the kernel onto the "
                 "output, s cells apart: upsamples", conv_transpose2d,
                 {**IMAGE, "w": (C, F, K, K), "b": (F,)}, dict(stride=2)),
        _Variant("3-D", "convolution", "the kernel slides over depth (time, slices) too",
                 conv3d, {"x": (N, C, DEPTH, H, W), "w": (F, C, K, K, K), "b": (F,)}, {}),
        _Variant("locally connected (unshared)", "convolution", "a different filter bank at "
                 "every output position: the windows of a convolution, nothing shared",
                 locally_connected2d, {**IMAGE, "w": (out_h, out_h, F, C, K, K),
                                       "b": (F, out_h, out_h)}, {}),
        _pool("max", "keeps the largest value of each window", max_pool2d, kernel_size=2),
        _pool("average", "keeps the mean of each window", avg_pool2d, kernel_size=2),
        _pool("L2 (Lp, p = 2)", "keeps the root of the sum of squares of each window",
              lp_pool2d, norm_type=2, kernel_size=2),
        _pool("global average", "one mean per channel over the whole map", global_avg_pool2d),
        _pool("global max", "one maximum per channel over the whole map", adaptive_max_pool2d,
              output_size=1),
        _pool("spatial pyramid (SPP)", "max over 1x1, 2x2 and 4x4 grids: a fixed length for "
              "any input size", spatial_pyramid_pool, levels=(1, 2, 4)),
        _Variant("VLAD", "pooling", "sums each local descriptor's residual to its nearest "
                 "centre, then normalises", vlad, {"features": IMAGE["x"], **centres}, {}),
        _Variant("NetVLAD", "pooling", "VLAD with a learned softmax assignment to every "
                 "centre: differentiable", netvlad,
                 {"features": IMAGE["x"], **centres, "w": (K_CENTRES, C), "b": (K_CENTRES,)}, {}),
    ]


def _call_text(variant: _Variant) -> str:
    arguments = list(variant.arrays)
    arguments += [f"{key}={value!r}" for key, value in variant.options.items()]
    return f"cnnkit.{variant.op.__name__}({', '.join(arguments)})"


def conv_and_pool_catalogue():
    """One row per convolution and pooling of the course, measured on one example input.

    Returns
    -------
    list of dict
        One dict per variant, in the course's order, with the keys

        - ``name``: e.g. ``"dilated"``;
        - ``kind``: ``"convolution"`` or ``"pooling"``;
        - ``changes``: what it changes with respect to the standard convolution or pooling;
        - ``call``: the cnnkit call that was made, e.g. ``"cnnkit.conv2d(x, w, b, dilation=2)"``;
        - ``input_shape``: the shape of ``x`` (``(1, 4, 8, 8)``; ``(1, 4, 4, 8, 8)`` for 3-D);
        - ``parameters``: the number of learned values, the sizes of every array argument
          but the input added up (0 for a fixed pooling);
        - ``output_shape``: the shape of what the call returned.

    Notes
    -----
    The input holds random numbers from a fixed seed; the shapes and counts do not
    depend on them. Calling this runs every op once on that input (a few milliseconds).
    """
    rng = np.random.default_rng(0)
    rows = []
    for variant in _variants():
        arrays = {name: rng.standard_normal(shape) for name, shape in variant.arrays.items()}
        out = variant.op(*arrays.values(), **variant.options)
        learned = list(arrays.values())[1:]
        rows.append({
            "name": variant.name,
            "kind": variant.kind,
            "changes": variant.changes,
            "call": _call_text(variant),
            "input_shape": tuple(next(iter(arrays.values())).shape),
            "parameters": int(sum(a.size for a in learned)),
            "output_shape": tuple(np.shape(out)),
        })
    return rows
