"""``python -m autograder check`` on real notebooks (slow: real kernels)."""

from __future__ import annotations

import shutil

import pytest

from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, HIDDEN_MARKER, LIMITS, autograder

pytestmark = pytest.mark.slow


def _notebook(bundle, student, tmp_path):
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    shutil.copy(bundle["submissions"] / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", path)
    return path


def test_full_marks_exit_zero(bundle, tmp_path):
    """Does a complete notebook exit 0 and report every point?"""
    run = autograder("check", _notebook(bundle, "full", tmp_path), *LIMITS, "--source", FIXTURE_SOURCE)
    assert "4 / 4 autograded points" in run.stdout
    assert "graded by hand" in run.stdout


def test_missing_points_exit_one_with_messages_but_no_hidden_source(bundle, tmp_path):
    """Does an unfinished or cheating notebook exit 1, say why, and never print hidden tests?"""
    run = autograder("check", _notebook(bundle, "calls-cnnkit", tmp_path), *LIMITS,
                     "--source", FIXTURE_SOURCE, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "ForbiddenCall" in run.stdout and "conv_output_size" in run.stdout
    assert HIDDEN_MARKER not in run.stdout + run.stderr
    assert "check_function(" not in run.stdout


def test_unreadable_notebook_exits_three(bundle, tmp_path):
    """Does a corrupt notebook exit 3 with a reason?"""
    run = autograder("check", _notebook(bundle, "corrupt-json", tmp_path), "--source", FIXTURE_SOURCE, check=False)
    assert run.returncode == 3 and "corrupt notebook" in run.stdout


def test_a_syntax_error_is_named_instead_of_name_errors(bundle, tmp_path):
    """Does a broken answer cell show as a syntax error (cell, line) on its tests and in the note?"""
    import nbformat

    from autograder.notebooks import nbgrader_metadata

    path = _notebook(bundle, "full", tmp_path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if nbgrader_metadata(cell).get("grade_id") == "conv_output_size":
            cell.source = "def conv_output_size(size, kernel_size, stride=1, padding=0):\n    return (size -\n"
    nbformat.write(nb, path)
    run = autograder("check", path, *LIMITS, "--source", FIXTURE_SOURCE, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "SyntaxError: the conv_output_size cell has a syntax error (line 2" in run.stdout
    assert "NameError" not in run.stdout
    assert "Note: syntax error in the conv_output_size cell, line 2" in run.stdout
