"""grades.csv text and the summary table."""

from __future__ import annotations

import io

from autograder.gradebook import HandGrade, HandGrading
from autograder.late import Lateness
from autograder.report import Progress, grades_csv_text, row_of, summary_table


def _result(student, status, questions, reason=""):
    return {"student_id": student, "assignment": "01_x", "status": status, "reason": reason,
            "questions": questions, "autograded": [k for k in questions if k.startswith("test_")],
            "max_points": {k: (2.0 if k.startswith("written") else 1.0) for k in questions}}


def test_csv_rows_are_sorted_and_numbers_stable():
    """Are rows sorted by assignment then student, with short numbers and blanks for failures?"""
    rows = [row_of(_result("zoe", "graded", {"test_a": 1.0, "test_b": 0.5, "written_w": None}), 4.0),
            row_of(_result("amy", "failed", {}, "kernel died"), 4.0)]
    text = grades_csv_text(rows, ["test_a", "test_b", "written_w"])
    assert text == ("student_id,name,assignment,score,raw_score,max_score,to_grade,late,penalty,submitted,status,"
                    "reason,test_a,test_b,written_w\n"
                    "amy,,01_x,0,0,4,,,,,failed,kernel died,,,\n"
                    "zoe,,01_x,1.5,1.5,4,2,,,,graded,,1,0.5,\n")


def test_hand_scores_count_in_the_totals_and_clear_to_grade():
    """Does a hand score fill its column, add to raw_score and score (after the penalty) and leave nothing to grade?"""
    result = _result("zoe", "graded", {"test_a": 1.0, "test_b": 0.5, "written_w": None})
    before = row_of(result, 4.0, late=Lateness("1d 00:10", 1, 10.0))
    after = row_of(result, 4.0, late=Lateness("1d 00:10", 1, 10.0),
                   hand=HandGrading({"written_w": HandGrade(1.5), "test_b": HandGrade(None, extra=0.25)}))
    assert (before["raw_score"], before["score"], before["to_grade"], before["written_w"]) == ("1.5", "1.35", "2", "")
    assert (after["raw_score"], after["score"], after["to_grade"], after["written_w"]) == ("3.25", "2.925", "", "1.5")
    assert after["test_b"] == "0.75", "extra credit adds to the autograded score"


def test_a_blank_written_answer_scores_zero_and_a_failed_row_has_nothing_to_grade():
    """nbgrader scores an answer left as released 0: nothing to grade; a failed row counts no hand score."""
    blank = row_of(_result("amy", "graded", {"test_a": 0.0, "written_w": 0.0}), 3.0)
    failed = row_of(_result("bob", "failed", {}), 3.0, hand=HandGrading({"written_w": HandGrade(2.0)}))
    assert (blank["to_grade"], blank["written_w"]) == ("", "0")
    assert (failed["raw_score"], failed["to_grade"]) == ("0", "")


def test_a_hand_score_whose_answer_changed_counts_and_says_review():
    """A hand score flagged for review still counts, and the reason names the cell to look at again."""
    row = row_of(_result("zoe", "graded", {"test_a": 1.0, "written_w": None}), 3.0,
                 hand=HandGrading({"written_w": HandGrade(2.0, review=True)}))
    assert row["raw_score"] == "3" and row["reason"] == "hand score to review (answer changed): written_w"


def test_summary_counts_statuses_and_lists_trouble():
    rows = [row_of(_result("a", "graded", {"test_a": 1.0}), 1.0),
            row_of(_result("b", "flagged", {"test_a": 1.0}, "integrity: numpy.max redefined"), 1.0)]
    text = summary_table(rows)
    assert "01_x" in text and "flagged  b/01_x: integrity: numpy.max redefined" in text
    assert "grade by hand" not in text
    rows.append(row_of(_result("c", "graded", {"test_a": 1.0, "written_w": None}), 3.0))
    assert "1 submission(s) have written answers to grade by hand" in summary_table(rows)


def test_progress_prints_plain_lines_without_a_tty():
    stream = io.StringIO()
    progress = Progress(2, stream)
    progress.update("a/01_x: graded")
    progress.update("b/01_x: failed")
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/2] a/01_x: graded") and "ETA" in lines[1]
