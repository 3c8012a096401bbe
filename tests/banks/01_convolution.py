"""Bank of chapter 01 (convolution): plausible wrong implementations and correct alternatives.

Each string is the whole source of an exercise cell. Every "wrong" entry must lose
points on its exercise's test_<name>* cells; every "correct" entry must keep them all.
See CONTRIBUTING.md, "Banks of wrong implementations".
"""

CORR2D_DOC = '''    """Valid 2-D cross-correlation of one channel: (H, W) * (kh, kw) -> (H-kh+1, W-kw+1)."""
'''
CONV2D_DOC = '''    """Valid conv layer: x (N, C, H, W), w (F, C, kh, kw), b (F,) -> (N, F, H-kh+1, W-kw+1)."""
'''
CONV2D_LOOPS = '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    out[n, f, i, j] = b[f] + np.sum(x[n, :, i:i + kh, j:j + kw] * w[f])
    return out
'''

EXERCISES = {
    "corr2d": {
        "wrong": {
            "off_by_one_output": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh, x.shape[1] - kw))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out
''',
            "flips_kernel": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    k = k[::-1, ::-1]
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out
''',
            "assumes_square_kernel": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    size = k.shape[0]
    out = np.zeros((x.shape[0] - size + 1, x.shape[1] - size + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + size, j:j + size] * k)
    return out
''',
            "output_axes_swapped": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    kh, kw = k.shape
    out = np.zeros((x.shape[1] - kw + 1, x.shape[0] - kh + 1))
    for i in range(out.shape[1]):
        for j in range(out.shape[0]):
            out[j, i] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out
''',
            "same_size_output": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    kh, kw = k.shape
    padded = np.pad(x.astype(float), ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)))
    out = np.zeros(x.shape)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(padded[i:i + kh, j:j + kw] * k)
    return out
''',
            # An integer image with a fractional kernel (a blur): an output of the input's int dtype truncates.
            "allocates_like_input": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    kh, kw = k.shape
    out = np.zeros_like(x[:x.shape[0] - kh + 1, :x.shape[1] - kw + 1])
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out
''',
        },
        "correct": {
            "loops": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = 0.0
            for m in range(kh):
                for n in range(kw):
                    total += x[i + m, j + n] * k[m, n]
            out[i, j] = total
    return out
''',
            "vectorised": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    kh, kw = k.shape
    out_h, out_w = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))
    for m in range(kh):
        for n in range(kw):
            out += k[m, n] * x[m:m + out_h, n:n + out_w]
    return out
''',
            "sliding_window_einsum": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    windows = np.lib.stride_tricks.sliding_window_view(x, k.shape)
    return np.einsum("ijmn,mn->ij", windows, k)
''',
            "float32": '''def corr2d(x, k):
''' + CORR2D_DOC + '''    x = np.asarray(x, dtype=np.float32)
    k = np.asarray(k, dtype=np.float32)
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1), dtype=np.float32)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out
''',
        },
    },
    "convolve2d": {
        "wrong": {
            "forgets_flip": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    return corr2d(x, k)
''',
            "flips_rows_only": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    return corr2d(x, k[::-1])
''',
            "transposes_instead_of_rotating": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    return corr2d(x, k.T)
''',
            "full_mode": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    kh, kw = k.shape
    return corr2d(np.pad(x.astype(float), ((kh - 1, kh - 1), (kw - 1, kw - 1))), k[::-1, ::-1])
''',
            "flips_columns_only": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    return corr2d(x, k[:, ::-1])
''',
            "allocates_like_input": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    kh, kw = k.shape
    out = np.zeros_like(x[:x.shape[0] - kh + 1, :x.shape[1] - kw + 1])
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k[::-1, ::-1])
    return out
''',
        },
        "correct": {
            "via_corr2d": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    return corr2d(x, k[::-1, ::-1])
''',
            "loops": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for m in range(kh):
                for n in range(kw):
                    out[i, j] += x[i + m, j + n] * k[kh - 1 - m, kw - 1 - n]
    return out
''',
            "rot90": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    rotated = np.rot90(k, 2)
    windows = np.lib.stride_tricks.sliding_window_view(x, rotated.shape)
    return np.tensordot(windows, rotated, axes=([2, 3], [0, 1]))
''',
            "float32": '''def convolve2d(x, k):
    """Valid 2-D convolution: the kernel rotated by 180 degrees."""
    return corr2d(np.asarray(x, dtype=np.float32), np.asarray(k, dtype=np.float32)[::-1, ::-1])
''',
        },
    },
    "conv2d": {
        "wrong": {
            "channels_not_summed": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            out[n, f] = corr2d(x[n, 0], w[f, 0]) + b[f]
    return out
''',
            "bias_added_per_channel": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            for c in range(channels):
                out[n, f] += corr2d(x[n, c], w[f, c]) + b[f]
    return out
''',
            "forgets_bias": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            for c in range(channels):
                out[n, f] += corr2d(x[n, c], w[f, c])
    return out
''',
            "flips_kernels": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            out[n, f] = b[f]
            for c in range(channels):
                out[n, f] += corr2d(x[n, c], w[f, c, ::-1, ::-1])
    return out
''',
            "bias_on_last_axis": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            for c in range(channels):
                out[n, f] += corr2d(x[n, c], w[f, c])
    return out + b
''',
            # The right loops with one change: the output takes the (integer) dtype of x.
            "allocates_like_input": CONV2D_LOOPS.replace(
                "width - kw + 1))", "width - kw + 1), dtype=x.dtype)"),
        },
        "correct": {
            "loops": CONV2D_LOOPS,
            "per_channel_corr2d": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    n_images, channels, height, width = x.shape
    filters, _, kh, kw = w.shape
    out = np.zeros((n_images, filters, height - kh + 1, width - kw + 1))
    for n in range(n_images):
        for f in range(filters):
            out[n, f] = b[f] + sum(corr2d(x[n, c], w[f, c]) for c in range(channels))
    return out
''',
            "vectorised": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
    return np.einsum("ncijmq,fcmq->nfij", windows, w) + b[None, :, None, None]
''',
            "float32": '''def conv2d(x, w, b):
''' + CONV2D_DOC + '''    x, w, b = (np.asarray(a, dtype=np.float32) for a in (x, w, b))
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
    return np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2) + b[:, None, None]
''',
        },
    },
    "conv_params": {
        "wrong": {
            "ignores_bias_flag": '''def conv_params(in_channels, out_channels, kernel_size, bias=True):
    """Parameters of a conv layer: (kh * kw * C_in + 1) * C_out."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return (kh * kw * in_channels + 1) * out_channels
''',
            "bias_per_input_channel": '''def conv_params(in_channels, out_channels, kernel_size, bias=True):
    """Parameters of a conv layer: (kh * kw * C_in + 1) * C_out."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return (kh * kw + (1 if bias else 0)) * in_channels * out_channels
''',
            "forgets_input_channels": '''def conv_params(in_channels, out_channels, kernel_size, bias=True):
    """Parameters of a conv layer: (kh * kw * C_in + 1) * C_out."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return (kh * kw + (1 if bias else 0)) * out_channels
''',
            "square_kernels_only": '''def conv_params(in_channels, out_channels, kernel_size, bias=True):
    """Parameters of a conv layer: (kh * kw * C_in + 1) * C_out."""
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return (k * k * in_channels + (1 if bias else 0)) * out_channels
''',
        },
        "correct": {
            "formula": '''def conv_params(in_channels, out_channels, kernel_size, bias=True):
    """Parameters of a conv layer: (kh * kw * C_in + 1) * C_out."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    weights = kh * kw * in_channels * out_channels
    return weights + (out_channels if bias else 0)
''',
            "numpy_prod": '''def conv_params(in_channels, out_channels, kernel_size, bias=True):
    """Parameters of a conv layer: (kh * kw * C_in + 1) * C_out."""
    kernel = np.broadcast_to(kernel_size, (2,))
    return int(np.prod(kernel) * in_channels * out_channels + bias * out_channels)
''',
        },
    },
}
