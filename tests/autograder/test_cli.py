"""``python -m autograder --help`` and argument errors."""

from __future__ import annotations

import pytest
from grading_helpers import autograder

from autograder import cli


def test_help_reads_like_a_man_page():
    """Does --help describe the commands, statuses, examples and exit codes?"""
    text = autograder("--help").stdout
    for expected in ("release [ASSIGNMENT...]", "grade SUBMISSIONS --out DIR", "check NOTEBOOK",
                     "samples ASSIGNMENT", "flagged", "failed", "examples:", "exit codes:", "grades.csv"):
        assert expected in text, expected


def test_grade_help_lists_options_cache_and_interrupt():
    """Does `grade --help` document every option, what is cached and what Ctrl-C does?"""
    text = autograder("grade", "--help").stdout
    for option in ("--jobs", "--timeout", "--wall", "--memory", "--db", "--out", "--force", "--student ID"):
        assert option in text
    for topic in ("what is cached:", "cnnkit", "never cached", "Ctrl-C", "exits 130", "re-run to resume"):
        assert topic in text, topic


def test_bad_arguments_exit_two_with_a_reason(tmp_path):
    """Do a non-positive --jobs, an unknown assignment and an empty folder exit 2 with a message?"""
    run = autograder("grade", tmp_path, "--out", tmp_path / "o", "--jobs", "0", check=False)
    assert run.returncode == 2 and "positive integer" in run.stderr
    run = autograder("release", "00_no_such_chapter", "--check", check=False)
    assert run.returncode == 2 and "unknown assignment" in run.stderr
    (tmp_path / "empty").mkdir()
    run = autograder("grade", tmp_path / "empty", "--out", tmp_path / "o", check=False)
    assert run.returncode == 2 and "no submissions found" in run.stderr


def test_only_usage_errors_exit_two(monkeypatch, capsys):
    """Is a ValueError from a bug left to surface, instead of being reported as a usage error?"""
    def broken(args):
        raise ValueError("a bug deep inside")

    monkeypatch.setattr(cli, "_release", broken)
    with pytest.raises(ValueError, match="a bug deep inside"):
        cli.main(["release"])
    assert "usage" not in capsys.readouterr().err
