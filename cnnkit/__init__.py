"""cnnkit: the reference implementation of the CNN course.

Activations are NCHW, convolution weights OIHW, transposed-convolution weights
IOHW, as in ``torch.nn.functional``; the one-channel helpers ``corr2d`` and
``convolve2d`` take plain 2-D arrays, as ``scipy.signal``. float32 stays
float32 and float64 stays float64.

Every public function is listed below with the module that holds it (the fast
version, with its readable ``<name>_loops`` twin beside it). Modules are
imported on first use, so ``import cnnkit`` is quick.

>>> import cnnkit
>>> cnnkit.conv_output_size(96, 8)
89
"""

from __future__ import annotations

import importlib

_PUBLIC = {
    # output-size arithmetic
    "conv_output_size": "sizes",
    "conv_transpose_output_size": "sizes",
    # one-channel correlation and convolution (scipy.signal modes)
    "corr2d": "correlate",
    "convolve2d": "correlate",
    # convolution layers and their gradients
    "conv2d": "conv",
    "conv2d_backward": "conv",
    "conv_transpose2d": "conv_transpose",
    "conv_transpose2d_backward": "conv_transpose",
    # convolution as a matrix product, and the bilinear upsampling kernel (chapter 06)
    "conv_matrix": "matrix_view",
    "bilinear_kernel": "upsample",
    # pooling
    "max_pool2d": "max_pool",
    "max_pool2d_backward": "max_pool",
    "avg_pool2d": "avg_pool",
    "avg_pool2d_backward": "avg_pool",
    "lp_pool2d": "other_pool",
    "adaptive_avg_pool2d": "other_pool",
    "adaptive_max_pool2d": "other_pool",
    "global_avg_pool2d": "other_pool",
    "spatial_pyramid_pool": "other_pool",
    # gradient checking
    "numerical_gradient": "gradcheck",
    "rel_error": "gradcheck",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'cnnkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cnnkit.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
