"""grades.csv text and the summary table."""

from __future__ import annotations

import io

from autograder.report import Progress, grades_csv_text, row_of, summary_table


def _result(student, status, questions, reason=""):
    return {"student_id": student, "assignment": "01_x", "status": status, "reason": reason,
            "questions": questions, "autograded": [k for k in questions if k.startswith("test_")]}


def test_csv_rows_are_sorted_and_numbers_stable():
    """Are rows sorted by assignment then student, with short numbers and blanks for failures?"""
    rows = [row_of(_result("zoe", "graded", {"test_a": 1.0, "test_b": 0.5, "written_w": None}), 2.0),
            row_of(_result("amy", "failed", {}, "kernel died"), 2.0)]
    text = grades_csv_text(rows, ["test_a", "test_b", "written_w"])
    assert text == ("student_id,name,assignment,score,raw_score,max_score,late,penalty,submitted,status,reason,"
                    "test_a,test_b,written_w\n"
                    "amy,,01_x,0,0,2,,,,failed,kernel died,,,\n"
                    "zoe,,01_x,1.5,1.5,2,,,,graded,,1,0.5,\n")


def test_summary_counts_statuses_and_lists_trouble():
    rows = [row_of(_result("a", "graded", {"test_a": 1.0}), 1.0),
            row_of(_result("b", "flagged", {"test_a": 1.0}, "integrity: numpy.max redefined"), 1.0)]
    text = summary_table(rows)
    assert "01_x" in text and "flagged  b/01_x: integrity: numpy.max redefined" in text


def test_progress_prints_plain_lines_without_a_tty():
    stream = io.StringIO()
    progress = Progress(2, stream)
    progress.update("a/01_x: graded")
    progress.update("b/01_x: failed")
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/2] a/01_x: graded") and "ETA" in lines[1]
