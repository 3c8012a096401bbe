"""Bank of chapter 06 (transposed convolution): plausible wrong implementations and correct alternatives.

Each string is the whole source of an exercise cell (see CONTRIBUTING.md, "Banks").
"""

# ---------------------------------------------------------------- conv_transpose2d
_SCATTER = '''
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0):
    n, c_in, h, width = x.shape
    _, c_out, kh, kw = w.shape
    full = np.zeros((n, c_out, (h - 1) * STEP + kh + EXTRA, (width - 1) * STEP + kw + EXTRA))
    for i in range(h):
        for j in range(width):
            stamp = np.einsum(EINSUM, x[:, :, i, j], KERNEL)
            full[:, :, i * STEP:i * STEP + kh, j * STEP:j * STEP + kw] ACCUMULATE stamp
    ho = (h - 1) * STEP - 2 * padding + kh + EXTRA
    wo = (width - 1) * STEP - 2 * padding + kw + EXTRA
    y = CROP
    if b is not None:
        y = y + b[None, :, None, None]
    return y
'''
_CROPPED = "full[:, :, padding:padding + ho, padding:padding + wo]"


def _variant(step="stride", extra="output_padding", einsum='"nc,cohw->nohw"', kernel="w",
             accumulate="+=", crop=_CROPPED):
    return (_SCATTER.replace("STEP", step).replace("EXTRA", extra).replace("EINSUM", einsum)
            .replace("KERNEL", kernel).replace("ACCUMULATE", accumulate).replace("CROP", crop))


CONV_TRANSPOSE2D = {
    "wrong": {
        "assigns_instead_of_adding": _variant(accumulate="="),
        "output_padding_dropped": _variant(extra="0"),
        "padding_added_instead_of_cropped": _variant(crop="np.pad(full, ((0, 0), (0, 0), (padding, padding), (padding, padding)))[:, :, :full.shape[2] + 2 * padding, :full.shape[3] + 2 * padding]"),
        "kernel_flipped": _variant(kernel="w[:, :, ::-1, ::-1]"),
        "weights_read_as_oihw": _variant(einsum='"nc,ochw->nohw"'),
        "stride_ignored": _variant(step="1"),
        "crops_padding_only_at_the_end": _variant(crop="full[:, :, :ho, :wo]"),
        "bias_ignored": _variant().replace("        y = y + b[None, :, None, None]\n", "        pass\n"),
        "integer_output_when_x_is_integer": _variant().replace(
            "+ kw + output_padding))", "+ kw + output_padding), dtype=x.dtype)"),
        "bias_added_before_output_padding": '''
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0):
    n, c_in, h, width = x.shape
    _, c_out, kh, kw = w.shape
    full = np.zeros((n, c_out, (h - 1) * stride + kh, (width - 1) * stride + kw))
    for i in range(h):
        for j in range(width):
            full[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.einsum("nc,cohw->nohw", x[:, :, i, j], w)
    y = full[:, :, padding:full.shape[2] - padding, padding:full.shape[3] - padding]
    if b is not None:
        y = y + b[None, :, None, None]
    # output_padding: extra rows and columns at the bottom and right
    return np.pad(y, ((0, 0), (0, 0), (0, output_padding), (0, output_padding)))
''',
    },
    "correct": {
        "loops": '''
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0):
    N, CI, H, W = x.shape
    _, CO, KH, KW = w.shape
    full = np.zeros((N, CO, (H - 1) * stride + KH + output_padding, (W - 1) * stride + KW + output_padding))
    for n in range(N):
        for c in range(CI):
            for i in range(H):
                for j in range(W):
                    for o in range(CO):
                        for m in range(KH):
                            for l in range(KW):
                                full[n, o, i * stride + m, j * stride + l] += x[n, c, i, j] * w[c, o, m, l]
    HO = full.shape[2] - 2 * padding
    WO = full.shape[3] - 2 * padding
    y = full[:, :, padding:padding + HO, padding:padding + WO]
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    return y
''',
        "direct_convolution_of_dilated_input": '''
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0):
    n, c_in, h, width = x.shape
    _, c_out, kh, kw = w.shape
    dilated = np.zeros((n, c_in, (h - 1) * stride + 1, (width - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = x
    # full padding k - 1 (+ output_padding at the bottom/right), then crop `padding` afterwards
    padded = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1 + output_padding), (kw - 1, kw - 1 + output_padding)))
    kernel = w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    fh, fw = padded.shape[2] - kh + 1, padded.shape[3] - kw + 1
    full = np.zeros((n, c_out, fh, fw))
    for m in range(kh):
        for l in range(kw):
            full += np.einsum("ncij,oc->noij", padded[:, :, m:m + fh, l:l + fw], kernel[:, :, m, l])
    y = full[:, :, padding:fh - padding, padding:fw - padding]
    return y if b is None else y + b[:, None, None]
''',
        "float32": _variant().replace("    n, c_in, h, width = x.shape\n",
                                      "    x, w = x.astype(np.float32), w.astype(np.float32)\n"
                                      "    n, c_in, h, width = x.shape\n", 1),
    },
}

# ---------------------------------------------------------------- conv_matrix
_MATRIX = '''
def conv_matrix(input_shape, w, stride=1, padding=0):
    h, width = input_shape
    kh, kw = w.shape
    ho = (h + 2 * padding - kh) // STEP + 1
    wo = (width + 2 * padding - kw) // STEP + 1
    matrix = np.zeros((ho * wo, h * width))
    for i in range(ho):
        for j in range(wo):
            for m in range(kh):
                for l in range(kw):
                    r, q = i * STEP + m - padding, j * STEP + l - padding
                    if INSIDE:
                        matrix[i * wo + j, r * width + q] = WEIGHT
    return RESULT
'''


def _matrix_variant(step="stride", inside="0 <= r < h and 0 <= q < width", weight="w[m, l]",
                    result="matrix"):
    return (_MATRIX.replace("STEP", step).replace("INSIDE", inside).replace("WEIGHT", weight)
            .replace("RESULT", result))


CONV_MATRIX = {
    "wrong": {
        "returns_the_transpose": _matrix_variant(result="matrix.T"),
        "stride_ignored_in_windows": _matrix_variant().replace(
            "r, q = i * stride + m - padding, j * stride + l - padding",
            "r, q = i + m - padding, j + l - padding"),
        "padding_taps_wrap_around": _matrix_variant(inside="True").replace(
            "matrix[i * wo + j, r * width + q]", "matrix[i * wo + j, (r % h) * width + q % width]"),
        "kernel_flipped": _matrix_variant(weight="w[kh - 1 - m, kw - 1 - l]"),
        "columns_use_the_height": _matrix_variant().replace("r * width + q", "r * h + q"),
        "rows_use_the_output_height": _matrix_variant().replace("i * wo + j", "i * ho + j"),
        "columns_of_the_padded_input": '''
def conv_matrix(input_shape, w, stride=1, padding=0):
    h, width = input_shape
    kh, kw = w.shape
    hp, wp = h + 2 * padding, width + 2 * padding
    ho, wo = (hp - kh) // stride + 1, (wp - kw) // stride + 1
    matrix = np.zeros((ho * wo, hp * wp))
    for i in range(ho):
        for j in range(wo):
            for m in range(kh):
                for l in range(kw):
                    matrix[i * wo + j, (i * stride + m) * wp + j * stride + l] = w[m, l]
    return matrix
''',
    },
    "correct": {
        "loops": _matrix_variant(),
        "vectorised_one_hot_columns": '''
def conv_matrix(input_shape, w, stride=1, padding=0):
    """Column p of C is the convolution of the p-th one-hot image (C is linear)."""
    h, width = input_shape
    kh, kw = w.shape
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (width + 2 * padding - kw) // stride + 1
    eye = np.eye(h * width).reshape(h * width, h, width)
    padded = np.pad(eye, ((0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))
    windows = windows[:, ::stride, ::stride][:, :ho, :wo]
    columns = np.einsum("pijml,ml->pij", windows, w)
    return columns.reshape(h * width, ho * wo).T.copy()
''',
        "float32": _matrix_variant().replace("matrix = np.zeros((ho * wo, h * width))",
                                             "matrix = np.zeros((ho * wo, h * width), dtype=np.float32)"),
    },
}

# ---------------------------------------------------------------- bilinear_kernel
_TENT = '''
def bilinear_kernel(factor):
    size = SIZE
    centre = CENTRE
    tent = 1 - np.abs(np.arange(size) - centre) / FALLOFF
    return RESULT
'''


def _tent_variant(size="2 * factor - factor % 2", centre="(size - 1) / 2", falloff="factor",
                  result="np.outer(tent, tent)"):
    return (_TENT.replace("SIZE", size).replace("CENTRE", centre).replace("FALLOFF", falloff)
            .replace("RESULT", result))


BILINEAR_KERNEL = {
    "wrong": {
        "centre_at_half_the_size": _tent_variant(centre="size // 2"),
        "always_twice_the_factor": _tent_variant(size="2 * factor"),
        "falls_off_by_the_size": _tent_variant(falloff="size"),
        "normalised_to_sum_one": _tent_variant(result="np.outer(tent, tent) / np.outer(tent, tent).sum()"),
        "one_direction_only": _tent_variant(result="np.tile(tent[:, None], (1, size))"),
    },
    "correct": {
        "outer": _tent_variant(),
        "loops": '''
def bilinear_kernel(factor):
    k = 2 * factor - factor % 2
    c = (k - 1) / 2
    w = np.zeros((k, k))
    for m in range(k):
        for l in range(k):
            w[m, l] = (1 - abs(m - c) / factor) * (1 - abs(l - c) / factor)
    return w
''',
        "fcn_ogrid": '''
def bilinear_kernel(factor):
    """As in the FCN authors' code: centre factor - 1 (odd size) or factor - 0.5 (even size)."""
    size = 2 * factor - factor % 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    og = np.ogrid[:size, :size]
    return (1 - abs(og[0] - center) / factor) * (1 - abs(og[1] - center) / factor)
''',
        "float32": _tent_variant(result="np.outer(tent, tent).astype(np.float32)"),
    },
}

# ---------------------------------------------------------------- check-yourself answers
# Equivalent forms (a list for a tuple, numpy integers, a list of letters, capitals) earn the point.
ANSWERS = {
    "q_output_size": {
        "wrong": {"forgets_output_padding": "answer_output_size = 9",
                  "forgets_the_crop": "answer_output_size = 12"},
        "correct": {"numpy_int": "answer_output_size = np.int64(10)",
                    "formula": "answer_output_size = (5 - 1) * 2 - 2 * 1 + 3 + 1"},
    },
    "q_fcn_output": {
        "wrong": {"without_the_crop": "answer_fcn_output = 352"},
        "correct": {"whole_float": "answer_fcn_output = 320.0",
                    "numpy_int": "answer_fcn_output = np.int32(32 * 10)"},
    },
    "q_matrix_shape": {
        "wrong": {"transposed": "answer_matrix_shape = (16, 4)",
                  "output_and_input_sides": "answer_matrix_shape = (2, 4)"},
        "correct": {"list": "answer_matrix_shape = [4, 16]",
                    "numpy_shape": "answer_matrix_shape = np.zeros((2 * 2, 4 * 4)).shape",
                    "numpy_ints": "answer_matrix_shape = (np.int64(4), np.int64(16))"},
    },
    "q_checkerboard": {
        "wrong": {"only_b": 'answer_checkerboard = {"b"}',
                  "k_larger_than_s": 'answer_checkerboard = {"b", "c", "e"}'},
        "correct": {"list": 'answer_checkerboard = ["b", "e"]',
                    "capitals": 'answer_checkerboard = {"B", "E"}'},
    },
}

EXERCISES = {
    "conv_transpose2d": CONV_TRANSPOSE2D,
    "conv_matrix": CONV_MATRIX,
    "bilinear_kernel": BILINEAR_KERNEL,
    **ANSWERS,
}
