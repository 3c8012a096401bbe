"""Ctrl-C, SIGTERM and SIGHUP during ``grade``: a real run, stopped the way a terminal or a service manager does it.

Slow: real kernels.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, add_submission, autograder, children, environment,
                             fresh_tmpdir, full_autograded_marks, graded_labels, grading_worker,
                             processes_with_tmpdir, read_grades, start_grade, stop_when, wait_for)

pytestmark = pytest.mark.slow


def test_ctrl_c_stops_within_seconds_keeps_finished_work_and_resumes(samples, tmp_path):
    """Does SIGINT to the run's process group exit 130 at once with one line, keep the result, leave nothing?"""
    inbox, out, tmpdir = tmp_path / "inbox", tmp_path / "out", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="a-first")
    add_submission(samples, "full", inbox, student="b-sleeper", sleep=600)
    add_submission(samples, "partly-right", inbox, student="c-last")
    env = environment(tmpdir)
    args = (inbox, "--out", out, "--jobs", 1, "--timeout", 900, "--wall", 900, "--source", FIXTURE_SOURCE)
    run = start_grade(*args, env=env)
    try:
        wait_for(lambda: list((out / ".results").glob("*.json")), 300, "the first result to be saved")
        wait_for(lambda: grading_worker(run.pid), 120, "the sleeper's kernel to start")
        started = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=60)
        stopped = time.monotonic() - started
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stdout + stderr
    assert stopped < 15, f"the run took {stopped:.1f}s to stop"
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    other = [line for line in stderr.splitlines()  # progress lines and the sandbox's one line aside
             if line.strip() and not line.startswith(("[", "sandbox: "))]
    assert other == ["interrupted: 1 of 3 graded; re-run to resume"], stderr
    assert graded_labels(stderr) == [f"a-first/{ASSIGNMENT}"]
    assert len(list((out / ".results").glob("*.json"))) == 1, "the finished result must be kept"
    wait_for(lambda: not processes_with_tmpdir(tmpdir), 10, "the run's workers and kernels to end")
    assert os.listdir(tmpdir) == [], "the interrupted run left temporary files"

    add_submission(samples, "full", inbox, student="b-sleeper")  # the same command, minus the long sleep
    rerun = autograder("grade", *args, env=env)
    assert sorted(graded_labels(rerun.stderr)) == [f"b-sleeper/{ASSIGNMENT}", f"c-last/{ASSIGNMENT}"]
    grades = read_grades(out / "grades.csv")
    assert sorted(grades) == ["a-first", "b-sleeper", "c-last"]
    assert full_autograded_marks(grades["a-first"]), grades["a-first"]
    assert os.listdir(tmpdir) == []


def _jails(worker: int) -> set[str]:
    """The sandbox folders of ``worker``'s kernels (from bwrap's ``--bind <jail>/s`` arguments)."""
    found = set()
    for child in children(worker):
        try:
            arguments = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        found |= {os.path.dirname(a.decode()) for a in arguments if re.search(rb"kernel-[^/]+/s$", a)}
    return found


@pytest.mark.parametrize("how", ["SIGTERM to grade", "SIGHUP to its process group"])
def test_sigterm_and_sighup_stop_grade_as_ctrl_c_does(samples, tmp_path, how):
    """Does `kill PID` (a service manager) or a closed terminal stop grade cleanly: 130, no kernel, no jail, no file?"""
    inbox, out, tmpdir = tmp_path / "inbox", tmp_path / "out", fresh_tmpdir(tmp_path)
    add_submission(samples, "full", inbox, student="sleeper", sleep=600)
    run = start_grade(inbox, "--out", out, "--jobs", 1, "--timeout", 900, "--wall", 900, "--source", FIXTURE_SOURCE,
                      env=environment(tmpdir))
    jails = set()

    def send(pid: int, worker: int) -> None:
        jails.update(_jails(worker))  # empty when the kernel is not sandboxed
        if how.startswith("SIGTERM"):
            os.kill(pid, signal.SIGTERM)
        else:
            os.killpg(pid, signal.SIGHUP)

    _, stdout, stderr = stop_when(run, lambda: grading_worker(run.pid), "the sleeper's kernel to start", send)
    assert run.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "interrupted: 0 of 1 graded; re-run to resume" in stderr, stderr
    wait_for(lambda: not processes_with_tmpdir(tmpdir), 10, "the run's workers and kernels to end")
    assert os.listdir(tmpdir) == [], "the stopped run left temporary files"
    assert not [jail for jail in jails if os.path.exists(jail)], "a kernel's sandbox folder outlived the run"
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert left == ["preflight.txt"], f"the stopped run wrote {left}"
