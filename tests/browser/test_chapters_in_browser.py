"""Every chapter as a person meets it in JupyterLab: Run All, the explorers, the blank copy.

Parametrised over the chapters of ``solutions/`` (the suite's fixture chapter
when there is none yet, or with CNN_BROWSER_FIXTURE=1), so a new chapter is
picked up as soon as it exists.
"""

from __future__ import annotations

import time

import pytest

from course_copy import suite_chapters
import lab_driver as lab

pytestmark = pytest.mark.browser

# The syllabus gives chapter 00 (how the course works, images as arrays) no explorer;
# every other chapter must show at least one.
CHAPTERS_WITHOUT_EXPLORER = {"00_welcome"}
RUN_ALL_TIMEOUT = 300  # seconds; a solution notebook runs in under a minute on 2 cores


CHAPTERS = suite_chapters()


def _require_prepared(course_root, chapter: str) -> None:
    if chapter in course_root.broken:
        pytest.fail(f"{chapter} could not be released into the test copy: {course_root.broken[chapter]}", pytrace=False)


def _explorer_status(explorer) -> tuple[str, str]:
    """``(kind, text)`` of an explorer's status line; kind from its ``cnnkit-status-<kind>`` class."""
    status = explorer.locator(lab.STATUS).first
    classes = (status.get_attribute("class") or "").split()
    kinds = [c.removeprefix("cnnkit-status-") for c in classes if c.startswith("cnnkit-status-")]
    return (kinds[0] if kinds else "none"), status.inner_text()


def _open_and_run(page, server, path: str, workspace: str):
    page.on("dialog", lambda dialog: dialog.dismiss())
    lab.open_notebook(page, server, path, workspace=workspace)
    started = time.monotonic()
    lab.run_all(page, timeout=RUN_ALL_TIMEOUT)
    seconds = time.monotonic() - started
    lab.save(page)
    return lab.read_saved(server, path), seconds


def _check_widget_views(page, notebook, chapter: str) -> None:
    saved_views = lab.widget_view_count(notebook)
    if chapter not in CHAPTERS_WITHOUT_EXPLORER:
        assert saved_views > 0, f"{chapter} shows no ipywidgets at all (every chapter has an explorer)"
    lab.wait_for(lambda: lab.rendered_widget_views(page) >= saved_views, timeout=30,
                 what=f"{saved_views} widget views to render "
                      f"(rendered so far: {lab.rendered_widget_views(page)})")
    assert lab.broken_widget_views(page) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_finished_chapter_runs_clean_and_its_explorers_answer(
        chapter, course_root, page, lab_server, screenshots_dir, record_property):
    """Does the finished chapter run with no error, every widget render, and every explorer react to its controls?"""
    _require_prepared(course_root, chapter)
    path = f"course/{chapter}/{chapter}_finished.ipynb"
    notebook, seconds = _open_and_run(page, lab_server, path, workspace=f"finished-{chapter}")
    record_property("run_all_seconds", round(seconds, 1))
    assert lab.news_toasts(page) == 0, "the Jupyter news toast is shown: lab-settings/overrides.json was not applied"

    errors = lab.cell_errors(notebook)
    assert errors == [], f"cells of the finished {chapter} show errors: {errors}"
    assert lab.unexecuted_cells(notebook) == [], "Run All left code cells unexecuted"
    _check_widget_views(page, notebook, chapter)

    explorers = lab.explorers(page)
    count = explorers.count()
    if chapter in CHAPTERS_WITHOUT_EXPLORER:
        return
    assert count >= 1, f"{chapter} shows no cnnkit explorer (no element with class cnnkit-explorer)"
    for index in range(count):
        explorer = explorers.nth(index)
        explorer.scroll_into_view_if_needed()
        kind, text = _explorer_status(explorer)
        assert kind == "ok", f"explorer {index} of the finished {chapter} says {kind}: {text!r}"
        control = lab.drive_explorer(page, explorer)
        record_property(f"explorer_{index}_answered_to", control)
        kind, text = _explorer_status(explorer)
        assert kind == "ok", f"explorer {index} says {kind} after {control}: {text!r}"
        name = chapter if index == 0 else f"{chapter}-{index + 1}"
        lab.screenshot(page, explorer, screenshots_dir / f"{name}.png")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_blank_chapter_explorers_say_not_implemented(chapter, course_root, page, lab_server):
    """Run top to bottom, does a blank chapter fail only in test cells, its explorers saying "not implemented yet"?"""
    _require_prepared(course_root, chapter)
    path = f"course/{chapter}/{chapter}.ipynb"
    notebook, _ = _open_and_run(page, lab_server, path, workspace=f"blank-{chapter}")

    unexpected = [error for error in lab.cell_errors(notebook)
                  if not (error["test_cell"] or (error["answer_cell"] and error["error"].startswith("NotImplementedError")))]
    assert unexpected == [], f"the blank {chapter} fails outside its test cells and unanswered cells: {unexpected}"
    _check_widget_views(page, notebook, chapter)

    has_exercises = any(cell.metadata.get("nbgrader", {}).get("solution") for cell in notebook.cells
                        if cell.cell_type == "code")
    explorers = lab.explorers(page)
    if chapter in CHAPTERS_WITHOUT_EXPLORER:
        return
    assert explorers.count() >= 1, f"{chapter} shows no cnnkit explorer"
    kinds = []
    for index in range(explorers.count()):
        explorer = explorers.nth(index)
        text = explorer.inner_text()
        assert "Traceback" not in text, f"explorer {index} shows a traceback: {text[:500]!r}"
        kind, status = _explorer_status(explorer)
        assert kind in ("missing", "ok"), f"explorer {index} of the blank {chapter} says {kind}: {status!r}"
        if kind == "missing":
            assert "not implemented yet" in status, f"explorer {index}'s status does not say so plainly: {status!r}"
        kinds.append(kind)
    if has_exercises:
        assert "missing" in kinds, f"no explorer of the blank {chapter} says its function is not implemented yet"
