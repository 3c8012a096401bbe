"""Known mistakes of chapter 03 (pooling), for the hidden tests' diagnosis.

Each dict maps a description (completing "your output equals what you get when ...")
to a function that takes the reference's arguments and returns what that mistake
returns. Every entry stands for a wrong entry of ``tests/banks/03_pooling.py``;
``tests/cnnkit/test_mistakes_pooling.py`` proves that it reproduces it.

>>> import numpy as np
>>> from cnnkit.mistakes import pooling as known
>>> x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
>>> known.MAX_POOL2D["the padding is filled with 0 instead of -inf, so it can win a window of "
...                  "negative values"](x, 2, stride=1, padding=1)[0, 0, 0]
array([0., 0., 0., 0.])
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_POOL2D", "AVG_POOL2D", "GLOBAL_AVG_POOL2D", "SPATIAL_PYRAMID_POOL", "LP_POOL2D"]


def _windows(x, kernel_size, stride, pads, fill, reduce, shrink=0):
    """Pool every k x k window of x padded by ``pads = (top, bottom, left, right)`` cells of ``fill``.

    Window (i, j) starts at (i * stride, j * stride) of the padded map; ``reduce``
    takes the (N, C, k, k) window and returns (N, C) (or something that broadcasts).
    """
    x = np.asarray(x)
    top, bottom, left, right = pads
    xp = np.pad(x.astype(float), ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    k = kernel_size
    out_h, out_w = (xp.shape[2] - k) // stride + 1 - shrink, (xp.shape[3] - k) // stride + 1 - shrink
    out = np.zeros(x.shape[:2] + (out_h, out_w))
    for i, j in np.ndindex(out_h, out_w):
        out[:, :, i, j] = reduce(xp[:, :, i * stride:i * stride + k, j * stride:j * stride + k])
    return out


def _pool_mistake(reduce, *, fill, default_stride=None, shrink=0, padding_first=False):
    """A pooling function with one piece of the geometry or of the summary changed."""
    def pool(x, kernel_size, stride=None, padding=0):
        stride = (default_stride or kernel_size) if stride is None else stride
        pads = (2 * padding, 0, 2 * padding, 0) if padding_first else (padding,) * 4
        return _windows(x, kernel_size, stride, pads, fill, reduce, shrink)
    return pool


def _tiles(reduce):
    """The reshape trick: k x k tiles of the map, ignoring the stride and the padding."""
    def pool(x, kernel_size, stride=None, padding=0):
        x = np.asarray(x, dtype=float)
        n, c, h, w = x.shape
        k = kernel_size
        tiles = x[:, :, :h // k * k, :w // k * k].reshape(n, c, h // k, k, w // k, k)
        return reduce(tiles, axis=(3, 5))
    return pool


def _spatial_max(window):
    return window.max(axis=(2, 3))


def _spatial_mean(window):
    return window.mean(axis=(2, 3))


def _in_input_dtype(pool):
    """``pool``'s result stored in an array of x's dtype: an integer x truncates towards 0."""
    def truncated(x, *args, **kwargs):
        out = pool(x, *args, **kwargs)
        dtype = np.asarray(x).dtype
        return np.trunc(out).astype(dtype) if np.issubdtype(dtype, np.integer) else out
    return truncated


def _reference_avg(x, kernel_size, stride=None, padding=0):
    return _windows(x, kernel_size, kernel_size if stride is None else stride, (padding,) * 4, 0.0, _spatial_mean)


def _real_cells_only(x, kernel_size, stride=None, padding=0):
    import cnnkit

    return cnnkit.avg_pool2d(np.asarray(x, dtype=float), kernel_size, stride, padding, count_include_pad=False)


MAX_POOL2D = {
    "the padding is filled with 0 instead of -inf, so it can win a window of negative values":
        _pool_mistake(_spatial_max, fill=0.0),
    "the map is cut into k x k tiles with reshape, which ignores the stride and the padding (right only "
    "when the windows tile the map)": _tiles(np.max),
    "stride=None is taken as stride 1 instead of stride = kernel_size":
        _pool_mistake(_spatial_max, fill=-np.inf, default_stride=1),
    "the output size lacks the + 1 (one window too few on each axis)":
        _pool_mistake(_spatial_max, fill=-np.inf, shrink=1),
    "the maximum is also taken over the channels (axis 1)":
        _pool_mistake(lambda window: window.max(axis=(1, 2, 3))[:, None], fill=-np.inf),
    "all the padding goes on top and on the left (2p there, none at the bottom or on the right)":
        _pool_mistake(_spatial_max, fill=-np.inf, padding_first=True),
}
"""Mistakes of ``max_pool2d(x, kernel_size, stride=None, padding=0)``, x of shape (N, C, H, W)."""

AVG_POOL2D = {
    "the window is summed, not averaged (no division by k * k)":
        _pool_mistake(lambda window: window.sum(axis=(2, 3)), fill=0.0),
    "the mean is also taken over the channels (axis 1)":
        _pool_mistake(lambda window: window.mean(axis=(1, 2, 3))[:, None], fill=0.0),
    "the map is cut into k x k tiles with reshape, which ignores the stride and the padding (right only "
    "when the windows tile the map)": _tiles(np.mean),
    "the divisor counts only the real cells, leaving the padding out (count_include_pad=False, TensorFlow's "
    "rule)": _real_cells_only,
    "stride=None is taken as stride 1 instead of stride = kernel_size":
        _pool_mistake(_spatial_mean, fill=0.0, default_stride=1),
    "the output array has x's integer dtype, so every mean is truncated towards 0": _in_input_dtype(_reference_avg),
}
"""Mistakes of ``avg_pool2d(x, kernel_size, stride=None, padding=0)``, x of shape (N, C, H, W)."""


def _spatial_size(x):
    return np.asarray(x).shape[2] * np.asarray(x).shape[3]


GLOBAL_AVG_POOL2D = {
    "the spatial axes are dropped: shape (N, C) instead of (N, C, 1, 1)":
        lambda x: np.asarray(x, dtype=float).mean(axis=(2, 3)),
    "the map is summed, not averaged": lambda x: np.asarray(x, dtype=float).sum(axis=(2, 3), keepdims=True),
    "the mean is also taken over the channels":
        lambda x: np.broadcast_to(np.asarray(x, dtype=float).mean(axis=(1, 2, 3), keepdims=True),
                                  np.shape(x)[:2] + (1, 1)),
    "the mean is also taken over the batch":
        lambda x: np.broadcast_to(np.asarray(x, dtype=float).mean(axis=(0, 2, 3), keepdims=True),
                                  np.shape(x)[:2] + (1, 1)),
    "the sum is divided with // (floor division), which rounds every mean down":
        lambda x: np.asarray(x).sum(axis=(2, 3), keepdims=True) // _spatial_size(x),
}
"""Mistakes of ``global_avg_pool2d(x)``, x of shape (N, C, H, W)."""


def _pyramid(grid_of_level, flatten=lambda grid: grid):
    """Concatenate, level by level, the flattened (N, C, l, l) grids that ``grid_of_level(x, l)`` gives."""
    def spatial_pyramid_pool(x, levels):
        x = np.asarray(x, dtype=float)
        return np.concatenate([flatten(grid_of_level(x, level)).reshape(len(x), -1) for level in levels], axis=1)
    return spatial_pyramid_pool


def _spp_grid(reduce, window=lambda size, level: -(-size // level)):
    """SPP-net's grid: windows of ``window(size, level)`` cells, stride floor(size / level), the first l."""
    def grid(x, level):
        (h, w), out = x.shape[2:], np.zeros(x.shape[:2] + (level, level))
        kh, kw, sh, sw = window(h, level), window(w, level), h // level, w // level
        for i, j in np.ndindex(level, level):
            out[:, :, i, j] = reduce(x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw])
        return out
    return grid


def _adaptive_grid(x, level):
    import cnnkit

    return cnnkit.adaptive_max_pool2d(x, level)


SPATIAL_PYRAMID_POOL = {
    "each window is floor(H / l) cells instead of ceil(H / l), so it misses rows":
        _pyramid(_spp_grid(_spatial_max, window=lambda size, level: size // level)),
    "the windows are PyTorch's adaptive ones (rows floor(iH/l) to ceil((i+1)H/l)) instead of SPP-net's "
    "(window ceil(H/l), stride floor(H/l))": _pyramid(_adaptive_grid),
    "each window is averaged instead of maxed": _pyramid(_spp_grid(_spatial_mean)),
    "each level is flattened position first and channel last ((N, l, l, C) order)":
        _pyramid(_spp_grid(_spatial_max), flatten=lambda grid: grid.transpose(0, 2, 3, 1)),
}
"""Mistakes of ``spatial_pyramid_pool(x, levels)``, x of shape (N, C, H, W)."""


def _lp_mistake(summary, *, default_stride=None):
    """An Lp pooling that summarises each window's x**p with ``summary(sum_of_powers, p, k)``."""
    def lp_pool2d(x, norm_type, kernel_size, stride=None):
        p, k = norm_type, kernel_size
        stride = (default_stride or k) if stride is None else stride
        sums = _windows(np.power(np.asarray(x, dtype=float), p), k, stride, (0,) * 4, 0.0,
                        lambda window: window.sum(axis=(2, 3)))
        with np.errstate(invalid="ignore"):
            return summary(sums, p, k)
    return lp_pool2d


def _lp_of_abs(x, norm_type, kernel_size, stride=None):
    return _lp_mistake(lambda sums, p, k: np.power(sums, 1.0 / p))(np.abs(x), norm_type, kernel_size, stride)


def _reference_lp(sums, p, k):
    return np.power(sums, 1.0 / p)


LP_POOL2D = {
    "the window is averaged instead of summed (the power mean, without the factor k * k)":
        _lp_mistake(lambda sums, p, k: np.power(sums / (k * k), 1.0 / p)),
    "the p-th root is missing (that is the sum of x**p)": _lp_mistake(lambda sums, p, k: sums),
    "the absolute value |x| is raised to the power p (PyTorch's lp_pool2d uses x**p, so p = 1 is the plain "
    "sum, negative values included)": _lp_of_abs,
    "the root is always a square root, whatever p": _lp_mistake(lambda sums, p, k: np.sqrt(sums)),
    "stride=None is taken as stride 1 instead of stride = kernel_size": _lp_mistake(_reference_lp, default_stride=1),
    "the output array has x's integer dtype, so every value is truncated towards 0":
        _in_input_dtype(_lp_mistake(_reference_lp)),
}
"""Mistakes of ``lp_pool2d(x, norm_type, kernel_size, stride=None)``, x of shape (N, C, H, W)."""
