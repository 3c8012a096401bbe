"""VLAD and NetVLAD pooling: a feature map's local descriptors as residuals to K centres.

A conv map of shape (D, H, W) holds ``H * W`` local descriptors ``x_i`` of
dimension D. VLAD gives each descriptor to its nearest centre ``c_k`` and adds up
the residuals ``x_i - c_k`` per centre; NetVLAD gives every descriptor to every
centre with a soft weight ``a_k(x_i) = softmax_k(w_k . x_i + b_k)``, so that the
pooling is differentiable in the descriptors, the centres and ``(w, b)``. Both
then L2-normalise each centre's row ("intra-normalisation") and the flattened
``K * D`` vector. With ``w_k = 2 alpha c_k`` and ``b_k = -alpha |c_k|^2`` the soft
weights tend to VLAD's hard ones as ``alpha`` grows.
"""

from __future__ import annotations

import numpy as np

from ._args import as_array, check_dout, check_ndim, result_dtype

__all__ = ["netvlad", "netvlad_backward", "netvlad_loops", "vlad"]

#: A vector shorter than this is divided by EPS instead of its length (as torch's F.normalize).
EPS = 1e-12


def _check_vlad(fn, features, centres, w=None, b=None, **others):
    """``features``, ``centres`` (and ``w``, ``b`` for NetVLAD) checked, in the result dtype."""
    features = as_array(fn, "features", features)
    centres = as_array(fn, "centres", centres)
    check_ndim(fn, "features", features, 4, "(N, D, H, W)")
    check_ndim(fn, "centres", centres, 2, "(K, D)")
    if centres.shape[0] == 0:
        raise ValueError(f"{fn}: centres must hold at least one centre (K >= 1), "
                         f"got centres.shape = {tuple(centres.shape)}")
    if centres.shape[1] != features.shape[1]:
        raise ValueError(f"{fn}: centres must have D = features.shape[1] = {features.shape[1]} "
                         f"columns, got centres.shape = {tuple(centres.shape)}")
    arrays = [features, centres]
    for name, value, shape, layout in (("w", w, centres.shape, "(K, D)"),
                                       ("b", b, centres.shape[:1], "(K,)")):
        if value is not None:
            value = as_array(fn, name, value)
            if value.shape != shape:
                raise ValueError(f"{fn}: {name} must have shape {layout} = {shape} like the "
                                 f"centres, got shape {tuple(value.shape)}")
            arrays.append(value)
    extras = [as_array(fn, name, a) for name, a in others.items()]
    dtype = result_dtype(*arrays, *extras)
    return [a.astype(dtype, copy=False) for a in arrays]


def _descriptors(features):
    """(N, D, H, W) -> (N, H*W, D): one row per local descriptor."""
    n_batch, dim = features.shape[:2]
    return features.reshape(n_batch, dim, features.shape[2] * features.shape[3]).transpose(0, 2, 1)


def _normalise(v):
    """``v / max(|v|, EPS)`` along the last axis, and ``|v|``."""
    norm = np.sqrt(np.sum(v * v, axis=-1, keepdims=True))
    return v / np.maximum(norm, EPS), norm


def _normalise_backward(dy, y, norm):
    """Gradient of :func:`_normalise` at ``v`` with ``y, norm = _normalise(v)``."""
    projected = (dy - y * np.sum(y * dy, axis=-1, keepdims=True)) / np.maximum(norm, EPS)
    return np.where(norm >= EPS, projected, dy / EPS)


def _pool(assign, descriptors, centres):
    """Residual sums, intra- and L2-normalised.

    ``assign`` (N, P, K) and ``descriptors`` (N, P, D) give ``V[n, k] = sum_i a_ik (x_i - c_k)``;
    returns the output (N, K*D) and what the backward pass needs.
    """
    residuals = np.matmul(assign.transpose(0, 2, 1), descriptors)      # (N, K, D): sum_i a x
    residuals -= assign.sum(axis=1)[:, :, None] * centres              # - (sum_i a) c_k
    rows, row_norms = _normalise(residuals)
    out, norm = _normalise(rows.reshape(rows.shape[0], rows.shape[1] * rows.shape[2]))
    return out, (rows, row_norms, norm)


def _soft_assign(descriptors, w, b):
    """softmax over k of ``w_k . x_i + b_k``: (N, P, K)."""
    logits = descriptors @ w.T + b
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


def netvlad(features, centres, w, b):
    """NetVLAD pooling of a batch of feature maps into one normalised vector each.

    Parameters
    ----------
    features : ndarray, shape (N, D, H, W)
        ``H * W`` local descriptors of dimension D per image (a conv map).
    centres : ndarray, shape (K, D)
        The cluster centres ``c_k``.
    w : ndarray, shape (K, D)
    b : ndarray, shape (K,)
        The soft assignment's scores ``w_k . x + b_k``.

    Returns
    -------
    ndarray, shape (N, K*D)
        Row n is ``V`` flattened centre by centre; float32 if every input is float32.

    Notes
    -----
    .. math:: a_k(x_i) = \\frac{e^{w_k^T x_i + b_k}}{\\sum_{k'} e^{w_{k'}^T x_i + b_{k'}}},
              \\qquad V[k] = \\sum_i a_k(x_i)\\,(x_i - c_k)

    then each ``V[k]`` is divided by ``max(|V[k]|, 1e-12)`` and the flattened ``V`` by
    ``max(|V|, 1e-12)`` (so a zero row stays zero). Parameters: ``K * (2D + 1)``.
    """
    features, centres, w, b = _check_vlad("netvlad", features, centres, w, b)
    descriptors = _descriptors(features)
    return _pool(_soft_assign(descriptors, w, b), descriptors, centres)[0]


def vlad(features, centres):
    """Hard VLAD pooling: every descriptor adds its residual to its nearest centre only.

    Parameters
    ----------
    features : ndarray, shape (N, D, H, W)
    centres : ndarray, shape (K, D)

    Returns
    -------
    ndarray, shape (N, K*D)

    Notes
    -----
    As :func:`netvlad` with ``a_k(x_i) = 1`` if ``c_k`` is the centre nearest to ``x_i``
    (the lowest ``k`` on a tie) and 0 otherwise. The assignment jumps from one centre
    to another, so the output is not differentiable in the centres there, and its
    gradient through ``a`` is zero everywhere else: VLAD cannot learn its centres.
    """
    features, centres = _check_vlad("vlad", features, centres)
    descriptors = _descriptors(features)
    # (N, P, K), one centre at a time: exact ties stay exact, and no (N, P, K, D) array
    distances = np.stack([np.sum((descriptors - c) ** 2, axis=-1) for c in centres], axis=-1)
    nearest = np.argmin(distances, axis=-1)                     # the first minimum: lowest k
    assign = (nearest[..., None] == np.arange(centres.shape[0])).astype(features.dtype)
    return _pool(assign, descriptors, centres)[0]


def netvlad_backward(dout, features, centres, w, b):
    """Gradients of :func:`netvlad` with respect to all four inputs.

    Parameters
    ----------
    dout : ndarray, shape (N, K*D)
    features, centres, w, b
        As given to :func:`netvlad`.

    Returns
    -------
    dfeatures : ndarray, shape (N, D, H, W)
    dcentres : ndarray, shape (K, D)
    dw : ndarray, shape (K, D)
    db : ndarray, shape (K,)

    Notes
    -----
    Backwards through the two normalisations (``dv = (dy - y (y . dy)) / |v|``), then
    ``V[k] = sum_i a_ik (x_i - c_k)``: ``da_ik = dV[k] . (x_i - c_k)``,
    ``dx_i += sum_k a_ik dV[k]``, ``dc_k = -sum_i a_ik dV[k]``; then the softmax
    (``ds_ik = a_ik (da_ik - sum_k' a_ik' da_ik')``) and the scores ``s = x w^T + b``.
    """
    fn = "netvlad_backward"
    features, centres, w, b = _check_vlad(fn, features, centres, w, b, dout=dout)
    n_batch, dim = features.shape[:2]
    expected = (n_batch, centres.shape[0] * dim)
    dout = check_dout(fn, dout, expected, "(N, K*D)").astype(features.dtype, copy=False)
    descriptors = _descriptors(features)
    assign = _soft_assign(descriptors, w, b)
    out, (rows, row_norms, norm) = _pool(assign, descriptors, centres)
    drows = _normalise_backward(dout, out, norm).reshape(rows.shape)
    dresiduals = _normalise_backward(drows, rows, row_norms)                # (N, K, D)
    dassign = descriptors @ dresiduals.transpose(0, 2, 1)                   # x_i . dV[k]
    dassign -= np.sum(dresiduals * centres, axis=-1)[:, None, :]           # - c_k . dV[k]
    dscores = assign * (dassign - np.sum(assign * dassign, axis=-1, keepdims=True))
    ddescriptors = assign @ dresiduals + dscores @ w                        # (N, P, D)
    dcentres = -np.sum(assign.sum(axis=1)[:, :, None] * dresiduals, axis=0)
    # one product per image, then the sum; D x K rather than K x D, as BLAS splits the work
    # along the output's rows and D is usually the longer side (see conv3d_backward)
    dw = np.matmul(descriptors.transpose(0, 2, 1), dscores).sum(axis=0).T  # (K, D)
    dfeatures = ddescriptors.transpose(0, 2, 1).reshape(features.shape)
    return (np.ascontiguousarray(dfeatures), dcentres, np.ascontiguousarray(dw),
            dscores.sum(axis=(0, 1)))


def netvlad_loops(features, centres, w, b):
    """Loop version of :func:`netvlad`: one descriptor, then one centre, at a time.

    Same parameters, result and errors as :func:`netvlad`.
    """
    features, centres, w, b = _check_vlad("netvlad_loops", features, centres, w, b)
    (n_batch, dim, height, width), n_centres = features.shape, centres.shape[0]
    out = np.zeros((n_batch, n_centres * dim), dtype=features.dtype)
    for n in range(n_batch):
        v = np.zeros((n_centres, dim), dtype=features.dtype)
        for i in range(height):
            for j in range(width):
                x = features[n, :, i, j]                         # the descriptor at (i, j)
                scores = w @ x + b
                a = np.exp(scores - scores.max())
                a /= a.sum()                                     # softmax over the K centres
                for k in range(n_centres):
                    v[k] += a[k] * (x - centres[k])
        for k in range(n_centres):
            v[k] /= max(np.sqrt(np.sum(v[k] ** 2)), EPS)          # intra-normalisation
        flat = v.reshape(-1)
        out[n] = flat / max(np.sqrt(np.sum(flat ** 2)), EPS)     # L2-normalisation
    return out
