"""The graded folder as formgrader sees it, and hand scores across new submissions (slow: real grading).

The browser suite types a hand score into formgrader and re-grades the same
class; this follows a class further: a student resubmits with another written
answer (the hand score is flagged for review, still counted) and another hands
in a broken notebook (no notebook left for formgrader, no feedback page).
"""

from __future__ import annotations

import pytest
from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, autograder, give_hand_score, read_grades,
                             with_written_answer)

pytestmark = pytest.mark.slow


def _formgrader_view(out):
    """Each student's submission as nbgrader's formgrader API reports it, on ``out``'s own configuration."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from autograder.graded_course import nbgrader_settings

    config = nbgrader_settings(str(out))
    config.Exchange.root = str(out / ".exchange")  # formgrader's own; nbgrader's default is not writable here
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    return {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}


def test_hand_scores_outlive_new_submissions_and_broken_ones_leave_formgrader(tmp_path):
    samples = tmp_path / "samples"
    autograder("samples", ASSIGNMENT, "--out", samples, "--source", FIXTURE_SOURCE)
    full = samples / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    with_written_answer(full, "The kernel is shared.", tmp_path / "first" / "writer" / f"{ASSIGNMENT}.ipynb")
    with_written_answer(full, "Weights are reused.", tmp_path / "first" / "mia" / f"{ASSIGNMENT}.ipynb")
    out = tmp_path / "graded"
    autograder("grade", tmp_path / "first", "--out", out, *LIMITS, "--source", FIXTURE_SOURCE)

    view = _formgrader_view(out)
    assert all(view[s]["autograded"] and view[s]["needs_manual_grade"] for s in ("writer", "mia")), view
    assert (out / "autograded" / "writer" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    give_hand_score(out, "writer", "written_sharing", 1.0)
    give_hand_score(out, "mia", "written_sharing", 0.5)

    with_written_answer(full, "A different answer.", tmp_path / "second" / "writer" / f"{ASSIGNMENT}.ipynb")
    broken = tmp_path / "second" / "mia" / f"{ASSIGNMENT}.ipynb"
    broken.parent.mkdir()
    broken.write_text("{ not a notebook")
    autograder("grade", tmp_path / "second", "--out", out, *LIMITS, "--source", FIXTURE_SOURCE)
    autograder("feedback", out)

    grades = read_grades(out / "grades.csv")
    writer, mia = grades["writer"], grades["mia"]
    assert writer["written_sharing"] == "1" and writer["score"] == writer["max_score"], "the hand score still counts"
    assert "hand score to review (answer changed): written_sharing" in writer["reason"]
    view = _formgrader_view(out)
    assert view["writer"]["needs_manual_grade"], "formgrader must ask for the changed answer to be reviewed"
    page = (out / "feedback" / "writer" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "A different answer." in page and f"Score: {writer['score']} / {writer['max_score']}" in page

    assert mia["status"] == "failed" and mia["score"] == "0"
    assert not (out / "autograded" / "mia" / ASSIGNMENT).exists(), "formgrader would show mia's earlier notebook"
    assert not list((out / "feedback" / "mia").rglob("*.html")), "mia's earlier page is still there"
    assert (out / "submitted" / "mia" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text() == "{ not a notebook"
    assert not view["mia"]["autograded"] and view["mia"]["submitted"]
