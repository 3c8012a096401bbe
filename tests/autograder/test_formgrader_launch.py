"""How ``python -m autograder formgrader DIR`` starts (fast: nothing is started)."""

from __future__ import annotations

import json

import pytest

from autograder.formgrader import formgrader_launch
from autograder.graded_course import CONFIG_FILE, SETTINGS


def _graded(tmp_path, db_url):
    out = tmp_path / "graded"
    out.mkdir()
    (out / CONFIG_FILE).write_text("c = get_config()\n")
    (out / SETTINGS).write_text(json.dumps({"db_url": db_url}))
    return out


def test_formgrader_opens_on_the_graded_folder_like_make_lab(tmp_path):
    out = _graded(tmp_path, f"sqlite:///{tmp_path / 'graded' / 'gradebook.db'}")
    launch = formgrader_launch(out, port=8931, token="t", open_browser=False)
    assert launch.cwd == out.resolve(), "nbgrader reads the graded folder's nbgrader_config.py from the cwd"
    assert f"--ServerApp.root_dir={out.resolve()}" in launch.argv
    assert "--ServerApp.default_url=/formgrader" in launch.argv and launch.url == "http://127.0.0.1:8931"


def test_formgrader_refuses_a_folder_that_was_not_graded_or_has_no_gradebook(tmp_path):
    with pytest.raises(ValueError, match=r"formgrader: DIR .*nothing.* is not a graded folder"):
        formgrader_launch(tmp_path / "nothing")
    with pytest.raises(ValueError, match="graded with --db none"):
        formgrader_launch(_graded(tmp_path, None))
