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
from pathlib import Path

from autograder.graded_course import EXCHANGE_FILES, gradebook_url, step_dir


def write_feedback(out: Path, pairs=None) -> list[Path]:
    """Write the feedback pages of ``out``; return the pages written.

    Parameters
    ----------
    out : Path
        A folder ``grade --out`` wrote.
    pairs : set of (assignment, student_id), optional
        Only these submissions (default: every one graded into ``out``).
    """
    from autograder.feedback_html import feedback_exporter, render
    from autograder.gradebook import hand_grades
    from autograder.intake.options import IntakeOptions
    from autograder.ledger import entries, write_grades

    out = Path(out)
    settings = IntakeOptions().settings(out)
    rows = {(r["assignment"], r["student_id"]): r for r in write_grades(out, settings.course, settings.roster)}
    hand = hand_grades(gradebook_url(out))
    exporter, written, quoted = None, [], {}
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
        exporter = exporter or feedback_exporter()
        comments = hand[pair].comments if pair in hand else {}
        if entry["assignment"] not in quoted:
            quoted[entry["assignment"]] = _instructor_lines(out / "source" / entry["assignment"])
        for notebook in sorted(source.glob("*.ipynb")):
            page = target / f"{notebook.stem}.html"
            page.write_text(render(notebook, rows[pair], entry["result"].get("max_points", {}), comments, exporter,
                                   quoted[entry["assignment"]]), encoding="utf-8")
            written.append(page)
        for name in EXCHANGE_FILES:
            if (source / name).is_file():
                shutil.copy(source / name, target / name)
    return written


def _instructor_lines(source: Path) -> list[str]:
    """Lines of the solutions and hidden tests of the source notebooks in ``source`` (no page may quote them)."""
    from autograder.notebooks import read_notebook
    from autograder.preprocessors import instructor_lines

    return sorted({line for path in sorted(source.glob("*.ipynb")) for line in instructor_lines(read_notebook(path))})
