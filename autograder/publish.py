"""``public-repo DEST``: the repository students get, without solutions or hidden tests.

The instructor keeps this repository private (``solutions/`` holds every
solution and hidden test). ``public-repo`` copies the files git tracks, except
:data:`PRIVATE`, into ``DEST``, after checking that ``course/`` is released
from the current ``solutions/``, and then checks the copy: no private path, and
no notebook with a solution region, a hidden-test region or a hidden test's text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from autograder.config import REPO_ROOT, SOURCE_DIRECTORY, list_assignments
from autograder.errors import UsageError

#: Tracked paths that stay private: solutions and everything that needs them to run.
PRIVATE = ("solutions/", "tests/banks/", "tests/chapters/", "tests/fixtures/", "tests/autograder/",
           "tests/browser/", "benchmarks/bench_grading.py", "docs/browser-tests.md")
MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION")


def tracked_files(root: Path) -> list[str]:
    """The files git tracks in ``root``, as POSIX paths relative to it."""
    try:
        listing = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise UsageError(f"public-repo: {root} must be a git checkout of the course ({error})") from None
    return sorted(name for name in listing.stdout.decode().split("\0") if name)


def public_files(files: list[str]) -> list[str]:
    """``files`` without the private ones."""
    return [name for name in files if not name.startswith(PRIVATE)]


def hidden_texts(source_directory: Path) -> list[str]:
    """Lines found only in the hidden-test regions of ``source_directory`` (what must never reach students)."""
    import nbformat

    hidden, shown = set(), set()
    for name in list_assignments(source_directory):
        for path in sorted((Path(source_directory) / name).glob("*.ipynb")):
            for cell in nbformat.read(str(path), as_version=4).cells:
                inside = False
                for line in cell.source.splitlines():
                    if "BEGIN HIDDEN TESTS" in line or "END HIDDEN TESTS" in line:
                        inside = "BEGIN" in line
                    else:
                        (hidden if inside else shown).add(line.strip())
    return sorted(line for line in hidden - shown if len(line) >= 12)


def leaks(dest: Path, hidden: list[str]) -> list[str]:
    """Notebooks in ``dest`` that hold a solution or hidden-test marker or a hidden test's line."""
    found = []
    for path in sorted(Path(dest).rglob("*.ipynb")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:  # the cells' sources as text, without JSON's escapes
            text += "\n".join("".join(cell.get("source", "")) for cell in json.loads(text).get("cells", []))
        except (ValueError, AttributeError):
            pass
        # Whole lines, not substrings: release copies lines, and a hidden line such as
        # "check_conv2d_backward([" is also the start of a longer visible line.
        lines = {line.strip() for line in text.splitlines()}
        what = [m for m in MARKERS if m in text] + [f"hidden test line {h!r}" for h in hidden if h in lines][:1]
        if what:
            found.append(f"{path.relative_to(dest)}: {', '.join(what)}")
    return found


def publish(dest: Path, root: Path = REPO_ROOT, source_directory: Path = SOURCE_DIRECTORY) -> list[str]:
    """Write the student-facing repository to ``dest`` (new, empty, or only ``.git``); return the files written."""
    from autograder.release import release

    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(p.name != ".git" for p in dest.iterdir())):
        raise UsageError(f"public-repo: DEST {dest} must be a new or empty folder, or a git checkout emptied "
                         f"with `git -C {dest} rm -rq .`")
    stale = release(source_directory, root / "course", list_assignments(source_directory), check=True)
    if stale:
        raise UsageError(f"public-repo: course/ is stale ({', '.join(stale[:3])}); run `python -m autograder "
                         "release` and commit it first")
    files = public_files(tracked_files(root))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".public-repo-", dir=dest.parent) as staging:
        for name in files:
            target = Path(staging) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target)
        problems = leaks(Path(staging), hidden_texts(source_directory))
        if problems:
            raise UsageError("public-repo: refusing to publish, these would reach students: " + "; ".join(problems))
        dest.mkdir(exist_ok=True)
        for entry in Path(staging).iterdir():
            shutil.move(str(entry), dest / entry.name)
    return files
