"""Intake of submission folders and LMS zips (no grading)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autograder.submissions import MAX_UNPACKED_BYTES, collect_submissions, student_id_of_zip

ASSIGNMENTS = {"01_convolution": ["01_convolution"]}


@pytest.mark.parametrize("name, student", [
    ("alice.zip", "alice"),
    ("doejane_4242_99999_01_convolution.zip", "4242"),
    ("doejane_LATE_4242_99999_01_convolution.zip", "4242"),
    ("s123456.zip", "s123456"),
])
def test_student_id_of_zip(name, student):
    """Is the student id the zip's stem, or the numeric id in a Canvas name?"""
    assert student_id_of_zip(Path(name)) == student


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)


def test_folder_and_zip_layouts_are_found(tmp_path):
    """Are the nbgrader layout, a zip with a folder and a zip with a bare notebook all found?"""
    inbox = tmp_path / "inbox"
    (inbox / "bob" / "01_convolution").mkdir(parents=True)
    (inbox / "bob" / "01_convolution" / "01_convolution.ipynb").write_text("{}")
    _zip(inbox / "alice.zip", {"01_convolution/01_convolution.ipynb": "{}"})
    _zip(inbox / "x_77_1_01_convolution.zip", {"deep/er/01_convolution.ipynb": "{}"})
    found = collect_submissions(inbox, ASSIGNMENTS, tmp_path / "unpacked")
    assert [(s.student_id, s.problem) for s in found] == [("77", None), ("alice", None), ("bob", None)]
    assert all(s.notebooks["01_convolution"] for s in found)


def test_zip_cannot_write_outside_its_folder(tmp_path):
    """Are absolute and .. entries skipped?"""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    _zip(inbox / "eve.zip", {"../../evil.txt": "x", "01_convolution.ipynb": "{}"})
    found = collect_submissions(inbox, ASSIGNMENTS, tmp_path / "unpacked")
    assert found[0].problem is None
    assert not list(tmp_path.rglob("evil.txt"))


def test_bad_zips_and_strangers_become_problems(tmp_path):
    """Do a corrupt zip, a zip without a known notebook and a zip bomb give a row with a reason?"""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "carol.zip").write_bytes(b"not a zip")
    _zip(inbox / "dave.zip", {"homework.ipynb": "{}"})
    with zipfile.ZipFile(inbox / "mallory.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("01_convolution.ipynb", b"0" * (MAX_UNPACKED_BYTES + 1))
    found = {s.student_id: s.problem for s in collect_submissions(inbox, ASSIGNMENTS, tmp_path / "u")}
    assert "unreadable zip" in found["carol"]
    assert "no notebook of a known assignment" in found["dave"]
    assert "MiB" in found["mallory"]


def test_missing_folder_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="SUBMISSIONS must be a folder"):
        collect_submissions(tmp_path / "nope", ASSIGNMENTS, tmp_path)
