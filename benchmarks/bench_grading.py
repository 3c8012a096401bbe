"""Grading speed: notebooks per minute of the grader and of plain nbgrader, side by side.

Every run grades the same submissions, the full solutions of all chapters in
solutions/ (``--copies`` students each hand in every chapter), with feedback on,
into a fresh folder:

    .venv/bin/python benchmarks/bench_grading.py [--copies 2] [--sandbox auto|on|off]

Rows: ``python -m autograder grade`` at ``--jobs 1`` and ``--jobs 2``, on a Dask
scheduler with 1 and 2 workers started here (``--nthreads 1``; skipped, with the
reason, without the ``scale`` extra), and plain
``nbgrader autograde`` + ``nbgrader generate_feedback`` (one command per chapter,
nbgrader's defaults, no sandbox) on a scratch nbgrader course. The last column is
the speed relative to plain nbgrader. A runner is a function
``(inbox, out) -> seconds``; another way to grade (a Dask cluster, say) is one
more entry in :func:`runners`.

Below the table: the seconds each chapter's notebook took inside its worker
(kernel start-up, student code, tests, feedback) at ``--jobs 1``, and the CPU
seconds of that run. On a shared machine wall times mean little: CPU seconds per
notebook give the projection for 2 idle cores. A sandboxed kernel runs under
bubblewrap's init in its own PID namespace and its CPU time never reaches
getrusage(): use ``--sandbox off`` for the CPU figures.

Last, the profile of :mod:`_grading_profile`: for each chapter, the seconds of
its first cell (imports), its other cells, the integrity checks between them, the
worker outside the kernel and the feedback page, and the throughput the cells
alone allow.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "tests" / "autograder"))  # DaskCluster: the tests' real scheduler and workers

from _grading_profile import print_profile  # noqa: E402
from autograder.config import SOURCE_DIRECTORY, list_assignments  # noqa: E402

Runner = Callable[[Path, Path], float]
NBGRADER_CONFIG = """c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.Execute.timeout = 60
"""


def full_solutions(chapters: list[str], root: Path) -> dict[str, Path]:
    """Chapter -> the student notebook with every exercise solved (``samples``' ``full``)."""
    from autograder.release import build_release
    from autograder.samples import build_samples

    notebooks = {}
    for chapter in chapters:
        released = build_release(SOURCE_DIRECTORY, [chapter])[f"{chapter}/{chapter}.ipynb"].decode()
        bundle = root / "samples" / chapter
        build_samples(SOURCE_DIRECTORY / chapter / f"{chapter}.ipynb", released, chapter, bundle)
        notebooks[chapter] = bundle / "full" / chapter / f"{chapter}.ipynb"
    return notebooks


def make_inbox(notebooks: dict[str, Path], root: Path, copies: int) -> Path:
    """``root/inbox/<student>/<chapter>/<chapter>.ipynb`` for ``copies`` students."""
    inbox = root / "inbox"
    for index in range(copies):
        for chapter, notebook in notebooks.items():
            folder = inbox / f"student{index:03d}" / chapter
            folder.mkdir(parents=True)
            shutil.copy(notebook, folder / notebook.name)
    return inbox


def _timed(commands: list[list[str]], cwd: Path) -> float:
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def grader(*options: str, sandbox: str = "auto") -> Runner:
    """A runner: ``python -m autograder grade INBOX --out OUT`` with ``options`` (feedback on)."""
    def run(inbox: Path, out: Path) -> float:
        return _timed([[sys.executable, "-m", "autograder", "grade", str(inbox), "--out", str(out),
                        "--db", "none", "--sandbox", sandbox, *options]], REPO)
    return run


def plain_nbgrader(inbox: Path, out: Path) -> float:
    """A runner: nbgrader's own ``autograde`` and ``generate_feedback``, one chapter at a time.

    The scratch course (source, gradebook with the assignments) is set up untimed.
    """
    chapters = sorted({path.parent.name for path in inbox.glob("*/*/*.ipynb")})
    nbgrader = [sys.executable, "-m", "nbgrader"]
    out.mkdir(parents=True)
    (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(out)))
    for chapter in chapters:
        shutil.copytree(SOURCE_DIRECTORY / chapter, out / "source" / chapter)
    _timed([[*nbgrader, "generate_assignment", chapter, "--force"] for chapter in chapters], out)
    shutil.copytree(inbox, out / "submitted")
    commands = []
    for chapter in chapters:
        commands += [[*nbgrader, "autograde", chapter, "--force", "--Autograde.create_student=True"],
                     [*nbgrader, "generate_feedback", chapter, "--force"]]
    return _timed(commands, out)


def dask_grader(workers: int, sandbox: str = "auto") -> Runner:
    """A runner: ``grade --scheduler`` on a Dask scheduler and ``workers`` workers started on 127.0.0.1.

    The cluster starts untimed; the run's time includes each worker's first-task start-up. ``--jobs
    workers``: the parent renders the feedback pages in as many processes.
    """
    def run(inbox: Path, out: Path) -> float:
        from services import DaskCluster

        folder = out.parent / f"{out.name}-cluster"
        folder.mkdir()
        with DaskCluster(folder, workers) as cluster:
            return grader("--scheduler", cluster.address, "--jobs", str(workers), sandbox=sandbox)(inbox, out)
    return run


def runners(sandbox: str) -> list[tuple[str, Runner]]:
    """The rows of the table, in order; the ratios are taken to the ``nbgrader`` row."""
    from services import dask_problem

    rows = [("local --jobs 1", grader("--jobs", "1", sandbox=sandbox)),
            ("local --jobs 2", grader("--jobs", "2", sandbox=sandbox))]
    problem = dask_problem()
    if problem:
        print(f"the Dask rows are skipped: {problem}")
    else:
        rows += [("dask, 1 worker", dask_grader(1, sandbox)), ("dask, 2 workers", dask_grader(2, sandbox))]
    return rows + [("nbgrader autograde", plain_nbgrader)]


def seconds_per_chapter(out: Path) -> dict[str, list[float]]:
    """Chapter -> the worker's seconds for each of its notebooks (from ``out/.results``)."""
    seconds: dict[str, list[float]] = {}
    for path in sorted((out / ".results").glob("*.json")):
        result = json.loads(path.read_text())
        seconds.setdefault(result["assignment"], []).append(result["seconds"])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=2, help="students handing in every chapter (default: 2)")
    parser.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                        help="the grader's kernel sandbox (default: %(default)s, as the CLI)")
    parser.add_argument("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
                        help="measure grading on Dask instead (benchmarks/bench_dask.py, chapter 01, "
                             "at least 8 copies): 'local' starts 1, then 2, workers here; an address "
                             "measures that cluster")
    args = parser.parse_args()
    if args.copies < 1:
        parser.error(f"--copies must be at least 1, got {args.copies}")
    if args.scheduler:
        _dask_scaling(args)
        return
    chapters = list_assignments(SOURCE_DIRECTORY)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as root:
        root = Path(root)
        inbox = make_inbox(full_solutions(chapters, root), root, args.copies)
        count = len(chapters) * args.copies
        load = os.getloadavg()
        rows, cpu = [], None
        for index, (name, run) in enumerate(runners(args.sandbox)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds = run(inbox, root / f"out{index}")
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            rows.append((name, seconds))
            print(f"  measured {name}: {seconds:.1f} s", flush=True)
            if index == 0:
                cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                per_chapter = seconds_per_chapter(root / "out0")
        print_results(rows, count, f"{len(chapters)} chapters x {args.copies} students", args.sandbox, load)
        print("\nseconds per notebook inside a worker (--jobs 1): start-up, student code, tests")
        for chapter, values in sorted(per_chapter.items()):
            print(f"  {chapter:<22} {' '.join(f'{v:6.1f}' for v in values)}")
        if args.sandbox == "off":
            print(f"CPU of the --jobs 1 run: {cpu / count:.2f} s per notebook -> "
                  f"{2 * 60 * count / cpu:.1f} notebooks/min on 2 idle cores (goal >= 40)")
        else:  # a sandboxed kernel's CPU never reaches getrusage(): a projection from it would flatter
            print("CPU projection left out: the sandbox may be on, and its kernels' CPU is not counted "
                  "(--sandbox off for it)")
        print_profile(root / "out0")


def print_results(rows: list[tuple[str, float]], count: int, what: str, sandbox: str, load) -> None:
    """The table: each run's seconds, notebooks per minute and speed relative to plain nbgrader."""
    reference = dict(rows).get("nbgrader autograde")
    print(f"\n{count} notebooks ({what}), feedback on, sandbox {sandbox}; load average before "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print(f"{'run':<20} {'seconds':>8} {'notebooks/min':>14} {'vs nbgrader':>12}")
    for name, seconds in rows:
        ratio = f"{reference / seconds:11.2f}x" if reference else "-"
        print(f"{name:<20} {seconds:>8.1f} {60 * count / seconds:>14.1f} {ratio:>12}")


def _dask_scaling(args) -> None:
    """``--scheduler``: notebooks/min on 1 and 2 Dask workers (see benchmarks/bench_dask.py)."""
    from bench_dask import scaling

    scaling(None, max(8, args.copies), None if args.scheduler == "local" else args.scheduler)


if __name__ == "__main__":
    main()
