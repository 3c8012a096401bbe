"""Known mistakes of chapter 05 (1x1 convolution), one dict per exercise.

Each dict maps a description, completing "your output equals what you get
when ...", to a function with the arguments of the chapter's reference (the
same arguments as the exercise) that computes the wrong variant. Every entry
stands for a wrong entry of ``tests/banks/05_conv1x1.py`` (named in its
comment); ``tests/cnnkit/test_mistakes_conv1x1.py`` proves each reproduces its
entry. A bank entry that only ever raises (``conv2d`` without ``groups`` on
several channels) has no mistake here: the learner sees the error and the hint.
"""

from __future__ import annotations

import numpy as np

import cnnkit

__all__ = ["CONV1X1", "BOTTLENECK_PARAMS", "DEPTHWISE_SEPARABLE_CONV", "CONV_MULTIPLY_ADDS"]


# ---------------------------------------------------------------- conv1x1
def _pointwise(x, w, b=None, *, weight=lambda w: w, bias=lambda b: b[None, :, None, None]):
    """The matrix product per image, with the weight and the bias broadcast as given."""
    n, c_in, h, width = x.shape
    out = (weight(w) @ x.reshape(n, c_in, h * width)).reshape(n, -1, h, width)
    return out if b is None else out + bias(b)


def _channels_last_reshape(x, w, b=None):
    """reshape (not transpose) to (N, H*W, C_in): pixels and channels scrambled."""
    n, c_in, h, width = x.shape
    out = (x.reshape(n, h * width, c_in) @ w.T).reshape(n, w.shape[0], h, width)
    return out if b is None else out + b[None, :, None, None]


def _batch_flattened_into_pixels(x, w, b=None):
    """x.reshape(C_in, -1): right only for a batch of one."""
    n, c_in, h, width = x.shape
    out = (w @ x.reshape(c_in, -1)).reshape(n, w.shape[0], h, width)
    return out if b is None else out + b[None, :, None, None]


def _tensordot_reshaped(x, w, b=None):
    """tensordot gives (C_out, N, H, W); reshaping it to (N, C_out, H, W) scrambles batch and channels."""
    n, _, h, width = x.shape
    out = np.tensordot(w, x, axes=(1, 1)).reshape(n, w.shape[0], h, width)
    return out if b is None else out + b[None, :, None, None]


#: conv1x1(x, w, b=None) with x (N, C_in, H, W), w (C_out, C_in), b (C_out,).
CONV1X1 = {
    # transposed_weight_matrix
    "the weight matrix is transposed (w.T); out[n, :, i, j] = w @ x[n, :, i, j] uses w as it is":
        lambda x, w, b=None: _pointwise(x, w, b, weight=lambda w: w.T),
    # bias_along_the_width
    "the bias is added along the last axis (out + b); one bias per output channel is "
    "b[None, :, None, None]": lambda x, w, b=None: _pointwise(x, w, b, bias=lambda b: b),
    # bias_ignored
    "the bias is left out": lambda x, w, b=None: _pointwise(x, w),
    # reshape_scrambles_pixels_and_channels
    "x is reshaped to (N, H*W, C_in) without moving the channel axis; reshape never moves data, so "
    "pixels and channels are scrambled (transpose first, or keep (N, C_in, H*W))": _channels_last_reshape,
    # reshape_ignores_the_batch_axis
    "x is reshaped to (C_in, -1), which mixes the images of the batch with the channels (right only "
    "when N = 1); keep the batch axis: (N, C_in, H*W)": _batch_flattened_into_pixels,
    # tensordot_leaves_output_channels_first
    "the product has shape (C_out, N, H, W) and is reshaped to (N, C_out, H, W) instead of transposed "
    "(right only when N = 1)": _tensordot_reshaped,
}


# ---------------------------------------------------------------- bottleneck_params
def _bottleneck(weights, biases=lambda c_mid, c_out: c_mid + c_out):
    def mistake(c_in, c_mid, c_out, kernel_size, bias=False):
        return weights(c_in, c_mid, c_out, kernel_size) + (biases(c_mid, c_out) if bias else 0)
    return mistake


#: bottleneck_params(c_in, c_mid, c_out, kernel_size, bias=False) -> int.
BOTTLENECK_PARAMS = {
    # forgets_the_1x1_layer
    "the 1x1 layer's c_in * c_mid weights are left out":
        _bottleneck(lambda c_in, c_mid, c_out, k: k * k * c_mid * c_out),
    # kernel_side_not_squared
    "the k x k layer is counted with k weights per channel pair; a k x k kernel has k * k":
        _bottleneck(lambda c_in, c_mid, c_out, k: c_in * c_mid + k * c_mid * c_out),
    # kxk_reads_c_in_channels
    "the k x k layer reads c_in channels; after the 1x1 reduction it reads c_mid":
        _bottleneck(lambda c_in, c_mid, c_out, k: c_in * c_mid + k * k * c_in * c_out),
    # one_bias_per_layer
    "each layer gets one bias; there is one bias per output channel (c_mid + c_out in all)":
        _bottleneck(lambda c_in, c_mid, c_out, k: c_in * c_mid + k * k * c_mid * c_out,
                    biases=lambda c_mid, c_out: 2),
}


# ---------------------------------------------------------------- depthwise_separable_conv
def _depthwise(x, w_depthwise, stride, padding):
    return cnnkit.conv2d(np.asarray(x, dtype=float), w_depthwise, stride=stride, padding=padding,
                         groups=x.shape[1])


def _channels_summed(x, w_depthwise, w_pointwise, stride=1, padding=0):
    """Every filtered channel replaced by their sum, then mixed."""
    summed = _depthwise(x, w_depthwise, stride, padding).sum(axis=1, keepdims=True)
    filtered = np.broadcast_to(summed, summed.shape[:1] + (x.shape[1],) + summed.shape[2:])
    return np.einsum("oc,nchw->nohw", w_pointwise, filtered)


def _pointwise_transposed(x, w_depthwise, w_pointwise, stride=1, padding=0):
    return np.einsum("co,nchw->nohw", w_pointwise, _depthwise(x, w_depthwise, stride, padding))


def _pointwise_first(x, w_depthwise, w_pointwise, stride=1, padding=0):
    """Mix first, then filter mixed channel t with kernel t (numpy broadcasting: one kernel serves all)."""
    mixed = np.einsum("oc,nchw->nohw", w_pointwise, np.asarray(x, dtype=float))
    c_out = mixed.shape[1]
    kernels = np.broadcast_to(w_depthwise[:c_out], (c_out,) + w_depthwise.shape[1:])   # raises like the loops
    return cnnkit.conv2d(mixed, kernels, stride=stride, padding=padding, groups=c_out)


def _separable(stride_of=lambda stride: stride, padding_of=lambda padding: padding):
    def mistake(x, w_depthwise, w_pointwise, stride=1, padding=0):
        filtered = _depthwise(x, w_depthwise, stride_of(stride), padding_of(padding))
        return np.einsum("oc,nchw->nohw", w_pointwise, filtered)
    return mistake


#: depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0).
DEPTHWISE_SEPARABLE_CONV = {
    # depthwise_applied_as_full_convolution
    "the depthwise step sums over the channels (a standard convolution); each channel is filtered "
    "by its own kernel and kept apart until the 1x1 step": _channels_summed,
    # pointwise_transposed
    "the 1x1 mixing matrix is transposed; out[:, t] = sum_c w_pointwise[t, c] * filtered[:, c]":
        _pointwise_transposed,
    # stride_ignored
    "the stride is ignored in the depthwise step": _separable(stride_of=lambda stride: 1),
    # padding_ignored
    "the padding is ignored in the depthwise step": _separable(padding_of=lambda padding: 0),
    # pointwise_before_depthwise
    "the 1x1 mixing comes before the depthwise filtering; the depthwise k x k comes first, then "
    "the 1x1": _pointwise_first,
}


# ---------------------------------------------------------------- conv_multiply_adds
#: conv_multiply_adds(c_in, c_out, kernel_size, out_height, out_width, groups=1) -> int.
CONV_MULTIPLY_ADDS = {
    # ignores_groups
    "groups is ignored: each output value reads c_in // groups input channels, not all c_in":
        lambda c_in, c_out, k, h, w, groups=1: h * w * c_out * c_in * k * k,
    # kernel_side_not_squared
    "the kernel is counted as k values; a k x k kernel has k * k":
        lambda c_in, c_out, k, h, w, groups=1: h * w * c_out * (c_in // groups) * k,
    # counts_flops_twice
    "each multiply-add is counted twice (that is FLOPs, 2 per multiply-add)":
        lambda c_in, c_out, k, h, w, groups=1: 2 * h * w * c_out * (c_in // groups) * k * k,
    # divides_output_channels_too
    "c_out is divided by groups too; every one of the c_out output channels is computed":
        lambda c_in, c_out, k, h, w, groups=1: h * w * (c_out // groups) * (c_in // groups) * k * k,
}
