"""The numpy functions the checking helpers rely on, bound when cnnkit.checking is imported.

Student code runs in the same kernel as the tests, and the package is imported
before any student cell runs: a student who later replaces ``np.allclose``
changes nothing here. (Replacing the helpers themselves is caught by the
grader's integrity check.)
"""

import numpy as _np

(asarray, ndarray, abs_, isfinite, isclose, argwhere, count_nonzero, max_, array_equal, errstate,
 integer, floating, bool_) = (
    _np.asarray, _np.ndarray, _np.abs, _np.isfinite, _np.isclose, _np.argwhere, _np.count_nonzero,
    _np.max, _np.array_equal, _np.errstate, _np.integer, _np.floating, _np.bool_)
