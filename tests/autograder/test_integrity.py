"""The integrity check itself, run in this process against a real manifest."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import nbformat
import pytest

import cnnkit.checking
from autograder.integrity import CELL_METADATA_KEY, CHECK_SOURCE, read_verdicts, write_manifest


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    path = tmp_path_factory.mktemp("manifest") / "manifest.json"
    write_manifest(path)
    return str(path)


def _verdict(manifest):
    namespace = {"__name__": "autograder_integrity"}
    exec(CHECK_SOURCE, namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace["run_check"]("n0nce", 0, manifest)
    return out.getvalue().strip()


def test_clean_process_is_ok(manifest):
    """Does an untouched process pass its own manifest?"""
    assert _verdict(manifest) == "AUTOGRADER-INTEGRITY n0nce 0 ok"


@pytest.mark.parametrize("module, name", [(np, "allclose"), (cnnkit.checking, "assert_close")])
def test_redefined_function_is_flagged(manifest, monkeypatch, module, name):
    """Is replacing a numpy function or a checking helper reported by name?"""
    monkeypatch.setattr(module, name, lambda *a, **k: True)
    assert f"{module.__name__}.{name} redefined" in _verdict(manifest)


def test_forbid_leaves_no_trace(manifest):
    """After a forbid block, is cnnkit unchanged (so honest tests never flag)?"""
    with cnnkit.checking.forbid("conv_output_size"):
        pass
    assert _verdict(manifest).endswith(" ok")


def _cell(index, text):
    cell = nbformat.v4.new_code_cell("")
    cell.metadata[CELL_METADATA_KEY] = index
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    return cell


def test_missing_or_forged_verdicts_are_problems():
    """Is a check cell without a verdict, or with another run's nonce, reported?"""
    nb = nbformat.v4.new_notebook(cells=[
        _cell(0, "AUTOGRADER-INTEGRITY abc 0 ok\n"),
        _cell(1, ""),
        _cell(2, "AUTOGRADER-INTEGRITY old 2 ok\n"),
        _cell(3, "AUTOGRADER-INTEGRITY abc 3 FLAG numpy.max redefined\n"),
    ])
    assert read_verdicts(nb, "abc") == [
        "integrity check 1 printed no verdict (output redirected or check broken)",
        "integrity check 2 printed no verdict (output redirected or check broken)",
        "numpy.max redefined",
    ]


def _guard(namespace_of_student):
    """Run GUARD_SOURCE as the grading kernel does, with a stand-in for IPython's user namespace."""
    from types import SimpleNamespace

    from autograder.integrity import GUARD_SOURCE

    shell = SimpleNamespace(user_ns=namespace_of_student)
    namespace = {"__name__": "autograder_integrity", "get_ipython": lambda: shell}
    exec(GUARD_SOURCE, namespace)
    return namespace["guard_exercises"]


def test_guard_makes_an_exercise_that_calls_its_counterpart_raise():
    """Does an exercise that only calls cnnkit's function of the same name fail, alias or not?"""
    import cnnkit

    alias = cnnkit.corr2d
    student = {"corr2d": lambda x, k: alias(x, k), "convolve2d": cnnkit.convolve2d}
    _guard(student)(["corr2d", "convolve2d"])
    x, k = np.ones((3, 3)), np.ones((2, 2))
    with pytest.raises(cnnkit.checking.ForbiddenCall, match="cnnkit's corr2d"):
        student["corr2d"](x, k)
    with pytest.raises(cnnkit.checking.ForbiddenCall, match="cnnkit's convolve2d"):
        student["convolve2d"](x, k)
    np.testing.assert_allclose(cnnkit.corr2d(x, k), np.full((2, 2), 4.0))  # restored outside


def test_guard_leaves_honest_exercises_and_other_names_alone():
    """Does an exercise written by hand still work, and are non-cnnkit names and re-guards no-ops?"""
    def corr2d(x, k):
        h, w = x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1
        return np.array([[np.sum(x[i:i + k.shape[0], j:j + k.shape[1]] * k) for j in range(w)]
                         for i in range(h)])

    def relu(x):
        return np.maximum(x, 0)

    student = {"corr2d": corr2d, "relu": relu}
    guard = _guard(student)
    guard(["corr2d", "relu", "not_defined"])
    guarded = student["corr2d"]
    guard(["corr2d"])
    assert student["corr2d"] is guarded and student["relu"] is relu
    assert guarded.__name__ == "corr2d" and guarded.__wrapped__ is corr2d
    np.testing.assert_allclose(guarded(np.ones((3, 3)), np.ones((2, 2))), np.full((2, 2), 4.0))
