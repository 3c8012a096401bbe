"""``release``: generate ``course/`` from ``solutions/`` through nbgrader.

Each assignment is generated in a scratch nbgrader course (temporary gradebook),
so releasing never touches a database in the repository. The written notebooks
are normalised (:func:`autograder.notebooks.normalised_text`), so a re-run is
byte-identical and ``release --check`` can compare text.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from autograder.config import nbgrader_config
from autograder.notebooks import normalised_text
from autograder.owned_folders import owned_folder


def generate_into(course_root: Path, source_assignment: Path, db_url: str) -> Path:
    """Run nbgrader's GenerateAssignment for one assignment inside ``course_root``.

    Parameters
    ----------
    course_root : Path
        A scratch course directory; the source is copied to ``course_root/source``.
    source_assignment : Path
        ``solutions/NN_name``.
    db_url : str
        Gradebook that receives the assignment's cells (tests, points, checksums).

    Returns
    -------
    Path
        ``course_root/release/NN_name``, the student version.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    name = source_assignment.name
    shutil.copytree(source_assignment, course_root / "source" / name,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    config = nbgrader_config(course_root, db_url)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = name
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_assignment = True
    converter.start()
    return course_root / "release" / name


ANSWER_ASSIGNMENT = re.compile(r"^(answer_\w+)\s*=", re.MULTILINE)
NOT_IMPLEMENTED_STUB = "raise NotImplementedError()"


def stub_answer_cells(released, source) -> None:
    """Release check-yourself cells (``q_*``) as ``answer_x = None`` instead of a raise.

    nbgrader stubs every solution region with ``raise NotImplementedError()``. In a
    function body that raises only when called; in a ``q_*`` cell it would raise at
    once, so a blank notebook would fail outside its test cells. Each answer
    variable the solution assigns is released set to ``None``, which its test
    cell rejects, so a blank notebook still earns nothing for it.
    """
    answers = {}
    for cell in source.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("q_"):
            answers[grade_id] = ANSWER_ASSIGNMENT.findall(cell.source)
    for cell in released.cells:
        names = answers.get(cell.metadata.get("nbgrader", {}).get("grade_id", ""))
        if names and NOT_IMPLEMENTED_STUB in cell.source:
            lines = "\n".join(f"{name} = None  # your answer" for name in names)
            cell.source = cell.source.replace(NOT_IMPLEMENTED_STUB, lines)


def build_release(source_directory: Path, assignments: list[str]) -> dict[str, bytes]:
    """What ``release`` would write: ``{"NN_name/file": content}`` for every assignment."""
    files: dict[str, bytes] = {}
    with owned_folder("autograder-release-") as scratch:
        scratch = Path(scratch)
        db_url = f"sqlite:///{scratch / 'gradebook.db'}"
        for name in assignments:
            released = generate_into(scratch / "course", Path(source_directory) / name, db_url)
            for path in sorted(p for p in released.rglob("*") if p.is_file()):
                key = f"{name}/{path.relative_to(released).as_posix()}"
                if path.suffix == ".ipynb":
                    import nbformat
                    notebook = nbformat.read(str(path), as_version=4)
                    source = nbformat.read(str(Path(source_directory) / name / path.name), as_version=4)
                    stub_answer_cells(notebook, source)
                    files[key] = normalised_text(notebook).encode()
                else:
                    files[key] = path.read_bytes()
    return files


def stale_files(release_directory: Path, expected: dict[str, bytes], assignments: list[str]) -> list[str]:
    """Files under ``release_directory`` that differ from ``expected``, are missing, or are extra."""
    release_directory = Path(release_directory)
    stale = []
    for key, content in sorted(expected.items()):
        path = release_directory / key
        if not path.is_file():
            stale.append(f"{key} (missing)")
        elif path.read_bytes() != content:
            stale.append(f"{key} (differs)")
    for name in assignments:
        folder = release_directory / name
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                key = path.relative_to(release_directory).as_posix()
                if key not in expected and ".ipynb_checkpoints" not in key:
                    stale.append(f"{key} (not produced by release)")
    return stale


def release(source_directory: Path, release_directory: Path, assignments: list[str],
            check: bool = False) -> list[str]:
    """Write (or, with ``check``, only compare) the released assignments.

    Returns
    -------
    list of str
        With ``check``: the stale files (empty when ``course/`` is up to date).
        Without: the files written.
    """
    expected = build_release(source_directory, assignments)
    if check:
        return stale_files(release_directory, expected, assignments)
    release_directory = Path(release_directory)
    for name in assignments:
        folder = release_directory / name
        if folder.is_dir():
            shutil.rmtree(folder)
    for key, content in expected.items():
        path = release_directory / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return sorted(expected)
