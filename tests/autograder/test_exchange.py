"""The guide's exchange route end to end, with real nbgrader exchange folders and a HOME per student (slow).

release_assignment -> fetch_assignment -> submit (one student twice) -> collect
-> grade -> hand score -> feedback -> release_feedback -> fetch_feedback, each
command read from the guide's section and run through bash like a person would:
the instructor in a checkout (the repository's nbgrader_config.py with the
fixture chapter), each student in their own HOME, named by their own nbgrader
config there (one Unix login runs them all). Every
process reads the guide's shared nbgrader config from ``JUPYTER_CONFIG_PATH``
with the exchange in the test's folder; the environment's tools are on PATH as
after the guide's activation.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, REPO, autograded_points, autograder,
                             give_hand_score, read_grades, with_written_answer)
from guide import CHAPTER, RUNNERS, blocks, commands

pytestmark = pytest.mark.slow
SECTIONS, PREFIXES = RUNNERS["tests/autograder/test_exchange.py"]
GUIDE_EXCHANGE = "/srv/nbgrader/exchange"
STUDENT_COMMANDS = ("nbgrader fetch_assignment", "nbgrader submit", "nbgrader fetch_feedback")
ANSWER = "Every position reuses the same kernel, so its weights are counted once."


class Term:
    """The instructor's checkout, the exchange, and one HOME per student."""

    def __init__(self, root: Path):
        self.root, self.repo, self.exchange = root, root / "repo", root / "exchange"
        config_dir = root / "jupyter-config"
        config_dir.mkdir()
        [config] = blocks(SECTIONS, "python")
        (config_dir / "nbgrader_config.py").write_text(config.replace(GUIDE_EXCHANGE, str(self.exchange)))
        self.base = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
        self.base.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
                         JUPYTER_CONFIG_PATH=str(config_dir))
        self.repo.mkdir()
        shutil.copy(REPO / "nbgrader_config.py", self.repo / "nbgrader_config.py")
        shutil.copytree(FIXTURE_SOURCE, self.repo / "solutions")
        autograder("release", "--source", self.repo / "solutions", "--release-dir", self.repo / "course")

    def home(self, user: str) -> Path:
        """``user``'s HOME. nbgrader takes a student's id from their login; here every process is the same
        login, so each student's own ``~/.jupyter/nbgrader_config.py`` names them instead."""
        home = self.root / "home" / user
        if not home.is_dir() and user != "instructor":
            (home / ".jupyter").mkdir(parents=True)
            (home / ".jupyter" / "nbgrader_config.py").write_text(
                f"c = get_config()\nc.CourseDirectory.student_id = {user!r}\n")
        home.mkdir(parents=True, exist_ok=True)
        return home

    def run(self, line: str, user: str = "instructor") -> subprocess.CompletedProcess:
        """Run a guide line through bash as ``user`` (students in their HOME, the instructor in the checkout)."""
        line = line.replace(CHAPTER, ASSIGNMENT).replace(GUIDE_EXCHANGE, str(self.exchange))
        if line.startswith("python -m autograder grade"):
            line += " --source solutions " + " ".join(map(shlex.quote, LIMITS))
        env = dict(self.base, HOME=str(self.home(user)), USER=user, LOGNAME=user)
        cwd = self.home(user) if user != "instructor" else self.repo
        run = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
        assert run.returncode == 0, f"{user}$ {line} exited {run.returncode}\n{run.stdout}\n{run.stderr}"
        return run


def _work(term: Term, user: str, kind: str, samples: Path) -> None:
    """What a student does between fetching and submitting: their notebook becomes ``kind``."""
    fetched = term.home(user) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.is_file(), f"{user} fetched nothing"
    shutil.copy(samples / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", fetched)
    if user == "ada":
        with_written_answer(fetched, ANSWER)


def test_the_exchange_route_from_release_to_fetched_feedback(tmp_path):
    autograder("samples", ASSIGNMENT, "--out", tmp_path / "samples", "--source", FIXTURE_SOURCE)
    term = Term(tmp_path)
    lines = commands(SECTIONS, PREFIXES)
    students = {"ada": "full", "grace": "partly-right", "alan": "blank"}
    for line in lines:
        if line.startswith("nbgrader fetch_assignment"):
            for user in students:
                term.run(line, user)
        elif line.startswith("nbgrader submit"):
            for user, kind in students.items():
                _work(term, user, kind, tmp_path / "samples")
                term.run(line, user)
            time.sleep(1.1)  # alan submits again, later: the exchange names submissions by the second
            _work(term, "alan", "full", tmp_path / "samples")
            term.run(line, "alan")
        elif line.startswith("nbgrader fetch_feedback"):
            for user in students:
                term.run(line, user)
        else:
            if line.startswith("python -m autograder feedback"):
                give_hand_score(term.repo / "graded", "ada", "written_sharing", 1.0, "Yes: one kernel, shared.")
            term.run(line)
    ran = [line.split()[1] for line in lines if line.startswith("nbgrader")]
    assert ran == ["release_assignment", "fetch_assignment", "submit", "collect", "fetch_feedback"], ran
    assert any("release_feedback" in line for line in lines)

    submitted = term.repo / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(students)
    assert all((submitted / s / ASSIGNMENT / "timestamp.txt").is_file() for s in students)
    grades = read_grades(term.repo / "graded" / "grades.csv")
    assert sorted(grades) == sorted(students)
    assert float(grades["alan"]["score"]) == autograded_points(), "alan's later, complete submission counts"
    assert grades["ada"]["written_sharing"] == "1" and grades["ada"]["to_grade"] == ""
    assert grades["ada"]["score"] == grades["ada"]["max_score"]
    assert 0 < float(grades["grace"]["score"]) < float(grades["ada"]["score"])
    assert all(grades[s]["submitted"] for s in students), "the exchange's time is the submission time"

    for user in students:
        pages = sorted((term.home(user) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, f"{user} fetched {pages}"
        page = pages[0].read_text()
        row = grades[user]
        assert f"Score: {row['score']} / {row['max_score']}" in page, f"{user}'s fetched page disagrees with the CSV"
        assert (ANSWER in page) == (user == "ada"), "a student fetched someone else's page"
    ada = next((term.home("ada") / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")).read_text()
    assert "written answer (sharing)" in ada and "Yes: one kernel, shared." in ada and "to be graded" not in ada
