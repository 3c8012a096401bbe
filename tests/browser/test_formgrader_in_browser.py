"""Hand grading in nbgrader's formgrader, in headless Chromium, on a class graded by ``python -m autograder``.

A grader opens formgrader with the guide's command, finds a student's written
answer and types a score and a comment. The regenerated feedback and grades.csv
show the score, and grading the class again (from the cache, then with
``--force``) keeps it.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from pathlib import Path

import pytest

import lab_driver as lab
from browser_env import free_port, isolated_env, require_browser, running

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "autograder"))
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, LIMITS, autograder, read_grades, with_written_answer  # noqa: E402
from guide import RUNNERS, commands  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SECTIONS, PREFIXES = RUNNERS["tests/browser/test_formgrader_in_browser.py"]
ANSWER = "One kernel slides over all $H \\times W$ positions, so its $k^2$ weights are shared."
COMMENT = "Right: the same kernel at every position."


def _grade(root: Path, *extra: str) -> None:
    autograder("grade", root / "class", "--out", root / "graded", *LIMITS, "--source", FIXTURE_SOURCE, *extra)


@pytest.fixture
def formgrader(tmp_path):
    """A graded class (``writer`` answered the written question, ``blank`` did not) and formgrader on it."""
    require_browser()
    autograder("samples", ASSIGNMENT, "--out", tmp_path / "samples", "--source", FIXTURE_SOURCE)
    full = tmp_path / "samples" / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    with_written_answer(full, ANSWER, tmp_path / "class" / "writer" / f"{ASSIGNMENT}.ipynb")
    blank = tmp_path / "samples" / "blank" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    (tmp_path / "class" / "blank").mkdir()
    (tmp_path / "class" / "blank" / blank.name).write_bytes(blank.read_bytes())
    _grade(tmp_path)

    [line] = commands(SECTIONS, PREFIXES)
    port, token = free_port(), secrets.token_hex(16)
    argv = shlex.split(line)[3:] + ["--no-browser", "--port", str(port), "--token", token]
    server = lab.LabServer(url=f"http://127.0.0.1:{port}", token=token, root=tmp_path / "graded",
                           log=tmp_path / "formgrader.log")
    env = isolated_env(tmp_path / "home")
    with running([sys.executable, "-m", "autograder", *argv], env, tmp_path, server, "formgrader", 120):
        yield tmp_path, server


def _written(server, kind: str = "grades") -> dict:
    """The formgrader API's record (``grades`` or ``comments``) of the writer's written answer."""
    [notebook] = [n for n in server.api("GET", f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}")
                  if n["student"] == "writer"]
    [record] = [r for r in server.api("GET", f"/formgrader/api/{kind}?submission_id={notebook['id']}")
                if r["name"] == "written_sharing"]
    return record


def test_a_hand_score_typed_in_formgrader_reaches_feedback_and_csv_and_survives_a_regrade(formgrader, browser):
    # the session's Chromium (conftest): a second sync_playwright cannot start while that one runs
    root, server = formgrader
    assert read_grades(root / "graded" / "grades.csv")["writer"]["to_grade"] == "1"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server.page_url("/formgrader"))
        page.get_by_role("link", name="Manual Grading").click()
        page.wait_for_url("**/formgrader/gradebook")
        page.locator("#main-table a", has_text=ASSIGNMENT).first.click()
        page.wait_for_url(f"**/formgrader/gradebook/{ASSIGNMENT}")
        page.locator("#main-table a", has_text=ASSIGNMENT).first.click()
        page.wait_for_url(f"**/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
        page.locator("#main-table a.name-hidden").first.wait_for()
        page.locator("#toggle_names").click()
        page.locator("#main-table a.name-shown", has_text="writer").click()
        score = page.locator("input.score#written_sharing")
        # formgrader's script fills in the extra-credit placeholder once it listens to this cell's inputs
        page.locator("input#written_sharing_extra_credit[placeholder]").wait_for(state="attached")
        assert "weights are shared" in page.locator("body").inner_text(), "the written answer is not shown"
        score.fill("1")
        score.press("Tab")
        page.locator("textarea#written_sharing-comment").fill(COMMENT)
        page.locator("textarea#written_sharing-comment").press("Tab")
        lab.wait_for(lambda: _written(server)["manual_score"] == 1.0, timeout=60,
                     what="formgrader to save the hand score")
        lab.wait_for(lambda: _written(server, "comments")["manual_comment"] == COMMENT, timeout=60,
                     what="formgrader to save the comment")
    finally:
        context.close()

    run = autograder("feedback", root / "graded")
    assert "wrote 2 feedback page(s)" in run.stdout
    row = read_grades(root / "graded" / "grades.csv")["writer"]
    assert (row["written_sharing"], row["to_grade"], row["score"], row["max_score"]) == ("1", "", "5", "5")
    page = (root / "graded" / "feedback" / "writer" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    text = " ".join(page.replace("<", " <").split())
    assert "Score: 5 / 5" in text and COMMENT in page and "to be graded" not in page

    for extra in ((), ("--force",)):  # from the cache, then graded again from scratch
        _grade(root, *extra)
        assert read_grades(root / "graded" / "grades.csv")["writer"] == row, f"a re-grade {extra} changed the row"
        kept = _written(server)
        assert (kept["manual_score"], kept["needs_manual_grade"]) == (1.0, False), (extra, kept)
        page = (root / "graded" / "feedback" / "writer" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "Score: 5 / 5" in " ".join(page.replace("<", " <").split()) and COMMENT in page, extra
