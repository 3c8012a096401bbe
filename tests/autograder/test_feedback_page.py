"""The feedback page (no grading: fast): offline, named sections, the CSV's totals, nothing hidden."""

from __future__ import annotations

import re

import nbformat
import pytest
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, HIDDEN_MARKER, REPO

from autograder.feedback_html import render, section_titles

ROW = {"student_id": "zoe", "assignment": ASSIGNMENT, "score": "3.6", "raw_score": "4", "max_score": "5",
       "to_grade": "1", "late": "1d 00:10", "penalty": "10%", "status": "graded", "reason": "",
       "test_conv_output_size": "0", "test_relu": "1", "test_q_params": "1", "written_sharing": ""}
POINTS = {"test_conv_output_size": 2.0, "test_relu": 1.0, "test_q_params": 1.0, "written_sharing": 1.0}


@pytest.fixture
def autograded(tmp_path):
    """The fixture notebook as autograding leaves it: a failed test with a traceback, a written answer with math."""
    nb = nbformat.read(str(FIXTURE_SOURCE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "test_conv_output_size":
            cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="off by one",
                                                   traceback=[f"line 7: {HIDDEN_MARKER}", "AssertionError"])]
        if grade_id == "written_sharing":
            cell.source = "One kernel serves all $H \\times W$ positions: $$p = C_{in} k^2$$"
        if cell.cell_type == "markdown" and not grade_id:  # a student forging a section of their own
            cell.metadata["autograder"] = {"anchor": "x", "title": "Forged", "score": "99 / 1", "pending": False}
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_the_page_reads_offline_with_math_as_mathml(autograded):
    """Does the page load nothing from elsewhere (no script, link, font or MathJax) and carry its math as MathML?"""
    html = render(autograded, ROW, POINTS, {})
    assert "<script" not in html and "mathjax" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page points at the network"
    assert "url(" not in html, "a stylesheet asks for a file the page does not carry"
    assert html.count("<math") >= 3 and "<msup><mi>k</mi><mn>2</mn></msup>" in html
    assert "\\times" not in html and "\\lfloor" not in html, "LaTeX left for a script to draw"


def test_sections_are_named_after_what_they_check_and_totals_are_the_csvs(autograded):
    """Is each test listed under its exercise, the written answer 'to be graded', and the total grades.csv's?"""
    html = render(autograded, ROW, POINTS, {"written_sharing": "Say *why* it is shared."})
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text)
    assert "Test cell" not in text and "Forged" not in text and "99 / 1" not in text
    for title in ("Exercise: conv_output_size 0 / 2", "Exercise: relu 1 / 1", "Check yourself: q_params 1 / 1",
                  "Check yourself: written answer (sharing) to be graded (1 point)"):
        assert title in text, title
    assert "Score: 3.6 / 5" in text and "4 points, less 10% for a late submission (1d 00:10)" in text
    assert "1 point still to be graded by hand" in text
    assert "Comment: Say why it is shared." in text
    assert HIDDEN_MARKER not in html, "hidden tests or their traceback reached the page"
    assert "AssertionError: off by one" in text


def test_a_graded_written_answer_shows_its_score(autograded):
    html = render(autograded, dict(ROW, written_sharing="0.5", to_grade=""), POINTS, {})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Check yourself: written answer (sharing) 0.5 / 1" in text and "to be graded" not in text


@pytest.mark.parametrize("chapter", ["01_convolution", "04_backprop"])
def test_every_test_of_a_chapter_is_titled_after_its_exercise(chapter):
    """In the real chapters, does every test cell named test_<exercise>* carry its exercise's name?"""
    nb = nbformat.read(str(REPO / "solutions" / chapter / f"{chapter}.ipynb"), as_version=4)
    exercises = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    titles = section_titles(nb)
    for grade_id, title in titles.items():
        checked = [e for e in exercises if grade_id == f"test_{e}" or grade_id.startswith(f"test_{e}_")]
        if checked:
            assert max(checked, key=len) in title, (grade_id, title)
        assert title and title != grade_id, (grade_id, title)


def test_an_output_quoting_the_instructors_notebook_is_replaced(autograded, tmp_path):
    """Does a cell that printed a hidden-test or solution line (read from disk) show a notice instead?"""
    from autograder.feedback import _instructor_lines

    quoted = _instructor_lines(FIXTURE_SOURCE / ASSIGNMENT)
    assert quoted, "the fixture's solutions and hidden tests give lines to look for"
    nb = nbformat.read(str(autograded), as_version=4)
    printer = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))
    printer.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"stolen: {quoted[0]}\n")]
    nbformat.write(nb, str(autograded))
    html = render(autograded, ROW, POINTS, {}, quoted=quoted)
    assert quoted[0] not in html and "stolen" not in html
    assert "output removed by the grader" in html


def test_pages_rendered_in_parallel_are_the_pages_rendered_one_by_one(autograded, tmp_path):
    """Does ``render_pages`` with two processes give each page, in order, exactly as one process does?"""
    from autograder.feedback import Page, render_pages

    rows = [dict(ROW, student_id=f"s{index}", score=str(index), test_relu=str(index % 2)) for index in range(8)]
    pages = [Page(autograded, tmp_path / f"s{index}.html", row, POINTS, {"test_relu": f"comment {index}"}, ASSIGNMENT)
             for index, row in enumerate(rows)]
    quoted = {ASSIGNMENT: ["a line of the instructor's notebook"]}
    one_by_one = render_pages(pages, quoted, jobs=1)
    assert len(set(one_by_one)) == len(pages), "the pages differ: a mix-up would show"
    assert render_pages(pages, quoted, jobs=2) == one_by_one


RENDER_UNDER_HOLD = """
import os
import sys
from pathlib import Path
from autograder.feedback import Page, render_pages
from autograder.stop_signals import StopSignals

notebook, out = Path(sys.argv[1]), Path(sys.argv[2])
row = {"student_id": "s", "assignment": notebook.stem, "score": "1", "raw_score": "1", "max_score": "5",
       "status": "graded"}
pages = [Page(notebook, out / f"{index}.html", row, {}, {}, notebook.stem) for index in range(8)]
stop = StopSignals().__enter__()
stop.hold()  # as grade does before its final writes
print("rendering", flush=True)
for page, html in zip(pages, render_pages(pages, {notebook.stem: []}, jobs=2)):
    page.path.write_text(html)
print("held:", stop.held, flush=True)
os._exit(0)  # still holding: the test's Ctrl-Cs go on until it has gone
"""


def test_a_ctrl_c_while_pages_render_in_processes_lets_them_finish(autograded, tmp_path):
    """Does Ctrl-C to the process group (rendering processes included) leave every page written?"""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "pages"
    out.mkdir()
    run = subprocess.Popen([sys.executable, "-c", RENDER_UNDER_HOLD, str(autograded), str(out)], cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert run.stdout.readline() == "rendering\n"
    while run.poll() is None:  # Ctrl-C again and again until it is done: the children must see some
        os.killpg(run.pid, signal.SIGINT)
        time.sleep(0.2)
    stdout, stderr = run.communicate()
    assert run.returncode == 0, stderr
    assert stdout.strip() == "held: SIGINT"
    assert len(list(out.glob("*.html"))) == 8
