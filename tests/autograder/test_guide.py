"""Every command in docs/instructors.md is run by a test (fast: reads the guide and the tests only)."""

from __future__ import annotations

from pathlib import Path

from guide import GUIDE, RUNNERS, blocks, commands

REPO = Path(__file__).resolve().parents[2]


def _sections() -> list[str]:
    return [line.strip() for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]


def test_every_command_of_the_guide_has_a_test_that_runs_it():
    """Is each command line of the guide's bash blocks claimed by a test in guide.RUNNERS?"""
    orphans = []
    for section in _sections():
        for block in blocks((section,)):
            for line in block.splitlines():
                line = line.split("  #")[0].strip()
                if not line:
                    continue
                claimed = [test for test, (sections, prefixes) in RUNNERS.items()
                           if section in sections and line.startswith(prefixes)]
                if not claimed:
                    orphans.append(f"{section}: {line}")
    assert not orphans, "commands in the guide that no test runs:\n" + "\n".join(orphans)


def test_every_runner_exists_and_finds_its_commands():
    """Does each test named in guide.RUNNERS exist, read the guide through its entry, and find commands there?"""
    for test, (sections, prefixes) in RUNNERS.items():
        assert (REPO / test).is_file(), test
        assert f'RUNNERS["{test}"]' in (REPO / test).read_text(encoding="utf-8"), f"{test} does not use its entry"
        assert commands(sections, prefixes), f"{test}: no command in {sections}"


def test_the_student_data_the_guide_names_is_ignored_by_git():
    """Is every folder and file of student data the guide's set-up names ignored by git in a checkout?"""
    import re
    import subprocess

    [paragraph] = [p for p in GUIDE.read_text(encoding="utf-8").split("\n\n") if "Student data stays out of git" in p]
    named = re.findall(r"`(\w+/|\w+\.\w+)`", paragraph.split("ignores the folders", 1)[1])
    assert {"submitted/", "autograded/", "feedback/", "graded/", "course.toml", "roster.csv"} <= set(named), named
    for name in named:
        path = f"{name}alice/01_convolution/01_convolution.ipynb" if name.endswith("/") else name
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO)
        assert ignored.returncode == 0, f"{path} (student data) is not ignored by git"
