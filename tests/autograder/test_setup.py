"""The guide's set-up: activating the environment, and the public repository without solutions (slow)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from grading_helpers import ASSIGNMENT, FIXTURE_SOURCE, REPO
from guide import RUNNERS, autograder_args, commands

from autograder.publish import publish

pytestmark = pytest.mark.slow
SECTIONS, PREFIXES = RUNNERS["tests/autograder/test_setup.py"]
BARE_PATH = "/usr/bin:/bin"


def _hidden_lines(notebook) -> set[str]:
    """Lines of a source notebook (read as plain JSON) found only between its HIDDEN TESTS markers."""
    hidden, visible = set(), set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        regions = re.findall(r"BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, flags=re.S)
        hidden |= {line.strip() for region in regions for line in region.splitlines() if len(line.strip()) > 20}
        outside = re.sub(r"BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS", "", source, flags=re.S)
        visible |= {line.strip() for line in outside.splitlines()}
    return hidden - visible


def test_activating_the_environment_finds_nbgrader_and_alembic(tmp_path):
    """Without the guide's activation nbgrader's alembic is not on PATH; with it nbgrader and autograder run."""
    [activate] = commands(SECTIONS, ("source ",))
    if not (REPO / ".venv" / "bin" / "activate").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run in the .venv that make test creates")
        pytest.skip(f"no {REPO / '.venv'} (an environment made another way): nothing to activate")
    env = {"PATH": BARE_PATH, "HOME": str(tmp_path)}
    bare = subprocess.run(["bash", "-c", "command -v alembic"], cwd=REPO, env=env, capture_output=True, text=True)
    assert bare.returncode != 0, "alembic is on the bare PATH: this test shows nothing"
    script = f"{activate} && command -v alembic && nbgrader --version && python -m autograder --help"
    run = subprocess.run(["bash", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert str(REPO / ".venv" / "bin" / "alembic") in run.stdout


def test_public_repo_carries_no_solution_and_no_hidden_test(tmp_path):
    """Does the guide's public-repo command copy the course without solutions/, its tests or any hidden line?"""
    [line] = commands(SECTIONS, ("python -m autograder public-repo",))
    words = autograder_args(line, ASSIGNMENT)
    dest = tmp_path / "public"
    run = subprocess.run([sys.executable, "-m", "autograder", words[0], str(dest)], cwd=REPO,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    for private in ("solutions", "tests/banks", "tests/chapters", "tests/fixtures", "tests/autograder"):
        assert not (dest / private).exists(), private
    for kept in ("cnnkit/__init__.py", "README.md", "Makefile", "pyproject.toml", "tools/lab.py",
                 "tests/cnnkit", ".gitignore"):
        assert (dest / kept).exists(), kept
    released = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "course").rglob("*.ipynb"))
    assert released and all((dest / name).read_bytes() == (REPO / name).read_bytes() for name in released)
    # A line hidden in one chapter may be an ordinary visible line of another (a seeded rng, say):
    # each released notebook is searched for its own chapter's hidden lines.
    hidden = {nb.name: _hidden_lines(nb) for nb in sorted((REPO / "solutions").glob("*/*.ipynb"))}
    assert all(hidden.values()), "a chapter has no hidden tests: this test shows nothing for it"
    notebooks = {p: "\n".join("".join(c["source"]) for c in json.loads(p.read_text(encoding="utf-8"))["cells"])
                 for p in dest.rglob("*.ipynb")}
    assert {p.name for p in notebooks} >= set(hidden), "a chapter was not published"
    leaked = [f"{p.relative_to(dest)}: {h}" for p, text in notebooks.items()
              for h in hidden.get(p.name, ()) if h in {line.strip() for line in text.splitlines()}]
    assert not leaked, leaked[:5]
    assert not [p for p, text in notebooks.items() if "BEGIN SOLUTION" in text or "HIDDEN TESTS" in text]


def test_public_repo_refuses_a_notebook_that_would_leak(tmp_path):
    """A solution notebook left outside solutions/ stops the publication, and nothing is written; a checkout
    holding only .git takes a new copy, one with files in it is refused."""
    root = tmp_path / "course-repo"
    shutil.copytree(FIXTURE_SOURCE, root / "solutions")
    subprocess.run([sys.executable, "-m", "autograder", "release", "--source", root / "solutions",
                    "--release-dir", root / "course"], check=True, capture_output=True)
    shutil.copy(FIXTURE_SOURCE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / "notes.ipynb")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    with pytest.raises(ValueError, match=r"notes\.ipynb: BEGIN HIDDEN TESTS"):
        publish(tmp_path / "public", root, root / "solutions")
    assert not (tmp_path / "public").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["course-repo"]
    (root / "notes.ipynb").unlink()
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    (tmp_path / "public" / ".git").mkdir(parents=True)
    assert "course/99_fixture/99_fixture.ipynb" in publish(tmp_path / "public", root, root / "solutions")
    with pytest.raises(ValueError, match="must be a new or empty folder"):
        publish(tmp_path / "public", root, root / "solutions")
