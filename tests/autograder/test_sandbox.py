"""The sandboxed grading kernel (real bubblewrap, real nbgrader, real kernels).

A hostile student (``mallory``) graded after a classmate (``alice``) in the same
run tries to read the scratch course's source notebook (hidden tests), the
gradebook, the worker's template, the solutions, alice's submission and
feedback, and to open sockets. With the sandbox each attempt fails inside the
kernel; with ``--sandbox off`` the same reads succeed (so the probes do
reach the files, and the sandbox is what stops them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, HIDDEN_MARKER, LIMITS, REPO, autograder,
                             full_autograded_marks, read_grades)

from autograder.sandbox import KernelJail, python_roots, sandbox_problem

pytestmark = pytest.mark.slow

PROBE = r'''
import glob, os, socket

def _probe(label, action):  # the verdicts are built at run time: the feedback quotes this source
    try:
        print("READ" + "-OK", label, action())
    except Exception as error:
        print("BLOCK" + "ED", label, type(error).__name__)

def _read_all(paths):
    texts = [open(path, "rb").read().decode("utf-8", "replace") for path in paths]
    if not texts:
        raise FileNotFoundError("nothing found")
    hidden = [line for text in texts for line in text.splitlines() if "HIDDEN" in line]
    return f"{len(hidden)} hidden-test lines in {len(texts)} files"  # counted, not quoted: feedback drops quotes

def _connect(address):
    with socket.create_connection(address, timeout=5):
        return "connected"

_course = os.getcwd().split("/autograded/")[0]
_scratch = os.path.dirname(_course)
_probe("own-folder-notebook", lambda: _read_all(glob.glob("*.ipynb")))
_probe("source-relative", lambda: _read_all(glob.glob("../../../source/*/*.ipynb")))
_probe("source-absolute", lambda: _read_all(glob.glob(_course + "/source/*/*.ipynb")))
_probe("worker-template", lambda: _read_all(glob.glob(os.path.dirname(_scratch) + "/template-*/course/source/*/*.ipynb")))
_probe("grader-temp-folder", lambda: _read_all(glob.glob(TEMP + "/autograder-*/**/*.ipynb", recursive=True)))
_probe("gradebook-relative", lambda: _read_all(["../../../../db/gradebook.db"]))
_probe("gradebook-absolute", lambda: _read_all([_scratch + "/db/gradebook.db"]))
_probe("solutions", lambda: _read_all(glob.glob(SOLUTIONS + "/*/*.ipynb")))
_probe("sibling-listing", lambda: os.listdir(SUBMISSIONS + "/alice"))
_probe("sibling-notebook", lambda: _read_all(glob.glob(SUBMISSIONS + "/alice/*/*.ipynb")))
# alice's graded notebook (the parent writes feedback pages only when the run ends)
_probe("sibling-graded", lambda: _read_all(glob.glob(OUT + "/.staged/*/*.ipynb")))
_probe("loopback", lambda: _connect(("127.0.0.1", PORT)))
if OUTSIDE:  # only where no route exists: the connect fails at once, nothing is sent
    _probe("outside", lambda: _connect(("10.255.255.1", 9)))
'''
READS = ["own-folder-notebook", "source-relative", "source-absolute", "worker-template", "grader-temp-folder",
         "gradebook-relative", "gradebook-absolute", "solutions", "sibling-listing", "sibling-notebook",
         "sibling-graded"]


@pytest.fixture(scope="module")
def bubblewrap():
    """Skip (fail on CI) where bubblewrap cannot sandbox a kernel."""
    problem = sandbox_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the sandbox tests: {problem}")
        pytest.skip(f"no working bubblewrap: {problem}")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The sample bundle of the fixture assignment (written, not graded)."""
    root = tmp_path_factory.mktemp("sandbox-samples")
    autograder("samples", ASSIGNMENT, "--out", root, "--source", FIXTURE_SOURCE)
    return root


@pytest.fixture(scope="module")
def listener():
    """A TCP port listening on the grader's own 127.0.0.1."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def _notebook(samples, student):
    return samples / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _grade_alice_then_mallory(samples, root, port, sandbox):
    """Grade alice (full) and mallory (full + the probe cell) in one run; return (run, out)."""
    submissions, out = root / "submissions", root / "out"
    (submissions / "alice" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(_notebook(samples, "full"), submissions / "alice" / ASSIGNMENT)
    nb = nbformat.read(_notebook(samples, "full"), as_version=4)
    constants = (f"SOLUTIONS, SUBMISSIONS, OUT = {str(FIXTURE_SOURCE)!r}, {str(submissions)!r}, {str(out)!r}\n"
                 f"TEMP, PORT, OUTSIDE = {tempfile.gettempdir()!r}, {port}, {sandbox == 'on'}\n")
    nb.cells.insert(2, nbformat.v4.new_code_cell(constants + PROBE))
    (submissions / "mallory" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(nb, submissions / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    run = autograder("grade", submissions, "--out", out, "--jobs", 1, *LIMITS, "--sandbox", sandbox,
                     "--source", FIXTURE_SOURCE)
    return run, out


def _printed(out, student):
    return (out / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


@pytest.fixture(scope="module")
def sandboxed(bubblewrap, samples, listener, tmp_path_factory):
    return _grade_alice_then_mallory(samples, tmp_path_factory.mktemp("sandbox-on"), listener, "on")


@pytest.fixture(scope="module")
def unsandboxed(samples, listener, tmp_path_factory):
    return _grade_alice_then_mallory(samples, tmp_path_factory.mktemp("sandbox-off"), listener, "off")


def test_reads_and_sockets_fail_inside_the_sandbox(sandboxed):
    """Does every read of the hidden tests, gradebook, solutions or a classmate, and every socket, fail?"""
    run, out = sandboxed
    assert run.stderr.count("sandbox: on") == 1, run.stderr
    printed = _printed(out, "mallory")
    blocked = [label for label in [*READS, "loopback", "outside"] if f"BLOCKED {label} " in printed]
    assert blocked == [*READS, "loopback", "outside"], f"probes that did not report BLOCKED: {printed[-3000:]}"
    assert "READ-OK" not in printed
    everything = printed + (out / "grades.csv").read_text() + run.stdout + run.stderr
    everything += "".join(p.read_text() for p in (out / ".results").glob("*.json"))
    assert HIDDEN_MARKER not in everything and "READ-OK" not in everything
    assert "BLOCKED outside OSError" in printed, "an outside connect should fail at once (no route), not time out"
    grades = read_grades(out / "grades.csv")
    assert grades["alice"]["status"] == "graded" and full_autograded_marks(grades["alice"])
    assert grades["mallory"]["status"] != "failed", grades["mallory"]["reason"]


def test_without_the_sandbox_the_same_probes_succeed(unsandboxed):
    """Control: with --sandbox off, do the probes reach the files and the loopback port they aim at?"""
    run, out = unsandboxed
    assert run.stderr.count("sandbox: off (--sandbox off)") == 1, run.stderr
    printed = _printed(out, "mallory")
    missed = [label for label in [*READS, "loopback"] if f"READ-OK {label} " not in printed]
    assert not missed, f"probes that did not reach their target without the sandbox: {missed}"
    found = re.search(r"READ-OK source-relative (\d+) hidden-test lines", printed)
    assert found and int(found.group(1)) > 0, "the source-notebook probe should find hidden tests without the sandbox"


def test_a_full_submission_scores_the_same_with_and_without_the_sandbox(sandboxed, unsandboxed):
    """Is alice's row (score, per-question points, status, reason) identical with the sandbox on and off?"""
    on, off = (read_grades(out / "grades.csv")["alice"] for _, out in (sandboxed, unsandboxed))
    assert on == off
    assert full_autograded_marks(on) and on["status"] == "graded"


def test_the_kernel_sees_python_its_folder_copy_and_nothing_else(bubblewrap, tmp_path):
    """Inside the jail: a notebook-free copy of the folder, Python, cnnkit, autograder, the manifest; no repo, env or host pids."""
    folder = tmp_path / "course" / "autograded" / "s" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text("{}")
    (folder / "data.txt").write_text("shipped with the assignment")
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"fixed_modules": []}')
    script = f"""
import json, os
import cnnkit, autograder.integrity
report = {{"cwd": os.getcwd(), "files": sorted(os.listdir(".")), "repo": sorted(os.listdir({str(REPO)!r})),
          "manifest": open({str(manifest)!r}).read(), "env": sorted(os.environ), "home": os.environ["HOME"],
          "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
          "course": os.path.exists({str(tmp_path / 'course' / 'source')!r}), "shadow": os.path.exists("/etc/shadow")}}
open("written.txt", "w").write("kernel output")
try:
    open({str(REPO / 'cnnkit' / 'sandbox-was-here')!r}, "w")
    report["wrote_cnnkit"] = True
except OSError:
    report["wrote_cnnkit"] = False
print(json.dumps(report))
"""
    jail = KernelJail(str(folder), str(tmp_path), [str(manifest)])
    try:
        run = subprocess.run(jail.wrap([sys.executable, "-c", script]), capture_output=True, text=True,
                             cwd=folder, env={**os.environ, "SECRET_TOKEN": "x"}, timeout=60)
    finally:
        jail.remove()
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    inside_repo = {Path(r).relative_to(REPO).parts[0] for r in python_roots() if Path(r).is_relative_to(REPO)}
    assert seen["repo"] == sorted(inside_repo) and {"cnnkit", "autograder"} <= set(seen["repo"])
    assert seen["cwd"] == str(folder) and seen["files"] == ["data.txt"]
    assert seen["manifest"] == manifest.read_text() and seen["home"] == "/tmp"
    assert "SECRET_TOKEN" not in seen["env"] and max(seen["pids"]) < 100
    assert not seen["course"] and not seen["shadow"] and not seen["wrote_cnnkit"]
    assert not (folder / "written.txt").exists(), "the kernel's writes must stay in its private copy"
    assert not Path(jail.root).exists()


def test_sandbox_on_without_bwrap_exits_2_and_auto_says_off(tmp_path):
    """Without bwrap on PATH: does --sandbox on exit 2 naming the problem, and auto say off in one line?"""
    bare = {**os.environ, "PATH": os.path.dirname(sys.executable)}
    (tmp_path / "empty").mkdir()
    run = autograder("grade", tmp_path / "empty", "--out", tmp_path / "out", "--sandbox", "on",
                     "--source", FIXTURE_SOURCE, check=False, env=bare)
    assert run.returncode == 2, run.stderr
    assert "--sandbox on: bwrap is not on PATH" in run.stderr and "Traceback" not in run.stderr
    run = autograder("grade", tmp_path / "empty", "--out", tmp_path / "out", "--source", FIXTURE_SOURCE,
                     check=False, env=bare)
    lines = [line for line in run.stderr.splitlines() if line.startswith("sandbox:")]
    assert lines == [lines[0]] and lines[0].startswith("sandbox: off (bwrap is not on PATH"), run.stderr


def test_wall_limit_holds_without_proc(bubblewrap, samples, tmp_path):
    """With /proc hidden from the grader, is an endless loop still stopped by the wall limit?"""
    inbox = tmp_path / "inbox"
    shutil.copytree(samples / "infinite-loop", inbox / "infinite-loop")
    no_proc = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/proc", "--die-with-parent"]
    autograder("grade", inbox, "--out", tmp_path / "out", "--jobs", 1, "--timeout", 300, "--wall", 15,
               "--no-feedback", "--sandbox", "off", "--source", FIXTURE_SOURCE, prefix=no_proc, timeout=240)
    row = read_grades(tmp_path / "out" / "grades.csv")["infinite-loop"]
    assert row["status"] == "failed" and "wall limit of 15s exceeded" in row["reason"], row
