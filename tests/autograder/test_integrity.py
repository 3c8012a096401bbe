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
