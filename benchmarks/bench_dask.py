"""Grading on Dask: notebooks per minute with 1 and 2 workers, and the efficiency per added worker.

Starts a ``dask scheduler`` and 1, then 2, ``dask worker --nthreads 1`` on
127.0.0.1 (or uses the cluster at ``--scheduler tcp://HOST:PORT`` as it is) and
grades N copies of a chapter's full solution through the real CLI
(``python -m autograder grade --scheduler ...``, feedback on, sandbox as the
CLI decides). Each run's time includes the workers' first-task start-up
(importing nbgrader, the chapter's template), as a deadline-night run would.
Writes ``artifacts/dask_scaling.png`` (throughput against workers):

    .venv/bin/python benchmarks/bench_dask.py [--chapter NN_name] [--copies 8]   # default chapter 01
    .venv/bin/python benchmarks/bench_dask.py --scheduler tcp://HOST:PORT

Needs the ``scale`` extra (``pip install '.[scale]'``); says so and stops without it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "autograder"))  # DaskCluster: the tests' real scheduler and workers

from autograder.config import SOURCE_DIRECTORY, list_assignments  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "solutions"
PLOT = REPO / "artifacts" / "dask_scaling.png"


def _inbox(root: Path, full: Path, chapter: str, copies: int) -> Path:
    inbox = root / "inbox"
    for index in range(copies):
        folder = inbox / f"student{index:03d}" / chapter
        folder.mkdir(parents=True)
        shutil.copy(full, folder / f"{chapter}.ipynb")
    return inbox


def grade_on(scheduler: str, inbox: Path, out: Path, source: Path) -> tuple[float, list[float]]:
    """Wall seconds of ``grade --scheduler``, and each notebook's grading seconds on its worker."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(inbox), "--out", str(out), "--db", "none",
                    "--scheduler", scheduler, "--source", str(source)], cwd=REPO, check=True, capture_output=True)
    wall = time.perf_counter() - started
    seconds = [json.loads(p.read_text())["seconds"] for p in (out / ".results").glob("*.json")]
    return wall, seconds


def scaling(chapter: str | None = None, copies: int = 8, scheduler: str | None = None) -> list[tuple]:
    """Rows (workers, wall seconds, notebooks/min, median seconds per notebook on a worker)."""
    from services import DaskCluster, dask_problem

    problem = dask_problem()
    if problem:
        print(f"dask scaling skipped: {problem}")
        return []
    chapters = list_assignments(SOURCE_DIRECTORY) if SOURCE_DIRECTORY.is_dir() else []
    chapter = chapter or ("01_convolution" if "01_convolution" in chapters else chapters[0] if chapters
                          else "99_fixture")
    source = SOURCE_DIRECTORY if chapter in chapters else FIXTURE
    rows, load = [], os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as root:
        root = Path(root)
        subprocess.run([sys.executable, "-m", "autograder", "samples", chapter, "--out", str(root / "samples"),
                        "--source", str(source)], cwd=REPO, check=True, capture_output=True)
        inbox = _inbox(root, root / "samples" / "full" / chapter / f"{chapter}.ipynb", chapter, copies)
        if scheduler:
            from distributed import Client

            with Client(scheduler, timeout=30) as client:
                workers = len(client.nthreads())
            wall, seconds = grade_on(scheduler, inbox, root / "out", source)
            rows.append((workers, wall, 60 * copies / wall, statistics.median(seconds)))
        else:
            for workers in (1, 2):
                folder = root / f"cluster{workers}"
                folder.mkdir()
                with DaskCluster(folder, workers) as cluster:
                    wall, seconds = grade_on(cluster.address, inbox, root / f"out{workers}", source)
                rows.append((workers, wall, 60 * copies / wall, statistics.median(seconds)))
    print(f"chapter {chapter}, {copies} copies of the full solution on Dask, feedback on, "
          f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores")
    print(f"{'dask workers':<14} {'seconds':>8} {'notebooks/min':>14} {'s/notebook on a worker':>24}")
    for workers, wall, rate, median in rows:
        print(f"{workers:<14} {wall:>8.1f} {rate:>14.1f} {median:>24.1f}")
    if len(rows) == 2:
        gain = rows[1][2] / rows[0][2]
        print(f"speed-up 2 vs 1 worker: {gain:.2f}x; efficiency per added worker: {100 * (gain - 1):.0f}% "
              f"(100% = each added worker grades as much as the first)")
    _plot(rows, chapter)
    return rows


def _plot(rows: list[tuple], chapter: str) -> None:
    if not rows:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workers = [row[0] for row in rows]
    rates = [row[2] for row in rows]
    figure, axes = plt.subplots(figsize=(5, 3.5))
    axes.plot(workers, rates, "o-", label="measured")
    axes.plot(workers, [rates[0] * w / workers[0] for w in workers], "--", color="grey", label="linear")
    axes.set(xlabel="dask workers (--nthreads 1)", ylabel="notebooks per minute", xticks=workers,
             title=f"grading {chapter} on Dask ({os.cpu_count()} cores)")
    axes.legend()
    PLOT.parent.mkdir(exist_ok=True)
    figure.tight_layout()
    figure.savefig(PLOT, dpi=100)
    print(f"wrote {PLOT.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapter", default=None, help="default: the first chapter in solutions/, else the fixture")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="measure this cluster as it is (default: start 1, then 2, local workers)")
    args = parser.parse_args()
    scaling(args.chapter, args.copies, args.scheduler)


if __name__ == "__main__":
    main()
