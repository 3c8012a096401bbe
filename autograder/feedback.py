"""``feedback DIR``: the feedback pages of everything graded into ``DIR``.

``grade`` writes the pages of the submissions it graded; after hand grading in
formgrader, ``python -m autograder feedback DIR`` writes them all again. Each
page (:mod:`autograder.feedback_html`) is made from the autograded notebook in
``DIR/autograded/``, the student's grades.csv row (rebuilt first, hand grades
included, so the page's totals are the CSV's) and the grader's comments, and
written to ``DIR/feedback/<student>/<assignment>/<notebook>.html`` next to the
exchange's ``timestamp.txt`` and ``submission_secret.txt`` (which ``nbgrader
release_feedback`` needs). A submission that could not be graded gets no page.
Submissions graded before the autograded notebooks were kept keep the pages they have.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.graded_course import EXCHANGE_FILES, gradebook_url, step_dir


def write_feedback(out: Path, pairs=None, jobs: int = 1) -> list[Path]:
    """Write the feedback pages of ``out``; return the pages written.

    Parameters
    ----------
    out : Path
        A folder ``grade --out`` wrote.
    pairs : set of (assignment, student_id), optional
        Only these submissions (default: every one graded into ``out``).
    jobs : int
        Processes rendering pages at once (a chapter's page is ~0.6 s of CPU).
    """
    from autograder.gradebook import hand_grades
    from autograder.intake.options import IntakeOptions
    from autograder.ledger import entries, write_grades

    out = Path(out)
    settings = IntakeOptions().settings(out)
    rows = {(r["assignment"], r["student_id"]): r for r in write_grades(out, settings.course, settings.roster)}
    hand = hand_grades(gradebook_url(out))
    pages, quoted, copies = [], {}, []
    for entry in entries(out):
        pair = (entry["assignment"], entry["student_id"])
        if pairs is not None and pair not in pairs:
            continue
        source = step_dir(out, "autograded", entry["student_id"], entry["assignment"])
        target = step_dir(out, "feedback", entry["student_id"], entry["assignment"])
        if entry["result"]["status"] == "failed":
            shutil.rmtree(target, ignore_errors=True)
            continue
        if not source.is_dir():  # graded by an older version that kept no notebooks: its pages stay
            continue
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        comments = hand[pair].comments if pair in hand else {}
        if entry["assignment"] not in quoted:
            quoted[entry["assignment"]] = _instructor_lines(out / "source" / entry["assignment"])
        for notebook in sorted(source.glob("*.ipynb")):
            pages.append(Page(notebook, target / f"{notebook.stem}.html", rows[pair],
                              entry["result"].get("max_points", {}), comments, entry["assignment"]))
        copies += [(source / name, target / name) for name in EXCHANGE_FILES if (source / name).is_file()]
    for page, html in zip(pages, render_pages(pages, quoted, jobs)):
        page.path.write_text(html, encoding="utf-8")
    for source, target in copies:
        shutil.copy(source, target)
    return [page.path for page in pages]


@dataclass
class Page:
    """One feedback page to render (see :func:`autograder.feedback_html.render`)."""

    notebook: Path
    path: Path
    row: dict
    max_points: dict
    comments: dict
    assignment: str


def render_pages(pages: list[Page], quoted: dict, jobs: int = 1) -> list[str]:
    """The HTML of each of ``pages``, in order, rendered in up to ``jobs`` processes.

    ``quoted``: assignment -> the instructor's lines no page may quote. A process
    costs ~1 s to start (nbconvert's imports), so a few pages render here.
    """
    if not pages:  # nothing to render: no exporter (nbconvert's imports) either
        return []
    if jobs == 1 or len(pages) < 4 * jobs:
        return _render_chunk(pages, quoted)
    chunks = [pages[index::jobs] for index in range(jobs)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from autograder.stop_signals import started_deaf

    with ProcessPoolExecutor(len(chunks), mp_context=multiprocessing.get_context("spawn")) as executor:
        with started_deaf():  # submit starts the processes: grade holds stop signals while it writes
            futures = [executor.submit(_render_chunk, chunk, quoted) for chunk in chunks]
        rendered = [future.result() for future in futures]
    html = [""] * len(pages)
    for index, chunk_html in enumerate(rendered):
        html[index::jobs] = chunk_html
    return html


def _render_chunk(pages: list[Page], quoted: dict) -> list[str]:
    from autograder.feedback_html import feedback_exporter, render

    exporter = feedback_exporter()
    return [render(page.notebook, page.row, page.max_points, page.comments, exporter, quoted[page.assignment])
            for page in pages]


def _instructor_lines(source: Path) -> list[str]:
    """Lines of the solutions and hidden tests of the source notebooks in ``source`` (no page may quote them)."""
    from autograder.notebooks import read_notebook
    from autograder.preprocessors import instructor_lines

    return sorted({line for path in sorted(source.glob("*.ipynb")) for line in instructor_lines(read_notebook(path))})
