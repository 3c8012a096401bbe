"""``grade --force`` and ``grade --student ID`` (slow: real kernels)."""

from __future__ import annotations

import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, add_submission, autograder, environment,
                             fresh_tmpdir, graded_labels, read_grades)

pytestmark = pytest.mark.slow


def test_force_and_student_regrade_what_they_name(samples, tmp_path):
    """Does --student regrade only the named students (others keep their rows), --force everyone?"""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    for student in ("alice", "bob", "carol"):
        add_submission(samples, "full" if student != "bob" else "partly-right", inbox, student=student)
    env = environment(fresh_tmpdir(tmp_path))
    args = ("grade", inbox, "--out", out, "--no-feedback", *LIMITS, "--source", FIXTURE_SOURCE)
    autograder(*args, env=env)
    first = (out / "grades.csv").read_text()

    run = autograder(*args, "--student", "bob", "--student", "carol", env=env)
    assert graded_labels(run.stderr) == [f"bob/{ASSIGNMENT}", f"carol/{ASSIGNMENT}"]
    assert (out / "grades.csv").read_text() == first, "regrading the same inputs must give the same rows"
    assert sorted(read_grades(out / "grades.csv")) == ["alice", "bob", "carol"]

    run = autograder(*args, "--force", "--jobs", 2, env=env)
    assert sorted(graded_labels(run.stderr)) == [f"{s}/{ASSIGNMENT}" for s in ("alice", "bob", "carol")]
    assert (out / "grades.csv").read_text() == first


def test_an_unknown_student_is_a_usage_error(samples, tmp_path):
    """Does --student with no such submission exit 2, naming it, before grading anything?"""
    inbox = tmp_path / "inbox"
    add_submission(samples, "full", inbox, student="alice")
    run = autograder("grade", inbox, "--out", tmp_path / "out", "--student", "zed", "--source", FIXTURE_SOURCE,
                     check=False, env=environment(fresh_tmpdir(tmp_path)))
    assert run.returncode == 2, run.stdout + run.stderr
    assert "--student zed: no such submission (students found: alice)" in run.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()
