"""No temporary folder survives ``grade`` or ``check`` (slow: real kernels).

Each run gets a fresh, empty TMPDIR; afterwards it must be empty again. The
interrupted run is tested in test_interrupt.py, crashed and lost workers in
test_grader_errors.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, REPO, add_submission, autograder, environment,
                             fresh_tmpdir, grading_worker, processes_with_tmpdir, read_grades, stop_when, wait_for)

pytestmark = pytest.mark.slow


def test_grade_leaves_no_temporary_files(samples, tmp_path):
    """Does a run with a folder and a zip submission leave its TMPDIR empty (workers, intake, kernels)?"""
    inbox, tmpdir = tmp_path / "inbox", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="alice")
    with zipfile.ZipFile(inbox / "bob.zip", "w") as archive:
        archive.write(samples / "partly-right" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    autograder("grade", inbox, "--out", tmp_path / "out", "--jobs", 2, *LIMITS, "--source", FIXTURE_SOURCE,
               env=environment(tmpdir))
    assert sorted(read_grades(tmp_path / "out" / "grades.csv")) == ["alice", "bob"]
    assert os.listdir(tmpdir) == []
    assert processes_with_tmpdir(tmpdir) == []


def test_check_leaves_no_temporary_files(samples, tmp_path):
    """Does check leave its TMPDIR empty?"""
    notebook = tmp_path / f"{ASSIGNMENT}.ipynb"
    shutil.copy(samples / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", notebook)
    tmpdir = fresh_tmpdir(tmp_path)
    run = autograder("check", notebook, *LIMITS, "--source", FIXTURE_SOURCE, env=environment(tmpdir))
    assert "4 / 4 autograded points" in run.stdout
    assert os.listdir(tmpdir) == []


def test_an_interrupted_check_leaves_nothing(samples, tmp_path):
    """Does Ctrl-C during check stop it with exit 130, its kernel gone and its TMPDIR empty?"""
    notebook = add_submission(samples, "full", tmp_path / "inbox", sleep=600)
    tmpdir = fresh_tmpdir(tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "autograder", "check", str(notebook), "--timeout", "900",
                            "--wall", "900", "--source", str(FIXTURE_SOURCE)], cwd=REPO, env=environment(tmpdir),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    _, stdout, stderr = stop_when(run, lambda: grading_worker(run.pid), "check to start its kernel",
                                  lambda pid, worker: os.killpg(pid, signal.SIGINT))
    assert run.returncode == 130, stdout + stderr
    said = [line for line in stderr.strip().splitlines() if not line.startswith("sandbox: ")]
    assert said == ["interrupted"], stderr
    wait_for(lambda: not processes_with_tmpdir(tmpdir), 10, "the kernel to end")
    assert os.listdir(tmpdir) == []


def test_a_run_that_fails_leaves_no_temporary_files_and_keeps_its_results(samples, tmp_path):
    """With the gradebook locked, does grade exit 1 saying so, keep grades.csv and results, and leave nothing?"""
    inbox, out, tmpdir = tmp_path / "inbox", tmp_path / "out", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="alice")
    out.mkdir()
    lock = sqlite3.connect(out / "gradebook.db")
    lock.execute("BEGIN EXCLUSIVE")
    args = ("grade", inbox, "--out", out, "--no-feedback", *LIMITS, "--source", FIXTURE_SOURCE)
    try:
        run = autograder(*args, check=False, env=environment(tmpdir))
    finally:
        lock.close()
    assert run.returncode == 1, run.stdout + run.stderr
    assert "could not record the results in the gradebook" in run.stderr and "database is locked" in run.stderr
    assert "Traceback" not in run.stderr
    assert read_grades(out / "grades.csv")["alice"]["status"] == "graded"
    assert os.listdir(tmpdir) == []
    rerun = autograder(*args, env=environment(tmpdir))
    assert "[1/" not in rerun.stderr, "the graded result is reused"
    with sqlite3.connect(out / "gradebook.db") as db:
        assert db.execute("select count(*) from submitted_assignment").fetchone() == (1,)
