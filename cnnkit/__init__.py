"""cnnkit: the reference implementation of the CNN course.

Activations are NCHW, convolution weights OIHW, transposed-convolution weights
IOHW, as in ``torch.nn.functional``; the one-channel helpers ``corr2d`` and
``convolve2d`` take plain 2-D arrays, as ``scipy.signal``. float32 stays
float32 and float64 stays float64.

Every public op is imported below from the module that holds it: the fast
version, with its readable ``<name>_loops`` twin beside it. ``__all__`` is the
union of those modules' ``__all__``.

>>> import cnnkit
>>> cnnkit.conv_output_size(96, 8)
89
"""

from __future__ import annotations

from . import (adaptive_pool, avg_pool, catalogue, conv, conv_transpose, correlate, gradcheck,
               locally_connected, lp_pool, matrix_view, max_pool, pyramid_pool, sizes, upsample,
               vlad_pool, volume_conv)
# output-size arithmetic (chapter 02)
from .sizes import conv_output_size, conv_transpose_output_size
# one-channel correlation and convolution, scipy.signal's modes (chapter 01)
from .correlate import convolve2d, corr2d, corr2d_loops
# convolution layers and their gradients (chapters 01, 02, 04, 05)
from .conv import conv2d, conv2d_backward, conv2d_backward_loops, conv2d_loops
# transposed convolution, convolution as a matrix product, bilinear upsampling (chapter 06)
from .conv_transpose import (conv_transpose2d, conv_transpose2d_backward,
                             conv_transpose2d_backward_loops, conv_transpose2d_loops)
from .matrix_view import conv_matrix
from .upsample import bilinear_kernel, bilinear_kernel_loops
# pooling (chapters 03, 04)
from .max_pool import max_pool2d, max_pool2d_backward, max_pool2d_backward_loops, max_pool2d_loops
from .avg_pool import avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_loops, avg_pool2d_loops
from .lp_pool import lp_pool2d, lp_pool2d_loops
from .adaptive_pool import (adaptive_avg_pool2d, adaptive_avg_pool2d_loops, adaptive_max_pool2d,
                            adaptive_max_pool2d_loops, global_avg_pool2d)
from .pyramid_pool import spatial_pyramid_pool
# beyond the plain 2-D convolution: 3-D, unshared, learned pooling (chapter 08)
from .volume_conv import conv3d, conv3d_backward, conv3d_backward_loops, conv3d_loops
from .locally_connected import (locally_connected2d, locally_connected2d_backward,
                                locally_connected2d_backward_loops, locally_connected2d_loops)
from .vlad_pool import netvlad, netvlad_backward, netvlad_loops, vlad
# the map of every convolution and pooling, computed by calling the ops above (chapter 08)
from .catalogue import conv_and_pool_catalogue
# gradient checking (chapter 04)
from .gradcheck import numerical_gradient, rel_error

_OP_MODULES = (sizes, correlate, conv, conv_transpose, matrix_view, upsample, max_pool, avg_pool, lp_pool,
               adaptive_pool, pyramid_pool, volume_conv, locally_connected, vlad_pool, catalogue, gradcheck)

__all__ = sorted(name for module in _OP_MODULES for name in module.__all__)
