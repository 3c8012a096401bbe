"""One nbgrader configuration: the repository's nbgrader_config.py is the grader's own builder.

The slow test runs nbgrader's own CLI (generate_assignment -> autograde ->
generate_feedback, the formgrader's route) with the repository's config on a
blank chapter-01 submission and looks for hidden test lines in the feedback.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[2]
CHAPTER = "01_convolution"
SECTIONS = ("CourseDirectory", "OverwriteCells", "Execute", "CappedKernelManager", "Autograde",
            "GenerateFeedback", "ClearHiddenTests")


def _load_repository_config(root: Path):
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def test_repository_config_file_is_the_graders_builder(tmp_path):
    """Does nbgrader_config.py give nbgrader exactly what repository_config builds for its folder?"""
    from autograder.config import repository_config

    loaded = _load_repository_config(tmp_path)
    expected = repository_config(tmp_path)
    for section in SECTIONS:
        assert loaded[section] == expected[section], section
    assert loaded.CourseDirectory.root == str(tmp_path.resolve())
    assert loaded.CourseDirectory.source_directory == "solutions"
    assert loaded.CourseDirectory.release_directory == "course"
    assert loaded.CourseDirectory.db_url == f"sqlite:///{tmp_path.resolve() / '.nbgrader' / 'gradebook.db'}"
    assert (tmp_path / ".nbgrader").is_dir(), "the formgrader needs the gradebook's folder at start-up"
    names = [p.__name__ for p in loaded.GenerateFeedback.preprocessors]
    assert "ScrubTestOutputs" in names and "ClearHiddenTests" in names


def test_grading_defaults_have_one_source():
    """Do the kernel manager's cap, the cell timeout and the CLI defaults all come from Limits?"""
    from autograder.cli import build_parser
    from autograder.config import Limits, nbgrader_config
    from autograder.kernel_manager import CappedKernelManager

    limits = Limits()
    config = nbgrader_config(Path("/nowhere"), "sqlite://")
    assert config.Execute.timeout == limits.cell_timeout
    assert config.CappedKernelManager.memory_mb == limits.memory_mb
    assert CappedKernelManager().memory_mb == limits.memory_mb
    args = build_parser().parse_args(["grade", "in", "--out", "out"])
    assert (args.timeout, args.wall, args.memory) == (limits.cell_timeout, limits.wall_limit, limits.memory_mb)


def _hidden_lines(source: Path, released: Path) -> list[str]:
    """Every line between BEGIN/END HIDDEN TESTS in ``source`` that the released notebook does not show."""
    visible = "\n".join("".join(c["source"]) for c in json.loads(released.read_text())["cells"])
    lines = []
    for cell in json.loads(source.read_text())["cells"]:
        hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", "".join(cell["source"]), re.S)
        lines += [line.strip() for block in hidden for line in block.splitlines()]
    return [line for line in lines if line and line not in visible]


def _nbgrader(root: Path, *args: str) -> None:
    tools = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": tools + os.pathsep + os.environ.get("PATH", "")}
    run = subprocess.run([os.path.join(tools, "nbgrader"), *args, "--force"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} exited {run.returncode}\n{run.stdout}\n{run.stderr}"


@pytest.mark.slow
def test_nbgraders_own_feedback_shows_no_hidden_test_line(tmp_path):
    """With the repository's config, do generate_assignment -> autograde -> generate_feedback hide every hidden line?"""
    root = tmp_path / "course-root"
    shutil.copytree(REPO / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    released = REPO / "course" / CHAPTER / f"{CHAPTER}.ipynb"
    hidden = _hidden_lines(root / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", released)
    assert len(hidden) > 20, "chapter 01 should have hidden tests to hide"

    _nbgrader(root, "generate_assignment", CHAPTER)
    submitted = root / "submitted" / "blank" / CHAPTER
    submitted.mkdir(parents=True)
    shutil.copy(released, submitted / f"{CHAPTER}.ipynb")
    _nbgrader(root, "autograde", CHAPTER)
    _nbgrader(root, "generate_feedback", CHAPTER)

    page = html.unescape(re.sub(r"<[^>]+>", "", (root / "feedback" / "blank" / CHAPTER / f"{CHAPTER}.html").read_text()))
    assert "test_corr2d_hidden" in page and "Error" in page, "the feedback should show the failed tests"
    leaked = [line for line in hidden if line in page]
    assert not leaked, f"{len(leaked)} of {len(hidden)} hidden test lines in the feedback:\n" + "\n".join(leaked)
