"""Where a graded notebook's seconds go: the profile ``bench_grading.py`` prints under its table.

For each chapter it takes the notebook the ``--jobs 1`` run graded fastest (the
chapter's first notebook also builds its template) and splits the worker's
seconds for it with the timestamps the kernel's replies left in the autograded
notebook (nbclient records them for every cell), so the split is that of the
real grading, sandbox, guard and check cells included:

- first cell: the chapter's imports (numpy, matplotlib, cnnkit, its explorers);
- other cells: the learner's code, the explorers and the tests, under the
  allow-list guard;
- checks: the rest of the kernel's busy time, between the cells: the integrity
  check cells (each describes numpy's and cnnkit's modules and sends that to the
  worker) and the messages;
- outside: the worker's seconds outside that window: the sandboxed kernel's
  start and shutdown, nbgrader's passes over the notebook, the gradebook, copies;
- page: rendering its feedback page (in the parent, in ``--jobs`` processes).

The last line is the ceiling the cells alone allow: notebooks per minute on 2
idle cores if everything else took no time.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path


def _moment(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def kernel_seconds(notebook: Path) -> tuple[float, float, float]:
    """(first code cell, the other cells, the kernel's busy time between cells) from ``notebook``'s timestamps."""
    cells = json.loads(notebook.read_text())["cells"]
    stamps = [cell["metadata"]["execution"] for cell in cells if "execution" in cell.get("metadata", {})]
    durations = [_moment(s["shell.execute_reply"]) - _moment(s["iopub.execute_input"]) for s in stamps]
    busy = _moment(stamps[-1]["shell.execute_reply"]) - _moment(stamps[0]["iopub.status.busy"])
    return durations[0], sum(durations[1:]), busy - sum(durations)


def page_seconds(notebook: Path) -> float:
    """Seconds to render the feedback page of ``notebook`` (the exporter already built, as in a batch)."""
    from autograder.feedback_html import feedback_exporter, render

    exporter = feedback_exporter()
    row = {"student_id": "s", "assignment": notebook.parent.name, "score": "0", "raw_score": "0",
           "max_score": "0", "status": "graded"}
    render(notebook, row, {}, {}, exporter)  # the first page pays for the templates' compilation
    started = time.perf_counter()
    render(notebook, row, {}, {}, exporter)
    return time.perf_counter() - started


def print_profile(out: Path) -> None:
    """The table described in the module docstring, for the notebooks graded into ``out``."""
    fastest: dict[str, dict] = {}
    for path in (out / ".results").glob("*.json"):
        result = json.loads(path.read_text())
        best = fastest.get(result["assignment"])
        if result["status"] == "graded" and (best is None or result["seconds"] < best["seconds"]):
            fastest[result["assignment"]] = result
    print("\nwhere a graded notebook's seconds go (--jobs 1, the chapter's fastest notebook)")
    print(f"{'chapter':<20} {'worker':>7} {'first cell':>11} {'other cells':>12} {'checks':>7} {'outside':>8} "
          f"{'page':>6}")
    sums = {"cells": 0.0, "all": 0.0}
    for chapter, result in sorted(fastest.items()):
        notebook = out / "autograded" / result["student_id"] / chapter / f"{chapter}.ipynb"
        first, rest, checks = kernel_seconds(notebook)
        page = page_seconds(notebook)
        outside = result["seconds"] - first - rest - checks
        sums["cells"] += first + rest
        sums["all"] += result["seconds"] + page
        print(f"{chapter:<20} {result['seconds']:7.1f} {first:11.2f} {rest:12.2f} {checks:7.2f} {outside:8.2f} "
              f"{page:6.2f}")
    count = len(fastest)
    print(f"mean per notebook: {sums['all'] / count:.1f} s, of which its cells {sums['cells'] / count:.1f} s -> "
          f"at most {2 * 60 * count / sums['cells']:.0f} notebooks/min on 2 idle cores if nothing else took time")
