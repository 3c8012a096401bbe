"""The checking helpers that the chapters' tests call.

A failing test must tell a student what to fix without reading the test: the
expected and the given shape, the first mismatching index with both values, and
a hint at the usual mistake. The package has one module per idea:

- :mod:`~cnnkit.checking.asserts`: :func:`assert_close` compares one result with
  the expected array (:func:`assert_shape` its shape);
- :mod:`~cnnkit.checking.checks`: :func:`check_function` runs a student's function
  and the reference on a list of cases and compares every output;
  :func:`check_raises` requires it to refuse bad arguments;
- :mod:`~cnnkit.checking.calls`: :func:`call_learner` calls the learner's code and
  classifies the outcome (ok / not written yet / raised), with one wording
  ("your conv2d raised ..."), for the checks here, :mod:`cnnkit.nn.checking` and
  the explorers;
- :mod:`~cnnkit.checking.diagnosis`: :func:`diagnose` names the known mistake
  (``cnnkit.mistakes``) whose result equals the student's, so a failure says what
  went wrong, not only where (:func:`mistake_outputs` runs the mistakes for it);
- :mod:`~cnnkit.checking.differences`: :func:`describe_mismatch`, where two arrays differ;
- :mod:`~cnnkit.checking.forbidding`: :func:`forbid` makes a cnnkit function raise
  :class:`ForbiddenCall` while the student's code runs, so an exercise that
  merely calls its cnnkit counterpart earns nothing;
- :mod:`~cnnkit.checking.answers`: :func:`assert_answer` for check-yourself questions.

Student code runs in the same kernel as the tests. The numpy functions these
helpers rely on are bound when this package is imported (``_numpy.py``, before
any student cell runs), so a student who later replaces ``np.allclose`` changes
nothing here; replacing these helpers themselves is caught by the grader's
integrity check.
"""

from __future__ import annotations

from cnnkit import notebook_errors as _notebook_errors
from cnnkit.checking.answers import assert_answer
from cnnkit.checking.asserts import assert_close, assert_shape
from cnnkit.checking.calls import Outcome, call_learner
from cnnkit.checking.checks import check_function, check_raises
from cnnkit.checking.diagnosis import diagnose, mistake_outputs
from cnnkit.checking.differences import describe_mismatch
from cnnkit.checking.forbidding import ForbiddenCall, allowing, forbid

__all__ = [
    "ForbiddenCall",
    "Outcome",
    "assert_answer",
    "assert_close",
    "assert_shape",
    "call_learner",
    "check_function",
    "check_raises",
    "describe_mismatch",
    "diagnose",
    "forbid",
    "mistake_outputs",
]

# In a notebook, a test cell's NameError says when the exercise cell has a syntax error.
_notebook_errors.install()
