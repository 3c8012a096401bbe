"""Bank of chapter 05 (1x1 convolution): plausible wrong implementations and correct alternatives.

Each string is the whole source of an exercise cell (see CONTRIBUTING.md, "Banks").
"""

# ---------------------------------------------------------------- conv1x1
_MATMUL = '''
def conv1x1(x, w, b=None):
    n, c_in, h, width = x.shape
    out = (WEIGHT @ x.reshape(n, c_in, h * width)).reshape(n, w.shape[0], h, width)
    if b is not None:
        out = out + BIAS
    return out
'''


def _conv1x1(weight="w", bias="b[None, :, None, None]"):
    return _MATMUL.replace("WEIGHT", weight).replace("BIAS", bias)


CONV1X1 = {
    "wrong": {
        "transposed_weight_matrix": _conv1x1(weight="w.T"),
        "bias_along_the_width": _conv1x1(bias="b"),
        "bias_ignored": _conv1x1(bias="0"),
        "reshape_ignores_the_batch_axis": '''
def conv1x1(x, w, b=None):
    n, c_in, h, width = x.shape
    columns = x.reshape(c_in, -1)                     # meant: one column per pixel; right only when N == 1
    out = (w @ columns).reshape(n, w.shape[0], h, width)
    if b is not None:
        out = out + b[None, :, None, None]
    return out
''',
        "tensordot_leaves_output_channels_first": '''
def conv1x1(x, w, b=None):
    n, c_in, h, width = x.shape
    out = np.tensordot(w, x, axes=(1, 1))             # shape (C_out, N, H, W) ...
    out = out.reshape(n, w.shape[0], h, width)        # ... reshaped instead of transposed: right only when N == 1
    if b is not None:
        out = out + b[None, :, None, None]
    return out
''',
        "reshape_scrambles_pixels_and_channels": '''
def conv1x1(x, w, b=None):
    n, c_in, h, width = x.shape
    pixels = x.reshape(n, h * width, c_in)            # reshape does not move the channel axis
    out = (pixels @ w.T).reshape(n, w.shape[0], h, width)
    if b is not None:
        out = out + b[None, :, None, None]
    return out
''',
    },
    "correct": {
        "loops_over_pixels": '''
def conv1x1(x, w, b=None):
    n, c_in, h, width = x.shape
    out = np.zeros((n, w.shape[0], h, width))
    for k in range(n):
        for i in range(h):
            for j in range(width):
                out[k, :, i, j] = w @ x[k, :, i, j] + (0 if b is None else b)
    return out
''',
        "einsum": '''
def conv1x1(x, w, b=None):
    out = np.einsum("oc,nchw->nohw", w, x)
    return out if b is None else out + b.reshape(1, -1, 1, 1)
''',
        "channels_last_matmul": '''
def conv1x1(x, w, b=None):
    pixels = x.transpose(0, 2, 3, 1)                 # (N, H, W, C_in): move the channel axis, then multiply
    out = pixels @ w.T
    if b is not None:
        out = out + b
    return out.transpose(0, 3, 1, 2)
''',
        "float32": _conv1x1().replace("    n, c_in, h, width = x.shape\n",
                                      "    x, w = x.astype(np.float32), w.astype(np.float32)\n"
                                      "    n, c_in, h, width = x.shape\n", 1),
    },
}

# ---------------------------------------------------------------- bottleneck_params
_BOTTLENECK = '''
def bottleneck_params(c_in, c_mid, c_out, kernel_size, bias=False):
    count = COUNT
    if bias:
        count += BIASES
    return count
'''


def _bottleneck(count="c_in * c_mid + kernel_size * kernel_size * c_mid * c_out", biases="c_mid + c_out"):
    return _BOTTLENECK.replace("COUNT", count).replace("BIASES", biases)


BOTTLENECK_PARAMS = {
    "wrong": {
        "forgets_the_1x1_layer": _bottleneck(count="kernel_size * kernel_size * c_mid * c_out"),
        "kernel_side_not_squared": _bottleneck(count="c_in * c_mid + kernel_size * c_mid * c_out"),
        "kxk_reads_c_in_channels": _bottleneck(count="c_in * c_mid + kernel_size * kernel_size * c_in * c_out"),
        "one_bias_per_layer": _bottleneck(biases="2"),
    },
    "correct": {
        "layer_by_layer": '''
def bottleneck_params(c_in, c_mid, c_out, kernel_size, bias=False):
    def conv_params(k, inputs, outputs):
        return (k * k * inputs + (1 if bias else 0)) * outputs
    return conv_params(1, c_in, c_mid) + conv_params(kernel_size, c_mid, c_out)
''',
        "numpy_sum": '''
def bottleneck_params(c_in, c_mid, c_out, kernel_size, bias=False):
    weights = np.array([c_in * c_mid, kernel_size ** 2 * c_mid * c_out])
    biases = np.array([c_mid, c_out]) * int(bias)
    return int(weights.sum() + biases.sum())
''',
    },
}

# ---------------------------------------------------------------- depthwise_separable_conv
_SEPARABLE = '''
def depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):
    n, c, h, width = x.shape
    _, _, kh, kw = w_depthwise.shape
    xp = np.pad(x, ((0, 0), (0, 0), (PAD, PAD), (PAD, PAD)))
    ho = (h + 2 * PAD - kh) // STEP + 1
    wo = (width + 2 * PAD - kw) // STEP + 1
    depthwise = np.zeros((n, c, ho, wo))
    for m in range(kh):
        for l in range(kw):
            taps = xp[:, :, m:m + STEP * (ho - 1) + 1:STEP, l:l + STEP * (wo - 1) + 1:STEP]
            depthwise += taps * w_depthwise[None, :, 0, m, l, None, None]
    return np.einsum(POINTWISE, w_pointwise, depthwise)
'''


def _separable(pad="padding", step="stride", pointwise='"oc,nchw->nohw"'):
    return _SEPARABLE.replace("PAD", pad).replace("STEP", step).replace("POINTWISE", pointwise)


DEPTHWISE_SEPARABLE_CONV = {
    "wrong": {
        "depthwise_applied_as_full_convolution": _separable().replace(
            "depthwise += taps * w_depthwise[None, :, 0, m, l, None, None]",
            "depthwise += (taps * w_depthwise[None, :, 0, m, l, None, None]).sum(axis=1, keepdims=True)"),
        "pointwise_transposed": _separable(pointwise='"co,nchw->nohw"'),
        "stride_ignored": _separable(step="1"),
        "padding_ignored": _separable(pad="0"),
        "conv2d_without_groups": '''
def depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):
    filtered = cnnkit.conv2d(x, w_depthwise, stride=stride, padding=padding)     # groups forgotten
    return conv1x1(filtered, w_pointwise)
''',
        "pointwise_before_depthwise": '''
def depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):
    mixed = np.einsum("oc,nchw->nohw", w_pointwise, x)
    n, c, h, width = mixed.shape
    _, _, kh, kw = w_depthwise.shape
    mp = np.pad(mixed, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = mp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, :, i, j] = (window * w_depthwise[None, :c, 0]).sum(axis=(2, 3))
    return out
''',
    },
    "correct": {
        "loops": '''
def depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):
    N, C, H, W = x.shape
    _, _, KH, KW = w_depthwise.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    HO, WO = (H + 2 * padding - KH) // stride + 1, (W + 2 * padding - KW) // stride + 1
    depthwise = np.zeros((N, C, HO, WO))
    for n in range(N):
        for c in range(C):
            for i in range(HO):
                for j in range(WO):
                    window = xp[n, c, i * stride:i * stride + KH, j * stride:j * stride + KW]
                    depthwise[n, c, i, j] = np.sum(window * w_depthwise[c, 0])
    out = np.zeros((N, w_pointwise.shape[0], HO, WO))
    for n in range(N):
        for i in range(HO):
            for j in range(WO):
                out[n, :, i, j] = w_pointwise @ depthwise[n, :, i, j]
    return out
''',
        "cnnkit_conv2d_groups_then_conv1x1": '''
def depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):
    filtered = cnnkit.conv2d(x, w_depthwise, stride=stride, padding=padding, groups=x.shape[1])
    return conv1x1(filtered, w_pointwise)
''',
        "cnnkit_conv2d_for_both_steps": '''
def depthwise_separable_conv(x, w_depthwise, w_pointwise, stride=1, padding=0):
    filtered = cnnkit.conv2d(x, w_depthwise, stride=stride, padding=padding, groups=x.shape[1])
    return cnnkit.conv2d(filtered, w_pointwise[:, :, None, None])
''',
        "reuses_conv1x1": _separable().replace('return np.einsum("oc,nchw->nohw", w_pointwise, depthwise)',
                                               'return conv1x1(depthwise, w_pointwise)'),
        "float32": _separable().replace("depthwise = np.zeros((n, c, ho, wo))",
                                        "depthwise = np.zeros((n, c, ho, wo), dtype=np.float32)"),
    },
}

# ---------------------------------------------------------------- conv_multiply_adds
_MULTIPLY_ADDS = '''
def conv_multiply_adds(c_in, c_out, kernel_size, out_height, out_width, groups=1):
    return COUNT
'''


def _multiply_adds(count):
    return _MULTIPLY_ADDS.replace("COUNT", count)


CONV_MULTIPLY_ADDS = {
    "wrong": {
        "ignores_groups": _multiply_adds("out_height * out_width * c_out * c_in * kernel_size * kernel_size"),
        "kernel_side_not_squared": _multiply_adds("out_height * out_width * c_out * (c_in // groups) * kernel_size"),
        "counts_flops_twice": _multiply_adds("2 * out_height * out_width * c_out * (c_in // groups) * kernel_size ** 2"),
        "divides_output_channels_too": _multiply_adds(
            "out_height * out_width * (c_out // groups) * (c_in // groups) * kernel_size ** 2"),
    },
    "correct": {
        "per_output_value": '''
def conv_multiply_adds(c_in, c_out, kernel_size, out_height, out_width, groups=1):
    per_value = kernel_size * kernel_size * (c_in // groups)     # one dot product
    return per_value * c_out * out_height * out_width
''',
        "numpy_prod": '''
def conv_multiply_adds(c_in, c_out, kernel_size, out_height, out_width, groups=1):
    return int(np.prod([out_height, out_width, c_out, c_in // groups, kernel_size, kernel_size], dtype=np.int64))
''',
    },
}

EXERCISES = {
    "conv1x1": CONV1X1,
    "bottleneck_params": BOTTLENECK_PARAMS,
    "depthwise_separable_conv": DEPTHWISE_SEPARABLE_CONV,
    "conv_multiply_adds": CONV_MULTIPLY_ADDS,
}
