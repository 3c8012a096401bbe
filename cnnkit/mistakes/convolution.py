"""Known mistakes of chapter 01 (convolution), one dict per exercise.

Each dict maps a description, completing "your output equals what you get
when ...", to a function with the arguments of the cnnkit reference that
computes the wrong variant. Every entry stands for a wrong entry of
``tests/banks/01_convolution.py`` (named in its comment);
``tests/cnnkit/test_mistakes_convolution.py`` proves each reproduces its entry.

:func:`built_on_your_corr2d` adds the mistakes that are not in the exercise
itself: a right ``convolve2d`` or ``conv2d`` that calls the learner's own,
wrong ``corr2d``.
"""

from __future__ import annotations

import numpy as np

import cnnkit

__all__ = ["CORR2D", "CONVOLVE2D", "CONV2D", "CONV_PARAMS", "built_on_your_corr2d"]


def _truncated_like(out, x):
    """``out`` stored in an array of ``x``'s dtype, as ``np.zeros_like(x)`` would hold it."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        return out
    return np.trunc(out).astype(x.dtype)


def _kernel_taken_square(x, k):
    size = k.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(x, dtype=float), (size, size))
    return (windows * k).sum(axis=(-2, -1))  # broadcasting fails unless k fits a size x size window


def _valid_shape_kept_input_size(x, k):
    kh, kw = k.shape
    padded = np.pad(np.asarray(x, dtype=float), ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)))
    return cnnkit.corr2d(padded, k)


#: corr2d(x, k): valid cross-correlation of one channel.
CORR2D = {
    # off_by_one_output
    "the output has H - kh rows and W - kw columns, one short of H - kh + 1 and W - kw + 1 "
    "(the last window position is skipped)": lambda x, k: cnnkit.corr2d(x, k)[:-1, :-1],
    # flips_kernel
    "the kernel is rotated by 180 degrees first (that is convolution; cross-correlation uses "
    "k[m, n] as it is)": lambda x, k: cnnkit.convolve2d(x, k),
    # assumes_square_kernel
    "the kernel is taken as square: k.shape[0] is used for its width too": _kernel_taken_square,
    # output_axes_swapped
    "the output's rows and columns are swapped (out[j, i] instead of out[i, j])":
        lambda x, k: cnnkit.corr2d(x, k).T,
    # same_size_output
    "the image is zero-padded so that the output keeps the input's size; a valid correlation "
    "only uses windows that lie inside the image": _valid_shape_kept_input_size,
    # allocates_like_input
    "the output array has the input's integer dtype (np.zeros_like(x)), so fractional sums are "
    "truncated; allocate a float array": lambda x, k: _truncated_like(cnnkit.corr2d(x, k), x),
}

#: convolve2d(x, k): valid convolution of one channel.
CONVOLVE2D = {
    # forgets_flip
    "the kernel is not rotated (that is cross-correlation, not convolution)": lambda x, k: cnnkit.corr2d(x, k),
    # flips_rows_only
    "only the rows of the kernel are reversed (k[::-1]); a 180-degree rotation reverses the "
    "columns too (k[::-1, ::-1])": lambda x, k: cnnkit.corr2d(x, k[::-1]),
    # flips_columns_only
    "only the columns of the kernel are reversed (k[:, ::-1]); a 180-degree rotation reverses the "
    "rows too (k[::-1, ::-1])": lambda x, k: cnnkit.corr2d(x, k[:, ::-1]),
    # transposes_instead_of_rotating
    "the kernel is transposed (k.T) instead of rotated by 180 degrees (k[::-1, ::-1])":
        lambda x, k: cnnkit.corr2d(x, k.T),
    # full_mode
    "the image is zero-padded by kh - 1 and kw - 1 on every side (a 'full' convolution); "
    "the valid one has H - kh + 1 x W - kw + 1 values":
        lambda x, k: cnnkit.convolve2d(x, k, mode="full"),
    # allocates_like_input
    "the output array has the input's integer dtype (np.zeros_like(x)), so fractional sums are "
    "truncated; allocate a float array": lambda x, k: _truncated_like(cnnkit.convolve2d(x, k), x),
}


def _per_filter_sums(x, w):
    """(N, F, C, H', W'): each channel's correlation, before the sum over channels."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
    return np.einsum("ncijmq,fcmq->nfcij", windows, w)


#: conv2d(x, w, b): valid multi-channel, multi-filter layer with bias.
CONV2D = {
    # channels_not_summed
    "only channel 0 is used: the sum over the input channels is missing":
        lambda x, w, b: _per_filter_sums(x, w)[:, :, 0] + b[:, None, None],
    # bias_added_per_channel
    "the bias is added once per input channel (C times) instead of once per output value":
        lambda x, w, b: _per_filter_sums(x, w).sum(axis=2) + x.shape[1] * b[:, None, None],
    # forgets_bias
    "the bias is left out": lambda x, w, b: _per_filter_sums(x, w).sum(axis=2),
    # flips_kernels
    "each kernel slice is rotated by 180 degrees (convolution); a conv layer cross-correlates":
        lambda x, w, b: _per_filter_sums(x, w[:, :, ::-1, ::-1]).sum(axis=2) + b[:, None, None],
    # bias_on_last_axis
    "the bias is added along the last axis (out + b), not one value per filter "
    "(b[f], i.e. b[:, None, None])": lambda x, w, b: _per_filter_sums(x, w).sum(axis=2) + b,
    # allocates_like_input
    "the output array has the input's integer dtype, so fractional sums are truncated; "
    "allocate a float array": lambda x, w, b: _truncated_like(cnnkit.conv2d(x, w, b), x),
}


def _kernel_pair(kernel_size):
    return (kernel_size, kernel_size) if np.isscalar(kernel_size) else tuple(kernel_size)


def _params(kh, kw, c_in, c_out, bias, *, bias_count=None):
    return kh * kw * c_in * c_out + (c_out if bias_count is None else bias_count) * bool(bias)


#: conv_params(in_channels, out_channels, kernel_size, bias=True): parameter count.
CONV_PARAMS = {
    # ignores_bias_flag
    "the biases are counted even with bias=False":
        lambda c_in, c_out, k, bias=True: _params(*_kernel_pair(k), c_in, c_out, True),
    # bias_per_input_channel
    "one bias is counted per input channel of every filter (C_in * C_out biases); a filter has "
    "one bias": lambda c_in, c_out, k, bias=True: _params(*_kernel_pair(k), c_in, c_out, bias,
                                                          bias_count=c_in * c_out),
    # forgets_input_channels
    "a filter gets kh * kw weights; it has kh * kw * C_in, one slice per input channel":
        lambda c_in, c_out, k, bias=True: _params(*_kernel_pair(k), 1, c_out, bias),
    # square_kernels_only
    "a (kh, kw) kernel is counted as kh * kh (the first size used twice)":
        lambda c_in, c_out, k, bias=True: _params(_kernel_pair(k)[0], _kernel_pair(k)[0], c_in, c_out, bias),
}


def built_on_your_corr2d(corr2d) -> dict:
    """The mistakes of a right ``convolve2d`` / ``conv2d`` built on the learner's wrong ``corr2d``.

    Parameters
    ----------
    corr2d : callable
        The learner's ``corr2d(x, k)``.

    Returns
    -------
    dict
        ``{"convolve2d": {description: fn}, "conv2d": {description: fn}}``. Put
        them first: when the learner's ``corr2d`` is right they equal the
        reference and are never named.
    """
    blame = ("your function is right but calls your corr2d, which is wrong (see its tests): "
             "fix corr2d first")

    def convolve2d(x, k):
        return corr2d(x, k[::-1, ::-1])

    def conv2d(x, w, b):
        out = np.zeros((x.shape[0], w.shape[0], x.shape[2] - w.shape[2] + 1, x.shape[3] - w.shape[3] + 1))
        for n in range(x.shape[0]):
            for f in range(w.shape[0]):
                out[n, f] = b[f] + sum(corr2d(x[n, c], w[f, c]) for c in range(x.shape[1]))
        return out

    return {"convolve2d": {blame: convolve2d}, "conv2d": {blame: conv2d}}
