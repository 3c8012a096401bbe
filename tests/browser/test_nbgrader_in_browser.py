"""nbgrader inside the course's JupyterLab: the Validate button and the instructor's formgrader."""

from __future__ import annotations

import urllib.error

import pytest

import lab_driver as lab
from course_copy import FIXTURE_ROOT, chapters_in, is_test_cell

pytestmark = pytest.mark.browser

VALIDATE_TIMEOUT = 240  # seconds; Validate runs the whole notebook on the server


def _chapter_to_validate(root, chapters):
    """The first real chapter with autograded tests (the suite's fixture when there is none)."""
    import nbformat

    fixtures = set(chapters_in(FIXTURE_ROOT))
    for chapter in [c for c in chapters if c not in fixtures] + [c for c in chapters if c in fixtures]:
        notebook = nbformat.read(root / "course" / chapter / f"{chapter}.ipynb", as_version=4)
        if any(is_test_cell(cell) for cell in notebook.cells):
            return chapter
    pytest.fail(f"no chapter with autograded test cells among {chapters}")


def test_validate_button_passes_a_finished_notebook_and_fails_a_blank_one(course_root, lab_server, page):
    """Does Validate say "Success" on a finished chapter and list the failing cells on a blank one?"""
    chapter = _chapter_to_validate(course_root.root, course_root.chapters)

    lab.open_notebook(page, lab_server, f"course/{chapter}/{chapter}_finished.ipynb", workspace="validate-finished")
    verdict, text = lab.press_validate(page, timeout=VALIDATE_TIMEOUT)
    assert verdict == "success", f"Validate on the finished {chapter} says {verdict}:\n{text[:2000]}"
    assert "Success! Your notebook passes all the tests." in text

    lab.open_notebook(page, lab_server, f"course/{chapter}/{chapter}.ipynb", workspace="validate-blank")
    verdict, text = lab.press_validate(page, timeout=VALIDATE_TIMEOUT)
    assert verdict == "failed", f"Validate on the blank {chapter} says {verdict}:\n{text[:2000]}"
    assert "The following cell failed" in text and "NotImplementedError" in text


def test_formgrader_lists_every_assignment(course_root, lab_server, page):
    """Does the instructor's formgrader (/formgrader) list every chapter of the course as an assignment?"""
    chapters = course_root.chapters
    try:
        listed_by_api = [row["name"] for row in lab_server.api("GET", "/formgrader/api/assignments")]
    except urllib.error.HTTPError as error:
        pytest.fail(f"the formgrader's assignment list answers HTTP {error.code}; the server says: "
                    f"{lab_server.last_error() or 'nothing'}", pytrace=False)
    assert sorted(set(chapters) - set(listed_by_api)) == [], f"formgrader API lists {listed_by_api}"

    page.goto(lab_server.page_url("/formgrader"))
    table = page.locator("#main-table")
    for chapter in chapters:
        table.locator("td", has_text=chapter).first.wait_for(timeout=60_000)
    listed = table.inner_text()
    missing = [chapter for chapter in chapters if chapter not in listed]
    assert missing == [], f"the formgrader page does not list {missing}:\n{listed}"
    assert page.locator("text=does not exist and could not be created").count() == 0, \
        "formgrader warns that the nbgrader exchange directory is missing"
