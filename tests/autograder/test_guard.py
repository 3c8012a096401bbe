"""The allow-list guard, run in this process on student code compiled like a notebook cell."""

from __future__ import annotations

import sys
import textwrap
import time

import numpy as np
import pytest

import cnnkit
from autograder.guard import guard_exercises
from cnnkit.checking import ForbiddenCall, forbid

X, K = np.arange(25.0).reshape(5, 5), np.array([[1.0, 0.0], [0.0, -1.0]])


def student(source: str, exercises: dict) -> dict:
    """Run ``source`` as a student's cell (its code is not in a file) and guard ``exercises``."""
    namespace = {"np": np, "cnnkit": cnnkit, "__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<student cell>", "exec"), namespace)
    guard_exercises(namespace, exercises)
    return namespace


NUMPY_ONLY = {"corr2d": {"names": ["corr2d"], "allowed": []}}
HONEST = """
def corr2d(x, k):
    h, w = x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1
    return np.array([[np.sum(x[i:i + k.shape[0], j:j + k.shape[1]] * k) for j in range(w)] for i in range(h)])
"""


def test_honest_code_runs_and_cnnkit_works_outside():
    """Does a hand-written exercise give its result, and does cnnkit still work as the reference after it?"""
    ns = student(HONEST, NUMPY_ONLY)
    np.testing.assert_allclose(ns["corr2d"](X, K), cnnkit.corr2d(X, K))
    assert sys.getprofile() is None


@pytest.mark.parametrize("body, found", [
    ("return cnnkit.corr2d(x, k)", "cnnkit.correlate.corr2d"),
    ("return cnnkit.conv2d(x[None, None], k[None, None])[0, 0]", "cnnkit.conv.conv2d"),
    ("from cnnkit.correlate import _valid_correlation as v\n    return v(x, k)", "_valid_correlation"),
    ("f = cnnkit.corr2d\n    return np.asarray(list(map(f, [x], [k]))[0])", "cnnkit.correlate.corr2d"),
])
def test_any_cnnkit_op_not_on_the_line_is_forbidden(body, found):
    """Are the namesake, another op (borrow), a private helper and a call through map all caught?"""
    ns = student(f"def corr2d(x, k):\n    {body}\n", NUMPY_ONLY)
    with pytest.raises(ForbiddenCall, match=f"corr2d called .*{found}.*does not allow \\(numpy only\\)"):
        ns["corr2d"](X, K)


def test_clone_of_the_reference_is_caught_by_its_code():
    """Is a FunctionType clone of cnnkit.corr2d, built before the tests, forbidden wherever it is called?"""
    ns = student("""
        import types
        _clone = types.FunctionType(cnnkit.corr2d.__code__, cnnkit.corr2d.__globals__, "mine", ("valid",))
        corr2d = _clone
        def conv(x, k):
            return _clone(x, k)
    """, {"corr2d": {"names": ["corr2d"], "allowed": []}, "conv": {"names": ["conv"], "allowed": []}})
    for name in ("corr2d", "conv"):
        with pytest.raises(ForbiddenCall, match="cnnkit.correlate.corr2d"):
            ns[name](X, K)


def test_an_allowed_op_runs_with_its_internal_helpers():
    """May an exercise whose line allows cnnkit.conv2d call it (grouped), though conv2d uses private helpers?"""
    ns = student("""
        def depthwise(x, w):
            return cnnkit.conv2d(x, w, groups=x.shape[1])
    """, {"depthwise": {"names": ["depthwise"], "allowed": ["cnnkit.conv2d"]}})
    x, w = np.ones((1, 3, 4, 4)), np.ones((3, 1, 2, 2))
    np.testing.assert_allclose(ns["depthwise"](x, w), np.full((1, 3, 3, 3), 4.0))


def test_the_allow_list_wins_over_a_tests_forbid():
    """Inside an exercise that may call conv2d, does a test's forbid('conv2d') not trap it, while outside it does?"""
    ns = student("def depthwise(x, w):\n    return cnnkit.conv2d(x, w, groups=x.shape[1])\n",
                 {"depthwise": {"names": ["depthwise"], "allowed": ["cnnkit.conv2d"]}})
    x, w = np.ones((1, 2, 3, 3)), np.ones((2, 1, 3, 3))
    with forbid("conv2d"):
        assert ns["depthwise"](x, w).shape == (1, 2, 1, 1)
        with pytest.raises(ForbiddenCall):
            cnnkit.conv2d(x, w, groups=2)


def test_a_callback_handed_in_by_the_test_may_use_cnnkit():
    """Does numerical_gradient(lambda v: cnnkit.conv2d(v, w), ...) run, while the student's own lambda may not?"""
    ns = student("""
        def numerical_gradient(f, x, dout, h=1e-5):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h; plus = np.sum(f(x) * dout)
                x[i] = old - h; minus = np.sum(f(x) * dout)
                x[i] = old
                grad[i] = (plus - minus) / (2 * h)
            return grad
        def sneaky(x, dout):
            return numerical_gradient(lambda v: cnnkit.conv2d(v, np.ones((1, 1, 2, 2))), x, dout)
    """, {"numerical_gradient": {"names": ["numerical_gradient"], "allowed": []},
          "sneaky": {"names": ["sneaky"], "allowed": []}})
    w = np.ones((1, 1, 2, 2))
    x, dout = np.random.default_rng(0).standard_normal((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    grad = ns["numerical_gradient"](lambda v: cnnkit.conv2d(v, w), x.copy(), dout)
    np.testing.assert_allclose(grad, cnnkit.numerical_gradient(lambda v: cnnkit.conv2d(v, w), x.copy(), dout), atol=1e-6)
    with pytest.raises(ForbiddenCall, match="cnnkit.conv.conv2d"):
        ns["sneaky"](x, dout)


def test_swallowing_the_error_or_removing_the_hook_does_not_help():
    """Does the wrapper still fail an exercise that catches ForbiddenCall, or that switches the profiler off?"""
    ns = student("""
        import sys
        def corr2d(x, k):
            try:
                cnnkit.corr2d(x, k)
            except BaseException:
                pass
            return np.zeros((4, 4))
        def conv(x, k):
            sys.setprofile(None)
            return cnnkit.corr2d(x, k)
    """, {"corr2d": {"names": ["corr2d"], "allowed": []}, "conv": {"names": ["conv"], "allowed": []}})
    with pytest.raises(ForbiddenCall, match="cnnkit.correlate.corr2d"):
        ns["corr2d"](X, K)
    with pytest.raises(ForbiddenCall, match="removed the grader's guard"):
        ns["conv"](X, K)
    assert sys.getprofile() is None


def test_classes_are_guarded_method_by_method():
    """Are a notebook class's methods guarded, and is a cnnkit class bound to the exercise's name replaced?"""
    import cnnkit.nn as nn

    ns = student("""
        import cnnkit.nn as nn
        class ReLU(nn.Layer):
            def forward(self, x):
                return cnnkit.nn.ReLU().forward(x)
        Flat = nn.ReLU
        class Own(nn.Layer):
            def __init__(self):
                self.w = nn.Parameter(nn.init.he_normal((2, 2), 0), "w")
            def forward(self, x):
                return np.maximum(x, 0)
    """, {"relu": {"names": ["ReLU"], "allowed": []}, "flat": {"names": ["Flat"], "allowed": []},
          "own": {"names": ["Own"], "allowed": []}})
    x = np.array([[-1.0, 2.0]])
    with pytest.raises(ForbiddenCall, match="cnnkit.nn.layers.ReLU"):
        ns["ReLU"]().forward(x)
    with pytest.raises(ForbiddenCall, match="cnnkit.nn.layers.ReLU"):
        ns["Flat"]().forward(x)
    np.testing.assert_allclose(ns["Own"]().forward(x), [[0.0, 2.0]])
    np.testing.assert_allclose(nn.ReLU().forward(x), [[0.0, 2.0]])  # cnnkit's class is untouched


def test_guarding_twice_is_a_no_op_and_nested_guards_restore_the_outer_one():
    """Is a guarded name left alone by the next check cell, and does an inner exercise keep the outer's rules?"""
    ns = student(HONEST + """
def conv(x, k):
    inner = corr2d(x, k)
    return inner + cnnkit.corr2d(x, k)
""", {"corr2d": {"names": ["corr2d"], "allowed": []},
      "conv": {"names": ["conv"], "allowed": ["cnnkit.corr2d"]}})
    first = ns["corr2d"]
    guard_exercises(ns, NUMPY_ONLY)
    assert ns["corr2d"] is first
    np.testing.assert_allclose(ns["conv"](X, K), 2 * cnnkit.corr2d(X, K))


def test_the_guard_costs_little_on_loop_code():
    """Is a loop-heavy honest exercise at most 3x slower under the guard (measured, printed)?"""
    ns = student(HONEST, NUMPY_ONLY)
    exec(compile(textwrap.dedent(HONEST), "<student cell>", "exec"), raw := {"np": np})
    x = np.random.default_rng(0).standard_normal((120, 120))
    timings = {}
    for name, function in (("plain", raw["corr2d"]), ("guarded", ns["corr2d"])):
        start = time.process_time()  # CPU time: the machine may be shared
        function(x, K)
        timings[name] = time.process_time() - start
    print(f"corr2d 120x120 loops: plain {timings['plain']:.3f}s, guarded {timings['guarded']:.3f}s")
    assert timings["guarded"] < 3 * timings["plain"] + 0.05


@pytest.mark.slow
def test_in_a_kernel_instructor_cells_are_looked_through_and_student_cells_are_not(tmp_path):
    """In a real kernel: may a test's lambda reach cnnkit through an instructor helper, but not a student's lambda?"""
    import nbformat
    from nbclient import NotebookClient

    from autograder.safeguards import cell_file_name

    helper = "def helper(v):\n    return cnnkit.conv2d(v, np.ones((1, 1, 2, 2)))"
    from_test = "out = apply(lambda v: helper(v), np.ones((1, 1, 3, 3)))\nprint(out.shape)"
    spec = {"apply": {"names": ["apply"], "allowed": []}}
    trusted = [cell_file_name(helper), cell_file_name(from_test)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in (
        "import numpy as np\nimport cnnkit", helper, "def apply(f, x):\n    return f(x)",
        f"from autograder.guard import guard_exercises\nguard_exercises(get_ipython().user_ns, {spec!r}, {trusted!r})",
        from_test, "apply(lambda v: helper(v), np.ones((1, 1, 3, 3)))")])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    trusted_run, student_run = nb.cells[4].outputs, nb.cells[5].outputs
    assert [o.get("text") for o in trusted_run] == ["(1, 1, 2, 2)\n"], trusted_run
    assert student_run[0]["ename"] == "ForbiddenCall" and "cnnkit.conv.conv2d" in student_run[0]["evalue"]


def test_standard_library_wrappers_cnnkit_shares_are_not_forbidden():
    """Do a student's own namedtuple, dataclass and contextmanager run inside a numpy-only exercise?

    cnnkit uses all three, and their generated or wrapper code (a namedtuple's methods, a
    dataclass's ``__repr__``, contextlib's generator wrapper) is shared with everybody's.
    """
    ns = student("""
        import collections, contextlib, dataclasses

        Size = collections.namedtuple("Size", "h w")

        @dataclasses.dataclass
        class Window:
            h: int
            w: int

        @contextlib.contextmanager
        def quiet():
            yield

        def corr2d(x, k):
            with quiet():
                size = Size._make((x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1))
                window = Window(*k.shape)
                repr(window), repr(size), size._asdict()
                return np.array([[np.sum(x[i:i + window.h, j:j + window.w] * k) for j in range(size.w)]
                                 for i in range(size.h)])
    """, NUMPY_ONLY)
    np.testing.assert_allclose(ns["corr2d"](X, K), cnnkit.corr2d(X, K))
