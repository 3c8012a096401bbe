"""Build a class of submissions in the layouts real LMSs and nbgrader produce.

Each builder writes into a folder exactly what the LMS download holds (file and
folder names, zip nesting, nbgrader's timestamp.txt) with the given notebook
bytes, and sets file times so that "the latest submission" is well defined.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

EARLY = time.mktime((2025, 10, 1, 12, 0, 0, 0, 0, -1))
LATER = EARLY + 86400


def fake_notebook(tag: str, grade_ids=("corr2d", "test_corr2d")) -> bytes:
    """A notebook with nbgrader cells carrying ``grade_ids``; ``tag`` tells versions apart."""
    cells = [{"cell_type": "code", "execution_count": None, "outputs": [], "source": f"# {tag}",
              "metadata": {"nbgrader": {"grade_id": g, "grade": False, "solution": True, "locked": False,
                                        "schema_version": 3}}} for g in grade_ids]
    return json.dumps({"cells": cells, "metadata": {"tag": tag}, "nbformat": 4, "nbformat_minor": 5}).encode()


def tag_of(path) -> str:
    """The ``tag`` a :func:`fake_notebook` was written with."""
    return json.loads(Path(path).read_text())["metadata"]["tag"]


def write(path: Path, data: bytes, when: float = EARLY) -> Path:
    """Write ``data`` to ``path`` with modification time ``when``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when, when))
    return path


def zip_of(path: Path, entries: dict) -> Path:
    """A zip with ``entries`` {name: bytes or (bytes, epoch seconds)}."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in entries.items():
            data, when = value if isinstance(value, tuple) else (value, EARLY)
            info = zipfile.ZipInfo(name, time.localtime(when)[:6])
            archive.writestr(info, data)
    return path


def canvas_files(notebook) -> dict:
    """A Canvas bulk download: {file name: bytes}.

    - 4242 doejane: on time (attachment 1001), then a LATE full re-upload ``-1`` (attachment 1500);
    - 77 smithjohn: ``01_convolution (1).ipynb`` (a renamed notebook);
    - 88 roe: ``Untitled.ipynb`` (found by its content);
    - 99 zed: a PDF only.
    """
    return {"doejane_4242_1001_01_convolution.ipynb": notebook("doejane-partial"),
            "doejane_LATE_4242_1500_01_convolution-1.ipynb": notebook("doejane-full"),
            "smithjohn_77_1002_01_convolution (1).ipynb": notebook("smithjohn"),
            "roe_88_1003_Untitled.ipynb": notebook("roe"),
            "zed_99_1004_essay.pdf": b"%PDF-1.4"}


def canvas_zipped(folder: Path, notebook) -> None:
    """Canvas's ``submissions.zip``, left zipped."""
    zip_of(folder / "submissions.zip", canvas_files(notebook))


def canvas_unpacked(folder: Path, notebook) -> None:
    """Canvas's download unpacked: loose files."""
    for name, data in canvas_files(notebook).items():
        write(folder / name, data)


def moodle(folder: Path, notebook) -> None:
    """Moodle: folders before 4.1 (trailing ``_``) and after, a flat file, inside Moodle's zip."""
    zip_of(folder / "CNN-01 Convolution-4711.zip", {
        "José García_12345_assignsubmission_file_/01_convolution.ipynb": notebook("jose"),
        "Anna Ng_12346_assignsubmission_file/01_convolution.ipynb": notebook("anna"),
        "Bo Li_12347_assignsubmission_file_01_convolution.ipynb": notebook("bo"),
    })


def exchange(folder: Path, notebook, stamps: dict) -> None:
    """nbgrader's ``submitted/<student>/<assignment>/`` with timestamp.txt ({student: text})."""
    for student, stamp in stamps.items():
        base = folder / "submitted" / student / "01_convolution"
        write(base / "01_convolution.ipynb", notebook(student))
        (base / "timestamp.txt").write_text(stamp)
