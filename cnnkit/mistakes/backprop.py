"""Known mistakes of chapter 04 (backpropagation), one dict per exercise.

Each dict maps a description, completing "your output equals what you get
when ...", to a function with the arguments of the cnnkit reference that
computes the wrong variant (for ``conv2d_backward`` the tuple ``(dx, dw, db)``).
Every entry stands for a wrong entry of ``tests/banks/04_backprop.py`` (named in
its comment); ``tests/cnnkit/test_mistakes_backprop.py`` proves each reproduces
its entry. Bank entries that only ever raise (an integer image padded with
``-inf``) have no mistake here: the learner sees the error and the test's hint.
"""

from __future__ import annotations

import numpy as np

import cnnkit

__all__ = ["CONV2D_BACKWARD", "MAX_POOL2D_BACKWARD", "AVG_POOL2D_BACKWARD", "NUMERICAL_GRADIENT"]


def _pad(x, padding, fill=0.0):
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)


def _leftover(x, w, stride, padding):
    """Rows and columns of the padded input read by no window: (H + 2p - kh) mod s, same for W."""
    return tuple((size + 2 * padding - k) % stride for size, k in zip(x.shape[2:], w.shape[2:]))


def _windows(dout, stride, kernel):
    """Every output position (i, j) with the slices of the window it read, in row-major order."""
    for i, j in np.ndindex(*dout.shape[2:]):
        yield i, j, slice(i * stride, i * stride + kernel[0]), slice(j * stride, j * stride + kernel[1])


# ---------------------------------------------------------------- conv2d_backward
def _stride_ignored(dout, x, w, stride=1, padding=0):
    """Windows at (i, j): the stride-1 backward of a dout that fills only the top-left OH x OW outputs."""
    full = np.zeros(dout.shape[:2] + tuple(s + 2 * padding - k + 1 for s, k in zip(x.shape[2:], w.shape[2:])))
    full[:, :, :dout.shape[2], :dout.shape[3]] = dout
    return cnnkit.conv2d_backward(full, x, w, stride=1, padding=padding)


def _kernel_not_rotated(dout, x, w, stride=1, padding=0):
    dx = cnnkit.conv2d_backward(dout, x, w[:, :, ::-1, ::-1], stride=stride, padding=padding)[0]
    return (dx,) + cnnkit.conv2d_backward(dout, x, w, stride=stride, padding=padding)[1:]


def _padding_not_cropped(dout, x, w, stride=1, padding=0):
    return cnnkit.conv2d_backward(dout, _pad(np.asarray(x, dtype=float), padding), w, stride=stride)


def _replace_output(index, change):
    """A mistake equal to the reference except output ``index``, which is ``change(reference, args)``."""
    def mistake(dout, x, w, stride=1, padding=0):
        outputs = list(cnnkit.conv2d_backward(dout, x, w, stride=stride, padding=padding))
        outputs[index] = change(outputs[index], dout, x)
        return tuple(outputs)
    return mistake


def _dx_overwritten(dout, x, w, stride=1, padding=0):
    _, dw, db = cnnkit.conv2d_backward(dout, x, w, stride=stride, padding=padding)
    dxp = np.zeros(_pad(x, padding).shape)
    for i, j, rows, cols in _windows(dout, stride, w.shape[2:]):
        dxp[:, :, rows, cols] = np.einsum("nf,fchw->nchw", dout[:, :, i, j], w)   # = where += belongs
    h, width = x.shape[2:]
    return dxp[:, :, padding:padding + h, padding:padding + width], dw, db


def _dw_last_positions(dout, x, w, stride=1, padding=0):
    """dw read from the padded input shifted by the r rows (and columns) left over."""
    r_h, r_w = _leftover(x, w, stride, padding)
    shifted = _pad(np.asarray(x, dtype=float), padding)[:, :, r_h:, r_w:]
    dw = cnnkit.conv2d_backward(dout, shifted, w, stride=stride)[1]
    dx, _, db = cnnkit.conv2d_backward(dout, x, w, stride=stride, padding=padding)
    return dx, dw, db


def _leftover_rows_first(dout, x, w, stride=1, padding=0):
    """The gradient of the rows that windows read is written at the end of the padded dx."""
    r_h, r_w = _leftover(x, w, stride, padding)
    xp = _pad(np.asarray(x, dtype=float), padding)
    read_h, read_w = xp.shape[2] - r_h, xp.shape[3] - r_w
    dx_read, dw, db = cnnkit.conv2d_backward(dout, xp[:, :, :read_h, :read_w], w, stride=stride)
    dxp = np.zeros(xp.shape)
    dxp[:, :, r_h:, r_w:] = dx_read
    h, width = x.shape[2:]
    return dxp[:, :, padding:padding + h, padding:padding + width], dw, db


def _dx_integer_like_x(dout, x, w, stride=1, padding=0):
    """dx in an array of x's integer dtype: every += is truncated (loops over n, f, i, j, c, m, l)."""
    _, dw, db = cnnkit.conv2d_backward(dout, x, w, stride=stride, padding=padding)
    dxp = np.zeros_like(_pad(np.asarray(x), padding))
    for n, f, i, j in np.ndindex(dout.shape):
        for c, m, l in np.ndindex(w.shape[1:]):
            dxp[n, c, i * stride + m, j * stride + l] += dout[n, f, i, j] * w[f, c, m, l]
    h, width = x.shape[2:]
    return dxp[:, :, padding:padding + h, padding:padding + width], dw, db


#: conv2d_backward(dout, x, w, stride=1, padding=0) -> (dx, dw, db).
CONV2D_BACKWARD = {
    # ignores_stride
    "the stride is left out of the window positions: output (i, j) should read the window starting "
    "at (i * stride, j * stride), not at (i, j)": _stride_ignored,
    # kernel_not_rotated
    "dx uses the kernel as it is; dX is the full cross-correlation of dZ with the kernel rotated by "
    "180 degrees (w[:, :, ::-1, ::-1])": _kernel_not_rotated,
    # padding_not_cropped
    "dx keeps the padding border: crop `padding` rows and columns from every side of the padded "
    "input's gradient": _padding_not_cropped,
    # db_summed_over_filters
    "db sums over the filters (axis 1); one bias per filter means summing over the batch and the "
    "positions (axes 0, 2 and 3)": _replace_output(2, lambda db, dout, x: dout.sum(axis=(1, 2, 3))),
    # db_summed_over_batch_only
    "db sums over the batch only; it must also sum over every output position (axes 0, 2 and 3)":
        _replace_output(2, lambda db, dout, x: dout.sum(axis=0)),
    # dx_overwritten
    "the gradient is overwritten (=) instead of accumulated (+=) where windows overlap":
        _dx_overwritten,
    # dw_averaged_over_batch
    "dw is divided by the batch size N; every image used the same weights, so their gradients add "
    "up (a sum, not a mean)": _replace_output(1, lambda dw, dout, x: dw / x.shape[0]),
    # dw_keeps_the_last_k_positions
    "dw keeps the last k of the k + r correlation positions; the r rows and columns the stride "
    "leaves over are at the end of the input, so dw is the first k": _dw_last_positions,
    # rows_left_over_put_first
    "the rows and columns the stride leaves over are put at the start of dx; they are the last "
    "ones of the padded input and their gradient is 0": _leftover_rows_first,
    # dx_allocated_like_integer_x
    "dx is allocated with x's integer dtype (np.zeros_like(x)), so every added gradient is "
    "truncated; allocate a float array": _dx_integer_like_x,
}


# ---------------------------------------------------------------- max_pool2d_backward
def _max_pool_routed(dout, x, kernel_size, stride=None, padding=0, *, route=None, fill=-np.inf,
                     default_stride=None, float_copy=True, dx_like_x=False, accumulate=True):
    """Route each window's gradient to the cells of ``route(window)`` (a bool mask), window by window.

    Without ``float_copy`` an integer x is padded with -inf as it is, which raises (as the bank's
    loops do); with ``dx_like_x`` dx has x's dtype, so each += of an integer x is truncated.
    """
    x = np.asarray(x)
    stride = (default_stride or kernel_size) if stride is None else stride
    xp = _pad(x.astype(float) if float_copy else x, padding, fill)
    dxp = np.zeros(xp.shape, dtype=x.dtype if dx_like_x else float)
    for b, ch in np.ndindex(x.shape[:2]):
        for i, j, rows, cols in _windows(dout, stride, (kernel_size, kernel_size)):
            mask = (route or _first_maximum)(xp[b, ch, rows, cols])
            window_dx = dxp[b, ch, rows, cols]                 # a view: writing to it writes dxp
            if accumulate:
                for r, q in zip(*np.nonzero(mask)):
                    window_dx[r, q] += dout[b, ch, i, j]
            else:
                window_dx[mask] = dout[b, ch, i, j]
    h, width = x.shape[2:]
    return dxp[:, :, padding:padding + h, padding:padding + width]


def _first_maximum(window):
    mask = np.zeros(window.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(window), window.shape)] = True
    return mask


def _last_maximum(window):
    mask = np.zeros(window.shape, dtype=bool)
    mask[np.unravel_index(window.size - 1 - np.argmax(window.ravel()[::-1]), window.shape)] = True
    return mask


def _pooling_mistake(routine, **options):
    """A mistake with the pooling backward's arguments: ``routine`` run with fixed ``options``."""
    def mistake(dout, x, kernel_size, stride=None, padding=0):
        return routine(dout, x, kernel_size, stride, padding, **options)
    return mistake


def _max_variant(**options):
    return _pooling_mistake(_max_pool_routed, **options)


#: max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0) -> dx.
MAX_POOL2D_BACKWARD = {
    # every_tied_maximum
    "every cell equal to the window's maximum gets the gradient; on a tie only the first maximum "
    "in row-major order gets it (as PyTorch)":
        _max_variant(route=lambda window: window == window.max(), float_copy=False),
    # last_tied_maximum
    "a tie goes to the last maximum of the window; it goes to the first one in row-major order "
    "(as PyTorch)": _max_variant(route=_last_maximum),
    # overlap_overwritten
    "the gradient is overwritten (=) instead of accumulated (+=) where windows overlap: a cell that "
    "wins several windows must receive the sum of their gradients": _max_variant(accumulate=False),
    # pads_with_zero
    "the padding is 0 instead of -inf, so a padded cell wins a window whose values are all "
    "negative": _max_variant(fill=0.0),
    # stride_defaults_to_one
    "stride=None is taken as 1; it means stride = kernel_size": _max_variant(default_stride=1),
    # dx_allocated_like_integer_x
    "dx is allocated with x's integer dtype, so the gradients are truncated to integers; allocate "
    "a float array (like dout)": _max_variant(dx_like_x=True),
}


# ---------------------------------------------------------------- avg_pool2d_backward
def _avg_pool_spread(dout, x, kernel_size, stride=None, padding=0, *, divisor=None, accumulate=True,
                     crop=True, dx_like_x=False):
    """Spread dout[i, j] / divisor(i, j) over window (i, j), window by window (default divisor k * k)."""
    x = np.asarray(x)
    k = kernel_size
    stride = k if stride is None else stride
    n, c, h, width = x.shape
    dxp = np.zeros((n, c, h + 2 * padding, width + 2 * padding), dtype=x.dtype if dx_like_x else float)
    for i, j, rows, cols in _windows(dout, stride, (k, k)):
        share = dout[:, :, i:i + 1, j:j + 1] / (k * k if divisor is None else divisor(i * stride, j * stride))
        if dx_like_x:                                         # cell by cell, each += truncated
            for b, ch, r, q in np.ndindex(n, c, k, k):
                dxp[b, ch, rows, cols][r, q] += share[b, ch, 0, 0]
        elif accumulate:
            dxp[:, :, rows, cols] += share
        else:
            dxp[:, :, rows, cols] = share
    return dxp[:, :, padding:padding + h, padding:padding + width] if crop else dxp


def _avg_variant(**options):
    return _pooling_mistake(_avg_pool_spread, **options)


#: avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0) -> dx.
AVG_POOL2D_BACKWARD = {
    # not_divided
    "each cell of a window receives the whole dout; the output was a mean, so each of the k * k "
    "cells receives dout / (k * k)": _avg_variant(divisor=lambda top, left: 1),
    # overlap_overwritten
    "the gradient is overwritten (=) instead of accumulated (+=) where windows overlap":
        _avg_variant(accumulate=False),
    # divides_by_cells_inside_input
    "the divisor counts only the cells inside the input; with count_include_pad=True (PyTorch's "
    "default) it is always k * k": lambda dout, x, kernel_size, stride=None, padding=0:
        cnnkit.avg_pool2d_backward(dout, np.asarray(x, dtype=float), kernel_size, stride, padding,
                                   count_include_pad=False),
    # padding_not_cropped
    "dx keeps the padding border: crop `padding` rows and columns from every side": _avg_variant(crop=False),
    # divides_by_kernel_side
    "the divisor is the kernel side k; a k x k window holds k * k cells":
        lambda dout, x, kernel_size, stride=None, padding=0: _avg_pool_spread(
            dout, x, kernel_size, stride, padding, divisor=lambda top, left: kernel_size),
    # dx_allocated_like_integer_x
    "dx is allocated with x's integer dtype, so every dout / (k * k) added is truncated; allocate a "
    "float array": _avg_variant(dx_like_x=True),
}


# ---------------------------------------------------------------- numerical_gradient
def _differences(f, x, dout, h=1e-5, *, point=None, one_sided=False, weigh=True, denominator=None,
                 restore=True):
    """Perturb ``point`` (a float copy of x by default) entry by entry, as the bank's loops do."""
    point = np.array(x, dtype=float) if point is None else point
    grad = np.zeros(point.shape)
    scalar = (lambda v: np.sum(f(v) * dout)) if weigh else (lambda v: np.sum(f(v)))
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        plus = scalar(point)
        point[index] = original if one_sided else original - h
        minus = scalar(point)
        if restore:
            point[index] = original
        grad[index] = (plus - minus) / (denominator(h) if denominator else (h if one_sided else 2 * h))
    return grad


#: numerical_gradient(f, x, dout, h=1e-5) -> grad.
NUMERICAL_GRADIENT = {
    # one_sided_difference
    "the difference is one-sided, (L(x + h) - L(x)) / h; the centered (L(x + h) - L(x - h)) / (2h) "
    "is accurate to O(h^2)": lambda f, x, dout, h=1e-5: _differences(f, x, dout, h, one_sided=True),
    # ignores_dout
    "the scalar L is sum(f(x)), without dout; the one whose gradient we want is sum(f(x) * dout)":
        lambda f, x, dout, h=1e-5: _differences(f, x, dout, h, weigh=False),
    # divides_by_h
    "the centered difference is divided by h; the two points are 2h apart, so divide by 2h":
        lambda f, x, dout, h=1e-5: _differences(f, x, dout, h, denominator=lambda h: h),
    # forgets_to_restore
    "an entry is left at x - h after its difference; restore it before moving to the next entry":
        lambda f, x, dout, h=1e-5: _differences(f, x, dout, h, restore=False),
    # ignores_the_step_h
    "the step is fixed at 1e-5 whatever h the caller gives; use the h argument":
        lambda f, x, dout, h=1e-5: _differences(f, x, dout, 1e-5),
    # copy_keeps_integer_dtype
    "x is copied with its integer dtype, so x + h and x - h are truncated to integers; perturb a "
    "float copy (np.array(x, dtype=float))":
        lambda f, x, dout, h=1e-5: _differences(f, x, dout, h, point=np.array(x, copy=True)),
}
