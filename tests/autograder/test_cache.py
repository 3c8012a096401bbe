"""The result cache: its key covers everything that decides a grade, and nothing else."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, add_submission, autograder, copy_tree,
                             environment, fresh_tmpdir, graded_labels, read_grades)

from autograder import cache as cache_module
from autograder.cache import ResultCache, package_folders
from autograder.config import Limits
from autograder.intake.model import Submission


@pytest.fixture
def editable_packages(tmp_path, monkeypatch):
    """Copies of autograder and cnnkit that the cache digests instead of the installed ones."""
    copies = {}
    for name, folder in package_folders().items():
        copies[name] = tmp_path / "lib" / name
        copy_tree(folder, copies[name])
    monkeypatch.setattr(cache_module, "package_folders", lambda: copies)
    return copies


def test_the_digested_cnnkit_is_the_one_kernels_import():
    """Is the cnnkit digested the one a kernel imports (no stray copy in the working directory)?"""
    import cnnkit

    assert package_folders()["cnnkit"] == Path(cnnkit.__file__).resolve().parent


def _key(tmp_path, limits=Limits(), assignment_digest="source-v1", notebook=b"{}"):
    path = tmp_path / "submitted.ipynb"
    path.write_bytes(notebook)
    cache = ResultCache(tmp_path / "results", {ASSIGNMENT: assignment_digest}, limits)
    return cache.key(Submission("alice", ASSIGNMENT, {ASSIGNMENT: str(path)}))


@pytest.mark.parametrize("package, file", [("cnnkit", "checking.py"), ("autograder", "collect.py")])
def test_editing_the_reference_or_the_grader_changes_the_key(editable_packages, tmp_path, package, file):
    """Does a change in cnnkit (the tests' reference and tolerances) or in the grader give a new key?"""
    before = _key(tmp_path)
    assert _key(tmp_path) == before, "the key must be stable"
    with open(editable_packages[package] / file, "a") as handle:
        handle.write("\n# tolerance reviewed\n")
    assert _key(tmp_path) != before


def _other(value):
    """A different value of a limit's type: the other bool (the sandbox), the next int."""
    return not value if isinstance(value, bool) else value + 1


def test_everything_else_that_decides_a_grade_changes_the_key(tmp_path):
    """Do the submission, the assignment's source and each limit (the sandbox too) change the key?"""
    before = _key(tmp_path)
    changed = [_key(tmp_path, notebook=b'{"x": 1}'), _key(tmp_path, assignment_digest="source-v2")]
    changed += [_key(tmp_path, limits=dataclasses.replace(Limits(), **{field.name: _other(getattr(Limits(), field.name))}))
                for field in dataclasses.fields(Limits)]
    assert before not in changed and len(set(changed)) == len(changed)


def test_a_grader_error_is_never_stored(tmp_path):
    """Does the cache refuse a grader error and keep a final result?"""
    cache = ResultCache(tmp_path / "results", {}, Limits())
    assert not cache.save("k1", {"status": "failed", "reason": "grader error: x", "grader_error": True})
    assert cache.load("k1") is None
    assert cache.save("k2", {"status": "failed", "reason": "kernel died"})
    assert cache.load("k2")["reason"] == "kernel died"


@pytest.mark.slow
def test_a_run_after_editing_cnnkit_grades_again(samples, tmp_path):
    """With cnnkit imported from a copy, is a cached result reused until the copy's checking.py changes?"""
    inbox, out, lib = tmp_path / "inbox", tmp_path / "out", tmp_path / "lib"
    add_submission(samples, "full", inbox)
    copy_tree(package_folders()["cnnkit"], lib / "cnnkit")
    env = environment(fresh_tmpdir(tmp_path), PYTHONPATH=str(lib))

    def grade():  # run outside the repository, so that every process imports the copy
        return autograder("grade", inbox, "--out", out, "--no-feedback", *LIMITS, "--source", FIXTURE_SOURCE,
                          env=env, cwd=tmp_path)

    assert graded_labels(grade().stderr) == [f"full/{ASSIGNMENT}"]
    assert graded_labels(grade().stderr) == [], "nothing changed: the result is reused"
    with open(lib / "cnnkit" / "checking.py", "a") as handle:
        handle.write("\n# tolerance reviewed\n")
    assert graded_labels(grade().stderr) == [f"full/{ASSIGNMENT}"]
    assert read_grades(out / "grades.csv")["full"]["status"] == "graded"
    assert len(os.listdir(out / ".results")) == 2
