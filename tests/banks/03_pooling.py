"""Bank of chapter 03 (pooling).

Each string is the whole source of an exercise cell. Every "wrong" entry must lose
points on its exercise's test_<name>* cells; every "correct" entry must keep them all.
"""


def pool_source(name, *, fill="-np.inf", reduce="window.max(axis=(2, 3))", default_stride="kernel_size",
                out_extra="+ 1", pads="(padding, padding)", dtype=""):
    """A window-loop pooling function with one piece swapped for a mistake."""
    return f'''def {name}(x, kernel_size, stride=None, padding=0):
    """2-D pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = {default_stride} if stride is None else stride
    xp = np.pad(x, ((0, 0), (0, 0), {pads}, {pads}), constant_values={fill})
    out_h = (xp.shape[2] - kernel_size) // stride {out_extra}
    out_w = (xp.shape[3] - kernel_size) // stride {out_extra}
    out = np.zeros(x.shape[:2] + (out_h, out_w){dtype})
    for i in range(out_h):
        for j in range(out_w):
            window = xp[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
            out[:, :, i, j] = {reduce}
    return out
'''


def reshape_source(name, reduce):
    """The reshape trick: right only when the windows tile the map exactly."""
    return f'''def {name}(x, kernel_size, stride=None, padding=0):
    """2-D pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    n, c, h, w = x.shape
    k = kernel_size
    tiles = x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k)
    return tiles.{reduce}(axis=(3, 5))
'''


def shifted_slices_source(name, combine, fill):
    """Loop over the k*k window offsets and combine shifted strided slices."""
    return f'''def {name}(x, kernel_size, stride=None, padding=0):
    """2-D pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    k, s = kernel_size, (kernel_size if stride is None else stride)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values={fill})
    out_h, out_w = (xp.shape[2] - k) // s + 1, (xp.shape[3] - k) // s + 1
    taps = [xp[:, :, a:a + s * (out_h - 1) + 1:s, b:b + s * (out_w - 1) + 1:s] for a in range(k) for b in range(k)]
    return {combine}
'''


def lp_source(root, *, power="window ** norm_type", default_stride="kernel_size", dtype=""):
    """A window-loop Lp pooling with one piece swapped for a mistake."""
    return f'''def lp_pool2d(x, norm_type, kernel_size, stride=None):
    """Power-average pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = {default_stride} if stride is None else stride
    out_h = (x.shape[2] - kernel_size) // stride + 1
    out_w = (x.shape[3] - kernel_size) // stride + 1
    k = kernel_size
    out = np.zeros(x.shape[:2] + (out_h, out_w){dtype})
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            sums = ({power}).sum(axis=(2, 3))
            out[:, :, i, j] = {root}
    return out
'''


SPP_HEAD = '''def spatial_pyramid_pool(x, levels):
    """Spatial pyramid max pooling: (N, C, H, W) -> (N, C * sum(l * l))."""
    n_images, channels, height, width = x.shape
    pieces = []
    for level in levels:
'''


def spp_source(windows, *, reduce="window.max(axis=(2, 3))", flatten="grid.reshape(n_images, -1)"):
    return SPP_HEAD + windows + f'''        grid = np.empty((n_images, channels, level, level))
        for i in range(level):
            for j in range(level):
                window = x[:, :, top(i):bottom(i), left(j):right(j)]
                grid[:, :, i, j] = {reduce}
        pieces.append({flatten})
    return np.concatenate(pieces, axis=1)
'''


SPP_WINDOWS = '''        kh, kw, sh, sw = -(-height // level), -(-width // level), height // level, width // level
        top, bottom = (lambda i: i * sh), (lambda i: i * sh + kh)
        left, right = (lambda j: j * sw), (lambda j: j * sw + kw)
'''

EXERCISES = {
    "max_pool2d": {
        "wrong": {
            "zero_padding": pool_source("max_pool2d", fill="0"),
            "reshape_trick": reshape_source("max_pool2d", "max"),
            "default_stride_one": pool_source("max_pool2d", default_stride="1"),
            "off_by_one_size": pool_source("max_pool2d", out_extra=""),
            "max_over_channels_too": pool_source("max_pool2d", reduce="window.max(axis=(1, 2, 3))[:, None]"),
            "pads_one_side": pool_source("max_pool2d", pads="(2 * padding, 0)"),
        },
        "correct": {
            "window_loops": pool_source("max_pool2d"),
            "shifted_slices": shifted_slices_source("max_pool2d", "np.max(np.stack(taps), axis=0)", "-np.inf"),
            "sliding_window_view": '''def max_pool2d(x, kernel_size, stride=None, padding=0):
    """2-D max pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = kernel_size if stride is None else stride
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kernel_size, kernel_size), axis=(2, 3))
    return windows[:, :, ::stride, ::stride].max(axis=(4, 5))
''',
            "float32": pool_source("max_pool2d").replace("out = np.zeros(x.shape[:2] + (out_h, out_w))",
                                                         "out = np.zeros(x.shape[:2] + (out_h, out_w), dtype=np.float32)"),
        },
    },
    "avg_pool2d": {
        "wrong": {
            "sums_instead_of_averaging": pool_source("avg_pool2d", fill="0", reduce="window.sum(axis=(2, 3))"),
            "averages_over_channels_too": pool_source("avg_pool2d", fill="0", reduce="window.mean(axis=(1, 2, 3))[:, None]"),
            "reshape_trick": reshape_source("avg_pool2d", "mean"),
            "ignores_padding_in_divisor": '''def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """2-D average pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = kernel_size if stride is None else stride
    pads = ((0, 0), (0, 0), (padding, padding), (padding, padding))
    xp, real = np.pad(x, pads), np.pad(np.ones(x.shape[2:]), pads[2:])
    out_h = (xp.shape[2] - kernel_size) // stride + 1
    out_w = (xp.shape[3] - kernel_size) // stride + 1
    out = np.zeros(x.shape[:2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * stride, i * stride + kernel_size), slice(j * stride, j * stride + kernel_size)
            out[:, :, i, j] = xp[:, :, rows, cols].sum(axis=(2, 3)) / real[rows, cols].sum()
    return out
''',
            "default_stride_one": pool_source("avg_pool2d", fill="0", reduce="window.mean(axis=(2, 3))",
                                              default_stride="1"),
            # an integer map: every mean is truncated when it is stored
            "output_in_input_dtype": pool_source("avg_pool2d", fill="0", reduce="window.mean(axis=(2, 3))",
                                                 dtype=", dtype=x.dtype"),
        },
        "correct": {
            "window_loops": pool_source("avg_pool2d", fill="0", reduce="window.mean(axis=(2, 3))"),
            "shifted_slices": shifted_slices_source("avg_pool2d", "sum(taps) / (k * k)", "0"),
            "as_convolution": '''def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """2-D average pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = kernel_size if stride is None else stride
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kernel_size, kernel_size), axis=(2, 3))
    kernel = np.full((kernel_size, kernel_size), 1.0 / kernel_size ** 2)
    return np.einsum("ncijab,ab->ncij", windows[:, :, ::stride, ::stride], kernel)
''',
            "float32": shifted_slices_source("avg_pool2d", "(sum(taps) / np.float32(k * k)).astype(np.float32)", "0"),
        },
    },
    "global_avg_pool2d": {
        "wrong": {
            "drops_the_spatial_axes": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return x.mean(axis=(2, 3))
''',
            "sums": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return x.sum(axis=(2, 3), keepdims=True)
''',
            "averages_over_channels": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return np.broadcast_to(x.mean(axis=(1, 2, 3), keepdims=True), x.shape[:2] + (1, 1)).copy()
''',
            "averages_over_batch": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return np.broadcast_to(x.mean(axis=(0, 2, 3), keepdims=True), x.shape[:2] + (1, 1)).copy()
''',
            "floor_division": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return x.sum(axis=(2, 3), keepdims=True) // (x.shape[2] * x.shape[3])
''',
        },
        "correct": {
            "mean_keepdims": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return x.mean(axis=(2, 3), keepdims=True)
''',
            "sum_divide_reshape": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    n, c, h, w = x.shape
    return (x.reshape(n, c, -1).sum(axis=2) / (h * w)).reshape(n, c, 1, 1)
''',
            "float32": '''def global_avg_pool2d(x):
    """Mean of each feature map: (N, C, H, W) -> (N, C, 1, 1)."""
    return np.asarray(x, dtype=np.float32).mean(axis=(2, 3), keepdims=True, dtype=np.float32)
''',
        },
    },
    "spatial_pyramid_pool": {
        "wrong": {
            "floor_window": spp_source(SPP_WINDOWS.replace("-(-height // level), -(-width // level)",
                                                           "height // level, width // level")),
            "adaptive_windows": spp_source('''        top, bottom = (lambda i: i * height // level), (lambda i: -(-(i + 1) * height // level))
        left, right = (lambda j: j * width // level), (lambda j: -(-(j + 1) * width // level))
'''),
            "average_instead_of_max": spp_source(SPP_WINDOWS, reduce="window.mean(axis=(2, 3))"),
            "flattens_positions_first": spp_source(SPP_WINDOWS, flatten="grid.transpose(0, 2, 3, 1).reshape(n_images, -1)"),
        },
        "correct": {
            "window_loops": spp_source(SPP_WINDOWS),
            "via_max_pool2d": SPP_HEAD + '''        kh, kw = -(-height // level), -(-width // level)
        sh, sw = height // level, width // level
        pooled = np.stack([np.stack([x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
                                     for j in range(level)], axis=-1) for i in range(level)], axis=-2)
        pieces.append(pooled.reshape(n_images, -1))
    return np.concatenate(pieces, axis=1)
''',
            "float32": spp_source(SPP_WINDOWS, reduce="window.astype(np.float32).max(axis=(2, 3))"),
        },
    },
    "lp_pool2d": {
        "wrong": {
            "power_mean": lp_source("(sums / (k * k)) ** (1 / norm_type)"),
            "forgets_the_root": lp_source("sums"),
            "absolute_values": lp_source("sums ** (1 / norm_type)", power="np.abs(window) ** norm_type"),
            "always_square_root": lp_source("np.sqrt(sums)"),
            "default_stride_one": lp_source("sums ** (1 / norm_type)", default_stride="1"),
            "output_in_input_dtype": lp_source("sums ** (1 / norm_type)", dtype=", dtype=x.dtype"),
        },
        "correct": {
            "window_loops": lp_source("sums ** (1 / norm_type)"),
            "via_the_average": '''def lp_pool2d(x, norm_type, kernel_size, stride=None):
    """Power-average pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    k, s = kernel_size, (kernel_size if stride is None else stride)
    powers = np.asarray(x, dtype=float) ** norm_type
    out_h, out_w = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    mean = np.zeros(x.shape[:2] + (out_h, out_w))
    for a in range(k):
        for b in range(k):
            mean += powers[:, :, a:a + s * (out_h - 1) + 1:s, b:b + s * (out_w - 1) + 1:s]
    mean /= k * k
    return np.power(mean * k * k, 1.0 / norm_type)
''',
            "sliding_window_view": '''def lp_pool2d(x, norm_type, kernel_size, stride=None):
    """Power-average pooling of an NCHW batch: (N, C, H, W) -> (N, C, OH, OW)."""
    stride = kernel_size if stride is None else stride
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel_size, kernel_size), axis=(2, 3))
    sums = (windows[:, :, ::stride, ::stride].astype(float) ** norm_type).sum(axis=(4, 5))
    return sums ** (1.0 / norm_type)
''',
            "float32": lp_source("(sums ** (1 / norm_type)).astype(np.float32)"),
        },
    },
}
