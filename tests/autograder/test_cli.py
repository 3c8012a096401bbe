"""``python -m autograder --help`` and argument errors."""

from __future__ import annotations

from grading_helpers import autograder


def test_help_reads_like_a_man_page():
    """Does --help describe the commands, statuses, examples and exit codes?"""
    text = autograder("--help").stdout
    for expected in ("release [ASSIGNMENT...]", "grade SUBMISSIONS --out DIR", "check NOTEBOOK",
                     "samples ASSIGNMENT", "flagged", "failed", "examples:", "exit codes:", "grades.csv"):
        assert expected in text, expected


def test_grade_help_lists_limits():
    """Does `grade --help` document --jobs, --timeout, --wall, --memory and --db?"""
    text = autograder("grade", "--help").stdout
    for option in ("--jobs", "--timeout", "--wall", "--memory", "--db", "--out"):
        assert option in text


def test_bad_arguments_exit_two_with_a_reason(tmp_path):
    """Do a non-positive --jobs, an unknown assignment and an empty folder exit 2 with a message?"""
    run = autograder("grade", tmp_path, "--out", tmp_path / "o", "--jobs", "0", check=False)
    assert run.returncode == 2 and "positive integer" in run.stderr
    run = autograder("release", "00_no_such_chapter", "--check", check=False)
    assert run.returncode == 2 and "unknown assignment" in run.stderr
    (tmp_path / "empty").mkdir()
    run = autograder("grade", tmp_path / "empty", "--out", tmp_path / "o", check=False)
    assert run.returncode == 2 and "no submissions found" in run.stderr
