"""The sample bundle (written once, and graded once), shared by the grader's slow tests."""

from __future__ import annotations

import json
import shutil

import pytest
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, LIMITS, autograder, read_grades


@pytest.fixture(scope="session")
def bundle(tmp_path_factory, samples):
    """The sample bundle of 99_fixture, graded once with --jobs 2."""
    root = tmp_path_factory.mktemp("bundle")
    submissions, out = root / "submissions", root / "graded"
    shutil.copytree(samples, submissions)
    before = sorted(p.relative_to(submissions).as_posix() for p in submissions.rglob("*"))
    run = autograder("grade", submissions, "--out", out, "--jobs", 2, *LIMITS, "--source", FIXTURE_SOURCE)
    plan = json.loads((submissions / "EXPECTED.json").read_text())
    return {"root": root, "submissions": submissions, "out": out, "run": run, "expected": plan["expected"],
            "calls_cnnkit_exercise": plan["calls_cnnkit_exercise"], "zero_on_target": plan["zero_on_target"],
            "grades": read_grades(out / "grades.csv"), "files_before": before}


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """The sample bundle of 99_fixture, written (not graded): copy from it with add_submission."""
    folder = tmp_path_factory.mktemp("samples")
    autograder("samples", ASSIGNMENT, "--out", folder, "--source", FIXTURE_SOURCE)
    return folder
