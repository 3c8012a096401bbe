"""A term as docs/instructors.md walks it: release, collect, grade, feedback, a late batch, export, self-check.

Before ``export`` a hand score is given as formgrader gives it: the LMS import and
the bundled page must both count it.

Runs every ``python -m autograder`` command of the guide's sections that
:data:`guide.RUNNERS` gives this test, in the order shown, on a class built in
real download layouts with notebooks of the fixture course (slow: real grading).
The guide's chapter name is replaced by the fixture's; ``--source`` (and
``--release-dir``, so the repository's course/ is never touched) and the test
limits are added.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile

import pytest
from grading_helpers import (ASSIGNMENT, FIXTURE_SOURCE, LIMITS, autograded_points, autograder, give_hand_score,
                             read_grades)
from guide import RUNNERS, autograder_args, blocks, commands
from layouts import write, zip_of

pytestmark = pytest.mark.slow
SECTIONS, PREFIXES = RUNNERS["tests/autograder/test_term.py"]
ROSTER = """\
Student,ID,SIS User ID,SIS Login ID,Section
    Points Possible,,,,
"Doe, Jane",4242,S-4242,doejane,A
"Smith, John",77,S-77,jsmith,A
"Bob, Builder",5150,S-5150,bob,B
"Doe, John",6000,S-6000,jdoe,B
"""


def _commands() -> list[list[str]]:
    found = []
    for line in commands(SECTIONS, PREFIXES):
        words = autograder_args(line, ASSIGNMENT)
        if words[0] in ("intake", "grade", "release", "check"):
            words += ["--source", str(FIXTURE_SOURCE)]
        if words[0] == "release":
            words += ["--release-dir", "course"]
        if words[0] in ("grade", "check"):
            words += LIMITS
        found.append(words)
    return found


def _build_class(root, samples):
    """downloads/: Canvas zip (LATE -1 re-upload, renamed copy) and a unicode folder; late/: the exchange."""
    notebook = {kind: (samples / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
                for kind in ("full", "blank", "partly-right")}
    zip_of(root / "downloads" / "submissions.zip", {
        f"doejane_4242_1001_{ASSIGNMENT}.ipynb": notebook["blank"],
        f"doejane_LATE_4242_1500_{ASSIGNMENT}-1.ipynb": notebook["full"],
        f"smithjohn_77_1002_{ASSIGNMENT} (1).ipynb": notebook["partly-right"]})
    write(root / "downloads" / "Zoë Müller" / f"{ASSIGNMENT}.ipynb", notebook["full"])
    for student, stamp in (("bob", "2025-10-08 21:00:00.000000 UTC"), ("jdoe", "2025-10-08 12:00:00 UTC")):
        folder = root / "late" / "submitted" / student / ASSIGNMENT
        write(folder / f"{ASSIGNMENT}.ipynb", notebook["full"])
        (folder / "timestamp.txt").write_text(stamp)
    [toml] = blocks(SECTIONS + ("## Late work",), "toml")
    (root / "course.toml").write_text(toml.replace("01_convolution", ASSIGNMENT))
    (root / "roster.csv").write_text(ROSTER)


def test_the_guide_runs_a_term_two_batches_add_up(tmp_path):
    autograder("samples", ASSIGNMENT, "--out", tmp_path / "samples", "--source", FIXTURE_SOURCE)
    _build_class(tmp_path, tmp_path / "samples")
    commands = _commands()
    assert [c[0] for c in commands] == ["release", "release", "release", "intake", "intake", "grade", "feedback",
                                        "grade", "export", "check"], commands
    runs, first_batch, before_export = [], None, None
    for words in commands:
        if words[0] == "export":  # a hand score given in formgrader after grading reaches the LMS files
            before_export = read_grades(tmp_path / "graded" / "grades.csv")
            give_hand_score(tmp_path / "graded", "4242", "written_sharing", 1.0)
        run = subprocess.run([sys.executable, "-m", "autograder", *words], cwd=tmp_path, capture_output=True,
                             text=True, timeout=1200)
        expected = 1 if words[0] == "check" else 0  # the released notebook is blank: points missing
        assert run.returncode == expected, f"{words} exited {run.returncode}\n{run.stdout}\n{run.stderr}"
        runs.append(run)
        if words[0] == "grade" and first_batch is None:
            first_batch = read_grades(tmp_path / "graded" / "grades.csv")
    assert (tmp_path / "course" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert f"{ASSIGNMENT}.ipynb: 0 / {autograded_points():g} autograded points" in runs[-1].stdout
    runs = runs[3:]
    assert f"kept submissions.zip!/doejane_LATE_4242_1500_{ASSIGNMENT}-1.ipynb over" in runs[0].stdout
    assert "higher Canvas attachment id" in runs[0].stdout and "ambiguous: none" in runs[1].stdout

    grades = read_grades(tmp_path / "graded" / "grades.csv")
    assert set(grades) == {"4242", "77", "bob", "jdoe", "Zoë_Müller"}
    assert set(first_batch) == {"4242", "77", "Zoë_Müller"}
    assert all(before_export[s] == first_batch[s] for s in first_batch), "batch 2 must not change batch 1's rows"
    full = autograded_points()
    assert float(before_export["4242"]["raw_score"]) == full, "the LATE full re-upload must win over the partial one"
    assert float(grades["4242"]["raw_score"]) == full + 1, "export counts the hand score"
    assert (grades["4242"]["late"], grades["4242"]["penalty"]) == ("LATE mark (no time)", "10%")
    assert float(grades["4242"]["score"]) == pytest.approx(0.9 * (full + 1))
    assert (grades["bob"]["late"], grades["bob"]["penalty"]) == ("1d 23:01", "20%")
    assert float(grades["bob"]["score"]) == pytest.approx(0.8 * full)
    assert (grades["jdoe"]["late"], grades["jdoe"]["penalty"]) == ("", ""), "jdoe has a 2-day extension"
    assert grades["Zoë_Müller"]["name"] == "Zoë Müller" and grades["Zoë_Müller"]["status"] == "graded"
    assert 0 < float(grades["77"]["score"]) < full and grades["77"]["name"] == "Smith, John"

    for student, row in grades.items():
        page = (tmp_path / "graded" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert f"Score: {row['score']} / {row['max_score']}" in page, f"{student}'s page disagrees with grades.csv"
    page = (tmp_path / "graded" / "feedback" / "4242" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "less 10% for a late submission (LATE mark (no time))" in page

    lms = tmp_path / "graded" / "lms"
    rows = {row["ID"] or row["SIS Login ID"]: row for row in
            csv.DictReader(io.StringIO((lms / "canvas-import.csv").read_text())) if row["ID"] != ""}
    assert rows["5150"]["SIS Login ID"] == "bob", "exchange logins map to Canvas IDs through the roster"
    assert float(rows["4242"]["01 Convolution (48213)"]) == pytest.approx(0.9 * (full + 1))
    bundle = zipfile.ZipFile(lms / f"canvas-feedback-{ASSIGNMENT}.zip")
    assert sorted(n.split("_")[1:3] for n in bundle.namelist()) == [["4242", "1500"], ["77", "1002"]]
    [jane] = [n for n in bundle.namelist() if "_4242_" in n]
    score = f"Score: {grades['4242']['score']} / {grades['4242']['max_score']}"
    assert score in bundle.read(jane).decode(), "the bundled page must show the hand score, as the CSV does"
