"""Bank of chapter 02 (padding, stride and output size).

Each string is the whole source of an exercise cell. Every "wrong" entry must lose
points on its exercise's test_<name>* cells; every "correct" entry must keep them all.
"""

PAD_HEAD = '''def pad(x, padding):
    """Zero-pad the spatial axes of an NCHW batch on both sides."""
    ph, pw = (padding, padding) if np.isscalar(padding) else padding
'''
SIZE_HEAD = '''def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """o = floor((i + 2p - d(k - 1) - 1) / s) + 1."""
'''
SAME_HEAD = '''def same_padding(kernel_size, dilation=1):
    """p = d(k - 1) / 2; ValueError when d(k - 1) is odd."""
'''
RF_HEAD = '''def receptive_field(layers):
    """Receptive field of one top unit of a stack of (k, s[, d]) layers."""
'''
CONV_HEAD = '''def conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """Conv layer with stride, zero padding and dilation: (N, C, H, W) -> (N, F, OH, OW)."""
'''


def conv2d_source(*, top="i * stride", left="j * stride", tap="dilation", out_extra="+ 1",
                  padded="pad(x, padding)", bias="    if b is not None:\n        out += b[None, :, None, None]\n",
                  dtype=""):
    """A vectorised-window conv2d with one piece swapped for a mistake."""
    return CONV_HEAD + f'''    xp = {padded}
    filters, _, kh, kw = w.shape
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    out_h = (x.shape[2] + 2 * padding - span_h) // stride {out_extra}
    out_w = (x.shape[3] + 2 * padding - span_w) // stride {out_extra}
    out = np.zeros((x.shape[0], filters, out_h, out_w){dtype})
    for i in range(out_h):
        for j in range(out_w):
            top, left = {top}, {left}
            window = xp[:, :, top:top + kh * {tap}:{tap}, left:left + kw * {tap}:{tap}]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
{bias}    return out
'''


EXERCISES = {
    "pad": {
        "wrong": {
            "pads_one_side": PAD_HEAD + '''    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    out[:, :, :h, :w] = x
    return out
''',
            "pads_every_axis": '''def pad(x, padding):
    """Zero-pad the spatial axes of an NCHW batch on both sides."""
    return np.pad(x, padding)
''',
            "rows_and_columns_swapped": PAD_HEAD + '''    return np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))
''',
            "repeats_border_values": PAD_HEAD + '''    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="edge")
''',
        },
        "correct": {
            "np_pad": PAD_HEAD + '''    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
''',
            "slicing": PAD_HEAD + '''    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out
''',
            "concatenate": PAD_HEAD + '''    n, c, h, w = x.shape
    rows = np.zeros((n, c, ph, w), dtype=x.dtype)
    tall = np.concatenate([rows, x, rows], axis=2)
    cols = np.zeros((n, c, h + 2 * ph, pw), dtype=x.dtype)
    return np.concatenate([cols, tall, cols], axis=3)
''',
        },
    },
    "conv_output_size": {
        "wrong": {
            "ignores_stride": SIZE_HEAD + '''    return size + 2 * padding - dilation * (kernel_size - 1) - 1 + 1
''',
            "off_by_one": SIZE_HEAD + '''    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride
''',
            "rounds_up": SIZE_HEAD + '''    import math
    return math.ceil((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
''',
            "ignores_dilation": SIZE_HEAD + '''    return (size + 2 * padding - kernel_size) // stride + 1
''',
            "padding_on_one_side": SIZE_HEAD + '''    return (size + padding - dilation * (kernel_size - 1) - 1) // stride + 1
''',
            # int() truncates towards 0: int(-1 / 2) + 1 = 1 window for i=4, k=5, s=2, where none fits
            "truncates_with_int": SIZE_HEAD + '''    return int((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
''',
            "truncates_then_checks_the_result": SIZE_HEAD + '''    o = int((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
    if o <= 0:
        raise ValueError("no window fits")
    return o
''',
            # the right number as a float (3.0): an array shape built from it fails later, in conv2d
            "numpy_floor_returns_float": SIZE_HEAD + '''    span = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < span:
        raise ValueError("no window fits")
    return np.floor((size + 2 * padding - span) / stride) + 1
''',
            # the formula alone: right wherever a window fits, but the docstring asks for a ValueError
            "returns_nonpositive_instead_of_raising": SIZE_HEAD + '''    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
''',
        },
        "correct": {
            "floor_division_and_check": SIZE_HEAD + '''    span = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(f"conv_output_size: the window spans {span} cells, the padded input {size + 2 * padding}")
    return (size + 2 * padding - span) // stride + 1
''',
            # int() is the floor for the non-negative numerators left after the check
            "check_then_int": SIZE_HEAD + '''    numerator = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if numerator < 0:
        raise ValueError("no window fits")
    return int(numerator / stride) + 1
''',
            "math_floor_and_check": SIZE_HEAD + '''    import math
    span = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(f"the window spans {span} cells, more than the padded input {size + 2 * padding}")
    return math.floor((size + 2 * padding - span) / stride) + 1
''',
            "count_positions": SIZE_HEAD + '''    span = dilation * (kernel_size - 1) + 1
    count = len(range(0, size + 2 * padding - span + 1, stride))
    if count == 0:
        raise ValueError("conv_output_size: no window fits")
    return count
''',
        },
    },
    "same_padding": {
        "wrong": {
            "ignores_dilation": SAME_HEAD + '''    if (kernel_size - 1) % 2:
        raise ValueError("even kernel")
    return (kernel_size - 1) // 2
''',
            "never_raises": SAME_HEAD + '''    return dilation * (kernel_size - 1) // 2
''',
            "full_padding": SAME_HEAD + '''    if dilation * (kernel_size - 1) % 2:
        raise ValueError("even span")
    return dilation * (kernel_size - 1)
''',
            "half_kernel_times_dilation": SAME_HEAD + '''    return dilation * (kernel_size // 2)
''',
            # 1.0 rows of padding: / instead of //
            "true_division": SAME_HEAD + '''    if dilation * (kernel_size - 1) % 2:
        raise ValueError("even span")
    return dilation * (kernel_size - 1) / 2
''',
        },
        "correct": {
            "divmod": SAME_HEAD + '''    half, odd = divmod(dilation * (kernel_size - 1), 2)
    if odd:
        raise ValueError(f"a window of {dilation * (kernel_size - 1) + 1} cells has no symmetric same padding")
    return half
''',
            "from_span": SAME_HEAD + '''    span = dilation * (kernel_size - 1) + 1
    if span % 2 == 0:
        raise ValueError("same_padding: even window span")
    return (span - 1) // 2
''',
            "numpy_int": SAME_HEAD + '''    span = np.int64(dilation) * (kernel_size - 1)
    if span % 2:
        raise ValueError("same_padding: no symmetric padding for an even window")
    return span // 2
''',
        },
    },
    "conv2d": {
        "wrong": {
            "ignores_stride_when_sliding": conv2d_source(top="i", left="j"),
            "ignores_dilation": conv2d_source(tap="1"),
            "stride_and_dilation_swapped": conv2d_source(top="i * dilation", left="j * dilation", tap="stride"),
            "off_by_one_output": conv2d_source(out_extra=""),
            "pads_one_side": conv2d_source(padded="np.pad(x, ((0, 0), (0, 0), (2 * padding, 0), (2 * padding, 0)))"),
            "forgets_bias": conv2d_source(bias=""),
            # an integer image with a float kernel: the sums are truncated on assignment
            "output_in_input_dtype": conv2d_source(dtype=", dtype=x.dtype",
                                                   bias="    if b is not None:\n        out = out + b[None, :, None, None]\n"),
        },
        "correct": {
            "vectorised_windows": conv2d_source(),
            "loops": CONV_HEAD + '''    xp = pad(x, padding)
    n_images, channels = x.shape[:2]
    filters, _, kh, kw = w.shape
    out_h = (xp.shape[2] - dilation * (kh - 1) - 1) // stride + 1
    out_w = (xp.shape[3] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n_images, filters, out_h, out_w))
    for n in range(n_images):
        for f in range(filters):
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0 if b is None else b[f]
                    for c in range(channels):
                        for m in range(kh):
                            for q in range(kw):
                                total += xp[n, c, i * stride + m * dilation, j * stride + q * dilation] * w[f, c, m, q]
                    out[n, f, i, j] = total
    return out
''',
            "einsum_over_taps": CONV_HEAD + '''    xp = pad(x, padding)
    filters, _, kh, kw = w.shape
    out_h = conv_output_size(x.shape[2], kh, stride, padding, dilation)
    out_w = conv_output_size(x.shape[3], kw, stride, padding, dilation)
    out = np.zeros((x.shape[0], filters, out_h, out_w))
    for m in range(kh):
        for q in range(kw):
            top, left = m * dilation, q * dilation
            taps = xp[:, :, top:top + stride * (out_h - 1) + 1:stride, left:left + stride * (out_w - 1) + 1:stride]
            out += np.einsum("ncij,fc->nfij", taps, w[:, :, m, q])
    return out if b is None else out + b.reshape(1, -1, 1, 1)
''',
            "float32": CONV_HEAD + '''    x, w = np.asarray(x, dtype=np.float32), np.asarray(w, dtype=np.float32)
    xp = pad(x, padding)
    filters, _, kh, kw = w.shape
    out_h = (xp.shape[2] - dilation * (kh - 1) - 1) // stride + 1
    out_w = (xp.shape[3] - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((x.shape[0], filters, out_h, out_w), dtype=np.float32)
    for i in range(out_h):
        for j in range(out_w):
            window = xp[:, :, i * stride:i * stride + dilation * (kh - 1) + 1:dilation,
                        j * stride:j * stride + dilation * (kw - 1) + 1:dilation]
            out[:, :, i, j] = np.einsum("ncmq,fcmq->nf", window, w)
    if b is not None:
        out += np.asarray(b, dtype=np.float32)[:, None, None]
    return out
''',
        },
    },
    "receptive_field": {
        "wrong": {
            "ignores_strides": RF_HEAD + '''    field = 1
    for layer in layers:
        kernel_size, stride, dilation = (tuple(layer) + (1,))[:3]
        field += dilation * (kernel_size - 1)
    return field
''',
            "jump_updated_too_early": RF_HEAD + '''    field, jump = 1, 1
    for layer in layers:
        kernel_size, stride, dilation = (tuple(layer) + (1,))[:3]
        jump *= stride
        field += dilation * (kernel_size - 1) * jump
    return field
''',
            "ignores_dilation": RF_HEAD + '''    field, jump = 1, 1
    for layer in layers:
        kernel_size, stride = layer[0], layer[1]
        field += (kernel_size - 1) * jump
        jump *= stride
    return field
''',
            "adds_kernel_sizes": RF_HEAD + '''    return max(1, sum(layer[0] for layer in layers))
''',
        },
        "correct": {
            "bottom_up": RF_HEAD + '''    field, jump = 1, 1
    for layer in layers:
        kernel_size, stride, dilation = (tuple(layer) + (1,))[:3]
        field += dilation * (kernel_size - 1) * jump
        jump *= stride
    return field
''',
            "top_down": RF_HEAD + '''    field = 1
    for layer in reversed(layers):
        kernel_size, stride, dilation = (tuple(layer) + (1,))[:3]
        field = (field - 1) * stride + dilation * (kernel_size - 1) + 1
    return field
''',
        },
    },
}
