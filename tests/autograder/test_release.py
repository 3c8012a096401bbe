"""``release`` and ``release --check`` on the fixture course."""

from __future__ import annotations

import json

import pytest
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, HIDDEN_MARKER, autograder

from autograder.release import stale_files


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The fixture course released twice into the same folder; the bytes after each run."""
    course = tmp_path_factory.mktemp("course")
    args = ("--source", FIXTURE_SOURCE, "--release-dir", course)
    notebook = course / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    autograder("release", *args)
    first = notebook.read_bytes()
    autograder("release", *args)
    return {"course": course, "args": args, "notebook": notebook, "first": first, "second": notebook.read_bytes()}


def test_release_is_byte_identical_on_rerun(released):
    """Does a second release write exactly the same bytes?"""
    assert released["second"] == released["first"]


def test_check_passes_then_names_changed_and_extra_files(released):
    """Does --check exit 0 on a fresh release, and 1 naming a changed and an extra file?"""
    assert autograder("release", "--check", *released["args"]).returncode == 0
    notebook, course = released["notebook"], released["course"]
    notebook.write_bytes(released["first"].replace(b"A tiny assignment", b"A small assignment"))
    (course / ASSIGNMENT / "notes.txt").write_text("left over")
    try:
        run = autograder("release", "--check", *released["args"], check=False)
    finally:
        notebook.write_bytes(released["first"])
        (course / ASSIGNMENT / "notes.txt").unlink()
    assert run.returncode == 1
    assert f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb (differs)" in run.stdout
    assert f"{ASSIGNMENT}/notes.txt (not produced by release)" in run.stdout


def test_missing_release_is_stale(tmp_path, released):
    """Is a notebook that release would write but course/ lacks reported as missing?"""
    expected = {f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb": released["first"]}
    assert stale_files(tmp_path, expected, [ASSIGNMENT]) == [f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb (missing)"]


def test_released_notebook_has_no_solutions_hidden_tests_or_outputs(released):
    """Does the student copy lose solutions and hidden tests, and carry no outputs or counts?"""
    text = released["first"].decode()
    nb = json.loads(text)
    assert HIDDEN_MARKER not in text and "BEGIN SOLUTION" not in text
    assert "raise NotImplementedError()" in text
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert text == json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
