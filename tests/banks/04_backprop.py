"""Bank of chapter 04 (backpropagation): plausible wrong implementations and correct alternatives.

Each string is the whole source of an exercise cell. Every "wrong" entry must lose points on its own
``test_<exercise>*`` cells; every "correct" entry must earn every point (see CONTRIBUTING.md).
"""

# ---------------------------------------------------------------- conv2d_backward
_CONV_LOOP_OVER_OUTPUTS = '''
def conv2d_backward(dout, x, w, stride=1, padding=0):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    _, _, ho, wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros(xp.shape, dtype=np.result_type(dout, x, w))
    dw = np.zeros(w.shape, dtype=dxp.dtype)
    for i in range(ho):
        for j in range(wo):
            rows = slice(i * STEP, i * STEP + kh)
            cols = slice(j * STEP, j * STEP + kw)
            g = dout[:, :, i, j]
            dw += np.einsum("nf,nchw->fchw", g, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] ACCUMULATE np.einsum("nf,fchw->nchw", g, w)
    dx = dxp[:, :, padding:padding + h, padding:padding + width]
    db = dout.sum(axis=DB_AXES)
    return RESULT
'''


def _conv_variant(step="stride", accumulate="+=", db_axes="(0, 2, 3)", result="dx, dw, db"):
    return (_CONV_LOOP_OVER_OUTPUTS.replace("STEP", step).replace("ACCUMULATE", accumulate)
            .replace("DB_AXES", db_axes).replace("RESULT", result))


_CONV_DILATE_FULL = '''
def conv2d_backward(dout, x, w, stride=1, padding=0):
    """Dilate dout by stride, then dw = corr(xp, dilated), dx = full corr of dilated with the ROTATED kernel."""
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    _, _, ho, wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dilated = np.zeros((n, f, (ho - 1) * stride + 1, (wo - 1) * stride + 1), dtype=dout.dtype)
    dilated[:, :, ::stride, ::stride] = dout
    dh, dwid = dilated.shape[2:]
    dw = np.zeros(w.shape)
    for m in range(kh):
        for l in range(kw):
            dw[:, :, m, l] = np.einsum("nfij,ncij->fc", dilated, xp[:, :, m:m + dh, l:l + dwid])
    full = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    kernel = KERNEL
    hh, ww = dh + kh - 1, dwid + kw - 1
    dxp = np.zeros(xp.shape)
    for m in range(kh):
        for l in range(kw):
            dxp[:, :, :hh, :ww] += np.einsum("nfij,fc->ncij", full[:, :, m:m + hh, l:l + ww], kernel[:, :, m, l])
    dx = dxp[:, :, padding:padding + h, padding:padding + width]
    return dx, dw, dout.sum(axis=(0, 2, 3))
'''

# The dilate recipe written with the k + r correlation positions of dw made explicit (r rows left over).
_CONV_DILATE_POSITIONS = '''
def conv2d_backward(dout, x, w, stride=1, padding=0):
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    _, _, ho, wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dilated = np.zeros((n, f, (ho - 1) * stride + 1, (wo - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = dout
    dh, dwid = dilated.shape[2:]
    ph, pw = xp.shape[2] - dh + 1, xp.shape[3] - dwid + 1      # k + r positions per axis
    positions = np.zeros((f, c, ph, pw))
    for m in range(ph):
        for l in range(pw):
            positions[:, :, m, l] = np.einsum("nfij,ncij->fc", dilated, xp[:, :, m:m + dh, l:l + dwid])
    dw = positions[:, :, DW_ROWS, DW_COLS]
    full = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    hh, ww = dh + kh - 1, dwid + kw - 1
    read = np.zeros((n, c, hh, ww))
    for m in range(kh):
        for l in range(kw):
            read += np.einsum("nfij,fc->ncij", full[:, :, m:m + hh, l:l + ww], w[:, :, kh - 1 - m, kw - 1 - l])
    dxp = np.zeros(xp.shape)
    dxp[:, :, DX_ROWS, DX_COLS] = read
    return dxp[:, :, padding:padding + h, padding:padding + width], dw, dout.sum(axis=(0, 2, 3))
'''


def _positions_variant(dw_rows=":kh", dw_cols=":kw", dx_rows=":hh", dx_cols=":ww"):
    return (_CONV_DILATE_POSITIONS.replace("DW_ROWS", dw_rows).replace("DW_COLS", dw_cols)
            .replace("DX_ROWS", dx_rows).replace("DX_COLS", dx_cols))


_CONV_LOOPS = '''
def conv2d_backward(dout, x, w, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    _, _, HO, WO = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = DX_ZEROS
    dw = DW_ZEROS
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(HO):
                for j in range(WO):
                    g = dout[n, f, i, j]
                    db[f] += g
                    for c in range(C):
                        for m in range(KH):
                            for l in range(KW):
                                dw[f, c, m, l] += g * xp[n, c, i * stride + m, j * stride + l]
                                dxp[n, c, i * stride + m, j * stride + l] += g * w[f, c, m, l]
    return dxp[:, :, padding:padding + H, padding:padding + W], dw, db
'''


def _conv_loops(like_inputs=False):
    """Seven loops; with ``like_inputs`` dx and dw come from np.zeros_like, so dx keeps an integer x's dtype."""
    if like_inputs:
        return _CONV_LOOPS.replace("DX_ZEROS", "np.zeros_like(xp)").replace("DW_ZEROS", "np.zeros_like(w)")
    return _CONV_LOOPS.replace("DX_ZEROS", "np.zeros(xp.shape)").replace("DW_ZEROS", "np.zeros(w.shape)")


CONV2D_BACKWARD = {
    "wrong": {
        "ignores_stride": _conv_variant(step="1"),
        "kernel_not_rotated": _CONV_DILATE_FULL.replace("KERNEL", "w"),
        "padding_not_cropped": _conv_variant(result="dxp, dw, db"),
        "db_summed_over_filters": _conv_variant(db_axes="(1, 2, 3)"),
        "db_summed_over_batch_only": _conv_variant(db_axes="0"),
        "dx_overwritten": _conv_variant(accumulate="="),
        "dw_averaged_over_batch": _conv_variant(result="dx, dw / x.shape[0], db"),
        "dw_keeps_the_last_k_positions": _positions_variant(dw_rows="-kh:", dw_cols="-kw:"),
        "rows_left_over_put_first": _positions_variant(dx_rows="-hh:", dx_cols="-ww:"),
        "dx_allocated_like_integer_x": _conv_loops(like_inputs=True),
    },
    "correct": {
        "loops": _conv_loops(),
        "vectorised_dilate_full_convolution": _CONV_DILATE_FULL.replace("KERNEL", "w[:, :, ::-1, ::-1]"),
        "dilate_with_explicit_crops": _positions_variant(),
        "cnnkit_conv2d_of_the_dilated_gradient": '''
def conv2d_backward(dout, x, w, stride=1, padding=0):
    """dx: conv2d of the dilated, k-1 padded dout with the rotated kernel; dw: conv2d with the batch as channels."""
    n, c, h, width = x.shape
    f, _, kh, kw = w.shape
    ho, wo = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dilated = np.zeros((n, f, (ho - 1) * stride + 1, (wo - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = dout
    full = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    read = cnnkit.conv2d(full, w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))      # (N, C, H + 2p - r, W + 2p - r)
    dxp = np.zeros(xp.shape)
    dxp[:, :, :read.shape[2], :read.shape[3]] = read
    positions = cnnkit.conv2d(xp.transpose(1, 0, 2, 3), dilated.transpose(1, 0, 2, 3))   # (C, F, k + r, k + r)
    dw = positions.transpose(1, 0, 2, 3)[:, :, :kh, :kw]
    return dxp[:, :, padding:padding + h, padding:padding + width], dw, dout.sum(axis=(0, 2, 3))
''',
        "float32": _conv_variant().replace(
            "    n, c, h, width = x.shape\n",
            "    dout, x, w = (a.astype(np.float32) for a in (dout, x, w))\n    n, c, h, width = x.shape\n", 1),
    },
}

# ---------------------------------------------------------------- max_pool2d_backward
_MAX_POOL = '''
def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    stride = DEFAULT_STRIDE if stride is None else stride
    n, c, h, width = x.shape
    _, _, ho, wo = dout.shape
    k = kernel_size
    xp = np.pad(FLOAT_X, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=FILL)
    dxp = np.zeros(xp.shape, dtype=DX_DTYPE)
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = xp[b, ch, i * stride:i * stride + k, j * stride:j * stride + k]
                    WINNER
                    dxp[b, ch, i * stride + r, j * stride + q] ACCUMULATE dout[b, ch, i, j]
    return dxp[:, :, padding:padding + h, padding:padding + width]
'''
_FIRST = "r, q = np.unravel_index(np.argmax(window), window.shape)"
_LAST = "r, q = np.unravel_index(window.size - 1 - np.argmax(window.ravel()[::-1]), window.shape)"


def _max_variant(default_stride="kernel_size", fill="-np.inf", winner=_FIRST, accumulate="+=",
                 float_x="x.astype(float)", dx_dtype="float"):
    return (_MAX_POOL.replace("DEFAULT_STRIDE", default_stride).replace("FLOAT_X", float_x).replace("FILL", fill)
            .replace("DX_DTYPE", dx_dtype).replace("WINNER", winner).replace("ACCUMULATE", accumulate))


MAX_POOL2D_BACKWARD = {
    "wrong": {
        "every_tied_maximum": '''
def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    n, c, h, width = x.shape
    _, _, ho, wo = dout.shape
    k = kernel_size
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    dxp = np.zeros(xp.shape)
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dxp[:, :, i * stride:i * stride + k, j * stride:j * stride + k] += mask * dout[:, :, i:i + 1, j:j + 1]
    return dxp[:, :, padding:padding + h, padding:padding + width]
''',
        "last_tied_maximum": _max_variant(winner=_LAST),
        "overlap_overwritten": _max_variant(accumulate="="),
        "pads_with_zero": _max_variant(fill="0"),
        "stride_defaults_to_one": _max_variant(default_stride="1"),
        "integer_image_padded_with_minus_inf": _max_variant(float_x="x"),
        "dx_allocated_like_integer_x": _max_variant(dx_dtype="x.dtype"),
    },
    "correct": {
        "loops": _max_variant(winner='''best = -np.inf
                    for a in range(k):
                        for e in range(k):
                            if window[a, e] > best:
                                best, r, q = window[a, e], a, e'''),
        "vectorised_offsets": '''
def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    s = kernel_size if stride is None else stride
    k = kernel_size
    n, c, h, width = x.shape
    ho, wo = dout.shape[2:]
    x = x.astype(np.result_type(x, np.float32))                 # integers cannot hold -inf
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    taps = [(a, b) for a in range(k) for b in range(k)]          # row-major order
    views = [xp[:, :, a:a + s * (ho - 1) + 1:s, b:b + s * (wo - 1) + 1:s] for a, b in taps]
    best = np.full(dout.shape, -np.inf)
    winner = np.zeros(dout.shape, dtype=int)
    for index, view in enumerate(views):
        better = view > best                                      # strict: the first maximum stays
        best = np.where(better, view, best)
        winner = np.where(better, index, winner)
    dxp = np.zeros(xp.shape, dtype=np.result_type(dout, x))
    for index, (a, b) in enumerate(taps):
        dxp[:, :, a:a + s * (ho - 1) + 1:s, b:b + s * (wo - 1) + 1:s] += dout * (winner == index)
    return dxp[:, :, padding:padding + h, padding:padding + width]
''',
        "float32": _max_variant(float_x="x.astype(np.float32)", dx_dtype="np.float32"),
    },
}

# ---------------------------------------------------------------- avg_pool2d_backward
_AVG_POOL = '''
def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    n, c, h, width = x.shape
    _, _, ho, wo = dout.shape
    k = kernel_size
    dxp = np.zeros((n, c, h + 2 * padding, width + 2 * padding))
    for i in range(ho):
        for j in range(wo):
            rows = slice(i * stride, i * stride + k)
            cols = slice(j * stride, j * stride + k)
            dxp[:, :, rows, cols] ACCUMULATE dout[:, :, i:i + 1, j:j + 1] / DIVISOR
    return RESULT
'''
_CROPPED = "dxp[:, :, padding:padding + h, padding:padding + width]"
_VALID_COUNT = ("((min(i * stride + k, h + padding) - max(i * stride, padding))"
                " * (min(j * stride + k, width + padding) - max(j * stride, padding)))")


def _avg_variant(accumulate="+=", divisor="(k * k)", result=_CROPPED):
    return _AVG_POOL.replace("ACCUMULATE", accumulate).replace("DIVISOR", divisor).replace("RESULT", result)


_AVG_LOOPS = '''
def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    s = kernel_size if stride is None else stride
    k = kernel_size
    N, C, H, W = x.shape
    dxp = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=DX_DTYPE)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    for a in range(k):
                        for b in range(k):
                            dxp[n, c, i * s + a, j * s + b] += dout[n, c, i, j] / (k * k)
    return dxp[:, :, padding:padding + H, padding:padding + W]
'''

AVG_POOL2D_BACKWARD = {
    "wrong": {
        "not_divided": _avg_variant(divisor="1"),
        "overlap_overwritten": _avg_variant(accumulate="="),
        "divides_by_cells_inside_input": _avg_variant(divisor=_VALID_COUNT),
        "padding_not_cropped": _avg_variant(result="dxp"),
        "divides_by_kernel_side": _avg_variant(divisor="k"),
        "dx_allocated_like_integer_x": _AVG_LOOPS.replace("DX_DTYPE", "x.dtype"),   # integers truncate dout / k**2
    },
    "correct": {
        "loops": _AVG_LOOPS.replace("DX_DTYPE", "float"),
        "vectorised_offsets": '''
def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    s = kernel_size if stride is None else stride
    k = kernel_size
    n, c, h, width = x.shape
    ho, wo = dout.shape[2:]
    dxp = np.zeros((n, c, h + 2 * padding, width + 2 * padding), dtype=np.result_type(dout, x))
    for a in range(k):
        for b in range(k):
            dxp[:, :, a:a + s * (ho - 1) + 1:s, b:b + s * (wo - 1) + 1:s] += dout / (k * k)
    return dxp[:, :, padding:padding + h, padding:padding + width]
''',
        "float32": _avg_variant().replace("width + 2 * padding))", "width + 2 * padding), dtype=np.float32)"),
    },
}

# ---------------------------------------------------------------- numerical_gradient
_NUMERICAL = '''
def numerical_gradient(f, x, dout, h=1e-5):
    point = COPY
    grad = np.zeros(point.shape)
    STEP
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        plus = PLUS
        point[index] = MINUS_POINT
        minus = MINUS
        RESTORE
        grad[index] = (plus - minus) / DENOMINATOR
    return grad
'''


def _numerical_variant(plus="np.sum(f(point) * dout)", minus_point="original - h",
                       minus="np.sum(f(point) * dout)", restore="point[index] = original",
                       denominator="(2 * h)", copy="np.array(x, dtype=float)", step=""):
    source = _NUMERICAL.replace("    STEP\n", f"    {step}\n" if step else "")
    return (source.replace("COPY", copy).replace("PLUS", plus)
            .replace("MINUS_POINT", minus_point).replace("MINUS", minus)
            .replace("RESTORE", restore).replace("DENOMINATOR", denominator))


NUMERICAL_GRADIENT = {
    "wrong": {
        "one_sided_difference": _numerical_variant(minus_point="original", denominator="h"),
        "ignores_dout": _numerical_variant(plus="np.sum(f(point))", minus="np.sum(f(point))"),
        "divides_by_h": _numerical_variant(denominator="h"),
        "forgets_to_restore": _numerical_variant(restore="pass"),
        "ignores_the_step_h": _numerical_variant(step="h = 1e-5                      # a fixed step, whatever the caller asked"),
        "copy_keeps_integer_dtype": _numerical_variant(copy="x.copy()"),
    },
    "correct": {
        "loops_flat_index": '''
def numerical_gradient(f, x, dout, h=1e-5):
    flat = np.array(x, dtype=np.float64).reshape(-1)
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        step = np.zeros(flat.size)
        step[i] = h
        plus = np.sum(f((flat + step).reshape(np.shape(x))) * dout)
        minus = np.sum(f((flat - step).reshape(np.shape(x))) * dout)
        grad[i] = (plus - minus) / (2 * h)
    return grad.reshape(np.shape(x))
''',
        "nditer": '''
def numerical_gradient(f, x, dout, h=1e-5):
    x = x.astype(np.float64)          # a copy: the caller's array is never touched
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        saved = x[i]
        x[i] = saved + h
        fp = np.sum(f(x) * dout)
        x[i] = saved - h
        fm = np.sum(f(x) * dout)
        x[i] = saved
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad
''',
    },
}

EXERCISES = {
    "conv2d_backward": CONV2D_BACKWARD,
    "max_pool2d_backward": MAX_POOL2D_BACKWARD,
    "avg_pool2d_backward": AVG_POOL2D_BACKWARD,
    "numerical_gradient": NUMERICAL_GRADIENT,
}
