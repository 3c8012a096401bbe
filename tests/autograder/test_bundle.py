"""The sample bundle graded end to end through the real CLI (slow: real kernels)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, HIDDEN_MARKER, LIMITS, autograded_points, autograder,
                             read_grades)

pytestmark = pytest.mark.slow


def test_every_sample_gets_its_expected_status_and_score(bundle):
    """Does each honest or hostile sample get the status and score samples.EXPECTED says?"""
    grades, problems = bundle["grades"], []
    assert set(grades) == set(bundle["expected"]), "grades.csv should have exactly one row per sample"
    full = autograded_points()
    assert float(grades["full"]["max_score"]) > full, "max_score counts the written answer too"
    partly = float(grades["partly-right"]["score"])
    assert 0 < partly < full, f"partly-right should earn some but not all points, got {partly}/{full}"
    targets = {"full": full, "zero": 0.0, "partly-right": partly}
    for student, (status, score) in sorted(bundle["expected"].items()):
        row = grades[student]
        if row["status"] != status:
            problems.append(f"{student}: status {row['status']} (expected {status}); reason: {row['reason']}")
        if score is not None and float(row["score"]) != targets[score]:
            problems.append(f"{student}: score {row['score']} (expected {targets[score]}, like {score})")
    assert not problems, "\n".join(problems)


def test_tricks_on_test_cells_score_per_question_like_partly_right(bundle):
    """Are deleted, edited, skip- or error-tagged and retagged test cells graded as the originals?"""
    grades = bundle["grades"]
    columns = [c for c in grades["full"] if c.startswith("test_")]
    reference = {c: grades["partly-right"][c] for c in columns}
    for student in ("deleted-test", "edited-test", "skip-execution", "raises-exception",
                    "nbgrader-metadata", "infinite-loop", "memory-bomb"):
        assert {c: grades[student][c] for c in columns} == reference, student


def test_calling_cnnkit_cloning_or_borrowing_earns_nothing_for_that_exercise(bundle):
    """Does an exercise that calls its counterpart, a FunctionType clone of it, or another cnnkit op score 0?"""
    exercise = bundle["calls_cnnkit_exercise"]
    assert sorted(bundle["zero_on_target"]) == ["borrow", "calls-cnnkit", "clone"]
    for student in bundle["zero_on_target"]:
        row = bundle["grades"][student]
        own = {c: row[c] for c in row if c.startswith(f"test_{exercise}")}
        assert own and all(float(v) == 0 for v in own.values()), (student, own)
        others = {c: row[c] for c in row if c.startswith("test_") and c not in own}
        assert others == {c: bundle["grades"]["full"][c] for c in others}, (student, others)


def test_reasons_name_the_cause(bundle):
    """Do failed and flagged rows say why, and do limits show up in the reason?"""
    grades = bundle["grades"]
    assert "kernel died" in grades["kernel-suicide"]["reason"]
    assert "kernel died" in grades["os-exit"]["reason"]
    assert "corrupt notebook" in grades["corrupt-json"]["reason"]
    assert "missing notebook" in grades["missing-notebook"]["reason"]
    assert "numpy.allclose redefined" in grades["patch-numpy"]["reason"]
    assert "cnnkit.checking.assert_close redefined" in grades["patch-checking"]["reason"]
    assert "showtraceback replaced" in grades["hide-tracebacks"]["reason"]
    assert "numpy.allclose redefined" in grades["forge"]["reason"] and "builtins.print redefined" in grades["forge"]["reason"]
    assert "static scan: " in grades["forge"]["reason"] and "uses builtins (patching)" in grades["forge"]["reason"]
    exercise = bundle["calls_cnnkit_exercise"]
    assert f"{exercise} cell line 4: uses __code__ (introspection)" in grades["clone"]["reason"]
    assert f"forbidden call: {exercise} called cnnkit." in grades["clone"]["reason"]
    assert f"forbidden call: {exercise} called cnnkit." in grades["borrow"]["reason"]
    assert "uses glob" in grades["read-source"]["reason"] and "'..' path" in grades["read-source"]["reason"]
    assert "'..' path" in grades["writes-parent"]["reason"]
    assert "timeout" in grades["infinite-loop"]["reason"]
    assert "memory cap" in grades["memory-bomb"]["reason"]
    assert grades["full"]["reason"] == ""


def test_feedback_exists_and_hides_hidden_tests(bundle):
    """Is there one feedback page per graded notebook, none showing hidden test source?"""
    feedback = bundle["out"] / "feedback"
    for student, row in bundle["grades"].items():
        page = feedback / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        if row["status"] == "failed":
            continue
        assert page.is_file(), f"no feedback for {student}"
        html = page.read_text()
        assert HIDDEN_MARKER not in html, f"hidden test source leaked into {student}'s feedback"
        assert "AUTOGRADER-INTEGRITY" not in html, f"integrity cells left in {student}'s feedback"


def test_student_writing_to_parent_folders_touches_nothing_outside_its_scratch(bundle):
    """Did the writes-parent sample leave no file in the submissions, the output or the source?"""
    submissions, out = bundle["submissions"], bundle["out"]
    assert sorted(p.relative_to(submissions).as_posix() for p in submissions.rglob("*")) == bundle["files_before"]
    assert not list(out.rglob("escaped.txt"))
    assert not list(FIXTURE_SOURCE.rglob("escaped.txt"))
    assert not list(bundle["root"].rglob("escaped.txt"))


def test_each_submission_is_graded_as_if_alone(bundle, tmp_path):
    """Do a few submissions graded alone (--jobs 1) get the rows they got in the hostile batch?"""
    alone = tmp_path / "alone"
    for student in ("full", "partly-right", "calls-cnnkit"):
        shutil.copytree(bundle["submissions"] / student, alone / student)
    autograder("grade", alone, "--out", tmp_path / "out", "--jobs", 1, *LIMITS, "--source", FIXTURE_SOURCE)
    for student, row in read_grades(tmp_path / "out" / "grades.csv").items():
        assert row == bundle["grades"][student], student


def test_rerun_gives_identical_csv_and_no_duplicates(bundle):
    """Does a re-run reuse the results, write the same grades.csv and duplicate nothing in the gradebook?"""
    out = bundle["out"]
    first = (out / "grades.csv").read_bytes()
    autograder("grade", bundle["submissions"], "--out", out, "--jobs", 2, *LIMITS, "--source", FIXTURE_SOURCE)
    assert (out / "grades.csv").read_bytes() == first
    with sqlite3.connect(out / "gradebook.db") as db:
        (count,) = db.execute("select count(*) from submitted_assignment").fetchone()
    assert count == len(bundle["expected"])


def test_progress_and_summary_are_shown(bundle):
    """Does grade print one progress line per notebook (not a TTY) and a summary table?"""
    run = bundle["run"]
    assert run.stderr.count(f"/{ASSIGNMENT}: ") >= len(bundle["expected"]) - 3  # failed intake rows skip the pool
    assert "ETA" in run.stderr
    assert "assignment" in run.stdout and "flagged" in run.stdout and "failed" in run.stdout


def test_wall_limit_fails_only_the_slow_submission(bundle, tmp_path):
    """With a wall limit shorter than a cell timeout, does an endless loop fail while a normal notebook is graded?"""
    inbox = tmp_path / "inbox"
    for student in ("infinite-loop", "full"):
        shutil.copytree(bundle["submissions"] / student, inbox / student)
    autograder("grade", inbox, "--out", tmp_path / "out", "--jobs", 1, "--timeout", 300, "--wall", 30,
               "--no-feedback", "--source", FIXTURE_SOURCE)
    grades = read_grades(tmp_path / "out" / "grades.csv")
    assert grades["infinite-loop"]["status"] == "failed"
    assert "wall limit of 30s exceeded" in grades["infinite-loop"]["reason"]
    assert grades["full"]["status"] == "graded" and float(grades["full"]["score"]) == autograded_points()
