"""Known mistakes of chapter 08 (beyond the plain 2-D convolution), one dict per exercise.

Each dict maps a description, completing "your output equals what you get
when ...", to a function with the arguments of the exercise that computes the
wrong variant. Every entry stands for a wrong entry of
``tests/banks/08_beyond_2d.py`` (named in its comment);
``tests/cnnkit/test_mistakes_beyond_2d.py`` proves each reproduces its entry.
"""

from __future__ import annotations

import numpy as np

import cnnkit

__all__ = ["CONV3D", "LOCALLY_CONNECTED2D", "STACK_COST", "NETVLAD"]


# ---------------------------------------------------------------- conv3d
def _conv3d(kernel=lambda w: w, bias=lambda b: b, strides=lambda s: s, paddings=lambda p: p):
    """cnnkit's conv3d with the kernel, bias, stride or padding changed as a learner's slip changes them."""
    def mistake(x, w, b=None, stride=1, padding=0):
        x = np.asarray(x, dtype=float)
        return cnnkit.conv3d(x, kernel(np.asarray(w, dtype=float)), None if b is None else bias(b),
                             stride=strides(stride), padding=paddings(padding))
    return mistake


#: conv3d(x, w, b=None, stride=1, padding=0) with x (N, C, D, H, W), w (F, C, KD, KH, KW), b (F,).
CONV3D = {
    # kernel_flipped
    "the kernel is flipped on all three axes (true convolution); a conv layer is a cross-correlation":
        _conv3d(kernel=lambda w: w[:, :, ::-1, ::-1, ::-1].copy()),
    # bias_ignored
    "the bias is left out": _conv3d(bias=lambda b: None),
    # depth_not_strided
    "the stride is applied to the height and width only; the window steps by the stride along the "
    "depth too": _conv3d(strides=lambda s: (1, s, s)),
    # depth_not_padded
    "the padding is added to the height and width only; a 3-D convolution pads the depth too":
        _conv3d(paddings=lambda p: (0, p, p)),
}


# ---------------------------------------------------------------- locally_connected2d
def _locally_connected(weights_at, bias_at=lambda b, i, j: b[:, i, j]):
    """out[n, :, i, j] = sum over the window of weights_at(w, i, j) * x + bias_at(b, i, j)."""
    def mistake(x, w, b=None):
        x = np.asarray(x, dtype=float)
        oh, ow, f, _, kh, kw = w.shape
        out = np.zeros((x.shape[0], f, oh, ow))
        for i in range(oh):
            for j in range(ow):
                window = x[:, :, i:i + kh, j:j + kw]
                out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, weights_at(w, i, j))
                if b is not None:
                    out[:, :, i, j] += bias_at(b, i, j)
        return out
    return mistake


#: locally_connected2d(x, w, b=None) with x (N, C, H, W), w (OH, OW, F, C, KH, KW), b (F, OH, OW).
LOCALLY_CONNECTED2D = {
    # one_kernel_for_every_position
    "the kernel of the first output cell, w[0, 0], serves every position (that is a convolution); "
    "output cell (i, j) has its own kernel w[i, j]": _locally_connected(lambda w, i, j: w[0, 0]),
    # positions_swapped
    "output cell (i, j) takes its kernel from w[j, i]; the first two axes of w are (row, column) of "
    "the output": _locally_connected(lambda w, i, j: w[j, i]),
    # kernel_flipped
    "each kernel is flipped (true convolution); the layer cross-correlates, as conv2d does":
        _locally_connected(lambda w, i, j: w[i, j, :, :, ::-1, ::-1]),
    # one_bias_per_filter
    "every position gets the bias of the first cell, b[:, 0, 0]; each output cell has its own bias "
    "b[:, i, j]": _locally_connected(lambda w, i, j: w[i, j], bias_at=lambda b, i, j: b[:, 0, 0]),
}


# ---------------------------------------------------------------- stack_cost
def _stack(field, weight):
    """(receptive field, weights) with the two counts as given (stride 1, square kernels)."""
    def mistake(kernel_sizes, channels):
        layers = list(zip(kernel_sizes, channels[:-1], channels[1:]))
        return field(list(kernel_sizes)), sum(weight(k, c_in, c_out) for k, c_in, c_out in layers)
    return mistake


def _right_field(sizes):
    return 1 + sum(k - 1 for k in sizes)


def _right_weights(k, c_in, c_out):
    return k * k * c_in * c_out


#: stack_cost(kernel_sizes, channels) -> (receptive_field, weights).
STACK_COST = {
    # field_adds_kernel_sizes
    "the receptive field adds the kernel sizes; each layer after the first adds k - 1 cells "
    "(1 + sum of (k - 1))": _stack(sum, _right_weights),
    # field_is_largest_kernel
    "the receptive field is the largest kernel; stacked layers see further than any one of them":
        _stack(max, _right_weights),
    # kernel_side_not_squared
    "a k x k kernel is counted as k weights per channel pair; it has k * k":
        _stack(_right_field, lambda k, c_in, c_out: k * c_in * c_out),
    # reads_own_channel_count_twice
    "each layer is counted as c_in * c_in; a layer from c_in to c_out channels has k * k * c_in * c_out "
    "weights": _stack(_right_field, lambda k, c_in, c_out: k * k * c_in * c_in),
    # biases_counted
    "one bias per output channel is added; the exercise counts weights only":
        _stack(_right_field, lambda k, c_in, c_out: k * k * c_in * c_out + c_out),
}


# ---------------------------------------------------------------- netvlad
def _descriptors(features):
    """(N, D, H, W) -> (N, H*W, D): one row per local feature."""
    features = np.asarray(features, dtype=float)
    n, d = features.shape[:2]
    return features.reshape(n, d, -1).transpose(0, 2, 1)


def _softmax(logits, axis):
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _unit(v, axis):
    return v / np.linalg.norm(v, axis=axis, keepdims=True)


def _netvlad(assign=lambda logits: _softmax(logits, 2), sign=1.0, intra=True, final=True, d_major=False):
    """NetVLAD with one step changed: assignment, residual sign, either normalisation, flatten order."""
    def mistake(features, centres, w, b):
        x = _descriptors(features)
        centres = np.asarray(centres, dtype=float)
        a = assign(x @ np.asarray(w, dtype=float).T + b)                        # (N, M, K)
        v = sign * (np.einsum("nmk,nmd->nkd", a, x) - a.sum(axis=1)[:, :, None] * centres[None])
        if intra:
            v = _unit(v, 2)
        v = (v.transpose(0, 2, 1) if d_major else v).reshape(v.shape[0], -1)
        return _unit(v, 1) if final else v
    return mistake


def _hard(logits):
    """a_k = 1 for the best-scoring centre, 0 for the others (first one on a tie)."""
    return np.eye(logits.shape[2])[logits.argmax(axis=2)]


#: netvlad(features, centres, w, b) with features (N, D, H, W), centres and w (K, D), b (K,) -> (N, K*D).
NETVLAD = {
    # hard_assignment
    "each feature is given to its best centre only (hard VLAD, a_k = 0 or 1); NetVLAD weights the "
    "residuals by a softmax over the centres": _netvlad(assign=_hard),
    # softmax_over_pixels
    "the softmax runs over the pixels; it runs over the K centres, so each feature's weights sum to 1":
        _netvlad(assign=lambda logits: _softmax(logits, 1)),
    # residual_sign_flipped
    "the residuals are c_k - x; they are x - c_k": _netvlad(sign=-1.0),
    # no_intra_normalisation
    "the intra-normalisation is left out; each centre's D-vector is scaled to length 1 before the "
    "global L2 normalisation": _netvlad(intra=False),
    # no_final_normalisation
    "the final L2 normalisation is left out; after the intra-normalisation the whole K*D vector is "
    "scaled to length 1": _netvlad(final=False),
    # flattened_d_major
    "the K x D matrix is flattened column by column; flatten it row by row (centre 0's D numbers "
    "first)": _netvlad(d_major=True),
}
