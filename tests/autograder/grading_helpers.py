"""Helpers of the grader's tests: run the real CLI, read grades.csv, the fixture course.

Everything here runs the real CLI (``python -m autograder``) in a subprocess,
with real nbgrader and real kernels.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SOURCE = REPO / "tests" / "fixtures" / "solutions"
ASSIGNMENT = "99_fixture"
HIDDEN_MARKER = "HIDDEN-TEST-MARKER-7f3a"
LIMITS = ["--timeout", "20", "--wall", "120", "--memory", "1536"]


def autograder(*args, check=True, timeout=1200, env=None, prefix=(), cwd=REPO):
    """Run ``[PREFIX...] python -m autograder ARGS`` (environment ``env``, in ``cwd``) and return the CompletedProcess."""
    process = subprocess.run([*prefix, sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                             capture_output=True, text=True, timeout=timeout, env=env)
    if check and process.returncode != 0:
        raise AssertionError(f"autograder {' '.join(map(str, args))} exited {process.returncode}\n"
                             f"stdout:\n{process.stdout}\nstderr:\n{process.stderr}")
    return process


def autograded_points(source: Path = FIXTURE_SOURCE, assignment: str = ASSIGNMENT) -> float:
    """Points of the autograded test cells of ``assignment`` (max_score also counts written answers)."""
    from autograder.notebooks import graded_cells, read_notebook

    notebook = read_notebook(source / assignment / f"{assignment}.ipynb")
    return sum(cell.points for cell in graded_cells(notebook) if cell.autograded)


def full_autograded_marks(row: dict, source: Path = FIXTURE_SOURCE) -> bool:
    """Whether a grades.csv row has every point of its assignment's autograded cells (written answers aside)."""
    from autograder.notebooks import graded_cells, read_notebook

    notebook = read_notebook(source / row["assignment"] / f"{row['assignment']}.ipynb")
    cells = [cell for cell in graded_cells(notebook) if cell.autograded]
    return sum(float(row[cell.grade_id] or 0) for cell in cells) == sum(cell.points for cell in cells) > 0


def read_grades(path: Path) -> dict:
    """grades.csv as {student_id: row}."""
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}




def fresh_tmpdir(parent: Path) -> Path:
    """An empty folder to be a run's TMPDIR (so that what the run leaves there shows)."""
    folder = Path(parent) / "tmpdir"
    folder.mkdir()
    return folder


def environment(tmpdir: Path, **extra) -> dict:
    """This process's environment with ``TMPDIR=tmpdir`` and ``extra``."""
    return {**os.environ, "TMPDIR": str(tmpdir), **extra}


def add_submission(samples: Path, sample: str, inbox: Path, student: str | None = None,
                   sleep: float | None = None) -> Path:
    """Copy ``sample``'s notebook into ``inbox/<student>/``; ``sleep`` adds a first cell sleeping that long."""
    notebook = json.loads((samples / sample / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    if sleep is not None:
        notebook["cells"].insert(0, {"cell_type": "code", "execution_count": None, "metadata": {}, "id": "sleep",
                                     "outputs": [], "source": f"import time\ntime.sleep({sleep})\n"})
    target = inbox / (student or sample) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))
    return target


def graded_labels(stderr: str) -> list[str]:
    """``student/assignment`` of every progress line ``[k/n] student/assignment: status ...``."""
    return [line.split("] ", 1)[1].split(":", 1)[0] for line in stderr.splitlines() if line.startswith("[")]


def processes_with_tmpdir(tmpdir: Path) -> list[str]:
    """Command lines of the live processes whose environment has ``TMPDIR=tmpdir``."""
    needle = f"TMPDIR={tmpdir}".encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and needle in Path(f"/proc/{entry}/environ").read_bytes():
                found.append(Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def wait_for(condition, seconds: float, what: str):
    """Poll ``condition()`` until it returns something true; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds}s waiting for {what}")


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


def grading_worker(grade_pid: int) -> int | None:
    """The worker process of ``grade_pid`` that is running a kernel, if any."""
    for worker in children(grade_pid):
        for child in children(worker):
            try:
                if b"autograder.kernel" in Path(f"/proc/{child}/cmdline").read_bytes():
                    return worker
            except OSError:
                continue
    return None


def start_grade(*args, env) -> subprocess.Popen:
    """Start ``python -m autograder grade ARGS`` in its own process group (as a terminal would)."""
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def copy_tree(source: Path, target: Path) -> None:
    """Copy a package folder without its caches."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))


def give_hand_score(out: Path, student: str, grade_id: str, score: float, comment: str = "",
                    assignment: str = ASSIGNMENT) -> None:
    """What formgrader does when a grader types a score (and a comment) for one cell of a submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(out) / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade(grade_id, assignment, assignment, student)
        grade.manual_score, grade.needs_manual_grade = score, False
        if comment:
            gradebook.find_comment(grade_id, assignment, assignment, student).manual_comment = comment
        gradebook.db.commit()


def with_written_answer(notebook_path: Path, answer: str, target: Path | None = None) -> Path:
    """Write ``notebook_path`` (or a copy at ``target``) with ``answer`` in its written_* cell."""
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("written_"):
            cell.source = answer
    target = Path(target or notebook_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


def stop_when(run: subprocess.Popen, ready, what: str, send, seconds: float = 300):
    """Wait until ``ready()`` is true, call ``send(run.pid, value)``, collect the output; kill the run if it lingers.

    Returns ``(value, stdout, stderr)``: ``value`` is what ``ready()`` returned.
    """
    try:
        value = wait_for(ready, seconds, what)
        send(run.pid, value)
        stdout, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    return value, stdout, stderr
