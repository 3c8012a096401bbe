"""``release`` and ``release --check`` on the fixture course."""

from __future__ import annotations

import json
import shutil

from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, HIDDEN_MARKER, autograder


def test_release_is_byte_identical_and_check_names_stale_files(tmp_path):
    """Is a re-run byte-identical, and does --check exit 1 naming a changed, missing or extra file?"""
    course = tmp_path / "course"
    args = ("--source", FIXTURE_SOURCE, "--release-dir", course)
    autograder("release", *args)
    released = course / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    first = released.read_bytes()
    autograder("release", *args)
    assert released.read_bytes() == first
    assert autograder("release", "--check", *args).returncode == 0

    released.write_bytes(first.replace(b"A tiny assignment", b"A small assignment"))
    (course / ASSIGNMENT / "notes.txt").write_text("left over")
    run = autograder("release", "--check", *args, check=False)
    assert run.returncode == 1
    assert f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb (differs)" in run.stdout
    assert f"{ASSIGNMENT}/notes.txt (not produced by release)" in run.stdout
    shutil.rmtree(course / ASSIGNMENT)
    run = autograder("release", "--check", *args, check=False)
    assert run.returncode == 1 and "(missing)" in run.stdout


def test_released_notebook_has_no_solutions_hidden_tests_or_outputs(tmp_path):
    """Does the student copy lose solutions and hidden tests, and carry no outputs or counts?"""
    autograder("release", "--source", FIXTURE_SOURCE, "--release-dir", tmp_path)
    text = (tmp_path / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    nb = json.loads(text)
    assert HIDDEN_MARKER not in text and "BEGIN SOLUTION" not in text
    assert "raise NotImplementedError()" in text
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert text == json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
