"""Faults of the grader (not of the submission) are retried once and never cached (slow: real kernels).

Each fault is real: a worker process killed with SIGKILL, its scratch folder
deleted while it grades, nbgrader raising NbGraderException, the gradebook
locked by another connection. The last three are injected at nbgrader's
``Autograde.start`` in a ``check`` run (:data:`DRIVER`), the first two from
outside a ``grade`` run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, REPO, add_submission, autograder, environment,
                             fresh_tmpdir, graded_labels, grading_worker, read_grades, start_grade, wait_for)

pytestmark = pytest.mark.slow

# `python driver.py check ...`: the worker processes (spawned: they import this file as
# __mp_main__) get FAULT in the first FAULTS calls of Autograde.start, counted in FAULT_CALLS.
DRIVER = r"""
import os, shutil, sqlite3, sys
from pathlib import Path

import nbgrader.converters
from nbgrader.converters.base import NbGraderException

original = nbgrader.converters.Autograde.start


def start(self):
    with open(os.environ["FAULT_CALLS"], "a") as calls:
        calls.write("call\n")
    if len(Path(os.environ["FAULT_CALLS"]).read_text().split()) > int(os.environ["FAULTS"]):
        return original(self)
    fault = os.environ["FAULT"]
    if fault == "nbgrader-exception":
        raise NbGraderException("Please see the error log")
    if fault == "vanished-scratch":  # <worker folder>/submission-*/course
        shutil.rmtree(Path(self.coursedir.root).parents[1])
        return original(self)
    if fault == "locked-database":
        lock = sqlite3.connect(self.coursedir.db_url.replace("sqlite:///", ""), timeout=0)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            return original(self)
        finally:
            lock.close()


nbgrader.converters.Autograde.start = start

if __name__ == "__main__":
    from autograder.cli import main

    sys.exit(main(sys.argv[1:]))
"""


def _check_with_fault(fault, faults, notebook, tmp_path):
    driver, calls = tmp_path / "driver.py", tmp_path / "autograde-calls"
    driver.write_text(DRIVER)
    run = subprocess.run([sys.executable, str(driver), "check", str(notebook), *LIMITS, "--source", str(FIXTURE_SOURCE)],
                         cwd=REPO, capture_output=True, text=True, timeout=900,
                         env=environment(fresh_tmpdir(tmp_path), FAULT=fault, FAULTS=str(faults), FAULT_CALLS=str(calls)))
    return run, len(calls.read_text().split())


@pytest.mark.parametrize("fault", ["nbgrader-exception", "vanished-scratch", "locked-database"])
def test_a_grader_fault_is_retried_once(fault, samples, tmp_path):
    """Does a fault of nbgrader, a deleted scratch folder or a locked gradebook cost one retry, not the grade?"""
    notebook = add_submission(samples, "full", tmp_path / "inbox")
    run, calls = _check_with_fault(fault, 1, notebook, tmp_path)
    assert run.returncode == 0 and "4 / 4 autograded points" in run.stdout, run.stdout + run.stderr
    assert calls == 2
    assert os.listdir(tmp_path / "tmpdir") == []


def test_a_fault_that_persists_says_grader_error(samples, tmp_path):
    """When the retry fails too, does check exit 3 saying it was the grader's fault?"""
    notebook = add_submission(samples, "full", tmp_path / "inbox")
    run, calls = _check_with_fault("nbgrader-exception", 2, notebook, tmp_path)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "could not be graded: grader error: nbgrader could not grade it" in run.stdout
    assert calls == 2


def _kill_grading_worker(run, seconds=300):
    worker = wait_for(lambda: grading_worker(run.pid), seconds, "a worker grading the sleeper")
    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: grading_worker(run.pid) != worker, 30, "the killed worker to go")


def test_a_crashed_worker_is_retried_and_the_batch_goes_on(samples, tmp_path):
    """Is a submission whose worker was killed graded on a fresh worker, cached, with the others graded too?"""
    inbox, out, tmpdir = tmp_path / "inbox", tmp_path / "out", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="a-sleeper", sleep=5)
    add_submission(samples, "partly-right", inbox, student="b-after")
    run = start_grade(inbox, "--out", out, "--jobs", 1, *LIMITS, "--source", FIXTURE_SOURCE, env=environment(tmpdir))
    _kill_grading_worker(run)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stdout + stderr
    grades = read_grades(out / "grades.csv")
    assert grades["a-sleeper"]["status"] == "graded" and grades["a-sleeper"]["score"] == "4", grades["a-sleeper"]
    assert grades["b-after"]["status"] == "graded"
    assert len(list((out / ".results").glob("*.json"))) == 2
    assert os.listdir(tmpdir) == []


def test_a_worker_killed_twice_fails_the_row_uncached_and_a_rerun_grades_it(samples, tmp_path):
    """After two crashes, does the row say grader error (not cached), and does the next run grade it?"""
    inbox, out, tmpdir = tmp_path / "inbox", tmp_path / "out", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="sleeper", sleep=5)
    args = (inbox, "--out", out, "--jobs", 1, *LIMITS, "--source", FIXTURE_SOURCE)
    run = start_grade(*args, env=environment(tmpdir))
    _kill_grading_worker(run)
    _kill_grading_worker(run)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stdout + stderr
    row = read_grades(out / "grades.csv")["sleeper"]
    assert row["status"] == "failed" and row["score"] == "0"
    assert row["reason"] == "grader error: worker process died (killed by signal 9) (not cached; re-run to retry)"
    assert list((out / ".results").glob("*.json")) == [], "a grader error must not be cached"
    assert os.listdir(tmpdir) == []

    rerun = autograder("grade", *args, env=environment(tmpdir))
    assert graded_labels(rerun.stderr) == [f"sleeper/{ASSIGNMENT}"]
    assert read_grades(out / "grades.csv")["sleeper"]["status"] == "graded"


def test_a_worker_whose_folder_is_deleted_mid_run_recovers(samples, tmp_path):
    """Does a worker whose scratch folder is deleted while it grades make it again and grade the submission?"""
    inbox, out, tmpdir = tmp_path / "inbox", tmp_path / "out", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="sleeper", sleep=5)
    run = start_grade(inbox, "--out", out, "--jobs", 1, *LIMITS, "--source", FIXTURE_SOURCE, env=environment(tmpdir))
    wait_for(lambda: grading_worker(run.pid), 300, "the worker to grade")
    [folder] = list(tmpdir.rglob("autograder-worker-*"))
    shutil.rmtree(folder)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stdout + stderr
    row = read_grades(out / "grades.csv")["sleeper"]
    assert (row["status"], row["score"], row["reason"]) == ("graded", "4", ""), row
    assert os.listdir(tmpdir) == []
