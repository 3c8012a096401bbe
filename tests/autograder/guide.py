"""docs/instructors.md as the tests read it: its sections, their code blocks, their commands.

Every command of the guide is run by a test that reads it from here, with the
guide's chapter name and paths swapped for the test's. :data:`RUNNERS` says which
test runs which commands; ``test_guide.py`` fails when a command of the guide is
run by none of them.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "instructors.md"
CHAPTER = "01_convolution"

#: test -> (the sections it reads, the commands it runs there: line prefixes)
RUNNERS = {
    "tests/autograder/test_setup.py": (("## Set up",), ("source ", "python -m autograder public-repo")),
    "tests/autograder/test_term.py": (
        ("## Release", "## Collect", "## Grade", "## Feedback", "## Grade batch after batch",
         "## Import into the LMS", "## Self-check for students"), ("python -m autograder",)),
    "tests/autograder/test_exchange.py": (("## The exchange route",), ("nbgrader ", "python -m autograder",
                                                                       "cd graded && ", "mkdir ")),
    "tests/browser/test_formgrader_in_browser.py": (("## Grade the written answers by hand",),
                                                    ("python -m autograder formgrader",)),
}


def section_texts(sections) -> str:
    """The text of the guide's ``## `` sections named in ``sections`` (subsections included), in order."""
    parts = re.split(r"^(## .*)$", GUIDE.read_text(encoding="utf-8"), flags=re.M)
    return "".join(body for head, body in zip(parts[1::2], parts[2::2]) if head.strip() in sections)


def blocks(sections, language: str = "bash") -> list[str]:
    """The ``language`` code blocks of ``sections``, in order."""
    return re.findall(rf"```{language}\n(.*?)```", section_texts(sections), flags=re.S)


def commands(sections, prefixes) -> list[str]:
    """The command lines of the bash blocks of ``sections`` that start with one of ``prefixes`` (no comments)."""
    found = []
    for block in blocks(sections):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(tuple(prefixes)):
                found.append(line)
    return found


def autograder_args(line: str, chapter: str) -> list[str]:
    """The arguments after ``python -m autograder`` of ``line``, with the guide's chapter swapped for ``chapter``."""
    return shlex.split(line.replace(CHAPTER, chapter))[3:]
