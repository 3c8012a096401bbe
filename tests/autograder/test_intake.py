"""Intake of every real download layout (no grading: fast)."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from layouts import (EARLY, LATER, canvas_unpacked, canvas_zipped, exchange, fake_notebook, moodle, tag_of,
                     write, zip_of)

from autograder.course_file import CourseFile
from autograder.intake import MAX_UNPACKED_BYTES, Catalog, take_in
from autograder.intake.preflight import preflight_text
from autograder.roster import Roster

CATALOG = Catalog({"01_convolution": {"01_convolution": frozenset({"corr2d", "test_corr2d"})},
                   "02_pooling": {"02_pooling": frozenset({"max_pool2d", "test_max_pool2d"})}})
DUE = datetime(2025, 10, 6, 23, 59, tzinfo=timezone.utc)
DOC_PATTERN = re.search(r"--pattern '([^']+)'", (Path(__file__).parents[2] / "docs" / "instructors.md").read_text())[1]


def _take(folder, tmp_path, **options):
    intake = take_in(folder, CATALOG, tmp_path / "unpacked", **options)
    return intake, {s.student_id: s for s in intake.submissions}


def _text(intake, course=None, roster=None):
    return preflight_text(intake, course or CourseFile(), roster or Roster())


@pytest.mark.parametrize("layout", [canvas_zipped, canvas_unpacked])
def test_canvas_download_zipped_or_unpacked(layout, tmp_path):
    """Is every Canvas student found by user id, the LATE -1 re-upload kept, nobody called 'submissions'?"""
    layout(tmp_path / "in", fake_notebook)
    intake, found = _take(tmp_path / "in", tmp_path)
    assert sorted(found) == ["4242", "77", "88", "99"]
    assert tag_of(found["4242"].notebooks["01_convolution"]) == "doejane-full"
    assert found["4242"].origin["stamp"]["late_mark"] and found["4242"].origin["stamp"]["attachment"] == 1500
    assert tag_of(found["77"].notebooks["01_convolution"]) == "smithjohn"
    assert tag_of(found["88"].notebooks["01_convolution"]) == "roe"
    assert found["99"].problem == "handed in no notebook (essay.pdf)" and found["99"].assignment == "unknown"
    assert found["4242"].name == "doejane"
    [duplicate] = intake.duplicates
    assert "doejane_4242_1001" in duplicate.loser and "attachment id" in duplicate.rule
    text = _text(intake)
    assert "the latest submission wins" in text and "zed_99_1004_essay.pdf: not a notebook" in text
    assert "ambiguous: none" in text


def test_moodle_folders_zip_and_flat_files(tmp_path):
    """Are Moodle's participant ids the ids, with names (spaces, accents) kept?"""
    moodle(tmp_path / "in", fake_notebook)
    intake, found = _take(tmp_path / "in", tmp_path)
    assert {s: (found[s].name, tag_of(found[s].notebooks["01_convolution"])) for s in found} == {
        "12345": ("José García", "jose"), "12346": ("Anna Ng", "anna"), "12347": ("Bo Li", "bo")}
    assert all(s.origin["lms"] == "moodle" for s in intake.submissions)


def test_exchange_timestamps_decide_lateness(tmp_path):
    """Do nbgrader's timestamp.txt times reach the stamp and the preflight's late column?"""
    exchange(tmp_path / "in", fake_notebook, {"alice": "2025-10-06 20:00:00.000000 UTC",
                                              "bob": "2025-10-08 02:30:00.000000 UTC"})
    intake, found = _take(tmp_path / "in", tmp_path)
    assert sorted(found) == ["alice", "bob"], "submitted/ must not become a student"
    assert found["bob"].origin["stamp"]["submitted"] == "2025-10-08T02:30:00+00:00"
    text = _text(intake, CourseFile(due={"01_convolution": DUE}))
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("submitted/")}
    assert "on time" in lines["submitted/alice/01_convolution/01_convolution.ipynb"]
    assert "1d 02:31" in lines["submitted/bob/01_convolution/01_convolution.ipynb"]


def test_folder_and_zip_of_one_student_the_later_wins(tmp_path):
    """alice/ (older) and alice.zip (newer): does the zip win by file time, inside it final/ over draft_old/?"""
    inbox = tmp_path / "in"
    write(inbox / "alice" / "01_convolution.ipynb", fake_notebook("folder"), EARLY)
    zip_of(inbox / "alice.zip", {"draft_old/01_convolution.ipynb": (fake_notebook("draft"), EARLY + 60),
                                 "final/01_convolution.ipynb": (fake_notebook("final"), LATER)})
    intake, found = _take(inbox, tmp_path)
    assert tag_of(found["alice"].notebooks["01_convolution"]) == "final"
    assert len(intake.duplicates) == 2 and all(d.rule == "later file time" for d in intake.duplicates)
    assert not intake.ambiguous()


def test_a_tie_is_ambiguous(tmp_path):
    """Two copies with nothing to tell them apart: is one taken and the choice listed as ambiguous?"""
    inbox = tmp_path / "in"
    write(inbox / "carol" / "a" / "01_convolution.ipynb", fake_notebook("a"), EARLY)
    write(inbox / "carol" / "b" / "01_convolution.ipynb", fake_notebook("b"), EARLY)
    intake, found = _take(inbox, tmp_path)
    assert "carol" in found
    [ambiguous] = intake.ambiguous()
    assert "no rule tells them apart" in ambiguous


def test_unicode_and_spaces_in_folder_names(tmp_path):
    """Does 'Zoë Müller/' give a usable id and keep the name as written?"""
    write(tmp_path / "in" / "Zoë Müller" / "02_pooling" / "02_pooling.ipynb",
          fake_notebook("zoe", ("max_pool2d", "test_max_pool2d")))
    _, found = _take(tmp_path / "in", tmp_path)
    assert list(found) == ["Zoë_Müller"]
    assert found["Zoë_Müller"].name == "Zoë Müller" and found["Zoë_Müller"].assignment == "02_pooling"


def test_custom_pattern_and_fixed_assignment(tmp_path):
    """Does --pattern name the student of other layouts, and --assignment place an unrecognisable notebook?"""
    inbox = tmp_path / "in"
    zip_of(inbox / "s123456_Jane Roe.zip", {"work/notebook.ipynb": fake_notebook("jane", ())})
    intake, found = _take(inbox, tmp_path, pattern=DOC_PATTERN)
    assert found["s123456"].problem and "matches no notebook" in _text(intake)
    _, found = _take(inbox, tmp_path / "again", pattern=DOC_PATTERN,
                     assignment="01_convolution")
    assert found["s123456"].name == "Jane Roe" and tag_of(found["s123456"].notebooks["01_convolution"]) == "jane"


def test_nothing_is_silently_ignored(tmp_path):
    """Does every file of a mixed class appear in the preflight, as a notebook line or an ignored line?"""
    inbox = tmp_path / "in"
    canvas_zipped(inbox / "canvas", fake_notebook)
    moodle(inbox / "moodle", fake_notebook)
    exchange(inbox, fake_notebook, {"alice": "2025-10-06 20:00:00 UTC"})
    write(inbox / ".DS_Store", b"x")
    write(inbox / "stray.ipynb", fake_notebook("stray"))
    write(inbox / "notes.txt", b"x")
    zip_of(inbox / "eve.zip", {"../../evil.txt": b"x", "01_convolution.ipynb": fake_notebook("eve")})
    intake, _ = _take(inbox, tmp_path)
    text = _text(intake)
    names = [p.name for p in inbox.rglob("*") if p.is_file() and p.suffix != ".zip" and p.name != "timestamp.txt"]
    for archive in inbox.rglob("*.zip"):
        names += [n.rsplit("/", 1)[-1] for n in zipfile.ZipFile(archive).namelist()]
    missing = [n for n in names if n not in text]
    assert not missing, f"not in the preflight: {missing}"
    assert "stray.ipynb" in "\n".join(intake.ambiguous())
    assert not list(tmp_path.rglob("evil.txt"))


def test_bad_zips_become_failed_rows_with_a_reason(tmp_path):
    """Do a corrupt zip, a zip of strangers and a zip bomb each give their student a row with the reason?"""
    inbox = tmp_path / "in"
    write(inbox / "carol.zip", b"not a zip")
    zip_of(inbox / "dave.zip", {"homework.ipynb": b"{}"})
    with zipfile.ZipFile(inbox / "mallory.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("01_convolution.ipynb", b"0" * (MAX_UNPACKED_BYTES + 1))
    _, found = _take(inbox, tmp_path)
    assert "unreadable zip" in found["carol"].problem
    assert "matches no notebook" in found["dave"].problem
    assert "MiB" in found["mallory"].problem


def test_bad_options_name_the_option(tmp_path):
    (tmp_path / "in").mkdir()
    with pytest.raises(ValueError, match="SUBMISSIONS must be a folder"):
        take_in(tmp_path / "nope", CATALOG, tmp_path)
    with pytest.raises(ValueError, match=r"--pattern must have a named group \(\?P<id>"):
        take_in(tmp_path / "in", CATALOG, tmp_path, pattern=r"(\d+)")
    with pytest.raises(ValueError, match="--assignment: unknown assignment '03_x'"):
        take_in(tmp_path / "in", CATALOG, tmp_path, assignment="03_x")


def test_strict_exits_one_on_anything_ambiguous_and_grades_nothing(tmp_path):
    """Do `intake --strict` and `grade --strict` exit 1 after the preflight, and plain `intake` exit 0?"""
    from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, autograder

    inbox = tmp_path / "in"
    write(inbox / "carol" / f"{ASSIGNMENT}.ipynb", b"{}")
    write(inbox / "stray.ipynb", b"{}")
    run = autograder("intake", inbox, "--source", FIXTURE_SOURCE, "--strict", check=False)
    assert run.returncode == 1 and "stray.ipynb" in run.stdout and "ambiguous" in run.stderr
    assert autograder("intake", inbox, "--source", FIXTURE_SOURCE).returncode == 0
    run = autograder("grade", inbox, "--out", tmp_path / "out", "--source", FIXTURE_SOURCE, "--strict", check=False)
    assert run.returncode == 1 and not (tmp_path / "out" / "grades.csv").exists()
    assert "stray.ipynb" in (tmp_path / "out" / "preflight.txt").read_text()


def test_a_student_who_zipped_their_whole_checkout_is_still_that_student(tmp_path):
    """alice.zip and dave/ holding cnn-course/01_convolution/...: are they alice and dave, not 'cnn-course'?"""
    inbox = tmp_path / "in"
    zip_of(inbox / "alice.zip", {"cnn-course/01_convolution/01_convolution.ipynb": fake_notebook("alice")})
    write(inbox / "dave" / "cnn-course" / "01_convolution" / "01_convolution.ipynb", fake_notebook("dave"))
    _, found = _take(inbox, tmp_path)
    assert {s: tag_of(found[s].notebooks["01_convolution"]) for s in found} == {"alice": "alice", "dave": "dave"}


@pytest.mark.parametrize("stem, notebook, resubmission", [
    ("01_convolution", "01_convolution", 0),
    ("01 Convolution", "01_convolution", 0),
    ("01_convolution (1)", "01_convolution", 0),
    ("01_convolution-2", "01_convolution", 2),
    ("Copy of 01_convolution", "01_convolution", 0),
    ("01_convolution - Copy", "01_convolution", 0),
    ("01_convolution_final", "01_convolution", 0),
    ("Untitled", None, 0),
])
def test_renamed_notebooks_map_to_their_notebook(stem, notebook, resubmission):
    """Do the renames browsers and LMSs make (as the guide lists them) still name the notebook?"""
    from autograder.intake.names import match_notebook_name

    found = match_notebook_name(stem, ["01_convolution", "02_pooling"])
    assert (found.notebook, found.resubmission) == (notebook, resubmission) if notebook else found is None


def test_checkpoints_inside_a_student_folder_are_listed_not_graded(tmp_path):
    inbox = tmp_path / "in"
    write(inbox / "erin" / "01_convolution.ipynb", fake_notebook("real"))
    write(inbox / "erin" / ".ipynb_checkpoints" / "01_convolution-checkpoint.ipynb", fake_notebook("checkpoint"))
    intake, found = _take(inbox, tmp_path)
    assert tag_of(found["erin"].notebooks["01_convolution"]) == "real" and not intake.duplicates
    assert "erin/: 1 hidden, checkpoint or __MACOSX file(s)" in _text(intake)


@pytest.mark.parametrize("text, iso", [
    ("2025-10-08 21:00:00.000000 UTC", "2025-10-08T21:00:00+00:00"),
    ("2025-10-08 23:00:00 Europe/Berlin", "2025-10-08T21:00:00+00:00"),
    ("2025-10-08T23:00:00+02:00", "2025-10-08T21:00:00+00:00"),
    ("2025-10-08 21:00:00", "2025-10-08T21:00:00+00:00"),
])
def test_timestamp_txt_formats(tmp_path, text, iso):
    from autograder.intake.scan import read_timestamp

    (tmp_path / "timestamp.txt").write_text(text + "\n")
    assert read_timestamp(tmp_path / "timestamp.txt") == iso


def test_an_unreadable_timestamp_is_listed_as_ambiguous(tmp_path):
    exchange(tmp_path / "in", fake_notebook, {"alice": "yesterday evening"})
    intake, found = _take(tmp_path / "in", tmp_path)
    assert "alice" in found and not found["alice"].origin["stamp"]["submitted"]
    assert any("unreadable timestamp" in a for a in intake.ambiguous())
