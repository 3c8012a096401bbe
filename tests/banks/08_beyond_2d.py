"""Bank of chapter 08 (beyond the plain 2-D convolution): plausible wrong implementations and correct ones.

Each string is the whole source of an exercise cell (see CONTRIBUTING.md, "Banks").
"""

# ---------------------------------------------------------------- conv3d
_CONV3D = '''
def conv3d(x, w, b=None, stride=1, padding=0):
    n, c, d, h, width = x.shape
    f, _, kd, kh, kw = w.shape
    kernel = KERNEL
    xp = np.pad(x, ((0, 0), (0, 0), (PD, PD), (padding, padding), (padding, padding)))
    od = (d + 2 * PD - kd) // SD + 1
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (width + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, od, oh, ow))
    for t in range(kd):
        for m in range(kh):
            for l in range(kw):
                taps = xp[:, :, t:t + SD * (od - 1) + 1:SD, m:m + stride * (oh - 1) + 1:stride,
                          l:l + stride * (ow - 1) + 1:stride]
                out += np.einsum("ncdhw,fc->nfdhw", taps, kernel[:, :, t, m, l])
    if b is not None:
        out += BIAS
    return out
'''


def _conv3d(kernel="w", depth_pad="padding", depth_stride="stride", bias="b[None, :, None, None, None]"):
    return (_CONV3D.replace("KERNEL", kernel).replace("PD", depth_pad).replace("SD", depth_stride)
            .replace("BIAS", bias))


CONV3D = {
    "wrong": {
        "kernel_flipped": _conv3d(kernel="w[:, :, ::-1, ::-1, ::-1]"),
        "bias_ignored": _conv3d(bias="0"),
        "depth_not_strided": _conv3d(depth_stride="1"),
        "depth_not_padded": _conv3d(depth_pad="0"),
    },
    "correct": {
        "loops": '''
def conv3d(x, w, b=None, stride=1, padding=0):
    N, C, D, H, W = x.shape
    F, _, KD, KH, KW = w.shape
    s, p = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p), (p, p)))
    OD, OH, OW = (D + 2 * p - KD) // s + 1, (H + 2 * p - KH) // s + 1, (W + 2 * p - KW) // s + 1
    out = np.zeros((N, F, OD, OH, OW))
    for n in range(N):
        for f in range(F):
            for t in range(OD):
                for i in range(OH):
                    for j in range(OW):
                        window = xp[n, :, t * s:t * s + KD, i * s:i * s + KH, j * s:j * s + KW]
                        out[n, f, t, i, j] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return out
''',
        "vectorised_over_taps": _conv3d(),
        "as_2d_slices": '''
def conv3d(x, w, b=None, stride=1, padding=0):
    # a 3-D convolution is a sum of 2-D ones: depth tap t of the kernel meets depth t*s + t' of the input
    p, s = padding, stride
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p), (p, p)))
    n, c, d, h, width = xp.shape
    f, _, kd, kh, kw = w.shape
    od, oh, ow = (d - kd) // s + 1, (h - kh) // s + 1, (width - kw) // s + 1
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kd, kh, kw), axis=(2, 3, 4))
    windows = windows[:, :, ::s, ::s, ::s][:, :, :od, :oh, :ow]       # (n, c, od, oh, ow, kd, kh, kw)
    out = np.einsum("ncdhwtml,fctml->nfdhw", windows, w)
    return out if b is None else out + b.reshape(1, -1, 1, 1, 1)
''',
        "float32": _conv3d().replace("out = np.zeros((n, f, od, oh, ow))",
                                     "out = np.zeros((n, f, od, oh, ow), dtype=np.float32)"),
    },
}

# ---------------------------------------------------------------- locally_connected2d
_LOCAL = '''
def locally_connected2d(x, w, b=None):
    n = x.shape[0]
    oh, ow, f, c, kh, kw = w.shape
    out = np.zeros((n, f, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = x[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, KERNEL)
            if b is not None:
                out[:, :, i, j] += BIAS
    return out
'''


def _local(kernel="w[i, j]", bias="b[:, i, j]"):
    return _LOCAL.replace("KERNEL", kernel).replace("BIAS", bias)


LOCALLY_CONNECTED2D = {
    "wrong": {
        "one_kernel_for_every_position": _local(kernel="w[0, 0]"),
        "positions_swapped": _local(kernel="w[j, i]"),
        "kernel_flipped": _local(kernel="w[i, j, :, :, ::-1, ::-1]"),
        "one_bias_per_filter": _local(bias="b[:, 0, 0]"),
    },
    "correct": {
        "loops": '''
def locally_connected2d(x, w, b=None):
    N = x.shape[0]
    OH, OW, F, C, KH, KW = w.shape
    out = np.zeros((N, F, OH, OW))
    for n in range(N):
        for f in range(F):
            for i in range(OH):
                for j in range(OW):
                    out[n, f, i, j] = np.sum(x[n, :, i:i + KH, j:j + KW] * w[i, j, f])
                    if b is not None:
                        out[n, f, i, j] += b[f, i, j]
    return out
''',
        "window_loop_einsum": _local(),
        "sliding_window_view": '''
def locally_connected2d(x, w, b=None):
    oh, ow, f, c, kh, kw = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, :oh, :ow]
    out = np.einsum("ncijml,ijfcml->nfij", windows, w)           # windows: (N, C, OH, OW, KH, KW)
    return out if b is None else out + b[None]
''',
        "float32": _local().replace("out = np.zeros((n, f, oh, ow))",
                                    "out = np.zeros((n, f, oh, ow), dtype=np.float32)"),
    },
}

# ---------------------------------------------------------------- stack_cost
_STACK = '''
def stack_cost(kernel_sizes, channels):
    field = FIELD
    weights = 0
    for k, c_in, c_out in zip(kernel_sizes, channels[:-1], channels[1:]):
        weights += WEIGHTS
    return field, weights
'''


def _stack(field="1 + sum(k - 1 for k in kernel_sizes)", weights="k * k * c_in * c_out"):
    return _STACK.replace("FIELD", field).replace("WEIGHTS", weights)


STACK_COST = {
    "wrong": {
        "field_adds_kernel_sizes": _stack(field="sum(kernel_sizes)"),
        "field_is_largest_kernel": _stack(field="max(kernel_sizes)"),
        "kernel_side_not_squared": _stack(weights="k * c_in * c_out"),
        "reads_own_channel_count_twice": _stack(weights="k * k * c_in * c_in"),
        "biases_counted": _stack(weights="k * k * c_in * c_out + c_out"),
    },
    "correct": {
        "running_sums": _stack(),
        "layer_by_layer_field": '''
def stack_cost(kernel_sizes, channels):
    field, weights = 1, 0
    for index, k in enumerate(kernel_sizes):
        field += k - 1                                     # stride 1: each layer widens the view by k - 1
        weights += k ** 2 * channels[index] * channels[index + 1]
    return field, weights
''',
        "numpy": '''
def stack_cost(kernel_sizes, channels):
    k = np.asarray(kernel_sizes, dtype=np.int64)
    c = np.asarray(channels, dtype=np.int64)
    return int(1 + np.sum(k - 1)), int(np.sum(k * k * c[:-1] * c[1:]))
''',
    },
}

# ---------------------------------------------------------------- netvlad
_NETVLAD = '''
def netvlad(features, centres, w, b):
    n, d, h, width = features.shape
    x = features.reshape(n, d, h * width).transpose(0, 2, 1)      # (N, M, D): one row per local feature
    logits = x @ w.T + b                                           # (N, M, K)
    ASSIGN
    v = SIGN(np.einsum("nmk,nmd->nkd", a, x) - a.sum(axis=1)[:, :, None] * centres[None])
    INTRA
    v = FLAT
    FINAL
    return v
'''
_SOFTMAX = ('e = np.exp(logits - logits.max(axis=2, keepdims=True))\n'
            '    a = e / e.sum(axis=2, keepdims=True)')
_INTRA = "v = v / np.linalg.norm(v, axis=2, keepdims=True)"
_FINAL = "v = v / np.linalg.norm(v, axis=1, keepdims=True)"


def _netvlad(assign=_SOFTMAX, sign="", intra=_INTRA, flat="v.reshape(n, -1)", final=_FINAL):
    return (_NETVLAD.replace("ASSIGN", assign).replace("SIGN", sign).replace("INTRA", intra)
            .replace("FLAT", flat).replace("FINAL", final))


NETVLAD = {
    "wrong": {
        "hard_assignment": _netvlad(assign="a = np.eye(w.shape[0])[logits.argmax(axis=2)]"),
        "softmax_over_pixels": _netvlad(assign=_SOFTMAX.replace("axis=2", "axis=1")),
        "residual_sign_flipped": _netvlad(sign="-"),
        "no_intra_normalisation": _netvlad(intra="pass"),
        "no_final_normalisation": _netvlad(final="pass"),
        "flattened_d_major": _netvlad(flat="v.transpose(0, 2, 1).reshape(n, -1)"),
    },
    "correct": {
        "loops": '''
def netvlad(features, centres, w, b):
    N, D, H, W = features.shape
    K = centres.shape[0]
    out = np.zeros((N, K * D))
    for n in range(N):
        v = np.zeros((K, D))
        for i in range(H):
            for j in range(W):
                x = features[n, :, i, j]
                scores = w @ x + b
                a = np.exp(scores - scores.max())
                a = a / a.sum()
                for k in range(K):
                    v[k] += a[k] * (x - centres[k])
        for k in range(K):
            v[k] = v[k] / np.sqrt(np.sum(v[k] ** 2))
        flat = v.reshape(-1)
        out[n] = flat / np.sqrt(np.sum(flat ** 2))
    return out
''',
        "vectorised": _netvlad(),
        "residual_tensor": '''
def netvlad(features, centres, w, b):
    n, d = features.shape[:2]
    x = features.reshape(n, d, -1)                                  # (N, D, M)
    logits = np.einsum("kd,ndm->nkm", w, x) + b[None, :, None]      # (N, K, M)
    a = np.exp(logits - logits.max(axis=1, keepdims=True))
    a = a / a.sum(axis=1, keepdims=True)
    residuals = x[:, None, :, :] - centres[None, :, :, None]        # (N, K, D, M)
    v = (a[:, :, None, :] * residuals).sum(axis=3)                  # (N, K, D)
    v = v / np.linalg.norm(v, axis=2, keepdims=True)
    v = v.reshape(n, -1)
    return v / np.linalg.norm(v, axis=1, keepdims=True)
''',
        "float32": _netvlad().replace("    n, d, h, width = features.shape\n",
                                      "    features, centres = features.astype(np.float32), centres.astype(np.float32)\n"
                                      "    w, b = w.astype(np.float32), b.astype(np.float32)\n"
                                      "    n, d, h, width = features.shape\n", 1),
    },
}

EXERCISES = {
    "conv3d": CONV3D,
    "locally_connected2d": LOCALLY_CONNECTED2D,
    "stack_cost": STACK_COST,
    "netvlad": NETVLAD,
}
