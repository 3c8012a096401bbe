"""``grade --db postgresql://...``: the gradebook on a real PostgreSQL server started by the test."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, add_submission, autograder, read_grades,
                             start_grade)
from services import free_port, postgres_problem, postgres_server, require


@pytest.fixture()
def gradebook_url():
    require(postgres_problem())
    with postgres_server() as url:
        yield url


def _scores(url: str) -> dict:
    """student -> (total auto score, flagged) as nbgrader's Gradebook (the formgrader's) reads them."""
    import warnings

    from nbgrader.api import Gradebook

    with warnings.catch_warnings(), Gradebook(url) as gradebook:
        warnings.simplefilter("ignore")  # SQLAlchemy autoflush chatter of nbgrader's properties
        return {submission.student.id: (submission.score, any(nb.flagged for nb in submission.notebooks))
                for submission in gradebook.assignment_submissions(ASSIGNMENT)}


def _record(url: str, students: list[str], start) -> None:
    """Record a full-marks result for each of ``students`` (in a process of its own)."""
    from autograder.grade import Course
    from autograder.gradebook import record_results

    course = Course(FIXTURE_SOURCE)
    names = [cell.grade_id for cell in course.cells[ASSIGNMENT] if cell.autograded]
    points = {cell.grade_id: cell.points for cell in course.cells[ASSIGNMENT] if cell.autograded}
    results = [{"student_id": s, "assignment": ASSIGNMENT, "status": "graded", "reason": "",
                "questions": {name: points[name] for name in names}, "messages": {}} for s in students]
    start.wait(60)
    record_results(url, course, results)


@pytest.mark.slow  # two nbgrader GenerateAssignment runs
def test_two_writers_at_once_into_a_fresh_gradebook_lose_nothing(gradebook_url):
    """Two processes recording into one new PostgreSQL gradebook at the same moment: is every row there?"""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    batches = [[f"a{i}" for i in range(4)], [f"b{i}" for i in range(4)]]
    writers = [context.Process(target=_record, args=(gradebook_url, batch, start)) for batch in batches]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(600)
        if writer.exitcode is None:
            writer.kill()
            writer.join()
    codes = [writer.exitcode for writer in writers]
    assert codes == [0, 0], f"writers exited {codes}: one failed (its traceback is above) or hung"
    scores = _scores(gradebook_url)
    assert sorted(scores) == sorted(batches[0] + batches[1])
    assert len({score for score, _ in scores.values()}) == 1 and next(iter(scores.values()))[0] > 0


@pytest.mark.slow
def test_two_grading_runs_at_once_into_one_postgres_gradebook(gradebook_url, samples, tmp_path):
    """Two `grade --db postgresql://...` runs at the same time: does the gradebook hold every row of both?"""
    inboxes = {"one": ["full", "blank"], "two": ["partly-right", "flagged"]}
    sample_of = {"flagged": "patch-numpy"}
    for run, students in inboxes.items():
        for student in students:
            add_submission(samples, sample_of.get(student, student), tmp_path / run, student=student)
    processes = {run: _start(tmp_path / run, tmp_path / f"out-{run}", gradebook_url) for run in inboxes}
    for run, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, f"run {run} exited {process.returncode}\n{stdout}\n{stderr}"
    grades = {**read_grades(tmp_path / "out-one" / "grades.csv"), **read_grades(tmp_path / "out-two" / "grades.csv")}
    scores = _scores(gradebook_url)
    assert sorted(scores) == sorted(grades) == sorted(inboxes["one"] + inboxes["two"])
    for student, row in grades.items():
        assert scores[student][0] == pytest.approx(float(row["raw_score"])), student
        assert scores[student][1] == (row["status"] == "flagged"), student


def _start(inbox, out, url):
    return start_grade(inbox, "--out", out, "--db", url, "--jobs", 1, *LIMITS, "--source", FIXTURE_SOURCE,
                       env={**os.environ})


def test_an_unreachable_database_is_a_usage_error_before_grading(samples, tmp_path):
    """--db naming a server that does not answer: exit 2 at once, naming --db, nothing graded."""
    require(postgres_problem())
    add_submission(samples, "full", tmp_path / "inbox")
    run = autograder("grade", tmp_path / "inbox", "--out", tmp_path / "out", "--source", FIXTURE_SOURCE,
                     "--db", f"postgresql://nobody:secret@127.0.0.1:{free_port()}/gradebook", check=False)
    assert run.returncode == 2 and "--db postgresql://nobody:***@127.0.0.1" in run.stderr, run.stderr
    assert "cannot connect" in run.stderr and not (tmp_path / "out" / ".results").exists()
