"""Grading speed: notebooks per minute at --jobs 1 and --jobs 2, and the fixed cost per run.

Grades N copies of a chapter's full solution through the real CLI
(``python -m autograder grade``, feedback included) into fresh folders:

    .venv/bin/python benchmarks/bench_grading.py [--chapter 01_convolution] [--copies 12] [--sandbox on]

Per-notebook cost is the slope between a 1-notebook run and an N-notebook run
at --jobs 1; the fixed cost (start-up: worker import of nbgrader, manifest,
template) is what remains of the 1-notebook run. The speed-up is
time(--jobs 1) / time(--jobs 2) on the same N notebooks (goal >= 1.7 on 2 cores).
On a shared machine wall times mean little: the CPU seconds per notebook (the
grader, its workers and their kernels) give the projection for 2 idle cores.
A sandboxed kernel runs under bubblewrap's init in its own PID namespace, and
its CPU time never reaches getrusage(): with the sandbox on, the CPU lines leave the
kernels out (compare ``--sandbox on`` and ``--sandbox off`` by wall time).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.config import SOURCE_DIRECTORY, list_assignments  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "solutions"


def _grade(inbox: Path, out: Path, jobs: int, source: Path, sandbox: str = "auto") -> tuple[float, float, bool]:
    """Wall seconds, CPU seconds (the grader, its workers and, unsandboxed, their kernels), sandboxed?"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(inbox), "--out", str(out), "--jobs",
                          str(jobs), "--db", "none", "--sandbox", sandbox, "--source", str(source)], cwd=REPO,
                         check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, "sandbox: on" in run.stderr


def _inbox(root: Path, full: Path, chapter: str, copies: int) -> Path:
    inbox = root / f"inbox{copies}"
    for index in range(copies):
        folder = inbox / f"student{index:03d}" / chapter
        folder.mkdir(parents=True)
        shutil.copy(full, folder / f"{chapter}.ipynb")
    return inbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapter", default=None, help="default: the first chapter in solutions/, else the fixture")
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--sandbox", choices=("auto", "on", "off"), default="auto",
                        help="grade with the kernel sandboxed or not (default: %(default)s, as the CLI)")
    parser.add_argument("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
                        help="measure grading on Dask instead (benchmarks/bench_dask.py): 'local' starts "
                             "1, then 2, workers here; an address measures that cluster")
    args = parser.parse_args()
    if args.scheduler:
        _dask_scaling(args)
        return
    chapters = list_assignments(SOURCE_DIRECTORY) if SOURCE_DIRECTORY.is_dir() else []
    chapter = args.chapter or (chapters[0] if chapters else "99_fixture")
    source = SOURCE_DIRECTORY if chapter in chapters else FIXTURE
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as root:
        root = Path(root)
        subprocess.run([sys.executable, "-m", "autograder", "samples", chapter, "--out", str(root / "samples"),
                        "--source", str(source)], cwd=REPO, check=True, capture_output=True)
        full = root / "samples" / "full" / chapter / f"{chapter}.ipynb"
        one, many = _inbox(root, full, chapter, 1), _inbox(root, full, chapter, args.copies)
        t_one, cpu_one, sandboxed = _grade(one, root / "out1", 1, source, args.sandbox)
        t_serial, cpu_serial, _ = _grade(many, root / "outj1", 1, source, args.sandbox)
        t_parallel, _, _ = _grade(many, root / "outj2", 2, source, args.sandbox)
    per_notebook = (t_serial - t_one) / (args.copies - 1)
    cpu_per_notebook = (cpu_serial - cpu_one) / (args.copies - 1)
    print(f"chapter {chapter}, {args.copies} copies of the full solution, feedback on, "
          f"sandbox {'on' if sandboxed else 'off'}, "
          f"load average before: {load:.1f} on {os.cpu_count()} cores")
    print(f"{'run':<28} {'seconds':>8} {'notebooks/min':>14}")
    print(f"{'1 notebook, --jobs 1':<28} {t_one:>8.1f} {60 / t_one:>14.1f}")
    print(f"{f'{args.copies} notebooks, --jobs 1':<28} {t_serial:>8.1f} {60 * args.copies / t_serial:>14.1f}")
    print(f"{f'{args.copies} notebooks, --jobs 2':<28} {t_parallel:>8.1f} {60 * args.copies / t_parallel:>14.1f}")
    print(f"per-notebook cost (slope, --jobs 1): {per_notebook:.2f} s wall, {cpu_per_notebook:.2f} s CPU")
    print(f"fixed cost per run (start-up):       {t_one - per_notebook:.2f} s wall, "
          f"{cpu_one - cpu_per_notebook:.2f} s CPU")
    print(f"speed-up --jobs 2 vs --jobs 1:       {t_serial / t_parallel:.2f}x (goal >= 1.7)")
    print(f"CPU-bound projection on 2 idle cores: {2 * 60 / cpu_per_notebook:.1f} notebooks/min (goal >= 40)")
    if sandboxed:
        print("(sandbox on: the kernels' CPU time is not counted above; run --sandbox off for the CPU figures)")


def _dask_scaling(args) -> None:
    """``--scheduler``: notebooks/min on 1 and 2 Dask workers (see benchmarks/bench_dask.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_dask import scaling

    scaling(args.chapter, args.copies, None if args.scheduler == "local" else args.scheduler)


if __name__ == "__main__":
    main()
