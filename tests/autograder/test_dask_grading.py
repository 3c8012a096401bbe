"""``grade --scheduler``: grading on a real Dask cluster (scheduler and workers on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, add_submission, autograder, children,
                             full_autograded_marks, read_grades, start_grade, wait_for)
from services import DaskCluster, dask_problem, require, stop

pytestmark = pytest.mark.slow


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


def _kernels_under(pid: int) -> list[int]:
    """Grading kernels (``python -m autograder.kernel``) in ``pid``'s process tree."""
    kernels = []
    for child in _descendants(pid):
        try:
            if b"autograder.kernel" in Path(f"/proc/{child}/cmdline").read_bytes():
                kernels.append(child)
        except OSError:
            continue
    return kernels


def _kill_tree(worker: subprocess.Popen) -> None:
    """SIGKILL a dask worker (nanny and worker process) and the kernels it started."""
    groups = {os.getpgid(kernel) for kernel in _kernels_under(worker.pid) if os.path.exists(f"/proc/{kernel}")}
    stop(worker)
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass


def test_a_dask_cluster_that_loses_a_worker_mid_run_gives_the_local_grades(bundle, samples, tmp_path):
    """Graded on two Dask workers, one killed mid-notebook, is grades.csv the same as a local run's?"""
    require(dask_problem())
    submissions, out = tmp_path / "submissions", tmp_path / "graded"
    shutil.copytree(samples, submissions)
    with DaskCluster(tmp_path, workers=2) as cluster:
        run = start_grade(submissions, "--out", out, "--scheduler", cluster.address, *LIMITS,
                          "--source", FIXTURE_SOURCE, env={**os.environ})
        try:
            def grading_worker():
                assert run.poll() is None, f"grade ended before a worker graded anything: {run.communicate()}"
                return next((w for w in cluster.workers if _kernels_under(w.pid)), None)

            victim = wait_for(grading_worker, 300, "a dask worker running a grading kernel")
            _kill_tree(victim)
            stdout, stderr = run.communicate(timeout=900)
        finally:
            if run.poll() is None:
                stop(run)
        assert victim.poll() is not None and sum(w.poll() is None for w in cluster.workers) == 1
    assert run.returncode == 0, f"grade exited {run.returncode}\n{stdout}\n{stderr}"
    assert (out / "grades.csv").read_text() == (bundle["out"] / "grades.csv").read_text(), stderr
    pages = sorted(p.relative_to(out / "feedback").as_posix() for p in (out / "feedback").rglob("*.html"))
    assert pages == sorted(p.relative_to(bundle["out"] / "feedback").as_posix()
                           for p in (bundle["out"] / "feedback").rglob("*.html"))
    # resumable: every result was saved, so a re-run needs no worker (the cluster is gone) and changes nothing
    before = (out / "grades.csv").read_bytes()
    again = autograder("grade", submissions, "--out", out, "--scheduler", cluster.address, *LIMITS,
                       "--source", FIXTURE_SOURCE)
    assert (out / "grades.csv").read_bytes() == before and "[1/" not in again.stderr


def test_a_notebook_that_kills_its_workers_gets_a_reason_not_a_hang(samples, tmp_path):
    """Without the sandbox a notebook can kill the dask worker: after the allowed failures, a row says so."""
    require(dask_problem())
    inbox = tmp_path / "inbox"
    add_submission(samples, "full", inbox, student="honest")
    path = add_submission(samples, "full", inbox, student="killer")
    notebook = json.loads(path.read_text())
    notebook["cells"].insert(0, {"cell_type": "code", "execution_count": None, "metadata": {}, "id": "kill",
                                 "outputs": [], "source": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"})
    path.write_text(json.dumps(notebook))
    failures = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    with DaskCluster(tmp_path, workers=1, environment=failures) as cluster:
        run = autograder("grade", inbox, "--out", tmp_path / "out", "--scheduler", cluster.address, *LIMITS,
                         "--sandbox", "off", "--source", FIXTURE_SOURCE, timeout=600)
    grades = read_grades(tmp_path / "out" / "grades.csv")
    assert grades["honest"]["status"] == "graded" and full_autograded_marks(grades["honest"])
    assert grades["killer"]["status"] == "failed", run.stdout
    assert "killed dask workers" in grades["killer"]["reason"], grades["killer"]["reason"]
    assert len(list((tmp_path / "out" / ".results").glob("*.json"))) == 1, "a grader error must not be cached"
